//! Reading a file of realised production volumes (product.md D2): the hospital's data-warehouse
//! extract as CSV, one line per vakgroep and care product. The format is described for users in
//! `docs/production-import.md`.
//!
//! The reader is all-or-nothing in spirit: it returns every usable line *and* every bad line, so
//! that the store can also check the codes of the good lines and report everything at once; a
//! file with any error is not imported. It works on bytes and allocates little per line, because
//! files of a million lines must be read in well under a second.

use crate::people::FieldError;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::HashMap;

mod errors;
mod job;
mod volume;
pub use errors::{LineError, LineErrors};
pub use job::{IMPORT_JOB_RETENTION_DAYS, IMPORT_JOB_STALE_AFTER_SECS, ImportJobState};
pub use volume::{VolumeError, parse_volume};

/// At most this many line errors are kept by default (the lowest line numbers); the total is
/// always counted. A background import keeps them all ([`parse_keeping`]), to store them.
pub const MAX_REPORTED_ERRORS: usize = 1_000;

/// A volume has at most this many digits before the decimal mark: a month of one care product
/// is far below a trillion, so more is a broken extract, and the bound keeps every sum over a
/// file of a million lines far from the 28 digits a decimal can hold.
pub const MAX_VOLUME_INTEGER_DIGITS: u32 = 12;

/// A volume has at most this many decimals (trailing zeros do not count): enough for parts of a
/// day or an hour, and a file with more is not what the data warehouse meant to send.
pub const MAX_VOLUME_DECIMALS: u32 = 4;

/// Progress is reported after every this many lines.
pub const PROGRESS_EVERY: usize = 65_536;

/// The columns the import needs, with the header names (lower case) accepted for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Vakgroep,
    Zorgproduct,
    Volume,
}

impl Column {
    pub const ALL: [Column; 3] = [Column::Vakgroep, Column::Zorgproduct, Column::Volume];

    /// The canonical header name.
    pub fn name(self) -> &'static str {
        match self {
            Column::Vakgroep => "vakgroep",
            Column::Zorgproduct => "zorgproduct",
            Column::Volume => "volume",
        }
    }

    /// Every header name (lower case, trimmed) that means this column.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Vakgroep => &[
                "vakgroep",
                "vakgroepcode",
                "vakgroep_code",
                "specialisme",
                "specialismecode",
                "specialty",
            ],
            Column::Zorgproduct => &[
                "zorgproduct",
                "zorgproductcode",
                "zorgproduct_code",
                "zorgactiviteit",
                "zorgactiviteitcode",
                "zorgactiviteit_code",
                "product",
                "productcode",
                "care_product",
            ],
            Column::Volume => &["volume", "aantal", "productie", "count", "quantity"],
        }
    }

    fn from_header(name: &str) -> Option<Column> {
        Column::ALL
            .into_iter()
            .find(|c| c.aliases().contains(&name))
    }
}

/// Header names that are accepted and skipped: extracts often carry a description.
pub const IGNORED_COLUMNS: &[&str] = &["omschrijving", "description"];

/// One usable data line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductionLine {
    /// The line number in the file (the header is line 1).
    pub line: u32,
    /// Index into [`ParsedFile::vakgroepen`].
    pub vakgroep: u32,
    /// The care product code as written (trimmed).
    pub product: String,
    pub volume: Decimal,
    /// The `omschrijving` column's text, when the file has one and the cell is not empty: a
    /// norm-time list may introduce care products the hospital does not know yet.
    pub description: Option<String>,
}

/// What a file holds: its good lines and its bad ones. Importable only when `errors` is empty.
#[derive(Debug, Clone, Default)]
pub struct ParsedFile {
    /// `b';'` or `b','`.
    pub separator: u8,
    /// The distinct vakgroep codes (upper case) in order of first appearance.
    pub vakgroepen: Vec<String>,
    pub lines: Vec<ProductionLine>,
    /// Non-empty data lines read, good and bad.
    pub data_lines: usize,
    pub errors: LineErrors,
    /// The header names as written in the file for vakgroep, zorgproduct and volume.
    pub column_names: [String; 3],
}

impl ParsedFile {
    pub fn vakgroep_code(&self, line: &ProductionLine) -> &str {
        &self.vakgroepen[line.vakgroep as usize]
    }

