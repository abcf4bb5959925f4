//! Typed configuration from environment variables (`GG_` prefix, plus `DATABASE_URL`).
//! Every variable is documented in the README.

use anyhow::{Context, bail};
use domain::account::ThrottlePolicy;
use domain::account::client::TrustedProxies;
use domain::account::twofactor::{KEY_VARIABLE, SecretKey};
use std::path::PathBuf;
use std::str::FromStr;
use time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Env {
    Development,
    Production,
}

#[derive(Clone)]
pub struct Config {
    pub database_url: Option<String>,
    pub data_dir: PathBuf,
    pub env: Env,
    /// Where people reach the app; used in set-password links and for the Origin check.
    pub base_url: String,
    pub secure_cookies: bool,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub max_failures_per_account: usize,
    pub max_failures_per_ip: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for throttling per address).
    pub trusted_proxies: TrustedProxies,
    pub db_max_connections: u32,
    /// Seals the second factor's secrets at rest (docs/two-factor.md): `GG_SECRET_KEY`, or in
    /// embedded mode the key file in the data directory ([`Config::resolve_secret_key`]).
    pub secret_key: Option<SecretKey>,
    /// The SMTP server mail is sent through (`GG_SMTP_URL`, e.g.
    /// `smtp://user:pass@mail.example:587?tls=required`); unset, mail stays in the outbox and
    /// the beheerder reads it in Beheer › Berichten.
    pub smtp_url: Option<String>,
    /// The sender of every mail (`GG_MAIL_FROM`).
    pub mail_from: String,
}

impl std::fmt::Debug for Config {
    // The database URL may hold a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &self.database_url.as_ref().map(|_| "<set>"))
            .field("data_dir", &self.data_dir)
            .field("env", &self.env)
            .field("base_url", &self.base_url)
            .field("secure_cookies", &self.secure_cookies)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<set>"))
            .field("mail_from", &self.mail_from)
            .finish_non_exhaustive()
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|e| anyhow::anyhow!("{name}={v}: {e}")),
    }
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let env = match var("GG_ENV").as_deref().map(str::to_lowercase).as_deref() {
            None | Some("development") | Some("dev") => Env::Development,
            Some("production") | Some("prod") => Env::Production,
            Some(other) => bail!("GG_ENV must be 'development' or 'production', not '{other}'"),
        };
        let base_url = var("GG_BASE_URL").unwrap_or_else(|| "http://127.0.0.1:8080".into());
        let base_url = base_url.trim_end_matches('/').to_string();
        let secure_cookies = parsed("GG_SECURE_COOKIES", base_url.starts_with("https://"))?;
        let mail_from = var("GG_MAIL_FROM").unwrap_or_else(|| {
            format!(
                "Gelijkgericht <noreply@{}>",
                domain::notify::mail_host(&base_url)
            )
        });
        Ok(Self {
            database_url: var("DATABASE_URL"),
            data_dir: PathBuf::from(var("GG_DATA_DIR").unwrap_or_else(|| "./data".into())),
            env,
            base_url,
            secure_cookies,
            session_idle: Duration::minutes(parsed("GG_SESSION_IDLE_MINUTES", 30i64)?),
            session_absolute: Duration::hours(parsed("GG_SESSION_ABSOLUTE_HOURS", 12i64)?),
            max_failures_per_account: parsed(
                "GG_LOGIN_MAX_FAILURES",
                ThrottlePolicy::DEFAULT.max_failures,
            )?,
            max_failures_per_ip: parsed(
                "GG_LOGIN_MAX_FAILURES_PER_IP",
                ThrottlePolicy::PER_ADDRESS.max_failures,
            )?,
            trusted_proxies: TrustedProxies::parse(&var("GG_TRUSTED_PROXIES").unwrap_or_default())
                .context("GG_TRUSTED_PROXIES")?,
            db_max_connections: parsed("GG_DB_MAX_CONNECTIONS", 10u32)
                .context("GG_DB_MAX_CONNECTIONS")?,
            mail_from,
            smtp_url: var("GG_SMTP_URL"),
            secret_key: var(KEY_VARIABLE)
                .map(|text| SecretKey::parse(&text))
                .transpose()
                .map_err(|e| anyhow::anyhow!("{KEY_VARIABLE}: {e}"))?,
        })
    }

    /// Settles the key that seals second-factor secrets before the server starts. With
    /// `DATABASE_URL` it must come from `GG_SECRET_KEY`: a key kept next to the data it protects
    /// would be decoration. In embedded mode it is the file `GG_DATA_DIR/secret.key`, created on
    /// first start.
    pub fn resolve_secret_key(&mut self) -> anyhow::Result<()> {
        if self.secret_key.is_some() {
            return Ok(());
        }
        if self.database_url.is_some() {
            bail!(
                "{KEY_VARIABLE} is not set. With DATABASE_URL the server needs a key for the second factor's secrets: 32 random bytes as hex, e.g. `openssl rand -hex 32`, kept apart from the database's backups (docs/two-factor.md)."
            );
        }
        let path = self.data_dir.join("secret.key");
        self.secret_key = Some(key_file(&path).with_context(|| format!("{}", path.display()))?);
        Ok(())
    }

    pub fn is_production(&self) -> bool {
        self.env == Env::Production
    }

    /// A configuration for tests: development, no secure cookies.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            database_url: Some(database_url.into()),
            data_dir: PathBuf::from("./data"),
            env: Env::Development,
            base_url: "http://127.0.0.1:8080".into(),
            secure_cookies: false,
            session_idle: Duration::minutes(30),
            session_absolute: Duration::hours(12),
            max_failures_per_account: ThrottlePolicy::DEFAULT.max_failures,
            max_failures_per_ip: ThrottlePolicy::PER_ADDRESS.max_failures,
            trusted_proxies: TrustedProxies::default(),
            db_max_connections: 5,
            smtp_url: None,
            mail_from: "Gelijkgericht <noreply@127.0.0.1>".into(),
            // One fixed key, as several instances of one installation share theirs.
            secret_key: Some(SecretKey::from_bytes(std::array::from_fn(|i| {
                (i as u8).wrapping_mul(37).wrapping_add(11)
            }))),
        }
    }
}

