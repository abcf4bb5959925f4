use super::*;
use proptest::prelude::*;

fn status() -> impl Strategy<Value = AgreementStatus> {
    proptest::sample::select(AgreementStatus::ALL)
}

#[test]
fn the_normal_flow_is_allowed() {
    for (from, to) in [
        (Voorgesteld, Vastgesteld),
        (Vastgesteld, InUitvoering),
        (Vastgesteld, Gerealiseerd),
        (InUitvoering, Gerealiseerd),
    ] {
        assert_eq!(transition(from, to, ""), Ok(()), "{from} → {to}");
    }
    for (from, to) in [
        (Voorgesteld, Vervallen),
        (Vastgesteld, NietNagekomen),
        (Vastgesteld, Vervallen),
        (InUitvoering, NietNagekomen),
        (InUitvoering, Vervallen),
    ] {
        assert_eq!(
            transition(from, to, "Besloten in overleg 12-03"),
            Ok(()),
            "{from} → {to}"
        );
    }
}

#[test]
fn skipping_or_going_back_is_refused() {
    assert_eq!(
        transition(Voorgesteld, InUitvoering, "x"),
        Err(StatusError::NotAllowed {
            from: Voorgesteld,
            to: InUitvoering
        })
    );
    assert!(transition(Voorgesteld, Gerealiseerd, "x").is_err());
    assert!(transition(Voorgesteld, NietNagekomen, "x").is_err());
    assert!(transition(InUitvoering, Vastgesteld, "x").is_err());
    assert!(transition(Vastgesteld, Voorgesteld, "x").is_err());
    assert!(transition(Gerealiseerd, Vastgesteld, "x").is_err());
    assert!(transition(Vervallen, Gerealiseerd, "x").is_err());
    assert!(transition(NietNagekomen, Gerealiseerd, "x").is_err());
    assert_eq!(
        transition(Vastgesteld, Vastgesteld, "x"),
        Err(StatusError::Unchanged(Vastgesteld))
    );
}

#[test]
fn failing_withdrawing_and_reopening_need_a_reason() {
    assert_eq!(
        transition(InUitvoering, NietNagekomen, "  \n "),
        Err(StatusError::ReasonRequired(NietNagekomen))
    );
    assert_eq!(
        transition(Voorgesteld, Vervallen, ""),
        Err(StatusError::ReasonRequired(Vervallen))
    );
    for from in [Gerealiseerd, NietNagekomen, Vervallen] {
        assert_eq!(
            transition(from, InUitvoering, ""),
            Err(StatusError::ReopenReasonRequired)
        );
        assert_eq!(
            transition(from, InUitvoering, "Per abuis op gerealiseerd gezet"),
            Ok(())
        );
        assert!(is_reopen(from, InUitvoering));
    }
    assert!(!is_reopen(Vastgesteld, InUitvoering));
    assert!(!reason_required(Vastgesteld, InUitvoering));
}

#[test]
fn reasons_have_a_limit_in_characters() {
    let at_limit = "é".repeat(MAX_REASON_CHARS);
    assert_eq!(transition(InUitvoering, Vervallen, &at_limit), Ok(()));
    let too_long = format!("{at_limit}a");
    assert_eq!(
        transition(InUitvoering, Vervallen, &too_long),
        Err(StatusError::ReasonTooLong {
            max: MAX_REASON_CHARS,
            actual: MAX_REASON_CHARS + 1
        })
    );
    // Also where no reason is required: what is stored must fit.
    assert!(transition(InUitvoering, Gerealiseerd, &too_long).is_err());
}

#[test]
fn errors_are_dutch_sentences() {
    assert_eq!(
        transition(Voorgesteld, Gerealiseerd, "")
            .unwrap_err()
            .to_string(),
        "Een afspraak met status ‘Voorgesteld’ kan niet naar ‘Gerealiseerd’."
    );
    assert_eq!(
        transition(Vastgesteld, Vervallen, "")
            .unwrap_err()
            .to_string(),
        "Geef een reden op voor de status ‘Vervallen’."
    );
    assert_eq!(
        transition(Gerealiseerd, InUitvoering, "")
            .unwrap_err()
            .to_string(),
        "Geef een reden op waarom de afspraak wordt heropend."
    );
}

#[test]
fn available_lists_the_buttons() {
    assert_eq!(available(Voorgesteld), [Vastgesteld, Vervallen]);
    assert_eq!(
        available(Vastgesteld),
        [InUitvoering, Gerealiseerd, NietNagekomen, Vervallen]
    );
    assert_eq!(
        available(InUitvoering),
        [Gerealiseerd, NietNagekomen, Vervallen]
    );
    for s in [Gerealiseerd, NietNagekomen, Vervallen] {
        assert_eq!(available(s), [InUitvoering]);
    }
    assert_eq!(
        action_label(Gerealiseerd, InUitvoering),
        "Heropenen (correctie)"
    );
    assert_eq!(
        action_label(Vastgesteld, InUitvoering),
        "Uitvoering starten"
    );
    assert_eq!(action_label(InUitvoering, Vervallen), "Laten vervallen");
}

proptest! {
    #[test]
    fn final_states_only_reopen(from in status(), to in status(), reason in ".{0,40}") {
        if from.is_final() && transition(from, to, &reason).is_ok() {
            prop_assert_eq!(to, InUitvoering);
        }
    }

    #[test]
    fn standing_still_is_refused(s in status(), reason in ".{0,40}") {
        prop_assert_eq!(transition(s, s, &reason), Err(StatusError::Unchanged(s)));
    }

    #[test]
    fn available_agrees_with_transition(from in status(), to in status()) {
        let reason = "Toelichting";
        prop_assert_eq!(available(from).contains(&to), transition(from, to, reason).is_ok());
    }

    #[test]
    fn nothing_goes_back_to_voorgesteld(from in status(), reason in ".{0,40}") {
        prop_assert!(transition(from, Voorgesteld, &reason).is_err());
    }

    #[test]
    fn a_required_reason_may_not_be_blank(from in status(), to in status(), blank in "[ \t\n]{0,5}") {
        if reason_required(from, to) {
            prop_assert!(transition(from, to, &blank).is_err());
        }
    }
}

#[test]
fn owners_take_only_the_progress_steps() {
    assert_eq!(
        available_to(Vastgesteld, false),
        [InUitvoering, Gerealiseerd]
    );
    assert_eq!(available_to(Vastgesteld, true), available(Vastgesteld));
    assert!(available_to(Voorgesteld, false).is_empty());
}
