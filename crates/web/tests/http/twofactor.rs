//! Two-factor sign-in through HTTP (docs/two-factor.md): enrolment, the code step, recovery
//! codes, throttling, the role requirement, the beheerder's reset, and a half signed-in session
//! that opens nothing.

use crate::support::*;
use axum::http::{Method, StatusCode};
use domain::account::twofactor::{STEP_SECONDS, TotpSecret, code_at};
use store::PgPool;
use time::{Duration, OffsetDateTime};

/// The secret as the scan page shows it, as an app would read it.
fn shown_secret(page: &str) -> TotpSecret {
    let start = page.find("data-secret-key>").expect("the key as text") + "data-secret-key>".len();
    let end = start + page[start..].find('<').unwrap();
    TotpSecret::from_base32(&page[start..end]).expect("20 bytes of base32")
}

fn recovery_codes(page: &str) -> Vec<String> {
    page.split("<li><code>")
        .skip(1)
        .map(|rest| rest[..rest.find('<').unwrap()].to_string())
        .collect()
}

/// A code the app shows `steps` steps from now.
fn code(secret: &TotpSecret, steps: i64) -> String {
    code_at(
        secret,
        OffsetDateTime::now_utc() + Duration::seconds(steps * STEP_SECONDS as i64),
    )
}

/// A six-digit code that is not any of the window's valid ones.
fn wrong_code(secret: &TotpSecret) -> String {
    let valid: Vec<String> = (-1..=1).map(|s| code(secret, s)).collect();
    (0..1000)
        .map(|n| format!("{:06}", 123_457 + n))
        .find(|c| !valid.contains(c))
        .unwrap()
}

