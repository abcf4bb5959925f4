//! How a route is declared: its method, path, the rule that guards it and its handler. The
//! application's table (`crate::routes::all`) is a list of these, so a route cannot exist
//! without a rule, and the route×role test walks the same list.

use super::error::AppError;
use super::session::{CurrentUser, HalfSignedIn};
use super::state::AppState;
use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use domain::account::twofactor::SignInStep;
use domain::authz::Capability;

/// Who may call a route. Object-level visibility is checked in addition by the handler, through
/// [`domain::authz::Actor::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (login, health, static files).
    Public,
    /// A signed-in person holding the capability.
    Needs(Capability),
    /// A session half signed-in at this step (docs/two-factor.md), or a full one: the handler
    /// decides what a full session sees there. Anonymous visitors go to the login page.
    Step(SignInStep),
    /// Any session, full or half signed-in: logout.
    AnySession,
}

pub struct RouteDef {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub handler: MethodRouter<AppState>,
}

pub fn get<H, T>(path: &'static str, access: Access, handler: H) -> RouteDef
where
    H: Handler<T, AppState>,
    T: 'static,
{
    RouteDef {
        method: Method::GET,
        path,
        access,
        handler: axum::routing::get(handler),
    }
}

pub fn post<H, T>(path: &'static str, access: Access, handler: H) -> RouteDef
where
    H: Handler<T, AppState>,
    T: 'static,
{
    RouteDef {
        method: Method::POST,
        path,
        access,
        handler: axum::routing::post(handler),
    }
}

/// Where an anonymous visitor is sent, remembering where they wanted to go.
pub fn login_redirect(req: &Request) -> Response {
    let wanted = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    if req.method() == Method::GET && wanted != "/" {
        let next: String = url_encode(wanted);
        Redirect::to(&format!("/inloggen?volgende={next}")).into_response()
    } else {
        Redirect::to("/inloggen").into_response()
    }
}

fn url_encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e[1..].to_string())
        .unwrap_or_default()
}

async fn guard(access: Access, req: Request, next: Next) -> Response {
    let user = req.extensions().get::<CurrentUser>();
    // A half signed-in session is sent to its step from every page that is not that step's.
    let half = req.extensions().get::<HalfSignedIn>().map(|h| h.step);
    match (access, user, half) {
        (Access::Public, _, _) => next.run(req).await,
        (Access::AnySession, None, None) => login_redirect(&req),
        (Access::AnySession, _, _) => next.run(req).await,
        (Access::Step(step), None, Some(waiting)) if step != waiting => {
            Redirect::to(waiting.path()).into_response()
        }
        (Access::Step(_), None, None) => login_redirect(&req),
        (Access::Step(_), _, _) => next.run(req).await,
        (Access::Needs(_), None, Some(waiting)) => Redirect::to(waiting.path()).into_response(),
        (Access::Needs(_), None, None) => login_redirect(&req),
        (Access::Needs(capability), Some(user), _) if !user.actor.can(capability) => {
            AppError::Forbidden.into_response()
        }
        (Access::Needs(_), Some(_), _) => next.run(req).await,
    }
}

/// Builds the router from a route table, each handler wrapped in its guard.
pub fn router(routes: Vec<RouteDef>) -> Router<AppState> {
    let mut by_path: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
    for r in routes {
        let access = r.access;
        let handler = r.handler.route_layer(middleware::from_fn(move |req, next| {
            guard(access, req, next)
        }));
        match by_path.iter_mut().find(|(p, _)| *p == r.path) {
            Some((_, existing)) => {
                let merged = std::mem::take(existing).merge(handler);
                *existing = merged;
            }
            None => by_path.push((r.path, handler)),
        }
    }
    by_path
        .into_iter()
        .fold(Router::new(), |router, (path, mr)| router.route(path, mr))
}
