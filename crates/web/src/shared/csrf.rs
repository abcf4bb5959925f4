//! CSRF protection (product.md F2) — the choice, documented in docs/security.md:
//!
//! 1. Synchronizer token via a double-submit cookie: every visitor gets a random `gg_csrf` cookie
//!    (HttpOnly, SameSite=Strict); every form carries the same value in a hidden `_csrf` field (or
//!    scripts send it as `X-CSRF-Token`; a `multipart/form-data` upload names it in the form's
//!    action URL as `?_csrf=…`). A state-changing request whose token does not match the cookie
//!    is refused. A new token is issued at login.
//! 2. Origin check: when the browser sends `Origin` (or `Referer`), its host must be ours.
//!
//! One exception, [`one_click`]: the RFC 8058 one-click unsubscribe that mail programs post to
//! the link in a mail's `List-Unsubscribe` header, which carries its own authorisation.

use crate::shared::cookies::{self, SameSite};
use crate::shared::error::AppError;
use crate::shared::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
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
        let (req, is_one_click) = match one_click(req).await {
            Ok(checked) => checked,
            Err(response) => return response,
        };
        if is_one_click {
            req
        } else {
            if !same_origin(req.headers()) {
                return AppError::Csrf.into_response();
            }
            match checked(req, &token).await {
                Ok(req) => req,
                Err(response) => return response,
            }
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

/// The unsubscribe links of our mails (`notifications`): the only place a one-click POST counts.
const ONE_CLICK_PATH: &str = "/afmelden/";
/// Far more than a one-click form or our own confirmation form holds.
const ONE_CLICK_MAX_BYTES: usize = 16 * 1024;

/// Whether `req` is an RFC 8058 one-click unsubscribe: a POST to an unsubscribe link whose form,
/// urlencoded or multipart (RFC 8058 allows both), holds `List-Unsubscribe=One-Click`. Returns
/// the request with its body put back.
///
/// A mail program sends it without cookies, so it cannot carry our token; it needs none. The
/// token protects requests that a browser's cookies authorise, and this one is authorised by
/// its URL alone: the link's token is an HMAC under the installation's key that only the mails
/// to that person carry, and the handler (`notifications::unsubscribe`) can do nothing with it
/// but switch that one kind of mail off for that one person, which is idempotent. A page that
/// makes a visitor's browser post here achieves nothing without the link, and whoever has the
/// link can unsubscribe anyway. For the same reason the Origin check does not apply: a webmail
/// may send the POST from its own origin.
async fn one_click(req: Request) -> Result<(Request, bool), Response> {
    if req.method() != Method::POST || !req.uri().path().starts_with(ONE_CLICK_PATH) {
        return Ok((req, false));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, ONE_CLICK_MAX_BYTES)
        .await
        .map_err(|_| AppError::TooLarge.into_response())?;
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let is_one_click = if is_multipart(content_type) {
        multipart_one_click(content_type, bytes.clone()).await
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        crate::shared::input::decode(&bytes).is_ok_and(|pairs| {
            pairs
                .iter()
                .any(|(k, v)| k == "List-Unsubscribe" && v == "One-Click")
        })
    } else {
        false
    };
    Ok((Request::from_parts(parts, Body::from(bytes)), is_one_click))
}

async fn multipart_one_click(content_type: &str, bytes: Bytes) -> bool {
    let Ok(req) = Request::builder()
        .header(CONTENT_TYPE, content_type)
        .body(Body::from(bytes))
    else {
        return false;
    };
    let Ok(mut form) = Multipart::from_request(req, &()).await else {
        return false;
    };
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("List-Unsubscribe") {
            return field.text().await.is_ok_and(|v| v.trim() == "One-Click");
        }
    }
    false
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

    fn post(path: &str, content_type: &str, body: &'static str) -> Request {
        Request::post(path)
            .header(CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    }

    async fn is_one_click(req: Request) -> bool {
        one_click(req).await.ok().unwrap().1
    }

    #[tokio::test]
    async fn only_the_one_click_form_to_an_unsubscribe_link_goes_without_a_token() {
        const FORM: &str = "application/x-www-form-urlencoded";
        const MULTIPART: &str = "multipart/form-data; boundary=xyz";
        const PARTS: &str = "--xyz\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--xyz--\r\n";
        assert!(
            is_one_click(post(
                "/afmelden/1.agenda.ab",
                FORM,
                "List-Unsubscribe=One-Click"
            ))
            .await
        );
        assert!(is_one_click(post("/afmelden/1.agenda.ab", MULTIPART, PARTS)).await);
        // Another path, another value, our own form, no form at all.
        assert!(
            !is_one_click(post(
                "/account/meldingen",
                FORM,
                "List-Unsubscribe=One-Click"
            ))
            .await
        );
        assert!(
            !is_one_click(post(
                "/afmelden/1.agenda.ab",
                FORM,
                "List-Unsubscribe=Two-Clicks"
            ))
            .await
        );
        assert!(!is_one_click(post("/afmelden/1.agenda.ab", FORM, "_csrf=abc")).await);
        assert!(
            !is_one_click(post(
                "/afmelden/1.agenda.ab",
                "text/plain",
                "List-Unsubscribe=One-Click"
            ))
            .await
        );
        // The body is handed on unchanged either way.
        let (req, _) = one_click(post("/afmelden/x", FORM, "_csrf=abc"))
            .await
            .ok()
            .unwrap();
        let body = axum::body::to_bytes(req.into_body(), 100).await.unwrap();
        assert_eq!(&body[..], b"_csrf=abc");
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("", ""));
        assert!(!tokens_match("ab", "abc"));
    }
}
