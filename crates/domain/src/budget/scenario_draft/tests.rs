use super::*;
use rust_decimal::dec;

fn form() -> ScenarioForm {
    ScenarioForm {
        name: " Basis ".into(),
        year: "2027".into(),
        reference_year: "2025".into(),
        variant: "1".into(),
        ..ScenarioForm::default()
    }
}

fn refused(f: &ScenarioForm) -> Vec<(&'static str, String)> {
    ScenarioDraft::parse(f)
        .unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.message))
        .collect()
}

#[test]
fn a_plain_form_becomes_a_draft_with_defaults() {
    let d = ScenarioDraft::parse(&form()).unwrap();
    assert_eq!(d.name, "Basis");
    assert_eq!((d.year, d.reference_year), (2027, 2025));
    assert_eq!(d.variant, PzVariant::Informatief);
    assert_eq!(d.weights, Weights::REGULAR);
    assert_eq!(d.earmarked_amount, Decimal::ZERO);
    assert_eq!(d.grondslag, Grondslag::FormatiefFte);
    assert_eq!(d.previous, None);
    let mut f = form();
    f.variant = "2".into();
    assert_eq!(ScenarioDraft::parse(&f).unwrap().weights, Weights::WITH_PZ);
}

#[test]
fn name_years_and_variant_are_required() {
    let f = ScenarioForm {
        name: "  ".into(),
        year: "27".into(),
        reference_year: "x".into(),
        variant: "4".into(),
        ..ScenarioForm::default()
    };
    assert_eq!(
        refused(&f),
        [
            ("name", "Geef het scenario een naam.".to_string()),
            ("year", "Vul een jaartal in, bijvoorbeeld 2027.".into()),
            (
                "reference_year",
                "Vul een jaartal in, bijvoorbeeld 2027.".into()
            ),
            (
                "variant",
                "Kies variant 1, 2 of 3 voor passende zorg.".into()
            ),
        ]
    );
    let mut f = form();
    f.name = "x".repeat(MAX_NAME_CHARS + 1);
    assert_eq!(
        refused(&f),
        [(
            "name",
            "Gebruik voor de naam ten hoogste 200 tekens.".to_string()
        )]
    );
}

#[test]
fn weights_are_percentages_that_add_up_to_100() {
    let mut f = form();
    (f.w_out, f.w_eff, f.w_pz) = ("70 %".into(), "20".into(), "5".into());
    assert_eq!(
        refused(&f),
        [(
            "w_out",
            "De gewichten moeten samen precies 100 % zijn (nu 95,0 %).".to_string()
        )]
    );
    f.w_pz = "tien".into();
    assert_eq!(refused(&f)[0].0, "w_pz");
    // Regular weights (variants 1 and 3) give passende zorg no weight.
    (f.w_out, f.w_eff, f.w_pz) = ("70".into(), "20".into(), "10".into());
    assert_eq!(
        refused(&f),
        [("w_pz", ScenarioError::RegularWeightsWithPz.to_string())]
    );
    f.variant = "2".into();
    let d = ScenarioDraft::parse(&f).unwrap();
    assert_eq!(d.weights, Weights::WITH_PZ);
    assert_eq!(d.params().unwrap().pz_weights, Weights::WITH_PZ);
}

#[test]
fn variant_3_needs_an_earmark_in_cents() {
    let mut f = form();
    f.variant = "3".into();
    assert_eq!(
        refused(&f),
        [(
            "earmark",
            "Vul bij variant 3 het geoormerkte bedrag voor passende zorg in.".to_string()
        )]
    );
    f.earmark = "€ 1.000,005".into();
    assert_eq!(refused(&f)[0].0, "earmark");
    f.earmark = "-5".into();
    assert_eq!(refused(&f)[0].0, "earmark");
    f.earmark = "€ 1.000,50".into();
    let d = ScenarioDraft::parse(&f).unwrap();
    assert_eq!(d.earmarked_amount, dec!(1000.50));
    assert_eq!(d.params().unwrap().earmark.unwrap().amount, dec!(1000.50));
}

#[test]
fn last_years_norm_fte_needs_last_years_budget() {
    let mut f = form();
    f.overrides = vec![
        (VakgroepId::new(7), "3".into()),
        (VakgroepId::new(8), "".into()),
    ];
    f.earmark = "100".into();
    f.grondslag = "norm_fte_vorig_jaar".into();
    assert_eq!(
        refused(&f),
        [(
            "previous",
            "Kies de begroting van vorig jaar: de grondslag norm-fte vorig jaar komt daaruit."
                .to_string()
        )]
    );
    f.previous = "12".into();
    let d = ScenarioDraft::parse(&f).unwrap();
    assert_eq!(d.previous, Some(ScenarioId::new(12)));
    assert_eq!(d.overrides, [(VakgroepId::new(7), PzVariant::Geoormerkt)]);
    assert_eq!(d.grondslag, Grondslag::NormFteVorigJaar);
    f.previous = "twaalf".into();
    assert_eq!(
        refused(&f)[0],
        (
            "previous",
            "Kies een scenario van vorig jaar uit de lijst.".to_string()
        )
    );
}

#[test]
fn unknown_codes_are_refused_not_defaulted() {
    let mut f = form();
    f.grondslag = "formatief_fte".into();
    assert_eq!(
        refused(&f),
        [("grondslag", "Kies een grondslag uit de lijst.".to_string())]
    );
    f.grondslag = "norm_fte".into();
    assert_eq!(
        ScenarioDraft::parse(&f).unwrap().grondslag,
        Grondslag::NormFte
    );
    f.overrides = vec![(VakgroepId::new(7), "4".into())];
    assert_eq!(
        refused(&f),
        [(
            "variant",
            "Kies per vakgroep variant 1, 2 of 3, of die van het scenario.".to_string()
        )]
    );
}

#[test]
fn stored_codes_are_the_databases() {
    assert_eq!(PzVariant::try_from(2_i16), Ok(PzVariant::InNormFte));
    assert_eq!(PzVariant::Geoormerkt.number(), 3);
    assert_eq!(PzVariant::Geoormerkt.code(), "3");
    assert!(PzVariant::try_from(0_i16).is_err());
    assert_eq!(
        Grondslag::try_from("formatief"),
        Ok(Grondslag::FormatiefFte)
    );
    assert!(Grondslag::try_from("formatief_fte").is_err());
}

#[test]
fn a_stored_scenario_keeps_one_set_of_weights() {
    let s = Scenario::from_stored(
        PzVariant::InNormFte,
        [(1, PzVariant::InNormFte), (2, PzVariant::Informatief)],
        Weights::WITH_PZ,
        dec!(500),
        Grondslag::NormFte,
    )
    .unwrap();
    assert_eq!(
        (s.regular_weights, s.pz_weights),
        (Weights::REGULAR, Weights::WITH_PZ)
    );
    // An override equal to the scenario's variant is none; without variant 3 no earmark.
    assert_eq!(s.variant_overrides.len(), 1);
    assert_eq!(s.earmark, None);
    let e = Scenario::from_stored(
        PzVariant::Informatief,
        [(1, PzVariant::Geoormerkt)],
        Weights::WITH_PZ,
        dec!(500),
        Grondslag::NormFte,
    )
    .unwrap_err();
    assert_eq!(e, ScenarioError::RegularWeightsWithPz);
    assert_eq!(e.field(), "w_pz");
}
