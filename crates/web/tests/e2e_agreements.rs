//! Browser journeys through the agreements register: the real binary and a headless Chromium.
//! A decision becomes an agreement, its owner records progress, the KPI goes red and the
//! agreement surfaces on the joint agenda by itself; two people editing at once get the
//! conflict page instead of losing work.

mod e2e_support;

use e2e_support::{App, Browser, Http, fresh_database};
use sqlx::Connection as _;

const SECRETARY: &str = "s.bakker@rijnoever.example";
const OWNER: &str = "m.vandenberg@rijnoever.example";
const DECISION: &str = "De wachttijd voor de polikliniek orthopedie gaat omlaag naar 20 dagen.";

/// The demo meeting, its first joint item and the RvB's id, from the database the app runs on.
async fn ids(database: &str) -> (i64, i64, i64, i64) {
    let mut db = sqlx::PgConnection::connect(database)
        .await
        .expect("connecting to the test database");
    let meeting: i64 = sqlx::query_scalar("SELECT id FROM meeting ORDER BY id LIMIT 1")
        .fetch_one(&mut db)
        .await
        .expect("the demo meeting");
    let item: i64 = sqlx::query_scalar(
        "SELECT id FROM agenda_item WHERE meeting_id = $1 AND standing IS NULL
           AND visibility_body_id IS NULL ORDER BY position LIMIT 1",
    )
    .bind(meeting)
    .fetch_one(&mut db)
    .await
    .expect("a joint item");
    let rvb: i64 = sqlx::query_scalar("SELECT id FROM body WHERE code = 'RvB'")
        .fetch_one(&mut db)
        .await
        .expect("RvB");
    let owner: i64 = sqlx::query_scalar("SELECT id FROM person WHERE email = $1")
        .bind(OWNER)
        .fetch_one(&mut db)
        .await
        .expect("the owner");
    let _ = db.close().await;
    (meeting, item, rvb, owner)
}

/// The secretary opens the meeting and records the RvB's decision on the item, over HTTP.
async fn record_decision(app: &App, meeting: i64, item: i64, rvb: i64) {
    let secretary = Http::new(&app.base);
    secretary.login(SECRETARY, e2e_support::DEMO_PASSWORD).await;
    let page = format!("/vergaderingen/{meeting}");
    let answer = secretary.get(&page).await;
    let csrf = e2e_support::hidden_field(&answer.body, "_csrf").expect("a CSRF token");
    for to in ["gepubliceerd", "in_vergadering"] {
        secretary
            .post_ok(&format!("{page}/status"), &csrf, &[("naar", to.into())])
            .await;
    }
    secretary
        .post_ok(
            &format!("{page}/punten/{item}/besluit"),
            &csrf,
            &[
                ("body_id", rvb.to_string()),
                ("outcome", "aangenomen".into()),
                ("text", DECISION.into()),
            ],
        )
        .await;
}

/// Sets a select (or any field) the way a person's choice would.
async fn choose(browser: &Browser, css: &str, value: &str) {
    browser
        .script(
            "const el = document.querySelector(arguments[0]); el.value = arguments[1]; return el.value;",
            vec![serde_json::json!(css), serde_json::json!(value)],
        )
        .await;
}

