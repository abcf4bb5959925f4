//! How precise and how large a master-data figure may be (D1). Every figure is stored in a
//! `numeric(precision, scale)` column (migrations/0006_budget.sql): PostgreSQL rounds extra
//! decimals away without a word and refuses a number too large with an error. Checking the
//! figure against its column first lets a form or an import say so in Dutch, at the field or
//! the line, and store exactly what the person typed.

use crate::nl;
use rust_decimal::{Decimal, dec};
use std::fmt;

/// The lowest value a figure may take, by what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Floor {
    /// Any sign (a KPI value is whatever the KPI measures).
    Any,
    /// 0 or more (minutes, fte, euros).
    Zero,
    /// More than 0 (normuren per fte: the divisor of the norm-fte).
    AboveZero,
}

/// A figure as typed into a form or file, checked against its column. A percentage typed for a
/// fraction column (`numeric(7, 6)` holding 0.3 for 30 %) is the same digits with the decimal
/// point two places on: a `numeric(7, 4)` in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Digits in all.
    pub precision: u32,
    /// Digits after the decimal comma.
    pub scale: u32,
    pub floor: Floor,
    /// A lower ceiling than the column's, where the meaning sets one; inclusive.
    pub ceiling: Option<Decimal>,
}

impl Column {
    const fn numeric(precision: u32, scale: u32, floor: Floor) -> Self {
        Self {
            precision,
            scale,
            floor,
            ceiling: None,
        }
    }

    /// `norm_time.minutes`.
    pub const NORM_MINUTES: Column = Column::numeric(12, 4, Floor::Zero);
    /// `normuren_per_fte.hours`: above 0, and no more than the hours in a year.
    pub const NORMUREN_PER_FTE: Column = Column {
        ceiling: Some(dec!(8760)),
        ..Column::numeric(10, 2, Floor::AboveZero)
    };
    /// `formatief_fte.fte_1a` and `fte_1b`.
    pub const FTE: Column = Column::numeric(10, 4, Floor::Zero);
    /// `budget_kpi.reference_value` and `local_value`.
    pub const KPI_VALUE: Column = Column::numeric(16, 6, Floor::Any);
    /// `budget_year.fee_budget`, in euros.
    pub const FEE_BUDGET: Column = Column::numeric(16, 2, Floor::Zero);
    /// `budget_year.fixed_share` (a fraction) as a percentage: 0 to 100.
    pub const FIXED_SHARE_PERCENT: Column = Column {
        ceiling: Some(dec!(100)),
        ..Column::numeric(7, 4, Floor::Zero)
    };
    /// `budget_year.band_min` and `band_max` (fractions) as percentages of last year.
    pub const BAND_PERCENT: Column = Column::numeric(7, 4, Floor::Zero);
    /// `budget_scenario.earmarked_amount`, in euros.
    pub const EARMARKED_AMOUNT: Column = Column::numeric(16, 2, Floor::Zero);

    /// The first power of ten the column cannot hold (10⁸ for `numeric(12, 4)`).
    fn bound(self) -> Decimal {
        Decimal::from(10i64.pow(self.precision - self.scale))
    }

    /// The value unchanged if the column holds it exactly and its meaning allows it. Trailing
    /// zeros do not count as decimals: `7,50000` is 7,5.
    pub fn check(self, value: Decimal) -> Result<Decimal, PrecisionError> {
        let negative = value.is_sign_negative() && !value.is_zero();
        match self.floor {
            Floor::Zero if negative => return Err(PrecisionError::Negative),
            Floor::AboveZero if negative || value.is_zero() => {
                return Err(PrecisionError::NotPositive);
            }
            _ => {}
        }
        match self.ceiling {
            Some(ceiling) if value > ceiling => {
                return Err(PrecisionError::AtMost(nl::number(ceiling, 0)));
            }
            _ => {}
        }
        let bound = self.bound();
        if value >= bound {
            return Err(PrecisionError::Below(nl::number(bound, 0)));
        }
        if value <= -bound {
            return Err(PrecisionError::Above(nl::number(-bound, 0)));
        }
        if value.normalize().scale() > self.scale {
            return Err(PrecisionError::Decimals(self.scale));
        }
        Ok(value)
    }
}

/// Why a figure does not fit, as a Dutch sentence for the field or the import line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrecisionError {
    /// More decimals than the column keeps.
    Decimals(u32),
    Negative,
    NotPositive,
    /// Not below this (the column's bound), formatted.
    Below(String),
    /// Not above this (the column's negative bound), formatted.
    Above(String),
    /// At most this (the meaning's ceiling), formatted.
    AtMost(String),
}

impl fmt::Display for PrecisionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrecisionError::Decimals(0) => write!(f, "Vul een geheel getal in."),
            PrecisionError::Decimals(1) => write!(f, "Gebruik ten hoogste 1 decimaal."),
            PrecisionError::Decimals(n) => write!(f, "Gebruik ten hoogste {n} decimalen."),
            PrecisionError::Negative => write!(f, "Vul 0 of meer in."),
            PrecisionError::NotPositive => write!(f, "Vul een waarde groter dan 0 in."),
            PrecisionError::Below(n) => write!(f, "Vul een waarde in kleiner dan {n}."),
            PrecisionError::Above(n) => write!(f, "Vul een waarde in groter dan {n}."),
            PrecisionError::AtMost(n) => write!(f, "Vul een waarde in van ten hoogste {n}."),
        }
    }
}

impl std::error::Error for PrecisionError {}

#[cfg(test)]
mod tests;
