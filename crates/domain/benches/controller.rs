//! The controller's exports and the monitoring for a large hospital: 40 vakgroepen × 5,000 care
//! products (the engine's bench hospital, `benches/budget.rs`), variants 1, 2 and 3 mixed, a
//! 95 %–105 % band that binds some vakgroepen.
//!
//! - building the workbook description (D11) for the whole hospital and for one vakgroep;
//! - the overview as CSV;
//! - checking every formula against its cached value (what the tests do; not on the export path);
//! - monitoring (D10) with twelve months of realisation and a complete reference year.
//!
//! Run: `cargo bench -p gg-domain --bench controller`. Figures in docs/controller-exports.md and
//! docs/monitoring.md.
//!
//! Measured 2026-12-06 on the development machine (2 cores, shared, load 3–5), criterion mean:
//! workbook for the whole hospital 183 ms (42 sheets, 1.4 million cells, 400,808 formulas), for
//! one vakgroep 6.5 ms; overview CSV 0.19 ms; verifying every formula 1.19 s; monitoring 24 ms.

use criterion::{Criterion, criterion_group, criterion_main};
use gg_domain::budget::distribution::{Band, EarmarkPlacement, Frame, distribute, inputs_from};
use gg_domain::budget::monitoring::{
    DEFAULT_THRESHOLD, MONTHS, MonitoredProduct, MonitoredVakgroep, MonitoringInput, monitor,
};
use gg_domain::budget::workbook::{
    DecimalMark, Labels, WorkbookMeta, WorkbookScope, WorkbookSource, build_workbook, overview_csv,
    verify_formulas,
};
use gg_domain::budget::{
    BudgetInput, CareProduct, Direction, Earmark, Grondslag, KpiInput, KpiKind, PzVariant,
    Scenario, TrendCategory, TrendChange, TrendInput, TrendScope, VakgroepInput, compute,
};
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashMap};
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

/// The same hospital as `benches/budget.rs`.
fn hospital() -> BudgetInput {
    let mut rng = Lcg(2027);
    let vakgroepen = (0..VAKGROEPEN)
        .map(|v| {
            let first = v * PRODUCTS;
            let products = (0..PRODUCTS)
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
                (0..50)
                    .map(|_| first + rng.next(PRODUCTS as u64) as i64)
                    .collect::<Vec<_>>()
            };
            let trend = |id, scope, change| TrendInput {
                id,
                scope,
                change,
                category: TrendCategory::Demografie,
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

/// Realisation: each product's baseline spread over the months with a summer dip and ±5 %
/// noise, in whole units as the production import delivers them; the reference year the same
/// pattern without noise.
fn monitoring_input(input: &BudgetInput, hours: &[rust_decimal::Decimal]) -> MonitoringInput {
    const SEASON: [i64; MONTHS] = [9, 9, 10, 9, 9, 8, 6, 6, 9, 10, 9, 6];
    let mut rng = Lcg(12);
    let vakgroepen = input
        .vakgroepen
        .iter()
        .zip(hours)
        .map(|(v, h)| MonitoredVakgroep {
            vakgroep_id: v.id,
            code: v.code.clone(),
            name: format!("Vakgroep {}", v.code),
            budget_hours: *h,
            normuren_per_fte: v.normuren_per_fte,
            products: v
                .products
                .iter()
                .map(|p| MonitoredProduct {
                    product_id: p.id,
                    code: p.code.clone(),
                    norm_minutes: Some(p.norm_minutes),
                    realised: std::array::from_fn(|m| {
                        (p.baseline * Decimal::from(SEASON[m] * (95 + rng.next(10) as i64))
                            / Decimal::from(9_900))
                        .round()
                    }),
                    reference: std::array::from_fn(|m| {
                        (p.baseline * Decimal::from(SEASON[m]) / Decimal::from(99)).round()
                    }),
                })
                .collect(),
        })
        .collect();
    MonitoringInput {
        year: 2027,
        through_month: 12,
        reference_months: [true; MONTHS],
        threshold: DEFAULT_THRESHOLD,
        vakgroepen,
    }
}

fn bench(c: &mut Criterion) {
    let input = hospital();
    let scenario = scenario();
    let result = compute(&input, &scenario).unwrap();
    let band = Band::new(Decimal::new(95, 2), Decimal::new(105, 2)).unwrap();
    let mut frame = Frame {
        fee_budget: Decimal::new(4_800_000_000, 2),
        fixed_share: Decimal::new(20, 2),
        default_band: None,
        placement: EarmarkPlacement::OutOfBudget,
    };
    let free = distribute(
        &frame,
        &inputs_from(&result, &HashMap::new(), &HashMap::new()).unwrap(),
    )
    .unwrap();
    let mut rng = Lcg(7);
    let last: HashMap<i64, Decimal> = free
        .vakgroepen
        .iter()
        .map(|a| {
            let scatter = Decimal::from(70 + rng.next(60)) / Decimal::from(100);
            (a.vakgroep_id, (a.allocation * scatter).round_dp(2))
        })
        .collect();
    frame.default_band = Some(band);
    let distribution = distribute(
        &frame,
        &inputs_from(&result, &last, &HashMap::new()).unwrap(),
    )
    .unwrap();
    let labels = Labels::default();
    let meta = WorkbookMeta {
        title: "Capaciteitsbegroting 2027".into(),
        year: 2027,
        scenario: "Basis".into(),
        concept: false,
        snapshot_hash: Some("0".repeat(64)),
        decisions: vec![],
    };
    let source = WorkbookSource {
        input: &input,
        scenario: &scenario,
        result: &result,
        distribution: Some(&distribution),
        frame: Some(&frame),
        labels: &labels,
        meta: &meta,
    };
    let book = build_workbook(&source, &WorkbookScope::Hospital).unwrap();
    let formulas = verify_formulas(&book).expect("every formula holds");
    let cells: usize = book
        .sheets
        .iter()
        .flat_map(|s| s.rows.iter())
        .map(|r| r.cells.len())
        .sum();
    println!(
        "workbook: {} sheets, {cells} cells, {formulas} formulas; band passes {}",
        book.sheets.len(),
        distribution.iterations
    );

    let mut group = c.benchmark_group("controller 40×5000");
    group.sample_size(10);
    group.bench_function("workbook, whole hospital", |b| {
        b.iter(|| build_workbook(black_box(&source), &WorkbookScope::Hospital).unwrap())
    });
    let one = WorkbookScope::Vakgroepen(BTreeSet::from([17]));
    group.bench_function("workbook, one vakgroep", |b| {
        b.iter(|| build_workbook(black_box(&source), &one).unwrap())
    });
    group.bench_function("overview CSV", |b| {
        b.iter(|| overview_csv(black_box(&book), DecimalMark::Comma))
    });
    group.bench_function("verify every formula", |b| {
        b.iter(|| verify_formulas(black_box(&book)).unwrap())
    });

    let hours: Vec<Decimal> = result
        .vakgroepen
        .iter()
        .map(|v| v.norm_hours.unwrap_or_default())
        .collect();
    let monitoring = monitoring_input(&input, &hours);
    let m = monitor(&monitoring).unwrap();
    println!(
        "monitoring: {} signals",
        m.vakgroepen
            .iter()
            .filter(|v| v.track.signal.is_some())
            .count()
    );
    group.bench_function("monitoring, 12 months", |b| {
        b.iter(|| monitor(black_box(&monitoring)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
