//! Beheer › Gremia: the bodies of the hospital.

use crate::shared::error::AppResult;
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::meetings::voting::Majority;
use domain::people::{BodyCode, BodyKind, EmploymentForm, check_seat_employment_form};
use serde::Deserialize;
use store::StoreError;
use store::bodies::{Body, BodyInput};

const ADMIN: Access = Access::Needs(Capability::Administer);

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/beheer/gremia", ADMIN, list),
        get("/beheer/gremia/nieuw", ADMIN, new_form),
        post("/beheer/gremia", ADMIN, create),
        get("/beheer/gremia/{id}", ADMIN, edit_form),
        post("/beheer/gremia/{id}", ADMIN, update),
    ]
}

#[derive(Template)]
#[template(path = "beheer/bodies.html")]
struct ListPage {
    layout: Layout,
    bodies: Vec<Body>,
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render(ListPage {
        layout: ctx.layout("Gremia"),
        bodies: store::bodies::list(state.store.pool()).await?,
    })
}

#[derive(Deserialize, Default)]
struct BodyForm {
    #[serde(default)]
    version: i32,
    code: String,
    name: String,
    kind: String,
    sort_order: String,
    #[serde(default = "default_quorum")]
    quorum_percent: String,
    #[serde(default = "default_majority")]
    majority: String,
    /// Empty: the seats are not bound to one employment form.
    #[serde(default)]
    seat_employment_form: String,
}

fn default_quorum() -> String {
    "50".into()
}

fn default_majority() -> String {
    Majority::Simple.code().into()
}

#[derive(Template)]
#[template(path = "beheer/body_form.html")]
struct FormPage {
    layout: Layout,
    id: Option<i64>,
    form: BodyForm,
    kinds: &'static [BodyKind],
    majorities: &'static [Majority],
    forms: &'static [EmploymentForm],
    errors: Errors,
}

fn form_page(ctx: &Ctx, id: Option<i64>, form: BodyForm, errors: Errors) -> AppResult<Response> {
    let status = errors.status();
    let title = if id.is_some() {
        "Gremium wijzigen"
    } else {
        "Nieuw gremium"
    };
    Ok((
        status,
        render(FormPage {
            layout: ctx.layout(title),
            id,
            form,
            kinds: BodyKind::ALL,
            majorities: Majority::ALL,
            forms: EmploymentForm::ALL,
            errors,
        })?,
    )
        .into_response())
}

fn validate(form: &BodyForm) -> Result<BodyInput, Errors> {
    let mut errors = Errors::default();
    let code = BodyCode::parse(&form.code)
        .map_err(|e| errors.field(e))
        .ok();
    let name = form.name.trim().to_string();
    if name.is_empty() {
        errors.add("name", "Vul de naam van het gremium in.");
    }
    errors.limit("name", &name, domain::text::max::SHORT);
    let kind = BodyKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "Kies het soort gremium.");
    }
    let sort_order = form
        .sort_order
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|n| (0..=999).contains(n));
    if sort_order.is_none() {
        errors.add(
            "sort_order",
            "Vul een volgorde in als geheel getal van 0 tot en met 999.",
        );
    }
    let quorum_percent = form
        .quorum_percent
        .trim()
        .trim_end_matches('%')
        .trim()
        .parse::<i16>()
        .ok()
        .filter(|n| (1..=100).contains(n));
    if quorum_percent.is_none() {
        errors.add(
            "quorum_percent",
            "Vul het quorum in als percentage van 1 tot en met 100.",
        );
    }
    let majority = Majority::parse(&form.majority);
    if majority.is_none() {
        errors.add("majority", "Kies welke meerderheid nodig is.");
    }
    let seat_employment_form = match form.seat_employment_form.as_str() {
        "" => Some(None),
        code => EmploymentForm::parse(code).map(Some),
    };
    if seat_employment_form.is_none() {
        errors.add(
            "seat_employment_form",
            "Kies de arbeidsvorm van de zetels uit de lijst.",
        );
    }
    match (
        code,
        kind,
        sort_order,
        quorum_percent,
        majority,
        seat_employment_form,
        errors.is_empty(),
    ) {
        (
            Some(code),
            Some(kind),
            Some(sort_order),
            Some(quorum_percent),
            Some(majority),
            Some(seat_employment_form),
            true,
        ) => Ok(BodyInput {
            code,
            name,
            kind,
            sort_order,
            quorum_percent,
            majority,
            seat_employment_form,
        }),
        _ => Err(errors),
    }
}

async fn new_form(ctx: Ctx) -> AppResult<Response> {
    let form = BodyForm {
        kind: BodyKind::MsbPlus.code().into(),
        sort_order: "50".into(),
        quorum_percent: default_quorum(),
        majority: default_majority(),
        ..Default::default()
    };
    form_page(&ctx, None, form, Errors::default())
}

fn store_problem(e: StoreError) -> AppResult<Errors> {
    let mut errors = Errors::default();
    match e {
        StoreError::Duplicate(_) => errors.add("code", "Er is al een gremium met deze afkorting."),
        StoreError::Conflict => errors.add("_form", "Iemand anders heeft dit gremium intussen gewijzigd. Laad de pagina opnieuw om de huidige gegevens te zien; uw invoer staat hieronder."),
        other => return Err(other.into()),
    }
    Ok(errors)
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(form): Form<BodyForm>,
) -> AppResult<Response> {
    let input = match validate(&form) {
        Ok(i) => i,
        Err(errors) => return form_page(&ctx, None, form, errors),
    };
    let mut tx = state.store.begin().await?;
    match store::bodies::create(&mut tx, &who(&user), &input).await {
        Ok(_) => {
            store::commit(tx).await?;
            Ok(Redirect::to("/beheer/gremia?ok=aangemaakt").into_response())
        }
        Err(e) => form_page(&ctx, None, form, store_problem(e)?),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let b = store::bodies::get(&state.store, id).await?;
    let form = BodyForm {
        version: b.version,
        code: b.code,
        name: b.name,
        kind: b.kind.code().into(),
        sort_order: b.sort_order.to_string(),
        quorum_percent: b.quorum_percent.to_string(),
        majority: b.majority.code().into(),
        seat_employment_form: b
            .seat_employment_form
            .map(|f| f.code().into())
            .unwrap_or_default(),
    };
    form_page(&ctx, Some(id), form, Errors::default())
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<BodyForm>,
) -> AppResult<Response> {
    store::bodies::get(&state.store, id).await?;
    let input = match validate(&form) {
        Ok(i) => i,
        Err(errors) => return form_page(&ctx, Some(id), form, errors),
    };
    let mut tx = state.store.begin().await?;
    let members = store::bodies::member_forms(&mut tx, id).await?;
    let forms = members.iter().map(|m| (m.name.as_str(), m.employment_form));
    if let Err(e) =
        check_seat_employment_form(input.code.as_str(), input.seat_employment_form, forms)
    {
        let mut errors = Errors::default();
        errors.field(e);
        return form_page(&ctx, Some(id), form, errors);
    }
    match store::bodies::update(&mut tx, &who(&user), id, form.version, &input).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(Redirect::to("/beheer/gremia?ok=opgeslagen").into_response())
        }
        Err(e) => form_page(&ctx, Some(id), form, store_problem(e)?),
    }
}
