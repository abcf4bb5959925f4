use super::*;
use crate::agreements::kinds::{AgreementKind, PartyKind};

fn months(values: [i64; MONTHS]) -> [Decimal; MONTHS] {
    values.map(Decimal::from)
}

fn product(
    code: &str,
    norm_minutes: Option<Decimal>,
    realised: [i64; MONTHS],
    reference: [i64; MONTHS],
) -> MonitoredProduct {
    MonitoredProduct {
        product_id: 0,
        code: code.into(),
        norm_minutes,
        realised: months(realised),
        reference: months(reference),
    }
}

/// Orthopedie, H = 13.200 normuren, 1.500 normuren per fte.
///
/// Reference year (P1, 60 minutes, so volume = hours): 900, 1.000, 1.100, 1.000, 1.000, 1.000,
/// 700, 600, 1.000, 1.100, 1.100, 500 = 11.000. Cumulative budget = 13.200 × cum / 11.000:
/// January 1.080, February 2.280, March 3.600.
///
/// Realised through March: P1 (60 min) 1.100, 1.200, 1.300; P2 (30 min) 200, 220, 240 →
/// 100, 110, 120 hours; P3 (no norm time) 5 in January, listed, 0 hours.
/// Realised hours 1.200, 1.310, 1.420; cumulative 1.200, 2.510, 3.930.
/// Deviation through March 3.930 − 3.600 = +330 normuren = +0,22 fte = +9,1666… % → signal.
/// Forecast 3.930 × 11.000 / 3.000 = 14.410; 14.410 − 13.200 = +1.210 = +9,1666… %.
fn ort() -> MonitoredVakgroep {
    let reference = [
        900, 1000, 1100, 1000, 1000, 1000, 700, 600, 1000, 1100, 1100, 500,
    ];
    let mut p1 = [0; MONTHS];
    p1[..3].copy_from_slice(&[1100, 1200, 1300]);
    // Later months hold data that is not in yet: ignored.
    p1[3] = 99_999;
    let mut p2 = [0; MONTHS];
    p2[..3].copy_from_slice(&[200, 220, 240]);
    let mut p3 = [0; MONTHS];
    p3[0] = 5;
    MonitoredVakgroep {
        vakgroep_id: 7,
        code: "ORT".into(),
        name: "Orthopedie".into(),
        budget_hours: dec!(13200),
        normuren_per_fte: Some(dec!(1500)),
        products: vec![
            product("P1", Some(dec!(60)), p1, reference),
            product("P2", Some(dec!(30)), p2, [0; MONTHS]),
            product("P3", None, p3, [0; MONTHS]),
        ],
    }
}

/// Dermatologie, H = 2.400, no production in the reference year: twelfths, 200 a month.
/// Realised (60 min) 190, 200, 180 = 570 against 600: −30 = −5,0 % exactly, which is not above
/// the 5 % threshold: no signal. Forecast 570 × 12 / 3 = 2.280 (−5 %). −30 / 1.200 = −0,025 fte.
fn der() -> MonitoredVakgroep {
    let mut p = [0; MONTHS];
    p[..3].copy_from_slice(&[190, 200, 180]);
    MonitoredVakgroep {
        vakgroep_id: 8,
        code: "DER".into(),
        name: "Dermatologie".into(),
        budget_hours: dec!(2400),
        normuren_per_fte: Some(dec!(1200)),
        products: vec![product("D1", Some(dec!(60)), p, [0; MONTHS])],
    }
}

fn input(through_month: u8, vakgroepen: Vec<MonitoredVakgroep>) -> MonitoringInput {
    MonitoringInput {
        year: 2027,
        through_month,
        reference_months: [true; MONTHS],
        threshold: DEFAULT_THRESHOLD,
        vakgroepen,
    }
}

#[test]
fn golden_orthopedie_profile_signal_and_forecast() {
    let m = monitor(&input(3, vec![ort(), der()])).unwrap();
    let ort = &m.vakgroepen[0];
    assert_eq!(ort.profile.kind, ProfileKind::Reference);
    assert_eq!(ort.profile.reason, None);
    assert_eq!(ort.without_norm_time, ["P3"]);
    let t = &ort.track;
    let budgets: Vec<Decimal> = t.months[..3].iter().map(|m| m.budget).collect();
    assert_eq!(budgets, [dec!(1080), dec!(1200), dec!(1320)]);
    assert_eq!(t.months[2].cumulative_budget, dec!(3600));
    assert_eq!(t.months[11].cumulative_budget, dec!(13200));
    let realised: Vec<Option<Decimal>> = t.months[..4].iter().map(|m| m.realised).collect();
    assert_eq!(
        realised,
        [Some(dec!(1200)), Some(dec!(1310)), Some(dec!(1420)), None]
    );
    assert_eq!(t.months[2].cumulative_realised, Some(dec!(3930)));
    let d = t.to_date.unwrap();
    assert_eq!(d.hours, dec!(330));
    assert_eq!(d.fte, Some(dec!(0.22)));
    assert_eq!(crate::nl::percent(d.fraction.unwrap() * dec!(100)), "9,2 %");
    let f = t.forecast.unwrap();
    assert_eq!(f.hours, dec!(14410));
    assert_eq!(f.deviation.hours, dec!(1210));
    // The forecast's path starts at the realisation and ends at the forecast, along the profile:
    // April = 14.410 × 4.000 / 11.000 = 5.240.
    assert_eq!(t.months[1].projected, None);
    assert_eq!(t.months[2].projected, Some(dec!(3930)));
    assert_eq!(t.months[3].projected, Some(dec!(5240)));
    assert_eq!(t.months[11].projected, Some(dec!(14410)));
    let s = t.signal.as_ref().unwrap();
    assert_eq!(s.direction, Direction::Above);
    assert_eq!(
        s.explanation,
        "Orthopedie ligt 9,2 % boven het budget tot en met maart: 3.930,0 normuren gerealiseerd tegen 3.600,0 begroot; prognose voor het jaar 14.410 normuren (+9,2 %)."
    );
}

