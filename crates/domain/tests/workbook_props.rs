//! Properties of the controller's workbook (D11) over generated budgets: every formula evaluates
//! to the value the application computed (engine and distribution, any variant, band or none),
//! every sheet name is valid and unique, and a workbook for some vakgroepen never names or
//! shows the others.

use gg_domain::budget::distribution::{Band, EarmarkPlacement, Frame, distribute, inputs_from};
use gg_domain::budget::workbook::{
    Cell, Labels, Workbook, WorkbookMeta, WorkbookScope, WorkbookSource, build_workbook,
    sheet_name_problem, verify_formulas,
};
use gg_domain::budget::{
    BudgetInput, CareProduct, Direction, Earmark, Grondslag, KpiInput, KpiKind, PzVariant,
    Scenario, TrendCategory, TrendChange, TrendInput, TrendScope, VakgroepInput, compute,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashMap, HashSet};

/// A token that is no substring of another vakgroep's token: `VGX03K`.
fn code(i: usize) -> String {
    format!("VGX{i:02}K")
}

fn trend_strategy(id: i64, product_ids: Vec<i64>) -> BoxedStrategy<TrendInput> {
    let scope = if product_ids.is_empty() {
        Just(TrendScope::Vakgroep).boxed()
    } else {
        prop_oneof![
            Just(TrendScope::Vakgroep),
            prop::sample::subsequence(product_ids.clone(), 1..=product_ids.len())
                .prop_map(TrendScope::Products),
            // A product of no vakgroep: the input is skipped and reported.
            Just(TrendScope::Products(vec![999_999])),
        ]
        .boxed()
    };
    let change = prop_oneof![
        (-3_000i64..3_000).prop_map(|p| TrendChange::Percent(Decimal::new(p, 2))),
        (-50_000i64..50_000).prop_map(|a| TrendChange::Absolute(Decimal::new(a, 2))),
    ];
    (scope, change)
        .prop_map(move |(scope, change)| TrendInput {
            id,
            scope,
            change,
            category: TrendCategory::Overig,
        })
        .boxed()
}

fn vakgroep_strategy(i: usize) -> impl Strategy<Value = VakgroepInput> {
    let id = i as i64 + 1;
    (
        prop::collection::vec(
            (
                1i64..24_000,
                prop_oneof![1 => Just(0i64), 4 => 0i64..500_000],
            ),
            0..12,
        ),
        prop::option::weighted(0.9, 1_000i64..2_000),
        1i64..3_000,
        prop::option::weighted(0.8, 1i64..3_000),
        prop::collection::vec((any::<bool>(), any::<bool>(), 0i64..500, 0i64..500), 0..4),
    )
        .prop_flat_map(move |(products, normuren, formatief, last, kpis)| {
            let products: Vec<CareProduct> = products
                .into_iter()
                .enumerate()
                .map(|(p, (minutes, baseline))| CareProduct {
                    id: id * 1_000 + p as i64,
                    code: format!("{}-P{p}", code(i)),
                    norm_minutes: Decimal::new(minutes, 1),
                    baseline: Decimal::new(baseline, 2),
                })
                .collect();
            let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
            let kpis: Vec<KpiInput> = kpis
                .into_iter()
                .enumerate()
                .map(|(k, (eff, lower, reference, local))| KpiInput {
                    code: format!("{}-KPI{k}", code(i)),
                    kind: if eff {
                        KpiKind::Efficiency
                    } else {
                        KpiKind::PassendeZorg
                    },
                    direction: if lower {
                        Direction::LowerIsBetter
                    } else {
                        Direction::HigherIsBetter
                    },
                    reference: Decimal::new(reference, 1),
                    local: Decimal::new(local, 1),
                })
                .collect();
            let trends = (0..3)
                .map(|t| trend_strategy(id * 10 + t, ids.clone()))
                .collect::<Vec<_>>();
            let trends = (0usize..=3).prop_flat_map(move |n| trends[..n].to_vec());
            (Just(products), Just(kpis), trends).prop_map(move |(products, kpis, trends)| {
                VakgroepInput {
                    id,
                    code: code(i),
                    normuren_per_fte: normuren.map(Decimal::from),
                    formatief_fte: Decimal::new(formatief, 1),
                    last_year_norm_fte: last.map(|l| Decimal::new(l, 1)),
                    products,
                    kpis,
                    trends,
                }
            })
        })
}

fn variant() -> impl Strategy<Value = PzVariant> {
    prop::sample::select(PzVariant::ALL.to_vec())
}

