//! Reading a year's tariff list from CSV: `zorgproduct;tarief` (an `omschrijving` column may be
//! there and is skipped), with the production file's reader ([`crate::production::parse`]): the
//! same separators, quoting, decimal marks, BOM, line numbers and checks. The reader expects a
//! vakgroep column, which a tariff list does not have (a tariff belongs to the care product
//! code), so one is put in front of every line, the tariff column is read as the volume column,
//! and the messages are turned back into the tariff's words, as the norm-time import does.

use crate::budget::precision::{Column, Floor};
use crate::production::{self, LineError};
use rust_decimal::Decimal;

/// A tariff in euros: whole cents, 0 or more, below 10¹⁰ (`numeric(12, 2)`).
pub const TARIFF: Column = Column {
    precision: 12,
    scale: 2,
    floor: Floor::Zero,
    ceiling: None,
};

/// Header names (lower case) that mean the tariff column.
const TARIFF_COLUMN: &[&str] = &["tarief", "tarief_euro", "prijs", "tariff", "price"];

/// The vakgroep value put in front of every line; never shown (messages that would name it are
/// rewritten).
const FILLER: &str = "TARIEF";

/// One tariff from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TariffLine {
    /// The line number in the file (the header is line 1).
    pub line: usize,
    /// The care product code as written (trimmed).
    pub product: String,
    pub tariff: Decimal,
}

/// Reads a tariff file: every line, or every bad line (at most
/// [`production::MAX_REPORTED_ERRORS`], with the total count) with Dutch reasons. All or
/// nothing: a file with any error gives no tariffs.
pub fn parse_tariffs(data: &[u8]) -> Result<Vec<TariffLine>, (Vec<LineError>, usize)> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let header_end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let header = String::from_utf8_lossy(&data[..header_end]);
    let header = header.trim_end_matches('\r');
    let refuse = |reason: String| Err((vec![LineError::new(1, None, reason)], 1));
    if header.trim().is_empty() {
        return refuse(
            "Het bestand is leeg: de eerste regel moet de kolomnamen bevatten (zorgproduct;tarief)."
                .into(),
        );
    }
    let separator = if header.contains(';') { b';' } else { b',' };
    let names: Vec<String> = header
        .split(separator as char)
        .map(|n| n.trim().trim_matches('"').trim().to_lowercase())
        .collect();
    let Some(tariff_at) = names
        .iter()
        .position(|n| TARIFF_COLUMN.contains(&n.as_str()))
    else {
        return refuse(
            "De kopregel mist de kolom tarief. Verwacht: zorgproduct;tarief.".to_string(),
        );
    };
    let product_aliases = production::Column::Zorgproduct.aliases();
    if let Some(other) = names.iter().enumerate().find_map(|(i, n)| {
        let known = i == tariff_at
            || n.is_empty()
            || product_aliases.contains(&n.as_str())
            || production::IGNORED_COLUMNS.contains(&n.as_str());
        (!known).then_some(n)
    }) {
        return refuse(format!(
            "Onbekende kolom \"{other}\" in de kopregel. Verwacht: zorgproduct;tarief (omschrijving mag)."
        ));
    }
    // The names as written, so that messages name the columns the way the file does.
    let written: Vec<String> = header
        .split(separator as char)
        .map(|n| n.trim().trim_matches('"').trim().to_string())
        .collect();
    let tariff_name = written[tariff_at].clone();

    // The production reader's input: a vakgroep column in front, the tariff as the volume.
    let mut renamed = written;
    renamed[tariff_at] = "volume".into();
    let sep = separator as char;
    let mut bytes = Vec::with_capacity(data.len() + data.len() / 8);
    bytes.extend_from_slice(format!("vakgroep{sep}{}", renamed.join(&sep.to_string())).as_bytes());
    for line in data[header_end..].split(|&b| b == b'\n').skip(1) {
        bytes.push(b'\n');
        let blank = line
            .iter()
            .all(|&b| b == separator || b.is_ascii_whitespace());
        if !blank {
            bytes.extend_from_slice(FILLER.as_bytes());
            bytes.push(separator);
        }
        bytes.extend_from_slice(line);
    }

    let mut parsed = production::parse(&bytes, |_| {});
    for l in &parsed.lines {
        if let Err(e) = TARIFF.check(l.volume) {
            parsed.errors.push(LineError::new(
                l.line as usize,
                Some("volume"),
                e.to_string(),
            ));
        }
    }
    if !parsed.errors.is_empty() {
        let (errors, total) = parsed.errors.finish();
        let errors = errors
            .into_iter()
            .map(|e| {
                let column = e.column.map(|c| {
                    if c == "volume" {
                        tariff_name.clone()
                    } else {
                        c
                    }
                });
                LineError::new(e.line, column.as_deref(), in_tariff_words(&e.reason))
            })
            .collect();
        return Err((errors, total));
    }
    if parsed.lines.is_empty() {
        return refuse("Het bestand bevat geen tarieven; er is niets gewijzigd.".into());
    }
    Ok(parsed
        .lines
        .into_iter()
        .map(|l| TariffLine {
            line: l.line as usize,
            product: l.product,
            tariff: l.volume,
        })
        .collect())
}

