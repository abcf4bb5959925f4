//! Hand-computed examples of the D6 distribution. The arithmetic is written out in the comments
//! so that a controller can check it on paper; the asserts compare exact decimals.

use gg_domain::budget::distribution::{
    Band, BandSource, BandTrace, Binding, BoundSide, DistributionError, DistributionInput,
    EarmarkPlacement, Frame, NoBandReason, distribute, explain,
};
use rust_decimal::{Decimal, dec};

fn vakgroep(id: i64, code: &str, formatief: Decimal, norm_fte: Decimal) -> DistributionInput {
    DistributionInput {
        vakgroep_id: id,
        code: code.into(),
        formatief_fte: formatief,
        norm_fte: Some(norm_fte),
        earmark: Decimal::ZERO,
        last_year: None,
        band_override: None,
    }
}

fn frame(m: Decimal, phi: Decimal, band: Option<Band>) -> Frame {
    Frame {
        fee_budget: m,
        fixed_share: phi,
        default_band: band,
        placement: EarmarkPlacement::OnTop,
    }
}

fn band(floor: Decimal, cap: Decimal) -> Band {
    Band::new(floor, cap).unwrap()
}

/// (a) No band.
///
/// M = D = € 1.000.000,00, φ = 0,20: fixed component 200.000, capacity component 800.000.
///
/// | vakgroep | formatief | F  | fixed = 200.000 × f / 50 | capacity = 800.000 × F / 51 |
/// | CAR      | 10        | 12 |  40.000                  | 188.235,294117647058823529… |
/// | CHI      | 20        | 18 |  80.000                  | 282.352,941176470588235294… |
/// | INT      | 15        | 15 |  60.000                  | 235.294,117647058823529411… |
/// | KNO      |  5        |  6 |  20.000                  |  94.117,647058823529411764… |
///
/// Unbounded = exact: CAR 228.235,29 + 7/17 cent, CHI 362.352,94 + 2/17 cent, INT 295.294,11 +
/// 13/17 cent, KNO 114.117,64 + 12/17 cent. The cents rounded down add up to 999.999,98; the two
/// cents left go to the largest remainders, INT (13/17) and KNO (12/17).
#[test]
fn a_no_band() {
    let inputs = [
        vakgroep(1, "CAR", dec!(10), dec!(12)),
        vakgroep(2, "CHI", dec!(20), dec!(18)),
        vakgroep(3, "INT", dec!(15), dec!(15)),
        vakgroep(4, "KNO", dec!(5), dec!(6)),
    ];
    let d = distribute(&frame(dec!(1000000), dec!(0.20), None), &inputs).unwrap();
    assert_eq!(d.distributable, dec!(1000000));
    assert_eq!(d.fixed_component, dec!(200000));
    assert_eq!(d.capacity_component, dec!(800000));
    assert_eq!((d.formatief_total, d.norm_fte_total), (dec!(50), dec!(51)));
    assert_eq!(d.iterations, 0);

    let fixed: Vec<Decimal> = d.vakgroepen.iter().map(|v| v.fixed_part).collect();
    assert_eq!(fixed, [dec!(40000), dec!(80000), dec!(60000), dec!(20000)]);
    let car = &d.vakgroepen[0];
    assert_eq!(car.capacity_part, dec!(9600000) / dec!(51));
    assert_eq!(car.unbounded, dec!(40000) + dec!(9600000) / dec!(51));
    assert_eq!(car.exact, car.unbounded);
    assert_eq!(car.redistributed, Decimal::ZERO);
    assert_eq!(car.band, BandTrace::NotApplied(NoBandReason::NoBandSet));
    assert_eq!(car.binding, None);

    let cents: Vec<Decimal> = d.vakgroepen.iter().map(|v| v.allocation).collect();
    assert_eq!(
        cents,
        [
            dec!(228235.29),
            dec!(362352.94),
            dec!(295294.12),
            dec!(114117.65)
        ]
    );
    assert_eq!(d.allocated, dec!(1000000.00));
    assert!(d.balances());
    // INT's adjustment: 295.294,12 − 295.294,117647… = 0,0023529… (4/17 cent).
    let int = &d.vakgroepen[2];
    assert_eq!(int.cents_adjustment, int.allocation - int.exact);
    assert!(int.cents_adjustment > dec!(0.00235) && int.cents_adjustment < dec!(0.00236));
}

