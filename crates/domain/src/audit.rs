//! The audit trail's hash chain (product.md F3).
//!
//! Each row's hash covers its own content and the previous row's hash, so changing or removing
//! any row breaks every later link. The database computes the hash when a row is inserted (see
//! the migration's `audit_row_hash`); this module computes the same value independently so that
//! `gelijkgericht audit verify` does not have to trust the database's own function.

use sha2::{Digest, Sha256};

/// One audit row as stored, with timestamps in microseconds since the Unix epoch and JSON as the
/// database prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub at_micros: i64,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub object_type: String,
    pub object_id: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of the row before the first one.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn field(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        // Length-prefixed so that no choice of field contents can imitate another split.
        Some(v) => {
            out.extend_from_slice(v.len().to_string().as_bytes());
            out.push(b':');
            out.extend_from_slice(v.as_bytes());
            out.push(b';');
        }
        None => out.extend_from_slice(b"N;"),
    }
}

/// The hash a row must carry, as lowercase hex.
pub fn row_hash(row: &AuditRow) -> String {
    let mut buf = Vec::with_capacity(256);
    field(&mut buf, Some(&row.prev_hash));
    field(&mut buf, Some(&row.seq.to_string()));
    field(&mut buf, Some(&row.at_micros.to_string()));
    field(&mut buf, row.actor_id.map(|a| a.to_string()).as_deref());
    field(&mut buf, Some(&row.actor_label));
    field(&mut buf, Some(&row.object_type));
    field(&mut buf, Some(&row.object_id));
    field(&mut buf, Some(&row.action));
    field(&mut buf, row.before.as_deref());
    field(&mut buf, row.after.as_deref());
    hex::encode(Sha256::digest(&buf))
}

/// What is wrong with the first broken row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The row's content does not match its hash: the row was changed.
    Content { seq: i64 },
    /// The row does not point at the previous row's hash: a row was removed or reordered.
    Link { seq: i64 },
}

/// Verifies rows in sequence order, continuing from `prev` (the hash of the row before the
/// first one given). Returns the last hash so that a long trail can be checked in pages.
pub fn verify_chain<'a>(
    prev: &str,
    rows: impl IntoIterator<Item = &'a AuditRow>,
) -> Result<String, ChainBreak> {
    let mut prev = prev.to_string();
    for row in rows {
        if row.prev_hash != prev {
            return Err(ChainBreak::Link { seq: row.seq });
        }
        if row_hash(row) != row.hash {
            return Err(ChainBreak::Content { seq: row.seq });
        }
        prev = row.hash.clone();
    }
    Ok(prev)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRow> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let mut row = AuditRow {
                    seq,
                    at_micros: 1_700_000_000_000_000 + seq,
                    actor_id: (seq % 2 == 0).then_some(seq),
                    actor_label: format!("persoon {seq}"),
                    object_type: "person".into(),
                    object_id: seq.to_string(),
                    action: "update".into(),
                    before: Some(r#"{"name": "A"}"#.into()),
                    after: (seq % 3 != 0).then(|| r#"{"name": "B"}"#.into()),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                row.hash = row_hash(&row);
                prev = row.hash.clone();
                row
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let rows = chain(10);
        assert_eq!(verify_chain(GENESIS_HASH, &rows), Ok(rows[9].hash.clone()));
        assert_eq!(
            verify_chain(GENESIS_HASH, &[]),
            Ok(GENESIS_HASH.to_string())
        );
    }

    #[test]
    fn a_changed_row_is_named() {
        let mut rows = chain(10);
        rows[4].after = Some(r#"{"name": "C"}"#.into());
        assert_eq!(
            verify_chain(GENESIS_HASH, &rows),
            Err(ChainBreak::Content { seq: 5 })
        );
    }

    #[test]
    fn a_removed_row_breaks_the_next_link() {
        let mut rows = chain(10);
        rows.remove(6);
        assert_eq!(
            verify_chain(GENESIS_HASH, &rows),
            Err(ChainBreak::Link { seq: 8 })
        );
    }

    #[test]
    fn field_boundaries_matter() {
        let mut a = chain(1).remove(0);
        let mut b = a.clone();
        a.actor_label = "ab".into();
        a.object_type = "c".into();
        b.actor_label = "a".into();
        b.object_type = "bc".into();
        assert_ne!(row_hash(&a), row_hash(&b));
        let mut c = a.clone();
        c.before = None;
        let mut d = a.clone();
        d.before = Some(String::new());
        assert_ne!(row_hash(&c), row_hash(&d));
    }
}
