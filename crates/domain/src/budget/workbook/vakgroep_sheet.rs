//! One sheet per vakgroep: every care product with its baseline B, the trend inputs that touched
//! it, the budget volume Vb as a formula over B and those inputs, the norm time, and the norm
//! hours as a formula; H at the top is the sum of the norm-hours column.

use super::super::inputs::TrendChange;
use super::super::result::VakgroepResult;
use super::model::{Addr, Cell, ColumnSpec, NumberFormat, Row, RowStyle, Sheet, literal, range};
use super::source::{Vg, WorkbookMeta};
use super::text::{heading, trend_change_text};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::fmt::Write;

// The formulas of the product rows use the letters below; the tests check them against these.
#[cfg(test)]
const COL_B: u32 = 2;
#[cfg(test)]
const COL_VB: u32 = 4;
#[cfg(test)]
const COL_MINUTES: u32 = 5;
const COL_HOURS: u32 = 6;
/// The letters of those columns, for the formulas of every product row (checked in the tests).
const B: &str = "C";
const VB: &str = "E";
const MINUTES: &str = "F";
const HOURS: &str = "G";
/// The row of H, above the column headings so that it stays in view.
const H_ROW: u32 = 3;
const HEADER_ROW: u32 = 4;

/// The sheet, and where its H is (when the engine computed one).
/// Where a vakgroep's sheet has its total H, known before the sheet is built: the overview
/// refers to it.
pub(super) fn total_address(v: &Vg) -> Option<Addr> {
    v.result.norm_hours.map(|_| Addr::new(COL_HOURS, H_ROW))
}

pub(super) fn build(
    meta: &WorkbookMeta,
    v: &Vg,
    descriptions: &HashMap<i64, String>,
) -> (Sheet, Option<Addr>) {
    let r = v.result;
    let mut rows = heading(meta, format!("{} – {}", v.display_name(), meta.title));
    let first = HEADER_ROW + 1;
    let count = v.input.products.len() as u32;
    let last = first + count - 1;

    let h_addr = Addr::new(COL_HOURS, H_ROW);
    let h_cell = match (r.norm_hours, r.products.is_empty()) {
        (Some(h), false) => match range(COL_HOURS, first, last) {
            Some(range) => Cell::formula(format!("=SUM({range})"), h, NumberFormat::Fixed2),
            None => Cell::number(h, NumberFormat::Fixed2),
        },
        (Some(h), true) => Cell::number(h, NumberFormat::Fixed2),
        (None, _) => Cell::Empty,
    };
    let mut h_row = vec![Cell::text(format!("Normuren H (som van kolom {HOURS})"))];
    h_row.extend([
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ]);
    h_row.push(h_cell);
    rows.push(Row::new(RowStyle::Total, h_row));
    rows.push(Row::new(
        RowStyle::Header,
        [
            "Zorgproduct",
            "Omschrijving",
            "Basisvolume B",
            "Toegepaste trendinputs",
            "Budgetvolume Vb",
            "Normtijd (minuten)",
            "Normuren",
            "Opmerking",
        ]
        .map(Cell::text)
        .to_vec(),
    ));

    let (inputs, touched) = contributions(r, v.input.products.len());
    for (i, p) in v.input.products.iter().enumerate() {
        let row = first + i as u32;
        let description = descriptions
            .get(&p.id)
            .map_or(Cell::Empty, |d| Cell::text(d.as_str()));
        let mut cells = vec![
            Cell::text(&p.code),
            description,
            Cell::number(p.baseline, NumberFormat::Fixed2),
            trends_cell(&inputs, &touched[i]),
        ];
        match r.products.get(i) {
            Some(res) => {
                cells.push(Cell::formula(
                    vb_formula(row, &inputs, &touched[i]),
                    res.budget_volume,
                    NumberFormat::Fixed2,
                ));
                cells.push(Cell::number(p.norm_minutes, NumberFormat::Minutes));
                cells.push(Cell::formula(
                    format!("={VB}{row}*{MINUTES}{row}/60"),
                    res.norm_hours(),
                    NumberFormat::Fixed2,
                ));
                if res.clamped {
                    cells.push(Cell::text(
                        "Afgekapt op 0: de trendinputs gaven een negatief volume.",
                    ));
                }
            }
            None => {
                // The engine could not compute this vakgroep's volumes; the issue says why.
                cells.push(Cell::Empty);
                cells.push(Cell::number(p.norm_minutes, NumberFormat::Minutes));
            }
        }
        rows.push(Row::new(RowStyle::Normal, cells));
    }
    if v.input.products.is_empty() {
        rows.push(Row::new(
            RowStyle::Note,
            vec![Cell::text("Deze vakgroep heeft geen zorgproducten.")],
        ));
    }
    for issue in &r.issues {
        rows.push(Row::new(
            RowStyle::Note,
            vec![Cell::text(format!(
                "{}: {}",
                issue.severity.label(),
                issue.message
            ))],
        ));
    }

    let widths = [16, 40, 14, 36, 16, 14, 14, 50];
    let sheet = Sheet {
        name: v.sheet.clone(),
        columns: widths.map(|width| ColumnSpec { width }).to_vec(),
        freeze_rows: HEADER_ROW,
        rows,
    };
    (sheet, r.norm_hours.map(|_| h_addr))
}

/// One trend input's effect on one product: which input (an index into [`Inputs`]) and, for an
/// absolute input, this product's share of it.
type Touch = (usize, Option<Decimal>);

