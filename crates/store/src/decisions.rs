//! Decisions per body on an agenda item, named votes and attendance (product.md A3, A4).

use crate::audit::{self, Change, Who};
use crate::codes::NullableCode;
use crate::versioned::write_versioned;
use crate::{PgConnection, Store, StoreError};
use domain::ids::{ItemId, MeetingId, PersonId};
use domain::meetings::kinds::DecisionOutcome;
use domain::meetings::voting::Choice;
use domain::people::{BodyCode, EmploymentForm, Position};
use serde::Serialize;
use sqlx::PgExecutor;
use time::OffsetDateTime;

#[derive(Debug, Clone, Serialize)]
pub struct DecisionInput {
    pub item_id: ItemId,
    pub body_id: i64,
    pub outcome: DecisionOutcome,
    pub text: String,
    pub votes_for: Option<i32>,
    pub votes_against: Option<i32>,
    pub votes_abstain: Option<i32>,
    /// The explanation computed by the voting rules, kept with the decision.
    pub vote_summary: String,
    /// Named votes: (person, choice).
    pub named: Vec<(PersonId, Choice)>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Decision {
    pub id: i64,
    #[sqlx(try_from = "i64")]
    pub item_id: ItemId,
    pub body_id: i64,
    #[sqlx(try_from = "String")]
    pub outcome: DecisionOutcome,
    pub text: String,
    pub votes_for: Option<i32>,
    pub votes_against: Option<i32>,
    pub votes_abstain: Option<i32>,
    pub vote_summary: String,
    pub recorded_at: OffsetDateTime,
    pub version: i32,
}

/// Every decision taken on the items of a meeting, in one query.
pub async fn for_meeting(
    store: &Store,
    meeting_id: MeetingId,
) -> Result<Vec<Decision>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT d.id, d.item_id, d.body_id, d.outcome, d.text, d.votes_for, d.votes_against, d.votes_abstain,
                d.vote_summary, d.recorded_at, d.version
         FROM decision d JOIN agenda_item i ON i.id = d.item_id
         WHERE i.meeting_id = $1 ORDER BY d.item_id, d.body_id",
    )
    .bind(meeting_id.get())
    .fetch_all(store.pool())
    .await?)
}

/// One decision by id.
pub async fn get(store: &Store, id: i64) -> Result<Decision, StoreError> {
    sqlx::query_as(
        "SELECT id, item_id, body_id, outcome, text, votes_for, votes_against, votes_abstain, vote_summary, recorded_at, version
         FROM decision WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)
}

/// The decision of one body on one item, if recorded.
pub async fn on_item_body(
    store: &Store,
    item: ItemId,
    body: i64,
) -> Result<Option<Decision>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    on_item_body_on(&mut conn, item, body).await
}

async fn on_item_body_on(
    conn: &mut PgConnection,
    item: ItemId,
    body: i64,
) -> Result<Option<Decision>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, item_id, body_id, outcome, text, votes_for, votes_against, votes_abstain, vote_summary, recorded_at, version
         FROM decision WHERE item_id = $1 AND body_id = $2",
    )
    .bind(item.get())
    .bind(body)
    .fetch_optional(conn)
    .await?)
}

/// Records the decision of one body on one item with its named votes, based on the version the
/// form showed: 0 for a new decision. `Conflict` when the stored decision is not that version
/// (someone recorded or corrected it meanwhile); nothing is written then (F4).
/// Decisions on one item take turns, so that whoever records second sees the first decision
/// when judging the joint outcome (a divided item must never go unnoticed), and what was decided
/// before a decision — read after this in the same transaction — is what it changed.
pub async fn take_turn(conn: &mut PgConnection, item_id: ItemId) -> Result<(), StoreError> {
    sqlx::query("SELECT 1 FROM agenda_item WHERE id = $1 FOR UPDATE")
        .bind(item_id.get())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn record(
    conn: &mut PgConnection,
    who: &Who,
    input: &DecisionInput,
    expected_version: i32,
) -> Result<i64, StoreError> {
    take_turn(conn, input.item_id).await?;
    let before = on_item_body_on(conn, input.item_id, input.body_id).await?;
    let id: Option<i64> = if expected_version == 0 {
        sqlx::query_scalar(
            "INSERT INTO decision (item_id, body_id, outcome, text, votes_for, votes_against, votes_abstain, vote_summary, recorded_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (item_id, body_id) DO NOTHING
             RETURNING id",
        )
    } else {
        sqlx::query_scalar(
            "UPDATE decision SET outcome = $3, text = $4, votes_for = $5, votes_against = $6, votes_abstain = $7,
                    vote_summary = $8, recorded_by = $9, recorded_at = now(), version = version + 1
             WHERE item_id = $1 AND body_id = $2 AND version = $10
             RETURNING id",
        )
    }
    .bind(input.item_id.get())
    .bind(input.body_id)
    .bind(input.outcome.code())
    .bind(&input.text)
    .bind(input.votes_for)
    .bind(input.votes_against)
    .bind(input.votes_abstain)
    .bind(&input.vote_summary)
    .bind(who.id)
    .bind(expected_version)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else {
        return Err(StoreError::Conflict);
    };
    sqlx::query("DELETE FROM vote WHERE decision_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (person, choice) in &input.named {
        sqlx::query("INSERT INTO vote (decision_id, person_id, choice) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(person.get())
            .bind(choice.code())
            .execute(&mut *conn)
            .await?;
    }
    crate::live::notify_items(conn, &[input.item_id]).await?;
    let action = if before.is_some() { "update" } else { "create" };
    let mut change = Change::new("decision", id, action).after(input);
    if let Some(b) = before {
        change = change.before(b);
    }
    audit::record(conn, who, change).await?;
    crate::budget::adoption::on_decision(conn, who, input.item_id).await?;
    Ok(id)
}

/// One named vote.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Vote {
    pub decision_id: i64,
    #[sqlx(try_from = "i64")]
    pub person_id: PersonId,
    #[sqlx(try_from = "String")]
    pub choice: Choice,
}

/// The named votes of one decision: (person, choice).
pub async fn votes_of(
    store: &Store,
    decision_id: i64,
) -> Result<Vec<(PersonId, Choice)>, StoreError> {
    let votes: Vec<Vote> = sqlx::query_as(
        "SELECT decision_id, person_id, choice FROM vote WHERE decision_id = $1 ORDER BY person_id",
    )
    .bind(decision_id)
    .fetch_all(store.pool())
    .await?;
    Ok(votes.into_iter().map(|v| (v.person_id, v.choice)).collect())
}

/// A member of a body, as needed for attendance and voting.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Member {
    #[sqlx(try_from = "i64")]
    pub person_id: PersonId,
    pub name: String,
    pub body_id: i64,
    #[sqlx(try_from = "String")]
    pub body_code: BodyCode,
    /// The employment form of the body's seats (see `bodies::Body::seats`).
    #[sqlx(try_from = "NullableCode")]
    pub body_seats: Option<EmploymentForm>,
    #[sqlx(try_from = "String")]
    pub position: Position,
    #[sqlx(try_from = "NullableCode")]
    pub employment_form: Option<EmploymentForm>,
}

