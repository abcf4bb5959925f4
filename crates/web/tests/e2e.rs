//! End-to-end tests: the real `gelijkgericht` binary on a free port, driven by a headless
//! Chromium through chromedriver (and by plain HTTP where a browser adds nothing).
//!
//! Needs `DATABASE_URL` (a role that may create databases; every test gets its own database and
//! its own app process) for the browser tests, chromedriver and Chromium (`GG_CHROMEDRIVER`,
//! `GG_CHROMIUM`, default `/usr/bin/...`), and PostgreSQL server binaries for the embedded test.
//! `scripts/test.sh` provides all of them.

mod e2e_support;

use e2e_support::{
    Answer, App, Browser, DataDir, Http, fresh_database, gelijkgericht, head, output_text, pg_ctl,
    wait_exit,
};
use reqwest::StatusCode;
use serde_json::json;
use std::process::Stdio;
use std::time::{Duration, Instant};

const BESTUURDER: &str = "m.vandenberg@rijnoever.example";
const SECRETARIS: &str = "s.bakker@rijnoever.example";
const VAKGROEP: &str = "l.visser@rijnoever.example";
const CONTROLLER: &str = "r.hendriks@rijnoever.example";
const BEHEERDER: &str = "p.smit@rijnoever.example";
const TOEHOORDER: &str = "h.vos@rijnoever.example";

const BOARD_NAV: &[&str] = &[
    "Dashboard",
    "Vergaderingen",
    "Afspraken",
    "Zelfevaluatie",
    "Begroting",
];

/// The name of a demo person, from the demo data itself.
fn demo_name(email: &str) -> &'static str {
    demo::PEOPLE
        .iter()
        .find(|p| p.0 == email)
        .map(|p| p.1)
        .unwrap_or_else(|| panic!("{email} is not a demo person"))
}

/// A fresh database, the app on it, and a browser, the latter two started side by side.
async fn app_and_browser() -> (App, Browser) {
    let database = fresh_database().await;
    tokio::join!(App::start(&database), Browser::start())
}

#[tokio::test]
async fn every_demo_role_logs_in_and_sees_its_navigation() {
    let (app, browser) = app_and_browser().await;
    let cases: &[(&str, &[&str])] = &[
        (BESTUURDER, BOARD_NAV),
        (SECRETARIS, BOARD_NAV),
        (VAKGROEP, &["Dashboard", "Begroting"]),
        (CONTROLLER, &["Dashboard", "Afspraken", "Begroting"]),
        (BEHEERDER, &["Dashboard", "Beheer"]),
        (TOEHOORDER, &["Dashboard", "Vergaderingen"]),
    ];
    for (email, nav) in cases {
        browser.login(&app, email).await;
        browser.assert_path("/").await;
        let shown = browser.texts("nav.main-nav a").await;
        assert_eq!(
            shown,
            *nav,
            "the navigation of {email}{}",
            browser.describe().await
        );
        let name = browser.text("header .who-name").await;
        assert_eq!(
            name,
            demo_name(email),
            "the header's name for {email}{}",
            browser.describe().await
        );

        browser.logout().await;
        browser.assert_path("/inloggen?reden=uitgelogd").await;
        browser.assert_text("U bent uitgelogd").await;
        // The session is gone: the dashboard sends the browser back to the login page.
        browser.goto(&app.url("/")).await;
        browser.assert_path("/inloggen").await;
    }
}

#[tokio::test]
async fn a_denied_page_says_so_in_dutch() {
    let (app, browser) = app_and_browser().await;

    // Anonymous: to the login page, remembering where to go.
    let anonymous = Http::new(&app.base).get("/beheer/personen").await;
    assert!(
        anonymous.status.is_redirection(),
        "anonymous GET /beheer/personen: {anonymous:?}"
    );
    assert_eq!(
        anonymous.location.as_deref(),
        Some("/inloggen?volgende=%2Fbeheer%2Fpersonen")
    );

    // ... and after logging in there, the browser is where it wanted to be.
    browser.goto(&app.url("/beheer/personen")).await;
    browser
        .assert_path("/inloggen?volgende=%2Fbeheer%2Fpersonen")
        .await;
    browser
        .submit_login(BEHEERDER, e2e_support::DEMO_PASSWORD)
        .await;
    browser.assert_path("/beheer/personen").await;
    let heading = browser.text("main h1").await;
    assert_eq!(
        heading,
        "Personen",
        "the page after logging in{}",
        browser.describe().await
    );
    browser.logout().await;

    // A bestuurder may not administer: 403, in Dutch.
    let http = Http::new(&app.base);
    http.login(BESTUURDER, e2e_support::DEMO_PASSWORD).await;
    let denied = http.get("/beheer/personen").await;
    assert_eq!(
        denied.status,
        StatusCode::FORBIDDEN,
        "GET /beheer/personen as bestuurder: {}",
        head(&denied.body, 1500)
    );
    assert!(
        denied.body.contains("Geen toegang"),
        "the 403 page: {}",
        head(&denied.body, 1500)
    );

    browser.login(&app, BESTUURDER).await;
    browser.goto(&app.url("/beheer/personen")).await;
    browser.assert_text("Geen toegang").await;
    let title = browser.script("return document.title;", vec![]).await;
    assert!(
        title
            .as_str()
            .is_some_and(|t| t.starts_with("Geen toegang")),
        "page title {title}{}",
        browser.describe().await
    );
}