    /// A column's name as the file's header writes it (the canonical name before the header is
    /// read), for error messages that point at what the user sees.
    pub fn column_name(&self, column: Column) -> &str {
        let name = &self.column_names[column as usize];
        if name.is_empty() { column.name() } else { name }
    }
}

/// Checks a requested year and period (1–12, a month).
pub fn check_period(year: i32, period: i32) -> Result<(), FieldError> {
    if !i16::try_from(year).is_ok_and(|y| crate::budget::master::YEARS.contains(&y)) {
        return Err(FieldError::new(
            "year",
            "Kies een jaar tussen 2000 en 2200.",
        ));
    }
    if !(1..=12).contains(&period) {
        return Err(FieldError::new(
            "period",
            "Kies een periode van 1 tot en met 12 (de maand).",
        ));
    }
    Ok(())
}

/// Reads a production file. `progress` is called with the number of lines read so far, every
/// [`PROGRESS_EVERY`] lines and once at the end. Keeps the first [`MAX_REPORTED_ERRORS`] errors.
pub fn parse(input: &[u8], progress: impl FnMut(usize)) -> ParsedFile {
    parse_keeping(input, MAX_REPORTED_ERRORS, progress)
}

/// [`parse`], keeping the first `max_errors` errors (`usize::MAX`: all of them).
pub fn parse_keeping(
    input: &[u8],
    max_errors: usize,
    mut progress: impl FnMut(usize),
) -> ParsedFile {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let mut out = ParsedFile {
        errors: LineErrors::keeping(max_errors),
        ..ParsedFile::default()
    };
    let mut lines = input.split(|&b| b == b'\n').enumerate();

    let Some((_, header)) = lines.next().filter(|(_, h)| !is_blank(strip_cr(h))) else {
        out.errors.push(LineError::new(
            1,
            None,
            "Het bestand is leeg: de eerste regel moet de kolomnamen bevatten (vakgroep;zorgproduct;volume).",
        ));
        return out;
    };
    let header = strip_cr(header);
    out.separator = sniff_separator(header);
    let Some(layout) = read_header(header, out.separator, &mut out.errors) else {
        return out;
    };
    out.column_names = Column::ALL.map(|c| layout.names[layout.index(c)].clone());

    let mut fields: Vec<Cow<'_, [u8]>> = Vec::with_capacity(layout.names.len() + 1);
    let mut vakgroep_index: HashMap<String, u32> = HashMap::new();
    let mut last_vakgroep: Option<(Vec<u8>, u32)> = None;
    let mut seen = 0usize;
    for (i, raw) in lines {
        let line_no = i + 1;
        seen += 1;
        if seen.is_multiple_of(PROGRESS_EVERY) {
            progress(seen);
        }
        let raw = strip_cr(raw);
        if is_blank(raw) {
            continue;
        }
        fields.clear();
        if !split_fields(raw, out.separator, &mut fields) {
            out.data_lines += 1;
            out.errors.push(LineError::new(
                line_no,
                None,
                "Een aanhalingsteken (\") is niet afgesloten op deze regel.",
            ));
            continue;
        }
        if fields.iter().all(|f| is_blank(f)) {
            // A spreadsheet's empty row: only separators.
            continue;
        }
        out.data_lines += 1;
        if fields.len() > layout.names.len() {
            out.errors.push(LineError::new(
                line_no,
                None,
                format!(
                    "Deze regel heeft {} kolommen, de kopregel {}.",
                    fields.len(),
                    layout.names.len()
                ),
            ));
            continue;
        }
        let field = |c: usize| -> &[u8] { fields.get(c).map(|f| trim(f)).unwrap_or(b"") };
        let mut bad = false;
        let mut err = |column: Column, reason: String| {
            out.errors.push(LineError::new(
                line_no,
                Some(&layout.names[layout.index(column)]),
                reason,
            ));
        };

        // Vakgroep: most files are sorted by vakgroep, so the previous line's code usually matches.
        let vak_raw = field(layout.index(Column::Vakgroep));
        let vakgroep = match &last_vakgroep {
            Some((code, idx)) if code.as_slice() == vak_raw => Some(*idx),
            _ => match text(vak_raw) {
                Err(()) => {
                    err(Column::Vakgroep, not_utf8());
                    None
                }
                Ok("") => {
                    err(Column::Vakgroep, "Vakgroep ontbreekt.".into());
                    None
                }
                Ok(code) => {
                    let code = code.to_uppercase();
                    let next = vakgroep_index.len() as u32;
                    let idx = *vakgroep_index.entry(code.clone()).or_insert_with(|| {
                        out.vakgroepen.push(code);
                        next
                    });
                    last_vakgroep = Some((vak_raw.to_vec(), idx));
                    Some(idx)
                }
            },
        };
        bad |= vakgroep.is_none();

        let product = match text(field(layout.index(Column::Zorgproduct))) {
            Err(()) => {
                err(Column::Zorgproduct, not_utf8());
                None
            }
            Ok("") => {
                err(Column::Zorgproduct, "Zorgproduct ontbreekt.".into());
                None
            }
            Ok(p) if p.chars().count() > 40 => {
                err(
                    Column::Zorgproduct,
                    "Een zorgproductcode is ten hoogste 40 tekens lang.".into(),
                );
                None
            }
            Ok(p) => Some(p),
        };
        bad |= product.is_none();

        let volume = match parse_volume(field(layout.index(Column::Volume))) {
            Ok(v) => Some(v),
            Err(e) => {
                err(Column::Volume, e.reason());
                None
            }
        };
        bad |= volume.is_none();

        if let (false, Some(vakgroep), Some(product), Some(volume)) =
            (bad, vakgroep, product, volume)
        {
            let description = layout
                .description
                .and_then(|i| text(field(i)).ok())
                .filter(|d| !d.is_empty())
                .map(str::to_string);
            out.lines.push(ProductionLine {
                line: line_no as u32,
                vakgroep,
                product: product.to_string(),
                volume,
                description,
            });
        }
    }
    find_duplicates(&mut out);
    progress(seen);
    out
}

