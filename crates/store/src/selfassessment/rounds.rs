//! Rounds (C2): made and edited in concept (title, dates, invited bodies, chosen statements),
//! opened (the chosen statements are copied, frozen, into `sa_round_statement`), and closed — by
//! hand, or on the first visit after the closing date. Closing deletes the drafts unread, rewrites
//! the answers in random order and keeps the round's alignment per S.

use super::{lock_round, round_select, s_order};
use crate::audit::{self, Change, Who};
use crate::codes::IdList;
use crate::{PgConnection, Store, StoreError};
use domain::agreements::kinds::SevenS;
use domain::ids::{BodyId, PersonId};
use domain::people::BodyKind;
use domain::selfassessment::round::transition;
use domain::selfassessment::{
    CatalogueStatementId, Refusal, RoundDraft, RoundFacts, RoundId, RoundStatement, RoundStatus,
    StatementId, accepts_answers, effective_status,
};
use serde::Serialize;
use sqlx::types::Decimal;
use sqlx::{PgExecutor, Row as _};
use time::Date;

/// A round as the lists and forms show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct RoundRow {
    #[sqlx(try_from = "i64")]
    pub id: RoundId,
    pub title: String,
    pub opens_on: Date,
    pub closes_on: Date,
    /// As stored; see [`RoundRow::effective_status`] for what to show and act on.
    #[sqlx(try_from = "String")]
    pub status: RoundStatus,
    /// Kept when the round closes (the mean of its per-S alignment scores), if there was one.
    pub overall_alignment: Option<Decimal>,
    pub version: i32,
}

impl RoundRow {
    /// An open round past its closing date counts as closed (the store closes it on the next
    /// [`close_overdue`]).
    pub fn effective_status(&self, today: Date) -> RoundStatus {
        effective_status(self.status, self.closes_on, today)
    }

    pub fn accepts_answers(&self, today: Date) -> bool {
        accepts_answers(self.status, self.opens_on, self.closes_on, today)
    }
}

/// An invited body, with its name and kind as copied into the round.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct RoundBodyRow {
    #[sqlx(try_from = "i64")]
    pub body_id: BodyId,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: BodyKind,
}

/// A statement of an opened round: the frozen copy people answer.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct RoundStatementRow {
    #[sqlx(try_from = "i64")]
    pub id: StatementId,
    #[sqlx(try_from = "i64")]
    pub catalogue_id: CatalogueStatementId,
    /// The catalogue statement's version when it was copied.
    pub catalogue_version: i32,
    pub key: String,
    #[sqlx(try_from = "String")]
    pub s: SevenS,
    pub text: String,
}

impl RoundStatementRow {
    /// The statement as the domain's results take it.
    pub fn statement(&self) -> RoundStatement {
        RoundStatement {
            id: self.id,
            s: self.s,
            text: self.text.clone(),
        }
    }
}

/// A round with everything that belongs to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundDetail {
    pub round: RoundRow,
    /// In the order chosen.
    pub bodies: Vec<RoundBodyRow>,
    /// The catalogue statements chosen (what a concept round will copy when it opens).
    pub choices: Vec<CatalogueStatementId>,
    /// The frozen statements in the round's order; empty while the round is in concept.
    pub statements: Vec<RoundStatementRow>,
}

impl RoundDetail {
    /// The ids of the round's statements, in order: what the answer forms parse against.
    pub fn statement_ids(&self) -> Vec<StatementId> {
        self.statements.iter().map(|s| s.id).collect()
    }
}

/// Every round, the newest first (for the secretary).
pub async fn rounds(store: &Store) -> Result<Vec<RoundRow>, StoreError> {
    Ok(sqlx::query_as(concat!(
        round_select!(),
        " ORDER BY r.opens_on DESC, r.id DESC"
    ))
    .fetch_all(store.pool())
    .await?)
}