#[tokio::test]
async fn the_admin_creates_a_person_who_sets_a_password_and_logs_in() {
    const NAME: &str = "Anna Jansen";
    const EMAIL: &str = "a.jansen@rijnoever.example";
    const PASSWORD: &str = "paarse olifant fietst 42";

    let (app, browser) = app_and_browser().await;
    browser.login(&app, BEHEERDER).await;
    browser.goto(&app.url("/beheer/personen/nieuw")).await;
    let submit = "form[action='/beheer/personen'] button[type=submit]";

    // An address the browser accepts (type=email) but the server does not: no dot in the domain.
    browser.type_into("#veld-name", NAME).await;
    browser.type_into("#veld-email", "a.jansen@rijnoever").await;
    browser.click_and_wait(submit).await;
    let error = browser.text("#fout-email").await;
    assert!(
        error.contains("geen geldig e-mailadres"),
        "the error at the e-mail field: {error:?}{}",
        browser.describe().await
    );
    let invalid = browser.find_all("#veld-email[aria-invalid='true']").await;
    assert_eq!(
        invalid.len(),
        1,
        "the e-mail field is marked invalid{}",
        browser.describe().await
    );
    assert_eq!(
        browser.value("#veld-name").await,
        NAME,
        "the typed name is kept{}",
        browser.describe().await
    );

    // Fix it, give a role and an MSB membership.
    browser.type_into("#veld-email", EMAIL).await;
    browser
        .click("input[name='role'][value='bestuurder']")
        .await;
    let msb = browser
        .script(
            "for (const box of document.querySelectorAll('input[name=body]')) {\
               const label = box.closest('label');\
               if (label && label.textContent.trim().split(/\\s+/)[0] === arguments[0]) return box.value;\
             }\
             return null;",
            vec![json!("MSB")],
        )
        .await;
    let Some(msb) = msb.as_str().map(str::to_string) else {
        panic!("no body checkbox labelled MSB{}", browser.describe().await);
    };
    browser
        .click(&format!("input[name='body'][value='{msb}']"))
        .await;
    browser
        .click(&format!(
            "select[name='position_{msb}'] option[value='lid']"
        ))
        .await;
    browser
        .click(&format!(
            "select[name='form_{msb}'] option[value='vrijgevestigd']"
        ))
        .await;
    assert_eq!(
        browser
            .value(&format!("select[name='position_{msb}']"))
            .await,
        "lid"
    );
    assert_eq!(
        browser.value(&format!("select[name='form_{msb}']")).await,
        "vrijgevestigd"
    );
    browser.click_and_wait(submit).await;

    browser.assert_text("Account aangemaakt").await;
    let link = browser.value("input#link").await;
    assert!(
        link.starts_with(&app.url("/wachtwoord-instellen/")),
        "the set-password link {link:?}{}",
        browser.describe().await
    );

    // The new person, in the same browser after the administrator logged out.
    browser.logout().await;
    browser.goto(&link).await;
    browser.assert_text(&format!("Welkom, {NAME}")).await;
    let set = "form[action^='/wachtwoord-instellen/'] button[type=submit]";
    browser.type_into("#veld-password", "te kort").await;
    browser.type_into("#veld-confirm", "te kort").await;
    browser.click_and_wait(set).await;
    let error = browser.text("#fout-password").await;
    assert!(
        error.contains("minstens 12 tekens"),
        "the error at the password field: {error:?}{}",
        browser.describe().await
    );

    browser.type_into("#veld-password", PASSWORD).await;
    browser.type_into("#veld-confirm", PASSWORD).await;
    browser.click_and_wait(set).await;
    browser.assert_path("/inloggen?reden=wachtwoord").await;
    browser.assert_text("Uw wachtwoord is ingesteld").await;

    browser.submit_login(EMAIL, PASSWORD).await;
    browser.assert_path("/").await;
    let title = browser.script("return document.title;", vec![]).await;
    assert!(
        title.as_str().is_some_and(|t| t.starts_with("Dashboard")),
        "page title {title}{}",
        browser.describe().await
    );
    assert_eq!(
        browser.texts("nav.main-nav a").await,
        BOARD_NAV,
        "the new bestuurder's navigation{}",
        browser.describe().await
    );
    assert_eq!(browser.text("header .who-name").await, NAME);

    // A link works once.
    browser.goto(&link).await;
    browser.assert_text("Deze link is al gebruikt").await;
}

