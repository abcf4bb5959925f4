//! Server-rendered SVG for the results (C4) and the dashboard (E): a radar chart of the mean per
//! S, one polygon per body or side, and a sparkline of the alignment over rounds.
//!
//! Readable without colour (F6, WCAG 1.4.1): every series has its own dash pattern and its own
//! point marker (circle, square, triangle, …) and the legend shows both next to the name. The
//! SVG is an image for assistive technology (`role="img"`) named by its `<title>` and described
//! by a `<desc>` that lists the figures; the page shows the same figures in a table. Text is
//! escaped; ids carry a caller-chosen prefix so that several charts fit on one page. Sizes are
//! in viewBox units, so the chart scales with its container. Coordinates are integers in tenths
//! of a unit from fixed unit vectors: cheap, and the same figures give the same bytes on every
//! machine (no floating point).

use super::trend::TrendPoint;
use super::{PerS, results::mean_text, results::score_text};
use crate::agreements::kinds::SevenS;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::fmt::{self, Write};

/// One polygon of the radar: a name and a mean per S (`None`: no scores for that S).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub label: String,
    pub values: PerS<Option<Decimal>>,
}

/// cos and sin of the seven axes in millionths, clockwise from the top (−90° + k · 360°/7).
const UNIT: [(i64, i64); 7] = [
    (0, -1_000_000),
    (781_831, -623_490),
    (974_928, 222_521),
    (433_884, 900_969),
    (-433_884, 900_969),
    (-974_928, 222_521),
    (-781_831, -623_490),
];

const WIDTH: i64 = 600;
/// The centre and the radius of the outer ring (score 5), in tenths of a unit.
const CX: i64 = 3000;
const CY: i64 = 2150;
const RADIUS: i64 = 1500;
const LEGEND_TOP: i64 = 420;
const LEGEND_ROW: i64 = 22;

/// A coordinate in tenths of a viewBox unit, written with at most one decimal (`323.5`, `65`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct T(i64);

impl fmt::Display for T {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let (whole, tenth) = (self.0.abs() / 10, self.0.abs() % 10);
        if tenth == 0 {
            write!(f, "{sign}{whole}")
        } else {
            write!(f, "{sign}{whole}.{tenth}")
        }
    }
}

impl std::ops::Add<i64> for T {
    type Output = T;

    fn add(self, tenths: i64) -> T {
        T(self.0 + tenths)
    }
}

/// `a / b` rounded half away from zero, for b > 0.
fn div_round(a: i128, b: i128) -> i64 {
    let q = (a.abs() + b / 2) / b;
    (if a < 0 { -q } else { q }) as i64
}

/// The point on `axis` at `radius` tenths from the centre.
fn point(axis: usize, radius: i64) -> (T, T) {
    let (ux, uy) = UNIT[axis];
    let r = i128::from(radius);
    (
        T(CX + div_round(r * i128::from(ux), 1_000_000)),
        T(CY + div_round(r * i128::from(uy), 1_000_000)),
    )
}

/// The radius of a mean on the 1–5 scale; the centre is 0 so that a mean of 1 is still a
/// visible polygon rather than a point.
fn radius_of(value: Decimal) -> i64 {
    let v = value.clamp(Decimal::ZERO, Decimal::from(5));
    // Ten-thousandths of a point are far finer than a tenth of a unit on the chart.
    let v = (v * Decimal::from(10_000)).round().to_i64().unwrap_or(0);
    div_round(i128::from(RADIUS) * i128::from(v), 5 * 10_000)
}

/// A line style and a point marker; series beyond the sixth reuse them (the legend still tells
/// them apart by name).
struct Style {
    colour: &'static str,
    dash: Option<&'static str>,
    marker: Marker,
}

#[derive(Clone, Copy)]
enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    TriangleDown,
    Cross,
}

/// Dark colours (contrast ≥ 4.5:1 on white) so that colour helps but is never needed.
const STYLES: [Style; 6] = [
    Style {
        colour: "#1f4e79",
        dash: None,
        marker: Marker::Circle,
    },
    Style {
        colour: "#a0410d",
        dash: Some("8 4"),
        marker: Marker::Square,
    },
    Style {
        colour: "#2e6b30",
        dash: Some("2 3"),
        marker: Marker::Triangle,
    },
    Style {
        colour: "#6a1b9a",
        dash: Some("10 3 2 3"),
        marker: Marker::Diamond,
    },
    Style {
        colour: "#37474f",
        dash: Some("4 2"),
        marker: Marker::TriangleDown,
    },
    Style {
        colour: "#7a5c00",
        dash: Some("1 3"),
        marker: Marker::Cross,
    },
];

