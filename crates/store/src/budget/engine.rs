//! Everything the engine needs for one scenario, read in a fixed number of queries.

use super::scenarios::scenario;
use super::{BudgetYear, Scenario};
use crate::codes::IdList;
use crate::{Store, StoreError};
use domain::budget::{ChangeKind, Direction, KpiKind, PzVariant, ScopeKind, TrendCategory};
use domain::ids::{CareProductId, ScenarioId, TrendInputId, VakgroepId};
use domain::people::VakgroepCode;
use domain::people::VakgroepKind;
use serde::{Deserialize, Serialize};
use sqlx::types::Decimal;
use std::sync::Arc;

/// A vakgroep with its figures for the scenario's year.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct EngineVakgroep {
    #[sqlx(try_from = "i64")]
    pub id: VakgroepId,
    #[sqlx(try_from = "String")]
    pub code: VakgroepCode,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: VakgroepKind,
    pub normuren_per_fte: Option<Decimal>,
    pub formatief_fte: Option<Decimal>,
    /// The scenario's variant, or this vakgroep's override.
    #[sqlx(try_from = "i16")]
    #[serde(
        serialize_with = "PzVariant::serialize_number",
        deserialize_with = "PzVariant::deserialize_number"
    )]
    pub pz_variant: PzVariant,
}

/// A care product with its norm time in the scenario's year and its baseline volume: the sum of
/// the realised volumes of the reference year (0 when none were imported).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct EngineProduct {
    #[sqlx(try_from = "i64")]
    pub id: CareProductId,
    #[sqlx(try_from = "i64")]
    pub vakgroep_id: VakgroepId,
    pub code: String,
    pub description: String,
    pub norm_minutes: Option<Decimal>,
    pub baseline_volume: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct EngineKpi {
    pub id: i64,
    #[sqlx(try_from = "i64")]
    pub vakgroep_id: VakgroepId,
    #[sqlx(try_from = "String")]
    pub kind: KpiKind,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub direction: Direction,
    pub reference_value: Decimal,
    pub local_value: Decimal,
}

/// An accepted trend input included in the scenario. `product_ids` is empty for scope `vakgroep`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct EngineTrendInput {
    #[sqlx(try_from = "i64")]
    pub id: TrendInputId,
    #[sqlx(try_from = "i64")]
    pub vakgroep_id: VakgroepId,
    #[sqlx(try_from = "String")]
    pub scope: ScopeKind,
    #[sqlx(try_from = "String")]
    pub kind: ChangeKind,
    /// Percent points for `percentage`, a volume for `absoluut`.
    pub value: Decimal,
    #[sqlx(try_from = "String")]
    pub category: TrendCategory,
    #[sqlx(try_from = "IdList")]
    pub product_ids: Vec<CareProductId>,
}

impl EngineTrendInput {
    /// The input as the engine applies it.
    pub fn engine_input(&self) -> domain::budget::TrendInput {
        super::trends::engine_trend(
            self.id,
            self.scope,
            &self.product_ids,
            domain::budget::TrendChange::new(self.kind, self.value),
            self.category,
        )
    }
}

/// Everything the engine needs for one scenario, read from one consistent snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineInput {
    /// The budget revision this input was read at (migration 0010): while [`revision`] answers
    /// the same number, the input is still what the database holds.
    pub revision: i64,
    pub scenario: Scenario,
    pub settings: Option<BudgetYear>,
    /// The periods of the reference year that have imported volumes (a baseline of fewer than
    /// 12 periods covers part of the year).
    pub baseline_periods: Vec<i16>,
    /// Active vakgroepen, and inactive ones with figures for the year; by code.
    pub vakgroepen: Vec<EngineVakgroep>,
    /// Active products, and inactive ones with a norm time or a baseline; by vakgroep and code.
    /// Shared, so that a read after a change takes over the unchanged ones of an earlier read
    /// without copying them ([`engine_input_after`]).
    pub products: Vec<Arc<EngineProduct>>,
    pub kpis: Vec<EngineKpi>,
    /// Included trend inputs with status `geaccepteerd` or `verwerkt`, by id.
    pub trend_inputs: Vec<EngineTrendInput>,
}

/// Loads a scenario's engine input in seven queries inside one read-only, repeatable-read
/// transaction (nine round trips with BEGIN and COMMIT), however many vakgroepen and products
/// there are.
pub async fn engine_input(
    store: &Store,
    scenario_id: ScenarioId,
) -> Result<EngineInput, StoreError> {
    let mut tx = store
        .pool()
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let input = engine_input_on(&mut tx, scenario_id).await?;
    tx.commit().await?;
    Ok(input)
}

/// [`engine_input`] inside the caller's transaction (adoption reads it where it decides).
pub async fn engine_input_on(
    tx: &mut crate::PgConnection,
    scenario_id: ScenarioId,
) -> Result<EngineInput, StoreError> {
    engine_input_after(tx, scenario_id, None).await
}

