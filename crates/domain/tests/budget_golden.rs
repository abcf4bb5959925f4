//! Hand-computed examples of the capacity-budget engine, one per passende-zorg variant. The
//! arithmetic is written out in the comments so a controller can check it on paper; the asserts
//! compare exact decimals, and display rounding to the hundredth.

use gg_domain::budget::{
    BudgetInput, CareProduct, Direction, Earmark, Grondslag, KpiInput, KpiKind, PzVariant,
    Scenario, Severity, TrendCategory, TrendChange, TrendInput, TrendScope, VakgroepInput, compute,
    fte_text, hours_text, index_text, mutation_text, round_fte, round_hours, top_movers,
};
use rust_decimal::{Decimal, dec};

fn product(id: i64, norm_minutes: Decimal, baseline: Decimal) -> CareProduct {
    CareProduct {
        id,
        code: format!("ZP{id}"),
        norm_minutes,
        baseline,
    }
}

fn kpi(
    code: &str,
    kind: KpiKind,
    direction: Direction,
    reference: Decimal,
    local: Decimal,
) -> KpiInput {
    KpiInput {
        code: code.into(),
        kind,
        direction,
        reference,
        local,
    }
}

fn trend(id: i64, scope: TrendScope, change: TrendChange) -> TrendInput {
    TrendInput {
        id,
        scope,
        change,
        category: TrendCategory::Demografie,
    }
}

/// Cardiologie.
///
/// | product | normtijd | B      |
/// | 101     | 30 min   | 10.000 |
/// | 102     | 90 min   |  2.000 |
/// | 103     | 12 min   |  5.000 |
///
/// Trend inputs: T1 whole vakgroep +10 %; T2 product 102 −25 %; T3 product 103 +1.000 absolute.
/// KPIs: efficiency "herhaalconsulten" lower is better, reference 2,4, local 2,0;
/// efficiency "poli-efficiency" higher is better, reference 80, local 72;
/// passende zorg "thuismonitoring" higher is better, reference 40, local 44.
/// Normuren per fte 1.100, formatief 8,0 fte.
fn car() -> VakgroepInput {
    VakgroepInput {
        id: 1,
        code: "CAR".into(),
        normuren_per_fte: Some(dec!(1100)),
        formatief_fte: dec!(8.0),
        last_year_norm_fte: Some(dec!(8.2)),
        products: vec![
            product(101, dec!(30), dec!(10000)),
            product(102, dec!(90), dec!(2000)),
            product(103, dec!(12), dec!(5000)),
        ],
        kpis: vec![
            kpi(
                "herhaalconsulten",
                KpiKind::Efficiency,
                Direction::LowerIsBetter,
                dec!(2.4),
                dec!(2.0),
            ),
            kpi(
                "poli-efficiency",
                KpiKind::Efficiency,
                Direction::HigherIsBetter,
                dec!(80),
                dec!(72),
            ),
            kpi(
                "thuismonitoring",
                KpiKind::PassendeZorg,
                Direction::HigherIsBetter,
                dec!(40),
                dec!(44),
            ),
        ],
        trends: vec![
            trend(1, TrendScope::Vakgroep, TrendChange::Percent(dec!(10))),
            trend(
                2,
                TrendScope::Products(vec![102]),
                TrendChange::Percent(dec!(-25)),
            ),
            trend(
                3,
                TrendScope::Products(vec![103]),
                TrendChange::Absolute(dec!(1000)),
            ),
        ],
    }
}

