//! The overview as CSV (D11): semicolons, CRLF, the decimal mark of choice, formulas as their
//! values. The byte-order mark that makes Excel read UTF-8 is the writer's to add.

use super::model::{Cell, DecimalMark, Workbook};
use super::overview::SHEET;

/// One CSV field for a semicolon-separated file opened in Excel: quoted when it holds a
/// semicolon, a quote, a line break or leading or trailing space; text starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a `'` first, so that Excel never runs a name or a
/// remark as a formula (CSV injection). Numbers are written by [`overview_csv`] itself and never
/// pass here, so a negative number keeps its minus.
///
/// The agreements register's export (`web/src/agreements/export.rs`) uses it too.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    let needs_quotes =
        value.contains([';', '"', '\n', '\r']) || value.starts_with(' ') || value.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// The Overzicht sheet as CSV text, row by row (title, status, table, totals, parameters,
/// adoption, notes), so that the CSV carries the snapshot hash and the adopting decisions like
/// the workbook. Numbers are rounded to the decimals their format shows, without thousands
/// separators; trailing empty cells are left off.
pub fn overview_csv(workbook: &Workbook, mark: DecimalMark) -> String {
    let Some(sheet) = workbook.sheet(SHEET).or(workbook.sheets.first()) else {
        return String::new();
    };
    let mut out = String::new();
    for row in &sheet.rows {
        let end = row
            .cells
            .iter()
            .rposition(|c| !matches!(c, Cell::Empty))
            .map_or(0, |i| i + 1);
        let fields: Vec<String> = row.cells[..end]
            .iter()
            .map(|cell| match cell {
                Cell::Empty => String::new(),
                Cell::Text(t) => csv_field(t),
                Cell::Number { value, format }
                | Cell::Formula {
                    cached: value,
                    format,
                    ..
                } => format.plain_text(*value, mark),
            })
            .collect();
        out.push_str(&fields.join(";"));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_quoting() {
        assert_eq!(csv_field("Gewoon"), "Gewoon");
        assert_eq!(csv_field("a;b"), "\"a;b\"");
        assert_eq!(csv_field("zei \"ja\""), "\"zei \"\"ja\"\"\"");
        assert_eq!(csv_field("regel\nregel"), "\"regel\nregel\"");
        assert_eq!(csv_field(" rand"), "\" rand\"");
        assert_eq!(csv_field("é ü"), "é ü");
    }

    #[test]
    fn formula_starts_are_neutralised() {
        assert_eq!(csv_field("=SOM(A1)"), "'=SOM(A1)");
        assert_eq!(csv_field("+31 20"), "'+31 20");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("@cmd"), "'@cmd");
        assert_eq!(csv_field("\tx"), "'\tx");
        assert_eq!(csv_field("=a;b"), "\"'=a;b\"");
        assert_eq!(csv_field("−0,40"), "−0,40");
    }
}
