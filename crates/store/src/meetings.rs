//! Meetings, agenda items, decisions per body, votes and attendance (product.md A1–A6).
//!
//! Reading a meeting page takes a fixed number of queries whatever the number of items; the
//! caller filters items by visibility through the domain's authorisation rules.

use crate::audit::{self, Change, Who};
use crate::codes::NullableId;
use crate::versioned::write_versioned;
use crate::{PgConnection, Store, StoreError};
use domain::ids::{ItemId, MeetingId};
use domain::meetings::kinds::MeetingKind;
use domain::meetings::meeting_draft::MeetingDraft;
use domain::meetings::status::MeetingStatus;
use serde::Serialize;
use sqlx::PgExecutor;
use time::OffsetDateTime;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Meeting {
    #[sqlx(try_from = "i64")]
    pub id: MeetingId,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub kind: MeetingKind,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub location: String,
    pub video_url: String,
    #[sqlx(try_from = "String")]
    pub status: MeetingStatus,
    pub series_id: Option<i64>,
    #[sqlx(try_from = "NullableId")]
    pub minutes_adopted_in: Option<MeetingId>,
    #[sqlx(try_from = "NullableId")]
    pub current_item_id: Option<ItemId>,
    pub current_item_started_at: Option<OffsetDateTime>,
    pub version: i32,
    pub bodies: Vec<i64>,
}

/// A meeting; `db` is the store's pool, or a transaction that must see its own writes.
pub async fn get(db: impl PgExecutor<'_>, id: MeetingId) -> Result<Meeting, StoreError> {
    sqlx::query_as(
        "SELECT m.id, m.title, m.kind, m.starts_at, m.ends_at, m.location, m.video_url, m.status, m.series_id,
                m.minutes_adopted_in, m.current_item_id, m.current_item_started_at, m.version,
                COALESCE((SELECT array_agg(mb.body_id ORDER BY mb.body_id) FROM meeting_body mb WHERE mb.meeting_id = m.id), '{}') AS bodies
         FROM meeting m WHERE m.id = $1",
    )
    .bind(id.get())
    .fetch_optional(db)
    .await?
    .ok_or(StoreError::NotFound)
}

/// The meetings in which any of these bodies takes part, newest first.
pub async fn list_for_bodies(store: &Store, bodies: &[i64]) -> Result<Vec<Meeting>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT m.id, m.title, m.kind, m.starts_at, m.ends_at, m.location, m.video_url, m.status, m.series_id,
                m.minutes_adopted_in, m.current_item_id, m.current_item_started_at, m.version,
                COALESCE((SELECT array_agg(mb.body_id ORDER BY mb.body_id) FROM meeting_body mb WHERE mb.meeting_id = m.id), '{}') AS bodies
         FROM meeting m
         WHERE EXISTS (SELECT 1 FROM meeting_body mb WHERE mb.meeting_id = m.id AND mb.body_id = ANY($1))
         ORDER BY m.starts_at DESC",
    )
    .bind(bodies)
    .fetch_all(store.pool())
    .await?)
}

pub async fn next_series_id(conn: &mut PgConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT nextval('meeting_series_seq')")
        .fetch_one(conn)
        .await?)
}

