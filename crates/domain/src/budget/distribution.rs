//! Financial frame and distribution (product.md D6): the fee budget M split over the vakgroepen
//! into a fixed component per formative fte and a capacity component pro rata to norm-fte, with
//! the earmarked passende-zorg shares of variant 3 beside them, an optional band around last
//! year's allocation, and whole cents that add up exactly. docs/distribution.md says the same for
//! readers who do not read Rust.
//!
//! # The computation
//!
//! ```text
//! E        = Σ earmark[v]                      (variant-3 shares, whole cents, from the engine)
//! D        = M                when the earmark comes on top of M
//!          = M − E            when it comes out of M
//! fixed[v] = φ × D × formatief[v] / Σ formatief
//! cap.[v]  = (1 − φ) × D × F[v] / Σ F
//! u[v]     = fixed[v] + cap.[v]                (the unbounded allocation)
//! a[v]     = u[v], or the band's water-filling of u (below)
//! a¢[v]    = a[v] in whole cents by largest remainder, Σ a¢ = D exactly
//! total[v] = a¢[v] + earmark[v]                (Σ = M + E on top, M out of M)
//! ```
//!
//! # Decisions
//!
//! - **What the band moves.** The band compares the allocation from D (fixed + capacity) with last
//!   year's allocation. The earmarked share is ring-fenced: it has its own grondslag and purpose
//!   and is never clamped, so a band cannot take passende-zorg money away or hand it to others.
//! - **Which band.** A vakgroep's override, else the year's default band. Without either, or
//!   without an allocation last year (none, or € 0,00: a band around nothing would pin it to
//!   nothing), the vakgroep is free, and its trace says why.
//! - **Whole-cent bounds.** `floor × last year` is rounded up and `cap × last year` down to whole
//!   cents before anything is distributed. A value between two whole-cent bounds rounds (up or
//!   down) to a value still between them, so every vakgroep that has a band ends inside it after
//!   the cents step, and a vakgroep set to a bound gets exactly that bound.
//! - **Band iteration (water-filling).** At each pass the vakgroepen not yet bound share what is
//!   left pro rata to their unbounded allocation, at the common ratio t = left / Σ u. With E_cap
//!   the total excess of those above their cap and E_floor the total shortfall of those below
//!   their floor, only one side is fixed per pass: the caps when E_cap > E_floor, the floors when
//!   E_floor > E_cap, both when equal. When E_cap > E_floor the free vakgroepen together hold
//!   less than what is left once clamped, so the final ratio t* is above t and whoever is above
//!   its cap now stays above it: fixing it is never wrong (and symmetrically for floors). Fixing
//!   both sides at once, as a naive loop does, can pin a vakgroep at a floor it would have left
//!   once the caps' excess came back. Each pass fixes at least one vakgroep, so there are at most
//!   as many passes as vakgroepen; the result is the unique allocation in which every free
//!   vakgroep has the same ratio to its unbounded allocation and every bound one sits at the
//!   bound that ratio pushes it past.
//! - **Infeasible is an error, not a partial result.** Floors adding up to more than D, bounds
//!   that cannot take all of D, money left for free vakgroepen whose unbounded allocation is 0,
//!   a vakgroep without norm-fte, an earmark larger than the M it comes out of, negative inputs,
//!   φ outside 0–1, a floor above its cap: [`distribute`] returns a [`DistributionError`] whose
//!   Dutch message names the figures and vakgroepen, and nothing is distributed. A partial
//!   distribution would look like a budget and is not one.
//! - **Cents.** Allocations are rounded down to cents and the cents left go one each to the
//!   largest remainders; ties go to the vakgroep whose code sorts first. The vakgroepen are put
//!   in code order before anything else, so the result does not depend on the order of the
//!   input (which follows whatever the page or the database returned). `largest_remainder` in
//!   `variants.rs` is not reused: it recomputes the quotients it rounds, and the band guarantee
//!   needs the very quotients that were checked against the band to be the ones rounded.
//! - **Exact figures.** Everything is `rust_decimal`, with checked arithmetic where a figure is a
//!   product of inputs; the only rounding before the cents is a quotient's 28th digit. The trace
//!   keeps exact decimals; [`explain`] turns one vakgroep's trace into Dutch lines.
//! - **Units.** M and the earmarked shares are whole cents (so that D is, and the cents can add up
//!   to it); φ and band fractions are fractions (0,20 for 20 %); last year's allocation may have
//!   any precision, the bounds are rounded inward anyway.

mod band;
mod error;
mod form;
mod rounding;
mod trace;

#[cfg(test)]
mod tests;

pub use error::{DistributionError, Figure};
pub use form::{BandOverrideDraft, BandOverrideForm, PlacementDraft, PlacementForm};
pub use trace::{
    AppliedBand, BandSource, BandTrace, Binding, BoundSide, Distribution, NoBandReason,
    VakgroepAllocation, explain,
};