/// Enrols the signed-in person (who typed `PASSWORD`): the secret and the recovery codes.
async fn enrol(c: &mut Client) -> (TotpSecret, Vec<String>) {
    let scan = c
        .post(
            "/account/tweestapsverificatie/starten",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(scan.status, StatusCode::OK, "{}", scan.body);
    assert!(scan.body.contains("<svg"), "the QR code is on the page");
    let secret = shown_secret(&scan.body);
    let done = c
        .post(
            "/account/tweestapsverificatie/bevestigen",
            &[("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let codes = recovery_codes(&done.body);
    assert_eq!(codes.len(), 10, "{}", done.body);
    (secret, codes)
}

async fn sign_out(c: &mut Client) {
    let res = c.post("/uitloggen", &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(!c.cookies.contains_key("gg_session"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn enrol_then_sign_in_with_a_code_that_works_once(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(BESTUURDER).await;
    let page = c.get("/account/tweestapsverificatie").await;
    assert!(
        page.body.contains(r#"data-two-factor="uit""#),
        "{}",
        page.body
    );

    // The password again first; the wrong one keeps the page with the message at the field.
    let refused = c
        .post(
            "/account/tweestapsverificatie/starten",
            &[("password", "niet mijn wachtwoord")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Uw wachtwoord is onjuist."));

    // A wrong code at confirmation shows the same QR code again, with the message.
    let scan = c
        .post(
            "/account/tweestapsverificatie/starten",
            &[("password", PASSWORD)],
        )
        .await;
    let secret = shown_secret(&scan.body);
    let wrong = c
        .post(
            "/account/tweestapsverificatie/bevestigen",
            &[("code", &wrong_code(&secret))],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("Deze code klopt niet"),
        "{}",
        wrong.body
    );
    assert_eq!(shown_secret(&wrong.body), secret);
    let done = c
        .post(
            "/account/tweestapsverificatie/bevestigen",
            &[("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(recovery_codes(&done.body).len(), 10);
    let page = c.get("/account/tweestapsverificatie").await;
    assert!(page.body.contains(r#"data-two-factor="aan""#));
    assert!(page.body.contains(r#"data-recovery-left="10""#));

    sign_out(&mut c).await;
    let after_password = c.login(BESTUURDER, PASSWORD).await;
    assert_eq!(after_password.status, StatusCode::SEE_OTHER);
    assert_eq!(after_password.location(), "/inloggen/code");
    let half_session = c.cookies["gg_session"].clone();
    // Nothing opens between the password and the code.
    for path in ["/", "/afspraken", "/vergaderingen", "/account/wachtwoord"] {
        let res = c.get(path).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(res.location(), "/inloggen/code", "{path}");
    }
    // The code used to confirm enrolment is spent.
    let replay = c
        .post("/inloggen/code", &[("code", &code(&secret, 0))])
        .await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert!(
        replay.body.contains("Deze code is al gebruikt"),
        "{}",
        replay.body
    );
    let next = code(&secret, 1);
    let signed_in = c.post("/inloggen/code", &[("code", &next)]).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location(), "/");
    assert_ne!(c.cookies["gg_session"], half_session, "a new session id");
    assert_eq!(c.get("/").await.status, StatusCode::OK);

    // The same code a second time, on another sign-in, is refused.
    sign_out(&mut c).await;
    c.login(BESTUURDER, PASSWORD).await;
    let again = c.post("/inloggen/code", &[("code", &next)]).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);

    let audit: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE object_type = 'person' AND action LIKE 'two_factor%'",
    )
    .fetch_all(c.store.pool())
    .await
    .unwrap();
    assert_eq!(audit, vec!["two_factor_enabled"]);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_recovery_code_signs_in_once(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let (_, codes) = enrol(&mut c).await;
    sign_out(&mut c).await;
    c.login(SECRETARIS, PASSWORD).await;
    // As someone reads it off paper: upper case, no dashes.
    let typed = codes[3].replace('-', "").to_uppercase();
    let res = c.post("/inloggen/code", &[("code", &typed)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        res.location(),
        "/account/tweestapsverificatie?ok=herstelcode"
    );
    let page = c.get(res.location()).await;
    assert!(page.body.contains("herstelcode"), "{}", page.body);
    assert!(page.body.contains(r#"data-recovery-left="9""#));

    sign_out(&mut c).await;
    c.login(SECRETARIS, PASSWORD).await;
    let reused = c.post("/inloggen/code", &[("code", &codes[3])]).await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
    assert!(reused.body.contains("klopt niet of is al gebruikt"));
    let other = c.post("/inloggen/code", &[("code", &codes[4])]).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn wrong_codes_are_throttled_like_passwords(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(BESTUURDER).await;
    let (secret, _) = enrol(&mut c).await;
    sign_out(&mut c).await;
    c.login(BESTUURDER, PASSWORD).await;
    // Not a code at all: told so, and not counted.
    for junk in ["", "12 34", "\0\0\0\0\0\0", &"x".repeat(100_000)] {
        let res = c.post("/inloggen/code", &[("code", junk)]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{junk:.10?}");
        assert!(res.body.contains("Vul de zes cijfers in"));
    }
    // Invalid UTF-8 in the form is refused before any handler, not a server error.
    let token = c.csrf().await;
    let raw = c
        .request_raw(
            Method::POST,
            "/inloggen/code",
            &format!("_csrf={token}&code=%FF%FE%00"),
        )
        .await;
    assert!(raw.status.is_client_error(), "{}", raw.status);
    let wrong = wrong_code(&secret);
    for _ in 0..5 {
        let res = c.post("/inloggen/code", &[("code", &wrong)]).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    let locked = c
        .post("/inloggen/code", &[("code", &code(&secret, 1))])
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body.contains("Te veel mislukte inlogpogingen"));
    // The password again does not clear the count: it was never a full sign-in.
    sign_out(&mut c).await;
    assert_eq!(
        c.login(BESTUURDER, PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_role_that_requires_it_enrols_before_anything_else(pool: PgPool) {
    let mut admin = app(pool.clone()).await;
    admin.sign_in_as(BEHEERDER).await;
    let page = admin.get("/beheer/tweestapsverificatie").await;
    assert_eq!(page.status, StatusCode::OK);
    let saved = admin
        .post("/beheer/tweestapsverificatie", &[("role", "controller")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let forged = admin
        .post("/beheer/tweestapsverificatie", &[("role", "superuser")])
        .await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        store::twofactor::required(&admin.store).await.unwrap(),
        vec![domain::people::Role::Controller],
        "the forged form changed nothing"
    );

    let mut c = app(pool).await;
    let res = c.login(CONTROLLER, PASSWORD).await;
    assert_eq!(res.location(), "/account/tweestapsverificatie");
    for path in ["/begroting", "/", "/inloggen/code"] {
        let res = c.get(path).await;
        assert_eq!(res.location(), "/account/tweestapsverificatie", "{path}");
    }
    // Right after the password, no second password to type.
    let scan = c.post("/account/tweestapsverificatie/starten", &[]).await;
    assert_eq!(scan.status, StatusCode::OK, "{}", scan.body);
    let secret = shown_secret(&scan.body);
    let half = c.cookies["gg_session"].clone();
    let done = c
        .post(
            "/account/tweestapsverificatie/bevestigen",
            &[("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(recovery_codes(&done.body).len(), 10);
    assert_ne!(
        c.cookies["gg_session"], half,
        "signed in on a new session id"
    );
    assert_eq!(c.get("/begroting").await.status, StatusCode::OK);

    // A bestuurder (not required) signs in with the password alone.
    let mut b = app(admin.store.pool().clone()).await;
    assert_eq!(b.login(BESTUURDER, PASSWORD).await.location(), "/");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_beheerder_resets_a_lost_second_factor(pool: PgPool) {
    let mut c = app(pool.clone()).await;
    c.sign_in_as(BESTUURDER).await;
    enrol(&mut c).await;
    let bestuurder = c.person_id(BESTUURDER).await.to_string();

    let mut other = app(pool.clone()).await;
    other.sign_in_as(SECRETARIS).await;
    let refused = other
        .post(
            &format!("/beheer/tweestapsverificatie/{bestuurder}/herstellen"),
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut admin = app(pool).await;
    admin.sign_in_as(BEHEERDER).await;
    let list = admin.get("/beheer/tweestapsverificatie").await;
    assert!(list.body.contains(&format!(
        "/beheer/tweestapsverificatie/{bestuurder}/herstellen"
    )));
    let me = admin.person_id(BEHEERDER).await;
    let own = admin
        .post(
            &format!("/beheer/tweestapsverificatie/{me}/herstellen"),
            &[],
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = admin
        .post("/beheer/tweestapsverificatie/999999/herstellen", &[])
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let reset = admin
        .post(
            &format!("/beheer/tweestapsverificatie/{bestuurder}/herstellen"),
            &[],
        )
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    // The person's sessions ended; the password alone signs in again (not required).
    assert_eq!(c.get("/").await.location(), "/inloggen");
    assert_eq!(c.login(BESTUURDER, PASSWORD).await.location(), "/");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'two_factor_reset' AND object_id = $1 AND actor_label LIKE '%' || $2 || '%'",
    )
    .bind(&bestuurder)
    .bind(BEHEERDER)
    .fetch_one(admin.store.pool())
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_half_signed_in_session_opens_no_route_but_its_step(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(VAKGROEP).await;
    enrol(&mut c).await;
    sign_out(&mut c).await;
    c.login(VAKGROEP, PASSWORD).await;
    for route in gg_web::routes::all() {
        // Logging out and in again (below) rotates the token.
        let token = c.csrf().await;
        let path: Vec<&str> = route
            .path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "1"
                } else {
                    segment
                }
            })
            .collect();
        let path = path.join("/");
        let res = match route.method {
            Method::GET => c.get(&path).await,
            _ => {
                c.request(Method::POST, &path, Some(&[("_csrf", token.as_str())][..]))
                    .await
            }
        };
        match route.access {
            gg_web::shared::routes::Access::Needs(_) => {
                assert_eq!(res.status, StatusCode::SEE_OTHER, "{} {path}", route.method);
                assert_eq!(res.location(), "/inloggen/code", "{} {path}", route.method);
            }
            gg_web::shared::routes::Access::Step(step) if step.path() != "/inloggen/code" => {
                assert_eq!(res.location(), "/inloggen/code", "{} {path}", route.method);
            }
            _ => {}
        }
        if !c.cookies.contains_key("gg_session") {
            // Logout ended it: start the half session again.
            c.login(VAKGROEP, PASSWORD).await;
        }
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_code_must_follow_the_password_within_five_minutes(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(BESTUURDER).await;
    let (secret, _) = enrol(&mut c).await;
    sign_out(&mut c).await;
    c.login(BESTUURDER, PASSWORD).await;
    sqlx::query("UPDATE session SET created_at = now() - interval '6 minutes' WHERE pending_step IS NOT NULL")
        .execute(c.store.pool())
        .await
        .unwrap();
    let late = c
        .post("/inloggen/code", &[("code", &code(&secret, 1))])
        .await;
    assert_eq!(late.status, StatusCode::SEE_OTHER);
    assert_eq!(late.location(), "/inloggen");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM session")
        .fetch_one(c.store.pool())
        .await
        .unwrap();
    assert_eq!(left, 0, "the expired half session is gone");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn new_recovery_codes_replace_the_old_ones(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(TOEHOORDER).await;
    let (secret, old) = enrol(&mut c).await;
    let wrong = c
        .post(
            "/account/tweestapsverificatie/herstelcodes",
            &[("code", &wrong_code(&secret))],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = c
        .post(
            "/account/tweestapsverificatie/herstelcodes",
            &[("code", &code(&secret, 1))],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let new = recovery_codes(&res.body);
    assert_eq!(new.len(), 10);
    assert!(new.iter().all(|n| !old.contains(n)));
    sign_out(&mut c).await;
    c.login(TOEHOORDER, PASSWORD).await;
    let stale = c.post("/inloggen/code", &[("code", &old[0])]).await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    let fresh = c.post("/inloggen/code", &[("code", &new[0])]).await;
    assert_eq!(fresh.status, StatusCode::SEE_OTHER);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_requirement_ends_the_sessions_of_people_who_must_now_enrol(pool: PgPool) {
    let mut controller = app(pool.clone()).await;
    controller.sign_in_as(CONTROLLER).await;
    assert_eq!(controller.get("/begroting").await.status, StatusCode::OK);
    let mut admin = app(pool).await;
    admin.sign_in_as(BEHEERDER).await;
    admin
        .post("/beheer/tweestapsverificatie", &[("role", "controller")])
        .await;
    // The open session does not run on: sign in again, then enrol.
    assert_eq!(
        controller.get("/begroting").await.location(),
        "/inloggen?volgende=%2Fbegroting"
    );
    let res = controller.login(CONTROLLER, PASSWORD).await;
    assert_eq!(res.location(), "/account/tweestapsverificatie");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn guesses_sent_at_once_get_no_more_tries_than_one_by_one(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(BESTUURDER).await;
    let (secret, _) = enrol(&mut c).await;
    sign_out(&mut c).await;
    c.login(BESTUURDER, PASSWORD).await;
    let token = c.csrf().await;
    let wrong = wrong_code(&secret);
    let mut guesses = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let mut burst = Client {
            router: c.router.clone(),
            store: c.store.clone(),
            cookies: c.cookies.clone(),
            ip: c.ip,
        };
        let (token, wrong) = (token.clone(), wrong.clone());
        guesses.spawn(async move {
            burst
                .request(
                    Method::POST,
                    "/inloggen/code",
                    Some(&[("_csrf", token.as_str()), ("code", wrong.as_str())][..]),
                )
                .await
                .status
        });
    }
    let answers = guesses.join_all().await;
    let checked = answers
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    // Guesses racing each other may each count the others and all stand back, so fewer than
    // five may be checked; never more than the five a one-by-one guesser gets.
    assert!((1..=5).contains(&checked), "{answers:?}");
    assert_eq!(
        answers
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        20 - checked,
        "{answers:?}"
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn making_new_recovery_codes_is_throttled_like_a_sign_in(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let (secret, _) = enrol(&mut c).await;
    let wrong = wrong_code(&secret);
    for _ in 0..5 {
        let res = c
            .post(
                "/account/tweestapsverificatie/herstelcodes",
                &[("code", &wrong)],
            )
            .await;
        assert!(res.body.contains("Deze code klopt niet"));
    }
    let res = c
        .post(
            "/account/tweestapsverificatie/herstelcodes",
            &[("code", &code(&secret, 1))],
        )
        .await;
    assert!(res.body.contains("Te veel mislukte"), "{}", res.body);
    assert!(recovery_codes(&res.body).is_empty());
    // The password asked again before a new phone is throttled too (the same account).
    let res = c
        .post(
            "/account/tweestapsverificatie/starten",
            &[("password", PASSWORD)],
        )
        .await;
    assert!(res.body.contains("Te veel mislukte"), "{}", res.body);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_forced_enrolment_cannot_replace_a_factor_set_up_meanwhile(pool: PgPool) {
    let mut admin = app(pool.clone()).await;
    admin.sign_in_as(BEHEERDER).await;
    admin
        .post("/beheer/tweestapsverificatie", &[("role", "controller")])
        .await;
    // Browser A passes the password and is sent to enrolment, and leaves it there.
    let mut a = app(pool.clone()).await;
    a.login(CONTROLLER, PASSWORD).await;
    let scan_a = a.post("/account/tweestapsverificatie/starten", &[]).await;
    let secret_a = shown_secret(&scan_a.body);
    // Browser B does the same and finishes.
    let mut b = app(pool).await;
    b.login(CONTROLLER, PASSWORD).await;
    let scan_b = b.post("/account/tweestapsverificatie/starten", &[]).await;
    let secret_b = shown_secret(&scan_b.body);
    let done = b
        .post(
            "/account/tweestapsverificatie/bevestigen",
            &[("code", &code(&secret_b, 0))],
        )
        .await;
    assert_eq!(recovery_codes(&done.body).len(), 10);
    // A's half session now ends instead of replacing B's phone.
    let late = a
        .post(
            "/account/tweestapsverificatie/bevestigen",
            &[("code", &code(&secret_a, 0))],
        )
        .await;
    assert_eq!(late.location(), "/inloggen");
    // B's secret still signs in.
    sign_out(&mut b).await;
    b.login(CONTROLLER, PASSWORD).await;
    let res = b
        .post("/inloggen/code", &[("code", &code(&secret_b, 1))])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}
