//! Browser journeys through the meetings module: the real binary and a headless Chromium.

mod e2e_support;

use e2e_support::{App, Browser, fresh_database};

const SANNE: &str = "s.bakker@rijnoever.example";
const MARIEKE: &str = "m.vandenberg@rijnoever.example";

#[tokio::test]
async fn the_secretary_prepares_and_publishes_an_agenda_that_prints_on_a4() {
    let app = App::start(&fresh_database().await).await;
    let secretary = Browser::start().await;
    secretary.login(&app, SANNE).await;

    secretary.goto(&app.url("/vergaderingen/nieuw")).await;
    secretary
        .type_into("#veld-title", "Gezamenlijk overleg maart")
        .await;
    // The date field is a native date input; a script sets it the way the picker would.
    secretary
        .script(
            "document.querySelector('#veld-date').value = '2031-03-10';",
            vec![],
        )
        .await;
    secretary
        .click_and_wait("form.form button[type=submit]")
        .await;
    secretary.assert_text("Gezamenlijk overleg maart").await;
    secretary.assert_text("10-03-2031 16:00–18:00").await;
    let meeting_path = secretary
        .path()
        .await
        .split('?')
        .next()
        .unwrap()
        .to_string();

    secretary
        .goto(&app.url(&format!("{meeting_path}/punten/nieuw")))
        .await;
    secretary
        .type_into("#veld-title", "Jaarplan samenwerking")
        .await;
    secretary
        .click_and_wait("form.form button[type=submit]")
        .await;
    secretary.assert_text("Jaarplan samenwerking").await;
    // Opening 16:00, notulen 16:05, afspraken 16:10, then the new item at 16:20.
    let source = secretary.source().await;
    let item = source
        .find("Jaarplan samenwerking")
        .expect("new item on the agenda");
    assert!(
        source[..item].contains("16:20"),
        "the new item starts at 16:20"
    );

    secretary
        .click_and_wait("form[action$='/status'] button.primary")
        .await;
    secretary.assert_text("Agenda gepubliceerd").await;

    let member = Browser::start().await;
    member.login(&app, MARIEKE).await;
    member.goto(&app.url("/vergaderingen")).await;
    member.assert_text("Gezamenlijk overleg maart").await;
    member
        .goto(&app.url(&format!("{meeting_path}/afdrukken")))
        .await;
    member.assert_text("Jaarplan samenwerking").await;
    let pdf = member.print_pdf().await;
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let text = String::from_utf8_lossy(&pdf);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert!(
        (1..=2).contains(&pages),
        "a short agenda fits on one or two A4 pages, got {pages}"
    );
    let media = text
        .find("/MediaBox [")
        .map(|i| &text[i..i + 40])
        .expect("a media box");
    assert!(
        media.starts_with("/MediaBox [0 0 59") && media.contains(" 84"),
        "A4 (595 × 842 pt): {media}"
    );
    std::fs::write(std::env::temp_dir().join("gg-agenda.pdf"), &pdf).ok();
}