/// KNO.
///
/// | product | normtijd | B     |
/// | 201     | 45 min   | 3.000 |
/// | 202     | 21 min   | 1.000 |
///
/// Trend inputs: T4 whole vakgroep −400 absolute; T5 whole vakgroep −5 %.
/// KPIs: efficiency "ligduur" with local value 0 (unusable); passende zorg "tonsillectomie in
/// dagbehandeling" higher is better, reference 32, local 44 (seed 003 rekenvoorbeeld 2).
/// Normuren per fte 1.300, formatief 2,1 fte.
fn kno() -> VakgroepInput {
    VakgroepInput {
        id: 2,
        code: "KNO".into(),
        normuren_per_fte: Some(dec!(1300)),
        formatief_fte: dec!(2.1),
        last_year_norm_fte: Some(dec!(1.9)),
        products: vec![
            product(201, dec!(45), dec!(3000)),
            product(202, dec!(21), dec!(1000)),
        ],
        kpis: vec![
            kpi(
                "ligduur",
                KpiKind::Efficiency,
                Direction::LowerIsBetter,
                dec!(3.1),
                dec!(0),
            ),
            kpi(
                "tonsillectomie-dagbehandeling",
                KpiKind::PassendeZorg,
                Direction::HigherIsBetter,
                dec!(32),
                dec!(44),
            ),
        ],
        trends: vec![
            trend(4, TrendScope::Vakgroep, TrendChange::Absolute(dec!(-400))),
            trend(5, TrendScope::Vakgroep, TrendChange::Percent(dec!(-5))),
        ],
    }
}

/// Radiologie without normuren per fte: an error for this vakgroep only.
fn rad() -> VakgroepInput {
    VakgroepInput {
        id: 3,
        code: "RAD".into(),
        normuren_per_fte: None,
        formatief_fte: dec!(6),
        last_year_norm_fte: None,
        products: vec![product(301, dec!(10), dec!(600))],
        kpis: vec![],
        trends: vec![],
    }
}

/// Urologie.
///
/// | product | normtijd | B      |
/// | 401     | 60 min   | 10.000 |
/// | 402     | 30 min   |     50 |
///
/// Trend inputs: T6 whole vakgroep +20 %; T7 product 402 −80 absolute.
/// KPIs: passende zorg "buikecho's" lower is better, reference 1,0, local 0,8; passende zorg
/// "cystoscopie" with reference 0 (unusable). No efficiency KPI: E = 1.
/// Normuren per fte 1.000, formatief 11,5 fte.
fn uro() -> VakgroepInput {
    VakgroepInput {
        id: 4,
        code: "URO".into(),
        normuren_per_fte: Some(dec!(1000)),
        formatief_fte: dec!(11.5),
        last_year_norm_fte: Some(dec!(11)),
        products: vec![
            product(401, dec!(60), dec!(10000)),
            product(402, dec!(30), dec!(50)),
        ],
        kpis: vec![
            kpi(
                "buikecho",
                KpiKind::PassendeZorg,
                Direction::LowerIsBetter,
                dec!(1.0),
                dec!(0.8),
            ),
            kpi(
                "cystoscopie",
                KpiKind::PassendeZorg,
                Direction::HigherIsBetter,
                dec!(0),
                dec!(12),
            ),
        ],
        trends: vec![
            trend(6, TrendScope::Vakgroep, TrendChange::Percent(dec!(20))),
            trend(
                7,
                TrendScope::Products(vec![402]),
                TrendChange::Absolute(dec!(-80)),
            ),
        ],
    }
}

