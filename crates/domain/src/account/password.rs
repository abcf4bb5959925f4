//! How passwords are stored: Argon2id at OWASP's recommended parameters (19 MiB, 2 passes,
//! 1 lane), in the PHC string format. Hashing is slow on purpose, so callers run it off the async
//! runtime; the salt is passed in, like every random value the domain uses.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// The bytes of salt a new hash takes.
pub const SALT_BYTES: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string to store for `password`, salted with `salt` (random, fresh for every hash).
pub fn hash(password: &str, salt: [u8; SALT_BYTES]) -> Result<String, HashError> {
    let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(format!("salt: {e}")))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Whether `password` matches the stored `hash`; an unreadable hash matches nothing.
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_own_password_only() {
        let stored = hash("lang genoeg wachtwoord", [7; SALT_BYTES]).unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("lang genoeg wachtwoord", &stored));
        assert!(!verify("lang genoeg wachtwoorD", &stored));
        assert!(!verify("lang genoeg wachtwoord", "geen hash"));
    }

    #[test]
    fn the_salt_makes_each_hash_different() {
        let a = hash("lang genoeg wachtwoord", [1; SALT_BYTES]).unwrap();
        let b = hash("lang genoeg wachtwoord", [2; SALT_BYTES]).unwrap();
        assert_ne!(a, b);
        assert!(verify("lang genoeg wachtwoord", &b));
    }
}
