//! The 7S self-assessment (product.md C1–C5, docs/selfassessment.md): the statement catalogue,
//! rounds and their answers ([`manage`], [`respond`]), and the anonymous results with the actions
//! that turn a difference into an agenda item or an agreement ([`results`]).

mod manage;
mod manage_rounds;
mod notify;
mod respond;
mod respond_answer;
mod results;
mod results_actions;
mod results_view;

use crate::shared::routes::RouteDef;

pub fn routes() -> Vec<RouteDef> {
    let mut routes = manage::routes();
    routes.extend(respond::routes());
    routes.extend(results::routes());
    routes
}
