//! The personal iCal feed (A1): a secret URL shown once, the meetings the person takes part in,
//! revocation and replacement.

use crate::support::*;
use axum::http::{StatusCode, header};
use domain::meetings::status::MeetingStatus;
use store::PgPool;

const BASE: &str = "http://127.0.0.1:8080";

/// Makes a feed URL as `email` and returns its path (`/agenda/….ics`).
async fn new_feed(c: &mut Client, email: &str) -> String {
    c.cookies.clear();
    c.sign_in_as(email).await;
    let res = c.post("/account/agenda", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let start = res
        .body
        .find(&format!("{BASE}/agenda/"))
        .expect("the URL is shown")
        + BASE.len();
    let path = &res.body[start..];
    let path = &path[..path.find(".ics").expect(".ics") + 4];
    assert_eq!(
        path.len(),
        "/agenda/".len() + 43 + 4,
        "a 256-bit token: {path}"
    );
    path.to_string()
}

/// Fetches a feed the way a calendar program does: without any cookie.
async fn fetch(c: &mut Client, path: &str) -> Response {
    c.cookies.clear();
    c.get(path).await
}

async fn demo_meeting(c: &Client) -> i64 {
    let rvb = store::bodies::list(c.store.pool())
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.code == "RvB")
        .unwrap()
        .id;
    store::meetings::list_for_bodies(&c.store, &[rvb])
        .await
        .unwrap()[0]
        .id
        .into()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_member_subscribes_to_the_meetings_of_their_bodies(pool: PgPool) {
    let mut c = app(pool).await;
    let meeting = demo_meeting(&c).await;
    c.sign_in_as(BESTUURDER).await;
    let page = c.get("/account/agenda").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("nog geen link"));
    assert!(
        c.get("/vergaderingen")
            .await
            .body
            .contains(r#"href="/account/agenda""#),
        "linked from the header"
    );

    let path = new_feed(&mut c, BESTUURDER).await;
    // Shown once: the page afterwards says there is one, but not what it is.
    let page = c.get("/account/agenda").await;
    assert!(page.body.contains("actieve link"));
    assert!(!page.body.contains(&path));

    let feed = fetch(&mut c, &path).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(
        feed.headers[header::CONTENT_TYPE],
        "text/calendar; charset=utf-8"
    );
    assert_eq!(feed.headers[header::CACHE_CONTROL], "no-store");
    let ics = &feed.body;
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(
        !ics.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF"
    );
    for expected in [
        "BEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam",
        "BEGIN:VEVENT",
        &format!("UID:meeting-{meeting}@gelijkgericht"),
        "DTSTAMP:",
        "DTSTART;TZID=Europe/Amsterdam:",
        "T160000\r\n",
        "DTEND;TZID=Europe/Amsterdam:",
        "SUMMARY:Gezamenlijk overleg RvB en MSB+",
        "LOCATION:Bestuurskamer\\, gebouw A",
        &format!("URL:{BASE}/vergaderingen/{meeting}"),
        "STATUS:TENTATIVE",
    ] {
        assert!(ics.contains(expected), "{expected} in\n{ics}");
    }
    // Items stay in the application, where their compartments are kept.
    for hidden in [
        "Interne verdeling honorariumbudget",
        "Personele aangelegenheid",
        "capaciteitsbegroting 2027",
    ] {
        assert!(!ics.contains(hidden), "{hidden}");
    }

    // Published meetings are confirmed.
    let mut tx = c.store.begin().await.unwrap();
    store::meetings::set_status(
        &mut tx,
        &store::audit::Who::system("test"),
        meeting.into(),
        MeetingStatus::Concept,
        MeetingStatus::Gepubliceerd,
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    assert!(fetch(&mut c, &path).await.body.contains("STATUS:CONFIRMED"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_observer_does_not_get_meetings_their_body_does_not_attend(pool: PgPool) {
    let mut c = app(pool).await;
    let meeting = demo_meeting(&c).await;
    let path = new_feed(&mut c, TOEHOORDER).await;
    let feed = fetch(&mut c, &path).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.body.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(!feed.body.contains("BEGIN:VEVENT"), "{}", feed.body);
    assert!(!feed.body.contains(&format!("meeting-{meeting}@")));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn revoked_and_replaced_urls_stop_working(pool: PgPool) {
    let mut c = app(pool).await;
    let first = new_feed(&mut c, BESTUURDER).await;
    let second = new_feed(&mut c, BESTUURDER).await;
    assert_ne!(first, second);
    assert_eq!(fetch(&mut c, &first).await.status, StatusCode::NOT_FOUND);
    assert_eq!(fetch(&mut c, &second).await.status, StatusCode::OK);

    c.sign_in_as(BESTUURDER).await;
    let res = c.post("/account/agenda/intrekken", &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        c.get("/account/agenda")
            .await
            .body
            .contains("nog geen link")
    );
    assert_eq!(fetch(&mut c, &second).await.status, StatusCode::NOT_FOUND);

    let (entries, _) = store::audit::list(
        &c.store,
        &store::audit::AuditFilter {
            object_type: Some("calendar_token".into()),
            ..Default::default()
        },
        10,
        0,
    )
    .await
    .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["revoke", "replace", "create"]);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_disabled_persons_feed_and_unknown_tokens_are_not_found(pool: PgPool) {
    let mut c = app(pool).await;
    let path = new_feed(&mut c, BESTUURDER).await;
    let id = c.person_id(BESTUURDER).await;
    let mut tx = c.store.begin().await.unwrap();
    store::people::set_disabled(&mut tx, &store::audit::Who::system("test"), id.into(), true)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    assert_eq!(fetch(&mut c, &path).await.status, StatusCode::NOT_FOUND);

    let token = &path["/agenda/".len()..path.len() - 4];
    for unknown in [
        "/agenda/onbekend.ics".to_string(),
        format!("/agenda/{}.ics", "A".repeat(43)),
        format!("/agenda/{token}"),
        format!("/agenda/{token}.ical"),
    ] {
        assert_eq!(
            fetch(&mut c, &unknown).await.status,
            StatusCode::NOT_FOUND,
            "{unknown}"
        );
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn only_people_who_see_meetings_get_a_feed(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(CONTROLLER).await;
    assert_eq!(c.get("/account/agenda").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        c.post("/account/agenda", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(!c.get("/").await.body.contains(r#"href="/account/agenda""#));
}
