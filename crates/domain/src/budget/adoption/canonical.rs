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
    let mut out = Vec::new();
    write(&value, &mut out)?;
    Ok(text(out))
}

/// The canonical text of an object with these members, written from values the caller already
/// holds (a snapshot's master data is tens of megabytes: not copied into one more value).
/// Equal to [`to_canonical`] of the same object.
pub fn object(members: &[(&str, &Value)]) -> Result<String, CanonicalError> {
    let mut members = members.to_vec();
    members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = Vec::new();
    out.push(b'{');
    for (i, (key, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(key, &mut out);
        out.push(b':');
        write(value, &mut out)?;
    }
    out.push(b'}');
    Ok(text(out))
}

fn text(out: Vec<u8>) -> String {
    // Only UTF-8 was written: serde_json's strings and ASCII punctuation and digits.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn write(value: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => {
            if n.is_f64() {
                return Err(CanonicalError::Float(n.to_string()));
            }
            out.extend_from_slice(n.to_string().as_bytes());
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // Sorted here, whatever order the map keeps (serde_json's `preserve_order`).
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                write(&map[key], out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    // serde_json's string escaping is the documented one; writing into memory cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// The SHA-256 of a canonical text, as 64 lowercase hexadecimal digits.
pub fn content_hash(canonical: &str) -> String {
    hex::encode(Sha256::digest(canonical.as_bytes()))
}
