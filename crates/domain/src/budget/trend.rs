//! The workflow of a trend input (D3), and who may move it.
//!
//! ```text
//! concept ──> ingediend ──> geaccepteerd ──> verwerkt
//!    ↑  ←────────┘  │
//!    │              └──> teruggestuurd (met reden) ──> concept | ingediend
//!    └───────────────────────┘
//! ```
//!
//! The representative of the vakgroep writes, submits, withdraws (ingediend → concept) and reworks
//! a returned input; a reviewer (controller or board member) accepts it, returns it with a reason,
//! and marks an accepted input as processed into the budget. A reviewer who also represents the
//! vakgroep may not judge its inputs: the point of review is a second pair of eyes. Processing is
//! bookkeeping, not judgement, so that rule does not apply there.

use TrendStatus::*;

code_enum! {
    /// Where a trend input is in its review; the variant order is the order of the flow.
    TrendStatus {
        Concept => "concept", "Concept";
        Ingediend => "ingediend", "Ingediend";
        Geaccepteerd => "geaccepteerd", "Geaccepteerd";
        Teruggestuurd => "teruggestuurd", "Teruggestuurd";
        Verwerkt => "verwerkt", "Verwerkt";
    }
}

impl TrendStatus {
    /// Whether the budget applies the input: accepted, or already processed into it.
    pub fn counts_in_budget(self) -> bool {
        matches!(self, Geaccepteerd | Verwerkt)
    }

    pub fn is_final(self) -> bool {
        self == Verwerkt
    }
}

/// Longest reason we store.
pub const MAX_REASON_CHARS: usize = 2000;

/// What the person asking is, for this trend input's vakgroep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrendActor {
    /// Represents the vakgroep the input belongs to.
    pub is_representative: bool,
    /// Controller or board member.
    pub is_reviewer: bool,
}

/// Who takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The vakgroep's representative.
    Representative,
    /// A reviewer judging the input (accept, return).
    Judgement,
    /// A reviewer processing an accepted input.
    Processing,
}

/// Why a status change is refused; the message is shown as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrendStatusError {
    #[error("De trendinput heeft al de status ‘{0}’.")]
    Unchanged(TrendStatus),
    #[error("Een trendinput met status ‘{from}’ kan niet naar ‘{to}’.")]
    NotAllowed { from: TrendStatus, to: TrendStatus },
    #[error("Alleen een vertegenwoordiger van de vakgroep kan deze stap zetten.")]
    NotRepresentative,
    #[error("Alleen een controller of bestuurder kan een trendinput beoordelen of verwerken.")]
    NotReviewer,
    #[error(
        "U vertegenwoordigt deze vakgroep en kunt haar trendinput daarom niet zelf beoordelen."
    )]
    OwnVakgroep,
    #[error("Geef een reden op waarom de trendinput wordt teruggestuurd.")]
    ReasonRequired,
    #[error("De reden is te lang: gebruik ten hoogste {max} tekens (nu {actual}).")]
    ReasonTooLong { max: usize, actual: usize },
    #[error("Een trendinput met status ‘{0}’ kan niet meer worden gewijzigd.")]
    NotEditable(TrendStatus),
}

/// The step `from → to`, or `None` when the flow has no such arrow.
pub fn step(from: TrendStatus, to: TrendStatus) -> Option<Step> {
    match (from, to) {
        (Concept, Ingediend)
        | (Ingediend, Concept)
        | (Teruggestuurd, Concept)
        | (Teruggestuurd, Ingediend) => Some(Step::Representative),
        (Ingediend, Geaccepteerd) | (Ingediend, Teruggestuurd) => Some(Step::Judgement),
        (Geaccepteerd, Verwerkt) => Some(Step::Processing),
        _ => None,
    }
}

