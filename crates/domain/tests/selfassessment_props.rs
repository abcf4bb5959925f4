//! Properties of the 7S self-assessment over generated rounds: the alignment score's range,
//! independence of the answer order, the anonymity threshold, the catalogue and the chart.

use gg_domain::agreements::kinds::SevenS;
use gg_domain::ids::BodyId;
use gg_domain::people::BodyKind;
use gg_domain::selfassessment::{
    AnonymousAnswer, Answer, BodyResult, DEFAULT_CATALOGUE, MIN_RESPONDENTS, RoundBody, RoundId,
    RoundResults, RoundStatement, SideResult, StatementId, alignment, compute, compute_alignment,
    radar_svg, sqrt,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

/// A mean on the 1–5 scale as it can come out of a tally: sum / n.
fn mean() -> impl Strategy<Value = Decimal> {
    (1u32..=40)
        .prop_flat_map(|n| (n..=5 * n).prop_map(move |sum| Decimal::from(sum) / Decimal::from(n)))
}

#[derive(Debug, Clone)]
struct Round {
    statements: Vec<RoundStatement>,
    bodies: Vec<RoundBody>,
    answers: Vec<AnonymousAnswer>,
}

/// A round whose answers match its respondent counts: every respondent of a body answered every
/// statement, some with a comment that names the body ("geheim-<body>") so leaks can be found.
fn round() -> impl Strategy<Value = Round> {
    let statements = prop::collection::vec(prop::sample::select(SevenS::ALL), 1..9);
    let kinds = prop::sample::select(vec![
        BodyKind::Bestuur,
        BodyKind::MsbPlus,
        BodyKind::Toezicht,
    ]);
    let bodies = prop::collection::vec((kinds, 0u32..6), 1..5);
    (statements, bodies).prop_flat_map(|(statements, bodies)| {
        let total: u32 = bodies.iter().map(|(_, r)| r).sum::<u32>() * statements.len() as u32;
        let cells = prop::collection::vec((0..Answer::ALL.len(), any::<bool>()), total as usize);
        (Just(statements), Just(bodies), cells).prop_map(|(statements, bodies, cells)| {
            let statements: Vec<RoundStatement> = statements
                .into_iter()
                .enumerate()
                .map(|(i, s)| RoundStatement {
                    id: StatementId(100 + i as i64),
                    s,
                    text: format!("Stelling {i}"),
                })
                .collect();
            let bodies: Vec<RoundBody> = bodies
                .into_iter()
                .enumerate()
                .map(|(i, (kind, respondents))| RoundBody {
                    id: BodyId::new(i as i64 + 1),
                    name: format!("Bestuur {}", i + 1),
                    kind,
                    respondents,
                })
                .collect();
            let mut cells = cells.into_iter();
            let mut answers = Vec::new();
            for body in &bodies {
                for _ in 0..body.respondents {
                    for st in &statements {
                        let (a, commented) = cells.next().expect("enough cells");
                        answers.push(AnonymousAnswer {
                            body_id: body.id,
                            statement: st.id,
                            answer: Answer::ALL[a],
                            comment: commented.then(|| format!("geheim-{}", body.id)),
                        });
                    }
                }
            }
            Round {
                statements,
                bodies,
                answers,
            }
        })
    })
}

fn scores(r: &RoundResults) -> Vec<Decimal> {
    let mut all: Vec<Decimal> = r
        .statement_gaps
        .iter()
        .filter_map(|g| g.gap.map(|g| g.alignment))
        .collect();
    all.extend(r.s_gaps.iter().filter_map(|(_, g)| g.map(|g| g.alignment)));
    all.extend(r.overall_alignment);
    all
}

proptest! {
    #[test]
    fn alignment_is_100_for_equal_means_0_for_opposite_and_in_between(a in mean(), b in mean()) {
        prop_assert_eq!(alignment(a - a), Decimal::ONE_HUNDRED);
        prop_assert_eq!(alignment(Decimal::from(5) - Decimal::ONE), Decimal::ZERO);
        prop_assert_eq!(alignment(Decimal::ONE - Decimal::from(5)), Decimal::ZERO);
        let score = alignment(b - a);
        prop_assert!((Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&score), "{}", score);
        prop_assert_eq!(score, alignment(a - b), "symmetric");
    }

    #[test]
    fn every_computed_score_is_a_percentage(round in round()) {
        let r = compute(&round.statements, &round.bodies, &round.answers);
        for score in scores(&r) {
            prop_assert!((Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&score), "{}", score);
        }
        for body in r.bodies.iter().filter_map(BodyResult::figures) {
            for st in &body.statements {
                if let (Some(m), Some(s)) = (st.stats.mean, st.stats.spread) {
                    prop_assert!(m >= Decimal::ONE && m <= Decimal::from(5));
                    prop_assert!(s >= Decimal::ZERO && s <= Decimal::TWO);
                }
            }
        }
    }

    #[test]
    fn the_order_of_the_answers_does_not_matter(
        (round, shuffled) in round().prop_flat_map(|r| {
            let answers = r.answers.clone();
            (Just(r), Just(answers).prop_shuffle())
        })
    ) {
        let a = compute(&round.statements, &round.bodies, &round.answers);
        let b = compute(&round.statements, &round.bodies, &shuffled);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn the_cheap_alignment_equals_the_full_results(round in round()) {
        let date = time::macros::date!(2026 - 12 - 01);
        let full = compute(&round.statements, &round.bodies, &round.answers)
            .alignment_summary(RoundId(7), "Ronde", date);
        let cheap = compute_alignment(&round.statements, &round.bodies, &round.answers, RoundId(7), "Ronde", date);
        prop_assert_eq!(full, cheap);
    }

    #[test]
    fn nothing_of_a_body_below_the_threshold_leaks(round in round()) {
        let r = compute(&round.statements, &round.bodies, &round.answers);
        let everything = format!("{r:?}");
        for (body, result) in round.bodies.iter().zip(&r.bodies) {
            prop_assert_eq!(result.figures().is_some(), body.respondents >= MIN_RESPONDENTS);
            if body.respondents < MIN_RESPONDENTS {
                let is_too_few = matches!(result, BodyResult::TooFew { .. });
                prop_assert!(is_too_few);
                // Not its comments, anywhere in the results.
                let secret = format!("geheim-{}\"", body.id);
                prop_assert!(!everything.contains(&secret), "{} leaked", secret);
            }
        }
        // A side pools only bodies that are shown themselves, and every body of its kind that
        // answered: so side minus bodies reveals nothing new.
        for side in [&r.rvb, &r.msbplus] {
            if let SideResult::Shown(f) = side {
                let kind = f.side.body_kind();
                let answered: BTreeSet<BodyId> = round.bodies.iter()
                    .filter(|b| b.kind == kind && b.respondents > 0)
                    .map(|b| b.id)
                    .collect();
                prop_assert_eq!(f.body_ids.iter().copied().collect::<BTreeSet<_>>(), answered);
                for id in &f.body_ids {
                    let body = r.bodies.iter().find(|b| b.body_id() == *id).unwrap();
                    prop_assert!(body.figures().is_some());
                }
                prop_assert!(f.respondents >= MIN_RESPONDENTS);
            }
        }
    }

    #[test]
    fn the_radar_has_one_polygon_per_shown_body(round in round()) {
        let r = compute(&round.statements, &round.bodies, &round.answers);
        let series = r.body_series();
        let with_scores = r.bodies.iter().filter_map(BodyResult::figures)
            .filter(|f| f.per_s.iter().any(|(_, st)| st.mean.is_some()))
            .count();
        let svg = radar_svg("radar", "Resultaten", &series);
        prop_assert_eq!(svg.matches("<polygon").count(), with_scores);
        prop_assert_eq!(svg.matches("<svg").count(), 1);
    }

    #[test]
    fn chart_text_is_escaped(title in ".{0,30}", label in ".{0,30}") {
        // Escaped text adds no markup: the chart has exactly as many '<', '>' and '"' as the
        // same chart with harmless text.
        let series = |l: &str| vec![gg_domain::selfassessment::Series {
            label: l.to_string(),
            values: gg_domain::selfassessment::PerS::from_fn(|_| Some(Decimal::from(3))),
        }];
        let svg = radar_svg("p", &title, &series(&label));
        let plain = radar_svg("p", "t", &series("x"));
        for c in ['<', '>', '"'] {
            prop_assert_eq!(svg.matches(c).count(), plain.matches(c).count(), "{}", c);
        }
    }

    #[test]
    fn square_roots_square_back(m in 0i64..=4_000_000_000, scale in 0u32..=9) {
        let value = Decimal::new(m, scale);
        let root = sqrt(value).unwrap();
        // Within a relative 1e-20 of the value: far below anything the page shows.
        let diff = (root * root - value).abs();
        prop_assert!(diff <= value * Decimal::new(1, 20) + Decimal::new(1, 26), "{} → {}", value, root);
    }
}

#[test]
fn the_catalogue_covers_every_s() {
    assert!(DEFAULT_CATALOGUE.len() >= 35);
    for s in SevenS::ALL {
        let count = DEFAULT_CATALOGUE.iter().filter(|st| st.s == *s).count();
        assert!(count >= 5, "{s}: {count}");
    }
    let keys: BTreeSet<_> = DEFAULT_CATALOGUE.iter().map(|st| st.key).collect();
    assert_eq!(keys.len(), DEFAULT_CATALOGUE.len(), "unique keys");
    let texts: BTreeSet<_> = DEFAULT_CATALOGUE.iter().map(|st| st.text).collect();
    assert_eq!(texts.len(), DEFAULT_CATALOGUE.len(), "no statement twice");
    for st in DEFAULT_CATALOGUE {
        assert!(!st.text.trim().is_empty(), "{}", st.key);
        assert!(!st.source.trim().is_empty(), "{}", st.key);
        assert_eq!(st.is_hard(), st.s.is_hard());
    }
}
