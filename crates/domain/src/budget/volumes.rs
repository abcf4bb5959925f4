//! From trend inputs to per-product adjustments: which products an input touches, and how an
//! absolute change is spread over them. Runs once per vakgroep before the per-product loop, so
//! that loop only reads two vectors by index.

use super::inputs::{CareProduct, TrendChange, TrendInput, TrendScope};
use super::result::TrendTrace;
use rust_decimal::Decimal;
use std::collections::HashMap;

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
    /// `1 + Σ pct` for product `i`.
    #[inline]
    pub fn factor(&self, one_plus_all: Decimal, i: usize) -> Decimal {
        match self.fraction.get(i) {
            Some(f) => one_plus_all + *f,
            None => one_plus_all,
        }
    }

    #[inline]
    pub fn absolute(&self, i: usize) -> Decimal {
        self.absolute.get(i).copied().unwrap_or(Decimal::ZERO)
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
    let mut by_id: Option<HashMap<i64, usize>> = None;
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
                let map = by_id.get_or_insert_with(|| {
                    products
                        .iter()
                        .enumerate()
                        .map(|(i, p)| (p.id, i))
                        .collect()
                });
                match resolve_ids(map, ids) {
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

/// Product ids to indices, without duplicates, in the order given; `Err` with the first id
/// that is not a product of the vakgroep.
fn resolve_ids(map: &HashMap<i64, usize>, ids: &[i64]) -> Result<Vec<usize>, i64> {
    let mut out: Vec<usize> = Vec::with_capacity(ids.len());
    for id in ids {
        let &i = map.get(id).ok_or(*id)?;
        if !out.contains(&i) {
            out.push(i);
        }
    }
    Ok(out)
}

/// Spreads an absolute volume over the products at `indices`, pro rata to their baseline volume,
/// or evenly when their baseline is all zero (a new care line has no history to follow). The
/// last product with a share takes the remainder, so the shares add up to `volume` exactly even
/// where a share itself is a rounded quotient (100 over three equal products).
pub(crate) fn spread(volume: Decimal, indices: &[usize], products: &[CareProduct]) -> Vec<Decimal> {
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
            // Multiplying first keeps the quotient as exact as the 28 digits allow.
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
        let shares = spread(dec!(100), &[0, 1, 2], &thirds);
        assert_eq!(shares.iter().copied().sum::<Decimal>(), dec!(100));
        assert_eq!(shares[0], shares[1]);
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
