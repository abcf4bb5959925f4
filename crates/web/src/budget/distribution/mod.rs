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
use domain::budget::{BudgetResult, Distribution, Frame};
use domain::ids::ScenarioId;
use std::collections::HashMap;
use store::budget::DistributionSetup;

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

pub(crate) use store::budget::computation::LastYear;

/// A scenario's distribution with what it was computed from.
pub(crate) struct Computed {
    pub setup: DistributionSetup,
    pub last_year: LastYear,
    /// The distribution, or in Dutch why nothing was distributed.
    pub outcome: Result<Distribution, String>,
    /// The year's band has a floor but no cap, and so does not apply.
    pub band_incomplete: bool,
    pub scenario: store::budget::Scenario,
    /// For an adopted budget, where its snapshot says last year's allocation came from.
    pub recorded_last_year: Option<String>,
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
    let mut setup = store::budget::distribution_setup(&state.store, id).await?;
    let (last_year, outcome) = match &l.frozen {
        Some(f) => {
            // What the boards adopted, not today's settings.
            setup.year_settings = l.stored.settings.clone();
            setup.settings.placement = f.placement;
            setup.overrides = f.overrides();
            (f.last_year_of(&setup), f.outcome(setup.year, r))
        }
        None => {
            let last_year =
                store::budget::computation::last_year_of(&state.store, &setup.last_year).await?;
            let outcome = store::budget::computation::outcome(&setup, &last_year, r);
            (last_year, outcome)
        }
    };
    let band = setup
        .year_settings
        .as_ref()
        .map_or((None, None), |y| (y.band_min, y.band_max));
    Ok(Computed {
        band_incomplete: Frame::band_incomplete(band),
        scenario: l.stored.scenario.clone(),
        names: l
            .stored
            .vakgroepen
            .iter()
            .map(|v| (v.id.get(), (v.code.to_string(), v.name.clone())))
            .collect(),
        recorded_last_year: l.frozen.as_ref().map(|f| f.last_year_source.clone()),
        setup,
        last_year,
        outcome,
    })
}
