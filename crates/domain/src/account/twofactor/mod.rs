//! The second factor (product.md F1, issue #15): codes from an authenticator app (TOTP), ten
//! single-use recovery codes, the TOTP secret sealed at rest, the enrolment QR code, and which
//! roles must use it. Pure like the rest of the domain: the caller passes in the time, random
//! bytes and the key; nothing here reads a clock, the system's random source, the environment or
//! a file. `docs/two-factor.md` describes the whole flow.

pub mod qr;
pub mod recovery;
pub mod sealing;
pub mod signin;
pub mod totp;

pub use qr::{QrError, qr_svg};
pub use recovery::{
    RECOVERY_CODE_COUNT, RECOVERY_RANDOM_BYTES, RecoveryCode, RecoveryCodeHash, RecoveryError,
    find_recovery_code, generate_recovery_codes, hash_typed_code,
};
pub use sealing::{KEY_VARIABLE, KeyError, NONCE_BYTES, SealError, SecretKey, open, seal};
pub use signin::{
    CODE_STEP_LIMIT, ENROLMENT_LIMIT, SecondFactorInput, SignInStep, UnreadableInput,
    required_roles, required_roles_setting,
};
pub use totp::{SECRET_BYTES, STEP_SECONDS, TotpError, TotpSecret, code_at, step_at, verify};

use crate::people::Role;

/// The roles that need a second factor until the hospital chooses otherwise: the ones that can
/// change who sees what (beheerder) and the one that sees every vakgroep's figures (controller).
pub const DEFAULT_REQUIRED_ROLES: &[Role] = &[Role::Beheerder, Role::Controller];

/// Whether a person with `roles` must use a second factor, given the roles the hospital
/// configured as requiring one. One such role is enough: the strictest role decides, because a
/// session carries all of a person's roles at once.
pub fn required_for<'a>(
    roles: impl IntoIterator<Item = &'a Role>,
    configured_roles: &[Role],
) -> bool {
    roles.into_iter().any(|r| configured_roles.contains(r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn by_default_beheerder_and_controller_need_a_second_factor() {
        for role in Role::ALL {
            let expected = matches!(role, Role::Beheerder | Role::Controller);
            assert_eq!(
                required_for([role], DEFAULT_REQUIRED_ROLES),
                expected,
                "{role:?}"
            );
        }
        assert!(!required_for(&[], DEFAULT_REQUIRED_ROLES));
    }

    #[test]
    fn one_required_role_among_several_is_enough() {
        let roles: BTreeSet<Role> = [Role::Bestuurder, Role::Controller].into();
        assert!(required_for(&roles, DEFAULT_REQUIRED_ROLES));
        let roles: BTreeSet<Role> = [Role::Bestuurder, Role::Secretaris].into();
        assert!(!required_for(&roles, DEFAULT_REQUIRED_ROLES));
    }

    #[test]
    fn the_hospital_chooses_the_roles() {
        let everyone = Role::ALL;
        let nobody: &[Role] = &[];
        assert!(required_for(&[Role::Toehoorder], everyone));
        assert!(!required_for(&[Role::Beheerder], nobody));
        assert!(required_for(&[Role::Bestuurder], &[Role::Bestuurder]));
        assert!(!required_for(&[Role::Controller], &[Role::Bestuurder]));
    }
}
