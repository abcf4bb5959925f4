//! From trend inputs to per-product adjustments: which products an input touches, and how an
//! absolute change is spread over them. Runs once per vakgroep before the per-product loop, so
//! that loop only reads two vectors by index.

use super::inputs::{CareProduct, TrendChange, TrendInput, TrendScope};
use super::result::TrendTrace;
use rust_decimal::Decimal;

/// The summed adjustments of all applied trend inputs of one vakgroep.
#[derive(Debug, Default)]
pub(crate) struct Adjustments {
    /// Σ pct of whole-vakgroep inputs, as a fraction.
    pub all_fraction: Decimal,
    /// Σ pct of product-scoped inputs per product, as a fraction; empty when there are none.
    pub fraction: Vec<Decimal>,
    /// Σ abs per product; empty when there are no absolute inputs.
    pub absolute: Vec<Decimal>,
}

impl Adjustments {
    /// `B × (1 + Σ pct) + Σ abs` for product `i`, before the cut-off at 0. The common case of a
    /// vakgroep without inputs (factor 1, nothing to add) skips the arithmetic altogether.
    #[inline]
    pub fn apply(&self, one_plus_all: Decimal, i: usize, baseline: Decimal) -> Option<Decimal> {
        let factor = match self.fraction.get(i) {
            Some(f) if !f.is_zero() => one_plus_all + *f,
            _ => one_plus_all,
        };
        let scaled = if factor == Decimal::ONE {
            baseline
        } else {
            baseline.checked_mul(factor)?
        };
        match self.absolute.get(i) {
            Some(a) if !a.is_zero() => scaled.checked_add(*a),
            _ => Some(scaled),
        }
    }
}

/// Resolves every trend input of a vakgroep; an input that cannot be applied is traced with the
/// reason and has no effect at all (half-applying it would be harder to explain than skipping it).
pub(crate) fn resolve(
    vakgroep_code: &str,
    products: &[CareProduct],
    trends: &[TrendInput],
) -> (Adjustments, Vec<TrendTrace>) {
    let mut adj = Adjustments::default();
    let mut lookup: Option<Lookup> = None;
    let mut traces = Vec::with_capacity(trends.len());
    for trend in trends {
        let mut trace = TrendTrace {
            input: trend.clone(),
            products: None,
            absolute_shares: Vec::new(),
            skipped: None,
        };
        let scope = match &trend.scope {
            TrendScope::Vakgroep => None,
            TrendScope::Products(ids) => {
                let lookup = lookup.get_or_insert_with(|| Lookup::new(products));
                match resolve_ids(lookup, products, ids) {
                    Ok(list) => Some(list),
                    Err(unknown) => {
                        trace.skipped = Some(format!(
                            "Trendinput {} is niet toegepast: zorgproduct {unknown} hoort niet bij vakgroep {vakgroep_code}.",
                            trend.id
                        ));
                        traces.push(trace);
                        continue;
                    }
                }
            }
        };
        if products.is_empty() || scope.as_ref().is_some_and(|s| s.is_empty()) {
            trace.skipped = Some(format!(
                "Trendinput {} is niet toegepast: er zijn geen zorgproducten om hem op toe te passen.",
                trend.id
            ));
            traces.push(trace);
            continue;
        }
        match trend.change {
            TrendChange::Percent(pct) => {
                let fraction = pct / Decimal::ONE_HUNDRED;
                match &scope {
                    None => adj.all_fraction += fraction,
                    Some(list) => {
                        if adj.fraction.is_empty() {
                            adj.fraction = vec![Decimal::ZERO; products.len()];
                        }
                        for &i in list {
                            adj.fraction[i] += fraction;
                        }
                    }
                }
            }
            TrendChange::Absolute(volume) => {
                let indices: Vec<usize> = match &scope {
                    None => (0..products.len()).collect(),
                    Some(list) => list.clone(),
                };
                let shares = spread(volume, &indices, products);
                if adj.absolute.is_empty() {
                    adj.absolute = vec![Decimal::ZERO; products.len()];
                }
                for (&i, share) in indices.iter().zip(&shares) {
                    adj.absolute[i] += *share;
                }
                trace.absolute_shares = shares;
            }
        }
        trace.products = scope;
        traces.push(trace);
    }
    (adj, traces)
}

/// Finds products by id. The store lists them ordered by id, so usually the products themselves
/// can be binary-searched; otherwise a sorted copy of the ids is made once per vakgroep.
enum Lookup {
    Sorted,
    Index(Vec<(i64, usize)>),
}

impl Lookup {
    fn new(products: &[CareProduct]) -> Lookup {
        if products.windows(2).all(|w| w[0].id < w[1].id) {
            return Lookup::Sorted;
        }
        let mut index: Vec<(i64, usize)> = products
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id, i))
            .collect();
        index.sort_unstable();
        Lookup::Index(index)
    }

    fn find(&self, products: &[CareProduct], id: i64) -> Option<usize> {
        match self {
            Lookup::Sorted => products.binary_search_by_key(&id, |p| p.id).ok(),
            Lookup::Index(index) => index
                .binary_search_by_key(&id, |(pid, _)| *pid)
                .ok()
                .map(|k| index[k].1),
        }
    }
}

