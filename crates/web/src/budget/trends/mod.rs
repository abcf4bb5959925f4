//! Trend inputs of the vakgroepen (D3): a representative writes, previews and submits inputs for
//! the vakgroepen they represent; reviewers accept them or return them with a reason. The flow and
//! who may take which step are the domain's ([`domain::budget::trend`]); the compartment (a
//! representative sees only their own vakgroepen) is enforced in the store's queries through
//! [`store::budget::Seen`], so another vakgroep's input is simply not found.

use super::scenarios::engine;
use super::scenarios::{own_vakgroepen, seen, year_of};
use crate::shared::error::{AppError, AppResult};
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::authz::Capability;
use domain::budget::TrendCategory;
use domain::budget::trend::{TrendActor, TrendStatus};

mod detail;
mod form;

use detail::{change_status, detail};
use form::{create, edit, new, preview, update};

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        get(
            "/begroting/trendinput",
            Access::Needs(Capability::ViewBudget),
            list,
        ),
        get(
            "/begroting/trendinput/nieuw",
            Access::Needs(Capability::SubmitTrendInputs),
            new,
        ),
        post(
            "/begroting/trendinput",
            Access::Needs(Capability::SubmitTrendInputs),
            create,
        ),
        post(
            "/begroting/trendinput/voorbeeld",
            Access::Needs(Capability::SubmitTrendInputs),
            preview,
        ),
        get(
            "/begroting/trendinput/{id}",
            Access::Needs(Capability::ViewBudget),
            detail,
        ),
        post(
            "/begroting/trendinput/{id}",
            Access::Needs(Capability::SubmitTrendInputs),
            update,
        ),
        get(
            "/begroting/trendinput/{id}/bewerken",
            Access::Needs(Capability::SubmitTrendInputs),
            edit,
        ),
        post(
            "/begroting/trendinput/{id}/status",
            Access::Needs(Capability::ViewBudget),
            change_status,
        ),
    ]
}

type Pairs = Vec<(String, String)>;

fn actor_for(user: &User, vakgroep_id: i64) -> TrendActor {
    TrendActor {
        is_representative: user.actor.vakgroepen.contains(&vakgroep_id),
        is_reviewer: user.actor.can(Capability::ReviewTrendInputs),
    }
}

/// The trend input if this person may see it. A concept is the representative's own draft:
/// reviewers see an input once it has been submitted.
async fn visible(state: &AppState, user: &User, id: i64) -> AppResult<store::budget::TrendInput> {
    let own = own_vakgroepen(user);
    let t = store::budget::trend_input(&state.store, id, seen(user, &own)).await?;
    if t.status == TrendStatus::Concept.code() && !own.contains(&t.vakgroep_id) {
        return Err(AppError::NotFound);
    }
    Ok(t)
}

fn status_label(code: &str) -> &'static str {
    TrendStatus::parse(code).map(|s| s.label()).unwrap_or("?")
}

fn category_label(code: &str) -> &'static str {
    TrendCategory::parse(code).map(|c| c.label()).unwrap_or("?")
}

fn scope_text(t: &store::budget::TrendInput) -> String {
    if t.scope == "vakgroep" {
        "Hele vakgroep".into()
    } else {
        t.product_codes.join(", ")
    }
}

// ---------------------------------------------------------------------------------------------
// List

struct ListLine {
    id: i64,
    vakgroep: String,
    scope: String,
    change: String,
    category: &'static str,
    status: &'static str,
    status_code: String,
    author: String,
    updated: String,
}

struct OwnVakgroep {
    id: i64,
    code: String,
    name: String,
}

#[derive(Template)]
#[template(path = "budget/trends.html")]
struct ListPage {
    layout: Layout,
    year: i16,
    lines: Vec<ListLine>,
    own: Vec<OwnVakgroep>,
    reviewer: bool,
    to_review: usize,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(pairs): Query<Pairs>,
) -> AppResult<Response> {
    let year = year_of(&state, &pairs).await?;
    let own_ids = own_vakgroepen(&user);
    let reviewer = user.actor.can(Capability::ReviewTrendInputs);
    // Neither representative nor reviewer (the secretary): nothing to see, rather than all.
    let inputs = if reviewer || !own_ids.is_empty() {
        store::budget::trend_inputs(&state.store, year, seen(&user, &own_ids)).await?
    } else {
        Vec::new()
    };
    let lines: Vec<ListLine> = inputs
        .into_iter()
        .filter(|t| t.status != TrendStatus::Concept.code() || own_ids.contains(&t.vakgroep_id))
        .map(|t| ListLine {
            id: t.id,
            vakgroep: t.vakgroep_code.clone(),
            scope: scope_text(&t),
            change: engine::change_text(&t.kind, t.value),
            category: category_label(&t.category),
            status: status_label(&t.status),
            author: t.author_name.clone().unwrap_or_default(),
            updated: domain::nl::datetime(t.updated_at),
            status_code: t.status,
        })
        .collect();
    let own = if own_ids.is_empty() {
        Vec::new()
    } else {
        store::vakgroepen::list(&state.store)
            .await?
            .into_iter()
            .filter(|v| own_ids.contains(&v.id))
            .map(|v| OwnVakgroep {
                id: v.id,
                code: v.code,
                name: v.name,
            })
            .collect()
    };
    render(ListPage {
        layout: ctx.layout("Trendinput"),
        year,
        to_review: lines
            .iter()
            .filter(|l| l.status_code == TrendStatus::Ingediend.code())
            .count(),
        lines,
        own,
        reviewer,
    })
}
