//! Agreements (product.md B1). The meetings module creates actions (kind `actie`) here; the
//! agreements register builds on the same table.

use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use serde::Serialize;
use time::{Date, OffsetDateTime};

#[derive(Debug, Clone, Serialize)]
pub struct ActionInput {
    pub title: String,
    pub description: String,
    pub owner_id: Option<i64>,
    pub due_date: Option<Date>,
    pub visibility_body_id: Option<i64>,
    pub origin_meeting_id: i64,
    pub origin_item_id: Option<i64>,
    pub origin_decision_id: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Agreement {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub due_date: Option<Date>,
    pub visibility_body_id: Option<i64>,
    pub origin_meeting_id: Option<i64>,
    pub origin_item_id: Option<i64>,
    pub frozen_at: Option<OffsetDateTime>,
    pub version: i32,
}

pub async fn create_action(
    conn: &mut PgConnection,
    who: &Who,
    input: &ActionInput,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agreement (kind, title, description, status, owner_id, due_date, visibility_body_id,
                                origin_meeting_id, origin_item_id, origin_decision_id)
         VALUES ('actie', $1, $2, 'vastgesteld', $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&input.title)
    .bind(&input.description)
    .bind(input.owner_id)
    .bind(input.due_date)
    .bind(input.visibility_body_id)
    .bind(input.origin_meeting_id)
    .bind(input.origin_item_id)
    .bind(input.origin_decision_id)
    .fetch_one(&mut *conn)
    .await?;
    crate::live::notify(conn, input.origin_meeting_id.into()).await?;
    audit::record(
        conn,
        who,
        Change::new("agreement", id, "create").after(input),
    )
    .await?;
    Ok(id)
}

/// The agreements that came out of a meeting, in one query.
pub async fn for_meeting(store: &Store, meeting_id: i64) -> Result<Vec<Agreement>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.kind, a.title, a.description, a.status, a.owner_id, p.name AS owner_name, a.due_date,
                a.visibility_body_id, a.origin_meeting_id, a.origin_item_id, a.frozen_at, a.version
         FROM agreement a LEFT JOIN person p ON p.id = a.owner_id
         WHERE a.origin_meeting_id = $1 ORDER BY a.origin_item_id, a.id",
    )
    .bind(meeting_id)
    .fetch_all(store.pool())
    .await?)
}

/// A later change to a frozen agreement, kept beside it (A6).
pub async fn add_addendum(
    conn: &mut PgConnection,
    who: &Who,
    agreement_id: i64,
    text: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO agreement_addendum (agreement_id, text, author_id) VALUES ($1, $2, $3)",
    )
    .bind(agreement_id)
    .bind(text)
    .bind(who.id)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        who,
        Change::new("agreement", agreement_id, "addendum").after(text),
    )
    .await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Addendum {
    pub agreement_id: i64,
    pub text: String,
    pub author: Option<String>,
    pub created_at: OffsetDateTime,
}

/// The addenda to the agreements of a meeting, oldest first, in one query.
pub async fn addenda_for_meeting(
    store: &Store,
    meeting_id: i64,
) -> Result<Vec<Addendum>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT d.agreement_id, d.text, p.name AS author, d.created_at
         FROM agreement_addendum d JOIN agreement a ON a.id = d.agreement_id
         LEFT JOIN person p ON p.id = d.author_id
         WHERE a.origin_meeting_id = $1 ORDER BY d.created_at, d.id",
    )
    .bind(meeting_id)
    .fetch_all(store.pool())
    .await?)
}

pub async fn get(store: &Store, id: i64) -> Result<Agreement, StoreError> {
    sqlx::query_as(
        "SELECT a.id, a.kind, a.title, a.description, a.status, a.owner_id, p.name AS owner_name, a.due_date,
                a.visibility_body_id, a.origin_meeting_id, a.origin_item_id, a.frozen_at, a.version
         FROM agreement a LEFT JOIN person p ON p.id = a.owner_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)
}
