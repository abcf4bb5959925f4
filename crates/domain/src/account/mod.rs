//! Account rules (product.md F1): password policy and hashing (`password`), login throttling,
//! session lifetimes, set-password links and the second factor (`twofactor`). Time is always
//! passed in, never read here.

pub mod twofactor;

pub mod client;
pub mod password;

use crate::people::FieldError;
use std::collections::HashSet;
use std::sync::OnceLock;
use time::{Duration, OffsetDateTime};

pub const MIN_PASSWORD_CHARS: usize = 12;
/// Long enough for any passphrase, short enough that hashing cannot be abused.
pub const MAX_PASSWORD_CHARS: usize = 256;

fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("common_passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Checks a new password: at least 12 characters, not common, not built from the person's own
/// e-mail address or a single repeated pattern.
pub fn check_new_password(password: &str, email: &str) -> Result<(), FieldError> {
    let err = |m: &str| Err(FieldError::new("password", m));
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return err("Een wachtwoord moet minstens 12 tekens lang zijn.");
    }
    if chars > MAX_PASSWORD_CHARS {
        return err("Een wachtwoord mag hoogstens 256 tekens lang zijn.");
    }
    let lower = password.to_lowercase();
    let letters: String = lower.chars().filter(|c| c.is_alphabetic()).collect();
    let list = common_passwords();
    if list.contains(lower.as_str()) || list.contains(letters.as_str()) {
        return err(
            "Dit wachtwoord komt te vaak voor. Kies een ander, bijvoorbeeld een zin van een paar woorden.",
        );
    }
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    let local_letters: String = local.chars().filter(|c| c.is_alphabetic()).collect();
    if !local_letters.is_empty() && letters == local_letters {
        return err("Een wachtwoord mag niet op uw e-mailadres lijken.");
    }
    let distinct: HashSet<char> = lower.chars().collect();
    if distinct.len() < 4 {
        return err("Dit wachtwoord is te eenvoudig: gebruik meer verschillende tekens.");
    }
    Ok(())
}

/// How many failed logins within a window lock an account or an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub max_failures: usize,
    pub window: Duration,
}

impl ThrottlePolicy {
    /// Per account: a guessed password is tried five times at most.
    pub const DEFAULT: ThrottlePolicy = ThrottlePolicy {
        max_failures: 5,
        window: Duration::minutes(15),
    };

    /// Per client address: far higher, because a whole hospital may reach the app from one
    /// address (its proxy or NAT); it only stops one address trying many accounts.
    pub const PER_ADDRESS: ThrottlePolicy = ThrottlePolicy {
        max_failures: 50,
        window: Duration::minutes(15),
    };

    /// Until when further attempts are refused, given the times of recent failures.
    /// `None` when another attempt is allowed now.
    pub fn locked_until(
        &self,
        failures: &[OffsetDateTime],
        now: OffsetDateTime,
    ) -> Option<OffsetDateTime> {
        if self.max_failures == 0 {
            return None;
        }
        let mut recent: Vec<OffsetDateTime> = failures
            .iter()
            .copied()
            .filter(|t| *t > now - self.window && *t <= now)
            .collect();
        if recent.len() < self.max_failures {
            return None;
        }
        recent.sort();
        // The lock lifts when the oldest failure that still counts towards the limit ages out.
        let unlocks_at = recent[recent.len() - self.max_failures] + self.window;
        (unlocks_at > now).then_some(unlocks_at)
    }
}

/// How long a session lives: idle timeout since the last request, absolute since login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl SessionPolicy {
    pub const DEFAULT: SessionPolicy = SessionPolicy {
        idle: Duration::minutes(30),
        absolute: Duration::hours(12),
    };

    pub fn is_alive(
        &self,
        created: OffsetDateTime,
        last_seen: OffsetDateTime,
        now: OffsetDateTime,
    ) -> bool {
        now < created + self.absolute && now < last_seen + self.idle
    }

    /// Recording every request would write on every page view; a minute's precision is plenty
    /// for a 30-minute idle timeout.
    pub fn needs_touch(&self, last_seen: OffsetDateTime, now: OffsetDateTime) -> bool {
        now - last_seen >= Duration::minutes(1)
    }
}

/// How long a set-password link stays valid.
pub const SET_PASSWORD_LINK_VALIDITY: Duration = Duration::hours(72);

/// Why a set-password link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    Used,
    Expired,
}

pub fn check_set_password_link(
    created: OffsetDateTime,
    used: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<(), LinkProblem> {
    if used.is_some() {
        return Err(LinkProblem::Used);
    }
    if now >= created + SET_PASSWORD_LINK_VALIDITY {
        return Err(LinkProblem::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
