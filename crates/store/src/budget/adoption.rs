//! Adoption of a budget (D9, migration 0015, docs/adoption.md): proposing a scenario on a joint
//! meeting, adopting it in the transaction of the decision that completes it ([`on_decision`]),
//! the immutable snapshot with its hash, changes through a *begrotingswijziging*, and what the
//! pages and `budget verify` read.

use super::computation::{Distributed, distributed_on, own_bands, year_frame};
use super::{LastYearSource, Scenario};
use crate::agenda;
use crate::audit::{self, Change, Who};
use crate::meetings::Meeting;
use crate::{Invalid, PgConnection, Store, StoreError};
use domain::budget::adoption::{
    self as rules, Amount, BodyRef, Inputs, OwnBand, ProposalStatus, Snapshot, Verdict,
};
use domain::ids::{ItemId, MeetingId, ScenarioId};
use domain::meetings::decisions::{BodyDecision, Candidate, follow_up_fits};
use domain::meetings::item_draft::ItemDraft;
use domain::meetings::kinds::{DecisionOutcome, Purpose, Subject};
use domain::meetings::links::{ItemLink, LinkKind};
use domain::people::{BodyKind, EmploymentForm};
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

mod amendment;
mod record;
pub use amendment::{Stored, create_amendment, ids, stored};
pub use record::{MasterRecord, engine_input_of};

/// A proposal for adoption with its meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Proposal {
    pub id: i64,
    #[sqlx(try_from = "i64")]
    pub scenario_id: ScenarioId,
    #[sqlx(try_from = "i64")]
    pub item_id: ItemId,
    #[sqlx(try_from = "i64")]
    pub meeting_id: MeetingId,
    pub meeting_title: String,
    pub meeting_starts_at: OffsetDateTime,
    #[sqlx(try_from = "String")]
    pub status: ProposalStatus,
    pub proposed_at: OffsetDateTime,
    pub proposed_by_label: String,
}

/// One body's decision that adopted a budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AdoptingDecision {
    pub body_id: i64,
    pub body_name: String,
    pub decision_id: i64,
    #[sqlx(try_from = "String")]
    pub outcome: DecisionOutcome,
    pub text: String,
    pub recorded_at: OffsetDateTime,
}

/// An adopted budget, without its snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Adoption {
    pub id: i64,
    #[sqlx(try_from = "i64")]
    pub scenario_id: ScenarioId,
    pub scenario_name: String,
    pub year: i16,
    #[sqlx(try_from = "i64")]
    pub item_id: ItemId,
    #[sqlx(try_from = "i64")]
    pub meeting_id: MeetingId,
    pub meeting_title: String,
    pub meeting_starts_at: OffsetDateTime,
    pub amends_id: Option<i64>,
    pub adopted_at: OffsetDateTime,
    pub content_hash: String,
    #[sqlx(skip)]
    pub decisions: Vec<AdoptingDecision>,
}

macro_rules! adoption_select {
    () => {
        "SELECT a.id, a.scenario_id, s.name AS scenario_name, a.year, a.item_id, a.meeting_id,
                m.title AS meeting_title, m.starts_at AS meeting_starts_at, a.amends_id,
                a.adopted_at, a.content_hash
         FROM budget_adoption a JOIN budget_scenario s ON s.id = a.scenario_id
         JOIN meeting m ON m.id = a.meeting_id "
    };
}

/// Where a scenario stands: its adoption, its proposals (newest first), and the adopted budget
/// it changes when it is a *begrotingswijziging*.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioAdoption {
    pub adoption: Option<Adoption>,
    pub proposals: Vec<Proposal>,
    pub amends: Option<Adoption>,
}

impl ScenarioAdoption {
    pub fn open_proposal(&self) -> Option<&Proposal> {
        self.proposals
            .iter()
            .find(|p| p.status == ProposalStatus::Voorgesteld)
    }
}

