//! Monitoring the realisation (product.md D10): month by month, the realised norm hours of each
//! vakgroep against its adopted budget spread over the year, a forecast for the year, and a
//! signal when the deviation to date passes the threshold. docs/monitoring.md says the same for
//! controllers.
//!
//! # The computation
//!
//! For vakgroep v, month m (1–12) and k the last month with realisation:
//!
//! ```text
//! realised[m]   = Σp volume[p,m] × normtijd[p] / 60
//! share(m)      = cumref[m] / cumref[12]      (seasonal profile of the reference year)
//!               = m / 12                       (twelfths, without a usable reference year)
//! cumbudget[m]  = H × share(m) rounded down to 0,0001 hour,  cumbudget[12] = H exactly
//! budget[m]     = cumbudget[m] − cumbudget[m−1]
//! deviation     = cumrealised[k] − cumbudget[k]   in norm hours, ÷ normuren per fte in fte,
//!                                                 ÷ cumbudget[k] as a fraction
//! forecast      = cumrealised[k] / share(k)       (= cumrealised[12] once the year is in)
//!
//! (products are taken before quotients: H × cumref[m] / cumref[12], not H × a rounded share)
//! signal        when |deviation fraction| > threshold (default 5 %)
//! ```
//!
//! # Decisions
//!
//! - **The profile** weights the reference year's monthly volumes with this year's norm times,
//!   so that it is a profile of norm hours, the unit the budget is in. It is used when all twelve
//!   months of the reference year were imported and the vakgroep had norm hours in it; otherwise
//!   the budget is spread in twelfths, and the result says which and why
//!   ([`Profile`]). A half year of reference data would put the whole budget in six months.
//! - **Cumulative first.** The budget to date is `H × cumulative share` rounded down to
//!   ten-thousandths of an hour, and a month's budget the difference of two of those, with
//!   month 12 set to H itself: the months add up to H exactly (the remainder goes to December),
//!   each within 0,0001 hour of its exact share.
//! - **Forecast** extrapolates the realisation to date along the same profile: a vakgroep that
//!   is 7 % above its budget to date is forecast 7 % above H. Once all twelve months are in the
//!   forecast is the realisation. Without realisation, or when the profile has nothing to date
//!   (the reference year had no production in those months), there is no forecast.
//! - **Signal** on the deviation to date, not the forecast: that is measured, the forecast is an
//!   assumption. Strictly above the threshold, on the exact fraction (a displayed 5,0 % may
//!   signal when it is 5,04 %). A budget of 0 to date with realisation is always a signal.
//! - **Hospital** figures are sums over the vakgroepen (each with its own profile), so that the
//!   hospital's line is the sum of the lines shown; its fte deviation and forecast only when
//!   every vakgroep has one.
//! - **Norm times.** A realised care product without a norm time counts 0 norm hours and is
//!   listed per vakgroep, so that a gap in the norm-time list does not pass for a fall in
//!   production.
//! - Exact decimals throughout; rounding only in the texts (hours to one decimal, percentages to
//!   one decimal) and the chart's coordinates.

mod chart;
mod hospital;
mod minutes;
mod text;

#[cfg(test)]
mod tests;

pub use chart::chart_svg;
pub use text::agreement_prefill;

use rust_decimal::{Decimal, RoundingStrategy, dec};

/// Months in a budget year.
pub const MONTHS: usize = 12;

/// The default signal threshold: 5 %.
pub const DEFAULT_THRESHOLD: Decimal = dec!(0.05);

const MINUTES_PER_HOUR: Decimal = dec!(60);

/// One care product's realised and reference volumes, January first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoredProduct {
    pub product_id: i64,
    pub code: String,
    /// The budget year's norm time; `None` counts 0 norm hours and is listed.
    pub norm_minutes: Option<Decimal>,
    /// Realised volume per month of the budget year; months after `through_month` are ignored.
    pub realised: [Decimal; MONTHS],
    /// The reference year's volume per month, for the seasonal profile.
    pub reference: [Decimal; MONTHS],
}

