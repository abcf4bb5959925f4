//! Afspraken: the agreements register (product.md B1–B6).

mod detail;
mod export;
mod form;
mod list;

use crate::routes::RouteDef;

pub use list::RegisterCache;
pub(crate) use list::{Line, Selection, lines, needing_attention, today};

pub fn routes() -> Vec<RouteDef> {
    let mut routes = list::routes();
    routes.extend(export::routes());
    routes.extend(detail::routes());
    routes
}
