//! Answering a round (C2, C3): which bodies a person may answer for, the dashboard's open
//! invitations, the personal draft, and the submit that moves the answers into the anonymous
//! table in one transaction.

use super::rounds::statements;
use super::{lock_round, seat_positions};
use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use domain::ids::{BodyId, PersonId};
use domain::selfassessment::{
    Answer, AnswersDraft, DraftAnswer, Refusal, RoundId, StatementId, Submission,
};
use rand::TryRngCore as _;
use serde::Serialize;
use sqlx::PgExecutor;
use std::collections::BTreeSet;
use time::Date;

/// A body a person may answer a round for.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct EligibleBody {
    #[sqlx(try_from = "i64")]
    pub id: BodyId,
    pub name: String,
}

/// The bodies `person` may answer `round` for, in the round's order: the invited bodies in which
/// they hold a seat (voorzitter or lid), while their account is enabled. Observer bodies never
/// answer, also when a body became one after the round was opened.
pub async fn eligible_bodies(
    db: impl PgExecutor<'_>,
    round: RoundId,
    person: PersonId,
) -> Result<Vec<EligibleBody>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT rb.body_id AS id, rb.name FROM sa_round_body rb
         JOIN body b ON b.id = rb.body_id AND b.kind <> 'toezicht'
         JOIN membership m ON m.body_id = rb.body_id AND m.person_id = $2 AND m.position = ANY($3)
         JOIN person p ON p.id = m.person_id AND p.disabled_at IS NULL
         WHERE rb.round_id = $1
         ORDER BY rb.position",
    )
    .bind(round.get())
    .bind(person.get())
    .bind(seat_positions())
    .fetch_all(db)
    .await?)
}

/// An open round a person is invited to answer today, for the dashboard's reminder.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Invitation {
    #[sqlx(try_from = "i64")]
    pub round: RoundId,
    pub title: String,
    pub closes_on: Date,
    /// How many statements the round has.
    pub statements: i64,
    /// How many of them the person's saved draft answers.
    pub drafted: i64,
    /// The person has handed in: nothing left to do.
    pub submitted: bool,
}

/// The rounds that take answers today and that `person` may answer or has answered, the soonest
/// closing first. The dashboard reminds of those not `submitted`.
pub async fn invitations(
    store: &Store,
    person: PersonId,
    today: Date,
) -> Result<Vec<Invitation>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT r.id AS round, r.title, r.closes_on,
                (SELECT count(*) FROM sa_round_statement s WHERE s.round_id = r.id) AS statements,
                (SELECT count(*) FROM sa_answer_draft d
                 WHERE d.round_id = r.id AND d.person_id = $1 AND d.answer IS NOT NULL) AS drafted,
                EXISTS (SELECT 1 FROM sa_participation p WHERE p.round_id = r.id AND p.person_id = $1) AS submitted
         FROM sa_round r
         WHERE r.status = 'open' AND r.opens_on <= $2 AND $2 <= r.closes_on
           AND (EXISTS (SELECT 1 FROM sa_participation p WHERE p.round_id = r.id AND p.person_id = $1)
                OR EXISTS (SELECT 1 FROM sa_round_body rb
                           JOIN body b ON b.id = rb.body_id AND b.kind <> 'toezicht'
                           JOIN membership m ON m.body_id = rb.body_id AND m.person_id = $1 AND m.position = ANY($3)
                           JOIN person pe ON pe.id = m.person_id AND pe.disabled_at IS NULL
                           WHERE rb.round_id = r.id))
         ORDER BY r.closes_on, r.id",
    )
    .bind(person.get())
    .bind(today)
    .bind(seat_positions())
    .fetch_all(store.pool())
    .await?)
}

/// Whether `person` has handed in `round` (they may see that they took part, nothing more).
pub async fn has_participated(
    db: impl PgExecutor<'_>,
    round: RoundId,
    person: PersonId,
) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sa_participation WHERE round_id = $1 AND person_id = $2)",
    )
    .bind(round.get())
    .bind(person.get())
    .fetch_one(db)
    .await?)
}

