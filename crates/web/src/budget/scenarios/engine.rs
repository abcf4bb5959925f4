//! From the store's rows to the engine's input, and the engine's figures as pages show them.
//! Every page that computes goes through [`load`] and [`compute`], so a scenario is read and
//! interpreted in one way only.

use crate::shared::error::{AppError, AppResult};
use crate::shared::state::AppState;
use domain::budget::{
    BudgetInput, BudgetResult, CareProduct, Direction, Earmark, Grondslag, HospitalTotals,
    KpiInput, KpiKind, PzVariant, Scenario, TrendCategory, TrendChange, TrendInput, TrendScope,
    VakgroepInput, VakgroepResult, Weights, fte_text, hours_text, index_text, mutation_text,
};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use store::budget::{EngineInput, EngineTrendInput};

/// A scenario read from the store, ready for the engine.
pub(crate) struct Loaded {
    pub stored: EngineInput,
    pub input: BudgetInput,
    pub params: Scenario,
    /// Gaps in the data the engine cannot see (a product without a norm time), in Dutch, by
    /// vakgroep id.
    pub warnings: Vec<(i64, String)>,
    /// Position of each care product in `stored.products`: a vakgroep page looks up thousands.
    products_by_id: HashMap<i64, usize>,
}

impl Loaded {
    pub fn vakgroep_name(&self, id: i64) -> String {
        self.stored
            .vakgroepen
            .iter()
            .find(|v| v.id == id)
            .map(|v| v.name.clone())
            .unwrap_or_default()
    }

    pub fn product(&self, id: i64) -> Option<&store::budget::EngineProduct> {
        self.products_by_id
            .get(&id)
            .map(|&i| &self.stored.products[i])
    }

    pub fn index_of(&self, vakgroep_id: i64) -> Option<usize> {
        self.input
            .vakgroepen
            .iter()
            .position(|v| v.id == vakgroep_id)
    }
}

/// The stored variant number (1, 2, 3) as the engine's variant.
pub(crate) fn variant(n: i16) -> PzVariant {
    match n {
        2 => PzVariant::InNormFte,
        3 => PzVariant::Geoormerkt,
        _ => PzVariant::Informatief,
    }
}

pub(crate) fn variant_number(v: PzVariant) -> i16 {
    match v {
        PzVariant::Informatief => 1,
        PzVariant::InNormFte => 2,
        PzVariant::Geoormerkt => 3,
    }
}

/// The store keeps the grondslag codes of its migration; the domain has its own.
pub(crate) fn grondslag(code: &str) -> Grondslag {
    match code {
        "norm_fte" => Grondslag::NormFte,
        "norm_fte_vorig_jaar" => Grondslag::NormFteVorigJaar,
        _ => Grondslag::FormatiefFte,
    }
}

pub(crate) fn grondslag_code(g: Grondslag) -> &'static str {
    match g {
        Grondslag::FormatiefFte => "formatief",
        Grondslag::NormFte => "norm_fte",
        Grondslag::NormFteVorigJaar => "norm_fte_vorig_jaar",
    }
}

/// A scenario stores one set of weights: the passende-zorg weights under variant 2, the regular
/// ones otherwise; the other set keeps the domain's default.
pub(crate) fn params(
    s: &store::budget::Scenario,
    overrides: impl Iterator<Item = (i64, i16)>,
) -> Result<Scenario, String> {
    let weights = Weights::new(s.w_out, s.w_eff, s.w_pz).map_err(|e| e.to_string())?;
    let main = variant(s.pz_variant);
    let variant_overrides: BTreeMap<i64, PzVariant> = overrides
        .map(|(id, v)| (id, variant(v)))
        .filter(|&(_, v)| v != main)
        .collect();
    let uses_earmark = main == PzVariant::Geoormerkt
        || variant_overrides
            .values()
            .any(|&v| v == PzVariant::Geoormerkt);
    let (regular_weights, pz_weights) = if main == PzVariant::InNormFte {
        (Weights::REGULAR, weights)
    } else {
        (weights, Weights::WITH_PZ)
    };
    let scenario = Scenario {
        variant: main,
        variant_overrides,
        regular_weights,
        pz_weights,
        earmark: uses_earmark.then(|| Earmark {
            amount: s.earmarked_amount,
            grondslag: grondslag(&s.grondslag),
        }),
    };
    scenario.validate().map_err(|e| e.to_string())?;
    Ok(scenario)
}

/// A stored trend input as the engine applies it; `None` for a code the database would refuse.
pub(crate) fn trend(
    id: i64,
    scope: &str,
    kind: &str,
    value: Decimal,
    category: &str,
    product_ids: &[i64],
) -> Option<TrendInput> {
    Some(TrendInput {
        id,
        scope: match scope {
            "zorgproducten" => TrendScope::Products(product_ids.to_vec()),
            _ => TrendScope::Vakgroep,
        },
        change: match kind {
            "absoluut" => TrendChange::Absolute(value),
            _ => TrendChange::Percent(value),
        },
        category: TrendCategory::parse(category)?,
    })
}

