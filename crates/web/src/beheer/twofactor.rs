//! Beheer › Tweestapsverificatie: which roles must use a second factor, who has one, and the
//! reset for someone who lost both phone and recovery codes (docs/two-factor.md, "Reset").

use crate::shared::error::AppResult;
use crate::shared::mail::account::Change;
use crate::shared::mail::{self, Recipient, Sender};
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::account::twofactor::required_for;
use domain::authz::Capability;
use domain::ids::PersonId;
use domain::people::Role;
use std::collections::HashMap;

const ADMIN: Access = Access::Needs(Capability::Administer);
const PATH: &str = "/beheer/tweestapsverificatie";

pub fn routes() -> Vec<RouteDef> {
    vec![
        get(PATH, ADMIN, page),
        post(PATH, ADMIN, save_roles),
        post("/beheer/tweestapsverificatie/{id}/herstellen", ADMIN, reset),
    ]
}

struct RoleBox {
    code: &'static str,
    label: &'static str,
    checked: bool,
}

struct PersonLine {
    id: PersonId,
    name: String,
    email: String,
    roles: String,
    /// "sinds 03-12-2026 10:15, 8 herstelcodes", or why not.
    status: String,
    enabled: bool,
    /// Required by a role but not set up: enrols at the next sign-in.
    pending_required: bool,
    is_me: bool,
}

#[derive(Template)]
#[template(path = "beheer/two_factor.html")]
struct Page {
    layout: Layout,
    roles: Vec<RoleBox>,
    people: Vec<PersonLine>,
    error: Option<&'static str>,
}

async fn render_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    error: Option<&'static str>,
) -> AppResult<Response> {
    let required = store::twofactor::required(&state.store).await?;
    let enabled: HashMap<PersonId, (time::OffsetDateTime, i64)> =
        store::twofactor::enabled_people(&state.store)
            .await?
            .into_iter()
            .map(|(id, at, left)| (id, (at, left)))
            .collect();
    let people = store::people::list(&state.store)
        .await?
        .into_iter()
        .filter(|p| p.disabled_at.is_none())
        .map(|p| {
            let on = enabled.get(&p.id);
            PersonLine {
                status: match on {
                    Some((at, left)) => format!(
                        "aan sinds {}; {} ongebruikte herstelcode{}",
                        domain::nl::datetime(*at),
                        left,
                        if *left == 1 { "" } else { "s" }
                    ),
                    None => "uit".to_string(),
                },
                enabled: on.is_some(),
                pending_required: on.is_none() && required_for(&p.roles, &required),
                is_me: p.id == user.actor.person_id,
                roles: p
                    .roles
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join(", "),
                id: p.id,
                name: p.name,
                email: p.email,
            }
        })
        .collect();
    let roles = Role::ALL
        .iter()
        .map(|r| RoleBox {
            code: r.code(),
            label: r.label(),
            checked: required.contains(r),
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = Page {
        layout: ctx.layout("Tweestapsverificatie"),
        roles,
        people,
        error,
    };
    Ok((status, render(page)?).into_response())
}

async fn page(State(state): State<AppState>, ctx: Ctx, user: User) -> AppResult<Response> {
    render_page(&state, &ctx, &user, None).await
}

/// The form's `role` values; an unknown code is refused rather than silently dropped, so a
/// forged form cannot look saved while saving less than it said.
async fn save_roles(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut roles = Vec::new();
    for (name, value) in &fields {
        if name != "role" {
            continue;
        }
        match Role::parse(value) {
            Some(role) => roles.push(role),
            None => {
                return render_page(&state, &ctx, &user, Some("Onbekende rol in het formulier."))
                    .await;
            }
        }
    }
    let mut tx = state.store.begin().await?;
    store::twofactor::set_required(&mut tx, &who(&user), &roles).await?;
    store::commit(tx).await?;
    Ok(Redirect::to(&format!("{PATH}?ok=tweestap-rollen")).into_response())
}

async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<PersonId>,
) -> AppResult<Response> {
    // Resetting one's own factor here would let a stolen beheerder session remove it; that
    // takes another beheerder or the command line.
    if id == user.actor.person_id {
        return render_page(
            &state,
            &ctx,
            &user,
            Some("Uw eigen tweestapsverificatie reset een andere beheerder, of u gebruikt op de server het commando gelijkgericht user reset-2fa."),
        )
        .await;
    }
    // Same answer for an unknown id as for a missing one: 404.
    let person = store::people::get(&state.store, id).await?;
    let mut tx = state.store.begin().await?;
    if store::twofactor::reset(&mut tx, &who(&user), person.id).await? {
        let hospital = state.hospital_name();
        let to = Recipient {
            person: person.id,
            email: person.email.clone(),
        };
        let from = Sender::of(&state, &hospital);
        mail::account::notice(&mut tx, &from, to, Change::SecondFactorReset).await?;
    }
    store::commit(tx).await?;
    Ok(Redirect::to(&format!("{PATH}?ok=tweestap-hersteld")).into_response())
}