/// Whether `actor` may take `step`.
pub fn may_take(step: Step, actor: TrendActor) -> Result<(), TrendStatusError> {
    match step {
        Step::Representative if !actor.is_representative => {
            Err(TrendStatusError::NotRepresentative)
        }
        Step::Judgement | Step::Processing if !actor.is_reviewer => {
            Err(TrendStatusError::NotReviewer)
        }
        Step::Judgement if actor.is_representative => Err(TrendStatusError::OwnVakgroep),
        _ => Ok(()),
    }
}

/// A return to the representative must say what to change.
pub fn reason_required(to: TrendStatus) -> bool {
    to == Teruggestuurd
}

/// Checks one status change by `actor`, with the reason they typed.
pub fn transition(
    from: TrendStatus,
    to: TrendStatus,
    actor: TrendActor,
    reason: &str,
) -> Result<(), TrendStatusError> {
    if from == to {
        return Err(TrendStatusError::Unchanged(from));
    }
    let step = step(from, to).ok_or(TrendStatusError::NotAllowed { from, to })?;
    may_take(step, actor)?;
    check_reason(to, reason)
}

/// The statuses `actor` can move the input to, in flow order: the buttons on its page.
pub fn available(from: TrendStatus, actor: TrendActor) -> Vec<TrendStatus> {
    TrendStatus::ALL
        .iter()
        .copied()
        .filter(|&to| step(from, to).is_some_and(|s| may_take(s, actor).is_ok()))
        .collect()
}

/// Whether `actor` may change the content of an input in `status`: the representative, while it
/// is theirs to work on.
pub fn may_edit(status: TrendStatus, actor: TrendActor) -> bool {
    actor.is_representative && matches!(status, Concept | Teruggestuurd)
}

/// Whether the content of an input in `status` may still change at all: [`may_edit`] for its
/// representative, with the reason when not.
pub fn check_editable(status: TrendStatus) -> Result<(), TrendStatusError> {
    let representative = TrendActor {
        is_representative: true,
        is_reviewer: false,
    };
    if may_edit(status, representative) {
        Ok(())
    } else {
        Err(TrendStatusError::NotEditable(status))
    }
}

/// Checks a status change on the flow alone, whoever takes it: the step exists, and a return
/// has a reason within the limit. [`transition`] adds who may take it.
pub fn check_step(
    from: TrendStatus,
    to: TrendStatus,
    reason: &str,
) -> Result<(), TrendStatusError> {
    if from == to {
        return Err(TrendStatusError::Unchanged(from));
    }
    step(from, to).ok_or(TrendStatusError::NotAllowed { from, to })?;
    check_reason(to, reason)
}

fn check_reason(to: TrendStatus, reason: &str) -> Result<(), TrendStatusError> {
    let actual = reason.trim().chars().count();
    if actual > MAX_REASON_CHARS {
        return Err(TrendStatusError::ReasonTooLong {
            max: MAX_REASON_CHARS,
            actual,
        });
    }
    if actual == 0 && reason_required(to) {
        return Err(TrendStatusError::ReasonRequired);
    }
    Ok(())
}

/// The status after saving an edit: reworking a returned input makes it a concept again, so it
/// is clear that it still has to be submitted.
pub fn status_after_edit(status: TrendStatus) -> TrendStatus {
    match status {
        Teruggestuurd => Concept,
        other => other,
    }
}

/// The Dutch text of the button for `from → to`.
pub fn action_label(from: TrendStatus, to: TrendStatus) -> &'static str {
    match (from, to) {
        (Ingediend, Concept) => "Terugtrekken",
        (Teruggestuurd, Concept) => "Opnieuw bewerken",
        (Teruggestuurd, Ingediend) => "Opnieuw indienen",
        (_, Concept) => "Terug naar concept",
        (_, Ingediend) => "Indienen",
        (_, Geaccepteerd) => "Accepteren",
        (_, Teruggestuurd) => "Terugsturen",
        (_, Verwerkt) => "Verwerken in de begroting",
    }
}

#[cfg(test)]
mod tests;