/// Product ids to indices, without duplicates, in the order given; `Err` with the first id
/// that is not a product of the vakgroep.
fn resolve_ids(lookup: &Lookup, products: &[CareProduct], ids: &[i64]) -> Result<Vec<usize>, i64> {
    let mut out: Vec<usize> = Vec::with_capacity(ids.len());
    for &id in ids {
        let i = lookup.find(products, id).ok_or(id)?;
        if !out.contains(&i) {
            out.push(i);
        }
    }
    Ok(out)
}

/// Spreads an absolute volume over the products at `indices`, pro rata to their baseline volume,
/// or evenly when their baseline is all zero (a new care line has no history to follow).
///
/// The volume is apportioned in hundredths of a unit (or finer, if the input itself is finer) by
/// largest remainder, the same method as the euro cents of variant 3: every share is an exact
/// decimal, the shares add up to the input exactly, and no share differs from its exact pro-rata
/// value by a hundredth or more. Pro-rata quotients such as 100/3 would otherwise carry 28 digits
/// into every product, which is both slower and harder to read in a trace.
pub(crate) fn spread(volume: Decimal, indices: &[usize], products: &[CareProduct]) -> Vec<Decimal> {
    apportion(volume, indices, products).unwrap_or_else(|| quotients(volume, indices, products))
}

/// `mantissa × 10^(scale_to − scale)` of a non-negative decimal, as an integer.
fn scaled(d: Decimal, scale_to: u32) -> Option<i128> {
    match scale_to.checked_sub(d.scale())? {
        0 => Some(d.mantissa()),
        k => d.mantissa().checked_mul(10i128.checked_pow(k)?),
    }
}

/// Largest remainder in exact integer arithmetic; `None` when the numbers do not fit in i128.
fn apportion(volume: Decimal, indices: &[usize], products: &[CareProduct]) -> Option<Vec<Decimal>> {
    // The value decides the unit, not how it was written: 120 typed in a form and 120.0000 read
    // from a numeric(16,4) column are one input and must be spread alike.
    let volume = volume.normalize();
    let unit_scale = volume.scale().max(2);
    let units = scaled(volume.abs(), unit_scale)?;
    // Not normalised: 12.00 from a numeric(12,2) column simply weighs 1200 at scale 2. A negative
    // baseline (reported elsewhere) weighs nothing.
    let scale = indices
        .iter()
        .map(|&i| products[i].baseline.scale())
        .max()
        .unwrap_or(0);
    let mut weights = Vec::with_capacity(indices.len());
    for &i in indices {
        let b = products[i].baseline;
        weights.push(if b.is_sign_negative() || b.is_zero() {
            0
        } else {
            scaled(b, scale)?
        });
    }
    let mut total = weights.iter().try_fold(0i128, |s, w| s.checked_add(*w))?;
    if total == 0 {
        weights.iter_mut().for_each(|w| *w = 1);
        total = i128::try_from(weights.len()).ok()?;
    }
    let mut floors = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for w in &weights {
        let n = units.checked_mul(*w)?;
        // 128-bit division is a library call; nearly all real volumes fit in 64 bits.
        let (floor, remainder) = match (u64::try_from(n), u64::try_from(total)) {
            (Ok(n), Ok(t)) => (i128::from(n / t), i128::from(n % t)),
            _ => (n / total, n % total),
        };
        floors.push(floor);
        remainders.push(remainder);
    }
    let given = floors.iter().try_fold(0i128, |s, f| s.checked_add(*f))?;
    let left = usize::try_from(units - given).ok()?;
    if left > 0 {
        let mut order: Vec<usize> = (0..weights.len()).collect();
        let by_remainder =
            |a: &usize, b: &usize| remainders[*b].cmp(&remainders[*a]).then(a.cmp(b));
        if left < order.len() {
            order.select_nth_unstable_by(left - 1, by_remainder);
        }
        for &k in order.iter().take(left) {
            floors[k] += 1;
        }
    }
    let sign = if volume.is_sign_negative() { -1 } else { 1 };
    floors
        .into_iter()
        .map(|f| Decimal::try_from_i128_with_scale(sign * f, unit_scale).ok())
        .collect()
}

