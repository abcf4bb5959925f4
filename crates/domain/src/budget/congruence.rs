//! Insurer congruence (product.md D8, B5): the production value of a budget scenario against
//! each insurer's contract ceiling. docs/congruence.md says the same for controllers.
//!
//! # The computation
//!
//! ```text
//! value[v]        = Σp Vb[v,p] × tarief[p]          (a product without a tariff counts 0)
//! total           = Σv value[v]
//! insurer value   = total × share / 100              (the last insurer: total − the others)
//! difference      = insurer value − ceiling          (+ excess, − shortfall)
//! fraction        = difference / ceiling
//! ```
//!
//! # Decisions
//!
//! - **Shares add up to exactly 100 %**, or nothing is computed (a Dutch message says what they
//!   add up to): with 99 % the hospital's production would silently lose a percent.
//! - **Exact split.** Each insurer's value is `total × share / 100`, exact for any realistic
//!   figures; the last insurer (in the order given) gets `total − Σ others`, so that the values
//!   add up to the total exactly even if a product had to be rounded at the 28th digit. The
//!   same rule splits each vakgroep's value.
//! - **Tariffs** belong to care products (by id, per year; the tariff file names zorgproduct
//!   codes and the store gives every product with that code its tariff). A product without one
//!   counts € 0 and is listed when it has a budget volume, so a gap in the tariff list does not
//!   pass for lower production.
//! - **Flagged** when the difference is more than `tolerance × ceiling` either way (tolerance 0:
//!   any excess or shortfall). Per vakgroep, the change of production value against the
//!   baseline (B × tariff) shows who moves the hospital towards an excess (growth) or a
//!   shortfall (shrink); the vakgroepen whose change points the same way as a flagged insurer's
//!   deviation are marked.
//! - Money stays exact (rust_decimal); amounts are rounded to cents only in texts.

mod form;
mod tariffs;
mod text;

#[cfg(test)]
mod tests;

pub use form::{InsurerDraft, InsurerForm, MAX_INSURER_NAME_CHARS};
pub use tariffs::{TARIFF, TariffLine, parse_tariffs};
pub use text::agreement_prefill;

use super::inputs::BudgetInput;
use super::result::BudgetResult;
use crate::nl;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// An insurer's contract for the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insurer {
    pub id: i64,
    pub name: String,
    /// The contract ceiling in euros.
    pub ceiling: Decimal,
    /// The insurer's share of the hospital's production, in percent (0–100).
    pub share: Decimal,
}

/// Why congruence was not computed; the message is shown as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CongruenceError {
    #[error("Voer ten minste één zorgverzekeraar in met zijn aandeel en contractplafond.")]
    NoInsurers,
    #[error(
        "De aandelen van de zorgverzekeraars tellen op tot {0} %; dat moet precies 100 % zijn."
    )]
    SharesSum(String),
    #[error("Zorgverzekeraar {0}: het aandeel en het plafond mogen niet negatief zijn.")]
    Negative(String),
    #[error("Een tarief mag niet negatief zijn (zorgproduct {0}).")]
    NegativeTariff(String),
    #[error("De bedragen zijn te groot om mee te rekenen; controleer de tarieven en volumes.")]
    TooLarge,
    #[error("De berekening hoort niet bij deze invoer.")]
    ResultDoesNotMatch,
}

code_enum! {
    /// Where an insurer's production value lies against its ceiling.
    Position {
        Excess => "overschrijding", "Overschrijding";
        Shortfall => "onderschrijding", "Onderschrijding";
        Within => "binnen", "Binnen het plafond";
    }
}

/// One vakgroep's production value and its split over the insurers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VakgroepValue {
    pub vakgroep_id: i64,
    pub code: String,
    /// Σ Vb × tariff.
    pub value: Decimal,
    /// Σ B × tariff: the reference year's volumes at this year's tariffs.
    pub baseline_value: Decimal,
    /// value − baseline value.
    pub change: Decimal,
    /// Index-aligned with the insurers; adds up to `value`.
    pub by_insurer: Vec<Decimal>,
    /// Codes of products with a budget volume but no tariff (counted € 0).
    pub without_tariff: Vec<String>,
    /// False when the engine could not compute this vakgroep's volumes (value 0).
    pub computed: bool,
    /// Grows while an insurer is flagged for an excess, or shrinks while one is flagged for a
    /// shortfall.
    pub moves_with_deviation: bool,
}

/// One insurer's value against its ceiling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsurerPosition {
    pub insurer_id: i64,
    pub name: String,
    pub share: Decimal,
    pub ceiling: Decimal,
    /// total × share / 100.
    pub value: Decimal,
    /// value − ceiling.
    pub difference: Decimal,
    /// difference / ceiling; `None` for a ceiling of 0.
    pub fraction: Option<Decimal>,
    pub position: Position,
    pub flagged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Congruence {
    pub total_value: Decimal,
    pub baseline_value: Decimal,
    pub vakgroepen: Vec<VakgroepValue>,
    pub insurers: Vec<InsurerPosition>,
    /// A fraction of the ceiling within which a difference is not flagged.
    pub tolerance: Decimal,
}

/// Checks that there are insurers, none negative, and that the shares add up to exactly 100 %.
pub fn check_insurers(insurers: &[Insurer]) -> Result<(), CongruenceError> {
    if insurers.is_empty() {
        return Err(CongruenceError::NoInsurers);
    }
    let negative = |x: Decimal| x.is_sign_negative() && !x.is_zero();
    if let Some(i) = insurers
        .iter()
        .find(|i| negative(i.share) || negative(i.ceiling))
    {
        return Err(CongruenceError::Negative(i.name.clone()));
    }
    let sum = insurers
        .iter()
        .try_fold(Decimal::ZERO, |s, i| s.checked_add(i.share))
        .ok_or(CongruenceError::TooLarge)?;
    if sum != Decimal::ONE_HUNDRED {
        return Err(CongruenceError::SharesSum(nl::number(sum, 2)));
    }
    Ok(())
}

