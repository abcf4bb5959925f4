//! The budget data of the budget tests (HTTP and browser), made through the store's own
//! functions, with every expected figure worked out by hand.

// Not every test target uses every helper.
#![allow(dead_code)]

use domain::budget::{Grondslag, PzVariant, ScenarioDraft, Weights};
use domain::ids::{CareProductId, ScenarioId, TrendInputId, VakgroepId};
use store::Store;
use store::audit::Who;
use store::budget::{self, CareProductInput};
use store::production::{self, ImportRequest};

/// The budget data of the tests, by hand:
///
/// - CAR (represented by l.visser): products A (30 min) and B (60 min), realised in 2029 100× A
///   and 50× B; normuren per fte 40; formatief 2 fte; no KPIs (E = Z = 1, so F = F0).
///   H = 100 × 30/60 + 50 × 60/60 = 100 h; F0 = F = 100 / 40 = 2,5; mutatie +0,5.
/// - ORT (b.dewit): product C (120 min), 10× in 2029; normuren 100; formatief 1.
///   H = 20 h; F = 0,2; mutatie −0,8.
/// - Hospital (the complete vakgroepen CAR and ORT): H 120, F 2,7, formatief 3, mutatie −0,3.
///
/// A trend input of +10 % for all of CAR makes A 110 and B 55: H = 110, F = 2,75 (+0,25),
/// mutatie +0,75; hospital H 130, F 2,95, mutatie −0,05.
pub struct Fixture {
    pub car: VakgroepId,
    pub ort: VakgroepId,
    pub products: Vec<CareProductId>,
}

pub async fn load(s: &Store) -> Fixture {
    let who = Who::system("test");
    let vakgroepen = store::vakgroepen::list(s).await.unwrap();
    let id = |code: &str| VakgroepId::new(vakgroepen.iter().find(|v| v.code == code).unwrap().id);
    let (car, ort) = (id("CAR"), id("ORT"));
    let dec = |x: &str| x.parse::<rust_decimal::Decimal>().unwrap();
    let mut tx = s.begin().await.unwrap();
    let mut products = Vec::new();
    for (vakgroep, code, minutes) in [(car, "A", "30"), (car, "B", "60"), (ort, "C", "120")] {
        let p = budget::create_care_product(
            &mut tx,
            &who,
            &CareProductInput {
                vakgroep_id: vakgroep,
                code: code.into(),
                description: format!("Zorgproduct {code}"),
                active: true,
            },
        )
        .await
        .unwrap();
        budget::set_norm_time(&mut tx, &who, 2031, p, None, dec(minutes))
            .await
            .unwrap();
        products.push(p);
    }
    budget::set_normuren(&mut tx, &who, 2031, car, None, dec("40"))
        .await
        .unwrap();
    budget::set_normuren(&mut tx, &who, 2031, ort, None, dec("100"))
        .await
        .unwrap();
    budget::set_formatief(&mut tx, &who, 2031, car, None, dec("1.5"), dec("0.5"))
        .await
        .unwrap();
    budget::set_formatief(&mut tx, &who, 2031, ort, None, dec("1"), dec("0"))
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    production::import(
        s,
        &who,
        ImportRequest {
            year: 2029,
            period: 1,
            source_name: "dwh.csv",
            data: b"vakgroep;zorgproduct;volume\nCAR;A;100\nCAR;B;50\nORT;C;10\n",
        },
        |_| {},
    )
    .await
    .unwrap();
    Fixture { car, ort, products }
}

/// A scenario for 2031 on the 2029 volumes, with the given trend inputs, made in the store.
/// A scenario for 2031 on the production of 2029: variant 1, weights 80/20/0.
pub fn scenario_input(name: &str, trend_input_ids: Vec<TrendInputId>) -> ScenarioDraft {
    ScenarioDraft {
        year: 2031,
        name: name.into(),
        description: String::new(),
        reference_year: 2029,
        variant: PzVariant::Informatief,
        weights: Weights::REGULAR,
        earmarked_amount: "0".parse().unwrap(),
        grondslag: Grondslag::FormatiefFte,
        trend_input_ids,
        overrides: Vec::new(),
        previous: None,
    }
}

pub async fn scenario(s: &Store, name: &str, trend_input_ids: Vec<TrendInputId>) -> ScenarioId {
    create_scenario(s, &scenario_input(name, trend_input_ids)).await
}

pub async fn create_scenario(s: &Store, input: &ScenarioDraft) -> ScenarioId {
    let mut tx = s.begin().await.unwrap();
    let id = budget::create_scenario(&mut tx, &Who::system("test"), input)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    id
}
