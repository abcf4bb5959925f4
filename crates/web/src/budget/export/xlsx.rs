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

/// The formats of the workbook, one per row style and number format. A linear search: there are
/// at most a dozen, and hashing a key per cell showed in the profile.
#[derive(Default)]
struct Formats(Vec<((RowStyle, Option<NumberFormat>), Format)>);

impl Formats {
    fn get(&mut self, style: RowStyle, number: Option<NumberFormat>) -> &Format {
        let key = (style, number);
        let at = match self.0.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                self.0.push((key, make_format(style, number)));
                self.0.len() - 1
            }
        };
        &self.0[at].1
    }
}

fn make_format(style: RowStyle, number: Option<NumberFormat>) -> Format {
    let f = match style {
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
    match number {
        Some(n) => f.set_num_format(n.excel_code()),
        None => f,
    }
}

/// A decimal as the file's number: figures here have at most 28 significant digits and are
/// far within an f64's range; the cached value of a formula is written as its exact text.
fn number(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(0.0)
}

/// The number format of a cell, if it has one.
fn number_format(cell: &Cell) -> Option<NumberFormat> {
    match cell {
        Cell::Number { format, .. } | Cell::Formula { format, .. } => Some(*format),
        Cell::Empty | Cell::Text(_) => None,
    }
}

/// Per column, the number format of its plain rows when they all share one: such a column gets
/// it as its column format and its plain cells are written without a format of their own.
/// rust_xlsxwriter hashes a cell's whole format to find its index, which for a hospital's 1.4
/// million cells took a tenth of the export; a cell without a format takes the column's.
fn column_formats(sheet: &Sheet) -> Vec<Option<NumberFormat>> {
    let mut formats: Vec<Option<Option<NumberFormat>>> = vec![None; sheet.columns.len()];
    let mut mixed = vec![false; sheet.columns.len()];
    for r in sheet.rows.iter().filter(|r| r.style == RowStyle::Normal) {
        for (col, cell) in r.cells.iter().enumerate().take(formats.len()) {
            let Some(n) = number_format(cell) else {
                continue;
            };
            match formats[col] {
                None => formats[col] = Some(Some(n)),
                Some(Some(seen)) if seen == n => {}
                Some(_) => mixed[col] = true,
            }
        }
    }
    formats
        .into_iter()
        .zip(mixed)
        .map(|(f, mixed)| if mixed { None } else { f.flatten() })
        .collect()
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet, formats: &mut Formats) -> Result<(), XlsxError> {
    ws.set_name(&sheet.name)?;
    let by_column = column_formats(sheet);
    for (col, spec) in (0u16..).zip(&sheet.columns) {
        ws.set_column_width(col, f64::from(spec.width))?;
        if let Some(n) = by_column[usize::from(col)] {
            ws.set_column_format(col, formats.get(RowStyle::Normal, Some(n)))?;
        }
    }
    for (row, r) in (0u32..).zip(&sheet.rows) {
        for (col, cell) in (0u16..).zip(&r.cells) {
            // The column's format, when the cell's is the same: written without one.
            let inherited = r.style == RowStyle::Normal
                && number_format(cell).is_some()
                && by_column.get(usize::from(col)).copied().flatten() == number_format(cell);
            match cell {
                Cell::Empty => {
                    if r.style != RowStyle::Normal {
                        ws.write_blank(row, col, formats.get(r.style, None))?;
                    }
                }
                Cell::Text(t) if r.style == RowStyle::Normal => {
                    ws.write_string(row, col, t)?;
                }
                Cell::Text(t) => {
                    ws.write_string_with_format(row, col, t, formats.get(r.style, None))?;
                }
                Cell::Number { value, .. } if inherited => {
                    ws.write_number(row, col, number(*value))?;
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
                    let formula = Formula::new(formula).set_result(cached.normalize().to_string());
                    if inherited {
                        ws.write_formula(row, col, formula)?;
                    } else {
                        let f = formats.get(r.style, Some(*format));
                        ws.write_formula_with_format(row, col, formula, f)?;
                    }
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

/// The zip container's deflate level (1 fastest … 9 smallest; 6 is the default).
const ZIP_LEVEL: u8 = 2;

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
    // Deflate took a third of the export at the default level 6; level 2 writes a file about a
    // tenth larger in about half the time (rust_xlsxwriter's performance notes, and measured in
    // docs/performance.md).
    book.set_zip_compression_level(ZIP_LEVEL);
    let mut properties = DocProperties::new()
        .set_title(&meta.title)
        .set_author("Gelijkgericht");
    if let Some(hash) = &meta.snapshot_hash {
        properties = properties.set_comment(format!("snapshot-hash (SHA-256) {hash}"));
    }
    book.set_properties(&properties);
    let mut formats = Formats::default();
    // The domain builds the next sheet on the second core while this one is written; at most
    // two built sheets wait, so the memory stays that of a few vakgroepen.
    let (send, receive) = std::sync::mpsc::sync_channel::<Sheet>(2);
    std::thread::scope(|scope_| {
        let builder = scope_.spawn(move || {
            stream_workbook(source, scope, |sheet| {
                send.send(sheet).map_err(|_| Built::WriterStopped)
            })
        });
        let mut written = Ok(());
        for sheet in receive {
            // Row by row to a temporary file: a hospital's workbook holds 1.4 million cells,
            // which kept in memory until the end took 680 MB.
            written = book.add_worksheet_with_constant_memory().and_then(|ws| {
                write_sheet(ws, &sheet, &mut formats)?;
                if meta.concept {
                    ws.set_header("&C&\"-,Bold\"CONCEPT – niet vastgesteld");
                }
                Ok(())
            });
            if written.is_err() {
                // Dropping the receiver stops the builder at its next sheet.
                break;
            }
        }
        written?;
        match builder.join() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(Built::Workbook(e))) => Err(WriteError::Workbook(e)),
            // The writer's own error was returned above.
            Ok(Err(Built::WriterStopped)) => Ok(()),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })?;
    Ok(book.save_to_buffer()?)
}

/// Why the builder of the sheets stopped early.
enum Built {
    Workbook(WorkbookError),
    /// The writer failed and no longer takes sheets.
    WriterStopped,
}

impl From<WorkbookError> for Built {
    fn from(e: WorkbookError) -> Self {
        Built::Workbook(e)
    }
}
