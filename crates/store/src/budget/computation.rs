//! A scenario read and computed the one way: its rows as the engine's input ([`budget_input`],
//! [`params`]), last year's norm-fte where variant 3 needs it ([`loaded_on`]), and its
//! distribution with last year's allocation from its source ([`distributed_on`], [`last_year`]).
//! The pages (with their cache) and adoption (inside the deciding transaction) both use these,
//! so what the boards adopt is what the pages showed.

use super::{
    DistributionSetup, EngineInput, EngineProduct, EngineTrendInput, LastYearSource, Scenario,
};
use crate::{PgConnection, Store, StoreError};
use domain::budget::adoption::{Inputs, YearFrame, distribution_outcome, last_year_problem};
use domain::budget::{
    Band, BudgetInput, BudgetResult, CareProduct, Distribution, EarmarkPlacement, Grondslag,
    KpiInput, ScenarioError, VakgroepInput, Weights,
};
use domain::ids::{ScenarioId, VakgroepId};
use sqlx::types::Decimal;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

/// A stored scenario as the engine's parameters (`Scenario::from_stored`: the domain's one reading
/// of the weights, variants and earmark a scenario stores).
pub fn params(s: &Scenario) -> Result<domain::budget::Scenario, ScenarioError> {
    let weights = Weights::new(s.w_out, s.w_eff, s.w_pz)?;
    domain::budget::Scenario::from_stored(
        s.pz_variant,
        s.variants
            .iter()
            .map(|o| (o.vakgroep_id.get(), o.pz_variant)),
        weights,
        s.earmarked_amount,
        s.grondslag,
    )
}

/// Groups the store's flat rows per vakgroep, in the store's order, with the gaps in the data
/// the engine cannot see (a product with volume but without a norm time), by vakgroep.
pub fn budget_input(e: &EngineInput) -> (BudgetInput, Vec<(VakgroepId, String)>) {
    let mut warnings = Vec::new();
    // The engine input holds its products by vakgroep id (as it reads them): each vakgroep's
    // are found by two binary searches instead of a pass over all of a large hospital's.
    let sorted = e.products.is_sorted_by_key(|p| p.vakgroep_id);
    let of_vakgroep = |id: VakgroepId| -> Box<dyn Iterator<Item = &EngineProduct> + '_> {
        if sorted {
            let from = e.products.partition_point(|p| p.vakgroep_id < id);
            let to = e.products.partition_point(|p| p.vakgroep_id <= id);
            Box::new(e.products[from..to].iter().map(|p| &**p))
        } else {
            let all = e.products.iter().map(|p| &**p);
            Box::new(all.filter(move |p| p.vakgroep_id == id))
        }
    };
    let vakgroepen = e
        .vakgroepen
        .iter()
        .map(|v| {
            let products = of_vakgroep(v.id)
                .map(|p| {
                    if p.norm_minutes.is_none() && !p.baseline_volume.is_zero() {
                        warnings.push((
                            v.id,
                            domain::budget::adoption::missing_norm_time(
                                v.code.as_str(),
                                &p.code,
                                e.scenario.year,
                            ),
                        ));
                    }
                    CareProduct {
                        id: p.id.get(),
                        code: p.code.clone(),
                        norm_minutes: p.norm_minutes.unwrap_or_default(),
                        baseline: p.baseline_volume,
                    }
                })
                .collect();
            let kpis = e
                .kpis
                .iter()
                .filter(|k| k.vakgroep_id == v.id)
                .map(|k| KpiInput {
                    code: k.name.clone(),
                    kind: k.kind,
                    direction: k.direction,
                    reference: k.reference_value,
                    local: k.local_value,
                })
                .collect();
            let trends = e
                .trend_inputs
                .iter()
                .filter(|t| t.vakgroep_id == v.id)
                .map(EngineTrendInput::engine_input)
                .collect();
            VakgroepInput {
                id: v.id.get(),
                code: v.code.to_string(),
                normuren_per_fte: v.normuren_per_fte,
                formatief_fte: v.formatief_fte.unwrap_or_default(),
                last_year_norm_fte: None,
                products,
                kpis,
                trends,
            }
        })
        .collect();
    (BudgetInput { vakgroepen }, warnings)
}

