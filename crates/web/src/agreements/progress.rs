//! The progress forms of the agreement page (product.md B2–B4): status steps, comments, KPIs,
//! measurements and reviews. The secretary and the agreement's owners (of the agreement or one of
//! its parties) record progress; the domain checks what they typed
//! (`domain::agreements::progress`), the store keeps it.

use super::detail::{Drafts, can_manage, invalid, is_owner, trim_num};
use super::{Choice, choices, visible_agreement};
use crate::shared::clock::today;
use crate::shared::error::{AppError, AppResult};
use crate::shared::forms::{self, Refusal};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::agreements::kpi::Direction;
use domain::agreements::progress::{
    CommentDraft, KpiDraft, KpiForm, MeasurementDraft, MeasurementForm, ReviewDraft, ReviewForm,
    StatusForm, StatusStep,
};
use domain::ids::AgreementId;
use domain::nl;
use store::agreements::{AgreementDetail, KpiRow};
use store::{PgConnection, StoreError};

/// The agreement, if the person may see it (404) and record progress on it (403).
async fn progressable(
    state: &AppState,
    user: &User,
    id: AgreementId,
) -> AppResult<AgreementDetail> {
    let d = visible_agreement(state, user, id).await?;
    if !can_manage(user) && !is_owner(user, &d) {
        return Err(AppError::Forbidden);
    }
    Ok(d)
}

fn one(pairs: &[(String, String)], k: &str) -> String {
    pairs
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The version a versioned form was based on; a missing one never matches.
fn version(pairs: &[(String, String)]) -> i32 {
    one(pairs, "version").parse().unwrap_or(-1)
}

fn done(id: AgreementId, anchor: &str) -> Response {
    Redirect::to(&format!("/afspraken/{id}?ok=opgeslagen#{anchor}")).into_response()
}

/// A versioned progress step on the agreement page: where to return and what to say, at which
/// field, when someone else changed the agreement first.
struct Step {
    id: AgreementId,
    anchor: &'static str,
    field: &'static str,
    message: &'static str,
}

/// Saves a versioned step, or shows the agreement as it is now with the message at the step's
/// field and what the person typed still in the form.
async fn save_step(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    step: Step,
    drafts: Drafts,
    write: impl AsyncFnOnce(&mut PgConnection) -> Result<(), StoreError>,
) -> AppResult<Response> {
    match forms::save(state, &[Refusal::Conflict(step.message)], write).await? {
        Ok(()) => Ok(done(step.id, step.anchor)),
        Err(_) => {
            let d = visible_agreement(state, user, step.id).await?;
            let mut errors = Errors::default();
            errors.add(step.field, step.message);
            invalid(ctx, user, &d, drafts, errors)
        }
    }
}

/// Saves an unversioned addition (a comment, a KPI, a measurement).
async fn save_addition(
    state: &AppState,
    id: AgreementId,
    anchor: &str,
    write: impl AsyncFnOnce(&mut PgConnection) -> Result<i64, StoreError>,
) -> AppResult<Response> {
    forms::save(state, &[], write)
        .await?
        .map_err(|_| AppError::bug("an addition has no refusals"))?;
    Ok(done(id, anchor))
}

pub(super) async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<AgreementId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let d = progressable(&state, &user, id).await?;
    let drafts = Drafts {
        status: StatusForm {
            to: one(&pairs, "to"),
            reason: one(&pairs, "reason"),
        },
        ..Default::default()
    };
    let step = match StatusStep::parse(&drafts.status, d.agreement.status, can_manage(&user)) {
        Ok(step) => step,
        Err(problems) => return invalid(&ctx, &user, &d, drafts, problems.into()),
    };
    let (who, version) = (who(&user), version(&pairs));
    let place = Step {
        id,
        anchor: "status",
        field: "to",
        message: "Iemand anders heeft deze afspraak intussen gewijzigd. Bekijk de huidige status en kies opnieuw.",
    };
    save_step(&state, &ctx, &user, place, drafts, async |tx| {
        store::agreements::change_status(tx, &who, id, version, step.to, &step.reason, None).await
    })
    .await
}

