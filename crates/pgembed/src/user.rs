//! Running the cluster as the unprivileged `postgres` user when the application runs as root:
//! PostgreSQL refuses to run as root.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::error::io_at;
use crate::{EmbeddedError, EmbeddedPostgres};

/// The user that runs the cluster when the application runs as root.
pub(crate) const RUN_AS_USER: &str = "postgres";

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) name: String,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
}

impl EmbeddedPostgres {
    /// A command running `program` as the cluster's user.
    pub(crate) fn command(&self, program: &Path) -> tokio::process::Command {
        tokio::process::Command::from(self.std_command(program))
    }

    pub(crate) fn std_command(&self, program: &Path) -> std::process::Command {
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut cmd = std::process::Command::new(runuser());
                cmd.arg("-u").arg(user).arg("--").arg(program);
                cmd
            }
            None => std::process::Command::new(program),
        };
        // The user the server runs as may not be able to enter our cwd.
        cmd.current_dir("/")
            .stdin(Stdio::null())
            .env_remove("PGDATA")
            .env_remove("PGHOST")
            .env_remove("PGPORT");
        cmd
    }

    pub(crate) async fn user_can_enter(&self, dir: &Path) -> Result<bool, EmbeddedError> {
        let status = self
            .command(Path::new("test"))
            .arg("-x")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await?;
        Ok(status.success())
    }
}

/// Whether this process runs with effective uid 0 (from /proc, no libc).
pub(crate) fn is_root() -> Result<bool, EmbeddedError> {
    let status = fs::read_to_string("/proc/self/status")
        .map_err(|e| io_at(Path::new("/proc/self/status"), e))?;
    Ok(parse_effective_uid(&status) == Some(0))
}

fn parse_effective_uid(status: &str) -> Option<u32> {
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    // Uid: real effective saved filesystem
    line.split_whitespace().nth(2)?.parse().ok()
}

pub(crate) async fn lookup_user(name: &str) -> Result<User, EmbeddedError> {
    let id = |flag: &'static str| {
        let name = name.to_owned();
        async move {
            let output = tokio::process::Command::new("id")
                .arg(flag)
                .arg(&name)
                .stdin(Stdio::null())
                .output()
                .await?;
            if !output.status.success() {
                return Err(EmbeddedError::NoRunAsUser(name));
            }
            String::from_utf8_lossy(&output.stdout)
                .trim()
                .parse::<u32>()
                .map_err(|_| EmbeddedError::NoRunAsUser(name))
        }
    };
    let uid = id("-u").await?;
    let gid = id("-g").await?;
    if uid == 0 {
        return Err(EmbeddedError::NoRunAsUser(name.to_owned()));
    }
    Ok(User {
        name: name.to_owned(),
        uid,
        gid,
    })
}

fn runuser() -> PathBuf {
    for candidate in ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"] {
        if Path::new(candidate).is_file() {
            return PathBuf::from(candidate);
        }
    }
    PathBuf::from("runuser")
}

pub(crate) fn chown(path: &Path, user: &User) -> Result<(), EmbeddedError> {
    std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid)).map_err(|e| io_at(path, e))
}

/// Makes the cluster directory (recursively, if needed) owned by `user`, e.g.
/// when the cluster was created by an ordinary user and the application now
/// runs as root.
pub(crate) fn fix_ownership(pg_dir: &Path, user: &User) -> Result<(), EmbeddedError> {
    let meta = fs::metadata(pg_dir).map_err(|e| io_at(pg_dir, e))?;
    if meta.uid() == user.uid {
        return Ok(());
    }
    tracing::info!(dir = %pg_dir.display(), "handing the cluster to user {}", user.name);
    fn walk(path: &Path, user: &User) -> Result<(), EmbeddedError> {
        let meta = fs::symlink_metadata(path).map_err(|e| io_at(path, e))?;
        std::os::unix::fs::lchown(path, Some(user.uid), Some(user.gid))
            .map_err(|e| io_at(path, e))?;
        if meta.is_dir() {
            for entry in fs::read_dir(path).map_err(|e| io_at(path, e))? {
                walk(&entry.map_err(|e| io_at(path, e))?.path(), user)?;
            }
        }
        Ok(())
    }
    walk(pg_dir, user)?;
    fs::set_permissions(pg_dir, fs::Permissions::from_mode(0o700)).map_err(|e| io_at(pg_dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_uid() {
        assert_eq!(
            parse_effective_uid("Name:\tx\nUid:\t1000\t0\t0\t0\n"),
            Some(0)
        );
    }
}
