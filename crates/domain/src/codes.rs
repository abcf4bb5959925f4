//! What every code list of the domain shares: strict decoding. A code that the domain does not
//! know — in a database row, a form, a file — is an error that names it, never a default
//! (architecture.md, "What crosses a boundary is typed").

/// A code that none of the enum's variants has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Onbekende waarde voor {what}: ‘{value}’.")]
pub struct UnknownCode {
    /// The code list, by its type name (`MeetingStatus`, `Grondslag`).
    pub what: &'static str,
    /// The value as it came in.
    pub value: String,
}

impl UnknownCode {
    pub fn new(what: &'static str, value: impl Into<String>) -> Self {
        Self {
            what,
            value: value.into(),
        }
    }
}