/// A scenario read for the engine.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub stored: EngineInput,
    pub input: BudgetInput,
    pub params: domain::budget::Scenario,
    pub warnings: Vec<(VakgroepId, String)>,
    /// For an adopted scenario, what its snapshot fixed besides the engine's input.
    pub frozen: Option<Frozen>,
}

/// What an adopted scenario's snapshot fixed besides the engine's input. The scenario's own rows
/// are locked, but the year's settings, master data and last year's source can still change:
/// an adopted budget is read from its snapshot, so its pages show what the boards adopted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frozen {
    pub adoption_id: i64,
    pub year_frame: Option<YearFrame>,
    pub placement: EarmarkPlacement,
    /// Where last year's allocation came from, in the snapshot's words.
    pub last_year_source: String,
    pub last_year: HashMap<i64, Decimal>,
    pub own_bands: HashMap<i64, Band>,
}

impl Frozen {
    /// Last year's allocation as the snapshot recorded it (today's source, for its name).
    pub fn last_year_of(&self, setup: &DistributionSetup) -> LastYear {
        LastYear {
            source: setup.last_year.clone(),
            amounts: self.last_year.clone(),
            problem: None,
        }
    }

    /// The vakgroepen' own bands as the snapshot recorded them.
    pub fn overrides(&self) -> Vec<super::BandOverride> {
        let mut o: Vec<super::BandOverride> = self
            .own_bands
            .iter()
            .map(|(&id, b)| super::BandOverride {
                vakgroep_id: VakgroepId::from(id),
                band_floor: b.floor,
                band_cap: b.cap,
                version: 0,
            })
            .collect();
        o.sort_by_key(|b| b.vakgroep_id);
        o
    }

    /// The distribution from the snapshot's settings (the engine's result is the snapshot's too).
    pub fn outcome(&self, year: i16, result: &BudgetResult) -> Result<Distribution, String> {
        distribution_outcome(
            year,
            self.year_frame.as_ref(),
            self.placement,
            result,
            &self.last_year,
            &self.own_bands,
        )
    }
}

/// The part of a [`domain::budget::adoption::Snapshot`] a computation reads: its results (as large as its inputs) and its
/// context are skipped unparsed, the master data kept as text for its layout's record.
#[derive(serde::Deserialize)]
struct SnapshotInputs<'a> {
    #[serde(borrow)]
    format: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    master: &'a serde_json::value::RawValue,
    inputs: Inputs,
}

/// An adopted scenario as its snapshot recorded it (the snapshot's master data and engine input
/// are together the [`EngineInput`] read in the deciding transaction).
fn from_snapshot(adoption_id: i64, text: &str) -> Result<Loaded, StoreError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        StoreError::Other(format!("reading adopted budget {adoption_id}: {e}"))
    };
    let snapshot: SnapshotInputs = serde_json::from_str(text).map_err(|e| unreadable(&e))?;
    let i = snapshot.inputs;
    let stored =
        super::adoption::engine_input_of(&snapshot.format, snapshot.master.get(), &i.engine)
            .map_err(|e| unreadable(&e))?;
    let (_, warnings) = budget_input(&stored);
    Ok(Loaded {
        stored,
        input: i.engine,
        params: i.params,
        warnings,
        frozen: Some(Frozen {
            adoption_id,
            year_frame: i.year_frame,
            placement: i.placement,
            last_year_source: i.last_year_source,
            last_year: i
                .last_year
                .iter()
                .map(|a| (a.vakgroep_id, a.amount))
                .collect(),
            own_bands: i
                .own_bands
                .iter()
                .map(|b| (b.vakgroep_id, b.band))
                .collect(),
        }),
    })
}

fn invalid(e: ScenarioError) -> StoreError {
    StoreError::Other(format!("a stored scenario is invalid: {e}"))
}

