//! Adopting minutes in a later meeting and carrying unfinished items over (product.md A6, A7).

use crate::agenda::{self, Item};
use crate::audit::Who;
use crate::meetings::Meeting;
use crate::{PgConnection, Store, StoreError};
use domain::ids::{ItemId, MeetingId};
use domain::meetings::item_draft::ItemDraft;
use time::OffsetDateTime;

/// Closed meetings before `before` that share a body with `bodies` and whose minutes still wait
/// for adoption, oldest first.
pub async fn awaiting_adoption(
    store: &Store,
    bodies: &[i64],
    before: OffsetDateTime,
) -> Result<Vec<Meeting>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT m.id, m.title, m.kind, m.starts_at, m.ends_at, m.location, m.video_url, m.status, m.series_id,
                m.minutes_adopted_in, m.current_item_id, m.current_item_started_at, m.version,
                COALESCE((SELECT array_agg(mb.body_id ORDER BY mb.body_id) FROM meeting_body mb WHERE mb.meeting_id = m.id), '{}') AS bodies
         FROM meeting m
         WHERE m.status = 'gesloten' AND m.starts_at < $2
           AND EXISTS (SELECT 1 FROM meeting_body mb WHERE mb.meeting_id = m.id AND mb.body_id = ANY($1))
         ORDER BY m.starts_at",
    )
    .bind(bodies)
    .bind(before)
    .fetch_all(store.pool())
    .await?)
}

/// An unfinished item of an earlier meeting, with that meeting's title and date.
#[derive(Debug, Clone)]
pub struct Unfinished {
    pub item: Item,
    pub meeting_title: String,
    pub meeting_starts_at: OffsetDateTime,
}

/// Items of earlier, closed meetings sharing a body with `target` that were not finished and
/// not yet carried over to any meeting.
pub async fn unfinished_before(
    store: &Store,
    target: &Meeting,
) -> Result<Vec<Unfinished>, StoreError> {
    let candidates: Vec<(i64, String, OffsetDateTime)> = sqlx::query_as(
        "SELECT i.id, m.title, m.starts_at
         FROM agenda_item i JOIN meeting m ON m.id = i.meeting_id
         WHERE NOT i.done AND i.standing IS NULL AND i.parent_id IS NULL
           AND m.status IN ('gesloten', 'notulen_vastgesteld') AND m.starts_at < $2 AND m.id <> $3
           AND EXISTS (SELECT 1 FROM meeting_body mb WHERE mb.meeting_id = m.id AND mb.body_id = ANY($1))
           AND NOT EXISTS (SELECT 1 FROM agenda_item c WHERE c.carried_from_id = i.id)
         ORDER BY m.starts_at, i.position",
    )
    .bind(&target.bodies)
    .bind(target.starts_at)
    .bind(target.id.get())
    .fetch_all(store.pool())
    .await?;
    let ids: Vec<ItemId> = candidates.iter().map(|c| c.0.into()).collect();
    let items = agenda::by_ids(store, &ids).await?;
    Ok(candidates
        .into_iter()
        .filter_map(|(id, meeting_title, meeting_starts_at)| {
            items
                .iter()
                .find(|i| i.id.get() == id)
                .map(|item| Unfinished {
                    item: item.clone(),
                    meeting_title,
                    meeting_starts_at,
                })
        })
        .collect())
}

/// Copies an unfinished item onto the target meeting at `position`, linked to the original.
pub async fn carry_over(
    conn: &mut PgConnection,
    who: &Who,
    target: MeetingId,
    position: i32,
    item: &Item,
) -> Result<ItemId, StoreError> {
    let input = ItemDraft {
        parent_id: None,
        title: item.title.clone(),
        description: item.description.clone(),
        presenter: item.presenter.clone(),
        planned_minutes: item.planned_minutes,
        purpose: item.purpose,
        subject: item.subject,
        visibility_body_id: item.visibility_body_id,
        links: item.links(),
        deciding_bodies: item.deciding_bodies.clone(),
        standing: None,
    };
    agenda::add(conn, who, target, position, &input, Some(item.id), None).await
}
