//! Browser journey of the controller with an adopted budget (D10, D11) on the demo hospital:
//! the adopted 2026 budget downloads as a workbook from its scenario page, the monitoring page
//! shows the vakgroep that runs ahead of its budget and why, and that signal becomes a proposed
//! agreement in the register in two clicks.

mod e2e_support;

use e2e_support::{App, Browser, fresh_database};
use serde_json::Value;

const CONTROLLER: &str = "r.hendriks@rijnoever.example";

#[tokio::test]
async fn the_controller_exports_the_adopted_budget_and_turns_a_signal_into_an_agreement() {
    use sqlx::Connection as _;
    let database = fresh_database().await;
    let (app, browser) = tokio::join!(App::start(&database), Browser::start());
    let mut db = sqlx::PgConnection::connect(&database)
        .await
        .expect("connecting to the app's database");
    let adopted: i64 = sqlx::query_scalar(
        "SELECT scenario_id FROM budget_adoption WHERE year = 2026 ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .expect("the demo's adopted 2026 budget");

    browser.login(&app, CONTROLLER).await;
    browser
        .goto(&app.url(&format!("/begroting/scenarios/{adopted}")))
        .await;
    browser.assert_text("Werkmap (Excel) met formules").await;
    // The download, as the browser fetches the link with the controller's session.
    let answer = browser
        .script(
            "const a = document.querySelector('a[href$=\"/export.xlsx\"]');\
             const x = new XMLHttpRequest(); x.open('GET', a.href, false); x.send();\
             return [x.status, x.getResponseHeader('Content-Type'), x.getResponseHeader('Content-Disposition')];",
            vec![],
        )
        .await;
    let Value::Array(answer) = answer else {
        panic!("no answer: {answer:?}")
    };
    assert_eq!(answer[0], 200);
    assert_eq!(
        answer[1],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        answer[2],
        "attachment; filename=\"begroting-2026-Begroting.xlsx\""
    );

    // From the year's budget to its monitoring: orthopedics runs ahead, and the page says why.
    browser.goto(&app.url("/begroting?jaar=2026")).await;
    browser
        .click_and_wait("a[href^='/begroting/monitoring']")
        .await;
    browser.assert_text("Monitoring 2026").await;
    let signalled = browser.texts("tr[data-signal] th").await;
    assert_eq!(signalled, ["Orthopedie (ORT)"]);
    browser.assert_text("Orthopedie ligt ").await;

    // Two clicks: the vakgroep's page, then the proposal.
    browser.click_and_wait("tr[data-signal] th a").await;
    browser.assert_text("Afspraak voorstellen").await;
    browser
        .click_and_wait("form[action$='/afspraak'] button[type=submit]")
        .await;
    let path = browser.path().await;
    assert!(path.starts_with("/afspraken/"), "{path}");
    browser.assert_text("Realisatie Orthopedie").await;
    browser.assert_text("Voorgesteld").await;
    let (status, kind, scenario): (String, String, Option<i64>) = sqlx::query_as(
        "SELECT status, kind, budget_scenario_id FROM agreement WHERE title LIKE 'Realisatie Orthopedie%'",
    )
    .fetch_one(&mut db)
    .await
    .expect("the proposed agreement");
    assert_eq!(
        (status.as_str(), kind.as_str(), scenario),
        ("voorgesteld", "financieel", Some(adopted))
    );
    let _ = db.close().await;
}
