//! Hospital-wide settings as key/value pairs.

use crate::{PgConnection, Store, StoreError};

pub const HOSPITAL_NAME: &str = "hospital_name";

pub async fn get(store: &Store, key: &str) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT value FROM setting WHERE key = $1")
            .bind(key)
            .fetch_optional(store.pool())
            .await?,
    )
}

pub async fn put(conn: &mut PgConnection, key: &str, value: &str) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")
        .bind(key)
        .bind(value)
        .execute(conn)
        .await?;
    Ok(())
}
