//! The second factor in the browser, against the real binary: the beheerder makes it required
//! for controllers; the controller is sent to enrolment right after the password, scans (the
//! test plays the app from the key shown as text), keeps the recovery codes, reaches the budget;
//! signs out, signs in with a code; signs out, signs in with a recovery code.

mod e2e_support;

use domain::account::twofactor::{STEP_SECONDS, TotpSecret, code_at};
use e2e_support::{App, Browser, fresh_database};
use serde_json::json;
use time::{Duration, OffsetDateTime};

const BEHEERDER: &str = "p.smit@rijnoever.example";
const CONTROLLER: &str = "r.hendriks@rijnoever.example";

fn code(secret: &TotpSecret, steps: i64) -> String {
    code_at(
        secret,
        OffsetDateTime::now_utc() + Duration::seconds(steps * STEP_SECONDS as i64),
    )
}

/// The pages of these steps are reached by POST only, so the crawl of e2e_pages does not see them.
async fn assert_accessible(browser: &Browser) {
    let violations = browser.axe_violations().await;
    assert!(
        violations.is_empty(),
        "{}: {violations:#?}",
        browser.path().await
    );
}

#[tokio::test]
async fn a_controller_enrols_signs_in_with_a_code_and_with_a_recovery_code() {
    let database = fresh_database().await;
    let (app, browser) = tokio::join!(App::start(&database), Browser::start());

    // The demo starts with the requirement off; the beheerder turns it on for controllers.
    browser.login(&app, BEHEERDER).await;
    browser.goto(&app.url("/beheer/tweestapsverificatie")).await;
    let checked = browser
        .script(
            "document.querySelectorAll('input[name=role]').forEach(b => b.checked = b.value === 'controller'); return true;",
            vec![],
        )
        .await;
    assert_eq!(checked, json!(true));
    browser
        .click_and_wait("form[action='/beheer/tweestapsverificatie'] button[type=submit]")
        .await;
    browser.assert_text("zijn opgeslagen").await;
    browser.logout().await;

    // Password first: the controller lands on enrolment, and the budget is out of reach.
    browser.goto(&app.url("/inloggen")).await;
    browser
        .submit_login(CONTROLLER, e2e_support::DEMO_PASSWORD)
        .await;
    browser.assert_path("/account/tweestapsverificatie").await;
    browser.goto(&app.url("/begroting")).await;
    browser.assert_path("/account/tweestapsverificatie").await;
    browser
        .click_and_wait("form[action='/account/tweestapsverificatie/starten'] button[type=submit]")
        .await;
    assert_accessible(&browser).await;
    let key = browser.text("[data-secret-key]").await;
    let secret = TotpSecret::from_base32(&key).expect("the key shown as text");
    assert_eq!(
        browser
            .script("return document.querySelector('.qr svg') !== null;", vec![])
            .await,
        json!(true),
        "the QR code"
    );
    browser.type_into("#veld-code", &code(&secret, 0)).await;
    browser
        .click_and_wait(
            "form[action='/account/tweestapsverificatie/bevestigen'] button[type=submit]",
        )
        .await;
    assert_accessible(&browser).await;
    let codes = browser.texts("[data-recovery-codes] code").await;
    assert_eq!(codes.len(), 10, "{}", browser.body_text().await);
    browser.click_and_wait("a.button.primary").await;
    browser.goto(&app.url("/begroting")).await;
    browser.assert_path("/begroting").await;
    browser.logout().await;

    // Next time: the password, then a code (the next one: the enrolment's is spent).
    browser.goto(&app.url("/inloggen")).await;
    browser
        .submit_login(CONTROLLER, e2e_support::DEMO_PASSWORD)
        .await;
    browser.assert_path("/inloggen/code").await;
    assert_accessible(&browser).await;
    browser.type_into("#veld-code", &code(&secret, 1)).await;
    browser
        .click_and_wait("form[action='/inloggen/code'] button[type=submit]")
        .await;
    browser.assert_path("/").await;
    browser.logout().await;

    // The phone is lost: a recovery code instead, once.
    browser.goto(&app.url("/inloggen")).await;
    browser
        .submit_login(CONTROLLER, e2e_support::DEMO_PASSWORD)
        .await;
    browser.type_into("#veld-code", &codes[0]).await;
    browser
        .click_and_wait("form[action='/inloggen/code'] button[type=submit]")
        .await;
    browser
        .assert_path("/account/tweestapsverificatie?ok=herstelcode")
        .await;
    browser
        .assert_text("U heeft nog 9 ongebruikte herstelcodes")
        .await;
    browser.goto(&app.url("/begroting")).await;
    browser.assert_path("/begroting").await;
}