/// What a respondent must be to write answers today: the round open and within its dates, a
/// seat in an invited body, not yet handed in. Returns the eligible bodies.
async fn check_respondent(
    conn: &mut PgConnection,
    round: RoundId,
    person: PersonId,
    today: Date,
) -> Result<Vec<EligibleBody>, StoreError> {
    let row = lock_round(conn, round).await?;
    if !row.accepts_answers(today) {
        return Err(Refusal::NotAccepting.into());
    }
    let eligible = eligible_bodies(&mut *conn, round, person).await?;
    if eligible.is_empty() {
        return Err(Refusal::NotInvited.into());
    }
    if has_participated(&mut *conn, round, person).await? {
        return Err(Refusal::AlreadySubmitted.into());
    }
    Ok(eligible)
}

/// Keeps a respondent's unfinished answers until they submit, replacing what they saved before.
/// Only their own, only while the round takes answers. Not audited: a draft is the person's
/// unsent work, and an entry per save would log when someone worked on their answers.
pub async fn save_draft(
    conn: &mut PgConnection,
    round: RoundId,
    person: PersonId,
    input: &AnswersDraft,
    today: Date,
) -> Result<(), StoreError> {
    check_respondent(conn, round, person, today).await?;
    let known: BTreeSet<StatementId> = statements(&mut *conn, round)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    if input.answers.iter().any(|a| !known.contains(&a.statement)) {
        return Err(Refusal::ForeignStatement.into());
    }
    sqlx::query("DELETE FROM sa_answer_draft WHERE round_id = $1 AND person_id = $2")
        .bind(round.get())
        .bind(person.get())
        .execute(&mut *conn)
        .await?;
    let ids: Vec<i64> = input.answers.iter().map(|a| a.statement.get()).collect();
    let answers: Vec<Option<&str>> = input
        .answers
        .iter()
        .map(|a| a.answer.map(Answer::code))
        .collect();
    let comments: Vec<Option<&str>> = input.answers.iter().map(|a| a.comment.as_deref()).collect();
    sqlx::query(
        "INSERT INTO sa_answer_draft (round_id, person_id, statement_id, answer, comment)
         SELECT $1, $2, d.statement_id, d.answer, d.comment
         FROM unnest($3::bigint[], $4::text[], $5::text[]) AS d(statement_id, answer, comment)",
    )
    .bind(round.get())
    .bind(person.get())
    .bind(&ids)
    .bind(&answers)
    .bind(&comments)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DraftRow {
    #[sqlx(try_from = "i64")]
    statement_id: StatementId,
    answer: Option<String>,
    comment: Option<String>,
}

/// The person's own saved answers for a round, in the round's order (empty when none).
pub async fn draft(
    store: &Store,
    round: RoundId,
    person: PersonId,
) -> Result<AnswersDraft, StoreError> {
    let rows: Vec<DraftRow> = sqlx::query_as(
        "SELECT d.statement_id, d.answer, d.comment FROM sa_answer_draft d
         JOIN sa_round_statement s ON s.id = d.statement_id
         WHERE d.round_id = $1 AND d.person_id = $2 ORDER BY s.position",
    )
    .bind(round.get())
    .bind(person.get())
    .fetch_all(store.pool())
    .await?;
    let answers = rows
        .into_iter()
        .map(|r| {
            Ok(DraftAnswer {
                statement: r.statement_id,
                answer: r.answer.map(Answer::try_from).transpose()?,
                comment: r.comment,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(AnswersDraft { answers })
}

/// Hands in a person's answers for `body`, in one transaction (the caller's): records that they
/// took part (a second submit is refused), rewrites the body's answers with theirs added in
/// random order, deletes their draft, and audits the participation — never the content. The
/// answers cannot be changed afterwards. Call [`super::vacuum`] after the commit.
pub async fn submit(
    conn: &mut PgConnection,
    who: &Who,
    round: RoundId,
    person: PersonId,
    body: BodyId,
    submission: Submission,
    today: Date,
) -> Result<(), StoreError> {
    let eligible = check_respondent(conn, round, person, today).await?;
    if !eligible.iter().any(|b| b.id == body) {
        return Err(Refusal::BodyNotEligible.into());
    }
    let expected: BTreeSet<StatementId> = statements(&mut *conn, round)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let given: Vec<StatementId> = submission.answers.iter().map(|a| a.statement).collect();
    if given.iter().any(|id| !expected.contains(id)) {
        return Err(Refusal::ForeignStatement.into());
    }
    if given.len() != expected.len() || given.iter().collect::<BTreeSet<_>>().len() != given.len() {
        return Err(Refusal::Incomplete.into());
    }
    let inserted = sqlx::query(
        "INSERT INTO sa_participation (round_id, person_id, body_id) VALUES ($1, $2, $3)
         ON CONFLICT (round_id, person_id) DO NOTHING",
    )
    .bind(round.get())
    .bind(person.get())
    .bind(body.get())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(Refusal::AlreadySubmitted.into());
    }
    let rows = submission.into_rows(body, os_seed()?);
    let bodies: Vec<i64> = rows.iter().map(|r| r.body_id.get()).collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.statement.get()).collect();
    let answers: Vec<&str> = rows.iter().map(|r| r.answer.code()).collect();
    let comments: Vec<Option<&str>> = rows.iter().map(|r| r.comment.as_deref()).collect();
    // One statement: the body's earlier answers and the new ones, all rewritten in random order,
    // so that no answer keeps the transaction id or the place of its own submit. Only this body's:
    // the body is on every answer anyway, and rewriting the whole round at every submit would cost
    // the square of its respondents.
    sqlx::query(
        "WITH gone AS (DELETE FROM sa_answer WHERE round_id = $1 AND body_id = $6
                       RETURNING body_id, statement_id, answer, comment),
              fresh AS (SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[])
                        AS f(body_id, statement_id, answer, comment))
         INSERT INTO sa_answer (round_id, body_id, statement_id, answer, comment)
         SELECT $1, a.body_id, a.statement_id, a.answer, a.comment
         FROM (SELECT * FROM gone UNION ALL SELECT * FROM fresh) AS a
         ORDER BY random()",
    )
    .bind(round.get())
    .bind(&bodies)
    .bind(&ids)
    .bind(&answers)
    .bind(&comments)
    .bind(body.get())
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM sa_answer_draft WHERE round_id = $1 AND person_id = $2")
        .bind(round.get())
        .bind(person.get())
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        who,
        Change::new("sa_round", round, "participate")
            .after(serde_json::json!({ "person_id": person })),
    )
    .await
}

