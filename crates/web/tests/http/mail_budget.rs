//! Mail about the budget (issue #16): a trend input submitted reaches exactly those who may review
//! it, its return or acceptance exactly the representatives of its vakgroep (never another
//! vakgroep's); a budget proposed for adoption reaches the members of both boards and the
//! controllers, no vakgroep representative outside them; each once, with the link to its page;
//! nothing for who switched the kind off, and nothing at all when the change is refused.

use crate::budget_trends::{fields, fixture, ten_percent};
use crate::support::*;
use axum::http::StatusCode;
use domain::ids::VakgroepId;
use store::PgPool;
use time::OffsetDateTime;

const MSB_MEMBER: &str = "h.koster@rijnoever.example";

/// The outbox's mails of `kind`: (recipient, subject, text, html), by recipient.
async fn outbox(c: &Client, kind: &str) -> Vec<(String, String, String, String)> {
    sqlx::query_as(
        "SELECT recipient, subject, body_text, body_html FROM mail_outbox
         WHERE kind = $1 ORDER BY recipient, id",
    )
    .bind(kind)
    .fetch_all(c.store.pool())
    .await
    .unwrap()
}

fn recipients(mails: &[(String, String, String, String)]) -> Vec<String> {
    mails.iter().map(|m| m.0.clone()).collect()
}

/// The expected recipients: enabled people, sorted, by a condition on `p` (the person) with one
/// parameter.
macro_rules! people_where {
    ($condition:literal) => {
        concat!(
            "SELECT p.email FROM person p WHERE p.disabled_at IS NULL AND (",
            $condition,
            ") ORDER BY p.email"
        )
    };
}

async fn people(c: &Client, sql: &'static str, bind: i64) -> Vec<String> {
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_all(c.store.pool())
        .await
        .unwrap()
}

async fn representatives(c: &Client, vakgroep: VakgroepId) -> Vec<String> {
    people(
        c,
        people_where!(
            "EXISTS (SELECT 1 FROM vakgroep_representative v WHERE v.person_id = p.id AND v.vakgroep_id = $1)"
        ),
        vakgroep.get(),
    )
    .await
}

