//! Scenarios: the weights, variants and trend inputs one engine run starts from.

use super::{ensure_year, write_versioned};
use crate::audit::{self, Change, Who};
use crate::codes::{IdList, NullableId};
use crate::error::Invalid;
use crate::{PgConnection, Store, StoreError};
use domain::budget::{Grondslag, PzVariant, ScenarioDraft};
use domain::ids::{ScenarioId, TrendInputId, VakgroepId};
use serde::{Deserialize, Serialize};
use sqlx::types::Decimal;
use time::OffsetDateTime;

/// A vakgroep with another passende-zorg variant than its scenario's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantOverride {
    pub vakgroep_id: VakgroepId,
    #[serde(
        serialize_with = "PzVariant::serialize_number",
        deserialize_with = "PzVariant::deserialize_number"
    )]
    pub pz_variant: PzVariant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    pub id: ScenarioId,
    pub year: i16,
    pub name: String,
    pub description: String,
    pub reference_year: i16,
    #[serde(
        serialize_with = "PzVariant::serialize_number",
        deserialize_with = "PzVariant::deserialize_number"
    )]
    pub pz_variant: PzVariant,
    /// The one set of weights (fractions adding up to 1; `domain::budget::Weights::new`).
    pub w_out: Decimal,
    pub w_eff: Decimal,
    pub w_pz: Decimal,
    pub earmarked_amount: Decimal,
    pub grondslag: Grondslag,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub version: i32,
    /// Sorted.
    pub trend_input_ids: Vec<TrendInputId>,
    /// By vakgroep id.
    pub variants: Vec<VariantOverride>,
    pub previous_scenario_id: Option<ScenarioId>,
    pub previous_scenario_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ScenarioRaw {
    #[sqlx(try_from = "i64")]
    id: ScenarioId,
    year: i16,
    name: String,
    description: String,
    reference_year: i16,
    #[sqlx(try_from = "i16")]
    pz_variant: PzVariant,
    w_out: Decimal,
    w_eff: Decimal,
    w_pz: Decimal,
    earmarked_amount: Decimal,
    #[sqlx(try_from = "String")]
    grondslag: Grondslag,
    created_by: Option<i64>,
    created_by_name: Option<String>,
    created_at: OffsetDateTime,
    version: i32,
    #[sqlx(try_from = "IdList")]
    trend_input_ids: Vec<TrendInputId>,
    #[sqlx(try_from = "IdList")]
    variant_vakgroepen: Vec<VakgroepId>,
    variant_values: Vec<i16>,
    #[sqlx(try_from = "NullableId")]
    previous_scenario_id: Option<ScenarioId>,
    previous_scenario_name: Option<String>,
}

impl TryFrom<ScenarioRaw> for Scenario {
    type Error = StoreError;