async fn with_decisions(
    conn: &mut PgConnection,
    adoption: Option<Adoption>,
) -> Result<Option<Adoption>, StoreError> {
    let Some(mut a) = adoption else {
        return Ok(None);
    };
    a.decisions = sqlx::query_as(
        "SELECT body_id, body_name, decision_id, outcome, text, recorded_at
         FROM budget_adoption_decision WHERE adoption_id = $1 ORDER BY body_id",
    )
    .bind(a.id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(a))
}

/// Scenario `id`'s adoption, proposals and the budget it changes.
pub async fn for_scenario(store: &Store, id: ScenarioId) -> Result<ScenarioAdoption, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let adoption = sqlx::query_as(concat!(adoption_select!(), "WHERE a.scenario_id = $1"))
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await?;
    let adoption = with_decisions(&mut conn, adoption).await?;
    let amends = sqlx::query_as(concat!(
        adoption_select!(),
        "WHERE a.id = (SELECT amends_id FROM budget_adoption_amendment WHERE scenario_id = $1)"
    ))
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await?;
    let amends = with_decisions(&mut conn, amends).await?;
    let proposals = sqlx::query_as(
        "SELECT p.id, p.scenario_id, p.item_id, i.meeting_id, m.title AS meeting_title,
                m.starts_at AS meeting_starts_at, p.status, p.proposed_at, p.proposed_by_label
         FROM budget_adoption_proposal p JOIN agenda_item i ON i.id = p.item_id
         JOIN meeting m ON m.id = i.meeting_id
         WHERE p.scenario_id = $1 ORDER BY p.proposed_at DESC, p.id DESC",
    )
    .bind(id.get())
    .fetch_all(&mut *conn)
    .await?;
    Ok(ScenarioAdoption {
        adoption,
        proposals,
        amends,
    })
}

/// The adopted budgets of a year, the first first: the year's history.
pub async fn for_year(store: &Store, year: i16) -> Result<Vec<Adoption>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<Adoption> = sqlx::query_as(concat!(
        adoption_select!(),
        "WHERE a.year = $1 ORDER BY a.adopted_at, a.id"
    ))
    .bind(year)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for a in rows {
        out.extend(with_decisions(&mut conn, Some(a)).await?);
    }
    Ok(out)
}

/// The latest year up to `year` with an adopted budget: what the dashboard monitors.
pub async fn latest_year(store: &Store, year: i16) -> Result<Option<i16>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT max(year) FROM budget_adoption WHERE year <= $1")
            .bind(year)
            .fetch_one(store.pool())
            .await?,
    )
}

/// The deciding bodies of a budget (`rules::deciding_bodies`).
async fn deciding_bodies(conn: &mut PgConnection) -> Result<Option<Vec<i64>>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        #[sqlx(try_from = "String")]
        kind: BodyKind,
        #[sqlx(try_from = "crate::codes::NullableCode")]
        seat_employment_form: Option<EmploymentForm>,
        sort_order: i32,
    }
    let rows: Vec<Row> =
        sqlx::query_as("SELECT id, kind, seat_employment_form, sort_order FROM body")
            .fetch_all(&mut *conn)
            .await?;
    let bodies: Vec<BodyRef> = rows
        .into_iter()
        .map(|r| BodyRef {
            id: r.id,
            kind: r.kind,
            seats: r.seat_employment_form,
            sort_order: r.sort_order,
        })
        .collect();
    Ok(rules::deciding_bodies(&bodies))
}

fn fits(now: OffsetDateTime, deciding: &[i64], m: &Meeting) -> bool {
    follow_up_fits(
        now,
        deciding,
        &Candidate {
            kind: m.kind,
            status: m.status,
            starts_at: m.starts_at,
            bodies: &m.bodies,
        },
    )
}

/// The meetings a scenario can be proposed on at `now`: upcoming joint meetings of both deciding
/// bodies whose agenda can still change, soonest first.
pub async fn candidate_meetings(
    store: &Store,
    now: OffsetDateTime,
) -> Result<Vec<Meeting>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let Some(deciding) = deciding_bodies(&mut conn).await? else {
        return Ok(Vec::new());
    };
    let meetings = crate::meetings::later_joint(&mut conn, now).await?;
    Ok(meetings
        .into_iter()
        .filter(|m| fits(now, &deciding, m))
        .collect())
}

