//! §0: an id the person may not see answers exactly like an id that does not exist, in every
//! form field that takes one, and nothing is attached to it. One test per field.

use crate::budget_trends::budget_fixture;
use crate::meetings_links::agreement;
use crate::meetings_support::*;
use crate::support::*;
use axum::http::StatusCode;
use store::PgPool;

const MISSING: &str = "987654321";
const MSB_ONLY: &str = "Interne verdeling honorariumbudget";
const JOINT: &str = "Uitgangspunten capaciteitsbegroting 2027";

/// Both answers alike: the same status, and both say `message`.
fn same_answer(hidden: &Response, missing: &Response, status: StatusCode, message: &str) {
    assert_eq!(hidden.status, status, "hidden: {}", hidden.body);
    assert_eq!(missing.status, status, "missing: {}", missing.body);
    for (which, res) in [("hidden", hidden), ("missing", missing)] {
        assert!(
            res.body.contains(message),
            "{which} does not say ‘{message}’: {}",
            res.body
        );
    }
}

async fn items_titled(c: &Client, meeting: i64, title: &str) -> usize {
    store::agenda::items(c.store.pool(), meeting.into())
        .await
        .unwrap()
        .iter()
        .filter(|i| i.title == title)
        .count()
}

async fn agreements(c: &Client) -> i64 {
    count(c, "SELECT count(*) FROM agreement WHERE id > $1", 0).await
}

