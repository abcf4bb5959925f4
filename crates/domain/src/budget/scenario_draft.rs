//! The scenario form (D4, D5): what the controller typed, checked field by field with every
//! problem reported at its field in Dutch (F5), into a typed [`ScenarioDraft`] the store saves.
//! Weights left empty default by variant (80/20/0, or 70/20/10 for variant 2); the combination of
//! variant, weights and earmark is [`Scenario::from_stored`]'s rule, the one the engine's
//! scenarios are read with.

use super::precision::Column;
use super::scenario::{Grondslag, PzVariant, Scenario, ScenarioError, Weights};
use crate::ids::{ScenarioId, TrendInputId, VakgroepId};
use crate::nl;
use crate::people::FieldError;
use rust_decimal::Decimal;

/// The budget years the scenario pages and forms accept: those the database takes.
pub use super::master::YEARS;
pub const MAX_NAME_CHARS: usize = 200;

/// The form as submitted: strings as typed, so that the page can show them back on an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioForm {
    pub name: String,
    pub description: String,
    pub year: String,
    pub reference_year: String,
    /// A [`PzVariant`] code: `1`, `2` or `3`.
    pub variant: String,
    /// Percentages; all three empty for the variant's default.
    pub w_out: String,
    pub w_eff: String,
    pub w_pz: String,
    /// Euros; empty for none.
    pub earmark: String,
    /// A [`Grondslag`] code; empty for the default, `formatief`.
    pub grondslag: String,
    /// The id of "begroting vorig jaar", or empty.
    pub previous: String,
    pub trends: Vec<TrendInputId>,
    /// Per vakgroep: a [`PzVariant`] code, or empty for the scenario's variant.
    pub overrides: Vec<(VakgroepId, String)>,
}

/// A checked scenario, before it has an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioDraft {
    pub year: i16,
    pub name: String,
    pub description: String,
    pub reference_year: i16,
    pub variant: PzVariant,
    /// The one set of weights a scenario stores: the passende-zorg weights under variant 2, the
    /// regular ones otherwise.
    pub weights: Weights,
    /// In euros, whole cents; 0 when no vakgroep is in variant 3.
    pub earmarked_amount: Decimal,
    pub grondslag: Grondslag,
    pub trend_input_ids: Vec<TrendInputId>,
    /// Vakgroepen with another variant than `variant`.
    pub overrides: Vec<(VakgroepId, PzVariant)>,
    pub previous: Option<ScenarioId>,
}

impl ScenarioDraft {
    /// Checks the form.
    pub fn parse(form: &ScenarioForm) -> Result<ScenarioDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = form.name.trim();
        if name.is_empty() {
            errors.push(FieldError::new("name", "Geef het scenario een naam."));
        } else if name.chars().count() > MAX_NAME_CHARS {
            errors.push(FieldError::new(
                "name",
                format!("Gebruik voor de naam ten hoogste {MAX_NAME_CHARS} tekens."),
            ));
        }
        let description = form.description.trim();
        if let Some(message) = crate::text::too_long(description, crate::text::max::LONG) {
            errors.push(FieldError::new("description", message));
        }
        let year = parse_year("year", &form.year, &mut errors);
        let reference_year = parse_year("reference_year", &form.reference_year, &mut errors);
        let variant = PzVariant::parse(form.variant.trim());
        if variant.is_none() {
            errors.push(FieldError::new(
                "variant",
                "Kies variant 1, 2 of 3 voor passende zorg.",
            ));
        }
        let weights = parse_weights(form, variant, &mut errors);
        let earmarked_amount = parse_earmark(&form.earmark, &mut errors);
        let grondslag = match form.grondslag.trim() {
            "" => Some(Grondslag::FormatiefFte),
            code => Grondslag::parse(code),
        };
        if grondslag.is_none() {
            errors.push(FieldError::new(
                "grondslag",
                "Kies een grondslag uit de lijst.",
            ));
        }
        let previous = match form.previous.trim() {
            "" => None,
            id => match id.parse::<ScenarioId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(FieldError::new(
                        "previous",
                        "Kies een scenario van vorig jaar uit de lijst.",
                    ));
                    None
                }
            },
        };
        let mut overrides = Vec::new();
        for (vakgroep_id, code) in &form.overrides {
            match code.trim() {
                "" => {}
                code => match PzVariant::parse(code) {
                    Some(v) => overrides.push((*vakgroep_id, v)),
                    None => errors.push(FieldError::new(
                        "variant",
                        "Kies per vakgroep variant 1, 2 of 3, of die van het scenario.",
                    )),
                },
            }
        }
        let (
            Some(year),
            Some(reference_year),
            Some(variant),
            Some(weights),
            Some(earmarked_amount),
            Some(grondslag),
        ) = (
            year,
            reference_year,
            variant,
            weights,
            earmarked_amount,
            grondslag,
        )
        else {
            return Err(errors);
        };
        let draft = ScenarioDraft {
            year,
            name: name.to_string(),
            description: description.to_string(),
            reference_year,
            variant,
            weights,
            earmarked_amount,
            grondslag,
            trend_input_ids: form.trends.clone(),
            overrides,
            previous,
        };
        let uses_earmark = draft.uses(PzVariant::Geoormerkt);
        if uses_earmark && earmarked_amount.is_zero() {
            errors.push(FieldError::new(
                "earmark",
                "Vul bij variant 3 het geoormerkte bedrag voor passende zorg in.",
            ));
        } else if let Err(e) = draft.params() {
            errors.push(FieldError::new(e.field(), e.to_string()));
        }
        if uses_earmark && grondslag == Grondslag::NormFteVorigJaar && previous.is_none() {
            errors.push(FieldError::new(
                "previous",
                "Kies de begroting van vorig jaar: de grondslag norm-fte vorig jaar komt daaruit.",
            ));
        }
        if errors.is_empty() {
            Ok(draft)
        } else {
            Err(errors)
        }
    }

    fn uses(&self, variant: PzVariant) -> bool {
        self.variant == variant || self.overrides.iter().any(|&(_, v)| v == variant)
    }

    /// The engine's parameters of this draft.
    pub fn params(&self) -> Result<Scenario, ScenarioError> {
        Scenario::from_stored(
            self.variant,
            self.overrides.iter().map(|&(id, v)| (id.get(), v)),
            self.weights,
            self.earmarked_amount,
            self.grondslag,
        )
    }
}