/// The members of these bodies (a person in two bodies appears twice).
pub async fn members(store: &Store, bodies: &[i64]) -> Result<Vec<Member>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT m.person_id, p.name, m.body_id, b.code AS body_code, b.seat_employment_form AS body_seats,
                m.position, m.employment_form
         FROM membership m JOIN person p ON p.id = m.person_id JOIN body b ON b.id = m.body_id
         WHERE m.body_id = ANY($1) AND p.disabled_at IS NULL
         ORDER BY b.sort_order, p.name",
    )
    .bind(bodies)
    .fetch_all(store.pool())
    .await?)
}

/// Who was present at a meeting (people not listed were not recorded).
pub async fn attendance(
    store: &Store,
    meeting_id: MeetingId,
) -> Result<Vec<(PersonId, bool)>, StoreError> {
    let rows: Vec<(i64, bool)> =
        sqlx::query_as("SELECT person_id, present FROM attendance WHERE meeting_id = $1")
            .bind(meeting_id.get())
            .fetch_all(store.pool())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(person, present)| (PersonId::new(person), present))
        .collect())
}

/// The version of a meeting's attendance list (0: never saved).
pub async fn attendance_version(store: &Store, meeting_id: MeetingId) -> Result<i32, StoreError> {
    sqlx::query_scalar("SELECT attendance_version FROM meeting WHERE id = $1")
        .bind(meeting_id.get())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)
}

/// Replaces the attendance list of a meeting, based on the version the form showed; `Conflict`
/// when someone saved it meanwhile, and then nothing is written (F4).
pub async fn set_attendance(
    conn: &mut PgConnection,
    who: &Who,
    meeting_id: MeetingId,
    expected_version: i32,
    rows: &[(PersonId, bool)],
) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE meeting SET attendance_version = attendance_version + 1 WHERE id = $1 AND attendance_version = $2",
    )
    .bind(meeting_id.get())
    .bind(expected_version);
    write_versioned(&mut *conn, update).await?;
    let before: Vec<(i64, bool)> = sqlx::query_as(
        "SELECT person_id, present FROM attendance WHERE meeting_id = $1 ORDER BY person_id",
    )
    .bind(meeting_id.get())
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM attendance WHERE meeting_id = $1")
        .bind(meeting_id.get())
        .execute(&mut *conn)
        .await?;
    for (person, present) in rows {
        sqlx::query("INSERT INTO attendance (meeting_id, person_id, present) VALUES ($1, $2, $3)")
            .bind(meeting_id.get())
            .bind(person.get())
            .bind(present)
            .execute(&mut *conn)
            .await?;
    }
    crate::live::notify(conn, meeting_id).await?;
    audit::record(
        conn,
        who,
        Change::new("meeting", meeting_id, "attendance")
            .before(before)
            .after(rows),
    )
    .await
}

/// Named votes on the decisions of a meeting.
pub async fn votes_for_meeting(
    store: &Store,
    meeting_id: MeetingId,
) -> Result<Vec<Vote>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT v.decision_id, v.person_id, v.choice FROM vote v
         JOIN decision d ON d.id = v.decision_id JOIN agenda_item i ON i.id = d.item_id
         WHERE i.meeting_id = $1",
    )
    .bind(meeting_id.get())
    .fetch_all(store.pool())
    .await?)
}

/// The decisions on one item; `db` is the store's pool, or a transaction that must see its own
/// writes.
pub async fn for_item(
    db: impl PgExecutor<'_>,
    item_id: ItemId,
) -> Result<Vec<Decision>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, item_id, body_id, outcome, text, votes_for, votes_against, votes_abstain, vote_summary, recorded_at, version
         FROM decision WHERE item_id = $1 ORDER BY body_id",
    )
    .bind(item_id.get())
    .fetch_all(db)
    .await?)
}
