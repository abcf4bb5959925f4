use super::*;
use AgreementStatus::*;
use proptest::prelude::*;
use rust_decimal::dec;
use time::Duration;
use time::macros::date;

fn agreement(
    due: Date,
    realised_on: Option<Date>,
    status: AgreementStatus,
    parties: &[&str],
    seven_s: &[SevenS],
    theme: Option<JzojpTheme>,
) -> DueAgreement {
    DueAgreement {
        due,
        realised_on,
        status,
        parties: parties.iter().map(|p| p.to_string()).collect(),
        seven_s: seven_s.to_vec(),
        theme,
    }
}

fn register() -> Vec<DueAgreement> {
    use JzojpTheme::*;
    use SevenS::*;
    vec![
        // On time.
        agreement(
            date!(2026 - 03 - 31),
            Some(date!(2026 - 03 - 15)),
            Gerealiseerd,
            &["RvB", "MSB+"],
            &[Strategie],
            Some(ZorgThuis),
        ),
        // Realised, but late.
        agreement(
            date!(2026 - 02 - 15),
            Some(date!(2026 - 03 - 01)),
            Gerealiseerd,
            &["MSB+"],
            &[Systemen],
            None,
        ),
        agreement(
            date!(2026 - 01 - 10),
            None,
            NietNagekomen,
            &["RvB", "RvB"],
            &[Strategie, Strategie],
            Some(ZorgThuis),
        ),
        // Withdrawn: never counts.
        agreement(
            date!(2026 - 03 - 01),
            None,
            Vervallen,
            &["RvB"],
            &[Stijl],
            Some(EersteLijn),
        ),
        // Still open after its due date.
        agreement(
            date!(2026 - 02 - 01),
            None,
            InUitvoering,
            &["Cardiologie"],
            &[Stijl],
            Some(EersteLijn),
        ),
        // Next quarter.
        agreement(
            date!(2026 - 04 - 10),
            Some(date!(2026 - 04 - 01)),
            Gerealiseerd,
            &["RvB"],
            &[Strategie],
            None,
        ),
        // Realised without a date: cannot show it was on time.
        agreement(
            date!(2026 - 03 - 31),
            None,
            Gerealiseerd,
            &["MSB+"],
            &[],
            None,
        ),
    ]
}

const Q1: (Date, Date) = (date!(2026 - 01 - 01), date!(2026 - 03 - 31));

#[test]
fn rate_over_a_period() {
    let c = compliance(&register(), Q1.0, Q1.1);
    assert_eq!(
        c,
        Compliance {
            due: 5,
            on_time: 1,
            rate: Some(dec!(20.0))
        }
    );
    let none = compliance(&register(), date!(2025 - 01 - 01), date!(2025 - 12 - 31));
    assert_eq!(none, Compliance::default());
    assert_eq!(none.rate, None);
    // Both ends of the period are inclusive.
    let day = compliance(&register(), date!(2026 - 03 - 31), date!(2026 - 03 - 31));
    assert_eq!((day.due, day.on_time), (2, 1));
    assert_eq!(day.rate, Some(dec!(50.0)));
}

#[test]
fn rates_are_rounded_to_one_decimal() {
    let on_time = |due| agreement(due, Some(due), Gerealiseerd, &[], &[], None);
    let late = agreement(date!(2026 - 01 - 05), None, NietNagekomen, &[], &[], None);
    let set = [
        on_time(date!(2026 - 01 - 02)),
        on_time(date!(2026 - 01 - 03)),
        late,
    ];
    assert_eq!(compliance(&set, Q1.0, Q1.1).rate, Some(dec!(66.7)));
}

#[test]
fn grouped_per_party_seven_s_and_theme() {
    let r = register();
    let party = by_party(&r, Q1.0, Q1.1);
    let keys: Vec<_> = party.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["Cardiologie", "MSB+", "RvB"]);
    // A party listed twice on one agreement counts once.
    assert_eq!(
        party[2].1,
        Compliance {
            due: 2,
            on_time: 1,
            rate: Some(dec!(50.0))
        }
    );
    assert_eq!(
        party[1].1,
        Compliance {
            due: 3,
            on_time: 1,
            rate: Some(dec!(33.3))
        }
    );

    let s = by_seven_s(&r, Q1.0, Q1.1);
    let keys: Vec<_> = s.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, [SevenS::Strategie, SevenS::Systemen, SevenS::Stijl]);
    assert_eq!((s[0].1.due, s[0].1.on_time), (2, 1));
    assert_eq!(s[2].1.rate, Some(dec!(0.0)));

    let t = by_theme(&r, Q1.0, Q1.1);
    assert_eq!(
        t.iter().map(|(k, c)| (*k, c.due)).collect::<Vec<_>>(),
        [(JzojpTheme::ZorgThuis, 2), (JzojpTheme::EersteLijn, 1)]
    );
}

#[test]
fn quarters() {
    assert_eq!(
        quarter_bounds(2026, 1),
        Some((date!(2026 - 01 - 01), date!(2026 - 03 - 31)))
    );
    assert_eq!(
        quarter_bounds(2028, 4),
        Some((date!(2028 - 10 - 01), date!(2028 - 12 - 31)))
    );
    assert_eq!(quarter_bounds(2026, 0), None);
    assert_eq!(quarter_bounds(2026, 5), None);
    assert_eq!(quarter_of(date!(2026 - 07 - 01)), (2026, 3));
    assert_eq!(quarter_of(date!(2026 - 06 - 30)), (2026, 2));
    assert_eq!(
        quarters_until(date!(2026 - 05 - 20), 4),
        [(2025, 3), (2025, 4), (2026, 1), (2026, 2)]
    );
    assert!(quarters_until(date!(2026 - 05 - 20), 0).is_empty());
}

