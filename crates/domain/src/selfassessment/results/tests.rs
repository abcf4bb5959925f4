use super::*;
use crate::selfassessment::answer::Answer;
use crate::selfassessment::side::SideHidden;
use rust_decimal::dec;
use time::macros::date;

const RVB: BodyId = BodyId::new(1);
const MSB: BodyId = BodyId::new(2);
const VMSD: BodyId = BodyId::new(3);
const RVT: BodyId = BodyId::new(4);

fn statements() -> Vec<RoundStatement> {
    [
        (11, SevenS::Strategie, "Heldere keuzes."),
        (12, SevenS::Strategie, "Niet vrijblijvend."),
        (13, SevenS::Stijl, "Vertrouwen."),
    ]
    .into_iter()
    .map(|(id, s, text)| RoundStatement {
        id: StatementId(id),
        s,
        text: text.into(),
    })
    .collect()
}

fn bodies(vmsd_respondents: u32) -> Vec<RoundBody> {
    [
        (RVB, "RvB", BodyKind::Bestuur, 3),
        (MSB, "MSB", BodyKind::MsbPlus, 3),
        (VMSD, "VMSD", BodyKind::MsbPlus, vmsd_respondents),
        (RVT, "RvT", BodyKind::Toezicht, 0),
    ]
    .into_iter()
    .map(|(id, name, kind, respondents)| RoundBody {
        id,
        name: name.into(),
        kind,
        respondents,
    })
    .collect()
}

fn answers(body_id: BodyId, statement: i64, codes: &[&str]) -> Vec<AnonymousAnswer> {
    codes
        .iter()
        .map(|code| AnonymousAnswer {
            body_id,
            statement: StatementId(statement),
            answer: Answer::try_from(*code).unwrap(),
            comment: None,
        })
        .collect()
}

/// RvB: s11 4 4 5, s12 3 3 ?, s13 2 3 4. MSB: s11 2 3 4, s12 5 5 5, s13 2 3 4.
fn base_answers() -> Vec<AnonymousAnswer> {
    [
        answers(RVB, 11, &["4", "4", "5"]),
        answers(RVB, 12, &["3", "3", "weet_niet"]),
        answers(RVB, 13, &["2", "3", "4"]),
        answers(MSB, 11, &["2", "3", "4"]),
        answers(MSB, 12, &["5", "5", "5"]),
        answers(MSB, 13, &["2", "3", "4"]),
    ]
    .concat()
}

#[test]
fn figures_gaps_and_alignment_by_hand() {
    let r = compute(&statements(), &bodies(0), &base_answers());

    let rvb = r.bodies[0].figures().expect("RvB has 3 respondents");
    let s11 = &rvb.statements[0].stats;
    assert_eq!(
        (s11.n, s11.dont_know, s11.distribution),
        (3, 0, [0, 0, 0, 2, 1])
    );
    assert_eq!(mean_text(s11.mean.unwrap()), "4,3");
    let s12 = &rvb.statements[1].stats;
    assert_eq!((s12.n, s12.dont_know, s12.mean), (2, 1, Some(dec!(3))));
    assert_eq!(s12.spread, Some(Decimal::ZERO));
    // Strategie pooled for the RvB: 4 4 5 3 3 → 19 / 5.
    assert_eq!(rvb.per_s[SevenS::Strategie].mean, Some(dec!(3.8)));
    assert_eq!(rvb.per_s[SevenS::Strategie].dont_know, 1);
    assert_eq!(rvb.per_s[SevenS::Systemen].mean, None);

    // VMSD (no respondents) and RvT are not shown; the VMSD does not block the MSB+ side.
    assert!(matches!(
        r.bodies[2],
        BodyResult::TooFew { respondents: 0, .. }
    ));
    assert!(matches!(r.bodies[3], BodyResult::TooFew { .. }));
    let msbplus = r
        .msbplus
        .figures()
        .expect("MSB alone is above the threshold");
    assert_eq!(msbplus.body_ids, [MSB]);
    assert_eq!(msbplus.respondents, 3);

    // s11: 3 − 13/3 = −4/3 → 100 × (1 − (4/3)/4) = 66,67 %.
    let g11 = r.statement_gaps[0].gap.unwrap();
    assert_eq!(gap_text(g11.gap), "-1,3");
    assert_eq!(score_text(g11.alignment), "67 %");
    // s12: 5 − 3 = +2 → 50 %; s13: equal → 100 %.
    let g12 = r.statement_gaps[1].gap.unwrap();
    assert_eq!((g12.gap, g12.alignment), (dec!(2), dec!(50)));
    assert_eq!(gap_text(g12.gap), "+2,0");
    let g13 = r.statement_gaps[2].gap.unwrap();
    assert_eq!((g13.gap, g13.alignment), (Decimal::ZERO, dec!(100)));
    assert_eq!(gap_text(g13.gap), "0,0");

    // Strategie: MSB+ 2 3 4 5 5 5 → 4; RvB 3,8; gap 0,2 → 95 %. Stijl 100 %. Others: none.
    let strategie = r.s_gaps[SevenS::Strategie].unwrap();
    assert_eq!((strategie.gap, strategie.alignment), (dec!(0.2), dec!(95)));
    assert_eq!(r.s_gaps[SevenS::Stijl].unwrap().alignment, dec!(100));
    assert_eq!(r.s_gaps[SevenS::Structuur], None);
    assert_eq!(r.overall_alignment, Some(dec!(97.5)));

    let order: Vec<_> = r.most_divergent.iter().map(|g| g.statement.0).collect();
    assert_eq!(order, [12, 11, 13]);
}

