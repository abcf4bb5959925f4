use super::*;
use rust_decimal::dec;

/// The (field, message) pairs a refusal reports, in order.
fn fields(errors: Vec<FieldError>) -> Vec<(&'static str, String)> {
    errors.into_iter().map(|e| (e.field, e.message)).collect()
}

fn pair(field: &'static str, message: &str) -> (&'static str, String) {
    (field, message.to_string())
}

#[test]
fn a_year_is_copied_to_another() {
    assert_eq!(check_copy(2026, " 2027 "), Ok(2027));
    let e = check_copy(2027, "2027").unwrap_err();
    assert_eq!(
        (e.field, e.message.as_str()),
        ("naar", "Kies een ander jaar om naar te kopiëren.")
    );
    for typed in ["", "1999", "2201", "twintig"] {
        let e = check_copy(2027, typed).unwrap_err();
        assert_eq!(
            e.message, "Vul een jaar in tussen 2000 en 2200.",
            "{typed:?}"
        );
    }
    let e = CopyRefusal::TargetHasData.message(2026, 2027);
    assert!(
        e.message.starts_with("2027 heeft al stamgegevens"),
        "{}",
        e.message
    );
    let e = CopyRefusal::SourceEmpty.message(2026, 2027);
    assert_eq!(
        e.message,
        "2026 heeft nog geen stamgegevens om te kopiëren."
    );
}

#[test]
fn years_are_those_master_data_is_kept_for() {
    assert_eq!(parse_year(" 2027 "), Some(2027));
    assert_eq!(parse_year("2200"), Some(2200));
    assert_eq!(parse_year("1999"), None);
    assert_eq!(parse_year("2201"), None);
    assert_eq!(parse_year("volgend jaar"), None);
}

// ---------------------------------------------------------------------------------------------
// Year settings

fn settings() -> YearSettingsForm {
    YearSettingsForm {
        jaar: "2027".into(),
        fee_budget: "12.500.000".into(),
        fixed_share: "30".into(),
        band_min: "90".into(),
        band_max: "115".into(),
        note: " Vastgesteld ".into(),
        ..YearSettingsForm::default()
    }
}

#[test]
fn settings_become_fractions() {
    let d = YearSettingsDraft::parse(&settings()).unwrap();
    assert_eq!(d.fee_budget, Some(dec!(12500000)));
    assert_eq!(d.fixed_share, dec!(0.3));
    assert_eq!(
        (d.band_min, d.band_max),
        (Some(dec!(0.9)), Some(dec!(1.15)))
    );
    assert_eq!(d.note, "Vastgesteld");
    let empty = YearSettingsForm {
        fixed_share: "0".into(),
        ..YearSettingsForm::default()
    };
    let d = YearSettingsDraft::parse(&empty).unwrap();
    assert_eq!((d.fee_budget, d.band_min, d.band_max), (None, None, None));
}

#[test]
fn settings_figures_are_refused_at_their_fields() {
    let f = YearSettingsForm {
        fee_budget: "veel".into(),
        fixed_share: "de helft".into(),
        band_min: "x".into(),
        band_max: "y".into(),
        ..settings()
    };
    let band = "Vul een percentage in, bijvoorbeeld 90 of 115; of laat het leeg.";
    assert_eq!(
        fields(YearSettingsDraft::parse(&f).unwrap_err()),
        vec![
            pair(
                "fee_budget",
                "Vul het honorariumbudget in euro's in, bijvoorbeeld 12.500.000 of 12500000,00; of laat het leeg."
            ),
            pair(
                "fixed_share",
                "Vul het vaste deel in als percentage van 0 tot en met 100."
            ),
            pair("band_min", band),
            pair("band_max", band),
        ]
    );
    let f = YearSettingsForm {
        fixed_share: "101".into(),
        fee_budget: "-1".into(),
        ..settings()
    };
    assert_eq!(
        fields(YearSettingsDraft::parse(&f).unwrap_err()),
        vec![
            pair("fee_budget", "Vul 0 of meer in."),
            pair("fixed_share", "Vul een waarde in van ten hoogste 100."),
        ]
    );
}

