//! Properties of the D6 distribution over generated hospitals: the cents add up, the bands hold,
//! the answer is the water-filling one, and it depends on neither the input order nor luck.

use gg_domain::budget::distribution::{
    Band, BandTrace, BoundSide, Distribution, DistributionInput, EarmarkPlacement, Frame,
    distribute,
};
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy, dec};

fn cents(range: std::ops::RangeInclusive<i64>) -> impl Strategy<Value = Decimal> {
    range.prop_map(|c| Decimal::new(c, 2))
}

/// Fte as typed (up to two decimals) or as the engine computes them (a long quotient).
fn fte() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        3 => (0..=4_000i64, 0..=2u32).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (0..=400_000i64, 1..=997i64).prop_map(|(a, b)| Decimal::from(a) / Decimal::from(b)),
    ]
}

fn band() -> impl Strategy<Value = Band> {
    (50..=100i64, 100..=150i64).prop_map(|(floor, cap)| Band {
        floor: Decimal::new(floor, 2),
        cap: Decimal::new(cap, 2),
    })
}

/// One vakgroep before the budget is known: last year's allocation is a factor (0,5 to 2) of
/// the average allocation, so that bands are sometimes feasible and sometimes not.
#[derive(Debug, Clone)]
struct Spec {
    letter: char,
    formatief: Decimal,
    norm: Decimal,
    earmark: Decimal,
    last_year_factor: Option<i64>,
    band: Option<Band>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::char::range('A', 'Z'),
        fte(),
        fte(),
        prop_oneof![Just(Decimal::ZERO), cents(0..=2_000_000)],
        prop::option::weighted(0.8, 50..=200i64),
        prop::option::weighted(0.3, band()),
    )
        .prop_map(
            |(letter, formatief, norm, earmark, last_year_factor, band)| Spec {
                letter,
                formatief,
                norm,
                earmark,
                last_year_factor,
                band,
            },
        )
}

/// A frame and up to 12 vakgroepen with unique codes whose order differs from their position.
fn hospital() -> impl Strategy<Value = (Frame, Vec<DistributionInput>)> {
    (
        prop::collection::vec(spec(), 1..=12),
        1_000_000..=100_000_000i64,
        0..=100i64,
        prop::option::weighted(0.7, band()),
        prop::sample::select(EarmarkPlacement::ALL),
    )
        .prop_map(|(specs, per_vakgroep, phi, default_band, placement)| {
            let n = specs.len() as i64;
            let frame = Frame {
                fee_budget: Decimal::new(per_vakgroep * n, 2),
                fixed_share: Decimal::new(phi, 2),
                default_band,
                placement,
            };
            let inputs = specs
                .into_iter()
                .enumerate()
                .map(|(i, s)| DistributionInput {
                    vakgroep_id: i as i64 + 1,
                    code: format!("{}{i:02}", s.letter),
                    formatief_fte: s.formatief,
                    norm_fte: Some(s.norm),
                    earmark: s.earmark,
                    last_year: s
                        .last_year_factor
                        .map(|f| Decimal::new(per_vakgroep * f / 100, 2)),
                    band_override: s.band,
                })
                .collect();
            (frame, inputs)
        })
}

fn round(x: Decimal, strategy: RoundingStrategy) -> Decimal {
    x.round_dp_with_strategy(2, strategy)
}

/// D, and per vakgroep its whole-cent bounds (if a band applies) and whether its unbounded
/// allocation is above 0: computed here from the definitions, independently of the module.
struct Expected {
    distributable: Decimal,
    limits: Vec<Option<(Decimal, Decimal)>>,
    positive: Vec<bool>,
    components_ok: bool,
}

fn expected(frame: &Frame, inputs: &[DistributionInput]) -> Expected {
    let earmark: Decimal = inputs.iter().map(|v| v.earmark).sum();
    let distributable = match frame.placement {
        EarmarkPlacement::OnTop => frame.fee_budget,
        EarmarkPlacement::OutOfBudget => frame.fee_budget - earmark,
    };
    let fixed = frame.fixed_share * distributable;
    let capacity = distributable - fixed;
    let sum_formatief: Decimal = inputs.iter().map(|v| v.formatief_fte).sum();
    let sum_norm: Decimal = inputs.iter().filter_map(|v| v.norm_fte).sum();
    let components_ok = distributable >= Decimal::ZERO
        && !(fixed > Decimal::ZERO && sum_formatief.is_zero())
        && !(capacity > Decimal::ZERO && sum_norm.is_zero());
    let limits = inputs
        .iter()
        .map(|v| {
            let band = v.band_override.or(frame.default_band)?;
            let last_year = v.last_year.filter(|x| !x.is_zero())?;
            Some((
                round(band.floor * last_year, RoundingStrategy::ToPositiveInfinity),
                round(band.cap * last_year, RoundingStrategy::ToNegativeInfinity),
            ))
        })
        .collect();
    let positive = inputs
        .iter()
        .map(|v| {
            (fixed > Decimal::ZERO && v.formatief_fte > Decimal::ZERO)
                || (capacity > Decimal::ZERO && v.norm_fte.unwrap_or_default() > Decimal::ZERO)
        })
        .collect();
    Expected {
        distributable,
        limits,
        positive,
        components_ok,
    }
}

