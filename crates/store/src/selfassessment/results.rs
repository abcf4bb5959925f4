//! What the results read (C3–C5): respondent counts per body, a closed round's anonymous answers
//! for `domain::selfassessment::compute`, every closed round's alignment for the trend, and the
//! statements of one S for turning a result into an agenda item or an agreement.

use super::rounds::{RoundRow, RoundStatementRow, statements};
use super::{round_select, seat_positions};
use crate::{PgConnection, Store, StoreError};
use domain::agreements::kinds::SevenS;
use domain::ids::BodyId;
use domain::people::BodyKind;
use domain::selfassessment::{
    AnonymousAnswer, Answer, PerS, Refusal, RoundAlignment, RoundBody, RoundId, RoundResults,
    RoundStatement, StatementId, compute,
};
use serde::Serialize;
use sqlx::types::Decimal;
use std::collections::HashMap;
use time::Date;

/// How far a body is with a round: for the secretary, who must know in time whether a body will
/// reach the threshold. Counts only, never names.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct BodyParticipation {
    #[sqlx(try_from = "i64")]
    pub body_id: BodyId,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: BodyKind,
    /// The body's seated members today (who may answer for it).
    pub members: i64,
    /// How many handed in for this body.
    pub respondents: i64,
}

/// Respondents per invited body, in the round's order.
pub async fn participation(
    store: &Store,
    round: RoundId,
) -> Result<Vec<BodyParticipation>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT rb.body_id, rb.name, rb.kind,
                (SELECT count(*) FROM membership m JOIN person p ON p.id = m.person_id
                 WHERE m.body_id = rb.body_id AND m.position = ANY($2) AND p.disabled_at IS NULL) AS members,
                (SELECT count(*) FROM sa_participation pa
                 WHERE pa.round_id = rb.round_id AND pa.body_id = rb.body_id) AS respondents
         FROM sa_round_body rb WHERE rb.round_id = $1 ORDER BY rb.position",
    )
    .bind(round.get())
    .bind(seat_positions())
    .fetch_all(store.pool())
    .await?)
}

/// A closed round and everything `compute` needs of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedRound {
    pub round: RoundRow,
    /// The frozen statements in the round's order, with their keys.
    pub statement_rows: Vec<RoundStatementRow>,
    pub statements: Vec<RoundStatement>,
    /// The invited bodies (names and kinds as when the round opened) with their respondent
    /// counts from the participation table.
    pub bodies: Vec<RoundBody>,
    /// The anonymous answers, in an order that follows their content only.
    pub answers: Vec<AnonymousAnswer>,
}

impl ClosedRound {
    /// The round's results (C4) under the threshold and pooling rules of the domain.
    pub fn results(&self) -> RoundResults {
        compute(&self.statements, &self.bodies, &self.answers)
    }
}

/// A closed round with its statements, bodies and anonymous answers. A round that is not closed
/// has no results yet (`Refusal::NoResultsYet`): an open round past its closing date is closed
/// by [`super::close_overdue`] first.
pub async fn closed_round(store: &Store, id: RoundId) -> Result<ClosedRound, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let round: RoundRow = sqlx::query_as(concat!(round_select!(), " WHERE r.id = $1"))
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !round.status.shows_results() {
        return Err(Refusal::NoResultsYet.into());
    }
    let data = round_data(&mut conn, id).await?;
    Ok(ClosedRound {
        round,
        statement_rows: data.statement_rows,
        statements: data.statements,
        bodies: data.bodies,
        answers: data.answers,
    })
}

/// A round's statements, bodies and answers, whatever its status (the close computes the
/// alignment from them before the status changes).
pub(super) struct RoundData {
    pub(super) statement_rows: Vec<RoundStatementRow>,
    pub(super) statements: Vec<RoundStatement>,
    pub(super) bodies: Vec<RoundBody>,
    pub(super) answers: Vec<AnonymousAnswer>,
}

#[derive(sqlx::FromRow)]
struct BodyRow {
    #[sqlx(try_from = "i64")]
    body_id: BodyId,
    name: String,
    #[sqlx(try_from = "String")]
    kind: BodyKind,
    respondents: i64,
}

