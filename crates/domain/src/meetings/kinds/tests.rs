use super::*;
use proptest::prelude::*;
use time::macros::{date, datetime};

#[test]
fn codes_round_trip() {
    for k in MeetingKind::ALL {
        assert_eq!(MeetingKind::parse(k.code()), Some(*k));
    }
    for p in Purpose::ALL {
        assert_eq!(Purpose::parse(p.code()), Some(*p));
    }
    for s in Subject::ALL {
        assert_eq!(Subject::parse(s.code()), Some(*s));
    }
    for o in DecisionOutcome::ALL {
        assert_eq!(DecisionOutcome::parse(o.code()), Some(*o));
    }
    for s in StandingItem::ALL {
        assert_eq!(StandingItem::parse(s.code()), Some(*s));
    }
    for r in Recurrence::ALL {
        assert_eq!(Recurrence::parse(r.code()), Some(*r));
    }
    assert_eq!(
        MeetingKind::Gezamenlijk.label(),
        "Gezamenlijk overleg RvB–MSB+"
    );
    assert_eq!(
        DecisionOutcome::GewijzigdAangenomen.label(),
        "gewijzigd aangenomen"
    );
    assert_eq!(
        Subject::FinancieelVrijgevestigd.code(),
        "financieel_vrijgevestigd"
    );
}

#[test]
fn standing_items_open_and_close_the_agenda() {
    let items = standing_items();
    assert_eq!(
        items.map(|(s, _)| s),
        [
            StandingItem::Opening,
            StandingItem::Notulen,
            StandingItem::Afspraken,
            StandingItem::Rondvraag
        ]
    );
    assert!(items.iter().all(|(_, minutes)| *minutes > 0));
    let placements = items.map(|(s, _)| standing_position(s));
    assert_eq!(
        placements,
        [
            Placement::Start,
            Placement::Start,
            Placement::Start,
            Placement::End
        ]
    );
}

#[test]
fn only_the_minutes_are_decided_among_the_standing_items() {
    let purposes = standing_items().map(|(s, _)| s.purpose());
    assert_eq!(
        purposes,
        [
            Purpose::Informatie,
            Purpose::Besluitvorming,
            Purpose::Informatie,
            Purpose::Informatie
        ]
    );
    assert!(
        standing_items()
            .iter()
            .all(|(s, _)| s.subject() == Subject::Algemeen)
    );
}

#[test]
fn monthly_keeps_the_weekday_of_the_month() {
    // 10 November 2026 is the second Tuesday.
    let first = datetime!(2026-11-10 16:00);
    let dates: Vec<_> = occurrences(first, Recurrence::Maandelijks, 4)
        .into_iter()
        .map(|t| t.date())
        .collect();
    assert_eq!(
        dates,
        vec![
            date!(2026 - 11 - 10),
            date!(2026 - 12 - 08),
            date!(2027 - 01 - 12),
            date!(2027 - 02 - 09),
        ]
    );
}

#[test]
fn a_fifth_weekday_becomes_the_last() {
    // 29 December 2026 is the fifth Tuesday; January 2027 has one too, February does not.
    let dates: Vec<_> = occurrences(datetime!(2026-12-29 09:30), Recurrence::Maandelijks, 3)
        .into_iter()
        .map(|t| t.date())
        .collect();
    assert_eq!(
        dates,
        vec![
            date!(2026 - 12 - 29),
            date!(2027 - 01 - 26),
            date!(2027 - 02 - 23)
        ]
    );
}

#[test]
fn weekly_once_and_the_cap() {
    let first = datetime!(2026-11-10 16:00);
    assert_eq!(
        occurrences(first, Recurrence::Wekelijks, 3),
        vec![
            first,
            datetime!(2026-11-17 16:00),
            datetime!(2026-11-24 16:00)
        ]
    );
    assert_eq!(occurrences(first, Recurrence::Eenmalig, 5), vec![first]);
    assert!(occurrences(first, Recurrence::Wekelijks, 0).is_empty());
    assert_eq!(occurrences(first, Recurrence::Maandelijks, 200).len(), 24);
}

#[test]
fn a_series_keeps_its_local_hour_across_daylight_saving() {
    let instants: Vec<_> = occurrences(datetime!(2026-10-20 16:00), Recurrence::Wekelijks, 2)
        .into_iter()
        .map(crate::nl::from_amsterdam)
        .collect();
    assert_eq!(
        instants,
        vec![
            datetime!(2026-10-20 14:00 UTC),
            datetime!(2026-10-27 15:00 UTC)
        ]
    );
}

fn local_time() -> impl Strategy<Value = PrimitiveDateTime> {
    (0i64..40_000, 0u8..24, 0u8..60).prop_map(|(day, h, m)| {
        PrimitiveDateTime::new(
            date!(2000 - 01 - 01) + Duration::days(day),
            time::Time::from_hms(h, m, 0).unwrap(),
        )
    })
}

fn recurrence() -> impl Strategy<Value = Recurrence> {
    prop::sample::select(Recurrence::ALL)
}

proptest! {
    #[test]
    fn occurrences_increase_and_share_weekday_and_time(
        first in local_time(),
        recurrence in recurrence(),
        count in 0u8..=255,
    ) {
        let all = occurrences(first, recurrence, count);
        prop_assert!(all.len() <= usize::from(count.min(MAX_OCCURRENCES)));
        if count > 0 {
            prop_assert_eq!(all[0], first);
        }
        for pair in all.windows(2) {
            prop_assert!(pair[0] < pair[1]);
        }
        for t in &all {
            prop_assert_eq!(t.weekday(), first.weekday());
            prop_assert_eq!(t.time(), first.time());
        }
    }

    #[test]
    fn monthly_is_one_per_month_at_the_same_ordinal(first in local_time(), count in 1u8..=24) {
        let all = occurrences(first, Recurrence::Maandelijks, count);
        prop_assert_eq!(all.len(), usize::from(count));
        let ordinal = |d: Date| (d.day() - 1) / 7 + 1;
        for (i, t) in all.iter().enumerate() {
            let (y, m) = add_months(first.year(), first.month(), i as i64).unwrap();
            prop_assert_eq!((t.year(), t.month()), (y, m));
            let wanted = ordinal(first.date());
            let last = t.day() + 7 > time::util::days_in_month(m, y);
            prop_assert!(ordinal(t.date()) == wanted || (wanted == 5 && last));
        }
    }
}
