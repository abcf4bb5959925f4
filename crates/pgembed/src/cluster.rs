//! The cluster on disk and its server: directories, `initdb`, configuration, `pg_ctl`.

use std::ffi::OsStr;
use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::Ordering;

use crate::error::{command_error, io_at};
use crate::user::{User, chown};
use crate::{DB_USER, EmbeddedError, EmbeddedPostgres, PORT};

impl EmbeddedPostgres {
    /// Creates the socket directory and the log file, and checks that the
    /// server's user can reach them.
    pub(crate) async fn prepare_dirs(&self, run_as: Option<&User>) -> Result<(), EmbeddedError> {
        let run_dir = self.run_dir();
        if !run_dir.is_dir() {
            fs::DirBuilder::new()
                .mode(0o700)
                .create(&run_dir)
                .map_err(|e| io_at(&run_dir, e))?;
        }
        fs::set_permissions(&run_dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| io_at(&run_dir, e))?;

        let log = self.log_path();
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(|e| io_at(&log, e))?;
        fs::set_permissions(&log, fs::Permissions::from_mode(0o640)).map_err(|e| io_at(&log, e))?;

        let Some(user) = run_as else {
            return Ok(());
        };
        chown(&run_dir, user)?;
        chown(&log, user)?;

        // The server's user must be able to enter the data directory. It is
        // ours: let it through (enter only, not list) if it may not.
        let meta = fs::metadata(&self.data_dir).map_err(|e| io_at(&self.data_dir, e))?;
        let mode = meta.permissions().mode();
        if mode & 0o001 == 0 && meta.uid() != user.uid {
            tracing::info!(data_dir = %self.data_dir.display(),
                "letting user {} enter the data directory (chmod o+x)", user.name);
            fs::set_permissions(&self.data_dir, fs::Permissions::from_mode(mode | 0o001))
                .map_err(|e| io_at(&self.data_dir, e))?;
        }

        if !self.user_can_enter(&run_dir).await? {
            // Name the first directory on the way that keeps it out.
            let mut blocked = run_dir.clone();
            for dir in run_dir.ancestors().collect::<Vec<_>>().into_iter().rev() {
                if !self.user_can_enter(dir).await? {
                    blocked = dir.to_path_buf();
                    break;
                }
            }
            return Err(EmbeddedError::NotAccessible {
                path: self.data_dir.clone(),
                blocked,
                user: user.name.clone(),
            });
        }
        Ok(())
    }

    /// `initdb` into `pg.init`, then rename it to `pg`, so that a crash
    /// halfway never leaves a half-made cluster behind.
    pub(crate) async fn init_cluster(&self, run_as: Option<&User>) -> Result<(), EmbeddedError> {
        let pg_dir = self.pg_dir();
        if pg_dir.exists() {
            let empty = fs::read_dir(&pg_dir)
                .map_err(|e| io_at(&pg_dir, e))?
                .next()
                .is_none();
            if !empty {
                return Err(EmbeddedError::NotACluster(pg_dir));
            }
            fs::remove_dir(&pg_dir).map_err(|e| io_at(&pg_dir, e))?;
        }
        let tmp = self.data_dir.join("pg.init");
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(|e| io_at(&tmp, e))?;
        }

        tracing::info!(dir = %pg_dir.display(), "creating PostgreSQL cluster (initdb)");
        let mut last = None;
        for locale in ["C.UTF-8", "C"] {
            // The server's user creates nothing in data_dir itself: make the
            // (empty) cluster directory for it.
            fs::DirBuilder::new()
                .mode(0o700)
                .create(&tmp)
                .map_err(|e| io_at(&tmp, e))?;
            if let Some(user) = run_as {
                chown(&tmp, user)?;
            }
            let output = self
                .command(&self.bin("initdb"))
                .arg("-D")
                .arg(&tmp)
                .arg("--auth=trust")
                .arg(format!("--username={DB_USER}"))
                .arg("--encoding=UTF8")
                .arg(format!("--locale={locale}"))
                .output()
                .await?;
            if output.status.success() {
                last = None;
                break;
            }
            tracing::warn!(locale, "initdb failed; retrying with another locale if any");
            last = Some(output);
            fs::remove_dir_all(&tmp).map_err(|e| io_at(&tmp, e))?;
        }
        if let Some(output) = last {
            return Err(command_error("initdb", &output, None));
        }

        let conf = tmp.join("postgresql.conf");
        let mut file = OpenOptions::new()
            .append(true)
            .open(&conf)
            .map_err(|e| io_at(&conf, e))?;
        writeln!(
            file,
            "\n# Added by gelijkgericht: socket-only settings, rewritten at every start.\n{INCLUDE_LINE}"
        )
        .map_err(|e| io_at(&conf, e))?;
        drop(file);

