//! Begroting: the capacity budget (product.md D). Master data (`master`), trend inputs from the
//! vakgroepen (`trends`) and scenarios with the engine's results and comparisons (`scenarios`).

mod adoption;
mod congruence;
mod distribution;
pub(crate) mod export;
mod master;
mod monitoring;
mod proposal;
mod scenarios;
pub(crate) use scenarios::engine::ScenarioCache;
mod trends;

use crate::shared::routes::RouteDef;

pub fn routes() -> Vec<RouteDef> {
    let mut routes = master::routes();
    routes.extend(trends::routes());
    routes.extend(scenarios::routes());
    routes.extend(distribution::routes());
    routes.extend(adoption::routes());
    routes.extend(export::routes());
    routes.extend(monitoring::routes());
    routes.extend(congruence::routes());
    routes
}