pub(super) async fn add_comment(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<AgreementId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let d = progressable(&state, &user, id).await?;
    let drafts = Drafts {
        comment: one(&pairs, "comment"),
        ..Default::default()
    };
    let comment = match CommentDraft::parse(&drafts.comment) {
        Ok(c) => c,
        Err(problems) => return invalid(&ctx, &user, &d, drafts, problems.into()),
    };
    let who = who(&user);
    save_addition(&state, id, "opmerkingen", async |tx| {
        store::agreements::add_comment(tx, &who, id, &comment.text).await
    })
    .await
}

/// The KPI fields of a posted form, as typed.
fn kpi_form(pairs: &[(String, String)]) -> KpiForm {
    KpiForm {
        name: one(pairs, "kpi_name"),
        unit: one(pairs, "kpi_unit"),
        direction: one(pairs, "kpi_direction"),
        baseline: one(pairs, "kpi_baseline"),
        target: one(pairs, "kpi_target"),
    }
}

pub(super) async fn add_kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<AgreementId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let d = progressable(&state, &user, id).await?;
    let drafts = Drafts {
        kpi: kpi_form(&pairs),
        ..Default::default()
    };
    let kpi = match KpiDraft::parse(&drafts.kpi) {
        Ok(k) => k,
        Err(problems) => return invalid(&ctx, &user, &d, drafts, problems.into()),
    };
    let who = who(&user);
    save_addition(&state, id, "kpis", async |tx| {
        store::agreements::add_kpi(tx, &who, id, &kpi).await
    })
    .await
}

#[derive(Template)]
#[template(path = "agreements/kpi_form.html")]
struct KpiPage {
    layout: Layout,
    id: AgreementId,
    title: String,
    kpi: i64,
    version: i32,
    d: Drafts,
    directions: Vec<Choice>,
    errors: Errors,
}

fn kpi_page(
    ctx: &Ctx,
    d: &AgreementDetail,
    kpi: &KpiRow,
    version: i32,
    drafts: Drafts,
    errors: Errors,
) -> KpiPage {
    KpiPage {
        layout: ctx.layout(format!("KPI wijzigen: {}", kpi.name)),
        id: d.agreement.id,
        title: d.agreement.title.clone(),
        kpi: kpi.id,
        version,
        directions: choices(
            Direction::ALL,
            Direction::code,
            Direction::label,
            &drafts.kpi.direction,
        ),
        d: drafts,
        errors,
    }
}

/// The KPI named by the `kpi` field, if it belongs to this agreement.
fn kpi_of(d: &AgreementDetail, kpi: &str) -> Option<KpiRow> {
    let kpi: i64 = kpi.trim().parse().ok()?;
    d.kpis.iter().map(|k| &k.kpi).find(|k| k.id == kpi).cloned()
}

#[derive(serde::Deserialize)]
pub(super) struct KpiQuery {
    #[serde(default)]
    kpi: String,
}

/// `GET /afspraken/{id}/kpis/wijzigen?kpi=…`: the KPI's form; without a KPI of this agreement,
/// back to the agreement.
pub(super) async fn edit_kpi_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<AgreementId>,
    Query(q): Query<KpiQuery>,
) -> AppResult<Response> {
    let d = progressable(&state, &user, id).await?;
    let Some(kpi) = kpi_of(&d, &q.kpi) else {
        return Ok(Redirect::to(&format!("/afspraken/{id}#kpis")).into_response());
    };
    let drafts = Drafts {
        kpi: KpiForm {
            name: kpi.name.clone(),
            unit: kpi.unit.clone(),
            direction: kpi.direction.code().into(),
            baseline: trim_num(nl::number(kpi.baseline, 4)),
            target: trim_num(nl::number(kpi.target, 4)),
        },
        ..Default::default()
    };
    render(kpi_page(
        &ctx,
        &d,
        &kpi,
        kpi.version,
        drafts,
        Errors::default(),
    ))
}

