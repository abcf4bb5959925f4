//! One answer to one statement (C2): a score on the 1–5 scale or "weet ik niet", and the
//! anonymous row the store keeps of it (C3).

use super::StatementId;
use crate::ids::BodyId;

code_enum! {
    /// An answer on the five-point scale, or "weet ik niet". The codes are the digits so that a
    /// form's radio buttons and the database read the same; "weet ik niet" is not a sixth point
    /// on the scale and never counts in a mean.
    Answer {
        HelemaalOneens => "1", "Helemaal oneens";
        Oneens => "2", "Oneens";
        Neutraal => "3", "Neutraal";
        Eens => "4", "Eens";
        HelemaalEens => "5", "Helemaal eens";
        WeetNiet => "weet_niet", "Weet ik niet";
    }
}

impl Answer {
    /// The five points of the scale, from 1 to 5.
    pub const SCALE: [Answer; 5] = [
        Answer::HelemaalOneens,
        Answer::Oneens,
        Answer::Neutraal,
        Answer::Eens,
        Answer::HelemaalEens,
    ];

    /// The score 1–5; `None` for "weet ik niet".
    pub fn score(self) -> Option<u8> {
        match self {
            Answer::HelemaalOneens => Some(1),
            Answer::Oneens => Some(2),
            Answer::Neutraal => Some(3),
            Answer::Eens => Some(4),
            Answer::HelemaalEens => Some(5),
            Answer::WeetNiet => None,
        }
    }

    pub fn from_score(score: u8) -> Option<Self> {
        Self::SCALE.get(usize::from(score).checked_sub(1)?).copied()
    }
}

/// An answer as the store keeps it: the body the respondent answered for, the statement, the
/// answer and the comment — and nothing that points to a person, a session or a moment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AnonymousAnswer {
    pub body_id: BodyId,
    pub statement: StatementId,
    pub answer: Answer,
    pub comment: Option<String>,
}

/// Puts rows in an order that says nothing about the order in which they were given (a
/// Fisher–Yates shuffle driven by `seed`). The store inserts a submission's rows in this order
/// with a fresh random seed, so that the physical order of one batch does not mirror the form;
/// the domain stays pure and the shuffle testable.
pub fn shuffle<T>(rows: &mut [T], seed: u64) {
    // SplitMix64: small, well mixed for any seed including 0; not for cryptography, which the
    // shuffle does not need (the seed itself comes from the operating system's generator).
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..rows.len()).rev() {
        // The modulo bias is at most len / 2^64: irrelevant for a few dozen rows.
        let j = (next() % (i as u64 + 1)) as usize;
        rows.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_labels_and_scores() {
        let codes: Vec<_> = Answer::ALL.iter().map(|a| a.code()).collect();
        assert_eq!(codes, ["1", "2", "3", "4", "5", "weet_niet"]);
        let labels: Vec<_> = Answer::ALL.iter().map(|a| a.label()).collect();
        assert_eq!(
            labels,
            [
                "Helemaal oneens",
                "Oneens",
                "Neutraal",
                "Eens",
                "Helemaal eens",
                "Weet ik niet"
            ]
        );
        for a in Answer::ALL {
            assert_eq!(Answer::try_from(a.code()), Ok(*a));
            if let Some(score) = a.score() {
                assert_eq!(Answer::from_score(score), Some(*a));
            }
        }
        assert_eq!(Answer::WeetNiet.score(), None);
        assert_eq!(Answer::from_score(0), None);
        assert_eq!(Answer::from_score(6), None);
        assert!(Answer::try_from("0").is_err());
        assert!(Answer::try_from("").is_err());
        assert!(Answer::try_from(" 3").is_err(), "codes are exact");
    }

    #[test]
    fn shuffle_is_a_permutation_and_depends_on_the_seed() {
        let original: Vec<u32> = (0..40).collect();
        let mut a = original.clone();
        shuffle(&mut a, 1);
        let mut b = original.clone();
        shuffle(&mut b, 2);
        assert_ne!(a, original);
        assert_ne!(a, b);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, original);
        let mut again = original.clone();
        shuffle(&mut again, 1);
        assert_eq!(again, a, "the same seed gives the same order");
        let mut empty: Vec<u32> = vec![];
        shuffle(&mut empty, 3);
    }
}