/// One vakgroep: the adopted budget's norm hours and its products.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoredVakgroep {
    pub vakgroep_id: i64,
    pub code: String,
    /// For the texts; the code when empty.
    pub name: String,
    /// H of the adopted budget.
    pub budget_hours: Decimal,
    pub normuren_per_fte: Option<Decimal>,
    pub products: Vec<MonitoredProduct>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoringInput {
    pub year: i32,
    /// Realisation is in for months 1 up to and including this one; 0 before January is in.
    pub through_month: u8,
    /// Which months of the reference year were imported; the profile needs all twelve.
    pub reference_months: [bool; MONTHS],
    /// A fraction: 0,05 for 5 % ([`DEFAULT_THRESHOLD`]).
    pub threshold: Decimal,
    pub vakgroepen: Vec<MonitoredVakgroep>,
}

/// Why the input cannot be monitored; the message is shown as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonitoringError {
    #[error("De laatste maand met realisatie moet tussen 0 en 12 liggen (nu {0}).")]
    Month(u8),
    #[error("De drempel voor een signaal moet tussen 0 % en 100 % liggen.")]
    Threshold,
    #[error(
        "Vakgroep {0}: een normtijd, volume of begroot aantal normuren mag niet negatief zijn."
    )]
    Negative(String),
    #[error("Vakgroep {0}: de aantallen zijn te groot om mee te rekenen.")]
    TooLarge(String),
}

code_enum! {
    /// How the budget is spread over the months.
    ProfileKind {
        Reference => "referentiejaar", "Seizoenspatroon van het referentiejaar";
        Twelfths => "twaalfden", "Twaalfden";
    }
}

/// The profile a vakgroep's budget follows, and why twelfths when it is not the reference year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub kind: ProfileKind,
    pub reason: Option<String>,
    /// The cumulative share of the year at the end of each month; the last is exactly 1.
    pub cumulative_shares: [Decimal; MONTHS],
}

code_enum! {
    /// Which side of the budget a signal is on.
    Direction {
        Above => "boven", "Boven budget";
        Below => "onder", "Onder budget";
    }
}

/// A deviation from the budget: realised − budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deviation {
    pub hours: Decimal,
    /// hours ÷ normuren per fte, when known.
    pub fte: Option<Decimal>,
    /// hours ÷ budget, when the budget is not 0.
    pub fraction: Option<Decimal>,
}

/// One month of a line (a vakgroep or the hospital).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthFigures {
    /// 1–12.
    pub month: u8,
    pub budget: Decimal,
    pub cumulative_budget: Decimal,
    /// `None` for months not yet in.
    pub realised: Option<Decimal>,
    pub cumulative_realised: Option<Decimal>,
    /// Cumulative, through this month; only for months that are in.
    pub deviation: Option<Deviation>,
    /// The forecast's cumulative path, from the last month in to December.
    pub projected: Option<Decimal>,
}

/// The forecast for the year and how far it is from H.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forecast {
    pub hours: Decimal,
    pub deviation: Deviation,
}

/// A deviation to date above the threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    pub direction: Direction,
    pub through_month: u8,
    pub deviation: Deviation,
    /// One Dutch sentence with the figures.
    pub explanation: String,
}

