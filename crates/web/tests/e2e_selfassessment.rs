//! Browser journeys of the 7S self-assessment (C1–C5) on the demo hospital: the secretary opens
//! a round for the RvB and the MSB; three RvB members and two MSB members answer it in the
//! browser (one saves halfway and finishes later); after closing, the RvB's figures show and the
//! MSB, with two respondents, shows "te weinig respondenten"; and from the demo's latest results
//! the S on which the boards differ most goes on the next joint agenda in one click.

mod e2e_support;

use e2e_support::{App, Browser, fresh_database};
use serde_json::{Value, json};

const SECRETARY: &str = "e.mulder@rijnoever.example";
const RVB: [&str; 3] = [
    "m.vandenberg@rijnoever.example",
    "j.verhoeven@rijnoever.example",
    "f.elamrani@rijnoever.example",
];
const MSB: [&str; 2] = ["i.meijer@rijnoever.example", "k.bouzid@rijnoever.example"];

/// Checks the box whose label reads `label` in the fieldset with legend `legend`.
async fn check_labelled(browser: &Browser, legend: &str, label: &str) {
    let done = browser
        .script(
            "const [legend, label] = arguments;\
             const set = Array.from(document.querySelectorAll('fieldset'))\
               .find(f => f.querySelector('legend').textContent.trim() === legend);\
             const box = Array.from(set.querySelectorAll('label'))\
               .find(l => l.textContent.trim().startsWith(label));\
             if (!box) return false; box.querySelector('input').checked = true; return true;",
            vec![json!(legend), json!(label)],
        )
        .await;
    assert_eq!(done, Value::Bool(true), "{legend}: {label}");
}

/// Answers the first `how_many` statements of the form (all when `None`): a score from `base`
/// up, "weet ik niet" for every seventh, and one comment.
async fn answer(browser: &Browser, base: u8, how_many: Option<usize>) -> usize {
    let answered = browser
        .script(
            "const [base, limit] = arguments;\
             const items = Array.from(document.querySelectorAll('div.statement'));\
             const chosen = limit === null ? items : items.slice(0, limit);\
             chosen.forEach((s, i) => {\
               const code = i % 7 === 6 ? 'weet_niet' : String(1 + (base + i) % 5);\
               const radio = s.querySelector(`input[type=radio][value='${code}']`);\
               radio.checked = true;\
             });\
             const note = chosen[0].querySelector('textarea');\
             if (note) note.value = 'De overleggen zijn beter voorbereid dan vorig jaar.';\
             return chosen.length;",
            vec![json!(base), how_many.map_or(Value::Null, |n| json!(n))],
        )
        .await;
    usize::try_from(answered.as_u64().expect("a count")).unwrap()
}

