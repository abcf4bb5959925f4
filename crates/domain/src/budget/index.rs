//! The efficiency index E and the passende-zorg index Z of a vakgroep: the mean over its KPIs of
//! the ratio that is above 1 when the vakgroep does better than the reference (D4; seed 003
//! Bijlage 1 "referentie / lokale waarde × 100 %").

use super::inputs::{KpiInput, KpiKind};
use crate::agreements::kpi::Direction;
use rust_decimal::Decimal;
use serde::Serialize;

/// One KPI as the engine used it: the ratio that went into the mean, or why it was left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiTrace {
    pub code: String,
    pub kind: KpiKind,
    pub direction: Direction,
    pub reference: Decimal,
    pub local: Decimal,
    /// `reference / local` (lower is better) or `local / reference` (higher is better).
    pub ratio: Option<Decimal>,
    /// Dutch reason when the KPI could not be used.
    pub unusable: Option<String>,
}

/// The ratio of one KPI, or the Dutch reason it cannot be used.
pub fn kpi_ratio(kpi: &KpiInput) -> Result<Decimal, String> {
    if kpi.reference.is_zero() || kpi.local.is_zero() {
        let which = if kpi.reference.is_zero() {
            "referentiewaarde"
        } else {
            "lokale waarde"
        };
        return Err(format!(
            "KPI {} is niet gebruikt: de {which} is 0, dus er is geen verhouding te berekenen.",
            kpi.code
        ));
    }
    // A negative benchmark value has no meaning as a share or a count, and a ratio with one
    // would flip the direction of the correction.
    if kpi.reference.is_sign_negative() || kpi.local.is_sign_negative() {
        return Err(format!(
            "KPI {} is niet gebruikt: een negatieve waarde geeft geen zinvolle verhouding.",
            kpi.code
        ));
    }
    let (num, den) = match kpi.direction {
        Direction::LowerIsBetter => (kpi.reference, kpi.local),
        Direction::HigherIsBetter => (kpi.local, kpi.reference),
    };
    num.checked_div(den).ok_or_else(|| {
        format!(
            "KPI {} is niet gebruikt: de verhouding is te groot om te berekenen.",
            kpi.code
        )
    })
}

/// All KPIs of a vakgroep, traced in input order.
pub fn trace_kpis(kpis: &[KpiInput]) -> Vec<KpiTrace> {
    kpis.iter()
        .map(|kpi| {
            let (ratio, unusable) = match kpi_ratio(kpi) {
                Ok(r) => (Some(r), None),
                Err(reason) => (None, Some(reason)),
            };
            KpiTrace {
                code: kpi.code.clone(),
                kind: kpi.kind,
                direction: kpi.direction,
                reference: kpi.reference,
                local: kpi.local,
                ratio,
                unusable,
            }
        })
        .collect()
}

/// The mean of the usable ratios of one kind; 1 (neutral) when there are none.
pub fn kpi_index(traces: &[KpiTrace], kind: KpiKind) -> Decimal {
    let (sum, n) = traces
        .iter()
        .filter(|t| t.kind == kind)
        .filter_map(|t| t.ratio)
        .fold((Decimal::ZERO, 0u32), |(s, n), r| (s + r, n + 1));
    if n == 0 {
        Decimal::ONE
    } else {
        sum / Decimal::from(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn kpi(kind: KpiKind, direction: Direction, reference: Decimal, local: Decimal) -> KpiInput {
        KpiInput {
            code: "K".into(),
            kind,
            direction,
            reference,
            local,
        }
    }

    #[test]
    fn ratios_follow_the_direction() {
        // Fewer follow-up visits than the reference is better: 2,0 / 2,5 = 0,8 would be a
        // discount; here the vakgroep does 2,0 against a reference of 2,5.
        let lower = kpi(
            KpiKind::Efficiency,
            Direction::LowerIsBetter,
            dec!(2.5),
            dec!(2.0),
        );
        assert_eq!(kpi_ratio(&lower), Ok(dec!(1.25)));
        // A higher day-care share is better: 44 % against 40 %.
        let higher = kpi(
            KpiKind::PassendeZorg,
            Direction::HigherIsBetter,
            dec!(40),
            dec!(44),
        );
        assert_eq!(kpi_ratio(&higher), Ok(dec!(1.1)));
    }

    #[test]
    fn zero_and_negative_values_are_unusable_and_left_out() {
        let traces = trace_kpis(&[
            kpi(
                KpiKind::Efficiency,
                Direction::LowerIsBetter,
                dec!(0),
                dec!(3),
            ),
            kpi(
                KpiKind::Efficiency,
                Direction::HigherIsBetter,
                dec!(2),
                dec!(1),
            ),
            kpi(
                KpiKind::Efficiency,
                Direction::HigherIsBetter,
                dec!(2),
                dec!(-1),
            ),
        ]);
        assert_eq!(
            traces[0].unusable.as_deref(),
            Some(
                "KPI K is niet gebruikt: de referentiewaarde is 0, dus er is geen verhouding te berekenen."
            )
        );
        assert!(traces[2].unusable.is_some());
        assert_eq!(kpi_index(&traces, KpiKind::Efficiency), dec!(0.5));
        assert_eq!(kpi_index(&traces, KpiKind::PassendeZorg), Decimal::ONE);
    }
}
