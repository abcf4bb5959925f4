//! What the Gelijkgerichtheidsmonitor (the dashboard, product.md E, docs/monitor.md) reads that no
//! section reads in this shape: the next joint meeting with its agenda and decisions, the divided
//! items whose follow-up is still open, where the budget year stands, and the trend inputs per
//! status. Each function costs a fixed number of queries whatever the size of the hospital; the
//! caller filters every row by what the reader may see (`domain::authz`).

use crate::budget::adoption::Adoption;
use crate::decisions::Decision;
use crate::meetings::Meeting;
use crate::{Store, StoreError};
use domain::budget::adoption::ProposalStatus;
use domain::budget::trend::TrendStatus;
use domain::budget::{ChangeKind, TrendCategory, TrendChange};
use domain::ids::{ItemId, MeetingId, TrendInputId, VakgroepId};
use domain::meetings::decisions::BodyDecision;
use domain::meetings::kinds::DecisionOutcome;
use domain::meetings::status::MeetingStatus;
use domain::monitor::still_open;
use domain::people::VakgroepCode;
use sqlx::types::Decimal;
use time::OffsetDateTime;

/// The codes of the meeting statuses that are not history yet.
fn open_statuses() -> Vec<&'static str> {
    MeetingStatus::ALL
        .iter()
        .filter(|s| still_open(**s))
        .map(|s| s.code())
        .collect()
}

/// The next joint meeting with everything on its agenda and every decision taken on it.
#[derive(Debug, Clone)]
pub struct NextMeeting {
    pub meeting: Meeting,
    /// In agenda order, every visibility: the caller shows each reader their own.
    pub items: Vec<crate::agenda::Item>,
    pub decisions: Vec<Decision>,
}

/// The first joint meeting, by start, in which one of `bodies` takes part and that has not ended
/// or been closed at `now`; three queries.
pub async fn next_joint_meeting(
    store: &Store,
    bodies: &[i64],
    now: OffsetDateTime,
) -> Result<Option<NextMeeting>, StoreError> {
    let meeting: Option<Meeting> = sqlx::query_as(
        "SELECT m.id, m.title, m.kind, m.starts_at, m.ends_at, m.location, m.video_url, m.status, m.series_id,
                m.minutes_adopted_in, m.current_item_id, m.current_item_started_at, m.version,
                COALESCE((SELECT array_agg(mb.body_id ORDER BY mb.body_id) FROM meeting_body mb WHERE mb.meeting_id = m.id), '{}') AS bodies
         FROM meeting m
         WHERE m.kind = 'gezamenlijk' AND m.ends_at >= $2 AND m.status = ANY($3)
           AND EXISTS (SELECT 1 FROM meeting_body mb WHERE mb.meeting_id = m.id AND mb.body_id = ANY($1))
         ORDER BY m.starts_at, m.id LIMIT 1",
    )
    .bind(bodies)
    .bind(now)
    .bind(open_statuses())
    .fetch_optional(store.pool())
    .await?;
    let Some(meeting) = meeting else {
        return Ok(None);
    };
    let (items, decisions) = tokio::try_join!(
        crate::agenda::items(store.pool(), meeting.id),
        crate::decisions::for_meeting(store, meeting.id)
    )?;
    Ok(Some(NextMeeting {
        meeting,
        items,
        decisions,
    }))
}

/// Where a divided item's follow-up is: on this meeting's agenda.
#[derive(Debug, Clone)]
pub struct FollowUp {
    pub item_id: ItemId,
    pub meeting_id: MeetingId,
    pub meeting_title: String,
    pub meeting_starts_at: OffsetDateTime,
    pub meeting_status: MeetingStatus,
    pub meeting_bodies: Vec<i64>,
}

/// A divided item (A3) whose follow-up still waits for a joint meeting (`follow_up: None`) or is
/// on the agenda of a meeting that has not been closed.
#[derive(Debug, Clone)]
pub struct Divided {
    pub item_id: ItemId,
    pub title: String,
    pub visibility_body_id: Option<i64>,
    pub deciding_bodies: Vec<i64>,
    pub decisions: Vec<BodyDecision>,
    pub meeting_id: MeetingId,
    pub meeting_title: String,
    pub meeting_starts_at: OffsetDateTime,
    pub meeting_bodies: Vec<i64>,
    pub follow_up: Option<FollowUp>,
}

