use super::*;
use proptest::prelude::*;
use rust_decimal::dec;
use time::Duration;
use time::macros::date;

fn kpi(direction: Direction, baseline: Decimal, target: Decimal, unit: &str) -> Kpi {
    Kpi {
        unit: unit.to_string(),
        direction,
        baseline,
        target,
    }
}

fn m(on: Date, value: Decimal) -> Measurement {
    Measurement { on, value }
}

/// Share of patients seen within the norm: from 10 % to 20 % during 2026.
fn access() -> (Kpi, Vec<Measurement>) {
    (
        kpi(Direction::HigherIsBetter, dec!(10), dec!(20), "%"),
        vec![
            m(date!(2026 - 04 - 01), dec!(14)),
            m(date!(2026 - 01 - 01), dec!(10)),
        ],
    )
}

const DUE: Option<Date> = Some(date!(2026 - 12 - 31));

#[test]
fn codes_and_labels() {
    assert_eq!(Direction::LowerIsBetter.code(), "lager_beter");
    assert_eq!(TrafficLight::OnTrack.code(), "groen");
    assert_eq!(TrafficLight::AtRisk.code(), "oranje");
    assert_eq!(TrafficLight::OffTrack.label(), "uit koers");
    assert_eq!(TrafficLight::NoData.label(), "geen meting");
    for l in TrafficLight::ALL {
        assert_eq!(TrafficLight::parse(l.code()), Some(*l));
    }
}

#[test]
fn on_course_when_progress_keeps_pace_with_time() {
    let (k, ms) = access();
    let a = kpi_light(&k, &ms, DUE, date!(2026 - 07 - 01));
    assert_eq!(a.light, TrafficLight::OnTrack);
    assert_eq!(
        a.reason,
        "laatste meting 30,0 % onder doel, 183 dagen voor de einddatum \
         (voortgang 40,0 % bij 49,7 % van de looptijd)"
    );
}

#[test]
fn at_risk_then_off_track_as_time_runs_out() {
    let (k, ms) = access();
    // 66,8 % of the time gone, 40 % of the way: more than 10 but less than 30 points behind.
    assert_eq!(
        kpi_light(&k, &ms, DUE, date!(2026 - 09 - 01)).light,
        TrafficLight::AtRisk
    );
    // 75 % gone: 35 points behind.
    assert_eq!(
        kpi_light(&k, &ms, DUE, date!(2026 - 10 - 01)).light,
        TrafficLight::OffTrack
    );
    let a = kpi_light(&k, &ms, DUE, date!(2026 - 12 - 31));
    assert!(a.reason.contains("einddatum is vandaag"), "{}", a.reason);
    let a = kpi_light(&k, &ms, DUE, date!(2026 - 12 - 30));
    assert!(
        a.reason.contains(" 1 dag voor de einddatum"),
        "{}",
        a.reason
    );
    let a = kpi_light(&k, &ms, DUE, date!(2027 - 01 - 01));
    assert_eq!(a.light, TrafficLight::OffTrack);
    assert_eq!(
        a.reason,
        "einddatum 31-12-2026 verstreken, doel niet gehaald"
    );
}

#[test]
fn the_margins_are_inclusive() {
    let k = kpi(Direction::HigherIsBetter, dec!(0), dec!(100), "");
    let start = m(date!(2026 - 01 - 01), dec!(0));
    let due = Some(date!(2026 - 01 - 11));
    let today = date!(2026 - 01 - 06); // half the time gone
    let light = |v| kpi_light(&k, &[start, m(today, v)], due, today).light;
    assert_eq!(light(dec!(40)), TrafficLight::OnTrack);
    assert_eq!(light(dec!(39.9)), TrafficLight::AtRisk);
    assert_eq!(light(dec!(20)), TrafficLight::AtRisk);
    assert_eq!(light(dec!(19.9)), TrafficLight::OffTrack);
}

