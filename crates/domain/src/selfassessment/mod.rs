//! The 7S self-assessment (product.md C1–C4): the statement catalogue, rounds, the answer form,
//! the anonymous results per body and per side (RvB vs MSB+), the alignment score and its trend,
//! and the radar chart. Plain functions over plain data; the store keeps participation and
//! answers apart (see `docs/selfassessment.md`) and hands the anonymous rows to [`compute`].

use crate::agreements::kinds::SevenS;
use serde::{Deserialize, Serialize};
use std::fmt;

pub mod action;
pub mod answer;
pub mod catalogue;
pub mod chart;
pub mod form;
pub mod refusal;
pub mod results;
pub mod round;
pub mod side;
pub mod stats;
pub mod trend;

pub use action::{ActionRound, ActionText, NotScheduled};
pub use answer::{AnonymousAnswer, Answer, shuffle};
pub use catalogue::{CatalogueStatement, DEFAULT_CATALOGUE, key_prefix, next_key};
pub use chart::{Series, radar_svg, sparkline_svg};
pub use form::{
    AnswerError, AnswerField, AnswersDraft, AnswersForm, COMMENT_HINT, DraftAnswer,
    MAX_COMMENT_CHARS, MAX_SOURCE_CHARS, MAX_STATEMENT_CHARS, MAX_TITLE_CHARS, RoundDraft,
    RoundForm, StatementDraft, StatementForm, Submission, SubmittedAnswer, choose_body,
};
pub use refusal::Refusal;
pub use results::{
    BodyFigures, BodyResult, Gap, MIN_RESPONDENTS, MOST_DIVERGENT, RoundBody, RoundResults,
    RoundStatement, StatementFigures, StatementGap, compute, compute_alignment, gap_text,
    mean_text, score_text, spread_text,
};
pub use round::{RoundFacts, RoundStatus, RoundStatusError, accepts_answers, effective_status};
pub use side::{Side, SideFigures, SideHidden, SideResult, StatementStats};
pub use stats::{Stats, Tally, alignment, sqrt};
pub use trend::{RoundAlignment, STrend, Trend, TrendPoint, trend};

/// A self-assessment round (C2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoundId(pub i64);

/// A statement of a round: the round's frozen copy of a catalogue statement (C1), so that editing
/// the catalogue never changes what people answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StatementId(pub i64);

/// A statement of the editable catalogue (C1). Not a [`StatementId`]: a round's statements are
/// copies, and what people answered must never be confused with what the catalogue says today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CatalogueStatementId(pub i64);

/// The conversions the store and the pages need: the bare number from a row or a path, and back.
macro_rules! id_conversions {
    ($($name:ident),+) => {$(
        impl $name {
            /// The number as the database keeps it.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    )+};
}

id_conversions!(RoundId, StatementId, CatalogueStatementId);

pub use crate::codes::UnknownCode;

/// One value per element of the 7S model, kept in the model's order. Indexing by [`SevenS`]
/// cannot go out of range, and iteration always follows the order of the radar chart's axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PerS<T>([T; 7]);

impl<T> PerS<T> {
    pub fn from_fn(mut f: impl FnMut(SevenS) -> T) -> Self {
        Self(std::array::from_fn(|i| f(SevenS::ALL[i])))
    }

    pub fn get(&self, s: SevenS) -> &T {
        &self.0[s as usize]
    }

    pub fn get_mut(&mut self, s: SevenS) -> &mut T {
        &mut self.0[s as usize]
    }

    /// The elements in model order with their values.
    pub fn iter(&self) -> impl Iterator<Item = (SevenS, &T)> {
        SevenS::ALL.iter().copied().zip(self.0.iter())
    }

    pub fn map<U>(&self, mut f: impl FnMut(SevenS, &T) -> U) -> PerS<U> {
        PerS::from_fn(|s| f(s, self.get(s)))
    }
}

impl<T> std::ops::Index<SevenS> for PerS<T> {
    type Output = T;

    fn index(&self, s: SevenS) -> &T {
        self.get(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_s_follows_the_model_order() {
        // `s as usize` relies on ALL listing the variants in declaration order.
        for (i, s) in SevenS::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i);
        }
        let labels = PerS::from_fn(|s| s.label());
        assert_eq!(labels[SevenS::Strategie], "Strategie");
        assert_eq!(
            labels.iter().map(|(s, _)| s).collect::<Vec<_>>(),
            SevenS::ALL
        );
        let mut counts = PerS::<u32>::default();
        *counts.get_mut(SevenS::Stijl) += 2;
        assert_eq!(counts.map(|_, c| c * 10)[SevenS::Stijl], 20);
    }

    #[test]
    fn unknown_codes_name_the_value() {
        let err = Answer::try_from("7").unwrap_err();
        assert_eq!(err.to_string(), "Onbekende waarde voor Answer: ‘7’.");
        assert_eq!(Answer::try_from(String::from("4")), Ok(Answer::Eens));
        assert_eq!(
            RoundStatus::try_from("gepubliceerd").unwrap_err().value,
            "gepubliceerd"
        );
    }
}
