//! The page cache (issue #17): a kept page is served only to its person, with their own CSRF
//! token, and never outlives a change by more than the notification takes — on the instance that
//! made the change not at all, on another instance until `gg_change` arrives; without a
//! listening connection nothing is served from memory.

use crate::meetings_support::{HANS, demo_meeting, item_id, other};
use crate::support::*;
use axum::http::StatusCode;
use gg_web::config::Config;
use gg_web::shared::page_cache::PageCache;
use gg_web::shared::state::AppState;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use store::{PgPool, Store};

/// An app instance on `store` whose cache listens, as `serve` starts it.
async fn instance(store: &Store, listening: bool) -> (Client, AppState) {
    let state = gg_web::app::state(store.clone(), Config::for_tests("postgres://unused"))
        .await
        .unwrap();
    if listening {
        gg_web::shared::page_cache::spawn(&state);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !state.part::<PageCache>().is_listening() {
            assert!(Instant::now() < deadline, "the cache never listened");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let client = Client {
        router: gg_web::app::build(state.clone()),
        store: store.clone(),
        cookies: HashMap::new(),
        ip: "192.0.2.10:40000".parse().unwrap(),
    };
    (client, state)
}

fn hits(state: &AppState) -> u64 {
    state.part::<PageCache>().hits()
}

async fn demo(pool: PgPool) -> Store {
    let store = Store::from_pool(pool);
    demo::load(&store).await.unwrap();
    store
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_kept_page_never_outlives_a_change_on_either_instance(pool: PgPool) {
    let store = demo(pool).await;
    let (mut a, _) = instance(&store, true).await;
    let (mut b, b_state) = instance(&store, true).await;
    a.sign_in_as(SECRETARIS).await;
    // The same browser (session and CSRF cookie) on both instances, as behind a balancer.
    b.cookies = a.cookies.clone();
    b.csrf().await;
    a.cookies = b.cookies.clone();
    let meeting = demo_meeting(&a).await;
    let page = format!("/vergaderingen/{meeting}");

    let first = b.get(&page).await;
    assert_eq!(first.status, StatusCode::OK);
    let kept = b.get(&page).await;
    assert_eq!(hits(&b_state), 1, "the second view comes from memory");
    assert_eq!(kept.body, first.body, "exactly the page");

    // A change through instance A: B shows it as soon as the notification arrives.
    let res = a
        .post(&format!("{page}/status"), &[("naar", "gepubliceerd")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        a.get(&page).await.body.contains("Agenda gepubliceerd"),
        "the instance that made the change shows it at once"
    );
    let changed = Instant::now();
    loop {
        if b.get(&page).await.body.contains("Agenda gepubliceerd") {
            break;
        }
        assert!(
            changed.elapsed() < Duration::from_secs(2),
            "instance B still shows the page from before the change"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!("instance B showed the change after {:?}", changed.elapsed());

    // A change by anything else that writes to the database (another program, psql).
    let item = item_id(&a, meeting, "Concentratie van electieve orthopedie").await;
    b.get(&page).await;
    let before = hits(&b_state);
    b.get(&page).await;
    assert_eq!(hits(&b_state), before + 1);
    sqlx::query("UPDATE agenda_item SET title = 'Concentratie van heupchirurgie' WHERE id = $1")
        .bind(item)
        .execute(store.pool())
        .await
        .unwrap();
    let changed = Instant::now();
    while !b
        .get(&page)
        .await
        .body
        .contains("Concentratie van heupchirurgie")
    {
        assert!(
            changed.elapsed() < Duration::from_secs(2),
            "stale after a direct write"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // Signed out on A: B serves nothing kept to that browser once the notification is in.
    let res = a.post("/uitloggen", &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    signed_out(&mut b, &page).await;
}

/// Waits (at most 2 s: the notification) until `page` sends this browser to sign in.
async fn signed_out(c: &mut Client, page: &str) {
    let since = Instant::now();
    loop {
        let res = c.get(page).await;
        if res.status == StatusCode::SEE_OTHER && res.location().starts_with("/inloggen") {
            println!("refused after {:?}", since.elapsed());
            return;
        }
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert!(
            since.elapsed() < Duration::from_secs(2),
            "still served after 2 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_kept_session_ends_with_the_person_s_account_on_every_instance(pool: PgPool) {
    let store = demo(pool).await;
    let (mut a, _) = instance(&store, true).await;
    let (mut b, b_state) = instance(&store, true).await;
    a.sign_in_as(BESTUURDER).await;
    b.cookies = a.cookies.clone();
    for _ in 0..3 {
        assert_eq!(b.get("/afspraken").await.status, StatusCode::OK);
    }
    assert!(hits(&b_state) >= 2, "the session and page were kept");
    // Blocked by anything that writes to the database: no instance lets the browser in.
    sqlx::query("UPDATE person SET disabled_at = now() WHERE email = $1")
        .bind(BESTUURDER)
        .execute(store.pool())
        .await
        .unwrap();
    signed_out(&mut b, "/afspraken").await;
    signed_out(&mut a, "/").await;
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_kept_page_is_only_for_its_person_and_carries_the_request_s_token(pool: PgPool) {
    let store = demo(pool).await;
    let (mut marieke, state) = instance(&store, true).await;
    marieke.sign_in_as(BESTUURDER).await;
    let mine = marieke.get("/").await;
    assert!(
        mine.body.contains("Marieke"),
        "the dashboard greets its reader"
    );
    assert_eq!(marieke.get("/").await.body, mine.body);
    assert_eq!(hits(&state), 1);

    let mut hans = other(&marieke, HANS).await;
    let his = hans.get("/").await;
    assert_eq!(
        hits(&state),
        1,
        "another person's first view is rendered for them"
    );
    assert!(
        his.body.contains("Hans") && !his.body.contains("Marieke"),
        "{}",
        his.body
    );

    // The same person in a second browser: the kept page, with that browser's own token.
    let mut second = other(&marieke, BESTUURDER).await;
    let token = second.csrf().await;
    assert_ne!(token, marieke.cookies["gg_csrf"]);
    let page = second.get("/").await;
    assert_eq!(hits(&state), 2);
    assert!(page.body.contains(&token));
    assert!(!page.body.contains(&marieke.cookies["gg_csrf"]));
    assert!(!page.body.contains('\0'));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn without_a_listening_connection_nothing_comes_from_memory(pool: PgPool) {
    let store = demo(pool).await;
    let (mut c, state) = instance(&store, false).await;
    c.sign_in_as(SECRETARIS).await;
    for _ in 0..3 {
        assert_eq!(c.get("/afspraken").await.status, StatusCode::OK);
    }
    assert_eq!(hits(&state), 0);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn requests_that_miss_together_wait_for_one_render(pool: PgPool) {
    let store = demo(pool).await;
    let (mut c, state) = instance(&store, true).await;
    c.sign_in_as(BESTUURDER).await;
    c.csrf().await;
    let browsers: Vec<Client> = (0..20)
        .map(|_| Client {
            router: c.router.clone(),
            store: store.clone(),
            cookies: c.cookies.clone(),
            ip: c.ip,
        })
        .collect();
    let mut set = tokio::task::JoinSet::new();
    for mut b in browsers {
        set.spawn(async move { b.get("/afspraken").await });
    }
    let pages: Vec<_> = set.join_all().await;
    assert!(pages.iter().all(|p| p.status == StatusCode::OK));
    assert!(pages.iter().all(|p| p.body == pages[0].body));
    assert_eq!(hits(&state), 19, "one render, nineteen waited for it");
}
