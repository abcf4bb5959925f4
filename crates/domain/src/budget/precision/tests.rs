use super::*;
use proptest::prelude::*;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn message(column: Column, value: &str) -> String {
    column.check(d(value)).unwrap_err().to_string()
}

#[test]
fn too_many_decimals_are_refused_not_rounded() {
    assert_eq!(
        message(Column::NORM_MINUTES, "7.12345"),
        "Gebruik ten hoogste 4 decimalen."
    );
    assert_eq!(Column::NORM_MINUTES.check(d("7.1234")), Ok(d("7.1234")));
    // Trailing zeros are no decimals.
    assert_eq!(Column::NORM_MINUTES.check(d("7.50000")), Ok(d("7.50000")));
    assert_eq!(
        message(Column::NORMUREN_PER_FTE, "1250.125"),
        "Gebruik ten hoogste 2 decimalen."
    );
    assert_eq!(
        message(Column::FEE_BUDGET, "0.001"),
        "Gebruik ten hoogste 2 decimalen."
    );
}

#[test]
fn values_the_column_cannot_hold_are_refused_in_dutch() {
    assert_eq!(
        message(Column::NORM_MINUTES, "100000000"),
        "Vul een waarde in kleiner dan 100.000.000."
    );
    assert!(Column::NORM_MINUTES.check(d("99999999.9999")).is_ok());
    assert_eq!(
        message(Column::FTE, "1000000"),
        "Vul een waarde in kleiner dan 1.000.000."
    );
    assert_eq!(
        message(Column::KPI_VALUE, "-10000000000"),
        "Vul een waarde in groter dan -10.000.000.000."
    );
    assert!(Column::KPI_VALUE.check(d("-9999999999.999999")).is_ok());
    assert_eq!(
        message(Column::BAND_PERCENT, "1000"),
        "Vul een waarde in kleiner dan 1.000."
    );
}

#[test]
fn the_meaning_sets_the_floor_and_sometimes_the_ceiling() {
    assert_eq!(message(Column::NORM_MINUTES, "-1"), "Vul 0 of meer in.");
    assert!(Column::NORM_MINUTES.check(Decimal::ZERO).is_ok());
    assert!(Column::NORM_MINUTES.check(d("-0")).is_ok());
    assert_eq!(
        message(Column::NORMUREN_PER_FTE, "0"),
        "Vul een waarde groter dan 0 in."
    );
    assert_eq!(
        message(Column::NORMUREN_PER_FTE, "8760.01"),
        "Vul een waarde in van ten hoogste 8.760."
    );
    assert!(Column::NORMUREN_PER_FTE.check(d("8760")).is_ok());
    assert_eq!(
        message(Column::FIXED_SHARE_PERCENT, "100.5"),
        "Vul een waarde in van ten hoogste 100."
    );
    assert!(Column::KPI_VALUE.check(d("-4.2")).is_ok());
    assert_eq!(
        message(Column::EARMARKED_AMOUNT, "-0.01"),
        "Vul 0 of meer in."
    );
}

#[test]
fn one_decimal_and_none_read_naturally() {
    assert_eq!(
        PrecisionError::Decimals(1).to_string(),
        "Gebruik ten hoogste 1 decimaal."
    );
    assert_eq!(
        PrecisionError::Decimals(0).to_string(),
        "Vul een geheel getal in."
    );
}

/// Every column the checks name, by its `numeric(precision, scale)`.
const COLUMNS: [Column; 8] = [
    Column::NORM_MINUTES,
    Column::NORMUREN_PER_FTE,
    Column::FTE,
    Column::KPI_VALUE,
    Column::FEE_BUDGET,
    Column::FIXED_SHARE_PERCENT,
    Column::BAND_PERCENT,
    Column::EARMARKED_AMOUNT,
];

proptest! {
    /// What is accepted is stored as typed: PostgreSQL neither rounds it nor refuses it.
    #[test]
    fn an_accepted_value_fits_its_column_exactly(
        column in proptest::sample::select(COLUMNS.to_vec()),
        mantissa in any::<i64>(),
        scale in 0u32..10,
    ) {
        let value = Decimal::new(mantissa, scale);
        if let Ok(v) = column.check(value) {
            prop_assert_eq!(v, value);
            prop_assert_eq!(v.round_dp(column.scale), v);
            let digits = v.abs().trunc().to_string().trim_start_matches('0').len() as u32;
            prop_assert!(digits <= column.precision - column.scale);
            prop_assert!(column.floor != Floor::Zero || !v.is_sign_negative() || v.is_zero());
        }
    }

    /// And within its column and range, nothing is refused.
    #[test]
    fn a_value_within_the_column_is_accepted(
        whole in 0i64..100_000_000,
        fraction in 0i64..10_000,
    ) {
        let value = Decimal::new(whole * 10_000 + fraction, 4);
        prop_assert_eq!(Column::NORM_MINUTES.check(value), Ok(value));
    }
}