/// Proposes scenario `id` for adoption on `meeting`: an agenda item (besluitvorming, decided by
/// the RvB and the MSB, linked to the scenario) before the closing item, and the proposal, with
/// audit entries. Refused when the scenario is adopted or already proposed, or the meeting
/// does not fit ([`candidate_meetings`]).
pub async fn propose(
    conn: &mut PgConnection,
    who: &Who,
    id: ScenarioId,
    meeting: MeetingId,
    now: OffsetDateTime,
) -> Result<ItemId, StoreError> {
    // Proposals of one scenario take turns; the partial unique index is the last word.
    let scenario: Option<(String, i16)> =
        sqlx::query_as("SELECT name, year FROM budget_scenario WHERE id = $1 FOR UPDATE")
            .bind(id.get())
            .fetch_optional(&mut *conn)
            .await?;
    let (name, year) = scenario.ok_or(StoreError::NotFound)?;
    let (adopted, proposed): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM budget_adoption WHERE scenario_id = $1),
                EXISTS (SELECT 1 FROM budget_adoption_proposal
                        WHERE scenario_id = $1 AND status = 'voorgesteld')",
    )
    .bind(id.get())
    .fetch_one(&mut *conn)
    .await?;
    if adopted {
        return Err(Invalid::Adopted.into());
    }
    if proposed {
        return Err(Invalid::AlreadyProposed.into());
    }
    let deciding = deciding_bodies(conn)
        .await?
        .ok_or(Invalid::NoDecidingBodies)?;
    let target = crate::meetings::get(&mut *conn, meeting).await?;
    if !fits(now, &deciding, &target) {
        return Err(Invalid::MeetingUnfit.into());
    }
    let position = before_closing(conn, who, meeting).await?;
    let input = ItemDraft {
        parent_id: None,
        title: rules::item_title(&name, year),
        description: rules::ITEM_DESCRIPTION.into(),
        presenter: String::new(),
        planned_minutes: 15,
        purpose: Purpose::Besluitvorming,
        subject: Subject::Algemeen,
        visibility_body_id: None,
        links: vec![ItemLink {
            kind: LinkKind::Scenario,
            target: id.get(),
        }],
        deciding_bodies: deciding,
        standing: None,
    };
    let item = agenda::add(conn, who, meeting, position, &input, None, None).await?;
    let proposal: i64 = sqlx::query_scalar(
        "INSERT INTO budget_adoption_proposal (scenario_id, item_id, proposed_by, proposed_by_label)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(id.get())
    .bind(item.get())
    .bind(who.id)
    .bind(&who.label)
    .fetch_one(&mut *conn)
    .await?;
    let change = Change::new("budget_adoption_proposal", proposal, "create").after(
        json!({ "scenario_id": id.get(), "item_id": item.get(), "meeting_id": meeting.get() }),
    );
    audit::record(conn, who, change).await?;
    Ok(item)
}

/// The position of a new top-level item before the meeting's closing standing item, moving it
/// and anything after it one down ([`agenda::insertion_point`]).
async fn before_closing(
    conn: &mut PgConnection,
    who: &Who,
    meeting: MeetingId,
) -> Result<i32, StoreError> {
    let items = agenda::items(&mut *conn, meeting).await?;
    let (position, moves) = agenda::insertion_point(&items, None);
    agenda::set_positions(conn, who, &moves).await?;
    Ok(position)
}

