//! Follow-ups of divided items that wait for a joint meeting (product.md A3): kept until the
//! next joint meeting is created, then put on its agenda.

use crate::agenda::{self, Item};
use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use domain::ids::{ItemId, MeetingId};
use domain::meetings::decisions::{FOLLOW_UP_DESCRIPTION, follow_up_title};
use domain::meetings::item_draft::ItemDraft;
use domain::meetings::kinds::Purpose;
use time::OffsetDateTime;

/// Recording a decision and creating a meeting take turns here, so a follow-up that starts to
/// wait while a joint meeting is being created is seen by one of the two.
pub async fn lock(conn: &mut PgConnection) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('gg_follow_up'))")
        .execute(conn)
        .await?;
    Ok(())
}

/// Keeps the follow-up of a divided item until a joint meeting can take it.
pub async fn keep(conn: &mut PgConnection, who: &Who, item_id: ItemId) -> Result<(), StoreError> {
    let n =
        sqlx::query("INSERT INTO follow_up_pending (item_id) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(item_id.get())
            .execute(&mut *conn)
            .await?
            .rows_affected();
    if n > 0 {
        audit::record(
            conn,
            who,
            Change::new("agenda_item", item_id, "follow_up_waiting"),
        )
        .await?;
    }
    Ok(())
}

/// The bodies agree after all: nothing needs to come back.
pub async fn forget(conn: &mut PgConnection, who: &Who, item_id: ItemId) -> Result<(), StoreError> {
    let n = sqlx::query("DELETE FROM follow_up_pending WHERE item_id = $1")
        .bind(item_id.get())
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n > 0 {
        audit::record(
            conn,
            who,
            Change::new("agenda_item", item_id, "follow_up_dropped"),
        )
        .await?;
    }
    Ok(())
}

/// A divided item whose follow-up waits, with the meeting it was decided in.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub item: Item,
    pub meeting_id: MeetingId,
    pub meeting_title: String,
    pub meeting_starts_at: OffsetDateTime,
    pub meeting_bodies: Vec<i64>,
}

/// The waiting follow-ups, inside the caller's transaction (after [`lock`]).
pub async fn waiting_in(conn: &mut PgConnection) -> Result<Vec<Waiting>, StoreError> {
    let rows: Vec<(i64, i64, String, OffsetDateTime, Vec<i64>)> = sqlx::query_as(
        "SELECT p.item_id, m.id, m.title, m.starts_at,
                COALESCE((SELECT array_agg(mb.body_id ORDER BY mb.body_id) FROM meeting_body mb WHERE mb.meeting_id = m.id), '{}')
         FROM follow_up_pending p JOIN agenda_item i ON i.id = p.item_id JOIN meeting m ON m.id = i.meeting_id
         ORDER BY m.starts_at, i.position, i.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (item_id, meeting_id, meeting_title, meeting_starts_at, meeting_bodies) in rows {
        out.push(Waiting {
            item: agenda::get(&mut *conn, item_id.into()).await?,
            meeting_id: meeting_id.into(),
            meeting_title,
            meeting_starts_at,
            meeting_bodies,
        });
    }
    Ok(out)
}

/// Every waiting follow-up, oldest meeting first (the caller shows each only to those who may
/// see the item).
pub async fn waiting(store: &Store) -> Result<Vec<Waiting>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    waiting_in(&mut conn).await
}

/// Puts the follow-up of a divided item on meeting `target` at `position`, linked to it; it no
/// longer waits.
pub async fn place(
    conn: &mut PgConnection,
    who: &Who,
    target: MeetingId,
    position: i32,
    item: &Item,
) -> Result<ItemId, StoreError> {
    let input = ItemDraft {
        parent_id: None,
        title: follow_up_title(&item.title),
        description: FOLLOW_UP_DESCRIPTION.into(),
        presenter: item.presenter.clone(),
        planned_minutes: item.planned_minutes,
        purpose: Purpose::Besluitvorming,
        subject: item.subject,
        visibility_body_id: item.visibility_body_id,
        links: item.links(),
        deciding_bodies: item.deciding_bodies.clone(),
        standing: None,
    };
    let id = agenda::add(conn, who, target, position, &input, None, Some(item.id)).await?;
    sqlx::query("DELETE FROM follow_up_pending WHERE item_id = $1")
        .bind(item.id.get())
        .execute(&mut *conn)
        .await?;
    Ok(id)
}
