//! The life of a round (C2): concept → open → gesloten.
//!
//! There is no way back. A round that was open has answers that belong to its frozen statements
//! and bodies; back in concept those could be edited under the answers. A closed round stays
//! closed because reopening it after results were shown would let someone watch the figures move
//! as one more person answers, which would undo the anonymity that the threshold gives (see
//! [`RoundStatus::shows_results`]). A round closed too early is followed by a new round.

use time::Date;

code_enum! {
    /// Where a round is in its life; the variant order is the order of that life.
    RoundStatus {
        Concept => "concept", "Concept";
        Open => "open", "Open";
        Gesloten => "gesloten", "Gesloten";
    }
}

impl RoundStatus {
    /// The statements, bodies and dates can still be changed.
    pub fn is_editable(self) -> bool {
        self == RoundStatus::Concept
    }

    /// Results are shown only once the round is closed. While it is open, anyone who looked
    /// before and after a colleague said "I have just filled it in" could subtract the two
    /// pictures and read that colleague's answers; after closing the figures no longer change.
    pub fn shows_results(self) -> bool {
        self == RoundStatus::Gesloten
    }

    /// The status that may follow this one, if any.
    pub fn next(self) -> Option<RoundStatus> {
        match self {
            RoundStatus::Concept => Some(RoundStatus::Open),
            RoundStatus::Open => Some(RoundStatus::Gesloten),
            RoundStatus::Gesloten => None,
        }
    }

    /// The Dutch text of the button that moves a round to this status.
    pub fn action_label(self) -> &'static str {
        match self {
            RoundStatus::Concept => "Terug naar concept",
            RoundStatus::Open => "Ronde openen",
            RoundStatus::Gesloten => "Ronde sluiten",
        }
    }
}

/// Why a status change of a round is refused; the message is shown as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoundStatusError {
    #[error("De ronde heeft al de status ‘{0}’.")]
    Unchanged(RoundStatus),
    #[error("Een ronde met status ‘{from}’ kan niet naar ‘{to}’.")]
    NotAllowed { from: RoundStatus, to: RoundStatus },
    #[error("Een ronde zonder stellingen kan niet worden geopend.")]
    NoStatements,
    #[error("Een ronde zonder uitgenodigde besturen kan niet worden geopend.")]
    NoBodies,
    #[error("De sluitingsdatum ligt in het verleden; kies eerst een nieuwe sluitingsdatum.")]
    ClosesInThePast,
}

/// What opening a round needs to know about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundFacts {
    pub statements: usize,
    pub bodies: usize,
    pub closes_on: Date,
}

/// Checks one status change. Opening also checks that there is something to answer, someone to
/// answer it and time to do so; closing is always possible (also before the closing date: the
/// secretary may end a round once everyone has answered).
pub fn transition(
    from: RoundStatus,
    to: RoundStatus,
    facts: RoundFacts,
    today: Date,
) -> Result<(), RoundStatusError> {
    if from == to {
        return Err(RoundStatusError::Unchanged(from));
    }
    if from.next() != Some(to) {
        return Err(RoundStatusError::NotAllowed { from, to });
    }
    if to == RoundStatus::Open {
        if facts.statements == 0 {
            return Err(RoundStatusError::NoStatements);
        }
        if facts.bodies == 0 {
            return Err(RoundStatusError::NoBodies);
        }
        if facts.closes_on < today {
            return Err(RoundStatusError::ClosesInThePast);
        }
    }
    Ok(())
}

/// Whether answers can be saved or submitted today: the round is open and today lies between
/// the opening and the closing date, both included. An open round past its closing date takes
/// no answers even before someone closes it (the store may close it on its next visit).
pub fn accepts_answers(status: RoundStatus, opens_on: Date, closes_on: Date, today: Date) -> bool {
    status == RoundStatus::Open && opens_on <= today && today <= closes_on
}

/// The status to show and act on: an open round whose closing date has passed counts as closed.
pub fn effective_status(status: RoundStatus, closes_on: Date, today: Date) -> RoundStatus {
    if status == RoundStatus::Open && today > closes_on {
        RoundStatus::Gesloten
    } else {
        status
    }
}

#[cfg(test)]
mod tests {
    use super::RoundStatus::*;
    use super::*;
    use time::macros::date;

    fn facts() -> RoundFacts {
        RoundFacts {
            statements: 40,
            bodies: 4,
            closes_on: date!(2026 - 12 - 15),
        }
    }

    const TODAY: Date = date!(2026 - 11 - 23);

    #[test]
    fn only_forward_one_step() {
        assert_eq!(transition(Concept, Open, facts(), TODAY), Ok(()));
        assert_eq!(transition(Open, Gesloten, facts(), TODAY), Ok(()));
        for (from, to) in [
            (Concept, Gesloten),
            (Open, Concept),
            (Gesloten, Open),
            (Gesloten, Concept),
        ] {
            assert_eq!(
                transition(from, to, facts(), TODAY),
                Err(RoundStatusError::NotAllowed { from, to }),
                "{from} → {to}"
            );
        }
        assert_eq!(
            transition(Open, Open, facts(), TODAY)
                .unwrap_err()
                .to_string(),
            "De ronde heeft al de status ‘Open’."
        );
        assert_eq!(
            transition(Gesloten, Concept, facts(), TODAY)
                .unwrap_err()
                .to_string(),
            "Een ronde met status ‘Gesloten’ kan niet naar ‘Concept’."
        );
    }

    #[test]
    fn opening_needs_statements_bodies_and_time() {
        let mut f = facts();
        f.statements = 0;
        assert_eq!(
            transition(Concept, Open, f, TODAY),
            Err(RoundStatusError::NoStatements)
        );
        let mut f = facts();
        f.bodies = 0;
        assert_eq!(
            transition(Concept, Open, f, TODAY),
            Err(RoundStatusError::NoBodies)
        );
        let mut f = facts();
        f.closes_on = date!(2026 - 11 - 22);
        assert_eq!(
            transition(Concept, Open, f, TODAY),
            Err(RoundStatusError::ClosesInThePast)
        );
        f.closes_on = TODAY;
        assert_eq!(transition(Concept, Open, f, TODAY), Ok(()));
        // Closing early or late is always fine.
        assert_eq!(transition(Open, Gesloten, f, date!(2027 - 01 - 01)), Ok(()));
    }

    #[test]
    fn answers_only_while_open_and_within_the_dates() {
        let opens = date!(2026 - 11 - 01);
        let closes = date!(2026 - 11 - 30);
        assert!(accepts_answers(Open, opens, closes, opens));
        assert!(accepts_answers(Open, opens, closes, closes));
        assert!(!accepts_answers(Open, opens, closes, date!(2026 - 10 - 31)));
        assert!(!accepts_answers(Open, opens, closes, date!(2026 - 12 - 01)));
        assert!(!accepts_answers(Concept, opens, closes, TODAY));
        assert!(!accepts_answers(Gesloten, opens, closes, TODAY));
        assert_eq!(
            effective_status(Open, closes, date!(2026 - 12 - 01)),
            Gesloten
        );
        assert_eq!(effective_status(Open, closes, closes), Open);
        assert_eq!(
            effective_status(Concept, closes, date!(2027 - 01 - 01)),
            Concept
        );
    }

    #[test]
    fn results_and_editing() {
        assert!(Concept.is_editable());
        assert!(!Open.is_editable());
        assert!(!Open.shows_results());
        assert!(Gesloten.shows_results());
        assert_eq!(Open.action_label(), "Ronde openen");
        let codes: Vec<_> = RoundStatus::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, ["concept", "open", "gesloten"]);
    }
}
