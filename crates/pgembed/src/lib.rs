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

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::Connection as _;

/// The user that runs the cluster when the application runs as root.
const RUN_AS_USER: &str = "postgres";
/// The superuser created by `initdb`, and the application's database.
const DB_USER: &str = "gelijkgericht";
const DB_NAME: &str = "gelijkgericht";
/// Only used to name the socket file (`.s.PGSQL.5432`); no TCP listener.
const PORT: u16 = 5432;
const INSTALL_HINT: &str = "apt-get install -y postgresql";
/// Where the socket path must fit (`sun_path` is 108 bytes on Linux).
const MAX_SOCKET_PATH: usize = 107;

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

    // ----------------------------------------------------------------------

    fn pg_dir(&self) -> PathBuf {
        self.data_dir.join("pg")
    }

    fn run_dir(&self) -> PathBuf {
        self.data_dir.join("run")
    }

    fn bin(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }

    /// A command running `program` as the cluster's user.
    fn command(&self, program: &Path) -> tokio::process::Command {
        tokio::process::Command::from(self.std_command(program))
    }

    fn std_command(&self, program: &Path) -> std::process::Command {
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

    /// Creates the socket directory and the log file, and checks that the
    /// server's user can reach them.
    async fn prepare_dirs(&self, run_as: Option<&User>) -> Result<(), EmbeddedError> {
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

    async fn user_can_enter(&self, dir: &Path) -> Result<bool, EmbeddedError> {
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

    /// `initdb` into `pg.init`, then rename it to `pg`, so that a crash
    /// halfway never leaves a half-made cluster behind.
    async fn init_cluster(&self, run_as: Option<&User>) -> Result<(), EmbeddedError> {
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
    fn write_config(&self) -> Result<(), EmbeddedError> {
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
    async fn stop_orphan(&self) -> Result<(), EmbeddedError> {
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

    async fn pg_ctl_start(&self) -> Result<(), EmbeddedError> {
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

    async fn pg_ctl_stop(&self) -> Result<(), EmbeddedError> {
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

    /// Creates the `gelijkgericht` database if it does not exist yet.
    async fn ensure_database(&self) -> Result<(), EmbeddedError> {
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

const INCLUDE_LINE: &str = "include_if_exists = 'gelijkgericht.conf'";

fn stop_args(pg_dir: &Path) -> Vec<&OsStr> {
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

#[derive(Debug, Clone)]
struct User {
    name: String,
    uid: u32,
    gid: u32,
}

/// Opens and locks `data_dir/gelijkgericht.lock`.
fn lock_data_dir(data_dir: &Path) -> Result<File, EmbeddedError> {
    let path = data_dir.join("gelijkgericht.lock");
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| io_at(&path, e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            return Err(EmbeddedError::AlreadyRunning(data_dir.to_path_buf()));
        }
        Err(fs::TryLockError::Error(e)) => return Err(io_at(&path, e)),
    }
    // For people wondering who holds it.
    file.set_len(0).map_err(|e| io_at(&path, e))?;
    writeln!(file, "{}", std::process::id()).map_err(|e| io_at(&path, e))?;
    Ok(file)
}

/// Whether this process runs with effective uid 0 (from /proc, no libc).
fn is_root() -> Result<bool, EmbeddedError> {
    let status = fs::read_to_string("/proc/self/status")
        .map_err(|e| io_at(Path::new("/proc/self/status"), e))?;
    Ok(parse_effective_uid(&status) == Some(0))
}

fn parse_effective_uid(status: &str) -> Option<u32> {
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    // Uid: real effective saved filesystem
    line.split_whitespace().nth(2)?.parse().ok()
}

async fn lookup_user(name: &str) -> Result<User, EmbeddedError> {
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

fn chown(path: &Path, user: &User) -> Result<(), EmbeddedError> {
    std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid)).map_err(|e| io_at(path, e))
}

/// Makes the cluster directory (recursively, if needed) owned by `user`, e.g.
/// when the cluster was created by an ordinary user and the application now
/// runs as root.
fn fix_ownership(pg_dir: &Path, user: &User) -> Result<(), EmbeddedError> {
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

/// The major version of an existing cluster (`pg/PG_VERSION`), if any.
fn read_cluster_version(pg_dir: &Path) -> Result<Option<String>, EmbeddedError> {
    let path = pg_dir.join("PG_VERSION");
    match fs::read_to_string(&path) {
        Ok(v) => Ok(Some(v.trim().to_owned())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_at(&path, e)),
    }
}

fn has_server_binaries(dir: &Path) -> bool {
    ["pg_ctl", "initdb", "postgres"]
        .iter()
        .all(|b| dir.join(b).is_file())
}

/// Directories holding PostgreSQL server binaries: those on PATH first, then
/// `/usr/lib/postgresql/*/bin`, highest version first.
fn candidate_bin_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.is_absolute() && has_server_binaries(d))
        .collect();
    let mut versioned: Vec<(Vec<u32>, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = version_key(&entry.file_name().to_string_lossy())?;
            let bin = entry.path().join("bin");
            has_server_binaries(&bin).then_some((version, bin))
        })
        .collect();
    versioned.sort_by(|a, b| b.0.cmp(&a.0));
    for (_, dir) in versioned {
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    dirs
}

/// "15" → [15], "9.6" → [9, 6]; None for anything else.
fn version_key(s: &str) -> Option<Vec<u32>> {
    s.split('.').map(|p| p.parse().ok()).collect()
}

/// Major version as PG_VERSION spells it ("15", "9.6"), from
/// `postgres --version` ("postgres (PostgreSQL) 15.14 (Debian ...)").
fn parse_server_version(output: &str) -> Option<String> {
    let rest = output.split("(PostgreSQL)").nth(1)?;
    let full = rest.split_whitespace().next()?;
    let parts: Vec<&str> = full
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let major: u32 = parts.first()?.parse().ok()?;
    if major >= 10 {
        Some(major.to_string())
    } else {
        Some(format!("{major}.{}", parts.get(1)?))
    }
}

async fn bin_version(dir: &Path) -> Option<String> {
    let output = tokio::process::Command::new(dir.join("postgres"))
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .await
        .ok()?;
    parse_server_version(&String::from_utf8_lossy(&output.stdout))
}

/// Picks the binaries: for an existing cluster, those of its version.
async fn find_bin_dir(pg_dir: &Path, cluster: Option<&str>) -> Result<PathBuf, EmbeddedError> {
    let candidates = candidate_bin_dirs();
    let Some(cluster) = cluster else {
        return candidates
            .into_iter()
            .next()
            .ok_or(EmbeddedError::BinariesNotFound);
    };
    if candidates.is_empty() {
        return Err(EmbeddedError::BinariesNotFound);
    }
    let mut found = Vec::new();
    for dir in candidates {
        match bin_version(&dir).await {
            Some(v) if v == cluster => return Ok(dir),
            Some(v) => found.push(v),
            None => {}
        }
    }
    found.dedup();
    Err(EmbeddedError::VersionMismatch {
        dir: pg_dir.to_path_buf(),
        cluster: cluster.to_owned(),
        found: if found.is_empty() {
            "unknown-version".to_owned()
        } else {
            found.join(", ")
        },
    })
}

/// Percent-encodes everything but unreserved characters and `/`, for a
/// query-string value.
/// The connection URL of the cluster under `data_dir` (absolute), whichever process runs it:
/// command-line tools use it to reach the cluster of a running server.
pub fn database_url_for(data_dir: &Path) -> String {
    format!(
        "postgres:///{DB_NAME}?host={}&port={PORT}&user={DB_USER}&sslmode=disable",
        percent_encode(&data_dir.join("run").to_string_lossy())
    )
}

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

/// A string literal for postgresql.conf.
fn conf_string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

fn io_at(path: &Path, e: io::Error) -> EmbeddedError {
    EmbeddedError::Io(io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

fn command_error(what: &str, output: &Output, log: Option<&Path>) -> EmbeddedError {
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

    /// A unique directory under the system temp dir (never under /root, which
    /// the `postgres` user cannot enter), removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> TempDir {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let dir =
                std::env::temp_dir().join(format!("gg-emb-{tag}-{}-{nanos}", std::process::id()));
            fs::create_dir_all(&dir).expect("create temp dir");
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod temp dir");
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    async fn one(url: &str) -> Result<i32, sqlx::Error> {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let v: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&mut conn).await?;
        conn.close().await?;
        Ok(v)
    }

    #[tokio::test]
    async fn embedded_lifecycle() {
        let tmp = TempDir::new("life");
        let data = tmp.0.join("data");

        let mut pg = EmbeddedPostgres::start(&data).await.expect("first start");
        assert!(pg.data_dir().is_absolute());
        assert!(pg.data_dir().join("pg/PG_VERSION").is_file());
        let url = pg.database_url();

        let pool = sqlx::PgPool::connect(&url).await.expect("connect");
        let v: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(v, 1);
        let db: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(db, DB_NAME);
        sqlx::raw_sql("CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)")
            .execute(&pool)
            .await
            .unwrap();

        // A second application on the same directory stays away.
        match EmbeddedPostgres::start(&data).await {
            Err(EmbeddedError::AlreadyRunning(dir)) => {
                assert_eq!(dir, pg.data_dir());
                let msg = EmbeddedError::AlreadyRunning(dir).to_string();
                assert!(msg.contains("another gelijkgericht already uses data directory"));
            }
            other => panic!("expected AlreadyRunning, got {other:?}"),
        }
        // ... and did not disturb the running cluster.
        let v: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(v, 1);
        pool.close().await;

        pg.stop().await.expect("stop");
        pg.stop().await.expect("stop is idempotent");
        assert!(one(&url).await.is_err(), "server should be down");
        drop(pg);

        let mut pg = EmbeddedPostgres::start(&data).await.expect("second start");
        assert_eq!(pg.database_url(), url);
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        let kept: i32 = sqlx::query_scalar("SELECT id FROM kept")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(kept, 42);
        conn.close().await.unwrap();
        pg.stop().await.unwrap();
    }

    #[tokio::test]
    async fn embedded_pause_resume_and_drop() {
        let tmp = TempDir::new("pause");
        let data = tmp.0.join("d");

        let pg = EmbeddedPostgres::start(&data).await.expect("start");
        let url = pg.database_url();
        assert_eq!(one(&url).await.unwrap(), 1);

        pg.pause().await.expect("pause");
        assert!(one(&url).await.is_err(), "query should fail while paused");
        pg.resume().await.expect("resume");
        assert_eq!(one(&url).await.unwrap(), 1);

        // Dropping stops the server (and frees the directory).
        drop(pg);
        assert!(one(&url).await.is_err(), "server should be down after drop");

        // A killed application leaves an orphaned server behind (and its lock
        // released): the next start takes it over.
        let mut pg = EmbeddedPostgres::start(&data).await.expect("restart");
        let lock = std::mem::replace(&mut pg._lock, File::open("/dev/null").unwrap());
        drop(lock);
        pg.running.store(false, Ordering::SeqCst);
        drop(pg); // like SIGKILL: the server keeps running
        assert_eq!(one(&url).await.unwrap(), 1, "orphan still running");

        let mut pg = EmbeddedPostgres::start(&data)
            .await
            .expect("start over orphan");
        assert_eq!(one(&url).await.unwrap(), 1);
        pg.stop().await.unwrap();
        assert!(one(&url).await.is_err());
    }

    #[test]
    fn helpers() {
        assert_eq!(
            parse_effective_uid("Name:\tx\nUid:\t1000\t0\t0\t0\n"),
            Some(0)
        );
        assert_eq!(
            parse_server_version("postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)\n"),
            Some("15".to_owned())
        );
        assert_eq!(
            parse_server_version("postgres (PostgreSQL) 9.6.24\n"),
            Some("9.6".to_owned())
        );
        assert_eq!(
            parse_server_version("postgres (PostgreSQL) 17beta1\n"),
            Some("17".to_owned())
        );
        assert_eq!(version_key("16"), Some(vec![16]));
        assert_eq!(version_key("9.6"), Some(vec![9, 6]));
        assert_eq!(version_key("common"), None);
        assert_eq!(percent_encode("/tmp/a b&c"), "/tmp/a%20b%26c");
        assert_eq!(conf_string("/it's"), "'/it''s'");
        assert!(
            EmbeddedError::BinariesNotFound
                .to_string()
                .contains("apt-get install -y postgresql")
        );
    }
}
