//! The application: the state with every section's part, and the routes from
//! [`crate::routes`] wrapped in the layers every request passes.

use crate::config::Config;
use crate::routes;
use crate::shared::error::AppError;
use crate::shared::state::AppState;
use crate::shared::{csrf, input, session};
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::Extensions;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Content-Security-Policy: no inline scripts or styles, nothing from elsewhere, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

async fn not_found() -> Response {
    AppError::NotFound.into_response()
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    AppError::bug("panic in handler").into_response()
}

/// What each section keeps for itself, registered once: the live hub of the meetings, the
/// register's lights and attention list, the budget's scenarios as read at a revision, the
/// years' monitoring and the rendered pages.
pub fn parts() -> Extensions {
    let mut parts = Extensions::new();
    parts.insert(crate::meetings::live::Hub::default());
    parts.insert(crate::shared::register::RegisterCache::default());
    parts.insert(crate::budget::ScenarioCache::default());
    parts.insert(crate::shared::monitoring::MonitoringCache::default());
    parts.insert(crate::dashboard::DashboardCache::default());
    parts.insert(crate::shared::page_cache::PageCache::default());
    parts
}

/// The state of a running application on this database and configuration.
pub async fn state(store: store::Store, config: Config) -> anyhow::Result<AppState> {
    AppState::with_parts(store, config, parts()).await
}

pub fn build(state: AppState) -> Router {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request| {
            let path = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| req.uri().path().to_string());
            let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            tracing::info_span!("request", method = %req.method(), path = %path, request_id = %id, status = tracing::field::Empty, latency_ms = tracing::field::Empty)
        })
        .on_request(())
        .on_response(|res: &axum::http::Response<_>, latency: Duration, span: &Span| {
            span.record("status", res.status().as_u16());
            span.record("latency_ms", latency.as_secs_f64() * 1000.0);
            tracing::info!(status = res.status().as_u16(), latency_ms = latency.as_secs_f64() * 1000.0, "response");
        });

    let headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    let hsts = state.config.secure_cookies.then(|| {
        SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        )
    });

    routes::router()
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::shared::page_cache::serve,
        ))
        .layer(middleware::from_fn(input::dutch_rejections))
        .layer(middleware::from_fn_with_state(state.clone(), session::load))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::protect))
        .layer(middleware::from_fn(input::sanitize))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(trace)
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(headers)
                .option_layer(hsts),
        )
        .with_state(state)
}
