//! The progress forms of the agreement page (B2–B4): a status step, a comment, a KPI, a
//! measurement and a review. Each `…::parse` checks what was typed and reports the problems at
//! their fields in Dutch (F5); the field names are the form's.

use super::kinds::AgreementStatus;
use super::kpi::Direction;
use super::status::{self, StatusError};
use crate::nl;
use crate::people::FieldError;
use crate::text::{self, max};
use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

/// The status form as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusForm {
    /// An [`AgreementStatus`] code.
    pub to: String,
    pub reason: String,
}

/// A checked status step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusStep {
    pub to: AgreementStatus,
    /// As typed; the history keeps it trimmed.
    pub reason: String,
}

impl StatusStep {
    /// Checks a step from `from`; `manages` says whether the person manages the register (the
    /// secretary) rather than only owning the agreement ([`status::available_to`]).
    pub fn parse(
        form: &StatusForm,
        from: AgreementStatus,
        manages: bool,
    ) -> Result<Self, Vec<FieldError>> {
        let Some(to) = AgreementStatus::parse(&form.to) else {
            return Err(vec![FieldError::new("to", "Kies een nieuwe status.")]);
        };
        if let Err(e) = status::transition(from, to, &form.reason) {
            let field = match e {
                StatusError::ReasonRequired(_)
                | StatusError::ReopenReasonRequired
                | StatusError::ReasonTooLong { .. } => "reason",
                StatusError::Unchanged(_) | StatusError::NotAllowed { .. } => "to",
            };
            return Err(vec![FieldError::new(field, e.to_string())]);
        }
        if !status::available_to(from, manages).contains(&to) {
            return Err(vec![FieldError::new(
                "to",
                "Als eigenaar kunt u alleen de uitvoering starten of de afspraak gerealiseerd melden.",
            )]);
        }
        Ok(Self {
            to,
            reason: form.reason.clone(),
        })
    }
}

/// A checked comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentDraft {
    /// Trimmed, never empty.
    pub text: String,
}

impl CommentDraft {
    pub fn parse(text: &str) -> Result<Self, Vec<FieldError>> {
        let text = text.trim();
        let len = text.chars().count();
        if len == 0 || len > max::COMMENT {
            return Err(vec![FieldError::new(
                "comment",
                "Schrijf een opmerking (hoogstens 4000 tekens).",
            )]);
        }
        Ok(Self { text: text.into() })
    }
}

/// The KPI form as submitted (new or changed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KpiForm {
    pub name: String,
    pub unit: String,
    /// A [`Direction`] code.
    pub direction: String,
    pub baseline: String,
    pub target: String,
}

/// A checked KPI, before it has an id; the audit trail records it as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiDraft {
    pub name: String,
    pub unit: String,
    pub direction: Direction,
    pub baseline: Decimal,
    pub target: Decimal,
}

impl KpiDraft {
    pub fn parse(form: &KpiForm) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = form.name.trim();
        if name.is_empty() || name.chars().count() > max::TITLE {
            errors.push(FieldError::new(
                "kpi_name",
                "Vul de naam van de KPI in (hoogstens 200 tekens).",
            ));
        }
        if let Some(message) = text::too_long(form.unit.trim(), max::SHORT) {
            errors.push(FieldError::new("kpi_unit", message));
        }
        let direction = Direction::parse(&form.direction);
        if direction.is_none() {
            errors.push(FieldError::new(
                "kpi_direction",
                "Kies of hoger of lager beter is.",
            ));
        }
        let baseline = nl::parse_decimal(&form.baseline)
            .map_err(|e| errors.push(FieldError::new("kpi_baseline", format!("Nulmeting: {e}"))))
            .ok();
        let target = nl::parse_decimal(&form.target)
            .map_err(|e| errors.push(FieldError::new("kpi_target", format!("Streefwaarde: {e}"))))
            .ok();
        match (direction, baseline, target) {
            (Some(direction), Some(baseline), Some(target)) if errors.is_empty() => Ok(Self {
                name: name.to_string(),
                unit: form.unit.trim().to_string(),
                direction,
                baseline,
                target,
            }),
            _ => Err(errors),
        }
    }
}

/// The measurement form as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeasurementForm {
    /// The KPI's id.
    pub kpi: String,
    pub measured_on: String,
    pub value: String,
    pub note: String,
}

/// A checked measurement of a KPI; the audit trail records it as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasurementDraft {
    pub measured_on: Date,
    pub value: Decimal,
    pub note: String,
}

impl MeasurementDraft {
    /// Checks the form; `kpis` are the ids of the agreement's KPIs, `today` the date in
    /// Amsterdam. Returns the chosen KPI with the measurement.
    pub fn parse(
        form: &MeasurementForm,
        kpis: &[i64],
        today: Date,
    ) -> Result<(i64, Self), Vec<FieldError>> {
        let mut errors = Vec::new();
        let kpi = form.kpi.parse::<i64>().ok().filter(|k| kpis.contains(k));
        if kpi.is_none() {
            errors.push(FieldError::new(
                "m_kpi",
                "Kies de KPI waarvan u een meting vastlegt.",
            ));
        }
        let on = nl::parse_date(&form.measured_on);
        match on {
            None => errors.push(FieldError::new(
                "m_date",
                "Vul de datum van de meting in als dd-mm-jjjj.",
            )),
            Some(on) if on > today => errors.push(FieldError::new(
                "m_date",
                "Een meting kan niet in de toekomst liggen.",
            )),
            Some(_) => {}
        }
        let value = nl::parse_decimal(&form.value)
            .map_err(|e| errors.push(FieldError::new("m_value", e.to_string())))
            .ok();
        if let Some(message) = text::too_long(form.note.trim(), max::COMMENT) {
            errors.push(FieldError::new("m_note", message));
        }
        match (kpi, on, value) {
            (Some(kpi), Some(measured_on), Some(value)) if errors.is_empty() => Ok((
                kpi,
                Self {
                    measured_on,
                    value,
                    note: form.note.trim().to_string(),
                },
            )),
            _ => Err(errors),
        }
    }
}

/// The review form as submitted (B4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewForm {
    pub on: String,
    pub note: String,
}

/// A checked review: the day the boards reviewed the agreement, and an optional note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDraft {
    pub on: Date,
    /// Trimmed; empty for no note.
    pub note: String,
}

impl ReviewDraft {
    /// `today` is the date in Amsterdam: a review cannot lie in the future.
    pub fn parse(form: &ReviewForm, today: Date) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let on = nl::parse_date(&form.on);
        match on {
            None => errors.push(FieldError::new(
                "review_on",
                "Vul de datum van de beoordeling in als dd-mm-jjjj.",
            )),
            Some(on) if on > today => errors.push(FieldError::new(
                "review_on",
                "Een beoordeling kan niet in de toekomst liggen.",
            )),
            Some(_) => {}
        }
        let note = form.note.trim();
        if note.chars().count() > max::COMMENT {
            errors.push(FieldError::new(
                "review_note",
                "De toelichting is te lang (hoogstens 4000 tekens).",
            ));
        }
        match on {
            Some(on) if errors.is_empty() => Ok(Self {
                on,
                note: note.to_string(),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests;
