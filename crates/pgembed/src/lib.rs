//! A private PostgreSQL cluster under the application's data directory.
//!
//! With no `DATABASE_URL`, `gelijkgericht serve` runs its own PostgreSQL
//! cluster:
//!
//! * `data_dir/gelijkgericht.lock` — locked (`flock`) by the application for
//!   its whole lifetime; a second application on the same data directory gets
//!   [`EmbeddedError::AlreadyRunning`] and leaves the cluster alone;
//! * `data_dir/pg` — the cluster (`initdb` on first start, mode 0700, owned by
//!   the user the server runs as);
//! * `data_dir/run` — the Unix socket directory: the server listens on a
//!   socket there and on no TCP port at all, so nothing can clash and only the
//!   owner of the directory (and root) can connect — which is why `trust`
//!   authentication is acceptable;
//! * `data_dir/postgres.log` — the server log.
//!
//! PostgreSQL refuses to run as root. When the application runs as root, the
//! cluster is run as the unprivileged system user `postgres` (created by the
//! Debian `postgresql` package): every PostgreSQL binary is started through
//! `runuser -u postgres --`, and the cluster directory, socket directory and
//! log are owned by that user.

mod binaries;
mod cluster;
mod database;
mod error;
mod lock;
#[cfg(test)]
mod tests;
mod user;

pub use database::database_url_for;
pub use error::EmbeddedError;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::binaries::{find_bin_dir, read_cluster_version};
use crate::cluster::stop_args;
use crate::error::io_at;
use crate::lock::lock_data_dir;
use crate::user::{RUN_AS_USER, fix_ownership, is_root, lookup_user};

/// The superuser created by `initdb`, and the application's database.
const DB_USER: &str = "gelijkgericht";
const DB_NAME: &str = "gelijkgericht";
/// Only used to name the socket file (`.s.PGSQL.5432`); no TCP listener.
const PORT: u16 = 5432;
/// Where the socket path must fit (`sun_path` is 108 bytes on Linux).
const MAX_SOCKET_PATH: usize = 107;

/// A running (or paused) private PostgreSQL cluster under a data directory.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    data_dir: PathBuf,
    bin_dir: PathBuf,
    /// `Some(user)` when the binaries are run through `runuser -u user --`.
    run_as: Option<String>,
    running: AtomicBool,
    /// Held (locked) for the lifetime of this value.
    _lock: File,
}

impl EmbeddedPostgres {
    /// Locks `data_dir` (creating it), runs `initdb` on first use, starts
    /// PostgreSQL on a Unix socket inside `data_dir` and waits until it
    /// accepts connections (and the `gelijkgericht` database exists).
    pub async fn start(data_dir: &Path) -> Result<EmbeddedPostgres, EmbeddedError> {
        fs::create_dir_all(data_dir).map_err(|e| io_at(data_dir, e))?;
        let data_dir = data_dir.canonicalize().map_err(|e| io_at(data_dir, e))?;

        let lock = lock_data_dir(&data_dir)?;

        let run_as = if is_root()? {
            Some(lookup_user(RUN_AS_USER).await?)
        } else {
            None
        };

        let pg_dir = data_dir.join("pg");
        let cluster_version = read_cluster_version(&pg_dir)?;
        let bin_dir = find_bin_dir(&pg_dir, cluster_version.as_deref()).await?;

        let run_dir = data_dir.join("run");
        let socket = run_dir.join(format!(".s.PGSQL.{PORT}.lock"));
        if socket.as_os_str().len() > MAX_SOCKET_PATH {
            return Err(EmbeddedError::PathTooLong(data_dir));
        }

        let this = EmbeddedPostgres {
            data_dir,
            bin_dir,
            run_as: run_as.as_ref().map(|u| u.name.clone()),
            running: AtomicBool::new(false),
            _lock: lock,
        };
        this.prepare_dirs(run_as.as_ref()).await?;
        if cluster_version.is_none() {
            this.init_cluster(run_as.as_ref()).await?;
        }
        if let Some(user) = &run_as {
            fix_ownership(&pg_dir, user)?;
        }
        this.write_config()?;
        this.stop_orphan().await?;

        tracing::info!(data_dir = %this.data_dir.display(), bin_dir = %this.bin_dir.display(),
            run_as = ?this.run_as, "starting embedded PostgreSQL");
        this.pg_ctl_start().await?;
        // From here on, dropping `this` (on error too) stops the server.
        this.ensure_database().await?;
        Ok(this)
    }

    /// The connection URL for sqlx: the `gelijkgericht` database over the
    /// Unix socket in `data_dir/run`.
    pub fn database_url(&self) -> String {
        database_url_for(&self.data_dir)
    }

    /// Stops the cluster (`pg_ctl stop -m fast`) and waits until it is down.
    /// Idempotent. The data directory stays locked until this value is
    /// dropped.
    pub async fn stop(&mut self) -> Result<(), EmbeddedError> {
        if self.running.load(Ordering::SeqCst) {
            tracing::info!(data_dir = %self.data_dir.display(), "stopping embedded PostgreSQL");
            self.pg_ctl_stop().await?;
            self.running.store(false, Ordering::SeqCst);
        }
        Ok(())
    }

    /// The (absolute) data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The server log, `data_dir/postgres.log`.
    pub fn log_path(&self) -> PathBuf {
        self.data_dir.join("postgres.log")
    }

    /// Stops the server without releasing the data directory (for tests and
    /// operations: the database goes away under a running application).
    pub async fn pause(&self) -> Result<(), EmbeddedError> {
        self.pg_ctl_stop().await?;
        self.running.store(false, Ordering::SeqCst);
        Ok(())
    }

    /// Starts the server again after [`pause`](Self::pause).
    pub async fn resume(&self) -> Result<(), EmbeddedError> {
        self.pg_ctl_start().await
    }

    fn pg_dir(&self) -> PathBuf {
        self.data_dir.join("pg")
    }

    fn run_dir(&self) -> PathBuf {
        self.data_dir.join("run")
    }

    fn bin(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if !self.running.load(Ordering::SeqCst) {
            return;
        }
        let result = self
            .std_command(&self.bin("pg_ctl"))
            .args(stop_args(&self.pg_dir()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match result {
            Ok(status) if status.success() => {}
            Ok(status) => tracing::warn!(%status, "could not stop embedded PostgreSQL"),
            Err(e) => tracing::warn!(error = %e, "could not stop embedded PostgreSQL"),
        }
    }
}
