//! Writes the domain's description of a workbook (`domain::budget::workbook`) as an XLSX file,
//! cell by cell: the number formats as Excel stores them, every formula with its cached value
//! (so the file shows the application's figures before any recalculation), frozen header rows,
//! column widths, and the snapshot hash in the document properties. Sheets are written in
//! rust_xlsxwriter's constant-memory mode: each row goes to a temporary file once the next
//! starts (the domain's rows are in order), strings inline rather than in a shared table.

use domain::budget::workbook::{
    Cell, NumberFormat, RowStyle, Sheet, WorkbookError, WorkbookScope, WorkbookSource,
    stream_workbook,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DocProperties, Format, FormatBorder, Formula, Worksheet, XlsxError};
use std::collections::HashMap;

/// The formats of the workbook, one per row style and number format.
#[derive(Default)]
struct Formats(HashMap<(RowStyle, Option<NumberFormat>), Format>);

impl Formats {
    fn get(&mut self, style: RowStyle, number: Option<NumberFormat>) -> &Format {
        self.0.entry((style, number)).or_insert_with(|| {
            let mut f = match style {
                RowStyle::Normal => Format::new(),
                RowStyle::Title => Format::new().set_bold().set_font_size(14),
                RowStyle::Header => Format::new()
                    .set_bold()
                    .set_text_wrap()
                    .set_border_bottom(FormatBorder::Thin),
                RowStyle::Total => Format::new().set_bold().set_border_top(FormatBorder::Thin),
                RowStyle::Note => Format::new().set_italic(),
                RowStyle::Warning => Format::new().set_bold().set_font_color(0x00C0_0000),
            };
            if let Some(n) = number {
                f = f.set_num_format(n.excel_code());
            }
            f
        })
    }
}

/// A decimal as the file's number: figures here have at most 28 significant digits and are
/// far within an f64's range; the cached value of a formula is written as its exact text.
fn number(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(0.0)
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet, formats: &mut Formats) -> Result<(), XlsxError> {
    ws.set_name(&sheet.name)?;
    for (col, spec) in (0u16..).zip(&sheet.columns) {
        ws.set_column_width(col, f64::from(spec.width))?;
    }
    for (row, r) in (0u32..).zip(&sheet.rows) {
        for (col, cell) in (0u16..).zip(&r.cells) {
            match cell {
                Cell::Empty => {
                    if r.style != RowStyle::Normal {
                        ws.write_blank(row, col, formats.get(r.style, None))?;
                    }
                }
                Cell::Text(t) => {
                    ws.write_string_with_format(row, col, t, formats.get(r.style, None))?;
                }
                Cell::Number { value, format } => {
                    let f = formats.get(r.style, Some(*format));
                    ws.write_number_with_format(row, col, number(*value), f)?;
                }
                Cell::Formula {
                    formula,
                    cached,
                    format,
                } => {
                    let f = formats.get(r.style, Some(*format));
                    let formula = Formula::new(formula).set_result(cached.normalize().to_string());
                    ws.write_formula_with_format(row, col, formula, f)?;
                }
            }
        }
    }
    if sheet.freeze_rows > 0 {
        ws.set_freeze_panes(sheet.freeze_rows, 0)?;
    }
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    if sheet.freeze_rows > 0 {
        ws.set_repeat_rows(0, sheet.freeze_rows - 1)?;
    }
    Ok(())
}

/// Why no file was written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    #[error(transparent)]
    Workbook(#[from] WorkbookError),
    #[error(transparent)]
    Xlsx(#[from] XlsxError),
}

/// The XLSX file of the workbook the domain describes for `source` and `scope`, each sheet
/// written (to a temporary file) and dropped before the next is built.
pub(crate) fn write(source: &WorkbookSource, scope: &WorkbookScope) -> Result<Vec<u8>, WriteError> {
    let meta = source.meta;
    let mut book = rust_xlsxwriter::Workbook::new();
    let mut properties = DocProperties::new()
        .set_title(&meta.title)
        .set_author("Gelijkgericht");
    if let Some(hash) = &meta.snapshot_hash {
        properties = properties.set_comment(format!("snapshot-hash (SHA-256) {hash}"));
    }
    book.set_properties(&properties);
    let mut formats = Formats::default();
    stream_workbook(source, scope, |sheet| {
        // Row by row to a temporary file: a hospital's workbook holds 1.4 million cells, which
        // kept in memory until the end took 680 MB.
        let ws = book.add_worksheet_with_constant_memory()?;
        write_sheet(ws, &sheet, &mut formats)?;
        if meta.concept {
            ws.set_header("&C&\"-,Bold\"CONCEPT – niet vastgesteld");
        }
        Ok::<(), WriteError>(())
    })?;
    Ok(book.save_to_buffer()?)
}
