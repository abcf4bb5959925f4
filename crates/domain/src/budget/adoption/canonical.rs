//! The canonical serialisation an adopted budget's hash is computed over (docs/adoption.md).
//!
//! JSON without any whitespace; object keys sorted by their UTF-8 bytes; strings escaped as
//! `serde_json` writes them (`"` and `\`, control characters as `\n`, `\u001f`, …, everything
//! else as UTF-8); numbers only as integers. Decimals are strings (`"12.50"`, scale kept), so
//! that no reader's floating point ever touches a figure. Anyone can recompute the hash with a
//! JSON library that sorts keys: `sha256(canonical(snapshot))`.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Why a value has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    /// A floating-point number: figures must be decimals (strings).
    #[error("a floating-point number ({0}) has no canonical form")]
    Float(String),
    #[error("not serialisable: {0}")]
    Serialise(String),
}

/// The canonical text of any serialisable value.
pub fn to_canonical<T: Serialize>(value: &T) -> Result<String, CanonicalError> {
    let value =
        serde_json::to_value(value).map_err(|e| CanonicalError::Serialise(e.to_string()))?;
    let mut out = String::new();
    write(&value, &mut out)?;
    Ok(out)
}

fn write(value: &Value, out: &mut String) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_f64() {
                return Err(CanonicalError::Float(n.to_string()));
            }
            out.push_str(&n.to_string());
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Sorted here, whatever order the map keeps (serde_json's `preserve_order`).
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write(&map[key], out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut String) {
    // serde_json's string escaping is the documented one; a string always serialises.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// The SHA-256 of a canonical text, as 64 lowercase hexadecimal digits.
pub fn content_hash(canonical: &str) -> String {
    hex::encode(Sha256::digest(canonical.as_bytes()))
}