/// Where each needed column is, and the header names as written (for error messages).
struct Layout {
    names: Vec<String>,
    positions: [usize; 3],
    description: Option<usize>,
}

impl Layout {
    fn index(&self, c: Column) -> usize {
        self.positions[c as usize]
    }
}

fn read_header(header: &[u8], sep: u8, errors: &mut LineErrors) -> Option<Layout> {
    let mut fields = Vec::new();
    if !split_fields(header, sep, &mut fields) {
        errors.push(LineError::new(
            1,
            None,
            "Een aanhalingsteken (\") in de kopregel is niet afgesloten.",
        ));
        return None;
    }
    let mut names = Vec::with_capacity(fields.len());
    let mut positions: [Option<usize>; 3] = [None; 3];
    let mut description = None;
    let mut ok = true;
    for (i, f) in fields.iter().enumerate() {
        let Ok(name) = text(trim(f)) else {
            errors.push(LineError::new(1, None, not_utf8()));
            return None;
        };
        names.push(name.to_string());
        let key = name.to_lowercase();
        if key.is_empty() || IGNORED_COLUMNS.contains(&key.as_str()) {
            if !key.is_empty() && description.is_none() {
                description = Some(i);
            }
            continue;
        }
        match Column::from_header(&key) {
            Some(c) if positions[c as usize].is_some() => {
                ok = false;
                errors.push(LineError::new(
                    1,
                    Some(name),
                    format!(
                        "Kolom {} komt twee keer voor (ook als \"{}\").",
                        c.name(),
                        names[positions[c as usize].unwrap_or(0)]
                    ),
                ));
            }
            Some(c) => positions[c as usize] = Some(i),
            None => {
                ok = false;
                errors.push(LineError::new(
                    1,
                    Some(name),
                    format!(
                        "Onbekende kolom \"{name}\". Gebruik vakgroep, zorgproduct en volume \
                         (omschrijving mag en wordt overgeslagen)."
                    ),
                ));
            }
        }
    }
    for c in Column::ALL {
        if positions[c as usize].is_none() {
            ok = false;
            errors.push(LineError::new(
                1,
                Some(c.name()),
                format!(
                    "Kolom {} ontbreekt in de kopregel (toegestaan: {}).",
                    c.name(),
                    c.aliases().join(", ")
                ),
            ));
        }
    }
    if !ok {
        return None;
    }
    Some(Layout {
        names,
        positions: positions.map(|p| p.unwrap_or(0)),
        description,
    })
}

