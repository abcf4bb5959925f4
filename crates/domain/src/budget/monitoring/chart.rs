//! A line chart of a vakgroep's (or the hospital's) cumulative norm hours per month: the budget,
//! the realisation to date, and the forecast from the last month in to December, over a grey
//! margin of ± the threshold around the budget.
//!
//! Accessible like the 7S radar chart (F6): `role="img"` named by its `<title>` and described by
//! a `<desc>` with every figure; each line has its own dash pattern and marker (circle, square,
//! triangle) next to its name in the legend, so colour is never needed; text is escaped; ids
//! carry a caller-chosen prefix. Coordinates are integers in tenths of a unit computed in
//! decimals: the same figures give the same bytes on every machine. The table with the same
//! figures is the template's job.

use super::{MONTHS, Track, text::hours};
use crate::nl;
use crate::selfassessment::chart::escape;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::fmt::Write;

const WIDTH: i64 = 640;
/// The plot area in tenths of a unit.
const LEFT: i64 = 800;
const RIGHT: i64 = 6000;
const TOP: i64 = 200;
const BOTTOM: i64 = 2600;
const LEGEND_TOP: i64 = 310;
const LEGEND_ROW: i64 = 22;

const MONTH_ABBREVIATIONS: [&str; MONTHS] = [
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];

#[derive(Clone, Copy)]
enum Marker {
    Circle,
    Square,
    Triangle,
}

struct Style {
    name: &'static str,
    colour: &'static str,
    dash: Option<&'static str>,
    marker: Marker,
}

const BUDGET: Style = Style {
    name: "Budget (cumulatief)",
    colour: "#1f4e79",
    dash: None,
    marker: Marker::Circle,
};
const REALISED: Style = Style {
    name: "Realisatie (cumulatief)",
    colour: "#a0410d",
    dash: Some("8 4"),
    marker: Marker::Square,
};
const FORECAST: Style = Style {
    name: "Prognose (cumulatief)",
    colour: "#2e6b30",
    dash: Some("2 3"),
    marker: Marker::Triangle,
};

/// A coordinate in tenths, written with at most one decimal.
fn t(tenths: i64) -> String {
    let sign = if tenths < 0 { "-" } else { "" };
    let (whole, tenth) = (tenths.abs() / 10, tenths.abs() % 10);
    if tenth == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{tenth}")
    }
}

fn x_of(month: usize) -> i64 {
    LEFT + (RIGHT - LEFT) * (month as i64 - 1) / (MONTHS as i64 - 1)
}

/// The top of the scale and the step between gridlines: 1, 2 or 5 times a power of ten, about
/// five steps. Decimal arithmetic, no floating point.
fn scale(max: Decimal) -> (Decimal, Decimal) {
    if max < Decimal::ONE {
        return (Decimal::ONE, Decimal::new(2, 1));
    }
    let target = max / Decimal::from(5);
    let ten = Decimal::TEN;
    let mut p = Decimal::ONE;
    while p.checked_mul(ten).is_some_and(|q| q <= target) {
        p *= ten;
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m| p * Decimal::from(m))
        .find(|s| *s >= target)
        .unwrap_or(p * ten);
    let top = (max / step).ceil() * step;
    (top, step)
}

fn y_of(value: Decimal, top: Decimal) -> i64 {
    let v = value.clamp(Decimal::ZERO, top);
    let offset = (v / top * Decimal::from(BOTTOM - TOP))
        .round()
        .to_i64()
        .unwrap_or(0);
    BOTTOM - offset
}

fn marker(out: &mut String, style: &Style, x: i64, y: i64, tip: &str) {
    let c = style.colour;
    let tip = escape(tip);
    let _ = match style.marker {
        Marker::Circle => write!(
            out,
            r#"<circle cx="{}" cy="{}" r="3.5" fill="{c}"><title>{tip}</title></circle>"#,
            t(x),
            t(y)
        ),
        Marker::Square => write!(
            out,
            r#"<rect x="{}" y="{}" width="7" height="7" fill="{c}"><title>{tip}</title></rect>"#,
            t(x - 35),
            t(y - 35)
        ),
        Marker::Triangle => write!(
            out,
            r#"<path d="M{},{} L{},{} L{},{} Z" fill="{c}"><title>{tip}</title></path>"#,
            t(x),
            t(y - 45),
            t(x + 40),
            t(y + 35),
            t(x - 40),
            t(y + 35)
        ),
    };
}

