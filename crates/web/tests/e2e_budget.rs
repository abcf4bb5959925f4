//! Browser journey through the capacity budget: a vakgroep representative writes a trend input
//! and sees its effect on their norm hours and norm-fte while typing (static/budget.js asking
//! the server's engine); the controller accepts it, includes it in a scenario, and the scenario
//! page shows the changed figures.

#[path = "budget_fixture/mod.rs"]
mod budget_fixture;
mod e2e_support;

use e2e_support::{App, Browser, fresh_database, poll};
use std::time::Duration;

const REPRESENTATIVE: &str = "l.visser@rijnoever.example";
const CONTROLLER: &str = "r.hendriks@rijnoever.example";

/// The cells of a figures table row, as shown.
async fn cells(browser: &Browser, vakgroep: &str) -> Vec<String> {
    browser
        .texts(&format!("tr[data-vakgroep='{vakgroep}'] td"))
        .await
}

#[tokio::test]
async fn a_trend_input_goes_from_the_representative_into_the_scenario() {
    let database = fresh_database().await;
    let (app, representative, controller) =
        tokio::join!(App::start(&database), Browser::start(), Browser::start());
    // The app has migrated and loaded the demo hospital; the budget data come from the store,
    // with the figures worked out by hand in budget_fixture.
    let pool = store::PgPool::connect(&database)
        .await
        .expect("connecting to the app's database");
    let s = store::Store::from_pool(pool);
    let f = budget_fixture::load(&s).await;
    let basis = budget_fixture::scenario(&s, "Basis", vec![]).await;

    representative.login(&app, REPRESENTATIVE).await;
    representative
        .goto(&app.url(&format!(
            "/begroting/trendinput/nieuw?jaar=2031&vakgroep={}",
            f.car
        )))
        .await;
    representative.assert_text("Nieuwe trendinput").await;
    representative.type_into("#veld-value", "10").await;
    representative
        .type_into("#veld-rationale", "Vergrijzing in de regio")
        .await;
    // No button pressed: the effect arrives as the representative types.
    let effect = poll(Duration::from_secs(20), || async {
        let text = representative.text("#trend-effect").await;
        text.contains("110,00").then_some(text)
    })
    .await;
    let Some(effect) = effect else {
        let shown = representative.text("#trend-effect").await;
        panic!("the effect did not appear while typing; the form shows: {shown}");
    };
    assert!(
        effect.contains("100,00") && effect.contains("+10,00"),
        "{effect}"
    );
    assert!(
        effect.contains("2,50") && effect.contains("2,75") && effect.contains("+0,25"),
        "{effect}"
    );
    representative
        .click_and_wait("button[name=actie][value=indienen]")
        .await;
    representative.assert_text("Ingediend").await;
    let input_path = representative.path().await;
    let input_path = input_path.split('?').next().unwrap_or_default().to_string();
    let input_id = input_path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();

    controller.login(&app, CONTROLLER).await;
    controller.goto(&app.url(&input_path)).await;
    controller
        .click_and_wait("form:has(input[name=to][value=geaccepteerd]) button")
        .await;
    controller.assert_text("Geaccepteerd").await;

    // The scenario before, then with the accepted input included.
    let scenario = app.url(&format!("/begroting/scenarios/{basis}"));
    controller.goto(&scenario).await;
    assert_eq!(cells(&controller, "CAR").await[0], "100,00");
    controller
        .goto(&app.url(&format!("/begroting/scenarios/{basis}/bewerken")))
        .await;
    controller
        .click(&format!("input[name=trend][value='{input_id}']"))
        .await;
    controller.click_and_wait("form.form button.primary").await;
    controller
        .assert_text("De wijzigingen zijn opgeslagen.")
        .await;
    assert_eq!(
        cells(&controller, "CAR").await,
        [
            "110,00", "2,75", "100,0 %", "100,0 %", "2,75", "2,00", "+0,75"
        ]
    );
    assert_eq!(
        cells(&controller, "ziekenhuis").await,
        [
            "130,00", "2,95", "100,0 %", "100,0 %", "2,95", "3,00", "−0,05"
        ]
    );
}