/// The embedded mode's key: read from `path`, or created there with mode 0600 when absent.
/// Created exclusively, so two instances starting at once cannot overwrite each other's key;
/// the loser reads the winner's (after it is written).
fn key_file(path: &std::path::Path) -> anyhow::Result<SecretKey> {
    use std::io::{ErrorKind, Write};
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut file) => {
            let key = SecretKey::from_bytes(rand::random());
            file.write_all(key.to_text().as_bytes())?;
            file.sync_all()?;
            tracing::info!(path = %path.display(), "created the key for second-factor secrets");
            return Ok(key);
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e.into()),
    }
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        bail!(
            "the key file may be read by others (mode {:o}); make it readable by its owner only: chmod 600",
            mode & 0o777
        );
    }
    // Another instance may have created it a moment ago and be writing it still: a text that
    // does not read as a key yet is read again for a few seconds before it counts as damaged.
    let mut last = None;
    for _ in 0..50 {
        match SecretKey::parse(&std::fs::read_to_string(path)?) {
            Ok(key) => return Ok(key),
            Err(e) => last = Some(e),
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    bail!(
        "the key file is not a key ({}). If it is empty after an interrupted first start and nobody has set up two-factor sign-in yet, delete it and start again; otherwise restore it from your backup",
        last.map(|e| e.to_string()).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_made_once_for_its_owner_and_read_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("gg-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("data").join("secret.key");
        let first = key_file(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(key_file(&path).unwrap(), first);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let refused = key_file(&path).unwrap_err().to_string();
        assert!(refused.contains("chmod 600"), "{refused}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&path, "wachtwoord\n").unwrap();
        assert!(key_file(&path).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn with_a_database_url_the_key_must_be_given() {
        let mut config = Config::for_tests("postgres://x/y");
        config.secret_key = None;
        let refused = config.resolve_secret_key().unwrap_err().to_string();
        assert!(refused.contains("GG_SECRET_KEY is not set"), "{refused}");
    }
}
