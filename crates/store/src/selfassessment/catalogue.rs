//! The statement catalogue (C1): the default statements written on first use, added, edited and
//! (de)activated by the secretary, every version kept in `sa_statement_version`. Rounds copy the
//! statements when they open, so nothing here changes what an earlier round asked.

use super::s_order;
use crate::audit::{self, Change, Who};
use crate::versioned::{IdRow, id_row, record_created, update_id_row};
use crate::{PgConnection, Store, StoreError};
use domain::agreements::kinds::SevenS;
use domain::selfassessment::{
    CatalogueStatementId, DEFAULT_CATALOGUE, Refusal, StatementDraft, next_key,
};
use serde::Serialize;
use time::OffsetDateTime;

/// A statement of the catalogue as it reads today.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct CatalogueRow {
    #[sqlx(try_from = "i64")]
    pub id: CatalogueStatementId,
    /// Stable for life and never reused: `structuur-4`.
    pub key: String,
    #[sqlx(try_from = "String")]
    pub s: SevenS,
    pub text: String,
    pub source: Option<String>,
    /// Inactive statements stay in the catalogue (and in the rounds that used them) but cannot be
    /// chosen for a new round.
    pub active: bool,
    /// The order within its S.
    pub position: i32,
    pub version: i32,
}

impl IdRow for CatalogueRow {
    const ENTITY: &'static str = "sa_statement";
    const ONE: &'static str = "SELECT id, key, s, text, source, active, position, version
                               FROM sa_statement WHERE id = $1";
    // Statements are deactivated, never deleted (their keys must not be given out again); no
    // function of the store deletes one.
    const DELETE: &'static str = "DELETE FROM sa_statement WHERE id = $1 AND version = $2";
}

/// One version of a catalogue statement.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct StatementVersionRow {
    pub version: i32,
    pub text: String,
    pub source: Option<String>,
    pub active: bool,
    pub changed_at: OffsetDateTime,
}

/// Writes the default catalogue (`DEFAULT_CATALOGUE`) when the catalogue is empty, and says
/// whether it did. The catalogue is empty only before its first use: statements are never
/// deleted. Seeding here rather than in the migration keeps one copy of the statements, in the
/// domain crate, and a new installation gets the domain's current wording.
pub async fn seed_default_catalogue(
    conn: &mut PgConnection,
    who: &Who,
) -> Result<bool, StoreError> {
    if catalogue_exists(&mut *conn).await? {
        return Ok(false);
    }
    // Two first uses at once take turns; the second finds the first's statements.
    sqlx::query("LOCK TABLE sa_statement IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *conn)
        .await?;
    if catalogue_exists(&mut *conn).await? {
        return Ok(false);
    }
    let keys: Vec<&str> = DEFAULT_CATALOGUE.iter().map(|st| st.key).collect();
    let s: Vec<&str> = DEFAULT_CATALOGUE.iter().map(|st| st.s.code()).collect();
    let texts: Vec<&str> = DEFAULT_CATALOGUE.iter().map(|st| st.text).collect();
    let sources: Vec<&str> = DEFAULT_CATALOGUE.iter().map(|st| st.source).collect();
    let count = sqlx::query(
        "WITH added AS (
             INSERT INTO sa_statement (key, s, text, source, position)
             SELECT d.key, d.s, d.text, NULLIF(d.source, ''), d.n * 10
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS d(key, s, text, source, n)
             RETURNING id, text, source, active
         )
         INSERT INTO sa_statement_version (statement_id, version, text, source, active)
         SELECT id, 1, text, source, active FROM added",
    )
    .bind(&keys)
    .bind(&s)
    .bind(&texts)
    .bind(&sources)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    audit::record(
        conn,
        who,
        Change::new("sa_catalogue", "standaard", "seed")
            .after(serde_json::json!({ "statements": count })),
    )
    .await?;
    Ok(true)
}

async fn catalogue_exists(conn: &mut PgConnection) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sa_statement)")
            .fetch_one(conn)
            .await?,
    )
}

