//! The agreement form (B1, B5): what the secretary typed, checked field by field, with every
//! problem reported at its field in Dutch (F5) rather than only the first. The result is typed:
//! codes as the vocabularies of [`super::kinds`], dates, ids the form could only pick from lists.

use super::kinds::{AgreementKind, JzojpTheme, PartyKind, ReviewCadence, SevenS};
use crate::ids::PersonId;
use crate::nl;
use crate::people::FieldError;
use crate::text::{self, max};
use serde::Serialize;
use time::Date;

/// The agreement form as submitted: every field as typed, so that the page can show it back.
/// The party fields are parallel lists, one entry per party row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgreementForm {
    pub title: String,
    pub description: String,
    /// An [`AgreementKind`] code.
    pub kind: String,
    /// [`PartyKind`] codes; blank for an empty row.
    pub party_kind: Vec<String>,
    /// The party's name: the vakgroep (name or code), insurer or partner.
    pub party_label: Vec<String>,
    /// The owner's person id, blank for none.
    pub party_owner: Vec<String>,
    /// [`SevenS`] codes.
    pub seven_s: Vec<String>,
    /// A [`JzojpTheme`] code, blank for none.
    pub theme: String,
    pub start: String,
    pub due: String,
    /// A [`ReviewCadence`] code.
    pub review: String,
    /// A body id, blank for gezamenlijk.
    pub visibility: String,
    pub insurer_deviation: String,
    /// A budget scenario id, blank for none.
    pub budget_scenario: String,
}

/// An active vakgroep a party may name, by name or by code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownVakgroep {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// What the form may refer to; anything else is refused at its field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct References {
    /// The people who may own an agreement or a party (the active ones).
    pub people: Vec<PersonId>,
    /// The hospital's active vakgroepen.
    pub vakgroepen: Vec<KnownVakgroep>,
    /// The bodies the person may restrict the agreement to: their own (compartments, §0).
    pub bodies: Vec<i64>,
    /// The budget scenarios the person may cite (none without access to the budget).
    pub scenarios: Vec<i64>,
}

/// One party to an agreement, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Party {
    pub kind: PartyKind,
    /// The party's name where the kind does not say it (insurer, partner); empty for `rvb` and
    /// `msb_plus` and for a linked vakgroep, which shows its own (current) name.
    pub label: String,
    /// Only for kind `vakgroep`.
    pub vakgroep_id: Option<i64>,
    /// The accountable owner for this party.
    pub owner_id: Option<PersonId>,
}

/// A checked agreement, before it has an id, an owner or an origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementDraft {
    pub kind: AgreementKind,
    pub title: String,
    pub description: String,
    pub parties: Vec<Party>,
    pub seven_s: Vec<SevenS>,
    pub theme: Option<JzojpTheme>,
    pub start_date: Option<Date>,
    pub due_date: Option<Date>,
    /// `None` when the form left the cadence blank; `Geen` and blank both mean not reviewed.
    pub review: Option<ReviewCadence>,
    /// `None`: gezamenlijk; otherwise only this body's members see the agreement.
    pub visibility_body_id: Option<i64>,
    pub insurer_deviation: String,
    pub budget_scenario_id: Option<i64>,
}

impl AgreementDraft {
    /// The review cadence as `agreement.review_months` keeps it; `None` when not reviewed.
    pub fn review_months(&self) -> Option<i16> {
        self.review
            .and_then(ReviewCadence::months)
            .and_then(|m| i16::try_from(m).ok())
    }