/// Variant 1 (informatief), weights 80/20/0.
///
/// CAR
///   Vb 101 = 10.000 × (1 + 0,10)        = 11.000
///   Vb 102 =  2.000 × (1 + 0,10 − 0,25) =  1.700
///   Vb 103 =  5.000 × (1 + 0,10) + 1.000 =  6.500
///   minutes = 11.000 × 30 + 1.700 × 90 + 6.500 × 12 = 330.000 + 153.000 + 78.000 = 561.000
///   H  = 561.000 / 60 = 9.350
///   F0 = 9.350 / 1.100 = 8,5
///   E  = (2,4 / 2,0 + 72 / 80) / 2 = (1,2 + 0,9) / 2 = 1,05
///   Z  = 44 / 40 = 1,1 (shown, no effect)
///   F  = 8,5 × (0,8 + 0,2 × 1,05) = 8,5 × 1,01 = 8,585 → shown 8,59 (half away from zero)
///   mutation = 8,585 − 8,0 = 0,585 → shown +0,59
///
/// KNO
///   T4 −400 spread pro rata to B 3.000 : 1.000 → −300 and −100
///   Vb 201 = 3.000 × 0,95 − 300 = 2.550
///   Vb 202 = 1.000 × 0,95 − 100 =   850
///   minutes = 2.550 × 45 + 850 × 21 = 114.750 + 17.850 = 132.600
///   H  = 132.600 / 60 = 2.210
///   F0 = 2.210 / 1.300 = 1,7
///   E  = 1 (the only efficiency KPI has local value 0 and is left out)
///   Z  = 44 / 32 = 1,375
///   F  = 1,7 × (0,8 + 0,2 × 1) = 1,7
///   mutation = 1,7 − 2,1 = −0,4
///
/// Hospital
///   H = 9.350 + 2.210 = 11.560; F0 = 10,2; F = 10,285 → 10,29; formatief 10,1;
///   mutation 0,185 → +0,19
///   E = (8,5 × 1,05 + 1,7 × 1) / 10,2 = 10,625 / 10,2 = 1,0416… → 104,2 %
///   Z = (8,5 × 1,1 + 1,7 × 1,375) / 10,2 = 11,6875 / 10,2 = 1,1458… → 114,6 %
#[test]
fn variant_1_informatief() {
    let input = BudgetInput {
        vakgroepen: vec![car(), kno()],
    };
    let result = compute(&input, &Scenario::default()).unwrap();
    let car = &result.vakgroepen[0];
    let volumes: Vec<Decimal> = car.products.iter().map(|p| p.budget_volume).collect();
    assert_eq!(volumes, [dec!(11000), dec!(1700), dec!(6500)]);
    // Σ B = 17.000; Σ Vb = 11.000 + 1.700 + 6.500 = 19.200.
    assert_eq!(car.baseline_volume(), dec!(17000));
    assert_eq!(car.budget_volume(), dec!(19200));
    assert_eq!(car.norm_hours, Some(dec!(9350)));
    assert_eq!(car.efficiency_index, dec!(1.05));
    assert_eq!(car.pz_index, dec!(1.1));
    let f = car.fte.unwrap();
    assert_eq!(f.base_norm_fte, dec!(8.5));
    assert_eq!(f.weight_factor, dec!(1.01));
    assert_eq!(f.norm_fte, dec!(8.585));
    assert_eq!(f.mutation, dec!(0.585));
    assert_eq!(round_fte(f.norm_fte), dec!(8.59));
    assert_eq!(fte_text(round_fte(f.norm_fte)), "8,59");
    assert_eq!(mutation_text(f.mutation), "+0,59");
    assert_eq!(hours_text(dec!(9350)), "9.350,00");

    // Traceability: which inputs reached product 102, and the KPI ratios used.
    assert_eq!(
        car.product_trends(1),
        [
            (1, TrendChange::Percent(dec!(10))),
            (2, TrendChange::Percent(dec!(-25)))
        ]
    );
    assert_eq!(
        car.product_trends(2)[1],
        (3, TrendChange::Absolute(dec!(1000)))
    );
    let ratios: Vec<Option<Decimal>> = car.kpis.iter().map(|k| k.ratio).collect();
    assert_eq!(ratios, [Some(dec!(1.2)), Some(dec!(0.9)), Some(dec!(1.1))]);

    // Top movers by Vb − B: 103 (+1.500), 101 (+1.000) rise; 102 (−300) falls.
    let movers = top_movers(car, 5);
    let rising: Vec<i64> = movers.rising.iter().map(|m| m.product_id).collect();
    assert_eq!(rising, [103, 101]);
    assert_eq!(movers.falling[0].product_id, 102);
    assert_eq!(movers.falling[0].volume_change, dec!(-300));
    // −300 × 90 / 60 = −450 norm hours.
    assert_eq!(movers.falling[0].hours_change, dec!(-450));

    let kno = &result.vakgroepen[1];
    let volumes: Vec<Decimal> = kno.products.iter().map(|p| p.budget_volume).collect();
    assert_eq!(volumes, [dec!(2550), dec!(850)]);
    assert_eq!(kno.trends[0].absolute_shares, [dec!(-300), dec!(-100)]);
    assert_eq!(kno.norm_hours, Some(dec!(2210)));
    assert_eq!(kno.efficiency_index, Decimal::ONE);
    assert!(kno.kpis[0].unusable.is_some());
    assert_eq!(kno.issues.len(), 1);
    assert_eq!(kno.issues[0].severity, Severity::Warning);
    assert_eq!(kno.pz_index, dec!(1.375));
    let f = kno.fte.unwrap();
    assert_eq!(f.base_norm_fte, dec!(1.7));
    assert_eq!(f.norm_fte, dec!(1.7));
    assert_eq!(f.mutation, dec!(-0.4));
    assert_eq!(mutation_text(f.mutation), "−0,40");

    let t = result.totals;
    assert_eq!(t.norm_hours, dec!(11560));
    assert_eq!(t.base_norm_fte, dec!(10.2));
    assert_eq!(t.norm_fte, dec!(10.285));
    assert_eq!(round_fte(t.norm_fte), dec!(10.29));
    assert_eq!(t.formatief_fte, dec!(10.1));
    assert_eq!(t.mutation, dec!(0.185));
    assert_eq!(mutation_text(t.mutation), "+0,19");
    assert_eq!(index_text(t.efficiency_index), "104,2 %");
    assert_eq!(index_text(t.pz_index), "114,6 %");
    assert!(result.issues.is_empty());
}

