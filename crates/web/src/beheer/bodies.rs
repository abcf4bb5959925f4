//! Beheer › Gremia: the bodies of the hospital.

use crate::shared::error::AppResult;
use crate::shared::forms::{self, Refusal};
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use domain::authz::Capability;
use domain::meetings::voting::Majority;
use domain::people::{BodyDraft, BodyForm, BodyKind, EmploymentForm};
use store::Invalid;
use store::bodies::Body;

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

async fn new_form(ctx: Ctx) -> AppResult<Response> {
    form_page(&ctx, None, BodyForm::new_body(), Errors::default())
}

/// How the store's refusals read on the body form.
const REFUSALS: &[Refusal] = &[
    Refusal::Duplicate {
        constraint: None,
        field: "code",
        message: "Er is al een gremium met deze afkorting.",
    },
    Refusal::Conflict(
        "Iemand anders heeft dit gremium intussen gewijzigd. Laad de pagina opnieuw om de huidige gegevens te zien; uw invoer staat hieronder.",
    ),
    Refusal::Invalid(|invalid| match invalid {
        Invalid::SeatEmploymentForm(e) => Some((e.field, e.message.clone())),
        _ => None,
    }),
];

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(form): Form<BodyForm>,
) -> AppResult<Response> {
    let who = who(&user);
    forms::submit(
        &state,
        form,
        BodyDraft::parse,
        REFUSALS,
        async |tx, input| store::bodies::create(tx, &who, input).await,
        |_| "/beheer/gremia?ok=aangemaakt".into(),
        async |form, errors| form_page(&ctx, None, form, errors),
    )
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let b = store::bodies::get(&state.store, id).await?;
    let form = BodyForm {
        version: b.version,
        code: b.code.to_string(),
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
    let (who, version) = (who(&user), form.version);
    forms::submit(
        &state,
        form,
        BodyDraft::parse,
        REFUSALS,
        async |tx, input| store::bodies::update(tx, &who, id, version, input).await,
        |_| "/beheer/gremia?ok=opgeslagen".into(),
        async |form, errors| form_page(&ctx, Some(id), form, errors),
    )
    .await
}