    /// Checks the form against what it may refer to.
    pub fn parse(form: &AgreementForm, refs: &References) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = form.title.trim().to_string();
        if title.is_empty() || title.chars().count() > max::TITLE {
            errors.push(FieldError::new(
                "title",
                "Vul een titel in (hoogstens 200 tekens).",
            ));
        }
        let kind = AgreementKind::parse(&form.kind);
        if kind.is_none() {
            errors.push(FieldError::new("kind", "Kies het soort afspraak."));
        }
        limit(
            &mut errors,
            "description",
            form.description.trim(),
            max::LONG,
        );
        limit(
            &mut errors,
            "insurer_deviation",
            form.insurer_deviation.trim(),
            max::COMMENT,
        );
        for label in &form.party_label {
            limit(&mut errors, "parties", label.trim(), max::SHORT);
        }
        let parties = parties(form, refs, &mut errors);
        let mut seven_s = Vec::new();
        for code in &form.seven_s {
            match SevenS::parse(code) {
                Some(s) => seven_s.push(s),
                None => errors.push(FieldError::new(
                    "seven_s",
                    "Kies elementen uit het 7S-model.",
                )),
            }
        }
        let theme = if form.theme.is_empty() {
            None
        } else {
            let theme = JzojpTheme::parse(&form.theme);
            if theme.is_none() {
                errors.push(FieldError::new("theme", "Kies een thema uit de lijst."));
            }
            theme
        };
        let start_date = date(&mut errors, "start", &form.start);
        let due_date = date(&mut errors, "due", &form.due);
        if let (Some(start), Some(due)) = (start_date, due_date)
            && due < start
        {
            errors.push(FieldError::new(
                "due",
                "De einddatum ligt vóór de startdatum.",
            ));
        }
        let review = ReviewCadence::parse(&form.review);
        if review.is_none() && !form.review.is_empty() {
            errors.push(FieldError::new(
                "review",
                "Kies hoe vaak de afspraak herzien wordt.",
            ));
        }
        let visibility_body_id = if form.visibility.is_empty() {
            None
        } else {
            let body = form
                .visibility
                .parse::<i64>()
                .ok()
                .filter(|b| refs.bodies.contains(b));
            if body.is_none() {
                errors.push(FieldError::new(
                    "visibility",
                    "Kies een gremium waarvan u lid bent.",
                ));
            }
            body
        };
        let budget_scenario_id = match form.budget_scenario.trim() {
            "" => None,
            v => {
                let scenario = v.parse::<i64>().ok().filter(|s| refs.scenarios.contains(s));
                if scenario.is_none() {
                    errors.push(FieldError::new(
                        "budget_scenario",
                        "Kies een bestaand begrotingsscenario.",
                    ));
                }
                scenario
            }
        };
        // B5: a plan that cannot be aligned with the insurer contract is a financial agreement.
        if (budget_scenario_id.is_some() || !form.insurer_deviation.trim().is_empty())
            && kind.is_some_and(|k| k != AgreementKind::Financieel)
        {
            errors.push(FieldError::new(
                "insurer_deviation",
                "Een afwijking van het verzekeraarscontract of een begrotingsscenario hoort bij een afspraak van de soort Financieel.",
            ));
        }
        match kind {
            Some(kind) if errors.is_empty() => Ok(Self {
                kind,
                title,
                description: form.description.trim().to_string(),
                parties,
                seven_s,
                theme,
                start_date,
                due_date,
                review,
                visibility_body_id,
                insurer_deviation: form.insurer_deviation.trim().to_string(),
                budget_scenario_id,
            }),
            _ => Err(errors),
        }
    }
}

/// The field's length limit, with the Dutch message at the field.
fn limit(errors: &mut Vec<FieldError>, field: &'static str, value: &str, max: usize) {
    if let Some(message) = text::too_long(value, max) {
        errors.push(FieldError::new(field, message));
    }
}

/// A date field: blank is none, anything else must read as a date.
fn date(errors: &mut Vec<FieldError>, field: &'static str, input: &str) -> Option<Date> {
    if input.trim().is_empty() {
        return None;
    }
    let parsed = nl::parse_date(input);
    if parsed.is_none() {
        errors.push(FieldError::new(field, "Vul een datum in als dd-mm-jjjj."));
    }
    parsed
}

/// The filled-in party rows, checked; every problem goes to the field `parties`.
fn parties(form: &AgreementForm, refs: &References, errors: &mut Vec<FieldError>) -> Vec<Party> {
    let mut out = Vec::new();
    let mut refuse = |message: String| errors.push(FieldError::new("parties", message));
    for (i, code) in form.party_kind.iter().enumerate() {
        let code = code.trim();
        let label = form.party_label.get(i).map_or("", |s| s.trim());
        let owner = form.party_owner.get(i).map_or("", |s| s.trim());
        if code.is_empty() {
            if !label.is_empty() || !owner.is_empty() {
                refuse("Kies bij elke ingevulde partij het soort partij.".into());
            }
            continue;
        }
        let Some(kind) = PartyKind::parse(code) else {
            refuse("Kies een bestaand soort partij.".into());
            continue;
        };
        if !matches!(kind, PartyKind::Rvb | PartyKind::MsbPlus) && label.is_empty() {
            refuse(format!("Vul de naam in van de partij ‘{}’.", kind.label()));
        }
        // A vakgroep party is one of the hospital's vakgroepen, by name or code, so that the
        // register can follow it (filters, the vakgroep's own overview) rather than a free text.
        let vakgroep_id = if kind == PartyKind::Vakgroep && !label.is_empty() {
            let found = refs.vakgroepen.iter().find(|v| {
                v.name.to_lowercase() == label.to_lowercase() || v.code.eq_ignore_ascii_case(label)
            });
            if found.is_none() {
                refuse(format!(
                    "‘{label}’ is geen vakgroep van het ziekenhuis; kies een naam uit de lijst."
                ));
            }
            found.map(|v| v.id)
        } else {
            None
        };
        let owner_id = if owner.is_empty() {
            None
        } else {
            let found = owner
                .parse::<PersonId>()
                .ok()
                .filter(|o| refs.people.contains(o));
            if found.is_none() {
                refuse("Kies een eigenaar uit de lijst.".into());
            }
            found
        };
        out.push(Party {
            kind,
            label: if vakgroep_id.is_some() {
                String::new()
            } else {
                label.into()
            },
            vakgroep_id,
            owner_id,
        });
    }
    out
}

#[cfg(test)]
mod tests;
