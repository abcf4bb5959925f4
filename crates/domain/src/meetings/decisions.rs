//! Decisions per body on one joint item (A3): each body decides for itself (seed 000 §3.3.1),
//! and the joint outcome is derived, never recorded.

use super::kinds::DecisionOutcome;
use std::collections::BTreeSet;

/// One body's decision on an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyDecision {
    pub body_id: i64,
    pub outcome: DecisionOutcome,
    pub text: String,
}

code_enum! {
    /// Where the deciding bodies stand together on an item.
    JointOutcome {
        /// All deciding bodies decided the same, and adopted the same text.
        Eensgezind => "eensgezind", "eensgezind";
        /// They differ; the item comes back at the next joint meeting.
        Verdeeld => "verdeeld", "verdeeld";
        /// Not every deciding body has decided yet.
        Open => "open", "open";
    }
}

/// Texts typed by two secretaries differ in spacing and line breaks without differing in
/// substance; wording and capitals do count.
fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decisions of bodies that do not decide on the item are ignored. Should a body have more than
/// one decision, all of them must agree, so the result never depends on their order.
pub fn joint_outcome(deciding_bodies: &[i64], decisions: &[BodyDecision]) -> JointOutcome {
    let deciding: BTreeSet<i64> = deciding_bodies.iter().copied().collect();
    let relevant: Vec<&BodyDecision> = decisions
        .iter()
        .filter(|d| deciding.contains(&d.body_id))
        .collect();
    let decided: BTreeSet<i64> = relevant.iter().map(|d| d.body_id).collect();
    if deciding.is_empty() || decided != deciding {
        return JointOutcome::Open;
    }
    let first = relevant[0];
    let same_outcome = relevant.iter().all(|d| d.outcome == first.outcome);
    let same_text = !first.outcome.adopts_text() || {
        let text = normalise(&first.text);
        relevant.iter().all(|d| normalise(&d.text) == text)
    };
    if same_outcome && same_text {
        JointOutcome::Eensgezind
    } else {
        JointOutcome::Verdeeld
    }
}

/// A divided outcome puts a follow-up item on the next joint meeting's agenda.
pub fn needs_follow_up(outcome: JointOutcome) -> bool {
    outcome == JointOutcome::Verdeeld
}

#[cfg(test)]
mod tests;