/// One line with its markers; `points` are (month, value).
fn line(out: &mut String, style: &Style, points: &[(usize, Decimal)], top: Decimal, label: &str) {
    if points.is_empty() {
        return;
    }
    let d: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (m, v))| {
            format!(
                "{}{},{}",
                if i == 0 { "M" } else { "L" },
                t(x_of(*m)),
                t(y_of(*v, top))
            )
        })
        .collect();
    let dash = style
        .dash
        .map(|d| format!(r#" stroke-dasharray="{d}""#))
        .unwrap_or_default();
    let _ = write!(
        out,
        r#"<g class="reeks"><path d="{}" fill="none" stroke="{}" stroke-width="2"{dash}/>"#,
        d.join(" "),
        style.colour
    );
    for (m, v) in points {
        let tip = format!(
            "{label} – {}, {}: {} normuren",
            style.name,
            nl::month_name(time::Month::try_from(*m as u8).unwrap_or(time::Month::January)),
            hours(*v)
        );
        marker(out, style, x_of(*m), y_of(*v, top), &tip);
    }
    out.push_str("</g>");
}

/// The series as (month, value) pairs.
struct Series {
    budget: Vec<(usize, Decimal)>,
    realised: Vec<(usize, Decimal)>,
    forecast: Vec<(usize, Decimal)>,
}

fn series(track: &Track) -> Series {
    let pick = |f: fn(&super::MonthFigures) -> Option<Decimal>| {
        track
            .months
            .iter()
            .filter_map(|m| f(m).map(|v| (m.month as usize, v)))
            .collect::<Vec<_>>()
    };
    Series {
        budget: pick(|m| Some(m.cumulative_budget)),
        realised: pick(|m| m.cumulative_realised),
        forecast: pick(|m| m.projected),
    }
}

/// The `<desc>`: every figure of every line, and the signal if there is one.
fn describe(track: &Track, s: &Series, threshold: Decimal) -> String {
    let list = |points: &[(usize, Decimal)]| {
        points
            .iter()
            .map(|(m, v)| format!("{} {}", MONTH_ABBREVIATIONS[m - 1], hours(*v)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut text = format!(
        "Cumulatieve normuren per maand van {}, met een marge van {} rond het budget. Budget: {}.",
        track.label,
        nl::percent(threshold * Decimal::ONE_HUNDRED),
        list(&s.budget)
    );
    if s.realised.is_empty() {
        text.push_str(" Nog geen realisatie.");
    } else {
        let _ = write!(text, " Realisatie: {}.", list(&s.realised));
    }
    if !s.forecast.is_empty() {
        let _ = write!(text, " Prognose: {}.", list(&s.forecast));
    }
    if let Some(signal) = &track.signal {
        let _ = write!(text, " Signaal: {}", signal.explanation);
    }
    text
}

fn safe_id(prefix: &str) -> String {
    let clean: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if clean.starts_with(|c: char| c.is_ascii_alphabetic()) {
        clean
    } else {
        format!("c{clean}")
    }
}

/// The chart of one line. `threshold` is the signal threshold as a fraction (the grey margin).
pub fn chart_svg(id_prefix: &str, title: &str, track: &Track, threshold: Decimal) -> String {
    let p = safe_id(id_prefix);
    let s = series(track);
    // A threshold is 0–100 % (monitor refuses others); clamped so that no figure overflows.
    let threshold = threshold.clamp(Decimal::ZERO, Decimal::ONE);
    let margin = Decimal::ONE + threshold;
    let max = s
        .budget
        .iter()
        .map(|(_, v)| v.checked_mul(margin).unwrap_or(*v))
        .chain(s.realised.iter().map(|(_, v)| *v))
        .chain(s.forecast.iter().map(|(_, v)| *v))
        .max()
        .unwrap_or_default();
    let (top, step) = scale(max);
    let height = LEGEND_TOP + LEGEND_ROW * 4 + 8;
    let mut out = String::with_capacity(8192);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{p}-title" aria-describedby="{p}-desc" class="realisatie" font-size="12"><title id="{p}-title">{}</title><desc id="{p}-desc">{}</desc>"#,
        escape(title),
        escape(&describe(track, &s, threshold))
    );

    // Gridlines, axis labels and the margin: decoration, hidden from assistive technology (the
    // description has the figures).
    out.push_str(r#"<g aria-hidden="true">"#);
    let decimals = if step < Decimal::ONE { 1 } else { 0 };
    let mut v = Decimal::ZERO;
    while v <= top {
        let y = y_of(v, top);
        let _ = write!(
            out,
            r##"<path d="M{},{} L{},{}" stroke="#d0d0d0" stroke-width="1"/><text x="{}" y="{}" text-anchor="end" fill="#444">{}</text>"##,
            t(LEFT),
            t(y),
            t(RIGHT),
            t(y),
            t(LEFT - 60),
            t(y + 40),
            nl::number(v, decimals)
        );
        v += step;
    }
    let lower = s
        .budget
        .iter()
        .map(|(m, b)| (*m, *b * (Decimal::TWO - margin)));
    let upper = s
        .budget
        .iter()
        .rev()
        .map(|(m, b)| (*m, b.checked_mul(margin).unwrap_or(*b)));
    let band: Vec<String> = lower
        .chain(upper)
        .map(|(m, v)| format!("{},{}", t(x_of(m)), t(y_of(v, top))))
        .collect();
    let _ = write!(
        out,
        r##"<polygon points="{}" fill="#e6e6e6"/>"##,
        band.join(" ")
    );
    for (i, name) in MONTH_ABBREVIATIONS.iter().enumerate() {
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" text-anchor="middle" fill="#444">{name}</text>"##,
            t(x_of(i + 1)),
            t(BOTTOM + 180)
        );
    }
    let _ = write!(
        out,
        r##"<path d="M{},{} L{},{} L{},{}" stroke="#666" fill="none" stroke-width="1"/><text x="{}" y="{}" fill="#444">normuren</text></g>"##,
        t(LEFT),
        t(TOP),
        t(LEFT),
        t(BOTTOM),
        t(RIGHT),
        t(BOTTOM),
        t(LEFT - 60),
        t(TOP - 60)
    );

    line(&mut out, &BUDGET, &s.budget, top, &track.label);
    line(&mut out, &REALISED, &s.realised, top, &track.label);
    line(&mut out, &FORECAST, &s.forecast, top, &track.label);

    out.push_str(r#"<g class="legenda">"#);
    for (i, style) in [&BUDGET, &REALISED, &FORECAST].into_iter().enumerate() {
        let y = (LEGEND_TOP + LEGEND_ROW * i as i64) * 10;
        let dash = style
            .dash
            .map(|d| format!(r#" stroke-dasharray="{d}""#))
            .unwrap_or_default();
        let _ = write!(
            out,
            r#"<path d="M40,{y} L80,{y}" stroke="{}" stroke-width="2"{dash} fill="none"/>"#,
            style.colour,
            y = t(y)
        );
        marker(&mut out, style, 600, y, style.name);
        let _ = write!(
            out,
            r#"<text x="90" y="{}">{}</text>"#,
            t(y + 40),
            escape(style.name)
        );
    }
    let y = (LEGEND_TOP + LEGEND_ROW * 3) * 10;
    let _ = write!(
        out,
        r##"<rect x="40" y="{}" width="40" height="10" fill="#e6e6e6"/><text x="90" y="{}">Marge van {} rond het budget (signaal daarbuiten)</text></g></svg>"##,
        t(y - 50),
        t(y + 40),
        nl::percent(threshold * Decimal::ONE_HUNDRED)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn scales_are_round() {
        assert_eq!(scale(dec!(14020)), (dec!(15000), dec!(5000)));
        assert_eq!(scale(dec!(9350)), (dec!(10000), dec!(2000)));
        assert_eq!(scale(dec!(1000)), (dec!(1000), dec!(200)));
        assert_eq!(scale(dec!(101)), (dec!(150), dec!(50)));
        assert_eq!(scale(dec!(0)), (dec!(1), dec!(0.2)));
    }

    #[test]
    fn coordinates_are_integers_in_tenths() {
        assert_eq!(t(1234), "123.4");
        assert_eq!(t(-50), "-5");
        assert_eq!(x_of(1), LEFT);
        assert_eq!(x_of(12), RIGHT);
        assert_eq!(y_of(dec!(0), dec!(100)), BOTTOM);
        assert_eq!(y_of(dec!(100), dec!(100)), TOP);
        assert_eq!(y_of(dec!(500), dec!(100)), TOP);
    }
}
