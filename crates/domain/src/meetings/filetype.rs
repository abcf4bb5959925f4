//! Attachments (A2): which files may be attached, decided by their content, never by their
//! name; a safe file name; the size in Dutch notation.
//!
//! A name or a browser-supplied type is whatever the uploader says; the first bytes are what a
//! reader's program will act on. So a PDF must start with `%PDF-`, and an Office file must be a
//! ZIP archive whose central directory holds `[Content_Types].xml` and the parts of exactly one
//! of Word (`word/`), Excel (`xl/`) or PowerPoint (`ppt/`).

/// The largest attachment accepted: 25 MiB (the database allows up to this as well).
pub const MAX_ATTACHMENT_BYTES: usize = 25 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Pdf,
    Docx,
    Xlsx,
    Pptx,
}

impl FileKind {
    pub const ALL: [FileKind; 4] = [
        FileKind::Pdf,
        FileKind::Docx,
        FileKind::Xlsx,
        FileKind::Pptx,
    ];

    /// The media type the file is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Docx => "docx",
            FileKind::Xlsx => "xlsx",
            FileKind::Pptx => "pptx",
        }
    }

    /// A short Dutch name for lists.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Docx => "Word",
            FileKind::Xlsx => "Excel",
            FileKind::Pptx => "PowerPoint",
        }
    }

    pub fn from_content_type(content_type: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.content_type() == content_type)
    }
}

const ZIP_LOCAL: &[u8] = b"PK\x03\x04";
const ZIP_CENTRAL: &[u8] = b"PK\x01\x02";
const ZIP_END: &[u8] = b"PK\x05\x06";
const ZIP_END_LEN: usize = 22;
const ZIP_CENTRAL_LEN: usize = 46;

/// What the file is, judged by its bytes; `None` for anything not allowed.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        return Some(FileKind::Pdf);
    }
    if bytes.starts_with(ZIP_LOCAL) {
        return office_kind(&zip_entry_names(bytes)?);
    }
    None
}

fn u16_at(b: &[u8], at: usize) -> Option<usize> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]) as usize)
}

fn u32_at(b: &[u8], at: usize) -> Option<usize> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

/// The names in a ZIP archive's central directory, or `None` when the archive is malformed.
/// Only what is needed to list names is read; ZIP64 archives are not expected at 25 MB and are
/// refused rather than half-parsed.
fn zip_entry_names(bytes: &[u8]) -> Option<Vec<String>> {
    // The end record sits in the last 22 bytes plus an optional comment of up to 64 KiB; search
    // backwards so a comment that happens to contain the signature does not fool us.
    let earliest = bytes.len().saturating_sub(ZIP_END_LEN + u16::MAX as usize);
    let end = (earliest..=bytes.len().checked_sub(ZIP_END_LEN)?)
        .rev()
        .find(|&at| {
            bytes[at..].starts_with(ZIP_END)
                && u16_at(bytes, at + 20).is_some_and(|c| at + ZIP_END_LEN + c == bytes.len())
        })?;
    let entries = u16_at(bytes, end + 10)?;
    let size = u32_at(bytes, end + 12)?;
    let offset = u32_at(bytes, end + 16)?;
    if entries == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
        return None;
    }
    if offset.checked_add(size)? > end {
        return None;
    }
    let directory = &bytes[offset..offset + size];
    let mut names = Vec::with_capacity(entries);
    let mut at = 0;
    for _ in 0..entries {
        if !directory.get(at..)?.starts_with(ZIP_CENTRAL) {
            return None;
        }
        let name_len = u16_at(directory, at + 28)?;
        let extra_len = u16_at(directory, at + 30)?;
        let comment_len = u16_at(directory, at + 32)?;
        let name_start = at + ZIP_CENTRAL_LEN;
        let name = directory.get(name_start..name_start + name_len)?;
        names.push(String::from_utf8_lossy(name).into_owned());
        at = name_start + name_len + extra_len + comment_len;
    }
    Some(names)
}

/// An Office Open XML package of exactly one application. Embedded files (a spreadsheet inside
/// a Word document) live below that application's folder and do not count.
fn office_kind(names: &[String]) -> Option<FileKind> {
    if !names.iter().any(|n| n == "[Content_Types].xml") {
        return None;
    }
    let has = |folder: &str| names.iter().any(|n| n.starts_with(folder));
    match (has("word/"), has("xl/"), has("ppt/")) {
        (true, false, false) => Some(FileKind::Docx),
        (false, true, false) => Some(FileKind::Xlsx),
        (false, false, true) => Some(FileKind::Pptx),
        _ => None,
    }
}

