//! Rules of the master data per year (D1): the forms of Begroting › Stamgegevens checked field
//! by field, every problem at its field in Dutch (F5), into typed drafts the store saves. How
//! precise and how large one figure may be is its column's rule ([`super::precision`]).
//!
//! A form keeps what was typed, as strings, so that a refused form shows it back; the hidden
//! `jaar` and `version` fields travel with it for the handler (which year, which version was
//! read) and are not rules of their own, except a KPI's year, which the KPI is stored under.

use super::precision::Column;
use super::{Direction, KpiKind};
use crate::people::FieldError;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::ops::RangeInclusive;

/// The years master data can be entered and copied for.
pub const YEARS: RangeInclusive<i16> = 2000..=2200;

/// The longest note on a year's settings, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// The longest care-product code, in characters (`care_product.code`).
pub const MAX_PRODUCT_CODE_CHARS: usize = 40;
/// The longest care-product description, in characters.
pub const MAX_PRODUCT_DESCRIPTION_CHARS: usize = 500;
/// The longest KPI name, in characters.
pub const MAX_KPI_NAME_CHARS: usize = 200;

/// A year as typed in a form or URL, if master data can be entered for it.
pub fn parse_year(text: &str) -> Option<i16> {
    text.trim()
        .parse::<i16>()
        .ok()
        .filter(|y| YEARS.contains(y))
}

/// Copying a year's master data goes to another year (typed as `to`) within [`YEARS`]: onto
/// itself it would only find its own data.
pub fn check_copy(from: i16, to: &str) -> Result<i16, FieldError> {
    let Some(to) = parse_year(to) else {
        return Err(FieldError::new(
            "naar",
            "Vul een jaar in tussen 2000 en 2200.",
        ));
    };
    if from == to {
        return Err(FieldError::new(
            "naar",
            "Kies een ander jaar om naar te kopiëren.",
        ));
    }
    Ok(to)
}

/// Why the store copied nothing, read at the target year's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyRefusal {
    /// The target year already has master data; copying would overwrite work.
    TargetHasData,
    /// The source year has nothing to copy.
    SourceEmpty,
}

impl CopyRefusal {
    pub fn message(self, from: i16, to: i16) -> FieldError {
        FieldError::new(
            "naar",
            match self {
                CopyRefusal::TargetHasData => format!(
                    "{to} heeft al stamgegevens (normtijden, normuren, formatie of KPI's). Er is niets gekopieerd, zodat het werk in {to} niet wordt overschreven."
                ),
                CopyRefusal::SourceEmpty => {
                    format!("{from} heeft nog geen stamgegevens om te kopiëren.")
                }
            },
        )
    }
}

/// A figure typed in a field: the field's own message when it is no number, the column's when
/// it does not fit; so the database never rounds it without a word nor refuses it with an error
/// page. Also the distribution's band form (`distribution::form`), which reads percentages the
/// same way.
pub(in crate::budget) fn figure(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    message: &str,
    text: &str,
    column: Column,
) -> Option<Decimal> {
    let Ok(value) = crate::nl::parse_decimal(text) else {
        errors.push(FieldError::new(field, message));
        return None;
    };
    column
        .check(value)
        .map_err(|e| errors.push(FieldError::new(field, e.to_string())))
        .ok()
}

/// A figure that may be left empty: `Some(None)` when it is, `None` when it is refused.
fn optional_figure(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    message: &str,
    text: &str,
    column: Column,
) -> Option<Option<Decimal>> {
    if text.trim().is_empty() {
        Some(None)
    } else {
        figure(errors, field, message, text, column).map(Some)
    }
}

// ---------------------------------------------------------------------------------------------
// A year's settings

/// The settings form of a year; percentages as typed (the store keeps fractions).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct YearSettingsForm {
    pub jaar: String,
    /// The version read, empty when the year had no settings yet.
    pub version: String,
    pub fee_budget: String,
    pub fixed_share: String,
    pub band_min: String,
    pub band_max: String,
    /// Monitoring's signal threshold in percent; empty for the default (5 %).
    pub signal_threshold: String,
    pub note: String,
}

/// Checked settings of a year, shares and bands as fractions (0.3 for 30 %), as the store
/// writes them.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct YearSettingsDraft {
    /// In euros; `None` when not known yet.
    pub fee_budget: Option<Decimal>,
    pub fixed_share: Decimal,
    pub band_min: Option<Decimal>,
    pub band_max: Option<Decimal>,
    /// The deviation from the adopted budget above which monitoring signals (D10).
    pub signal_threshold: Decimal,
    pub note: String,
}

