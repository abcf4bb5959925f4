//! The application's database in the cluster and the URL to reach it; the crate's only SQL.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use sqlx::Connection as _;

use crate::{DB_NAME, DB_USER, EmbeddedError, EmbeddedPostgres, PORT};

impl EmbeddedPostgres {
    /// Creates the `gelijkgericht` database if it does not exist yet.
    pub(crate) async fn ensure_database(&self) -> Result<(), EmbeddedError> {
        let url = format!(
            "postgres:///postgres?host={}&port={PORT}&user={DB_USER}&sslmode=disable",
            percent_encode(&self.run_dir().to_string_lossy())
        );
        // pg_ctl -w has waited for the server; still, allow a little slack.
        let mut attempt = 0;
        let mut conn = loop {
            match sqlx::PgConnection::connect(&url).await {
                Ok(conn) => break conn,
                Err(e) if attempt < 20 => {
                    tracing::debug!(error = %e, "embedded PostgreSQL not ready yet");
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => return Err(e.into()),
            }
        };
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(DB_NAME)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            tracing::info!("creating database {DB_NAME}");
            sqlx::raw_sql("CREATE DATABASE gelijkgericht")
                .execute(&mut conn)
                .await?;
        }
        conn.close().await?;
        Ok(())
    }
}

/// The connection URL of the cluster under `data_dir` (absolute), whichever process runs it:
/// command-line tools use it to reach the cluster of a running server.
pub fn database_url_for(data_dir: &Path) -> String {
    format!(
        "postgres:///{DB_NAME}?host={}&port={PORT}&user={DB_USER}&sslmode=disable",
        percent_encode(&data_dir.join("run").to_string_lossy())
    )
}

/// Percent-encodes everything but unreserved characters and `/`, for a
/// query-string value.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding() {
        assert_eq!(percent_encode("/tmp/a b&c"), "/tmp/a%20b%26c");
    }
}
