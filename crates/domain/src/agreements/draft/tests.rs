use super::*;
use time::macros::date;

const ANNA: PersonId = PersonId::new(7);

fn refs() -> References {
    References {
        people: vec![ANNA],
        vakgroepen: vec![KnownVakgroep {
            id: 3,
            code: "CAR".into(),
            name: "Cardiologie".into(),
        }],
        bodies: vec![1],
        scenarios: vec![11],
    }
}

fn form() -> AgreementForm {
    AgreementForm {
        title: "  Poliklinische capaciteit  ".into(),
        description: " Twee extra spreekuren. ".into(),
        kind: "financieel".into(),
        party_kind: vec!["rvb".into(), "vakgroep".into(), String::new()],
        party_label: vec![String::new(), "cardiologie".into(), String::new()],
        party_owner: vec!["7".into(), String::new(), String::new()],
        seven_s: vec!["structuur".into(), "strategie".into()],
        theme: "gepaste_zorg".into(),
        start: "01-02-2026".into(),
        due: "2026-12-31".into(),
        review: "per_kwartaal".into(),
        visibility: "1".into(),
        insurer_deviation: " Volume boven contract ".into(),
        budget_scenario: "11".into(),
    }
}

/// The messages of a form that fails, as (field, message).
fn refused(f: impl FnOnce(&mut AgreementForm)) -> Vec<(&'static str, String)> {
    let mut form = form();
    f(&mut form);
    AgreementDraft::parse(&form, &refs())
        .unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.message))
        .collect()
}

fn one(f: impl FnOnce(&mut AgreementForm)) -> (&'static str, String) {
    let errors = refused(f);
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.into_iter().next().unwrap()
}

#[test]
fn a_complete_form_becomes_a_typed_draft() {
    let d = AgreementDraft::parse(&form(), &refs()).unwrap();
    assert_eq!(d.kind, AgreementKind::Financieel);
    assert_eq!(d.title, "Poliklinische capaciteit");
    assert_eq!(d.description, "Twee extra spreekuren.");
    assert_eq!(
        d.parties,
        [
            Party {
                kind: PartyKind::Rvb,
                label: String::new(),
                vakgroep_id: None,
                owner_id: Some(ANNA),
            },
            // A linked vakgroep shows its own name, so the label is dropped.
            Party {
                kind: PartyKind::Vakgroep,
                label: String::new(),
                vakgroep_id: Some(3),
                owner_id: None,
            },
        ]
    );
    assert_eq!(d.seven_s, [SevenS::Structuur, SevenS::Strategie]);
    assert_eq!(d.theme, Some(JzojpTheme::GepasteZorg));
    assert_eq!(d.start_date, Some(date!(2026 - 02 - 01)));
    assert_eq!(d.due_date, Some(date!(2026 - 12 - 31)));
    assert_eq!(d.review, Some(ReviewCadence::PerKwartaal));
    assert_eq!(d.review_months(), Some(3));
    assert_eq!(d.visibility_body_id, Some(1));
    assert_eq!(d.insurer_deviation, "Volume boven contract");
    assert_eq!(d.budget_scenario_id, Some(11));
}

#[test]
fn blank_optional_fields_are_none() {
    let d = AgreementDraft::parse(
        &AgreementForm {
            title: "Kort".into(),
            kind: "actie".into(),
            ..AgreementForm::default()
        },
        &References::default(),
    )
    .unwrap();
    assert!(d.parties.is_empty() && d.seven_s.is_empty());
    assert_eq!((d.theme, d.start_date, d.due_date), (None, None, None));
    assert_eq!((d.review, d.review_months()), (None, None));
    assert_eq!((d.visibility_body_id, d.budget_scenario_id), (None, None));
    let geen = AgreementForm {
        title: "Kort".into(),
        kind: "actie".into(),
        review: "geen".into(),
        ..AgreementForm::default()
    };
    let d = AgreementDraft::parse(&geen, &References::default()).unwrap();
    assert_eq!(
        (d.review, d.review_months()),
        (Some(ReviewCadence::Geen), None)
    );
}

#[test]
fn title_and_kind_are_required() {
    for title in ["", "   ", &"x".repeat(201)] {
        assert_eq!(
            one(|f| f.title = title.into()),
            ("title", "Vul een titel in (hoogstens 200 tekens).".into())
        );
    }
    assert!(
        AgreementDraft::parse(
            &AgreementForm {
                title: "x".repeat(200),
                ..form()
            },
            &refs()
        )
        .is_ok()
    );
    let errors = refused(|f| {
        f.kind = "wens".into();
        f.insurer_deviation.clear();
        f.budget_scenario.clear();
    });
    assert_eq!(errors, [("kind", "Kies het soort afspraak.".into())]);
}

#[test]
fn long_texts_are_refused_at_their_field() {
    let (field, message) = one(|f| f.description = "x".repeat(20_001));
    assert_eq!(field, "description");
    assert!(
        message.starts_with("Gebruik ten hoogste 20.000 tekens"),
        "{message}"
    );
    assert_eq!(
        one(|f| f.insurer_deviation = "x".repeat(4_001)).0,
        "insurer_deviation"
    );
    let (field, message) = one(|f| f.party_label[0] = "x".repeat(201));
    assert_eq!(field, "parties");
    assert!(
        message.starts_with("Gebruik ten hoogste 200 tekens"),
        "{message}"
    );
}

