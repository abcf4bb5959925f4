//! The input layer: the one place where text enters the application (product.md F5, issue #10).
//!
//! Every request passes [`sanitize`] before the CSRF check and the handlers:
//!
//! - a path with control characters or invalid UTF-8 names nothing that exists: 404;
//! - the query string and an urlencoded body are decoded here; invalid UTF-8 is refused (400)
//!   rather than stored with replacement characters, and every key and value goes through
//!   [`domain::text::clean`] (NUL, control characters and bidi overrides stripped), re-encoded
//!   only when something changed;
//! - an urlencoded body above [`MAX_FORM_BYTES`] is answered 413 with a Dutch page before it is
//!   read (multipart uploads have their own limits per route and clean their text where read).
//!
//! Length limits per field live with each form's rules (`domain::text::max`), so that a long
//! title is answered at its field and keeps what was typed; the byte limit here only stops
//! requests no form of ours produces.

use crate::shared::error::AppError;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::uri::{PathAndQuery, Uri};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;

/// No form of ours comes near this: the longest field holds 20.000 characters.
pub const MAX_FORM_BYTES: usize = 1024 * 1024;

/// Why input was refused before any handler saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Percent-encoded bytes that are not UTF-8.
    NotUtf8,
}

/// Decodes `application/x-www-form-urlencoded` bytes (also a query string) into pairs, refusing
/// invalid UTF-8 instead of replacing it.
pub fn decode(bytes: &[u8]) -> Result<Vec<(String, String)>, Refused> {
    bytes
        .split(|&b| b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = match part.iter().position(|&b| b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &b""[..]),
            };
            Ok((percent_decode(key)?, percent_decode(value)?))
        })
        .collect()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `+` is a space and `%XX` a byte; a `%` without two hex digits stays as it is, as browsers
/// and `form_urlencoded` treat it.
fn percent_decode(input: &[u8]) -> Result<String, Refused> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                input.get(i + 1).copied().and_then(hex),
                input.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| Refused::NotUtf8)
}

/// The pairs cleaned by [`domain::text::clean`], or `None` when every pair was clean already.
pub fn cleaned(pairs: &[(String, String)]) -> Option<Vec<(String, String)>> {
    let dirty = pairs
        .iter()
        .any(|(k, v)| !domain::text::is_clean(k) || !domain::text::is_clean(v));
    dirty.then(|| {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    domain::text::clean(k).into_owned(),
                    domain::text::clean(v).into_owned(),
                )
            })
            .collect()
    })
}

/// Urlencoded bytes as the handlers should see them: the same bytes when they were clean.
pub fn clean_encoded(bytes: &[u8]) -> Result<Cow<'_, [u8]>, Refused> {
    let pairs = decode(bytes)?;
    Ok(match cleaned(&pairs) {
        None => Cow::Borrowed(bytes),
        Some(pairs) => Cow::Owned(encode(&pairs).into_bytes()),
    })
}

fn encode(pairs: &[(String, String)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// A path names something only when it is clean text.
fn path_is_clean(path: &str) -> bool {
    if !path.contains('%') {
        return domain::text::is_clean(path);
    }
    match percent_decode(path.replace('+', "%2B").as_bytes()) {
        Ok(decoded) => domain::text::is_clean(&decoded),
        Err(_) => false,
    }
}

fn is_urlencoded(req: &Request) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.get(..33)
                .is_some_and(|p| p.eq_ignore_ascii_case("application/x-www-form-urlencoded"))
        })
}

fn refused(reason: Refused) -> Response {
    match reason {
        Refused::NotUtf8 => AppError::BadInput.into_response(),
    }
}

