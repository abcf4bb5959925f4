//! The unsubscribe link as mail programs use it (issue #16; RFC 2369 and RFC 8058): the list
//! headers on every mail that can be unsubscribed from, and the one-click POST that arrives with
//! neither session nor CSRF cookie and switches off exactly the kind its token names — while
//! opening the link, or posting anything else to it, still changes nothing.

use crate::mail::{enqueue, publish, sender, unsubscribe_link};
use crate::mail_sink::Sink;
use crate::support::*;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use domain::notify::{Delivery, MailKind};
use gg_web::shared::mail::worker::drain;
use http_body_util::BodyExt;
use store::PgPool;
use tower::ServiceExt;

const MSB_MEMBER: &str = "h.koster@rijnoever.example";
const FORM: &str = "application/x-www-form-urlencoded";
const ONE_CLICK: &str = "List-Unsubscribe=One-Click";

/// A request as a mail program sends it: no cookies at all. Returns the status and the page
/// without the fresh CSRF token a cookieless visitor gets (it differs per request).
async fn bare(
    c: &Client,
    method: Method,
    path: &str,
    form: Option<(&str, &str)>,
) -> (StatusCode, String) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1:8080");
    let body = match form {
        Some((content_type, body)) => {
            req = req.header(header::CONTENT_TYPE, content_type);
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    let mut req = req.body(body).unwrap();
    req.extensions_mut().insert(ConnectInfo(c.ip));
    let res = c.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let token = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("gg_csrf="))
        .map(|c| c.split(';').next().unwrap_or_default().to_string());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let page = String::from_utf8_lossy(&bytes).into_owned();
    (
        status,
        token.map_or(page.clone(), |t| page.replace(t.as_str(), "")),
    )
}

fn path_of(link: &str) -> String {
    link.trim_start_matches("http://127.0.0.1:8080").to_string()
}

async fn preferences(c: &Client, person: i64) -> Vec<(MailKind, Delivery)> {
    store::outbox::preferences(&c.store, person.into())
        .await
        .unwrap()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn mail_that_can_be_unsubscribed_names_its_link_in_the_list_headers(pool: PgPool) {
    let mut c = app(pool).await;
    let sink = Sink::start().await;
    let sent = publish(&mut c).await;
    // A security mail (a new account's set-password link) and a mail for no person of ours.
    c.sign_in_as(BEHEERDER).await;
    let res = c
        .post(
            "/beheer/personen",
            &[
                ("name", "Anna Jansen"),
                ("email", "a.jansen@rijnoever.example"),
                ("role", "controller"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    enqueue(&c, 1).await;
    drain(&c.store, &sender(&sink)).await.unwrap();
    let delivered = sink.delivered();
    let to = |address: &str| {
        delivered
            .iter()
            .find(|d| d.to.contains(address))
            .unwrap_or_else(|| panic!("a mail to {address}"))
    };
    for member in [BESTUURDER, MSB_MEMBER] {
        let mail = to(member);
        let link = unsubscribe_link(&sent[member].0);
        assert_eq!(
            mail.header("List-Unsubscribe"),
            Some(format!("<{link}>")),
            "{member}: the footer's own link"
        );
        assert_eq!(
            mail.header("List-Unsubscribe-Post").as_deref(),
            Some(ONE_CLICK),
            "{member}"
        );
    }
    for address in ["a.jansen@rijnoever.example", "lid-0@rijnoever.example"] {
        let mail = to(address);
        assert_eq!(mail.header("List-Unsubscribe"), None, "{address}");
        assert_eq!(mail.header("List-Unsubscribe-Post"), None, "{address}");
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_one_click_post_without_a_session_switches_off_exactly_its_kind(pool: PgPool) {
    let mut c = app(pool).await;
    let sent = publish(&mut c).await;
    let path = path_of(&unsubscribe_link(&sent[BESTUURDER].0));
    let person = c.person_id(BESTUURDER).await;
    // A choice of another kind, which must survive.
    c.sign_in_as(BESTUURDER).await;
    let saved = c
        .post("/account/meldingen", &[("begroting", "dagoverzicht")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let before = preferences(&c, person).await;

    // A link scanner opening the link, or posting anything but the one-click form, changes
    // nothing: the page asks for the button, and a form without the token is refused.
    let (status, page) = bare(&c, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<form method=\"post\""), "{page}");
    for body in ["", "List-Unsubscribe=Two-Clicks", "List-Unsubscribe"] {
        let (status, _) = bare(&c, Method::POST, &path, Some((FORM, body))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body:?}");
    }
    let (status, _) = bare(&c, Method::POST, &path, Some(("text/plain", ONE_CLICK))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(preferences(&c, person).await, before, "nothing changed yet");

    let (status, page) = bare(&c, Method::POST, &path, Some((FORM, ONE_CLICK))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Afgemeld"), "{page}");
    let after = preferences(&c, person).await;
    for ((kind, was), (_, now)) in before.iter().zip(&after) {
        let expected = if *kind == MailKind::Agenda {
            Delivery::Off
        } else {
            *was
        };
        assert_eq!(*now, expected, "{kind:?}");
    }
    assert!(after.contains(&(MailKind::Begroting, Delivery::Digest)));
    // Mail programs may send it again: the same answer and nothing more.
    let (status, _) = bare(&c, Method::POST, &path, Some((FORM, ONE_CLICK))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(preferences(&c, person).await, after);

    // As multipart/form-data, which RFC 8058 prefers, from another member's mail.
    let other = c.person_id(MSB_MEMBER).await;
    let multipart = "--gg\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--gg--\r\n";
    let (status, page) = bare(
        &c,
        Method::POST,
        &path_of(&unsubscribe_link(&sent[MSB_MEMBER].0)),
        Some(("multipart/form-data; boundary=gg", multipart)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        preferences(&c, other)
            .await
            .contains(&(MailKind::Agenda, Delivery::Off))
    );

    // The one-click form is no pass anywhere else.
    let (status, _) = bare(
        &c,
        Method::POST,
        "/account/meldingen",
        Some((FORM, ONE_CLICK)),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_forged_token_gets_the_answer_of_a_missing_one(pool: PgPool) {
    let mut c = app(pool).await;
    let sent = publish(&mut c).await;
    let path = path_of(&unsubscribe_link(&sent[BESTUURDER].0));
    let person = c.person_id(BESTUURDER).await;
    let forged = [
        path.replacen(&format!("/{person}."), &format!("/{}.", person + 1), 1),
        path.replacen(".agenda.", ".begroting.", 1),
        path[..path.len() - 1].to_string(),
        format!("{path}0"),
    ];
    for (method, form) in [(Method::POST, Some((FORM, ONE_CLICK))), (Method::GET, None)] {
        let missing = bare(&c, method.clone(), "/afmelden/bestaat-niet", form).await;
        assert_eq!(missing.0, StatusCode::NOT_FOUND);
        for token in &forged {
            assert_eq!(
                bare(&c, method.clone(), token, form).await,
                missing,
                "{method} {token}"
            );
        }
    }
    let chosen: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_preference")
        .fetch_one(c.store.pool())
        .await
        .unwrap();
    assert_eq!(chosen, 0, "nobody's preference changed");
}
