//! Insurer congruence (D8) computed by hand on the golden budget of variant 1 (CAR and KNO).

mod support;

use gg_domain::agreements::kinds::{AgreementKind, PartyKind};
use gg_domain::budget::congruence::{
    Insurer, Position, agreement_prefill, congruence, production_value,
};
use gg_domain::budget::{BudgetInput, Scenario, compute};
use rust_decimal::{Decimal, dec};
use std::collections::HashMap;
use support::{car, kno};

/// Budget volumes (budget_golden.rs, variant 1): CAR 101 11.000, 102 1.700, 103 6.500;
/// KNO 201 2.550, 202 850. Baselines: CAR 10.000, 2.000, 5.000; KNO 3.000, 1.000.
///
/// Tariffs: 101 € 150,00; 102 € 1.200,00; 103 none (listed: it has a budget volume);
/// 201 € 800,00; 202 € 95,50.
///
/// CAR value    = 11.000 × 150 + 1.700 × 1.200 = 1.650.000 + 2.040.000 = 3.690.000
///     baseline = 10.000 × 150 + 2.000 × 1.200 = 1.500.000 + 2.400.000 = 3.900.000 (−210.000)
/// KNO value    = 2.550 × 800 + 850 × 95,50 = 2.040.000 + 81.175 = 2.121.175
///     baseline = 3.000 × 800 + 1.000 × 95,50 = 2.400.000 + 95.500 = 2.495.500 (−374.325)
/// Total 5.811.175; baseline 6.395.500.
///
/// Insurers (tolerance 1 %):
///   Zilveren Kruis 45,5 %: 5.811.175 × 0,455 = 2.644.084,625 against 2.500.000:
///     +144.084,625 = +5,76 % → excess, flagged
///   CZ 30 %: 1.743.352,50 against 1.800.000: −56.647,50 = −3,15 % → shortfall, flagged
///   VGZ 24,5 % (last: the rest) 5.811.175 − 2.644.084,625 − 1.743.352,50 = 1.423.737,875
///     (= 24,5 % exactly) against 1.423.738: −0,125, within 1 %.
fn setup() -> (
    BudgetInput,
    gg_domain::budget::BudgetResult,
    HashMap<i64, Decimal>,
    Vec<Insurer>,
) {
    let input = BudgetInput {
        vakgroepen: vec![car(), kno()],
    };
    let result = compute(&input, &Scenario::default()).unwrap();
    let tariffs = HashMap::from([
        (101, dec!(150.00)),
        (102, dec!(1200.00)),
        (201, dec!(800.00)),
        (202, dec!(95.50)),
    ]);
    let insurers = vec![
        Insurer {
            id: 1,
            name: "Zilveren Kruis".into(),
            ceiling: dec!(2500000),
            share: dec!(45.5),
        },
        Insurer {
            id: 2,
            name: "CZ".into(),
            ceiling: dec!(1800000),
            share: dec!(30),
        },
        Insurer {
            id: 3,
            name: "VGZ".into(),
            ceiling: dec!(1423738),
            share: dec!(24.5),
        },
    ];
    (input, result, tariffs, insurers)
}

