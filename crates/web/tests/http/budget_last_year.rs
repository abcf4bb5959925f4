//! "Begroting vorig jaar" (D5, D7): a scenario builds on one of the year before, whose norm-fte
//! is the grondslag "norm-fte vorig jaar" of variant 3.

use crate::budget_scenarios::row;
use crate::budget_trends::budget_fixture::{self, scenario_input};
use crate::budget_trends::fixture;
use crate::support::*;
use axum::http::StatusCode;
use domain::budget::ScenarioDraft;
use domain::ids::ScenarioId;
use store::PgPool;
use store::audit::Who;
use store::budget;

/// Last year (2030) by hand, on the same production of 2029 and the same norm times:
/// CAR H = 100 h with 50 normuren per fte → F = 2,0; ORT H = 20 h with 100 → F = 0,2.
/// This year (2031) the earmark of € 1.000 goes pro rata to last year's F × Z (Z = 1 without
/// KPIs): CAR 1.000 × 2,0 / 2,2 = 909,0909… and ORT 90,9090…; in whole cents CAR 909,09 and
/// ORT 90,91 (the larger remainder gets the last cent), together exactly 1.000,00.
/// On formatief fte (CAR 2, ORT 1) it would have been 666,67 and 333,33.
async fn last_year(c: &Client, f: &budget_fixture::Fixture) -> ScenarioId {
    let who = Who::system("test");
    let dec = |x: &str| x.parse::<rust_decimal::Decimal>().unwrap();
    let mut tx = c.store.begin().await.unwrap();
    for (&p, minutes) in f.products.iter().zip(["30", "60", "120"]) {
        budget::set_norm_time(&mut tx, &who, 2030, p, None, dec(minutes))
            .await
            .unwrap();
    }
    budget::set_normuren(&mut tx, &who, 2030, f.car, None, dec("50"))
        .await
        .unwrap();
    budget::set_normuren(&mut tx, &who, 2030, f.ort, None, dec("100"))
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    let input = ScenarioDraft {
        year: 2030,
        ..scenario_input("Begroting", vec![])
    };
    budget_fixture::create_scenario(&c.store, &input).await
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn variant_three_shares_the_earmark_by_last_years_norm_fte(pool: PgPool) {
    let mut c = app(pool).await;
    let f = fixture(&c).await;
    let previous = last_year(&c, &f).await;
    c.sign_in_as(CONTROLLER).await;

    // A year outside the budget years falls back to the latest (no overflow on "year - 1").
    for jaar in ["-32768", "32767", "1999"] {
        let page = c
            .get(&format!("/begroting/scenarios/nieuw?jaar={jaar}"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{jaar}");
    }

    // The only scenario of 2030 is offered, and chosen, as last year's budget.
    let new = c.get("/begroting/scenarios/nieuw?jaar=2031").await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(
        new.body.contains(&format!(
            "<option value=\"{previous}\" selected>Begroting (2030)</option>"
        )),
        "{}",
        new.body
    );

    // Variant 3 for CAR and ORT only: the other vakgroepen of the test database have no figures,
    // and a participant without its grondslag stops the whole distribution (domain rule).
    let (car_variant, ort_variant) = (format!("variant_{}", f.car), format!("variant_{}", f.ort));
    let mut form = vec![
        ("name", "Geoormerkt"),
        ("year", "2031"),
        ("reference_year", "2029"),
        ("variant", "1"),
        ("earmark", "1.000,00"),
        ("grondslag", "norm_fte_vorig_jaar"),
        ("previous", ""),
        (car_variant.as_str(), "3"),
        (ort_variant.as_str(), "3"),
    ];
    // Without last year's budget the grondslag has no source: refused at the field, as typed.
    let refused = c.post("/begroting/scenarios", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains(
            "Kies de begroting van vorig jaar: de grondslag norm-fte vorig jaar komt daaruit."
        ),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"1.000,00\""));
    assert!(
        budget::scenarios(&c.store, Some(2031))
            .await
            .unwrap()
            .is_empty()
    );

    // A scenario of the same year is not last year's budget (only a forged form sends one).
    let same_year = budget_fixture::scenario(&c.store, "Basis", vec![]).await;
    let same_year = same_year.to_string();
    form[6] = ("previous", &same_year);
    let refused = c.post("/begroting/scenarios", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Kies als begroting vorig jaar een scenario van 2030."),
        "{}",
        refused.body
    );

    let previous_id = previous.to_string();
    form[6] = ("previous", &previous_id);
    let made = c.post("/begroting/scenarios", &form).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let id = made
        .location()
        .trim_start_matches("/begroting/scenarios/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let s = budget::scenario(c.store.pool(), id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(s.previous_scenario_id, Some(previous));

    let page = c.get(&format!("/begroting/scenarios/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    // H, F0, E, Z, F, formatief, mutatie, earmark: this year's figures, last year's basis.
    assert_eq!(
        row(&page.body, "CAR"),
        [
            "100,00",
            "2,50",
            "100,0 %",
            "100,0 %",
            "2,50",
            "2,00",
            "+0,50",
            "€ 909,09"
        ]
    );
    assert_eq!(row(&page.body, "ORT")[7], "€ 90,91");
    assert_eq!(row(&page.body, "ziekenhuis")[7], "€ 1.000,00");
    assert!(!page.body.contains("ontbreekt een bruikbare grondslag"));
    assert!(page.body.contains(&format!(
        "<a href=\"/begroting/scenarios/{previous}\">Begroting (2030)</a>"
    )));
    // "Vergelijken" puts last year's budget next to this one.
    assert!(page.body.contains(&format!(
        "/begroting/scenarios/vergelijken?s={id}&amp;s={previous}"
    )));

    // The trace names the basis: last year's norm-fte × Z.
    let detail = c
        .get(&format!("/begroting/scenarios/{id}/vakgroep?v={}", f.car))
        .await;
    assert!(
        detail.body.contains("Norm-fte vorig jaar 2,00 × Z 100,0 %"),
        "{}",
        detail.body
    );

    // Last year's master data changes (normuren CAR 50 → 100, so its F 2,0 → 1,0): the next view
    // shows the new shares at once, although the scenario itself did not change (the pages keep
    // what they read per budget revision, and any change moves it).
    let mut tx = c.store.begin().await.unwrap();
    let normuren = budget::normuren(&c.store, 2030).await.unwrap();
    let car = normuren.iter().find(|n| n.vakgroep_id == f.car).unwrap();
    budget::set_normuren(
        &mut tx,
        &Who::system("test"),
        2030,
        f.car,
        Some(car.version),
        "100".parse().unwrap(),
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    let page = c.get(&format!("/begroting/scenarios/{id}")).await;
    assert_eq!(row(&page.body, "CAR")[7], "€ 833,33");
    assert_eq!(row(&page.body, "ORT")[7], "€ 166,67");

    // Changing the grondslag to formatief fte, last year's budget stays and no longer matters.
    form[5] = ("grondslag", "formatief");
    form.push(("version", "1"));
    let saved = c.post(&format!("/begroting/scenarios/{id}"), &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = c.get(&format!("/begroting/scenarios/{id}")).await;
    assert_eq!(row(&page.body, "CAR")[7], "€ 666,67");
    assert_eq!(row(&page.body, "ORT")[7], "€ 333,33");
}