        fs::rename(&tmp, &pg_dir).map_err(|e| io_at(&pg_dir, e))?;
        Ok(())
    }

    /// (Re)writes `pg/gelijkgericht.conf`: no TCP, socket in `data_dir/run`.
    pub(crate) fn write_config(&self) -> Result<(), EmbeddedError> {
        let pg_dir = self.pg_dir();
        let conf = pg_dir.join("postgresql.conf");
        let text = fs::read_to_string(&conf).map_err(|e| io_at(&conf, e))?;
        if !text.lines().any(|l| l.trim() == INCLUDE_LINE) {
            let mut file = OpenOptions::new()
                .append(true)
                .open(&conf)
                .map_err(|e| io_at(&conf, e))?;
            writeln!(file, "\n{INCLUDE_LINE}").map_err(|e| io_at(&conf, e))?;
        }

        let path = pg_dir.join("gelijkgericht.conf");
        let run_dir = self.run_dir();
        let contents = format!(
            "# Written by gelijkgericht at every start; changes here are lost.\n\
             listen_addresses = ''\n\
             port = {PORT}\n\
             unix_socket_directories = {}\n\
             unix_socket_permissions = 0700\n",
            conf_string(&run_dir.to_string_lossy())
        );
        fs::write(&path, contents).map_err(|e| io_at(&path, e))?;
        if self.run_as.is_some() {
            // Same owner as the rest of the cluster.
            let meta = fs::metadata(&pg_dir).map_err(|e| io_at(&pg_dir, e))?;
            std::os::unix::fs::chown(&path, Some(meta.uid()), Some(meta.gid()))
                .map_err(|e| io_at(&path, e))?;
        }
        Ok(())
    }

    /// Our lock was free, so no application owns the cluster; a server still
    /// running there is an orphan of an application that was killed. Stop it
    /// so that it is started with the current settings.
    pub(crate) async fn stop_orphan(&self) -> Result<(), EmbeddedError> {
        if !self.pg_dir().join("postmaster.pid").exists() {
            return Ok(());
        }
        let status = self
            .command(&self.bin("pg_ctl"))
            .arg("status")
            .arg("-D")
            .arg(self.pg_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await?;
        if status.success() {
            tracing::warn!(data_dir = %self.data_dir.display(),
                "stopping a PostgreSQL server left running by an earlier gelijkgericht");
            self.pg_ctl_stop().await?;
        }
        Ok(())
    }

    pub(crate) async fn pg_ctl_start(&self) -> Result<(), EmbeddedError> {
        let output = self
            .command(&self.bin("pg_ctl"))
            .arg("start")
            .arg("-D")
            .arg(self.pg_dir())
            .arg("-l")
            .arg(self.log_path())
            .args(["-w", "-t", "60"])
            .output()
            .await?;
        if !output.status.success() {
            return Err(command_error(
                "starting PostgreSQL (pg_ctl start)",
                &output,
                Some(&self.log_path()),
            ));
        }
        self.running.store(true, Ordering::SeqCst);
        Ok(())
    }

    pub(crate) async fn pg_ctl_stop(&self) -> Result<(), EmbeddedError> {
        let output = self
            .command(&self.bin("pg_ctl"))
            .args(stop_args(&self.pg_dir()))
            .output()
            .await?;
        if output.status.success() {
            return Ok(());
        }
        // Not running at all (killed, or never started) counts as stopped.
        let status = self
            .command(&self.bin("pg_ctl"))
            .arg("status")
            .arg("-D")
            .arg(self.pg_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await?;
        if status.code() == Some(3) {
            return Ok(());
        }
        Err(command_error(
            "stopping PostgreSQL (pg_ctl stop)",
            &output,
            Some(&self.log_path()),
        ))
    }
}

const INCLUDE_LINE: &str = "include_if_exists = 'gelijkgericht.conf'";

pub(crate) fn stop_args(pg_dir: &Path) -> Vec<&OsStr> {
    vec![
        OsStr::new("stop"),
        OsStr::new("-D"),
        pg_dir.as_os_str(),
        OsStr::new("-m"),
        OsStr::new("fast"),
        OsStr::new("-w"),
        OsStr::new("-t"),
        OsStr::new("60"),
    ]
}

/// A string literal for postgresql.conf.
fn conf_string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conf_strings() {
        assert_eq!(conf_string("/it's"), "'/it''s'");
    }
}