#[tokio::test]
async fn the_embedded_database_can_go_away_and_come_back() {
    let data = DataDir::new();
    let mut app = App::start_embedded(data.path()).await;

    let http = Http::new(&app.base);
    http.login(BEHEERDER, e2e_support::DEMO_PASSWORD).await;
    let page = http.get("/beheer/personen").await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "GET /beheer/personen: {}",
        head(&page.body, 1500)
    );

    // A second server on the same data directory refuses to start, quickly.
    let mut second = gelijkgericht()
        .env("GG_DATA_DIR", data.path())
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{}", e2e_support::free_port()),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting a second gelijkgericht serve");
    if wait_exit(&mut second, Duration::from_secs(20)).is_none() {
        let _ = second.kill();
        let output = second
            .wait_with_output()
            .expect("output of the second server");
        panic!(
            "a second gelijkgericht serve on the same data directory kept running: {}",
            output_text(&output)
        );
    }
    let output = second
        .wait_with_output()
        .expect("output of the second server");
    let text = output_text(&output);
    assert!(
        !output.status.success(),
        "the second server exited successfully: {text}"
    );
    assert!(
        text.contains("already uses data directory"),
        "the second server's message: {text}"
    );

    // The cluster goes away under the running app.
    let pg = data.pg();
    let stopped = pg_ctl(&[
        "-D".as_ref(),
        pg.as_os_str(),
        "-m".as_ref(),
        "fast".as_ref(),
        "stop".as_ref(),
    ]);
    assert!(
        stopped.status.success(),
        "pg_ctl stop: {}",
        output_text(&stopped)
    );

    let status_is = |status: StatusCode| move |a: &Answer| a.status == status;
    if let Err(last) = http
        .poll_get(
            "/ready",
            Duration::from_secs(10),
            status_is(StatusCode::SERVICE_UNAVAILABLE),
        )
        .await
    {
        panic!(
            "/ready kept answering {} without a database; app output:\n{}",
            last.status,
            app.output()
        );
    }
    let unavailable = http
        .poll_get("/beheer/personen", Duration::from_secs(10), |a| {
            a.status == StatusCode::SERVICE_UNAVAILABLE
                && a.body.to_lowercase().contains("tijdelijk niet beschikbaar")
        })
        .await;
    if let Err(last) = unavailable {
        panic!(
            "without a database, GET /beheer/personen should answer 503 \"tijdelijk niet beschikbaar\"; \
             it answered {} (Location {:?}): {}\napp output:\n{}",
            last.status,
            last.location,
            head(&last.body, 1500),
            app.output()
        );
    }

    // ... and comes back: a plain `pg_ctl start` uses the same settings (gelijkgericht.conf,
    // included from postgresql.conf), so the socket is where the app looks for it.
    let log = data.path().join("postgres.log");
    let started = pg_ctl(&[
        "-D".as_ref(),
        pg.as_os_str(),
        "-l".as_ref(),
        log.as_os_str(),
        "-w".as_ref(),
        "-t".as_ref(),
        "60".as_ref(),
        "start".as_ref(),
    ]);
    assert!(
        started.status.success(),
        "pg_ctl start: {}",
        output_text(&started)
    );

    if let Err(last) = http
        .poll_get("/ready", Duration::from_secs(20), status_is(StatusCode::OK))
        .await
    {
        panic!(
            "/ready answered {} after the database came back; app output:\n{}",
            last.status,
            app.output()
        );
    }
    let back = http
        .poll_get(
            "/beheer/personen",
            Duration::from_secs(10),
            status_is(StatusCode::OK),
        )
        .await;
    match back {
        Ok(page) => assert!(
            page.body.contains("<h1>Personen</h1>"),
            "GET /beheer/personen after the database came back: {}",
            head(&page.body, 1500)
        ),
        Err(last) => panic!(
            "with the database back, the same session should see /beheer/personen again; it answered {} \
             (Location {:?}): {}\napp output:\n{}",
            last.status,
            last.location,
            head(&last.body, 1500),
            app.output()
        ),
    }

    // SIGTERM: the app ends within 15 s and stops its cluster.
    let begun = Instant::now();
    let status = app.terminate(Duration::from_secs(15));
    let Some(status) = status else {
        panic!(
            "gelijkgericht did not exit within 15 s of SIGTERM; its output:\n{}",
            app.output()
        );
    };
    assert!(
        status.success(),
        "gelijkgericht exited with {status} after SIGTERM; its output:\n{}",
        app.output()
    );
    eprintln!("the app stopped {:?} after SIGTERM", begun.elapsed());
    assert!(
        !data.postmaster_pid().exists(),
        "the cluster still runs after the app stopped ({} exists); app output:\n{}",
        data.postmaster_pid().display(),
        app.output()
    );

    // The audit trail, checked from the command line on the same data directory.
    let mut verify = gelijkgericht()
        .env("GG_DATA_DIR", data.path())
        .args(["audit", "verify"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting gelijkgericht audit verify");
    if wait_exit(&mut verify, Duration::from_secs(60)).is_none() {
        let _ = verify.kill();
    }
    let output = verify.wait_with_output().expect("output of audit verify");
    assert!(
        output.status.success(),
        "gelijkgericht audit verify: {}",
        output_text(&output)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("intact"),
        "gelijkgericht audit verify: {}",
        output_text(&output)
    );
    assert!(
        !data.postmaster_pid().exists(),
        "audit verify left the cluster running"
    );
}

/// A5: two board members follow the live meeting in their browsers while the secretary records
/// the decisions of both bodies; the pages change without a reload, and each shows only what
/// its reader may see.
#[tokio::test]
async fn two_members_follow_the_live_meeting() {
    use sqlx::Connection as _;
    const SECRETARY: &str = "e.mulder@rijnoever.example"; // MSB+ secretary
    const MSB_MEMBER: &str = "h.koster@rijnoever.example";
    const JOINT: &str = "Uitgangspunten capaciteitsbegroting 2027";
    const MSB_ONLY: &str = "Interne verdeling honorariumbudget";

    let database = fresh_database().await;
    let (app, rvb, msb) = tokio::join!(App::start(&database), Browser::start(), Browser::start());

    // Ids from the database the app runs on.
    let mut db = sqlx::PgConnection::connect(&database)
        .await
        .expect("connecting to the test database");
    let meeting: i64 = sqlx::query_scalar("SELECT id FROM meeting ORDER BY id LIMIT 1")
        .fetch_one(&mut db)
        .await
        .expect("the demo meeting");
    let item: i64 =
        sqlx::query_scalar("SELECT id FROM agenda_item WHERE meeting_id = $1 AND title = $2")
            .bind(meeting)
            .bind(JOINT)
            .fetch_one(&mut db)
            .await
            .expect("the joint item");
    let body = |code: &'static str| {
        sqlx::query_scalar::<_, i64>("SELECT id FROM body WHERE code = $1").bind(code)
    };
    let rvb_body = body("RvB")
        .fetch_one(&mut db)
        .await
        .expect("RvB")
        .to_string();
    let msb_body = body("MSB")
        .fetch_one(&mut db)
        .await
        .expect("MSB")
        .to_string();
    let _ = db.close().await;

    // The secretary opens the meeting over plain HTTP.
    let secretary = Http::new(&app.base);
    secretary.login(SECRETARY, e2e_support::DEMO_PASSWORD).await;
    let page = format!("/vergaderingen/{meeting}");
    let answer = secretary.get(&page).await;
    let csrf = e2e_support::hidden_field(&answer.body, "_csrf")
        .unwrap_or_else(|| panic!("no _csrf on the meeting page: {}", head(&answer.body, 1500)));
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let secretary = &secretary;
        let csrf = csrf.clone();
        async move { secretary.post_ok(&path, &csrf, &fields).await }
    };
    for to in ["gepubliceerd", "in_vergadering"] {
        post(format!("{page}/status"), vec![("naar", to.into())]).await;
    }

    // Both members open the meeting page; their pages start following it.
    let follow = "window.__marker = 1; window.__seen = null; window.__leak = false;\
         const hidden = arguments[0];\
         const look = () => {\
           const text = document.body.textContent;\
           if (window.__seen === null && text.includes('Uitkomst: verdeeld')) window.__seen = Date.now();\
           if (text.includes(hidden)) window.__leak = true;\
         };\
         new MutationObserver(look).observe(document.body, { childList: true, subtree: true, characterData: true });\
         look();\
         return true;";
    for (browser, email) in [(&rvb, BESTUURDER), (&msb, MSB_MEMBER)] {
        browser.login(&app, email).await;
        browser.goto(&app.url(&page)).await;
        browser.assert_text(JOINT).await;
        browser.script(follow, vec![json!(MSB_ONLY)]).await;
        // The stream's first event replaces the agenda: from then on the page follows.
        let connected = e2e_support::poll(Duration::from_secs(10), || async {
            let v = browser
                .script("const box = document.querySelector('[data-live-url]'); return !!box && box.dataset.replaced === '1';", vec![])
                .await;
            v.as_bool().unwrap_or(false).then_some(())
        })
        .await;
        if connected.is_none() {
            panic!(
                "{email}: the meeting page did not start following the meeting{}",
                browser.describe().await
            );
        }
    }
    assert!(
        !rvb.source().await.contains(MSB_ONLY),
        "the RvB member's page holds the MSB-only item"
    );

    // The secretary brings up the joint item: the timer runs on both pages.
    post(format!("{page}/huidig"), vec![("item", item.to_string())]).await;
    for browser in [&rvb, &msb] {
        let timer = e2e_support::poll(Duration::from_secs(10), || async {
            let v = browser
                .script("const t = document.querySelector('.current .timer'); return t ? t.textContent : null;", vec![])
                .await;
            v.as_str().filter(|t| t.starts_with("nog ") && t.ends_with(" min")).map(str::to_string)
        })
        .await;
        if timer.is_none() {
            panic!(
                "no running timer on the current item{}",
                browser.describe().await
            );
        }
    }

    // The RvB adopts, the MSB rejects: divided, on both pages, without a reload. Each body's
    // decision is recorded by its own secretary.
    let decide = format!("{page}/punten/{item}/besluit");
    let rvb_secretary = Http::new(&app.base);
    rvb_secretary
        .login("s.bakker@rijnoever.example", e2e_support::DEMO_PASSWORD)
        .await;
    let rvb_csrf = e2e_support::hidden_field(&rvb_secretary.get(&page).await.body, "_csrf")
        .expect("a _csrf field for the RvB secretary");
    rvb_secretary
        .post_ok(
            &decide,
            &rvb_csrf,
            &[
                ("body_id", rvb_body),
                ("outcome", "aangenomen".into()),
                ("text", "Akkoord met de uitgangspunten.".into()),
            ],
        )
        .await;
    let sent = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    let posted = Instant::now();
    post(
        decide,
        vec![
            ("body_id", msb_body),
            ("outcome", "verworpen".into()),
            ("text", "Eerst de verdeling bespreken.".into()),
        ],
    )
    .await;
    let post_took = posted.elapsed();
    for (browser, who) in [(&rvb, "RvB"), (&msb, "MSB")] {
        let seen = e2e_support::poll(Duration::from_secs(2), || async {
            browser
                .script("return window.__seen;", vec![])
                .await
                .as_i64()
        })
        .await;
        let Some(seen) = seen else {
            panic!(
                "the {who} member's page did not show the divided outcome within 2 s of the POST{}",
                browser.describe().await
            );
        };
        eprintln!(
            "live latency ({who} browser): {} ms from sending the POST to the page showing it (the POST itself took {} ms)",
            seen - sent,
            post_took.as_millis()
        );
        assert_eq!(
            browser.script("return window.__marker;", vec![]).await,
            json!(1),
            "the {who} page was reloaded"
        );
        browser.assert_text("Uitkomst: verdeeld").await;
    }
    assert_eq!(
        rvb.script("return window.__leak;", vec![]).await,
        json!(false),
        "the RvB member's page showed the MSB-only item at some moment"
    );
    assert!(!rvb.body_text().await.contains(MSB_ONLY));
    assert!(msb.body_text().await.contains(MSB_ONLY));
}

