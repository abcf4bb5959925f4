//! The status and result of one background import, read from PostgreSQL: the page, its poller's
//! JSON and every rejected line as CSV. Any instance answers for a job any instance runs.

use super::jobs::JobView;
use crate::shared::download::{CSV, attachment_body};
use crate::shared::error::{AppError, AppResult};
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use domain::budget::workbook::csv_field;
use domain::ids::ImportJobId;
use domain::production::{LineError, MAX_REPORTED_ERRORS};
use store::production::jobs::{self, JobLineError};
use store::{Store, StoreError};
use tokio_stream::wrappers::ReceiverStream;

/// The page lists this many rejected lines; the CSV has every one.
const SHOWN_ERRORS: usize = MAX_REPORTED_ERRORS;

/// Rejected lines read per query while the CSV streams: memory stays flat for a million.
const CSV_PAGE: usize = 10_000;

#[derive(Template)]
#[template(path = "production/job.html")]
struct JobPage {
    layout: Layout,
    id: ImportJobId,
    production_js_url: &'static str,
    job: JobView,
    errors: Vec<LineError>,
    shown_errors: String,
    total_errors: String,
    more_errors: bool,
    /// How many errors the list leaves out, formatted.
    hidden_errors: String,
}

/// A job id from the path. Anything that is not one of ours — not a number, another object's
/// number — answers like a job that does not exist.
fn job_id(id: &str) -> AppResult<ImportJobId> {
    id.parse().map_err(|_| AppError::NotFound)
}

async fn job_view(store: &Store, id: &str) -> AppResult<(ImportJobId, JobView)> {
    let id = job_id(id)?;
    Ok((id, JobView::from(jobs::get(store, id).await?)))
}

pub(super) async fn job_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (id, job) = job_view(&state.store, &id).await?;
    let errors: Vec<LineError> = if job.errors > 0 {
        jobs::errors(&state.store, id, 0, SHOWN_ERRORS)
            .await?
            .into_iter()
            .map(LineError::from)
            .collect()
    } else {
        Vec::new()
    };
    let total = job.errors;
    let title = format!("Productie-import {}-{:02}", job.year, job.period);
    render(JobPage {
        layout: ctx.layout(title),
        id,
        production_js_url: crate::shared::assets::production_js_url(),
        more_errors: total > errors.len(),
        hidden_errors: domain::nl::count(total.saturating_sub(errors.len())),
        shown_errors: domain::nl::count(errors.len()),
        total_errors: domain::nl::count(total),
        errors,
        job,
    })
}

/// The status for the page's poller (`static/production.js`).
pub(super) async fn job_progress(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (_, job) = job_view(&state.store, &id).await?;
    Ok(Json(serde_json::json!({
        "klaar": !job.running,
        "tekst": job.progress,
    }))
    .into_response())
}

/// Every rejected line of a job as CSV (semicolons, UTF-8 with BOM, like the app's other
/// exports), streamed page by page. A job without rejected lines gives the header only.
pub(super) async fn job_errors_csv(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (id, job) = job_view(&state.store, &id).await?;
    let name = format!(
        "productie-{}-{:02}-afgewezen-regels.csv",
        job.year, job.period
    );
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(2);
    let store = state.store.clone();
    tokio::spawn(async move {
        let mut chunk = "\u{feff}regel;kolom;reden;inhoud\r\n".as_bytes().to_vec();
        let mut after = 0;
        loop {
            let page = match jobs::errors(&store, id, after, CSV_PAGE).await {
                Ok(page) => page,
                Err(e) => {
                    // Breaking the body off tells the browser the download failed, where a
                    // shorter file would pass for all of them.
                    tracing::error!(error = %e, job = %id, "reading rejected lines for the CSV");
                    let _ = tx.send(Err(std::io::Error::other(failed(e)))).await;
                    return;
                }
            };
            for e in &page {
                csv_record(&mut chunk, e);
            }
            let full = page.len() == CSV_PAGE;
            after = page.last().map_or(after, |e| e.seq);
            // A receiver gone is a browser that stopped the download.
            if tx.send(Ok(std::mem::take(&mut chunk))).await.is_err() || !full {
                return;
            }
        }
    });
    Ok(attachment_body(
        CSV,
        &name,
        Body::from_stream(ReceiverStream::new(rx)),
    ))
}

fn failed(e: StoreError) -> String {
    format!("reading rejected lines: {e}")
}

fn csv_record(out: &mut Vec<u8>, e: &JobLineError) {
    let fields = [
        e.line.to_string(),
        csv_field(e.column_name.as_deref().unwrap_or("")),
        csv_field(&e.reason),
        csv_field(e.content.as_deref().unwrap_or("")),
    ];
    out.extend_from_slice(fields.join(";").as_bytes());
    out.extend_from_slice(b"\r\n");
}