/// The whole catalogue, inactive statements included, in the model's order and by position
/// within an S. Writes the default catalogue on first use.
pub async fn catalogue(store: &Store) -> Result<Vec<CatalogueRow>, StoreError> {
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sa_statement)")
        .fetch_one(store.pool())
        .await?;
    if !exists {
        let mut tx = store.begin().await?;
        seed_default_catalogue(&mut tx, &Who::system("zelfevaluatie")).await?;
        crate::commit(tx).await?;
    }
    Ok(sqlx::query_as(
        "SELECT id, key, s, text, source, active, position, version FROM sa_statement
         ORDER BY array_position($1::text[], s), position, id",
    )
    .bind(s_order())
    .fetch_all(store.pool())
    .await?)
}

/// Adds a statement at the end of its S, with the next free key of that S. Returns its id.
pub async fn add_statement(
    conn: &mut PgConnection,
    who: &Who,
    input: &StatementDraft,
) -> Result<CatalogueStatementId, StoreError> {
    seed_default_catalogue(conn, who).await?;
    // Keys are handed out one at a time; the unique key would refuse a second one anyway.
    sqlx::query("LOCK TABLE sa_statement IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *conn)
        .await?;
    let (keys, last): (Vec<String>, Option<i32>) = sqlx::query_as(
        "SELECT COALESCE(array_agg(key), '{}'), max(position) FILTER (WHERE s = $1) FROM sa_statement",
    )
    .bind(input.s.code())
    .fetch_one(&mut *conn)
    .await?;
    let key = next_key(input.s, keys.iter().map(String::as_str));
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sa_statement (key, s, text, source, position) VALUES ($1, $2, $3, $4, $5)
         RETURNING id",
    )
    .bind(&key)
    .bind(input.s.code())
    .bind(&input.text)
    .bind(input.source.as_deref())
    .bind(last.unwrap_or(0) + 10)
    .fetch_one(&mut *conn)
    .await?;
    record_version(conn, id).await?;
    record_created::<CatalogueRow>(conn, who, id).await?;
    Ok(CatalogueStatementId(id))
}

/// Saves a new wording (text and source) made on version `expected_version`; `Conflict` when
/// someone saved in between. The S cannot change: the key names it.
pub async fn edit_statement(
    conn: &mut PgConnection,
    who: &Who,
    id: CatalogueStatementId,
    expected_version: i32,
    input: &StatementDraft,
) -> Result<(), StoreError> {
    let before: CatalogueRow = id_row(&mut *conn, id.get()).await?;
    if before.s != input.s {
        return Err(Refusal::SFixed.into());
    }
    let update = sqlx::query(
        "UPDATE sa_statement SET text = $3, source = $4, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id.get())
    .bind(expected_version)
    .bind(&input.text)
    .bind(input.source.as_deref());
    update_id_row::<CatalogueRow>(conn, who, id.get(), update).await?;
    record_version(conn, id.get()).await
}

/// Deactivates a statement (it can no longer be chosen, and leaves the rounds still in concept)
/// or activates it again; `Conflict` on a stale version.
pub async fn set_statement_active(
    conn: &mut PgConnection,
    who: &Who,
    id: CatalogueStatementId,
    expected_version: i32,
    active: bool,
) -> Result<(), StoreError> {
    if !active {
        // A round in concept would otherwise open with a statement the secretary took out.
        // Before the audit entry, like every other write here: the audit trail's lock comes last.
        sqlx::query(
            "DELETE FROM sa_round_choice c USING sa_round r
             WHERE c.round_id = r.id AND r.status = 'concept' AND c.statement_id = $1",
        )
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    }
    let update = sqlx::query(
        "UPDATE sa_statement SET active = $3, version = version + 1 WHERE id = $1 AND version = $2",
    )
    .bind(id.get())
    .bind(expected_version)
    .bind(active);
    update_id_row::<CatalogueRow>(conn, who, id.get(), update).await?;
    record_version(conn, id.get()).await
}

/// Copies the statement as it now reads into its history.
async fn record_version(conn: &mut PgConnection, id: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sa_statement_version (statement_id, version, text, source, active)
         SELECT id, version, text, source, active FROM sa_statement WHERE id = $1",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every version of a statement, newest first.
pub async fn statement_history(
    store: &Store,
    id: CatalogueStatementId,
) -> Result<Vec<StatementVersionRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT version, text, source, active, changed_at FROM sa_statement_version
         WHERE statement_id = $1 ORDER BY version DESC",
    )
    .bind(id.get())
    .fetch_all(store.pool())
    .await?)
}