#[tokio::test]
async fn members_answer_a_round_and_the_threshold_and_the_agenda_action_work() {
    use sqlx::Connection as _;
    let database = fresh_database().await;
    let (app, browser) = tokio::join!(App::start(&database), Browser::start());
    let mut db = sqlx::PgConnection::connect(&database)
        .await
        .expect("connecting to the app's database");
    let latest: i64 = sqlx::query_scalar(
        "SELECT id FROM sa_round WHERE status = 'gesloten' ORDER BY closes_on DESC, id DESC LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .expect("the demo's latest closed round");

    // The secretary makes a round for the RvB and the MSB, open from today for a week.
    browser.login(&app, SECRETARY).await;
    browser.goto(&app.url("/zelfevaluatie")).await;
    browser
        .click_and_wait("a[href='/zelfevaluatie/rondes/nieuw']")
        .await;
    browser
        .type_into("#veld-title", "Tussentijdse peiling")
        .await;
    let today = time::OffsetDateTime::now_utc().date();
    let week = today + time::Duration::days(7);
    browser
        .script(
            "document.querySelector('#veld-opens_on').value = arguments[0];\
             document.querySelector('#veld-closes_on').value = arguments[1]; return true;",
            vec![json!(today.to_string()), json!(week.to_string())],
        )
        .await;
    // Only the RvB and the MSB: the form proposes every board.
    browser
        .script(
            "document.querySelectorAll('#veld-bodies input[type=checkbox]')\
               .forEach(b => b.checked = false); return true;",
            vec![],
        )
        .await;
    check_labelled(&browser, "Uitgenodigde besturen", "Raad van Bestuur").await;
    check_labelled(
        &browser,
        "Uitgenodigde besturen",
        "Medisch Specialistisch Bedrijf",
    )
    .await;
    browser
        .click_and_wait("form[action='/zelfevaluatie/rondes'] button[type=submit]")
        .await;
    let path = browser.path().await;
    let round: i64 = path
        .strip_prefix("/zelfevaluatie/rondes/")
        .and_then(|rest| rest.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not on the new round's page: {path}"));
    browser
        .click_and_wait(&format!(
            "form[action='/zelfevaluatie/rondes/{round}/openen'] button[type=submit]"
        ))
        .await;
    browser.assert_text("Tussentijdse peiling").await;
    browser.logout().await;

    // The members answer. The second RvB member saves halfway, comes back and finishes.
    let form = format!("/zelfevaluatie/rondes/{round}/invullen");
    for (i, who) in RVB.iter().chain(MSB.iter()).enumerate() {
        browser.login(&app, who).await;
        browser.goto(&app.url(&form)).await;
        let base = u8::try_from(i).unwrap();
        if i == 1 {
            let half = answer(&browser, base, Some(10)).await;
            browser
                .click_and_wait("#antwoorden button[value=opslaan]")
                .await;
            browser.find("[data-saved]").await;
            browser.goto(&app.url(&form)).await;
            assert_eq!(browser.text("[data-answered]").await, half.to_string());
            // Sending a half-answered form is refused at the first open statement.
            browser
                .click_and_wait("#antwoorden button[value=versturen]")
                .await;
            browser.find(".error-summary").await;
        }
        answer(&browser, base, None).await;
        browser
            .click_and_wait("#antwoorden button[value=versturen]")
            .await;
        browser.find("[data-sent]").await;
        // A second visit shows that it was sent, and no form.
        browser.goto(&app.url(&form)).await;
        browser.assert_text("U hebt deze ronde ingestuurd").await;
        assert!(browser.find_all("#antwoorden").await.is_empty());
        browser.logout().await;
    }

    // Nothing links an answer to its respondent: five people took part, their answers are rows
    // without a person.
    let (people, answers): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM sa_participation WHERE round_id = $1),
                (SELECT count(*) FROM sa_answer WHERE round_id = $1)",
    )
    .bind(round)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(people, 5);
    assert!(answers >= 5 * 35, "{answers}");

    // The secretary closes the round: the RvB's three respondents show, the MSB's two do not.
    browser.login(&app, SECRETARY).await;
    browser
        .goto(&app.url(&format!("/zelfevaluatie/rondes/{round}")))
        .await;
    browser
        .click_and_wait(&format!(
            "form[action='/zelfevaluatie/rondes/{round}/sluiten'] button[type=submit]"
        ))
        .await;
    browser
        .goto(&app.url(&format!("/zelfevaluatie/rondes/{round}/resultaten")))
        .await;
    assert_eq!(
        browser
            .text("tr[data-body^='Raad van Bestuur'] [data-respondents]")
            .await,
        "3"
    );
    assert!(
        browser
            .find_all("tr[data-body^='Raad van Bestuur'] [data-too-few]")
            .await
            .is_empty()
    );
    assert_eq!(
        browser
            .text("tr[data-body^='Medisch Specialistisch Bedrijf'] [data-respondents]")
            .await,
        "2"
    );
    browser
        .find("tr[data-body^='Medisch Specialistisch Bedrijf'] [data-too-few]")
        .await;
    assert!(
        browser.find_all("[data-comments]").await.len() <= 1,
        "comments only of the body above the threshold"
    );

    // From the demo's latest results: the S with the largest difference goes on the agenda.
    browser
        .goto(&app.url(&format!("/zelfevaluatie/rondes/{latest}/resultaten")))
        .await;
    let widest = browser
        .script(
            "const rows = Array.from(document.querySelectorAll('tr[data-s]'))\
               .filter(r => r.querySelector('form[action$=\"/agenderen\"]'));\
             const gap = r => Math.abs(parseFloat(r.querySelector('[data-gap]').textContent\
               .replace(',', '.').replace('−', '-')) || 0);\
             rows.sort((a, b) => gap(b) - gap(a));\
             return rows.length ? rows[0].dataset.s : null;",
            vec![],
        )
        .await;
    let Value::String(s) = widest else {
        panic!("no S to put on the agenda: {widest:?}")
    };
    let label = browser.text(&format!("tr[data-s='{s}'] th")).await;
    browser
        .click_and_wait(&format!(
            "tr[data-s='{s}'] form[action$='/agenderen'] button[type=submit]"
        ))
        .await;
    let path = browser.path().await;
    assert!(path.starts_with("/vergaderingen/"), "{path}");
    browser.assert_text(&label).await;
    // Once on the agenda, the results link to the item instead of offering it again.
    browser
        .goto(&app.url(&format!("/zelfevaluatie/rondes/{latest}/resultaten")))
        .await;
    browser
        .find(&format!("tr[data-s='{s}'] [data-item-link]"))
        .await;
}
