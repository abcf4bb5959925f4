//! The status flow of an agreement (B2); actions (kind `actie`) follow the same flow.
//!
//! ```text
//! voorgesteld ──> vastgesteld ──> in uitvoering ──> gerealiseerd | niet nagekomen | vervallen
//!      │               └──────────────────────────> gerealiseerd | niet nagekomen | vervallen
//!      └──> vervallen
//! ```
//!
//! Final states are final, with one exception: a correction back to "in uitvoering" (`reopen`).
//! People click "gerealiseerd" by mistake, or an agreement marked "niet nagekomen" turns out to be
//! picked up again; without a way back the register would have to lie or be edited behind the
//! audit trail. The correction always needs a reason so that the history explains itself.

use super::kinds::AgreementStatus::{self, *};

/// Longest reason we store; a reason is a sentence or a paragraph, not a document.
pub const MAX_REASON_CHARS: usize = 2000;

/// Why a status change is refused; the message is shown as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("De afspraak heeft al de status ‘{0}’.")]
    Unchanged(AgreementStatus),
    #[error("Een afspraak met status ‘{from}’ kan niet naar ‘{to}’.")]
    NotAllowed {
        from: AgreementStatus,
        to: AgreementStatus,
    },
    #[error("Geef een reden op voor de status ‘{0}’.")]
    ReasonRequired(AgreementStatus),
    #[error("Geef een reden op waarom de afspraak wordt heropend.")]
    ReopenReasonRequired,
    #[error("De reden is te lang: gebruik ten hoogste {max} tekens (nu {actual}).")]
    ReasonTooLong { max: usize, actual: usize },
}

/// The statuses that can follow `from` in the normal flow, in flow order (corrections excluded).
fn forward(from: AgreementStatus) -> &'static [AgreementStatus] {
    match from {
        Voorgesteld => &[Vastgesteld, Vervallen],
        Vastgesteld => &[InUitvoering, Gerealiseerd, NietNagekomen, Vervallen],
        InUitvoering => &[Gerealiseerd, NietNagekomen, Vervallen],
        Gerealiseerd | NietNagekomen | Vervallen => &[],
    }
}

/// A correction of a final status back to "in uitvoering".
pub fn is_reopen(from: AgreementStatus, to: AgreementStatus) -> bool {
    from.is_final() && to == InUitvoering
}

pub fn is_allowed(from: AgreementStatus, to: AgreementStatus) -> bool {
    forward(from).contains(&to) || is_reopen(from, to)
}

/// Whether the form must ask for a reason: a failure or withdrawal must be explained to the other
/// board, and so must a correction of a final status.
pub fn reason_required(from: AgreementStatus, to: AgreementStatus) -> bool {
    matches!(to, NietNagekomen | Vervallen) || is_reopen(from, to)
}

/// Checks one status change. `reason` is the text the person typed; it is required where
/// [`reason_required`] says so and may never be longer than [`MAX_REASON_CHARS`].
pub fn transition(
    from: AgreementStatus,
    to: AgreementStatus,
    reason: &str,
) -> Result<(), StatusError> {
    if from == to {
        return Err(StatusError::Unchanged(from));
    }
    if !is_allowed(from, to) {
        return Err(StatusError::NotAllowed { from, to });
    }
    let actual = reason.trim().chars().count();
    if actual > MAX_REASON_CHARS {
        return Err(StatusError::ReasonTooLong {
            max: MAX_REASON_CHARS,
            actual,
        });
    }
    if actual == 0 && reason_required(from, to) {
        return Err(if is_reopen(from, to) {
            StatusError::ReopenReasonRequired
        } else {
            StatusError::ReasonRequired(to)
        });
    }
    Ok(())
}

/// The statuses reachable from `from` in flow order, for the buttons on the agreement page.
pub fn available(from: AgreementStatus) -> Vec<AgreementStatus> {
    AgreementStatus::ALL
        .iter()
        .copied()
        .filter(|&to| is_allowed(from, to))
        .collect()
}

/// The statuses a person may move an agreement to from `from`, in flow order: whoever manages
/// the register (the secretary) any step of the flow, an owner only the progress steps (B2:
/// the owners record progress, the secretary settles, drops and corrects).
pub fn available_to(from: AgreementStatus, manages: bool) -> Vec<AgreementStatus> {
    available(from)
        .into_iter()
        .filter(|to| manages || matches!(to, InUitvoering | Gerealiseerd))
        .collect()
}

/// The Dutch text of the button that moves an agreement from `from` to `to`.
pub fn action_label(from: AgreementStatus, to: AgreementStatus) -> &'static str {
    if is_reopen(from, to) {
        return "Heropenen (correctie)";
    }
    match to {
        Voorgesteld => "Terug naar voorstel",
        Vastgesteld => "Vaststellen",
        InUitvoering => "Uitvoering starten",
        Gerealiseerd => "Gerealiseerd melden",
        NietNagekomen => "Niet nagekomen melden",
        Vervallen => "Laten vervallen",
    }
}

#[cfg(test)]
mod tests;
