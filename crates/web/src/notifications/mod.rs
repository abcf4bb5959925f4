//! One's own mail preferences, and the unsubscribe link in every mail (issue #16): per kind of
//! mail direct, in the daily digest, or off; security mail always comes. The unsubscribe page
//! needs no sign-in — its signed token names one person and one kind and can switch off exactly
//! that — and asks for a click first, so a mail scanner following links changes nothing. The same
//! link is the mail's `List-Unsubscribe` header; a mail program's RFC 8058 one-click POST to it
//! (`List-Unsubscribe=One-Click`, no cookies) is let through without the form's CSRF token
//! (`shared::csrf`) and does what the button does.

use crate::shared::error::AppResult;
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::ids::PersonId;
use domain::notify::{Delivery, MailKind, check_unsubscribe_token};

pub fn routes() -> Vec<RouteDef> {
    let me = Access::Needs(Capability::SignedIn);
    vec![
        get("/account/meldingen", me, page),
        post("/account/meldingen", me, save),
        get("/afmelden/{token}", Access::Public, unsubscribe_page),
        post("/afmelden/{token}", Access::Public, unsubscribe),
    ]
}

struct Row {
    code: &'static str,
    label: &'static str,
    chosen: &'static str,
}

#[derive(Template)]
#[template(path = "notifications/preferences.html")]
struct PreferencesPage {
    layout: Layout,
    rows: Vec<Row>,
    options: Vec<(&'static str, &'static str)>,
    errors: Errors,
}

fn rows(chosen: &[(MailKind, Delivery)]) -> Vec<Row> {
    chosen
        .iter()
        .map(|(k, d)| Row {
            code: k.code(),
            label: k.label(),
            chosen: d.code(),
        })
        .collect()
}

fn options() -> Vec<(&'static str, &'static str)> {
    Delivery::ALL
        .iter()
        .map(|d| (d.code(), d.label()))
        .collect()
}

async fn page(State(state): State<AppState>, ctx: Ctx, user: User) -> AppResult<Response> {
    let chosen = store::outbox::preferences(&state.store, user.actor.person_id).await?;
    render(PreferencesPage {
        layout: ctx.layout("Meldingen per e-mail"),
        rows: rows(&chosen),
        options: options(),
        errors: Errors::default(),
    })
}

/// Saves every kind on the form at once; an unknown kind or choice refuses the whole form.
async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut choices = Vec::new();
    for (name, value) in fields.iter().filter(|(n, _)| n != "_csrf") {
        let kind = MailKind::parse(name).filter(|k| !k.always_direct());
        match (kind, Delivery::parse(value)) {
            (Some(kind), Some(delivery)) => choices.push((kind, delivery)),
            _ => {
                let mut errors = Errors::default();
                errors.add("meldingen", "Het formulier bevat een onbekende soort bericht of keuze; er is niets opgeslagen.");
                let chosen = store::outbox::preferences(&state.store, user.actor.person_id).await?;
                let page = PreferencesPage {
                    layout: ctx.layout("Meldingen per e-mail"),
                    rows: rows(&chosen),
                    options: options(),
                    errors,
                };
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
            }
        }
    }
    let mut tx = state.store.begin().await?;
    for (kind, delivery) in choices {
        store::outbox::set_preference(&mut tx, user.actor.person_id, kind, delivery).await?;
    }
    store::commit(tx).await?;
    Ok(Redirect::to("/account/meldingen?ok=opgeslagen").into_response())
}

#[derive(Template)]
#[template(path = "notifications/unsubscribe.html")]
struct UnsubscribePage {
    layout: Layout,
    token: String,
    kind: &'static str,
    done: bool,
}

/// The person and kind of a genuine token; a forged one is answered like a missing page.
fn read(state: &AppState, token: &str) -> Option<(PersonId, MailKind)> {
    let key = state.config.secret_key.as_ref()?.derive("unsubscribe");
    check_unsubscribe_token(&key, token).map(|(p, k)| (PersonId::new(p), k))
}

async fn unsubscribe_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some((_, kind)) = read(&state, &token) else {
        return Err(crate::shared::error::AppError::NotFound);
    };
    render(UnsubscribePage {
        layout: ctx.layout("Afmelden"),
        token,
        kind: kind.label(),
        done: false,
    })
}

/// The button on the page, or a mail program's one-click POST: either way only the kind the
/// token names, for the person it names, whatever the form holds.
async fn unsubscribe(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some((person, kind)) = read(&state, &token) else {
        return Err(crate::shared::error::AppError::NotFound);
    };
    let mut tx = state.store.begin().await?;
    store::outbox::set_preference(&mut tx, person, kind, Delivery::Off).await?;
    store::commit(tx).await?;
    render(UnsubscribePage {
        layout: ctx.layout("Afgemeld"),
        token,
        kind: kind.label(),
        done: true,
    })
}
