//! Trend inputs of the vakgroepen (D3): a representative writes, previews and submits inputs for
//! the vakgroepen they represent; reviewers accept them or return them with a reason. The flow and
//! who may take which step are the domain's ([`domain::budget::trend`]); the compartment (a
//! representative sees only their own vakgroepen) is enforced in the store's queries through
//! [`store::budget::Seen`], so another vakgroep's input is simply not found.

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
use domain::budget::ScopeKind;
use domain::budget::trend::{TrendActor, TrendStatus};
use domain::ids::{TrendInputId, VakgroepId};

mod conflict;
mod detail;
mod form;
mod notify;

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

fn actor_for(user: &User, vakgroep_id: VakgroepId) -> TrendActor {
    TrendActor {
        is_representative: user.actor.vakgroepen.contains(&vakgroep_id.get()),
        is_reviewer: user.actor.can(Capability::ReviewTrendInputs),
    }
}

/// The trend input if this person may see it. A concept is the representative's own draft:
/// reviewers see an input once it has been submitted.
async fn visible(
    state: &AppState,
    user: &User,
    id: TrendInputId,
) -> AppResult<store::budget::TrendInput> {
    let own = own_vakgroepen(user);
    let t = store::budget::trend_input(state.store.pool(), id, seen(user, &own)).await?;
    if t.status == TrendStatus::Concept && !own.contains(&t.vakgroep_id) {
        return Err(AppError::NotFound);
    }
    Ok(t)
}

fn scope_text(t: &store::budget::TrendInput) -> String {
    if t.scope == ScopeKind::Vakgroep {
        "Hele vakgroep".into()
    } else {
        t.product_codes.join(", ")
    }
}

// ---------------------------------------------------------------------------------------------
// List

struct ListLine {
    id: TrendInputId,
    vakgroep: String,
    scope: String,
    change: String,
    category: &'static str,
    status: TrendStatus,
    author: String,
    updated: String,
}

struct OwnVakgroep {
    id: VakgroepId,
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
        .filter(|t| t.status != TrendStatus::Concept || own_ids.contains(&t.vakgroep_id))
        .map(|t| ListLine {
            id: t.id,
            vakgroep: t.vakgroep_code.to_string(),
            scope: scope_text(&t),
            change: t.change().text(),
            category: t.category.label(),
            status: t.status,
            author: t.author_name.clone().unwrap_or_default(),
            updated: domain::nl::datetime(t.updated_at),
        })
        .collect();
    let own = if own_ids.is_empty() {
        Vec::new()
    } else {
        store::vakgroepen::list(&state.store)
            .await?
            .into_iter()
            .filter(|v| own_ids.contains(&VakgroepId::new(v.id)))
            .map(|v| OwnVakgroep {
                id: VakgroepId::new(v.id),
                code: v.code.to_string(),
                name: v.name,
            })
            .collect()
    };
    render(ListPage {
        layout: ctx.layout("Trendinput"),
        year,
        to_review: lines
            .iter()
            .filter(|l| l.status == TrendStatus::Ingediend)
            .count(),
        lines,
        own,
        reviewer,
    })
}
