//! Afspraken: the agreements register (product.md B1–B6).

mod conflict;
mod detail;
mod export;
mod form;
mod list;
mod progress;

use crate::shared::routes::RouteDef;

pub fn routes() -> Vec<RouteDef> {
    let mut routes = list::routes();
    routes.extend(export::routes());
    routes.extend(detail::routes());
    routes
}
