//! The rules of the Gelijkgerichtheidsmonitor (product.md E, docs/monitor.md): what the dashboard
//! derives from what the sections store — which items still wait for which body, how the
//! attention list is counted, which vakgroepen move most, where the budget year stands and which
//! months of production are still missing. Plain functions over plain data; the web crate only
//! reads, filters per reader and shows.

use crate::agreements::attention::Reason;
use crate::budget::adoption::ProposalStatus;
use crate::meetings::decisions::{BodyDecision, JointOutcome, joint_outcome};
use crate::meetings::status::MeetingStatus;
use crate::nl;
use rust_decimal::Decimal;
use time::{Date, Month, OffsetDateTime};

/// An agenda item as far as its decisions go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidingItem {
    pub item_id: i64,
    pub deciding_bodies: Vec<i64>,
    /// The bodies that recorded a decision on it.
    pub decided: Vec<i64>,
}

/// For each deciding body (in `bodies` order), the items on which it has not decided yet, in the
/// items' order; a body with nothing left is left out. Only the bodies in `bodies` count: the
/// meeting's participants, so that a stray deciding body without a seat never shows.
pub fn awaiting_per_body(bodies: &[i64], items: &[DecidingItem]) -> Vec<(i64, Vec<i64>)> {
    bodies
        .iter()
        .filter_map(|&body| {
            let open: Vec<i64> = items
                .iter()
                .filter(|i| i.deciding_bodies.contains(&body) && !i.decided.contains(&body))
                .map(|i| i.item_id)
                .collect();
            (!open.is_empty()).then_some((body, open))
        })
        .collect()
}

/// Whether a meeting in this status still lies ahead or runs: its agenda and decisions are not
/// history yet (the next joint meeting, a follow-up still to be taken).
pub fn still_open(status: MeetingStatus) -> bool {
    status < MeetingStatus::Gesloten
}

/// Whether a divided item still asks for attention: its joint outcome is *verdeeld* (the
/// bodies may have come together since, when a decision was corrected) and its follow-up waits
/// or is on a meeting that has not been closed.
pub fn still_divided(deciding_bodies: &[i64], decisions: &[BodyDecision]) -> bool {
    joint_outcome(deciding_bodies, decisions) == JointOutcome::Verdeeld
}

/// How many agreements need attention, per most pressing reason ("Verlopen", "Uit koers",
/// "Beoordeling"), in the order of urgency: each agreement counts once, under its first reason,
/// so the counts add up to the total.
pub fn attention_tally<'a>(
    reasons: impl IntoIterator<Item = &'a [Reason]>,
) -> Vec<(&'static str, usize)> {
    let mut tally: Vec<(u8, &'static str, usize)> = Vec::new();
    for first in reasons.into_iter().filter_map(|r| r.first()) {
        let rank = match first {
            Reason::Overdue { .. } => 0,
            Reason::OffTrack => 1,
            Reason::ReviewDue { .. } => 2,
        };
        match tally.iter_mut().find(|(r, _, _)| *r == rank) {
            Some(entry) => entry.2 += 1,
            None => tally.push((rank, first.tag(), 1)),
        }
    }
    tally.sort_by_key(|(rank, _, _)| *rank);
    tally.into_iter().map(|(_, tag, n)| (tag, n)).collect()
}

/// One vakgroep's norm-fte against its formative fte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FteRow {
    pub vakgroep_id: i64,
    pub code: String,
    pub name: String,
    pub norm_fte: Decimal,
    pub formatief_fte: Decimal,
    /// norm-fte − formative fte: growth (positive) or shrink.
    pub mutation: Decimal,
}

/// The `n` rows with the largest mutation either way (growth or shrink), largest first; equal
/// mutations by code, so the choice never depends on the input order.
pub fn largest_mutations(mut rows: Vec<FteRow>, n: usize) -> Vec<FteRow> {
    rows.sort_by(|a, b| {
        b.mutation
            .abs()
            .cmp(&a.mutation.abs())
            .then_with(|| a.code.cmp(&b.code))
    });
    rows.truncate(n);
    rows
}

