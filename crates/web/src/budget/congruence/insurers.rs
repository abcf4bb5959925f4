//! A year's insurers (name, contract ceiling, share of the production) and tariff list, kept by
//! the controller; everyone with the budget sees them.

use crate::shared::error::{AppError, AppResult};
use crate::shared::forms::{self, Refusal};
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::upload::read_upload;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::budget::YEARS;
use domain::budget::congruence::{InsurerDraft, InsurerForm, parse_tariffs};
use domain::nl;
use domain::production::LineError;
use rust_decimal::Decimal;
use serde::Deserialize;
use store::budget::BulkOutcome;

/// A tariff list of 200,000 lines is about 5 MB.
const MAX_TARIFF_BYTES: usize = 20 * 1024 * 1024;

pub(super) fn routes() -> Vec<RouteDef> {
    let manage = Access::Needs(Capability::ManageBudget);
    let mut import = post("/begroting/verzekeraars/tarieven", manage, import);
    import.handler = import
        .handler
        .layer(DefaultBodyLimit::max(MAX_TARIFF_BYTES + 1024 * 1024));
    vec![
        get(
            "/begroting/verzekeraars",
            Access::Needs(Capability::ViewBudget),
            page,
        ),
        post("/begroting/verzekeraars", manage, create),
        get("/begroting/verzekeraars/{id}", manage, edit_form),
        post("/begroting/verzekeraars/{id}", manage, update),
        post("/begroting/verzekeraars/{id}/verwijderen", manage, delete),
        import,
    ]
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct YearQuery {
    #[serde(default)]
    jaar: String,
}

fn year_of(text: &str) -> Option<i16> {
    text.trim()
        .parse::<i16>()
        .ok()
        .filter(|y| YEARS.contains(y))
}

fn this_year() -> i16 {
    crate::shared::clock::today().year() as i16 + 1
}

struct Row {
    id: i64,
    name: String,
    ceiling: String,
    share: String,
    version: i32,
}

#[derive(Template)]
#[template(path = "budget/congruence/insurers.html")]
struct Page {
    layout: Layout,
    year: i16,
    rows: Vec<Row>,
    shares: String,
    shares_ok: bool,
    tariffs: String,
    can_manage: bool,
    form: InsurerForm,
    errors: Errors,
    tariff_errors: Vec<LineError>,
    tariff_total: String,
    tariff_form_errors: Errors,
}

#[derive(Default)]
struct Shown {
    form: InsurerForm,
    errors: Errors,
    tariff_errors: Vec<LineError>,
    tariff_total: usize,
    tariff_form_errors: Errors,
}

async fn render_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    year: i16,
    shown: Shown,
) -> AppResult<Response> {
    let insurers = store::budget::congruence::insurers(&state.store, year).await?;
    let sum: Decimal = insurers.iter().map(|i| i.share).sum();
    let failed = !shown.errors.is_empty()
        || !shown.tariff_errors.is_empty()
        || !shown.tariff_form_errors.is_empty();
    let page = Page {
        layout: ctx.layout(format!("Zorgverzekeraars en tarieven {year}")),
        year,
        shares: format!("{} %", nl::number(sum, 2)),
        shares_ok: sum == Decimal::ONE_HUNDRED,
        rows: insurers
            .into_iter()
            .map(|i| Row {
                id: i.id,
                ceiling: nl::eur(i.ceiling),
                share: format!("{} %", nl::number(i.share, 2)),
                name: i.name,
                version: i.version,
            })
            .collect(),
        tariffs: nl::count(
            usize::try_from(store::budget::congruence::tariff_count(&state.store, year).await?)
                .unwrap_or(0),
        ),
        can_manage: user.actor.can(Capability::ManageBudget),
        form: shown.form,
        errors: shown.errors,
        tariff_total: nl::count(shown.tariff_total),
        tariff_errors: shown.tariff_errors,
        tariff_form_errors: shown.tariff_form_errors,
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(page)?).into_response())
}

/// `GET /begroting/verzekeraars?jaar=`.
async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = year_of(&q.jaar).unwrap_or_else(this_year);
    render_page(&state, &ctx, &user, year, Shown::default()).await
}

const REFUSALS: &[Refusal] = &[
    Refusal::Duplicate {
        constraint: Some("insurer_year_name"),
        field: "name",
        message: "Er is voor dit jaar al een zorgverzekeraar met deze naam.",
    },
    Refusal::Conflict(
        "Iemand anders heeft deze zorgverzekeraar intussen gewijzigd of verwijderd. Laad de pagina opnieuw; uw invoer staat hieronder.",
    ),
];

