//! From the store's rows to the engine's input, and the engine's figures as pages show them.
//! Every page that computes goes through [`load`] and [`compute`], so a scenario is read and
//! interpreted in one way only.

use crate::shared::error::{AppError, AppResult};
use crate::shared::state::AppState;
use domain::budget::{
    BudgetInput, BudgetResult, HospitalTotals, Scenario, TrendChange, VakgroepResult, fte_text,
    hours_text, index_text, mutation_text,
};
use domain::ids::{CareProductId, ScenarioId, VakgroepId};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use store::budget::EngineInput;

/// A scenario read from the store, ready for the engine.
pub(crate) struct Loaded {
    pub stored: EngineInput,
    pub input: BudgetInput,
    pub params: Scenario,
    /// Gaps in the data the engine cannot see (a product without a norm time), in Dutch, by
    /// vakgroep id.
    pub warnings: Vec<(VakgroepId, String)>,
    /// An adopted scenario's settings as its snapshot fixed them: its pages show what the boards
    /// adopted, whatever changed in the year's settings and master data since.
    pub frozen: Option<store::budget::computation::Frozen>,
    /// Position of each care product in `stored.products`: a vakgroep page looks up thousands.
    /// Built when first needed, so a view that needs none does not pay for 200,000 entries.
    products_by_id: OnceLock<HashMap<CareProductId, usize>>,
}

impl Loaded {
    pub fn vakgroep_name(&self, id: VakgroepId) -> String {
        self.stored
            .vakgroepen
            .iter()
            .find(|v| v.id == id)
            .map(|v| v.name.clone())
            .unwrap_or_default()
    }

    pub fn product(&self, id: CareProductId) -> Option<&store::budget::EngineProduct> {
        self.products_by_id
            .get_or_init(|| {
                let products = self.stored.products.iter().enumerate();
                products.map(|(i, p)| (p.id, i)).collect()
            })
            .get(&id)
            .map(|&i| &*self.stored.products[i])
    }

    pub fn index_of(&self, vakgroep_id: VakgroepId) -> Option<usize> {
        self.input
            .vakgroepen
            .iter()
            .position(|v| v.id == vakgroep_id.get())
    }
}

/// Scenarios as read at a budget revision, the most recently read first. Each can hold the
/// 200,000 care products of a large hospital, so only a few are kept.
#[derive(Clone, Default)]
pub(crate) struct ScenarioCache(Arc<Mutex<Vec<Cached>>>);

/// Scenario id, the budget revision it was read at, and what was read.
type Cached = (ScenarioId, i64, Arc<Loaded>);

const CACHED_SCENARIOS: usize = 8;

impl ScenarioCache {
    fn get(&self, id: ScenarioId, revision: i64) -> Option<Arc<Loaded>> {
        let cached = self.0.lock().ok()?;
        cached
            .iter()
            // An adopted scenario is read from its immutable snapshot: any revision will do.
            .find(|(i, r, l)| *i == id && (*r == revision || l.frozen.is_some()))
            .map(|(_, _, l)| l.clone())
    }

    /// The most recent read to start from when `id` must be read again: its own earlier read,
    /// else any other (the store reuses only what is of the same years and unchanged since).
    fn kept(&self, id: ScenarioId) -> Option<Arc<Loaded>> {
        let cached = self.0.lock().ok()?;
        let open = |l: &&Cached| l.2.frozen.is_none();
        let own = cached.iter().filter(open).find(|(i, _, _)| *i == id);
        own.or_else(|| cached.iter().find(open))
            .map(|(_, _, l)| l.clone())
    }

    /// Keeps `loaded` for `id`; returns what it displaced, for [`drop_later`].
    fn put(&self, id: ScenarioId, loaded: Arc<Loaded>) -> Vec<Cached> {
        let Ok(mut cached) = self.0.lock() else {
            return Vec::new();
        };
        let (mut gone, kept): (Vec<Cached>, Vec<Cached>) =
            cached.drain(..).partition(|(i, _, _)| *i == id);
        *cached = kept;
        cached.insert(0, (id, loaded.stored.revision, loaded));
        if cached.len() > CACHED_SCENARIOS {
            gone.extend(cached.drain(CACHED_SCENARIOS..));
        }
        gone
    }
}

/// Frees what a read replaced away from the request: a large hospital's scenario is hundreds of
/// thousands of allocations, whose freeing cost the first view after a change several ms.
fn drop_later<T: Send + 'static>(value: T) {
    tokio::task::spawn_blocking(move || drop(value));
}

/// Scenario `id` with everything the engine needs. Read again only when the budget's revision
/// moved since it was last read (one small query otherwise): reading a large hospital costs far
/// more than computing it.
pub(crate) async fn load(state: &AppState, id: ScenarioId) -> AppResult<Arc<Loaded>> {
    let revision = store::budget::revision(&state.store).await?;
    if let Some(loaded) = state.part::<ScenarioCache>().get(id, revision) {
        return Ok(loaded);
    }
    // Kept under the revision the input itself was read at: a change committed after the
    // revision above is then either in the input or moves the revision past it. What an earlier
    // read holds and no change since touched is not read again.
    let kept = state.part::<ScenarioCache>().kept(id);
    let loaded = Arc::new(read(state, id, kept.as_deref()).await?);
    let gone = state.part::<ScenarioCache>().put(id, loaded.clone());
    drop_later((gone, kept));
    Ok(loaded)
}

/// Reads scenario `id` the one way (`store::budget::computation::loaded`: one bounded read, and
/// the *begroting vorig jaar*'s norm-fte where variant 3 needs it).
async fn read(state: &AppState, id: ScenarioId, kept: Option<&Loaded>) -> AppResult<Loaded> {
    let kept = kept.map(|k| &k.stored);
    let l = store::budget::computation::loaded_after(&state.store, id, kept).await?;
    Ok(Loaded {
        stored: l.stored,
        input: l.input,
        params: l.params,
        warnings: l.warnings,
        frozen: l.frozen,
        products_by_id: OnceLock::new(),
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
    sees: impl Fn(VakgroepId) -> bool,
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
    for v in r
        .vakgroepen
        .iter()
        .filter(|v| sees(VakgroepId::new(v.vakgroep_id)))
    {
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
pub(crate) fn trend_change_text(c: TrendChange) -> String {
    c.text()
}