#[test]
fn golden_twelfths_at_exactly_the_threshold_is_no_signal() {
    let m = monitor(&input(3, vec![ort(), der()])).unwrap();
    let der = &m.vakgroepen[1];
    assert_eq!(der.profile.kind, ProfileKind::Twelfths);
    assert!(
        der.profile
            .reason
            .as_deref()
            .unwrap()
            .contains("geen productie")
    );
    assert!(der.track.months.iter().all(|m| m.budget == dec!(200)));
    let d = der.track.to_date.unwrap();
    assert_eq!(d.hours, dec!(-30));
    assert_eq!(d.fraction, Some(dec!(-0.05)));
    assert_eq!(d.fte, Some(dec!(-0.025)));
    assert_eq!(der.track.forecast.unwrap().hours, dec!(2280));
    assert_eq!(der.track.signal, None);
    // One hour less is a signal below the budget.
    let mut lower = der_with_march(179);
    lower.vakgroep_id = 9;
    let m = monitor(&input(3, vec![lower])).unwrap();
    assert_eq!(
        m.vakgroepen[0].track.signal.as_ref().unwrap().direction,
        Direction::Below
    );
}

fn der_with_march(march: i64) -> MonitoredVakgroep {
    let mut v = der();
    v.products[0].realised[2] = Decimal::from(march);
    v
}

/// Hospital = ORT + DER: budget to date 3.600 + 600 = 4.200, realised 3.930 + 570 = 4.500,
/// +300 = +7,142… %; forecast 14.410 + 2.280 = 16.690 against 15.600: +1.090 = +6,987… %;
/// fte 0,22 − 0,025 = 0,195.
#[test]
fn golden_hospital_is_the_sum() {
    let m = monitor(&input(3, vec![ort(), der()])).unwrap();
    let h = &m.hospital;
    assert_eq!(h.budget_hours, dec!(15600));
    assert_eq!(h.months[2].cumulative_budget, dec!(4200));
    assert_eq!(h.months[2].cumulative_realised, Some(dec!(4500)));
    let d = h.to_date.unwrap();
    assert_eq!(d.hours, dec!(300));
    assert_eq!(d.fte, Some(dec!(0.195)));
    assert_eq!(h.forecast.unwrap().hours, dec!(16690));
    assert_eq!(
        h.signal.as_ref().unwrap().explanation,
        "Het ziekenhuis ligt 7,1 % boven het budget tot en met maart: 4.500,0 normuren gerealiseerd tegen 4.200,0 begroot; prognose voor het jaar 16.690 normuren (+7,0 %)."
    );
}

#[test]
fn an_incomplete_reference_year_means_twelfths_for_everyone() {
    let mut i = input(3, vec![ort()]);
    i.reference_months[6] = false;
    i.reference_months[7] = false;
    let m = monitor(&i).unwrap();
    let p = &m.vakgroepen[0].profile;
    assert_eq!(p.kind, ProfileKind::Twelfths);
    assert_eq!(
        p.reason.as_deref(),
        Some(
            "Het referentiejaar is niet compleet (geen productie ingelezen voor juli, augustus); het budget is in twaalfden over de maanden verdeeld."
        )
    );
    // 13.200 / 12 = 1.100 a month.
    assert_eq!(
        m.vakgroepen[0].track.months[2].cumulative_budget,
        dec!(3300)
    );
}

#[test]
fn a_full_year_forecasts_the_realisation() {
    let mut v = ort();
    v.products[0].realised = months([1000; MONTHS]);
    let m = monitor(&input(12, vec![v])).unwrap();
    let t = &m.vakgroepen[0].track;
    // 12 × 1.000 + P2's 330.
    assert_eq!(t.forecast.unwrap().hours, dec!(12330));
    assert_eq!(t.months[11].cumulative_realised, Some(dec!(12330)));
    assert_eq!(t.months[11].projected, Some(dec!(12330)));
    assert_eq!(t.months[11].cumulative_budget, dec!(13200));
}

