//! The master data as a snapshot keeps it (docs/adoption.md, "The snapshot").
//!
//! The first layout (`gelijkgericht/adoption/1`) kept the whole [`EngineInput`], so every care
//! product's code, norm time and baseline volume stood in the snapshot twice: in the master data
//! and in the engine's input (`inputs.engine`). The second keeps of a product only what the
//! engine's input lacks — its description, and whether its norm time was missing rather than
//! zero — and [`MasterRecord::engine_input`] puts the two back together. A product the engine
//! does not read (of a vakgroep outside the budget) keeps all its figures here.

use super::super::{BudgetYear, Scenario};
use super::super::{EngineInput, EngineKpi, EngineProduct, EngineTrendInput, EngineVakgroep};
use domain::budget::BudgetInput;
use domain::budget::adoption::{FORMAT, FORMAT_1};
use domain::ids::{CareProductId, VakgroepId};
use serde::{Deserialize, Serialize};
use sqlx::types::Decimal;
use std::collections::HashMap;
use std::sync::Arc;

/// [`EngineInput`] without the figures the snapshot's engine input holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MasterRecord {
    revision: i64,
    scenario: Scenario,
    settings: Option<BudgetYear>,
    baseline_periods: Vec<i16>,
    vakgroepen: Vec<EngineVakgroep>,
    /// In the order the store read them.
    products: Vec<ProductRecord>,
    kpis: Vec<EngineKpi>,
    trend_inputs: Vec<EngineTrendInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ProductRecord {
    id: CareProductId,
    description: String,
    /// The engine reads a missing norm time as 0; the pages name the gap.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    without_norm_time: bool,
    /// Only for a product the engine's input does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outside: Option<Outside>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Outside {
    vakgroep_id: VakgroepId,
    code: String,
    norm_minutes: Option<Decimal>,
    baseline_volume: Decimal,
}

/// The engine's product of each id, with its vakgroep.
fn engine_products(engine: &BudgetInput) -> HashMap<i64, (i64, &domain::budget::CareProduct)> {
    engine
        .vakgroepen
        .iter()
        .flat_map(|v| v.products.iter().map(move |p| (p.id, (v.id, p))))
        .collect()
}

impl MasterRecord {
    /// The record of `stored`, whose products the engine reads as `engine`.
    pub fn of(stored: &EngineInput, engine: &BudgetInput) -> MasterRecord {
        let known = engine_products(engine);
        let products = stored
            .products
            .iter()
            .map(|p| ProductRecord {
                id: p.id,
                description: p.description.clone(),
                without_norm_time: p.norm_minutes.is_none(),
                outside: (!known.contains_key(&p.id.get())).then(|| Outside {
                    vakgroep_id: p.vakgroep_id,
                    code: p.code.clone(),
                    norm_minutes: p.norm_minutes,
                    baseline_volume: p.baseline_volume,
                }),
            })
            .collect();
        MasterRecord {
            revision: stored.revision,
            scenario: stored.scenario.clone(),
            settings: stored.settings.clone(),
            baseline_periods: stored.baseline_periods.clone(),
            vakgroepen: stored.vakgroepen.clone(),
            products,
            kpis: stored.kpis.clone(),
            trend_inputs: stored.trend_inputs.clone(),
        }
    }

    /// The [`EngineInput`] this record was made of, with the products' figures from `engine`.
    pub fn engine_input(self, engine: &BudgetInput) -> Result<EngineInput, String> {
        let known = engine_products(engine);
        let products = self
            .products
            .into_iter()
            .map(|p| match p.outside {
                Some(o) => Ok(Arc::new(EngineProduct {
                    id: p.id,
                    vakgroep_id: o.vakgroep_id,
                    code: o.code,
                    description: p.description,
                    norm_minutes: o.norm_minutes,
                    baseline_volume: o.baseline_volume,
                })),
                None => {
                    let (vakgroep_id, e) = known.get(&p.id.get()).ok_or_else(|| {
                        format!("care product {} is not in the engine's input", p.id)
                    })?;
                    Ok(Arc::new(EngineProduct {
                        id: p.id,
                        vakgroep_id: VakgroepId::from(*vakgroep_id),
                        code: e.code.clone(),
                        description: p.description,
                        norm_minutes: (!p.without_norm_time).then_some(e.norm_minutes),
                        baseline_volume: e.baseline,
                    }))
                }
            })
            .collect::<Result<_, String>>()?;
        Ok(EngineInput {
            revision: self.revision,
            scenario: self.scenario,
            settings: self.settings,
            baseline_periods: self.baseline_periods,
            vakgroepen: self.vakgroepen,
            products,
            kpis: self.kpis,
            trend_inputs: self.trend_inputs,
        })
    }
}

/// The [`EngineInput`] of a snapshot's master data (its JSON text) in the layout `format` names.
/// Read from the text straight into the typed record: a `Value` tree of a 200,000-product
/// hospital would take many times the text's size.
pub fn engine_input_of(
    format: &str,
    master: &str,
    engine: &BudgetInput,
) -> Result<EngineInput, String> {
    match format {
        FORMAT => serde_json::from_str::<MasterRecord>(master)
            .map_err(|e| e.to_string())?
            .engine_input(engine),
        FORMAT_1 => serde_json::from_str(master).map_err(|e| e.to_string()),
        other => Err(format!("unknown snapshot layout {other:?}")),
    }
}