#[derive(sqlx::FromRow)]
struct DividedRow {
    item_id: i64,
    title: String,
    visibility_body_id: Option<i64>,
    deciding_bodies: Vec<i64>,
    decided_bodies: Vec<i64>,
    outcomes: Vec<String>,
    texts: Vec<String>,
    meeting_id: i64,
    meeting_title: String,
    meeting_starts_at: OffsetDateTime,
    meeting_bodies: Vec<i64>,
    follow_up_id: Option<i64>,
    follow_up_meeting_id: Option<i64>,
    follow_up_meeting_title: Option<String>,
    follow_up_starts_at: Option<OffsetDateTime>,
    follow_up_status: Option<String>,
    follow_up_bodies: Option<Vec<i64>>,
}

/// Every divided item whose follow-up is still open, the latest meeting first; one query. The
/// divided items are found first and everything else is aggregated for them only: with per-row
/// subqueries a database without statistics yet (a fresh installation) estimated the statement
/// above PostgreSQL's JIT threshold and spent 100 ms compiling it. An item
/// is divided when its follow-up waits (`follow_up_pending`) or a follow-up item was made of it
/// (`follow_up_of_id`): the joint outcome itself is the domain's to judge again
/// (`domain::monitor::still_divided`), from the decisions returned here.
pub async fn divided(store: &Store) -> Result<Vec<Divided>, StoreError> {
    let rows: Vec<DividedRow> = sqlx::query_as(
        "WITH divided (item_id, follow_up_id) AS MATERIALIZED (
             SELECT p.item_id, NULL::bigint FROM follow_up_pending p
             UNION ALL
             SELECT f.follow_up_of_id, f.id FROM agenda_item f JOIN meeting fm ON fm.id = f.meeting_id
             WHERE f.follow_up_of_id IS NOT NULL AND fm.status = ANY($1)),
         decided AS MATERIALIZED (
             SELECT d.item_id, array_agg(d.body_id ORDER BY d.body_id) AS bodies, array_agg(d.outcome ORDER BY d.body_id) AS outcomes,
                    array_agg(d.text ORDER BY d.body_id) AS texts
             FROM decision d WHERE d.item_id IN (SELECT item_id FROM divided) GROUP BY d.item_id),
         deciding AS MATERIALIZED (
             SELECT b.item_id, array_agg(b.body_id ORDER BY b.body_id) AS bodies FROM agenda_item_body b
             WHERE b.item_id IN (SELECT item_id FROM divided) GROUP BY b.item_id),
         meetings AS MATERIALIZED (
             SELECT mb.meeting_id, array_agg(mb.body_id ORDER BY mb.body_id) AS bodies FROM meeting_body mb
             WHERE mb.meeting_id IN (SELECT i.meeting_id FROM agenda_item i WHERE i.id IN (SELECT item_id FROM divided UNION ALL SELECT follow_up_id FROM divided))
             GROUP BY mb.meeting_id)
         SELECT i.id AS item_id, i.title, i.visibility_body_id,
                COALESCE(dg.bodies, '{}') AS deciding_bodies, COALESCE(dc.bodies, '{}') AS decided_bodies,
                COALESCE(dc.outcomes, '{}') AS outcomes, COALESCE(dc.texts, '{}') AS texts,
                m.id AS meeting_id, m.title AS meeting_title, m.starts_at AS meeting_starts_at, COALESCE(mm.bodies, '{}') AS meeting_bodies,
                f.id AS follow_up_id, fm.id AS follow_up_meeting_id, fm.title AS follow_up_meeting_title,
                fm.starts_at AS follow_up_starts_at, fm.status AS follow_up_status, fmm.bodies AS follow_up_bodies
         FROM divided x JOIN agenda_item i ON i.id = x.item_id JOIN meeting m ON m.id = i.meeting_id
         LEFT JOIN deciding dg ON dg.item_id = i.id LEFT JOIN decided dc ON dc.item_id = i.id
         LEFT JOIN meetings mm ON mm.meeting_id = m.id
         LEFT JOIN agenda_item f ON f.id = x.follow_up_id LEFT JOIN meeting fm ON fm.id = f.meeting_id
         LEFT JOIN meetings fmm ON fmm.meeting_id = fm.id
         ORDER BY m.starts_at DESC, i.position, i.id",
    )
    .bind(open_statuses())
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            let decisions = r
                .decided_bodies
                .iter()
                .zip(r.outcomes)
                .zip(r.texts)
                .map(|((&body_id, outcome), text)| {
                    Ok(BodyDecision {
                        body_id,
                        outcome: DecisionOutcome::try_from(outcome)?,
                        text,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let follow_up = match (
                r.follow_up_id,
                r.follow_up_meeting_id,
                r.follow_up_meeting_title,
                r.follow_up_starts_at,
                r.follow_up_status,
            ) {
                (Some(item), Some(meeting), Some(title), Some(starts_at), Some(status)) => {
                    Some(FollowUp {
                        item_id: item.into(),
                        meeting_id: meeting.into(),
                        meeting_title: title,
                        meeting_starts_at: starts_at,
                        meeting_status: MeetingStatus::try_from(status)?,
                        meeting_bodies: r.follow_up_bodies.unwrap_or_default(),
                    })
                }
                _ => None,
            };
            Ok(Divided {
                item_id: r.item_id.into(),
                title: r.title,
                visibility_body_id: r.visibility_body_id,
                deciding_bodies: r.deciding_bodies,
                decisions,
                meeting_id: r.meeting_id.into(),
                meeting_title: r.meeting_title,
                meeting_starts_at: r.meeting_starts_at,
                meeting_bodies: r.meeting_bodies,
                follow_up,
            })
        })
        .collect()
}

/// The budget year in preparation and where it stands (D9).
#[derive(Debug, Clone)]
pub struct BudgetYearStatus {
    /// The latest year with settings, as the budget pages choose it; `fallback` without any.
    pub year: i16,
    pub scenarios: usize,
    /// The latest adoption of each of the two latest years with one (up to `year`), newest
    /// first, without their decisions: the year's own, and the budget that is monitored and
    /// exported.
    pub adoptions: Vec<Adoption>,
    /// The year's open proposals, soonest meeting first.
    pub proposals: Vec<OpenProposal>,
}

/// A scenario proposed for adoption on a meeting, not yet decided.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenProposal {
    #[sqlx(try_from = "i64")]
    pub scenario_id: domain::ids::ScenarioId,
    pub scenario_name: String,
    #[sqlx(try_from = "i64")]
    pub meeting_id: MeetingId,
    pub meeting_title: String,
    pub meeting_starts_at: OffsetDateTime,
    pub meeting_bodies: Vec<i64>,
}