#[test]
fn every_party_problem_is_named() {
    let party = |f: fn(&mut AgreementForm)| one(f);
    assert_eq!(
        party(|f| f.party_label[2] = "Gemeente".into()),
        (
            "parties",
            "Kies bij elke ingevulde partij het soort partij.".into()
        )
    );
    assert_eq!(
        party(|f| f.party_owner[2] = "7".into()).1,
        "Kies bij elke ingevulde partij het soort partij."
    );
    assert_eq!(
        party(|f| f.party_kind[2] = "gemeente".into()).1,
        "Kies een bestaand soort partij."
    );
    assert_eq!(
        party(|f| f.party_kind[2] = "verzekeraar".into()).1,
        "Vul de naam in van de partij ‘Zorgverzekeraar’."
    );
    assert_eq!(
        party(|f| f.party_label[1] = "Orthopedie".into()).1,
        "‘Orthopedie’ is geen vakgroep van het ziekenhuis; kies een naam uit de lijst."
    );
    assert_eq!(
        party(|f| f.party_owner[1] = "8".into()).1,
        "Kies een eigenaar uit de lijst."
    );
    assert_eq!(
        party(|f| f.party_owner[1] = "iemand".into()).1,
        "Kies een eigenaar uit de lijst."
    );
}

#[test]
fn a_vakgroep_is_found_by_name_or_code_in_any_case() {
    for label in ["Cardiologie", "CARDIOLOGIE", "car", " CAR "] {
        let mut f = form();
        f.party_label[1] = label.into();
        let d = AgreementDraft::parse(&f, &refs()).unwrap();
        assert_eq!(d.parties[1].vakgroep_id, Some(3), "{label}");
    }
    // Other kinds keep their label as the party's name.
    let mut f = form();
    f.party_kind[1] = "regionale_partner".into();
    f.party_label[1] = "Huisartsenkring".into();
    let d = AgreementDraft::parse(&f, &refs()).unwrap();
    assert_eq!(d.parties[1].label, "Huisartsenkring");
    assert_eq!(d.parties[1].vakgroep_id, None);
}

#[test]
fn codes_outside_the_vocabularies_are_refused() {
    assert_eq!(
        one(|f| f.seven_s.push("cultuur".into())),
        ("seven_s", "Kies elementen uit het 7S-model.".into())
    );
    assert_eq!(
        one(|f| f.theme = "zorg".into()),
        ("theme", "Kies een thema uit de lijst.".into())
    );
    assert_eq!(
        one(|f| f.review = "wekelijks".into()),
        ("review", "Kies hoe vaak de afspraak herzien wordt.".into())
    );
}

#[test]
fn dates_must_read_and_end_after_the_start() {
    assert_eq!(
        one(|f| f.start = "morgen".into()),
        ("start", "Vul een datum in als dd-mm-jjjj.".into())
    );
    assert_eq!(one(|f| f.due = "31-02-2026".into()).0, "due");
    assert_eq!(
        one(|f| f.due = "31-01-2026".into()),
        ("due", "De einddatum ligt vóór de startdatum.".into())
    );
    assert!(
        AgreementDraft::parse(
            &AgreementForm {
                due: "01-02-2026".into(),
                ..form()
            },
            &refs()
        )
        .is_ok()
    );
}

#[test]
fn only_own_bodies_and_known_scenarios_can_be_chosen() {
    for body in ["2", "RvB"] {
        assert_eq!(
            one(|f| f.visibility = body.into()),
            ("visibility", "Kies een gremium waarvan u lid bent.".into())
        );
    }
    for scenario in ["12", "basis"] {
        assert_eq!(
            one(|f| f.budget_scenario = scenario.into()),
            (
                "budget_scenario",
                "Kies een bestaand begrotingsscenario.".into()
            )
        );
    }
}

#[test]
fn an_insurer_deviation_or_scenario_needs_a_financial_agreement() {
    let message = "Een afwijking van het verzekeraarscontract of een begrotingsscenario hoort bij een afspraak van de soort Financieel.";
    assert_eq!(
        one(|f| f.kind = "protocol".into()),
        ("insurer_deviation", message.into())
    );
    assert_eq!(
        one(|f| {
            f.kind = "protocol".into();
            f.insurer_deviation.clear();
        })
        .1,
        message
    );
    assert_eq!(
        one(|f| {
            f.kind = "protocol".into();
            f.budget_scenario.clear();
        })
        .1,
        message
    );
    let plain = AgreementDraft::parse(
        &AgreementForm {
            kind: "protocol".into(),
            insurer_deviation: "  ".into(),
            budget_scenario: String::new(),
            ..form()
        },
        &refs(),
    )
    .unwrap();
    assert_eq!(plain.insurer_deviation, "");
}

#[test]
fn every_problem_is_reported_in_form_order() {
    let errors = refused(|f| {
        f.title.clear();
        f.kind.clear();
        f.theme = "?".into();
        f.due = "?".into();
    });
    let fields: Vec<_> = errors.iter().map(|e| e.0).collect();
    assert_eq!(fields, ["title", "kind", "theme", "due"]);
}
