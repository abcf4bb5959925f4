//! Static files, embedded in the binary (one binary to deploy) and served with a content hash in
//! the URL so that browsers may cache them for a year.

use crate::shared::routes::{Access, RouteDef, get};
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::Digest;
use std::sync::OnceLock;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../../../static/app.css"),
    },
    Asset {
        name: "print.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../../../static/print.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../../static/app.js"),
    },
    Asset {
        name: "live.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../../static/live.js"),
    },
    Asset {
        name: "budget.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../../static/budget.js"),
    },
    Asset {
        name: "production.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../../static/production.js"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../../../../static/favicon.svg"),
    },
];

fn versioned(name: &'static str, cell: &'static OnceLock<String>) -> &'static str {
    cell.get_or_init(|| {
        let asset = ASSETS.iter().find(|a| a.name == name).expect("known asset");
        let hash = hex::encode(&sha2::Sha256::digest(asset.body)[..6]);
        format!("/static/{name}?v={hash}")
    })
}

pub fn css_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    versioned("app.css", &URL)
}

pub fn js_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    versioned("app.js", &URL)
}

/// The live meeting script (A5), loaded by the meeting page only.
pub fn live_js_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    versioned("live.js", &URL)
}

/// The trend-input form's live preview (D3), loaded by that form only.
pub fn budget_js_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    versioned("budget.js", &URL)
}

/// The production import's progress poller (D2), loaded by its status page only.
pub fn production_js_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    versioned("production.js", &URL)
}

pub fn print_css_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    versioned("print.css", &URL)
}

async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(a.content_type),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            a.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub fn routes() -> Vec<RouteDef> {
    vec![get("/static/{name}", Access::Public, serve)]
}
