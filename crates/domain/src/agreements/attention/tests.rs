use super::*;
use proptest::prelude::*;
use time::macros::date;

fn facts(
    status: AgreementStatus,
    due: Option<Date>,
    review: Option<Date>,
    light: TrafficLight,
) -> Facts {
    Facts {
        status,
        due,
        review_due: review,
        light,
    }
}

#[test]
fn overdue_from_the_day_after_the_due_date() {
    let f = facts(
        AgreementStatus::InUitvoering,
        Some(date!(2026 - 10 - 01)),
        None,
        TrafficLight::OffTrack,
    );
    // On the due date itself the agreement is still in time; only the red light counts.
    assert_eq!(reasons(&f, date!(2026 - 10 - 01)), vec![Reason::OffTrack]);
    assert_eq!(
        reasons(&f, date!(2026 - 10 - 02)),
        vec![Reason::Overdue {
            due: date!(2026 - 10 - 01)
        }]
    );
}

#[test]
fn review_due_on_its_day_and_after() {
    let f = facts(
        AgreementStatus::Vastgesteld,
        None,
        Some(date!(2026 - 11 - 01)),
        TrafficLight::OnTrack,
    );
    assert!(reasons(&f, date!(2026 - 10 - 31)).is_empty());
    let since = date!(2026 - 11 - 01);
    assert_eq!(reasons(&f, since), vec![Reason::ReviewDue { since }]);
    assert_eq!(
        reasons(&f, date!(2027 - 01 - 01)),
        vec![Reason::ReviewDue { since }]
    );
}

#[test]
fn proposals_and_finished_agreements_never_ask_for_attention() {
    for status in [
        AgreementStatus::Voorgesteld,
        AgreementStatus::Gerealiseerd,
        AgreementStatus::NietNagekomen,
        AgreementStatus::Vervallen,
    ] {
        let f = facts(
            status,
            Some(date!(2020 - 01 - 01)),
            Some(date!(2020 - 01 - 01)),
            TrafficLight::OffTrack,
        );
        assert!(reasons(&f, date!(2026 - 11 - 23)).is_empty(), "{status:?}");
    }
}

#[test]
fn all_three_reasons_in_order() {
    let f = facts(
        AgreementStatus::InUitvoering,
        Some(date!(2026 - 12 - 31)),
        Some(date!(2026 - 11 - 01)),
        TrafficLight::OffTrack,
    );
    assert_eq!(
        reasons(&f, date!(2026 - 11 - 23)),
        vec![
            Reason::OffTrack,
            Reason::ReviewDue {
                since: date!(2026 - 11 - 01)
            }
        ]
    );
    assert_eq!(
        Reason::ReviewDue {
            since: date!(2026 - 11 - 01)
        }
        .text(),
        "beoordeling gepland op 01-11-2026"
    );
}

#[test]
fn review_counts_from_the_last_review_then_the_start_then_the_day_made() {
    let made = date!(2026 - 01 - 15);
    let q = Some(ReviewCadence::PerKwartaal);
    assert_eq!(
        review_due_on(q, None, made, None),
        Some(date!(2026 - 04 - 15))
    );
    assert_eq!(
        review_due_on(q, Some(date!(2026 - 02 - 01)), made, None),
        Some(date!(2026 - 05 - 01))
    );
    assert_eq!(
        review_due_on(
            q,
            Some(date!(2026 - 02 - 01)),
            made,
            Some(date!(2026 - 06 - 30))
        ),
        Some(date!(2026 - 09 - 30))
    );
    assert_eq!(
        review_due_on(Some(ReviewCadence::Geen), None, made, None),
        None
    );
    assert_eq!(review_due_on(None, None, made, None), None);
}

proptest! {
    /// Holding a review today always clears the review reason.
    #[test]
    fn a_review_held_today_clears_it(days in 0i64..2000, months in 0usize..5) {
        let cadence = ReviewCadence::ALL[months];
        let today = date!(2026 - 11 - 23);
        let start = today - time::Duration::days(days);
        let due = review_due_on(Some(cadence), Some(start), start, Some(today));
        let f = facts(AgreementStatus::InUitvoering, None, due, TrafficLight::OnTrack);
        prop_assert!(reasons(&f, today).is_empty());
    }
}
