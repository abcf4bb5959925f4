//! The sign-in with a second factor as a sequence of steps: after the password a session is
//! only *half signed in* until the code is typed (or, for someone whose role requires a second
//! factor and who has none yet, until enrolment is done). What the person types at that step is
//! either a code from the app or a recovery code; which roles require it is a hospital setting.

use super::recovery::{RecoveryCodeHash, hash_typed_code};
use super::totp::DIGITS;
use crate::people::Role;
use time::{Duration, OffsetDateTime};

code_enum! {
    /// The step a half signed-in session waits for. A fully signed-in session has none.
    SignInStep {
        /// The password passed; the code from the app (or a recovery code) must follow.
        Code => "code", "Code invoeren";
        /// The password passed; the person's role requires a second factor they do not have
        /// yet, so they must set it up before anything else.
        Enrol => "enrol", "Tweestapsverificatie instellen";
    }
}

/// The code must follow the password within this time: a half signed-in session left behind
/// on a shared computer is worthless soon after.
pub const CODE_STEP_LIMIT: Duration = Duration::minutes(5);
/// Enrolment takes longer (install an app, scan, type): the same limit as an unfinished
/// pending secret.
pub const ENROLMENT_LIMIT: Duration = Duration::minutes(15);

impl SignInStep {
    /// What follows a correct password: nothing (`None`, signed in), the code, or enrolment.
    pub fn after_password(has_second_factor: bool, required: bool) -> Option<SignInStep> {
        if has_second_factor {
            Some(SignInStep::Code)
        } else if required {
            Some(SignInStep::Enrol)
        } else {
            None
        }
    }

    /// Whether a half signed-in session started at `since` has waited too long for this step.
    pub fn expired(self, since: OffsetDateTime, now: OffsetDateTime) -> bool {
        let limit = match self {
            SignInStep::Code => CODE_STEP_LIMIT,
            SignInStep::Enrol => ENROLMENT_LIMIT,
        };
        now - since > limit
    }

    /// The page that completes this step.
    pub fn path(self) -> &'static str {
        match self {
            SignInStep::Code => "/inloggen/code",
            SignInStep::Enrol => "/account/tweestapsverificatie",
        }
    }
}

/// What someone typed at the code step: six digits from the app, or a recovery code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorInput {
    /// The typed digits, spaces removed; `verify` checks them against the secret.
    Code(String),
    Recovery(RecoveryCodeHash),
}

/// Neither six digits nor the shape of a recovery code; not counted as a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "Vul de zes cijfers in die uw authenticator-app nu toont, of een van uw herstelcodes (16 tekens, zoals 7kq2-m9xd-4hwt-0bzc)."
)]
pub struct UnreadableInput;

impl SecondFactorInput {
    pub fn parse(typed: &str) -> Result<Self, UnreadableInput> {
        let compact: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() == DIGITS && compact.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(SecondFactorInput::Code(compact));
        }
        hash_typed_code(typed)
            .map(SecondFactorInput::Recovery)
            .map_err(|_| UnreadableInput)
    }
}

/// The roles that require a second factor, as the hospital configured them. Stored as a
/// setting of role codes separated by commas; never configured means the default. An unknown
/// code (a role removed in a later version) is skipped rather than failing every sign-in.
pub fn required_roles(setting: Option<&str>) -> Vec<Role> {
    let mut roles: Vec<Role> = match setting {
        None => super::DEFAULT_REQUIRED_ROLES.to_vec(),
        Some(text) => text
            .split(',')
            .filter_map(|c| Role::parse(c.trim()))
            .collect(),
    };
    roles.sort();
    roles.dedup();
    roles
}

/// The setting's text for `roles`, in a stable order.
pub fn required_roles_setting(roles: &[Role]) -> String {
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn after_the_password_comes_the_code_or_enrolment_or_nothing() {
        assert_eq!(
            SignInStep::after_password(true, false),
            Some(SignInStep::Code)
        );
        assert_eq!(
            SignInStep::after_password(true, true),
            Some(SignInStep::Code)
        );
        assert_eq!(
            SignInStep::after_password(false, true),
            Some(SignInStep::Enrol)
        );
        assert_eq!(SignInStep::after_password(false, false), None);
    }

    #[test]
    fn the_code_must_follow_within_five_minutes() {
        let start = datetime!(2026-12-07 10:00 UTC);
        assert!(!SignInStep::Code.expired(start, start + Duration::minutes(5)));
        assert!(SignInStep::Code.expired(start, start + Duration::minutes(5) + Duration::SECOND));
        assert!(!SignInStep::Enrol.expired(start, start + Duration::minutes(15)));
        assert!(SignInStep::Enrol.expired(start, start + Duration::minutes(16)));
    }

    #[test]
    fn six_digits_are_a_code_and_sixteen_characters_a_recovery_code() {
        assert_eq!(
            SecondFactorInput::parse(" 123 456 "),
            Ok(SecondFactorInput::Code("123456".into()))
        );
        let typed = "7KQ2-M9XD-4HWT-0BZC";
        assert_eq!(
            SecondFactorInput::parse(typed),
            Ok(SecondFactorInput::Recovery(hash_typed_code(typed).unwrap()))
        );
        for bad in [
            "",
            "12345",
            "1234567",
            "12345a",
            "\0\0\0\0\0\0",
            "١٢٣٤٥٦",
            &"9".repeat(10_000),
        ] {
            assert_eq!(
                SecondFactorInput::parse(bad),
                Err(UnreadableInput),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_setting_round_trips_and_skips_unknown_roles() {
        assert_eq!(
            required_roles(None),
            vec![Role::Controller, Role::Beheerder]
        );
        assert_eq!(required_roles(Some("")), Vec::<Role>::new());
        assert_eq!(
            required_roles(Some("beheerder, onbekend,bestuurder,beheerder")),
            vec![Role::Bestuurder, Role::Beheerder]
        );
        for roles in [
            vec![],
            vec![Role::Toehoorder, Role::Bestuurder],
            Role::ALL.to_vec(),
        ] {
            let text = required_roles_setting(&roles);
            let mut sorted = roles.clone();
            sorted.sort();
            assert_eq!(required_roles(Some(&text)), sorted);
        }
    }
}
