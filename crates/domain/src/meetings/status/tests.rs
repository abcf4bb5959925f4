use super::*;
use MeetingStatus::*;
use proptest::prelude::*;
use time::macros::datetime;

#[test]
fn codes_and_labels() {
    for s in MeetingStatus::ALL {
        assert_eq!(MeetingStatus::parse(s.code()), Some(*s));
    }
    assert_eq!(InVergadering.code(), "in_vergadering");
    assert_eq!(Gepubliceerd.label(), "Agenda gepubliceerd");
    assert_eq!(NotulenVastgesteld.to_string(), "Notulen vastgesteld");
    assert_eq!(MeetingStatus::parse("open"), None);
}

#[test]
fn serde_uses_the_code() {
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error, StrDeserializer};
    let d: StrDeserializer<'_, Error> = "notulen_vastgesteld".into_deserializer();
    assert_eq!(MeetingStatus::deserialize(d), Ok(NotulenVastgesteld));
    let d: StrDeserializer<'_, Error> = "NotulenVastgesteld".into_deserializer();
    assert!(MeetingStatus::deserialize(d).is_err());
}

#[test]
fn only_the_lifecycle_steps_are_allowed() {
    assert_eq!(transition(Concept, Gepubliceerd), Ok(()));
    assert_eq!(transition(Gepubliceerd, Concept), Ok(()));
    assert_eq!(transition(Gepubliceerd, InVergadering), Ok(()));
    assert_eq!(transition(InVergadering, Gesloten), Ok(()));
    assert_eq!(
        transition(Gesloten, NotulenVastgesteld),
        Err(StatusError::MinutesOnlyByAdoption),
        "only the adoption in a later meeting adopts minutes"
    );

    assert_eq!(
        transition(Concept, InVergadering),
        Err(StatusError::NotAllowed {
            from: Concept,
            to: InVergadering
        })
    );
    assert!(transition(Gesloten, InVergadering).is_err());
    assert!(transition(NotulenVastgesteld, Gesloten).is_err());
    assert_eq!(
        transition(Concept, Concept),
        Err(StatusError::Unchanged(Concept))
    );
}

#[test]
fn errors_are_dutch_sentences() {
    let err = transition(Concept, Gesloten).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Een vergadering met status ‘Concept’ kan niet naar ‘Gesloten’."
    );
}

#[test]
fn buttons_per_status() {
    assert_eq!(
        MeetingTransition::available(Gepubliceerd),
        vec![MeetingTransition::Open, MeetingTransition::Withdraw]
    );
    assert!(MeetingTransition::available(Gesloten).is_empty());
    assert!(MeetingTransition::available(NotulenVastgesteld).is_empty());
    assert_eq!(MeetingTransition::Close.label(), "Vergadering sluiten");
}

#[test]
fn what_may_be_edited_when() {
    let editable: Vec<_> = MeetingStatus::ALL
        .iter()
        .map(|s| {
            (
                agenda_editable(*s),
                decisions_open(*s),
                minutes_editable(*s),
            )
        })
        .collect();
    assert_eq!(
        editable,
        vec![
            (true, false, false),
            (true, false, false),
            (false, true, true),
            (false, false, true),
            (false, false, false),
        ]
    );
}

#[test]
fn minutes_are_adopted_in_a_later_meeting_in_session() {
    let may = datetime!(2026-05-12 14:00 UTC);
    let june = datetime!(2026-06-09 14:00 UTC);
    assert_eq!(
        can_adopt_minutes((Gesloten, may), (InVergadering, june)),
        Ok(())
    );
    assert_eq!(
        can_adopt_minutes((InVergadering, may), (InVergadering, june)),
        Err(StatusError::MinutesNotClosed)
    );
    assert_eq!(
        can_adopt_minutes((NotulenVastgesteld, may), (InVergadering, june)),
        Err(StatusError::MinutesAlreadyAdopted)
    );
    assert_eq!(
        can_adopt_minutes((Gesloten, may), (Gepubliceerd, june)),
        Err(StatusError::AdoptingMeetingNotInSession)
    );
    assert_eq!(
        can_adopt_minutes((Gesloten, june), (InVergadering, may)),
        Err(StatusError::AdoptingMeetingNotLater)
    );
    // A meeting cannot adopt its own minutes.
    assert!(can_adopt_minutes((Gesloten, may), (InVergadering, may)).is_err());
}

fn status() -> impl Strategy<Value = MeetingStatus> {
    prop::sample::select(MeetingStatus::ALL)
}

proptest! {
    #[test]
    fn transition_agrees_with_the_table(from in status(), to in status()) {
        let allowed = [
            (Concept, Gepubliceerd),
            (Gepubliceerd, Concept),
            (Gepubliceerd, InVergadering),
            (InVergadering, Gesloten),
        ]
        .contains(&(from, to));
        prop_assert_eq!(transition(from, to).is_ok(), allowed);
        if let Some(t) = MeetingTransition::between(from, to) {
            prop_assert_eq!((t.from(), t.to()), (from, to));
        }
    }

    #[test]
    fn steps_never_skip_ahead(from in status(), to in status()) {
        // Forward moves go one stage at a time; the only way back is withdrawing the agenda.
        if transition(from, to).is_ok() {
            let (a, b) = (from as i8, to as i8);
            prop_assert!(b == a + 1 || (from, to) == (Gepubliceerd, Concept));
        }
    }

    #[test]
    fn decisions_imply_editable_minutes_and_a_frozen_agenda(s in status()) {
        if decisions_open(s) {
            prop_assert!(minutes_editable(s));
            prop_assert!(!agenda_editable(s));
        }
        prop_assert!(!(agenda_editable(s) && minutes_editable(s)));
    }

    #[test]
    fn adoption_needs_a_closed_earlier_meeting(
        of in status(),
        by in status(),
        of_start in 0i64..1_000_000,
        by_start in 0i64..1_000_000,
    ) {
        let t = |m: i64| OffsetDateTime::UNIX_EPOCH + time::Duration::minutes(m);
        let ok = can_adopt_minutes((of, t(of_start)), (by, t(by_start))).is_ok();
        prop_assert_eq!(ok, of == Gesloten && by == InVergadering && by_start > of_start);
        // Adoption is the only way to adopted minutes: no status step leads there.
        prop_assert!(transition(of, NotulenVastgesteld).is_err());
    }
}