/// The monthly figures of a vakgroep or of the hospital.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    /// "Orthopedie", or "Het ziekenhuis".
    pub label: String,
    /// H: the budget for the year.
    pub budget_hours: Decimal,
    pub months: [MonthFigures; MONTHS],
    /// The deviation through the last month in; `None` before January is in.
    pub to_date: Option<Deviation>,
    pub forecast: Option<Forecast>,
    pub signal: Option<Signal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VakgroepMonitoring {
    pub vakgroep_id: i64,
    pub code: String,
    pub normuren_per_fte: Option<Decimal>,
    pub profile: Profile,
    pub track: Track,
    /// Codes of realised care products without a norm time (counted as 0 norm hours).
    pub without_norm_time: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitoring {
    pub year: i32,
    pub through_month: u8,
    pub threshold: Decimal,
    pub vakgroepen: Vec<VakgroepMonitoring>,
    pub hospital: Track,
}

/// Monitors every vakgroep and the hospital.
pub fn monitor(input: &MonitoringInput) -> Result<Monitoring, MonitoringError> {
    if input.through_month as usize > MONTHS {
        return Err(MonitoringError::Month(input.through_month));
    }
    if input.threshold < Decimal::ZERO || input.threshold > Decimal::ONE {
        return Err(MonitoringError::Threshold);
    }
    let k = input.through_month as usize;
    let vakgroepen = input
        .vakgroepen
        .iter()
        .map(|v| vakgroep(input, v, k))
        .collect::<Result<Vec<_>, _>>()?;
    let hospital = hospital::track(input, &vakgroepen, k)?;
    Ok(Monitoring {
        year: input.year,
        through_month: input.through_month,
        threshold: input.threshold,
        vakgroepen,
        hospital,
    })
}

fn vakgroep(
    input: &MonitoringInput,
    v: &MonitoredVakgroep,
    k: usize,
) -> Result<VakgroepMonitoring, MonitoringError> {
    let negative = |x: Decimal| x.is_sign_negative() && !x.is_zero();
    let too_large = || MonitoringError::TooLarge(v.code.clone());
    if negative(v.budget_hours) {
        return Err(MonitoringError::Negative(v.code.clone()));
    }
    let minutes::Sums {
        realised: realised_minutes,
        reference: reference_minutes,
        without_norm_time,
    } = minutes::sums(v, k)?;

    let (profile, weights) = profile(input, &reference_minutes).ok_or_else(too_large)?;
    let label = if v.name.trim().is_empty() {
        v.code.clone()
    } else {
        v.name.clone()
    };
    let realised: Vec<Decimal> = realised_minutes[..k]
        .iter()
        .map(|m| m / MINUTES_PER_HOUR)
        .collect();
    let cumulative_budget = cumulative_budget(v.budget_hours, &weights).ok_or_else(too_large)?;
    let track = track(
        input,
        label,
        v.budget_hours,
        &cumulative_budget,
        &realised,
        &weights,
        v.normuren_per_fte,
    )
    .ok_or_else(too_large)?;
    Ok(VakgroepMonitoring {
        vakgroep_id: v.vakgroep_id,
        code: v.code.clone(),
        normuren_per_fte: v.normuren_per_fte,
        profile,
        track,
        without_norm_time,
    })
}

/// Cumulative weights of the months and their total: the reference year's cumulative norm
/// minutes, or 1, 2, …, 12 out of 12. Budget and forecast are computed from these as
/// `x × weight / total`, multiplying first, so that a profile whose shares do not terminate
/// (3.000 / 11.000) still gives exact figures where the figures allow it.
struct Weights {
    cumulative: [Decimal; MONTHS],
    total: Decimal,
}

impl Weights {
    /// `x × cumulative[m] / total`; month 12 is `x` itself.
    fn part(&self, x: Decimal, m: usize) -> Option<Decimal> {
        if m + 1 == MONTHS {
            return Some(x);
        }
        match x.checked_mul(self.cumulative[m]) {
            Some(product) => product.checked_div(self.total),
            None => x.checked_mul(self.cumulative[m].checked_div(self.total)?),
        }
    }

    /// `x × total / cumulative[m]`: the year from the part through month m.
    fn whole(&self, x: Decimal, m: usize) -> Option<Decimal> {
        match x.checked_mul(self.total) {
            Some(product) => product.checked_div(self.cumulative[m]),
            None => x.checked_mul(self.total.checked_div(self.cumulative[m])?),
        }
    }
}

/// The reference year's profile when it is complete and has norm hours, else twelfths with the
/// reason. `None` only when the figures are too large.
fn profile(input: &MonitoringInput, reference: &[Decimal; MONTHS]) -> Option<(Profile, Weights)> {
    let missing: Vec<&str> = (0..MONTHS)
        .filter(|&m| !input.reference_months[m])
        .map(|m| month_name(m as u8 + 1))
        .collect();
    let mut cumulative = [Decimal::ZERO; MONTHS];
    let mut running = Decimal::ZERO;
    for m in 0..MONTHS {
        running = running.checked_add(reference[m])?;
        cumulative[m] = running;
    }
    let reason = if !missing.is_empty() {
        Some(format!(
            "Het referentiejaar is niet compleet (geen productie ingelezen voor {}); het budget is in twaalfden over de maanden verdeeld.",
            missing.join(", ")
        ))
    } else if running.is_zero() {
        Some(
            "De vakgroep had in het referentiejaar geen productie met een normtijd; het budget is in twaalfden over de maanden verdeeld.".to_string(),
        )
    } else {
        None
    };
    let (kind, weights) = match reason {
        Some(_) => (
            ProfileKind::Twelfths,
            Weights {
                cumulative: std::array::from_fn(|m| Decimal::from(m + 1)),
                total: Decimal::from(MONTHS),
            },
        ),
        None => (
            ProfileKind::Reference,
            Weights {
                cumulative,
                total: running,
            },
        ),
    };
    let mut shares = [Decimal::ONE; MONTHS];
    for (m, share) in shares.iter_mut().enumerate() {
        *share = weights.part(Decimal::ONE, m)?;
    }
    let profile = Profile {
        kind,
        reason,
        cumulative_shares: shares,
    };
    Some((profile, weights))
}

/// The budget to date is kept in this many decimals of an hour: far below the hundredths shown.
pub const BUDGET_DECIMALS: u32 = 4;

/// `H × share` for each month, rounded down to [`BUDGET_DECIMALS`], December exactly H. A
/// quotient kept to its 28th digit would make the months' sum depend on the order of adding
/// (a sum of 28-digit figures is itself rounded); in ten-thousandths the months add up to H
/// exactly, each within 0,0001 hour of its exact share, and rounding down keeps every month's
/// budget at 0 or more.
fn cumulative_budget(h: Decimal, weights: &Weights) -> Option<[Decimal; MONTHS]> {
    let mut out = [h; MONTHS];
    for (m, slot) in out.iter_mut().enumerate().take(MONTHS - 1) {
        *slot = weights
            .part(h, m)?
            .round_dp_with_strategy(BUDGET_DECIMALS, RoundingStrategy::ToZero);
    }
    Some(out)
}

/// A line's months, deviation to date, forecast and signal.
fn track(
    input: &MonitoringInput,
    label: String,
    h: Decimal,
    cumulative_budget: &[Decimal; MONTHS],
    realised: &[Decimal],
    weights: &Weights,
    normuren: Option<Decimal>,
) -> Option<Track> {
    let k = realised.len();
    let mut cumulative_realised = Vec::with_capacity(k);
    let mut running = Decimal::ZERO;
    for r in realised {
        running = running.checked_add(*r)?;
        cumulative_realised.push(running);
    }
    let deviation = |actual: Decimal, budget: Decimal| -> Option<Deviation> {
        let hours = actual.checked_sub(budget)?;
        Some(Deviation {
            hours,
            fte: normuren
                .filter(|n| *n > Decimal::ZERO)
                .and_then(|n| hours.checked_div(n)),
            fraction: if budget.is_zero() {
                None
            } else {
                hours.checked_div(budget)
            },
        })
    };
    let forecast_hours = match k {
        0 => None,
        MONTHS => Some(cumulative_realised[MONTHS - 1]),
        _ if weights.cumulative[k - 1].is_zero() => None,
        _ => Some(weights.whole(cumulative_realised[k - 1], k - 1)?),
    };
    let forecast = match forecast_hours {
        Some(f) => Some(Forecast {
            hours: f,
            deviation: deviation(f, h)?,
        }),
        None => None,
    };
    let mut months = [MonthFigures {
        month: 0,
        budget: Decimal::ZERO,
        cumulative_budget: Decimal::ZERO,
        realised: None,
        cumulative_realised: None,
        deviation: None,
        projected: None,
    }; MONTHS];
    for m in 0..MONTHS {
        let previous = if m == 0 {
            Decimal::ZERO
        } else {
            cumulative_budget[m - 1]
        };
        let in_month = m < k;
        months[m] = MonthFigures {
            month: m as u8 + 1,
            budget: cumulative_budget[m].checked_sub(previous)?,
            cumulative_budget: cumulative_budget[m],
            realised: in_month.then(|| realised[m]),
            cumulative_realised: in_month.then(|| cumulative_realised[m]),
            deviation: if in_month {
                Some(deviation(cumulative_realised[m], cumulative_budget[m])?)
            } else {
                None
            },
            projected: match forecast_hours {
                Some(_) if m + 1 == k => Some(cumulative_realised[m]),
                Some(f) if m + 1 > k => Some(weights.part(f, m)?),
                _ => None,
            },
        };
    }
    let to_date = (k > 0).then(|| months[k - 1].deviation).flatten();
    let mut t = Track {
        label,
        budget_hours: h,
        months,
        to_date,
        forecast,
        signal: None,
    };
    t.signal = text::signal(&t, input.year, k as u8, input.threshold);
    Some(t)
}

/// "maart".
pub(crate) fn month_name(month: u8) -> &'static str {
    time::Month::try_from(month.clamp(1, 12))
        .map(crate::nl::month_name)
        .unwrap_or("")
}