/// Variant 2 (passende zorg in de norm-fte), weights 70/20/10; RAD has no normuren per fte.
///
/// CAR: factor = 0,7 + 0,2 × 1,05 + 0,1 × 1,1 = 0,7 + 0,21 + 0,11 = 1,02
///      F = 8,5 × 1,02 = 8,67; mutation = 8,67 − 8,0 = 0,67
/// KNO: factor = 0,7 + 0,2 × 1 + 0,1 × 1,375 = 1,0375
///      F = 1,7 × 1,0375 = 1,76375 → shown 1,76; mutation = −0,33625 → shown −0,34
/// RAD: H = 600 × 10 / 60 = 100, but no normuren per fte: no norm-fte, an error, left out of the
///      totals.
/// Hospital (CAR + KNO): F = 10,43375 → 10,43; mutation 0,33375 → +0,33; H = 11.560.
#[test]
fn variant_2_in_norm_fte() {
    let input = BudgetInput {
        vakgroepen: vec![car(), kno(), rad()],
    };
    let scenario = Scenario {
        variant: PzVariant::InNormFte,
        ..Scenario::default()
    };
    let result = compute(&input, &scenario).unwrap();
    let car = result.vakgroepen[0].fte.unwrap();
    assert_eq!(car.weight_factor, dec!(1.02));
    assert_eq!(car.norm_fte, dec!(8.67));
    assert_eq!(car.mutation, dec!(0.67));
    let kno = result.vakgroepen[1].fte.unwrap();
    assert_eq!(kno.weight_factor, dec!(1.0375));
    assert_eq!(kno.norm_fte, dec!(1.76375));
    assert_eq!(round_fte(kno.norm_fte), dec!(1.76));
    assert_eq!(kno.mutation, dec!(-0.33625));
    assert_eq!(round_fte(kno.mutation), dec!(-0.34));

    let rad = &result.vakgroepen[2];
    assert_eq!(rad.norm_hours, Some(dec!(100)));
    assert_eq!(round_hours(rad.norm_hours.unwrap()), dec!(100.00));
    assert!(rad.fte.is_none());
    assert_eq!(rad.issues[0].severity, Severity::Error);
    assert_eq!(
        rad.issues[0].message,
        "Voor vakgroep RAD ontbreken de normuren per fte; de norm-fte is niet berekend."
    );

    let t = result.totals;
    assert_eq!((t.complete, t.incomplete), (2, 1));
    assert_eq!(t.norm_hours, dec!(11560));
    assert_eq!(t.norm_fte, dec!(10.43375));
    assert_eq!(fte_text(round_fte(t.norm_fte)), "10,43");
    assert_eq!(t.mutation, dec!(0.33375));
    assert_eq!(mutation_text(t.mutation), "+0,33");
    assert_eq!(
        result.issues[0].message,
        "1 van de 3 vakgroepen zijn niet volledig doorgerekend en tellen niet mee in de totalen."
    );
}