async fn switch_off(c: &Client, email: &str, kind: &str) {
    let mut other = app(c.store.pool().clone()).await;
    other.sign_in_as(email).await;
    let res = other.post("/account/meldingen", &[(kind, "uit")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn trend_input_mail_reaches_reviewers_then_its_own_representatives(pool: PgPool) {
    let mut c = app(pool).await;
    let f = fixture(&c).await;
    let car = representatives(&c, f.car).await;
    let ort = representatives(&c, f.ort).await;
    assert!(car.contains(&VAKGROEP.to_string()), "{car:?}");
    let ort_only: Vec<&String> = ort.iter().filter(|e| !car.contains(e)).collect();
    assert!(!ort_only.is_empty(), "a representative of ORT only");
    // Who may review: controllers and board members, but not a representative of CAR itself.
    let mut reviewers = people(
        &c,
        people_where!(
            "EXISTS (SELECT 1 FROM person_role r WHERE r.person_id = p.id
                 AND r.role IN ('controller', 'bestuurder'))
         AND NOT EXISTS (SELECT 1 FROM vakgroep_representative v
                         WHERE v.person_id = p.id AND v.vakgroep_id = $1)"
        ),
        f.car.get(),
    )
    .await;
    assert!(reviewers.contains(&CONTROLLER.to_string()));
    assert!(reviewers.contains(&BESTUURDER.to_string()));
    switch_off(&c, BESTUURDER, "trendinput").await;
    reviewers.retain(|e| e != BESTUURDER);

    // Saving a concept mails nobody; submitting mails the reviewers.
    c.sign_in_as(VAKGROEP).await;
    let saved = c
        .post(
            "/begroting/trendinput",
            &fields(&ten_percent(&f.car.to_string())),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(outbox(&c, "trendinput").await.is_empty());
    let path = saved.location().split('?').next().unwrap().to_string();
    let mut submit = ten_percent(&f.car.to_string());
    submit.push(("version", "1".into()));
    submit.push(("actie", "indienen".into()));
    let submitted = c.post(&path, &fields(&submit)).await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    let mails = outbox(&c, "trendinput").await;
    assert_eq!(recipients(&mails), reviewers, "one mail per reviewer");
    let (_, subject, text, html) = &mails[0];
    assert!(
        subject.contains("CAR") && subject.contains("ingediend"),
        "{subject}"
    );
    assert!(
        text.contains(&format!("{path}\n")) || text.contains(&path),
        "{text}"
    );
    assert!(html.contains(&format!("{path}\"")), "{html}");
    assert!(text.contains("Vergrijzing in de regio"), "{text}");
    assert!(!recipients(&mails).iter().any(|r| ort_only.contains(&r)));

    // A return reaches CAR's representatives, with the reason; nobody of ORT alone.
    c.cookies.clear();
    c.sign_in_as(CONTROLLER).await;
    let status = format!("{path}/status");
    let returned = c
        .post(
            &status,
            &[
                ("to", "teruggestuurd"),
                ("version", "3"),
                ("reason", "Bron ontbreekt"),
            ],
        )
        .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER, "{}", returned.body);
    let mails = outbox(&c, "trendinput").await;
    let answers: Vec<_> = mails
        .iter()
        .filter(|m| m.1.contains("teruggestuurd"))
        .collect();
    let got: Vec<String> = answers.iter().map(|m| m.0.clone()).collect();
    assert_eq!(got, car, "one mail per representative of CAR");
    assert!(answers[0].2.contains("Bron ontbreekt"), "{}", answers[0].2);
    assert!(answers[0].2.contains(&path));
    assert!(!got.iter().any(|r| ort_only.contains(&r)));

    // A stale step is refused and writes nothing.
    let before = mails.len();
    let stale = c
        .post(&status, &[("to", "geaccepteerd"), ("version", "3")])
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(outbox(&c, "trendinput").await.len(), before);

    // Resubmitted (the reviewers again) and accepted (the representatives again).
    c.cookies.clear();
    c.sign_in_as(VAKGROEP).await;
    let mut again = ten_percent(&f.car.to_string());
    again.push(("version", "4".into()));
    again.push(("actie", "indienen".into()));
    let resubmitted = c.post(&path, &fields(&again)).await;
    assert_eq!(
        resubmitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        resubmitted.body
    );
    assert_eq!(
        outbox(&c, "trendinput").await.len(),
        before + reviewers.len()
    );
    let version: i32 = sqlx::query_scalar("SELECT version FROM trend_input WHERE id = $1")
        .bind(path.rsplit('/').next().unwrap().parse::<i64>().unwrap())
        .fetch_one(c.store.pool())
        .await
        .unwrap();
    c.cookies.clear();
    c.sign_in_as(CONTROLLER).await;
    let accepted = c
        .post(
            &status,
            &[("to", "geaccepteerd"), ("version", &version.to_string())],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let got: Vec<String> = outbox(&c, "trendinput")
        .await
        .into_iter()
        .filter(|m| m.1.contains("geaccepteerd"))
        .map(|m| m.0)
        .collect();
    assert_eq!(got, car);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_stale_submission_mails_nobody(pool: PgPool) {
    let mut c = app(pool).await;
    let f = fixture(&c).await;
    c.sign_in_as(VAKGROEP).await;
    let form = ten_percent(&f.car.to_string());
    let saved = c.post("/begroting/trendinput", &fields(&form)).await;
    let path = saved.location().split('?').next().unwrap().to_string();
    let mut edit = form.clone();
    edit.push(("version", "1".into()));
    let first = c.post(&path, &fields(&edit)).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    // Submitted from the form as it was before that edit: a conflict, and no mail.
    edit.push(("actie", "indienen".into()));
    let stale = c.post(&path, &fields(&edit)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(outbox(&c, "trendinput").await.is_empty());
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_proposed_budget_reaches_both_boards_and_the_controllers(pool: PgPool) {
    let mut c = app(pool).await;
    demo::budget::load(&c.store).await.unwrap();
    let scenario = store::budget::scenarios(&c.store, Some(2027))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Basis")
        .unwrap()
        .id;
    let meeting = store::budget::adoption::candidate_meetings(&c.store, OffsetDateTime::now_utc())
        .await
        .unwrap()
        .first()
        .expect("the demo has an upcoming joint meeting")
        .id;
    switch_off(&c, MSB_MEMBER, "begroting").await;
    let before = outbox(&c, "begroting").await.len();

    c.sign_in_as(SECRETARIS).await;
    let path = format!("/begroting/scenarios/{scenario}/vaststelling");
    let res = c.post(&path, &[("meeting", &meeting.to_string())]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let item: i64 = sqlx::query_scalar(
        "SELECT item_id FROM budget_adoption_proposal WHERE scenario_id = $1 AND status = 'voorgesteld'",
    )
    .bind(scenario.get())
    .fetch_one(c.store.pool())
    .await
    .unwrap();
    // The members of the deciding bodies (RvB and MSB) and the controllers, once each.
    let mut expected = people(
        &c,
        people_where!("(EXISTS (SELECT 1 FROM membership m JOIN agenda_item_body b ON b.body_id = m.body_id
                  WHERE m.person_id = p.id AND b.item_id = $1)
          OR EXISTS (SELECT 1 FROM person_role r WHERE r.person_id = p.id AND r.role = 'controller'))
         AND EXISTS (SELECT 1 FROM person_role r WHERE r.person_id = p.id
                     AND r.role IN ('bestuurder', 'secretaris', 'controller', 'vakgroep'))"),
        item,
    )
    .await;
    expected.retain(|e| e != MSB_MEMBER);
    let mails = outbox(&c, "begroting").await;
    assert_eq!(mails.len() - before, expected.len());
    assert_eq!(
        recipients(&mails),
        expected,
        "one mail per board member and controller"
    );
    for who in [CONTROLLER, BESTUURDER, SECRETARIS] {
        assert!(expected.contains(&who.to_string()), "{who}");
    }
    for nobody in [VAKGROEP, BEHEERDER, TOEHOORDER, MSB_MEMBER] {
        assert!(
            !recipients(&mails).contains(&nobody.to_string()),
            "{nobody}"
        );
    }
    let (_, subject, text, html) = &mails[0];
    assert!(
        subject.contains("2027") && subject.contains("Basis"),
        "{subject}"
    );
    let link = format!("/begroting/scenarios/{scenario}#vaststelling");
    assert!(text.contains(&link), "{text}");
    assert!(html.contains(&link), "{html}");
    assert!(!text.contains('€'), "no figures in the mail: {text}");

    // Proposed again: refused, and no mail.
    let again = c.post(&path, &[("meeting", &meeting.to_string())]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(outbox(&c, "begroting").await.len(), mails.len());
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_decision_that_adopts_a_budget_announces_it_once(pool: PgPool) {
    let mut c = app(pool).await;
    demo::budget::load(&c.store).await.unwrap();
    let scenario = store::budget::scenarios(&c.store, Some(2027))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Basis")
        .unwrap()
        .id;
    let meeting = store::budget::adoption::candidate_meetings(&c.store, OffsetDateTime::now_utc())
        .await
        .unwrap()
        .first()
        .expect("the demo has an upcoming joint meeting")
        .id;
    c.sign_in_as(SECRETARIS).await;
    let res = c
        .post(
            &format!("/begroting/scenarios/{scenario}/vaststelling"),
            &[("meeting", &meeting.to_string())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let item: i64 = sqlx::query_scalar(
        "SELECT item_id FROM budget_adoption_proposal WHERE scenario_id = $1 AND status = 'voorgesteld'",
    )
    .bind(scenario.get())
    .fetch_one(c.store.pool())
    .await
    .unwrap();
    for to in ["gepubliceerd", "in_vergadering"] {
        let res = c
            .post(&format!("/vergaderingen/{meeting}/status"), &[("naar", to)])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{to}: {}", res.body);
    }
    let adopted = |c: Client| async move {
        outbox(&c, "begroting")
            .await
            .into_iter()
            .filter(|m| m.1.contains("vastgesteld"))
            .count()
    };
    let bodies = store::bodies::list(c.store.pool()).await.unwrap();
    let body = |code: &str| {
        bodies
            .iter()
            .find(|b| b.code == code)
            .unwrap()
            .id
            .to_string()
    };
    let decide = format!("/vergaderingen/{meeting}/punten/{item}/besluit");
    let rvb = c
        .post(
            &decide,
            &[
                ("version", "0"),
                ("body_id", &body("RvB")),
                ("outcome", "aangenomen"),
                ("text", "Vastgesteld."),
            ],
        )
        .await;
    assert_eq!(rvb.status, StatusCode::SEE_OTHER, "{}", rvb.body);
    let probe = || Client {
        router: c.router.clone(),
        store: c.store.clone(),
        cookies: Default::default(),
        ip: c.ip,
    };
    assert_eq!(adopted(probe()).await, 0, "one body is not an adoption");
    let mut msb = probe();
    msb.sign_in_as("e.mulder@rijnoever.example").await;
    let res = msb
        .post(
            &decide,
            &[
                ("version", "0"),
                ("body_id", &body("MSB")),
                ("outcome", "aangenomen"),
                ("text", "Vastgesteld."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mails = adopted(probe()).await;
    assert!(
        mails > 3,
        "both boards and the controllers hear of it: {mails}"
    );
    let (_, subject, text, _): (String, String, String, String) = outbox(&c, "begroting")
        .await
        .into_iter()
        .find(|m| m.0 == CONTROLLER && m.1.contains("vastgesteld"))
        .expect("the controller's mail");
    assert!(subject.contains("2027"), "{subject}");
    let hash: String =
        sqlx::query_scalar("SELECT content_hash FROM budget_adoption WHERE scenario_id = $1")
            .bind(scenario.get())
            .fetch_one(c.store.pool())
            .await
            .unwrap();
    assert!(text.contains(&hash), "the content hash: {text}");
    // Correcting the decision later is no second adoption.
    let version: String = sqlx::query_scalar::<_, i32>(
        "SELECT version FROM decision WHERE item_id = $1 AND body_id = $2",
    )
    .bind(item)
    .bind(body("MSB").parse::<i64>().unwrap())
    .fetch_one(c.store.pool())
    .await
    .unwrap()
    .to_string();
    msb.post(
        &decide,
        &[
            ("version", &version),
            ("body_id", &body("MSB")),
            ("outcome", "aangenomen"),
            ("text", "Vastgesteld, met een toelichting."),
        ],
    )
    .await;
    assert_eq!(adopted(probe()).await, mails);
}