#[derive(sqlx::FromRow)]
struct AnswerRow {
    #[sqlx(try_from = "i64")]
    body_id: BodyId,
    #[sqlx(try_from = "i64")]
    statement_id: StatementId,
    #[sqlx(try_from = "String")]
    answer: Answer,
    comment: Option<String>,
}

pub(super) async fn round_data(
    conn: &mut PgConnection,
    id: RoundId,
) -> Result<RoundData, StoreError> {
    let statement_rows = statements(&mut *conn, id).await?;
    let bodies: Vec<BodyRow> = sqlx::query_as(
        "SELECT rb.body_id, rb.name, rb.kind,
                (SELECT count(*) FROM sa_participation p
                 WHERE p.round_id = rb.round_id AND p.body_id = rb.body_id) AS respondents
         FROM sa_round_body rb WHERE rb.round_id = $1 ORDER BY rb.position",
    )
    .bind(id.get())
    .fetch_all(&mut *conn)
    .await?;
    // Sorted by content, so that not even the order handed over says anything.
    let answers: Vec<AnswerRow> = sqlx::query_as(
        "SELECT body_id, statement_id, answer, comment FROM sa_answer WHERE round_id = $1
         ORDER BY statement_id, body_id, answer, comment",
    )
    .bind(id.get())
    .fetch_all(&mut *conn)
    .await?;
    Ok(RoundData {
        statements: statement_rows.iter().map(|s| s.statement()).collect(),
        statement_rows,
        bodies: bodies
            .into_iter()
            .map(|b| RoundBody {
                id: b.body_id,
                name: b.name,
                kind: b.kind,
                respondents: u32::try_from(b.respondents).unwrap_or(u32::MAX),
            })
            .collect(),
        answers: answers
            .into_iter()
            .map(|a| AnonymousAnswer {
                body_id: a.body_id,
                statement: a.statement_id,
                answer: a.answer,
                comment: a.comment,
            })
            .collect(),
    })
}

/// The alignment per S and overall of every closed round, in date order (closing date, then id):
/// what `domain::selfassessment::trend` and the dashboard take. Kept when each round closed.
pub async fn alignments(store: &Store) -> Result<Vec<RoundAlignment>, StoreError> {
    let rounds: Vec<RoundRow> = sqlx::query_as(concat!(
        round_select!(),
        " WHERE r.status = 'gesloten' ORDER BY r.closes_on, r.id"
    ))
    .fetch_all(store.pool())
    .await?;
    let scores: Vec<(i64, String, Option<Decimal>)> = sqlx::query_as(
        "SELECT a.round_id, a.s, a.score FROM sa_round_alignment a
         JOIN sa_round r ON r.id = a.round_id WHERE r.status = 'gesloten'",
    )
    .fetch_all(store.pool())
    .await?;
    let mut by_round: HashMap<(i64, SevenS), Option<Decimal>> = HashMap::new();
    for (round, s, score) in scores {
        by_round.insert((round, SevenS::try_from(s)?), score);
    }
    Ok(rounds
        .into_iter()
        .map(|r| RoundAlignment {
            per_s: PerS::from_fn(|s| by_round.get(&(r.id.get(), s)).copied().flatten()),
            overall: r.overall_alignment,
            round: r.id,
            title: r.title,
            date: r.closes_on,
        })
        .collect())
}

/// What a discussion item or a draft agreement made from a result starts with (C5): the round,
/// the S, and the round's statements of that S.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionBasis {
    pub round: RoundId,
    pub title: String,
    pub closes_on: Date,
    pub s: SevenS,
    /// In the round's order.
    pub statements: Vec<RoundStatementRow>,
}

/// The basis for turning a closed round's result on `s` into an action.
pub async fn action_basis(
    store: &Store,
    round: RoundId,
    s: SevenS,
) -> Result<ActionBasis, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let row: RoundRow = sqlx::query_as(concat!(round_select!(), " WHERE r.id = $1"))
        .bind(round.get())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !row.status.shows_results() {
        return Err(Refusal::NoResultsYet.into());
    }
    let statements = statements(&mut *conn, round)
        .await?
        .into_iter()
        .filter(|st| st.s == s)
        .collect();
    Ok(ActionBasis {
        round,
        title: row.title,
        closes_on: row.closes_on,
        s,
        statements,
    })
}
