//! Login, throttling, sessions and passwords through HTTP.

use crate::support::*;
use axum::http::StatusCode;
use domain::account::client::TrustedProxies;
use gg_web::config::{Config, Env};
use store::PgPool;

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn three_wrong_passwords_then_the_right_one_still_works(pool: PgPool) {
    let mut c = app(pool).await;
    for _ in 0..3 {
        let res = c.login(BESTUURDER, "verkeerd wachtwoord").await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        assert!(
            res.body
                .contains("Het e-mailadres of het wachtwoord is onjuist.")
        );
        assert!(
            res.body.contains(BESTUURDER),
            "the typed e-mail address is kept"
        );
    }
    let res = c.login(BESTUURDER, PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/");
    let home = c.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Marieke van den Berg"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn six_wrong_passwords_lock_the_account_with_a_clear_message(pool: PgPool) {
    let mut c = app(pool).await;
    for _ in 0..5 {
        assert_eq!(
            c.login(SECRETARIS, "verkeerd wachtwoord").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let sixth = c.login(SECRETARIS, "verkeerd wachtwoord").await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        sixth.body.contains("Te veel mislukte inlogpogingen"),
        "{}",
        sixth.body
    );
    assert!(
        sixth.body.contains("opnieuw proberen na"),
        "says when to try again"
    );
    let right = c.login(SECRETARIS, PASSWORD).await;
    assert_eq!(
        right.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    // Another address may still sign in to another account.
    c.ip = "192.0.2.99:1".parse().unwrap();
    assert_eq!(
        c.login(BESTUURDER, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn one_address_guessing_many_accounts_is_throttled(pool: PgPool) {
    let mut config = Config::for_tests("postgres://unused");
    config.max_failures_per_ip = 5;
    let mut c = app_with(pool, config).await;
    for i in 0..5 {
        c.login(&format!("bestaat-niet-{i}@rijnoever.example"), "gok")
            .await;
    }
    let res = c.login(BESTUURDER, PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_few_failures_on_other_accounts_from_one_address_lock_out_nobody_else(pool: PgPool) {
    // The default limits: the whole hospital may come from one proxy address.
    let mut c = app(pool).await;
    for email in [
        SECRETARIS,
        VAKGROEP,
        CONTROLLER,
        TOEHOORDER,
        "j.verhoeven@rijnoever.example",
        "h.koster@rijnoever.example",
    ] {
        let res = c.login(email, "verkeerd wachtwoord").await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{email}");
    }
    let seventh = c.login(BESTUURDER, PASSWORD).await;
    assert_eq!(seventh.status, StatusCode::SEE_OTHER, "{}", seventh.body);
}

/// A login through the router from `peer`, with `X-Forwarded-For: forwarded` when given.
async fn login_from(
    c: &mut Client,
    peer: &str,
    forwarded: Option<&str>,
    email: &str,
    password: &str,
) -> StatusCode {
    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::http::{Request, header};
    use tower::ServiceExt;
    let token = c.csrf().await;
    let form = serde_urlencoded::to_string([
        ("_csrf", token.as_str()),
        ("email", email),
        ("password", password),
    ])
    .unwrap();
    let mut req = Request::post("/inloggen")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, format!("gg_csrf={token}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(forwarded) = forwarded {
        req = req.header("x-forwarded-for", forwarded);
    }
    let mut req = req.body(Body::from(form)).unwrap();
    let peer: std::net::SocketAddr = peer.parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(peer));
    c.router.clone().oneshot(req).await.unwrap().status()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn forwarded_for_names_the_client_only_behind_a_trusted_proxy(pool: PgPool) {
    let mut config = Config::for_tests("postgres://unused");
    config.max_failures_per_ip = 3;
    config.trusted_proxies = TrustedProxies::parse("10.0.0.1, 10.9.0.0/16").unwrap();
    let mut c = app_with(pool, config).await;
    let wrong = |i: usize| format!("bestaat-niet-{i}@rijnoever.example");

    // An untrusted peer cannot escape its own limit by naming someone else each time.
    let outsider = "192.0.2.10:40000";
    for i in 0..3 {
        let xff = format!("203.0.113.{i}");
        let status = login_from(&mut c, outsider, Some(&xff), &wrong(i), "gok").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let status = login_from(
        &mut c,
        outsider,
        Some("203.0.113.200"),
        BESTUURDER,
        PASSWORD,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "X-Forwarded-For believed"
    );

    // Behind the proxy: the client it names is counted, not the proxy.
    let proxy = "10.0.0.1:443";
    for i in 0..3 {
        // A forged entry on the left and an inner proxy on the right are passed over.
        let xff = format!("198.51.100.{i}, 203.0.113.7, 10.9.0.3");
        let status = login_from(&mut c, proxy, Some(&xff), &wrong(10 + i), "gok").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let status = login_from(&mut c, proxy, Some("203.0.113.7"), SECRETARIS, PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the guessing client");
    let status = login_from(&mut c, proxy, Some("203.0.113.8"), CONTROLLER, PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a colleague behind the same proxy"
    );
    let ip: String = sqlx::query_scalar("SELECT ip FROM session WHERE person_id = $1")
        .bind(c.person_id(CONTROLLER).await)
        .fetch_one(c.store.pool())
        .await
        .unwrap();
    assert_eq!(
        ip, "203.0.113.8",
        "the session records the client, not the proxy"
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn unknown_and_disabled_accounts_get_the_same_answer(pool: PgPool) {
    let mut c = app(pool).await;
    let unknown = c.login("niemand@rijnoever.example", PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let id = c.person_id(TOEHOORDER).await;
    let mut tx = c.store.begin().await.unwrap();
    store::people::set_disabled(&mut tx, &store::audit::Who::system("test"), id.into(), true)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    let disabled = c.login(TOEHOORDER, PASSWORD).await;
    assert_eq!(disabled.status, StatusCode::UNAUTHORIZED);
    assert!(
        disabled
            .body
            .contains("Het e-mailadres of het wachtwoord is onjuist.")
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn cookies_are_httponly_and_samesite_and_the_session_id_rotates(pool: PgPool) {
    let mut c = app(pool).await;
    c.cookies
        .insert("gg_session".into(), "planted-by-an-attacker".into());
    let page = c.get("/inloggen").await;
    let csrf = page
        .set_cookies()
        .into_iter()
        .find(|s| s.starts_with("gg_csrf="))
        .expect("csrf cookie");
    assert!(
        csrf.contains("HttpOnly") && csrf.contains("SameSite=Strict"),
        "{csrf}"
    );
    let before_csrf = c.cookies["gg_csrf"].clone();

    let res = c.login(BEHEERDER, PASSWORD).await;
    let session = res
        .set_cookies()
        .into_iter()
        .find(|s| s.starts_with("gg_session="))
        .expect("session cookie");
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && session.contains("Path=/"),
        "{session}"
    );
    assert!(
        !session.contains("Secure"),
        "no Secure flag over plain http in development"
    );
    assert_ne!(c.cookies["gg_session"], "planted-by-an-attacker");
    assert_ne!(
        c.cookies["gg_csrf"], before_csrf,
        "a new CSRF token after login"
    );
    assert_eq!(c.get("/beheer").await.status, StatusCode::OK);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn secure_cookies_over_tls(pool: PgPool) {
    let mut config = Config::for_tests("postgres://unused");
    config.secure_cookies = true;
    let mut c = app_with(pool, config).await;
    let res = c.login(BEHEERDER, PASSWORD).await;
    assert!(res.set_cookies().iter().all(|s| s.contains("; Secure")));
    assert!(res.headers.contains_key("strict-transport-security"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn after_login_only_local_paths_are_followed(pool: PgPool) {
    let mut c = app(pool).await;
    let anon = c.get("/beheer/personen?x=1").await;
    assert_eq!(
        anon.location(),
        "/inloggen?volgende=%2Fbeheer%2Fpersonen%3Fx%3D1"
    );
    let login_page = c.get(anon.location()).await;
    assert_eq!(
        login_page.field("volgende").as_deref(),
        Some("/beheer/personen?x=1")
    );
    let res = c
        .post(
            "/inloggen",
            &[
                ("email", BEHEERDER),
                ("password", PASSWORD),
                ("volgende", "/beheer/personen?x=1"),
            ],
        )
        .await;
    assert_eq!(res.location(), "/beheer/personen?x=1");

    let mut c2 = Client {
        cookies: Default::default(),
        ..c
    };
    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        c2.cookies.clear();
        let res = c2
            .post(
                "/inloggen",
                &[
                    ("email", BEHEERDER),
                    ("password", PASSWORD),
                    ("volgende", evil),
                ],
            )
            .await;
        assert_eq!(res.location(), "/", "{evil}");
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_foreign_origin_is_refused(pool: PgPool) {
    let mut c = app(pool).await;
    let token = c.csrf().await;
    let body = format!("_csrf={token}&email=a&password=b");
    let req = axum::http::Request::post("/inloggen")
        .header("host", "127.0.0.1:8080")
        .header("origin", "https://evil.example")
        .header("cookie", format!("gg_csrf={token}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body))
        .unwrap();
    let res = tower::ServiceExt::oneshot(c.router.clone(), req)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn idle_and_old_sessions_end(pool: PgPool) {
    let mut c = app(pool.clone()).await;
    c.login(BESTUURDER, PASSWORD).await;
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    sqlx::query("UPDATE session SET last_seen_at = now() - interval '31 minutes'")
        .execute(&pool)
        .await
        .unwrap();
    let res = c.get("/").await;
    assert_eq!(res.location(), "/inloggen", "idle for 31 minutes");
    assert!(
        !c.cookies.contains_key("gg_session"),
        "the dead cookie is cleared"
    );

    c.login(BESTUURDER, PASSWORD).await;
    sqlx::query("UPDATE session SET created_at = now() - interval '12 hours 1 minute', last_seen_at = now()").execute(&pool).await.unwrap();
    assert_eq!(
        c.get("/").await.location(),
        "/inloggen",
        "older than 12 hours"
    );
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM session")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn logout_ends_the_session(pool: PgPool) {
    let mut c = app(pool).await;
    c.login(CONTROLLER, PASSWORD).await;
    let token = c.cookies["gg_session"].clone();
    let res = c.post("/uitloggen", &[]).await;
    assert_eq!(res.location(), "/inloggen?reden=uitgelogd");
    assert!(
        c.get("/inloggen?reden=uitgelogd")
            .await
            .body
            .contains("U bent uitgelogd")
    );
    c.cookies.insert("gg_session".into(), token);
    assert_eq!(
        c.get("/").await.location(),
        "/inloggen",
        "the old cookie no longer works"
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn changing_the_password_ends_other_sessions(pool: PgPool) {
    let mut phone = app(pool.clone()).await;
    phone.login(VAKGROEP, PASSWORD).await;
    let mut laptop = app(pool).await;
    laptop.login(VAKGROEP, PASSWORD).await;

    let bad = laptop
        .post(
            "/account/wachtwoord",
            &[("current", "fout"), ("password", "x"), ("confirm", "x")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Uw huidige wachtwoord is onjuist."));
    let weak = laptop
        .post(
            "/account/wachtwoord",
            &[
                ("current", PASSWORD),
                ("password", "welkom123456"),
                ("confirm", "welkom123456"),
            ],
        )
        .await;
    assert!(weak.body.contains("komt te vaak voor"), "{}", weak.body);
    let mismatch = laptop
        .post(
            "/account/wachtwoord",
            &[
                ("current", PASSWORD),
                ("password", "blauwe reiger vangt vis"),
                ("confirm", "blauwe reiger vangt vis!"),
            ],
        )
        .await;
    assert!(mismatch.body.contains("niet gelijk"));

    let ok = laptop
        .post(
            "/account/wachtwoord",
            &[
                ("current", PASSWORD),
                ("password", "blauwe reiger vangt vis"),
                ("confirm", "blauwe reiger vangt vis"),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/?ok=wachtwoord");
    assert_eq!(
        laptop.get("/").await.status,
        StatusCode::OK,
        "this browser stays signed in"
    );
    assert_eq!(
        phone.get("/").await.location(),
        "/inloggen",
        "the other session ended"
    );
    phone.cookies.clear();
    assert_eq!(
        phone.login(VAKGROEP, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        phone
            .login(VAKGROEP, "blauwe reiger vangt vis")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn demo_accounts_are_refused_in_production(pool: PgPool) {
    let mut config = Config::for_tests("postgres://unused");
    config.env = Env::Production;
    let mut c = app_with(pool, config).await;
    let res = c.login(BEHEERDER, PASSWORD).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.body.contains("Demo-accounts zijn uitgeschakeld"));
    assert!(!c.cookies.contains_key("gg_session"));
}