#[test]
fn quarterly_trend_follows_the_given_quarters() {
    let trend = quarterly_trend(&register(), &[(2026, 1), (2026, 9), (2026, 2)]);
    assert_eq!(trend.len(), 2);
    assert_eq!(trend[0].0, (2026, 1));
    assert_eq!(trend[0].1.due, 5);
    assert_eq!(trend[1].0, (2026, 2));
    assert_eq!(
        trend[1].1,
        Compliance {
            due: 1,
            on_time: 1,
            rate: Some(dec!(100.0))
        }
    );
}

fn any_agreement() -> impl Strategy<Value = DueAgreement> {
    (
        0i64..730,
        proptest::option::of(-60i64..60),
        proptest::sample::select(AgreementStatus::ALL),
        proptest::sample::subsequence(vec!["RvB", "MSB+", "Cardiologie", "Menzis"], 0..3),
        proptest::sample::subsequence(SevenS::ALL.to_vec(), 0..3),
        proptest::option::of(proptest::sample::select(JzojpTheme::ALL)),
    )
        .prop_map(|(due, realised, status, parties, seven_s, theme)| {
            let due = date!(2026 - 01 - 01) + Duration::days(due);
            agreement(
                due,
                realised.map(|d| due + Duration::days(d)),
                status,
                &parties,
                &seven_s,
                theme,
            )
        })
}

fn period() -> impl Strategy<Value = (Date, Date)> {
    (0i64..730, 0i64..400).prop_map(|(start, len)| {
        let from = date!(2026 - 01 - 01) + Duration::days(start);
        (from, from + Duration::days(len))
    })
}

proptest! {
    #[test]
    fn rates_stay_between_0_and_100(
        agreements in proptest::collection::vec(any_agreement(), 0..30),
        (from, to) in period(),
    ) {
        let mut all = vec![compliance(&agreements, from, to)];
        all.extend(by_party(&agreements, from, to).into_iter().map(|(_, c)| c));
        all.extend(by_seven_s(&agreements, from, to).into_iter().map(|(_, c)| c));
        all.extend(by_theme(&agreements, from, to).into_iter().map(|(_, c)| c));
        for c in all {
            prop_assert!(c.on_time <= c.due);
            prop_assert_eq!(c.rate.is_none(), c.due == 0);
            if let Some(rate) = c.rate {
                prop_assert!(rate >= Decimal::ZERO && rate <= Decimal::ONE_HUNDRED);
            }
        }
    }

    #[test]
    fn withdrawn_agreements_never_count(
        agreements in proptest::collection::vec(any_agreement(), 0..20),
        withdrawn in proptest::collection::vec(any_agreement(), 1..5),
        (from, to) in period(),
    ) {
        let mut with = agreements.clone();
        with.extend(withdrawn.into_iter().map(|a| DueAgreement { status: Vervallen, ..a }));
        prop_assert_eq!(compliance(&agreements, from, to), compliance(&with, from, to));
        prop_assert_eq!(by_party(&agreements, from, to), by_party(&with, from, to));
        prop_assert_eq!(by_seven_s(&agreements, from, to), by_seven_s(&with, from, to));
        prop_assert_eq!(by_theme(&agreements, from, to), by_theme(&with, from, to));
    }

    #[test]
    fn disjoint_periods_add_up(
        agreements in proptest::collection::vec(any_agreement(), 0..30),
        (from, to) in period(),
        cut in 0i64..400,
    ) {
        let mid = from + Duration::days(cut.min((to - from).whole_days()));
        let whole = compliance(&agreements, from, to);
        let left = compliance(&agreements, from, mid);
        let right = compliance(&agreements, mid + Duration::days(1), to);
        prop_assert_eq!(left.due + right.due, whole.due);
        prop_assert_eq!(left.on_time + right.on_time, whole.on_time);
    }

    #[test]
    fn four_quarters_make_a_year(
        agreements in proptest::collection::vec(any_agreement(), 0..30),
        year in 2026i32..2028,
    ) {
        let trend = quarterly_trend(&agreements, &[(year, 1), (year, 2), (year, 3), (year, 4)]);
        let year_total = compliance(
            &agreements,
            Date::from_calendar_date(year, Month::January, 1).unwrap(),
            Date::from_calendar_date(year, Month::December, 31).unwrap(),
        );
        prop_assert_eq!(trend.iter().map(|(_, c)| c.due).sum::<u32>(), year_total.due);
        prop_assert_eq!(trend.iter().map(|(_, c)| c.on_time).sum::<u32>(), year_total.on_time);
    }

    #[test]
    fn quarters_until_is_consecutive(days in 0i64..20_000, count in 0u8..12) {
        let today = date!(1990 - 01 - 01) + Duration::days(days);
        let qs = quarters_until(today, count);
        prop_assert_eq!(qs.len(), usize::from(count));
        if let Some(last) = qs.last() {
            prop_assert_eq!(*last, quarter_of(today));
        }
        for w in qs.windows(2) {
            let next = if w[0].1 == 4 { (w[0].0 + 1, 1) } else { (w[0].0, w[0].1 + 1) };
            prop_assert_eq!(w[1], next);
        }
    }
}
