//! Insurer congruence (D8) through the router on the demo hospital: the proposed 2027 scenario
//! against the demo's three insurers (one exceeded), a flagged insurer proposed as an agreement
//! once, the insurers' form and the tariff import with their refusals, and who may do what.

use crate::production::upload;
use crate::support::*;
use axum::http::StatusCode;
use domain::agreements::kinds::{AgreementKind, AgreementStatus, PartyKind};
use domain::ids::{AgreementId, ScenarioId};
use store::PgPool;

async fn proposed(c: &Client) -> ScenarioId {
    demo::budget::load(&c.store).await.unwrap();
    store::budget::scenarios(&c.store, Some(2027))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == demo::budget::PROPOSED_2027)
        .unwrap()
        .id
}

fn flagged(body: &str) -> Vec<String> {
    body.split("data-flagged=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_exceeded_insurer_is_flagged_and_proposed_as_an_agreement_once(pool: PgPool) {
    let mut c = app(pool).await;
    let id = proposed(&c).await;
    let page = format!("/begroting/scenarios/{id}/congruentie");
    c.sign_in_as(CONTROLLER).await;
    let res = c.get(&page).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(flagged(&res.body), [demo::budget::EXCEEDED]);
    assert!(res.body.contains("Overschrijding"));
    assert!(res.body.contains("Coöperatie Rivierenland"));

    let insurers = store::budget::congruence::insurers(&c.store, 2027)
        .await
        .unwrap();
    let exceeded = insurers
        .iter()
        .find(|i| i.name == demo::budget::EXCEEDED)
        .unwrap();
    let within = insurers
        .iter()
        .find(|i| i.name != demo::budget::EXCEEDED)
        .unwrap();
    let path = |insurer: i64| format!("{page}/verzekeraars/{insurer}/afspraak");

    // A representative or a board member does not propose agreements.
    for who in [VAKGROEP, BESTUURDER] {
        c.sign_in_as(who).await;
        assert_eq!(
            c.post(&path(exceeded.id), &[]).await.status,
            StatusCode::FORBIDDEN
        );
    }
    c.sign_in_as(CONTROLLER).await;
    let res = c.post(&path(exceeded.id), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let agreement: i64 = res.location()["/afspraken/".len()..].parse().unwrap();
    let d = store::agreements::detail(&c.store, AgreementId::new(agreement))
        .await
        .unwrap();
    assert_eq!(d.agreement.status, AgreementStatus::Voorgesteld);
    assert_eq!(d.agreement.kind, AgreementKind::Financieel);
    assert!(
        d.agreement
            .title
            .contains("boven contractplafond Zilverland")
    );
    assert!(d.agreement.insurer_deviation.contains("overschrijding"));
    assert_eq!(d.agreement.budget_scenario_id, Some(id.get()));
    assert_eq!(d.parties[0].kind, PartyKind::Verzekeraar);
    // Twice: the same agreement. An insurer within its ceiling: nothing.
    assert_eq!(
        c.post(&path(exceeded.id), &[]).await.location(),
        res.location()
    );
    assert_eq!(c.post(&path(within.id), &[]).await.location(), page);
    assert_eq!(
        c.post(&path(999_999), &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM agreement WHERE budget_scenario_id = $1")
            .bind(id.get())
            .fetch_one(c.store.pool())
            .await
            .unwrap();
    assert_eq!(count, 1);

    // The representative sees the insurers and their own vakgroep's value only.
    c.sign_in_as(VAKGROEP).await;
    let res = c.get(&page).await;
    assert!(res.body.contains("Cardiologie (CAR)"));
    assert!(!res.body.contains("Orthopedie (ORT)"));
    assert!(
        res.body
            .contains("U ziet de vakgroepen die u vertegenwoordigt")
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn insurers_and_tariffs_are_checked_and_kept_by_the_controller(pool: PgPool) {
    let mut c = app(pool).await;
    let id = proposed(&c).await;
    c.sign_in_as(CONTROLLER).await;
    let list = "/begroting/verzekeraars?jaar=2027";

    // Refused input keeps what was typed and answers in Dutch at the field.
    let res = c
        .post(
            list,
            &[("name", " "), ("ceiling", "veel"), ("share", "120")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Vul de naam van de zorgverzekeraar in."));
    assert!(res.body.contains("value=\"veel\""));
    let res = c
        .post(
            list,
            &[
                ("name", demo::budget::EXCEEDED),
                ("ceiling", "1000"),
                ("share", "5"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(
        res.body
            .contains("Er is voor dit jaar al een zorgverzekeraar met deze naam."),
        "{}",
        res.body
    );

    // A fourth insurer: the shares add up to 105 %, and the scenario page says why it stops.
    let res = c
        .post(
            list,
            &[
                ("name", "Nieuwe Verzekeraar"),
                ("ceiling", "€ 1.000.000,00"),
                ("share", "5"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(c.get(list).await.body.contains("data-shares-warning"));
    let page = c
        .get(&format!("/begroting/scenarios/{id}/congruentie"))
        .await;
    assert!(
        page.body.contains("tellen op tot 105,00 %"),
        "{}",
        page.body
    );

    // Edited on a stale version: refused, nothing changed; deleted with the current one.
    let new = store::budget::congruence::insurers(&c.store, 2027)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.name == "Nieuwe Verzekeraar")
        .unwrap();
    let edit = format!("/begroting/verzekeraars/{}", new.id);
    assert!(c.get(&edit).await.body.contains("value=\"1.000.000,00\""));
    let fields = [
        ("name", "Hernoemd"),
        ("ceiling", "1000"),
        ("share", "5"),
        ("version", "1"),
    ];
    assert_eq!(c.post(&edit, &fields).await.status, StatusCode::SEE_OTHER);
    let stale = c
        .post(
            &edit,
            &[
                ("name", "Nogmaals"),
                ("ceiling", "1000"),
                ("share", "5"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        stale.body
    );
    assert!(
        stale
            .body
            .contains("Iemand anders heeft deze zorgverzekeraar intussen gewijzigd")
    );
    let res = c
        .post(&format!("{edit}/verwijderen"), &[("version", "2")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        store::budget::congruence::insurers(&c.store, 2027)
            .await
            .unwrap()
            .len(),
        3
    );

    // Tariffs: a file with an unknown product is refused whole, a good one replaces the list.
    let before = store::budget::congruence::tariff_count(&c.store, 2027)
        .await
        .unwrap();
    let bad = upload(
        &mut c,
        "/begroting/verzekeraars/tarieven?jaar=2027",
        &[],
        "tarieven.csv",
        "zorgproduct;tarief\nONBEKEND-1;12,50\nONBEKEND-2;-3\n".as_bytes(),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("Tarieven niet geïmporteerd"),
        "{}",
        bad.body
    );
    assert_eq!(
        store::budget::congruence::tariff_count(&c.store, 2027)
            .await
            .unwrap(),
        before
    );
    let code: String = sqlx::query_scalar("SELECT code FROM care_product ORDER BY id LIMIT 1")
        .fetch_one(c.store.pool())
        .await
        .unwrap();
    let good = upload(
        &mut c,
        "/begroting/verzekeraars/tarieven?jaar=2027",
        &[],
        "tarieven.csv",
        format!("zorgproduct;tarief\n{code};1234,56\n").as_bytes(),
    )
    .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    assert_eq!(
        store::budget::congruence::tariff_count(&c.store, 2027)
            .await
            .unwrap(),
        1
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE object_type = 'tariff_list' AND action = 'replace'",
    )
    .fetch_one(c.store.pool())
    .await
    .unwrap();
    assert!(audited >= 2, "the demo's list and this one");

    // Everyone with the budget sees the contracts; only the controller keeps them.
    c.sign_in_as(VAKGROEP).await;
    let seen = c.get(list).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.body.contains("Zorgverzekeraar toevoegen"));
    assert_eq!(
        c.post(list, &[("name", "X"), ("ceiling", "1"), ("share", "1")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