/// Whether an allocation within the bounds exists: the floors fit in D, and D fits in what the
/// vakgroepen can take (anything for a free one with u > 0; its floor for one with u = 0).
fn feasible(e: &Expected) -> bool {
    let floors: Decimal = e.limits.iter().flatten().map(|l| l.0).sum();
    let open = e
        .limits
        .iter()
        .zip(&e.positive)
        .any(|(l, p)| l.is_none() && *p);
    let most: Decimal = e
        .limits
        .iter()
        .zip(&e.positive)
        .filter_map(|(l, p)| l.map(|(lo, hi)| if *p { hi } else { lo }))
        .sum();
    floors <= e.distributable && (open || most >= e.distributable)
}

fn by_code<'a>(
    d: &'a Distribution,
    code: &str,
) -> &'a gg_domain::budget::distribution::VakgroepAllocation {
    d.vakgroepen.iter().find(|v| v.code == code).unwrap()
}

const TOLERANCE: Decimal = dec!(0.0000000001);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A distribution is refused exactly when no allocation within the bands exists, and when it
    /// is given, the cents add up to D, every band holds with its whole-cent bounds, and every
    /// rounded allocation is within a cent of the exact one.
    #[test]
    fn refused_exactly_when_infeasible_and_exact_when_given((frame, inputs) in hospital()) {
        let e = expected(&frame, &inputs);
        let result = distribute(&frame, &inputs);
        let should = e.components_ok && feasible(&e);
        prop_assert_eq!(result.is_ok(), should, "{:?}", result.as_ref().err());
        let Ok(d) = result else { return Ok(()) };

        prop_assert_eq!(d.distributable, e.distributable);
        let sum: Decimal = d.vakgroepen.iter().map(|v| v.allocation).sum();
        prop_assert_eq!(sum, d.distributable);
        prop_assert!(d.balances());
        for v in &d.vakgroepen {
            let i = inputs.iter().position(|x| x.code == v.code).unwrap();
            prop_assert!(v.allocation.normalize().scale() <= 2);
            prop_assert!(v.cents_adjustment.abs() < dec!(0.01));
            prop_assert_eq!(v.cents_adjustment, v.allocation - v.exact);
            prop_assert_eq!(v.total, v.allocation + v.earmark);
            match (v.band, e.limits[i]) {
                (BandTrace::Applied(b), Some((lo, hi))) => {
                    prop_assert_eq!((b.floor_amount, b.cap_amount), (lo, hi));
                    prop_assert!(lo <= v.allocation && v.allocation <= hi, "{} outside its band", v.code);
                }
                (BandTrace::NotApplied(_), None) => {}
                (band, limits) => prop_assert!(false, "{band:?} against {limits:?}"),
            }
        }
    }

    /// The answer is the water-filling one: the free vakgroepen all get the same ratio of their
    /// unbounded allocation, and every bound vakgroep sits at a bound that ratio would push it
    /// past (so none was bound wrongly).
    #[test]
    fn free_vakgroepen_share_one_ratio((frame, inputs) in hospital()) {
        let Ok(d) = distribute(&frame, &inputs) else { return Ok(()) };
        let Some(ratio) = d.free_ratio else {
            for v in d.vakgroepen.iter().filter(|v| v.binding.is_none()) {
                prop_assert!(v.unbounded.is_zero() && v.exact.is_zero());
            }
            return Ok(());
        };
        for v in &d.vakgroepen {
            let at_ratio = v.unbounded * ratio;
            match v.binding {
                None => prop_assert!((v.exact - at_ratio).abs() <= TOLERANCE, "{}", v.code),
                Some(b) if b.side == BoundSide::Cap => prop_assert!(at_ratio >= v.exact - TOLERANCE),
                Some(_) => prop_assert!(at_ratio <= v.exact + TOLERANCE),
            }
            prop_assert_eq!(v.redistributed, v.exact - v.unbounded);
        }
    }

    /// The vakgroepen are put in code order first: the input order changes nothing, not even
    /// which error is reported.
    #[test]
    fn the_input_order_does_not_matter(
        (frame, inputs, shuffled) in hospital().prop_flat_map(|(frame, inputs)| {
            let shuffled = Just(inputs.clone()).prop_shuffle();
            (Just(frame), Just(inputs), shuffled)
        })
    ) {
        prop_assert_eq!(distribute(&frame, &inputs), distribute(&frame, &shuffled));
    }

    /// More norm-fte never means a smaller capacity part.
    #[test]
    fn more_norm_fte_never_lowers_the_capacity_part(
        (frame, inputs) in hospital(),
        which in any::<prop::sample::Index>(),
        extra in (1..=100_000i64, 0..=3u32).prop_map(|(m, s)| Decimal::new(m, s)),
    ) {
        let k = which.index(inputs.len());
        let mut raised = inputs.clone();
        raised[k].norm_fte = raised[k].norm_fte.map(|f| f + extra);
        let free = Frame { default_band: None, ..frame };
        let no_overrides = |v: &[DistributionInput]| -> Vec<DistributionInput> {
            v.iter().cloned().map(|x| DistributionInput { band_override: None, ..x }).collect()
        };
        let (Ok(before), Ok(after)) = (
            distribute(&free, &no_overrides(&inputs)),
            distribute(&free, &no_overrides(&raised)),
        ) else { return Ok(()) };
        let code = &inputs[k].code;
        prop_assert!(by_code(&after, code).capacity_part >= by_code(&before, code).capacity_part);
    }
}
