//! Production data (product.md D2): importing realised volumes from the data warehouse's CSV.
//!
//! The upload is read into memory and handed to a background task that runs
//! [`store::production::import_keeping`]; the browser is sent to a status page that follows the
//! task's progress. Progress, result and rejected lines are written to PostgreSQL ([`jobs`]), so
//! any instance shows the status page; the import itself is one database transaction, so a
//! crash loses at most the job's progress, never half an import.

mod jobs;
mod status;

use crate::shared::error::AppResult;
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::upload::{Upload, read_upload_form};
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use serde::Deserialize;
use store::production::ImportRecord;

const VIEW: Access = Access::Needs(Capability::ViewBudget);
const MANAGE: Access = Access::Needs(Capability::ManageBudget);

/// The largest production file accepted (a million lines is about 20 MB).
pub const MAX_PRODUCTION_BYTES: usize = 100 * 1024 * 1024;

pub fn routes() -> Vec<RouteDef> {
    let mut upload = post("/begroting/productie", MANAGE, upload);
    upload.handler = upload
        .handler
        .layer(DefaultBodyLimit::max(MAX_PRODUCTION_BYTES + 1024 * 1024));
    vec![
        get("/begroting/productie", VIEW, list),
        upload,
        get("/begroting/productie/taken/{id}", MANAGE, status::job_page),
        get(
            "/begroting/productie/taken/{id}/voortgang",
            MANAGE,
            status::job_progress,
        ),
        get(
            "/begroting/productie/taken/{id}/fouten.csv",
            MANAGE,
            status::job_errors_csv,
        ),
    ]
}

/// Reads a year and a period typed in a form, with the messages at the fields.
fn year_and_period(year: &str, period: &str, errors: &mut Errors) -> Option<(i16, i16)> {
    let y: Option<i32> = year.trim().parse().ok();
    let p: Option<i32> = period.trim().parse().ok();
    match (y, p) {
        (Some(y), Some(p)) => match domain::production::check_period(y, p) {
            Ok(()) => Some((y as i16, p as i16)),
            Err(e) => {
                errors.field(e);
                None
            }
        },
        (None, _) => {
            errors.add("year", "Vul een jaar in, bijvoorbeeld 2026.");
            None
        }
        (_, None) => {
            errors.add("period", "Kies een periode van 1 tot en met 12 (de maand).");
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The list and the upload form

/// One import in the history.
struct ImportRow {
    year: i16,
    period: i16,
    file: String,
    who: String,
    when: String,
    lines: String,
    volume: String,
    /// "huidig" or "vervangen op …".
    status: String,
    current: bool,
}

impl From<ImportRecord> for ImportRow {
    fn from(r: ImportRecord) -> Self {
        ImportRow {
            year: r.year,
            period: r.period,
            file: r.source_name,
            who: r.imported_by_label,
            when: domain::nl::datetime(r.imported_at),
            lines: domain::nl::count(r.line_count.max(0) as usize),
            volume: domain::budget::volume_text(r.total_volume),
            status: match r.replaced_at {
                None => "huidig".into(),
                Some(at) => format!("vervangen op {}", domain::nl::datetime(at)),
            },
            current: r.replaced_at.is_none(),
        }
    }
}

#[derive(Template)]
#[template(path = "production/index.html")]
struct ListPage {
    layout: Layout,
    year: Option<i16>,
    years: Vec<i16>,
    imports: Vec<ImportRow>,
    can_import: bool,
    form_year: String,
    form_period: String,
    errors: Errors,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    jaar: String,
}

fn this_year() -> i16 {
    domain::nl::to_amsterdam(time::OffsetDateTime::now_utc()).year() as i16
}

async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    year: Option<i16>,
    form: (String, String),
    errors: Errors,
) -> AppResult<Response> {
    let all = store::production::imports(&state.store, None).await?;
    let mut years: Vec<i16> = all.iter().map(|r| r.year).collect();
    years.push(this_year());
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let imports = all
        .into_iter()
        .filter(|r| year.is_none_or(|y| r.year == y))
        .map(ImportRow::from)
        .collect();
    let status = errors.status();
    let page = ListPage {
        layout: ctx.layout("Productie"),
        year,
        years,
        imports,
        can_import: user.actor.can(Capability::ManageBudget),
        form_year: form.0,
        form_period: form.1,
        errors,
    };
    Ok((status, render(page)?).into_response())
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let year = q.jaar.trim().parse().ok();
    let form = (this_year().to_string(), String::new());
    list_page(&state, &ctx, &user, year, form, Errors::default()).await
}

async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let upload = read_upload_form(
        multipart,
        MAX_PRODUCTION_BYTES,
        "Het bestand is te groot (ten hoogste 100 MB).",
    )
    .await;
    let mut errors = Errors::default();
    let upload = match upload {
        Ok(u) => u,
        Err((fields, message)) => {
            // Only the file went wrong: the form comes back with what was typed, and the year
            // and period are not judged on what a broken upload may have cut off.
            let read = Upload {
                fields,
                file_name: String::new(),
                data: Vec::new(),
            };
            let year = Some(read.field("year"))
                .filter(|y| !y.is_empty())
                .unwrap_or_else(|| this_year().to_string());
            errors.add("bestand", message);
            let form = (year, read.field("period"));
            return list_page(&state, &ctx, &user, None, form, errors).await;
        }
    };
    let (year, period) = (upload.field("year"), upload.field("period"));
    let Some((year, period)) = year_and_period(&year, &period, &mut errors) else {
        return list_page(&state, &ctx, &user, None, (year, period), errors).await;
    };
    let id = jobs::start(&state.store, who(&user), year, period, upload).await?;
    Ok(Redirect::to(&format!("/begroting/productie/taken/{id}")).into_response())
}
