//! Σ volume × norm time per month, for the realisation and for the reference year: the one
//! loop over every care product and month (2,4 million products × months for a large
//! hospital), so it has a fast path.
//!
//! Volumes come from the production import (at most four decimals) and norm times from their
//! column (`numeric(12, 4)`), so in practice every factor is an integer number of
//! ten-thousandths: their products are integers of 10⁻⁸, summed exactly in a `u128` (a
//! product of two 64-bit factors is below 2¹²⁸; a sum that would not fit, or not fit a decimal,
//! takes the slow path). Only when some figure has
//! more decimals, or a sum does not fit a decimal, is the sum made with decimals instead: the
//! same exact result, several times slower.

use super::{MONTHS, MonitoredVakgroep, MonitoringError};
use rust_decimal::Decimal;

/// The monthly sums of one vakgroep, in minutes.
pub(super) struct Sums {
    pub realised: [Decimal; MONTHS],
    pub reference: [Decimal; MONTHS],
    /// Codes of realised products without a norm time.
    pub without_norm_time: Vec<String>,
}

const SCALE: u32 = 4;

fn negative(x: Decimal) -> bool {
    x.is_sign_negative() && !x.is_zero()
}

/// The sums over the months in (`k`) for the realisation and over all twelve for the reference
/// year. Refuses negative figures.
pub(super) fn sums(v: &MonitoredVakgroep, k: usize) -> Result<Sums, MonitoringError> {
    let mut without_norm_time = Vec::new();
    for p in &v.products {
        let figures = p.realised[..k].iter().chain(&p.reference);
        if figures.clone().any(|x| negative(*x)) || p.norm_minutes.is_some_and(negative) {
            return Err(MonitoringError::Negative(v.code.clone()));
        }
        if p.norm_minutes.is_none() && p.realised[..k].iter().any(|x| !x.is_zero()) {
            without_norm_time.push(p.code.clone());
        }
    }
    let (realised, reference) = match fixed_point(v, k) {
        Some(sums) => sums,
        None => decimal(v, k).ok_or_else(|| MonitoringError::TooLarge(v.code.clone()))?,
    };
    Ok(Sums {
        realised,
        reference,
        without_norm_time,
    })
}

type Pair = ([Decimal; MONTHS], [Decimal; MONTHS]);

const POWERS: [u64; SCALE as usize + 1] = [10_000, 1_000, 100, 10, 1];

/// A figure (≥ 0, checked before) in ten-thousandths, when it has at most four decimals and fits
/// in 64 bits; the product of two of those is a single widening multiplication.
fn units(x: Decimal) -> Option<u64> {
    let factor = *POWERS.get(x.scale() as usize)?;
    u64::try_from(x.mantissa()).ok()?.checked_mul(factor)
}

/// In ten-thousandths, when every figure has at most four decimals and every sum fits.
fn fixed_point(v: &MonitoredVakgroep, k: usize) -> Option<Pair> {
    let product = |volume: Decimal, minutes: u64| -> Option<u128> {
        Some(u128::from(units(volume)?) * u128::from(minutes))
    };
    let mut realised = [0u128; MONTHS];
    let mut reference = [0u128; MONTHS];
    for p in &v.products {
        let Some(minutes) = p.norm_minutes else {
            continue;
        };
        let minutes = units(minutes)?;
        for m in 0..MONTHS {
            if m < k {
                realised[m] = realised[m].checked_add(product(p.realised[m], minutes)?)?;
            }
            reference[m] = reference[m].checked_add(product(p.reference[m], minutes)?)?;
        }
    }
    let back = |sums: [u128; MONTHS]| -> Option<[Decimal; MONTHS]> {
        let mut out = [Decimal::ZERO; MONTHS];
        for (slot, sum) in out.iter_mut().zip(sums) {
            *slot = Decimal::try_from_i128_with_scale(i128::try_from(sum).ok()?, 2 * SCALE)
                .ok()?
                .normalize();
        }
        Some(out)
    };
    Some((back(realised)?, back(reference)?))
}

/// With decimals: any precision, `None` when a sum does not fit.
fn decimal(v: &MonitoredVakgroep, k: usize) -> Option<Pair> {
    let mut realised = [Decimal::ZERO; MONTHS];
    let mut reference = [Decimal::ZERO; MONTHS];
    for p in &v.products {
        let Some(minutes) = p.norm_minutes else {
            continue;
        };
        for m in 0..MONTHS {
            if m < k {
                realised[m] = realised[m].checked_add(p.realised[m].checked_mul(minutes)?)?;
            }
            reference[m] = reference[m].checked_add(p.reference[m].checked_mul(minutes)?)?;
        }
    }
    Some((realised, reference))
}

#[cfg(test)]
mod tests {
    use super::super::MonitoredProduct;
    use super::*;
    use rust_decimal::dec;

    fn vakgroep(products: Vec<(Option<Decimal>, Decimal)>) -> MonitoredVakgroep {
        MonitoredVakgroep {
            vakgroep_id: 1,
            code: "V".into(),
            name: String::new(),
            budget_hours: Decimal::ZERO,
            normuren_per_fte: None,
            products: products
                .into_iter()
                .enumerate()
                .map(|(i, (minutes, volume))| MonitoredProduct {
                    product_id: i as i64,
                    code: format!("P{i}"),
                    norm_minutes: minutes,
                    realised: [volume; MONTHS],
                    reference: [volume; MONTHS],
                })
                .collect(),
        }
    }

    #[test]
    fn both_paths_give_the_same_exact_sums() {
        let v = vakgroep(vec![
            (Some(dec!(7.1234)), dec!(12.5)),
            (Some(dec!(30)), dec!(0.0001)),
            (None, dec!(3)),
            (Some(dec!(0)), dec!(99)),
        ]);
        let fast = fixed_point(&v, 5).unwrap();
        let slow = decimal(&v, 5).unwrap();
        assert_eq!(fast, slow);
        // 12,5 × 7,1234 + 0,0001 × 30 = 89,0425 + 0,003 = 89,0455.
        assert_eq!(fast.0[0], dec!(89.0455));
        assert_eq!(fast.0[5], Decimal::ZERO);
        assert_eq!(fast.1[11], dec!(89.0455));
        let s = sums(&v, 5).unwrap();
        assert_eq!(s.without_norm_time, ["P2"]);
    }

    #[test]
    fn more_decimals_take_the_decimal_path() {
        let v = vakgroep(vec![(Some(dec!(1.00001)), dec!(3))]);
        assert_eq!(fixed_point(&v, 1), None);
        assert_eq!(sums(&v, 1).unwrap().realised[0], dec!(3.00003));
    }
}