/// (b) One vakgroep to its cap, one to its floor, in two iterations.
///
/// M = D = € 1.000.000,00, φ = 0,25: fixed 250.000 over Σ formatief 20 (12.500 per fte),
/// capacity 750.000 over Σ F 25 (30.000 per norm-fte). Default band 0,90–1,15.
///
/// | vg | formatief | F   | fixed   | capacity | u       | last year | band       | bounds              |
/// | A  | 8         | 10  | 100.000 | 300.000  | 400.000 | 300.000   | default    | 270.000 – 345.000   |
/// | B  | 6         | 7,5 |  75.000 | 225.000  | 300.000 | 380.000   | 0,90–1,10  | 342.000 – 418.000   |
/// | C  | 4         | 5   |  50.000 | 150.000  | 200.000 | 200.000   | default    | 180.000 – 230.000   |
/// | D  | 2         | 2,5 |  25.000 |  75.000  | 100.000 | none      | —          | free                |
///
/// Pass 1 (t = 1): A is 55.000 above its cap, B 42.000 below its floor. E_cap 55.000 > E_floor
/// 42.000, so only A is fixed, at 345.000.
/// Pass 2: 655.000 left for B, C, D (Σ u 600.000), t = 655/600: B 327.500 is 14.500 below its
/// floor, C 218.333,33 is inside. Only floors are violated: B is fixed at 342.000.
/// Pass 3: 313.000 left for C and D (Σ u 300.000), t = 313/300: C 208.666,666…, D 104.333,333…,
/// C inside its band. Done after 2 iterations.
/// Cents: 208.666,66 and 104.333,33 leave one cent, for C (remainder 2/3 cent against 1/3).
/// Σ = 345.000 + 342.000 + 208.666,67 + 104.333,33 = 1.000.000,00.
#[test]
fn b_cap_and_floor_over_two_iterations() {
    let mut inputs = vec![
        vakgroep(1, "A", dec!(8), dec!(10)),
        vakgroep(2, "B", dec!(6), dec!(7.5)),
        vakgroep(3, "C", dec!(4), dec!(5)),
        vakgroep(4, "D", dec!(2), dec!(2.5)),
    ];
    inputs[0].last_year = Some(dec!(300000));
    inputs[1].last_year = Some(dec!(380000));
    inputs[1].band_override = Some(band(dec!(0.90), dec!(1.10)));
    inputs[2].last_year = Some(dec!(200000));
    let f = frame(
        dec!(1000000),
        dec!(0.25),
        Some(band(dec!(0.90), dec!(1.15))),
    );
    let d = distribute(&f, &inputs).unwrap();

    let unbounded: Vec<Decimal> = d.vakgroepen.iter().map(|v| v.unbounded).collect();
    assert_eq!(
        unbounded,
        [dec!(400000), dec!(300000), dec!(200000), dec!(100000)]
    );
    assert_eq!(d.iterations, 2);
    let [a, b, c, dv] = d.vakgroepen.as_slice() else {
        panic!("four vakgroepen");
    };
    assert_eq!(
        a.binding,
        Some(Binding {
            side: BoundSide::Cap,
            iteration: 1
        })
    );
    assert_eq!(
        b.binding,
        Some(Binding {
            side: BoundSide::Floor,
            iteration: 2
        })
    );
    assert_eq!((c.binding, dv.binding), (None, None));
    let BandTrace::Applied(band_b) = b.band else {
        panic!("B has a band");
    };
    assert_eq!(band_b.source, BandSource::Override);
    assert_eq!(
        (band_b.floor_amount, band_b.cap_amount),
        (dec!(342000), dec!(418000))
    );
    assert_eq!(dv.band, BandTrace::NotApplied(NoBandReason::NoLastYear));

    assert_eq!(d.free_ratio, Some(dec!(313000) / dec!(300000)));
    assert_eq!(a.exact, dec!(345000));
    assert_eq!(b.exact, dec!(342000));
    assert_eq!(c.exact, dec!(313000) * dec!(200000) / dec!(300000));
    assert_eq!(a.redistributed, dec!(-55000));
    assert_eq!(b.redistributed, dec!(42000));
    let allocations: Vec<Decimal> = d.vakgroepen.iter().map(|v| v.allocation).collect();
    assert_eq!(
        allocations,
        [dec!(345000), dec!(342000), dec!(208666.67), dec!(104333.33)]
    );
    assert!(d.balances());

    assert_eq!(
        explain(&d, a),
        [
            "Te verdelen bedrag D = M = € 1.000.000,00 (geen geoormerkt bedrag).",
            "Vast deel = φ × D × formatief / Σ formatief = 0,25 × € 1.000.000,00 × 8,00 / 20,00 = € 100.000,00",
            "Capaciteitsdeel = (1 − φ) × D × F / Σ F = 0,75 × € 1.000.000,00 × 10,00 / 25,00 = € 300.000,00",
            "Onbegrensde toewijzing = vast deel + capaciteitsdeel = € 100.000,00 + € 300.000,00 = € 400.000,00",
            "Band 90,0 % – 115,0 % (standaardband) van de toewijzing vorig jaar € 300.000,00: ondergrens € 270.000,00 (naar boven op centen), bovengrens € 345.000,00 (naar beneden op centen)",
            "Buiten de band: in iteratie 1 vastgezet op de bovengrens van € 345.000,00.",
            "Herverdeeld = exacte toewijzing − onbegrensde toewijzing = € 345.000,00 − € 400.000,00 = −€ 55.000,00",
            "Toewijzing in hele centen (grootste rest, gelijke resten op volgorde van code) = € 345.000,00 (afronding 0,00 cent)",
        ]
    );
    assert_eq!(
        explain(&d, c)[5],
        "Binnen de band: deelt met de andere vrije vakgroepen naar rato van de onbegrensde toewijzing in wat na 2 iteratie(s) overblijft: € 200.000,00 × factor 1,0433… = € 208.666,6667…"
    );
    assert_eq!(explain(&d, dv)[4], "Geen band: geen toewijzing vorig jaar.");
}

