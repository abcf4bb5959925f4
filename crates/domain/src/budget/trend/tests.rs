use super::*;
use proptest::prelude::*;

const REP: TrendActor = TrendActor {
    is_representative: true,
    is_reviewer: false,
};
const REVIEWER: TrendActor = TrendActor {
    is_representative: false,
    is_reviewer: true,
};
const BOTH: TrendActor = TrendActor {
    is_representative: true,
    is_reviewer: true,
};
const NOBODY: TrendActor = TrendActor {
    is_representative: false,
    is_reviewer: false,
};

fn status() -> impl Strategy<Value = TrendStatus> {
    proptest::sample::select(TrendStatus::ALL)
}

fn actor() -> impl Strategy<Value = TrendActor> {
    (any::<bool>(), any::<bool>()).prop_map(|(r, v)| TrendActor {
        is_representative: r,
        is_reviewer: v,
    })
}

#[test]
fn the_normal_flow() {
    assert_eq!(transition(Concept, Ingediend, REP, ""), Ok(()));
    assert_eq!(transition(Ingediend, Geaccepteerd, REVIEWER, ""), Ok(()));
    assert_eq!(transition(Geaccepteerd, Verwerkt, REVIEWER, ""), Ok(()));
    assert_eq!(
        transition(Ingediend, Teruggestuurd, REVIEWER, "Bron ontbreekt"),
        Ok(())
    );
    assert_eq!(transition(Teruggestuurd, Concept, REP, ""), Ok(()));
    assert_eq!(transition(Teruggestuurd, Ingediend, REP, ""), Ok(()));
    assert_eq!(transition(Ingediend, Concept, REP, ""), Ok(()));
}

#[test]
fn returning_needs_a_reason() {
    assert_eq!(
        transition(Ingediend, Teruggestuurd, REVIEWER, "  "),
        Err(TrendStatusError::ReasonRequired)
    );
    assert_eq!(
        TrendStatusError::ReasonRequired.to_string(),
        "Geef een reden op waarom de trendinput wordt teruggestuurd."
    );
    let too_long = "x".repeat(MAX_REASON_CHARS + 1);
    assert!(matches!(
        transition(Ingediend, Teruggestuurd, REVIEWER, &too_long),
        Err(TrendStatusError::ReasonTooLong { .. })
    ));
}

#[test]
fn illegal_transitions_are_refused_in_dutch() {
    let err = transition(Concept, Geaccepteerd, REVIEWER, "").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Een trendinput met status ‘Concept’ kan niet naar ‘Geaccepteerd’."
    );
    assert!(transition(Teruggestuurd, Verwerkt, REVIEWER, "").is_err());
    assert!(transition(Ingediend, Verwerkt, REVIEWER, "").is_err());
    assert!(transition(Verwerkt, Geaccepteerd, REVIEWER, "").is_err());
    assert!(transition(Geaccepteerd, Concept, REP, "").is_err());
    assert_eq!(
        transition(Ingediend, Ingediend, REP, ""),
        Err(TrendStatusError::Unchanged(Ingediend))
    );
}

#[test]
fn each_step_has_its_own_people() {
    assert_eq!(
        transition(Concept, Ingediend, REVIEWER, ""),
        Err(TrendStatusError::NotRepresentative)
    );
    assert_eq!(
        transition(Ingediend, Geaccepteerd, REP, ""),
        Err(TrendStatusError::NotReviewer)
    );
    assert_eq!(
        transition(Ingediend, Geaccepteerd, BOTH, ""),
        Err(TrendStatusError::OwnVakgroep)
    );
    assert_eq!(
        transition(Ingediend, Teruggestuurd, BOTH, "nee"),
        Err(TrendStatusError::OwnVakgroep)
    );
    // Processing is bookkeeping: a controller who also represents may do it.
    assert_eq!(transition(Geaccepteerd, Verwerkt, BOTH, ""), Ok(()));
    assert_eq!(
        transition(Geaccepteerd, Verwerkt, NOBODY, ""),
        Err(TrendStatusError::NotReviewer)
    );
}

#[test]
fn buttons_and_editing() {
    assert_eq!(available(Concept, REP), [Ingediend]);
    assert_eq!(available(Ingediend, REP), [Concept]);
    assert_eq!(
        available(Ingediend, REVIEWER),
        [Geaccepteerd, Teruggestuurd]
    );
    assert_eq!(available(Ingediend, BOTH), [Concept]);
    assert_eq!(available(Teruggestuurd, REP), [Concept, Ingediend]);
    assert_eq!(available(Verwerkt, BOTH), []);
    assert!(may_edit(Concept, REP));
    assert!(may_edit(Teruggestuurd, REP));
    assert!(!may_edit(Ingediend, REP));
    assert!(!may_edit(Concept, REVIEWER));
    assert_eq!(status_after_edit(Teruggestuurd), Concept);
    assert_eq!(status_after_edit(Concept), Concept);
    assert_eq!(action_label(Teruggestuurd, Ingediend), "Opnieuw indienen");
    assert_eq!(action_label(Ingediend, Teruggestuurd), "Terugsturen");
    assert!(Geaccepteerd.counts_in_budget() && Verwerkt.counts_in_budget());
    assert!(!Ingediend.counts_in_budget() && !Teruggestuurd.counts_in_budget());
}

proptest! {
    #[test]
    fn available_agrees_with_transition(from in status(), to in status(), a in actor()) {
        prop_assert_eq!(available(from, a).contains(&to), transition(from, to, a, "Reden").is_ok());
    }

    #[test]
    fn verwerkt_is_final(to in status(), a in actor(), reason in ".{0,20}") {
        prop_assert!(transition(Verwerkt, to, a, &reason).is_err());
    }

    #[test]
    fn nobody_moves_nothing(from in status(), to in status()) {
        prop_assert!(transition(from, to, NOBODY, "Reden").is_err());
    }

    #[test]
    fn only_reviewers_reach_accepted_or_processed(from in status(), a in actor()) {
        for to in [Geaccepteerd, Verwerkt] {
            if transition(from, to, a, "Reden").is_ok() {
                prop_assert!(a.is_reviewer);
            }
        }
    }
}

#[test]
fn the_flow_alone_is_checked_for_whoever_takes_the_step() {
    assert_eq!(check_step(Concept, Ingediend, ""), Ok(()));
    assert_eq!(
        check_step(Ingediend, Verwerkt, "").unwrap_err().to_string(),
        "Een trendinput met status ‘Ingediend’ kan niet naar ‘Verwerkt’."
    );
    assert_eq!(
        check_step(Ingediend, Teruggestuurd, " "),
        Err(TrendStatusError::ReasonRequired)
    );
    assert_eq!(
        check_step(Concept, Concept, ""),
        Err(TrendStatusError::Unchanged(Concept))
    );
    assert_eq!(check_editable(Teruggestuurd), Ok(()));
    assert_eq!(
        check_editable(Geaccepteerd).unwrap_err().to_string(),
        "Een trendinput met status ‘Geaccepteerd’ kan niet meer worden gewijzigd."
    );
}