/// The production value of a scenario per vakgroep and in total, without insurers (for a page
/// that shows it before the contracts are in). Tariffs by care product id.
pub fn production_value(
    input: &BudgetInput,
    result: &BudgetResult,
    tariffs: &HashMap<i64, Decimal>,
) -> Result<Vec<VakgroepValue>, CongruenceError> {
    if input.vakgroepen.len() != result.vakgroepen.len() {
        return Err(CongruenceError::ResultDoesNotMatch);
    }
    let mut out = Vec::with_capacity(result.vakgroepen.len());
    for (i, r) in input.vakgroepen.iter().zip(&result.vakgroepen) {
        if i.id != r.vakgroep_id {
            return Err(CongruenceError::ResultDoesNotMatch);
        }
        let mut value = Decimal::ZERO;
        let mut baseline_value = Decimal::ZERO;
        let mut without_tariff = Vec::new();
        for (k, p) in r.products.iter().enumerate() {
            let code = i.products.get(k).map_or("", |p| p.code.as_str());
            let Some(&tariff) = tariffs.get(&p.product_id) else {
                if !p.budget_volume.is_zero() {
                    without_tariff.push(code.to_string());
                }
                continue;
            };
            if tariff.is_sign_negative() && !tariff.is_zero() {
                return Err(CongruenceError::NegativeTariff(code.to_string()));
            }
            let add = |sum: Decimal, volume: Decimal| {
                volume
                    .checked_mul(tariff)
                    .and_then(|x| sum.checked_add(x))
                    .ok_or(CongruenceError::TooLarge)
            };
            value = add(value, p.budget_volume)?;
            baseline_value = add(baseline_value, p.baseline)?;
        }
        out.push(VakgroepValue {
            vakgroep_id: r.vakgroep_id,
            code: r.code.clone(),
            value,
            baseline_value,
            change: value
                .checked_sub(baseline_value)
                .ok_or(CongruenceError::TooLarge)?,
            by_insurer: Vec::new(),
            without_tariff,
            computed: !r.products.is_empty() || i.products.is_empty(),
            moves_with_deviation: false,
        });
    }
    Ok(out)
}

/// Production value against every insurer's ceiling.
pub fn congruence(
    input: &BudgetInput,
    result: &BudgetResult,
    tariffs: &HashMap<i64, Decimal>,
    insurers: &[Insurer],
    tolerance: Decimal,
) -> Result<Congruence, CongruenceError> {
    check_insurers(insurers)?;
    let mut vakgroepen = production_value(input, result, tariffs)?;
    let total_value = sum(vakgroepen.iter().map(|v| v.value))?;
    let baseline_value = sum(vakgroepen.iter().map(|v| v.baseline_value))?;
    let shares: Vec<Decimal> = insurers.iter().map(|i| i.share).collect();
    for v in &mut vakgroepen {
        v.by_insurer = split(v.value, &shares)?;
    }
    let values = split(total_value, &shares)?;
    let tolerance = tolerance.max(Decimal::ZERO);
    let mut positions = Vec::with_capacity(insurers.len());
    for (i, value) in insurers.iter().zip(values) {
        let difference = value
            .checked_sub(i.ceiling)
            .ok_or(CongruenceError::TooLarge)?;
        let allowed = tolerance
            .checked_mul(i.ceiling)
            .ok_or(CongruenceError::TooLarge)?;
        let position = if difference > allowed {
            Position::Excess
        } else if -difference > allowed {
            Position::Shortfall
        } else {
            Position::Within
        };
        positions.push(InsurerPosition {
            insurer_id: i.id,
            name: i.name.clone(),
            share: i.share,
            ceiling: i.ceiling,
            value,
            difference,
            fraction: (!i.ceiling.is_zero())
                .then(|| difference.checked_div(i.ceiling))
                .flatten(),
            position,
            flagged: position != Position::Within,
        });
    }
    let excess = positions.iter().any(|p| p.position == Position::Excess);
    let shortfall = positions.iter().any(|p| p.position == Position::Shortfall);
    for v in &mut vakgroepen {
        v.moves_with_deviation =
            (excess && v.change > Decimal::ZERO) || (shortfall && v.change < Decimal::ZERO);
    }
    Ok(Congruence {
        total_value,
        baseline_value,
        vakgroepen,
        insurers: positions,
        tolerance,
    })
}

fn sum(values: impl Iterator<Item = Decimal>) -> Result<Decimal, CongruenceError> {
    let mut total = Decimal::ZERO;
    for v in values {
        total = total.checked_add(v).ok_or(CongruenceError::TooLarge)?;
    }
    Ok(total)
}

/// `amount × share / 100` for every share but the last, which gets what is left: the parts add
/// up to `amount` exactly (the shares add up to 100, checked before).
fn split(amount: Decimal, shares: &[Decimal]) -> Result<Vec<Decimal>, CongruenceError> {
    let mut parts = Vec::with_capacity(shares.len());
    let mut given = Decimal::ZERO;
    for (k, share) in shares.iter().enumerate() {
        let part = if k + 1 == shares.len() {
            amount.checked_sub(given)
        } else {
            match amount.checked_mul(*share) {
                Some(x) => Some(x / Decimal::ONE_HUNDRED),
                None => amount.checked_mul(*share / Decimal::ONE_HUNDRED),
            }
        }
        .ok_or(CongruenceError::TooLarge)?;
        given = given.checked_add(part).ok_or(CongruenceError::TooLarge)?;
        parts.push(part);
    }
    Ok(parts)
}
