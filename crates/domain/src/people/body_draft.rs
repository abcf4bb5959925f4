//! The forms of Beheer › Gremia and › Vakgroepen: a body's code, kind, order, quorum, majority
//! and seats, a vakgroep's code, name and kind. The web reads the form, the store writes the
//! checked draft; every rule and its Dutch message lives here.

use super::{BodyCode, BodyKind, EmploymentForm, FieldError, VakgroepCode, VakgroepKind};
use crate::meetings::voting::Majority;
use crate::text;
use serde::Deserialize;

/// The body form as typed.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct BodyForm {
    #[serde(default)]
    pub version: i32,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub sort_order: String,
    #[serde(default = "default_quorum")]
    pub quorum_percent: String,
    #[serde(default = "default_majority")]
    pub majority: String,
    /// Empty: the seats are not bound to one employment form.
    #[serde(default)]
    pub seat_employment_form: String,
}

fn default_quorum() -> String {
    "50".into()
}

fn default_majority() -> String {
    Majority::Simple.code().into()
}

impl BodyForm {
    /// The form for a new body: part of MSB+, a simple majority of half the members.
    pub fn new_body() -> Self {
        BodyForm {
            kind: BodyKind::MsbPlus.code().into(),
            sort_order: "50".into(),
            quorum_percent: default_quorum(),
            majority: default_majority(),
            ..Default::default()
        }
    }
}

/// A checked body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyDraft {
    pub code: BodyCode,
    pub name: String,
    pub kind: BodyKind,
    pub sort_order: i32,
    /// Share of the eligible members that must be present for a valid vote.
    pub quorum_percent: i16,
    pub majority: Majority,
    pub seat_employment_form: Option<EmploymentForm>,
}

impl BodyDraft {
    pub fn parse(form: &BodyForm) -> Result<BodyDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = BodyCode::parse(&form.code).map_err(|e| errors.push(e)).ok();
        let name = form.name.trim().to_string();
        if name.is_empty() {
            errors.push(FieldError::new("name", "Vul de naam van het gremium in."));
        }
        if let Some(message) = text::too_long(&name, text::max::SHORT) {
            errors.push(FieldError::new("name", message));
        }
        let kind = BodyKind::parse(&form.kind);
        if kind.is_none() {
            errors.push(FieldError::new("kind", "Kies het soort gremium."));
        }
        let sort_order = form
            .sort_order
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|n| (0..=999).contains(n));
        if sort_order.is_none() {
            errors.push(FieldError::new(
                "sort_order",
                "Vul een volgorde in als geheel getal van 0 tot en met 999.",
            ));
        }
        let quorum_percent = form
            .quorum_percent
            .trim()
            .trim_end_matches('%')
            .trim()
            .parse::<i16>()
            .ok()
            .filter(|n| (1..=100).contains(n));
        if quorum_percent.is_none() {
            errors.push(FieldError::new(
                "quorum_percent",
                "Vul het quorum in als percentage van 1 tot en met 100.",
            ));
        }
        let majority = Majority::parse(&form.majority);
        if majority.is_none() {
            errors.push(FieldError::new(
                "majority",
                "Kies welke meerderheid nodig is.",
            ));
        }
        let seat_employment_form = match form.seat_employment_form.as_str() {
            "" => Some(None),
            code => EmploymentForm::parse(code).map(Some),
        };
        if seat_employment_form.is_none() {
            errors.push(FieldError::new(
                "seat_employment_form",
                "Kies de arbeidsvorm van de zetels uit de lijst.",
            ));
        }
        match (
            code,
            kind,
            sort_order,
            quorum_percent,
            majority,
            seat_employment_form,
        ) {
            (
                Some(code),
                Some(kind),
                Some(sort_order),
                Some(quorum_percent),
                Some(majority),
                Some(seat_employment_form),
            ) if errors.is_empty() => Ok(BodyDraft {
                code,
                name,
                kind,
                sort_order,
                quorum_percent,
                majority,
                seat_employment_form,
            }),
            _ => Err(errors),
        }
    }
}

/// The vakgroep form as typed.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct VakgroepForm {
    #[serde(default)]
    pub version: i32,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    /// A ticked checkbox; absent when not ticked.
    #[serde(default)]
    pub active: Option<String>,
}

/// A checked vakgroep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VakgroepDraft {
    pub code: VakgroepCode,
    pub name: String,
    pub kind: VakgroepKind,
    pub active: bool,
}

impl VakgroepDraft {
    pub fn parse(form: &VakgroepForm) -> Result<VakgroepDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = VakgroepCode::parse(&form.code)
            .map_err(|e| errors.push(e))
            .ok();
        let name = form.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 80 {
            errors.push(FieldError::new(
                "name",
                "Vul de naam van de vakgroep in (hoogstens 80 tekens).",
            ));
        }
        let kind = VakgroepKind::parse(&form.kind);
        if kind.is_none() {
            errors.push(FieldError::new("kind", "Kies het soort vakgroep."));
        }
        match (code, kind) {
            (Some(code), Some(kind)) if errors.is_empty() => Ok(VakgroepDraft {
                code,
                name,
                kind,
                active: form.active.is_some(),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> BodyForm {
        BodyForm {
            code: "VMSD".into(),
            name: "Vereniging Medisch Specialisten in Dienstverband".into(),
            ..BodyForm::new_body()
        }
    }

    #[test]
    fn a_new_body_form_is_valid_once_named() {
        let draft = BodyDraft::parse(&body()).unwrap();
        assert_eq!(draft.code.as_str(), "VMSD");
        assert_eq!(draft.kind, BodyKind::MsbPlus);
        assert_eq!(draft.quorum_percent, 50);
        assert_eq!(draft.majority, Majority::Simple);
        assert_eq!(draft.seat_employment_form, None);
        let pct = BodyForm {
            quorum_percent: " 67 % ".into(),
            seat_employment_form: "dienstverband".into(),
            ..body()
        };
        let draft = BodyDraft::parse(&pct).unwrap();
        assert_eq!(draft.quorum_percent, 67);
        assert_eq!(
            draft.seat_employment_form,
            Some(EmploymentForm::Dienstverband)
        );
    }

    #[test]
    fn a_body_form_reports_every_field() {
        let form = BodyForm {
            version: 0,
            code: "R v B".into(),
            name: " ".into(),
            kind: "raad".into(),
            sort_order: "1000".into(),
            quorum_percent: "0".into(),
            majority: "alles".into(),
            seat_employment_form: "zzp".into(),
        };
        let fields: Vec<_> = BodyDraft::parse(&form)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "code",
                "name",
                "kind",
                "sort_order",
                "quorum_percent",
                "majority",
                "seat_employment_form"
            ]
        );
    }

    #[test]
    fn a_vakgroep_code_is_read_in_capitals() {
        let form = VakgroepForm {
            code: " car ".into(),
            name: "Cardiologie".into(),
            kind: "poortspecialisme".into(),
            active: Some("on".into()),
            ..Default::default()
        };
        let draft = VakgroepDraft::parse(&form).unwrap();
        assert_eq!(draft.code.as_str(), "CAR");
        assert!(draft.active);
        let bad = VakgroepForm {
            code: "C".into(),
            name: "x".repeat(81),
            kind: String::new(),
            active: None,
            ..Default::default()
        };
        let fields: Vec<_> = VakgroepDraft::parse(&bad)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["code", "name", "kind"]);
    }
}
