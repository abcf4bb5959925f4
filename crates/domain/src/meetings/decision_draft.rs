//! The decision form's rules (product.md A3, A4): what a body's secretary types for its
//! decision on an item. The voting rules (`voting::tally`) then judge the votes against the
//! body's members and attendance; this part needs nothing but the form.

use super::kinds::DecisionOutcome;
use super::voting::{Ballot, Choice};
use crate::ids::PersonId;
use crate::text;

/// The decision form as typed; `ballots` are the `vote_<person>` fields.
#[derive(Debug, Default, Clone)]
pub struct DecisionForm {
    pub outcome: String,
    pub text: String,
    pub votes_for: String,
    pub votes_against: String,
    pub votes_abstain: String,
    pub ballots: Vec<(String, String)>,
}

/// How a body voted: by count (for, against, abstain), or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Votes {
    Counts(u32, u32, u32),
    Named(Vec<Ballot>),
}

/// A checked decision; `votes` is none when no vote was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionDraft {
    pub outcome: DecisionOutcome,
    pub text: String,
    pub votes: Option<Votes>,
}

impl DecisionDraft {
    /// The first rule the form breaks answers, in Dutch (the form is one line on the meeting
    /// page, so one message says what to correct). `item_title` names the item in it.
    pub fn parse(form: &DecisionForm, item_title: &str) -> Result<DecisionDraft, String> {
        let outcome = DecisionOutcome::parse(&form.outcome)
            .ok_or_else(|| "Kies het besluit van het gremium.".to_string())?;
        let text = form.text.trim().to_string();
        if text.is_empty() {
            return Err(format!(
                "Vul de tekst van het besluit in bij agendapunt '{item_title}'."
            ));
        }
        if let Some(message) = text::too_long(&text, text::max::LONG) {
            return Err(format!("De tekst van het besluit is te lang. {message}"));
        }
        let counts = match (
            count(&form.votes_for),
            count(&form.votes_against),
            count(&form.votes_abstain),
        ) {
            (Ok(None), Ok(None), Ok(None)) => None,
            (Ok(f), Ok(a), Ok(o)) => Some((f.unwrap_or(0), a.unwrap_or(0), o.unwrap_or(0))),
            _ => return Err("Vul de stemmen in als hele getallen (of laat ze leeg).".into()),
        };
        let named = ballots(&form.ballots).map_err(|()| {
            "Kies bij een hoofdelijke stemming voor, tegen of onthouding.".to_string()
        })?;
        let votes = match (counts, named.is_empty()) {
            (Some(_), false) => {
                return Err(
                    "Vul óf aantallen óf een hoofdelijke stemming in, niet allebei.".into(),
                );
            }
            (Some((f, a, o)), true) => Some(Votes::Counts(f, a, o)),
            (None, false) => Some(Votes::Named(named)),
            (None, true) => None,
        };
        Ok(DecisionDraft {
            outcome,
            text,
            votes,
        })
    }
}

fn count(s: &str) -> Result<Option<u32>, ()> {
    let t = s.trim();
    if t.is_empty() {
        Ok(None)
    } else {
        t.parse::<u32>().map(Some).map_err(|_| ())
    }
}

/// Named ballots from fields `vote_<person>` = `voor` | `tegen` | `onthouding`; an empty choice
/// is no ballot.
fn ballots(fields: &[(String, String)]) -> Result<Vec<Ballot>, ()> {
    let mut out = Vec::new();
    for (key, value) in fields {
        let Some(person) = key.strip_prefix("vote_") else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        let person_id = person.parse::<PersonId>().map_err(|_| ())?;
        let choice = Choice::parse(value).ok_or(())?;
        out.push(Ballot { person_id, choice });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> DecisionForm {
        DecisionForm {
            outcome: "aangenomen".into(),
            text: "  Het voorstel is aangenomen. ".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_decision_without_a_vote() {
        let d = DecisionDraft::parse(&form(), "Begroting").unwrap();
        assert_eq!(d.outcome, DecisionOutcome::Aangenomen);
        assert_eq!(d.text, "Het voorstel is aangenomen.");
        assert_eq!(d.votes, None);
    }

    #[test]
    fn counts_or_names_but_not_both() {
        let mut f = form();
        f.votes_for = "3".into();
        f.votes_abstain = " 1 ".into();
        assert_eq!(
            DecisionDraft::parse(&f, "x").unwrap().votes,
            Some(Votes::Counts(3, 0, 1))
        );
        f.ballots = vec![
            ("vote_7".into(), "tegen".into()),
            ("vote_8".into(), String::new()),
        ];
        assert_eq!(
            DecisionDraft::parse(&f, "x").unwrap_err(),
            "Vul óf aantallen óf een hoofdelijke stemming in, niet allebei."
        );
        f.votes_for.clear();
        f.votes_abstain.clear();
        assert_eq!(
            DecisionDraft::parse(&f, "x").unwrap().votes,
            Some(Votes::Named(vec![Ballot {
                person_id: PersonId::new(7),
                choice: Choice::Tegen
            }]))
        );
    }

    type Case = (fn(&mut DecisionForm), &'static str);

    #[test]
    fn every_refusal_says_what_to_correct() {
        let cases: [Case; 6] = [
            (
                |f| f.outcome = "misschien".into(),
                "Kies het besluit van het gremium.",
            ),
            (
                |f| f.text = "  ".into(),
                "Vul de tekst van het besluit in bij agendapunt 'Begroting'.",
            ),
            (
                |f| f.text = "x".repeat(text::max::LONG + 1),
                "De tekst van het besluit is te lang.",
            ),
            (
                |f| f.votes_against = "-1".into(),
                "Vul de stemmen in als hele getallen (of laat ze leeg).",
            ),
            (
                |f| f.ballots = vec![("vote_7".into(), "ja".into())],
                "Kies bij een hoofdelijke stemming voor, tegen of onthouding.",
            ),
            (
                |f| f.ballots = vec![("vote_x".into(), "voor".into())],
                "Kies bij een hoofdelijke stemming voor, tegen of onthouding.",
            ),
        ];
        for (change, expected) in cases {
            let mut f = form();
            change(&mut f);
            let message = DecisionDraft::parse(&f, "Begroting").unwrap_err();
            assert!(message.starts_with(expected), "{message} ≠ {expected}");
        }
    }
}
