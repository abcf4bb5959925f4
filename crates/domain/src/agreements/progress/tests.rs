use super::*;
use crate::agreements::kinds::AgreementStatus::*;
use time::macros::date;

const TODAY: Date = date!(2026 - 06 - 15);

fn fields(errors: Vec<FieldError>) -> Vec<(&'static str, String)> {
    errors.into_iter().map(|e| (e.field, e.message)).collect()
}

fn step(
    to: &str,
    reason: &str,
    from: AgreementStatus,
    manages: bool,
) -> Result<StatusStep, Vec<(&'static str, String)>> {
    StatusStep::parse(
        &StatusForm {
            to: to.into(),
            reason: reason.into(),
        },
        from,
        manages,
    )
    .map_err(fields)
}

#[test]
fn a_status_step_follows_the_flow_and_who_takes_it() {
    assert_eq!(
        step("in_uitvoering", "", Vastgesteld, false),
        Ok(StatusStep {
            to: InUitvoering,
            reason: String::new(),
        })
    );
    assert_eq!(
        step("", "", Vastgesteld, true),
        Err(vec![("to", "Kies een nieuwe status.".into())])
    );
    assert_eq!(
        step("vastgesteld", "", Vastgesteld, true),
        Err(vec![(
            "to",
            "De afspraak heeft al de status ‘Vastgesteld’.".into()
        )])
    );
    assert_eq!(
        step("voorgesteld", "", InUitvoering, true).unwrap_err()[0].0,
        "to"
    );
    assert_eq!(
        step("vervallen", " ", Vastgesteld, true),
        Err(vec![(
            "reason",
            "Geef een reden op voor de status ‘Vervallen’.".into()
        )])
    );
    assert_eq!(
        step("in_uitvoering", "", Gerealiseerd, true).unwrap_err()[0].0,
        "reason"
    );
    assert_eq!(
        step("vervallen", &"x".repeat(2001), Vastgesteld, true).unwrap_err()[0].0,
        "reason"
    );
    assert_eq!(
        step("vervallen", "Niet meer nodig", Vastgesteld, false),
        Err(vec![(
            "to",
            "Als eigenaar kunt u alleen de uitvoering starten of de afspraak gerealiseerd melden."
                .into()
        )])
    );
    assert_eq!(
        step("vervallen", "Niet meer nodig", Vastgesteld, true).map(|s| s.to),
        Ok(Vervallen)
    );
}

#[test]
fn a_comment_is_trimmed_and_not_empty_or_too_long() {
    assert_eq!(
        CommentDraft::parse("  Overleg gepland. ").unwrap().text,
        "Overleg gepland."
    );
    let message = vec![(
        "comment",
        "Schrijf een opmerking (hoogstens 4000 tekens).".to_string(),
    )];
    assert_eq!(
        CommentDraft::parse(" \n ").map_err(fields),
        Err(message.clone())
    );
    assert_eq!(
        CommentDraft::parse(&"é".repeat(4001)).map_err(fields),
        Err(message)
    );
    assert!(CommentDraft::parse(&"é".repeat(4000)).is_ok());
}

fn kpi_form() -> KpiForm {
    KpiForm {
        name: " Wachttijd ".into(),
        unit: " dagen ".into(),
        direction: "lager_beter".into(),
        baseline: "42".into(),
        target: "28,5".into(),
    }
}

#[test]
fn a_kpi_reads_its_numbers_the_dutch_way() {
    let k = KpiDraft::parse(&kpi_form()).unwrap();
    assert_eq!(k.name, "Wachttijd");
    assert_eq!(k.unit, "dagen");
    assert_eq!(k.direction, Direction::LowerIsBetter);
    assert_eq!(k.baseline, Decimal::from(42));
    assert_eq!(k.target, "28.5".parse::<Decimal>().unwrap());
}