/// [`engine_input_on`], reusing the care products of `kept` — an earlier read, of this or another
/// scenario — for every vakgroep no change since touched (`engine_products`): the first view
/// after a trend input, a norm time or one vakgroep's volumes changed reads a vakgroep, not the
/// hospital. The caller's transaction must be repeatable read, as [`engine_input`]'s is.
pub async fn engine_input_after(
    tx: &mut crate::PgConnection,
    scenario_id: ScenarioId,
    kept: Option<&EngineInput>,
) -> Result<EngineInput, StoreError> {
    let revision: i64 = sqlx::query_scalar("SELECT n FROM budget_revision")
        .fetch_one(&mut *tx)
        .await?;
    let scenario = scenario(&mut *tx, scenario_id).await?;
    let year = scenario.year;

    #[derive(sqlx::FromRow)]
    struct Head {
        baseline_periods: Vec<i16>,
        fee_budget: Option<Decimal>,
        fixed_share: Option<Decimal>,
        band_min: Option<Decimal>,
        band_max: Option<Decimal>,
        signal_threshold: Option<Decimal>,
        note: Option<String>,
        version: Option<i32>,
    }
    let head: Head = sqlx::query_as(
        "SELECT COALESCE((SELECT array_agg(period ORDER BY period) FROM production_import
                          WHERE year = $2 AND replaced_at IS NULL), '{}') AS baseline_periods,
                y.fee_budget, y.fixed_share, y.band_min, y.band_max, y.signal_threshold, y.note,
                y.version
         FROM (SELECT 1) one LEFT JOIN budget_year y ON y.year = $1",
    )
    .bind(year)
    .bind(scenario.reference_year)
    .fetch_one(&mut *tx)
    .await?;
    let settings = match (head.fixed_share, head.note, head.version) {
        (Some(fixed_share), Some(note), Some(version)) => Some(BudgetYear {
            year,
            fee_budget: head.fee_budget,
            fixed_share,
            band_min: head.band_min,
            band_max: head.band_max,
            signal_threshold: head
                .signal_threshold
                .unwrap_or(domain::budget::monitoring::DEFAULT_THRESHOLD),
            note,
            version,
        }),
        _ => None,
    };

    let vakgroepen: Vec<EngineVakgroep> = sqlx::query_as(
        "SELECT v.id, v.code, v.name, v.kind, n.hours AS normuren_per_fte, f.fte AS formatief_fte,
                COALESCE(o.pz_variant, s.pz_variant) AS pz_variant
         FROM vakgroep v
         JOIN budget_scenario s ON s.id = $2
         LEFT JOIN normuren_per_fte n ON n.vakgroep_id = v.id AND n.year = $1
         LEFT JOIN formatief_fte f ON f.vakgroep_id = v.id AND f.year = $1
         LEFT JOIN budget_scenario_variant o ON o.scenario_id = s.id AND o.vakgroep_id = v.id
         WHERE v.active OR n.hours IS NOT NULL OR f.fte IS NOT NULL
         ORDER BY v.code",
    )
    .bind(year)
    .bind(scenario_id.get())
    .fetch_all(&mut *tx)
    .await?;

    let products =
        super::engine_products::products(&mut *tx, year, scenario.reference_year, revision, kept)
            .await?;

    let kpis: Vec<EngineKpi> = sqlx::query_as(
        "SELECT id, vakgroep_id, kind, name, direction, reference_value, local_value
         FROM budget_kpi WHERE year = $1 ORDER BY vakgroep_id, kind, name",
    )
    .bind(year)
    .fetch_all(&mut *tx)
    .await?;

    let trend_inputs: Vec<EngineTrendInput> = sqlx::query_as(
        "SELECT t.id, t.vakgroep_id, t.scope, t.kind, t.value, t.category,
                COALESCE((SELECT array_agg(tp.care_product_id ORDER BY tp.care_product_id)
                          FROM trend_input_product tp WHERE tp.trend_input_id = t.id), '{}') AS product_ids
         FROM scenario_trend_input x JOIN trend_input t ON t.id = x.trend_input_id
         WHERE x.scenario_id = $1 AND t.status IN ('geaccepteerd', 'verwerkt')
         ORDER BY t.id",
    )
    .bind(scenario_id.get())
    .fetch_all(&mut *tx)
    .await?;

    Ok(EngineInput {
        revision,
        scenario,
        settings,
        baseline_periods: head.baseline_periods,
        vakgroepen,
        products,
        kpis,
        trend_inputs,
    })
}

/// The budget's revision: it moves with every committed change to what [`engine_input`] reads
/// (migration 0010).
pub async fn revision(store: &Store) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT n FROM budget_revision")
        .fetch_one(store.pool())
        .await?)
}
