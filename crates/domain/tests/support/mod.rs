//! Budgets shared by the export, monitoring and congruence tests: the hand-computed vakgroepen
//! of `budget_golden.rs` (copied, so that both files read on their own) and a generator for
//! larger hospitals.

#![allow(dead_code)]

use gg_domain::budget::{
    BudgetInput, CareProduct, Direction, KpiInput, KpiKind, TrendCategory, TrendChange, TrendInput,
    TrendScope, VakgroepInput,
};
use rust_decimal::{Decimal, dec};

pub fn product(id: i64, norm_minutes: Decimal, baseline: Decimal) -> CareProduct {
    CareProduct {
        id,
        code: format!("ZP{id}"),
        norm_minutes,
        baseline,
    }
}

pub fn kpi(
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

pub fn trend(id: i64, scope: TrendScope, change: TrendChange) -> TrendInput {
    TrendInput {
        id,
        scope,
        change,
        category: TrendCategory::Demografie,
    }
}

/// Cardiologie: H = 9.350, F0 = 8,5, E = 1,05, Z = 1,1, F (80/20/0) = 8,585.
pub fn car() -> VakgroepInput {
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

/// KNO: H = 2.210, F0 = 1,7, E = 1 (its only efficiency KPI is unusable), Z = 1,375.
pub fn kno() -> VakgroepInput {
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

/// Radiologie without normuren per fte: H = 100 but no norm-fte.
pub fn rad() -> VakgroepInput {
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

/// Urologie: H = 12.000, F = 12, Z = 1,25; product 402 is clamped at 0.
pub fn uro() -> VakgroepInput {
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

/// A small deterministic generator, so every run builds the same hospital.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// A hospital of `vakgroepen` × `products` with trend inputs of every kind and KPIs, like the
/// engine's bench (`benches/budget.rs`).
pub fn hospital(vakgroepen: i64, products: i64, seed: u64) -> BudgetInput {
    let mut rng = Lcg(seed);
    let vakgroepen = (0..vakgroepen)
        .map(|v| {
            let first = v * products;
            let list = (0..products)
                .map(|p| CareProduct {
                    id: first + p,
                    code: format!("ZP{v:02}{p:04}"),
                    norm_minutes: Decimal::new(5 + rng.next(2_400) as i64, 1),
                    baseline: if rng.next(10) == 0 {
                        Decimal::ZERO
                    } else {
                        Decimal::from(rng.next(2_000))
                    },
                })
                .collect();
            let some = |rng: &mut Lcg| {
                (0..products.min(50))
                    .map(|_| first + rng.next(products as u64) as i64)
                    .collect::<Vec<_>>()
            };
            let kpi = |code: &str, kind, direction, reference: i64, local: i64| KpiInput {
                code: code.into(),
                kind,
                direction,
                reference: Decimal::new(reference, 2),
                local: Decimal::new(local, 2),
            };
            VakgroepInput {
                id: v + 1,
                code: format!("VG{v:02}"),
                normuren_per_fte: Some(Decimal::from(1_500 + rng.next(300))),
                formatief_fte: Decimal::new(100 + rng.next(3_000) as i64, 1),
                last_year_norm_fte: Some(Decimal::new(100 + rng.next(3_000) as i64, 1)),
                products: list,
                kpis: vec![
                    kpi(
                        "herhaalconsulten",
                        KpiKind::Efficiency,
                        Direction::LowerIsBetter,
                        250,
                        200 + rng.next(100) as i64,
                    ),
                    kpi(
                        "ligduur",
                        KpiKind::Efficiency,
                        Direction::LowerIsBetter,
                        410,
                        350 + rng.next(120) as i64,
                    ),
                    kpi(
                        "dagbehandeling",
                        KpiKind::PassendeZorg,
                        Direction::HigherIsBetter,
                        4_000,
                        3_000 + rng.next(2_000) as i64,
                    ),
                ],
                trends: vec![
                    trend(
                        1,
                        TrendScope::Vakgroep,
                        TrendChange::Percent(Decimal::new(25, 1)),
                    ),
                    trend(
                        2,
                        TrendScope::Products(some(&mut rng)),
                        TrendChange::Percent(Decimal::new(-125, 1)),
                    ),
                    trend(
                        3,
                        TrendScope::Vakgroep,
                        TrendChange::Absolute(Decimal::from(-1_500)),
                    ),
                    trend(
                        4,
                        TrendScope::Products(some(&mut rng)),
                        TrendChange::Absolute(Decimal::from(400)),
                    ),
                ],
            }
        })
        .collect();
    BudgetInput { vakgroepen }
}
