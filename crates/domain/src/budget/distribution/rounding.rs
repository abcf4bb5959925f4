//! Whole cents by largest remainder, ties to the earlier position (the vakgroepen are in code
//! order, so: to the lower code).

use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds `exact` (≥ 0, adding up to `total` in whole cents up to the 28th digit) to whole cents
/// that add up to `total` exactly: every amount rounded down, then one cent each to the largest
/// remainders. Each result is therefore the exact amount rounded down or up, never further, so an
/// amount between two whole-cent bounds stays between them. `None` when the amounts are too large
/// to count in cents, or when they do not add up to `total` to within a cent per amount (a caller
/// error: there is no honest rounding then).
pub(super) fn to_cents(exact: &[Decimal], total: Decimal) -> Option<Vec<Decimal>> {
    let target = total.checked_mul(Decimal::ONE_HUNDRED)?;
    let mut floors = Vec::with_capacity(exact.len());
    let mut remainders = Vec::with_capacity(exact.len());
    for x in exact {
        let cents = x.checked_mul(Decimal::ONE_HUNDRED)?;
        let floor = cents.round_dp_with_strategy(0, RoundingStrategy::ToNegativeInfinity);
        remainders.push(cents - floor);
        floors.push(floor);
    }
    let given = floors
        .iter()
        .try_fold(Decimal::ZERO, |sum, f| sum.checked_add(*f))?;
    // Σ exact = total ± ε (quotients rounded at the 28th digit) makes the cents left Σ remainder ∓ ε:
    // a whole number between 0 and the number of positive remainders. Anything else means the
    // amounts did not add up, and no rounding to cents could fix that honestly.
    let left = usize::try_from(i64::try_from(target - given).ok()?).ok()?;
    let positive = remainders.iter().filter(|r| !r.is_zero()).count();
    if left > positive {
        return None;
    }
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|&a, &b| remainders[b].cmp(&remainders[a]).then(a.cmp(&b)));
    for &i in &order[..left] {
        floors[i] += Decimal::ONE;
    }
    Some(
        floors
            .into_iter()
            .map(|c| c / Decimal::ONE_HUNDRED)
            .collect(),
    )
}
