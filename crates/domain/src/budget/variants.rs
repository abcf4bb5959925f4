//! Variant 3 (geoormerkt budget): a separate amount distributed over the vakgroepen in variant 3
//! pro rata to `grondslag × Z`, in whole cents that add up to the amount exactly.

use super::result::{EarmarkShare, Issue, VakgroepResult};
use super::scenario::{Earmark, Grondslag, PzVariant};
use rust_decimal::{Decimal, RoundingStrategy};

/// Fills in `earmark` of every variant-3 vakgroep, or leaves them all empty and says why. The
/// amount is not distributed at all when one participant lacks its grondslag: handing its share
/// to the others would reward them for a gap in someone else's data.
pub(crate) fn distribute_earmark(
    vakgroepen: &mut [VakgroepResult],
    earmark: Earmark,
) -> Vec<Issue> {
    let participants: Vec<usize> = (0..vakgroepen.len())
        .filter(|&i| vakgroepen[i].variant == PzVariant::Geoormerkt)
        .collect();
    if participants.is_empty() {
        if earmark.amount.is_zero() {
            return Vec::new();
        }
        return vec![Issue::warning(
            "Geen enkele vakgroep valt onder variant 3; het geoormerkte bedrag is niet verdeeld.",
        )];
    }
    let mut bases = Vec::with_capacity(participants.len());
    let mut missing = Vec::new();
    for &i in &participants {
        let v = &vakgroepen[i];
        match grondslag_value(v, earmark.grondslag) {
            Some(g) if !g.is_sign_negative() || g.is_zero() => bases.push(g),
            _ => missing.push(v.code.as_str()),
        }
    }
    if !missing.is_empty() {
        return vec![Issue::error(format!(
            "Het geoormerkte bedrag is niet verdeeld: voor {} ontbreekt een bruikbare grondslag ({}).",
            missing.join(", "),
            earmark.grondslag.label().to_lowercase()
        ))];
    }
    let too_large = || {
        vec![Issue::error(
            "Het geoormerkte bedrag is niet verdeeld: grondslag × Z is te groot om mee te rekenen; controleer de productiegegevens en trendinputs.",
        )]
    };
    let weights: Option<Vec<Decimal>> = participants
        .iter()
        .zip(&bases)
        .map(|(&i, g)| g.checked_mul(vakgroepen[i].pz_index))
        .collect();
    let Some((weights, total)) = weights.and_then(|w| {
        let total = checked_sum(&w)?;
        Some((w, total))
    }) else {
        return too_large();
    };
    let Some(amounts) = largest_remainder(earmark.amount, &weights) else {
        return vec![Issue::error(
            "Het geoormerkte bedrag is niet verdeeld: grondslag × Z is voor alle vakgroepen in variant 3 gelijk aan 0.",
        )];
    };
    for (k, &i) in participants.iter().enumerate() {
        let v = &mut vakgroepen[i];
        v.earmark = Some(EarmarkShare {
            grondslag: earmark.grondslag,
            grondslag_value: bases[k],
            pz_index: v.pz_index,
            weight: weights[k],
            exact: pro_rata(earmark.amount, weights[k], total),
            amount: amounts[k],
        });
    }
    Vec::new()
}

fn grondslag_value(v: &VakgroepResult, grondslag: Grondslag) -> Option<Decimal> {
    match grondslag {
        Grondslag::FormatiefFte => Some(v.formatief_fte),
        Grondslag::NormFte => v.fte.map(|f| f.norm_fte),
        Grondslag::NormFteVorigJaar => v.last_year_norm_fte,
    }
}

/// Splits `amount` (whole cents, ≥ 0) pro rata to `weights` (≥ 0) into whole cents that add up
/// to `amount` exactly: every share is rounded down, and the cents left over go one each to the
/// largest remainders, ties to the earlier position so the result does not depend on sorting
/// details. `None` when the weights add up to 0.
pub fn largest_remainder(amount: Decimal, weights: &[Decimal]) -> Option<Vec<Decimal>> {
    // Weights too large to add up cannot be shared either; the caller checks the sum first.
    let total = checked_sum(weights)?;
    if total <= Decimal::ZERO {
        return None;
    }
    let cents = (amount * Decimal::ONE_HUNDRED).trunc();
    let mut floors = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for w in weights {
        let exact = pro_rata(cents, *w, total);
        let floor = exact.round_dp_with_strategy(0, RoundingStrategy::ToNegativeInfinity);
        floors.push(floor);
        remainders.push(exact - floor);
    }
    let given: Decimal = floors.iter().copied().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| remainders[b].cmp(&remainders[a]).then(a.cmp(&b)));
    let mut left = cents - given;
    // Quotients are rounded at 28 digits, so in a corner case the floors can overshoot by a cent;
    // then the smallest remainders give one back.
    let mut k = 0;
    while left > Decimal::ZERO && k < order.len() {
        floors[order[k]] += Decimal::ONE;
        left -= Decimal::ONE;
        k += 1;
    }
    let mut k = order.len();
    while left < Decimal::ZERO && k > 0 {
        k -= 1;
        if floors[order[k]] > Decimal::ZERO {
            floors[order[k]] -= Decimal::ONE;
            left += Decimal::ONE;
        }
    }
    Some(
        floors
            .into_iter()
            .map(|c| c / Decimal::ONE_HUNDRED)
            .collect(),
    )
}

fn checked_sum(values: &[Decimal]) -> Option<Decimal> {
    values
        .iter()
        .try_fold(Decimal::ZERO, |sum, v| sum.checked_add(*v))
}

/// `amount × weight / total` with `0 ≤ weight ≤ total`: exact when the product fits in a decimal,
/// otherwise through the share `weight / total` (at most 1, so it cannot overflow) at the cost of
/// rounding in the 28th digit, which the largest-remainder step absorbs.
fn pro_rata(amount: Decimal, weight: Decimal, total: Decimal) -> Decimal {
    match amount.checked_mul(weight) {
        Some(product) => product / total,
        None => amount * (weight / total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn cents_add_up_exactly() {
        let shares = largest_remainder(dec!(100.00), &[dec!(1), dec!(1), dec!(1)]).unwrap();
        assert_eq!(shares, [dec!(33.34), dec!(33.33), dec!(33.33)]);
        let shares = largest_remainder(dec!(10.00), &[dec!(2), dec!(1), dec!(0)]).unwrap();
        // 6,666… and 3,333…: the larger remainder (,666…) gets the spare cent.
        assert_eq!(shares, [dec!(6.67), dec!(3.33), dec!(0)]);
        assert_eq!(largest_remainder(dec!(5), &[dec!(0), dec!(0)]), None);
        assert_eq!(largest_remainder(dec!(5), &[]), None);
    }
}