#[test]
fn reaching_the_target_is_on_course_even_after_the_due_date() {
    let (k, mut ms) = access();
    ms.push(m(date!(2026 - 05 - 01), dec!(20.5)));
    let a = kpi_light(&k, &ms, DUE, date!(2027 - 03 - 01));
    assert_eq!(a.light, TrafficLight::OnTrack);
    assert_eq!(a.reason, "doel gehaald op 01-05-2026");
}

#[test]
fn the_latest_measurement_counts_not_the_last_in_the_slice() {
    let (k, _) = access();
    let ms = [
        m(date!(2026 - 06 - 01), dec!(12)),
        m(date!(2026 - 03 - 01), dec!(25)),
    ];
    assert_ne!(
        kpi_light(&k, &ms, DUE, date!(2026 - 06 - 02)).light,
        TrafficLight::OnTrack
    );
    // On one day, the worse of two readings counts.
    let ms = [
        m(date!(2026 - 06 - 01), dec!(25)),
        m(date!(2026 - 06 - 01), dec!(12)),
    ];
    assert_eq!(
        last_measurement(Direction::HigherIsBetter, &ms).map(|m| m.value),
        Some(dec!(12))
    );
    assert_eq!(
        last_measurement(Direction::LowerIsBetter, &ms).map(|m| m.value),
        Some(dec!(25))
    );
}

#[test]
fn lower_is_better() {
    // Waiting time from 40 to 28 days.
    let k = kpi(Direction::LowerIsBetter, dec!(40), dec!(28), "dagen");
    let ms = [
        m(date!(2026 - 01 - 01), dec!(40)),
        m(date!(2026 - 02 - 01), dec!(34)),
    ];
    assert_eq!(progress(&k, dec!(34)), Some(dec!(0.5)));
    let a = kpi_light(&k, &ms, None, date!(2026 - 02 - 02));
    assert_eq!(a.light, TrafficLight::OnTrack);
    assert_eq!(
        a.reason,
        "laatste meting 21,4 % boven doel, geen einddatum (voortgang 50,0 %)"
    );
    let ms = [m(date!(2026 - 02 - 01), dec!(36))];
    assert_eq!(
        kpi_light(&k, &ms, None, date!(2026 - 02 - 02)).light,
        TrafficLight::AtRisk
    );
    let ms = [m(date!(2026 - 02 - 01), dec!(28))];
    assert_eq!(
        kpi_light(&k, &ms, None, date!(2026 - 02 - 02)).light,
        TrafficLight::OnTrack
    );
}

#[test]
fn a_level_to_hold_is_met_or_at_risk() {
    let k = kpi(Direction::HigherIsBetter, dec!(95), dec!(95), "%");
    assert_eq!(progress(&k, dec!(96)), None);
    let today = date!(2026 - 02 - 02);
    let ok = [m(date!(2026 - 02 - 01), dec!(95))];
    assert_eq!(kpi_light(&k, &ok, None, today).light, TrafficLight::OnTrack);
    let low = [m(date!(2026 - 02 - 01), dec!(93))];
    let a = kpi_light(&k, &low, None, today);
    assert_eq!(a.light, TrafficLight::AtRisk);
    assert_eq!(a.reason, "laatste meting 2,1 % onder doel, geen einddatum");
    assert_eq!(
        kpi_light(&k, &low, Some(date!(2026 - 01 - 31)), today).light,
        TrafficLight::OffTrack
    );
    // A ceiling above the baseline: lower is better, stay under 10.
    let ceiling = kpi(Direction::LowerIsBetter, dec!(8), dec!(10), "dagen");
    let over = [m(date!(2026 - 02 - 01), dec!(12))];
    assert_eq!(
        kpi_light(&ceiling, &over, None, today).light,
        TrafficLight::AtRisk
    );
}

#[test]
fn a_zero_target_is_described_in_the_unit() {
    let k = kpi(Direction::LowerIsBetter, dec!(5), dec!(0), "incidenten");
    let ms = [m(date!(2026 - 02 - 01), dec!(2))];
    let a = kpi_light(&k, &ms, None, date!(2026 - 02 - 02));
    assert_eq!(a.light, TrafficLight::OnTrack);
    assert!(
        a.reason
            .starts_with("laatste meting 2,0 incidenten boven doel"),
        "{}",
        a.reason
    );
}