#[test]
fn production_value_per_vakgroep_and_insurer() {
    let (input, result, tariffs, insurers) = setup();
    let c = congruence(&input, &result, &tariffs, &insurers, dec!(0.01)).unwrap();
    assert_eq!(c.total_value, dec!(5811175));
    assert_eq!(c.baseline_value, dec!(6395500));
    let car = &c.vakgroepen[0];
    assert_eq!(car.value, dec!(3690000));
    assert_eq!(car.change, dec!(-210000));
    assert_eq!(car.without_tariff, ["ZP103"]);
    // 3.690.000 × 45,5 % = 1.678.950; × 30 % = 1.107.000; the rest 904.050.
    assert_eq!(car.by_insurer, [dec!(1678950), dec!(1107000), dec!(904050)]);
    let kno = &c.vakgroepen[1];
    assert_eq!(kno.value, dec!(2121175));
    assert_eq!(
        kno.by_insurer,
        [dec!(965134.625), dec!(636352.5), dec!(519687.875)]
    );

    let zk = &c.insurers[0];
    assert_eq!(zk.value, dec!(2644084.625));
    assert_eq!(zk.difference, dec!(144084.625));
    assert_eq!(zk.position, Position::Excess);
    assert!(zk.flagged);
    let cz = &c.insurers[1];
    assert_eq!(cz.difference, dec!(-56647.5));
    assert_eq!(cz.position, Position::Shortfall);
    let vgz = &c.insurers[2];
    assert_eq!(vgz.value, dec!(1423737.875));
    assert_eq!(vgz.position, Position::Within);
    assert!(!vgz.flagged);
    let total: Decimal = c.insurers.iter().map(|i| i.value).sum();
    assert_eq!(total, c.total_value);
    // Both vakgroepen shrink while CZ is short: they move with its deviation.
    assert!(c.vakgroepen.iter().all(|v| v.moves_with_deviation));

    // Without a tolerance VGZ's 12,5 cents short is flagged too.
    let strict = congruence(&input, &result, &tariffs, &insurers, Decimal::ZERO).unwrap();
    assert_eq!(strict.insurers[2].position, Position::Shortfall);
}

#[test]
fn production_value_needs_no_insurers() {
    let (input, result, tariffs, _) = setup();
    let values = production_value(&input, &result, &tariffs).unwrap();
    assert_eq!(values[1].value, dec!(2121175));
    assert!(values.iter().all(|v| v.by_insurer.is_empty()));
}

#[test]
fn a_flagged_insurer_proposes_a_financial_agreement() {
    let (input, result, tariffs, insurers) = setup();
    let c = congruence(&input, &result, &tariffs, &insurers, dec!(0.01)).unwrap();
    let names = HashMap::from([
        (1, "Cardiologie".to_string()),
        (2, "KNO-heelkunde".to_string()),
    ]);
    assert_eq!(agreement_prefill(&c, 2, "Basis", 2027, &names), None);

    let zk = agreement_prefill(&c, 0, "Basis", 2027, &names).unwrap();
    assert_eq!(zk.kind, AgreementKind::Financieel);
    assert_eq!(
        zk.title,
        "Productie 2027 ligt 5,8 % boven contractplafond Zilveren Kruis"
    );
    assert_eq!(zk.parties.len(), 1);
    assert_eq!(zk.parties[0].kind, PartyKind::Verzekeraar);
    assert_eq!(zk.parties[0].label, "Zilveren Kruis");
    assert_eq!(
        zk.description.lines().next().unwrap(),
        "In scenario \"Basis\" is de productiewaarde 2027 (budgetvolume × tarief) € 5.811.175,00. Het aandeel van Zilveren Kruis (45,50 %) is € 2.644.084,63 tegen een contractplafond van € 2.500.000,00: een overschrijding van € 144.084,63 (5,8 %)."
    );
    assert!(zk.description.contains(
        "Tegen het referentiejaar (basisvolume × tarief, € 6.395.500,00) is dat −€ 584.325,00."
    ));
    // Nobody grows, so no vakgroep is named for an excess.
    assert!(!zk.description.contains("Grootste verandering"));
    assert!(
        zk.description
            .contains("1 zorgproduct met een budgetvolume heeft geen tarief")
    );
    assert_eq!(
        zk.insurer_deviation.as_deref(),
        Some(
            "Scenario \"Basis\" 2027: een overschrijding van € 144.084,63 (5,8 %) van het contractplafond van Zilveren Kruis (€ 2.500.000,00)."
        )
    );

    let cz = agreement_prefill(&c, 1, "Basis", 2027, &names).unwrap();
    assert_eq!(
        cz.title,
        "Productie 2027 blijft 3,1 % onder contractplafond CZ"
    );
    assert!(cz.description.contains(
        "Grootste verandering in productiewaarde in dezelfde richting: KNO-heelkunde (−€ 374.325,00), Cardiologie (−€ 210.000,00)."
    ));
}
