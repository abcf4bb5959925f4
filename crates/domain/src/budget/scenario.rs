//! Scenario parameters: the weights of output, efficiency and passende zorg, and which of the
//! three passende-zorg variants applies (D4, D5; seed 003 Bijlage 2 §2).

use crate::codes::UnknownCode;
use rust_decimal::{Decimal, dec};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

code_enum! {
    /// How passende zorg counts (seed 003 Bijlage 2 §2, "drie varianten"). The code is the
    /// variant's number, as the database (`smallint` 1–3) and the forms have it.
    PzVariant {
        Informatief => "1", "1 – Informatief";
        InNormFte => "2", "2 – In de norm-fte";
        Geoormerkt => "3", "3 – Geoormerkt budget";
    }
}

impl PzVariant {
    /// The variant's number (1, 2, 3), as the database stores it.
    pub fn number(self) -> i16 {
        match self {
            PzVariant::Informatief => 1,
            PzVariant::InNormFte => 2,
            PzVariant::Geoormerkt => 3,
        }
    }

    /// Serialises the variant as its number, as the audit trail has always recorded it.
    pub fn serialize_number<S: serde::Serializer>(v: &PzVariant, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i16(v.number())
    }

    /// Reads the number [`Self::serialize_number`] writes (an adopted budget's snapshot).
    pub fn deserialize_number<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<PzVariant, D::Error> {
        let n = <i16 as serde::Deserialize>::deserialize(d)?;
        PzVariant::try_from(n).map_err(serde::de::Error::custom)
    }
}

/// The stored number; any other than 1, 2 or 3 is an [`UnknownCode`].
impl TryFrom<i16> for PzVariant {
    type Error = UnknownCode;

    fn try_from(n: i16) -> Result<Self, UnknownCode> {
        PzVariant::try_from(n.to_string())
    }
}

code_enum! {
    /// What the earmarked amount of variant 3 is distributed against, before the Z correction.
    Grondslag {
        FormatiefFte => "formatief", "Formatieve fte";
        NormFte => "norm_fte", "Norm-fte";
        NormFteVorigJaar => "norm_fte_vorig_jaar", "Norm-fte vorig jaar";
    }
}

/// Why weights or a scenario are refused; the message is shown as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("Een gewicht mag niet negatief zijn.")]
    NegativeWeight,
    #[error("De gewichten moeten samen precies 100 % zijn (nu {0} %).")]
    WeightsSum(String),
    #[error(
        "In de gewichten voor variant 1 en 3 telt passende zorg niet mee in de norm-fte: zet het gewicht passende zorg op 0 %."
    )]
    RegularWeightsWithPz,
    #[error("Bij variant 2 moet het gewicht passende zorg groter zijn dan 0 %.")]
    PzWeightMissing,
    #[error("Kies bij variant 3 een geoormerkt bedrag en een grondslag.")]
    EarmarkMissing,
    #[error("Het geoormerkte bedrag mag niet negatief zijn.")]
    EarmarkNegative,
    #[error("Het geoormerkte bedrag moet in hele centen zijn.")]
    EarmarkCents,
}

/// The three weights of the norm-fte, as fractions that sum to exactly 1. The fields are private
/// and deserialising goes through [`Weights::new`], so that every `Weights` value has been checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "UncheckedWeights")]
pub struct Weights {
    output: Decimal,
    efficiency: Decimal,
    passende_zorg: Decimal,
}

#[derive(Deserialize)]
struct UncheckedWeights {
    output: Decimal,
    efficiency: Decimal,
    passende_zorg: Decimal,
}

impl TryFrom<UncheckedWeights> for Weights {
    type Error = ScenarioError;

    fn try_from(w: UncheckedWeights) -> Result<Self, Self::Error> {
        Weights::new(w.output, w.efficiency, w.passende_zorg)
    }
}

impl Weights {
    /// The regular capacity model: 80 % output, 20 % efficiency.
    pub const REGULAR: Weights = Weights {
        output: dec!(0.8),
        efficiency: dec!(0.2),
        passende_zorg: dec!(0),
    };
    /// Variant 2 as in seed 003's rekenvoorbeeld 3: 70 / 20 / 10.
    pub const WITH_PZ: Weights = Weights {
        output: dec!(0.7),
        efficiency: dec!(0.2),
        passende_zorg: dec!(0.1),
    };

