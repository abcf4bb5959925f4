//! The trend-input form (D3): what a representative typed, checked field by field, with every
//! problem reported at its field in Dutch (F5) rather than only the first.

use super::inputs::{ChangeKind, ScopeKind, TrendCategory, TrendChange, TrendInput, TrendScope};
use crate::ids::CareProductId;
use crate::nl;
use crate::people::FieldError;
use rust_decimal::{Decimal, dec};

/// A fall of more than 100 % would be a negative volume; a rise above 1.000 % is a typing error
/// far more often than a forecast.
pub const PERCENT_MIN: Decimal = dec!(-100);
pub const PERCENT_MAX: Decimal = dec!(1000);
/// The largest absolute change, in units, either way; above any single vakgroep's yearly volume.
pub const ABSOLUTE_MAX: Decimal = dec!(10000000);
/// Decimals a change may have: volumes are forecasts, but not to the thousandth.
pub const MAX_DECIMALS: u32 = 2;
pub const MAX_RATIONALE_CHARS: usize = 2000;
pub const MAX_SOURCE_CHARS: usize = 500;

/// The form as submitted: strings as typed, so that the page can show them back on an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrendForm {
    /// A [`ScopeKind`] code.
    pub scope: String,
    pub product_ids: Vec<CareProductId>,
    /// A [`ChangeKind`] code.
    pub change_kind: String,
    pub value: String,
    /// A [`TrendCategory`] code.
    pub category: String,
    pub rationale: String,
    pub source: String,
}

/// A checked trend input, before it has an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendDraft {
    pub scope: TrendScope,
    pub change: TrendChange,
    pub category: TrendCategory,
    pub rationale: String,
    pub source: Option<String>,
}

impl TrendDraft {
    /// The engine's view of this input once the store has given it an id.
    pub fn to_input(&self, id: i64) -> TrendInput {
        TrendInput {
            id,
            scope: self.scope.clone(),
            change: self.change,
            category: self.category,
        }
    }
}

impl TrendDraft {
    /// Checks the form; `vakgroep_products` are the ids of the vakgroep's care products.
    pub fn parse(
        form: &TrendForm,
        vakgroep_products: &[CareProductId],
    ) -> Result<TrendDraft, Vec<FieldError>> {
        parse(form, vakgroep_products)
    }
}

fn parse(
    form: &TrendForm,
    vakgroep_products: &[CareProductId],
) -> Result<TrendDraft, Vec<FieldError>> {
    let mut errors = Vec::new();

    let scope = match ScopeKind::parse(form.scope.trim()) {
        Some(ScopeKind::Vakgroep) => Some(TrendScope::Vakgroep),
        Some(ScopeKind::Zorgproducten) => {
            let mut ids: Vec<i64> = Vec::with_capacity(form.product_ids.len());
            for &id in &form.product_ids {
                if !vakgroep_products.contains(&id) {
                    errors.push(FieldError::new(
                        "products",
                        format!("Zorgproduct {id} hoort niet bij deze vakgroep."),
                    ));
                } else if !ids.contains(&id.get()) {
                    ids.push(id.get());
                }
            }
            if form.product_ids.is_empty() {
                errors.push(FieldError::new(
                    "products",
                    "Kies ten minste één zorgproduct.",
                ));
            }
            Some(TrendScope::Products(ids))
        }
        None => {
            errors.push(FieldError::new(
                "scope",
                "Kies of de trend voor de hele vakgroep of voor gekozen zorgproducten geldt.",
            ));
            None
        }
    };

    let change = match ChangeKind::parse(form.change_kind.trim()) {
        Some(ChangeKind::Percentage) => check_value(&form.value, PERCENT_MIN, PERCENT_MAX, "%")
            .map(TrendChange::Percent)
            .map_err(|e| errors.push(e))
            .ok(),
        Some(ChangeKind::Absoluut) => check_value(&form.value, -ABSOLUTE_MAX, ABSOLUTE_MAX, "")
            .map(TrendChange::Absolute)
            .map_err(|e| errors.push(e))
            .ok(),
        None => {
            errors.push(FieldError::new(
                "change_kind",
                "Kies of de verandering een percentage of een absoluut volume is.",
            ));
            None
        }
    };

    let category = TrendCategory::parse(form.category.trim());
    if category.is_none() {
        errors.push(FieldError::new("category", "Kies een categorie."));
    }

    let rationale = form.rationale.trim().to_string();
    let rationale_chars = rationale.chars().count();
    if rationale_chars == 0 {
        errors.push(FieldError::new(
            "rationale",
            "Licht toe waarom u deze verandering verwacht.",
        ));
    } else if rationale_chars > MAX_RATIONALE_CHARS {
        errors.push(FieldError::new(
            "rationale",
            format!(
                "De toelichting is te lang: gebruik ten hoogste {MAX_RATIONALE_CHARS} tekens (nu {rationale_chars})."
            ),
        ));
    }

    let source = form.source.trim();
    let source_chars = source.chars().count();
    if source_chars > MAX_SOURCE_CHARS {
        errors.push(FieldError::new(
            "source",
            format!(
                "De bron is te lang: gebruik ten hoogste {MAX_SOURCE_CHARS} tekens (nu {source_chars})."
            ),
        ));
    }

    match (scope, change, category) {
        (Some(scope), Some(change), Some(category)) if errors.is_empty() => Ok(TrendDraft {
            scope,
            change,
            category,
            rationale,
            source: (!source.is_empty()).then(|| source.to_string()),
        }),
        _ => Err(errors),
    }
}

