//! One vakgroep in one budget year: normuren per fte, formative fte (1a, 1b) and its KPIs.

use super::{
    CONFLICT, MANAGE, VIEW, YearQuery, chosen_year, editable, parse_version, parse_year,
    visible_kpi, visible_vakgroep,
};
use crate::shared::error::{AppError, AppResult};
use crate::shared::forms::{self, Refusal};
use crate::shared::routes::{RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::budget::master::{FiguresDraft, FiguresForm, KpiDraft, KpiForm};
use domain::ids::VakgroepId;
use serde::Deserialize;
use store::budget::{BudgetKpi, KpiInput};
use store::vakgroepen::Vakgroep;

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        get("/begroting/stamgegevens/vakgroepen/{id}", VIEW, show),
        post("/begroting/stamgegevens/vakgroepen/{id}", MANAGE, save),
        get(
            "/begroting/stamgegevens/vakgroepen/{id}/kpis/nieuw",
            MANAGE,
            new_kpi,
        ),
        post(
            "/begroting/stamgegevens/vakgroepen/{id}/kpis",
            MANAGE,
            create_kpi,
        ),
        get("/begroting/stamgegevens/kpis/{id}", MANAGE, edit_kpi),
        post("/begroting/stamgegevens/kpis/{id}", MANAGE, update_kpi),
        post(
            "/begroting/stamgegevens/kpis/{id}/verwijderen",
            MANAGE,
            delete_kpi,
        ),
    ]
}

pub(super) const KINDS: [(&str, &str); 2] = [
    ("efficiency", "Efficiëntie"),
    ("passende_zorg", "Passende zorg"),
];
const DIRECTIONS: [(&str, &str); 2] = [
    ("lager_beter", "Lager is beter"),
    ("hoger_beter", "Hoger is beter"),
];

fn label(choices: &[(&'static str, &'static str)], code: &str) -> &'static str {
    choices
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

struct KpiRow {
    id: i64,
    kind: &'static str,
    name: String,
    direction: &'static str,
    reference: String,
    local: String,
    source: String,
}

#[derive(Template)]
#[template(path = "budget/master/vakgroep.html")]
struct ShowPage {
    layout: Layout,
    vakgroep: Vakgroep,
    year: i16,
    years: Vec<i16>,
    year_action: String,
    can_manage: bool,
    form: FiguresForm,
    errors: Errors,
    kpis: Vec<KpiRow>,
}

async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: VakgroepId,
    q: YearQuery,
    submitted: Option<(FiguresForm, Errors)>,
) -> AppResult<Response> {
    let s = &state.store;
    let vakgroep = visible_vakgroep(state, user, id).await?;
    let (year, years) = chosen_year(s, &q).await?;
    let kpis = store::budget::kpis(s, year, Some(id))
        .await?
        .into_iter()
        .map(|k| KpiRow {
            id: k.id,
            kind: label(&KINDS, k.kind.code()),
            direction: label(&DIRECTIONS, k.direction.code()),
            reference: domain::nl::number(k.reference_value, 2),
            local: domain::nl::number(k.local_value, 2),
            name: k.name,
            source: k.source,
        })
        .collect();
    let failed = submitted.is_some();
    let (form, errors) = match submitted {
        Some(f) => f,
        None => {
            let n = store::budget::normuren(s, year).await?;
            let n = n.into_iter().find(|n| n.vakgroep_id == id);
            let f = store::budget::formatief(s, year).await?;
            let f = f.into_iter().find(|f| f.vakgroep_id == id);
            let form = FiguresForm {
                jaar: year.to_string(),
                normuren: n.as_ref().map(|n| editable(n.hours)).unwrap_or_default(),
                normuren_version: n.map(|n| n.version.to_string()).unwrap_or_default(),
                fte_1a: f.as_ref().map(|f| editable(f.fte_1a)).unwrap_or_default(),
                fte_1b: f.as_ref().map(|f| editable(f.fte_1b)).unwrap_or_default(),
                formatief_version: f.map(|f| f.version.to_string()).unwrap_or_default(),
            };
            (form, Errors::default())
        }
    };
    let page = ShowPage {
        layout: ctx.layout(format!(
            "{} {} — stamgegevens {year}",
            vakgroep.code, vakgroep.name
        )),
        year_action: format!("/begroting/stamgegevens/vakgroepen/{id}"),
        vakgroep,
        year,
        years,
        can_manage: user.actor.can(Capability::ManageBudget),
        form,
        errors,
        kpis,
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(page)?).into_response())
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<VakgroepId>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    show_page(&state, &ctx, &user, id, q, None).await
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<VakgroepId>,
    Form(form): Form<FiguresForm>,
) -> AppResult<Response> {
    visible_vakgroep(&state, &user, id).await?;
    let year = parse_year(&form.jaar).ok_or(AppError::NotFound)?;
    let q = YearQuery {
        jaar: year.to_string(),
    };
    let draft = match FiguresDraft::parse(&form) {
        Ok(draft) => draft,
        Err(problems) => {
            return show_page(&state, &ctx, &user, id, q, Some((form, problems.into()))).await;
        }
    };
    let who = who(&user);
    let normuren_version = parse_version(&form.normuren_version);
    let formatief_version = parse_version(&form.formatief_version);
    // Both figures in one transaction: a stale one keeps the other from being saved alone.
    match forms::save(&state, &[CONFLICT], async |tx| {
        if let Some(h) = draft.normuren {
            store::budget::set_normuren(tx, &who, year, id, normuren_version, h).await?;
        }
        if let Some((a, b)) = draft.formatief {
            store::budget::set_formatief(tx, &who, year, id, formatief_version, a, b).await?;
        }
        Ok(())
    })
    .await?
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/begroting/stamgegevens/vakgroepen/{id}?jaar={year}&ok=opgeslagen"
        ))
        .into_response()),
        Err(errors) => show_page(&state, &ctx, &user, id, q, Some((form, errors))).await,
    }
}