/// Where the budget year in preparation stands (D9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YearStage {
    /// Scenarios (possibly none) and no proposal yet.
    Concept { scenarios: usize },
    /// A scenario proposed for adoption on a joint meeting.
    Proposed {
        scenario: String,
        meeting: String,
        starts_at: OffsetDateTime,
    },
    /// Adopted by the deciding bodies, locked with a content hash.
    Adopted {
        scenario: String,
        meeting: String,
        adopted_at: OffsetDateTime,
        hash: String,
    },
}

impl YearStage {
    /// The year's stage in one Dutch sentence.
    pub fn sentence(&self, year: i16) -> String {
        match self {
            YearStage::Concept { scenarios: 0 } => {
                format!("Begroting {year}: concept, nog zonder scenario.")
            }
            YearStage::Concept { scenarios } => format!(
                "Begroting {year}: concept, {scenarios} {}, nog niet voorgesteld ter vaststelling.",
                if *scenarios == 1 {
                    "scenario"
                } else {
                    "scenario's"
                }
            ),
            YearStage::Proposed {
                scenario,
                meeting,
                starts_at,
            } => format!(
                "Begroting {year}: scenario ‘{scenario}’ is {} op {meeting} van {}.",
                ProposalStatus::Voorgesteld.label().to_lowercase(),
                nl::date(nl::to_amsterdam(*starts_at).date())
            ),
            YearStage::Adopted {
                scenario,
                meeting,
                adopted_at,
                hash,
            } => format!(
                "Begroting {year}: scenario ‘{scenario}’ vastgesteld op {} in {meeting}; inhoudshash {}.",
                nl::date(nl::to_amsterdam(*adopted_at).date()),
                short_hash(hash)
            ),
        }
    }
}

/// An alignment score's change since the round before, in percentage points: "+5 procentpunt",
/// "−3 procentpunt", "gelijk"; empty without an earlier score to compare with.
pub fn change_text(change: Option<Decimal>) -> String {
    match change.map(|c| c.round_dp(0)) {
        None => String::new(),
        Some(c) if c.is_zero() => "gelijk".to_string(),
        Some(c) if c > Decimal::ZERO => format!("+{} procentpunt", nl::number(c, 0)),
        Some(c) => format!("−{} procentpunt", nl::number(-c, 0)),
    }
}

