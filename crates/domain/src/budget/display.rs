//! Rounding for display only (D4): the engine keeps exact values, pages and exports round at the
//! very end, half away from zero, the way figures are rounded on paper. Text goes through
//! [`crate::nl`] so that budget figures look like every other number in the application.

use crate::nl;
use rust_decimal::{Decimal, RoundingStrategy};

/// Decimals shown for fte and hours.
pub const FIGURE_DECIMALS: u32 = 2;

/// Rounds to `decimals` digits, half away from zero (2,345 → 2,35; −2,345 → −2,35).
pub fn round_half_away(value: Decimal, decimals: u32) -> Decimal {
    value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
}

/// An fte figure as shown: two decimals.
pub fn round_fte(value: Decimal) -> Decimal {
    round_half_away(value, FIGURE_DECIMALS)
}

/// Norm hours as shown: two decimals.
pub fn round_hours(value: Decimal) -> Decimal {
    round_half_away(value, FIGURE_DECIMALS)
}

/// An amount in euros to the cent.
pub fn round_cents(value: Decimal) -> Decimal {
    round_half_away(value, 2)
}

/// `12,50`.
pub fn fte_text(value: Decimal) -> String {
    nl::fte(value)
}

/// `1.234,57`.
pub fn hours_text(value: Decimal) -> String {
    nl::number(value, FIGURE_DECIMALS)
}

/// A volume as the budget pages show it: as many decimals as it has, at most two (`12`, `12,5`,
/// `1.234,57`).
pub fn volume_text(value: Decimal) -> String {
    nl::number(value, value.normalize().scale().min(FIGURE_DECIMALS))
}

/// A norm time in minutes exactly as stored (up to four decimals), with at least one: `30,0`,
/// `7,25`, `7,1234`. Rounded for display it would differ from what the controller entered.
pub fn minutes_text(value: Decimal) -> String {
    nl::number(value, value.normalize().scale().max(1))
}

/// A mutation with its sign, so growth and shrink read at a glance: `+1,25`, `−0,40`, `0,00`.
pub fn mutation_text(value: Decimal) -> String {
    let rounded = round_fte(value);
    if rounded.is_zero() {
        nl::fte(Decimal::ZERO)
    } else if rounded.is_sign_negative() {
        format!("−{}", nl::fte(-rounded))
    } else {
        format!("+{}", nl::fte(rounded))
    }
}

/// An index such as E or Z as a percentage with one decimal: 1,0375 → `103,8 %`.
pub fn index_text(value: Decimal) -> String {
    nl::percent(value * Decimal::ONE_HUNDRED)
}

#[cfg(test)]
mod tests {
    use super::*;

    use rust_decimal::dec;

    #[test]
    fn volumes_show_up_to_two_decimals() {
        assert_eq!(volume_text(dec!(1234)), "1.234");
        assert_eq!(volume_text(dec!(12.50)), "12,5");
        assert_eq!(volume_text(dec!(1234.567)), "1.234,57");
    }

    #[test]
    fn norm_times_show_exactly_as_stored() {
        assert_eq!(minutes_text(dec!(30)), "30,0");
        assert_eq!(minutes_text(dec!(7.2500)), "7,25");
        assert_eq!(minutes_text(dec!(7.1234)), "7,1234");
        assert_eq!(minutes_text(dec!(1440)), "1.440,0");
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_fte(dec!(2.345)), dec!(2.35));
        assert_eq!(round_fte(dec!(-2.345)), dec!(-2.35));
        assert_eq!(round_fte(dec!(2.3449999)), dec!(2.34));
        assert_eq!(round_hours(dec!(0.005)), dec!(0.01));
        assert_eq!(round_cents(dec!(33.335)), dec!(33.34));
    }

    #[test]
    fn texts_are_dutch() {
        assert_eq!(fte_text(dec!(12.5)), "12,50");
        assert_eq!(hours_text(dec!(1234.565)), "1.234,57");
        assert_eq!(mutation_text(dec!(1.245)), "+1,25");
        assert_eq!(mutation_text(dec!(-0.404)), "−0,40");
        assert_eq!(mutation_text(dec!(-0.004)), "0,00");
        assert_eq!(index_text(dec!(1.0375)), "103,8 %");
    }
}