    /// Weights as fractions (`0.8`, `0.2`, `0`).
    pub fn new(
        output: Decimal,
        efficiency: Decimal,
        passende_zorg: Decimal,
    ) -> Result<Weights, ScenarioError> {
        if [output, efficiency, passende_zorg]
            .iter()
            .any(|w| w.is_sign_negative() && !w.is_zero())
        {
            return Err(ScenarioError::NegativeWeight);
        }
        let sum = output + efficiency + passende_zorg;
        if sum != Decimal::ONE {
            return Err(ScenarioError::WeightsSum(crate::nl::number(
                sum * Decimal::ONE_HUNDRED,
                1,
            )));
        }
        Ok(Weights {
            output,
            efficiency,
            passende_zorg,
        })
    }

    /// Weights as percentages, the way a form asks for them (`80`, `20`, `0`).
    pub fn from_percent(
        output: Decimal,
        efficiency: Decimal,
        passende_zorg: Decimal,
    ) -> Result<Weights, ScenarioError> {
        Weights::new(
            output / Decimal::ONE_HUNDRED,
            efficiency / Decimal::ONE_HUNDRED,
            passende_zorg / Decimal::ONE_HUNDRED,
        )
    }

    pub fn output(self) -> Decimal {
        self.output
    }

    pub fn efficiency(self) -> Decimal {
        self.efficiency
    }

    pub fn passende_zorg(self) -> Decimal {
        self.passende_zorg
    }

    /// `w_out + w_eff × E + w_pz × Z`: the factor that turns base norm-fte into norm-fte.
    pub fn factor(self, e: Decimal, z: Decimal) -> Option<Decimal> {
        self.efficiency
            .checked_mul(e)?
            .checked_add(self.passende_zorg.checked_mul(z)?)?
            .checked_add(self.output)
    }
}

/// The separate earmarked passende-zorg budget of variant 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Earmark {
    /// In euros, whole cents.
    pub amount: Decimal,
    pub grondslag: Grondslag,
}

/// The parameters of one budget scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    pub variant: PzVariant,
    /// A different variant for some vakgroepen (by id): seed 003 advises phasing variants in per
    /// vakgroep.
    pub variant_overrides: BTreeMap<i64, PzVariant>,
    /// Used in variants 1 and 3; passende zorg has weight 0 here.
    pub regular_weights: Weights,
    /// Used in variant 2; passende zorg has a weight above 0 here.
    pub pz_weights: Weights,
    pub earmark: Option<Earmark>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            variant: PzVariant::Informatief,
            variant_overrides: BTreeMap::new(),
            regular_weights: Weights::REGULAR,
            pz_weights: Weights::WITH_PZ,
            earmark: None,
        }
    }
}

impl Scenario {
    /// The variant that applies to vakgroep `vakgroep_id`.
    pub fn variant_for(&self, vakgroep_id: i64) -> PzVariant {
        self.variant_overrides
            .get(&vakgroep_id)
            .copied()
            .unwrap_or(self.variant)
    }

    /// The weights behind a vakgroep's norm-fte under `variant`.
    pub fn weights_for(&self, variant: PzVariant) -> Weights {
        match variant {
            PzVariant::InNormFte => self.pz_weights,
            PzVariant::Informatief | PzVariant::Geoormerkt => self.regular_weights,
        }
    }

    fn uses(&self, variant: PzVariant) -> bool {
        self.variant == variant || self.variant_overrides.values().any(|&v| v == variant)
    }

    /// A scenario as it is stored: one set of weights — the passende-zorg weights under variant
    /// 2, the regular ones otherwise, the other set keeping its default — overrides per vakgroep
    /// (one equal to `variant` is no override), and the earmarked amount with its grondslag,
    /// which counts only when a vakgroep is in variant 3. Checked with [`Scenario::validate`].
    pub fn from_stored(
        variant: PzVariant,
        overrides: impl IntoIterator<Item = (i64, PzVariant)>,
        weights: Weights,
        earmarked_amount: Decimal,
        grondslag: Grondslag,
    ) -> Result<Scenario, ScenarioError> {
        let variant_overrides: BTreeMap<i64, PzVariant> = overrides
            .into_iter()
            .filter(|&(_, v)| v != variant)
            .collect();
        let (regular_weights, pz_weights) = if variant == PzVariant::InNormFte {
            (Weights::REGULAR, weights)
        } else {
            (weights, Weights::WITH_PZ)
        };
        let mut scenario = Scenario {
            variant,
            variant_overrides,
            regular_weights,
            pz_weights,
            earmark: None,
        };
        if scenario.uses(PzVariant::Geoormerkt) {
            scenario.earmark = Some(Earmark {
                amount: earmarked_amount,
                grondslag,
            });
        }
        scenario.validate()?;
        Ok(scenario)
    }

