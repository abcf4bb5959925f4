//! Resolving a file's vakgroep and care-product codes to care product ids, in the app.
//!
//! The care products of the file's vakgroepen are read in one query (one row per vakgroep, its
//! codes and ids as arrays) and looked up in a hash map. That lets the import COPY resolved rows
//! straight into `production_volume`, instead of staging the codes and joining them in SQL, which
//! cost a million-line file a second more than the rest of the import together.

use crate::{PgConnection, StoreError};
use domain::production::{Column, LineError, ParsedFile};
use sqlx::types::Decimal;
use std::collections::HashMap;

/// One line's care product and volume, ready for `production_volume`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Resolved {
    pub vakgroep_id: i64,
    pub care_product_id: i64,
    pub volume: Decimal,
}

/// Looks up every good line's codes; a line whose vakgroep or care product does not exist gets a
/// line error (as the master data page names it) and no row. The rows come sorted by care
/// product id, the order of the volume table's key.
///
/// The caller holds `care_product` in SHARE mode, so no id read here can go away before commit.
pub(super) async fn resolve(
    conn: &mut PgConnection,
    parsed: &mut ParsedFile,
) -> Result<Vec<Resolved>, StoreError> {
    // Each vakgroep's codes come as one text, each code preceded by its length in bytes and a
    // colon (a code may hold any character), and its ids as an array in the same order (both
    // aggregates see the rows in one order; sorting them would cost more than the rest): a
    // million codes decode in a fraction of the time of a million text values.
    let known: Vec<(i64, String, String, Vec<i64>)> = sqlx::query_as(
        "SELECT v.id, v.code, coalesce(a.codes, ''), coalesce(a.ids, '{}')
         FROM vakgroep v
         LEFT JOIN (SELECT p.vakgroep_id, string_agg(octet_length(p.code) || ':' || p.code, '') AS codes,
                           array_agg(p.id) AS ids
                    FROM care_product p
                    WHERE p.vakgroep_id IN (SELECT id FROM vakgroep WHERE code = ANY($1))
                    GROUP BY p.vakgroep_id) a ON a.vakgroep_id = v.id
         WHERE v.code = ANY($1)",
    )
    .bind(&parsed.vakgroepen)
    .fetch_all(&mut *conn)
    .await?;
    let mut products: HashMap<&str, (i64, HashMap<&str, i64>)> =
        HashMap::with_capacity(known.len());
    for (vakgroep_id, vakgroep, codes, ids) in &known {
        let (_, of_vakgroep) = products
            .entry(vakgroep.as_str())
            .or_insert_with(|| (*vakgroep_id, HashMap::with_capacity(ids.len())));
        of_vakgroep.extend(length_prefixed(codes).zip(ids.iter().copied()));
    }
    // Index by the file's vakgroep number, so the per-line work is one lookup by product code.
    let by_index: Vec<Option<&(i64, HashMap<&str, i64>)>> = parsed
        .vakgroepen
        .iter()
        .map(|code| products.get(code.as_str()))
        .collect();

    let mut rows = Vec::with_capacity(parsed.lines.len());
    let mut unknown = Vec::new();
    for line in &parsed.lines {
        let vakgroep = &parsed.vakgroepen[line.vakgroep as usize];
        match by_index[line.vakgroep as usize] {
            None => unknown.push((
                line.line,
                Column::Vakgroep,
                format!("Onbekende vakgroep \"{vakgroep}\"."),
            )),
            Some((vakgroep_id, of_vakgroep)) => match of_vakgroep.get(line.product.as_str()) {
                Some(&care_product_id) => rows.push(Resolved {
                    vakgroep_id: *vakgroep_id,
                    care_product_id,
                    volume: line.volume,
                }),
                None => unknown.push((
                    line.line,
                    Column::Zorgproduct,
                    format!(
                        "Onbekend zorgproduct \"{}\" bij vakgroep {vakgroep}.",
                        line.product
                    ),
                )),
            },
        }
    }
    for (line, column, reason) in unknown {
        let e = LineError::new(line as usize, Some(parsed.column_name(column)), reason);
        parsed.errors.push(e);
    }
    rows.sort_unstable_by_key(|r| r.care_product_id);
    Ok(rows)
}

/// The codes of `octet_length(code) || ':' || code`, concatenated.
fn length_prefixed(mut text: &str) -> impl Iterator<Item = &str> {
    std::iter::from_fn(move || {
        let (length, rest) = text.split_once(':')?;
        let length: usize = length.parse().ok()?;
        let code = rest.get(..length)?;
        text = &rest[length..];
        Some(code)
    })
}

#[cfg(test)]
mod tests {
    use super::length_prefixed;

    #[test]
    fn codes_with_any_character_come_back_whole() {
        let codes: Vec<&str> = length_prefixed("3:abc5:a:b\\n0:3:é1").collect();
        assert_eq!(codes, ["abc", "a:b\\n", "", "é1"]);
        assert_eq!(length_prefixed("").count(), 0);
    }
}
