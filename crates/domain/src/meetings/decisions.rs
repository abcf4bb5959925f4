//! Decisions per body on one joint item (A3): each body decides for itself (seed 000 §3.3.1),
//! and the joint outcome is derived, never recorded.

use super::kinds::{DecisionOutcome, MeetingKind};
use super::status::{MeetingStatus, agenda_editable};
use crate::authz::Actor;
use crate::people::{Position, Role};
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

/// What the chairs and secretaries hear after one body recorded a decision (mail, issue #16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionNews {
    /// These deciding bodies have not decided yet while another has.
    Awaited(Vec<i64>),
    /// The bodies decided differently; the item comes back.
    Divided,
}

/// The news after `body` recorded a decision, given the item's decisions `before` and `after`:
/// the item became divided, or a body's first decision leaves others still to decide. A
/// correction that does not change that picture says nothing again, so nobody hears the same
/// news twice.
pub fn decision_news(
    deciding: &[i64],
    before: &[BodyDecision],
    after: &[BodyDecision],
    body: i64,
) -> Option<DecisionNews> {
    match joint_outcome(deciding, after) {
        JointOutcome::Verdeeld => (joint_outcome(deciding, before) != JointOutcome::Verdeeld)
            .then_some(DecisionNews::Divided),
        JointOutcome::Open if !before.iter().any(|d| d.body_id == body) => {
            let awaited: Vec<i64> = deciding
                .iter()
                .filter(|b| !after.iter().any(|d| d.body_id == **b))
                .copied()
                .collect();
            (!awaited.is_empty() && awaited.len() < deciding.len())
                .then_some(DecisionNews::Awaited(awaited))
        }
        _ => None,
    }
}

/// A meeting as a candidate for a divided item's follow-up.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub kind: MeetingKind,
    pub status: MeetingStatus,
    pub starts_at: time::OffsetDateTime,
    pub bodies: &'a [i64],
}

/// Where the follow-up of a divided item decided on in a meeting that started at `after` may
/// go: a later joint meeting whose agenda can still change, in which every deciding body takes
/// part (so each can decide again).
pub fn follow_up_fits(after: time::OffsetDateTime, deciding: &[i64], c: &Candidate) -> bool {
    c.kind == MeetingKind::Gezamenlijk
        && c.starts_at > after
        && agenda_editable(c.status)
        && deciding.iter().all(|b| c.bodies.contains(b))
}

/// The title of a follow-up item.
pub fn follow_up_title(title: &str) -> String {
    format!("Vervolg: {title}")
}

pub const FOLLOW_UP_DESCRIPTION: &str = "De gremia besloten verschillend over dit punt; het komt terug op deze gezamenlijke vergadering.";

/// Whether a person records the decision of `body` (product.md §0): the body's own secretary (a
/// secretary by role with the function secretaris in that body) or a member of that body with a
/// seat — never someone on behalf of another body. `memberships` are the person's own, as
/// (body, function).
pub fn may_record(actor: &Actor, memberships: &[(i64, Position)], body: i64) -> bool {
    memberships.iter().any(|&(b, position)| {
        b == body
            && (position.has_seat()
                || (position == Position::Secretaris && actor.has_role(Role::Secretaris)))
    })
}

/// Why a decision form for another body is refused.
pub const NOT_YOUR_BODY: &str = "U legt alleen besluiten vast van uw eigen gremium: als secretaris van dat gremium of als lid met een zetel. Het besluit van een ander gremium legt dat gremium zelf vast.";

#[cfg(test)]
mod tests;