#[test]
fn no_measurement_no_light() {
    let (k, _) = access();
    let a = kpi_light(&k, &[], DUE, date!(2027 - 06 - 01));
    assert_eq!(a.light, TrafficLight::NoData);
    assert_eq!(a.reason, "nog geen meting");
}

#[test]
fn agreement_lights() {
    use AgreementStatus::*;
    use TrafficLight::*;
    let today = date!(2026 - 06 - 01);
    let past = Some(date!(2026 - 05 - 31));
    let future = Some(date!(2026 - 06 - 01));
    assert_eq!(
        agreement_light(&[OffTrack], Gerealiseerd, past, today),
        OnTrack
    );
    assert_eq!(
        agreement_light(&[OnTrack], NietNagekomen, future, today),
        OffTrack
    );
    assert_eq!(
        agreement_light(&[OnTrack], Vervallen, future, today),
        NoData
    );
    assert_eq!(
        agreement_light(&[OnTrack, AtRisk, NoData], InUitvoering, future, today),
        AtRisk
    );
    assert_eq!(
        agreement_light(&[AtRisk, OffTrack], Vastgesteld, None, today),
        OffTrack
    );
    assert_eq!(
        agreement_light(&[OnTrack, NoData], Vastgesteld, None, today),
        NoData
    );
    assert_eq!(agreement_light(&[], Vastgesteld, past, today), OffTrack);
    assert_eq!(
        agreement_light(&[NoData], Vastgesteld, past, today),
        OffTrack
    );
    assert_eq!(agreement_light(&[], Voorgesteld, future, today), OnTrack);
    assert_eq!(agreement_light(&[], InUitvoering, None, today), OnTrack);
    assert_eq!(
        agreement_light(&[OnTrack], InUitvoering, past, today),
        OnTrack
    );
}

fn points_of(svg: &str) -> Vec<(Decimal, Decimal)> {
    let start = svg.find("points=\"").expect("points") + 8;
    let end = start + svg[start..].find('"').expect("end of points");
    svg[start..end]
        .split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').expect("x,y");
            (x.parse().expect("x"), y.parse().expect("y"))
        })
        .collect()
}

#[test]
fn sparkline_draws_the_measurements_in_date_order() {
    let ms = [
        m(date!(2026 - 03 - 01), dec!(15)),
        m(date!(2026 - 01 - 01), dec!(12)),
        m(date!(2026 - 02 - 01), dec!(13.25)),
        m(date!(2026 - 04 - 01), dec!(18.5)),
    ];
    let svg = sparkline(&ms, 120, 30);
    assert!(svg.starts_with("<svg "), "{svg}");
    assert!(svg.ends_with("</svg>"));
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("aria-label=\"Verloop van 4 metingen, van 12,0 tot 18,5\""));
    assert!(svg.contains("viewBox=\"0 0 120 30\""));
    assert_eq!(svg.matches("<polyline").count(), 1);
    assert!(!svg.contains("style"));
    let pts = points_of(&svg);
    assert_eq!(pts.len(), 4);
    // First at the left edge and lowest (largest y), last at the right edge and highest.
    assert_eq!(pts[0], (dec!(2), dec!(28)));
    assert_eq!(pts[3], (dec!(118), dec!(2)));
    assert!(pts.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(svg.contains("<circle class=\"sparkline-punt\" cx=\"118\" cy=\"2\""));
}

#[test]
fn sparkline_of_one_or_no_measurements() {
    let one = sparkline(&[m(date!(2026 - 03 - 01), dec!(12))], 100, 20);
    assert_eq!(points_of(&one), [(dec!(50), dec!(10))]);
    assert!(one.contains("<circle"));
    assert!(one.contains("aria-label=\"1 meting: 12,0\""));
    let none = sparkline(&[], 100, 20);
    assert!(none.starts_with("<svg "));
    assert!(none.contains("sparkline-leeg"));
    assert!(none.contains("aria-label=\"Nog geen metingen\""));
    assert!(!none.contains("<polyline"));
    assert!(!none.contains("style"));
    // Degenerate sizes still give a drawable SVG.
    assert!(sparkline(&[m(date!(2026 - 03 - 01), dec!(1))], 0, 0).contains("width=\"1\""));
}