async fn load_one(
    conn: &mut PgConnection,
    id: ScenarioId,
    kept: Option<&EngineInput>,
) -> Result<Loaded, StoreError> {
    let adopted: Option<(i64, String)> =
        sqlx::query_as("SELECT id, snapshot FROM budget_adoption WHERE scenario_id = $1")
            .bind(id.get())
            .fetch_optional(&mut *conn)
            .await?;
    if let Some((adoption_id, text)) = adopted {
        return from_snapshot(adoption_id, &text);
    }
    let stored = super::engine::engine_input_after(conn, id, kept).await?;
    let (input, warnings) = budget_input(&stored);
    let params = params(&stored.scenario).map_err(invalid)?;
    Ok(Loaded {
        stored,
        input,
        params,
        warnings,
        frozen: None,
    })
}

/// Scenario `id` ready for the engine. When its earmark is distributed over last year's
/// norm-fte, the scenario's *begroting vorig jaar* is computed first, one level deep: a norm-fte
/// does not depend on the earmark, so that scenario's own previous budget is not needed.
pub async fn loaded_on(conn: &mut PgConnection, id: ScenarioId) -> Result<Loaded, StoreError> {
    loaded_after_on(conn, id, None).await
}

/// [`loaded_on`], reusing what `kept` (an earlier read) holds where nothing changed since
/// ([`super::engine_input_after`]).
async fn loaded_after_on(
    conn: &mut PgConnection,
    id: ScenarioId,
    kept: Option<&EngineInput>,
) -> Result<Loaded, StoreError> {
    let mut l = load_one(conn, id, kept).await?;
    // A snapshot's input already holds last year's norm-fte.
    let needs_last_year = l.frozen.is_none()
        && l.params
            .earmark
            .is_some_and(|e| e.grondslag == Grondslag::NormFteVorigJaar);
    if let (true, Some(previous)) = (needs_last_year, l.stored.scenario.previous_scenario_id) {
        let p = load_one(conn, previous, None).await?;
        let last_year = domain::budget::compute(&p.input, &p.params).map_err(invalid)?;
        for v in &mut l.input.vakgroepen {
            v.last_year_norm_fte = last_year
                .vakgroepen
                .iter()
                .find(|r| r.vakgroep_id == v.id)
                .and_then(|r| r.fte)
                .map(|f| f.norm_fte);
        }
    }
    Ok(l)
}

/// [`loaded_on`] in one read-only, repeatable-read transaction.
pub async fn loaded(store: &Store, id: ScenarioId) -> Result<Loaded, StoreError> {
    loaded_after(store, id, None).await
}

/// [`loaded`], reusing what `kept` holds where nothing changed since it was read.
pub async fn loaded_after(
    store: &Store,
    id: ScenarioId,
    kept: Option<&EngineInput>,
) -> Result<Loaded, StoreError> {
    let mut tx = store
        .pool()
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let l = loaded_after_on(&mut tx, id, kept).await?;
    tx.commit().await?;
    Ok(l)
}

/// Last year's allocation per vakgroep (from the fee budget, without earmark), where it came
/// from, and in Dutch why the source gave none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastYear {
    pub source: LastYearSource,
    pub amounts: HashMap<i64, Decimal>,
    pub problem: Option<String>,
}

/// Last year's allocation from its source (`last_year_source` chooses it): an adopted budget's
/// stored allocation, or the *begroting vorig jaar*'s own distribution with its own last year
/// in turn. The chain ends, as each step is a year earlier.
pub fn last_year<'a>(
    conn: &'a mut PgConnection,
    source: &'a LastYearSource,
) -> Pin<Box<dyn Future<Output = Result<LastYear, StoreError>> + Send + 'a>> {
    Box::pin(async move {
        let (amounts, problem) = match source {
            LastYearSource::None => (HashMap::new(), None),
            LastYearSource::Adopted { adoption_id, .. } => {
                let rows: Vec<(i64, Decimal)> = sqlx::query_as(
                    "SELECT vakgroep_id, allocation FROM budget_adoption_allocation
                     WHERE adoption_id = $1",
                )
                .bind(adoption_id)
                .fetch_all(&mut *conn)
                .await?;
                (rows.into_iter().collect(), None)
            }
            LastYearSource::PreviousScenario { id, name } => {
                match distributed_on(conn, *id).await?.outcome {
                    Ok(d) => (
                        d.vakgroepen
                            .iter()
                            .map(|v| (v.vakgroep_id, v.allocation))
                            .collect(),
                        None,
                    ),
                    Err(why) => (HashMap::new(), Some(last_year_problem(name, &why))),
                }
            }
        };
        Ok(LastYear {
            source: source.clone(),
            amounts,
            problem,
        })
    })
}

