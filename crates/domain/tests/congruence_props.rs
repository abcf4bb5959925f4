//! Properties of insurer congruence (D8): with shares adding up to 100 % the insurers' values
//! add up to the total exactly, and each vakgroep's split to its value; the position follows
//! the difference and the tolerance; shares that do not add up are refused.

mod support;

use gg_domain::budget::congruence::{CongruenceError, Insurer, Position, congruence};
use gg_domain::budget::{Scenario, compute};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Shares in hundredths of a percent that add up to exactly 100 %: cut points in 0..=10.000.
fn shares() -> impl Strategy<Value = Vec<Decimal>> {
    prop::collection::vec(0i64..=10_000, 0..5).prop_map(|mut cuts| {
        cuts.push(0);
        cuts.push(10_000);
        cuts.sort_unstable();
        cuts.windows(2)
            .map(|w| Decimal::new(w[1] - w[0], 2))
            .collect()
    })
}

prop_compose! {
    fn case()(
        seed in any::<u64>(),
        vakgroepen in 1i64..5,
        products in 1i64..30,
        shares in shares(),
        ceilings in prop::collection::vec(0i64..1_000_000_000_000, 5),
        tariffs in prop::collection::vec(prop::option::weighted(0.8, 0i64..50_000_000), 150),
        tolerance in 0i64..500,
    ) -> (gg_domain::budget::BudgetInput, HashMap<i64, Decimal>, Vec<Insurer>, Decimal) {
        let input = support::hospital(vakgroepen, products, seed);
        let tariffs: HashMap<i64, Decimal> = input
            .vakgroepen
            .iter()
            .flat_map(|v| v.products.iter())
            .filter_map(|p| tariffs[(p.id as usize) % tariffs.len()].map(|t| (p.id, Decimal::new(t, 2))))
            .collect();
        let insurers = shares
            .iter()
            .enumerate()
            .map(|(i, s)| Insurer {
                id: i as i64,
                name: format!("Verzekeraar {i}"),
                ceiling: Decimal::new(ceilings[i], 2),
                share: *s,
            })
            .collect();
        (input, tariffs, insurers, Decimal::new(tolerance, 4))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn insurer_values_add_up_to_the_total_exactly((input, tariffs, insurers, tolerance) in case()) {
        let result = compute(&input, &Scenario::default()).unwrap();
        let c = congruence(&input, &result, &tariffs, &insurers, tolerance).unwrap();
        let total: Decimal = c.insurers.iter().map(|i| i.value).sum();
        prop_assert_eq!(total, c.total_value);
        prop_assert_eq!(c.vakgroepen.iter().map(|v| v.value).sum::<Decimal>(), c.total_value);
        for v in &c.vakgroepen {
            prop_assert_eq!(v.by_insurer.iter().copied().sum::<Decimal>(), v.value);
            prop_assert_eq!(v.change, v.value - v.baseline_value);
        }
        for i in &c.insurers {
            prop_assert_eq!(i.difference, i.value - i.ceiling);
            let allowed = tolerance * i.ceiling;
            let expected = if i.difference > allowed {
                Position::Excess
            } else if -i.difference > allowed {
                Position::Shortfall
            } else {
                Position::Within
            };
            prop_assert_eq!(i.position, expected);
            prop_assert_eq!(i.flagged, expected != Position::Within);
        }
    }

    #[test]
    fn shares_that_do_not_add_up_are_refused(
        (input, tariffs, mut insurers, tolerance) in case(),
        off in prop_oneof![-100i64..0, 1i64..100],
    ) {
        insurers[0].share += Decimal::new(off, 2);
        let result = compute(&input, &Scenario::default()).unwrap();
        let refused = congruence(&input, &result, &tariffs, &insurers, tolerance);
        if insurers[0].share < Decimal::ZERO {
            prop_assert!(matches!(refused, Err(CongruenceError::Negative(_))));
        } else {
            prop_assert!(matches!(refused, Err(CongruenceError::SharesSum(_))));
        }
    }
}
