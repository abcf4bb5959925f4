use super::band::{Limits, fill};
use super::rounding::to_cents;
use super::*;
use crate::budget::{
    BudgetInput, CareProduct, Earmark, Grondslag, Scenario, VakgroepInput, compute,
};
use rust_decimal::dec;

fn input(code: &str, formatief: Decimal, norm: Decimal) -> DistributionInput {
    DistributionInput {
        vakgroep_id: code.bytes().map(i64::from).sum(),
        code: code.into(),
        formatief_fte: formatief,
        norm_fte: Some(norm),
        earmark: Decimal::ZERO,
        last_year: None,
        band_override: None,
    }
}

fn frame(m: Decimal, phi: Decimal) -> Frame {
    Frame {
        fee_budget: m,
        fixed_share: phi,
        default_band: None,
        placement: EarmarkPlacement::OnTop,
    }
}

fn band(floor: Decimal, cap: Decimal) -> Band {
    Band::new(floor, cap).unwrap()
}

fn limits(floor: Decimal, cap: Decimal) -> Option<Limits> {
    Some(Limits { floor, cap })
}

fn message(r: Result<Distribution, DistributionError>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn cents_go_to_the_largest_remainders_then_to_the_first_position() {
    // 33,333… three times: one cent left, equal remainders, the first position gets it.
    let third = dec!(100) / dec!(3);
    assert_eq!(
        to_cents(&[third, third, third], dec!(100)).unwrap(),
        [dec!(33.34), dec!(33.33), dec!(33.33)]
    );
    // 0,006 + 0,004 = 0,01: the larger remainder (0,6 cent) wins over position.
    assert_eq!(
        to_cents(&[dec!(0.004), dec!(0.006)], dec!(0.01)).unwrap(),
        [dec!(0), dec!(0.01)]
    );
    // Whole cents stay as they are.
    assert_eq!(
        to_cents(&[dec!(1.25), dec!(3.75)], dec!(5)).unwrap(),
        [dec!(1.25), dec!(3.75)]
    );
    // Amounts that do not add up to the total cannot be rounded honestly.
    assert_eq!(to_cents(&[dec!(1), dec!(1)], dec!(3)), None);
    assert_eq!(to_cents(&[dec!(1), dec!(1)], dec!(1)), None);
}

#[test]
fn bounds_are_rounded_inward_to_whole_cents() {
    let mut v = input("CAR", dec!(1), dec!(1));
    v.last_year = Some(dec!(1000.005));
    // 0,9 × 1.000,005 = 900,0045 → up to 900,01; 1,15 × 1.000,005 = 1.150,00575 → down to 1.150,00.
    let t = band::trace(&v, Some(band(dec!(0.9), dec!(1.15)))).unwrap();
    assert_eq!(
        t,
        BandTrace::Applied(AppliedBand {
            band: band(dec!(0.9), dec!(1.15)),
            source: BandSource::Default,
            floor_amount: dec!(900.01),
            cap_amount: dec!(1150.00),
        })
    );
    // An override wins over the default band.
    v.band_override = Some(band(dec!(1), dec!(1.1)));
    let BandTrace::Applied(b) = band::trace(&v, Some(band(dec!(0.9), dec!(1.15)))).unwrap() else {
        panic!("band expected");
    };
    assert_eq!(
        (b.source, b.floor_amount),
        (BandSource::Override, dec!(1000.01))
    );
    // 1,00–1,00 around € 0,005 holds no whole cent.
    v.last_year = Some(dec!(0.005));
    v.band_override = Some(band(dec!(1), dec!(1)));
    assert_eq!(
        band::trace(&v, None).unwrap_err().to_string(),
        "De band van vakgroep CAR bevat geen heel centbedrag: de ondergrens is naar boven afgerond € 0,01, de bovengrens naar beneden € 0,00; er is niets verdeeld."
    );
}

#[test]
fn a_vakgroep_without_band_says_why() {
    let mut v = input("CAR", dec!(1), dec!(1));
    let default = Some(band(dec!(0.9), dec!(1.15)));
    assert_eq!(
        band::trace(&v, None).unwrap(),
        BandTrace::NotApplied(NoBandReason::NoBandSet)
    );
    assert_eq!(
        band::trace(&v, default).unwrap(),
        BandTrace::NotApplied(NoBandReason::NoLastYear)
    );
    v.last_year = Some(Decimal::ZERO);
    assert_eq!(
        band::trace(&v, default).unwrap(),
        BandTrace::NotApplied(NoBandReason::ZeroLastYear)
    );
}

#[test]
fn one_side_per_pass_finds_the_water_filling_solution() {
    // u = 200 / 50 / 50, D = 300. A's cap is 150 (50 too much), B's floor 60 (10 short), C free.
    // E_cap = 50 > E_floor = 10, so only A is fixed: 150 left over B and C, 75 each, and B is
    // inside its band after all. Fixing both sides at once would pin B at 60 and give C 90.
    let filled = fill(
        dec!(300),
        &[dec!(200), dec!(50), dec!(50)],
        &[
            limits(dec!(0), dec!(150)),
            limits(dec!(60), dec!(100)),
            None,
        ],
        &["A", "B", "C"],
    )
    .unwrap();
    assert_eq!(filled.exact, [dec!(150), dec!(75), dec!(75)]);
    assert_eq!(
        filled.binding,
        [
            Some(Binding {
                side: BoundSide::Cap,
                iteration: 1
            }),
            None,
            None
        ]
    );
    assert_eq!(filled.iterations, 1);
    assert_eq!(filled.free_ratio, Some(dec!(1.5)));
}

#[test]
fn floors_first_when_their_shortfall_is_larger() {
    // u = 20 / 180 / 100, D = 300. A's floor 60 (40 short), B's cap 190 (none over yet), C's cap
    // 110. E_floor = 40 > E_cap = 0: A to 60, then 240 over B and C at 240/280: B 154,28…,
    // C 85,71…, both inside.
    let filled = fill(
        dec!(300),
        &[dec!(20), dec!(180), dec!(100)],
        &[
            limits(dec!(60), dec!(80)),
            limits(dec!(0), dec!(190)),
            limits(dec!(0), dec!(110)),
        ],
        &["A", "B", "C"],
    )
    .unwrap();
    assert_eq!(filled.exact[0], dec!(60));
    assert_eq!(filled.exact[1], dec!(240) * dec!(180) / dec!(280));
    assert_eq!(
        filled.binding[0],
        Some(Binding {
            side: BoundSide::Floor,
            iteration: 1
        })
    );
    assert_eq!(filled.binding[1..], [None, None]);
}

#[test]
fn a_share_of_nothing_is_lifted_to_its_floor() {
    // B has u = 0 but a floor of 10: it gets 10, A the rest.
    let filled = fill(
        dec!(100),
        &[dec!(100), dec!(0)],
        &[None, limits(dec!(10), dec!(50))],
        &["A", "B"],
    )
    .unwrap();
    assert_eq!(filled.exact, [dec!(90), dec!(10)]);
}

#[test]
fn infeasible_bands_are_reported_with_their_figures() {
    let two = [dec!(50), dec!(50)];
    let err = fill(
        dec!(100),
        &two,
        &[limits(dec!(60), dec!(70)), limits(dec!(45), dec!(70))],
        &["A", "B"],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "De ondergrenzen van de band tellen op tot € 105,00, meer dan het te verdelen bedrag van € 100,00; er is niets verdeeld."
    );
    let err = fill(
        dec!(100),
        &two,
        &[limits(dec!(0), dec!(40)), limits(dec!(0), dec!(45))],
        &["A", "B"],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "De bovengrenzen van de band tellen op tot € 85,00, minder dan het te verdelen bedrag van € 100,00; er is niets verdeeld."
    );
    // B has u = 0, so it can only get its floor; the caps fall short with it counted so.
    let err = fill(
        dec!(100),
        &[dec!(100), dec!(0)],
        &[limits(dec!(0), dec!(80)), limits(dec!(5), dec!(50))],
        &["A", "B"],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "De bovengrenzen van de band tellen op tot € 85,00, minder dan het te verdelen bedrag van € 100,00 (B telt mee met de ondergrens: de onbegrensde toewijzing is € 0,00); er is niets verdeeld."
    );
    // What A cannot take would have to go to C, whose unbounded allocation is 0.
    let err = fill(
        dec!(100),
        &[dec!(100), dec!(0)],
        &[limits(dec!(0), dec!(80)), None],
        &["A", "C"],
    )
    .unwrap_err();
    assert_eq!(
        err,
        DistributionError::NoBasisForRemainder {
            remainder: dec!(20),
            codes: vec!["C".into()]
        }
    );
    assert!(err.to_string().starts_with(
        "Boven de bovengrenzen blijft € 20,00 over voor de vakgroepen zonder band (C)"
    ));
}

#[test]
fn inputs_and_frame_are_checked_before_anything_is_distributed() {
    let ok = [
        input("CAR", dec!(1), dec!(1)),
        input("KNO", dec!(1), dec!(1)),
    ];
    let f = frame(dec!(1000), dec!(0.2));
    assert!(distribute(&f, &ok).is_ok());
    assert_eq!(
        message(distribute(&f, &[])),
        "Er zijn geen vakgroepen om het honorariumbudget over te verdelen."
    );
    assert_eq!(
        message(distribute(&frame(dec!(-1), dec!(0.2)), &ok)),
        "Het honorariumbudget mag niet negatief zijn (nu € -1,00); er is niets verdeeld."
    );
    assert_eq!(
        message(distribute(&frame(dec!(1000.001), dec!(0.2)), &ok)),
        "Het honorariumbudget moet in hele centen zijn (nu 1.000,001); er is niets verdeeld."
    );
    assert_eq!(
        message(distribute(&frame(dec!(1000), dec!(1.2)), &ok)),
        "Het vaste aandeel φ moet tussen 0 en 1 liggen (0 % tot 100 %), nu is het 1,20; er is niets verdeeld."
    );
    let mut bad_band = f;
    bad_band.default_band = Some(Band {
        floor: dec!(1.2),
        cap: dec!(1.1),
    });
    assert_eq!(
        message(distribute(&bad_band, &ok)),
        "De standaardband: de ondergrens ligt boven de bovengrens (120,0 % – 110,0 %); er is niets verdeeld."
    );
    let mut v = ok.to_vec();
    v[1].band_override = Some(Band {
        floor: dec!(-0.1),
        cap: dec!(1.1),
    });
    assert_eq!(
        message(distribute(&f, &v)),
        "De band van vakgroep KNO: de onder- en bovengrens mogen niet negatief zijn (-10,0 % – 110,0 %); er is niets verdeeld."
    );
    let mut v = ok.to_vec();
    v[0].formatief_fte = dec!(-2.5);
    assert_eq!(
        message(distribute(&f, &v)),
        "Vakgroep CAR: formatieve fte mag niet negatief zijn (nu -2,50); er is niets verdeeld."
    );
    let mut v = ok.to_vec();
    v[1].last_year = Some(dec!(-1));
    assert_eq!(
        distribute(&f, &v),
        Err(DistributionError::NegativeInput {
            code: "KNO".into(),
            figure: Figure::LastYear,
            value: dec!(-1)
        })
    );
    let mut v = ok.to_vec();
    v[1].earmark = dec!(0.005);
    assert!(message(distribute(&f, &v)).contains("in hele centen"));
    let mut v = ok.to_vec();
    v[1].code = "CAR".into();
    assert_eq!(
        distribute(&f, &v),
        Err(DistributionError::DuplicateCode("CAR".into()))
    );
}

#[test]
fn a_vakgroep_without_norm_fte_stops_the_distribution() {
    let mut v = vec![
        input("KNO", dec!(1), dec!(1)),
        input("CAR", dec!(1), dec!(1)),
        input("ANE", dec!(1), dec!(1)),
    ];
    v[0].norm_fte = None;
    v[1].norm_fte = None;
    // Named in code order, whatever the input order.
    assert_eq!(
        message(distribute(&frame(dec!(1000), dec!(0.5)), &v)),
        "Voor CAR, KNO is geen norm-fte berekend, dus het capaciteitsdeel is niet te verdelen; los dat eerst op. Er is niets verdeeld."
    );
}

#[test]
fn components_need_something_to_be_distributed_over() {
    let zero_fte = [
        input("CAR", dec!(0), dec!(2)),
        input("KNO", dec!(0), dec!(3)),
    ];
    assert_eq!(
        message(distribute(&frame(dec!(1000), dec!(0.2)), &zero_fte)),
        "Het vaste deel van € 200,00 wordt per formatieve fte verdeeld, maar de formatieve fte tellen op tot 0; er is niets verdeeld."
    );
    // Without a fixed component the formative fte do not matter.
    let d = distribute(&frame(dec!(1000), dec!(0)), &zero_fte).unwrap();
    assert_eq!(d.vakgroepen[0].allocation, dec!(400));
    let zero_norm = [
        input("CAR", dec!(2), dec!(0)),
        input("KNO", dec!(3), dec!(0)),
    ];
    assert_eq!(
        message(distribute(&frame(dec!(1000), dec!(0.2)), &zero_norm)),
        "Het capaciteitsdeel van € 800,00 wordt naar rato van de norm-fte verdeeld, maar de norm-fte tellen op tot 0; er is niets verdeeld."
    );
    let d = distribute(&frame(dec!(1000), dec!(1)), &zero_norm).unwrap();
    assert_eq!(d.vakgroepen[1].allocation, dec!(600));
}

#[test]
fn an_earmark_out_of_a_smaller_budget_is_refused() {
    let mut v = vec![
        input("CAR", dec!(1), dec!(1)),
        input("KNO", dec!(1), dec!(1)),
    ];
    v[0].earmark = dec!(600);
    v[1].earmark = dec!(500);
    let mut f = frame(dec!(1000), dec!(0.2));
    f.placement = EarmarkPlacement::OutOfBudget;
    assert_eq!(
        message(distribute(&f, &v)),
        "Het geoormerkte bedrag van € 1.100,00 komt uit het honorariumbudget, maar is groter dan dat budget (€ 1.000,00); er is niets verdeeld."
    );
    f.placement = EarmarkPlacement::OnTop;
    let d = distribute(&f, &v).unwrap();
    assert_eq!((d.distributable, d.total), (dec!(1000), dec!(2100)));
    assert!(d.balances());
}

#[test]
fn huge_figures_are_an_error_not_a_panic() {
    let mut v = vec![
        input("CAR", dec!(1), dec!(1)),
        input("KNO", dec!(1), dec!(1)),
    ];
    v[0].formatief_fte = Decimal::MAX;
    v[1].formatief_fte = Decimal::MAX;
    assert_eq!(
        distribute(&frame(dec!(1000), dec!(0.2)), &v),
        Err(DistributionError::TooLarge)
    );
    let mut v = vec![input("CAR", dec!(1), dec!(1))];
    v[0].last_year = Some(Decimal::MAX);
    v[0].band_override = Some(band(dec!(0.5), dec!(2)));
    assert_eq!(
        distribute(&frame(dec!(1000), dec!(0.2)), &v),
        Err(DistributionError::TooLarge)
    );
    // A budget with more cents than a decimal can count.
    let v = [input("CAR", dec!(1), dec!(1))];
    assert_eq!(
        distribute(&frame(Decimal::MAX, dec!(0)), &v),
        Err(DistributionError::TooLarge)
    );
}

#[test]
fn inputs_come_from_the_engine_result() {
    let vakgroep = |id: i64, code: &str, formatief: Decimal| VakgroepInput {
        id,
        code: code.into(),
        normuren_per_fte: Some(dec!(1000)),
        formatief_fte: formatief,
        last_year_norm_fte: None,
        // 60.000 minutes: 1.000 hours, F = 1.
        products: vec![CareProduct {
            id: id * 10,
            code: format!("P{id}"),
            norm_minutes: dec!(60),
            baseline: dec!(1000),
        }],
        kpis: vec![],
        trends: vec![],
    };
    let input = BudgetInput {
        vakgroepen: vec![vakgroep(1, "CAR", dec!(2)), vakgroep(2, "KNO", dec!(3))],
    };
    let scenario = Scenario {
        variant: PzVariant::Geoormerkt,
        earmark: Some(Earmark {
            amount: dec!(100),
            grondslag: Grondslag::FormatiefFte,
        }),
        ..Scenario::default()
    };
    let result = compute(&input, &scenario).unwrap();
    let last_year = HashMap::from([(2, dec!(500))]);
    let overrides = HashMap::from([(1, band(dec!(1), dec!(1.1)))]);
    let inputs = inputs_from(&result, &last_year, &overrides).unwrap();
    assert_eq!(
        inputs,
        [
            DistributionInput {
                vakgroep_id: 1,
                code: "CAR".into(),
                formatief_fte: dec!(2),
                norm_fte: Some(dec!(1)),
                earmark: dec!(40),
                last_year: None,
                band_override: Some(band(dec!(1), dec!(1.1))),
            },
            DistributionInput {
                vakgroep_id: 2,
                code: "KNO".into(),
                formatief_fte: dec!(3),
                norm_fte: Some(dec!(1)),
                earmark: dec!(60),
                last_year: Some(dec!(500)),
                band_override: None,
            },
        ]
    );
    // Without a usable grondslag the engine leaves the earmark undistributed, and so must D6.
    let mut broken = input.clone();
    broken.vakgroepen[0].formatief_fte = dec!(0);
    broken.vakgroepen[1].formatief_fte = dec!(0);
    let result = compute(&broken, &scenario).unwrap();
    assert_eq!(
        inputs_from(&result, &last_year, &overrides),
        Err(DistributionError::EarmarkNotDistributed(vec![
            "CAR".into(),
            "KNO".into()
        ]))
    );
}

#[test]
fn the_explanation_follows_the_figures() {
    // M = 1.000.000, φ = 0,2, CAR 12,5 of 250 formative fte, F 14 of 280; KNO the rest.
    let mut car = input("CAR", dec!(12.5), dec!(14));
    car.last_year = Some(dec!(50000));
    car.earmark = dec!(1500);
    let kno = input("KNO", dec!(237.5), dec!(266));
    let mut f = frame(dec!(1000000), dec!(0.2));
    f.default_band = Some(band(dec!(0.9), dec!(1.15)));
    let d = distribute(&f, &[kno, car]).unwrap();
    let car = &d.vakgroepen[0];
    assert_eq!(car.code, "CAR");
    // Fixed 0,2 × 1.000.000 × 12,5 / 250 = 10.000; capacity 0,8 × 1.000.000 × 14 / 280 = 40.000;
    // unbounded 50.000 is inside 45.000–57.500.
    assert_eq!(
        explain(&d, car),
        [
            "Te verdelen bedrag D = M = € 1.000.000,00; het geoormerkte bedrag van € 1.500,00 komt daar bovenop.",
            "Vast deel = φ × D × formatief / Σ formatief = 0,20 × € 1.000.000,00 × 12,50 / 250,00 = € 10.000,00",
            "Capaciteitsdeel = (1 − φ) × D × F / Σ F = 0,80 × € 1.000.000,00 × 14,00 / 280,00 = € 40.000,00",
            "Onbegrensde toewijzing = vast deel + capaciteitsdeel = € 10.000,00 + € 40.000,00 = € 50.000,00",
            "Band 90,0 % – 115,0 % (standaardband) van de toewijzing vorig jaar € 50.000,00: ondergrens € 45.000,00 (naar boven op centen), bovengrens € 57.500,00 (naar beneden op centen)",
            "Binnen de band; er is niets herverdeeld: geen enkele vakgroep viel buiten zijn band.",
            "Herverdeeld = exacte toewijzing − onbegrensde toewijzing = € 50.000,00 − € 50.000,00 = € 0,00",
            "Toewijzing in hele centen (grootste rest, gelijke resten op volgorde van code) = € 50.000,00 (afronding 0,00 cent)",
            "Totaal = toewijzing + geoormerkt deel passende zorg = € 50.000,00 + € 1.500,00 = € 51.500,00",
        ]
    );
}

#[test]
fn a_sole_sharer_gets_the_whole_component_exactly() {
    // 160.643,21 × 0,74 × F / F with F a 28-digit quotient would be rounded at the 28th digit,
    // differently for every F; a sole sharer gets the component itself.
    for norm in [
        dec!(586.87863247863247863247863248),
        dec!(66647.878632478632478632478632),
    ] {
        let v = [input("A00", dec!(1), norm)];
        let d = distribute(&frame(dec!(160643.21), dec!(0.26)), &v).unwrap();
        assert_eq!(d.vakgroepen[0].capacity_part, d.capacity_component);
        assert_eq!(d.vakgroepen[0].exact, dec!(160643.21));
    }
}