/// The change value: a number as people type it (Decimal has no NaN or infinity to sneak in),
/// not 0, within `[min, max]`, with at most [`MAX_DECIMALS`] decimals.
fn check_value(input: &str, min: Decimal, max: Decimal, unit: &str) -> Result<Decimal, FieldError> {
    let err = |m: String| FieldError::new("value", m);
    let value =
        nl::parse_decimal(input.trim().trim_end_matches('%')).map_err(|e| err(e.to_string()))?;
    if value.is_zero() {
        return Err(err(
            "Een verandering van 0 heeft geen effect; vul een andere waarde in.".into(),
        ));
    }
    if value < min || value > max {
        let unit = if unit.is_empty() {
            String::new()
        } else {
            format!(" {unit}")
        };
        return Err(err(format!(
            "Vul een waarde in tussen {}{unit} en +{}{unit}.",
            nl::number(min, 0),
            nl::number(max, 0)
        )));
    }
    if value.normalize().scale() > MAX_DECIMALS {
        return Err(err(format!(
            "Gebruik ten hoogste {MAX_DECIMALS} decimalen."
        )));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> TrendForm {
        TrendForm {
            scope: "vakgroep".into(),
            product_ids: vec![],
            change_kind: "percentage".into(),
            value: "2,5".into(),
            category: "demografie".into(),
            rationale: "Vergrijzing in de regio".into(),
            source: "".into(),
        }
    }

    fn ids(ids: &[i64]) -> Vec<CareProductId> {
        ids.iter().copied().map(CareProductId::new).collect()
    }

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_valid_form_becomes_a_draft() {
        let draft = TrendDraft::parse(&form(), &ids(&[1, 2])).unwrap();
        assert_eq!(draft.change, TrendChange::Percent(dec!(2.5)));
        assert_eq!(draft.scope, TrendScope::Vakgroep);
        assert_eq!(draft.source, None);
        let input = draft.to_input(9);
        assert_eq!(input.id, 9);

        let mut f = form();
        f.scope = "zorgproducten".into();
        f.product_ids = ids(&[2, 1, 2]);
        f.change_kind = "absoluut".into();
        f.value = "-1.250".into();
        f.source = " Regioplan 2027 ".into();
        let draft = TrendDraft::parse(&f, &ids(&[1, 2]));
        // "-1.250" is ambiguous (thousands or decimals) and is refused by the shared reader.
        assert_eq!(fields(&draft.unwrap_err()), ["value"]);
        f.value = "-1250".into();
        let draft = TrendDraft::parse(&f, &ids(&[1, 2])).unwrap();
        assert_eq!(draft.scope, TrendScope::Products(vec![2, 1]));
        assert_eq!(draft.change, TrendChange::Absolute(dec!(-1250)));
        assert_eq!(draft.source.as_deref(), Some("Regioplan 2027"));
    }

    #[test]
    fn every_problem_is_reported_at_its_field() {
        let f = TrendForm {
            scope: "alles".into(),
            change_kind: "".into(),
            category: "weer".into(),
            rationale: "   ".into(),
            source: "x".repeat(MAX_SOURCE_CHARS + 1),
            ..TrendForm::default()
        };
        let errors = TrendDraft::parse(&f, &[]).unwrap_err();
        assert_eq!(
            fields(&errors),
            ["scope", "change_kind", "category", "rationale", "source"]
        );
        assert_eq!(
            errors[3].message,
            "Licht toe waarom u deze verandering verwacht."
        );
    }

    #[test]
    fn values_are_checked() {
        let check = |kind: &str, value: &str| {
            let mut f = form();
            f.change_kind = kind.into();
            f.value = value.into();
            TrendDraft::parse(&f, &[]).map_err(|e| e[0].message.clone())
        };
        assert!(check("percentage", "-100").is_ok());
        assert!(check("percentage", "1000").is_ok());
        assert!(check("percentage", "12,5 %").is_ok());
        assert_eq!(
            check("percentage", "-100,01").unwrap_err(),
            "Vul een waarde in tussen -100 % en +1.000 %."
        );
        assert!(check("percentage", "1000,5").is_err());
        assert_eq!(
            check("percentage", "0").unwrap_err(),
            "Een verandering van 0 heeft geen effect; vul een andere waarde in."
        );
        assert_eq!(
            check("percentage", "NaN").unwrap_err(),
            "Dit is geen getal. Schrijf bijvoorbeeld 1234,56 of 1.234,56."
        );
        assert!(check("percentage", "inf").is_err());
        assert!(check("percentage", "").is_err());
        assert_eq!(
            check("absoluut", "1,125").unwrap_err(),
            "Gebruik ten hoogste 2 decimalen."
        );
        assert!(check("absoluut", "10000001").is_err());
        assert!(check("absoluut", "-10000000").is_ok());
    }

    #[test]
    fn products_must_belong_to_the_vakgroep() {
        let mut f = form();
        f.scope = "zorgproducten".into();
        let errors = TrendDraft::parse(&f, &ids(&[1])).unwrap_err();
        assert_eq!(errors[0].message, "Kies ten minste één zorgproduct.");
        f.product_ids = ids(&[1, 7]);
        let errors = TrendDraft::parse(&f, &ids(&[1])).unwrap_err();
        assert_eq!(
            errors[0].message,
            "Zorgproduct 7 hoort niet bij deze vakgroep."
        );
    }
}