#[tokio::test]
async fn a_decision_becomes_an_agreement_that_goes_red_and_reaches_the_agenda() {
    let database = fresh_database().await;
    let (app, secretary, owner) =
        tokio::join!(App::start(&database), Browser::start(), Browser::start());
    let (meeting, item, rvb, owner_id) = ids(&database).await;
    record_decision(&app, meeting, item, rvb).await;

    // From the decision on the meeting page to a pre-filled agreement form.
    secretary.login(&app, SECRETARY).await;
    secretary
        .goto(&app.url(&format!("/vergaderingen/{meeting}")))
        .await;
    secretary.assert_text(DECISION).await;
    // The meeting is in session: the live stream's first event replaces the agenda, which would
    // leave a link found before it stale. Click once the page follows the meeting.
    let following = e2e_support::poll(std::time::Duration::from_secs(10), || async {
        secretary
            .script(
                "const box = document.querySelector('[data-live-url]'); return !!box && box.dataset.replaced === '1';",
                vec![],
            )
            .await
            .as_bool()
            .unwrap_or(false)
            .then_some(())
    })
    .await;
    assert!(
        following.is_some(),
        "the meeting page did not start following the meeting"
    );
    secretary.click_and_wait("a.decision-agreement").await;
    secretary.assert_text("Nieuwe afspraak").await;
    let described = secretary.value("#veld-description").await;
    assert!(
        described.contains(DECISION),
        "the decision pre-fills the form: {described}"
    );
    secretary
        .script("document.querySelector('#veld-title').value = '';", vec![])
        .await;
    secretary
        .type_into("#veld-title", "Wachttijd polikliniek orthopedie halveren")
        .await;
    choose(&secretary, "#veld-kind", "monitoring").await;
    choose(&secretary, "select[name=party_kind]", "rvb").await;
    choose(
        &secretary,
        "select[name=party_owner]",
        &owner_id.to_string(),
    )
    .await;
    secretary.type_into("#veld-start", "01-01-2025").await;
    secretary.type_into("#veld-due", "31-12-2099").await;
    secretary
        .click_and_wait("#afspraak-formulier button[type=submit]")
        .await;
    secretary
        .assert_text("Wachttijd polikliniek orthopedie halveren")
        .await;
    let agreement = secretary
        .path()
        .await
        .split('?')
        .next()
        .unwrap()
        .to_string();
    secretary.assert_text("Herkomst").await;

    // A KPI with a baseline and a target.
    secretary.type_into("#veld-kpi_name", "Wachttijd").await;
    secretary.type_into("#veld-kpi_unit", "dagen").await;
    choose(&secretary, "#veld-kpi_direction", "lager_beter").await;
    secretary.type_into("#veld-kpi_baseline", "40").await;
    secretary.type_into("#veld-kpi_target", "20").await;
    secretary
        .click_and_wait("#form-kpi button[type=submit]")
        .await;
    secretary.assert_text("nog geen meting").await;

    // The owner records progress from the dashboard: the waiting time got worse.
    owner.login(&app, OWNER).await;
    owner.goto(&app.url("/")).await;
    owner.assert_text("Mijn afspraken").await;
    owner
        .click_and_wait(&format!("section.owned a[href='{agreement}']"))
        .await;
    for (on, value) in [("01-02-2025", "41"), ("01-11-2026", "55")] {
        owner.type_into("#veld-m_date", on).await;
        owner.type_into("#veld-m_value", value).await;
        owner
            .click_and_wait("#form-meting button[type=submit]")
            .await;
        owner.assert_text("Meting opslaan").await;
    }
    owner.assert_text("uit koers").await;
    owner
        .assert_text("Vraagt aandacht: uit koers volgens de KPI's")
        .await;
    assert!(owner.source().await.contains("light-rood"));

    // Nobody put it on the agenda: the standing item finds it.
    secretary
        .goto(&app.url(&format!("/vergaderingen/{meeting}")))
        .await;
    let attention = secretary.texts("ul.attention li").await;
    assert!(
        attention.iter().any(|t| t.starts_with("Uit koers:")
            && t.contains("Wachttijd polikliniek orthopedie halveren")),
        "the agenda's standing item lists the red agreement: {attention:?}"
    );
    assert!(
        secretary
            .source()
            .await
            .contains(&format!(r#"<a href="{agreement}">"#)),
        "the agenda line links to the agreement"
    );
    // And the owner's dashboard says so too.
    owner.goto(&app.url("/")).await;
    owner.assert_text("uit koers volgens de KPI's").await;
}

#[tokio::test]
async fn two_people_editing_at_once_get_the_conflict_page_and_merge() {
    let database = fresh_database().await;
    let (app, first, second) =
        tokio::join!(App::start(&database), Browser::start(), Browser::start());
    first.login(&app, SECRETARY).await;
    first.goto(&app.url("/afspraken/nieuw")).await;
    first
        .type_into("#veld-title", "Gezamenlijk aannamebeleid vastleggen")
        .await;
    choose(&first, "#veld-kind", "personeel").await;
    first
        .click_and_wait("#afspraak-formulier button[type=submit]")
        .await;
    let page = first.path().await.split('?').next().unwrap().to_string();
    let edit = format!("{page}/bewerken");

    // Both open the form before either saves.
    second.login(&app, SECRETARY).await;
    first.goto(&app.url(&edit)).await;
    second.goto(&app.url(&edit)).await;
    first
        .script("document.querySelector('#veld-title').value = '';", vec![])
        .await;
    first
        .type_into(
            "#veld-title",
            "Aannamebeleid: advies van de vakgroep vooraf",
        )
        .await;
    first
        .click_and_wait("#afspraak-formulier button[type=submit]")
        .await;
    first
        .assert_text("Aannamebeleid: advies van de vakgroep vooraf")
        .await;

    second
        .type_into(
            "#veld-description",
            "Elke vacature met een gezamenlijk profiel.",
        )
        .await;
    second
        .click_and_wait("#afspraak-formulier button[type=submit]")
        .await;
    // Not saved over the first: both versions side by side, what was typed kept.
    second.assert_text("verschilt").await;
    let source = second.source().await;
    assert!(source.contains("Aannamebeleid: advies van de vakgroep vooraf"));
    assert!(source.contains("Elke vacature met een gezamenlijk profiel."));
    // The merge: take the first's title, keep one's own description, save deliberately.
    second
        .script("document.querySelector('#veld-title').value = '';", vec![])
        .await;
    second
        .type_into(
            "#veld-title",
            "Aannamebeleid: advies van de vakgroep vooraf",
        )
        .await;
    second
        .click_and_wait("#afspraak-formulier button[type=submit]")
        .await;
    second
        .assert_text("Aannamebeleid: advies van de vakgroep vooraf")
        .await;
    second
        .assert_text("Elke vacature met een gezamenlijk profiel.")
        .await;
    assert_eq!(second.path().await.split('?').next().unwrap(), page);
}
