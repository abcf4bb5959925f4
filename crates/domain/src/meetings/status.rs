//! The life of a meeting (A1) and what may be changed in each stage.

use time::OffsetDateTime;

code_enum! {
    /// Where a meeting is in its life; the order of the variants is the order of that life.
    MeetingStatus {
        Concept => "concept", "Concept";
        Gepubliceerd => "gepubliceerd", "Agenda gepubliceerd";
        InVergadering => "in_vergadering", "In vergadering";
        Gesloten => "gesloten", "Gesloten";
        NotulenVastgesteld => "notulen_vastgesteld", "Notulen vastgesteld";
    }
}

/// A step a secretary can take; these are the only ways a status changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeetingTransition {
    Publish,
    /// Back to concept, e.g. to rework an agenda that went out too early.
    Withdraw,
    Open,
    Close,
    /// Done only by the later meeting that adopts the minutes (see [`can_adopt_minutes`]): it
    /// records that meeting and freezes the actions, which a status button cannot.
    AdoptMinutes,
}

impl MeetingTransition {
    /// Forward steps first, so that the first button offered is the next stage of the meeting.
    pub const ALL: [MeetingTransition; 5] = [
        MeetingTransition::Publish,
        MeetingTransition::Open,
        MeetingTransition::Close,
        MeetingTransition::AdoptMinutes,
        MeetingTransition::Withdraw,
    ];

    pub fn from(self) -> MeetingStatus {
        use MeetingStatus::*;
        match self {
            MeetingTransition::Publish => Concept,
            MeetingTransition::Withdraw => Gepubliceerd,
            MeetingTransition::Open => Gepubliceerd,
            MeetingTransition::Close => InVergadering,
            MeetingTransition::AdoptMinutes => Gesloten,
        }
    }

    pub fn to(self) -> MeetingStatus {
        use MeetingStatus::*;
        match self {
            MeetingTransition::Publish => Gepubliceerd,
            MeetingTransition::Withdraw => Concept,
            MeetingTransition::Open => InVergadering,
            MeetingTransition::Close => Gesloten,
            MeetingTransition::AdoptMinutes => NotulenVastgesteld,
        }
    }

    /// The Dutch text of the button that takes this step.
    pub fn label(self) -> &'static str {
        match self {
            MeetingTransition::Publish => "Agenda publiceren",
            MeetingTransition::Withdraw => "Publicatie intrekken",
            MeetingTransition::Open => "Vergadering openen",
            MeetingTransition::Close => "Vergadering sluiten",
            MeetingTransition::AdoptMinutes => "Notulen vaststellen",
        }
    }

    pub fn between(from: MeetingStatus, to: MeetingStatus) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.from() == from && t.to() == to)
    }

    /// Whether a status button takes this step.
    pub fn by_button(self) -> bool {
        self != MeetingTransition::AdoptMinutes
    }

    /// The steps a status button takes from a status, for the meeting page.
    pub fn available(from: MeetingStatus) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|t| t.from() == from && t.by_button())
            .collect()
    }
}

/// Why a status change or an adoption of minutes is refused; the message is shown as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("De vergadering heeft al de status ‘{0}’.")]
    Unchanged(MeetingStatus),
    #[error("Een vergadering met status ‘{from}’ kan niet naar ‘{to}’.")]
    NotAllowed {
        from: MeetingStatus,
        to: MeetingStatus,
    },
    #[error("De notulen kunnen pas worden vastgesteld als de vergadering gesloten is.")]
    MinutesNotClosed,
    #[error("De notulen van deze vergadering zijn al vastgesteld.")]
    MinutesAlreadyAdopted,
    #[error("Notulen kunnen alleen worden vastgesteld in een vergadering die bezig is.")]
    AdoptingMeetingNotInSession,
    #[error("Notulen worden vastgesteld in een latere vergadering.")]
    AdoptingMeetingNotLater,
    #[error(
        "Notulen worden vastgesteld in een latere vergadering, terwijl die bezig is: open die vergadering en kies ‘Notulen vorige vaststellen’."
    )]
    MinutesOnlyByAdoption,
}

/// A step a status button asks for. The adoption of minutes is refused here: only
/// [`can_adopt_minutes`] leads there, from the adopting meeting.
pub fn transition(from: MeetingStatus, to: MeetingStatus) -> Result<(), StatusError> {
    if from == to {
        return Err(StatusError::Unchanged(from));
    }
    match MeetingTransition::between(from, to) {
        Some(t) if t.by_button() => Ok(()),
        Some(_) => Err(StatusError::MinutesOnlyByAdoption),
        None => Err(StatusError::NotAllowed { from, to }),
    }
}

/// Published agendas stay editable: late additions are normal, and members see the change.
pub fn agenda_editable(status: MeetingStatus) -> bool {
    matches!(status, MeetingStatus::Concept | MeetingStatus::Gepubliceerd)
}

/// Decisions are taken in the meeting, never before or after it.
pub fn decisions_open(status: MeetingStatus) -> bool {
    status == MeetingStatus::InVergadering
}

/// The secretary finishes the draft after closing; adoption freezes it.
pub fn minutes_editable(status: MeetingStatus) -> bool {
    matches!(
        status,
        MeetingStatus::InVergadering | MeetingStatus::Gesloten
    )
}

/// Minutes of meeting `of` are adopted in meeting `in_meeting` (A6): a later meeting that is in
/// session, so the members who approve them are assembled and the record is complete.
pub fn can_adopt_minutes(
    of: (MeetingStatus, OffsetDateTime),
    in_meeting: (MeetingStatus, OffsetDateTime),
) -> Result<(), StatusError> {
    let (status, starts_at) = of;
    let (adopting_status, adopting_starts_at) = in_meeting;
    match status {
        MeetingStatus::Gesloten => {}
        MeetingStatus::NotulenVastgesteld => return Err(StatusError::MinutesAlreadyAdopted),
        _ => return Err(StatusError::MinutesNotClosed),
    }
    if adopting_status != MeetingStatus::InVergadering {
        return Err(StatusError::AdoptingMeetingNotInSession);
    }
    if adopting_starts_at <= starts_at {
        return Err(StatusError::AdoptingMeetingNotLater);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
