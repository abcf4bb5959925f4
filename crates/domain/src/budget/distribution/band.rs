//! The band: whole-cent bounds per vakgroep, the feasibility check, and the water-filling passes
//! that set vakgroepen outside their band to the nearest bound (see the module docs for why one
//! side per pass).

use super::trace::{AppliedBand, BandSource, BandTrace, Binding, BoundSide, NoBandReason};
use super::{Band, DistributionError, DistributionInput, checked_sum, pro_rata};
use rust_decimal::{Decimal, RoundingStrategy};

/// A vakgroep's bounds in whole cents, `floor ≤ cap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Limits {
    pub floor: Decimal,
    pub cap: Decimal,
}

/// Which band applies to `v`, and its bounds in euros rounded inward to whole cents.
pub(super) fn trace(
    v: &DistributionInput,
    default_band: Option<Band>,
) -> Result<BandTrace, DistributionError> {
    let (band, source) = match (v.band_override, default_band) {
        (Some(band), _) => (band, BandSource::Override),
        (None, Some(band)) => (band, BandSource::Default),
        (None, None) => return Ok(BandTrace::NotApplied(NoBandReason::NoBandSet)),
    };
    let last_year = match v.last_year {
        None => return Ok(BandTrace::NotApplied(NoBandReason::NoLastYear)),
        Some(x) if x.is_zero() => return Ok(BandTrace::NotApplied(NoBandReason::ZeroLastYear)),
        Some(x) => x,
    };
    let cents = |fraction: Decimal, strategy| {
        fraction
            .checked_mul(last_year)
            .map(|x| x.round_dp_with_strategy(2, strategy))
            .ok_or(DistributionError::TooLarge)
    };
    let floor_amount = cents(band.floor, RoundingStrategy::ToPositiveInfinity)?;
    let cap_amount = cents(band.cap, RoundingStrategy::ToNegativeInfinity)?;
    if floor_amount > cap_amount {
        // Only a band narrower than a cent gets here, e.g. 1,00–1,00 around € 0,005.
        return Err(DistributionError::BandTooNarrow {
            code: v.code.clone(),
            floor_amount,
            cap_amount,
        });
    }
    Ok(BandTrace::Applied(AppliedBand {
        band,
        source,
        floor_amount,
        cap_amount,
    }))
}

/// The outcome of the band passes, index-aligned with the vakgroepen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Filled {
    /// Exact allocations; a bound vakgroep has its bound (whole cents).
    pub exact: Vec<Decimal>,
    pub binding: Vec<Option<Binding>>,
    /// Passes that bound at least one vakgroep.
    pub iterations: u32,
    /// What is left for the free vakgroepen over their Σ u, when there are free ones with u > 0.
    pub free_ratio: Option<Decimal>,
}