/// A seed for the shuffle from the operating system's generator (docs: anonymity rule 3).
fn os_seed() -> Result<u64, StoreError> {
    rand::rngs::OsRng
        .try_next_u64()
        .map_err(|e| StoreError::Other(format!("no randomness from the operating system: {e}")))
}

/// Who is invited to answer `round`: the seated, enabled members of its invited bodies that are
/// not supervisory (the rule of [`invitations`]), by person, with address and name — for the
/// mail that the round opened. Says nothing about answers.
pub async fn invitees(
    conn: &mut PgConnection,
    round: RoundId,
) -> Result<Vec<(PersonId, String, String)>, StoreError> {
    invited(conn, round, false).await
}

/// The invitees of `round` who have not handed in yet: the reminder before it closes. Only
/// participation is read (who handed in), never an answer.
pub async fn invitees_yet_to_answer(
    conn: &mut PgConnection,
    round: RoundId,
) -> Result<Vec<(PersonId, String, String)>, StoreError> {
    invited(conn, round, true).await
}

async fn invited(
    conn: &mut PgConnection,
    round: RoundId,
    yet_to_answer: bool,
) -> Result<Vec<(PersonId, String, String)>, StoreError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT DISTINCT pe.id, pe.email, pe.name
         FROM sa_round_body rb
         JOIN body b ON b.id = rb.body_id AND b.kind <> 'toezicht'
         JOIN membership m ON m.body_id = rb.body_id AND m.position = ANY($2)
         JOIN person pe ON pe.id = m.person_id AND pe.disabled_at IS NULL
         WHERE rb.round_id = $1
           AND NOT ($3 AND EXISTS (SELECT 1 FROM sa_participation p
                                   WHERE p.round_id = $1 AND p.person_id = pe.id))
         ORDER BY pe.id",
    )
    .bind(round.get())
    .bind(seat_positions())
    .bind(yet_to_answer)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, email, name)| (PersonId::new(id), email, name))
        .collect())
}

/// Open rounds that close on `day` (the reminder goes out three days before).
pub async fn open_rounds_closing_on(
    store: &Store,
    day: Date,
) -> Result<Vec<(RoundId, String)>, StoreError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, title FROM sa_round WHERE status = 'open' AND closes_on = $1 ORDER BY id",
    )
    .bind(day)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(|(id, t)| (RoundId(id), t)).collect())
}
