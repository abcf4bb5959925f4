//! What can go wrong, and the command output that explains it.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::MAX_SOCKET_PATH;

const INSTALL_HINT: &str = "apt-get install -y postgresql";

/// Everything that can go wrong while running the embedded cluster.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "no PostgreSQL server binaries found (looked for pg_ctl, initdb and postgres on PATH and \
         under /usr/lib/postgresql/*/bin); install them with `{INSTALL_HINT}` (or set DATABASE_URL \
         to use an existing PostgreSQL server)"
    )]
    BinariesNotFound,

    #[error(
        "another gelijkgericht already uses data directory {}; stop it first, or choose another \
         data directory (GG_DATA_DIR)",
        .0.display()
    )]
    AlreadyRunning(PathBuf),

    #[error("I/O error: {0}")]
    Io(#[from] io::Error),

    #[error("{what} failed:\n{output}")]
    Command { what: String, output: String },

    #[error(
        "PostgreSQL refuses to run as root and there is no system user `{0}` to run it as; \
         install PostgreSQL with `{INSTALL_HINT}` (which creates that user), or run gelijkgericht \
         as an ordinary user"
    )]
    NoRunAsUser(String),

    #[error(
        "the embedded PostgreSQL server runs as user `{user}`, which cannot reach the data \
         directory {} because it may not enter {}; choose a data directory it can reach, e.g. \
         GG_DATA_DIR=/var/lib/gelijkgericht",
        .path.display(),
        .blocked.display()
    )]
    NotAccessible {
        path: PathBuf,
        blocked: PathBuf,
        user: String,
    },

    #[error(
        "the database cluster in {} was created by PostgreSQL {cluster}, but only PostgreSQL \
         {found} binaries were found; install PostgreSQL {cluster} \
         (`apt-get install -y postgresql-{cluster}`) or upgrade the cluster with pg_upgrade",
        .dir.display()
    )]
    VersionMismatch {
        dir: PathBuf,
        cluster: String,
        found: String,
    },

    #[error(
        "the data directory path {} is too long for a Unix socket path ({MAX_SOCKET_PATH} bytes \
         at most); choose a shorter data directory (GG_DATA_DIR)",
        .0.display()
    )]
    PathTooLong(PathBuf),

    #[error(
        "{} exists but is not a PostgreSQL cluster; move it away and start again",
        .0.display()
    )]
    NotACluster(PathBuf),

    #[error("could not prepare the database: {0}")]
    Database(#[from] sqlx::Error),
}

pub(crate) fn io_at(path: &Path, e: io::Error) -> EmbeddedError {
    EmbeddedError::Io(io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

pub(crate) fn command_error(what: &str, output: &Output, log: Option<&Path>) -> EmbeddedError {
    let mut text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !stderr.trim().is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(stderr.trim());
    }
    if let Some(log) = log
        && let Ok(contents) = fs::read_to_string(log)
    {
        let lines: Vec<&str> = contents.lines().collect();
        let tail = &lines[lines.len().saturating_sub(20)..];
        if !tail.is_empty() {
            let _ = write!(
                text,
                "\n--- last lines of {} ---\n{}",
                log.display(),
                tail.join("\n")
            );
        }
    }
    EmbeddedError::Command {
        what: what.to_owned(),
        output: text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_missing_binaries_name_the_package() {
        assert!(
            EmbeddedError::BinariesNotFound
                .to_string()
                .contains("apt-get install -y postgresql")
        );
    }
}