/// Distributes `distributable` pro rata to `unbounded`, keeping every vakgroep with limits inside
/// them by water-filling, or says why that is impossible.
pub(super) fn fill(
    distributable: Decimal,
    unbounded: &[Decimal],
    limits: &[Option<Limits>],
    codes: &[&str],
) -> Result<Filled, DistributionError> {
    check_feasible(distributable, unbounded, limits, codes)?;
    let n = unbounded.len();
    let mut binding: Vec<Option<Binding>> = vec![None; n];
    let mut bound_sum = Decimal::ZERO;
    let mut iterations = 0u32;
    let mut current = vec![Decimal::ZERO; n];
    loop {
        let left = distributable - bound_sum;
        let free_total = checked_sum(
            (0..n)
                .filter(|&i| binding[i].is_none())
                .map(|i| unbounded[i]),
        )
        .ok_or(DistributionError::TooLarge)?;
        let mut excess = Decimal::ZERO;
        let mut shortfall = Decimal::ZERO;
        for i in (0..n).filter(|&i| binding[i].is_none()) {
            // With Σ u = 0 every free vakgroep gets 0, whatever is left: money that has nowhere
            // to go shows up as an error below, after the floors are fixed.
            current[i] = if free_total.is_zero() {
                Decimal::ZERO
            } else {
                pro_rata(left, unbounded[i], free_total)
            };
            if let Some(l) = limits[i] {
                if current[i] > l.cap {
                    excess += current[i] - l.cap;
                } else if current[i] < l.floor {
                    shortfall += l.floor - current[i];
                }
            }
        }
        if excess.is_zero() && shortfall.is_zero() {
            if free_total.is_zero() && !left.is_zero() {
                // The feasibility check rules this out; kept so a gap there cannot hand out
                // less than D.
                return Err(no_room(distributable, unbounded, limits, codes));
            }
            let free_ratio = (!free_total.is_zero()).then(|| left / free_total);
            return Ok(Filled {
                exact: current,
                binding,
                iterations,
                free_ratio,
            });
        }
        iterations += 1;
        let fix_caps = excess >= shortfall;
        let fix_floors = shortfall >= excess;
        for i in 0..n {
            let (None, Some(l)) = (binding[i], limits[i]) else {
                continue;
            };
            let side = if fix_caps && current[i] > l.cap {
                BoundSide::Cap
            } else if fix_floors && current[i] < l.floor {
                BoundSide::Floor
            } else {
                continue;
            };
            current[i] = match side {
                BoundSide::Cap => l.cap,
                BoundSide::Floor => l.floor,
            };
            bound_sum = bound_sum
                .checked_add(current[i])
                .ok_or(DistributionError::TooLarge)?;
            binding[i] = Some(Binding {
                side,
                iteration: iterations,
            });
        }
    }
}

/// Whether some allocation within the bounds adds up to D. Every vakgroep with limits gets at
/// least its floor; at most its cap if its u > 0 (its share can grow), but exactly its floor if
/// u = 0 (a share of nothing is nothing, lifted to the floor); a free vakgroep with u > 0 can take
/// any amount.
fn check_feasible(
    distributable: Decimal,
    unbounded: &[Decimal],
    limits: &[Option<Limits>],
    codes: &[&str],
) -> Result<(), DistributionError> {
    let floors =
        checked_sum(limits.iter().flatten().map(|l| l.floor)).ok_or(DistributionError::TooLarge)?;
    if floors > distributable {
        return Err(DistributionError::FloorsExceed {
            floors,
            distributable,
        });
    }
    let open_ended = unbounded
        .iter()
        .zip(limits)
        .any(|(u, l)| l.is_none() && !u.is_zero());
    if open_ended || most(unbounded, limits)? >= distributable {
        return Ok(());
    }
    Err(no_room(distributable, unbounded, limits, codes))
}

/// The most the vakgroepen with limits can take (see [`check_feasible`]).
fn most(unbounded: &[Decimal], limits: &[Option<Limits>]) -> Result<Decimal, DistributionError> {
    checked_sum(
        unbounded
            .iter()
            .zip(limits)
            .filter_map(|(u, l)| l.map(|l| if u.is_zero() { l.floor } else { l.cap })),
    )
    .ok_or(DistributionError::TooLarge)
}

/// The error for D larger than the bounds can take.
fn no_room(
    distributable: Decimal,
    unbounded: &[Decimal],
    limits: &[Option<Limits>],
    codes: &[&str],
) -> DistributionError {
    let most = match most(unbounded, limits) {
        Ok(most) => most,
        Err(e) => return e,
    };
    let free: Vec<String> = (0..codes.len())
        .filter(|&i| limits[i].is_none())
        .map(|i| codes[i].to_string())
        .collect();
    if !free.is_empty() {
        return DistributionError::NoBasisForRemainder {
            remainder: distributable - most,
            codes: free,
        };
    }
    let floor_only = (0..codes.len())
        .filter(|&i| unbounded[i].is_zero() && limits[i].is_some_and(|l| l.floor < l.cap))
        .map(|i| codes[i].to_string())
        .collect();
    DistributionError::CapsShort {
        caps: most,
        distributable,
        floor_only,
    }
}
