//! Verdeling (D6): a scenario's fee budget over the vakgroepen, for the hospital and per vakgroep
//! with every euro's trace, the vakgroepen' own bands, where the earmark comes from, and sharing
//! the distribution per vakgroep with the RvB (§0).
//!
//! [`compute`] is the one way a page gets a scenario's distribution: the engine's result (cached
//! per budget revision, `scenarios::engine`), the settings of `store::budget::distribution_setup`
//! read fresh, and last year's allocation from [`last_year`]. The distribution itself costs
//! about a tenth of a millisecond (docs/distribution.md), so it is not cached.

mod forms;
mod page;

use super::scenarios::engine::{self, Loaded};
use crate::shared::error::AppResult;
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use domain::authz::Capability;
use domain::budget::{BudgetResult, Distribution, Frame, distribute, distribution};
use domain::ids::ScenarioId;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use store::budget::{DistributionSetup, LastYearSource};

pub(super) fn routes() -> Vec<RouteDef> {
    let view = Access::Needs(Capability::ViewBudget);
    let shape = Access::Needs(Capability::ShapeDistribution);
    vec![
        get("/begroting/scenarios/{id}/verdeling", view, page::hospital),
        get(
            "/begroting/scenarios/{id}/verdeling/vakgroepen/{vakgroep}",
            view,
            page::vakgroep,
        ),
        post(
            "/begroting/scenarios/{id}/verdeling/vakgroepen/{vakgroep}/band",
            shape,
            forms::save_band,
        ),
        post(
            "/begroting/scenarios/{id}/verdeling/vakgroepen/{vakgroep}/band/verwijderen",
            shape,
            forms::delete_band,
        ),
        post(
            "/begroting/scenarios/{id}/verdeling/kader",
            Access::Needs(Capability::ManageBudget),
            forms::save_placement,
        ),
        post(
            "/begroting/scenarios/{id}/verdeling/delen",
            shape,
            forms::share,
        ),
    ]
}

/// Last year's allocation per vakgroep (from the fee budget, without earmark), and where it came
/// from or why there is none.
pub(crate) struct LastYear {
    pub source: LastYearSource,
    pub amounts: HashMap<i64, Decimal>,
    /// Why the source gave no allocation (its own distribution failed), in Dutch.
    pub problem: Option<String>,
}

/// A scenario's distribution with what it was computed from.
pub(crate) struct Computed {
    pub setup: DistributionSetup,
    pub last_year: LastYear,
    /// The distribution, or in Dutch why nothing was distributed.
    pub outcome: Result<Distribution, String>,
    /// The year's band has a floor but no cap, and so does not apply.
    pub band_incomplete: bool,
    pub scenario: store::budget::Scenario,
    /// Vakgroep code and name by id.
    pub names: HashMap<i64, (String, String)>,
}

impl Computed {
    pub fn shared(&self) -> bool {
        self.setup.settings.shared.is_some()
    }

    /// Whether the person may see this vakgroep's allocation and trace (`Actor::can_see_allocation`).
    pub fn sees(&self, user: &User, vakgroep_id: i64) -> bool {
        user.actor
            .can_see_allocation(&self.setup.msb_bodies, self.shared(), vakgroep_id)
    }

    pub fn may_shape(&self, user: &User) -> bool {
        user.actor.can_shape_distribution(&self.setup.msb_bodies)
    }
}

/// Scenario `id`'s distribution: its engine result and everything else it needs.
pub(crate) async fn compute(state: &AppState, id: ScenarioId) -> AppResult<Computed> {
    let l = engine::load(state, id).await?;
    let r = engine::compute(&l, &l.input)?;
    compute_with(state, &l, &r).await
}

/// The distribution of a scenario already loaded and computed (the compare page has both).
pub(crate) async fn compute_with(
    state: &AppState,
    l: &Loaded,
    r: &BudgetResult,
) -> AppResult<Computed> {
    let id = l.stored.scenario.id;
    let setup = store::budget::distribution_setup(&state.store, id).await?;
    let last_year = last_year(state, &setup.last_year).await?;
    let band = setup
        .year_settings
        .as_ref()
        .map_or((None, None), |y| (y.band_min, y.band_max));
    let overrides: HashMap<i64, domain::budget::Band> = setup
        .overrides
        .iter()
        .map(|o| (o.vakgroep_id.get(), o.band()))
        .collect();
    let outcome = match &setup.year_settings {
        None => Err(domain::budget::NoFrame::NoSettings(setup.year).to_string()),
        Some(y) => Frame::from_settings(
            setup.year,
            y.fee_budget,
            y.fixed_share,
            band,
            setup.settings.placement,
        )
        .map_err(|e| e.to_string())
        .and_then(|frame| {
            distribution::inputs_from(r, &last_year.amounts, &overrides)
                .and_then(|inputs| distribute(&frame, &inputs))
                .map_err(|e| e.to_string())
        }),
    };
    Ok(Computed {
        band_incomplete: Frame::band_incomplete(band),
        scenario: l.stored.scenario.clone(),
        names: l
            .stored
            .vakgroepen
            .iter()
            .map(|v| (v.id.get(), (v.code.to_string(), v.name.clone())))
            .collect(),
        setup,
        last_year,
        outcome,
    })
}

/// Last year's allocation from its source (`store::budget::last_year_source`, the one place that
/// chooses it): today the *begroting vorig jaar*'s own distribution, with its own last year in
/// turn. The chain ends, as each step is a year earlier.
fn last_year<'a>(
    state: &'a AppState,
    source: &'a LastYearSource,
) -> Pin<Box<dyn Future<Output = AppResult<LastYear>> + Send + 'a>> {
    Box::pin(async move {
        let (amounts, problem) = match source {
            LastYearSource::None => (HashMap::new(), None),
            LastYearSource::PreviousScenario { id, name } => {
                match compute(state, *id).await?.outcome {
                    Ok(d) => (
                        d.vakgroepen
                            .iter()
                            .map(|v| (v.vakgroep_id, v.allocation))
                            .collect(),
                        None,
                    ),
                    Err(why) => (
                        HashMap::new(),
                        Some(format!(
                            "De begroting vorig jaar ({name}) heeft geen verdeling, dus geldt geen band: {why}"
                        )),
                    ),
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