async fn write_bodies(
    conn: &mut PgConnection,
    id: MeetingId,
    bodies: &[i64],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM meeting_body WHERE meeting_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO meeting_body (meeting_id, body_id) SELECT $1, unnest($2::bigint[])")
        .bind(id.get())
        .bind(bodies)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn create(
    conn: &mut PgConnection,
    who: &Who,
    input: &MeetingDraft,
    series_id: Option<i64>,
) -> Result<MeetingId, StoreError> {
    let id: MeetingId = sqlx::query_scalar::<_, i64>(
        "INSERT INTO meeting (title, kind, starts_at, ends_at, location, video_url, series_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&input.title)
    .bind(input.kind.code())
    .bind(input.starts_at)
    .bind(input.ends_at)
    .bind(&input.location)
    .bind(&input.video_url)
    .bind(series_id)
    .fetch_one(&mut *conn)
    .await?
    .into();
    write_bodies(conn, id, &input.bodies).await?;
    let after = get(&mut *conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("meeting", id, "create").after(&after),
    )
    .await?;
    Ok(id)
}

pub async fn update(
    conn: &mut PgConnection,
    who: &Who,
    id: MeetingId,
    expected_version: i32,
    input: &MeetingDraft,
) -> Result<(), StoreError> {
    let before = get(&mut *conn, id).await?;
    let update = sqlx::query(
        "UPDATE meeting SET title = $3, kind = $4, starts_at = $5, ends_at = $6, location = $7, video_url = $8,
                version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id.get())
    .bind(expected_version)
    .bind(&input.title)
    .bind(input.kind.code())
    .bind(input.starts_at)
    .bind(input.ends_at)
    .bind(&input.location)
    .bind(&input.video_url);
    write_versioned(&mut *conn, update).await?;
    write_bodies(conn, id, &input.bodies).await?;
    crate::live::notify(conn, id).await?;
    let after = get(&mut *conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("meeting", id, "update")
            .before(&before)
            .after(&after),
    )
    .await
}

/// Moves a meeting from one status to another; `Conflict` when it is no longer in `from`.
pub async fn set_status(
    conn: &mut PgConnection,
    who: &Who,
    id: MeetingId,
    from: MeetingStatus,
    to: MeetingStatus,
) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE meeting SET status = $3, version = version + 1,
                current_item_id = CASE WHEN $3 = 'in_vergadering' THEN current_item_id END,
                current_item_started_at = CASE WHEN $3 = 'in_vergadering' THEN current_item_started_at END
         WHERE id = $1 AND status = $2",
    )
    .bind(id.get())
    .bind(from.code())
    .bind(to.code());
    write_versioned(&mut *conn, update).await?;
    crate::live::notify(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("meeting", id, "status")
            .before(from.code())
            .after(to.code()),
    )
    .await
}

/// Records that the minutes of `of` were adopted in `in_meeting`; freezes its actions.
pub async fn adopt_minutes(
    conn: &mut PgConnection,
    who: &Who,
    of: MeetingId,
    in_meeting: MeetingId,
) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE meeting SET status = 'notulen_vastgesteld', minutes_adopted_in = $2, version = version + 1
         WHERE id = $1 AND status = 'gesloten'",
    )
    .bind(of.get())
    .bind(in_meeting.get());
    write_versioned(&mut *conn, update).await?;
    sqlx::query(
        "UPDATE agreement SET frozen_at = now() WHERE origin_meeting_id = $1 AND frozen_at IS NULL",
    )
    .bind(of.get())
    .execute(&mut *conn)
    .await?;
    crate::live::notify(conn, of).await?;
    crate::live::notify(conn, in_meeting).await?;
    audit::record(
        conn,
        who,
        Change::new("meeting", of, "minutes_adopted")
            .after(serde_json::json!({ "in_meeting": in_meeting })),
    )
    .await
}

/// Makes an item the current one in a live meeting and restarts its timer.
pub async fn set_current_item(
    conn: &mut PgConnection,
    who: &Who,
    meeting: MeetingId,
    item: Option<ItemId>,
) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE meeting SET current_item_id = $2, current_item_started_at = CASE WHEN $2 IS NULL THEN NULL ELSE now() END
         WHERE id = $1 AND status = 'in_vergadering'
           AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM agenda_item i WHERE i.id = $2 AND i.meeting_id = $1))",
    )
    .bind(meeting.get())
    .bind(item.map(ItemId::get));
    write_versioned(&mut *conn, update).await?;
    crate::live::notify(conn, meeting).await?;
    audit::record(
        conn,
        who,
        Change::new("meeting", meeting, "current_item").after(item),
    )
    .await
}

/// The joint meetings that start after `after`, soonest first: the candidates for a divided
/// item's follow-up (the domain's `decisions::follow_up_fits` chooses among them).
pub async fn later_joint(
    conn: &mut PgConnection,
    after: OffsetDateTime,
) -> Result<Vec<Meeting>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT m.id, m.title, m.kind, m.starts_at, m.ends_at, m.location, m.video_url, m.status, m.series_id,
                m.minutes_adopted_in, m.current_item_id, m.current_item_started_at, m.version,
                COALESCE((SELECT array_agg(mb.body_id ORDER BY mb.body_id) FROM meeting_body mb WHERE mb.meeting_id = m.id), '{}') AS bodies
         FROM meeting m WHERE m.kind = 'gezamenlijk' AND m.starts_at > $1
         ORDER BY m.starts_at, m.id",
    )
    .bind(after)
    .fetch_all(conn)
    .await?)
}