/// Called by `decisions::record` after every decision, in its transaction (the item row is
/// locked, so decisions on one item take turns): when the item is an open proposal and the
/// decisions now settle it, the budget is adopted (snapshot, hash, decisions, allocation) or the
/// proposal is closed as the bodies decided. Anything else is left alone.
pub async fn on_decision(
    conn: &mut PgConnection,
    who: &Who,
    item: ItemId,
) -> Result<(), StoreError> {
    let proposal: Option<(i64, i64)> = sqlx::query_as(
        "SELECT id, scenario_id FROM budget_adoption_proposal
         WHERE item_id = $1 AND status = 'voorgesteld' FOR UPDATE",
    )
    .bind(item.get())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((proposal, scenario)) = proposal else {
        return Ok(());
    };
    let deciding: Vec<i64> = sqlx::query_scalar(
        "SELECT body_id FROM agenda_item_body WHERE item_id = $1 ORDER BY body_id",
    )
    .bind(item.get())
    .fetch_all(&mut *conn)
    .await?;
    let decisions = decisions_on(conn, item).await?;
    let bodies: Vec<BodyDecision> = decisions
        .iter()
        .map(|d| BodyDecision {
            body_id: d.body_id,
            outcome: d.outcome,
            text: d.text.clone(),
        })
        .collect();
    let status = match rules::verdict(&deciding, &bodies) {
        Verdict::Open => return Ok(()),
        Verdict::Close(status) => status,
        Verdict::Adopt => {
            adopt(
                conn,
                who,
                proposal,
                ScenarioId::new(scenario),
                item,
                &decisions,
            )
            .await?;
            ProposalStatus::Vastgesteld
        }
    };
    sqlx::query("UPDATE budget_adoption_proposal SET status = $2, closed_at = now() WHERE id = $1")
        .bind(proposal)
        .bind(status.code())
        .execute(&mut *conn)
        .await?;
    let change = Change::new("budget_adoption_proposal", proposal, "close")
        .after(json!({ "status": status.code() }));
    audit::record(conn, who, change).await
}

async fn decisions_on(
    conn: &mut PgConnection,
    item: ItemId,
) -> Result<Vec<AdoptingDecision>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT d.body_id, b.name AS body_name, d.id AS decision_id, d.outcome, d.text,
                d.recorded_at
         FROM decision d JOIN body b ON b.id = d.body_id WHERE d.item_id = $1 ORDER BY d.body_id",
    )
    .bind(item.get())
    .fetch_all(&mut *conn)
    .await?)
}

/// The snapshot's inputs from a scenario computed through to its distribution, taking its
/// engine input (200,000 care products in a large hospital) rather than copying it.
fn inputs(d: &mut Distributed) -> Inputs {
    let mut last_year: Vec<Amount> = d
        .last_year
        .amounts
        .iter()
        .map(|(&vakgroep_id, &amount)| Amount {
            vakgroep_id,
            amount,
        })
        .collect();
    last_year.sort_by_key(|a| a.vakgroep_id);
    let mut own: Vec<OwnBand> = own_bands(&d.setup)
        .into_iter()
        .map(|(vakgroep_id, band)| OwnBand { vakgroep_id, band })
        .collect();
    own.sort_by_key(|b| b.vakgroep_id);
    let source = match &d.last_year.source {
        LastYearSource::None => "geen".to_string(),
        LastYearSource::PreviousScenario { id, name } => {
            format!("begroting vorig jaar {name} ({id})")
        }
        LastYearSource::Adopted {
            name,
            year,
            content_hash,
            ..
        } => {
            format!("vastgestelde begroting {year} {name} ({content_hash})")
        }
    };
    Inputs {
        year: d.setup.year,
        engine: std::mem::take(&mut d.loaded.input),
        params: d.loaded.params.clone(),
        year_frame: year_frame(&d.setup),
        placement: d.setup.settings.placement,
        last_year_source: source,
        last_year,
        own_bands: own,
    }
}

fn snapshot_error(e: rules::AdoptionError) -> StoreError {
    StoreError::Other(format!("adopting a budget: {e}"))
}

