//! Sessions stored in PostgreSQL: the cookie holds a random id, the database its hash.

use super::cookies::{self, SameSite};
use crate::shared::error::AppError;
use crate::shared::page_cache::PageCache;
use crate::shared::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::Method;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::account::SessionPolicy;
use domain::account::twofactor::SignInStep;
use domain::ids::PersonId;
use std::sync::Arc;
use store::people::SignedIn;
use time::OffsetDateTime;

pub const SESSION_COOKIE: &str = "gg_session";

/// The signed-in person of this request, put in the request extensions by [`load`].
#[derive(Clone)]
pub struct CurrentUser {
    pub person: Arc<SignedIn>,
    pub session_hash: Arc<Vec<u8>>,
}

impl std::ops::Deref for CurrentUser {
    type Target = SignedIn;
    fn deref(&self) -> &SignedIn {
        &self.person
    }
}

/// A session that passed the password but still waits for `step` (docs/two-factor.md). It is
/// put in the request extensions instead of a [`CurrentUser`], so every route that needs a
/// signed-in person refuses it; only the routes of its step (and logout) serve it.
#[derive(Clone)]
pub struct HalfSignedIn {
    pub person_id: PersonId,
    pub step: SignInStep,
    pub session_hash: Arc<Vec<u8>>,
}

/// Paths that never need a session, so they work while the database is away.
fn sessionless(path: &str) -> bool {
    path == "/health" || path == "/ready" || path.starts_with("/static/")
}

pub fn policy(state: &AppState) -> SessionPolicy {
    SessionPolicy {
        idle: state.config.session_idle,
        absolute: state.config.session_absolute,
    }
}

/// Middleware: resolves the session cookie to a [`CurrentUser`], ends expired sessions.
pub async fn load(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let mut clear_cookie = false;
    let token = cookies::get(req.headers(), SESSION_COOKIE);
    if let Some(token) = token.filter(|_| !sessionless(req.uri().path())) {
        let hash = cookies::sha256(&token);
        let cache = state.part::<PageCache>();
        let now = OffsetDateTime::now_utc();
        let policy = policy(&state);
        // A session read moments ago and unchanged since (the cache is emptied by every change
        // to people or sessions, on every instance) needs no query to read a page, unless it is
        // due to be touched or about to expire: then the database decides. A change always asks
        // the database: another instance may have ended the session a moment ago, and its
        // notification may not be here yet (a page read in that moment changes nothing).
        let reads_only = matches!(*req.method(), Method::GET | Method::HEAD);
        if let Some(kept) = cache.session(&hash).filter(|k| {
            reads_only
                && policy.is_alive(k.created_at, k.last_seen_at, now)
                && !policy.needs_touch(k.last_seen_at, now)
        }) {
            req.extensions_mut().insert(CurrentUser {
                person: kept.person,
                session_hash: Arc::new(hash),
            });
            return next.run(req).await;
        }
        let generation = cache.session_generation();
        match resolve(&state, &hash).await {
            Ok(Some(Resolved::Full(person, created_at, last_seen_at))) => {
                let person = Arc::new(person);
                cache.keep_session(&hash, generation, person.clone(), created_at, last_seen_at);
                req.extensions_mut().insert(CurrentUser {
                    person,
                    session_hash: Arc::new(hash),
                });
            }
            Ok(Some(Resolved::Half(person_id, step))) => {
                req.extensions_mut().insert(HalfSignedIn {
                    person_id,
                    step,
                    session_hash: Arc::new(hash),
                });
            }
            Ok(None) => clear_cookie = true,
            Err(e) => return e.into_response(),
        }
    }
    let mut response = next.run(req).await;
    if clear_cookie && !response.headers().contains_key(SET_COOKIE) {
        response
            .headers_mut()
            .append(SET_COOKIE, end_cookie(&state));
    }
    response
}

enum Resolved {
    /// The person, when the session started and when it was last seen.
    Full(SignedIn, OffsetDateTime, OffsetDateTime),
    Half(PersonId, SignInStep),
}

async fn resolve(state: &AppState, hash: &[u8]) -> Result<Option<Resolved>, AppError> {
    let Some((any, person)) = store::people::by_session(&state.store, hash).await? else {
        return Ok(None);
    };
    let row = any.session;
    let now = OffsetDateTime::now_utc();
    let policy = policy(state);
    let step_expired = any
        .pending_step
        .is_some_and(|step| step.expired(row.created_at, now));
    if step_expired || !policy.is_alive(row.created_at, row.last_seen_at, now) {
        store::accounts::delete_session(&state.store, hash).await?;
        return Ok(None);
    }
    if let Some(step) = any.pending_step {
        return Ok(Some(Resolved::Half(row.person_id, step)));
    }
    let mut last_seen = row.last_seen_at;
    if policy.needs_touch(row.last_seen_at, now) {
        store::accounts::touch_session(&state.store, hash).await?;
        last_seen = now;
    }
    Ok(Some(Resolved::Full(person, row.created_at, last_seen)))
}

pub fn session_cookie(state: &AppState, token: &str) -> axum::http::HeaderValue {
    cookies::set(
        SESSION_COOKIE,
        token,
        SameSite::Lax,
        state.config.secure_cookies,
        None,
    )
}

pub fn end_cookie(state: &AppState) -> axum::http::HeaderValue {
    cookies::set(
        SESSION_COOKIE,
        "",
        SameSite::Lax,
        state.config.secure_cookies,
        Some(0),
    )
}

/// Extractor for handlers behind a signed-in route rule: the current person.
pub struct User(pub CurrentUser);

impl std::ops::Deref for User {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<CurrentUser>() {
            Some(u) => Ok(User(u.clone())),
            None => Err(Redirect::to("/inloggen").into_response()),
        }
    }
}

/// Extractor for the routes of a sign-in step: the half signed-in session, if this is one.
pub struct MaybeHalf(pub Option<HalfSignedIn>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeHalf {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeHalf(parts.extensions.get::<HalfSignedIn>().cloned()))
    }
}

/// Extractor: the current person if signed in.
pub struct MaybeUser(pub Option<CurrentUser>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(parts.extensions.get::<CurrentUser>().cloned()))
    }
}
