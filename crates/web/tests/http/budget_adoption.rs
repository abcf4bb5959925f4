//! Adoption (D9) through the router on the demo hospital: who may propose a scenario, the
//! proposal on the agenda, the lock on an adopted scenario (scenario form and band), and the new
//! displays, which never give the RvB a vakgroep's allocation before the MSB shares it.

use crate::support::*;
use axum::http::{Method, StatusCode};
use domain::ids::{MeetingId, ScenarioId};
use store::PgPool;
use time::{Duration, OffsetDateTime};

const MSB_BESTUURDER: &str = "h.koster@rijnoever.example";

async fn scenario(c: &Client, name: &str) -> ScenarioId {
    demo::budget::load(&c.store).await.unwrap();
    store::budget::scenarios(&c.store, Some(2027))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap()
        .id
}

/// A joint meeting of the RvB and the MSB next week.
async fn joint_meeting(c: &Client) -> MeetingId {
    let bodies = store::bodies::list(c.store.pool()).await.unwrap();
    let id = |code: &str| bodies.iter().find(|b| b.code == code).unwrap().id;
    let start = OffsetDateTime::now_utc() + Duration::days(7);
    let input = domain::meetings::meeting_draft::MeetingDraft {
        title: "Begrotingsoverleg".into(),
        kind: domain::meetings::kinds::MeetingKind::Gezamenlijk,
        starts_at: start,
        ends_at: start + Duration::hours(2),
        location: String::new(),
        video_url: String::new(),
        bodies: vec![id("RvB"), id("MSB")],
    };
    let mut tx = c.store.begin().await.unwrap();
    let m = store::meetings::create(&mut tx, &store::audit::Who::system("test"), &input, None)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    m
}

/// Both deciding bodies adopt the proposal on `item`, through the store's decision path.
async fn adopt(c: &Client, item: domain::ids::ItemId) {
    let deciding = store::agenda::get(c.store.pool(), item)
        .await
        .unwrap()
        .deciding_bodies;
    for body in deciding {
        let input = store::decisions::DecisionInput {
            item_id: item,
            body_id: body,
            outcome: domain::meetings::kinds::DecisionOutcome::Aangenomen,
            text: "Vastgesteld.".into(),
            votes_for: None,
            votes_against: None,
            votes_abstain: None,
            vote_summary: String::new(),
            named: Vec::new(),
        };
        let mut tx = c.store.begin().await.unwrap();
        store::decisions::record(&mut tx, &store::audit::Who::system("test"), &input, 0)
            .await
            .unwrap();
        store::commit(tx).await.unwrap();
    }
}

