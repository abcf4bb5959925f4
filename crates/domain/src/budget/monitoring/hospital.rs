//! The hospital's line: the vakgroepen's lines added up month by month, so that every hospital
//! figure is the sum of the figures shown per vakgroep (each vakgroep with its own profile).

use super::{
    Deviation, Forecast, MONTHS, MonitoringError, MonitoringInput, MonthFigures, Track,
    VakgroepMonitoring, text,
};
use rust_decimal::Decimal;

/// The hospital's line: the vakgroepen's lines added up.
pub(super) fn track(
    input: &MonitoringInput,
    vakgroepen: &[VakgroepMonitoring],
    k: usize,
) -> Result<Track, MonitoringError> {
    let too_large = || MonitoringError::TooLarge("ziekenhuis".into());
    let sum = |f: &dyn Fn(&VakgroepMonitoring) -> Option<Decimal>| -> Option<Option<Decimal>> {
        let mut total = Decimal::ZERO;
        for v in vakgroepen {
            match f(v) {
                Some(x) => total = total.checked_add(x)?,
                None => return Some(None),
            }
        }
        Some(Some(total))
    };
    let h = sum(&|v| Some(v.track.budget_hours))
        .flatten()
        .ok_or_else(too_large)?;
    let mut months = [MonthFigures {
        month: 0,
        budget: Decimal::ZERO,
        cumulative_budget: Decimal::ZERO,
        realised: None,
        cumulative_realised: None,
        deviation: None,
        projected: None,
    }; MONTHS];
    for (m, slot) in months.iter_mut().enumerate() {
        let total = |f: &dyn Fn(&MonthFigures) -> Option<Decimal>| {
            sum(&|v| f(&v.track.months[m])).ok_or_else(too_large)
        };
        let budget = total(&|x| Some(x.budget))?.unwrap_or_default();
        let cumulative_budget = total(&|x| Some(x.cumulative_budget))?.unwrap_or_default();
        let in_month = m < k;
        let cumulative_realised = if in_month {
            total(&|x| x.cumulative_realised)?
        } else {
            None
        };
        let deviation = match cumulative_realised {
            Some(actual) => {
                let hours = actual
                    .checked_sub(cumulative_budget)
                    .ok_or_else(too_large)?;
                Some(Deviation {
                    hours,
                    fte: total(&|x| x.deviation.and_then(|d| d.fte))?,
                    fraction: (!cumulative_budget.is_zero())
                        .then(|| hours.checked_div(cumulative_budget))
                        .flatten(),
                })
            }
            None => None,
        };
        *slot = MonthFigures {
            month: m as u8 + 1,
            budget,
            cumulative_budget,
            realised: if in_month {
                total(&|x| x.realised)?
            } else {
                None
            },
            cumulative_realised,
            deviation,
            projected: total(&|x| x.projected)?,
        };
    }
    let forecast = match sum(&|v| v.track.forecast.map(|f| f.hours)).ok_or_else(too_large)? {
        Some(f) if !vakgroepen.is_empty() => {
            let hours = f.checked_sub(h).ok_or_else(too_large)?;
            Some(Forecast {
                hours: f,
                deviation: Deviation {
                    hours,
                    fte: sum(&|v| v.track.forecast.and_then(|f| f.deviation.fte))
                        .ok_or_else(too_large)?,
                    fraction: (!h.is_zero()).then(|| hours.checked_div(h)).flatten(),
                },
            })
        }
        _ => None,
    };
    let to_date = (k > 0).then(|| months[k - 1].deviation).flatten();
    let mut t = Track {
        label: "Het ziekenhuis".to_string(),
        budget_hours: h,
        months,
        to_date,
        forecast,
        signal: None,
    };
    t.signal = text::signal(&t, input.year, k as u8, input.threshold);
    Ok(t)
}
