//! An absolute trend input gives the same figures wherever it comes from (D4): stored in the
//! database (`numeric(16,4)`, read back as 2.0000), typed in the what-if, or typed in the
//! representative's form.

use crate::budget_scenarios::row;
use crate::budget_trends::{fields, fixture, scenario};
use crate::support::*;
use axum::http::StatusCode;
use domain::budget::trend::TrendStatus;
use domain::budget::{ChangeKind, ScopeKind, TrendCategory};
use store::PgPool;
use store::audit::Who;
use store::budget::{self, TrendInputInput};

/// +2 for all of CAR, spread pro rata to the baseline (A 100, B 50) in hundredths by largest
/// remainder: A +1,33 (remainder 0,33…) and B +0,67 (remainder 0,66…, the larger). So
/// H = 101,33 × 30/60 + 50,67 × 60/60 = 50,665 + 50,67 = 101,335, shown as 101,34; F = 2,53.
/// Exact quotients (A +1,333…, B +0,666…) would give 101,333… and show 101,33.
const H: &str = "101,34";
const F: &str = "2,53";

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_stored_absolute_input_gives_the_figures_of_the_same_value_typed(pool: PgPool) {
    let mut c = app(pool).await;
    let f = fixture(&c).await;
    let basis = scenario(&c, "Basis", vec![]).await;
    let who = Who::system("test");
    let mut tx = c.store.begin().await.unwrap();
    let input = budget::create_trend_input(
        &mut tx,
        &who,
        &TrendInputInput {
            year: 2031,
            vakgroep_id: f.car,
            scope: ScopeKind::Vakgroep,
            product_ids: vec![],
            kind: ChangeKind::Absoluut,
            value: "2".parse().unwrap(),
            category: TrendCategory::Concentratie,
            rationale: "Twee extra patiënten".into(),
            source: String::new(),
        },
    )
    .await
    .unwrap();
    budget::change_trend_status(&mut tx, &who, input, 1, TrendStatus::Ingediend, "")
        .await
        .unwrap();
    budget::change_trend_status(&mut tx, &who, input, 2, TrendStatus::Geaccepteerd, "")
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    let with = scenario(&c, "Met twee", vec![input]).await;

    // The store hands the value back as the column keeps it, with four decimals.
    let stored = budget::engine_input(&c.store, with).await.unwrap();
    let value = stored.trend_inputs[0].value;
    assert_eq!(value, "2".parse().unwrap());
    assert_eq!(value.to_string(), "2.0000");

    // Stored: the scenario page.
    c.sign_in_as(CONTROLLER).await;
    let page = c.get(&format!("/begroting/scenarios/{with}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let car = row(&page.body, "CAR");
    assert_eq!((car[0].as_str(), car[4].as_str()), (H, F), "{car:?}");

    // Typed in the what-if: the same value changes nothing.
    let what_if = c
        .get(&format!(
            "/begroting/scenarios/{with}/watals?met={input}&waarde_{input}=2"
        ))
        .await;
    assert_eq!(what_if.status, StatusCode::OK, "{}", what_if.body);
    assert_eq!(
        row(&what_if.body, "CAR"),
        [H, H, "0,00", F, F, "0,00"],
        "stored and typed differ"
    );
    // ... and switched on in the scenario without it.
    let what_if = c
        .get(&format!(
            "/begroting/scenarios/{basis}/watals?met={input}&waarde_{input}=2"
        ))
        .await;
    assert_eq!(row(&what_if.body, "CAR")[1], H);

    // Typed in the representative's form: the preview in the scenario without it.
    c.cookies.clear();
    c.sign_in_as(VAKGROEP).await;
    let form = vec![
        ("jaar", "2031".to_string()),
        ("vakgroep", f.car.to_string()),
        ("scenario", basis.to_string()),
        ("scope", "vakgroep".into()),
        ("change_kind", "absoluut".into()),
        ("value", "2".into()),
        ("category", "concentratie".into()),
        ("rationale", "Twee extra patiënten".into()),
    ];
    let preview = c
        .post("/begroting/trendinput/voorbeeld", &fields(&form))
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains(H) && preview.body.contains(F),
        "{}",
        preview.body
    );
}