use super::result::BudgetResult;
use super::scenario::PzVariant;
use band::Limits;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

code_enum! {
    /// Where the earmarked passende-zorg amount of variant 3 comes from.
    EarmarkPlacement {
        /// On top of M: D = M, and everything handed out adds up to M + the earmarked amount.
        OnTop => "boven_op", "Bovenop het honorariumbudget";
        /// Out of M: D = M − the earmarked amount, and everything handed out adds up to M.
        OutOfBudget => "binnen_budget", "Uit het honorariumbudget";
    }
}

/// A band around last year's allocation, as fractions: `floor` 0,90 and `cap` 1,15 allow 90 % to
/// 115 %. Checked by [`distribute`] (and [`Band::new`]): both at least 0, floor not above cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    pub floor: Decimal,
    pub cap: Decimal,
}

impl Band {
    /// A checked band; the error speaks of "de standaardband".
    pub fn new(floor: Decimal, cap: Decimal) -> Result<Band, DistributionError> {
        let band = Band { floor, cap };
        band.check(None)?;
        Ok(band)
    }

    /// `owner` is the vakgroep whose override this is, `None` for the default band.
    fn check(self, owner: Option<&str>) -> Result<(), DistributionError> {
        let owner = owner.map(str::to_string);
        if is_negative(self.floor) || is_negative(self.cap) {
            return Err(DistributionError::NegativeBand { owner, band: self });
        }
        if self.floor > self.cap {
            return Err(DistributionError::FloorAboveCap { owner, band: self });
        }
        Ok(())
    }
}

/// The year's financial frame: what there is to distribute and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// M, in euros, whole cents.
    pub fee_budget: Decimal,
    /// φ: the share of D handed out as an equal amount per formative fte, 0 to 1.
    pub fixed_share: Decimal,
    /// The band for every vakgroep without an override; `None` for no band.
    pub default_band: Option<Band>,
    pub placement: EarmarkPlacement,
}

/// Why a scenario's year has no frame to distribute, so that the page says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoFrame {
    #[error(
        "Er zijn nog geen instellingen voor {0}; vul onder Stamgegevens het honorariumbudget in. Er is niets verdeeld."
    )]
    NoSettings(i16),
    #[error(
        "Het honorariumbudget voor {0} is nog niet ingevuld (Stamgegevens › Instellingen); er is niets verdeeld."
    )]
    NoFeeBudget(i16),
}

impl Frame {
    /// The frame of a year's settings (`budget_year`): M and φ, and the default band. The year's
    /// form allows leaving either bound empty: no floor is a floor of 0 (exactly the same, as no
    /// allocation is below 0); a floor without a cap is no band, since a band must say how far
    /// a vakgroep may rise, and [`Frame::band_incomplete`] tells the page to say so.
    pub fn from_settings(
        year: i16,
        fee_budget: Option<Decimal>,
        fixed_share: Decimal,
        band: (Option<Decimal>, Option<Decimal>),
        placement: EarmarkPlacement,
    ) -> Result<Frame, NoFrame> {
        let fee_budget = fee_budget.ok_or(NoFrame::NoFeeBudget(year))?;
        let default_band = match band {
            (floor, Some(cap)) => Some(Band {
                floor: floor.unwrap_or(Decimal::ZERO),
                cap,
            }),
            (_, None) => None,
        };
        Ok(Frame {
            fee_budget,
            fixed_share,
            default_band,
            placement,
        })
    }

    /// Whether a year's band has a floor but no cap, and so does not apply.
    pub fn band_incomplete(band: (Option<Decimal>, Option<Decimal>)) -> bool {
        band.0.is_some() && band.1.is_none()
    }
}

/// What the distribution needs about one vakgroep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributionInput {
    pub vakgroep_id: i64,
    /// Unique; orders the vakgroepen and breaks ties in the cents.
    pub code: String,
    pub formatief_fte: Decimal,
    /// F; `None` when the engine could not compute it, which stops the distribution.
    pub norm_fte: Option<Decimal>,
    /// The vakgroep's variant-3 share in euros, whole cents; 0 outside variant 3.
    pub earmark: Decimal,
    /// Last year's allocation from the fee budget (without earmark), in euros.
    pub last_year: Option<Decimal>,
    /// A band for this vakgroep instead of the default band.
    pub band_override: Option<Band>,
}

