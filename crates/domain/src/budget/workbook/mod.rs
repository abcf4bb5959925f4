//! The controller's export of a budget (product.md D11) as a description of a workbook: sheets,
//! rows and cells with Excel number formats and formulas, each formula with the value the
//! application computed. The web crate writes it as XLSX (rust_xlsxwriter) and the overview as
//! CSV ([`overview_csv`]); docs/controller-exports.md describes the layout for controllers.
//!
//! # Sheets
//!
//! - **Overzicht**: one row per vakgroep from H to the allocation, the hospital totals, the
//!   parameters (M, the earmark, D, φ, band, weights, variant), the snapshot hash and the
//!   adopting decisions, notes. CONCEPT at the top when the scenario is not adopted.
//! - **Invoer**: normuren per fte, formative fte (1a/1b when known), last year's norm-fte and
//!   variant per vakgroep; every KPI with its ratio; every trend input and whether it applied.
//! - **One sheet per vakgroep** ([`vakgroep_sheet_name`]): every care product with B, the trend
//!   inputs that touched it, Vb, norm time and norm hours; H at the top.
//!
//! # Decisions
//!
//! - **Formulas where a controller traces a figure**, values where the figure is an input or the
//!   outcome of a rule that is not arithmetic: norm hours, H, F0, the KPI ratios, E, Z, the
//!   weight factor, F, the mutation, the earmark's exact share, the fixed and capacity parts and
//!   every sum are formulas; B, norm times, KPI values, normuren, weights, M, φ and the
//!   last-year figures are inputs; the cents of an allocation or an earmark (largest remainder)
//!   and a band bound (rounded inward to cents, then chosen by the water-filling) are values,
//!   with the exact amount beside them as a formula where one exists. The free vakgroepen's
//!   factor after band passes is a formula over the table for the whole hospital, a value in a
//!   representative's workbook.
//! - **Every cached value is the application's**, not a recomputation, and
//!   [`verify_formulas`] checks that each formula evaluates to it (to 1e-9) with an evaluator
//!   for exactly the formula subset written here (`+ − × ÷`, parentheses, references across
//!   sheets, SUM, AVERAGE, MAX, SUMPRODUCT). The tests run it over the golden budgets and over
//!   generated ones.
//! - **Scope.** A [`WorkbookScope::Vakgroepen`] workbook has the rows, sheets, KPIs and trend
//!   inputs of those vakgroepen only; the hospital totals are values (their formulas would need
//!   the other rows) and hospital-level messages, which may name other vakgroepen, are left out.
//!   The distribution is shown only when the caller passes it (it is MSB-only until shared).
//! - **Formats** are Excel's codes (`#,##0.00`): Excel stores them with `,` for thousands and
//!   `.` for decimals and shows them in the reader's locale, so Dutch Excel shows `1.234,56`.
//!   Formulas use Excel's stored syntax (English names, `,` between arguments): a Dutch Excel
//!   shows `=SOM(G5:G104)`.
//! - **Order.** Vakgroepen in code order everywhere, as the distribution orders them.

mod csv;
mod eval;
mod inputs_sheet;
mod model;
mod names;
mod overview;
mod source;
mod text;
mod vakgroep_sheet;

#[cfg(test)]
mod tests;

pub use csv::{csv_field, overview_csv};
pub use eval::{FormulaProblem, verify_formulas};
pub use model::{
    Addr, Cell, ColumnSpec, DecimalMark, NumberFormat, Row, RowStyle, Sheet, Workbook,
    column_letters, quote_sheet,
};
pub use names::{
    MAX_SHEET_NAME_CHARS, SheetNames, clean_sheet_name, sheet_name_problem, vakgroep_sheet_name,
};
pub use source::{
    AdoptionDecision, Labels, WorkbookError, WorkbookMeta, WorkbookScope, WorkbookSource,
};

/// The workbook for `scope`. Fails only when the parts do not belong together or a vakgroep has
/// more care products than a sheet has rows.
pub fn build_workbook(
    source: &WorkbookSource,
    scope: &WorkbookScope,
) -> Result<Workbook, WorkbookError> {
    let mut sheets = Vec::new();
    stream_workbook(source, scope, |sheet| {
        sheets.push(sheet);
        Ok::<(), WorkbookError>(())
    })?;
    Ok(Workbook {
        title: source.meta.title.clone(),
        concept: source.meta.concept,
        snapshot_hash: source.meta.snapshot_hash.clone(),
        sheets,
    })
}

/// The sheets of [`build_workbook`], in its order, handed to `emit` one at a time: the overview,
/// the inputs, then each vakgroep's sheet, built only when the previous one was emitted. A
/// writer that writes each sheet and drops it holds one vakgroep's cells at a time instead of a
/// hospital's 1.4 million.
pub fn stream_workbook<E: From<WorkbookError>>(
    source: &WorkbookSource,
    scope: &WorkbookScope,
    mut emit: impl FnMut(Sheet) -> Result<(), E>,
) -> Result<(), E> {
    source::check(source)?;
    let mut vakgroepen = source::visible(source, scope);
    let full = vakgroepen.len() == source.result.vakgroepen.len();

    let mut names = SheetNames::new();
    names.claim(overview::SHEET);
    names.claim(inputs_sheet::SHEET);
    for v in &mut vakgroepen {
        v.sheet = names.claim(&vakgroep_sheet_name(&v.result.code, v.name));
    }

    let (invoer, refs) =
        inputs_sheet::build(source.meta, &vakgroepen, &source.labels.formatief_split);
    let hours: Vec<_> = vakgroepen
        .iter()
        .map(vakgroep_sheet::total_address)
        .collect();
    let overview = overview::Overview {
        source,
        vakgroepen: &vakgroepen,
        invoer: &refs,
        hours: &hours,
        full,
    }
    .build();
    emit(overview)?;
    emit(invoer)?;
    for v in &vakgroepen {
        let (sheet, h) = vakgroep_sheet::build(source.meta, v, &source.labels.product_descriptions);
        debug_assert_eq!(h, vakgroep_sheet::total_address(v));
        emit(sheet)?;
    }
    Ok(())
}