#[test]
fn the_signal_threshold_is_a_percentage_with_a_default_of_five() {
    let d = YearSettingsDraft::parse(&settings()).unwrap();
    assert_eq!(d.signal_threshold, dec!(0.05), "empty: the default");
    let f = YearSettingsForm {
        signal_threshold: "7,5".into(),
        ..settings()
    };
    assert_eq!(
        YearSettingsDraft::parse(&f).unwrap().signal_threshold,
        dec!(0.075)
    );
    for (typed, message) in [
        ("101", "Vul een waarde in van ten hoogste 100."),
        ("-1", "Vul 0 of meer in."),
        (
            "vijf",
            "Vul de drempel in als percentage van 0 tot en met 100, bijvoorbeeld 5; of laat het leeg voor 5 %.",
        ),
    ] {
        let f = YearSettingsForm {
            signal_threshold: typed.into(),
            ..settings()
        };
        assert_eq!(
            fields(YearSettingsDraft::parse(&f).unwrap_err()),
            vec![pair("signal_threshold", message)],
            "{typed}"
        );
    }
}

#[test]
fn the_band_is_not_upside_down_and_the_note_not_too_long() {
    let f = YearSettingsForm {
        band_min: "120".into(),
        band_max: "110".into(),
        note: "x".repeat(MAX_NOTE_CHARS + 1),
        ..settings()
    };
    assert_eq!(
        fields(YearSettingsDraft::parse(&f).unwrap_err()),
        vec![
            pair(
                "band_max",
                "De bovengrens van de bandbreedte is niet lager dan de ondergrens."
            ),
            pair("note", "De toelichting is ten hoogste 2.000 tekens."),
        ]
    );
    let f = YearSettingsForm {
        note: "x".repeat(MAX_NOTE_CHARS),
        ..settings()
    };
    assert!(YearSettingsDraft::parse(&f).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Care products

#[test]
fn a_care_product_is_trimmed_and_active_when_ticked() {
    let f = CareProductForm {
        code: " 131999 ".into(),
        description: " Consult ".into(),
        active: Some("on".into()),
        ..CareProductForm::default()
    };
    let d = CareProductDraft::parse(&f).unwrap();
    assert_eq!(
        (d.code.as_str(), d.description.as_str()),
        ("131999", "Consult")
    );
    assert!(d.active);
    let f = CareProductForm { active: None, ..f };
    assert!(!CareProductDraft::parse(&f).unwrap().active);
}

#[test]
fn a_care_product_needs_a_code_and_a_short_description() {
    let code = "Vul de zorgproduct- of zorgactiviteitcode in (ten hoogste 40 tekens).";
    let f = CareProductForm {
        code: "  ".into(),
        description: "x".repeat(MAX_PRODUCT_DESCRIPTION_CHARS + 1),
        ..CareProductForm::default()
    };
    assert_eq!(
        fields(CareProductDraft::parse(&f).unwrap_err()),
        vec![
            pair("code", code),
            pair("description", "De omschrijving is ten hoogste 500 tekens."),
        ]
    );
    let f = CareProductForm {
        code: "9".repeat(MAX_PRODUCT_CODE_CHARS + 1),
        ..CareProductForm::default()
    };
    assert_eq!(
        fields(CareProductDraft::parse(&f).unwrap_err()),
        vec![pair("code", code)]
    );
}

// ---------------------------------------------------------------------------------------------
// KPIs

fn kpi() -> KpiForm {
    KpiForm {
        jaar: "2027".into(),
        kind: "efficiency".into(),
        name: " Ligduur ".into(),
        direction: "lager_beter".into(),
        reference_value: "4,2".into(),
        local_value: "-1,5".into(),
        source: " DHD ".into(),
        ..KpiForm::default()
    }
}

#[test]
fn a_kpi_is_read_with_its_codes() {
    let d = KpiDraft::parse(&kpi()).unwrap();
    assert_eq!(d.year, 2027);
    assert_eq!(d.kind, KpiKind::Efficiency);
    assert_eq!(d.direction, Direction::parse("lager_beter").unwrap());
    assert_eq!((d.name.as_str(), d.source.as_str()), ("Ligduur", "DHD"));
    assert_eq!((d.reference_value, d.local_value), (dec!(4.2), dec!(-1.5)));
}

#[test]
fn every_kpi_field_is_refused_at_its_place() {
    let f = KpiForm {
        jaar: "1999".into(),
        kind: "snelheid".into(),
        name: " ".into(),
        direction: "opzij".into(),
        reference_value: "veel".into(),
        local_value: "0,0000001".into(),
        ..kpi()
    };
    assert_eq!(
        fields(KpiDraft::parse(&f).unwrap_err()),
        vec![
            pair("jaar", "Vul een jaar in tussen 2000 en 2200."),
            pair("kind", "Kies het soort KPI."),
            pair(
                "name",
                "Vul de naam van de KPI in (ten hoogste 200 tekens)."
            ),
            pair(
                "direction",
                "Kies of een hogere of een lagere waarde beter is."
            ),
            pair("reference_value", "Vul een getal in, bijvoorbeeld 4,2."),
            pair("local_value", "Gebruik ten hoogste 6 decimalen."),
        ]
    );
    let f = KpiForm {
        name: "x".repeat(MAX_KPI_NAME_CHARS + 1),
        ..kpi()
    };
    assert_eq!(
        fields(KpiDraft::parse(&f).unwrap_err()),
        vec![pair(
            "name",
            "Vul de naam van de KPI in (ten hoogste 200 tekens)."
        )]
    );
}

#[test]
fn a_kpi_stays_in_its_year() {
    let d = KpiDraft::parse(&kpi()).unwrap();
    assert_eq!(d.check_year(2027), Ok(()));
    let e = d.check_year(2026).unwrap_err();
    assert_eq!(
        (e.field, e.message.as_str()),
        ("_form", "Een KPI blijft in zijn begrotingsjaar.")
    );
}

// ---------------------------------------------------------------------------------------------
// Normuren and formative fte

#[test]
fn empty_figures_are_left_alone_and_one_fte_brings_the_other() {
    let d = FiguresDraft::parse(&FiguresForm::default()).unwrap();
    assert_eq!(
        d,
        FiguresDraft {
            normuren: None,
            formatief: None
        }
    );
    let f = FiguresForm {
        normuren: "1250,5".into(),
        fte_1b: "2".into(),
        ..FiguresForm::default()
    };
    let d = FiguresDraft::parse(&f).unwrap();
    assert_eq!(d.normuren, Some(dec!(1250.5)));
    assert_eq!(d.formatief, Some((dec!(0), dec!(2))));
}

#[test]
fn figures_are_refused_at_their_fields() {
    let fte = "Vul een aantal fte in, 0 of meer, bijvoorbeeld 12,5.";
    let f = FiguresForm {
        normuren: "veel".into(),
        fte_1a: "x".into(),
        fte_1b: "-1".into(),
        ..FiguresForm::default()
    };
    assert_eq!(
        fields(FiguresDraft::parse(&f).unwrap_err()),
        vec![
            pair(
                "normuren",
                "Vul de normuren per fte in als getal, bijvoorbeeld 1250 of 1250,5."
            ),
            pair("fte_1a", fte),
            pair("fte_1b", "Vul 0 of meer in."),
        ]
    );
    let f = FiguresForm {
        normuren: "0".into(),
        ..FiguresForm::default()
    };
    assert_eq!(
        fields(FiguresDraft::parse(&f).unwrap_err()),
        vec![pair("normuren", "Vul een waarde groter dan 0 in.")]
    );
}

// ---------------------------------------------------------------------------------------------
// Norm times

#[test]
fn a_norm_time_is_minutes_of_zero_or_more() {
    let form = |minutes: &str| NormTimeForm {
        minutes: minutes.into(),
        ..NormTimeForm::default()
    };
    assert_eq!(
        NormTimeDraft::parse(&form("7,5")).unwrap().minutes,
        dec!(7.5)
    );
    assert_eq!(
        fields(NormTimeDraft::parse(&form("lang")).unwrap_err()),
        vec![pair(
            "minutes",
            "Vul de normtijd in minuten in, 0 of meer, bijvoorbeeld 20 of 7,5."
        )]
    );
    assert_eq!(
        fields(NormTimeDraft::parse(&form("-3")).unwrap_err()),
        vec![pair("minutes", "Vul 0 of meer in.")]
    );
}
