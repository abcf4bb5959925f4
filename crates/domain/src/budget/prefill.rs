//! A proposal for an agreement in the register (B1, B5), filled in from a budget signal: the
//! monitoring's deviation (D10) or an insurer's excess or shortfall (D8). Plain data for the
//! agreement form, which the secretary checks, completes and saves; nothing is recorded until
//! then.

use crate::agreements::kinds::{AgreementKind, PartyKind};

/// The longest agreement title the register accepts.
pub const MAX_TITLE_CHARS: usize = 200;

/// One party to the proposed agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefillParty {
    pub kind: PartyKind,
    /// The vakgroep's or insurer's name.
    pub label: String,
    /// Only for a vakgroep.
    pub vakgroep_id: Option<i64>,
}

/// What the agreement form starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementPrefill {
    pub kind: AgreementKind,
    /// At most [`MAX_TITLE_CHARS`] characters.
    pub title: String,
    /// The figures behind the proposal, in Dutch.
    pub description: String,
    pub parties: Vec<PrefillParty>,
    /// B5: what of the budget could not be brought in line with the insurer contract (the
    /// register's `insurer_deviation`); only for an insurer deviation.
    pub insurer_deviation: Option<String>,
}

/// `text` cut to `max` characters, with an ellipsis when it had to be cut.
pub(crate) fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cut_with_an_ellipsis() {
        assert_eq!(fit("kort", 10), "kort");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit(&"é".repeat(300), MAX_TITLE_CHARS).chars().count(), 200);
    }
}