/// The header decides: a semicolon anywhere means semicolons (Dutch Excel), otherwise commas.
fn sniff_separator(header: &[u8]) -> u8 {
    if header.contains(&b';') { b';' } else { b',' }
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn is_blank(b: &[u8]) -> bool {
    b.iter().all(|c| c.is_ascii_whitespace())
}

fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

fn text(b: &[u8]) -> Result<&str, ()> {
    std::str::from_utf8(b).map_err(|_| ())
}

fn not_utf8() -> String {
    "Deze waarde bevat tekens die geen UTF-8 zijn; sla het bestand op als CSV UTF-8.".into()
}

/// Splits one line into fields. Fields may be quoted (`"a;b"`, with `""` for a quote inside), as
/// spreadsheets write them; a quoted field cannot span lines. Returns false for an unclosed quote.
fn split_fields<'a>(line: &'a [u8], sep: u8, out: &mut Vec<Cow<'a, [u8]>>) -> bool {
    if !line.contains(&b'"') {
        out.extend(line.split(|&b| b == sep).map(Cow::Borrowed));
        return true;
    }
    let mut i = 0;
    loop {
        // Leading spaces before an opening quote are allowed.
        let start = i;
        while i < line.len() && line[i] == b' ' {
            i += 1;
        }
        if i < line.len() && line[i] == b'"' {
            i += 1;
            let mut value = Vec::new();
            loop {
                match line[i..].iter().position(|&b| b == b'"') {
                    None => return false,
                    Some(q) => {
                        value.extend_from_slice(&line[i..i + q]);
                        i += q + 1;
                        if line.get(i) == Some(&b'"') {
                            value.push(b'"');
                            i += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
            // Anything after the closing quote up to the separator is kept (spaces, usually).
            let rest_end = line[i..]
                .iter()
                .position(|&b| b == sep)
                .map_or(line.len(), |p| i + p);
            value.extend_from_slice(&line[i..rest_end]);
            out.push(Cow::Owned(value));
            i = rest_end;
        } else {
            let end = line[start..]
                .iter()
                .position(|&b| b == sep)
                .map_or(line.len(), |p| start + p);
            out.push(Cow::Borrowed(&line[start..end]));
            i = end;
        }
        if i >= line.len() {
            return true;
        }
        i += 1; // the separator
        if i == line.len() {
            out.push(Cow::Borrowed(&line[i..]));
            return true;
        }
    }
}

/// Reports every line whose (vakgroep, care product) appeared on an earlier line.
fn find_duplicates(out: &mut ParsedFile) {
    // The repeated value is the care product (within its vakgroep), so that is the column named.
    let product_column = out.column_name(Column::Zorgproduct).to_string();
    let lines = &out.lines;
    let mut order: Vec<u32> = (0..lines.len() as u32).collect();
    // Stable on line order, so the first of equal keys is the earliest line; extracts are usually
    // sorted already, which makes this sort nearly linear.
    order.sort_by(|&a, &b| {
        let (a, b) = (&lines[a as usize], &lines[b as usize]);
        (a.vakgroep, &a.product).cmp(&(b.vakgroep, &b.product))
    });
    let mut dup: Vec<usize> = Vec::new();
    let mut first = None::<u32>;
    for w in order.windows(2) {
        let (a, b) = (&lines[w[0] as usize], &lines[w[1] as usize]);
        if a.vakgroep == b.vakgroep && a.product == b.product {
            let f = *first.get_or_insert(w[0]);
            let f = &lines[f as usize];
            out.errors.push(LineError::new(
                b.line as usize,
                Some(&product_column),
                format!(
                    "Dubbele regel: vakgroep {}, zorgproduct {} staat ook op regel {}.",
                    out.vakgroepen[b.vakgroep as usize], b.product, f.line
                ),
            ));
            dup.push(w[1] as usize);
        } else {
            first = None;
        }
    }
    if !dup.is_empty() {
        dup.sort_unstable();
        let mut k = 0;
        let mut i = 0;
        out.lines.retain(|_| {
            let keep = dup.get(k) != Some(&i);
            if !keep {
                k += 1;
            }
            i += 1;
            keep
        });
    }
}

#[cfg(test)]
mod tests;
