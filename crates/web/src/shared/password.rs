//! Password hashing with Argon2id at OWASP's recommended parameters (19 MiB, 2 passes, 1 lane),
//! always off the async runtime.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// Hashes and verifies passwords. Holds a dummy hash so that a login for an unknown account costs
/// as much time as one for a known account.
pub struct Passwords {
    dummy_hash: String,
}

impl Passwords {
    pub async fn new() -> anyhow::Result<Self> {
        let dummy_hash = tokio::task::spawn_blocking(|| {
            hash_blocking("geen echt wachtwoord, alleen voor de tijd")
        })
        .await??;
        Ok(Self { dummy_hash })
    }

    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let password = password.to_string();
        tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
    }

    /// Verifies against the stored hash, or against the dummy hash when there is none; `false`
    /// in the latter case whatever was typed.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> bool {
        let real = hash.is_some();
        let hash = hash.unwrap_or(&self.dummy_hash).to_string();
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_blocking(&password, &hash))
            .await
            .unwrap_or(false);
        ok && real
    }
}
