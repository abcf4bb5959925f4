//! A vakgroep's care products (zorgproduct or zorgactiviteit codes) with their norm time in the
//! chosen year.

use super::{CONFLICT, MANAGE, VIEW, YearQuery, chosen_year, visible_product, visible_vakgroep};
use crate::shared::error::AppResult;
use crate::shared::forms::{self, Refusal};
use crate::shared::routes::{RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::budget::master::{CareProductDraft, CareProductForm};
use domain::ids::{CareProductId, VakgroepId};
use std::collections::HashMap;
use store::budget::CareProductInput;
use store::vakgroepen::Vakgroep;

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        get(
            "/begroting/stamgegevens/vakgroepen/{id}/zorgproducten",
            VIEW,
            list,
        ),
        get(
            "/begroting/stamgegevens/vakgroepen/{id}/zorgproducten/nieuw",
            MANAGE,
            new_form,
        ),
        post(
            "/begroting/stamgegevens/vakgroepen/{id}/zorgproducten",
            MANAGE,
            create,
        ),
        get(
            "/begroting/stamgegevens/zorgproducten/{id}",
            MANAGE,
            edit_form,
        ),
        post("/begroting/stamgegevens/zorgproducten/{id}", MANAGE, update),
    ]
}

struct Row {
    id: CareProductId,
    code: String,
    description: String,
    active: bool,
    /// Minutes in the chosen year, empty when none is set.
    minutes: String,
}

#[derive(Template)]
#[template(path = "budget/master/products.html")]
struct ListPage {
    layout: Layout,
    vakgroep: Vakgroep,
    year: i16,
    years: Vec<i16>,
    year_action: String,
    can_manage: bool,
    rows: Vec<Row>,
    with_norm_time: usize,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<VakgroepId>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let s = &state.store;
    let vakgroep = visible_vakgroep(&state, &user, id).await?;
    let (year, years) = chosen_year(s, &q).await?;
    let norm: HashMap<CareProductId, String> = store::budget::norm_times(s, year, Some(id))
        .await?
        .into_iter()
        .map(|n| (n.care_product_id, domain::budget::minutes_text(n.minutes)))
        .collect();
    let rows: Vec<Row> = store::budget::care_products(s, Some(id))
        .await?
        .into_iter()
        .map(|p| Row {
            minutes: norm.get(&p.id).cloned().unwrap_or_default(),
            id: p.id,
            code: p.code,
            description: p.description,
            active: p.active,
        })
        .collect();
    render(ListPage {
        layout: ctx.layout(format!(
            "{} {} — zorgproducten en normtijden {year}",
            vakgroep.code, vakgroep.name
        )),
        year_action: format!("/begroting/stamgegevens/vakgroepen/{id}/zorgproducten"),
        with_norm_time: norm.len(),
        vakgroep,
        year,
        years,
        can_manage: user.actor.can(Capability::ManageBudget),
        rows,
    })
}

#[derive(Template)]
#[template(path = "budget/master/product_form.html")]
struct FormPage {
    layout: Layout,
    vakgroep: Vakgroep,
    id: Option<CareProductId>,
    form: CareProductForm,
    errors: Errors,
}

fn form_page(
    ctx: &Ctx,
    vakgroep: Vakgroep,
    id: Option<CareProductId>,
    form: CareProductForm,
    errors: Errors,
) -> AppResult<Response> {
    let status = errors.status();
    let title = match id {
        Some(_) => format!("Zorgproduct wijzigen — {}", vakgroep.code),
        None => format!("Nieuw zorgproduct — {}", vakgroep.code),
    };
    let page = FormPage {
        layout: ctx.layout(title),
        vakgroep,
        id,
        form,
        errors,
    };
    Ok((status, render(page)?).into_response())
}

/// How the store's refusals read on the care-product form.
const REFUSALS: &[Refusal] = &[
    CONFLICT,
    Refusal::Duplicate {
        constraint: None,
        field: "code",
        message: "Deze vakgroep heeft al een zorgproduct met deze code.",
    },
];

/// The vakgroep's product list in the form's year, with a confirmation.
fn back_to(vakgroep_id: VakgroepId, year: &str, ok: &str) -> String {
    let year = super::parse_year(year)
        .map(|y| format!("jaar={y}&"))
        .unwrap_or_default();
    format!("/begroting/stamgegevens/vakgroepen/{vakgroep_id}/zorgproducten?{year}ok={ok}")
}

pub(super) fn back(vakgroep_id: VakgroepId, year: &str, ok: &str) -> Response {
    Redirect::to(&back_to(vakgroep_id, year, ok)).into_response()
}

async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<VakgroepId>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let vakgroep = visible_vakgroep(&state, &user, id).await?;
    let (year, _) = chosen_year(&state.store, &q).await?;
    let form = CareProductForm {
        jaar: year.to_string(),
        active: Some("on".into()),
        ..Default::default()
    };
    form_page(&ctx, vakgroep, None, form, Errors::default())
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<VakgroepId>,
    Form(form): Form<CareProductForm>,
) -> AppResult<Response> {
    let vakgroep = visible_vakgroep(&state, &user, id).await?;
    let (who, year) = (who(&user), form.jaar.clone());
    forms::submit(
        &state,
        form,
        |form| CareProductDraft::parse(form).map(|draft| CareProductInput::new(id, draft)),
        REFUSALS,
        async |tx, input| store::budget::create_care_product(tx, &who, input).await,
        |_| back_to(id, &year, "aangemaakt"),
        async |form, errors| form_page(&ctx, vakgroep, None, form, errors),
    )
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<CareProductId>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let p = visible_product(&state, &user, id).await?;
    let vakgroep = store::vakgroepen::get(&state.store, p.vakgroep_id.get()).await?;
    let form = CareProductForm {
        jaar: q.jaar,
        version: p.version,
        code: p.code,
        description: p.description,
        active: p.active.then(|| "on".into()),
    };
    form_page(&ctx, vakgroep, Some(id), form, Errors::default())
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<CareProductId>,
    Form(form): Form<CareProductForm>,
) -> AppResult<Response> {
    let p = visible_product(&state, &user, id).await?;
    let vakgroep = store::vakgroepen::get(&state.store, p.vakgroep_id.get()).await?;
    let (who, year, version) = (who(&user), form.jaar.clone(), form.version);
    forms::submit(
        &state,
        form,
        |form| {
            CareProductDraft::parse(form).map(|draft| CareProductInput::new(p.vakgroep_id, draft))
        },
        REFUSALS,
        async |tx, input| store::budget::update_care_product(tx, &who, id, version, input).await,
        |_| back_to(p.vakgroep_id, &year, "opgeslagen"),
        async |form, errors| form_page(&ctx, vakgroep, Some(id), form, errors),
    )
    .await
}