impl YearSettingsDraft {
    pub fn parse(form: &YearSettingsForm) -> Result<YearSettingsDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let fee_budget = optional_figure(
            &mut errors,
            "fee_budget",
            "Vul het honorariumbudget in euro's in, bijvoorbeeld 12.500.000 of 12500000,00; of laat het leeg.",
            &form.fee_budget,
            Column::FEE_BUDGET,
        );
        let fixed_share = figure(
            &mut errors,
            "fixed_share",
            "Vul het vaste deel in als percentage van 0 tot en met 100.",
            &form.fixed_share,
            Column::FIXED_SHARE_PERCENT,
        );
        let band_message = "Vul een percentage in, bijvoorbeeld 90 of 115; of laat het leeg.";
        let band = |errors: &mut Vec<FieldError>, field: &'static str, text: &str| {
            optional_figure(errors, field, band_message, text, Column::BAND_PERCENT)
        };
        let band_min = band(&mut errors, "band_min", &form.band_min);
        let band_max = band(&mut errors, "band_max", &form.band_max);
        let signal_threshold = optional_figure(
            &mut errors,
            "signal_threshold",
            "Vul de drempel in als percentage van 0 tot en met 100, bijvoorbeeld 5; of laat het leeg voor 5 %.",
            &form.signal_threshold,
            Column::FIXED_SHARE_PERCENT,
        );
        // Without a fixed share the form is answered with the figures' messages alone, as the
        // controller fixes those first.
        let Some(fixed_share) = fixed_share else {
            return Err(errors);
        };
        if let (Some(Some(lo)), Some(Some(hi))) = (band_min, band_max)
            && lo > hi
        {
            errors.push(FieldError::new(
                "band_max",
                "De bovengrens van de bandbreedte is niet lager dan de ondergrens.",
            ));
        }
        if form.note.chars().count() > MAX_NOTE_CHARS {
            errors.push(FieldError::new(
                "note",
                "De toelichting is ten hoogste 2.000 tekens.",
            ));
        }
        let fraction = |percent: Decimal| percent / Decimal::ONE_HUNDRED;
        match (fee_budget, band_min, band_max, signal_threshold) {
            (Some(fee_budget), Some(lo), Some(hi), Some(threshold)) if errors.is_empty() => {
                Ok(YearSettingsDraft {
                    fee_budget,
                    fixed_share: fraction(fixed_share),
                    band_min: lo.map(fraction),
                    band_max: hi.map(fraction),
                    signal_threshold: threshold
                        .map(fraction)
                        .unwrap_or(super::monitoring::DEFAULT_THRESHOLD),
                    note: form.note.trim().to_string(),
                })
            }
            _ => Err(errors),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A care product

/// The care-product form of a vakgroep.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct CareProductForm {
    /// The year the product list was showing, to go back to.
    pub jaar: String,
    pub version: i32,
    pub code: String,
    pub description: String,
    /// A checkbox: present when ticked.
    pub active: Option<String>,
}

/// A checked care product; its vakgroep is the page's, not the form's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareProductDraft {
    /// Zorgproduct or zorgactiviteit code, trimmed.
    pub code: String,
    pub description: String,
    pub active: bool,
}