impl ScenarioError {
    /// The scenario form's field a refusal belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            ScenarioError::EarmarkMissing
            | ScenarioError::EarmarkNegative
            | ScenarioError::EarmarkCents => "earmark",
            ScenarioError::NegativeWeight | ScenarioError::WeightsSum(_) => "w_out",
            ScenarioError::RegularWeightsWithPz | ScenarioError::PzWeightMissing => "w_pz",
        }
    }
}

fn parse_year(field: &'static str, text: &str, errors: &mut Vec<FieldError>) -> Option<i16> {
    match text.trim().parse::<i16>() {
        Ok(y) if YEARS.contains(&y) => Some(y),
        _ => {
            errors.push(FieldError::new(
                field,
                "Vul een jaartal in, bijvoorbeeld 2027.",
            ));
            None
        }
    }
}

/// The weights as percentages, or the variant's default when all three are empty.
fn parse_weights(
    form: &ScenarioForm,
    variant: Option<PzVariant>,
    errors: &mut Vec<FieldError>,
) -> Option<Weights> {
    let typed = [&form.w_out, &form.w_eff, &form.w_pz];
    if typed.iter().all(|w| w.trim().is_empty()) {
        return Some(if variant == Some(PzVariant::InNormFte) {
            Weights::WITH_PZ
        } else {
            Weights::REGULAR
        });
    }
    let mut parse = |field: &'static str, text: &str| {
        nl::parse_decimal(text.trim().trim_end_matches('%').trim())
            .map_err(|e| errors.push(FieldError::new(field, e.to_string())))
            .ok()
    };
    let (o, e, p) = (
        parse("w_out", &form.w_out),
        parse("w_eff", &form.w_eff),
        parse("w_pz", &form.w_pz),
    );
    Weights::from_percent(o?, e?, p?)
        .map_err(|e| errors.push(FieldError::new(e.field(), e.to_string())))
        .ok()
}

/// The earmarked amount in euros (0 when empty), within its column.
fn parse_earmark(text: &str, errors: &mut Vec<FieldError>) -> Option<Decimal> {
    let text = text.trim();
    if text.is_empty() {
        return Some(Decimal::ZERO);
    }
    nl::parse_decimal(text.trim_start_matches('€').trim())
        .map_err(|e| e.to_string())
        .and_then(|v| Column::EARMARKED_AMOUNT.check(v).map_err(|e| e.to_string()))
        .map_err(|m| errors.push(FieldError::new("earmark", m)))
        .ok()
}

#[cfg(test)]
mod tests;
