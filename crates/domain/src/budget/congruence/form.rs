//! The insurer form: name, contract ceiling and share, checked field by field with every
//! problem reported at its field in Dutch.

use crate::budget::precision::{Column, Floor};
use crate::nl;
use crate::people::FieldError;
use rust_decimal::{Decimal, dec};

pub const MAX_INSURER_NAME_CHARS: usize = 200;

/// A ceiling in euros: whole cents, 0 or more, below 10¹⁴ (`numeric(16, 2)`).
const CEILING: Column = Column {
    precision: 16,
    scale: 2,
    floor: Floor::Zero,
    ceiling: None,
};

/// A share in percent: 0 to 100 with at most two decimals (`numeric(5, 2)`).
const SHARE: Column = Column {
    precision: 5,
    scale: 2,
    floor: Floor::Zero,
    ceiling: Some(dec!(100)),
};

/// The form as submitted, so that the page can show it back on an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct InsurerForm {
    pub name: String,
    /// Euros as typed: `1.250.000`, `€ 1.250.000,00`.
    pub ceiling: String,
    /// Percent as typed: `45`, `45,5`, `45,5 %`.
    pub share: String,
    /// The version edited; empty for a new insurer.
    pub version: String,
}

/// A checked insurer, before it has an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsurerDraft {
    pub name: String,
    pub ceiling: Decimal,
    pub share: Decimal,
}

impl InsurerDraft {
    pub fn parse(form: &InsurerForm) -> Result<InsurerDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = form.name.split_whitespace().collect::<Vec<_>>().join(" ");
        let chars = name.chars().count();
        if chars == 0 {
            errors.push(FieldError::new(
                "name",
                "Vul de naam van de zorgverzekeraar in.",
            ));
        } else if chars > MAX_INSURER_NAME_CHARS {
            errors.push(FieldError::new(
                "name",
                format!(
                    "De naam is te lang: gebruik ten hoogste {MAX_INSURER_NAME_CHARS} tekens (nu {chars})."
                ),
            ));
        }
        let ceiling = figure(
            &form.ceiling,
            CEILING,
            "ceiling",
            "Vul het contractplafond in euro's in, bijvoorbeeld 12.500.000,00.",
        )
        .map_err(|e| errors.push(e))
        .ok();
        let share = figure(
            form.share.trim().trim_end_matches('%'),
            SHARE,
            "share",
            "Vul het aandeel in procenten in, van 0 tot en met 100, bijvoorbeeld 42,5.",
        )
        .map_err(|e| errors.push(e))
        .ok();
        match (ceiling, share) {
            (Some(ceiling), Some(share)) if errors.is_empty() => Ok(InsurerDraft {
                name,
                ceiling,
                share,
            }),
            _ => Err(errors),
        }
    }
}

/// A number as people type it, checked against its column; the message names the field's
/// problem and, for text that is no number at all, what to type.
fn figure(
    input: &str,
    column: Column,
    field: &'static str,
    empty: &str,
) -> Result<Decimal, FieldError> {
    let value = match nl::parse_decimal(input) {
        Ok(v) => v,
        Err(nl::NumberError::Empty) => return Err(FieldError::new(field, empty)),
        Err(e) => return Err(FieldError::new(field, e.to_string())),
    };
    column
        .check(value)
        .map_err(|e| FieldError::new(field, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, ceiling: &str, share: &str) -> InsurerForm {
        InsurerForm {
            name: name.into(),
            ceiling: ceiling.into(),
            share: share.into(),
            version: String::new(),
        }
    }

    #[test]
    fn a_valid_insurer_is_read_as_people_type_it() {
        let d =
            InsurerDraft::parse(&form("  Zilveren   Kruis ", "€ 12.500.000,00", "45,5 %")).unwrap();
        assert_eq!(d.name, "Zilveren Kruis");
        assert_eq!(d.ceiling, dec!(12500000.00));
        assert_eq!(d.share, dec!(45.5));
        assert_eq!(
            InsurerDraft::parse(&form("CZ", "0", "0")).unwrap().share,
            dec!(0)
        );
        assert_eq!(
            InsurerDraft::parse(&form("CZ", "1", "100")).unwrap().share,
            dec!(100)
        );
    }

    #[test]
    fn every_field_reports_its_problem() {
        let errors = InsurerDraft::parse(&form("", "", "")).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "ceiling", "share"]);
        assert_eq!(errors[0].message, "Vul de naam van de zorgverzekeraar in.");

        let errors = InsurerDraft::parse(&form(&"x".repeat(201), "-5", "100,01")).unwrap_err();
        assert_eq!(
            errors[0].message,
            "De naam is te lang: gebruik ten hoogste 200 tekens (nu 201)."
        );
        assert_eq!(errors[1].message, "Vul 0 of meer in.");
        assert_eq!(errors[2].message, "Vul een waarde in van ten hoogste 100.");

        let errors = InsurerDraft::parse(&form("VGZ", "12,345", "12,345")).unwrap_err();
        assert_eq!(errors[0].field, "ceiling");
        assert_eq!(errors[0].message, "Gebruik ten hoogste 2 decimalen.");
        assert_eq!(errors[1].message, "Gebruik ten hoogste 2 decimalen.");

        let errors = InsurerDraft::parse(&form("VGZ", "veel", "1.000")).unwrap_err();
        assert_eq!(
            errors[0].message,
            "Dit is geen getal. Schrijf bijvoorbeeld 1234,56 of 1.234,56."
        );
        assert!(
            errors[1].message.contains("dubbelzinnig"),
            "{}",
            errors[1].message
        );
    }
}
