//! Text as people (and attackers) type it: the one rule for which characters the application
//! accepts, and the length limits of its fields.
//!
//! Every query string and urlencoded form passes [`clean`] in the web crate's input layer before a
//! handler sees it, and multipart text (attachment names, upload fields) is cleaned the same way
//! where it is read. What it removes never carries meaning in a board's text:
//!
//! - control characters other than tab and newline (NUL ends a C string and PostgreSQL refuses
//!   it in text; the others are invisible and break exports and terminals); a carriage return is
//!   turned into a newline so that text typed on Windows reads the same;
//! - bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make
//!   `fdp.exe` look like `exe.pdf`: text that needs right-to-left script still renders it by the
//!   Unicode algorithm, without them;
//! - noncharacters (U+FDD0–U+FDEF and the last two of every plane), which no text contains.
//!
//! Stripping rather than refusing: a person never typed these on purpose, and refusing would cost
//! them the rest of what they typed. Invalid UTF-8 is a different case (no browser sends it from
//! a form): the input layer refuses it instead of storing replacement characters.

use std::borrow::Cow;

/// Whether the application drops this character from any text input.
pub fn is_stripped(c: char) -> bool {
    match c {
        '\t' | '\n' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        '\u{fdd0}'..='\u{fdef}' => true,
        c => (c as u32) & 0xfffe == 0xfffe,
    }
}

/// The input without the characters of [`is_stripped`]; carriage returns (alone or before a
/// newline) become one newline. Borrows when nothing changes, which is almost always.
pub fn clean(input: &str) -> Cow<'_, str> {
    if !input.chars().any(|c| c == '\r' || is_stripped(c)) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() != Some(&'\n') {
                out.push('\n');
            }
        } else if !is_stripped(c) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a text would pass [`clean`] unchanged.
pub fn is_clean(input: &str) -> bool {
    matches!(clean(input), Cow::Borrowed(_))
}

/// One line of text: [`clean`], with tabs and newlines turned into spaces and runs of spaces
/// kept as typed; for names and titles, which a browser never sends with a newline but a script
/// might.
pub fn line(input: &str) -> String {
    clean(input)
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect()
}

/// The length limits of the application's text fields, in characters (not bytes: "é" is one).
/// One table, so that a form, its `maxlength` and its message agree.
pub mod max {
    /// Titles of meetings, agenda items, agreements, scenarios; names of KPIs and people.
    pub const TITLE: usize = 200;
    /// A place, a presenter, an owner's or a partner's name: one short line.
    pub const SHORT: usize = 200;
    /// A link (video meeting, source of a figure).
    pub const URL: usize = 500;
    /// Descriptions, decision texts, minutes of one item, notes.
    pub const LONG: usize = 20_000;
    /// Comments, reasons and other remarks.
    pub const COMMENT: usize = 4_000;
    /// An e-mail address (RFC 5321's path limit).
    pub const EMAIL: usize = 254;
    /// A password: long enough for any passphrase, short enough not to make Argon2 a weapon.
    pub const PASSWORD: usize = 1_000;
    /// A search query.
    pub const SEARCH: usize = 200;
    /// A file name as shown for an attachment.
    pub const FILE_NAME: usize = 255;
}

/// `text` cut to `max` characters, with an ellipsis when it had to be cut: a title or description
/// the application writes itself (a proposal's) always fits its field.
pub fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The Dutch message for a text longer than `max` characters, or `None` when it fits.
pub fn too_long(value: &str, max: usize) -> Option<String> {
    let n = value.chars().count();
    (n > max).then(|| {
        format!(
            "Gebruik ten hoogste {} tekens (nu {}).",
            crate::nl::count(max),
            crate::nl::count(n)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_bidi_overrides_are_stripped() {
        assert_eq!(clean("a\u{0}b"), "ab");
        assert_eq!(clean("rapport\u{202e}fdp.exe"), "rapportfdp.exe");
        assert_eq!(clean("a\u{2066}b\u{2069}"), "ab");
        assert_eq!(clean("x\u{7}\u{1b}[31my"), "x[31my");
        assert_eq!(clean("\u{85}next"), "next");
        assert_eq!(clean("a\u{fffe}b\u{ffff}\u{1fffe}c\u{fdd0}"), "abc");
    }

    #[test]
    fn tabs_newlines_and_ordinary_text_stay() {
        let text = "Besluit:\n\t– één ‘punt’ 😀 عربى\n";
        assert!(matches!(clean(text), Cow::Borrowed(_)));
        assert!(is_clean(text));
    }

    #[test]
    fn carriage_returns_become_newlines() {
        assert_eq!(clean("a\r\nb\rc\n"), "a\nb\nc\n");
        assert_eq!(clean("\r\r\n"), "\n\n");
    }

    #[test]
    fn a_line_has_no_line_breaks() {
        assert_eq!(line("Titel\nmet\tregels\r\n"), "Titel met regels ");
    }

    proptest::proptest! {
        #[test]
        fn cleaning_is_complete_and_idempotent(input in "\\PC*|.*|[\\x00-\\x20\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}a-z]*") {
            let once = clean(&input).into_owned();
            proptest::prop_assert!(!once.chars().any(|c| is_stripped(c) || c == '\r'));
            proptest::prop_assert_eq!(clean(&once).into_owned(), once.clone());
            proptest::prop_assert!(is_clean(&once));
            // Nothing a person could mean is lost: every other character stays, in order.
            let kept: String = input.chars().filter(|&c| !is_stripped(c) && c != '\r').collect();
            let without_added: String = once.chars().filter(|&c| c != '\n').collect();
            let kept_without_newlines: String = kept.chars().filter(|&c| c != '\n').collect();
            proptest::prop_assert_eq!(without_added, kept_without_newlines);
        }

        #[test]
        fn a_line_is_one_clean_line(input in ".*|\\PC*") {
            let l = line(&input);
            proptest::prop_assert!(is_clean(&l) && !l.contains('\n') && !l.contains('\t'));
        }

        #[test]
        fn attachment_names_are_clean(input in ".{0,300}|\\PC{0,300}") {
            let name = crate::meetings::filetype::safe_filename(&input, crate::meetings::filetype::FileKind::Pdf);
            proptest::prop_assert!(is_clean(&name));
            proptest::prop_assert!(name.ends_with(".pdf") && name.chars().count() <= 150);
        }
    }

    #[test]
    fn lengths_count_characters() {
        assert_eq!(too_long(&"é".repeat(200), max::TITLE), None);
        assert_eq!(
            too_long(&"é".repeat(201), max::TITLE).as_deref(),
            Some("Gebruik ten hoogste 200 tekens (nu 201).")
        );
        assert_eq!(
            too_long(&"x".repeat(20_001), max::LONG).as_deref(),
            Some("Gebruik ten hoogste 20.000 tekens (nu 20.001).")
        );
    }
}