/// The reason for fixing one side per pass. D = € 300.000,00, φ = 0, F 4 / 1 / 1, so u =
/// 200.000 / 50.000 / 50.000. A: band 0,90–1,50 around 100.000 (90.000 – 150.000), 50.000 over.
/// B: band 1,00–1,50 around 60.000 (60.000 – 90.000), 10.000 short. C: no last year.
/// E_cap 50.000 > E_floor 10.000: only A is fixed; 150.000 over B and C gives 75.000 each, and
/// B is inside its band after all. Fixing both at once would have pinned B at 60.000 and given
/// C 90.000.
#[test]
fn b2_one_side_per_pass() {
    let mut inputs = vec![
        vakgroep(1, "A", dec!(1), dec!(4)),
        vakgroep(2, "B", dec!(1), dec!(1)),
        vakgroep(3, "C", dec!(1), dec!(1)),
    ];
    inputs[0].last_year = Some(dec!(100000));
    inputs[0].band_override = Some(band(dec!(0.90), dec!(1.50)));
    inputs[1].last_year = Some(dec!(60000));
    inputs[1].band_override = Some(band(dec!(1.00), dec!(1.50)));
    let d = distribute(&frame(dec!(300000), dec!(0), None), &inputs).unwrap();
    let allocations: Vec<Decimal> = d.vakgroepen.iter().map(|v| v.allocation).collect();
    assert_eq!(allocations, [dec!(150000), dec!(75000), dec!(75000)]);
    assert_eq!(d.iterations, 1);
    assert_eq!(d.vakgroepen[1].binding, None);
}

/// (c) Infeasible bands. Two vakgroepen with u = 50.000 each, D = € 100.000,00, band
/// 0,90–1,15. Last year 60.000 each: floors 54.000 + 54.000 = 108.000 > 100.000. Last year
/// 40.000 each: caps 46.000 + 46.000 = 92.000 < 100.000, and no vakgroep is free to take the rest.
#[test]
fn c_infeasible_band() {
    let f = frame(dec!(100000), dec!(0.5), Some(band(dec!(0.90), dec!(1.15))));
    let with_last_year = |x: Decimal| {
        let mut v = vec![
            vakgroep(1, "CAR", dec!(1), dec!(1)),
            vakgroep(2, "KNO", dec!(1), dec!(1)),
        ];
        v[0].last_year = Some(x);
        v[1].last_year = Some(x);
        v
    };
    let err = distribute(&f, &with_last_year(dec!(60000))).unwrap_err();
    assert_eq!(
        err,
        DistributionError::FloorsExceed {
            floors: dec!(108000),
            distributable: dec!(100000)
        }
    );
    assert_eq!(
        err.to_string(),
        "De ondergrenzen van de band tellen op tot € 108.000,00, meer dan het te verdelen bedrag van € 100.000,00; er is niets verdeeld."
    );
    let err = distribute(&f, &with_last_year(dec!(40000))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "De bovengrenzen van de band tellen op tot € 92.000,00, minder dan het te verdelen bedrag van € 100.000,00; er is niets verdeeld."
    );
}