impl BudgetYearStatus {
    /// The year's own adoption, when it has one.
    pub fn adopted(&self) -> Option<&Adoption> {
        self.adoptions.iter().find(|a| a.year == self.year)
    }
}

/// Where the budget year stands; three queries.
pub async fn budget_year(store: &Store, fallback: i16) -> Result<BudgetYearStatus, StoreError> {
    let (year, scenarios): (i16, i64) = sqlx::query_as(
        "SELECT y.year, (SELECT count(*) FROM budget_scenario s WHERE s.year = y.year)
         FROM (SELECT COALESCE(max(year), $1::smallint) AS year FROM budget_year) y",
    )
    .bind(fallback)
    .fetch_one(store.pool())
    .await?;
    let adoptions = sqlx::query_as(
        "SELECT a.id, a.scenario_id, s.name AS scenario_name, a.year, a.item_id, a.meeting_id,
                m.title AS meeting_title, m.starts_at AS meeting_starts_at, a.amends_id,
                a.adopted_at, a.content_hash
         FROM (SELECT DISTINCT ON (year) * FROM budget_adoption WHERE year <= $1
               ORDER BY year DESC, adopted_at DESC, id DESC LIMIT 2) a
         JOIN budget_scenario s ON s.id = a.scenario_id JOIN meeting m ON m.id = a.meeting_id
         ORDER BY a.year DESC",
    )
    .bind(year)
    .fetch_all(store.pool());
    let proposals = sqlx::query_as(
        "SELECT p.scenario_id, s.name AS scenario_name, i.meeting_id, m.title AS meeting_title,
                m.starts_at AS meeting_starts_at,
                COALESCE((SELECT array_agg(mb.body_id ORDER BY mb.body_id) FROM meeting_body mb WHERE mb.meeting_id = m.id), '{}') AS meeting_bodies
         FROM budget_adoption_proposal p JOIN budget_scenario s ON s.id = p.scenario_id
         JOIN agenda_item i ON i.id = p.item_id JOIN meeting m ON m.id = i.meeting_id
         WHERE s.year = $1 AND p.status = $2
         ORDER BY m.starts_at, p.id",
    )
    .bind(year)
    .bind(ProposalStatus::Voorgesteld.code())
    .fetch_all(store.pool());
    let (adoptions, proposals) = tokio::try_join!(adoptions, proposals)?;
    Ok(BudgetYearStatus {
        year,
        scenarios: usize::try_from(scenarios).unwrap_or(0),
        adoptions,
        proposals,
    })
}

