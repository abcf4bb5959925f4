//! Beheer › Vakgroepen: the specialty groups. The admin and the controller manage them (the
//! controller as master data of the budget, product.md §0) without the controller getting the
//! rest of Beheer. Representatives are assigned by the admin, on the person's page.

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
use domain::people::{VakgroepDraft, VakgroepForm, VakgroepKind};
use store::vakgroepen::Vakgroep;

const MANAGE: Access = Access::Needs(Capability::ManageVakgroepen);

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/beheer/vakgroepen", MANAGE, list),
        get("/beheer/vakgroepen/nieuw", MANAGE, new_form),
        post("/beheer/vakgroepen", MANAGE, create),
        get("/beheer/vakgroepen/{id}", MANAGE, edit_form),
        post("/beheer/vakgroepen/{id}", MANAGE, update),
    ]
}

#[derive(Template)]
#[template(path = "beheer/vakgroepen.html")]
struct ListPage {
    layout: Layout,
    vakgroepen: Vec<Vakgroep>,
    /// The controller came from, and goes back to, the budget's master data.
    budget_link: bool,
}

async fn list(State(state): State<AppState>, ctx: Ctx, user: User) -> AppResult<Response> {
    render(ListPage {
        layout: ctx.layout("Vakgroepen"),
        vakgroepen: store::vakgroepen::list(&state.store).await?,
        budget_link: user.actor.can(Capability::ManageBudget),
    })
}

#[derive(Template)]
#[template(path = "beheer/vakgroep_form.html")]
struct FormPage {
    layout: Layout,
    id: Option<i64>,
    form: VakgroepForm,
    kinds: &'static [VakgroepKind],
    errors: Errors,
}

fn form_page(
    ctx: &Ctx,
    id: Option<i64>,
    form: VakgroepForm,
    errors: Errors,
) -> AppResult<Response> {
    let status = errors.status();
    let title = if id.is_some() {
        "Vakgroep wijzigen"
    } else {
        "Nieuwe vakgroep"
    };
    Ok((
        status,
        render(FormPage {
            layout: ctx.layout(title),
            id,
            form,
            kinds: VakgroepKind::ALL,
            errors,
        })?,
    )
        .into_response())
}

async fn new_form(ctx: Ctx) -> AppResult<Response> {
    let form = VakgroepForm {
        kind: VakgroepKind::Poort.code().into(),
        active: Some("on".into()),
        ..Default::default()
    };
    form_page(&ctx, None, form, Errors::default())
}

/// How the store's refusals read on the vakgroep form.
const REFUSALS: &[Refusal] = &[
    Refusal::Duplicate {
        constraint: None,
        field: "code",
        message: "Er is al een vakgroep met deze code.",
    },
    Refusal::Conflict(
        "Iemand anders heeft deze vakgroep intussen gewijzigd. Laad de pagina opnieuw om de huidige gegevens te zien; uw invoer staat hieronder.",
    ),
];

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(form): Form<VakgroepForm>,
) -> AppResult<Response> {
    let who = who(&user);
    forms::submit(
        &state,
        form,
        VakgroepDraft::parse,
        REFUSALS,
        async |tx, input| store::vakgroepen::create(tx, &who, input).await,
        |_| "/beheer/vakgroepen?ok=aangemaakt".into(),
        async |form, errors| form_page(&ctx, None, form, errors),
    )
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let v = store::vakgroepen::get(&state.store, id).await?;
    let form = VakgroepForm {
        version: v.version,
        code: v.code.to_string(),
        name: v.name,
        kind: v.kind.code().into(),
        active: v.active.then(|| "on".into()),
    };
    form_page(&ctx, Some(id), form, Errors::default())
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<VakgroepForm>,
) -> AppResult<Response> {
    store::vakgroepen::get(&state.store, id).await?;
    let (who, version) = (who(&user), form.version);
    forms::submit(
        &state,
        form,
        VakgroepDraft::parse,
        REFUSALS,
        async |tx, input| store::vakgroepen::update(tx, &who, id, version, input).await,
        |_| "/beheer/vakgroepen?ok=opgeslagen".into(),
        async |form, errors| form_page(&ctx, Some(id), form, errors),
    )
    .await
}