/// The inputs for [`distribute`] from the engine's result: formative fte, norm-fte and earmarked
/// share per vakgroep, with last year's allocation and band overrides by vakgroep id. Refuses
/// when a variant-3 vakgroep has no earmarked share (the engine reported why): D would silently
/// be wrong by the whole earmarked amount.
pub fn inputs_from(
    result: &BudgetResult,
    last_year: &HashMap<i64, Decimal>,
    overrides: &HashMap<i64, Band>,
) -> Result<Vec<DistributionInput>, DistributionError> {
    let missing: Vec<String> = result
        .vakgroepen
        .iter()
        .filter(|v| v.variant == PzVariant::Geoormerkt && v.earmark.is_none())
        .map(|v| v.code.clone())
        .collect();
    if !missing.is_empty() {
        return Err(DistributionError::EarmarkNotDistributed(missing));
    }
    Ok(result
        .vakgroepen
        .iter()
        .map(|v| DistributionInput {
            vakgroep_id: v.vakgroep_id,
            code: v.code.clone(),
            formatief_fte: v.formatief_fte,
            norm_fte: v.fte.map(|f| f.norm_fte),
            earmark: v.earmark.map_or(Decimal::ZERO, |e| e.amount),
            last_year: last_year.get(&v.vakgroep_id).copied(),
            band_override: overrides.get(&v.vakgroep_id).copied(),
        })
        .collect())
}

/// Distributes the frame over the vakgroepen. The result lists the vakgroepen in code order;
/// on any error nothing is distributed and the error says why in Dutch.
pub fn distribute(
    frame: &Frame,
    inputs: &[DistributionInput],
) -> Result<Distribution, DistributionError> {
    check_frame(frame)?;
    let vakgroepen = in_code_order(inputs)?;
    let norm_fte = check_inputs(&vakgroepen)?;
    let too_large = || DistributionError::TooLarge;

    let earmark_total = checked_sum(vakgroepen.iter().map(|v| v.earmark)).ok_or_else(too_large)?;
    let distributable = match frame.placement {
        EarmarkPlacement::OnTop => frame.fee_budget,
        EarmarkPlacement::OutOfBudget if earmark_total > frame.fee_budget => {
            return Err(DistributionError::EarmarkExceedsBudget {
                budget: frame.fee_budget,
                earmark: earmark_total,
            });
        }
        EarmarkPlacement::OutOfBudget => frame.fee_budget - earmark_total,
    };
    // D must be countable in cents for the last step; checking it here also keeps every sum of
    // allocations below (each at most about D) far from the largest decimal.
    distributable
        .checked_mul(Decimal::ONE_HUNDRED)
        .ok_or_else(too_large)?;
    // φ ≤ 1, so this cannot overflow; the capacity component is the rest, so that the two add up
    // to D exactly even if φ × D had to be rounded at the 28th digit.
    let fixed_component = frame
        .fixed_share
        .checked_mul(distributable)
        .ok_or_else(too_large)?;
    let capacity_component = distributable - fixed_component;
    let formatief_total =
        checked_sum(vakgroepen.iter().map(|v| v.formatief_fte)).ok_or_else(too_large)?;
    let norm_fte_total = checked_sum(norm_fte.iter().copied()).ok_or_else(too_large)?;
    if fixed_component > Decimal::ZERO && formatief_total.is_zero() {
        return Err(DistributionError::NoFormatiefFte(fixed_component));
    }
    if capacity_component > Decimal::ZERO && norm_fte_total.is_zero() {
        return Err(DistributionError::NoNormFte(capacity_component));
    }

    let mut fixed = Vec::with_capacity(vakgroepen.len());
    let mut capacity = Vec::with_capacity(vakgroepen.len());
    let mut unbounded = Vec::with_capacity(vakgroepen.len());
    for (v, f) in vakgroepen.iter().zip(&norm_fte) {
        let x = pro_rata(fixed_component, v.formatief_fte, formatief_total);
        let c = pro_rata(capacity_component, *f, norm_fte_total);
        unbounded.push(x.checked_add(c).ok_or_else(too_large)?);
        fixed.push(x);
        capacity.push(c);
    }

    let bands = vakgroepen
        .iter()
        .map(|v| band::trace(v, frame.default_band))
        .collect::<Result<Vec<_>, _>>()?;
    let limits: Vec<Option<Limits>> = bands.iter().map(BandTrace::limits).collect();
    let codes: Vec<&str> = vakgroepen.iter().map(|v| v.code.as_str()).collect();
    let filled = band::fill(distributable, &unbounded, &limits, &codes)?;
    let rounded = rounding::to_cents(&filled.exact, distributable).ok_or_else(too_large)?;

    let mut allocations = Vec::with_capacity(vakgroepen.len());
    for (i, v) in vakgroepen.iter().enumerate() {
        let exact = filled.exact[i];
        let allocation = rounded[i];
        allocations.push(VakgroepAllocation {
            vakgroep_id: v.vakgroep_id,
            code: v.code.clone(),
            formatief_fte: v.formatief_fte,
            fixed_part: fixed[i],
            norm_fte: norm_fte[i],
            capacity_part: capacity[i],
            unbounded: unbounded[i],
            last_year: v.last_year,
            band: bands[i],
            binding: filled.binding[i],
            redistributed: exact - unbounded[i],
            exact,
            allocation,
            cents_adjustment: allocation - exact,
            earmark: v.earmark,
            total: allocation.checked_add(v.earmark).ok_or_else(too_large)?,
        });
    }
    let allocated = checked_sum(rounded.iter().copied()).ok_or_else(too_large)?;
    let total = checked_sum(allocations.iter().map(|a| a.total)).ok_or_else(too_large)?;
    Ok(Distribution {
        fee_budget: frame.fee_budget,
        placement: frame.placement,
        earmark_total,
        distributable,
        fixed_share: frame.fixed_share,
        fixed_component,
        capacity_component,
        formatief_total,
        norm_fte_total,
        iterations: filled.iterations,
        free_ratio: filled.free_ratio,
        allocated,
        total,
        vakgroepen: allocations,
    })
}