fn engine_trend(t: &EngineTrendInput) -> Option<TrendInput> {
    trend(
        t.id,
        &t.scope,
        &t.kind,
        t.value,
        &t.category,
        &t.product_ids,
    )
}

/// Groups the store's flat rows per vakgroep, in the store's order.
pub(crate) fn budget_input(e: &EngineInput) -> (BudgetInput, Vec<(i64, String)>) {
    let mut warnings = Vec::new();
    let vakgroepen = e
        .vakgroepen
        .iter()
        .map(|v| {
            let products = e
                .products
                .iter()
                .filter(|p| p.vakgroep_id == v.id)
                .map(|p| {
                    if p.norm_minutes.is_none() && !p.baseline_volume.is_zero() {
                        warnings.push((v.id, format!(
                            "{}: zorgproduct {} heeft volume maar geen normtijd voor {}; het telt niet mee in de normuren.",
                            v.code, p.code, e.scenario.year
                        )));
                    }
                    CareProduct {
                        id: p.id,
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
                .filter_map(|k| {
                    Some(KpiInput {
                        code: k.name.clone(),
                        kind: KpiKind::parse(&k.kind)?,
                        direction: Direction::parse(&k.direction)?,
                        reference: k.reference_value,
                        local: k.local_value,
                    })
                })
                .collect();
            let trends = e
                .trend_inputs
                .iter()
                .filter(|t| t.vakgroep_id == v.id)
                .filter_map(engine_trend)
                .collect();
            VakgroepInput {
                id: v.id,
                code: v.code.clone(),
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

/// Scenarios as read at a budget revision, the most recently read first. Each can hold the
/// 200,000 care products of a large hospital, so only a few are kept.
#[derive(Clone, Default)]
pub(crate) struct ScenarioCache(Arc<Mutex<Vec<Cached>>>);

/// Scenario id, the budget revision it was read at, and what was read.
type Cached = (i64, i64, Arc<Loaded>);

const CACHED_SCENARIOS: usize = 8;

impl ScenarioCache {
    fn get(&self, id: i64, revision: i64) -> Option<Arc<Loaded>> {
        let cached = self.0.lock().ok()?;
        cached
            .iter()
            .find(|(i, r, _)| *i == id && *r == revision)
            .map(|(_, _, l)| l.clone())
    }

    fn put(&self, id: i64, loaded: Arc<Loaded>) {
        if let Ok(mut cached) = self.0.lock() {
            cached.retain(|(i, _, _)| *i != id);
            cached.insert(0, (id, loaded.stored.revision, loaded));
            cached.truncate(CACHED_SCENARIOS);
        }
    }
}

/// Scenario `id` with everything the engine needs. Read again only when the budget's revision
/// moved since it was last read (one small query otherwise): reading a large hospital costs far
/// more than computing it.
pub(crate) async fn load(state: &AppState, id: i64) -> AppResult<Arc<Loaded>> {
    let revision = store::budget::revision(&state.store).await?;
    if let Some(loaded) = state.part::<ScenarioCache>().get(id, revision) {
        return Ok(loaded);
    }
    // Kept under the revision the input itself was read at: a change committed after the
    // revision above is then either in the input or moves the revision past it.
    let loaded = Arc::new(read(state, id).await?);
    state.part::<ScenarioCache>().put(id, loaded.clone());
    Ok(loaded)
}

/// Reads scenario `id` (one bounded read, see [`store::budget::engine_input`]). When its earmark
/// is distributed over last year's norm-fte, the scenario's "begroting vorig jaar" is computed
/// first, one level deep: a norm-fte does not depend on the earmark, so that scenario's own
/// previous budget is not needed.
async fn read(state: &AppState, id: i64) -> AppResult<Loaded> {
    let mut l = load_one(state, id).await?;
    let needs_last_year = l
        .params
        .earmark
        .is_some_and(|e| e.grondslag == Grondslag::NormFteVorigJaar);
    if let (true, Some(previous)) = (needs_last_year, l.stored.scenario.previous_scenario_id) {
        let p = load_one(state, previous).await?;
        let last_year = compute(&p, &p.input)?;
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

async fn load_one(state: &AppState, id: i64) -> AppResult<Loaded> {
    let stored = store::budget::engine_input(&state.store, id).await?;
    let (input, warnings) = budget_input(&stored);
    let overrides = stored
        .scenario
        .variants
        .iter()
        .map(|o| (o.vakgroep_id, o.pz_variant));
    let params = params(&stored.scenario, overrides)
        .map_err(|e| AppError::bug(format!("a stored scenario is invalid: {e}")))?;
    let products_by_id = stored
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    Ok(Loaded {
        stored,
        input,
        params,
        warnings,
        products_by_id,
    })
}

pub(crate) fn compute(l: &Loaded, input: &BudgetInput) -> AppResult<BudgetResult> {
    domain::budget::compute(input, &l.params)
        .map_err(|e| AppError::internal("computing a scenario", e))
}

/// A signed figure with two decimals: `+12,50`, `−3,00`, `0,00`.
pub(crate) fn signed(value: Decimal) -> String {
    mutation_text(value)
}

/// One line of a figures table, as text.
pub(crate) struct FigureRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub norm_hours: String,
    pub base_norm_fte: String,
    pub efficiency: String,
    pub pz: String,
    pub norm_fte: String,
    pub formatief: String,
    pub mutation: String,
    /// The variant-3 share of the earmarked passende-zorg budget, in euros.
    pub earmark: Option<String>,
    pub complete: bool,
    /// Whether the reader may open the vakgroep's detail (its own compartment, product.md §0).
    pub detail: bool,
}

fn euros(amount: Decimal) -> String {
    format!("€ {}", domain::nl::number(amount, 2))
}

const MISSING: &str = "–";

pub(crate) fn figure_row(v: &VakgroepResult, name: String) -> FigureRow {
    let fte = v.fte;
    FigureRow {
        id: v.vakgroep_id,
        code: v.code.clone(),
        name,
        norm_hours: v.norm_hours.map(hours_text).unwrap_or(MISSING.into()),
        base_norm_fte: fte
            .map(|f| fte_text(f.base_norm_fte))
            .unwrap_or(MISSING.into()),
        efficiency: index_text(v.efficiency_index),
        pz: index_text(v.pz_index),
        norm_fte: fte.map(|f| fte_text(f.norm_fte)).unwrap_or(MISSING.into()),
        formatief: fte_text(v.formatief_fte),
        mutation: fte.map(|f| signed(f.mutation)).unwrap_or(MISSING.into()),
        earmark: v.earmark.map(|e| euros(e.amount)),
        complete: v.is_complete(),
        detail: false,
    }
}

pub(crate) fn totals_row(t: &HospitalTotals) -> FigureRow {
    FigureRow {
        id: 0,
        code: String::new(),
        name: "Ziekenhuis".into(),
        norm_hours: hours_text(t.norm_hours),
        base_norm_fte: fte_text(t.base_norm_fte),
        efficiency: index_text(t.efficiency_index),
        pz: index_text(t.pz_index),
        norm_fte: fte_text(t.norm_fte),
        formatief: fte_text(t.formatief_fte),
        mutation: signed(t.mutation),
        earmark: (!t.earmarked.is_zero()).then(|| euros(t.earmarked)),
        complete: true,
        detail: false,
    }
}

/// A problem as a page lists it.
pub(crate) struct IssueLine {
    pub scope: String,
    pub severity: &'static str,
    pub message: String,
}

/// The engine's and the data's problems; a vakgroep's own problems only for those who may see its
/// detail (`sees`), since they name its trend inputs and products.
pub(crate) fn issue_lines(
    l: &Loaded,
    r: &BudgetResult,
    sees: impl Fn(i64) -> bool,
) -> Vec<IssueLine> {
    let mut lines: Vec<IssueLine> = r
        .issues
        .iter()
        .map(|i| IssueLine {
            scope: "Ziekenhuis".into(),
            severity: i.severity.label(),
            message: i.message.clone(),
        })
        .collect();
    for v in r.vakgroepen.iter().filter(|v| sees(v.vakgroep_id)) {
        lines.extend(v.issues.iter().map(|i| IssueLine {
            scope: v.code.clone(),
            severity: i.severity.label(),
            message: i.message.clone(),
        }));
    }
    lines.extend(
        l.warnings
            .iter()
            .filter(|(v, _)| sees(*v))
            .map(|(_, w)| IssueLine {
                scope: "Gegevens".into(),
                severity: "Waarschuwing",
                message: w.clone(),
            }),
    );
    lines
}

/// The text of a trend change: `+2,5 %` or `−120`.
pub(crate) fn change_text(kind: &str, value: Decimal) -> String {
    let sign = if value > Decimal::ZERO { "+" } else { "" };
    let number = domain::nl::number(value, value.normalize().scale().min(2));
    match kind {
        "absoluut" => format!("{sign}{number}"),
        _ => format!("{sign}{number} %"),
    }
}

pub(crate) fn trend_change_text(c: TrendChange) -> String {
    match c {
        TrendChange::Percent(p) => change_text("percentage", p),
        TrendChange::Absolute(a) => change_text("absoluut", a),
    }
}
