//! The self-assessment's catalogue, rounds and answering (C1–C3) through the router on the demo
//! hospital: the secretary keeps the statements and the rounds, board members answer the demo's
//! open round; refusals are Dutch, at their field, and keep what was typed.

use crate::support::*;
use axum::http::{Method, StatusCode};
use domain::ids::{BodyId, PersonId};
use domain::selfassessment::{COMMENT_HINT, RoundId, RoundStatus};
use store::PgPool;
use store::selfassessment::{self as sa, RoundDetail};
use time::Duration;

const MEMBER_RVB: &str = "m.vandenberg@rijnoever.example";
/// Chair of the MSB and member of the VMS: answers for one of the two.
const TWO_BODIES: &str = "h.koster@rijnoever.example";
const MEMBER_MSB: &str = "i.meijer@rijnoever.example";
/// Has a saved draft in the demo's open round.
const DRAFTING: &str = "f.elamrani@rijnoever.example";

fn today() -> time::Date {
    domain::nl::to_amsterdam(time::OffsetDateTime::now_utc()).date()
}

/// The demo's open round.
async fn open_round(c: &Client) -> RoundDetail {
    let round = sa::rounds(&c.store)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.status == RoundStatus::Open)
        .expect("the demo has an open round");
    sa::round(&c.store, round.id).await.unwrap()
}

async fn body(c: &Client, code: &str) -> BodyId {
    let bodies = store::bodies::list(c.store.pool()).await.unwrap();
    BodyId::new(bodies.iter().find(|b| b.code.as_str() == code).unwrap().id)
}

async fn person(c: &Client, email: &str) -> PersonId {
    PersonId::new(c.person_id(email).await)
}

/// Every statement of the round answered with `code`.
fn all_answered(detail: &RoundDetail, code: &str) -> Vec<(String, String)> {
    detail
        .statements
        .iter()
        .map(|s| (format!("antwoord_{}", s.id), code.to_string()))
        .collect()
}

fn refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

async fn post_owned(c: &mut Client, path: &str, fields: &[(String, String)]) -> Response {
    c.post(path, &refs(fields)).await
}

/// How many people handed in for each body of the round, as the secretary sees it.
async fn respondents(c: &Client, round: RoundId) -> Vec<(String, i64)> {
    sa::participation(&c.store, round)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.name, p.respondents))
        .collect()
}