#[test]
fn a_small_body_hides_its_side() {
    let mut all = base_answers();
    all.extend(answers(VMSD, 11, &["1", "1"]));
    let r = compute(&statements(), &bodies(2), &all);
    assert!(matches!(
        r.bodies[2],
        BodyResult::TooFew { respondents: 2, .. }
    ));
    assert_eq!(
        r.msbplus,
        SideResult::Hidden {
            side: Side::MsbPlus,
            reason: SideHidden::SmallBodies {
                body_ids: vec![VMSD]
            }
        }
    );
    assert!(r.rvb.figures().is_some());
    assert!(r.statement_gaps.iter().all(|g| g.gap.is_none()));
    assert_eq!(r.overall_alignment, None);
    assert!(r.most_divergent.is_empty());
    assert_eq!(r.side_series().len(), 1);
    assert!(
        SideHidden::SmallBodies {
            body_ids: vec![VMSD]
        }
        .message(Side::MsbPlus)
        .starts_with("MSB+ wordt niet getoond")
    );
}

#[test]
fn bodies_above_the_threshold_are_pooled() {
    let mut all = base_answers();
    all.extend(answers(VMSD, 11, &["1", "1", "weet_niet"]));
    let r = compute(&statements(), &bodies(3), &all);
    let msbplus = r.msbplus.figures().unwrap();
    assert_eq!(msbplus.body_ids, [MSB, VMSD]);
    assert_eq!(msbplus.respondents, 6);
    // s11 pooled: 2 3 4 1 1 → 11 / 5 = 2,2; one "weet ik niet".
    let s11 = &msbplus.statements[0].stats;
    assert_eq!((s11.n, s11.dont_know, s11.mean), (5, 1, Some(dec!(2.2))));
    assert_eq!(s11.distribution, [2, 1, 1, 1, 0]);
    // The pooled side is exactly the sum of its visible bodies.
    let msb = r.bodies[1].figures().unwrap();
    let vmsd = r.bodies[2].figures().unwrap();
    for i in 0..3 {
        let d = |f: &BodyFigures| f.statements[i].stats.distribution;
        let sum: Vec<u32> = (0..5).map(|k| d(msb)[k] + d(vmsd)[k]).collect();
        assert_eq!(msbplus.statements[i].stats.distribution.to_vec(), sum);
    }
    assert_eq!(r.body_series().len(), 3);
}

#[test]
fn a_side_without_respondents_or_with_too_few() {
    let only_rvb: Vec<_> = base_answers()
        .into_iter()
        .filter(|a| a.body_id == RVB)
        .collect();
    let mut b = bodies(0);
    b[1].respondents = 0;
    let r = compute(&statements(), &b, &only_rvb);
    assert_eq!(
        r.msbplus,
        SideResult::Hidden {
            side: Side::MsbPlus,
            reason: SideHidden::NoRespondents
        }
    );
    assert_eq!(
        SideHidden::NoRespondents.message(Side::MsbPlus),
        "Geen respondenten van MSB+."
    );
    // Answers without respondents (inconsistent input) still count as contributing: hidden.
    let r = compute(&statements(), &b, &base_answers());
    assert!(matches!(
        r.msbplus,
        SideResult::Hidden {
            reason: SideHidden::SmallBodies { .. },
            ..
        }
    ));
}

