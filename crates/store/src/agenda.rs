//! Agenda items of a meeting: content, order, deciding bodies and visibility (product.md A2).

use crate::audit::{self, Change, Who};
use crate::codes::{NullableCode, NullableId};
use crate::versioned::write_versioned;
use crate::{PgConnection, Store, StoreError};
use domain::ids::{ItemId, MeetingId};
use domain::meetings::item_draft::ItemDraft;
use domain::meetings::kinds::{Purpose, StandingItem, Subject, standing_items};
use domain::meetings::links::{ItemLink, LinkKind};
use serde::Serialize;
use sqlx::PgExecutor;

/// The standing items every new meeting starts with, in agenda order.
pub fn standing_inputs() -> Vec<ItemDraft> {
    standing_items()
        .into_iter()
        .map(|(item, minutes)| ItemDraft::standing(item, minutes))
        .collect()
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Item {
    #[sqlx(try_from = "i64")]
    pub id: ItemId,
    #[sqlx(try_from = "i64")]
    pub meeting_id: MeetingId,
    #[sqlx(try_from = "NullableId")]
    pub parent_id: Option<ItemId>,
    pub position: i32,
    pub title: String,
    pub description: String,
    pub presenter: String,
    pub planned_minutes: i32,
    #[sqlx(try_from = "String")]
    pub purpose: Purpose,
    #[sqlx(try_from = "String")]
    pub subject: Subject,
    pub visibility_body_id: Option<i64>,
    #[sqlx(try_from = "NullableCode")]
    pub standing: Option<StandingItem>,
    pub minutes: String,
    pub done: bool,
    #[sqlx(try_from = "NullableId")]
    pub carried_from_id: Option<ItemId>,
    #[sqlx(try_from = "NullableId")]
    pub follow_up_of_id: Option<ItemId>,
    pub version: i32,
    pub deciding_bodies: Vec<i64>,
    /// Ids of the agreements and scenarios the item links to (see [`Item::links`]).
    pub agreement_links: Vec<i64>,
    pub scenario_links: Vec<i64>,
}

impl Item {
    pub fn links(&self) -> Vec<ItemLink> {
        let of = |kind: LinkKind, ids: &[i64]| {
            ids.iter()
                .map(move |&target| ItemLink { kind, target })
                .collect::<Vec<_>>()
        };
        let mut links = of(LinkKind::Afspraak, &self.agreement_links);
        links.extend(of(LinkKind::Scenario, &self.scenario_links));
        links
    }
}

/// The columns of an [`Item`], with its deciding bodies and links, for `FROM agenda_item i`.
macro_rules! item_select {
    () => {
        "SELECT i.id, i.meeting_id, i.parent_id, i.position, i.title, i.description, i.presenter, i.planned_minutes,
                i.purpose, i.subject, i.visibility_body_id, i.standing, i.minutes, i.done,
                i.carried_from_id, i.follow_up_of_id, i.version,
                COALESCE((SELECT array_agg(b.body_id ORDER BY b.body_id) FROM agenda_item_body b WHERE b.item_id = i.id), '{}') AS deciding_bodies,
                COALESCE((SELECT array_agg(l.agreement_id ORDER BY l.agreement_id) FROM agenda_item_link l
                          WHERE l.item_id = i.id AND l.agreement_id IS NOT NULL), '{}') AS agreement_links,
                COALESCE((SELECT array_agg(l.budget_scenario_id ORDER BY l.budget_scenario_id) FROM agenda_item_link l
                          WHERE l.item_id = i.id AND l.budget_scenario_id IS NOT NULL), '{}') AS scenario_links
         FROM agenda_item i "
    };
}

/// All items of a meeting in one query, ordered by position (the caller builds the outline).
/// `db` is the store's pool, or a transaction that must see its own writes.
pub async fn items(
    db: impl PgExecutor<'_>,
    meeting_id: MeetingId,
) -> Result<Vec<Item>, StoreError> {
    Ok(sqlx::query_as(concat!(
        item_select!(),
        "WHERE i.meeting_id = $1 ORDER BY i.position, i.id"
    ))
    .bind(meeting_id.get())
    .fetch_all(db)
    .await?)
}

/// One item; `db` as for [`items`].
/// The items as the agenda's timing rules read them.
pub fn timings(items: &[Item]) -> Vec<domain::meetings::agenda::ItemTiming> {
    items
        .iter()
        .map(|i| domain::meetings::agenda::ItemTiming {
            id: i.id,
            parent: i.parent_id,
            position: i.position,
            planned_minutes: i.planned_minutes.max(0) as u32,
        })
        .collect()
}

/// Where a new item goes: a top-level item before the closing standing item (the rondvraag),
/// with the moves that make room for it; a sub-item, or any item of an agenda without one, at
/// the end. Every way an item is added (the form, a follow-up, minutes' actions, a budget
/// proposal) places it by this one rule.
pub fn insertion_point(items: &[Item], parent: Option<ItemId>) -> (i32, Vec<(ItemId, i32)>) {
    let closing = items
        .iter()
        .find(|i| i.parent_id.is_none() && i.standing == Some(StandingItem::Rondvraag));
    match (parent, closing) {
        (None, Some(closing)) => {
            let moves = items
                .iter()
                .filter(|i| i.parent_id.is_none() && i.position >= closing.position)
                .map(|i| (i.id, i.position + 1))
                .collect();
            (closing.position, moves)
        }
        _ => (
            domain::meetings::agenda::next_position(&timings(items), parent),
            Vec::new(),
        ),
    }
}

pub async fn get(db: impl PgExecutor<'_>, id: ItemId) -> Result<Item, StoreError> {
    sqlx::query_as(concat!(item_select!(), "WHERE i.id = $1"))
        .bind(id.get())
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Several items by id in one query (any meeting).
pub async fn by_ids(store: &Store, ids: &[ItemId]) -> Result<Vec<Item>, StoreError> {
    let ids: Vec<i64> = ids.iter().map(|id| id.get()).collect();
    Ok(
        sqlx::query_as(concat!(item_select!(), "WHERE i.id = ANY($1)"))
            .bind(&ids)
            .fetch_all(store.pool())
            .await?,
    )
}

async fn write_bodies(
    conn: &mut PgConnection,
    id: ItemId,
    bodies: &[i64],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM agenda_item_body WHERE item_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO agenda_item_body (item_id, body_id) SELECT $1, unnest($2::bigint[])")
        .bind(id.get())
        .bind(bodies)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Replaces an item's links. A target that does not exist is refused by its foreign key; the
/// caller has already checked that the person may see each one.
async fn write_links(
    conn: &mut PgConnection,
    id: ItemId,
    links: &[ItemLink],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM agenda_item_link WHERE item_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    let kinds: Vec<&str> = links.iter().map(|l| l.kind.code()).collect();
    let target = |kind: LinkKind| -> Vec<Option<i64>> {
        links
            .iter()
            .map(|l| (l.kind == kind).then_some(l.target))
            .collect()
    };
    sqlx::query(
        "INSERT INTO agenda_item_link (item_id, kind, agreement_id, budget_scenario_id)
         SELECT $1, k, a, s FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS t(k, a, s)",
    )
    .bind(id.get())
    .bind(&kinds)
    .bind(target(LinkKind::Afspraak))
    .bind(target(LinkKind::Scenario))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Adds an item at `position`; links to an earlier item record carry-over or follow-up.
pub async fn add(
    conn: &mut PgConnection,
    who: &Who,
    meeting_id: MeetingId,
    position: i32,
    input: &ItemDraft,
    carried_from: Option<ItemId>,
    follow_up_of: Option<ItemId>,
) -> Result<ItemId, StoreError> {
    let id: ItemId = sqlx::query_scalar::<_, i64>(
        "INSERT INTO agenda_item (meeting_id, parent_id, position, title, description, presenter, planned_minutes,
                                  purpose, subject, visibility_body_id, standing, carried_from_id, follow_up_of_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(meeting_id.get())
    .bind(input.parent_id.map(ItemId::get))
    .bind(position)
    .bind(&input.title)
    .bind(&input.description)
    .bind(&input.presenter)
    .bind(input.planned_minutes)
    .bind(input.purpose.code())
    .bind(input.subject.code())
    .bind(input.visibility_body_id)
    .bind(input.standing.map(|s| s.code()))
    .bind(carried_from.map(ItemId::get))
    .bind(follow_up_of.map(ItemId::get))
    .fetch_one(&mut *conn)
    .await?
    .into();
    write_bodies(conn, id, &input.deciding_bodies).await?;
    write_links(conn, id, &input.links).await?;
    crate::live::notify(conn, meeting_id).await?;
    let after = get(&mut *conn, id).await?;
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
    id: ItemId,
    expected_version: i32,
    input: &ItemDraft,
) -> Result<(), StoreError> {
    let before = get(&mut *conn, id).await?;
    let update = sqlx::query(
        "UPDATE agenda_item SET parent_id = $3, title = $4, description = $5, presenter = $6, planned_minutes = $7,
                purpose = $8, subject = $9, visibility_body_id = $10, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id.get())
    .bind(expected_version)
    .bind(input.parent_id.map(ItemId::get))
    .bind(&input.title)
    .bind(&input.description)
    .bind(&input.presenter)
    .bind(input.planned_minutes)
    .bind(input.purpose.code())
    .bind(input.subject.code())
    .bind(input.visibility_body_id);
    write_versioned(&mut *conn, update).await?;
    write_bodies(conn, id, &input.deciding_bodies).await?;
    write_links(conn, id, &input.links).await?;
    crate::live::notify(conn, before.meeting_id).await?;
    let after = get(&mut *conn, id).await?;
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
    moves: &[(ItemId, i32)],
) -> Result<(), StoreError> {
    for (id, position) in moves {
        sqlx::query("UPDATE agenda_item SET position = $2 WHERE id = $1")
            .bind(id.get())
            .bind(position)
            .execute(&mut *conn)
            .await?;
    }
    if let Some((first, _)) = moves.first() {
        let ids: Vec<ItemId> = moves.iter().map(|(id, _)| *id).collect();
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

pub async fn delete(conn: &mut PgConnection, who: &Who, id: ItemId) -> Result<(), StoreError> {
    let before = get(&mut *conn, id).await?;
    sqlx::query("DELETE FROM agenda_item WHERE id = $1")
        .bind(id.get())
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
    id: ItemId,
    expected_version: i32,
    minutes: &str,
    done: bool,
) -> Result<(), StoreError> {
    let before = get(&mut *conn, id).await?;
    let update = sqlx::query("UPDATE agenda_item SET minutes = $3, done = $4, version = version + 1 WHERE id = $1 AND version = $2")
        .bind(id.get())
        .bind(expected_version)
        .bind(minutes)
        .bind(done);
    write_versioned(&mut *conn, update).await?;
    crate::live::notify(conn, before.meeting_id).await?;
    let change = Change::new("agenda_item", id, "minutes")
        .before(serde_json::json!({ "minutes": before.minutes, "done": before.done }))
        .after(serde_json::json!({ "minutes": minutes, "done": done }));
    audit::record(conn, who, change).await
}

/// Whether a follow-up item for this item was already put on an agenda.
pub async fn has_follow_up(conn: &mut PgConnection, item_id: ItemId) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM agenda_item WHERE follow_up_of_id = $1)")
            .bind(item_id.get())
            .fetch_one(conn)
            .await?,
    )
}

/// The object a link points to, as a reader sees it: the agreement's title and visibility, or
/// the scenario's year and name.
#[derive(Debug, Clone, Serialize)]
pub struct LinkTarget {
    pub item_id: ItemId,
    pub kind: LinkKind,
    pub target: i64,
    pub title: String,
    /// An agreement's visibility (none: gezamenlijk); scenarios have none.
    pub visibility_body_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    item_id: i64,
    kind: String,
    target: i64,
    title: String,
    visibility_body_id: Option<i64>,
}

/// A kind the domain does not know is an error, never a default.
fn targets(rows: Vec<LinkRow>) -> Result<Vec<LinkTarget>, StoreError> {
    rows.into_iter()
        .map(|r| {
            Ok(LinkTarget {
                kind: LinkKind::parse(&r.kind)
                    .ok_or_else(|| StoreError::Other(format!("link kind {}", r.kind)))?,
                item_id: r.item_id.into(),
                target: r.target,
                title: r.title,
                visibility_body_id: r.visibility_body_id,
            })
        })
        .collect()
}

/// The link targets of every item of a meeting, in one query.
pub async fn links_for_meeting(
    store: &Store,
    meeting_id: MeetingId,
) -> Result<Vec<LinkTarget>, StoreError> {
    let rows = sqlx::query_as(
        "SELECT l.item_id, l.kind, COALESCE(l.agreement_id, l.budget_scenario_id) AS target,
                COALESCE(a.title, s.year::text || ' ' || s.name) AS title, a.visibility_body_id
         FROM agenda_item_link l JOIN agenda_item i ON i.id = l.item_id
         LEFT JOIN agreement a ON a.id = l.agreement_id
         LEFT JOIN budget_scenario s ON s.id = l.budget_scenario_id
         WHERE i.meeting_id = $1 ORDER BY l.item_id, l.kind, title",
    )
    .bind(meeting_id.get())
    .fetch_all(store.pool())
    .await?;
    targets(rows)
}

/// Every agreement and scenario as a link target (the caller keeps those the person may see),
/// agreements first, each by title.
pub async fn linkable(store: &Store) -> Result<Vec<LinkTarget>, StoreError> {
    let rows = sqlx::query_as(
        "SELECT 0::bigint AS item_id, 'afspraak' AS kind, a.id AS target, a.title, a.visibility_body_id
         FROM agreement a
         UNION ALL
         SELECT 0, 'scenario', s.id, s.year::text || ' ' || s.name, NULL FROM budget_scenario s
         ORDER BY kind, title, target",
    )
    .fetch_all(store.pool())
    .await?;
    targets(rows)
}
