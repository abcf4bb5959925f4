//! Agenda items of a meeting: content, order, deciding bodies and visibility (product.md A2).

use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ItemInput {
    pub parent_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub presenter: String,
    pub planned_minutes: i32,
    pub purpose: String,
    pub subject: String,
    /// `None`: gezamenlijk.
    pub visibility_body_id: Option<i64>,
    pub links: String,
    pub deciding_bodies: Vec<i64>,
    pub standing: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Item {
    pub id: i64,
    pub meeting_id: i64,
    pub parent_id: Option<i64>,
    pub position: i32,
    pub title: String,
    pub description: String,
    pub presenter: String,
    pub planned_minutes: i32,
    pub purpose: String,
    pub subject: String,
    pub visibility_body_id: Option<i64>,
    pub standing: Option<String>,
    pub links: String,
    pub minutes: String,
    pub done: bool,
    pub carried_from_id: Option<i64>,
    pub follow_up_of_id: Option<i64>,
    pub version: i32,
    pub deciding_bodies: Vec<i64>,
}

/// All items of a meeting in one query, ordered by position (the caller builds the outline).
pub async fn items(store: &Store, meeting_id: i64) -> Result<Vec<Item>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    items_on(&mut conn, meeting_id).await
}

pub async fn items_on(conn: &mut PgConnection, meeting_id: i64) -> Result<Vec<Item>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT i.id, i.meeting_id, i.parent_id, i.position, i.title, i.description, i.presenter, i.planned_minutes,
                i.purpose, i.subject, i.visibility_body_id, i.standing, i.links, i.minutes, i.done,
                i.carried_from_id, i.follow_up_of_id, i.version,
                COALESCE((SELECT array_agg(b.body_id ORDER BY b.body_id) FROM agenda_item_body b WHERE b.item_id = i.id), '{}') AS deciding_bodies
         FROM agenda_item i WHERE i.meeting_id = $1 ORDER BY i.position, i.id",
    )
    .bind(meeting_id)
    .fetch_all(conn)
    .await?)
}

pub async fn get_on(conn: &mut PgConnection, id: i64) -> Result<Item, StoreError> {
    sqlx::query_as(
        "SELECT i.id, i.meeting_id, i.parent_id, i.position, i.title, i.description, i.presenter, i.planned_minutes,
                i.purpose, i.subject, i.visibility_body_id, i.standing, i.links, i.minutes, i.done,
                i.carried_from_id, i.follow_up_of_id, i.version,
                COALESCE((SELECT array_agg(b.body_id ORDER BY b.body_id) FROM agenda_item_body b WHERE b.item_id = i.id), '{}') AS deciding_bodies
         FROM agenda_item i WHERE i.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)
}

/// Several items by id in one query (any meeting).
pub async fn by_ids(store: &Store, ids: &[i64]) -> Result<Vec<Item>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT i.id, i.meeting_id, i.parent_id, i.position, i.title, i.description, i.presenter, i.planned_minutes,
                i.purpose, i.subject, i.visibility_body_id, i.standing, i.links, i.minutes, i.done,
                i.carried_from_id, i.follow_up_of_id, i.version,
                COALESCE((SELECT array_agg(b.body_id ORDER BY b.body_id) FROM agenda_item_body b WHERE b.item_id = i.id), '{}') AS deciding_bodies
         FROM agenda_item i WHERE i.id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(store.pool())
    .await?)
}

pub async fn get(store: &Store, id: i64) -> Result<Item, StoreError> {
    let mut conn = store.pool().acquire().await?;
    get_on(&mut conn, id).await
}