prop_compose! {
    fn case()(
        input in (1usize..6).prop_flat_map(|n| (0..n).map(vakgroep_strategy).collect::<Vec<_>>())
            .prop_map(|vakgroepen| BudgetInput { vakgroepen }),
        default_variant in variant(),
        overrides in prop::collection::vec(prop::option::of(variant()), 6),
        earmark in 0i64..10_000_000,
        grondslag in prop::sample::select(Grondslag::ALL.to_vec()),
        fee in 100_000i64..10_000_000_000,
        phi in 0i64..=100,
        band in prop::option::of((80i64..=100, 100i64..=130)),
        on_top in any::<bool>(),
        scatter in prop::collection::vec(50i64..150, 6),
        scope in prop::collection::vec(any::<bool>(), 6),
    ) -> Case {
        let mut scenario = Scenario {
            variant: default_variant,
            earmark: Some(Earmark { amount: Decimal::new(earmark, 2), grondslag }),
            ..Scenario::default()
        };
        for (k, o) in overrides.iter().enumerate() {
            if let Some(v) = o {
                scenario.variant_overrides.insert(k as i64 + 1, *v);
            }
        }
        let frame = Frame {
            fee_budget: Decimal::new(fee, 2),
            fixed_share: Decimal::new(phi, 2),
            default_band: band.map(|(f, c)| Band { floor: Decimal::new(f, 2), cap: Decimal::new(c, 2) }),
            placement: if on_top { EarmarkPlacement::OnTop } else { EarmarkPlacement::OutOfBudget },
        };
        let shown: BTreeSet<i64> = (1..=input.vakgroepen.len() as i64)
            .filter(|id| scope[*id as usize - 1])
            .collect();
        Case { input, scenario, frame, scatter, shown }
    }
}

#[derive(Debug, Clone)]
struct Case {
    input: BudgetInput,
    scenario: Scenario,
    frame: Frame,
    scatter: Vec<i64>,
    shown: BTreeSet<i64>,
}

fn workbooks(c: &Case) -> (Workbook, Workbook) {
    let result = compute(&c.input, &c.scenario).unwrap();
    // Last year: this year's allocation without a band, scattered, so that bands bind.
    let free = Frame {
        default_band: None,
        ..c.frame
    };
    let distribution = inputs_from(&result, &HashMap::new(), &HashMap::new())
        .ok()
        .and_then(|inputs| distribute(&free, &inputs).ok())
        .and_then(|d| {
            let last: HashMap<i64, Decimal> = d
                .vakgroepen
                .iter()
                .map(|a| {
                    let k = (a.vakgroep_id as usize - 1) % c.scatter.len();
                    (
                        a.vakgroep_id,
                        (a.allocation * Decimal::new(c.scatter[k], 2)).round_dp(2),
                    )
                })
                .collect();
            let inputs = inputs_from(&result, &last, &HashMap::new()).ok()?;
            distribute(&c.frame, &inputs).ok()
        });
    let mut labels = Labels::default();
    for v in &c.input.vakgroepen {
        // Names with every character Excel forbids in a sheet name, and a formula start.
        labels
            .vakgroep_names
            .insert(v.id, format!("=Naam/{}:[*?]\\'", v.code));
    }
    let meta = WorkbookMeta {
        title: "Begroting".into(),
        year: 2027,
        scenario: "Basis".into(),
        concept: true,
        snapshot_hash: None,
        decisions: vec![],
    };
    let source = WorkbookSource {
        input: &c.input,
        scenario: &c.scenario,
        result: &result,
        distribution: distribution.as_ref(),
        frame: Some(&c.frame),
        labels: &labels,
        meta: &meta,
    };
    let full = build_workbook(&source, &WorkbookScope::Hospital).unwrap();
    let scoped = build_workbook(&source, &WorkbookScope::Vakgroepen(c.shown.clone())).unwrap();
    (full, scoped)
}

fn texts(b: &Workbook) -> Vec<String> {
    let mut out: Vec<String> = b.sheets.iter().map(|s| s.name.clone()).collect();
    for s in &b.sheets {
        for r in &s.rows {
            for cell in &r.cells {
                match cell {
                    Cell::Text(t) => out.push(t.clone()),
                    Cell::Formula { formula, .. } => out.push(formula.clone()),
                    _ => {}
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_formula_evaluates_to_its_cached_value(c in case()) {
        let (full, scoped) = workbooks(&c);
        for b in [&full, &scoped] {
            if let Err(problems) = verify_formulas(b) {
                prop_assert!(false, "{:#?}", &problems[..problems.len().min(5)]);
            }
        }
    }

    #[test]
    fn sheet_names_are_valid_and_unique(c in case()) {
        let (full, scoped) = workbooks(&c);
        for b in [&full, &scoped] {
            let mut seen = HashSet::new();
            for s in &b.sheets {
                prop_assert_eq!(sheet_name_problem(&s.name), None, "{}", s.name);
                prop_assert!(seen.insert(s.name.to_lowercase()), "{} twice", s.name);
            }
        }
        prop_assert_eq!(full.sheets.len(), c.input.vakgroepen.len() + 2);
        prop_assert_eq!(scoped.sheets.len(), c.shown.len() + 2);
    }

    #[test]
    fn a_scoped_workbook_never_names_another_vakgroep(c in case()) {
        let (_, scoped) = workbooks(&c);
        let all = texts(&scoped).join("\n");
        for v in &c.input.vakgroepen {
            if !c.shown.contains(&v.id) {
                prop_assert!(!all.contains(&v.code), "{} leaks", v.code);
            }
        }
        for id in &c.shown {
            prop_assert!(all.contains(&code(*id as usize - 1)));
        }
    }
}
