//! Password hashing (`domain::account::password`), always off the async runtime.

use domain::account::password as policy;

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt: [u8; policy::SALT_BYTES] = rand::random();
    Ok(policy::hash(password, salt)?)
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
        let ok = tokio::task::spawn_blocking(move || policy::verify(&password, &hash))
            .await
            .unwrap_or(false);
        ok && real
    }
}
