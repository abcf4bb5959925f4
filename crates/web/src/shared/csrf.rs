//! CSRF protection (product.md F2) — the choice, documented in docs/security.md:
//!
//! 1. Synchronizer token via a double-submit cookie: every visitor gets a random `gg_csrf` cookie
//!    (HttpOnly, SameSite=Strict); every form carries the same value in a hidden `_csrf` field (or
//!    scripts send it as `X-CSRF-Token`; a `multipart/form-data` upload names it in the form's
//!    action URL as `?_csrf=…`). A state-changing request whose token does not match the cookie
//!    is refused. A new token is issued at login.
//! 2. Origin check: when the browser sends `Origin` (or `Referer`), its host must be ours.

use crate::shared::cookies::{self, SameSite};
use crate::shared::error::AppError;
use crate::shared::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, HOST, ORIGIN, REFERER, SET_COOKIE};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

pub const CSRF_COOKIE: &str = "gg_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The token to put in this response's forms.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// Set by the login handler so the response carries a fresh token.
#[derive(Clone, Debug)]
pub struct RotateCsrf;

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// `true` when Origin/Referer, if sent, names our own host.
fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    let claimed = headers
        .get(ORIGIN)
        .or_else(|| headers.get(REFERER))
        .and_then(|v| v.to_str().ok());
    match (claimed, host) {
        (None, _) => true,
        (Some("null"), _) => false,
        (Some(url), Some(host)) => host_of(url).is_some_and(|h| h.eq_ignore_ascii_case(host)),
        (Some(_), None) => false,
    }
}

fn tokens_match(a: &str, b: &str) -> bool {
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

pub async fn protect(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let existing = cookies::get(req.headers(), CSRF_COOKIE).filter(|t| t.len() == 43);
    let (token, fresh) = match existing {
        Some(t) => (t, false),
        None => (cookies::random_token(), true),
    };

    let req = if is_safe(req.method()) {
        req
    } else {
        if !same_origin(req.headers()) {
            return AppError::Csrf.into_response();
        }
        match checked(req, &token).await {
            Ok(req) => req,
            Err(response) => return response,
        }
    };

    let mut req = req;
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(req).await;
    let rotate = response.extensions().get::<RotateCsrf>().is_some();
    if fresh || rotate {
        let value = if rotate {
            response
                .extensions()
                .get::<CsrfToken>()
                .map(|t| t.0.clone())
                .unwrap_or(token)
        } else {
            token
        };
        response.headers_mut().append(
            SET_COOKIE,
            cookies::set(
                CSRF_COOKIE,
                &value,
                SameSite::Strict,
                state.config.secure_cookies,
                None,
            ),
        );
    }
    response
}

fn is_multipart(content_type: &str) -> bool {
    content_type
        .get(..19)
        .is_some_and(|t| t.eq_ignore_ascii_case("multipart/form-data"))
}

/// The `_csrf` parameter of a query string.
fn query_token(query: Option<&str>) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query?)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v)
}

/// Checks the submitted token against the cookie: from the `X-CSRF-Token` header, else from the
/// `_csrf` query parameter of a multipart upload (whose body is left unread), else from the
/// `_csrf` field of a urlencoded form (whose body is read and handed on unchanged).
async fn checked(req: Request, cookie_token: &str) -> Result<Request, Response> {
    if let Some(header) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if tokens_match(header, cookie_token) {
            Ok(req)
        } else {
            Err(AppError::Csrf.into_response())
        };
    }
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if is_multipart(content_type) {
        // An upload is too big to buffer here, so its form names the token in the action URL.
        return match query_token(req.uri().query()) {
            Some(t) if tokens_match(&t, cookie_token) => Ok(req),
            _ => Err(AppError::Csrf.into_response()),
        };
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(AppError::Csrf.into_response());
    }
    let (parts, body) = req.into_parts();
    // The input layer has read and bounded this body already (`input::MAX_FORM_BYTES`).
    let bytes = axum::body::to_bytes(body, crate::shared::input::MAX_FORM_BYTES)
        .await
        .map_err(|_| AppError::TooLarge.into_response())?;
    let submitted = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| {
            pairs
                .into_iter()
                .find(|(k, _)| k == CSRF_FIELD)
                .map(|(_, v)| v)
        });
    match submitted {
        Some(t) if tokens_match(&t, cookie_token) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(AppError::Csrf.into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn origin_must_be_our_host() {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&h));
        h.insert(ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(same_origin(&h));
        h.insert(ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!same_origin(&h));
        h.insert(ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
        h.remove(ORIGIN);
        h.insert(
            REFERER,
            HeaderValue::from_static("http://127.0.0.1:8080.evil.example/x"),
        );
        assert!(!same_origin(&h));
    }

    #[test]
    fn uploads_carry_the_token_in_the_query() {
        assert!(is_multipart("multipart/form-data; boundary=x"));
        assert!(is_multipart("Multipart/Form-Data; boundary=x"));
        assert!(!is_multipart("multipart/mixed; boundary=x"));
        assert!(!is_multipart("application/x-www-form-urlencoded"));
        assert_eq!(query_token(Some("_csrf=abc&x=1")).as_deref(), Some("abc"));
        assert_eq!(query_token(Some("x=1&_csrf=a%2Db")).as_deref(), Some("a-b"));
        assert_eq!(query_token(Some("x=1")), None);
        assert_eq!(query_token(None), None);
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("", ""));
        assert!(!tokens_match("ab", "abc"));
    }
}