/// Text for SVG/HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An id prefix that is a valid, unambiguous id start: letters, digits, `-` and `_` kept, any
/// other character replaced by `-`, and a leading `c` when it does not start with a letter.
fn safe_id_prefix(prefix: &str) -> String {
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

/// A point marker at (x, y) with a tooltip; offsets are in tenths of a unit.
fn marker(out: &mut String, style: &Style, (x, y): (T, T), tip: &str) {
    let c = style.colour;
    let tip = escape(tip);
    let p = |dx: i64, dy: i64| format!("{},{}", x + dx, y + dy);
    let _ = match style.marker {
        Marker::Circle => write!(
            out,
            r#"<circle cx="{x}" cy="{y}" r="4" fill="{c}"><title>{tip}</title></circle>"#
        ),
        Marker::Square => write!(
            out,
            r#"<rect x="{}" y="{}" width="7" height="7" fill="{c}"><title>{tip}</title></rect>"#,
            x + -35,
            y + -35
        ),
        Marker::Triangle => write!(
            out,
            r#"<path d="M{} L{} L{} Z" fill="{c}"><title>{tip}</title></path>"#,
            p(0, -50),
            p(45, 35),
            p(-45, 35)
        ),
        Marker::Diamond => write!(
            out,
            r#"<path d="M{} L{} L{} L{} Z" fill="{c}"><title>{tip}</title></path>"#,
            p(0, -50),
            p(50, 0),
            p(0, 50),
            p(-50, 0)
        ),
        Marker::TriangleDown => write!(
            out,
            r#"<path d="M{} L{} L{} Z" fill="{c}"><title>{tip}</title></path>"#,
            p(0, 50),
            p(45, -35),
            p(-45, -35)
        ),
        Marker::Cross => write!(
            out,
            r#"<path d="M{} L{} M{} L{}" stroke="{c}" stroke-width="2.5" fill="none"><title>{tip}</title></path>"#,
            p(-40, -40),
            p(40, 40),
            p(-40, 40),
            p(40, -40)
        ),
    };
}

fn dash_attr(style: &Style) -> String {
    style
        .dash
        .map(|d| format!(r#" stroke-dasharray="{d}""#))
        .unwrap_or_default()
}

/// The `<desc>`: every series' mean per S in words, so that a screen reader gets the figures.
fn describe(series: &[Series]) -> String {
    let mut text = String::from(
        "Gemiddelde score per element van het 7S-model, op een schaal van 1 (helemaal oneens) tot 5 (helemaal eens).",
    );
    if series.is_empty() {
        text.push_str(" Er zijn geen resultaten om te tonen.");
    }
    for s in series {
        let values: Vec<String> = s
            .values
            .iter()
            .map(|(axis, v)| match v {
                Some(v) => format!("{} {}", axis.label(), mean_text(*v)),
                None => format!("{} geen scores", axis.label()),
            })
            .collect();
        let _ = write!(text, " {}: {}.", s.label, values.join("; "));
    }
    text
}

/// The radar chart: seven axes in model order labelled in Dutch (hard factors in bold), rings
/// for 1 to 5, one polygon per series with at least one value, and a legend.
pub fn radar_svg(id_prefix: &str, title: &str, series: &[Series]) -> String {
    let p = safe_id_prefix(id_prefix);
    let height = LEGEND_TOP + LEGEND_ROW * (series.len() as i64 + 1) + 8;
    let mut out = String::with_capacity(4096 + 1024 * series.len());
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{p}-title" aria-describedby="{p}-desc" class="radar" font-size="13"><title id="{p}-title">{}</title><desc id="{p}-desc">{}</desc>"#,
        escape(title),
        escape(&describe(series))
    );

    // Rings and axes: paths, so that the only polygons are the series.
    let mut rings = String::new();
    for v in 1..=5 {
        for axis in 0..7 {
            let (x, y) = point(axis, RADIUS * v / 5);
            let _ = write!(rings, "{}{x},{y} ", if axis == 0 { "M" } else { "L" });
        }
        rings.push_str("Z ");
    }
    let mut axes = String::new();
    for axis in 0..7 {
        let (x, y) = point(axis, RADIUS);
        let _ = write!(axes, "M{},{} L{x},{y} ", T(CX), T(CY));
    }
    let _ = write!(
        out,
        r##"<g aria-hidden="true"><path d="{}" fill="none" stroke="#c8c8c8" stroke-width="1"/><path d="{}" stroke="#9e9e9e" stroke-width="1"/>"##,
        rings.trim_end(),
        axes.trim_end()
    );
    for v in 1..=5 {
        let (_, y) = point(0, RADIUS * v / 5);
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" font-size="10" fill="#555">{v}</text>"##,
            T(CX + 40),
            y + -20
        );
    }
    for (axis, s) in SevenS::ALL.iter().enumerate() {
        let (ux, uy) = UNIT[axis];
        let (x, y) = point(axis, RADIUS + 140);
        let anchor = match ux {
            ..-100_000 => "end",
            100_001.. => "start",
            _ => "middle",
        };
        // Labels below the centre hang from their point, the top one stands on it.
        let y = match uy {
            ..-900_000 => y,
            300_001.. => y + 120,
            _ => y + 40,
        };
        let weight = if s.is_hard() {
            r#" font-weight="bold""#
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<text x="{x}" y="{y}" text-anchor="{anchor}"{weight}>{}</text>"#,
            escape(s.label())
        );
    }
    out.push_str("</g>");

    for (i, s) in series.iter().enumerate() {
        let style = &STYLES[i % STYLES.len()];
        let vertices: Vec<(SevenS, (T, T), Decimal)> = s
            .values
            .iter()
            .filter_map(|(axis, v)| {
                let v = (*v)?;
                Some((axis, point(axis as usize, radius_of(v)), v))
            })
            .collect();
        if vertices.is_empty() {
            continue;
        }
        out.push_str(r#"<g class="reeks"><polygon points=""#);
        for (k, (_, (x, y), _)) in vertices.iter().enumerate() {
            let _ = write!(out, "{}{x},{y}", if k == 0 { "" } else { " " });
        }
        let _ = write!(
            out,
            r#"" fill="{c}" fill-opacity="0.08" stroke="{c}" stroke-width="2"{dash}/>"#,
            c = style.colour,
            dash = dash_attr(style)
        );
        for (axis, xy, v) in &vertices {
            let tip = format!("{} – {}: {}", s.label, axis.label(), mean_text(*v));
            marker(&mut out, style, *xy, &tip);
        }
        out.push_str("</g>");
    }

    // Legend: line sample with the pattern and the marker, then the name.
    out.push_str(r#"<g class="legenda">"#);
    for (i, s) in series.iter().enumerate() {
        let style = &STYLES[i % STYLES.len()];
        let y = T((LEGEND_TOP + LEGEND_ROW * i as i64) * 10);
        let _ = write!(
            out,
            r#"<path d="M40,{y} L80,{y}" stroke="{}" stroke-width="2"{} fill="none"/>"#,
            style.colour,
            dash_attr(style),
        );
        marker(&mut out, style, (T(600), y), &s.label);
        let empty = if s.values.iter().all(|(_, v)| v.is_none()) {
            " (geen scores)"
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<text x="90" y="{}">{}{empty}</text>"#,
            y + 45,
            escape(&s.label)
        );
    }
    let note_y = LEGEND_TOP + LEGEND_ROW * series.len() as i64 + 4;
    let _ = write!(
        out,
        r##"<text x="40" y="{note_y}" font-size="11" fill="#444">Vet: de harde factoren (strategie, structuur, systemen). Schaal 1–5 van midden naar buiten.</text></g></svg>"##
    );
    out
}

/// A small line of a score (0–100 %) over rounds, oldest left; gaps where a round had no
/// score; the last score marked with a dot. For the dashboard: `label` names what it shows.
pub fn sparkline_svg(id_prefix: &str, label: &str, points: &[TrendPoint]) -> String {
    let p = safe_id_prefix(id_prefix);
    // In tenths: 120 × 32 units with 4 units of room around the line.
    let (w, h, pad) = (1200i64, 320i64, 40i64);
    let x_of = |i: usize| match points.len() {
        0 | 1 => T(w / 2),
        n => T(pad + div_round(i128::from(w - 2 * pad) * i as i128, n as i128 - 1)),
    };
    let y_of = |score: Decimal| {
        let s = score.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED);
        let s = (s * Decimal::from(10_000)).round().to_i64().unwrap_or(0);
        T(h - pad - div_round(i128::from(h - 2 * pad) * i128::from(s), 100 * 10_000))
    };
    let described: Vec<String> = points
        .iter()
        .map(|pt| match pt.score {
            Some(s) => format!("{}: {}", pt.title, score_text(s)),
            None => format!("{}: geen score", pt.title),
        })
        .collect();
    let desc = if described.is_empty() {
        "Nog geen afgesloten rondes.".to_string()
    } else {
        format!("Gelijkgerichtheid per ronde. {}.", described.join("; "))
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="{p}-title" aria-describedby="{p}-desc" class="sparkline"><title id="{p}-title">{}</title><desc id="{p}-desc">{}</desc>"#,
        escape(label),
        escape(&desc),
        w = T(w),
        h = T(h),
    );
    // One path with a new "M" after every gap, so that a missing round breaks the line.
    let mut d = String::new();
    let mut pen_down = false;
    for (i, pt) in points.iter().enumerate() {
        match pt.score {
            Some(s) => {
                let _ = write!(
                    d,
                    "{}{},{} ",
                    if pen_down { "L" } else { "M" },
                    x_of(i),
                    y_of(s)
                );
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    if !d.is_empty() {
        let _ = write!(
            out,
            r##"<path d="{}" fill="none" stroke="#1f4e79" stroke-width="1.5"/>"##,
            d.trim_end()
        );
    }
    if let Some((i, s)) = points
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, pt)| Some((i, pt.score?)))
    {
        let _ = write!(
            out,
            r##"<circle cx="{}" cy="{}" r="2.5" fill="#1f4e79"/>"##,
            x_of(i),
            y_of(s)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests;