/// The rounds a person sees, the newest first: rounds past concept to which a body they belong
/// to is invited, and rounds they took part in (also after leaving the body).
pub async fn rounds_for(store: &Store, person: PersonId) -> Result<Vec<RoundRow>, StoreError> {
    Ok(sqlx::query_as(concat!(round_select!(), "
         WHERE r.status <> 'concept'
           AND (EXISTS (SELECT 1 FROM sa_round_body rb JOIN membership m ON m.body_id = rb.body_id
                        WHERE rb.round_id = r.id AND m.person_id = $1)
                OR EXISTS (SELECT 1 FROM sa_participation p WHERE p.round_id = r.id AND p.person_id = $1))
         ORDER BY r.opens_on DESC, r.id DESC"))
    .bind(person.get())
    .fetch_all(store.pool())
    .await?)
}

/// A round with its bodies, choices and statements.
pub async fn round(store: &Store, id: RoundId) -> Result<RoundDetail, StoreError> {
    let mut conn = store.pool().acquire().await?;
    detail(&mut conn, id).await
}

/// [`round`] inside the caller's transaction, which sees its own writes.
pub async fn round_on(conn: &mut PgConnection, id: RoundId) -> Result<RoundDetail, StoreError> {
    detail(conn, id).await
}

async fn detail(db: &mut PgConnection, id: RoundId) -> Result<RoundDetail, StoreError> {
    let round: RoundRow = sqlx::query_as(concat!(round_select!(), " WHERE r.id = $1"))
        .bind(id.get())
        .fetch_optional(&mut *db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let bodies = sqlx::query_as(
        "SELECT body_id, name, kind FROM sa_round_body WHERE round_id = $1 ORDER BY position",
    )
    .bind(id.get())
    .fetch_all(&mut *db)
    .await?;
    let choices: IdList = sqlx::query_scalar(
        "SELECT COALESCE(array_agg(statement_id ORDER BY statement_id), '{}') FROM sa_round_choice
         WHERE round_id = $1",
    )
    .bind(id.get())
    .fetch_one(&mut *db)
    .await?;
    let statements = statements(&mut *db, id).await?;
    Ok(RoundDetail {
        round,
        bodies,
        choices: choices.into(),
        statements,
    })
}

/// The frozen statements of a round in its order.
pub(super) async fn statements(
    db: impl PgExecutor<'_>,
    id: RoundId,
) -> Result<Vec<RoundStatementRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, catalogue_id, catalogue_version, key, s, text FROM sa_round_statement
         WHERE round_id = $1 ORDER BY position",
    )
    .bind(id.get())
    .fetch_all(db)
    .await?)
}

/// The round as the audit trail records it before and after a change.
async fn snapshot(conn: &mut PgConnection, id: RoundId) -> Result<RoundDetail, StoreError> {
    let mut detail = detail(&mut *conn, id).await;
    // The frozen statements are many and never change after opening; their count says enough.
    if let Ok(d) = &mut detail {
        d.statements.clear();
    }
    detail
}

/// Makes a round in concept. Returns its id.
pub async fn create_round(
    conn: &mut PgConnection,
    who: &Who,
    input: &RoundDraft,
    statements: &[CatalogueStatementId],
) -> Result<RoundId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sa_round (title, opens_on, closes_on) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(&input.title)
    .bind(input.opens_on)
    .bind(input.closes_on)
    .fetch_one(&mut *conn)
    .await?;
    let id = RoundId(id);
    write_links(conn, id, input, statements).await?;
    let after = snapshot(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("sa_round", id, "create").after(&after),
    )
    .await?;
    Ok(id)
}

/// Saves an edit of a round in concept made on version `expected_version`.
pub async fn update_round(
    conn: &mut PgConnection,
    who: &Who,
    id: RoundId,
    expected_version: i32,
    input: &RoundDraft,
    statements: &[CatalogueStatementId],
) -> Result<(), StoreError> {
    let round = lock_round(conn, id).await?;
    if !round.status.is_editable() {
        return Err(Refusal::NotEditable.into());
    }
    if round.version != expected_version {
        return Err(StoreError::Conflict);
    }
    let before = snapshot(conn, id).await?;
    sqlx::query(
        "UPDATE sa_round SET title = $2, opens_on = $3, closes_on = $4, version = version + 1
         WHERE id = $1",
    )
    .bind(id.get())
    .bind(&input.title)
    .bind(input.opens_on)
    .bind(input.closes_on)
    .execute(&mut *conn)
    .await?;
    write_links(conn, id, input, statements).await?;
    let after = snapshot(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("sa_round", id, "update")
            .before(&before)
            .after(&after),
    )
    .await
}

/// Removes a round that is still in concept (nobody has seen it).
pub async fn delete_round(
    conn: &mut PgConnection,
    who: &Who,
    id: RoundId,
    expected_version: i32,
) -> Result<(), StoreError> {
    let round = lock_round(conn, id).await?;
    if !round.status.is_editable() {
        return Err(Refusal::NotEditable.into());
    }
    if round.version != expected_version {
        return Err(StoreError::Conflict);
    }
    let before = snapshot(conn, id).await?;
    sqlx::query("DELETE FROM sa_round WHERE id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        who,
        Change::new("sa_round", id, "delete").before(&before),
    )
    .await
}

