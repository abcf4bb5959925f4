//! Properties of the monitoring (D10): the months add up to H exactly, whatever the profile; a
//! full year forecasts its realisation; a flat reference year is the same as twelfths; the
//! hospital is the sum of its vakgroepen; a signal exactly when the deviation passes the
//! threshold.

use gg_domain::budget::monitoring::{
    Direction, MONTHS, MonitoredProduct, MonitoredVakgroep, MonitoringInput, ProfileKind, monitor,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn decimal(units: i64, scale: u32) -> Decimal {
    Decimal::new(units, scale)
}

fn months(values: Vec<i64>, scale: u32) -> [Decimal; MONTHS] {
    std::array::from_fn(|m| decimal(values[m], scale))
}

prop_compose! {
    fn product(id: i64)(
        minutes in prop::option::weighted(0.9, 0i64..24_000),
        realised in prop::collection::vec(0i64..50_000, MONTHS),
        reference in prop::collection::vec(prop_oneof![3 => 0i64..50_000, 1 => Just(0i64)], MONTHS),
    ) -> MonitoredProduct {
        MonitoredProduct {
            product_id: id,
            code: format!("P{id}"),
            norm_minutes: minutes.map(|m| decimal(m, 2)),
            realised: months(realised, 2),
            reference: months(reference, 1),
        }
    }
}

prop_compose! {
    fn vakgroep(id: i64)(
        // H with up to four decimals: shares of it rarely terminate.
        hours in 0i64..2_000_000_000,
        normuren in prop::option::weighted(0.9, 1_000i64..2_000),
        products in prop::collection::vec(0i64..1_000, 0..6)
            .prop_flat_map(move |ids| ids.into_iter().map(|p| product(id * 1_000 + p)).collect::<Vec<_>>()),
    ) -> MonitoredVakgroep {
        MonitoredVakgroep {
            vakgroep_id: id,
            code: format!("V{id}"),
            name: format!("Vakgroep {id}"),
            budget_hours: decimal(hours, 4),
            normuren_per_fte: normuren.map(Decimal::from),
            products,
        }
    }
}

prop_compose! {
    fn input()(
        vakgroepen in (1usize..5).prop_flat_map(|n| (0..n as i64).map(vakgroep).collect::<Vec<_>>()),
        through_month in 0u8..=12,
        reference_months in prop::collection::vec(prop::bool::weighted(0.9), MONTHS),
        threshold in 0i64..2_000,
    ) -> MonitoringInput {
        MonitoringInput {
            year: 2027,
            through_month,
            reference_months: std::array::from_fn(|m| reference_months[m]),
            threshold: decimal(threshold, 4),
            vakgroepen,
        }
    }
}

fn close(a: Decimal, b: Decimal) -> bool {
    (a - b).abs() <= Decimal::new(1, 18) * a.abs().max(Decimal::ONE)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_months_add_up_to_h_exactly(input in input()) {
        let m = monitor(&input).unwrap();
        for (v, given) in m.vakgroepen.iter().zip(&input.vakgroepen) {
            let t = &v.track;
            prop_assert_eq!(t.months[MONTHS - 1].cumulative_budget, given.budget_hours);
            let sum: Decimal = t.months.iter().map(|m| m.budget).sum();
            prop_assert_eq!(sum, given.budget_hours);
            prop_assert_eq!(v.profile.cumulative_shares[MONTHS - 1], Decimal::ONE);
            for w in t.months.windows(2) {
                prop_assert!(w[0].cumulative_budget <= w[1].cumulative_budget);
            }
            prop_assert!(t.months.iter().all(|m| m.budget >= Decimal::ZERO));
        }
        prop_assert_eq!(
            m.hospital.months[MONTHS - 1].cumulative_budget,
            input.vakgroepen.iter().map(|v| v.budget_hours).sum::<Decimal>()
        );
    }

    #[test]
    fn a_full_year_forecasts_exactly_its_realisation(mut input in input()) {
        input.through_month = 12;
        let m = monitor(&input).unwrap();
        for t in m.vakgroepen.iter().map(|v| &v.track).chain([&m.hospital]) {
            let realised = t.months[MONTHS - 1].cumulative_realised.unwrap();
            prop_assert_eq!(t.forecast.unwrap().hours, realised);
            prop_assert_eq!(t.months[MONTHS - 1].projected, Some(realised));
        }
    }

    #[test]
    fn a_flat_reference_year_is_the_same_as_twelfths(input in input(), level in 1i64..1_000) {
        let mut flat = input.clone();
        flat.reference_months = [true; MONTHS];
        for v in &mut flat.vakgroepen {
            for p in &mut v.products {
                p.reference = [Decimal::from(level); MONTHS];
            }
        }
        let mut twelfths = flat.clone();
        twelfths.reference_months[0] = false;
        let a = monitor(&flat).unwrap();
        let b = monitor(&twelfths).unwrap();
        for (x, y) in a.vakgroepen.iter().zip(&b.vakgroepen) {
            prop_assert_eq!(y.profile.kind, ProfileKind::Twelfths);
            // The same fractions, computed as h × 5·L·S / 12·L·S and as h × 5 / 12: equal up to
            // the 28th digit where the quotient does not terminate, so the budget to date (in
            // ten-thousandths) is the same or, at a boundary, one ten-thousandth apart.
            for (a, b) in x.track.months.iter().zip(&y.track.months) {
                prop_assert!(
                    (a.cumulative_budget - b.cumulative_budget).abs() <= Decimal::new(1, 4),
                    "{:?} {:?}", a, b
                );
            }
            match (x.track.forecast, y.track.forecast) {
                (Some(a), Some(b)) => prop_assert!(close(a.hours, b.hours)),
                (a, b) => prop_assert_eq!(a, b),
            }
        }
    }

    #[test]
    fn the_hospital_is_the_sum_of_its_vakgroepen(input in input()) {
        let m = monitor(&input).unwrap();
        for month in 0..MONTHS {
            let sum = |f: &dyn Fn(&gg_domain::budget::monitoring::MonthFigures) -> Option<Decimal>| {
                m.vakgroepen.iter().map(|v| f(&v.track.months[month])).sum::<Option<Decimal>>()
            };
            let h = &m.hospital.months[month];
            prop_assert_eq!(Some(h.budget), sum(&|x| Some(x.budget)));
            prop_assert_eq!(Some(h.cumulative_budget), sum(&|x| Some(x.cumulative_budget)));
            if (month as u8) < input.through_month {
                prop_assert_eq!(h.cumulative_realised, sum(&|x| x.cumulative_realised));
            } else {
                prop_assert_eq!(h.cumulative_realised, None);
            }
        }
    }

    #[test]
    fn a_signal_exactly_when_the_deviation_passes_the_threshold(input in input()) {
        let m = monitor(&input).unwrap();
        for t in m.vakgroepen.iter().map(|v| &v.track).chain([&m.hospital]) {
            let expected = match t.to_date {
                None => None,
                Some(d) => match d.fraction {
                    Some(f) if f.abs() > input.threshold => {
                        Some(if f > Decimal::ZERO { Direction::Above } else { Direction::Below })
                    }
                    Some(_) => None,
                    None if d.hours > Decimal::ZERO => Some(Direction::Above),
                    None => None,
                },
            };
            prop_assert_eq!(t.signal.as_ref().map(|s| s.direction), expected);
            if let Some(s) = &t.signal {
                prop_assert!(s.explanation.starts_with(&t.label));
                prop_assert!(s.explanation.ends_with('.'));
            }
        }
    }
}
