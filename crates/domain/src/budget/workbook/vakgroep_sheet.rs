//! One sheet per vakgroep: every care product with its baseline B, the trend inputs that touched
//! it, the budget volume Vb as a formula over B and those inputs, the norm time, and the norm
//! hours as a formula; H at the top is the sum of the norm-hours column.

use super::super::inputs::{TrendCategory, TrendChange};
use super::super::result::VakgroepResult;
use super::model::{Addr, Cell, ColumnSpec, NumberFormat, Row, RowStyle, Sheet, literal, range};
use super::source::{Vg, WorkbookMeta};
use super::text::{heading, trend_change_text};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::fmt::Write;

const COL_B: u32 = 2;
const COL_VB: u32 = 4;
const COL_MINUTES: u32 = 5;
const COL_HOURS: u32 = 6;
/// The row of H, above the column headings so that it stays in view.
const H_ROW: u32 = 3;
const HEADER_ROW: u32 = 4;

/// The sheet, and where its H is (when the engine computed one).
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
    let mut h_row = vec![Cell::text("Normuren H (som van kolom G)")];
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

    let touched = contributions(r, v.input.products.len());
    for (i, p) in v.input.products.iter().enumerate() {
        let row = first + i as u32;
        let description = descriptions
            .get(&p.id)
            .map_or(Cell::Empty, |d| Cell::text(d.as_str()));
        let mut cells = vec![
            Cell::text(&p.code),
            description,
            Cell::number(p.baseline, NumberFormat::Fixed2),
            trends_cell(&touched[i]),
        ];
        match r.products.get(i) {
            Some(res) => {
                cells.push(Cell::formula(
                    vb_formula(Addr::new(COL_B, row), &touched[i]),
                    res.budget_volume,
                    NumberFormat::Fixed2,
                ));
                cells.push(Cell::number(p.norm_minutes, NumberFormat::Minutes));
                cells.push(Cell::formula(
                    format!(
                        "={}*{}/60",
                        Addr::new(COL_VB, row).a1(),
                        Addr::new(COL_MINUTES, row).a1()
                    ),
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

/// One trend input's effect on one product: its id, what it contributed, its category.
type Touch = (i64, TrendChange, TrendCategory);

/// Per product, the applied trend inputs that touched it, in input order. Built in one pass
/// over the traces (an input's product list can be thousands long; looking each product up in
/// it would be quadratic).
fn contributions(r: &VakgroepResult, products: usize) -> Vec<Vec<Touch>> {
    let mut out: Vec<Vec<Touch>> = vec![Vec::new(); products];
    for t in r.trends.iter().filter(|t| t.applied()) {
        let mut add = |position: usize, index: usize| {
            let change = match t.input.change {
                TrendChange::Percent(p) => Some(TrendChange::Percent(p)),
                TrendChange::Absolute(_) => t
                    .absolute_shares
                    .get(position)
                    .map(|s| TrendChange::Absolute(*s)),
            };
            if let (Some(change), Some(slot)) = (change, out.get_mut(index)) {
                slot.push((t.input.id, change, t.input.category));
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
    out
}

/// `T1 +10 % (Demografie); T3 +1.000 (Demografie)`: an absolute input shows this product's share.
fn trends_cell(touches: &[Touch]) -> Cell {
    if touches.is_empty() {
        return Cell::Empty;
    }
    let parts: Vec<String> = touches
        .iter()
        .map(|(id, change, category)| {
            format!(
                "T{id} {} ({})",
                trend_change_text(*change),
                category.label()
            )
        })
        .collect();
    Cell::text(parts.join("; "))
}

/// `Vb = max(0, B × (1 + Σ pct) + Σ abs)` with each input as its own term, so that a controller
/// sees which inputs made the volume: `=MAX(0,C5*(1+0.1-0.25)+1000)`; `=C5` when none did.
/// The terms are the engine's exact decimals (fractions of at most four decimals, shares in
/// hundredths), so the formula computes the same volume.
fn vb_formula(b: Addr, touches: &[Touch]) -> String {
    if touches.is_empty() {
        return format!("={}", b.a1());
    }
    let mut pct = String::new();
    let mut abs = String::new();
    for (_, change, _) in touches {
        match change {
            TrendChange::Percent(p) => term(&mut pct, *p / Decimal::ONE_HUNDRED),
            TrendChange::Absolute(a) => term(&mut abs, *a),
        }
    }
    let scaled = if pct.is_empty() {
        b.a1()
    } else {
        format!("{}*(1{pct})", b.a1())
    };
    format!("=MAX(0,{scaled}{abs})")
}

/// Appends `+x` or `-x`.
fn term(out: &mut String, x: Decimal) {
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
    use rust_decimal::dec;

    #[test]
    fn vb_formulas_show_each_input() {
        let b = Addr::new(COL_B, 5);
        let d = TrendCategory::Demografie;
        assert_eq!(vb_formula(b, &[]), "=C5");
        let touches = [
            (1, TrendChange::Percent(dec!(10)), d),
            (2, TrendChange::Percent(dec!(-25)), d),
            (3, TrendChange::Absolute(dec!(1000)), d),
        ];
        assert_eq!(vb_formula(b, &touches), "=MAX(0,C5*(1+0.1-0.25)+1000)");
        assert_eq!(
            vb_formula(b, &[(4, TrendChange::Absolute(dec!(-300.50)), d)]),
            "=MAX(0,C5-300.5)"
        );
        assert_eq!(
            vb_formula(b, &[(5, TrendChange::Percent(dec!(2.5)), d)]),
            "=MAX(0,C5*(1+0.025))"
        );
    }
}
