//! Monitoring (B3): KPIs with dated measurements, a traffic light per KPI and per agreement, and
//! a small SVG sparkline of the measurements. Decimal arithmetic throughout: these numbers end up
//! in board minutes, and a light must never flip because of binary rounding.

use super::kinds::AgreementStatus;
use crate::nl;
use rust_decimal::{Decimal, RoundingStrategy, dec};
use time::Date;

code_enum! {
    /// Which way a KPI improves.
    Direction {
        HigherIsBetter => "hoger_beter", "Hoger is beter";
        LowerIsBetter => "lager_beter", "Lager is beter";
    }
}

impl Direction {
    /// Whether `value` is at least as good as `reference`.
    pub fn at_least_as_good(self, value: Decimal, reference: Decimal) -> bool {
        match self {
            Direction::HigherIsBetter => value >= reference,
            Direction::LowerIsBetter => value <= reference,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kpi {
    pub unit: String,
    pub direction: Direction,
    pub baseline: Decimal,
    pub target: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measurement {
    pub on: Date,
    pub value: Decimal,
}

code_enum! {
    /// The light shown next to a KPI or an agreement. Labels are lower case because they read
    /// inside sentences ("3 afspraken uit koers").
    TrafficLight {
        OnTrack => "groen", "op koers";
        AtRisk => "oranje", "risico";
        OffTrack => "rood", "uit koers";
        NoData => "geen", "geen meting";
    }
}

impl TrafficLight {
    /// Rank when lights are combined. A KPI without a measurement keeps an agreement from showing
    /// green (nobody can claim to be on course on what is not measured), but is no judgement of
    /// risk, so it ranks between green and orange.
    pub fn severity(self) -> u8 {
        match self {
            TrafficLight::OnTrack => 0,
            TrafficLight::NoData => 1,
            TrafficLight::AtRisk => 2,
            TrafficLight::OffTrack => 3,
        }
    }

    /// The most severe light, or `None` for no lights at all.
    pub fn worst(lights: &[TrafficLight]) -> Option<TrafficLight> {
        lights.iter().copied().max_by_key(|l| l.severity())
    }
}

/// A light with its explanation, a short Dutch phrase for a tooltip or a table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub light: TrafficLight,
    pub reason: String,
}

/// Progress may lag the elapsed share of time by this much and still be on course.
pub const ON_TRACK_MARGIN: Decimal = dec!(0.10);
/// Beyond [`ON_TRACK_MARGIN`] and up to this lag the KPI is at risk; further behind it is off.
pub const AT_RISK_MARGIN: Decimal = dec!(0.30);
/// Without a due date there is no pace to compare with: half way to the target counts as on course.
pub const NO_DUE_ON_TRACK: Decimal = dec!(0.5);

/// The measurement that counts: the latest by date, whatever the slice order. Two measurements on
/// one day are a data-entry slip; the worse one counts, so a duplicate never hides a bad reading.
pub fn last_measurement(direction: Direction, measurements: &[Measurement]) -> Option<Measurement> {
    measurements.iter().copied().max_by(|a, b| {
        a.on.cmp(&b.on).then_with(|| match direction {
            Direction::HigherIsBetter => b.value.cmp(&a.value),
            Direction::LowerIsBetter => a.value.cmp(&b.value),
        })
    })
}

/// Share of the way from baseline to target, `(last − baseline) / (target − baseline)`: 0 at the
/// baseline, 1 at the target, negative when worse than the baseline. `None` when the target is
/// not an improvement on the baseline (a level to hold, or a ceiling) or the numbers overflow.
pub fn progress(kpi: &Kpi, value: Decimal) -> Option<Decimal> {
    if kpi.target == kpi.baseline || !kpi.direction.at_least_as_good(kpi.target, kpi.baseline) {
        return None;
    }
    let gap = kpi.target.checked_sub(kpi.baseline)?;
    value.checked_sub(kpi.baseline)?.checked_div(gap)
}

/// The light of one KPI, from its last measurement, its target and the due date:
///
/// 1. no measurements → `NoData` ("nog geen meting");
/// 2. the last measurement is at least as good as the target (in the KPI's direction) → `OnTrack`;
/// 3. today is after the due date and the target is not reached → `OffTrack`;
/// 4. the target is no improvement on the baseline (a level to hold) and is not met → `AtRisk`;
/// 5. with a due date, progress is compared with the share of time elapsed between the first
///    measurement and the due date: progress ≥ elapsed − 0,10 → `OnTrack`, ≥ elapsed − 0,30 →
///    `AtRisk`, else `OffTrack`;
/// 6. without a due date: progress ≥ 0,5 → `OnTrack`, else `AtRisk`.
///
/// The due date itself still counts as in time.
pub fn kpi_light(
    kpi: &Kpi,
    measurements: &[Measurement],
    due: Option<Date>,
    today: Date,
) -> Assessment {
    let assess = |light, reason: String| Assessment { light, reason };
    let Some(last) = last_measurement(kpi.direction, measurements) else {
        return assess(TrafficLight::NoData, "nog geen meting".to_string());
    };
    if kpi.direction.at_least_as_good(last.value, kpi.target) {
        return assess(
            TrafficLight::OnTrack,
            format!("doel gehaald op {}", nl::date(last.on)),
        );
    }
    if let Some(due) = due
        && today > due
    {
        return assess(
            TrafficLight::OffTrack,
            format!("einddatum {} verstreken, doel niet gehaald", nl::date(due)),
        );
    }
    let gap = gap_text(kpi, last.value);
    let when = match due {
        None => "geen einddatum".to_string(),
        Some(due) => match (due - today).whole_days() {
            0 => "einddatum is vandaag".to_string(),
            1 => "1 dag voor de einddatum".to_string(),
            n => format!("{n} dagen voor de einddatum"),
        },
    };
    let Some(progress) = progress(kpi, last.value) else {
        return assess(TrafficLight::AtRisk, format!("{gap}, {when}"));
    };
    let shown = progress
        .checked_mul(dec!(100))
        .map_or_else(|| "buiten bereik".to_string(), nl::percent);
    let Some(due) = due else {
        let light = if progress >= NO_DUE_ON_TRACK {
            TrafficLight::OnTrack
        } else {
            TrafficLight::AtRisk
        };
        return assess(light, format!("{gap}, {when} (voortgang {shown})"));
    };
    let start = measurements.iter().map(|m| m.on).min().unwrap_or(last.on);
    let elapsed = elapsed_share(start, due, today);
    let light = if progress >= elapsed - ON_TRACK_MARGIN {
        TrafficLight::OnTrack
    } else if progress >= elapsed - AT_RISK_MARGIN {
        TrafficLight::AtRisk
    } else {
        TrafficLight::OffTrack
    };
    let elapsed = nl::percent(elapsed * dec!(100));
    assess(
        light,
        format!("{gap}, {when} (voortgang {shown} bij {elapsed} van de looptijd)"),
    )
}

/// Share (0–1) of the time from `start` to `due` that has passed on `today`. A due date on or
/// before the start leaves no time at all, so everything has elapsed.
fn elapsed_share(start: Date, due: Date, today: Date) -> Decimal {
    let total = (due - start).whole_days();
    if total <= 0 {
        return Decimal::ONE;
    }
    let passed = (today - start).whole_days().clamp(0, total);
    Decimal::from(passed) / Decimal::from(total)
}

/// "laatste meting 12,0 % onder doel": relative to the target, or in the KPI's unit when the
/// target is zero (a percentage of zero means nothing).
fn gap_text(kpi: &Kpi, last: Decimal) -> String {
    let side = if last < kpi.target { "onder" } else { "boven" };
    let Some(diff) = last.checked_sub(kpi.target).map(|d| d.abs()) else {
        return format!("laatste meting {} {}", nl::number(last, 1), kpi.unit)
            .trim_end()
            .to_string();
    };
    let relative = diff
        .checked_div(kpi.target.abs())
        .and_then(|r| r.checked_mul(dec!(100)));
    match relative {
        Some(pct) if !kpi.target.is_zero() => {
            format!("laatste meting {} {side} doel", nl::percent(pct))
        }
        _ => {
            let unit = if kpi.unit.trim().is_empty() {
                String::new()
            } else {
                format!(" {}", kpi.unit.trim())
            };
            format!("laatste meting {}{unit} {side} doel", nl::number(diff, 1))
        }
    }
}

/// The light of an agreement, from the lights of its KPIs, its status and its due date:
/// realised is green, not honoured red and withdrawn grey whatever the KPIs say; for an open
/// agreement the worst KPI light counts (a KPI light already weighs the due date). An open
/// agreement past its due date without any measured KPI is red; one not yet due is green without
/// KPIs and grey ("geen meting") when its KPIs have no measurements yet.
pub fn agreement_light(
    kpi_lights: &[TrafficLight],
    status: AgreementStatus,
    due: Option<Date>,
    today: Date,
) -> TrafficLight {
    match status {
        AgreementStatus::Gerealiseerd => return TrafficLight::OnTrack,
        AgreementStatus::NietNagekomen => return TrafficLight::OffTrack,
        AgreementStatus::Vervallen => return TrafficLight::NoData,
        AgreementStatus::Voorgesteld
        | AgreementStatus::Vastgesteld
        | AgreementStatus::InUitvoering => {}
    }
    let past_due = due.is_some_and(|d| today > d);
    match TrafficLight::worst(kpi_lights) {
        None | Some(TrafficLight::NoData) if past_due => TrafficLight::OffTrack,
        None => TrafficLight::OnTrack,
        Some(light) => light,
    }
}

/// A small line chart of the measurements in date order, as an inline SVG. Styling comes from the
/// classes `sparkline`, `sparkline-lijn` (the polyline), `sparkline-punt` (the latest value) and
/// `sparkline-leeg` (no measurements): the CSP forbids inline styles. Coordinates are rounded to
/// one decimal; x follows the dates, y spans the lowest to the highest value.
pub fn sparkline(measurements: &[Measurement], width: u32, height: u32) -> String {
    let (w, h) = (width.max(1), height.max(1));
    let mut points = measurements.to_vec();
    points.sort_by(|a, b| a.on.cmp(&b.on).then(a.value.cmp(&b.value)));
    let open = |class: &str, label: &str| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{class}\" width=\"{w}\" \
             height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{label}\">"
        )
    };
    let (Some(first), Some(last)) = (points.first().copied(), points.last().copied()) else {
        let mid = coord(Decimal::from(h) / dec!(2));
        return format!(
            "{}<line class=\"sparkline-leeg\" x1=\"0\" y1=\"{mid}\" x2=\"{w}\" y2=\"{mid}\"/></svg>",
            open("sparkline sparkline-leeg", "Nog geen metingen")
        );
    };
    let pad = if w > 8 && h > 8 {
        dec!(2)
    } else {
        Decimal::ZERO
    };
    let inner_w = Decimal::from(w) - pad * dec!(2);
    let inner_h = Decimal::from(h) - pad * dec!(2);
    let span = (last.on - first.on).whole_days();
    let n = points.len();
    let low = points.iter().map(|m| m.value).min().unwrap_or(first.value);
    let high = points.iter().map(|m| m.value).max().unwrap_or(first.value);
    let range = high.checked_sub(low).filter(|r| !r.is_zero());
    let xy: Vec<(Decimal, Decimal)> = points
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let share = if span > 0 {
                Decimal::from((m.on - first.on).whole_days()) / Decimal::from(span)
            } else if n > 1 {
                Decimal::from(i) / Decimal::from(n - 1)
            } else {
                dec!(0.5)
            };
            let height_share = range
                .and_then(|r| high.checked_sub(m.value)?.checked_div(r))
                .unwrap_or(dec!(0.5));
            (pad + share * inner_w, pad + height_share * inner_h)
        })
        .collect();
    let list: Vec<String> = xy
        .iter()
        .map(|&(x, y)| format!("{},{}", coord(x), coord(y)))
        .collect();
    let label = if n == 1 {
        format!("1 meting: {}", nl::number(first.value, 1))
    } else {
        format!(
            "Verloop van {n} metingen, van {} tot {}",
            nl::number(first.value, 1),
            nl::number(last.value, 1)
        )
    };
    let (lx, ly) = xy[n - 1];
    format!(
        "{}<polyline class=\"sparkline-lijn\" points=\"{}\"/>\
         <circle class=\"sparkline-punt\" cx=\"{}\" cy=\"{}\" r=\"2\"/></svg>",
        open("sparkline", &label),
        list.join(" "),
        coord(lx),
        coord(ly)
    )
}

/// SVG wants a decimal point, not the Dutch comma.
fn coord(value: Decimal) -> String {
    value
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
        .to_string()
}

#[cfg(test)]
mod tests;