// ---------------------------------------------------------------------------------------------
// KPIs

#[derive(Template)]
#[template(path = "budget/master/kpi_form.html")]
struct KpiPage {
    layout: Layout,
    vakgroep: Vakgroep,
    /// The KPI being edited; `None` for a new one.
    id: Option<i64>,
    form: KpiForm,
    kinds: [(&'static str, &'static str); 2],
    directions: [(&'static str, &'static str); 2],
    errors: Errors,
}

fn kpi_page(
    ctx: &Ctx,
    vakgroep: Vakgroep,
    id: Option<i64>,
    form: KpiForm,
    errors: Errors,
) -> AppResult<Response> {
    let status = errors.status();
    let title = match id {
        Some(_) => format!("KPI wijzigen — {} {}", vakgroep.code, form.jaar),
        None => format!("Nieuwe KPI — {} {}", vakgroep.code, form.jaar),
    };
    let page = KpiPage {
        layout: ctx.layout(title),
        vakgroep,
        id,
        form,
        kinds: KINDS,
        directions: DIRECTIONS,
        errors,
    };
    Ok((status, render(page)?).into_response())
}

/// How the store's refusals read on the KPI form.
const KPI_REFUSALS: &[Refusal] = &[
    CONFLICT,
    Refusal::Duplicate {
        constraint: None,
        field: "name",
        message: "Deze vakgroep heeft dit jaar al een KPI van dit soort met deze naam.",
    },
];

async fn new_kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<VakgroepId>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let vakgroep = visible_vakgroep(&state, &user, id).await?;
    let (year, _) = chosen_year(&state.store, &q).await?;
    let form = KpiForm {
        jaar: year.to_string(),
        kind: "efficiency".into(),
        direction: "lager_beter".into(),
        ..Default::default()
    };
    kpi_page(&ctx, vakgroep, None, form, Errors::default())
}

async fn create_kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<VakgroepId>,
    Form(form): Form<KpiForm>,
) -> AppResult<Response> {
    let vakgroep = visible_vakgroep(&state, &user, id).await?;
    let who = who(&user);
    forms::submit(
        &state,
        form,
        |form| KpiDraft::parse(form).map(|draft| (draft.year, KpiInput::new(id, draft))),
        KPI_REFUSALS,
        async |tx, (year, input)| store::budget::create_kpi(tx, &who, *year, input).await,
        |(year, _)| format!("/begroting/stamgegevens/vakgroepen/{id}?jaar={year}&ok=aangemaakt"),
        async |form, errors| kpi_page(&ctx, vakgroep, None, form, errors),
    )
    .await
}

fn kpi_form(k: BudgetKpi) -> KpiForm {
    KpiForm {
        jaar: k.year.to_string(),
        version: k.version,
        kind: k.kind.code().into(),
        name: k.name,
        direction: k.direction.code().into(),
        reference_value: editable(k.reference_value),
        local_value: editable(k.local_value),
        source: k.source,
    }
}

async fn edit_kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let k = visible_kpi(&state, &user, id).await?;
    let vakgroep = store::vakgroepen::get(&state.store, k.vakgroep_id.get()).await?;
    kpi_page(&ctx, vakgroep, Some(id), kpi_form(k), Errors::default())
}

async fn update_kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<KpiForm>,
) -> AppResult<Response> {
    let k = visible_kpi(&state, &user, id).await?;
    let vakgroep = store::vakgroepen::get(&state.store, k.vakgroep_id.get()).await?;
    let (who, version, vakgroep_id) = (who(&user), form.version, k.vakgroep_id);
    let parse = |form: &KpiForm| {
        let draft = KpiDraft::parse(form)?;
        draft.check_year(k.year).map_err(|e| vec![e])?;
        Ok((draft.year, KpiInput::new(vakgroep_id, draft)))
    };
    forms::submit(
        &state,
        form,
        parse,
        KPI_REFUSALS,
        async |tx, (_, input)| store::budget::update_kpi(tx, &who, id, version, input).await,
        |(year, _)| {
            format!("/begroting/stamgegevens/vakgroepen/{vakgroep_id}?jaar={year}&ok=opgeslagen")
        },
        async |form, errors| kpi_page(&ctx, vakgroep, Some(id), form, errors),
    )
    .await
}

#[derive(Deserialize)]
struct DeleteForm {
    #[serde(default)]
    version: i32,
}

async fn delete_kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let k = visible_kpi(&state, &user, id).await?;
    let who = who(&user);
    match forms::save(&state, &[CONFLICT], async |tx| {
        store::budget::delete_kpi(tx, &who, id, form.version).await
    })
    .await?
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/begroting/stamgegevens/vakgroepen/{}?jaar={}&ok=opgeslagen",
            k.vakgroep_id, k.year
        ))
        .into_response()),
        Err(errors) => {
            let vakgroep = store::vakgroepen::get(&state.store, k.vakgroep_id.get()).await?;
            kpi_page(&ctx, vakgroep, Some(id), kpi_form(k), errors)
        }
    }
}
