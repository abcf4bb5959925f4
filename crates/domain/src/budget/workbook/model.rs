//! The workbook as data: sheets of rows of cells, with number formats as Excel stores them. The
//! XLSX writer in the web crate turns this into a file cell by cell; nothing here knows a file
//! format, so the layout and every formula can be tested without one.

use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt::Write;

/// How a number is shown. The codes are Excel's own (`excel_code`): Excel stores a format with
/// `,` between thousands and `.` before the decimals whatever the language, and shows it in the
/// reader's locale, so a Dutch Excel shows `#,##0.00` as `1.234,56`. The euro sign is a literal
/// in quotes, which every Excel version shows as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum NumberFormat {
    /// `#,##0`: counts.
    Integer,
    /// `#,##0.00`: fte, norm hours and volumes, as the pages show them.
    Fixed2,
    /// `#,##0.0000`: indexes, KPI ratios, weight factors and KPI values.
    Fixed4,
    /// `#,##0.0###`: a norm time exactly as entered (one to four decimals), like the pages.
    Minutes,
    /// `"€ "#,##0.00`: amounts in whole cents.
    Euro,
    /// `"€ "#,##0.0000`: exact amounts before rounding to cents; the cell holds every digit.
    EuroExact,
    /// `0.0%`: a fraction shown as a percentage (φ, weights, band).
    Percent,
}

impl NumberFormat {
    /// The format code as Excel stores it.
    pub fn excel_code(self) -> &'static str {
        match self {
            NumberFormat::Integer => "#,##0",
            NumberFormat::Fixed2 => "#,##0.00",
            NumberFormat::Fixed4 => "#,##0.0000",
            NumberFormat::Minutes => "#,##0.0###",
            NumberFormat::Euro => "\"€ \"#,##0.00",
            NumberFormat::EuroExact => "\"€ \"#,##0.0000",
            NumberFormat::Percent => "0.0%",
        }
    }

    /// The value as plain text for a CSV file: rounded half away from zero to the decimals the
    /// format shows, no thousands separator (a program reading the file would take it for a
    /// decimal mark), the chosen decimal mark, and a percentage with `%` (which Excel reads back
    /// as a percentage).
    pub fn plain_text(self, value: Decimal, mark: DecimalMark) -> String {
        let (shown, decimals, suffix) = match self {
            NumberFormat::Integer => (value, 0, ""),
            NumberFormat::Fixed2 | NumberFormat::Euro => (value, 2, ""),
            NumberFormat::Fixed4 | NumberFormat::EuroExact => (value, 4, ""),
            NumberFormat::Minutes => (value, value.normalize().scale().clamp(1, 4), ""),
            NumberFormat::Percent => match value.checked_mul(Decimal::ONE_HUNDRED) {
                Some(p) => (p, 1, "%"),
                None => (value, 4, ""),
            },
        };
        let rounded = super::super::round_half_away(shown, decimals);
        let rounded = if rounded.is_zero() {
            Decimal::ZERO
        } else {
            rounded
        };
        let mut text = format!("{:.*}", decimals as usize, rounded);
        if mark == DecimalMark::Comma {
            text = text.replace('.', ",");
        }
        text.push_str(suffix);
        text
    }
}

/// The decimal mark of a CSV export: a comma for Dutch Excel, a point for other programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum DecimalMark {
    Comma,
    Point,
}

/// One cell. A formula always carries the value the application computed (`cached`), so that
/// the file shows the right figures before (or without) recalculation; the formula evaluates to
/// that value (checked by [`super::verify_formulas`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Cell {
    Empty,
    Text(String),
    Number {
        value: Decimal,
        format: NumberFormat,
    },
    /// `formula` as Excel stores it: starting with `=`, English function names (`SUM`,
    /// `AVERAGE`, `MAX`, `SUMPRODUCT`) and `,` between arguments, A1 references, other sheets as
    /// `'Sheet name'!A1`. A Dutch Excel shows `SOM(…;…)`; the file is the same.
    Formula {
        formula: String,
        cached: Decimal,
        format: NumberFormat,
    },
}

impl Cell {
    pub fn text(t: impl Into<String>) -> Cell {
        Cell::Text(t.into())
    }

    pub fn number(value: Decimal, format: NumberFormat) -> Cell {
        Cell::Number { value, format }
    }

    pub fn formula(formula: impl Into<String>, cached: Decimal, format: NumberFormat) -> Cell {
        Cell::Formula {
            formula: formula.into(),
            cached,
            format,
        }
    }

    /// The number a reader sees: the value, or a formula's cached value.
    pub fn value(&self) -> Option<Decimal> {
        match self {
            Cell::Number { value, .. } => Some(*value),
            Cell::Formula { cached, .. } => Some(*cached),
            Cell::Empty | Cell::Text(_) => None,
        }
    }
}

/// How the writer should emphasise a row; every meaning is also in the text (a total row says
/// "Totaal", the concept line says "CONCEPT"), so formatting is never the only signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RowStyle {
    Normal,
    /// The sheet's title: large and bold.
    Title,
    /// Column headings: bold, wrapped, a line below.
    Header,
    /// A total: bold, a line above.
    Total,
    /// A remark: italic.
    Note,
    /// The concept marking: bold (red in the writer), at the top of every sheet.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub style: RowStyle,
    /// From column A on.
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn new(style: RowStyle, cells: Vec<Cell>) -> Row {
        Row { style, cells }
    }
}