/// A submitted trend input that waits for a reviewer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AwaitingReview {
    #[sqlx(try_from = "i64")]
    pub id: TrendInputId,
    #[sqlx(try_from = "i64")]
    pub vakgroep_id: VakgroepId,
    #[sqlx(try_from = "String")]
    pub vakgroep_code: VakgroepCode,
    pub vakgroep_name: String,
    #[sqlx(try_from = "String")]
    pub kind: ChangeKind,
    pub value: Decimal,
    #[sqlx(try_from = "String")]
    pub category: TrendCategory,
    pub updated_at: OffsetDateTime,
    /// How many wait in all, before the limit.
    pub total: i64,
}

impl AwaitingReview {
    pub fn change(&self) -> TrendChange {
        TrendChange::new(self.kind, self.value)
    }
}

/// The first `limit` trend inputs of `year` that wait for review, the longest waiting first,
/// each with the total that wait; one query.
pub async fn awaiting_review(
    store: &Store,
    year: i16,
    limit: i64,
) -> Result<Vec<AwaitingReview>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT t.id, t.vakgroep_id, v.code AS vakgroep_code, v.name AS vakgroep_name, t.kind, t.value,
                t.category, t.updated_at, count(*) OVER () AS total
         FROM trend_input t JOIN vakgroep v ON v.id = t.vakgroep_id
         WHERE t.year = $1 AND t.status = $2
         ORDER BY t.updated_at, t.id LIMIT $3",
    )
    .bind(year)
    .bind(TrendStatus::Ingediend.code())
    .bind(limit)
    .fetch_all(store.pool())
    .await?)
}

/// How many trend inputs of a year one vakgroep has in one status.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TrendCount {
    #[sqlx(try_from = "i64")]
    pub vakgroep_id: VakgroepId,
    #[sqlx(try_from = "String")]
    pub vakgroep_code: VakgroepCode,
    pub vakgroep_name: String,
    /// `None`: the vakgroep has no trend input this year.
    #[sqlx(try_from = "crate::codes::NullableCode")]
    pub status: Option<TrendStatus>,
    pub count: i64,
}

/// The trend inputs of `year` of these vakgroepen per status, by vakgroep code and status, with
/// a row without status for a vakgroep without any; one query.
pub async fn trend_counts(
    store: &Store,
    year: i16,
    vakgroepen: &[VakgroepId],
) -> Result<Vec<TrendCount>, StoreError> {
    let ids: Vec<i64> = vakgroepen.iter().map(|v| v.get()).collect();
    Ok(sqlx::query_as(
        "SELECT v.id AS vakgroep_id, v.code AS vakgroep_code, v.name AS vakgroep_name, t.status,
                count(t.id) AS count
         FROM vakgroep v LEFT JOIN trend_input t ON t.vakgroep_id = v.id AND t.year = $1
         WHERE v.id = ANY($2)
         GROUP BY v.id, v.code, v.name, t.status
         ORDER BY v.code, t.status",
    )
    .bind(year)
    .bind(&ids)
    .fetch_all(store.pool())
    .await?)
}
