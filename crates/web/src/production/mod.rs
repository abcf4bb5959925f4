//! Production data (product.md D2): importing realised volumes from the data warehouse's CSV.

use crate::routes::RouteDef;

pub fn routes() -> Vec<RouteDef> {
    Vec::new()
}