/// What every product touched by an input shares, rendered once per input rather than once
/// per product (a vakgroep-wide input touches thousands).
struct Rendered {
    /// `T1 +10 %`, or `T3 ` before an absolute share.
    label: String,
    /// `+0.1` for a percentage (as a fraction), empty for an absolute input.
    term: String,
}

struct Inputs(Vec<Rendered>);

/// Per product, the applied trend inputs that touched it, in input order. Built in one pass
/// over the traces (an input's product list can be thousands long; looking each product up in
/// it would be quadratic).
fn contributions(r: &VakgroepResult, products: usize) -> (Inputs, Vec<Vec<Touch>>) {
    let mut out: Vec<Vec<Touch>> = vec![Vec::new(); products];
    let mut rendered = Vec::new();
    for t in r.trends.iter().filter(|t| t.applied()) {
        let k = rendered.len();
        rendered.push(match t.input.change {
            TrendChange::Percent(p) => {
                let mut term = String::new();
                push_term(&mut term, p / Decimal::ONE_HUNDRED);
                Rendered {
                    label: format!("T{} {}", t.input.id, trend_change_text(t.input.change)),
                    term,
                }
            }
            TrendChange::Absolute(_) => Rendered {
                label: format!("T{} ", t.input.id),
                term: String::new(),
            },
        });
        let absolute = matches!(t.input.change, TrendChange::Absolute(_));
        let mut add = |position: usize, index: usize| {
            let share = if absolute {
                match t.absolute_shares.get(position) {
                    Some(s) => Some(*s),
                    None => return,
                }
            } else {
                None
            };
            if let Some(slot) = out.get_mut(index) {
                slot.push((k, share));
            }
        };
        match &t.products {
            None => (0..products).for_each(|i| add(i, i)),
            Some(list) => list
                .iter()
                .enumerate()
                .for_each(|(position, &i)| add(position, i)),
        }
    }
    (Inputs(rendered), out)
}

/// `T1 +10 %; T3 +1.000`: an absolute input shows this product's share of it. The categories
/// are on the Invoer sheet.
fn trends_cell(inputs: &Inputs, touches: &[Touch]) -> Cell {
    if touches.is_empty() {
        return Cell::Empty;
    }
    let mut text = String::with_capacity(24 * touches.len());
    for (n, (k, share)) in touches.iter().enumerate() {
        if n > 0 {
            text.push_str("; ");
        }
        text.push_str(&inputs.0[*k].label);
        if let Some(share) = share {
            text.push_str(&trend_change_text(TrendChange::Absolute(*share)));
        }
    }
    Cell::Text(text)
}

/// `Vb = max(0, B × (1 + Σ pct) + Σ abs)` with each input as its own term, so that a controller
/// sees which inputs made the volume: `=MAX(0,C5*(1+0.1-0.25)+1000)`; `=C5` when none did.
/// The terms are the engine's exact decimals (fractions of at most four decimals, shares in
/// hundredths), so the formula computes the same volume.
fn vb_formula(row: u32, inputs: &Inputs, touches: &[Touch]) -> String {
    if touches.is_empty() {
        return format!("={B}{row}");
    }
    let mut out = String::with_capacity(32 + 12 * touches.len());
    let _ = write!(out, "=MAX(0,{B}{row}");
    let percent: Vec<&str> = touches
        .iter()
        .filter(|(_, share)| share.is_none())
        .map(|(k, _)| inputs.0[*k].term.as_str())
        .collect();
    if !percent.is_empty() {
        out.push_str("*(1");
        percent.iter().for_each(|t| out.push_str(t));
        out.push(')');
    }
    for share in touches.iter().filter_map(|(_, share)| *share) {
        push_term(&mut out, share);
    }
    out.push(')');
    out
}

/// Appends `+x` or `-x`.
fn push_term(out: &mut String, x: Decimal) {
    let sign = if x.is_sign_negative() && !x.is_zero() {
        '-'
    } else {
        '+'
    };
    let _ = write!(out, "{sign}{}", literal(x.abs()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::workbook::model::column_letters;
    use rust_decimal::dec;

    #[test]
    fn the_letters_are_the_columns() {
        assert_eq!(column_letters(COL_B), B);
        assert_eq!(column_letters(COL_VB), VB);
        assert_eq!(column_letters(COL_MINUTES), MINUTES);
        assert_eq!(column_letters(COL_HOURS), HOURS);
    }

    #[test]
    fn vb_formulas_show_each_input() {
        let rendered = |p: Option<Decimal>| Rendered {
            label: String::new(),
            term: p.map_or(String::new(), |p| {
                let mut t = String::new();
                push_term(&mut t, p / Decimal::ONE_HUNDRED);
                t
            }),
        };
        let inputs = Inputs(vec![
            rendered(Some(dec!(10))),
            rendered(Some(dec!(-25))),
            rendered(None),
            rendered(Some(dec!(2.5))),
        ]);
        assert_eq!(vb_formula(5, &inputs, &[]), "=C5");
        assert_eq!(
            vb_formula(5, &inputs, &[(0, None), (1, None), (2, Some(dec!(1000)))]),
            "=MAX(0,C5*(1+0.1-0.25)+1000)"
        );
        assert_eq!(
            vb_formula(5, &inputs, &[(2, Some(dec!(-300.50)))]),
            "=MAX(0,C5-300.5)"
        );
        assert_eq!(vb_formula(5, &inputs, &[(3, None)]), "=MAX(0,C5*(1+0.025))");
    }
}