/// The middleware; see the module documentation.
pub async fn sanitize(req: Request, next: Next) -> Response {
    if !path_is_clean(req.uri().path()) {
        return AppError::NotFound.into_response();
    }
    let mut req = req;
    if let Some(query) = req.uri().query() {
        match clean_encoded(query.as_bytes()) {
            Err(reason) => return refused(reason),
            Ok(Cow::Borrowed(_)) => {}
            Ok(Cow::Owned(clean)) => {
                let clean = String::from_utf8(clean).unwrap_or_default();
                match with_query(req.uri(), &clean) {
                    Some(uri) => *req.uri_mut() = uri,
                    None => return AppError::BadInput.into_response(),
                }
            }
        }
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || !is_urlencoded(&req)
    {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_FORM_BYTES as u64) {
        return AppError::TooLarge.into_response();
    }
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return AppError::TooLarge.into_response();
    };
    let bytes = match clean_encoded(&bytes) {
        Err(reason) => return refused(reason),
        Ok(Cow::Borrowed(_)) => bytes,
        Ok(Cow::Owned(clean)) => {
            parts.headers.remove(CONTENT_LENGTH);
            Bytes::from(clean)
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn with_query(uri: &Uri, query: &str) -> Option<Uri> {
    let mut parts = uri.clone().into_parts();
    let pq = if query.is_empty() {
        uri.path().to_string()
    } else {
        format!("{}?{query}", uri.path())
    };
    parts.path_and_query = Some(PathAndQuery::try_from(pq).ok()?);
    Uri::from_parts(parts).ok()
}

/// Extractor rejections (a form field that does not parse, a path id that is not a number, a
/// body above a route's limit) come as English plain text from axum; people get the Dutch page
/// for the same status instead. Our own pages are HTML and pass unchanged.
pub async fn dutch_rejections(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/plain"));
    if !plain || !status.is_client_error() {
        return response;
    }
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge.into_response(),
        StatusCode::NOT_FOUND => AppError::NotFound.into_response(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
        | StatusCode::UNPROCESSABLE_ENTITY
        | StatusCode::BAD_REQUEST => AppError::BadInput.into_response(),
        _ => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_refuses_invalid_utf8() {
        assert_eq!(decode(b"q=%FF"), Err(Refused::NotUtf8));
        assert_eq!(decode(b"q=%C3%28"), Err(Refused::NotUtf8));
        assert_eq!(
            decode(b"q=%C3%A9t+%25&x").unwrap(),
            vec![("q".into(), "ét %".into()), ("x".into(), String::new())]
        );
        assert_eq!(decode(b"a=%2&b=%zz").unwrap()[0].1, "%2");
    }

    #[test]
    fn nul_and_overrides_are_stripped_and_clean_input_is_untouched() {
        let clean = b"title=Begroting+2027&_csrf=abc";
        assert!(matches!(clean_encoded(clean), Ok(Cow::Borrowed(_))));
        let dirty = clean_encoded(b"q=%00a%E2%80%AEb&x=1").unwrap();
        assert_eq!(decode(&dirty).unwrap()[0], ("q".into(), "ab".into()));
    }

    proptest::proptest! {
        /// Whatever arrives, the layer answers without panicking, and what it hands on is
        /// clean text that decodes to the cleaned pairs.
        #[test]
        fn any_bytes_decode_or_are_refused(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            if let Ok(clean) = clean_encoded(&bytes) {
                let pairs = decode(&clean).unwrap();
                for (k, v) in &pairs {
                    proptest::prop_assert!(domain::text::is_clean(k) && domain::text::is_clean(v));
                }
            }
        }

        #[test]
        fn any_text_survives_the_round_trip_cleaned(key in ".{0,20}", value in "\\PC{0,80}|.{0,80}") {
            let encoded = encode(&[(key.clone(), value.clone())]);
            let clean = clean_encoded(encoded.as_bytes()).unwrap();
            let pairs = decode(&clean).unwrap();
            let want_key = domain::text::clean(&key).into_owned();
            let want_value = domain::text::clean(&value).into_owned();
            if want_key.is_empty() && want_value.is_empty() {
                // `=` alone: a pair with an empty name.
                proptest::prop_assert!(pairs.len() <= 1);
            } else {
                proptest::prop_assert_eq!(pairs, vec![(want_key, want_value)]);
            }
        }

        #[test]
        fn any_path_is_judged_without_panicking(path in "/.{0,40}") {
            let _ = path_is_clean(&path);
        }
    }

    #[test]
    fn paths_with_control_characters_name_nothing() {
        assert!(path_is_clean("/afspraken/12"));
        assert!(path_is_clean("/agenda/caf%C3%A9"));
        assert!(!path_is_clean("/agenda/abc%00"));
        assert!(!path_is_clean("/agenda/%FF"));
    }
}
