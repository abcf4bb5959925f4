//! The personal iCal feed (product.md A1): a secret URL per person that Outlook, Google or Apple
//! calendars subscribe to, listing the meetings that person takes part in.
//!
//! Calendar programs fetch without a session, so the token in the URL is the credential: 256
//! random bits, shown once, stored only as its SHA-256, revocable, and replaced (revoking the
//! old URL) when a new one is made. The feed is checked against the person's current rights on
//! every fetch: a disabled person, or one who no longer may view meetings, gets 404.

use crate::shared::cookies;
use crate::shared::error::{AppError, AppResult};
use crate::shared::meeting_event;
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::meetings::ical::{self, CalendarEvent};
use domain::nl;
use std::collections::HashMap;
use store::meetings::Meeting;
use time::{Duration, OffsetDateTime};

const VIEW: Access = Access::Needs(Capability::ViewMeetings);

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/account/agenda", VIEW, page),
        post("/account/agenda", VIEW, create),
        post("/account/agenda/intrekken", VIEW, revoke),
        // The token is the credential; the handler answers 404 for anything but a live token.
        get("/agenda/{token}", Access::Public, feed),
    ]
}

/// How far back the feed reaches; older meetings are in the application, not the calendar.
const HISTORY: Duration = Duration::days(366);

#[derive(Template)]
#[template(path = "calendar/subscription.html")]
struct SubscriptionPage {
    layout: Layout,
    /// When the current URL was made, if there is one.
    since: Option<String>,
    /// The full URL, only in the answer to making it.
    url: Option<String>,
    webcal: Option<String>,
}

fn feed_url(state: &AppState, token: &str) -> String {
    format!("{}/agenda/{token}.ics", state.config.base_url)
}

async fn page(State(state): State<AppState>, ctx: Ctx, user: User) -> AppResult<Response> {
    let since = store::calendar::created_at(&state.store, user.actor.person_id).await?;
    render(SubscriptionPage {
        layout: ctx.layout("Agenda-abonnement"),
        since: since.map(nl::datetime),
        url: None,
        webcal: None,
    })
}

async fn create(State(state): State<AppState>, ctx: Ctx, user: User) -> AppResult<Response> {
    let token = cookies::random_token();
    let mut tx = state.store.begin().await?;
    store::calendar::replace(
        &mut tx,
        &who(&user),
        user.actor.person_id,
        &cookies::sha256(&token),
    )
    .await?;
    store::commit(tx).await?;
    let url = feed_url(&state, &token);
    // Answered here rather than after a redirect: the URL is shown once and never stored.
    render(SubscriptionPage {
        layout: ctx.layout("Agenda-abonnement"),
        since: Some(nl::datetime(OffsetDateTime::now_utc())),
        webcal: url
            .split_once("://")
            .map(|(_, rest)| format!("webcal://{rest}")),
        url: Some(url),
    })
}

async fn revoke(State(state): State<AppState>, user: User) -> AppResult<Response> {
    let mut tx = state.store.begin().await?;
    store::calendar::revoke(&mut tx, &who(&user), user.actor.person_id).await?;
    store::commit(tx).await?;
    Ok(Redirect::to("/account/agenda?ok=opgeslagen").into_response())
}

async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    if token.len() != 43 {
        return Err(AppError::NotFound);
    }
    let person_id = store::calendar::person_for(&state.store, &cookies::sha256(token))
        .await?
        .ok_or(AppError::NotFound)?;
    // Disabled people are not found; rights are those of today, not of the day the URL was made.
    let person = store::people::signed_in(&state.store, person_id).await?;
    if !person.actor.can(Capability::ViewMeetings) {
        return Err(AppError::NotFound);
    }
    let now = OffsetDateTime::now_utc();
    let bodies: Vec<i64> = person.actor.bodies.iter().copied().collect();
    let codes: HashMap<i64, String> = store::bodies::list(state.store.pool())
        .await?
        .into_iter()
        .map(|b| (b.id, b.code.to_string()))
        .collect();
    let mut meetings: Vec<Meeting> = store::meetings::list_for_bodies(&state.store, &bodies)
        .await?
        .into_iter()
        .filter(|m| person.actor.can_see_meeting(&m.bodies) && m.ends_at >= now - HISTORY)
        .collect();
    meetings.sort_by_key(|m| (m.starts_at, m.id));
    let events: Vec<CalendarEvent> = meetings
        .iter()
        .map(|m| meeting_event::event(&state.config.base_url, m, &codes))
        .collect();
    let name = format!("Vergaderingen {}", state.hospital_name());
    let body = ical::calendar(&name, now, &events);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"vergaderingen.ics\""),
            ),
        ],
        body,
    )
        .into_response())
}
