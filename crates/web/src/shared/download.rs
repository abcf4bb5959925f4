//! A file to download (the exports): its type, a safe file name, and no caching of what one
//! person may see on a shared computer.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};

pub const CSV: &str = "text/csv; charset=utf-8";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `name` as a file name every browser and file system takes: letters, digits, `.`, `-` and
/// `_`, anything else as `-` (a scenario's name is typed by people; quotes and line breaks
/// must never reach the header).
pub fn file_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '_') {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let out = out.trim_matches('-');
    if out.is_empty() {
        return "export".into();
    }
    // Shortened before the extension, so a long scenario name keeps ".xlsx".
    let (stem, extension) = match out.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 5 => (stem, Some(ext)),
        _ => (out, None),
    };
    let stem: String = stem.chars().take(100).collect();
    match extension {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem,
    }
}

/// The response that downloads `body` as `name` ([`file_name`] is applied).
pub fn attachment(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    attachment_body(content_type, name, Body::from(body))
}

/// [`attachment`] for a body that is streamed as it is produced (an export too large to build in
/// memory first).
pub fn attachment_body(content_type: &'static str, name: &str, body: Body) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", file_name(name));
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn a_typed_name_becomes_a_safe_file_name() {
        assert_eq!(
            file_name("begroting-2027-Met initiatieven.xlsx"),
            "begroting-2027-Met-initiatieven.xlsx"
        );
        assert_eq!(file_name("a\"b\r\nc;d/../e"), "a-b-c-d-..-e");
        assert_eq!(file_name("Één"), "n");
        assert_eq!(file_name("\"\""), "export");
        assert_eq!(file_name(&"x".repeat(300)).len(), 100);
        let long = file_name(&format!("begroting-2027-{}-concept.xlsx", "y".repeat(200)));
        assert!(long.ends_with(".xlsx") && long.len() == 105, "{long}");
    }
}