/// `POST /begroting/verzekeraars?jaar=`.
async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(q): Query<YearQuery>,
    Form(form): Form<InsurerForm>,
) -> AppResult<Response> {
    let year = year_of(&q.jaar).ok_or(AppError::NotFound)?;
    let w = who(&user);
    forms::submit(
        &state,
        form,
        InsurerDraft::parse,
        REFUSALS,
        async |tx, input| store::budget::congruence::create_insurer(tx, &w, year, input).await,
        |_| format!("/begroting/verzekeraars?jaar={year}"),
        async |form, errors| {
            let shown = Shown {
                form,
                errors,
                ..Shown::default()
            };
            render_page(&state, &ctx, &user, year, shown).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "budget/congruence/insurer_form.html")]
struct FormPage {
    layout: Layout,
    id: i64,
    year: i16,
    form: InsurerForm,
    errors: Errors,
}

fn form_page(
    ctx: &Ctx,
    id: i64,
    year: i16,
    form: InsurerForm,
    errors: Errors,
) -> AppResult<Response> {
    let status = errors.status();
    let page = FormPage {
        layout: ctx.layout(format!("Zorgverzekeraar {year} wijzigen")),
        id,
        year,
        form,
        errors,
    };
    Ok((status, render(page)?).into_response())
}

/// `GET /begroting/verzekeraars/{id}`.
async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let i = store::budget::congruence::insurer(&state.store, id).await?;
    let form = InsurerForm {
        name: i.name,
        ceiling: nl::number(i.ceiling, 2),
        share: nl::number(i.share, 2),
        version: i.version.to_string(),
    };
    form_page(&ctx, id, i.year, form, Errors::default())
}

/// `POST /begroting/verzekeraars/{id}`.
async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<InsurerForm>,
) -> AppResult<Response> {
    let year = store::budget::congruence::insurer(&state.store, id)
        .await?
        .year;
    let version: i32 = form
        .version
        .trim()
        .parse()
        .map_err(|_| AppError::BadInput)?;
    let w = who(&user);
    forms::submit(
        &state,
        form,
        InsurerDraft::parse,
        REFUSALS,
        async |tx, input| {
            store::budget::congruence::update_insurer(tx, &w, id, version, input).await
        },
        |_| format!("/begroting/verzekeraars?jaar={year}"),
        async |form, errors| form_page(&ctx, id, year, form, errors),
    )
    .await
}

#[derive(Deserialize)]
struct VersionForm {
    #[serde(default)]
    version: String,
}

/// `POST /begroting/verzekeraars/{id}/verwijderen` with the version shown.
async fn delete(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> AppResult<Response> {
    let year = store::budget::congruence::insurer(&state.store, id)
        .await?
        .year;
    let version: i32 = f.version.trim().parse().map_err(|_| AppError::BadInput)?;
    let mut tx = state.store.begin().await?;
    match store::budget::congruence::delete_insurer(&mut tx, &who(&user), id, version).await {
        // Changed meanwhile: nothing deleted; the page shows the insurer as it is now.
        Err(store::StoreError::Conflict) => {}
        other => {
            other?;
            store::commit(tx).await?;
        }
    }
    Ok(Redirect::to(&format!("/begroting/verzekeraars?jaar={year}")).into_response())
}

/// `POST /begroting/verzekeraars/tarieven?jaar=`: a year's tariff list, all or nothing.
async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(q): Query<YearQuery>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let year = year_of(&q.jaar).ok_or(AppError::NotFound)?;
    let rejected = |errors: Vec<LineError>, total: usize| Shown {
        tariff_errors: errors,
        tariff_total: total,
        ..Shown::default()
    };
    let upload = match read_upload(multipart, MAX_TARIFF_BYTES, "Het bestand is te groot.").await {
        Ok(u) => u,
        Err(message) => {
            let mut errors = Errors::default();
            errors.add("bestand", message);
            let shown = Shown {
                tariff_form_errors: errors,
                ..Shown::default()
            };
            return render_page(&state, &ctx, &user, year, shown).await;
        }
    };
    let lines = match parse_tariffs(&upload.data) {
        Ok(lines) => lines,
        Err((errors, total)) => {
            return render_page(&state, &ctx, &user, year, rejected(errors, total)).await;
        }
    };
    let mut tx = state.store.begin().await?;
    match store::budget::congruence::replace_tariffs(&mut tx, &who(&user), year, &lines).await? {
        BulkOutcome::Replaced { .. } => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!("/begroting/verzekeraars?jaar={year}")).into_response())
        }
        BulkOutcome::Rejected { errors, total } => {
            drop(tx);
            render_page(&state, &ctx, &user, year, rejected(errors, total)).await
        }
    }
}