/// A5: an update that arrives while the secretary is typing waits until they leave the field;
/// what they typed and the sections they opened survive it, and the page is not reloaded.
#[tokio::test]
async fn the_secretary_keeps_typing_while_the_meeting_changes() {
    use sqlx::Connection as _;
    const SECRETARY: &str = "e.mulder@rijnoever.example";
    const JOINT: &str = "Uitgangspunten capaciteitsbegroting 2027";

    let database = fresh_database().await;
    let (app, browser) = tokio::join!(App::start(&database), Browser::start());
    let mut db = sqlx::PgConnection::connect(&database)
        .await
        .expect("connecting to the test database");
    let meeting: i64 = sqlx::query_scalar("SELECT id FROM meeting ORDER BY id LIMIT 1")
        .fetch_one(&mut db)
        .await
        .expect("the demo meeting");
    let item: i64 =
        sqlx::query_scalar("SELECT id FROM agenda_item WHERE meeting_id = $1 AND title = $2")
            .bind(meeting)
            .bind(JOINT)
            .fetch_one(&mut db)
            .await
            .expect("the joint item");
    // The MSB+ secretary records the MSB's decision (the RvB's is not hers to record).
    let msb: i64 = sqlx::query_scalar("SELECT id FROM body WHERE code = 'MSB'")
        .fetch_one(&mut db)
        .await
        .expect("MSB");
    let _ = db.close().await;

    // The same secretary, also over plain HTTP (another session), makes the changes.
    let http = Http::new(&app.base);
    http.login(SECRETARY, e2e_support::DEMO_PASSWORD).await;
    let page = format!("/vergaderingen/{meeting}");
    let csrf =
        e2e_support::hidden_field(&http.get(&page).await.body, "_csrf").expect("a _csrf field");
    for to in ["gepubliceerd", "in_vergadering"] {
        let answer = http
            .post_form(&format!("{page}/status"), &[("_csrf", &csrf), ("naar", to)])
            .await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "to {to}: {}",
            head(&answer.body, 1500)
        );
    }

    browser.login(&app, SECRETARY).await;
    browser.goto(&app.url(&page)).await;
    browser
        .script("window.__marker = 1; return true;", vec![])
        .await;
    let connected = e2e_support::poll(Duration::from_secs(10), || async {
        let v = browser
            .script("const box = document.querySelector('[data-live-url]'); return !!box && box.dataset.replaced === '1';", vec![])
            .await;
        v.as_bool().unwrap_or(false).then_some(())
    })
    .await;
    if connected.is_none() {
        panic!(
            "the meeting page did not start following the meeting{}",
            browser.describe().await
        );
    }
    browser
        .click(&format!("details[data-key='notulen-{item}'] summary"))
        .await;
    browser
        .type_into(&format!("#minutes-{item}"), "Half getypte notulen")
        .await;

    let answer = http
        .post_form(
            &format!("{page}/punten/{item}/besluit"),
            &[
                ("_csrf", &csrf),
                ("body_id", &msb.to_string()),
                ("outcome", "aangenomen"),
                ("text", "Akkoord, met dank."),
            ],
        )
        .await;
    assert_eq!(
        answer.status,
        StatusCode::SEE_OTHER,
        "{}",
        head(&answer.body, 1500)
    );
    let state = format!(
        "const field = document.getElementById('minutes-{item}');\
         return [document.activeElement === field, field.value, document.body.innerText.includes('Akkoord, met dank.'),\
                 document.querySelector(\"details[data-key='notulen-{item}']\").open, window.__marker];"
    );
    // The update waits while the field has the focus (given a moment to arrive).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        browser.script(&state, vec![]).await,
        json!([true, "Half getypte notulen", false, true, 1]),
        "while typing{}",
        browser.describe().await
    );
    // Leaving the field applies it, keeping the typed text and the open section.
    browser
        .script("document.activeElement.blur(); return true;", vec![])
        .await;
    let applied = e2e_support::poll(Duration::from_secs(5), || async {
        let v = browser.script(&state, vec![]).await;
        (v == json!([false, "Half getypte notulen", true, true, 1])).then_some(())
    })
    .await;
    if applied.is_none() {
        panic!(
            "after leaving the field: {}{}",
            browser.script(&state, vec![]).await,
            browser.describe().await
        );
    }
}
