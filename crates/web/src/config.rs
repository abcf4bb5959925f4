//! Typed configuration from environment variables (`GG_` prefix, plus `DATABASE_URL`).
//! Every variable is documented in the README.

use anyhow::{Context, bail};
use domain::account::ThrottlePolicy;
use domain::account::client::TrustedProxies;
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
        })
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
        }
    }
}