/// A column's width in Excel's unit (the width of a digit in the default font).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ColumnSpec {
    pub width: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sheet {
    /// Valid for Excel (see [`super::sheet_name_problem`]) and unique in the workbook.
    pub name: String,
    pub columns: Vec<ColumnSpec>,
    /// Rows kept in view when scrolling (the title and the column headings); 0 for none.
    pub freeze_rows: u32,
    /// From row 1 on.
    pub rows: Vec<Row>,
}

impl Sheet {
    /// The cell at a 1-based row and 0-based column, `None` beyond the written cells.
    pub fn cell(&self, row: u32, col: u32) -> Option<&Cell> {
        self.rows
            .get(usize::try_from(row).ok()?.checked_sub(1)?)?
            .cells
            .get(col as usize)
    }
}

/// The whole export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workbook {
    /// For the file's document properties (title).
    pub title: String,
    /// An unadopted scenario: the writer may add a header "CONCEPT" to every printed page; the
    /// sheets already say so in their first rows.
    pub concept: bool,
    /// For the file's document properties (comments), so the hash travels with the file.
    pub snapshot_hash: Option<String>,
    /// In order; the first is the overview.
    pub sheets: Vec<Sheet>,
}

impl Workbook {
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets.iter().find(|s| s.name == name)
    }
}

/// Excel's column letters for a 0-based index: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letters(mut col: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// A cell address on one sheet: 0-based column, 1-based row, as Excel numbers rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Addr {
    pub col: u32,
    pub row: u32,
}

impl Addr {
    pub fn new(col: u32, row: u32) -> Addr {
        Addr { col, row }
    }

    /// `C5`.
    pub fn a1(self) -> String {
        format!("{}{}", column_letters(self.col), self.row)
    }

    /// `$C$5`: a parameter every row refers to, so that copying a formula keeps pointing at it.
    pub fn abs(self) -> String {
        format!("${}${}", column_letters(self.col), self.row)
    }

    /// `'Sheet name'!C5`.
    pub fn on(self, sheet: &str) -> String {
        format!("{}!{}", quote_sheet(sheet), self.a1())
    }
}

/// A sheet name as a formula writes it: always in single quotes (Excel accepts that for every
/// name, and needs it for names with spaces), a quote inside doubled.
pub fn quote_sheet(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

/// `C5:C104`; an empty range (no rows) is `None`.
pub fn range(col: u32, first_row: u32, last_row: u32) -> Option<String> {
    (last_row >= first_row).then(|| {
        let c = column_letters(col);
        format!("{c}{first_row}:{c}{last_row}")
    })
}

/// A number literal for a formula: plain digits (no exponent, no grouping), trailing zeros off.
pub fn literal(value: Decimal) -> String {
    let mut s = String::new();
    let _ = write!(s, "{}", value.normalize());
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn column_letters_run_like_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(51), "AZ");
        assert_eq!(column_letters(52), "BA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(column_letters(16_383), "XFD");
    }

    #[test]
    fn addresses_and_quoting() {
        let a = Addr::new(2, 5);
        assert_eq!(a.a1(), "C5");
        assert_eq!(a.abs(), "$C$5");
        assert_eq!(
            a.on("KNO Keel- neus- en oorheelkunde"),
            "'KNO Keel- neus- en oorheelkunde'!C5"
        );
        assert_eq!(a.on("Jan's"), "'Jan''s'!C5");
        assert_eq!(range(6, 5, 9).as_deref(), Some("G5:G9"));
        assert_eq!(range(6, 5, 4), None);
        assert_eq!(literal(dec!(0.1000)), "0.1");
        assert_eq!(literal(dec!(-1500)), "-1500");
    }

    #[test]
    fn plain_text_rounds_and_uses_the_chosen_mark() {
        let comma = DecimalMark::Comma;
        assert_eq!(
            NumberFormat::Fixed2.plain_text(dec!(1234.565), comma),
            "1234,57"
        );
        assert_eq!(NumberFormat::Fixed2.plain_text(dec!(-0.004), comma), "0,00");
        assert_eq!(
            NumberFormat::Euro.plain_text(dec!(-12.5), DecimalMark::Point),
            "-12.50"
        );
        assert_eq!(
            NumberFormat::Integer.plain_text(dec!(14020.4), comma),
            "14020"
        );
        assert_eq!(NumberFormat::Minutes.plain_text(dec!(30), comma), "30,0");
        assert_eq!(
            NumberFormat::Minutes.plain_text(dec!(7.12345), comma),
            "7,1235"
        );
        assert_eq!(NumberFormat::Percent.plain_text(dec!(0.2), comma), "20,0%");
        assert_eq!(NumberFormat::Fixed4.plain_text(dec!(1.05), comma), "1,0500");
    }

    #[test]
    fn format_codes_are_excel_codes() {
        assert_eq!(NumberFormat::Fixed2.excel_code(), "#,##0.00");
        assert_eq!(NumberFormat::Euro.excel_code(), "\"€ \"#,##0.00");
    }
}
