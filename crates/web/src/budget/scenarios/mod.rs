//! Scenarios (D4, D5, D7): the budget overview per year, a scenario's figures per vakgroep and for
//! the hospital, a vakgroep's trace and top movers, scenarios side by side, and what-if.
//!
//! Everything is computed on request by the engine from one bounded read per scenario
//! ([`engine::load`]), kept per budget revision: any change to what it reads moves the
//! revision, so a page never shows stale figures.

mod compare;
pub(crate) mod engine;
mod form;
mod page;
mod vakgroep;
mod what_if;

use crate::shared::error::AppResult;
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use domain::authz::Capability;
use domain::ids::VakgroepId;
use store::budget::Seen;

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        get(
            "/begroting",
            Access::Needs(Capability::ViewBudget),
            page::overview,
        ),
        get(
            "/begroting/scenarios/nieuw",
            Access::Needs(Capability::ManageBudget),
            form::new,
        ),
        post(
            "/begroting/scenarios",
            Access::Needs(Capability::ManageBudget),
            form::create,
        ),
        get(
            "/begroting/scenarios/vergelijken",
            Access::Needs(Capability::ViewBudget),
            compare::compare,
        ),
        get(
            "/begroting/scenarios/{id}",
            Access::Needs(Capability::ViewBudget),
            page::scenario_page,
        ),
        post(
            "/begroting/scenarios/{id}",
            Access::Needs(Capability::ManageBudget),
            form::update,
        ),
        get(
            "/begroting/scenarios/{id}/bewerken",
            Access::Needs(Capability::ManageBudget),
            form::edit,
        ),
        get(
            "/begroting/scenarios/{id}/vakgroep",
            Access::Needs(Capability::ViewBudget),
            vakgroep::vakgroep_page,
        ),
        // What-if changes nothing, so it is a GET: a link can be shared during the meeting.
        get(
            "/begroting/scenarios/{id}/watals",
            Access::Needs(Capability::ReviewTrendInputs),
            what_if::what_if,
        ),
    ]
}

type Pairs = Vec<(String, String)>;

pub(super) fn one<'a>(pairs: &'a Pairs, key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

pub(super) fn ids<T: std::str::FromStr>(pairs: &Pairs, key: &str) -> Vec<T> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect()
}

pub(crate) use domain::budget::YEARS;

/// The year asked for, else the latest budget year, else next year (the one being budgeted).
pub(crate) async fn year_of(state: &AppState, pairs: &Pairs) -> AppResult<i16> {
    if let Ok(year) = one(pairs, "jaar").trim().parse::<i16>()
        && YEARS.contains(&year)
    {
        return Ok(year);
    }
    let years = store::budget::years(&state.store).await?;
    Ok(years
        .iter()
        .map(|y| y.year)
        .max()
        .unwrap_or_else(|| crate::shared::clock::today().year() as i16 + 1))
}

/// The vakgroepen a person represents, as the store's filter wants them.
pub(crate) fn own_vakgroepen(user: &User) -> Vec<VakgroepId> {
    user.actor
        .vakgroepen
        .iter()
        .copied()
        .map(VakgroepId::new)
        .collect()
}

/// The trend inputs a person may see: those of the vakgroepen whose detail they may see
/// (`Actor::can_see_vakgroep`), i.e. every vakgroep's, or their own vakgroepen' (`own`).
pub(crate) fn seen<'a>(user: &User, own: &'a [VakgroepId]) -> Seen<'a> {
    if user.actor.can(Capability::ViewEveryVakgroep) {
        Seen::All
    } else {
        Seen::Vakgroepen(own)
    }
}
