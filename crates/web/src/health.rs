//! Liveness and readiness for load balancers and orchestration (product.md F7), and the
//! command that asks them ([`check`], `gelijkgericht health`).

pub mod check;

use crate::shared::routes::{Access, RouteDef, get};
use crate::shared::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use std::time::Duration;

/// The process is up.
async fn health() -> &'static str {
    "ok"
}

/// The database answers; 503 while it does not, back to 200 as soon as it does.
async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match tokio::time::timeout(Duration::from_secs(2), state.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database niet bereikbaar"),
    }
}

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/health", Access::Public, health),
        get("/ready", Access::Public, ready),
    ]
}
