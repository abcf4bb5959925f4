//! Health, readiness, headers, error pages and the demo data.

use crate::support::*;
use axum::http::StatusCode;
use gg_web::config::Config;
use store::{PgPool, Store};

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn pages_carry_the_security_headers(pool: PgPool) {
    let mut c = app(pool).await;
    let res = c.get("/inloggen").await;
    let h = |name: &str| {
        res.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let csp = h("content-security-policy");
    assert!(
        csp.contains("script-src 'self'")
            && csp.contains("style-src 'self'")
            && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert_eq!(h("referrer-policy"), "same-origin");
    assert_eq!(h("x-frame-options"), "DENY");
    assert!(!h("x-request-id").is_empty());
    assert!(
        !res.body.contains("<script>") && !res.body.contains("style="),
        "no inline scripts or styles"
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn unknown_pages_get_a_dutch_404(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(BESTUURDER).await;
    let res = c.get("/bestaat-niet").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.body.contains("Pagina niet gevonden"));
    let missing = c.get("/beheer/personen/999999").await;
    assert_eq!(
        missing.status,
        StatusCode::FORBIDDEN,
        "a bestuurder may not even ask"
    );
    c.cookies.clear();
    c.sign_in_as(BEHEERDER).await;
    assert_eq!(
        c.get("/beheer/personen/999999").await.status,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_demo_hospital_loads_once(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    demo::load(&store).await.unwrap();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let people = count("SELECT count(*) FROM person").await;
    let audit = count("SELECT count(*) FROM audit_log").await;
    demo::load(&store).await.unwrap();
    assert_eq!(count("SELECT count(*) FROM person").await, people);
    assert_eq!(count("SELECT count(*) FROM audit_log").await, audit);
    assert_eq!(people as usize, demo::PEOPLE.len());
    assert!(count("SELECT count(*) FROM vakgroep").await >= 25);
    let both_forms = count("SELECT count(DISTINCT employment_form) FROM membership m JOIN body b ON b.id = m.body_id WHERE b.code IN ('MSB', 'VMSD')").await;
    assert_eq!(both_forms, 2, "MSB+ has both employment forms");
    assert_eq!(
        store::audit::verify(&store).await.unwrap(),
        store::audit::Verification::Intact { rows: audit }
    );
}

#[tokio::test]
async fn without_a_database_ready_and_pages_say_so() {
    // Nothing listens on port 9: the pool cannot connect.
    let store = Store::connect_lazy("postgres://nobody@127.0.0.1:9/none", 2).unwrap();
    let state = gg_web::app::state(
        store,
        Config::for_tests("postgres://nobody@127.0.0.1:9/none"),
    )
    .await
    .unwrap();
    let router = gg_web::app::build(state);
    let get = |path: &'static str, cookie: Option<&'static str>| {
        let router = router.clone();
        async move {
            let mut req = axum::http::Request::get(path).header("host", "127.0.0.1:8080");
            if let Some(c) = cookie {
                req = req.header("cookie", c);
            }
            let res =
                tower::ServiceExt::oneshot(router, req.body(axum::body::Body::empty()).unwrap())
                    .await
                    .unwrap();
            let status = res.status();
            let body = http_body_util::BodyExt::collect(res.into_body())
                .await
                .unwrap()
                .to_bytes();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    assert_eq!(get("/health", None).await.0, StatusCode::OK);
    assert_eq!(get("/ready", None).await.0, StatusCode::SERVICE_UNAVAILABLE);
    let (status, body) = get("/", Some("gg_session=iets")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("Tijdelijk niet beschikbaar"));
    assert!(
        !body.contains("nobody"),
        "no internal detail leaks to the page"
    );
}