#[test]
fn every_kpi_problem_is_reported_at_its_field() {
    let errors = fields(
        KpiDraft::parse(&KpiForm {
            name: " ".into(),
            unit: "x".repeat(201),
            direction: "omhoog".into(),
            baseline: "veel".into(),
            target: "1.234".into(),
        })
        .unwrap_err(),
    );
    let at: Vec<_> = errors.iter().map(|e| e.0).collect();
    assert_eq!(
        at,
        [
            "kpi_name",
            "kpi_unit",
            "kpi_direction",
            "kpi_baseline",
            "kpi_target"
        ]
    );
    assert_eq!(
        errors[0].1,
        "Vul de naam van de KPI in (hoogstens 200 tekens)."
    );
    assert_eq!(errors[2].1, "Kies of hoger of lager beter is.");
    assert!(errors[3].1.starts_with("Nulmeting: "), "{}", errors[3].1);
    assert!(errors[4].1.starts_with("Streefwaarde: "), "{}", errors[4].1);
    let long = KpiDraft::parse(&KpiForm {
        name: "x".repeat(201),
        ..kpi_form()
    });
    assert_eq!(long.unwrap_err()[0].field, "kpi_name");
}

fn measurement(kpi: &str, on: &str, value: &str, note: &str) -> MeasurementForm {
    MeasurementForm {
        kpi: kpi.into(),
        measured_on: on.into(),
        value: value.into(),
        note: note.into(),
    }
}

#[test]
fn a_measurement_names_a_kpi_of_the_agreement_and_a_day_not_in_the_future() {
    let (kpi, m) = MeasurementDraft::parse(
        &measurement("5", "15-06-2026", "31,5", " na audit "),
        &[4, 5],
        TODAY,
    )
    .unwrap();
    assert_eq!(kpi, 5);
    assert_eq!(m.measured_on, TODAY);
    assert_eq!(m.value, "31.5".parse::<Decimal>().unwrap());
    assert_eq!(m.note, "na audit");

    let errors = fields(
        MeasurementDraft::parse(
            &measurement("6", "gisteren", "?", &"x".repeat(4001)),
            &[4, 5],
            TODAY,
        )
        .unwrap_err(),
    );
    let at: Vec<_> = errors.iter().map(|e| e.0).collect();
    assert_eq!(at, ["m_kpi", "m_date", "m_value", "m_note"]);
    assert_eq!(errors[0].1, "Kies de KPI waarvan u een meting vastlegt.");
    assert_eq!(errors[1].1, "Vul de datum van de meting in als dd-mm-jjjj.");
    let future = MeasurementDraft::parse(&measurement("4", "16-06-2026", "1", ""), &[4], TODAY);
    assert_eq!(
        fields(future.unwrap_err()),
        [(
            "m_date",
            "Een meting kan niet in de toekomst liggen.".to_string()
        )]
    );
}

#[test]
fn a_review_lies_today_or_before_with_a_short_note() {
    let r = ReviewDraft::parse(
        &ReviewForm {
            on: "14-06-2026".into(),
            note: " Op koers ".into(),
        },
        TODAY,
    )
    .unwrap();
    assert_eq!((r.on, r.note.as_str()), (date!(2026 - 06 - 14), "Op koers"));
    let refused = |on: &str, note: &str| {
        fields(
            ReviewDraft::parse(
                &ReviewForm {
                    on: on.into(),
                    note: note.into(),
                },
                TODAY,
            )
            .unwrap_err(),
        )
    };
    assert_eq!(
        refused("", ""),
        [(
            "review_on",
            "Vul de datum van de beoordeling in als dd-mm-jjjj.".to_string()
        )]
    );
    assert_eq!(
        refused("16-06-2026", ""),
        [(
            "review_on",
            "Een beoordeling kan niet in de toekomst liggen.".to_string()
        )]
    );
    assert_eq!(
        refused("15-06-2026", &"x".repeat(4001)),
        [(
            "review_note",
            "De toelichting is te lang (hoogstens 4000 tekens).".to_string()
        )]
    );
}
