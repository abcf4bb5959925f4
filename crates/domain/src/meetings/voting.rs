//! Voting rules per body (A4): who may vote on a subject, quorum, majority, and a Dutch
//! explanation of why a vote did or did not pass.

use super::kinds::{DecisionOutcome, Subject};
use crate::ids::PersonId;
use crate::people::EmploymentForm;
use std::collections::BTreeSet;

code_enum! {
    /// The majority a body's rules ask for. Abstentions never count for or against.
    Majority {
        /// More votes for than against.
        Simple => "gewoon", "Gewone meerderheid";
        /// At least two thirds of the votes for or against are for (and at least one is).
        TwoThirds => "twee_derde", "Tweederdemeerderheid";
        /// Nobody against, and at least one for.
        Unanimous => "unaniem", "Unanimiteit";
    }
}

impl Majority {
    pub fn met(self, votes_for: u32, votes_against: u32) -> bool {
        let (f, a) = (u64::from(votes_for), u64::from(votes_against));
        match self {
            Majority::Simple => f > a,
            Majority::TwoThirds => f >= 1 && 3 * f >= 2 * (f + a),
            Majority::Unanimous => f >= 1 && a == 0,
        }
    }
}

/// A body's voting rules. The quorum is met when `present * 100 >= quorum_percent * eligible`
/// and at least one eligible member is present; both counts are of members eligible on the
/// item's subject, since only they can carry the vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyRules {
    /// 1–100; above 100 counts as 100.
    pub quorum_percent: u8,
    pub majority: Majority,
}

impl Default for BodyRules {
    /// The database default for a new body.
    fn default() -> Self {
        Self {
            quorum_percent: 50,
            majority: Majority::Simple,
        }
    }
}

impl BodyRules {
    /// The number of eligible members that must be present.
    pub fn quorum_needed(&self, eligible: u32) -> u32 {
        let percent = u64::from(self.quorum_percent.min(100));
        let needed = (percent * u64::from(eligible)).div_ceil(100);
        u32::try_from(needed).unwrap_or(u32::MAX).max(1)
    }
}

code_enum! {
    Choice {
        Voor => "voor", "Voor";
        Tegen => "tegen", "Tegen";
        Onthouding => "onthouding", "Onthouding";
    }
}

/// A member of the voting body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub person_id: PersonId,
    pub employment_form: Option<EmploymentForm>,
    /// Voorzitter or lid; secretaries and advisers never vote.
    pub has_seat: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ballot {
    pub person_id: PersonId,
    pub choice: Choice,
}

/// Whether a member may vote on an item about `subject` (seed 000 §3.3.3), in a body whose seats
/// are for specialists of employment form `seats` (`None`: not bound to one; Beheer › Gremia):
/// the fee matters of self-employed specialists are for the self-employed members of a body of
/// self-employed specialists (the MSB), the employment conditions of employed specialists for the
/// employed members of a body of employed specialists (the VMSD). What a body is decides, not
/// its code, so a renamed body keeps its rules.
pub fn eligible(seats: Option<EmploymentForm>, subject: Subject, member: &Member) -> bool {
    let form = member.employment_form;
    let only = |wanted: EmploymentForm| seats == Some(wanted) && form == Some(wanted);
    member.has_seat
        && match subject {
            Subject::Algemeen => true,
            Subject::FinancieelVrijgevestigd => only(EmploymentForm::Vrijgevestigd),
            Subject::ArbeidsvoorwaardenDienstverband => only(EmploymentForm::Dienstverband),
        }
}