#[test]
fn comments_are_sorted_trimmed_and_withheld_below_the_threshold() {
    let mut all = base_answers();
    let comment = |body_id, text: &str| AnonymousAnswer {
        body_id,
        statement: StatementId(13),
        answer: Answer::WeetNiet,
        comment: Some(text.into()),
    };
    all.push(comment(RVB, "  Zo nu en dan. "));
    all.push(comment(RVB, "Altijd"));
    all.push(comment(RVB, "   "));
    all.push(comment(VMSD, "Geheim"));
    let r = compute(&statements(), &bodies(2), &all);
    let rvb = r.bodies[0].figures().unwrap();
    assert_eq!(rvb.statements[2].comments, ["Altijd", "Zo nu en dan."]);
    assert_eq!(rvb.statements[2].stats.dont_know, 3);
    let shown = format!("{:?}", r.bodies[2]);
    assert!(!shown.contains("Geheim"), "{shown}");
}

#[test]
fn answers_outside_the_round_are_ignored() {
    let mut all = base_answers();
    all.extend(answers(BodyId::new(99), 11, &["1"]));
    all.extend(answers(RVB, 99, &["1"]));
    assert_eq!(
        compute(&statements(), &bodies(0), &all),
        compute(&statements(), &bodies(0), &base_answers())
    );
}

#[test]
fn the_five_most_divergent_with_ties_in_statement_order() {
    let statements: Vec<RoundStatement> = (1..=7)
        .map(|i| RoundStatement {
            id: StatementId(i),
            s: SevenS::ALL[(i as usize - 1) % 7],
            text: format!("Stelling {i}"),
        })
        .collect();
    // Gaps per statement: 1: 0, 2: −2, 3: +2, 4: 1, 5: −1, 6: 4, 7: 1/3.
    let pairs = [
        (["3", "3", "3"], ["3", "3", "3"]),
        (["4", "4", "4"], ["2", "2", "2"]),
        (["2", "2", "2"], ["4", "4", "4"]),
        (["3", "3", "3"], ["4", "4", "4"]),
        (["3", "3", "3"], ["2", "2", "2"]),
        (["1", "1", "1"], ["5", "5", "5"]),
        (["3", "3", "3"], ["3", "3", "4"]),
    ];
    let mut all = Vec::new();
    for (i, (r, m)) in pairs.iter().enumerate() {
        all.extend(answers(RVB, i as i64 + 1, r));
        all.extend(answers(MSB, i as i64 + 1, m));
    }
    let r = compute(&statements, &bodies(0), &all);
    let order: Vec<_> = r.most_divergent.iter().map(|g| g.statement.0).collect();
    assert_eq!(order, [6, 2, 3, 4, 5]);
}

#[test]
fn series_and_summary() {
    let r = compute(&statements(), &bodies(0), &base_answers());
    let series = r.body_series();
    assert_eq!(
        series.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
        ["RvB", "MSB"]
    );
    assert_eq!(series[0].values[SevenS::Strategie], Some(dec!(3.8)));
    assert_eq!(
        r.side_series()
            .iter()
            .map(|s| s.label.as_str())
            .collect::<Vec<_>>(),
        ["RvB (totaal)", "MSB+ (totaal)"]
    );
    let summary = r.alignment_summary(RoundId(5), "Najaar 2026", date!(2026 - 12 - 15));
    assert_eq!(summary.per_s[SevenS::Strategie], Some(dec!(95)));
    assert_eq!(summary.per_s[SevenS::Structuur], None);
    assert_eq!(summary.overall, Some(dec!(97.5)));
    assert_eq!(r.side(Side::Rvb), &r.rvb);
}

#[test]
fn display_rounding() {
    assert_eq!(mean_text(dec!(3.75)), "3,8");
    assert_eq!(mean_text(dec!(3.749)), "3,7");
    assert_eq!(spread_text(dec!(1.0897)), "1,1");
    assert_eq!(score_text(dec!(87.5)), "88 %");
    assert_eq!(score_text(dec!(66.6666)), "67 %");
    assert_eq!(gap_text(dec!(-0.04)), "0,0");
    assert_eq!(gap_text(dec!(0.45)), "+0,5");
    assert_eq!(Side::try_from("msbplus"), Ok(Side::MsbPlus));
    assert!(Side::try_from("msb").is_err());
}
