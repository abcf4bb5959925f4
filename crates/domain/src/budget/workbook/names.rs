//! Sheet names Excel accepts: at most 31 characters, none of `: \ / ? * [ ]`, not starting or
//! ending with an apostrophe, not the reserved "History", and unique without regard to case
//! (Excel treats `Kno` and `KNO` as the same sheet). A file that breaks one of these rules is
//! "repaired" by Excel on opening, which renames sheets and breaks every formula pointing at them.

use std::collections::HashSet;

/// Excel's limit on the length of a sheet name, in UTF-16 code units (characters, except that
/// one outside the Basic Multilingual Plane, such as an emoji, counts twice).
pub const MAX_SHEET_NAME_CHARS: usize = 31;

/// The length Excel counts.
fn excel_len(name: &str) -> usize {
    name.encode_utf16().count()
}

/// The longest start of `text` that Excel counts as at most `max`.
fn cut(text: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, c) in text.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &text[..i];
        }
    }
    text
}

const FORBIDDEN: [char; 7] = [':', '\\', '/', '?', '*', '[', ']'];

/// Why a sheet name is not valid for Excel, or `None` when it is (uniqueness aside).
pub fn sheet_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("Een werkbladnaam mag niet leeg zijn.");
    }
    if excel_len(name) > MAX_SHEET_NAME_CHARS {
        return Some("Een werkbladnaam is ten hoogste 31 tekens lang.");
    }
    if name.contains(FORBIDDEN) {
        return Some("Een werkbladnaam mag geen : \\ / ? * [ of ] bevatten.");
    }
    if name.starts_with('\'') || name.ends_with('\'') {
        return Some("Een werkbladnaam mag niet met een apostrof beginnen of eindigen.");
    }
    if name.chars().any(char::is_control) {
        return Some("Een werkbladnaam mag geen stuurtekens bevatten.");
    }
    if name.eq_ignore_ascii_case("history") {
        return Some("De werkbladnaam History is in Excel gereserveerd.");
    }
    None
}

/// A valid sheet name from any text: forbidden characters and control characters become spaces,
/// runs of spaces one space, apostrophes and spaces at either end go, the result is cut at 31 characters,
/// and an empty or reserved result becomes `fallback` (which must itself be valid).
pub fn clean_sheet_name(text: &str, fallback: &str) -> String {
    let replaced: String = text
        .chars()
        .map(|c| {
            if FORBIDDEN.contains(&c) || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let squeezed = replaced.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = cut(&squeezed, MAX_SHEET_NAME_CHARS)
        .trim_matches(|c: char| c == '\'' || c.is_whitespace())
        .to_string();
    if trimmed.is_empty() || sheet_name_problem(&trimmed).is_some() {
        fallback.to_string()
    } else {
        trimmed
    }
}

/// A vakgroep's sheet name: its code and name (`KNO Keel- neus- en oorheelkunde`), made valid
/// and cut at 31 characters. The code comes first so that a cut name still says which vakgroep
/// it is, and sheets sort like the overview. Uniqueness is [`SheetNames::claim`]'s job.
pub fn vakgroep_sheet_name(code: &str, name: &str) -> String {
    let code = code.trim();
    let name = name.trim();
    let text = if name.is_empty() || name.eq_ignore_ascii_case(code) {
        code.to_string()
    } else {
        format!("{code} {name}")
    };
    clean_sheet_name(&text, "Vakgroep")
}

/// The names given out so far in one workbook, compared without regard to case.
#[derive(Debug, Default, Clone)]
pub struct SheetNames {
    taken: HashSet<String>,
}

impl SheetNames {
    pub fn new() -> SheetNames {
        SheetNames::default()
    }

    /// `wanted` (valid) if it is still free, else `wanted (2)`, `wanted (3)`, …, shortened so
    /// that the suffix fits in 31 characters.
    pub fn claim(&mut self, wanted: &str) -> String {
        let mut n = 1u32;
        loop {
            let candidate = if n == 1 {
                wanted.to_string()
            } else {
                let suffix = format!(" ({n})");
                let stem = cut(wanted, MAX_SHEET_NAME_CHARS - suffix.len());
                format!("{}{suffix}", stem.trim_end())
            };
            if self.taken.insert(candidate.to_lowercase()) {
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vakgroep_names_are_code_and_name_within_31_characters() {
        assert_eq!(vakgroep_sheet_name("CAR", "Cardiologie"), "CAR Cardiologie");
        let long =
            vakgroep_sheet_name("KNO", "Keel-, neus- en oorheelkunde en hoofd-halschirurgie");
        assert_eq!(long, "KNO Keel-, neus- en oorheelkund");
        assert_eq!(long.chars().count(), 31);
        assert_eq!(
            vakgroep_sheet_name("GYN", "Gyn/Obstetrie [oud]?"),
            "GYN Gyn Obstetrie oud"
        );
        assert_eq!(vakgroep_sheet_name("URO", ""), "URO");
        assert_eq!(vakgroep_sheet_name("'X'", "'"), "X");
        assert_eq!(vakgroep_sheet_name("", ""), "Vakgroep");
        assert_eq!(vakgroep_sheet_name("History", ""), "Vakgroep");
        assert_eq!(vakgroep_sheet_name("ÄÖÜ", "Ünïcödé"), "ÄÖÜ Ünïcödé");
        // An emoji counts twice in Excel's 31.
        let emoji = vakgroep_sheet_name("KIN", &"🩺".repeat(20));
        assert_eq!(emoji, format!("KIN {}", "🩺".repeat(13)));
        assert_eq!(emoji.encode_utf16().count(), 30);
    }

    #[test]
    fn every_cleaned_name_is_valid() {
        for text in [
            "a:b\\c/d?e*f[g]h",
            "'''",
            "  \t\n ",
            "x'",
            "'y",
            "History",
            "HISTORY",
            &"é".repeat(40),
            &"🩺".repeat(40),
        ] {
            let name = clean_sheet_name(text, "Blad");
            assert_eq!(sheet_name_problem(&name), None, "{text:?} → {name:?}");
        }
    }

    #[test]
    fn problems_are_named() {
        assert!(sheet_name_problem("a[1]").is_some());
        assert!(sheet_name_problem(&"x".repeat(32)).is_some());
        assert!(sheet_name_problem(&"🩺".repeat(16)).is_some());
        assert!(sheet_name_problem("'x").is_some());
        assert!(sheet_name_problem("history").is_some());
        assert!(sheet_name_problem("").is_some());
        assert_eq!(sheet_name_problem(&"x".repeat(31)), None);
    }

    #[test]
    fn claims_are_unique_without_regard_to_case() {
        let mut names = SheetNames::new();
        assert_eq!(names.claim("Overzicht"), "Overzicht");
        assert_eq!(names.claim("OVERZICHT"), "OVERZICHT (2)");
        let long = "K".repeat(31);
        assert_eq!(names.claim(&long), long);
        let second = names.claim(&long);
        assert_eq!(second, format!("{} (2)", "K".repeat(27)));
        assert_eq!(second.chars().count(), 31);
        assert_eq!(names.claim(&long), format!("{} (3)", "K".repeat(27)));
    }
}
