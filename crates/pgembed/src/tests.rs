//! The cluster's life: start, second application, stop, restart, pause, orphan.

use super::*;
use sqlx::Connection as _;
use std::os::unix::fs::PermissionsExt;

/// A unique directory under the system temp dir (never under /root, which
/// the `postgres` user cannot enter), removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("gg-emb-{tag}-{}-{nanos}", std::process::id()));
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
