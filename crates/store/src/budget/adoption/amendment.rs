//! A *begrotingswijziging* of an adopted budget, and the adopted budgets as `budget verify`
//! reads them.

use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use domain::budget::adoption as rules;
use domain::ids::ScenarioId;
use serde_json::json;
use sqlx::types::Decimal;

/// Creates a *begrotingswijziging* of adopted scenario `id`: a new scenario of the same year
/// with the same parameters, trend inputs, variants and bands, marked as changing that adopted
/// budget, to be proposed and adopted the same way.
pub async fn create_amendment(
    conn: &mut PgConnection,
    who: &Who,
    id: ScenarioId,
) -> Result<ScenarioId, StoreError> {
    let adoption: i64 = sqlx::query_scalar("SELECT id FROM budget_adoption WHERE scenario_id = $1")
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let base = super::super::scenario(&mut *conn, id).await?;
    let taken: i64 =
        sqlx::query_scalar("SELECT count(*) FROM budget_adoption_amendment WHERE amends_id = $1")
            .bind(adoption)
            .fetch_one(&mut *conn)
            .await?;
    let draft = domain::budget::ScenarioDraft {
        year: base.year,
        name: rules::amendment_name(&base.name, taken + 1),
        description: base.description.clone(),
        reference_year: base.reference_year,
        variant: base.pz_variant,
        weights: domain::budget::Weights::new(base.w_out, base.w_eff, base.w_pz)
            .map_err(|e| StoreError::Other(format!("a stored scenario is invalid: {e}")))?,
        earmarked_amount: base.earmarked_amount,
        grondslag: base.grondslag,
        trend_input_ids: base.trend_input_ids.clone(),
        overrides: base
            .variants
            .iter()
            .map(|v| (v.vakgroep_id, v.pz_variant))
            .collect(),
        previous: base.previous_scenario_id,
    };
    let new = super::super::create_scenario(conn, who, &draft).await?;
    sqlx::query(
        "INSERT INTO scenario_distribution (scenario_id, earmark_placement)
         SELECT $2, earmark_placement FROM scenario_distribution WHERE scenario_id = $1",
    )
    .bind(id.get())
    .bind(new.get())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO scenario_distribution_band (scenario_id, vakgroep_id, band_floor, band_cap)
         SELECT $2, vakgroep_id, band_floor, band_cap FROM scenario_distribution_band
         WHERE scenario_id = $1",
    )
    .bind(id.get())
    .bind(new.get())
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO budget_adoption_amendment (scenario_id, amends_id) VALUES ($1, $2)")
        .bind(new.get())
        .bind(adoption)
        .execute(&mut *conn)
        .await?;
    let change = Change::new("budget_adoption_amendment", new, "create")
        .after(json!({ "scenario_id": new.get(), "amends_adoption_id": adoption }));
    audit::record(conn, who, change).await?;
    Ok(new)
}

/// An adopted budget as `budget verify` reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Stored {
    pub id: i64,
    pub year: i16,
    pub scenario_name: String,
    pub snapshot: String,
    pub content_hash: String,
    /// (vakgroep id, allocation, earmark, total) as the allocation rows hold them.
    #[sqlx(skip)]
    pub allocations: Vec<(i64, Decimal, Decimal, Decimal)>,
}

/// The ids of every adopted budget, oldest first.
pub async fn ids(store: &Store) -> Result<Vec<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM budget_adoption ORDER BY id")
            .fetch_all(store.pool())
            .await?,
    )
}

/// One adopted budget with its snapshot and allocation rows.
pub async fn stored(store: &Store, id: i64) -> Result<Stored, StoreError> {
    let mut s: Stored = sqlx::query_as(
        "SELECT a.id, a.year, s.name AS scenario_name, a.snapshot, a.content_hash
         FROM budget_adoption a JOIN budget_scenario s ON s.id = a.scenario_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    s.allocations = sqlx::query_as(
        "SELECT vakgroep_id, allocation, earmark, total FROM budget_adoption_allocation
         WHERE adoption_id = $1 ORDER BY vakgroep_id",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    Ok(s)
}