    /// Checks the combination; weights themselves were checked when they were made.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if !self.regular_weights.passende_zorg.is_zero() {
            return Err(ScenarioError::RegularWeightsWithPz);
        }
        if self.uses(PzVariant::InNormFte) && self.pz_weights.passende_zorg.is_zero() {
            return Err(ScenarioError::PzWeightMissing);
        }
        if let Some(earmark) = self.earmark {
            if earmark.amount.is_sign_negative() && !earmark.amount.is_zero() {
                return Err(ScenarioError::EarmarkNegative);
            }
            if earmark.amount.normalize().scale() > 2 {
                return Err(ScenarioError::EarmarkCents);
            }
        } else if self.uses(PzVariant::Geoormerkt) {
            return Err(ScenarioError::EarmarkMissing);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_must_sum_to_exactly_one() {
        assert!(Weights::new(dec!(0.8), dec!(0.2), dec!(0)).is_ok());
        assert_eq!(
            Weights::from_percent(dec!(70), dec!(20), dec!(10)),
            Ok(Weights::WITH_PZ)
        );
        let err = Weights::from_percent(dec!(70), dec!(20), dec!(5)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "De gewichten moeten samen precies 100 % zijn (nu 95,0 %)."
        );
        assert_eq!(
            Weights::new(dec!(1.1), dec!(-0.1), dec!(0)),
            Err(ScenarioError::NegativeWeight)
        );
        // A third is not representable exactly; three of them do not make 1 and are refused
        // rather than silently accepted.
        let third = Decimal::ONE / dec!(3);
        assert!(Weights::new(third, third, third).is_err());
    }

    #[test]
    fn weights_are_checked_when_read_back() {
        use serde::de::value::{Error, MapDeserializer};
        let read = |o: &'static str, e: &'static str, p: &'static str| {
            let map = [("output", o), ("efficiency", e), ("passende_zorg", p)];
            Weights::deserialize(MapDeserializer::<_, Error>::new(map.into_iter()))
        };
        assert_eq!(read("0.7", "0.2", "0.1").unwrap(), Weights::WITH_PZ);
        let err = read("0.9", "0.2", "0").unwrap_err();
        assert!(err.to_string().contains("precies 100 %"), "{err}");
    }

    #[test]
    fn scenario_checks_the_variant_combination() {
        let mut s = Scenario::default();
        assert_eq!(s.validate(), Ok(()));
        s.regular_weights = Weights::WITH_PZ;
        assert_eq!(s.validate(), Err(ScenarioError::RegularWeightsWithPz));
        s.regular_weights = Weights::REGULAR;
        s.variant_overrides.insert(7, PzVariant::InNormFte);
        s.pz_weights = Weights::REGULAR;
        assert_eq!(s.validate(), Err(ScenarioError::PzWeightMissing));
        s.pz_weights = Weights::WITH_PZ;
        s.variant = PzVariant::Geoormerkt;
        assert_eq!(s.validate(), Err(ScenarioError::EarmarkMissing));
        s.earmark = Some(Earmark {
            amount: dec!(1000.005),
            grondslag: Grondslag::FormatiefFte,
        });
        assert_eq!(s.validate(), Err(ScenarioError::EarmarkCents));
        s.earmark = Some(Earmark {
            amount: dec!(1000.50),
            grondslag: Grondslag::FormatiefFte,
        });
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(s.variant_for(7), PzVariant::InNormFte);
        assert_eq!(s.variant_for(8), PzVariant::Geoormerkt);
        assert_eq!(s.weights_for(PzVariant::Geoormerkt), Weights::REGULAR);
    }
}