impl CareProductDraft {
    pub fn parse(form: &CareProductForm) -> Result<CareProductDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = form.code.trim();
        if code.is_empty() || code.chars().count() > MAX_PRODUCT_CODE_CHARS {
            errors.push(FieldError::new(
                "code",
                "Vul de zorgproduct- of zorgactiviteitcode in (ten hoogste 40 tekens).",
            ));
        }
        let description = form.description.trim();
        if description.chars().count() > MAX_PRODUCT_DESCRIPTION_CHARS {
            errors.push(FieldError::new(
                "description",
                "De omschrijving is ten hoogste 500 tekens.",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CareProductDraft {
            code: code.to_string(),
            description: description.to_string(),
            active: form.active.is_some(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// A KPI

/// The KPI form of a vakgroep in a year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct KpiForm {
    pub jaar: String,
    pub version: i32,
    /// A [`KpiKind`] code.
    pub kind: String,
    pub name: String,
    /// A [`Direction`] code.
    pub direction: String,
    pub reference_value: String,
    pub local_value: String,
    pub source: String,
}

/// A checked KPI; its vakgroep is the page's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiDraft {
    pub year: i16,
    pub kind: KpiKind,
    pub name: String,
    pub direction: Direction,
    pub reference_value: Decimal,
    pub local_value: Decimal,
    pub source: String,
}

impl KpiDraft {
    pub fn parse(form: &KpiForm) -> Result<KpiDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let year = parse_year(&form.jaar);
        if year.is_none() {
            errors.push(FieldError::new(
                "jaar",
                "Vul een jaar in tussen 2000 en 2200.",
            ));
        }
        let kind = KpiKind::parse(&form.kind);
        if kind.is_none() {
            errors.push(FieldError::new("kind", "Kies het soort KPI."));
        }
        let name = form.name.trim();
        if name.is_empty() || name.chars().count() > MAX_KPI_NAME_CHARS {
            errors.push(FieldError::new(
                "name",
                "Vul de naam van de KPI in (ten hoogste 200 tekens).",
            ));
        }
        let direction = Direction::parse(&form.direction);
        if direction.is_none() {
            errors.push(FieldError::new(
                "direction",
                "Kies of een hogere of een lagere waarde beter is.",
            ));
        }
        let message = "Vul een getal in, bijvoorbeeld 4,2.";
        let mut value = |field: &'static str, text: &str| {
            figure(&mut errors, field, message, text, Column::KPI_VALUE)
        };
        let reference = value("reference_value", &form.reference_value);
        let local = value("local_value", &form.local_value);
        match (year, kind, direction, reference, local) {
            (Some(year), Some(kind), Some(direction), Some(reference_value), Some(local_value))
                if errors.is_empty() =>
            {
                Ok(KpiDraft {
                    year,
                    kind,
                    name: name.to_string(),
                    direction,
                    reference_value,
                    local_value,
                    source: form.source.trim().to_string(),
                })
            }
            _ => Err(errors),
        }
    }

    /// A KPI stays in the budget year it was made for: editing it for another year would move
    /// figures between years behind the reader's back.
    pub fn check_year(&self, stored: i16) -> Result<(), FieldError> {
        if self.year != stored {
            return Err(FieldError::new(
                "_form",
                "Een KPI blijft in zijn begrotingsjaar.",
            ));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// A vakgroep's normuren per fte and formative fte

/// The figures of a vakgroep in a year, each with the version read (empty when none was
/// stored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct FiguresForm {
    pub jaar: String,
    pub normuren: String,
    pub normuren_version: String,
    pub fte_1a: String,
    pub fte_1b: String,
    pub formatief_version: String,
}

/// Checked figures; `None` for what was left empty, which is left as it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiguresDraft {
    pub normuren: Option<Decimal>,
    /// Formative fte 1a and 1b, when either was typed (the other then counts as 0).
    pub formatief: Option<(Decimal, Decimal)>,
}

impl FiguresDraft {
    pub fn parse(form: &FiguresForm) -> Result<FiguresDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let normuren = optional_figure(
            &mut errors,
            "normuren",
            "Vul de normuren per fte in als getal, bijvoorbeeld 1250 of 1250,5.",
            &form.normuren,
            Column::NORMUREN_PER_FTE,
        );
        let has_fte = !form.fte_1a.trim().is_empty() || !form.fte_1b.trim().is_empty();
        let mut fte = |field: &'static str, text: &str| {
            let text = if text.trim().is_empty() { "0" } else { text };
            figure(
                &mut errors,
                field,
                "Vul een aantal fte in, 0 of meer, bijvoorbeeld 12,5.",
                text,
                Column::FTE,
            )
        };
        let fte_1a = fte("fte_1a", &form.fte_1a);
        let fte_1b = fte("fte_1b", &form.fte_1b);
        match (normuren, fte_1a, fte_1b) {
            (Some(normuren), Some(a), Some(b)) if errors.is_empty() => Ok(FiguresDraft {
                normuren,
                formatief: has_fte.then_some((a, b)),
            }),
            _ => Err(errors),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A norm time

/// One care product's norm time in a year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct NormTimeForm {
    pub jaar: String,
    /// The version read, empty when the year had no norm time for the product yet.
    pub version: String,
    pub minutes: String,
}

/// A checked norm time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormTimeDraft {
    pub minutes: Decimal,
}

impl NormTimeDraft {
    pub fn parse(form: &NormTimeForm) -> Result<NormTimeDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        match figure(
            &mut errors,
            "minutes",
            "Vul de normtijd in minuten in, 0 of meer, bijvoorbeeld 20 of 7,5.",
            &form.minutes,
            Column::NORM_MINUTES,
        ) {
            Some(minutes) => Ok(NormTimeDraft { minutes }),
            None => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests;