/// Replaces the invited bodies (with their names and kinds copied) and the chosen statements.
async fn write_links(
    conn: &mut PgConnection,
    id: RoundId,
    input: &RoundDraft,
    statements: &[CatalogueStatementId],
) -> Result<(), StoreError> {
    let body_ids: Vec<i64> = input.body_ids.iter().map(|b| b.get()).collect();
    let invitable: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT id) FROM body WHERE id = ANY($1) AND kind <> 'toezicht'",
    )
    .bind(&body_ids)
    .fetch_one(&mut *conn)
    .await?;
    let mut distinct = body_ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if invitable != distinct.len() as i64 {
        return Err(Refusal::BodyNotInvitable.into());
    }
    let mut chosen: Vec<i64> = statements.iter().map(|s| s.get()).collect();
    chosen.sort_unstable();
    chosen.dedup();
    let available: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sa_statement WHERE id = ANY($1) AND active")
            .bind(&chosen)
            .fetch_one(&mut *conn)
            .await?;
    if available != chosen.len() as i64 {
        return Err(Refusal::StatementUnavailable.into());
    }
    sqlx::query("DELETE FROM sa_round_body WHERE round_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    // The first occurrence of a body sets its position.
    sqlx::query(
        "INSERT INTO sa_round_body (round_id, body_id, position, name, kind)
         SELECT $1, b.id, min(t.n), b.name, b.kind
         FROM unnest($2::bigint[]) WITH ORDINALITY AS t(body_id, n)
         JOIN body b ON b.id = t.body_id
         GROUP BY b.id, b.name, b.kind",
    )
    .bind(id.get())
    .bind(&body_ids)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM sa_round_choice WHERE round_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO sa_round_choice (round_id, statement_id) SELECT $1, unnest($2::bigint[])",
    )
    .bind(id.get())
    .bind(&chosen)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Opens a concept round: checks it with the domain's `transition`, copies the invited bodies'
/// names and kinds and the chosen statements as they read now, and sets it open.
pub async fn open_round(
    conn: &mut PgConnection,
    who: &Who,
    id: RoundId,
    expected_version: i32,
    today: Date,
) -> Result<(), StoreError> {
    let round = lock_round(conn, id).await?;
    if round.version != expected_version {
        return Err(StoreError::Conflict);
    }
    // The chosen statements stay as counted until they are copied: a deactivation waits.
    sqlx::query(
        "SELECT s.id FROM sa_round_choice c JOIN sa_statement s ON s.id = c.statement_id
         WHERE c.round_id = $1 FOR SHARE OF s",
    )
    .bind(id.get())
    .execute(&mut *conn)
    .await?;
    let counts = sqlx::query(
        "SELECT (SELECT count(*) FROM sa_round_choice c JOIN sa_statement s ON s.id = c.statement_id
                 WHERE c.round_id = $1 AND s.active) AS statements,
                (SELECT count(*) FROM sa_round_body WHERE round_id = $1) AS bodies,
                EXISTS (SELECT 1 FROM sa_round_body rb JOIN body b ON b.id = rb.body_id
                        WHERE rb.round_id = $1 AND b.kind = 'toezicht') AS observers",
    )
    .bind(id.get())
    .fetch_one(&mut *conn)
    .await?;
    let facts = RoundFacts {
        statements: usize::try_from(counts.try_get::<i64, _>("statements")?).unwrap_or(0),
        bodies: usize::try_from(counts.try_get::<i64, _>("bodies")?).unwrap_or(0),
        closes_on: round.closes_on,
    };
    transition(round.status, RoundStatus::Open, facts, today)?;
    // A body made an observer after it was invited does not answer.
    if counts.try_get::<bool, _>("observers")? {
        return Err(Refusal::BodyNotInvitable.into());
    }
    let before = snapshot(conn, id).await?;
    sqlx::query(
        "UPDATE sa_round_body rb SET name = b.name, kind = b.kind FROM body b
         WHERE rb.round_id = $1 AND b.id = rb.body_id",
    )
    .bind(id.get())
    .execute(&mut *conn)
    .await?;
    let copied = sqlx::query(
        "INSERT INTO sa_round_statement (round_id, catalogue_id, catalogue_version, key, s, text, position)
         SELECT $1, s.id, s.version, s.key, s.s, s.text,
                row_number() OVER (ORDER BY array_position($2::text[], s.s), s.position, s.id)
         FROM sa_round_choice c JOIN sa_statement s ON s.id = c.statement_id
         WHERE c.round_id = $1 AND s.active",
    )
    .bind(id.get())
    .bind(s_order())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if usize::try_from(copied).ok() != Some(facts.statements) {
        // Changed under the count after all: the secretary opens it again.
        return Err(StoreError::Conflict);
    }
    sqlx::query("UPDATE sa_round SET status = 'open', version = version + 1 WHERE id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    let after = snapshot(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("sa_round", id, "open")
            .before(&before)
            .after(&after),
    )
    .await
}