/// (d) Ties in the cents go to the lower code, not to the first in the input.
/// D = € 100,01 over three vakgroepen with the same fte: 33,3366… each. Rounded down 33,33 three
/// times is 99,99; the two cents left have equal remainders (2/3 cent each) and go to CHI and
/// KNO, the two lowest codes, although URO comes first in the input.
#[test]
fn d_ties_broken_by_code() {
    let inputs = [
        vakgroep(9, "URO", dec!(3), dec!(2)),
        vakgroep(5, "KNO", dec!(3), dec!(2)),
        vakgroep(7, "CHI", dec!(3), dec!(2)),
    ];
    let d = distribute(&frame(dec!(100.01), dec!(0.5), None), &inputs).unwrap();
    let got: Vec<(&str, Decimal)> = d
        .vakgroepen
        .iter()
        .map(|v| (v.code.as_str(), v.allocation))
        .collect();
    assert_eq!(
        got,
        [
            ("CHI", dec!(33.34)),
            ("KNO", dec!(33.34)),
            ("URO", dec!(33.33))
        ]
    );
    assert_eq!(d.vakgroep(9).unwrap().allocation, dec!(33.33));
    assert!(d.balances());
}

/// (e) The earmark on top of M and out of M. M = € 1.000.000,00, φ = 0,20, CAR 6 formative fte
/// and 6 norm-fte, KNO 4 and 4, so u splits D 60 / 40. Earmarked shares CAR 30.000, KNO 20.000
/// (E = 50.000). CAR has band 0,90–1,00 around last year's 600.000.
///
/// On top: D = M = 1.000.000; CAR 600.000 (exactly its cap, so not bound) + 30.000 = 630.000,
/// KNO 400.000 + 20.000 = 420.000; Σ = 1.050.000 = M + E. The earmark takes CAR's total past
/// its cap: it is ring-fenced and never clamped.
/// Out of M: D = 1.000.000 − 50.000 = 950.000; CAR 570.000 + 30.000 = 600.000, KNO 380.000 +
/// 20.000 = 400.000; Σ = 1.000.000 = M.
#[test]
fn e_earmark_on_top_or_out_of_m() {
    let mut inputs = vec![
        vakgroep(1, "CAR", dec!(6), dec!(6)),
        vakgroep(2, "KNO", dec!(4), dec!(4)),
    ];
    inputs[0].earmark = dec!(30000);
    inputs[1].earmark = dec!(20000);
    inputs[0].last_year = Some(dec!(600000));
    inputs[0].band_override = Some(band(dec!(0.90), dec!(1.00)));

    let mut f = frame(dec!(1000000), dec!(0.20), None);
    let on_top = distribute(&f, &inputs).unwrap();
    assert_eq!(on_top.earmark_total, dec!(50000));
    assert_eq!(on_top.distributable, dec!(1000000));
    let totals: Vec<(Decimal, Decimal)> = on_top
        .vakgroepen
        .iter()
        .map(|v| (v.allocation, v.total))
        .collect();
    assert_eq!(
        totals,
        [(dec!(600000), dec!(630000)), (dec!(400000), dec!(420000))]
    );
    assert_eq!(on_top.vakgroepen[0].binding, None);
    assert_eq!(on_top.total, dec!(1050000));
    assert!(on_top.balances());
    assert_eq!(
        explain(&on_top, &on_top.vakgroepen[0])[0],
        "Te verdelen bedrag D = M = € 1.000.000,00; het geoormerkte bedrag van € 50.000,00 komt daar bovenop."
    );

    f.placement = EarmarkPlacement::OutOfBudget;
    let out_of = distribute(&f, &inputs).unwrap();
    assert_eq!(out_of.distributable, dec!(950000));
    assert_eq!(out_of.fixed_component, dec!(190000));
    let totals: Vec<(Decimal, Decimal)> = out_of
        .vakgroepen
        .iter()
        .map(|v| (v.allocation, v.total))
        .collect();
    assert_eq!(
        totals,
        [(dec!(570000), dec!(600000)), (dec!(380000), dec!(400000))]
    );
    assert_eq!(out_of.total, dec!(1000000));
    assert!(out_of.balances());
    let lines = explain(&out_of, &out_of.vakgroepen[1]);
    assert_eq!(
        lines[0],
        "Te verdelen bedrag D = M − geoormerkt bedrag = € 1.000.000,00 − € 50.000,00 = € 950.000,00"
    );
    assert_eq!(
        lines[1],
        "Vast deel = φ × D × formatief / Σ formatief = 0,20 × € 950.000,00 × 4,00 / 10,00 = € 76.000,00"
    );
    assert_eq!(
        lines[8],
        "Totaal = toewijzing + geoormerkt deel passende zorg = € 380.000,00 + € 20.000,00 = € 400.000,00"
    );
}