/// The fallback for numbers beyond i128: plain quotients, the last product taking the remainder
/// so that the shares still add up exactly.
fn quotients(volume: Decimal, indices: &[usize], products: &[CareProduct]) -> Vec<Decimal> {
    let positive = |i: usize| products[i].baseline.max(Decimal::ZERO);
    let total: Decimal = indices.iter().map(|&i| positive(i)).sum();
    let weight = |i: usize| {
        if total.is_zero() {
            Decimal::ONE
        } else {
            positive(i)
        }
    };
    let weight_total = if total.is_zero() {
        Decimal::from(indices.len())
    } else {
        total
    };
    let last = indices.iter().rposition(|&i| !weight(i).is_zero());
    let mut shares = Vec::with_capacity(indices.len());
    let mut given = Decimal::ZERO;
    for (k, &i) in indices.iter().enumerate() {
        let share = if Some(k) == last {
            volume - given
        } else {
            volume
                .checked_mul(weight(i))
                .and_then(|x| x.checked_div(weight_total))
                .unwrap_or(Decimal::ZERO)
        };
        given += share;
        shares.push(share);
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::inputs::TrendCategory;
    use rust_decimal::dec;

    fn product(id: i64, baseline: Decimal) -> CareProduct {
        CareProduct {
            id,
            code: format!("P{id}"),
            norm_minutes: dec!(10),
            baseline,
        }
    }

    #[test]
    fn absolute_volume_is_spread_pro_rata_to_baseline_and_adds_up() {
        let products = [product(1, dec!(100)), product(2, dec!(300))];
        assert_eq!(spread(dec!(40), &[0, 1], &products), [dec!(10), dec!(30)]);
        let thirds = [
            product(1, dec!(1)),
            product(2, dec!(1)),
            product(3, dec!(1)),
        ];
        // In hundredths by largest remainder; the tie goes to the product listed first.
        assert_eq!(
            spread(dec!(100), &[0, 1, 2], &thirds),
            [dec!(33.34), dec!(33.33), dec!(33.33)]
        );
        assert_eq!(
            spread(dec!(-100), &[2, 1, 0], &thirds),
            [dec!(-33.34), dec!(-33.33), dec!(-33.33)]
        );
        // Fractional baselines and a finer input keep their precision.
        let fractions = [product(1, dec!(0.5)), product(2, dec!(1.25))];
        assert_eq!(
            spread(dec!(0.007), &[0, 1], &fractions),
            [dec!(0.002), dec!(0.005)]
        );
    }

    #[test]
    fn the_scale_of_the_input_does_not_change_the_spread() {
        // 120 typed in a form, 120.0 and 120.0000 as read back from numeric(16,4).
        let products = [
            product(1, dec!(7)),
            product(2, dec!(11)),
            product(3, dec!(13.5)),
        ];
        let typed = spread(dec!(120), &[0, 1, 2], &products);
        assert_eq!(typed, [dec!(26.67), dec!(41.90), dec!(51.43)]);
        for stored in [dec!(120.0), dec!(120.0000), dec!(-120.0000)] {
            let shares = spread(stored, &[0, 1, 2], &products);
            let sign = if stored.is_sign_negative() {
                -Decimal::ONE
            } else {
                Decimal::ONE
            };
            let expected: Vec<Decimal> = typed.iter().map(|s| *s * sign).collect();
            assert_eq!(shares, expected, "{stored}");
            assert!(shares.iter().all(|s| s.scale() == 2), "{shares:?}");
        }
        // A finer input keeps its precision whatever its trailing zeros.
        assert_eq!(
            spread(dec!(0.0070), &[0, 1], &products),
            spread(dec!(0.007), &[0, 1], &products)
        );
    }

    #[test]
    fn without_baseline_the_volume_is_spread_evenly() {
        let products = [product(1, dec!(0)), product(2, dec!(0))];
        assert_eq!(
            spread(dec!(-7), &[0, 1], &products),
            [dec!(-3.5), dec!(-3.5)]
        );
        // A product without baseline next to one with baseline gets nothing.
        let mixed = [product(1, dec!(0)), product(2, dec!(50))];
        assert_eq!(spread(dec!(20), &[0, 1], &mixed), [dec!(0), dec!(20)]);
    }

    #[test]
    fn the_fallback_also_adds_up() {
        let thirds = [
            product(1, dec!(1)),
            product(2, dec!(1)),
            product(3, dec!(1)),
        ];
        let shares = quotients(dec!(100), &[0, 1, 2], &thirds);
        assert_eq!(shares.iter().copied().sum::<Decimal>(), dec!(100));
        let huge = [
            product(1, Decimal::MAX),
            product(2, dec!(0.0000000000000000000000000001)),
        ];
        assert_eq!(apportion(dec!(5), &[0, 1], &huge), None);
    }

    #[test]
    fn unknown_products_skip_the_whole_input() {
        let products = [product(1, dec!(10)), product(2, dec!(10))];
        let trends = [
            TrendInput {
                id: 5,
                scope: TrendScope::Products(vec![2, 99]),
                change: TrendChange::Percent(dec!(10)),
                category: TrendCategory::Overig,
            },
            TrendInput {
                id: 6,
                scope: TrendScope::Products(vec![2, 2]),
                change: TrendChange::Percent(dec!(10)),
                category: TrendCategory::Demografie,
            },
        ];
        let (adj, traces) = resolve("CAR", &products, &trends);
        assert_eq!(
            traces[0].skipped.as_deref(),
            Some("Trendinput 5 is niet toegepast: zorgproduct 99 hoort niet bij vakgroep CAR.")
        );
        // Listed twice, applied once.
        assert_eq!(traces[1].products, Some(vec![1]));
        assert_eq!(adj.fraction, [dec!(0), dec!(0.1)]);
    }
}
