//! The distribution's forms (D6): a vakgroep's own band in a scenario, and where the variant-3
//! earmark comes from. Percentages as on the year's settings form (90 for 90 %), read by
//! `nl::parse_decimal` and kept as fractions, as the engine and the store want them.

use super::{Band, EarmarkPlacement};
use crate::budget::master::figure;
use crate::budget::precision::Column;
use crate::people::FieldError;
use rust_decimal::Decimal;
use serde::Deserialize;

/// A vakgroep's band as typed, in percent of last year's allocation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct BandOverrideForm {
    /// The version read, empty when the vakgroep had no band of its own yet.
    pub version: String,
    pub floor: String,
    pub cap: String,
}

/// A checked band override: fractions, floor not above cap.
pub struct BandOverrideDraft;

impl BandOverrideDraft {
    pub fn parse(form: &BandOverrideForm) -> Result<Band, Vec<FieldError>> {
        let mut errors = Vec::new();
        let message = "Vul een percentage in, bijvoorbeeld 90 of 115.";
        let floor = figure(
            &mut errors,
            "floor",
            message,
            &form.floor,
            Column::BAND_PERCENT,
        );
        let cap = figure(&mut errors, "cap", message, &form.cap, Column::BAND_PERCENT);
        let (Some(floor), Some(cap)) = (floor, cap) else {
            return Err(errors);
        };
        if floor > cap {
            errors.push(FieldError::new(
                "cap",
                "De bovengrens van de band is niet lager dan de ondergrens.",
            ));
            return Err(errors);
        }
        let fraction = |percent: Decimal| (percent / Decimal::ONE_HUNDRED).normalize();
        Ok(Band {
            floor: fraction(floor),
            cap: fraction(cap),
        })
    }
}

/// Where the earmark comes from, as chosen on the distribution page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PlacementForm {
    /// The version of the scenario's distribution settings read, 0 when there were none.
    pub version: String,
    pub placement: String,
}

pub struct PlacementDraft;

impl PlacementDraft {
    pub fn parse(form: &PlacementForm) -> Result<EarmarkPlacement, Vec<FieldError>> {
        EarmarkPlacement::parse(form.placement.trim()).ok_or_else(|| {
            vec![FieldError::new(
                "placement",
                "Kies of het geoormerkte bedrag bovenop het honorariumbudget komt of eruit.",
            )]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn band(floor: &str, cap: &str) -> Result<Band, Vec<FieldError>> {
        BandOverrideDraft::parse(&BandOverrideForm {
            version: String::new(),
            floor: floor.into(),
            cap: cap.into(),
        })
    }

    #[test]
    fn percentages_become_fractions() {
        assert_eq!(
            band("92,5", "110").unwrap(),
            Band {
                floor: dec!(0.925),
                cap: dec!(1.1)
            }
        );
        assert_eq!(band(" 100 ", "100").unwrap().cap, Decimal::ONE);
    }

    #[test]
    fn floor_above_cap_is_refused_at_the_cap() {
        let errors = band("120", "110").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "cap");
        assert!(errors[0].message.contains("niet lager dan de ondergrens"));
    }

    #[test]
    fn each_field_has_its_own_message() {
        let errors = band("", "abc").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["floor", "cap"]);
        assert!(band("-5", "110").unwrap_err()[0].field == "floor");
        // More decimals than the column keeps are refused, not rounded.
        assert_eq!(band("90,123456", "110").unwrap_err()[0].field, "floor");
        // Ambiguous thousands are refused with the number reader's own reason.
        assert!(band("1.234", "2000").is_err());
    }

    #[test]
    fn placement_is_one_of_the_codes() {
        let form = |p: &str| PlacementForm {
            version: "1".into(),
            placement: p.into(),
        };
        assert_eq!(
            PlacementDraft::parse(&form("binnen_budget")).unwrap(),
            EarmarkPlacement::OutOfBudget
        );
        assert_eq!(
            PlacementDraft::parse(&form("boven_op")).unwrap(),
            EarmarkPlacement::OnTop
        );
        assert_eq!(
            PlacementDraft::parse(&form("x")).unwrap_err()[0].field,
            "placement"
        );
    }
}