code_enum! {
    /// Why a ballot was not counted.
    IgnoredReason {
        NotEligible => "niet_stemgerechtigd", "niet stemgerechtigd";
        NotPresent => "niet_aanwezig", "niet aanwezig";
        /// A person's second (or later) ballot; the first one counts.
        Duplicate => "dubbel", "dubbele stem";
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteResult {
    pub passed: bool,
    pub quorum_met: bool,
    pub majority_met: bool,
    pub majority: Majority,
    pub votes_for: u32,
    pub votes_against: u32,
    pub votes_abstain: u32,
    /// Members eligible on the subject.
    pub eligible: u32,
    pub present_eligible: u32,
    pub quorum_needed: u32,
    /// Ballots not counted, in the order given.
    pub ignored: Vec<(PersonId, IgnoredReason)>,
}

/// "stem"/"stemmen" and the like: the noun follows the total it counts.
fn noun(total: u32, one: &'static str, many: &'static str) -> &'static str {
    if total == 1 { one } else { many }
}

impl VoteResult {
    /// All ballots cast, abstentions included: the "6" in "5 van 6 stemmen voor".
    pub fn votes_cast(&self) -> u32 {
        self.votes_for
            .saturating_add(self.votes_against)
            .saturating_add(self.votes_abstain)
    }

    /// Why the vote did or did not pass, in the minutes' words:
    /// "aangenomen: 5 van 6 stemmen voor, quorum gehaald",
    /// "verworpen: 2 van 6 stemmen voor, tweederdemeerderheid niet gehaald",
    /// "niet geldig: quorum niet gehaald (2 van 7 stemgerechtigden aanwezig, 4 nodig)".
    /// The total of votes includes abstentions.
    pub fn explain(&self) -> String {
        if !self.quorum_met {
            return format!(
                "niet geldig: quorum niet gehaald ({} van {} {} aanwezig, {} nodig)",
                self.present_eligible,
                self.eligible,
                noun(self.eligible, "stemgerechtigde", "stemgerechtigden"),
                self.quorum_needed,
            );
        }
        let cast = self.votes_cast();
        let votes = format!(
            "{} van {} {} voor",
            self.votes_for,
            cast,
            noun(cast, "stem", "stemmen")
        );
        if self.passed {
            format!("aangenomen: {votes}, quorum gehaald")
        } else {
            let majority = self.majority.label().to_lowercase();
            format!("verworpen: {votes}, {majority} niet gehaald")
        }
    }

    /// The outcome to suggest to the secretary; an invalid vote decides nothing.
    pub fn suggested_outcome(&self) -> Option<DecisionOutcome> {
        match (self.quorum_met, self.passed) {
            (false, _) => None,
            (true, true) => Some(DecisionOutcome::Aangenomen),
            (true, false) => Some(DecisionOutcome::Verworpen),
        }
    }
}

fn result(
    rules: &BodyRules,
    eligible: u32,
    present_eligible: u32,
    (votes_for, votes_against, votes_abstain): (u32, u32, u32),
    ignored: Vec<(PersonId, IgnoredReason)>,
) -> VoteResult {
    let quorum_needed = rules.quorum_needed(eligible);
    let quorum_met = present_eligible >= quorum_needed;
    let majority_met = rules.majority.met(votes_for, votes_against);
    VoteResult {
        passed: quorum_met && majority_met,
        quorum_met,
        majority_met,
        majority: rules.majority,
        votes_for,
        votes_against,
        votes_abstain,
        eligible,
        present_eligible,
        quorum_needed,
        ignored,
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Counts a named vote of one body. Only the first ballot of an eligible member who is present
/// counts; the others are listed with the reason, so the secretary can see what was left out.
pub fn tally(
    seats: Option<EmploymentForm>,
    subject: Subject,
    rules: &BodyRules,
    members: &[Member],
    present: &[PersonId],
    ballots: &[Ballot],
) -> VoteResult {
    let eligible_ids: BTreeSet<PersonId> = members
        .iter()
        .filter(|m| eligible(seats, subject, m))
        .map(|m| m.person_id)
        .collect();
    let present: BTreeSet<PersonId> = present.iter().copied().collect();
    let present_eligible = eligible_ids.intersection(&present).count();

    let mut seen = BTreeSet::new();
    let mut ignored = Vec::new();
    let (mut f, mut a, mut ab) = (0u32, 0u32, 0u32);
    for ballot in ballots {
        let reason = if !seen.insert(ballot.person_id) {
            Some(IgnoredReason::Duplicate)
        } else if !eligible_ids.contains(&ballot.person_id) {
            Some(IgnoredReason::NotEligible)
        } else if !present.contains(&ballot.person_id) {
            Some(IgnoredReason::NotPresent)
        } else {
            None
        };
        match (reason, ballot.choice) {
            (Some(reason), _) => ignored.push((ballot.person_id, reason)),
            (None, Choice::Voor) => f += 1,
            (None, Choice::Tegen) => a += 1,
            (None, Choice::Onthouding) => ab += 1,
        }
    }
    result(
        rules,
        count(eligible_ids.len()),
        count(present_eligible),
        (f, a, ab),
        ignored,
    )
}

/// Why counts typed in for a vote by show of hands are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoteError {
    #[error(
        "Er kunnen niet meer stemgerechtigden aanwezig zijn ({present}) dan er zijn ({eligible})."
    )]
    PresentExceedsEligible { present: u32, eligible: u32 },
    #[error(
        "Er zijn {votes} stemmen opgegeven, maar er zijn maar {present} stemgerechtigden aanwezig."
    )]
    TooManyVotes { votes: u64, present: u32 },
}

/// A vote by count, without names (a show of hands).
pub fn tally_counts(
    rules: &BodyRules,
    eligible: u32,
    present_eligible: u32,
    votes_for: u32,
    votes_against: u32,
    votes_abstain: u32,
) -> Result<VoteResult, VoteError> {
    if present_eligible > eligible {
        return Err(VoteError::PresentExceedsEligible {
            present: present_eligible,
            eligible,
        });
    }
    let votes = u64::from(votes_for) + u64::from(votes_against) + u64::from(votes_abstain);
    if votes > u64::from(present_eligible) {
        return Err(VoteError::TooManyVotes {
            votes,
            present: present_eligible,
        });
    }
    Ok(result(
        rules,
        eligible,
        present_eligible,
        (votes_for, votes_against, votes_abstain),
        Vec::new(),
    ))
}

#[cfg(test)]
mod tests;
