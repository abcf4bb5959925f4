use super::*;
use crate::agreements::kpi::Direction;
use crate::budget::{
    CareProduct, Earmark, Grondslag, KpiInput, PzVariant, Severity, TrendCategory, TrendChange,
    TrendInput, TrendScope, compare_scenarios, top_movers,
};
use rust_decimal::dec;

fn vakgroep(id: i64, products: &[(i64, Decimal, Decimal)]) -> VakgroepInput {
    VakgroepInput {
        id,
        code: format!("V{id}"),
        normuren_per_fte: Some(dec!(1000)),
        formatief_fte: dec!(1),
        last_year_norm_fte: None,
        products: products
            .iter()
            .map(|&(pid, norm_minutes, baseline)| CareProduct {
                id: pid,
                code: format!("P{pid}"),
                norm_minutes,
                baseline,
            })
            .collect(),
        kpis: vec![],
        trends: vec![],
    }
}

fn one(v: VakgroepInput) -> VakgroepResult {
    compute_vakgroep(&v, &Scenario::default())
}

#[test]
fn zero_or_missing_normuren_is_an_issue_not_a_panic() {
    let mut v = vakgroep(1, &[(1, dec!(60), dec!(100))]);
    v.normuren_per_fte = Some(Decimal::ZERO);
    let r = one(v.clone());
    assert_eq!(r.norm_hours, Some(dec!(100)));
    assert!(r.fte.is_none());
    assert_eq!(
        r.issues[0].message,
        "De normuren per fte van vakgroep V1 zijn 0,00; dat moet meer dan 0 zijn. De norm-fte is niet berekend."
    );
    v.normuren_per_fte = Some(dec!(-5));
    assert!(one(v).fte.is_none());
}

#[test]
fn negative_data_stops_the_vakgroep_with_a_reason() {
    let r = one(vakgroep(1, &[(1, dec!(60), dec!(-1))]));
    assert_eq!(r.norm_hours, None);
    assert_eq!(r.fte, None);
    assert_eq!(r.issues[0].severity, Severity::Error);
    assert!(r.issues[0].message.contains("negatief basisvolume"));
    let r = one(vakgroep(1, &[(1, dec!(-60), dec!(1))]));
    assert!(r.issues[0].message.contains("negatieve normtijd"));
    let mut v = vakgroep(1, &[(1, dec!(60), dec!(1))]);
    v.formatief_fte = dec!(-1);
    assert!(one(v).issues[0].message.contains("formatieve fte"));
}

#[test]
fn overflow_is_reported() {
    let r = one(vakgroep(1, &[(1, Decimal::MAX, Decimal::MAX)]));
    assert_eq!(r.norm_hours, None);
    assert!(r.issues[0].message.contains("te groot"));
}

#[test]
fn totals_that_would_overflow_leave_the_vakgroep_out_with_an_error() {
    // Each vakgroep computes on its own (about 5 × 10^28 fte with tiny normuren), but two of
    // them add up to more than a decimal holds.
    let huge = |id| {
        let mut v = vakgroep(id, &[(id, dec!(60), dec!(500000000000000000000000000))]);
        v.normuren_per_fte = Some(dec!(0.01));
        v
    };
    let input = BudgetInput {
        vakgroepen: vec![huge(1), vakgroep(2, &[(2, dec!(60), dec!(1000))]), huge(3)],
    };
    let r = compute(&input, &Scenario::default()).unwrap();
    assert!(r.vakgroepen.iter().all(|v| v.fte.is_some()));
    assert_eq!((r.totals.complete, r.totals.incomplete), (2, 1));
    assert_eq!(r.totals.norm_hours, dec!(500000000000000000000001000));
    let errors: Vec<&Issue> = r
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].message.contains("vakgroep V3 zijn te groot"),
        "{}",
        errors[0].message
    );
}

#[test]
fn an_earmark_over_huge_grondslagen_is_an_issue_not_a_panic() {
    let huge = |id| {
        let mut v = vakgroep(id, &[(id, dec!(60), dec!(500000000000000000000000000))]);
        v.normuren_per_fte = Some(dec!(0.01));
        v
    };
    let s = Scenario {
        variant: PzVariant::Geoormerkt,
        earmark: Some(Earmark {
            amount: dec!(1000000),
            grondslag: Grondslag::NormFte,
        }),
        ..Scenario::default()
    };
    // Two norm-fte of about 5 × 10^28 cannot be added up: nothing is distributed.
    let input = BudgetInput {
        vakgroepen: vec![huge(1), huge(2)],
    };
    let r = compute(&input, &s).unwrap();
    assert!(r.vakgroepen.iter().all(|v| v.earmark.is_none()));
    assert!(
        r.issues
            .iter()
            .any(|i| i.severity == Severity::Error
                && i.message.contains("grondslag × Z is te groot")),
        "{:?}",
        r.issues
    );
    // One of them with a small one: the amount × weight no longer fits, the shares still do.
    let input = BudgetInput {
        vakgroepen: vec![huge(1), vakgroep(2, &[(2, dec!(60), dec!(1000))])],
    };
    let r = compute(&input, &s).unwrap();
    let shares: Vec<Decimal> = r
        .vakgroepen
        .iter()
        .map(|v| v.earmark.unwrap().amount)
        .collect();
    assert_eq!(shares, [dec!(1000000), dec!(0)]);
    assert_eq!(r.totals.earmarked, dec!(1000000));
}

