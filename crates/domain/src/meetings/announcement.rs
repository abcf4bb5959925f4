//! Announcing a changed agenda (issue #16). After publication a secretary may still change the
//! agenda; the members hear of it when the secretary says the change is complete — once, with a
//! note of what changed — not at every edit, which would send a mail per typo. The count of
//! announcements is the form's version: two secretaries announcing the same change send it once.

use super::status::MeetingStatus;
use crate::people::FieldError;
use crate::text;

/// The most a note may say: a few sentences, not a second agenda.
pub const NOTE_MAX: usize = 1000;

/// Only a published agenda that is not yet in session: before publication nobody has it, and
/// once the meeting is open the members are in the room.
pub fn may_announce(status: MeetingStatus) -> bool {
    status == MeetingStatus::Gepubliceerd
}

/// Why an announcement is refused in this status.
pub const NOT_NOW: &str = "Een wijziging van de agenda kondigt u aan zolang de agenda gepubliceerd is en de vergadering nog niet is geopend.";

/// An announcement as the store records it and the mail says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncementDraft {
    /// What changed, as the secretary put it (may be empty).
    pub note: String,
}

impl AnnouncementDraft {
    /// The note as typed: cleaned of characters the application never keeps, trimmed, and at
    /// most [`NOTE_MAX`] characters.
    pub fn parse(note: &str) -> Result<Self, FieldError> {
        let note = text::clean(note).trim().to_string();
        if let Some(message) = text::too_long(&note, NOTE_MAX) {
            return Err(FieldError::new("note", message));
        }
        Ok(AnnouncementDraft { note })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_cleaned_trimmed_and_limited() {
        assert_eq!(
            AnnouncementDraft::parse("  Punt 4 is vervallen.\0\r\n")
                .unwrap()
                .note,
            "Punt 4 is vervallen."
        );
        assert_eq!(AnnouncementDraft::parse("").unwrap().note, "");
        let long = "x".repeat(NOTE_MAX + 1);
        let err = AnnouncementDraft::parse(&long).unwrap_err();
        assert_eq!(err.field, "note");
        assert!(err.message.contains("1.000"), "{}", err.message);
        assert!(AnnouncementDraft::parse(&"é".repeat(NOTE_MAX)).is_ok());
    }

    #[test]
    fn only_a_published_agenda_not_yet_in_session_is_announced() {
        for status in MeetingStatus::ALL {
            let published = *status == MeetingStatus::Gepubliceerd;
            assert_eq!(may_announce(*status), published, "{status:?}");
        }
    }
}
