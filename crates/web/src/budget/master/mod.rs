//! Begroting › Stamgegevens (product.md D1): per budget year the care products, norm times,
//! normuren per fte, formative fte and KPIs of every vakgroep, the year's settings, and copying a
//! year to the next. The controller changes them (ManageBudget); whoever may see the budget may
//! look (ViewBudget) at the hospital totals, and at a vakgroep's own figures only when they may
//! see that vakgroep (`Actor::can_see_vakgroep`: another vakgroep's master data is its
//! compartment, product.md §0). Every handler that takes a vakgroep, care product or KPI finds
//! it through [`visible_vakgroep`], [`visible_product`] or [`visible_kpi`], so another
//! vakgroep's object answers 404 like a missing one. Every write goes through the store, which
//! audits it and refuses a stale version.

mod delete;
mod norm_times;
mod products;
mod vakgroep;
mod year;

use crate::shared::error::{AppError, AppResult};
use crate::shared::forms::Refusal;
use crate::shared::routes::{Access, RouteDef};
use crate::shared::session::User;
use crate::shared::state::AppState;
use domain::authz::Capability;
// A year as typed in a form or URL, if master data can be entered for it: the domain's range.
use domain::budget::master::parse_year;
use domain::ids::{CareProductId, VakgroepId};
use serde::Deserialize;
use store::budget::{BudgetKpi, CareProduct};
use store::vakgroepen::Vakgroep;

const VIEW: Access = Access::Needs(Capability::ViewBudget);
const MANAGE: Access = Access::Needs(Capability::ManageBudget);

pub(super) fn routes() -> Vec<RouteDef> {
    let mut routes = year::routes();
    routes.extend(vakgroep::routes());
    routes.extend(products::routes());
    routes.extend(norm_times::routes());
    routes.extend(delete::routes());
    routes
}

/// A vakgroep whose master data the person may see; any other is not found.
async fn visible_vakgroep(state: &AppState, user: &User, id: VakgroepId) -> AppResult<Vakgroep> {
    if !user.actor.can_see_vakgroep(id.get()) {
        return Err(AppError::NotFound);
    }
    Ok(store::vakgroepen::get(&state.store, id.get()).await?)
}

/// A care product of a vakgroep the person may see; any other is not found.
async fn visible_product(
    state: &AppState,
    user: &User,
    id: CareProductId,
) -> AppResult<CareProduct> {
    let product = store::budget::care_product(state.store.pool(), id).await?;
    if !user.actor.can_see_vakgroep(product.vakgroep_id.get()) {
        return Err(AppError::NotFound);
    }
    Ok(product)
}

/// A KPI of a vakgroep the person may see; any other is not found.
async fn visible_kpi(state: &AppState, user: &User, id: i64) -> AppResult<BudgetKpi> {
    let kpi = store::budget::kpi(state.store.pool(), id).await?;
    if !user.actor.can_see_vakgroep(kpi.vakgroep_id.get()) {
        return Err(AppError::NotFound);
    }
    Ok(kpi)
}

/// `?jaar=` of the master-data pages.
#[derive(Deserialize, Default)]
struct YearQuery {
    #[serde(default)]
    jaar: String,
}

fn this_year() -> i16 {
    domain::nl::to_amsterdam(time::OffsetDateTime::now_utc()).year() as i16
}

/// The budget year a page shows: the one asked for, else the latest year with settings, else
/// this calendar year.
async fn chosen_year(store: &store::Store, q: &YearQuery) -> AppResult<(i16, Vec<i16>)> {
    let mut years: Vec<i16> = store::budget::years(store)
        .await?
        .into_iter()
        .map(|y| y.year)
        .collect();
    let year = parse_year(&q.jaar)
        .or_else(|| years.last().copied())
        .unwrap_or_else(this_year);
    // The year shown, and the one after it (to start entering data for a new year).
    years.extend([year, year + 1]);
    years.sort_unstable();
    years.dedup();
    Ok((year, years))
}

/// A version from a hidden form field: empty when the form was for something not yet stored.
fn parse_version(s: &str) -> Option<i32> {
    s.trim().parse().ok()
}

/// A decimal as a form shows it for editing: decimal comma, no thousands separators (which the
/// parser would find ambiguous), no trailing zeros.
fn editable(value: impl ToString) -> String {
    let s = value.to_string();
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    s.replace('.', ",")
}

/// A stale version on any master-data form: the whole form's message, so the page shows what
/// was typed.
const CONFLICT: Refusal = Refusal::Conflict(
    "Iemand anders heeft deze gegevens intussen gewijzigd. Er is niets opgeslagen. Laad de pagina opnieuw om de huidige gegevens te zien; uw invoer staat hieronder.",
);