/// The year's settings as the distribution reads them.
pub fn year_frame(setup: &DistributionSetup) -> Option<YearFrame> {
    setup.year_settings.as_ref().map(|y| YearFrame {
        fee_budget: y.fee_budget,
        fixed_share: y.fixed_share,
        band_min: y.band_min,
        band_max: y.band_max,
    })
}

/// The vakgroepen' own bands by vakgroep id.
pub fn own_bands(setup: &DistributionSetup) -> HashMap<i64, Band> {
    setup
        .overrides
        .iter()
        .map(|o| (o.vakgroep_id.get(), o.band()))
        .collect()
}

/// A scenario's distribution from its engine result (the one reading of its settings).
pub fn outcome(
    setup: &DistributionSetup,
    last_year: &LastYear,
    result: &BudgetResult,
) -> Result<Distribution, String> {
    distribution_outcome(
        setup.year,
        year_frame(setup).as_ref(),
        setup.settings.placement,
        result,
        &last_year.amounts,
        &own_bands(setup),
    )
}

/// A scenario computed through to its distribution.
#[derive(Debug, Clone)]
pub struct Distributed {
    pub loaded: Loaded,
    pub result: BudgetResult,
    pub setup: DistributionSetup,
    pub last_year: LastYear,
    pub outcome: Result<Distribution, String>,
}

/// Scenario `id` read and computed inside the caller's transaction.
pub async fn distributed_on(
    conn: &mut PgConnection,
    id: ScenarioId,
) -> Result<Distributed, StoreError> {
    let loaded = loaded_on(conn, id).await?;
    let result = domain::budget::compute(&loaded.input, &loaded.params).map_err(invalid)?;
    let setup = super::distribution::distribution_setup_on(conn, id).await?;
    let (last_year, outcome) = match &loaded.frozen {
        Some(f) => (f.last_year_of(&setup), f.outcome(setup.year, &result)),
        None => {
            let last_year = last_year(conn, &setup.last_year).await?;
            let outcome = outcome(&setup, &last_year, &result);
            (last_year, outcome)
        }
    };
    Ok(Distributed {
        loaded,
        result,
        setup,
        last_year,
        outcome,
    })
}

/// [`distributed_on`] in one read-only, repeatable-read transaction (the exports).
pub async fn distributed(store: &Store, id: ScenarioId) -> Result<Distributed, StoreError> {
    let mut tx = store
        .pool()
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let d = distributed_on(&mut tx, id).await?;
    tx.commit().await?;
    Ok(d)
}

impl Distributed {
    /// The year's financial frame the distribution used (for an adopted budget the snapshot's),
    /// when the year has a usable one.
    pub fn frame(&self) -> Option<domain::budget::Frame> {
        let (settings, placement) = match &self.loaded.frozen {
            Some(f) => (f.year_frame, f.placement),
            None => (year_frame(&self.setup), self.setup.settings.placement),
        };
        let y = settings?;
        domain::budget::Frame::from_settings(
            self.setup.year,
            y.fee_budget,
            y.fixed_share,
            (y.band_min, y.band_max),
            placement,
        )
        .ok()
    }
}

/// [`last_year`] on a connection of the pool.
pub async fn last_year_of(store: &Store, source: &LastYearSource) -> Result<LastYear, StoreError> {
    let mut conn = store.pool().acquire().await?;
    last_year(&mut conn, source).await
}