/// A name that is safe to store and to offer for download: the last path part only, no control
/// characters, bidi overrides (`rapport\u{202e}fdp.exe` would read as `rapportexe.pdf`) or
/// characters Windows refuses, no leading dots, at most 150 characters, and
/// ending in the extension of the kind the content turned out to be.
pub fn safe_filename(submitted: &str, kind: FileKind) -> String {
    let last = submitted.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|&c| !c.is_control() && !crate::text::is_stripped(c))
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    let mut name = cleaned
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' '])
        .to_string();
    let ext = kind.extension();
    let suffix = format!(".{ext}");
    let has_ext = name.len() > suffix.len()
        && name
            .get(name.len() - suffix.len()..)
            .is_some_and(|end| end.eq_ignore_ascii_case(&suffix));
    if has_ext {
        name.truncate(name.len() - suffix.len());
    }
    let stem: String = name.chars().take(150 - suffix.len()).collect();
    let stem = stem.trim_end_matches(['.', ' ']);
    let stem = if stem.is_empty() { "bijlage" } else { stem };
    format!("{stem}{suffix}")
}

/// A file size as people read it in Dutch: "840 bytes", "312 kB", "1,2 MB".
pub fn size_label(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes < KB {
        return if bytes == 1 {
            "1 byte".into()
        } else {
            format!("{bytes} bytes")
        };
    }
    let kb = (bytes + KB / 2) / KB;
    if kb < 1024 {
        return format!("{kb} kB");
    }
    let tenths = (bytes * 10 + MB / 2) / MB;
    format!("{},{} MB", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A real, minimal one-page PDF.
    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A valid ZIP archive (entries stored, not compressed), as Office and `unzip` read it.
    fn zip(entries: &[(&str, &[u8])], comment: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in entries {
            let offset = out.len() as u32;
            let crc = crc32(data);
            let header = |sig: &[u8], central: bool| {
                let mut h = sig.to_vec();
                if central {
                    h.extend(20u16.to_le_bytes()); // made by
                }
                h.extend(20u16.to_le_bytes()); // version needed
                h.extend(0u16.to_le_bytes()); // flags
                h.extend(0u16.to_le_bytes()); // stored
                h.extend(0u16.to_le_bytes()); // time
                h.extend(0x5A21u16.to_le_bytes()); // date
                h.extend(crc.to_le_bytes());
                h.extend((data.len() as u32).to_le_bytes());
                h.extend((data.len() as u32).to_le_bytes());
                h.extend((name.len() as u16).to_le_bytes());
                h.extend(0u16.to_le_bytes()); // extra
                if central {
                    h.extend(0u16.to_le_bytes()); // comment
                    h.extend(0u16.to_le_bytes()); // disk
                    h.extend(0u16.to_le_bytes()); // internal attributes
                    h.extend(0u32.to_le_bytes()); // external attributes
                    h.extend(offset.to_le_bytes());
                }
                h.extend(name.as_bytes());
                h
            };
            out.extend(header(ZIP_LOCAL, false));
            out.extend_from_slice(data);
            central.extend(header(ZIP_CENTRAL, true));
        }
        let cd_offset = out.len() as u32;
        out.extend(&central);
        out.extend(ZIP_END);
        out.extend(0u16.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend((entries.len() as u16).to_le_bytes());
        out.extend((entries.len() as u16).to_le_bytes());
        out.extend((central.len() as u32).to_le_bytes());
        out.extend(cd_offset.to_le_bytes());
        out.extend((comment.len() as u16).to_le_bytes());
        out.extend(comment);
        out
    }

    const TYPES: (&str, &[u8]) = (
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
    );
    const RELS: (&str, &[u8]) = ("_rels/.rels", b"<Relationships/>");

    fn office(part: &str) -> Vec<u8> {
        zip(&[TYPES, RELS, (part, b"<x/>")], b"")
    }

    #[test]
    fn a_pdf_is_recognised_by_its_header() {
        assert_eq!(sniff(PDF), Some(FileKind::Pdf));
        assert_eq!(sniff(b"%PDF-"), Some(FileKind::Pdf));
        assert_eq!(sniff(b" %PDF-1.4"), None, "the header must come first");
        assert_eq!(sniff(b"%PDF"), None);
    }

    #[test]
    fn office_files_are_recognised_by_their_parts() {
        assert_eq!(sniff(&office("word/document.xml")), Some(FileKind::Docx));
        assert_eq!(sniff(&office("xl/workbook.xml")), Some(FileKind::Xlsx));
        assert_eq!(sniff(&office("ppt/presentation.xml")), Some(FileKind::Pptx));
        // A spreadsheet embedded in a Word document stays a Word document.
        let docx = zip(
            &[
                TYPES,
                ("word/document.xml", b"<w/>"),
                ("word/embeddings/Blad1.xlsx", b"PK"),
            ],
            b"",
        );
        assert_eq!(sniff(&docx), Some(FileKind::Docx));
        // An archive comment does not hide the end record.
        let commented = zip(&[TYPES, ("xl/workbook.xml", b"<x/>")], b"PK\x05\x06 note");
        assert_eq!(sniff(&commented), Some(FileKind::Xlsx));
    }

    #[test]
    fn other_zips_and_other_files_are_refused() {
        let plain = zip(&[("foto.jpg", b"\xFF\xD8\xFF"), ("notes.txt", b"hi")], b"");
        assert_eq!(sniff(&plain), None, "a ZIP without Office parts");
        let no_types = zip(&[("word/document.xml", b"<w/>")], b"");
        assert_eq!(sniff(&no_types), None, "Office parts without a package");
        let both = zip(
            &[
                TYPES,
                ("word/document.xml", b"<w/>"),
                ("xl/workbook.xml", b"<x/>"),
            ],
            b"",
        );
        assert_eq!(sniff(&both), None, "ambiguous");
        // A Windows program renamed to .pdf: the name is never looked at.
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00This program cannot be run in DOS mode.";
        assert_eq!(sniff(exe), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"<html><body>%PDF-</body></html>"), None);
        // The word/ part only named in the data, not in the directory.
        let mut fake = zip(&[TYPES, ("readme.txt", b"word/document.xml")], b"");
        assert_eq!(sniff(&fake), None);
        // Truncated archives.
        let docx = office("word/document.xml");
        assert_eq!(sniff(&docx[..docx.len() - 1]), None);
        assert_eq!(sniff(&docx[..docx.len() / 2]), None);
        fake.truncate(4);
        assert_eq!(sniff(&fake), None);
    }

    #[test]
    fn a_directory_pointing_outside_the_file_is_refused() {
        let mut docx = office("word/document.xml");
        let end = docx.len() - ZIP_END_LEN;
        docx[end + 16..end + 20].copy_from_slice(&0x7FFF_0000u32.to_le_bytes());
        assert_eq!(sniff(&docx), None);
        let mut docx = office("word/document.xml");
        docx[end + 10..end + 12].copy_from_slice(&200u16.to_le_bytes());
        assert_eq!(sniff(&docx), None, "more entries than the directory holds");
    }

    proptest! {
        #[test]
        fn sniffing_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = sniff(&bytes);
            let mut zipped = ZIP_LOCAL.to_vec();
            zipped.extend(&bytes);
            let _ = sniff(&zipped);
        }

        #[test]
        fn damaged_office_files_never_panic(cut in 0usize..400, flip in 0usize..400, bit in 0u8..8) {
            let mut docx = office("word/document.xml");
            let i = flip % docx.len();
            docx[i] ^= 1 << bit;
            docx.truncate(docx.len().saturating_sub(cut % 40));
            let _ = sniff(&docx);
        }
    }

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        let k = FileKind::Pdf;
        assert_eq!(
            safe_filename("C:\\Users\\jan\\Notulen.pdf", k),
            "Notulen.pdf"
        );
        assert_eq!(safe_filename("../../etc/passwd", k), "passwd.pdf");
        assert_eq!(safe_filename("voor\u{0}stel\r\n.PDF", k), "voorstel.pdf");
        assert_eq!(safe_filename("..", k), "bijlage.pdf");
        assert_eq!(
            safe_filename("factuur\u{202e}fdp.png", k),
            "factuurfdp.png.pdf"
        );
        assert_eq!(safe_filename("", k), "bijlage.pdf");
        assert_eq!(safe_filename(".verborgen.pdf", k), "verborgen.pdf");
        assert_eq!(safe_filename("a\"b<c>.pdf", k), "a_b_c_.pdf");
        assert_eq!(
            safe_filename("  ruimte   veel\t.pdf ", k),
            "ruimte veel.pdf"
        );
        assert_eq!(
            safe_filename("Begroting 2027 — één.docx", FileKind::Docx),
            "Begroting 2027 — één.docx"
        );
        // The extension follows the content, not the name.
        assert_eq!(
            safe_filename("rapport.pdf", FileKind::Docx),
            "rapport.pdf.docx"
        );
        assert_eq!(safe_filename("rapport", FileKind::Xlsx), "rapport.xlsx");
        let long = "x".repeat(400) + ".pptx";
        let name = safe_filename(&long, FileKind::Pptx);
        assert_eq!(name.chars().count(), 150);
        assert!(name.ends_with(".pptx"));
    }

    #[test]
    fn sizes_are_written_the_dutch_way() {
        assert_eq!(size_label(1), "1 byte");
        assert_eq!(size_label(840), "840 bytes");
        assert_eq!(size_label(1024), "1 kB");
        assert_eq!(size_label(319_488), "312 kB");
        assert_eq!(size_label(1_258_291), "1,2 MB");
        assert_eq!(size_label(MAX_ATTACHMENT_BYTES as u64), "25,0 MB");
    }

    #[test]
    fn content_types_round_trip() {
        for k in FileKind::ALL {
            assert_eq!(FileKind::from_content_type(k.content_type()), Some(k));
        }
        assert_eq!(FileKind::from_content_type("text/html"), None);
    }
}
