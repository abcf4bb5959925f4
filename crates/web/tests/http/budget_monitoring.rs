//! Monitoring (D10) through the router on the demo hospital: the adopted 2026 budget against the
//! demo's production of 2026 (orthopedics runs ahead), what each reader sees, the year's
//! threshold, and a signal proposed as an agreement — once, by those who may.

use crate::support::*;
use axum::http::StatusCode;
use domain::agreements::kinds::{AgreementKind, AgreementStatus, PartyKind};
use domain::ids::AgreementId;
use store::PgPool;

const PAGE: &str = "/begroting/monitoring?jaar=2026";

async fn vakgroep_id(c: &Client, code: &str) -> i64 {
    store::vakgroepen::list(&c.store)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.code.as_str() == code)
        .unwrap()
        .id
}

fn signals(body: &str) -> Vec<String> {
    body.split("data-signal=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_vakgroep_ahead_of_its_adopted_budget_gets_a_signal(pool: PgPool) {
    let mut c = app(pool).await;
    demo::budget::load(&c.store).await.unwrap();
    let hash = store::budget::adoption::for_year(&c.store, 2026)
        .await
        .unwrap()
        .pop()
        .unwrap()
        .content_hash;
    c.sign_in_as(CONTROLLER).await;
    let page = c.get(PAGE).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(signals(&page.body), [demo::budget::AHEAD]);
    assert!(
        page.body.contains(&hash),
        "the adopted budget it compares with"
    );
    assert!(page.body.contains("tot en met december 2026"));
    assert!(
        page.body.contains("Orthopedie ligt "),
        "the signal's sentence"
    );
    assert!(
        page.body.contains("role=\"img\""),
        "the chart, with its table"
    );
    assert!(page.body.contains("Normuren van het ziekenhuis per maand"));

    let ort = vakgroep_id(&c, "ORT").await;
    let detail = c
        .get(&format!("/begroting/monitoring/vakgroepen/{ort}?jaar=2026"))
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains("Afspraak voorstellen"));
    assert!(
        detail
            .body
            .contains("Seizoenspatroon van het referentiejaar")
    );

    // A year without an adopted budget says so; nothing per vakgroep.
    let none = c.get("/begroting/monitoring?jaar=2027").await;
    assert!(none.body.contains("data-no-adoption"), "{}", none.body);
    let missing = c
        .get(&format!("/begroting/monitoring/vakgroepen/{ort}?jaar=2027"))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // Hostile years fall back to this year rather than failing.
    for q in ["abc", "%00", "99999", "-1"] {
        let res = c.get(&format!("/begroting/monitoring?jaar={q}")).await;
        assert!(!res.status.is_server_error(), "{q}: {}", res.status);
    }

    // The threshold is the year's setting: at 15 % orthopedics is within it. The page follows
    // at once (the figures are kept per budget revision, which the setting moves).
    let y = store::budget::year(c.store.pool(), 2026).await.unwrap();
    let input = domain::budget::master::YearSettingsDraft {
        fee_budget: y.fee_budget,
        fixed_share: y.fixed_share,
        band_min: y.band_min,
        band_max: y.band_max,
        signal_threshold: "0.15".parse().unwrap(),
        note: y.note.clone(),
    };
    let mut tx = c.store.begin().await.unwrap();
    store::budget::save_year(
        &mut tx,
        &store::audit::Who::system("test"),
        2026,
        Some(y.version),
        &input,
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    let page = c.get(PAGE).await;
    assert!(signals(&page.body).is_empty(), "{:?}", signals(&page.body));
    assert!(page.body.contains("meer dan 15,0 %"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_dashboard_names_the_signals_of_the_latest_adopted_year(pool: PgPool) {
    let mut c = app(pool).await;
    demo::budget::load(&c.store).await.unwrap();
    let ort = vakgroep_id(&c, "ORT").await;
    c.sign_in_as(CONTROLLER).await;
    let home = c.get("/").await;
    assert!(
        home.body
            .contains("Begroting 2026: realisatie tot en met december"),
        "{}",
        home.body
    );
    assert!(
        home.body
            .contains(&format!("/begroting/monitoring/vakgroepen/{ort}?jaar=2026"))
    );
    // The CAR representative: no signal they may see.
    c.sign_in_as(VAKGROEP).await;
    let home = c.get("/").await;
    assert!(home.body.contains("data-no-signals"));
    assert!(!home.body.contains("Orthopedie"));
    // Without the budget, no block at all.
    c.sign_in_as(TOEHOORDER).await;
    assert!(!c.get("/").await.body.contains("realisatie tot en met"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn each_reader_sees_their_own_vakgroepen_and_the_hospital(pool: PgPool) {
    let mut c = app(pool).await;
    demo::budget::load(&c.store).await.unwrap();
    let (ort, car) = (vakgroep_id(&c, "ORT").await, vakgroep_id(&c, "CAR").await);

    // The CAR representative: CAR and the hospital; orthopedics does not exist for them.
    c.sign_in_as(VAKGROEP).await;
    let page = c.get(PAGE).await;
    assert!(page.body.contains("Cardiologie (CAR)"));
    assert!(!page.body.contains("Orthopedie"), "{}", page.body);
    assert!(
        page.body
            .contains("U ziet de vakgroepen die u vertegenwoordigt")
    );
    let other = c
        .get(&format!("/begroting/monitoring/vakgroepen/{ort}?jaar=2026"))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let own = c
        .get(&format!("/begroting/monitoring/vakgroepen/{car}?jaar=2026"))
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(!own.body.contains("Afspraak voorstellen"));

    // The secretary sees every vakgroep's figures, as on the scenario pages.
    c.sign_in_as(SECRETARIS).await;
    assert!(c.get(PAGE).await.body.contains("Orthopedie (ORT)"));
    for who in [BEHEERDER, TOEHOORDER] {
        c.sign_in_as(who).await;
        assert_eq!(c.get(PAGE).await.status, StatusCode::FORBIDDEN, "{who}");
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_signal_becomes_a_proposed_agreement_once(pool: PgPool) {
    let mut c = app(pool).await;
    demo::budget::load(&c.store).await.unwrap();
    let (ort, car) = (vakgroep_id(&c, "ORT").await, vakgroep_id(&c, "CAR").await);
    let adopted = store::budget::adoption::for_year(&c.store, 2026)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let path = format!("/begroting/monitoring/vakgroepen/{ort}/afspraak");

    // Neither a board member nor a representative proposes agreements.
    for who in [BESTUURDER, VAKGROEP] {
        c.sign_in_as(who).await;
        assert_eq!(
            c.post(&path, &[("jaar", "2026")]).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }

    c.sign_in_as(CONTROLLER).await;
    let res = c.post(&path, &[("jaar", "2026")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id: i64 = res
        .location()
        .strip_prefix("/afspraken/")
        .unwrap()
        .parse()
        .unwrap();
    let d = store::agreements::detail(&c.store, AgreementId::new(id))
        .await
        .unwrap();
    assert_eq!(d.agreement.status, AgreementStatus::Voorgesteld);
    assert_eq!(d.agreement.kind, AgreementKind::Financieel);
    assert!(
        d.agreement.title.starts_with("Realisatie Orthopedie ")
            && d.agreement
                .title
                .ends_with("boven budget t/m december 2026"),
        "{}",
        d.agreement.title
    );
    assert!(d.agreement.description.contains("normuren"));
    assert_eq!(
        d.agreement.budget_scenario_id,
        Some(adopted.scenario_id.get())
    );
    assert_eq!(d.parties.len(), 1);
    assert_eq!(d.parties[0].kind, PartyKind::Vakgroep);
    assert_eq!(d.parties[0].vakgroep_id, Some(ort));
    // The controller sees it in the register.
    assert_eq!(c.get(res.location()).await.status, StatusCode::OK);

    // Again (a second click, or the secretary): the same agreement, not a second one.
    c.sign_in_as(SECRETARIS).await;
    let again = c.post(&path, &[("jaar", "2026")]).await;
    assert_eq!(again.location(), res.location());

    // Without a signal nothing is proposed, and the page says why.
    let none = c
        .post(
            &format!("/begroting/monitoring/vakgroepen/{car}/afspraak"),
            &[("jaar", "2026")],
        )
        .await;
    assert_eq!(none.status, StatusCode::SEE_OTHER);
    assert!(
        none.location().ends_with("geen_signaal=1"),
        "{}",
        none.location()
    );
    let page = c.get(none.location()).await;
    assert!(page.body.contains("data-no-signal"));
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM agreement WHERE budget_scenario_id = $1")
            .bind(adopted.scenario_id.get())
            .fetch_one(c.store.pool())
            .await
            .unwrap();
    assert_eq!(count, 1);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE object_type = 'agreement' AND object_id = $1 AND action = 'create'",
    )
    .bind(id.to_string())
    .fetch_one(c.store.pool())
    .await
    .unwrap();
    assert_eq!(audited, 1);
}
