//! The D6 distribution for a large hospital: 40 vakgroepen, norm-fte as the engine computes them
//! (long quotients), earmarked shares for some, and a narrow band (95 %–105 %) around last
//! year's allocations scattered ±30 % around this year's, so that several passes bind vakgroepen
//! on both sides. Target: well under 1 ms, so that a what-if during a meeting recomputes the
//! distribution with the budget without anyone noticing.
//!
//! Run: `cargo bench -p gg-domain --bench distribution`.
//!
//! Measured 2026-12-06 on the development machine (2 cores, shared), criterion mean: with the
//! band (4 passes, 34 vakgroepen bound) 141 µs; without a band 107 µs. See docs/distribution.md.

use criterion::{Criterion, criterion_group, criterion_main};
use gg_domain::budget::distribution::{
    Band, DistributionInput, EarmarkPlacement, Frame, distribute,
};
use rust_decimal::Decimal;
use std::hint::black_box;

const VAKGROEPEN: i64 = 40;

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

fn frame(band: Option<Band>) -> Frame {
    Frame {
        // € 48 million: about € 1,2 million per vakgroep.
        fee_budget: Decimal::new(4_800_000_000, 2),
        fixed_share: Decimal::new(20, 2),
        default_band: band,
        placement: EarmarkPlacement::OutOfBudget,
    }
}

fn hospital() -> Vec<DistributionInput> {
    let mut rng = Lcg(2027);
    (0..VAKGROEPEN)
        .map(|v| {
            let formatief = Decimal::new(50 + rng.next(350) as i64, 1);
            // F = formatief × a factor between 0,7 and 1,4, through a quotient like the engine's.
            let norm_fte = formatief * Decimal::from(70 + rng.next(70)) / Decimal::from(97);
            // Last year: about the average allocation, ±30 %, scaled by the vakgroep's size.
            let last_year = Decimal::new(4_800_000_000 / VAKGROEPEN, 2)
                * formatief
                * Decimal::from(70 + rng.next(60))
                / Decimal::from(100 * 22);
            DistributionInput {
                vakgroep_id: v + 1,
                code: format!("VG{v:02}"),
                formatief_fte: formatief,
                norm_fte: Some(norm_fte),
                earmark: if v % 3 == 0 {
                    Decimal::new(1_000_000 + rng.next(5_000_000) as i64, 2)
                } else {
                    Decimal::ZERO
                },
                last_year: (v % 10 != 9).then_some(last_year),
                band_override: None,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let inputs = hospital();
    let band = Band::new(Decimal::new(95, 2), Decimal::new(105, 2)).unwrap();
    let banded = frame(Some(band));
    let d = distribute(&banded, &inputs).expect("the bench hospital is feasible");
    let bound = d.vakgroepen.iter().filter(|v| v.binding.is_some()).count();
    assert!(d.iterations >= 2, "the band should take several passes");
    println!(
        "40 vakgroepen, band 95 %–105 %: {} passes, {bound} vakgroepen bound",
        d.iterations
    );

    let mut group = c.benchmark_group("distribution 40 vakgroepen");
    group.bench_function("band 95–105 %", |b| {
        b.iter(|| distribute(black_box(&banded), black_box(&inputs)).unwrap())
    });
    let free = frame(None);
    group.bench_function("no band", |b| {
        b.iter(|| distribute(black_box(&free), black_box(&inputs)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