fn measurement() -> impl Strategy<Value = Measurement> {
    (0i64..1000, -100_000i64..100_000).prop_map(|(day, cents)| Measurement {
        on: date!(2025 - 01 - 01) + Duration::days(day),
        value: Decimal::new(cents, 2),
    })
}

fn any_kpi() -> impl Strategy<Value = Kpi> {
    (
        proptest::sample::select(Direction::ALL),
        -100_000i64..100_000,
        -100_000i64..100_000,
    )
        .prop_map(|(direction, b, t)| Kpi {
            unit: "stuks".to_string(),
            direction,
            baseline: Decimal::new(b, 2),
            target: Decimal::new(t, 2),
        })
}

fn due_and_today() -> impl Strategy<Value = (Option<Date>, Date)> {
    (proptest::option::of(0i64..1200), 0i64..1200).prop_map(|(due, today)| {
        let base = date!(2025 - 01 - 01);
        (
            due.map(|d| base + Duration::days(d)),
            base + Duration::days(today),
        )
    })
}

proptest! {
    #[test]
    fn reaching_the_target_is_always_on_course(
        k in any_kpi(),
        ms in proptest::collection::vec(measurement(), 0..8),
        (due, today) in due_and_today(),
        extra in 0i64..1000,
        after in 1i64..100,
    ) {
        let mut ms = ms;
        let last = ms.iter().map(|m| m.on).max().unwrap_or(date!(2025 - 01 - 01));
        let better = match k.direction {
            Direction::HigherIsBetter => k.target + Decimal::new(extra, 2),
            Direction::LowerIsBetter => k.target - Decimal::new(extra, 2),
        };
        ms.push(m(last + Duration::days(after), better));
        prop_assert_eq!(kpi_light(&k, &ms, due, today).light, TrafficLight::OnTrack);
    }

    #[test]
    fn slice_order_never_matters(
        k in any_kpi(),
        (ms, shuffled) in proptest::collection::vec(measurement(), 0..8)
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
        (due, today) in due_and_today(),
    ) {
        prop_assert_eq!(kpi_light(&k, &ms, due, today), kpi_light(&k, &shuffled, due, today));
        prop_assert_eq!(sparkline(&ms, 100, 24), sparkline(&shuffled, 100, 24));
    }

    #[test]
    fn no_measurements_is_no_data(k in any_kpi(), (due, today) in due_and_today()) {
        prop_assert_eq!(kpi_light(&k, &[], due, today).light, TrafficLight::NoData);
    }

    #[test]
    fn the_agreement_light_is_never_better_than_its_worst_kpi(
        lights in proptest::collection::vec(proptest::sample::select(TrafficLight::ALL), 1..6),
        (due, today) in due_and_today(),
    ) {
        let light = agreement_light(&lights, AgreementStatus::InUitvoering, due, today);
        let worst = TrafficLight::worst(&lights).unwrap();
        prop_assert!(light.severity() >= worst.severity());
    }

    #[test]
    fn sparkline_points_stay_inside(
        ms in proptest::collection::vec(measurement(), 1..20),
        w in 1u32..400,
        h in 1u32..100,
    ) {
        let svg = sparkline(&ms, w, h);
        prop_assert!(svg.starts_with("<svg "));
        prop_assert_eq!(svg.matches("<polyline").count(), 1);
        let pts = points_of(&svg);
        prop_assert_eq!(pts.len(), ms.len());
        for (x, y) in pts {
            let inside = |v: Decimal, max: u32| v >= Decimal::ZERO && v <= Decimal::from(max);
            prop_assert!(inside(x, w) && inside(y, h));
        }
    }
}