/// Variant 3 (geoormerkt budget) for everyone: F with 80/20/0, and € 20.000,00 distributed pro
/// rata to formatief fte × Z.
///
/// URO
///   Vb 401 = 10.000 × 1,2 = 12.000
///   Vb 402 = max(0, 50 × 1,2 − 80) = max(0, −20) = 0 (clamped)
///   minutes = 12.000 × 60 + 0 × 30 = 720.000; H = 12.000; F0 = 12.000 / 1.000 = 12
///   E = 1 (no efficiency KPI); Z = 1,0 / 0,8 = 1,25 ("cystoscopie" has reference 0: left out)
///   F = 12 × (0,8 + 0,2 × 1) = 12; mutation = 12 − 11,5 = 0,5
/// CAR and KNO as in variant 1: F = 8,585 and 1,7.
///
/// Earmark, grondslag formatief fte:
///   weights  CAR 8,0 × 1,1 = 8,8;  KNO 2,1 × 1,375 = 2,8875;  URO 11,5 × 1,25 = 14,375
///   total 26,0625; in cents 2.000.000 × weight / 26,0625:
///   CAR 675.299,760… KNO 221.582,733… URO 1.103.117,505…
///   floors 675.299 + 221.582 + 1.103.117 = 1.999.998: 2 cents left, to the largest remainders
///   (CAR ,760 and KNO ,733; URO ,505 gets none):
///   CAR € 6.753,00  KNO € 2.215,83  URO € 11.031,17  = € 20.000,00 exactly.
///   (Rounding each share on its own would give URO € 11.031,18 and a total of € 20.000,01.)
#[test]
fn variant_3_geoormerkt() {
    let input = BudgetInput {
        vakgroepen: vec![car(), kno(), uro()],
    };
    let scenario = Scenario {
        variant: PzVariant::Geoormerkt,
        earmark: Some(Earmark {
            amount: dec!(20000.00),
            grondslag: Grondslag::FormatiefFte,
        }),
        ..Scenario::default()
    };
    let result = compute(&input, &scenario).unwrap();
    let uro = &result.vakgroepen[2];
    assert_eq!(uro.products[0].budget_volume, dec!(12000));
    assert_eq!(uro.products[1].budget_volume, dec!(0));
    assert!(uro.products[1].clamped);
    assert_eq!(uro.norm_hours, Some(dec!(12000)));
    assert_eq!(uro.pz_index, dec!(1.25));
    assert_eq!(uro.fte.unwrap().norm_fte, dec!(12));
    assert_eq!(uro.fte.unwrap().mutation, dec!(0.5));
    // Z does not touch F in variant 3.
    assert_eq!(result.vakgroepen[0].fte.unwrap().norm_fte, dec!(8.585));

    let shares: Vec<(Decimal, Decimal)> = result
        .vakgroepen
        .iter()
        .map(|v| {
            let e = v.earmark.unwrap();
            (e.weight, e.amount)
        })
        .collect();
    assert_eq!(
        shares,
        [
            (dec!(8.8), dec!(6753.00)),
            (dec!(2.8875), dec!(2215.83)),
            (dec!(14.375), dec!(11031.17)),
        ]
    );
    assert_eq!(result.totals.earmarked, dec!(20000.00));
    assert_eq!(gg_domain::nl::eur(result.totals.earmarked), "€ 20.000,00");
    assert_eq!(
        round_fte(result.vakgroepen[2].earmark.unwrap().exact),
        dec!(11031.18)
    );
    // Hospital F = 8,585 + 1,7 + 12 = 22,285 → 22,29.
    assert_eq!(result.totals.norm_fte, dec!(22.285));
    assert_eq!(fte_text(round_fte(result.totals.norm_fte)), "22,29");
}
