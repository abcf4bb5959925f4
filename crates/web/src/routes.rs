//! The route table: every section's routes, assembled here where all sections are known, so
//! that no section imports another (or this table) back.

use crate::shared::routes::RouteDef;
use crate::shared::state::AppState;
use axum::Router;

/// All routes, from every section.
pub fn all() -> Vec<RouteDef> {
    let mut routes = Vec::new();
    routes.extend(crate::health::routes());
    routes.extend(crate::shared::assets::routes());
    routes.extend(crate::auth::routes());
    routes.extend(crate::dashboard::routes());
    routes.extend(crate::meetings::routes());
    routes.extend(crate::agreements::routes());
    routes.extend(crate::selfassessment::routes());
    routes.extend(crate::calendar::routes());
    routes.extend(crate::budget::routes());
    routes.extend(crate::production::routes());
    routes.extend(crate::beheer::routes());
    routes.extend(crate::notifications::routes());
    routes
}

/// The router of [`all`], each handler wrapped in its guard.
pub fn router() -> Router<AppState> {
    crate::shared::routes::router(all())
}
