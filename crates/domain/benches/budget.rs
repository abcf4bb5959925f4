//! The engine at the size of a large hospital: 40 vakgroepen × 5,000 care products (200,000
//! volume cells), with trend inputs of every kind, KPIs, and variants 1, 2 and 3 mixed.
//! Target (architecture.md, D7): a full recompute and a one-input change each under 50 ms on
//! two cores.
//!
//! Run: `cargo bench -p gg-domain --bench budget`.
//!
//! Measured 2026-11-23 on the development machine (2 cores, AMD EPYC, `nproc` = 2), quiet
//! (criterion mean): full recompute 15.9 ms; one trend input changed, full recompute 15.6 ms;
//! one trend input changed, `recompute_vakgroep` 0.20 ms. See docs/performance.md.

use criterion::{Criterion, criterion_group, criterion_main};
use gg_domain::budget::{
    BudgetInput, CareProduct, Direction, Earmark, Grondslag, KpiInput, KpiKind, PzVariant,
    Scenario, TrendCategory, TrendChange, TrendInput, TrendScope, VakgroepInput, compute,
    recompute_vakgroep,
};
use rust_decimal::Decimal;
use std::hint::black_box;

const VAKGROEPEN: i64 = 40;
const PRODUCTS: i64 = 5_000;

/// A small deterministic generator, so every run measures the same hospital.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

fn hospital() -> BudgetInput {
    let mut rng = Lcg(2027);
    let vakgroepen = (0..VAKGROEPEN)
        .map(|v| {
            let first = v * PRODUCTS;
            let products = (0..PRODUCTS)
                .map(|p| CareProduct {
                    id: first + p,
                    code: format!("ZP{v:02}{p:04}"),
                    // Norm times with one decimal, 0,5 to 240 minutes.
                    norm_minutes: Decimal::new(5 + rng.next(2_400) as i64, 1),
                    // Most products are small; one in ten has no volume at all.
                    baseline: if rng.next(10) == 0 {
                        Decimal::ZERO
                    } else {
                        Decimal::from(rng.next(2_000))
                    },
                })
                .collect();
            let some = |rng: &mut Lcg| {
                (0..50)
                    .map(|_| first + rng.next(PRODUCTS as u64) as i64)
                    .collect::<Vec<_>>()
            };
            let trends = vec![
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
            ];
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
                products,
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
                trends,
            }
        })
        .collect();
    BudgetInput { vakgroepen }
}

fn trend(id: i64, scope: TrendScope, change: TrendChange) -> TrendInput {
    TrendInput {
        id,
        scope,
        change,
        category: TrendCategory::Demografie,
    }
}

fn scenario() -> Scenario {
    let mut s = Scenario {
        variant: PzVariant::Geoormerkt,
        earmark: Some(Earmark {
            amount: Decimal::new(250_000_000, 2),
            grondslag: Grondslag::NormFte,
        }),
        ..Scenario::default()
    };
    for id in 1..=10 {
        s.variant_overrides.insert(id, PzVariant::InNormFte);
    }
    for id in 11..=20 {
        s.variant_overrides.insert(id, PzVariant::Informatief);
    }
    s
}

fn bench(c: &mut Criterion) {
    let mut input = hospital();
    let scenario = scenario();
    let mut group = c.benchmark_group("budget 40×5000");
    group.sample_size(30);

    group.bench_function("full recompute", |b| {
        b.iter(|| compute(black_box(&input), black_box(&scenario)).unwrap())
    });

    // A representative changes one percentage during the meeting; the whole hospital is
    // recomputed from scratch.
    let mut flip = false;
    group.bench_function("one trend input changed, full recompute", |b| {
        b.iter(|| {
            flip = !flip;
            let pct = if flip { 3 } else { 2 };
            input.vakgroepen[17].trends[0].change = TrendChange::Percent(Decimal::from(pct));
            compute(black_box(&input), black_box(&scenario)).unwrap()
        })
    });

    // The same change through the incremental path: one vakgroep plus totals and earmark.
    let mut result = compute(&input, &scenario).unwrap();
    group.bench_function("one trend input changed, recompute_vakgroep", |b| {
        b.iter(|| {
            flip = !flip;
            let pct = if flip { 3 } else { 2 };
            input.vakgroepen[17].trends[0].change = TrendChange::Percent(Decimal::from(pct));
            recompute_vakgroep(&mut result, black_box(&input), &scenario, 17).unwrap();
        })
    });
    group.finish();
}

/// The domain's part of adopting this hospital (D9): building the snapshot (the engine and the
/// distribution computed again from the inputs, the results serialised) and sealing it
/// (canonical text and SHA-256). The master data stand in as the engine input once more, about
/// the size the store's `EngineInput` adds.
fn adoption(c: &mut Criterion) {
    use gg_domain::budget::adoption::{Inputs, Snapshot, YearFrame};
    use gg_domain::budget::distribution::EarmarkPlacement;
    let input = hospital();
    let inputs = Inputs {
        year: 2040,
        engine: input.clone(),
        params: scenario(),
        year_frame: Some(YearFrame {
            fee_budget: Some(Decimal::new(48_000_000, 0)),
            fixed_share: Decimal::new(3, 1),
            band_min: None,
            band_max: None,
        }),
        placement: EarmarkPlacement::OutOfBudget,
        last_year_source: "geen".into(),
        last_year: Vec::new(),
        own_bands: Vec::new(),
    };
    let master = serde_json::to_value(&input).unwrap();
    let mut group = c.benchmark_group("adoption 40×5000");
    group.sample_size(10);
    group.bench_function("snapshot build", |b| {
        b.iter(|| Snapshot::build(serde_json::Value::Null, master.clone(), inputs.clone()).unwrap())
    });
    let snapshot =
        Snapshot::build(serde_json::Value::Null, master.clone(), inputs.clone()).unwrap();
    group.bench_function("seal (canonical text and SHA-256)", |b| {
        b.iter(|| snapshot.seal().unwrap())
    });
    let (text, hash) = snapshot.seal().unwrap();
    println!("snapshot: {:.1} MB", text.len() as f64 / 1e6);
    group.bench_function("verify", |b| {
        b.iter(|| gg_domain::budget::adoption::verify(&text, &hash).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench, adoption);
criterion_main!(benches);
