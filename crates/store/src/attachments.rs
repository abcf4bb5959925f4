//! Attachments of agenda items (product.md A2), kept in PostgreSQL with their SHA-256.
//!
//! Lists and checks read metadata only; the bytes are fetched by [`data`] for the one download
//! that needs them, so a meeting page never pulls megabytes of files through the pool.

use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use domain::ids::{ItemId, MeetingId};
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// What is known about an attachment without its bytes; also what the audit trail records.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Attachment {
    pub id: i64,
    #[sqlx(try_from = "i64")]
    pub item_id: ItemId,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i32,
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub uploaded_at: OffsetDateTime,
}

async fn get_on(conn: &mut PgConnection, id: i64) -> Result<Attachment, StoreError> {
    sqlx::query_as(
        "SELECT a.id, a.item_id, a.filename, a.content_type, a.size_bytes, a.sha256, a.uploaded_by, a.uploaded_at
         FROM attachment a WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)
}

/// Stores a file on an item. The caller has checked its kind and size and cleaned its name;
/// the hash is computed here so it always matches the stored bytes.
pub async fn add(
    conn: &mut PgConnection,
    who: &Who,
    item_id: ItemId,
    filename: &str,
    content_type: &str,
    data: &[u8],
) -> Result<i64, StoreError> {
    let size =
        i32::try_from(data.len()).map_err(|_| StoreError::Other("attachment too large".into()))?;
    let sha256 = hex::encode(Sha256::digest(data));
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO attachment (item_id, filename, content_type, size_bytes, sha256, data, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(item_id.get())
    .bind(filename)
    .bind(content_type)
    .bind(size)
    .bind(&sha256)
    .bind(data)
    .bind(who.id)
    .fetch_one(&mut *conn)
    .await?;
    crate::live::notify_items(conn, &[item_id]).await?;
    let after = get_on(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("attachment", id, "create").after(&after),
    )
    .await?;
    Ok(id)
}

/// The attachments of every item of a meeting, in one query, by item and upload order. The
/// caller shows only those of items the person may see.
pub async fn for_meeting(
    store: &Store,
    meeting_id: MeetingId,
) -> Result<Vec<Attachment>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.item_id, a.filename, a.content_type, a.size_bytes, a.sha256, a.uploaded_by, a.uploaded_at
         FROM attachment a JOIN agenda_item i ON i.id = a.item_id
         WHERE i.meeting_id = $1 ORDER BY a.item_id, a.uploaded_at, a.id",
    )
    .bind(meeting_id.get())
    .fetch_all(store.pool())
    .await?)
}

pub async fn get(store: &Store, id: i64) -> Result<Attachment, StoreError> {
    let mut conn = store.pool().acquire().await?;
    get_on(&mut conn, id).await
}

/// The stored bytes; ask only after the person's access to the item has been checked.
pub async fn data(store: &Store, id: i64) -> Result<Vec<u8>, StoreError> {
    sqlx::query_scalar("SELECT data FROM attachment WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn delete(conn: &mut PgConnection, who: &Who, id: i64) -> Result<(), StoreError> {
    let before = get_on(conn, id).await?;
    sqlx::query("DELETE FROM attachment WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    crate::live::notify_items(conn, &[before.item_id]).await?;
    audit::record(
        conn,
        who,
        Change::new("attachment", id, "delete").before(&before),
    )
    .await?;
    Ok(())
}