/// The production reader's reason in the tariff list's words: the volume is the tariff, the
/// vakgroep column put in front is not counted, and the filler vakgroep is not named.
fn in_tariff_words(reason: &str) -> String {
    if let Some(rest) = reason.strip_prefix("Deze regel heeft ") {
        // "Deze regel heeft 4 kolommen, de kopregel 3." counts the column put in front.
        let numbers: Vec<usize> = rest
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect();
        if let [line, header] = numbers[..] {
            return format!(
                "Deze regel heeft {} kolommen, de kopregel {}.",
                line.saturating_sub(1),
                header.saturating_sub(1)
            );
        }
    }
    reason
        .replace(&format!("vakgroep {FILLER}, "), "")
        .replace("Negatief volume", "Negatief tarief")
        .replace("een volume is", "een tarief is")
        .replace("een volume heeft", "een tarief heeft")
        .replace("Volume ontbreekt", "Tarief ontbreekt")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn errors(input: &str) -> Vec<String> {
        parse_tariffs(input.as_bytes())
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn reads_semicolons_commas_bom_and_descriptions() {
        let lines = parse_tariffs(
            "\u{feff}Zorgproduct;Omschrijving;Tarief\r\n990004006;\"Consult; eerste\";123,45\r\n\r\n;;\r\n990004007;;2000\r\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            lines,
            [
                TariffLine {
                    line: 2,
                    product: "990004006".into(),
                    tariff: dec!(123.45)
                },
                TariffLine {
                    line: 5,
                    product: "990004007".into(),
                    tariff: dec!(2000)
                },
            ]
        );
        let lines = parse_tariffs(b"zorgproduct,prijs\nA1,12.5\n").unwrap();
        assert_eq!(lines[0].tariff, dec!(12.5));
    }

    #[test]
    fn bad_lines_are_reported_in_tariff_words() {
        assert_eq!(
            errors("zorgproduct;tarief\nA;3\nB;-3\nC;\nD;1,005\nA;4\nE;5;6\nF;12345678901\n;7"),
            [
                "regel 3, kolom tarief: Negatief tarief (-3): een tarief is 0 of meer.",
                "regel 4, kolom tarief: Tarief ontbreekt.",
                "regel 5, kolom tarief: Gebruik ten hoogste 2 decimalen.",
                "regel 6, kolom zorgproduct: Dubbele regel: zorgproduct A staat ook op regel 2.",
                "regel 7: Deze regel heeft 3 kolommen, de kopregel 2.",
                "regel 8, kolom tarief: Vul een waarde in kleiner dan 10.000.000.000.",
                "regel 9, kolom zorgproduct: Zorgproduct ontbreekt.",
            ]
        );
    }

    #[test]
    fn the_header_must_name_product_and_tariff_only() {
        assert_eq!(
            errors("zorgproduct;volume\nA;3"),
            ["regel 1: De kopregel mist de kolom tarief. Verwacht: zorgproduct;tarief."]
        );
        assert_eq!(
            errors("vakgroep;zorgproduct;tarief\nCAR;A;3"),
            [
                "regel 1: Onbekende kolom \"vakgroep\" in de kopregel. Verwacht: zorgproduct;tarief (omschrijving mag)."
            ]
        );
        assert_eq!(
            errors("tarief\n3"),
            [
                "regel 1, kolom zorgproduct: Kolom zorgproduct ontbreekt in de kopregel (toegestaan: zorgproduct, zorgproductcode, zorgproduct_code, zorgactiviteit, zorgactiviteitcode, zorgactiviteit_code, product, productcode, care_product)."
            ]
        );
        assert_eq!(
            errors(""),
            [
                "regel 1: Het bestand is leeg: de eerste regel moet de kolomnamen bevatten (zorgproduct;tarief)."
            ]
        );
        assert_eq!(
            errors("zorgproduct;tarief\n\n"),
            ["regel 1: Het bestand bevat geen tarieven; er is niets gewijzigd."]
        );
    }
}