/// Closes an open round by hand (also before its closing date) made on version
/// `expected_version`. Call [`vacuum`] after the commit.
pub async fn close_round(
    conn: &mut PgConnection,
    who: &Who,
    id: RoundId,
    expected_version: i32,
    today: Date,
) -> Result<(), StoreError> {
    let round = lock_round(conn, id).await?;
    if round.version != expected_version {
        return Err(StoreError::Conflict);
    }
    let facts = RoundFacts {
        statements: 0,
        bodies: 0,
        closes_on: round.closes_on,
    };
    transition(round.status, RoundStatus::Gesloten, facts, today)?;
    close_locked(conn, who, &round).await
}

/// Closes every open round whose closing date lies before `today`, as the first visit after that
/// date finds them; returns the rounds closed. Call [`vacuum`] after the commit when any were.
pub async fn close_overdue(
    conn: &mut PgConnection,
    who: &Who,
    today: Date,
) -> Result<Vec<RoundId>, StoreError> {
    let overdue: Vec<RoundRow> = sqlx::query_as(concat!(
        round_select!(),
        " WHERE r.status = 'open' AND r.closes_on < $1
         ORDER BY r.id FOR UPDATE"
    ))
    .bind(today)
    .fetch_all(&mut *conn)
    .await?;
    for round in &overdue {
        close_locked(conn, who, round).await?;
    }
    Ok(overdue.into_iter().map(|r| r.id).collect())
}

/// The close itself, on a round locked by the caller.
async fn close_locked(
    conn: &mut PgConnection,
    who: &Who,
    round: &RoundRow,
) -> Result<(), StoreError> {
    let id = round.id;
    // Unsent work is nobody's business once the round is over: deleted, never read.
    sqlx::query("DELETE FROM sa_answer_draft WHERE round_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    // Every answer gets the closing transaction's id and a random place (docs: residual risks).
    sqlx::query(
        "WITH gone AS (DELETE FROM sa_answer WHERE round_id = $1
                       RETURNING body_id, statement_id, answer, comment)
         INSERT INTO sa_answer (round_id, body_id, statement_id, answer, comment)
         SELECT $1, body_id, statement_id, answer, comment FROM gone ORDER BY random()",
    )
    .bind(id.get())
    .execute(&mut *conn)
    .await?;
    let data = super::results::round_data(&mut *conn, id).await?;
    let alignment = domain::selfassessment::compute_alignment(
        &data.statements,
        &data.bodies,
        &data.answers,
        id,
        &round.title,
        round.closes_on,
    );
    let codes: Vec<&str> = alignment.per_s.iter().map(|(s, _)| s.code()).collect();
    let scores: Vec<Option<Decimal>> = alignment.per_s.iter().map(|(_, v)| *v).collect();
    sqlx::query(
        "INSERT INTO sa_round_alignment (round_id, s, score)
         SELECT $1, s, score FROM unnest($2::text[], $3::numeric[]) AS a(s, score)",
    )
    .bind(id.get())
    .bind(&codes)
    .bind(&scores)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE sa_round SET status = 'gesloten', overall_alignment = $2, version = version + 1
         WHERE id = $1",
    )
    .bind(id.get())
    .bind(alignment.overall)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        who,
        Change::new("sa_round", id, "close")
            .before(serde_json::json!({ "status": round.status }))
            .after(serde_json::json!({ "status": RoundStatus::Gesloten })),
    )
    .await
}

/// Vacuums the answer and draft tables, outside any transaction, so that the row versions a
/// submit or a close replaced (which still carry their old transaction ids) are removed from the
/// table files as soon as no running transaction can see them. Best effort: call it after
/// committing a submit or a close, and ignore (log) a failure.
pub async fn vacuum(store: &Store) -> Result<(), StoreError> {
    sqlx::raw_sql("VACUUM sa_answer, sa_answer_draft")
        .execute(store.pool())
        .await?;
    Ok(())
}