async fn answer_rows(c: &Client, round: RoundId) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM sa_answer WHERE round_id = $1")
        .bind(round.get())
        .fetch_one(c.store.pool())
        .await
        .unwrap()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_catalogue_is_added_to_edited_versioned_and_taken_out_of_use(pool: PgPool) {
    let mut c = app(pool).await;

    // Board members read the catalogue; only the secretary changes it.
    c.sign_in_as(MEMBER_RVB).await;
    let res = c.get("/zelfevaluatie/stellingen").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Gedeelde waarden"));
    assert!(res.body.contains("harde factor"));
    assert!(!res.body.contains("Stelling toevoegen</h2>"));
    let res = c
        .post(
            "/zelfevaluatie/stellingen",
            &[("s", "stijl"), ("text", "Iets")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    c.sign_in_as(SECRETARIS).await;
    let res = c.get("/zelfevaluatie/stellingen").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Stelling toevoegen"));

    // Refused: Dutch, at the field, what was typed kept.
    let res = c
        .post(
            "/zelfevaluatie/stellingen",
            &[("s", ""), ("text", "   "), ("source", "Eigen bron")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Kies het element van het 7S-model"));
    assert!(res.body.contains("Vul de tekst van de stelling in."));
    assert!(res.body.contains("id=\"fout-text\""));
    assert!(res.body.contains("value=\"Eigen bron\""));

    let text = "De besturen bespreken elk kwartaal samen de voortgang van de afspraken.";
    let res = c
        .post(
            "/zelfevaluatie/stellingen",
            &[("s", "structuur"), ("text", text), ("source", "Test")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(res.location().starts_with("/zelfevaluatie/stellingen?ok="));
    let added = sa::catalogue(&c.store)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.text == text)
        .unwrap();
    assert_eq!(added.key, "structuur-8");
    assert!(c.get("/zelfevaluatie/stellingen").await.body.contains(text));

    // Edit on the version shown.
    let page = format!("/zelfevaluatie/stellingen/{}", added.id);
    let res = c.get(&page).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.field("version").as_deref(), Some("1"));
    let res = c
        .post(
            &page,
            &[
                ("s", "structuur"),
                ("text", "De besturen bespreken elk kwartaal de afspraken."),
                ("source", "Test"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    // A stale save: a conflict at the form, both versions shown, what was typed kept, and the
    // form now on the stored version.
    let res = c
        .post(
            &page,
            &[
                ("s", "structuur"),
                ("text", "Mijn eigen formulering."),
                ("source", "Test"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(
        res.body
            .contains("Iemand anders heeft deze stelling intussen gewijzigd")
    );
    assert!(res.body.contains("Mijn eigen formulering."));
    assert!(res.body.contains("De opgeslagen versie naast uw invoer"));
    assert_eq!(res.field("version").as_deref(), Some("2"));
    // Another S is refused: the key names the S.
    let res = c
        .post(
            &page,
            &[("s", "stijl"), ("text", "Ander element."), ("version", "2")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("Het element van een bestaande stelling ligt vast")
    );

    // Out of use and back, versioned; the history keeps every version.
    let res = c
        .post(
            &format!("{page}/actief"),
            &[("actief", "nee"), ("version", "2")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = c.get("/zelfevaluatie/stellingen").await;
    assert!(res.body.contains("niet in gebruik"));
    // Not offered for a new round.
    let new_round = c.get("/zelfevaluatie/rondes/nieuw").await;
    assert!(
        !new_round
            .body
            .contains("De besturen bespreken elk kwartaal de afspraken.")
    );
    assert_eq!(new_round.body.matches("name=\"statement\"").count(), 42);
    let stale = c
        .post(
            &format!("{page}/actief"),
            &[("actief", "ja"), ("version", "2")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.body.contains("er is niets veranderd"));
    let res = c
        .post(
            &format!("{page}/actief"),
            &[("actief", "ja"), ("version", "3")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let history = sa::statement_history(&c.store, added.id).await.unwrap();
    assert_eq!(history.len(), 4);
    let res = c.get(&page).await;
    assert!(res.body.contains("data-history"));
    assert!(
        res.body
            .contains("De besturen bespreken elk kwartaal samen de voortgang")
    );
    assert_eq!(
        c.get("/zelfevaluatie/stellingen/999999").await.status,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_round_is_made_edited_opened_and_closed_by_the_secretary(pool: PgPool) {
    let mut c = app(pool).await;
    let rvb = body(&c, "RvB").await.to_string();
    let msb = body(&c, "MSB").await.to_string();
    let rvt = body(&c, "RvT").await.to_string();
    c.sign_in_as(SECRETARIS).await;

    // The new form: the bodies that answer and every statement in use, ticked.
    let res = c.get("/zelfevaluatie/rondes/nieuw").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.body
            .contains(&format!("name=\"body\" value=\"{rvb}\" checked"))
    );
    assert!(!res.body.contains(&format!("name=\"body\" value=\"{rvt}\"")));
    assert_eq!(res.body.matches("name=\"statement\"").count(), 42);
    assert_eq!(res.body.matches("name=\"statement\" value=").count(), 42);

    // Refused: Dutch, at the fields, what was typed kept.
    let res = c
        .post(
            "/zelfevaluatie/rondes",
            &[
                ("title", "Tussentijdse peiling"),
                ("opens_on", "morgen"),
                ("closes_on", "2000-01-01"),
                ("body", &rvt),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("value=\"Tussentijdse peiling\""));
    assert!(res.body.contains("Dit is geen geldige datum"));
    assert!(res.body.contains("De sluitingsdatum ligt in het verleden"));
    assert!(
        res.body
            .contains("Toehoorders zoals de RvT vullen de zelfevaluatie niet in")
    );
    assert!(res.body.contains("value=\"morgen\""));
    let res = c
        .post("/zelfevaluatie/rondes", &[("title", ""), ("opens_on", "")])
        .await;
    assert!(res.body.contains("Kies ten minste één bestuur"));
    assert!(res.body.contains("Geef de ronde een titel"));

    // Made in concept, without statements.
    let opens = today().to_string();
    let closes = (today() + Duration::days(14)).to_string();
    let res = c
        .post(
            "/zelfevaluatie/rondes",
            &[
                ("title", "Peiling RvB"),
                ("opens_on", &opens),
                ("closes_on", &closes),
                ("body", &rvb),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id: i64 = res.location()["/zelfevaluatie/rondes/".len()..]
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let page = format!("/zelfevaluatie/rondes/{id}");
    let res = c.get(&page).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Concept"));
    assert!(res.body.contains("Nog geen stellingen gekozen"));
    // Nobody else sees a concept.
    c.sign_in_as(MEMBER_RVB).await;
    assert_eq!(c.get(&page).await.status, StatusCode::NOT_FOUND);
    assert!(!c.get("/zelfevaluatie").await.body.contains("Peiling RvB"));
    c.sign_in_as(SECRETARIS).await;

    // Opening without statements is refused with the domain's words.
    let res = c.post(&format!("{page}/openen"), &[("version", "1")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("Een ronde zonder stellingen kan niet worden geopend.")
    );

    // Edited on its version: two statements, RvB and MSB.
    let res = c.get(&format!("{page}/bewerken")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("value=\"Peiling RvB\""));
    let catalogue = sa::catalogue(&c.store).await.unwrap();
    let (first, second) = (catalogue[0].id.to_string(), catalogue[7].id.to_string());
    let edit = |version: &'static str, title: &'static str| {
        vec![
            ("title".to_string(), title.to_string()),
            ("opens_on".into(), opens.clone()),
            ("closes_on".into(), closes.clone()),
            ("body".into(), rvb.clone()),
            ("body".into(), msb.clone()),
            ("statement".into(), first.clone()),
            ("statement".into(), second.clone()),
            ("version".into(), version.to_string()),
        ]
    };
    let res = post_owned(&mut c, &format!("{page}/bewerken"), &edit("1", "Peiling")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let detail = sa::round(&c.store, RoundId(id)).await.unwrap();
    assert_eq!(detail.round.title, "Peiling");
    assert_eq!(detail.bodies.len(), 2);
    assert_eq!(detail.choices.len(), 2);
    // A stale edit: a conflict, what was typed kept.
    let res = post_owned(
        &mut c,
        &format!("{page}/bewerken"),
        &edit("1", "Mijn titel"),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("Iemand anders heeft deze ronde intussen gewijzigd")
    );
    assert!(res.body.contains("value=\"Mijn titel\""));
    assert_eq!(res.field("version").as_deref(), Some("2"));

    // Opened on a stale version: nothing happens; on the right one, the statements freeze.
    let res = c.post(&format!("{page}/openen"), &[("version", "1")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("er is niets veranderd"));
    let res = c.post(&format!("{page}/openen"), &[("version", "2")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = c.get(&page).await;
    assert!(res.body.contains("data-status>Open<"));
    assert!(res.body.contains("vastgelegd toen de ronde openging"));
    assert!(res.body.contains("data-participation"));
    // Open: no longer editable or deletable.
    let res = c.get(&format!("{page}/bewerken")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("De ronde is al geopend"));
    let res = post_owned(&mut c, &format!("{page}/bewerken"), &edit("3", "Te laat")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("De ronde is al geopend"));
    let res = c
        .post(&format!("{page}/verwijderen"), &[("version", "3")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The board member invited sees it and can answer; the MSB member too.
    c.sign_in_as(MEMBER_RVB).await;
    let res = c.get(&page).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Nog in te vullen (2 stellingen)"));

    // Closed by hand.
    c.sign_in_as(SECRETARIS).await;
    let res = c
        .post(&format!("{page}/sluiten"), &[("version", "3")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = c.get(&page).await;
    assert!(res.body.contains("data-status>Gesloten<"));
    assert!(res.body.contains(&format!("{page}/resultaten")));
    let res = c
        .post(&format!("{page}/sluiten"), &[("version", "4")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("De ronde heeft al de status ‘Gesloten’."));
    // A closed round takes no answers: the form says so and a late send is refused.
    c.sign_in_as(MEMBER_RVB).await;
    let res = c.get(&format!("{page}/invullen")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Deze ronde neemt nu geen antwoorden aan"));
    assert!(!res.body.contains("name=\"antwoord_"));
    let res = c
        .post(&format!("{page}/invullen"), &[("actie", "versturen")])
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    c.sign_in_as(SECRETARIS).await;

    // A concept round can be deleted, on its version.
    let res = c
        .post(
            "/zelfevaluatie/rondes",
            &[
                ("title", "Weg ermee"),
                ("opens_on", &opens),
                ("closes_on", &closes),
                ("body", &rvb),
            ],
        )
        .await;
    let gone = res.location().split('?').next().unwrap().to_string();
    let res = c
        .post(&format!("{gone}/verwijderen"), &[("version", "1")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(c.get(&gone).await.status, StatusCode::NOT_FOUND);
    // Without a version: no form of ours.
    assert_eq!(
        c.post(&format!("{page}/sluiten"), &[]).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_start_page_shows_each_person_their_rounds_and_closes_overdue_ones(pool: PgPool) {
    let mut c = app(pool).await;
    let open = open_round(&c).await;
    let id = open.round.id;

    c.sign_in_as(DRAFTING).await;
    let res = c.get("/zelfevaluatie").await;
    assert_eq!(res.status, StatusCode::OK);
    let half = open.statements.len() / 2;
    assert!(
        res.body.contains(&format!(
            "Concept opgeslagen: {half} van {} stellingen beantwoord.",
            open.statements.len()
        )),
        "{}",
        res.body
    );
    assert!(
        res.body
            .contains(&format!("/zelfevaluatie/rondes/{id}/invullen"))
    );
    // Closed rounds link to their results; she took part in them.
    assert!(res.body.contains("Gesloten; u hebt deelgenomen."));
    assert!(res.body.contains("/resultaten"));
    assert!(!res.body.contains("Alle rondes"));

    c.sign_in_as(MEMBER_MSB).await;
    let res = c.get("/zelfevaluatie").await;
    assert!(res.body.contains("Ingestuurd."));

    // The secretary: every round, counts per body during the open round, never names.
    c.sign_in_as(SECRETARIS).await;
    let res = c.get("/zelfevaluatie").await;
    assert!(res.body.contains("Alle rondes"));
    assert!(res.body.contains("Nieuwe ronde"));
    assert!(
        res.body
            .contains("<li>Raad van Bestuur: <span data-count>1 van 3</span></li>"),
        "{}",
        res.body
    );
    assert!(!res.body.contains("Joost Verhoeven"));
    assert!(!res.body.contains("Uw rondes"));

    // Neither a representative nor an observer has the section.
    for who in [VAKGROEP, TOEHOORDER, CONTROLLER] {
        c.sign_in_as(who).await;
        assert_eq!(c.get("/zelfevaluatie").await.status, StatusCode::FORBIDDEN);
    }

    // An open round past its closing date is closed by the first visit.
    let rvb = body(&c, "RvB").await;
    let who = store::audit::Who::system("test");
    let opens_on = today() - Duration::days(10);
    let mut tx = c.store.begin().await.unwrap();
    let draft = domain::selfassessment::RoundDraft {
        title: "Verlopen".into(),
        body_ids: vec![rvb],
        opens_on,
        closes_on: today() - Duration::days(1),
    };
    let ids: Vec<_> = sa::catalogue(&c.store)
        .await
        .unwrap()
        .iter()
        .take(3)
        .map(|s| s.id)
        .collect();
    let overdue = sa::create_round(&mut tx, &who, &draft, &ids).await.unwrap();
    sa::open_round(&mut tx, &who, overdue, 1, opens_on)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    c.sign_in_as(MEMBER_RVB).await;
    let res = c.get("/zelfevaluatie").await;
    assert_eq!(res.status, StatusCode::OK);
    let stored = sa::round(&c.store, overdue).await.unwrap();
    assert_eq!(stored.round.status, RoundStatus::Gesloten);
    assert!(res.body.contains("Verlopen"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_member_saves_continues_and_sends_once(pool: PgPool) {
    let mut c = app(pool).await;
    let open = open_round(&c).await;
    let id = open.round.id;
    let path = format!("/zelfevaluatie/rondes/{id}/invullen");
    let ids: Vec<String> = open.statements.iter().map(|s| s.id.to_string()).collect();
    let me = person(&c, MEMBER_RVB).await;

    c.sign_in_as(MEMBER_RVB).await;
    let res = c.get(&path).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.body.matches("type=\"radio\"").count(),
        open.statements.len() * 6,
        "1–5 and ‘weet ik niet’ per statement"
    );
    assert!(res.body.contains(&format!("name=\"antwoord_{}\"", ids[0])));
    assert!(
        res.body
            .contains(&format!("name=\"toelichting_{}\"", ids[0]))
    );
    assert!(res.body.contains(COMMENT_HINT));
    assert!(
        res.body
            .contains("na het versturen kunt u uw antwoorden niet meer wijzigen")
    );
    assert!(res.body.contains("<legend>1. "));
    // One seat in one invited body: nothing to choose.
    assert!(!res.body.contains("Voor welk bestuur"));

    // Save three answers and a comment, continue later.
    let res = c
        .post(
            &path,
            &[
                (&format!("antwoord_{}", ids[0]), "4"),
                (&format!("antwoord_{}", ids[1]), "weet_niet"),
                (&format!("antwoord_{}", ids[2]), "2"),
                (
                    &format!("toelichting_{}", ids[2]),
                    "Nog niet\r\nin de praktijk.",
                ),
                ("actie", "opslaan"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(res.location().contains("opgeslagen=1"));
    let res = c.get(res.location()).await;
    assert!(res.body.contains("data-saved"));
    assert!(res.body.contains(&format!(
        "value=\"4\" id=\"veld-antwoord_{}-4\" checked",
        ids[0]
    )));
    assert!(res.body.contains("Nog niet\nin de praktijk."));
    assert!(res.body.contains("<span data-answered>3</span>"));
    let draft = sa::draft(&c.store, id, me).await.unwrap();
    assert_eq!(draft.answered(), 3);

    // Sending with one statement unanswered: refused at that field, nothing sent, what was
    // typed kept.
    let mut fields = all_answered(&open, "3");
    let last = fields.pop().unwrap().0;
    fields.push((format!("toelichting_{}", ids[0]), "Mijn toelichting".into()));
    fields.push(("actie".into(), "versturen".into()));
    let before = respondents(&c, id).await;
    let res = post_owned(&mut c, &path, &fields).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains(&format!("id=\"fout-{last}\"")));
    assert!(res.body.contains(&format!("href=\"#veld-{last}\"")));
    assert!(
        res.body
            .contains("Kies een antwoord; ‘Weet ik niet’ mag ook.")
    );
    assert!(res.body.contains("Mijn toelichting"));
    assert!(res.body.contains(&format!(
        "value=\"3\" id=\"veld-antwoord_{}-3\" checked",
        ids[5]
    )));
    assert_eq!(respondents(&c, id).await, before);
    assert_eq!(sa::draft(&c.store, id, me).await.unwrap().answered(), 3);

    // Sent: the answers go, without the name, the draft is gone, one more respondent for RvB.
    let rows = answer_rows(&c, id).await;
    let mut fields = all_answered(&open, "5");
    fields.push(("actie".into(), "versturen".into()));
    let res = post_owned(&mut c, &path, &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = c.get(res.location()).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.body
            .contains("Dank u wel: uw antwoorden zijn verstuurd.")
    );
    assert!(!res.body.contains("name=\"antwoord_"));
    assert_eq!(
        answer_rows(&c, id).await,
        rows + open.statements.len() as i64
    );
    assert!(
        sa::draft(&c.store, id, me)
            .await
            .unwrap()
            .answers
            .is_empty()
    );
    assert!(sa::has_participated(c.store.pool(), id, me).await.unwrap());
    let after = respondents(&c, id).await;
    assert_eq!(after[0], ("Raad van Bestuur".to_string(), before[0].1 + 1));

    // A second visit: handed in, no form. A second send is refused and changes nothing.
    let res = c.get(&path).await;
    assert!(res.body.contains("U hebt deze ronde ingestuurd."));
    assert!(!res.body.contains("name=\"antwoord_"));
    let res = post_owned(&mut c, &path, &fields).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(
        res.body
            .contains("U hebt de vragenlijst van deze ronde al verstuurd.")
    );
    assert_eq!(
        answer_rows(&c, id).await,
        rows + open.statements.len() as i64
    );
    let res = c.get("/zelfevaluatie").await;
    assert!(res.body.contains("Ingestuurd."));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn only_invited_members_answer(pool: PgPool) {
    let mut c = app(pool).await;
    let open = open_round(&c).await;
    let path = format!("/zelfevaluatie/rondes/{}/invullen", open.round.id);

    // The secretary manages but does not answer; nor does a representative.
    for who in [SECRETARIS, VAKGROEP, TOEHOORDER] {
        c.sign_in_as(who).await;
        assert_eq!(c.get(&path).await.status, StatusCode::FORBIDDEN, "{who}");
        assert_eq!(
            c.post(&path, &[]).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }

    // A round for the RvB alone: an MSB member finds neither it nor its form.
    let rvb = body(&c, "RvB").await;
    let who = store::audit::Who::system("test");
    let mut tx = c.store.begin().await.unwrap();
    let draft = domain::selfassessment::RoundDraft {
        title: "Alleen RvB".into(),
        body_ids: vec![rvb],
        opens_on: today(),
        closes_on: today() + Duration::days(7),
    };
    let ids: Vec<_> = sa::catalogue(&c.store)
        .await
        .unwrap()
        .iter()
        .take(3)
        .map(|s| s.id)
        .collect();
    let round = sa::create_round(&mut tx, &who, &draft, &ids).await.unwrap();
    sa::open_round(&mut tx, &who, round, 1, today())
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    c.sign_in_as(MEMBER_MSB).await;
    for p in [
        format!("/zelfevaluatie/rondes/{round}"),
        format!("/zelfevaluatie/rondes/{round}/invullen"),
    ] {
        assert_eq!(c.get(&p).await.status, StatusCode::NOT_FOUND, "{p}");
    }
    let res = c
        .post(
            &format!("/zelfevaluatie/rondes/{round}/invullen"),
            &[("actie", "opslaan")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(!c.get("/zelfevaluatie").await.body.contains("Alleen RvB"));
    // A round that does not exist answers the same.
    assert_eq!(
        c.get("/zelfevaluatie/rondes/999999/invullen").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/zelfevaluatie/rondes/999999").await.status,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_member_of_two_bodies_answers_once_for_the_body_chosen(pool: PgPool) {
    let mut c = app(pool).await;
    let open = open_round(&c).await;
    let id = open.round.id;
    let path = format!("/zelfevaluatie/rondes/{id}/invullen");
    let (msb, vms, rvb) = (
        body(&c, "MSB").await,
        body(&c, "VMS").await,
        body(&c, "RvB").await,
    );

    c.sign_in_as(TWO_BODIES).await;
    let res = c.get(&path).await;
    assert!(
        res.body
            .contains("Voor welk bestuur vult u de vragenlijst in?")
    );
    assert!(res.body.contains(&format!(
        "name=\"body\" value=\"{msb}\" id=\"veld-body\" checked"
    )));
    assert!(res.body.contains(&format!("name=\"body\" value=\"{vms}\"")));

    // A body he has no seat in is refused at the choice.
    let mut fields = all_answered(&open, "4");
    fields.push(("actie".into(), "versturen".into()));
    let mut wrong = fields.clone();
    wrong.push(("body".into(), rvb.to_string()));
    let res = post_owned(&mut c, &path, &wrong).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("Kies het bestuur waarvoor u de vragenlijst invult.")
    );
    assert!(res.body.contains("href=\"#veld-body\""));

    let per_body = async |c: &Client| -> Vec<(BodyId, i64)> {
        sa::participation(&c.store, id)
            .await
            .unwrap()
            .into_iter()
            .map(|p| (p.body_id, p.respondents))
            .collect()
    };
    let before = per_body(&c).await;
    fields.push(("body".into(), vms.to_string()));
    let res = post_owned(&mut c, &path, &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // One more respondent for VMS, and for no other body.
    let after = per_body(&c).await;
    let expected: Vec<(BodyId, i64)> = before
        .iter()
        .map(|&(b, n)| (b, if b == vms { n + 1 } else { n }))
        .collect();
    assert_eq!(after, expected);
    assert!(after.iter().any(|&(b, _)| b == msb));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn hostile_answers_get_a_dutch_answer_and_lose_nothing(pool: PgPool) {
    let mut c = app(pool).await;
    let open = open_round(&c).await;
    let id = open.round.id;
    let path = format!("/zelfevaluatie/rondes/{id}/invullen");
    let first = open.statements[0].id.to_string();
    let me = person(&c, DRAFTING).await;
    c.sign_in_as(DRAFTING).await;
    let saved = sa::draft(&c.store, id, me).await.unwrap();
    assert!(saved.answered() > 0);

    // A comment far too long: at its field, typed kept, the saved draft untouched.
    let long = "lang ".repeat(400);
    let res = c
        .post(
            &path,
            &[
                (&format!("toelichting_{first}"), long.as_str()),
                ("actie", "opslaan"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("De toelichting is te lang: gebruik ten hoogste 1000 tekens")
    );
    assert!(
        res.body
            .contains(&format!("id=\"fout-toelichting_{first}\""))
    );
    assert!(res.body.contains(&long));
    assert_eq!(sa::draft(&c.store, id, me).await.unwrap(), saved);

    // A statement of no round, an unknown answer code.
    let res = c
        .post(
            &path,
            &[
                ("antwoord_999999", "3"),
                (&format!("antwoord_{first}"), "7"),
                ("actie", "versturen"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains(
            "Het formulier bevat een stelling die niet bij deze ronde hoort (nr. 999999)"
        )
    );
    assert!(res.body.contains("Onbekend antwoord ‘7’"));
    assert!(res.body.contains(&format!(
        "{} stellingen hebben nog geen antwoord (stelling 2, 3,",
        open.statements.len() - 1
    )));
    assert_eq!(sa::draft(&c.store, id, me).await.unwrap(), saved);

    // Invalid UTF-8: the Dutch page for unreadable input, nothing lost.
    let token = c.csrf().await;
    let res = c
        .request_raw(
            Method::POST,
            &path,
            &format!("_csrf={token}&antwoord_{first}=4&toelichting_{first}=%FF%FE&actie=opslaan"),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("Ongeldige invoer"));
    assert_eq!(sa::draft(&c.store, id, me).await.unwrap(), saved);

    // NUL and other control characters are stripped; the rest is saved.
    let res = c
        .post(
            &path,
            &[
                (&format!("antwoord_{first}"), "5"),
                (&format!("toelichting_{first}"), "goed\u{0}zo\u{202e}"),
                ("actie", "opslaan"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let draft = sa::draft(&c.store, id, me).await.unwrap();
    assert_eq!(draft.answers.len(), 1);
    assert_eq!(draft.answers[0].comment.as_deref(), Some("goedzo"));

    // A path id that is not a number.
    assert_eq!(
        c.get("/zelfevaluatie/rondes/abc/invullen").await.status,
        StatusCode::BAD_REQUEST
    );
}
