//! A proposal for an agreement in the register (B1, B5), filled in from a budget signal: the
//! monitoring's deviation (D10) or an insurer's excess or shortfall (D8). Plain data for the
//! agreement form: the secretary checks, completes and saves it, or a controller records it as a
//! proposal (status *voorgesteld*) for the boards to adopt in the register.

use crate::agreements::draft::AgreementForm;
use crate::agreements::kinds::{AgreementKind, PartyKind, ReviewCadence};

/// The longest agreement title the register accepts.
pub const MAX_TITLE_CHARS: usize = 200;

/// One party to the proposed agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefillParty {
    pub kind: PartyKind,
    /// The vakgroep's or insurer's name.
    pub label: String,
    /// Only for a vakgroep.
    pub vakgroep_id: Option<i64>,
}

/// What the agreement form starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementPrefill {
    pub kind: AgreementKind,
    /// At most [`MAX_TITLE_CHARS`] characters.
    pub title: String,
    /// The figures behind the proposal, in Dutch.
    pub description: String,
    pub parties: Vec<PrefillParty>,
    /// B5: what of the budget could not be brought in line with the insurer contract (the
    /// register's `insurer_deviation`); only for an insurer deviation.
    pub insurer_deviation: Option<String>,
}

impl AgreementPrefill {
    /// The agreement form this proposal fills in, citing budget scenario `scenario` (B5): what
    /// the form would hold had someone typed it, so `AgreementDraft::parse` checks it like any
    /// other. No owner, no dates, for the whole board (gezamenlijk): the boards decide those.
    pub fn form(&self, scenario: i64) -> AgreementForm {
        AgreementForm {
            title: self.title.clone(),
            description: self.description.clone(),
            kind: self.kind.code().into(),
            party_kind: self.parties.iter().map(|p| p.kind.code().into()).collect(),
            party_label: self.parties.iter().map(|p| p.label.clone()).collect(),
            party_owner: vec![String::new(); self.parties.len()],
            review: ReviewCadence::Geen.code().into(),
            insurer_deviation: self.insurer_deviation.clone().unwrap_or_default(),
            budget_scenario: scenario.to_string(),
            ..AgreementForm::default()
        }
    }
}

pub(crate) use crate::text::fit;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cut_with_an_ellipsis() {
        assert_eq!(fit("kort", 10), "kort");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit(&"é".repeat(300), MAX_TITLE_CHARS).chars().count(), 200);
    }

    #[test]
    fn a_proposal_is_a_form_the_register_accepts_as_typed() {
        use crate::agreements::draft::{AgreementDraft, KnownVakgroep, References};
        let prefill = AgreementPrefill {
            kind: AgreementKind::Financieel,
            title: "Realisatie Orthopedie 9,2 % boven budget t/m maart 2027".into(),
            description: "Orthopedie ligt 9,2 % boven het budget.".into(),
            parties: vec![PrefillParty {
                kind: PartyKind::Vakgroep,
                label: "Orthopedie".into(),
                vakgroep_id: Some(7),
            }],
            insurer_deviation: None,
        };
        let refs = References {
            vakgroepen: vec![KnownVakgroep {
                id: 7,
                code: "ORT".into(),
                name: "Orthopedie".into(),
            }],
            scenarios: vec![3],
            ..References::default()
        };
        let draft = AgreementDraft::parse(&prefill.form(3), &refs).unwrap();
        assert_eq!(draft.kind, AgreementKind::Financieel);
        assert_eq!(draft.title, prefill.title);
        assert_eq!(draft.parties[0].vakgroep_id, Some(7));
        assert_eq!(draft.budget_scenario_id, Some(3));
        assert_eq!(draft.visibility_body_id, None, "for both boards");
        // A scenario the person may not cite is refused at its field, as when typed.
        assert!(AgreementDraft::parse(&prefill.form(4), &refs).is_err());
    }
}
