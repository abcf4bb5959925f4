//! The results page of the 7S self-assessment at a realistic upper size: 40 respondents (RvB 8,
//! MSB 16, VMSD 10, VMS 6) × the 42 statements of the default catalogue, with comments on one
//! answer in five, and 3 earlier rounds of the same size for the trend. The page target is
//! < 10 ms server-side; the domain part should be a small fraction of it.
//!
//! Run: `cargo bench -p gg-domain --bench selfassessment`.
//!
//! Measured on the development machine (2 cores, `nproc` = 2) while other builds ran (load
//! average about 5), criterion mean: compute one round 0.37 ms; alignment only, one round
//! 0.034 ms; radar chart with 6 series 0.10 ms; the whole results page (current round in full,
//! 3 earlier rounds' alignment, trend, radar, 7 sparklines) 0.63 ms. See docs/selfassessment.md.

use criterion::{Criterion, criterion_group, criterion_main};
use gg_domain::ids::BodyId;
use gg_domain::people::BodyKind;
use gg_domain::selfassessment::{
    AnonymousAnswer, Answer, DEFAULT_CATALOGUE, RoundAlignment, RoundBody, RoundId, RoundStatement,
    StatementId, compute, compute_alignment, radar_svg, sparkline_svg, trend,
};
use std::hint::black_box;
use time::{Date, Month};

/// A small deterministic generator, so every run measures the same answers.
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

fn statements(round: i64) -> Vec<RoundStatement> {
    DEFAULT_CATALOGUE
        .iter()
        .enumerate()
        .map(|(i, st)| RoundStatement {
            id: StatementId(round * 1_000 + i as i64),
            s: st.s,
            text: st.text.to_string(),
        })
        .collect()
}

fn bodies() -> Vec<RoundBody> {
    [
        (1, "RvB", BodyKind::Bestuur, 8),
        (2, "MSB", BodyKind::MsbPlus, 16),
        (3, "VMSD", BodyKind::MsbPlus, 10),
        (4, "VMS", BodyKind::MsbPlus, 6),
    ]
    .into_iter()
    .map(|(id, name, kind, respondents)| RoundBody {
        id: BodyId::new(id),
        name: name.into(),
        kind,
        respondents,
    })
    .collect()
}

fn answers(statements: &[RoundStatement], bodies: &[RoundBody], seed: u64) -> Vec<AnonymousAnswer> {
    let mut rng = Lcg(seed);
    let mut rows = Vec::new();
    for body in bodies {
        for _ in 0..body.respondents {
            for st in statements {
                // Mostly 2–5, now and then "weet ik niet".
                let answer = if rng.next(12) == 0 {
                    Answer::WeetNiet
                } else {
                    Answer::from_score(2 + rng.next(4) as u8).expect("a score")
                };
                let comment = (rng.next(5) == 0)
                    .then(|| format!("Toelichting {} bij stelling {}", rng.next(1_000), st.id));
                rows.push(AnonymousAnswer {
                    body_id: body.id,
                    statement: st.id,
                    answer,
                    comment,
                });
            }
        }
    }
    rows
}

struct RoundData {
    id: RoundId,
    date: Date,
    statements: Vec<RoundStatement>,
    answers: Vec<AnonymousAnswer>,
}

fn rounds() -> Vec<RoundData> {
    (1..=4)
        .map(|r| {
            let statements = statements(r);
            let answers = answers(&statements, &bodies(), 2026 + r as u64);
            RoundData {
                id: RoundId(r),
                date: Date::from_calendar_date(2022 + r as i32, Month::December, 1).expect("date"),
                statements,
                answers,
            }
        })
        .collect()
}

/// What the results page does: the current round's results, the earlier rounds' alignment for
/// the trend, the radar chart of the bodies and the sides, and a sparkline per S.
fn page(rounds: &[RoundData], bodies: &[RoundBody]) -> usize {
    let (current, earlier) = rounds.split_last().expect("a round");
    let results = compute(&current.statements, bodies, &current.answers);
    let mut summaries: Vec<RoundAlignment> = earlier
        .iter()
        .map(|r| compute_alignment(&r.statements, bodies, &r.answers, r.id, "Ronde", r.date))
        .collect();
    summaries.push(results.alignment_summary(current.id, "Ronde", current.date));
    let trend = trend(&summaries);
    let mut series = results.body_series();
    series.extend(results.side_series());
    let mut bytes = radar_svg("radar", "Zelfevaluatie", &series).len();
    for (i, t) in trend.per_s.iter().enumerate() {
        bytes += sparkline_svg(&format!("trend-{i}"), t.s.label(), &t.points).len();
    }
    bytes
}

fn bench(c: &mut Criterion) {
    let rounds = rounds();
    let bodies = bodies();
    let last = rounds.last().expect("a round");
    let mut group = c.benchmark_group("zelfevaluatie 40×42");
    group.bench_function("compute one round", |b| {
        b.iter(|| {
            compute(
                black_box(&last.statements),
                black_box(&bodies),
                black_box(&last.answers),
            )
        })
    });
    group.bench_function("alignment only, one round", |b| {
        b.iter(|| {
            compute_alignment(
                black_box(&last.statements),
                black_box(&bodies),
                black_box(&last.answers),
                last.id,
                "Ronde",
                last.date,
            )
        })
    });
    group.bench_function("radar chart, 4 bodies and 2 sides", |b| {
        let results = compute(&last.statements, &bodies, &last.answers);
        let mut series = results.body_series();
        series.extend(results.side_series());
        b.iter(|| radar_svg("radar", "Zelfevaluatie", black_box(&series)))
    });
    group.bench_function("results page: 4 rounds, trend, radar, sparklines", |b| {
        b.iter(|| page(black_box(&rounds), black_box(&bodies)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