/// A new item on the demo meeting, with extra fields.
async fn new_item(c: &mut Client, meeting: i64, title: &str, extra: &[(&str, &str)]) -> Response {
    let mut fields = vec![
        ("title", title),
        ("planned_minutes", "10"),
        ("purpose", "bespreking"),
        ("subject", "algemeen"),
    ];
    fields.extend_from_slice(extra);
    c.post(&format!("/vergaderingen/{meeting}/punten"), &fields)
        .await
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn parent_item(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await; // RvB: does not see the MSB-only item
    let id = demo_meeting(&c).await;
    let hidden_parent = item_id(&c, id, MSB_ONLY).await.to_string();
    let hidden = new_item(&mut c, id, "Onderdeel", &[("parent", &hidden_parent)]).await;
    let missing = new_item(&mut c, id, "Onderdeel", &[("parent", MISSING)]).await;
    same_answer(
        &hidden,
        &missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Kies een hoofdpunt van deze agenda.",
    );
    assert_eq!(items_titled(&c, id, "Onderdeel").await, 0);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_sub_item_of_a_body_only_item_stays_in_that_body(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(EVA).await;
    let id = demo_meeting(&c).await;
    let parent = item_id(&c, id, MSB_ONLY).await.to_string();
    let joint = new_item(&mut c, id, "Onderdeel", &[("parent", &parent)]).await;
    assert_eq!(joint.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        joint
            .body
            .contains("Een onderdeel van een punt dat alleen voor MSB is")
    );
    assert_eq!(items_titled(&c, id, "Onderdeel").await, 0);
    let msb = body(&c, "MSB").await.to_string();
    let ok = new_item(
        &mut c,
        id,
        "Onderdeel",
        &[("parent", &parent), ("visibility", &msb)],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn item_linked_agreement(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let msb = body(&eva, "MSB").await.to_string();
    let secret = agreement(&mut eva, "Verdeelsleutel MSB herzien", &msb).await;
    let mut c = other(&eva, SECRETARIS).await;
    let id = demo_meeting(&c).await;
    let hidden = new_item(&mut c, id, "Met link", &[("afspraak", &secret.to_string())]).await;
    let missing = new_item(&mut c, id, "Met link", &[("afspraak", MISSING)]).await;
    same_answer(
        &hidden,
        &missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Kies afspraken uit de lijst.",
    );
    assert_eq!(items_titled(&c, id, "Met link").await, 0);
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM agenda_item_link WHERE agreement_id = $1",
            secret
        )
        .await,
        0
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn item_linked_scenario(pool: PgPool) {
    // Everyone who manages meetings may see the budget, so no scenario is hidden from them; a
    // scenario that does not exist is refused at the field like a hidden one would be.
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    budget_fixture::load(&c.store).await;
    budget_fixture::scenario(&c.store, "Basis", vec![]).await;
    let id = demo_meeting(&c).await;
    let missing = new_item(&mut c, id, "Met scenario", &[("scenario", MISSING)]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing
            .body
            .contains("Kies begrotingsscenario’s uit de lijst.")
    );
    assert_eq!(items_titled(&c, id, "Met scenario").await, 0);
}

/// Records the MSB's decision on the MSB-only item; returns the decision's id.
async fn msb_only_decision(c: &Client) -> i64 {
    let mut eva = other(c, EVA).await;
    let id = demo_meeting(&eva).await;
    open(&mut eva, id).await;
    let item = item_id(&eva, id, MSB_ONLY).await;
    let msb = body(&eva, "MSB").await.to_string();
    let res = eva
        .post(
            &format!("/vergaderingen/{id}/punten/{item}/besluit"),
            &[
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Verdeelsleutel vastgesteld."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    store::decisions::for_meeting(&eva.store, id.into())
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.item_id == item.into())
        .unwrap()
        .id
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn agreement_origin_decision(pool: PgPool) {
    let mut c = app(pool).await;
    let decision = msb_only_decision(&c).await.to_string();
    c.sign_in_as(SECRETARIS).await;
    let before = agreements(&c).await;
    for (which, path) in [
        ("hidden", format!("/afspraken/nieuw?besluit={decision}")),
        ("missing", format!("/afspraken/nieuw?besluit={MISSING}")),
    ] {
        assert_eq!(c.get(&path).await.status, StatusCode::NOT_FOUND, "{which}");
    }
    let mut answers = Vec::new();
    for besluit in [decision.as_str(), MISSING] {
        answers.push(
            c.post(
                "/afspraken",
                &[
                    ("title", "Uit een besluit"),
                    ("kind", "strategische_keuze"),
                    ("review", "geen"),
                    ("besluit", besluit),
                ],
            )
            .await,
        );
    }
    let (hidden, missing) = (&answers[0], &answers[1]);
    same_answer(
        hidden,
        missing,
        StatusCode::NOT_FOUND,
        "Pagina niet gevonden",
    );
    assert_eq!(agreements(&c).await, before);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn agreement_budget_scenario(pool: PgPool) {
    // As for items: the secretary sees every scenario, so only a missing one can be tried.
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let before = agreements(&c).await;
    let res = c
        .post(
            "/afspraken",
            &[
                ("title", "Afwijking verzekeraar"),
                ("kind", "financieel"),
                ("review", "geen"),
                ("budget_scenario", MISSING),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Kies een bestaand begrotingsscenario."));
    assert_eq!(agreements(&c).await, before);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn agreement_vakgroep_party(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    sqlx::query("UPDATE vakgroep SET active = false WHERE code = 'URO'")
        .execute(c.store.pool())
        .await
        .unwrap();
    let before = agreements(&c).await;
    let mut answers = Vec::new();
    for label in ["Urologie", "Tandheelkunde"] {
        answers.push(
            c.post(
                "/afspraken",
                &[
                    ("title", "Met een vakgroep"),
                    ("kind", "protocol"),
                    ("review", "geen"),
                    ("party_kind", "vakgroep"),
                    ("party_label", label),
                ],
            )
            .await,
        );
    }
    same_answer(
        &answers[0],
        &answers[1],
        StatusCode::UNPROCESSABLE_ENTITY,
        "is geen vakgroep van het ziekenhuis",
    );
    assert_eq!(agreements(&c).await, before);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn agreement_party_owner(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let gone = c.person_id("t.jacobs@rijnoever.example").await;
    sqlx::query("UPDATE person SET disabled_at = now() WHERE id = $1")
        .bind(gone)
        .execute(c.store.pool())
        .await
        .unwrap();
    let before = agreements(&c).await;
    let mut answers = Vec::new();
    for owner in [gone.to_string(), MISSING.to_string()] {
        answers.push(
            c.post(
                "/afspraken",
                &[
                    ("title", "Met een eigenaar"),
                    ("kind", "protocol"),
                    ("review", "geen"),
                    ("party_kind", "rvb"),
                    ("party_owner", &owner),
                ],
            )
            .await,
        );
    }
    same_answer(
        &answers[0],
        &answers[1],
        StatusCode::UNPROCESSABLE_ENTITY,
        "Kies een eigenaar uit de lijst.",
    );
    assert_eq!(agreements(&c).await, before);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn agreement_visibility_body(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let msb = body(&c, "MSB").await.to_string();
    let before = agreements(&c).await;
    let mut answers = Vec::new();
    for visibility in [msb.as_str(), MISSING] {
        answers.push(
            c.post(
                "/afspraken",
                &[
                    ("title", "Alleen voor een gremium"),
                    ("kind", "protocol"),
                    ("review", "geen"),
                    ("visibility", visibility),
                ],
            )
            .await,
        );
    }
    same_answer(
        &answers[0],
        &answers[1],
        StatusCode::UNPROCESSABLE_ENTITY,
        "Kies een gremium waarvan u lid bent.",
    );
    assert_eq!(agreements(&c).await, before);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn item_visibility_and_deciding_bodies(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let id = demo_meeting(&c).await;
    let msb = body(&c, "MSB").await.to_string();
    let rvt = body(&c, "RvT").await.to_string();
    let hidden = new_item(&mut c, id, "Beperkt", &[("visibility", &msb)]).await;
    let missing = new_item(&mut c, id, "Beperkt", &[("visibility", MISSING)]).await;
    same_answer(
        &hidden,
        &missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Kies een gremium dat deelneemt en waarvan u lid bent.",
    );
    let outside = new_item(&mut c, id, "Beperkt", &[("deciding", &rvt)]).await;
    let missing = new_item(&mut c, id, "Beperkt", &[("deciding", MISSING)]).await;
    same_answer(
        &outside,
        &missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Alleen deelnemende gremia kunnen besluiten.",
    );
    assert_eq!(items_titled(&c, id, "Beperkt").await, 0);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn attendance_person(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let id = demo_meeting(&c).await;
    let outsider = c.person_id(TOEHOORDER).await.to_string(); // RvT: not in this meeting
    let member = c.person_id(BESTUURDER).await.to_string();
    let path = format!("/vergaderingen/{id}/aanwezigheid");
    let hidden = c
        .post(&path, &[("present", &member), ("present", &outsider)])
        .await;
    let missing = c
        .post(&path, &[("present", &member), ("present", MISSING)])
        .await;
    same_answer(
        &hidden,
        &missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Kies alleen leden van de deelnemende gremia.",
    );
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM attendance WHERE meeting_id = $1",
            id
        )
        .await,
        0,
        "nothing half-saved"
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn named_vote_person(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(EVA).await;
    let id = demo_meeting(&c).await;
    open(&mut c, id).await;
    let hans = c.person_id(HANS).await.to_string();
    c.post(
        &format!("/vergaderingen/{id}/aanwezigheid"),
        &[("present", &hans)],
    )
    .await;
    let item = item_id(&c, id, JOINT).await;
    let msb = body(&c, "MSB").await.to_string();
    let decide = format!("/vergaderingen/{id}/punten/{item}/besluit");
    let outsider = format!("vote_{}", c.person_id(TOEHOORDER).await);
    let missing = format!("vote_{MISSING}");
    let mine = format!("vote_{hans}");
    let mut answers = Vec::new();
    for ballot in [&outsider, &missing] {
        answers.push(
            c.post(
                &decide,
                &[
                    ("body_id", &msb),
                    ("outcome", "aangenomen"),
                    ("text", "Akkoord"),
                    (&mine, "voor"),
                    (ballot, "voor"),
                ],
            )
            .await,
        );
    }
    same_answer(
        &answers[0],
        &answers[1],
        StatusCode::UNPROCESSABLE_ENTITY,
        "niet mag stemmen of niet aanwezig is",
    );
    assert!(
        store::decisions::for_meeting(&c.store, id.into())
            .await
            .unwrap()
            .is_empty()
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn action_owner(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let id = demo_meeting(&c).await;
    open(&mut c, id).await;
    let item = item_id(&c, id, JOINT).await;
    let outsider = c.person_id(TOEHOORDER).await.to_string();
    let before = agreements(&c).await;
    let mut answers = Vec::new();
    for owner in [outsider.as_str(), MISSING] {
        answers.push(
            c.post(
                &format!("/vergaderingen/{id}/punten/{item}/actie"),
                &[("title", "Notitie opstellen"), ("owner", owner)],
            )
            .await,
        );
    }
    same_answer(
        &answers[0],
        &answers[1],
        StatusCode::UNPROCESSABLE_ENTITY,
        "Kies wie de actie uitvoert.",
    );
    assert_eq!(agreements(&c).await, before);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn trend_input_care_products(pool: PgPool) {
    let mut c = app(pool).await;
    let f = budget_fixture::load(&c.store).await;
    c.sign_in_as(VAKGROEP).await; // Cardiologie
    let orthopaedic = f.products[2].to_string();
    let car = f.car.to_string();
    let mut answers = Vec::new();
    for product in [orthopaedic.as_str(), MISSING] {
        answers.push(
            c.post(
                "/begroting/trendinput",
                &[
                    ("jaar", "2031"),
                    ("vakgroep", &car),
                    ("scope", "zorgproducten"),
                    ("product", product),
                    ("change_kind", "percentage"),
                    ("value", "5"),
                    ("category", "demografie"),
                    ("rationale", "Vergrijzing"),
                ],
            )
            .await,
        );
    }
    same_answer(
        &answers[0],
        &answers[1],
        StatusCode::UNPROCESSABLE_ENTITY,
        "hoort niet bij deze vakgroep",
    );
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM trend_input WHERE vakgroep_id = $1",
            f.car.get()
        )
        .await,
        0
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn carry_over_target(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let first = new_meeting(&mut eva, "Overleg januari", "2030-01-07", &["RvB", "MSB"]).await;
    let msb = body(&eva, "MSB").await.to_string();
    let res = new_item(
        &mut eva,
        first,
        "Toetreding nieuwe maat",
        &[("visibility", &msb)],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let hidden_item = item_id(&eva, first, "Toetreding nieuwe maat")
        .await
        .to_string();
    open(&mut eva, first).await;
    set_status(&mut eva, first, "gesloten").await;
    let next = new_meeting(&mut eva, "Overleg februari", "2030-02-04", &["RvB", "MSB"]).await;

    let mut sanne = other(&eva, SECRETARIS).await;
    let path = format!("/vergaderingen/{next}/overnemen");
    let hidden = sanne.post(&path, &[("item", &hidden_item)]).await;
    let missing = sanne.post(&path, &[("item", MISSING)]).await;
    same_answer(
        &hidden,
        &missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Kies punten uit de lijst.",
    );
    assert_eq!(items_titled(&eva, next, "Toetreding nieuwe maat").await, 0);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn current_item(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let id = demo_meeting(&c).await;
    open(&mut c, id).await;
    let hidden_item = item_id(&c, id, MSB_ONLY).await.to_string();
    let path = format!("/vergaderingen/{id}/huidig");
    let hidden = c.post(&path, &[("item", &hidden_item)]).await;
    let missing = c.post(&path, &[("item", MISSING)]).await;
    same_answer(
        &hidden,
        &missing,
        StatusCode::NOT_FOUND,
        "Pagina niet gevonden",
    );
    let m = store::meetings::get(c.store.pool(), id.into())
        .await
        .unwrap();
    assert_eq!(m.current_item_id, None);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn minutes_to_adopt(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let msb_meeting = body_meeting(&mut eva, "MSB-bestuur", "2030-01-07", "MSB").await;
    open(&mut eva, msb_meeting).await;
    set_status(&mut eva, msb_meeting, "gesloten").await;
    let mut sanne = other(&eva, SECRETARIS).await;
    let joint = new_meeting(
        &mut sanne,
        "Overleg februari",
        "2030-02-04",
        &["RvB", "MSB"],
    )
    .await;
    open(&mut sanne, joint).await;
    let path = format!("/vergaderingen/{joint}/notulen");
    let hidden = sanne
        .post(&path, &[("vorige", &msb_meeting.to_string())])
        .await;
    let missing = sanne.post(&path, &[("vorige", MISSING)]).await;
    same_answer(
        &hidden,
        &missing,
        StatusCode::NOT_FOUND,
        "Pagina niet gevonden",
    );
    let m = store::meetings::get(eva.store.pool(), msb_meeting.into())
        .await
        .unwrap();
    assert_eq!(m.status.code(), "gesloten");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn decision_body(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(EVA).await;
    let id = demo_meeting(&c).await;
    open(&mut c, id).await;
    let item = item_id(&c, id, JOINT).await;
    let vmsd = body(&c, "VMSD").await.to_string(); // Eva's body, but it does not decide here
    let decide = format!("/vergaderingen/{id}/punten/{item}/besluit");
    let mut answers = Vec::new();
    for body_id in [vmsd.as_str(), MISSING] {
        answers.push(
            c.post(
                &decide,
                &[
                    ("body_id", body_id),
                    ("outcome", "aangenomen"),
                    ("text", "Akkoord"),
                ],
            )
            .await,
        );
    }
    same_answer(
        &answers[0],
        &answers[1],
        StatusCode::NOT_FOUND,
        "Pagina niet gevonden",
    );
    assert!(
        store::decisions::for_meeting(&c.store, id.into())
            .await
            .unwrap()
            .is_empty()
    );
}
