//! From insight to action (C5): a closed round's result on one S becomes a discussion item on the
//! next joint meeting, or an agreement proposed in the register — each at most once per round
//! and S.
//!
//! Which round and S an item or an agreement came from is recorded in the audit trail, in the
//! transaction that makes it: `sa_round <id> agenda {"s", "meeting_id", "item_id"}` and
//! `sa_round <id> agreement {"s", "agreement_id"}`. The same action again finds that entry and
//! answers with what it made, as long as that still exists; the item and the agreement stay
//! rows of their own modules, which the secretary edits as usual (a changed title does not
//! make a second click create a duplicate). The trail is append-only and this is the fact it
//! records, so no table of our own has to repeat it.

use super::lock_round;
use crate::agenda;
use crate::agreements::{self, AgreementInput};
use crate::audit::{self, Change, Who};
use crate::meetings::{self, Meeting};
use crate::{PgConnection, Store, StoreError};
use domain::agreements::kinds::{AgreementStatus, SevenS};
use domain::ids::{AgreementId, ItemId, MeetingId};
use domain::meetings::item_draft::ItemDraft;
use domain::meetings::status::{MeetingStatus, agenda_editable};
use domain::selfassessment::{Refusal, RoundId};
use serde_json::json;
use time::OffsetDateTime;

/// The audit actions on `sa_round` that record an action made from a result.
const AGENDA: &str = "agenda";
const AGREEMENT: &str = "agreement";

/// What has come of a round's results so far, per S, still existing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordedActions {
    /// (S, meeting, item) of the discussion items.
    pub items: Vec<(SevenS, MeetingId, ItemId)>,
    /// (S, agreement) of the proposed agreements.
    pub agreements: Vec<(SevenS, AgreementId)>,
}

impl RecordedActions {
    pub fn item(&self, s: SevenS) -> Option<(MeetingId, ItemId)> {
        self.items
            .iter()
            .find(|(e, _, _)| *e == s)
            .map(|(_, m, i)| (*m, *i))
    }

    pub fn agreement(&self, s: SevenS) -> Option<AgreementId> {
        self.agreements
            .iter()
            .find(|(e, _)| *e == s)
            .map(|(_, a)| *a)
    }
}

#[derive(sqlx::FromRow)]
struct RecordedRow {
    action: String,
    s: String,
    meeting_id: Option<i64>,
    item_id: Option<i64>,
    agreement_id: Option<i64>,
}

/// The latest item and agreement made from each S of `round` that still exist, in one query.
async fn recorded_on(
    db: impl sqlx::PgExecutor<'_>,
    round: RoundId,
    only: Option<(&str, SevenS)>,
) -> Result<RecordedActions, StoreError> {
    let rows: Vec<RecordedRow> = sqlx::query_as(
        "SELECT DISTINCT ON (l.action, l.after->>'s')
                l.action, l.after->>'s' AS s, i.meeting_id, i.id AS item_id, g.id AS agreement_id
         FROM audit_log l
         LEFT JOIN agenda_item i ON l.action = 'agenda' AND i.id = (l.after->>'item_id')::bigint
         LEFT JOIN agreement g ON l.action = 'agreement' AND g.id = (l.after->>'agreement_id')::bigint
         WHERE l.object_type = 'sa_round' AND l.object_id = $1 AND l.action IN ('agenda', 'agreement')
           AND (i.id IS NOT NULL OR g.id IS NOT NULL)
           AND ($2::text IS NULL OR (l.action = $2 AND l.after->>'s' = $3))
         ORDER BY l.action, l.after->>'s', l.seq DESC",
    )
    .bind(round.to_string())
    .bind(only.map(|(action, _)| action))
    .bind(only.map(|(_, s)| s.code()))
    .fetch_all(db)
    .await?;
    let mut out = RecordedActions::default();
    for r in rows {
        let s = SevenS::try_from(r.s)?;
        match (r.action.as_str(), r.meeting_id, r.item_id, r.agreement_id) {
            (AGENDA, Some(m), Some(i), _) => out.items.push((s, MeetingId::new(m), ItemId::new(i))),
            (AGREEMENT, _, _, Some(a)) => out.agreements.push((s, AgreementId::new(a))),
            _ => {}
        }
    }
    Ok(out)
}

/// What has come of `round`'s results so far (for the results page's links).
pub async fn recorded_actions(
    store: &Store,
    round: RoundId,
) -> Result<RecordedActions, StoreError> {
    recorded_on(store.pool(), round, None).await
}