/// `POST /afspraken/{id}/kpis/wijzigen`: a changed name, unit, direction, baseline or target
/// (a renegotiated target, say). The measurements stay; the light follows the new target.
pub(super) async fn edit_kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<AgreementId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let d = progressable(&state, &user, id).await?;
    let Some(kpi) = kpi_of(&d, &one(&pairs, "kpi")) else {
        return Ok(Redirect::to(&format!("/afspraken/{id}#kpis")).into_response());
    };
    let drafts = Drafts {
        kpi: kpi_form(&pairs),
        ..Default::default()
    };
    let version = version(&pairs);
    let input = match KpiDraft::parse(&drafts.kpi) {
        Ok(k) => k,
        Err(problems) => {
            let page = kpi_page(&ctx, &d, &kpi, version, drafts, problems.into());
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
        }
    };
    let who = who(&user);
    const STALE: &str = "Iemand anders heeft deze KPI intussen gewijzigd. Hieronder staat uw invoer; de huidige waarden ziet u op de afspraak. Sla opnieuw op om ze te vervangen.";
    match forms::save(&state, &[Refusal::Conflict(STALE)], async |tx| {
        store::agreements::update_kpi(tx, &who, kpi.id, version, &input).await
    })
    .await?
    {
        Ok(()) => Ok(done(id, &format!("kpi-{}", kpi.id))),
        Err(_) => {
            let mut errors = Errors::default();
            errors.add("kpi_name", STALE);
            let page = kpi_page(&ctx, &d, &kpi, kpi.version, drafts, errors);
            Ok((StatusCode::CONFLICT, render(page)?).into_response())
        }
    }
}

pub(super) async fn add_measurement(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<AgreementId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let d = progressable(&state, &user, id).await?;
    let drafts = Drafts {
        measurement: MeasurementForm {
            kpi: one(&pairs, "m_kpi"),
            measured_on: one(&pairs, "measured_on"),
            value: one(&pairs, "value"),
            note: one(&pairs, "note"),
        },
        ..Default::default()
    };
    let kpis: Vec<i64> = d.kpis.iter().map(|k| k.kpi.id).collect();
    let (kpi, measurement) = match MeasurementDraft::parse(&drafts.measurement, &kpis, today()) {
        Ok(m) => m,
        Err(problems) => return invalid(&ctx, &user, &d, drafts, problems.into()),
    };
    let who = who(&user);
    save_addition(&state, id, "kpis", async |tx| {
        store::agreements::add_measurement(tx, &who, kpi, &measurement).await
    })
    .await
}

/// `POST /afspraken/{id}/beoordeling`: the boards reviewed the agreement (B4); the next review
/// falls one cadence later.
pub(super) async fn record_review(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<AgreementId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let d = progressable(&state, &user, id).await?;
    let drafts = Drafts {
        review: ReviewForm {
            on: one(&pairs, "reviewed_on"),
            note: one(&pairs, "note"),
        },
        ..Default::default()
    };
    let review = match ReviewDraft::parse(&drafts.review, today()) {
        Ok(r) => r,
        Err(problems) => return invalid(&ctx, &user, &d, drafts, problems.into()),
    };
    let (who, version) = (who(&user), version(&pairs));
    let place = Step {
        id,
        anchor: "beoordeling",
        field: "review_on",
        message: "Iemand anders heeft deze afspraak intussen gewijzigd. Controleer de gegevens en sla opnieuw op.",
    };
    save_step(&state, &ctx, &user, place, drafts, async |tx| {
        store::agreements::record_review(tx, &who, id, version, review.on, &review.note).await
    })
    .await
}