fn euro_cells(body: &str) -> usize {
    body.split("data-allocation>")
        .skip(1)
        .filter(|rest| rest.starts_with('€'))
        .count()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn proposing_is_for_the_controller_and_the_secretary(pool: PgPool) {
    let mut c = app(pool).await;
    let id = scenario(&c, "Basis").await;
    let meeting = joint_meeting(&c).await.to_string();
    let path = format!("/begroting/scenarios/{id}/vaststelling");
    for who in [BESTUURDER, VAKGROEP, BEHEERDER] {
        c.cookies.clear();
        c.sign_in_as(who).await;
        let res = c.post(&path, &[("meeting", &meeting)]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{who}");
    }
    c.cookies.clear();
    c.sign_in_as(CONTROLLER).await;
    // A scenario that does not exist is missing, whoever asks.
    let missing = c
        .post(
            "/begroting/scenarios/999999/vaststelling",
            &[("meeting", &meeting)],
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // Without the CSRF token nothing happens.
    let forged = c
        .request(Method::POST, &path, Some(&[("meeting", meeting.as_str())]))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // A meeting that is not offered is refused with the reason.
    let wrong = c.post(&path, &[("meeting", "999999")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("komende gezamenlijke vergadering"));

    let page = c.get(&format!("/begroting/scenarios/{id}")).await;
    assert!(page.body.contains("Voorstellen ter vaststelling op"));
    assert!(page.body.contains(&format!("<option value=\"{meeting}\"")));
    let res = c.post(&path, &[("meeting", &meeting)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = c.get(&format!("/begroting/scenarios/{id}")).await;
    assert!(
        page.body
            .contains("Voorgesteld ter vaststelling op Begrotingsoverleg")
    );
    assert!(
        !page.body.contains("Voorstellen ter vaststelling op"),
        "once at a time"
    );
    let again = c.post(&path, &[("meeting", &meeting)]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The secretary may propose too (another scenario: the demo proposed "Met initiatieven").
    c.cookies.clear();
    c.sign_in_as(SECRETARIS).await;
    let other = scenario(&c, "Passende zorg geoormerkt").await;
    let res = c
        .post(
            &format!("/begroting/scenarios/{other}/vaststelling"),
            &[("meeting", &meeting)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_adopted_scenario_is_locked_and_shows_its_hash_without_allocations(pool: PgPool) {
    let mut c = app(pool).await;
    let id = scenario(&c, "Basis").await;
    let meeting = joint_meeting(&c).await;
    let mut tx = c.store.begin().await.unwrap();
    let item = store::budget::adoption::propose(
        &mut tx,
        &store::audit::Who::system("test"),
        id,
        meeting,
        OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    adopt(&c, item).await;
    let adoption = store::budget::adoption::for_scenario(&c.store, id)
        .await
        .unwrap()
        .adoption
        .unwrap();

    // The scenario form and a band save are refused with the reason.
    c.sign_in_as(CONTROLLER).await;
    let s = store::budget::scenario(c.store.pool(), id).await.unwrap();
    let version = s.version.to_string();
    let reference = s.reference_year.to_string();
    let res = c
        .post(
            &format!("/begroting/scenarios/{id}"),
            &[
                ("version", version.as_str()),
                ("name", "Basis gewijzigd"),
                ("year", "2027"),
                ("reference_year", reference.as_str()),
                ("variant", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert!(
        res.body.contains("is vastgesteld door RvB en MSB"),
        "{}",
        res.body
    );
    let page = c.get(&format!("/begroting/scenarios/{id}")).await;
    assert!(
        !page.body.contains("/bewerken\">Bewerken"),
        "no edit button"
    );
    assert!(page.body.contains("Begrotingswijziging maken"));

    let car = store::vakgroepen::list(&c.store)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.code == "CAR")
        .unwrap()
        .id;
    c.cookies.clear();
    c.sign_in_as(MSB_BESTUURDER).await;
    let band = c
        .post(
            &format!("/begroting/scenarios/{id}/verdeling/vakgroepen/{car}/band"),
            &[("floor", "90"), ("cap", "110"), ("version", "")],
        )
        .await;
    assert_eq!(band.status, StatusCode::CONFLICT, "{}", band.body);
    assert!(band.body.contains("begrotingswijziging"));

    // The hash, the decisions and the meeting for whoever sees the scenario; the RvB gets no
    // allocation per vakgroep from any of the new displays before the MSB shares it.
    for who in [BESTUURDER, SECRETARIS, CONTROLLER, VAKGROEP, MSB_BESTUURDER] {
        c.cookies.clear();
        c.sign_in_as(who).await;
        for path in [
            format!("/begroting/scenarios/{id}"),
            format!("/begroting/scenarios/{id}/verdeling"),
            "/begroting?jaar=2027".to_string(),
        ] {
            let res = c.get(&path).await;
            assert_eq!(res.status, StatusCode::OK, "{who} {path}");
            assert!(res.body.contains(&adoption.content_hash), "{who} {path}");
            if who != MSB_BESTUURDER {
                assert_eq!(euro_cells(&res.body), 0, "{who} {path}");
            }
        }
        let page = c.get(&format!("/begroting/scenarios/{id}")).await;
        assert!(page.body.contains("Begrotingsoverleg"), "{who}");
        assert!(page.body.contains("aangenomen"), "{who}");
    }

    // A begrotingswijziging starts from the adopted scenario's page.
    c.cookies.clear();
    c.sign_in_as(CONTROLLER).await;
    let res = c
        .post(
            &format!("/begroting/scenarios/{id}/begrotingswijziging"),
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let amendment = c.get(res.location()).await;
    assert!(
        amendment
            .body
            .contains("Begrotingswijziging van de vastgestelde begroting 2027")
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_adopted_budget_is_shown_as_adopted_after_the_year_changes(pool: PgPool) {
    let mut c = app(pool).await;
    let id = scenario(&c, "Basis").await;
    let meeting = joint_meeting(&c).await;
    let mut tx = c.store.begin().await.unwrap();
    let item = store::budget::adoption::propose(
        &mut tx,
        &store::audit::Who::system("test"),
        id,
        meeting,
        OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    c.sign_in_as(MSB_BESTUURDER).await;
    let paths = [
        format!("/begroting/scenarios/{id}"),
        format!("/begroting/scenarios/{id}/verdeling"),
    ];
    // Viewed before the vote, so the input read then is cached; the adoption moves it on.
    for p in &paths {
        assert_eq!(c.get(p).await.status, StatusCode::OK);
    }
    adopt(&c, item).await;
    let mut adopted = Vec::new();
    for p in &paths {
        adopted.push(c.get(p).await.body);
    }
    assert!(
        euro_cells(&adopted[1]) > 0,
        "the MSB board sees the allocations"
    );

    // The year's fee budget changes afterwards: the adopted budget does not.
    let year = store::budget::year(c.store.pool(), 2027).await.unwrap();
    let doubled = domain::budget::master::YearSettingsDraft {
        fee_budget: year.fee_budget.map(|m| m * rust_decimal::Decimal::TWO),
        fixed_share: year.fixed_share,
        band_min: year.band_min,
        band_max: year.band_max,
        signal_threshold: domain::budget::monitoring::DEFAULT_THRESHOLD,
        note: year.note.clone(),
    };
    let mut tx = c.store.begin().await.unwrap();
    store::budget::save_year(
        &mut tx,
        &store::audit::Who::system("test"),
        2027,
        Some(year.version),
        &doubled,
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    for (p, before) in paths.iter().zip(&adopted) {
        let after = c.get(p).await.body;
        assert_eq!(&after, before, "{p}");
    }
    // A scenario that is not adopted follows the year.
    let other = scenario(&c, "Met initiatieven").await;
    let page = c
        .get(&format!("/begroting/scenarios/{other}/verdeling"))
        .await;
    let doubled_m = domain::nl::eur(doubled.fee_budget.unwrap());
    assert!(page.body.contains(&doubled_m), "{doubled_m}");
    assert!(!adopted[1].contains(&doubled_m));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_demo_adopted_2026_and_proposed_a_2027_scenario(pool: PgPool) {
    let mut c = app(pool).await;
    let proposed = scenario(&c, demo::budget::PROPOSED_2027).await;
    let last_year = store::budget::scenarios(&c.store, Some(2026))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Begroting")
        .unwrap()
        .id;
    let adopted = store::budget::adoption::for_scenario(&c.store, last_year)
        .await
        .unwrap()
        .adoption
        .expect("2026 adopted in the demo");
    assert_eq!(adopted.decisions.len(), 2);
    assert!(
        adopted.meeting_starts_at < OffsetDateTime::now_utc(),
        "a past meeting"
    );
    c.sign_in_as(CONTROLLER).await;
    let year = c.get("/begroting?jaar=2026").await;
    assert!(year.body.contains(&adopted.content_hash));
    let page = c.get(&format!("/begroting/scenarios/{proposed}")).await;
    assert!(
        page.body
            .contains("Voorgesteld ter vaststelling op Gezamenlijk overleg RvB en MSB+"),
        "{}",
        page.body
    );
    // The proposal is on the upcoming joint meeting's agenda, for both boards to decide.
    let state = store::budget::adoption::for_scenario(&c.store, proposed)
        .await
        .unwrap();
    let item = store::agenda::get(c.store.pool(), state.open_proposal().unwrap().item_id)
        .await
        .unwrap();
    assert_eq!(item.deciding_bodies.len(), 2);
    assert!(item.title.contains("Vaststelling begroting 2027"));
}