#[test]
fn nothing_in_yet_means_no_deviation_forecast_or_signal() {
    let m = monitor(&input(0, vec![ort()])).unwrap();
    let t = &m.vakgroepen[0].track;
    assert_eq!(
        (t.to_date, t.forecast, t.signal.clone()),
        (None, None, None)
    );
    assert!(
        t.months
            .iter()
            .all(|m| m.realised.is_none() && m.projected.is_none())
    );
    assert!(m.vakgroepen[0].without_norm_time.is_empty());
}

#[test]
fn realisation_without_a_budget_is_a_signal_without_percentage() {
    let mut v = der();
    v.budget_hours = Decimal::ZERO;
    let m = monitor(&input(3, vec![v])).unwrap();
    let s = m.vakgroepen[0].track.signal.as_ref().unwrap();
    assert_eq!(s.deviation.fraction, None);
    assert_eq!(
        s.explanation,
        "Dermatologie heeft tot en met maart 570,0 normuren gerealiseerd, terwijl daar geen normuren voor begroot waren; prognose voor het jaar 2.280 normuren."
    );
}

#[test]
fn bad_input_is_refused_in_dutch() {
    assert_eq!(
        monitor(&input(13, vec![])).unwrap_err().to_string(),
        "De laatste maand met realisatie moet tussen 0 en 12 liggen (nu 13)."
    );
    let mut i = input(1, vec![ort()]);
    i.threshold = dec!(-0.01);
    assert_eq!(monitor(&i), Err(MonitoringError::Threshold));
    let mut v = ort();
    v.products[1].realised[0] = dec!(-1);
    assert_eq!(
        monitor(&input(1, vec![v])),
        Err(MonitoringError::Negative("ORT".into()))
    );
}

#[test]
fn a_signal_proposes_a_financial_agreement_with_the_vakgroep() {
    let m = monitor(&input(3, vec![ort(), der()])).unwrap();
    assert_eq!(agreement_prefill(&m, &m.vakgroepen[1]), None);
    let p = agreement_prefill(&m, &m.vakgroepen[0]).unwrap();
    assert_eq!(p.kind, AgreementKind::Financieel);
    assert_eq!(
        p.title,
        "Realisatie Orthopedie 9,2 % boven budget t/m maart 2027"
    );
    assert_eq!(p.parties.len(), 1);
    assert_eq!(p.parties[0].kind, PartyKind::Vakgroep);
    assert_eq!(p.parties[0].vakgroep_id, Some(7));
    assert!(p.description.starts_with("Orthopedie ligt 9,2 % boven"));
    assert!(
        p.description
            .contains("Afwijking tot en met maart: +330,0 normuren, +0,22 fte, +9,2 %.")
    );
    assert!(p.description.contains("Prognose voor 2027: 14.410,0 normuren tegen een budget van 13.200,0 (+1.210,0 normuren, +0,81 fte, +9,2 %)."));
    assert!(
        p.description
            .contains("seizoenspatroon van het referentiejaar")
    );
    assert!(
        p.description
            .contains("Zonder normtijd (als 0 normuren geteld): P3.")
    );
    assert_eq!(p.insurer_deviation, None);
}

#[test]
fn the_chart_is_accessible_and_carries_every_figure() {
    let m = monitor(&input(3, vec![ort()])).unwrap();
    let t = &m.vakgroepen[0].track;
    let svg = chart_svg("ort 7", "Realisatie <Orthopedie> 2027", t, m.threshold);
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains(r#"role="img""#));
    assert!(svg.contains(r#"aria-labelledby="ort-7-title""#));
    assert!(svg.contains("<title id=\"ort-7-title\">Realisatie &lt;Orthopedie&gt; 2027</title>"));
    assert!(svg.contains("Budget: jan 1.080,0; feb 2.280,0; mrt 3.600,0;"));
    assert!(svg.contains("Realisatie: jan 1.200,0; feb 2.510,0; mrt 3.930,0."));
    assert!(svg.contains("Prognose: mrt 3.930,0; apr 5.240,0;"));
    assert!(svg.contains("Signaal: Orthopedie ligt 9,2 % boven"));
    // Three lines, told apart by dash pattern and marker, not only colour.
    assert!(svg.contains(r#"stroke-dasharray="8 4""#));
    assert!(svg.contains(r#"stroke-dasharray="2 3""#));
    assert!(svg.contains("<circle") && svg.contains("<rect") && svg.contains("<path d=\"M"));
    for name in [
        "Budget (cumulatief)",
        "Realisatie (cumulatief)",
        "Prognose (cumulatief)",
    ] {
        assert!(svg.contains(&format!(">{name}</text>")), "{name}");
    }
    // No floating point sneaks into the coordinates: plain numbers with at most one decimal.
    for attr in [" d=\"", " points=\"", " x=\"", " y=\"", " cx=\"", " cy=\""] {
        for value in svg
            .split(attr)
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap())
        {
            assert!(
                value
                    .chars()
                    .all(|c| c.is_ascii_digit() || " .,-MLZ".contains(c)),
                "{attr}{value}"
            );
            for number in value.split([' ', ',', 'M', 'L', 'Z']) {
                let decimals = number.split_once('.').map_or(0, |(_, d)| d.len());
                assert!(decimals <= 1, "{number}");
            }
        }
    }
    assert!(svg.ends_with("</svg>"));
}