/// The first twelve characters of a content hash: enough to compare with an export by eye.
pub fn short_hash(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// The production month a controller imports in the month of `today`: the month before (the
/// data warehouse closes a month after it ends), as (year, month number).
pub fn expected_period(today: Date) -> (i32, u8) {
    let previous = today.month().previous();
    let year = if previous == Month::December {
        today.year() - 1
    } else {
        today.year()
    };
    (year, u8::from(previous))
}

/// The months from January up to and including `through` that have no current import.
pub fn missing_months(through: u8, imported: &[i16]) -> Vec<u8> {
    (1..=through)
        .filter(|m| !imported.contains(&i16::from(*m)))
        .collect()
}

/// Month names of `months`, joined for a sentence: "januari, maart en april".
pub fn month_list(months: &[u8]) -> String {
    let names: Vec<&str> = months
        .iter()
        .filter_map(|m| Month::try_from(*m).ok())
        .map(nl::month_name)
        .collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} en {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meetings::kinds::DecisionOutcome;
    use rust_decimal::dec;
    use time::macros::{date, datetime};

    #[test]
    fn each_body_gets_the_items_it_has_not_decided() {
        let items = [
            DecidingItem {
                item_id: 10,
                deciding_bodies: vec![1, 2],
                decided: vec![1],
            },
            DecidingItem {
                item_id: 11,
                deciding_bodies: vec![2],
                decided: vec![],
            },
            DecidingItem {
                item_id: 12,
                deciding_bodies: vec![1, 2],
                decided: vec![1, 2],
            },
            DecidingItem {
                item_id: 13,
                deciding_bodies: vec![9],
                decided: vec![],
            },
        ];
        assert_eq!(
            awaiting_per_body(&[1, 2, 3], &items),
            vec![(2, vec![10, 11])]
        );
        assert!(awaiting_per_body(&[], &items).is_empty());
    }

    #[test]
    fn divided_is_the_domain_joint_outcome() {
        let d = |body, outcome| BodyDecision {
            body_id: body,
            outcome,
            text: "Akkoord".into(),
        };
        assert!(still_divided(
            &[1, 2],
            &[
                d(1, DecisionOutcome::Aangenomen),
                d(2, DecisionOutcome::Verworpen)
            ]
        ));
        assert!(!still_divided(
            &[1, 2],
            &[
                d(1, DecisionOutcome::Aangenomen),
                d(2, DecisionOutcome::Aangenomen)
            ]
        ));
        assert!(!still_divided(&[1, 2], &[d(1, DecisionOutcome::Verworpen)]));
    }

    #[test]
    fn attention_counts_each_agreement_once_under_its_first_reason() {
        let overdue = Reason::Overdue {
            due: date!(2026 - 01 - 01),
        };
        let review = Reason::ReviewDue {
            since: date!(2026 - 02 - 01),
        };
        let lists: Vec<Vec<Reason>> = vec![
            vec![review],
            vec![overdue, review],
            vec![Reason::OffTrack],
            vec![],
            vec![overdue],
        ];
        assert_eq!(
            attention_tally(lists.iter().map(Vec::as_slice)),
            vec![("Verlopen", 2), ("Uit koers", 1), ("Beoordeling", 1)]
        );
    }

    #[test]
    fn the_largest_mutations_either_way_come_first() {
        let row = |code: &str, m: Decimal| FteRow {
            vakgroep_id: 0,
            code: code.into(),
            name: String::new(),
            norm_fte: Decimal::ZERO,
            formatief_fte: Decimal::ZERO,
            mutation: m,
        };
        let rows = vec![
            row("A", dec!(0.5)),
            row("B", dec!(-3)),
            row("C", dec!(2)),
            row("D", dec!(3)),
        ];
        let codes: Vec<String> = largest_mutations(rows, 3)
            .into_iter()
            .map(|r| r.code)
            .collect();
        assert_eq!(codes, ["B", "D", "C"]);
    }

    #[test]
    fn the_year_reads_as_a_sentence() {
        assert_eq!(
            YearStage::Concept { scenarios: 2 }.sentence(2027),
            "Begroting 2027: concept, 2 scenario's, nog niet voorgesteld ter vaststelling."
        );
        let proposed = YearStage::Proposed {
            scenario: "Basis".into(),
            meeting: "Gezamenlijk overleg".into(),
            starts_at: datetime!(2026-12-21 15:00 UTC),
        };
        assert_eq!(
            proposed.sentence(2027),
            "Begroting 2027: scenario ‘Basis’ is voorgesteld ter vaststelling op Gezamenlijk overleg van 21-12-2026."
        );
        let adopted = YearStage::Adopted {
            scenario: "Begroting".into(),
            meeting: "Overleg".into(),
            adopted_at: datetime!(2025-12-15 10:00 UTC),
            hash: "0123456789abcdef".into(),
        };
        assert!(
            adopted
                .sentence(2026)
                .ends_with("inhoudshash 0123456789ab.")
        );
    }

    #[test]
    fn changes_read_in_percentage_points() {
        assert_eq!(change_text(Some(dec!(5.4))), "+5 procentpunt");
        assert_eq!(change_text(Some(dec!(-3))), "−3 procentpunt");
        assert_eq!(change_text(Some(dec!(0.2))), "gelijk");
        assert_eq!(change_text(None), "");
    }

    #[test]
    fn the_expected_month_is_the_one_before() {
        assert_eq!(expected_period(date!(2026 - 12 - 07)), (2026, 11));
        assert_eq!(expected_period(date!(2027 - 01 - 15)), (2026, 12));
        assert_eq!(missing_months(4, &[1, 3]), vec![2, 4]);
        assert_eq!(month_list(&[1, 3, 4]), "januari, maart en april");
        assert_eq!(month_list(&[2]), "februari");
    }
}
