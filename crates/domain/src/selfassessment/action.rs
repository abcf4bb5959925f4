//! From insight to action (C5): the words of an agenda item or a proposed agreement made from a
//! round's result on one S, and why an item could not be put on the agenda. Everyone at the
//! meeting reads the item, so it holds only what the results page shows everyone who may see the
//! round: the sides' figures, never one body's, and no comments.

use super::results::{Gap, MOST_DIVERGENT, RoundResults, gap_text, mean_text, score_text};
use crate::agreements::kinds::SevenS;
use crate::nl;
use crate::text::{fit, max};
use time::Date;

/// The round an action starts from, as the text names it.
#[derive(Debug, Clone, Copy)]
pub struct ActionRound<'a> {
    pub title: &'a str,
    pub closes_on: Date,
    /// The path of the round's results, for the reader who wants the whole picture.
    pub results_path: &'a str,
}

/// The title and description of an item or agreement made from a result on one S.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionText {
    pub title: String,
    pub description: String,
}

impl ActionText {
    /// The S's alignment score and gap, and every statement of that S with its figures, the
    /// largest difference first (equal ones in the round's order), the five most divergent of
    /// the round marked.
    pub fn new(round: ActionRound, s: SevenS, results: &RoundResults) -> Self {
        let s_gap = results.s_gaps[s];
        let score = s_gap.map_or_else(|| "onbekend".to_string(), |g| score_text(g.alignment));
        let title = fit(
            &format!(
                "7S {}: gelijkgerichtheid {score} ({})",
                s.label(),
                round.title
            ),
            max::TITLE,
        );
        let kind = if s.is_hard() {
            "harde factor"
        } else {
            "zachte factor"
        };
        let mut d = format!(
            "Uit de zelfevaluatie ‘{}’ (gesloten op {}), element {} ({kind}).\n",
            round.title,
            nl::date(round.closes_on),
            s.label()
        );
        if let Some(g) = s_gap {
            d.push_str(&format!(
                "Gemiddelde op een schaal van 1 tot 5: RvB {}, MSB+ {}; verschil {} (MSB+ min RvB); \
                 gelijkgerichtheid {}.\n",
                mean_text(g.rvb),
                mean_text(g.msbplus),
                gap_text(g.gap),
                score_text(g.alignment)
            ));
        }
        let mut statements: Vec<(&str, Option<Gap>, bool)> = results
            .statement_gaps
            .iter()
            .filter(|g| g.s == s)
            .map(|g| {
                let divergent = results
                    .most_divergent
                    .iter()
                    .any(|m| m.statement == g.statement);
                (g.text.as_str(), g.gap, divergent)
            })
            .collect();
        // A stable sort: equal differences keep the round's order.
        statements.sort_by(|a, b| {
            let size = |g: &Option<Gap>| g.map(|g| g.gap.abs());
            size(&b.1).cmp(&size(&a.1))
        });
        if !statements.is_empty() {
            d.push_str(&format!("\nStellingen over {}:\n", s.label()));
        }
        for (text, g, divergent) in statements {
            match g {
                Some(g) => d.push_str(&format!(
                    "- ‘{text}’: RvB {}, MSB+ {}, verschil {}, gelijkgerichtheid {}{}\n",
                    mean_text(g.rvb),
                    mean_text(g.msbplus),
                    gap_text(g.gap),
                    score_text(g.alignment),
                    if divergent {
                        format!(" (een van de {MOST_DIVERGENT} grootste verschillen van de ronde)")
                    } else {
                        String::new()
                    }
                )),
                None => d.push_str(&format!("- ‘{text}’: geen vergelijking mogelijk\n")),
            }
        }
        d.push_str(&format!(
            "\nDe volledige resultaten: {}",
            round.results_path
        ));
        Self {
            title,
            description: fit(&d, max::LONG),
        }
    }
}

/// Why "Agenderen" put nothing on an agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotScheduled {
    /// No joint meeting of RvB and MSB+ lies ahead with its agenda still open.
    NoMeeting,
    /// The next joint meeting is one the secretary does not take part in.
    NotYours,
}

impl NotScheduled {
    /// The code in the results page's address (`?melding=`).
    pub fn code(self) -> &'static str {
        match self {
            NotScheduled::NoMeeting => "geen-vergadering",
            NotScheduled::NotYours => "andere-vergadering",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [NotScheduled::NoMeeting, NotScheduled::NotYours]
            .into_iter()
            .find(|n| n.code() == code)
    }

    /// What the secretary reads on the results page, and what to do.
    pub fn message(self, s: SevenS) -> String {
        match self {
            NotScheduled::NoMeeting => format!(
                "‘{}’ is niet geagendeerd: er is geen komende gezamenlijke vergadering van RvB en \
                 MSB+ waarvan de agenda nog open is. Plan eerst een gezamenlijke vergadering met \
                 beide besturen en agendeer het daarna opnieuw.",
                s.label()
            ),
            NotScheduled::NotYours => format!(
                "‘{}’ is niet geagendeerd: u neemt niet deel aan de eerstvolgende gezamenlijke \
                 vergadering van RvB en MSB+. Vraag de secretaris van die vergadering het punt te \
                 agenderen.",
                s.label()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_codes_read_back_and_name_the_s() {
        for n in [NotScheduled::NoMeeting, NotScheduled::NotYours] {
            assert_eq!(NotScheduled::from_code(n.code()), Some(n));
            assert!(
                n.message(SevenS::Structuur)
                    .starts_with("‘Structuur’ is niet geagendeerd")
            );
        }
        assert_eq!(NotScheduled::from_code("iets-anders"), None);
    }
}