async fn adopt(
    conn: &mut PgConnection,
    who: &Who,
    proposal: i64,
    scenario: ScenarioId,
    item: ItemId,
    decisions: &[AdoptingDecision],
) -> Result<(), StoreError> {
    let mut d = distributed_on(conn, scenario).await?;
    let meeting: (i64, String, OffsetDateTime) = sqlx::query_as(
        "SELECT m.id, m.title, m.starts_at FROM agenda_item i JOIN meeting m ON m.id = i.meeting_id
         WHERE i.id = $1",
    )
    .bind(item.get())
    .fetch_one(&mut *conn)
    .await?;
    let amends: Option<i64> = sqlx::query_scalar(
        "SELECT amends_id FROM budget_adoption_amendment WHERE scenario_id = $1",
    )
    .bind(scenario.get())
    .fetch_optional(&mut *conn)
    .await?;
    let s: &Scenario = &d.loaded.stored.scenario;
    let year = s.year;
    let context = json!({
        "scenario": { "id": s.id.get(), "year": s.year, "name": s.name, "reference_year": s.reference_year },
        "amends_adoption_id": amends,
        "meeting": { "id": meeting.0, "title": meeting.1, "starts_at": meeting.2.unix_timestamp() },
        "agenda_item_id": item.get(),
        "decisions": decisions.iter().map(|x| json!({
            "body_id": x.body_id, "body": x.body_name, "decision_id": x.decision_id,
            "outcome": x.outcome.code(), "text": x.text,
        })).collect::<Vec<_>>(),
    });
    let master = serde_json::to_value(MasterRecord::of(&d.loaded.stored, &d.loaded.input))
        .map_err(|e| StoreError::Other(format!("serialising master data: {e}")))?;
    let inputs = inputs(&mut d);
    // The results the decision was taken on, computed once: `budget verify` recomputes them.
    let snapshot = Snapshot::assemble(context, master, inputs, &d.result, &d.outcome)
        .map_err(snapshot_error)?;
    let (text, hash) = snapshot.seal().map_err(snapshot_error)?;
    let adoption: i64 = sqlx::query_scalar(
        "INSERT INTO budget_adoption (scenario_id, year, proposal_id, item_id, meeting_id, amends_id,
                                      snapshot, content_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(scenario.get())
    .bind(year)
    .bind(proposal)
    .bind(item.get())
    .bind(meeting.0)
    .bind(amends)
    .bind(&text)
    .bind(&hash)
    .fetch_one(&mut *conn)
    .await?;
    for x in decisions {
        sqlx::query(
            "INSERT INTO budget_adoption_decision (adoption_id, body_id, body_name, decision_id,
                                                   outcome, text, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(adoption)
        .bind(x.body_id)
        .bind(&x.body_name)
        .bind(x.decision_id)
        .bind(x.outcome.code())
        .bind(&x.text)
        .bind(x.recorded_at)
        .execute(&mut *conn)
        .await?;
    }
    if let Ok(distribution) = &d.outcome {
        for v in &distribution.vakgroepen {
            sqlx::query(
                "INSERT INTO budget_adoption_allocation (adoption_id, vakgroep_id, code, allocation,
                                                         earmark, total)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(adoption)
            .bind(v.vakgroep_id)
            .bind(&v.code)
            .bind(v.allocation)
            .bind(v.earmark)
            .bind(v.total)
            .execute(&mut *conn)
            .await?;
        }
    }
    let change = Change::new("budget_adoption", adoption, "create").after(json!({
        "scenario_id": scenario.get(), "year": year, "content_hash": hash, "proposal_id": proposal,
    }));
    audit::record(conn, who, change).await
}

/// The budget the decisions on agenda item `item` adopted in the caller's transaction (`now()`
/// is the transaction's start, the default of `adopted_at`), or `None` — also when it was adopted
/// earlier and a decision is corrected since: what the mail that a budget was adopted names
/// (issue #16), written once, by the decision that adopted it.
pub async fn just_adopted(
    conn: &mut PgConnection,
    item: ItemId,
) -> Result<Option<Adoption>, StoreError> {
    Ok(sqlx::query_as(concat!(
        adoption_select!(),
        "WHERE a.item_id = $1 AND a.adopted_at = now()"
    ))
    .bind(item.get())
    .fetch_optional(&mut *conn)
    .await?)
}
