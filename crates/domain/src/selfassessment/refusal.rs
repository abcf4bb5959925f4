//! What the store refuses about the self-assessment, with the Dutch message the page shows.
//!
//! The forms (`…Draft::parse`) catch these cases for an honest user before anything is written;
//! the store checks them again in the writing transaction, where the round, the person's seats
//! and the earlier participation are read in the same state as the write. A refusal here means
//! the page was out of date (the round closed meanwhile, the person submitted in another tab) or
//! the form was forged.

/// Why the store refused a write of the self-assessment; the message is shown as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The round is no longer in concept: its title, dates, bodies and statements are fixed.
    #[error("De ronde is al geopend: titel, data, besturen en stellingen liggen vast.")]
    NotEditable,
    /// The round is not open, or today lies outside its dates.
    #[error("Deze ronde neemt nu geen antwoorden aan: ze is nog niet geopend of al gesloten.")]
    NotAccepting,
    /// The person has no seat in any invited body (or their account is disabled).
    #[error("U bent niet uitgenodigd voor deze ronde.")]
    NotInvited,
    /// The person has no seat in the body they chose, or it was not invited.
    #[error("Kies het bestuur waarvoor u de vragenlijst invult.")]
    BodyNotEligible,
    /// The person has already handed in this round.
    #[error(
        "U hebt de vragenlijst van deze ronde al verstuurd. Verstuurde antwoorden kunnen niet meer worden gewijzigd."
    )]
    AlreadySubmitted,
    /// A submission that does not answer every statement of the round exactly once.
    #[error("Beantwoord alle stellingen van deze ronde; ‘Weet ik niet’ mag ook.")]
    Incomplete,
    /// An answer to a statement that is not part of the round.
    #[error(
        "Het formulier bevat een stelling die niet bij deze ronde hoort. Laad de pagina opnieuw."
    )]
    ForeignStatement,
    /// An unknown body, or an observer body (kind `toezicht`), invited to a round.
    #[error(
        "Kies als besturen de RvB of onderdelen van MSB+; toehoorders zoals de RvT vullen de zelfevaluatie niet in."
    )]
    BodyNotInvitable,
    /// A statement chosen for a round that is not (or no longer) an active catalogue statement.
    #[error("Kies alleen actieve stellingen uit de catalogus.")]
    StatementUnavailable,
    /// An edit that would move a catalogue statement to another S: its key names the S.
    #[error(
        "Het element van een bestaande stelling ligt vast; voeg voor een ander element een nieuwe stelling toe."
    )]
    SFixed,
    /// Results were asked of a round that is not closed.
    #[error("De resultaten worden getoond zodra de ronde gesloten is.")]
    NoResultsYet,
}

impl Refusal {
    /// The form field the message belongs to (`_form` for the form as a whole), named as the
    /// round, statement and answer forms name their fields.
    pub fn field(self) -> &'static str {
        match self {
            Refusal::BodyNotInvitable => "bodies",
            Refusal::StatementUnavailable => "statements",
            Refusal::SFixed => "s",
            Refusal::BodyNotEligible | Refusal::NotInvited => "body",
            Refusal::ForeignStatement => "formulier",
            Refusal::NotEditable
            | Refusal::NotAccepting
            | Refusal::AlreadySubmitted
            | Refusal::Incomplete
            | Refusal::NoResultsYet => "_form",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_dutch_and_sit_at_a_field() {
        assert_eq!(
            Refusal::NotInvited.to_string(),
            "U bent niet uitgenodigd voor deze ronde."
        );
        assert_eq!(Refusal::BodyNotEligible.field(), "body");
        assert_eq!(Refusal::BodyNotInvitable.field(), "bodies");
        assert!(
            Refusal::AlreadySubmitted
                .to_string()
                .contains("niet meer worden gewijzigd")
        );
    }
}