#[test]
fn a_vakgroep_without_products_has_zero_hours() {
    let mut v = vakgroep(1, &[]);
    v.trends.push(TrendInput {
        id: 1,
        scope: TrendScope::Vakgroep,
        change: TrendChange::Absolute(dec!(10)),
        category: TrendCategory::Overig,
    });
    let r = one(v);
    assert_eq!(r.norm_hours, Some(Decimal::ZERO));
    assert_eq!(r.fte.unwrap().norm_fte, Decimal::ZERO);
    assert!(!r.trends[0].applied());
    assert_eq!(r.issues[0].severity, Severity::Warning);
}

#[test]
fn product_ids_need_not_be_sorted() {
    let mut v = vakgroep(1, &[(30, dec!(60), dec!(10)), (10, dec!(60), dec!(20))]);
    v.trends.push(TrendInput {
        id: 1,
        scope: TrendScope::Products(vec![10]),
        change: TrendChange::Percent(dec!(50)),
        category: TrendCategory::Overig,
    });
    let r = one(v);
    assert_eq!(r.products[1].budget_volume, dec!(30));
    assert_eq!(r.products[0].budget_volume, dec!(10));
    assert_eq!(r.product_trends(1), [(1, TrendChange::Percent(dec!(50)))]);
    assert!(r.product_trends(0).is_empty());
}

#[test]
fn the_earmark_waits_for_every_grondslag() {
    let input = BudgetInput {
        vakgroepen: vec![
            vakgroep(1, &[(1, dec!(60), dec!(100))]),
            vakgroep(2, &[(2, dec!(60), dec!(100))]),
        ],
    };
    let mut s = Scenario {
        variant: PzVariant::Geoormerkt,
        earmark: Some(Earmark {
            amount: dec!(100),
            grondslag: Grondslag::NormFteVorigJaar,
        }),
        ..Scenario::default()
    };
    let r = compute(&input, &s).unwrap();
    assert!(r.vakgroepen.iter().all(|v| v.earmark.is_none()));
    assert_eq!(
        r.issues[0].message,
        "Het geoormerkte bedrag is niet verdeeld: voor V1, V2 ontbreekt een bruikbare grondslag (norm-fte vorig jaar)."
    );

    // Only the vakgroepen in variant 3 share the amount.
    s.earmark = Some(Earmark {
        amount: dec!(100),
        grondslag: Grondslag::NormFte,
    });
    s.variant_overrides.insert(2, PzVariant::Informatief);
    let r = compute(&input, &s).unwrap();
    assert_eq!(r.vakgroepen[0].earmark.unwrap().amount, dec!(100));
    assert!(r.vakgroepen[1].earmark.is_none());
    assert_eq!(r.totals.earmarked, dec!(100));

    // Nobody in variant 3.
    s.variant = PzVariant::Informatief;
    s.variant_overrides.clear();
    let r = compute(&input, &s).unwrap();
    assert!(
        r.issues[0]
            .message
            .starts_with("Geen enkele vakgroep valt onder variant 3")
    );
}

#[test]
fn an_invalid_scenario_is_refused() {
    let s = Scenario {
        variant: PzVariant::Geoormerkt,
        ..Scenario::default()
    };
    assert_eq!(
        compute(&BudgetInput::default(), &s),
        Err(ScenarioError::EarmarkMissing)
    );
}

#[test]
fn unusable_kpis_are_warnings_and_traced() {
    let mut v = vakgroep(1, &[(1, dec!(60), dec!(100))]);
    v.kpis.push(KpiInput {
        code: "ligduur".into(),
        kind: KpiKind::Efficiency,
        direction: Direction::LowerIsBetter,
        reference: dec!(0),
        local: dec!(4),
    });
    let r = one(v);
    assert_eq!(r.efficiency_index, Decimal::ONE);
    assert_eq!(r.kpis[0].ratio, None);
    assert_eq!(r.issues.len(), 1);
    assert!(r.is_complete());
}

#[test]
fn scenarios_side_by_side_and_top_movers() {
    let mut a_in = BudgetInput {
        vakgroepen: vec![vakgroep(
            1,
            &[
                (1, dec!(60), dec!(100)),
                (2, dec!(30), dec!(100)),
                (3, dec!(60), dec!(100)),
            ],
        )],
    };
    let a = compute(&a_in, &Scenario::default()).unwrap();
    a_in.vakgroepen[0].trends.push(TrendInput {
        id: 1,
        scope: TrendScope::Products(vec![1, 2]),
        change: TrendChange::Percent(dec!(10)),
        category: TrendCategory::Demografie,
    });
    a_in.vakgroepen[0].trends.push(TrendInput {
        id: 2,
        scope: TrendScope::Products(vec![3]),
        change: TrendChange::Absolute(dec!(-40)),
        category: TrendCategory::Substitutie,
    });
    a_in.vakgroepen
        .push(vakgroep(2, &[(9, dec!(60), dec!(60))]));
    let b = compute(&a_in, &Scenario::default()).unwrap();
    let rows = compare_scenarios(&a, &b);
    assert_eq!(rows.len(), 2);
    // A: 300 units → 250 hours → 0,25 fte. B: 110 + 55 + 60 → 225 hours → 0,225 fte.
    assert_eq!(rows[0].norm_hours, (Some(dec!(250)), Some(dec!(225))));
    assert_eq!(rows[0].norm_fte_difference, Some(dec!(-0.025)));
    assert_eq!(rows[1].norm_fte.0, None);
    assert_eq!(rows[1].norm_fte_difference, None);

    let movers = top_movers(&b.vakgroepen[0], 1);
    // Products 1 and 2 both rise by 10; the tie goes to the first.
    assert_eq!(movers.rising.len(), 1);
    assert_eq!(movers.rising[0].product_id, 1);
    assert_eq!(movers.falling[0].product_id, 3);
    assert_eq!(movers.falling[0].volume_change, dec!(-40));
    assert!(top_movers(&b.vakgroepen[0], 0).rising.is_empty());
}
