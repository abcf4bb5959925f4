//! The overview's totals row. For the whole hospital a total is a SUM over the rows above it
//! (over the complete vakgroepen only, as the engine counts them); in a workbook that shows some
//! vakgroepen the total is the hospital's figure as a value, since the rows it adds up are not
//! there.

use super::columns::{C, Cols, RowCells};
use super::{FIRST_ROW, Overview};
use crate::budget::workbook::model::{Cell, NumberFormat, range};
use rust_decimal::Decimal;

pub(super) fn row(ov: &Overview, cols: &Cols, total_row: u32) -> Vec<Cell> {
    let s = ov.source;
    let t = &s.result.totals;
    let last = total_row - 1;
    let mut cells = RowCells::new(cols);
    cells.set(C::Code, Cell::text("Totaal"));
    cells.set(
        C::Name,
        Cell::text(if ov.full {
            "Ziekenhuis"
        } else {
            "Ziekenhuis (alle vakgroepen)"
        }),
    );

    // The rows the engine counts in its totals: those with a norm-fte. If its count differs (a
    // vakgroep left out because a total would overflow) the totals are values.
    let counted: Vec<u32> = ov
        .vakgroepen
        .iter()
        .enumerate()
        .filter(|(_, v)| v.result.fte.is_some() && v.result.norm_hours.is_some())
        .map(|(k, _)| FIRST_ROW + k as u32)
        .collect();
    let sums_are_formulas = ov.full && counted.len() == t.complete;
    let everyone = counted.len() == ov.vakgroepen.len();

    let fixed2 = NumberFormat::Fixed2;
    // A SUM over the counted rows: a range when that is every row, else a list.
    let counted_sum = |c: C, value: Decimal, format: NumberFormat| {
        if !sums_are_formulas {
            return Cell::number(value, format);
        }
        let args = if everyone {
            range(cols.index(c), FIRST_ROW, last)
        } else {
            (!counted.is_empty()).then(|| {
                counted
                    .iter()
                    .map(|&r| cols.a1(c, r))
                    .collect::<Vec<_>>()
                    .join(",")
            })
        };
        match args {
            Some(args) => Cell::formula(format!("=SUM({args})"), value, format),
            None => Cell::number(value, format),
        }
    };
    cells.set(C::Hours, counted_sum(C::Hours, t.norm_hours, fixed2));
    cells.set(C::BaseFte, counted_sum(C::BaseFte, t.base_norm_fte, fixed2));
    cells.set(C::NormFte, counted_sum(C::NormFte, t.norm_fte, fixed2));
    cells.set(
        C::Formatief,
        counted_sum(C::Formatief, t.formatief_fte, fixed2),
    );
    cells.set(C::Mutation, counted_sum(C::Mutation, t.mutation, fixed2));

    // E and Z of the hospital: F0-weighted means. SUMPRODUCT counts the empty F0 of an
    // incomplete vakgroep as 0, as the engine leaves it out.
    let weighted = |c: C, value: Decimal| match range(cols.index(c), FIRST_ROW, last) {
        Some(idx) if sums_are_formulas && !t.base_norm_fte.is_zero() => Cell::formula(
            format!(
                "=SUMPRODUCT({},{idx})/{}",
                range(cols.index(C::BaseFte), FIRST_ROW, last).unwrap_or_default(),
                cols.a1(C::BaseFte, total_row)
            ),
            value,
            NumberFormat::Fixed4,
        ),
        _ => Cell::number(value, NumberFormat::Fixed4),
    };
    cells.set(C::E, weighted(C::E, t.efficiency_index));
    cells.set(C::Z, weighted(C::Z, t.pz_index));

    // Columns summed over every vakgroep: the earmark (its own grondslag) and the distribution
    // (which has every vakgroep). Their hospital figures come from all vakgroepen, shown or not.
    let all_sum =
        |c: C, value: Decimal, format: NumberFormat| match range(cols.index(c), FIRST_ROW, last) {
            Some(args) if ov.full => Cell::formula(format!("=SUM({args})"), value, format),
            _ => Cell::number(value, format),
        };
    let sum = |values: &mut dyn Iterator<Item = Decimal>| {
        values.fold(Decimal::ZERO, |acc, x| acc.checked_add(x).unwrap_or(acc))
    };
    let shares: Vec<_> = s
        .result
        .vakgroepen
        .iter()
        .filter_map(|v| v.earmark)
        .collect();
    let euro = NumberFormat::EuroExact;
    cells.set(
        C::EmWeight,
        all_sum(
            C::EmWeight,
            sum(&mut shares.iter().map(|e| e.weight)),
            NumberFormat::Fixed4,
        ),
    );
    cells.set(
        C::EmExact,
        all_sum(C::EmExact, sum(&mut shares.iter().map(|e| e.exact)), euro),
    );
    cells.set(
        C::EmAmount,
        all_sum(C::EmAmount, t.earmarked, NumberFormat::Euro),
    );
    if let Some(d) = s.distribution {
        let all = &d.vakgroepen;
        cells.set(
            C::Fixed,
            all_sum(C::Fixed, sum(&mut all.iter().map(|a| a.fixed_part)), euro),
        );
        cells.set(
            C::Capacity,
            all_sum(
                C::Capacity,
                sum(&mut all.iter().map(|a| a.capacity_part)),
                euro,
            ),
        );
        cells.set(
            C::Unbounded,
            all_sum(
                C::Unbounded,
                sum(&mut all.iter().map(|a| a.unbounded)),
                euro,
            ),
        );
        cells.set(
            C::Exact,
            all_sum(C::Exact, sum(&mut all.iter().map(|a| a.exact)), euro),
        );
        cells.set(
            C::Allocation,
            all_sum(C::Allocation, d.allocated, NumberFormat::Euro),
        );
        cells.set(
            C::Rounding,
            all_sum(
                C::Rounding,
                sum(&mut all.iter().map(|a| a.cents_adjustment)),
                euro,
            ),
        );
        cells.set(C::Total, all_sum(C::Total, d.total, NumberFormat::Euro));
    }
    if t.incomplete > 0 {
        cells.set(
            C::Remarks,
            Cell::text(format!(
                "Over de volledig doorgerekende vakgroepen ({} van {}).",
                t.complete,
                t.complete + t.incomplete
            )),
        );
    }
    cells.into_cells()
}
