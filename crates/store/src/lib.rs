//! Gelijkgericht's persistence: every SQL statement of the application lives in this crate.
//!
//! Functions that change data take a `&mut PgConnection` inside a transaction opened by the
//! caller through [`Store::begin`], and write the audit entry through [`audit::record`] in that same
//! transaction.

pub mod accounts;
pub mod agenda;
pub mod agreements;
pub mod announcement;
pub mod attachments;
pub mod audit;
pub mod bodies;
pub mod budget;
pub mod calendar;
pub mod codes;
pub mod decisions;
pub mod error;
pub mod follow_ups;
pub mod live;
pub mod meetings;
pub mod minutes;
pub mod monitor;
pub mod outbox;
pub mod people;
pub mod production;
pub mod selfassessment;
pub mod settings;
pub mod twofactor;
pub mod vakgroepen;
pub(crate) mod versioned;

pub use domain;
pub use error::{Invalid, StoreError};
pub use sqlx::PgConnection;
pub use sqlx::PgPool;

use sqlx::postgres::PgPoolOptions;
use std::time::Duration;

pub type Tx = sqlx::Transaction<'static, sqlx::Postgres>;

/// The migrations in the workspace's `migrations/` folder, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: PgPool,
}

impl Store {
    /// Connects lazily: the app starts (and answers `/health`) even while the database is still
    /// coming up, and reconnects by itself when it returns.
    pub fn connect_lazy(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(3))
            .idle_timeout(Duration::from_secs(300))
            .connect_lazy(url)?;
        Ok(Self { pool })
    }

    pub fn from_pool(pool: PgPool) -> Self {
        Self { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Other(e.to_string()))
    }

    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(self.pool.begin().await?)
    }

    /// Whether the database answers, for `/ready`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// Commits a transaction opened with [`Store::begin`].
pub async fn commit(tx: Tx) -> Result<(), StoreError> {
    Ok(tx.commit().await?)
}
