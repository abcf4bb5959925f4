//! Properties of the capacity-budget engine over generated hospitals.

use gg_domain::budget::{
    BudgetInput, CareProduct, Direction, Earmark, Grondslag, KpiInput, KpiKind, PzVariant,
    Scenario, TrendCategory, TrendChange, TrendInput, TrendScope, VakgroepInput, Weights, compute,
    largest_remainder, recompute_vakgroep,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn decimal(max: i64, max_scale: u32) -> impl Strategy<Value = Decimal> {
    (0..=max, 0..=max_scale).prop_map(|(m, s)| Decimal::new(m, s))
}

fn signed(max: i64, max_scale: u32) -> impl Strategy<Value = Decimal> {
    (-max..=max, 0..=max_scale).prop_map(|(m, s)| Decimal::new(m, s))
}

fn kpi() -> impl Strategy<Value = KpiInput> {
    (
        prop::sample::select(KpiKind::ALL),
        prop::sample::select(Direction::ALL),
        decimal(200, 1),
        decimal(200, 1),
    )
        .prop_map(|(kind, direction, reference, local)| KpiInput {
            code: "K".into(),
            kind,
            direction,
            reference,
            local,
        })
}

fn change(absolute: bool) -> BoxedStrategy<TrendChange> {
    let pct = signed(1500, 1).prop_map(TrendChange::Percent);
    if absolute {
        prop_oneof![pct, signed(500_000, 2).prop_map(TrendChange::Absolute)].boxed()
    } else {
        pct.boxed()
    }
}

/// A vakgroep with `id`, its products numbered from `id × 100`.
fn vakgroep(id: i64, absolute: bool) -> impl Strategy<Value = VakgroepInput> {
    let products = prop::collection::vec((decimal(2400, 1), decimal(1_000_000, 2)), 1..6);
    (
        products,
        prop::collection::vec(kpi(), 0..4),
        prop::collection::vec((any::<bool>(), change(absolute), any::<u8>()), 0..4),
        decimal(2000, 0),
        decimal(5000, 1),
        prop::option::of(decimal(5000, 1)),
    )
        .prop_map(
            move |(products, kpis, trends, normuren, formatief, last_year)| {
                let products: Vec<CareProduct> = products
                    .into_iter()
                    .enumerate()
                    .map(|(i, (norm_minutes, baseline))| CareProduct {
                        id: id * 100 + i as i64,
                        code: format!("P{i}"),
                        norm_minutes,
                        baseline,
                    })
                    .collect();
                let trends = trends
                    .into_iter()
                    .enumerate()
                    .map(|(k, (whole, change, pick))| TrendInput {
                        id: k as i64,
                        scope: if whole {
                            TrendScope::Vakgroep
                        } else {
                            // A non-empty subset chosen by the bits of `pick`.
                            let ids: Vec<i64> = products
                                .iter()
                                .enumerate()
                                .filter(|(i, _)| pick & (1 << i) != 0)
                                .map(|(_, p)| p.id)
                                .collect();
                            TrendScope::Products(if ids.is_empty() {
                                vec![products[0].id]
                            } else {
                                ids
                            })
                        },
                        change,
                        category: TrendCategory::Overig,
                    })
                    .collect();
                VakgroepInput {
                    id,
                    code: format!("V{id}"),
                    normuren_per_fte: Some(normuren + Decimal::ONE_HUNDRED),
                    formatief_fte: formatief,
                    last_year_norm_fte: last_year,
                    products,
                    kpis,
                    trends,
                }
            },
        )
}

fn hospital(absolute: bool) -> impl Strategy<Value = BudgetInput> {
    (1usize..5)
        .prop_flat_map(move |n| {
            (1..=n as i64)
                .map(|id| vakgroep(id, absolute))
                .collect::<Vec<_>>()
        })
        .prop_map(|vakgroepen| BudgetInput { vakgroepen })
}

/// Any valid weights, in whole percents.
fn weights(with_pz: bool) -> impl Strategy<Value = Weights> {
    (0u32..=100, 0u32..=100).prop_map(move |(a, b)| {
        let out = a.min(100);
        let eff = b.min(100 - out);
        let mut pz = 100 - out - eff;
        let (mut out, mut eff) = (out, eff);
        if !with_pz {
            out += pz;
            pz = 0;
        } else if pz == 0 {
            // Variant 2 needs a passende-zorg weight: take one point from whichever has it
            // (all of it may sit in efficiency).
            if out > 0 {
                out -= 1;
            } else {
                eff -= 1;
            }
            pz = 1;
        }
        Weights::from_percent(out.into(), eff.into(), pz.into()).expect("sums to 100")
    })
}

fn variant() -> impl Strategy<Value = PzVariant> {
    prop::sample::select(PzVariant::ALL)
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        variant(),
        weights(false),
        weights(true),
        decimal(10_000_000, 2),
    )
        .prop_map(|(variant, regular, pz, amount)| Scenario {
            variant,
            regular_weights: regular,
            pz_weights: pz,
            earmark: Some(Earmark {
                amount,
                grondslag: Grondslag::FormatiefFte,
            }),
            ..Scenario::default()
        })
}