fn check_frame(frame: &Frame) -> Result<(), DistributionError> {
    if is_negative(frame.fee_budget) {
        return Err(DistributionError::NegativeBudget(frame.fee_budget));
    }
    if !is_whole_cents(frame.fee_budget) {
        return Err(DistributionError::BudgetNotCents(frame.fee_budget));
    }
    if is_negative(frame.fixed_share) || frame.fixed_share > Decimal::ONE {
        return Err(DistributionError::FixedShareOutOfRange(frame.fixed_share));
    }
    if let Some(band) = frame.default_band {
        band.check(None)?;
    }
    Ok(())
}

/// The inputs sorted by code; duplicate codes would make the tie-break ambiguous.
fn in_code_order(
    inputs: &[DistributionInput],
) -> Result<Vec<&DistributionInput>, DistributionError> {
    if inputs.is_empty() {
        return Err(DistributionError::NoVakgroepen);
    }
    let mut sorted: Vec<&DistributionInput> = inputs.iter().collect();
    sorted.sort_by(|a, b| a.code.cmp(&b.code));
    if let Some(pair) = sorted.windows(2).find(|w| w[0].code == w[1].code) {
        return Err(DistributionError::DuplicateCode(pair[0].code.clone()));
    }
    Ok(sorted)
}

/// Checks every vakgroep in code order (so the first problem reported does not depend on the
/// input order) and returns the norm-fte of each.
fn check_inputs(vakgroepen: &[&DistributionInput]) -> Result<Vec<Decimal>, DistributionError> {
    let mut norm_fte = Vec::with_capacity(vakgroepen.len());
    let mut missing = Vec::new();
    for v in vakgroepen {
        let negative = |figure: Figure, value: Decimal| DistributionError::NegativeInput {
            code: v.code.clone(),
            figure,
            value,
        };
        let figures = [
            (Figure::FormatiefFte, Some(v.formatief_fte)),
            (Figure::NormFte, v.norm_fte),
            (Figure::Earmark, Some(v.earmark)),
            (Figure::LastYear, v.last_year),
        ];
        for (figure, value) in figures {
            if let Some(value) = value.filter(|x| is_negative(*x)) {
                return Err(negative(figure, value));
            }
        }
        if !is_whole_cents(v.earmark) {
            return Err(DistributionError::EarmarkNotCents {
                code: v.code.clone(),
                value: v.earmark,
            });
        }
        if let Some(band) = v.band_override {
            band.check(Some(&v.code))?;
        }
        match v.norm_fte {
            Some(f) => norm_fte.push(f),
            None => missing.push(v.code.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(DistributionError::MissingNormFte(missing));
    }
    Ok(norm_fte)
}

fn is_negative(x: Decimal) -> bool {
    x.is_sign_negative() && !x.is_zero()
}

fn is_whole_cents(x: Decimal) -> bool {
    x.normalize().scale() <= 2
}

fn checked_sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |sum, v| sum.checked_add(v))
}

/// `amount × weight / total` with `0 ≤ weight ≤ total`; 0 when there is nothing to share, and
/// the amount itself for the whole of it. Otherwise exact when the product fits in a decimal, or
/// through the share `weight / total` (at most 1, so it cannot overflow); either way the quotient
/// is rounded at the 28th digit, which the cents absorb. The whole is handled apart because that
/// rounding would otherwise make a sole sharer's part depend on the digits of its weight, so that
/// more norm-fte could give a smaller part.
fn pro_rata(amount: Decimal, weight: Decimal, total: Decimal) -> Decimal {
    if amount.is_zero() || weight.is_zero() {
        return Decimal::ZERO;
    }
    if weight == total {
        return amount;
    }
    match amount.checked_mul(weight) {
        Some(product) => product / total,
        None => amount * (weight / total),
    }
}