    fn try_from(r: ScenarioRaw) -> Result<Self, StoreError> {
        let variants = r
            .variant_vakgroepen
            .iter()
            .zip(&r.variant_values)
            .map(|(&vakgroep_id, &n)| {
                Ok(VariantOverride {
                    vakgroep_id,
                    pz_variant: PzVariant::try_from(n)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Scenario {
            id: r.id,
            year: r.year,
            name: r.name,
            description: r.description,
            reference_year: r.reference_year,
            pz_variant: r.pz_variant,
            w_out: r.w_out,
            w_eff: r.w_eff,
            w_pz: r.w_pz,
            earmarked_amount: r.earmarked_amount,
            grondslag: r.grondslag,
            created_by: r.created_by,
            created_by_name: r.created_by_name,
            created_at: r.created_at,
            version: r.version,
            trend_input_ids: r.trend_input_ids,
            variants,
            previous_scenario_id: r.previous_scenario_id,
            previous_scenario_name: r.previous_scenario_name,
        })
    }
}

macro_rules! scenario_select {
    () => {
        "SELECT s.id, s.year, s.name, s.description, s.reference_year, s.pz_variant,
            s.w_out, s.w_eff, s.w_pz, s.earmarked_amount, s.grondslag, s.created_by,
            p.name AS created_by_name, s.created_at, s.version,
            s.previous_scenario_id, prev.name AS previous_scenario_name,
            COALESCE((SELECT array_agg(x.trend_input_id ORDER BY x.trend_input_id)
                      FROM scenario_trend_input x WHERE x.scenario_id = s.id), '{}') AS trend_input_ids,
            COALESCE((SELECT array_agg(o.vakgroep_id ORDER BY o.vakgroep_id)
                      FROM budget_scenario_variant o WHERE o.scenario_id = s.id), '{}') AS variant_vakgroepen,
            COALESCE((SELECT array_agg(o.pz_variant ORDER BY o.vakgroep_id)
                      FROM budget_scenario_variant o WHERE o.scenario_id = s.id), '{}') AS variant_values
     FROM budget_scenario s LEFT JOIN person p ON p.id = s.created_by
          LEFT JOIN budget_scenario prev ON prev.id = s.previous_scenario_id"
    };
}

/// Scenarios of one year (or all), by year and name.
pub async fn scenarios(store: &Store, year: Option<i16>) -> Result<Vec<Scenario>, StoreError> {
    let rows: Vec<ScenarioRaw> = sqlx::query_as(concat!(
        scenario_select!(),
        " WHERE ($1::smallint IS NULL OR s.year = $1) ORDER BY s.year, s.name"
    ))
    .bind(year)
    .fetch_all(store.pool())
    .await?;
    rows.into_iter().map(Scenario::try_from).collect()
}

/// One scenario, on any connection (a pool, or a transaction's connection).
pub async fn scenario(
    executor: impl sqlx::PgExecutor<'_>,
    id: ScenarioId,
) -> Result<Scenario, StoreError> {
    let raw: ScenarioRaw = sqlx::query_as(concat!(scenario_select!(), " WHERE s.id = $1"))
        .bind(id.get())
        .fetch_optional(executor)
        .await?
        .ok_or(StoreError::NotFound)?;
    raw.try_into()
}

/// The previous scenario must be one of the year before: the database's trigger refuses any
/// other, this names it.
async fn check_previous(conn: &mut PgConnection, input: &ScenarioDraft) -> Result<(), StoreError> {
    let Some(previous) = input.previous else {
        return Ok(());
    };
    let year: Option<i16> = sqlx::query_scalar("SELECT year FROM budget_scenario WHERE id = $1")
        .bind(previous.get())
        .fetch_optional(&mut *conn)
        .await?;
    if year != Some(input.year - 1) {
        return Err(Invalid::PreviousScenarioYear { year: input.year }.into());
    }
    Ok(())
}

async fn set_scenario_parts(
    conn: &mut PgConnection,
    id: ScenarioId,
    input: &ScenarioDraft,
) -> Result<(), StoreError> {
    let id = id.get();
    sqlx::query("DELETE FROM scenario_trend_input WHERE scenario_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let mut wanted: Vec<i64> = input.trend_input_ids.iter().map(|t| t.get()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let added = sqlx::query(
        "INSERT INTO scenario_trend_input (scenario_id, trend_input_id)
         SELECT $1, t.id FROM trend_input t WHERE t.id = ANY($2) AND t.year = $3",
    )
    .bind(id)
    .bind(&wanted)
    .bind(input.year)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if added != wanted.len() as u64 {
        return Err(Invalid::TrendInputYear { year: input.year }.into());
    }
    sqlx::query("DELETE FROM budget_scenario_variant WHERE scenario_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let vakgroepen: Vec<i64> = input.overrides.iter().map(|(v, _)| v.get()).collect();
    let values: Vec<i16> = input.overrides.iter().map(|(_, x)| x.number()).collect();
    sqlx::query(
        "INSERT INTO budget_scenario_variant (scenario_id, vakgroep_id, pz_variant)
         SELECT $1, v, x FROM unnest($2::bigint[], $3::smallint[]) AS u(v, x)",
    )
    .bind(id)
    .bind(&vakgroepen)
    .bind(&values)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn create_scenario(
    conn: &mut PgConnection,
    who: &Who,
    input: &ScenarioDraft,
) -> Result<ScenarioId, StoreError> {
    check_previous(conn, input).await?;
    ensure_year(conn, input.year).await?;
    let id: ScenarioId = sqlx::query_scalar(
        "INSERT INTO budget_scenario (year, name, description, reference_year, pz_variant, w_out, w_eff, w_pz,
                                      earmarked_amount, grondslag, created_by, previous_scenario_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(input.year)
    .bind(input.name.trim())
    .bind(input.description.trim())
    .bind(input.reference_year)
    .bind(input.variant.number())
    .bind(input.weights.output())
    .bind(input.weights.efficiency())
    .bind(input.weights.passende_zorg())
    .bind(input.earmarked_amount)
    .bind(input.grondslag.code())
    .bind(who.id)
    .bind(input.previous.map(ScenarioId::get))
    .fetch_one(&mut *conn)
    .await
    .map(ScenarioId::new)?;
    set_scenario_parts(conn, id, input).await?;
    let after = scenario(&mut *conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("budget_scenario", id, "create").after(&after),
    )
    .await?;
    Ok(id)
}

/// Updates a scenario; the year cannot change (its trend inputs and master data are that year's).
pub async fn update_scenario(
    conn: &mut PgConnection,
    who: &Who,
    id: ScenarioId,
    expected_version: i32,
    input: &ScenarioDraft,
) -> Result<(), StoreError> {
    check_previous(conn, input).await?;
    let before = scenario(&mut *conn, id).await?;
    if before.year != input.year {
        return Err(Invalid::ScenarioYear.into());
    }
    let update = sqlx::query(
        "UPDATE budget_scenario SET name = $3, description = $4, reference_year = $5, pz_variant = $6,
             w_out = $7, w_eff = $8, w_pz = $9, earmarked_amount = $10, grondslag = $11,
             previous_scenario_id = $12, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id.get())
    .bind(expected_version)
    .bind(input.name.trim())
    .bind(input.description.trim())
    .bind(input.reference_year)
    .bind(input.variant.number())
    .bind(input.weights.output())
    .bind(input.weights.efficiency())
    .bind(input.weights.passende_zorg())
    .bind(input.earmarked_amount)
    .bind(input.grondslag.code())
    .bind(input.previous.map(ScenarioId::get));
    write_versioned(conn, update).await?;
    set_scenario_parts(conn, id, input).await?;
    let after = scenario(&mut *conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("budget_scenario", id, "update")
            .before(&before)
            .after(&after),
    )
    .await
}
