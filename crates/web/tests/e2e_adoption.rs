//! Browser journey of a budget's adoption (D9) on the demo hospital: the controller proposes a
//! scenario for the upcoming joint meeting, the secretary opens the meeting, the MSB's and the
//! RvB's decisions are recorded on the meeting page by each body's secretary, the budget locks
//! with its hash on the scenario page, and an edit of the adopted scenario is refused with the
//! reason.

mod e2e_support;

use e2e_support::{App, Browser, fresh_database, poll};
use std::time::Duration;

const CONTROLLER: &str = "r.hendriks@rijnoever.example";
const RVB_SECRETARY: &str = "s.bakker@rijnoever.example";
const MSB_SECRETARY: &str = "e.mulder@rijnoever.example";
/// Both bodies adopt the same text: different texts would make the outcome *verdeeld*.
const DECISION: &str = "De begroting 2027 (scenario Basis) wordt vastgesteld.";

/// Records `body`'s decision on `item` from the meeting page, as that body's secretary.
async fn decide(browser: &Browser, meeting: &str, item: i64, body: i64, text: &str) {
    browser.goto(meeting).await;
    // A meeting in progress follows the live stream, whose first event replaces the agenda:
    // wait for that before touching it.
    let following = poll(Duration::from_secs(10), || async {
        browser
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
    // The form folds open under the body's column, as a person clicks it open.
    browser
        .click(&format!(
            "details[data-key='besluit-{item}-{body}'] > summary"
        ))
        .await;
    let form = format!("#form-besluit-{item}-{body}");
    browser
        .script(
            "document.querySelector(arguments[0] + ' select[name=outcome]').value = 'aangenomen'; return true;",
            vec![serde_json::json!(form)],
        )
        .await;
    browser
        .type_into(&format!("{form} textarea[name=text]"), text)
        .await;
    browser
        .click_and_wait(&format!("{form} button[type=submit]"))
        .await;
}

#[tokio::test]
async fn both_boards_adopt_a_proposed_budget_in_the_meeting_and_it_locks() {
    use sqlx::Connection as _;
    let database = fresh_database().await;
    let (app, controller, msb, rvb) = tokio::join!(
        App::start(&database),
        Browser::start(),
        Browser::start(),
        Browser::start()
    );
    let mut db = sqlx::PgConnection::connect(&database)
        .await
        .expect("connecting to the app's database");
    let one = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
    let basis = one("SELECT id FROM budget_scenario WHERE year = 2027 AND name = 'Basis'")
        .fetch_one(&mut db)
        .await
        .expect("the demo's 2027 scenario Basis");
    let meeting = one("SELECT id FROM meeting ORDER BY id LIMIT 1")
        .fetch_one(&mut db)
        .await
        .expect("the demo's upcoming joint meeting");
    let body = |code: &'static str| {
        sqlx::query_scalar::<_, i64>("SELECT id FROM body WHERE code = $1").bind(code)
    };
    let rvb_body = body("RvB").fetch_one(&mut db).await.expect("RvB");
    let msb_body = body("MSB").fetch_one(&mut db).await.expect("MSB");

    // The controller proposes Basis for the upcoming joint meeting.
    let scenario = app.url(&format!("/begroting/scenarios/{basis}"));
    controller.login(&app, CONTROLLER).await;
    controller.goto(&scenario).await;
    controller
        .assert_text("Dit scenario is niet vastgesteld.")
        .await;
    controller
        .script(
            "document.querySelector('#veld-meeting').value = arguments[0]; return true;",
            vec![serde_json::json!(meeting.to_string())],
        )
        .await;
    controller
        .click_and_wait("#vaststelling form[action$='/vaststelling'] button")
        .await;
    controller
        .assert_text("Voorgesteld ter vaststelling op Gezamenlijk overleg RvB en MSB+")
        .await;
    let item: i64 =
        sqlx::query_scalar("SELECT item_id FROM budget_adoption_proposal WHERE scenario_id = $1")
            .bind(basis)
            .fetch_one(&mut db)
            .await
            .expect("the proposal's agenda item");

    // The MSB+ secretary publishes the agenda and opens the meeting.
    let page = app.url(&format!("/vergaderingen/{meeting}"));
    msb.login(&app, MSB_SECRETARY).await;
    msb.goto(&page).await;
    msb.assert_text("Vaststelling begroting 2027: Basis").await;
    msb.click_and_wait("form[action$='/status'] button.primary")
        .await;
    msb.assert_text("Agenda gepubliceerd").await;
    msb.click_and_wait("form[action$='/status'] button.primary")
        .await;
    msb.assert_text("In vergadering").await;

    // Each body's secretary records its decision; the budget is adopted on the second.
    decide(&msb, &page, item, msb_body, DECISION).await;
    controller.goto(&scenario).await;
    controller
        .assert_text("Dit scenario is niet vastgesteld.")
        .await;
    rvb.login(&app, RVB_SECRETARY).await;
    decide(&rvb, &page, item, rvb_body, DECISION).await;

    controller.goto(&scenario).await;
    controller.assert_text("Vastgesteld door RvB en MSB").await;
    let hash: String =
        sqlx::query_scalar("SELECT content_hash FROM budget_adoption WHERE scenario_id = $1")
            .bind(basis)
            .fetch_one(&mut db)
            .await
            .expect("the adoption");
    assert_eq!(controller.text("code[data-hash]").await, hash);
    assert_eq!(hash.len(), 64);
    assert!(
        controller.find_all("a[href$='/bewerken']").await.is_empty(),
        "no way to edit an adopted scenario"
    );

    // Editing it anyway (an old tab, a bookmark) is refused with the reason; nothing changes.
    controller
        .goto(&app.url(&format!("/begroting/scenarios/{basis}/bewerken")))
        .await;
    controller.type_into("#veld-name", "Basis gewijzigd").await;
    controller.click_and_wait("form.form button.primary").await;
    controller
        .assert_text(
            "Deze begroting is vastgesteld door RvB en MSB en kan niet meer worden gewijzigd",
        )
        .await;
    let name: String = sqlx::query_scalar("SELECT name FROM budget_scenario WHERE id = $1")
        .bind(basis)
        .fetch_one(&mut db)
        .await
        .expect("the scenario");
    assert_eq!(name, "Basis");
    let _ = db.close().await;
}