/// The next joint meeting of both sides at `now`: a joint meeting that has not started, whose
/// agenda can still change, in which the RvB (a body of kind `bestuur`) and MSB+ (a body of kind
/// `msbplus`) take part; the soonest first.
pub async fn next_joint_meeting(
    conn: &mut PgConnection,
    now: OffsetDateTime,
) -> Result<Option<Meeting>, StoreError> {
    let editable: Vec<&str> = MeetingStatus::ALL
        .iter()
        .copied()
        .filter(|s| agenda_editable(*s))
        .map(MeetingStatus::code)
        .collect();
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT m.id FROM meeting m
         WHERE m.kind = 'gezamenlijk' AND m.starts_at > $1 AND m.status = ANY($2)
           AND EXISTS (SELECT 1 FROM meeting_body mb JOIN body b ON b.id = mb.body_id
                       WHERE mb.meeting_id = m.id AND b.kind = 'bestuur')
           AND EXISTS (SELECT 1 FROM meeting_body mb JOIN body b ON b.id = mb.body_id
                       WHERE mb.meeting_id = m.id AND b.kind = 'msbplus')
         ORDER BY m.starts_at, m.id LIMIT 1",
    )
    .bind(now)
    .bind(&editable)
    .fetch_optional(&mut *conn)
    .await?;
    match id {
        Some(id) => Ok(Some(meetings::get(&mut *conn, MeetingId::new(id)).await?)),
        None => Ok(None),
    }
}

/// Where a result's discussion item is.
#[derive(Debug, Clone)]
pub enum Scheduled {
    /// On `meeting`'s agenda: put there now (`created`), or by an earlier click.
    On {
        /// Boxed: a meeting is large next to the variant without one.
        meeting: Box<Meeting>,
        item: ItemId,
        created: bool,
    },
    /// There is no upcoming joint meeting of both sides with an agenda that can still change.
    NoMeeting,
}

/// Puts `draft` on the next joint meeting ([`next_joint_meeting`]) as the discussion item of
/// `round`'s result on `s`, before the closing standing item; the same round and S again give the
/// item made before, wherever it is now. Audited in the caller's transaction. Refused
/// (`Refusal::NoResultsYet`) for a round that is not closed.
pub async fn schedule(
    conn: &mut PgConnection,
    who: &Who,
    round: RoundId,
    s: SevenS,
    draft: &ItemDraft,
    now: OffsetDateTime,
) -> Result<Scheduled, StoreError> {
    // Actions on one round take turns, so that two clicks at once make one item.
    let row = lock_round(conn, round).await?;
    if !row.status.shows_results() {
        return Err(Refusal::NoResultsYet.into());
    }
    if let Some((meeting, item)) = recorded_on(&mut *conn, round, Some((AGENDA, s)))
        .await?
        .item(s)
    {
        let meeting = Box::new(meetings::get(&mut *conn, meeting).await?);
        return Ok(Scheduled::On {
            meeting,
            item,
            created: false,
        });
    }
    let Some(meeting) = next_joint_meeting(conn, now).await? else {
        return Ok(Scheduled::NoMeeting);
    };
    let items = agenda::items(&mut *conn, meeting.id).await?;
    let (position, moves) = agenda::insertion_point(&items, None);
    agenda::set_positions(conn, who, &moves).await?;
    let item = agenda::add(conn, who, meeting.id, position, draft, None, None).await?;
    audit::record(
        conn,
        who,
        Change::new("sa_round", round, AGENDA).after(json!({
            "s": s.code(),
            "meeting_id": meeting.id.get(),
            "item_id": item.get(),
        })),
    )
    .await?;
    Ok(Scheduled::On {
        meeting: Box::new(meeting),
        item,
        created: true,
    })
}

/// Records `input` as an agreement with status *voorgesteld* made from `round`'s result on `s`;
/// the same round and S again give the agreement made before and `false`. Audited in the
/// caller's transaction. Refused (`Refusal::NoResultsYet`) for a round that is not closed.
pub async fn propose_agreement(
    conn: &mut PgConnection,
    who: &Who,
    round: RoundId,
    s: SevenS,
    input: &AgreementInput,
) -> Result<(AgreementId, bool), StoreError> {
    let row = lock_round(conn, round).await?;
    if !row.status.shows_results() {
        return Err(Refusal::NoResultsYet.into());
    }
    if let Some(id) = recorded_on(&mut *conn, round, Some((AGREEMENT, s)))
        .await?
        .agreement(s)
    {
        return Ok((id, false));
    }
    let id = agreements::create(conn, who, input, AgreementStatus::Voorgesteld).await?;
    audit::record(
        conn,
        who,
        Change::new("sa_round", round, AGREEMENT)
            .after(json!({ "s": s.code(), "agreement_id": id.get() })),
    )
    .await?;
    Ok((id, true))
}