async fn write_bodies(conn: &mut PgConnection, id: i64, bodies: &[i64]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM agenda_item_body WHERE item_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO agenda_item_body (item_id, body_id) SELECT $1, unnest($2::bigint[])")
        .bind(id)
        .bind(bodies)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Adds an item at `position`; links to an earlier item record carry-over or follow-up.
pub async fn add(
    conn: &mut PgConnection,
    who: &Who,
    meeting_id: i64,
    position: i32,
    input: &ItemInput,
    carried_from: Option<i64>,
    follow_up_of: Option<i64>,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agenda_item (meeting_id, parent_id, position, title, description, presenter, planned_minutes,
                                  purpose, subject, visibility_body_id, links, standing, carried_from_id, follow_up_of_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(meeting_id)
    .bind(input.parent_id)
    .bind(position)
    .bind(&input.title)
    .bind(&input.description)
    .bind(&input.presenter)
    .bind(input.planned_minutes)
    .bind(&input.purpose)
    .bind(&input.subject)
    .bind(input.visibility_body_id)
    .bind(&input.links)
    .bind(&input.standing)
    .bind(carried_from)
    .bind(follow_up_of)
    .fetch_one(&mut *conn)
    .await?;
    write_bodies(conn, id, &input.deciding_bodies).await?;
    crate::live::notify(conn, meeting_id).await?;
    let after = get_on(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("agenda_item", id, "create").after(&after),
    )
    .await?;
    Ok(id)
}

pub async fn update(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    input: &ItemInput,
) -> Result<(), StoreError> {
    let before = get_on(conn, id).await?;
    let n = sqlx::query(
        "UPDATE agenda_item SET parent_id = $3, title = $4, description = $5, presenter = $6, planned_minutes = $7,
                purpose = $8, subject = $9, visibility_body_id = $10, links = $11, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(input.parent_id)
    .bind(&input.title)
    .bind(&input.description)
    .bind(&input.presenter)
    .bind(input.planned_minutes)
    .bind(&input.purpose)
    .bind(&input.subject)
    .bind(input.visibility_body_id)
    .bind(&input.links)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    write_bodies(conn, id, &input.deciding_bodies).await?;
    crate::live::notify(conn, before.meeting_id).await?;
    let after = get_on(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("agenda_item", id, "update")
            .before(&before)
            .after(&after),
    )
    .await
}

/// Applies new positions computed by the domain (moving an item among its siblings).
pub async fn set_positions(
    conn: &mut PgConnection,
    who: &Who,
    moves: &[(i64, i32)],
) -> Result<(), StoreError> {
    for (id, position) in moves {
        sqlx::query("UPDATE agenda_item SET position = $2 WHERE id = $1")
            .bind(id)
            .bind(position)
            .execute(&mut *conn)
            .await?;
    }
    if let Some((first, _)) = moves.first() {
        let ids: Vec<i64> = moves.iter().map(|(id, _)| *id).collect();
        crate::live::notify_items(conn, &ids).await?;
        audit::record(
            conn,
            who,
            Change::new("agenda_item", first, "reorder").after(moves),
        )
        .await?;
    }
    Ok(())
}

pub async fn delete(conn: &mut PgConnection, who: &Who, id: i64) -> Result<(), StoreError> {
    let before = get_on(conn, id).await?;
    sqlx::query("DELETE FROM agenda_item WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    crate::live::notify(conn, before.meeting_id).await?;
    audit::record(
        conn,
        who,
        Change::new("agenda_item", id, "delete").before(&before),
    )
    .await
}

/// Saves the draft minutes of an item (A6).
pub async fn set_minutes(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    minutes: &str,
    done: bool,
) -> Result<(), StoreError> {
    let before = get_on(conn, id).await?;
    let n = sqlx::query("UPDATE agenda_item SET minutes = $3, done = $4, version = version + 1 WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(expected_version)
        .bind(minutes)
        .bind(done)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    crate::live::notify(conn, before.meeting_id).await?;
    let change = Change::new("agenda_item", id, "minutes")
        .before(serde_json::json!({ "minutes": before.minutes, "done": before.done }))
        .after(serde_json::json!({ "minutes": minutes, "done": done }));
    audit::record(conn, who, change).await
}

/// Whether a follow-up item for this item was already put on an agenda.
pub async fn has_follow_up(conn: &mut PgConnection, item_id: i64) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM agenda_item WHERE follow_up_of_id = $1)")
            .bind(item_id)
            .fetch_one(conn)
            .await?,
    )
}