fn close(a: Decimal, b: Decimal) -> bool {
    // Quotients are rounded at the 28th significant digit; compare well above that.
    (a - b).abs() <= Decimal::new(1, 15)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn volumes_are_never_negative(input in hospital(true), s in scenario()) {
        let result = compute(&input, &s).unwrap();
        for v in &result.vakgroepen {
            for p in &v.products {
                prop_assert!(!p.budget_volume.is_sign_negative() || p.budget_volume.is_zero());
            }
            if let Some(h) = v.norm_hours {
                prop_assert!(h >= Decimal::ZERO);
            }
        }
    }

    #[test]
    fn norm_hours_scale_with_volumes(input in hospital(false), k in decimal(50, 1), s in scenario()) {
        let mut scaled = input.clone();
        for v in &mut scaled.vakgroepen {
            for p in &mut v.products {
                p.baseline *= k;
            }
        }
        let a = compute(&input, &s).unwrap();
        let b = compute(&scaled, &s).unwrap();
        for (x, y) in a.vakgroepen.iter().zip(&b.vakgroepen) {
            let (hx, hy) = (x.norm_hours.unwrap(), y.norm_hours.unwrap());
            prop_assert!(close(hx * k, hy), "{} × {} ≠ {}", hx, k, hy);
        }
    }

    #[test]
    fn neutral_indices_leave_f0_alone(mut input in hospital(true), s in scenario()) {
        for v in &mut input.vakgroepen {
            v.kpis.clear();
        }
        let result = compute(&input, &s).unwrap();
        for v in &result.vakgroepen {
            prop_assert_eq!(v.efficiency_index, Decimal::ONE);
            prop_assert_eq!(v.pz_index, Decimal::ONE);
            let f = v.fte.unwrap();
            prop_assert_eq!(f.weight_factor, Decimal::ONE);
            prop_assert_eq!(f.norm_fte, f.base_norm_fte);
        }
    }

    #[test]
    fn variant_1_ignores_passende_zorg(input in hospital(true), s in scenario()) {
        let informatief = Scenario { variant: PzVariant::Informatief, ..s.clone() };
        let mut without_pz = input.clone();
        for v in &mut without_pz.vakgroepen {
            v.kpis.retain(|k| k.kind != KpiKind::PassendeZorg);
        }
        let a = compute(&input, &informatief).unwrap();
        let b = compute(&without_pz, &informatief).unwrap();
        let geoormerkt = compute(&input, &Scenario { variant: PzVariant::Geoormerkt, ..s }).unwrap();
        for ((x, y), z) in a.vakgroepen.iter().zip(&b.vakgroepen).zip(&geoormerkt.vakgroepen) {
            prop_assert_eq!(x.fte, y.fte);
            prop_assert_eq!(x.fte, z.fte);
        }
    }

    #[test]
    fn hospital_totals_are_sums(input in hospital(true), s in scenario()) {
        let r = compute(&input, &s).unwrap();
        let complete: Vec<_> = r.vakgroepen.iter().filter(|v| v.is_complete()).collect();
        let sum = |f: &dyn Fn(&&gg_domain::budget::VakgroepResult) -> Decimal| {
            complete.iter().map(f).sum::<Decimal>()
        };
        prop_assert_eq!(r.totals.norm_hours, sum(&|v| v.norm_hours.unwrap()));
        prop_assert_eq!(r.totals.base_norm_fte, sum(&|v| v.fte.unwrap().base_norm_fte));
        prop_assert_eq!(r.totals.norm_fte, sum(&|v| v.fte.unwrap().norm_fte));
        prop_assert_eq!(r.totals.formatief_fte, sum(&|v| v.formatief_fte));
        prop_assert_eq!(r.totals.mutation, sum(&|v| v.fte.unwrap().mutation));
        // Each F is a quotient rounded at the 28th digit, so this identity holds to that digit.
        prop_assert!(close(r.totals.mutation, r.totals.norm_fte - r.totals.formatief_fte));
        prop_assert_eq!(r.totals.complete + r.totals.incomplete, r.vakgroepen.len());
    }

    #[test]
    fn the_earmark_adds_up_to_the_cent(input in hospital(true), s in scenario(), g in prop::sample::select(Grondslag::ALL)) {
        let amount = s.earmark.unwrap().amount;
        let s = Scenario {
            variant: PzVariant::Geoormerkt,
            earmark: Some(Earmark { amount, grondslag: g }),
            ..s
        };
        let r = compute(&input, &s).unwrap();
        let shares: Vec<Decimal> = r.vakgroepen.iter().filter_map(|v| v.earmark.map(|e| e.amount)).collect();
        if shares.is_empty() {
            prop_assert!(!r.issues.is_empty() || amount.is_zero());
        } else {
            prop_assert_eq!(shares.len(), r.vakgroepen.len());
            prop_assert_eq!(shares.iter().copied().sum::<Decimal>(), amount);
            prop_assert_eq!(r.totals.earmarked, amount);
            for share in shares {
                prop_assert!(share >= Decimal::ZERO);
                prop_assert!(share.normalize().scale() <= 2);
            }
        }
    }

    #[test]
    fn largest_remainder_is_exact(amount in decimal(1_000_000_000, 2), ws in prop::collection::vec(decimal(100_000, 4), 1..40)) {
        if let Some(parts) = largest_remainder(amount, &ws) {
            prop_assert_eq!(parts.iter().copied().sum::<Decimal>(), amount);
            let total: Decimal = ws.iter().copied().sum();
            for (p, w) in parts.iter().zip(&ws) {
                // Each part is within a cent of its exact pro-rata value.
                let exact = amount * *w / total;
                prop_assert!((*p - exact).abs() < Decimal::new(1, 2));
            }
        } else {
            prop_assert!(ws.iter().all(|w| w.is_zero()));
        }
    }

    #[test]
    fn absolute_inputs_are_spread_exactly(input in hospital(true), s in scenario()) {
        let r = compute(&input, &s).unwrap();
        for v in &r.vakgroepen {
            for t in v.trends.iter().filter(|t| t.applied()) {
                if let TrendChange::Absolute(a) = t.input.change {
                    prop_assert_eq!(t.absolute_shares.iter().copied().sum::<Decimal>(), a);
                }
            }
        }
    }

    #[test]
    fn the_scale_of_an_absolute_input_does_not_change_the_result(
        input in hospital(true),
        s in scenario(),
        extra in 0u32..=4,
    ) {
        // As the database returns a value: 120 becomes 120.0000 (numeric(16,4)).
        let mut stored = input.clone();
        for v in &mut stored.vakgroepen {
            for t in &mut v.trends {
                if let TrendChange::Absolute(a) = &mut t.change {
                    a.rescale(a.scale() + extra);
                }
            }
        }
        prop_assert_eq!(compute(&stored, &s).unwrap(), compute(&input, &s).unwrap());
    }

    #[test]
    fn recomputing_one_vakgroep_equals_a_full_recompute(
        input in hospital(true),
        s in scenario(),
        pct in signed(500, 1),
        pick in any::<prop::sample::Index>(),
    ) {
        let mut result = compute(&input, &s).unwrap();
        let mut changed = input.clone();
        let i = pick.index(changed.vakgroepen.len());
        changed.vakgroepen[i].trends.push(TrendInput {
            id: 99,
            scope: TrendScope::Vakgroep,
            change: TrendChange::Percent(pct),
            category: TrendCategory::Demografie,
        });
        recompute_vakgroep(&mut result, &changed, &s, i).unwrap();
        prop_assert_eq!(result, compute(&changed, &s).unwrap());
    }
}
