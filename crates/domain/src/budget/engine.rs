//! The computation of D4: budget volumes, norm hours, base norm-fte, the E and Z corrections and
//! the norm-fte with its mutation, per vakgroep and for the hospital.

use super::index::{kpi_index, trace_kpis};
use super::inputs::{BudgetInput, KpiKind, VakgroepInput};
use super::result::{
    BudgetResult, FteFigures, HospitalTotals, Issue, ProductResult, VakgroepResult,
};
use super::scenario::{Scenario, ScenarioError};
use super::variants::distribute_earmark;
use super::volumes::resolve;
use rust_decimal::Decimal;

const MINUTES_PER_HOUR: Decimal = Decimal::from_parts(60, 0, 0, false, 0);

/// Computes a scenario for the whole hospital. Fails only on an invalid scenario; problems with
/// one vakgroep's data are reported in that vakgroep's result.
pub fn compute(input: &BudgetInput, scenario: &Scenario) -> Result<BudgetResult, ScenarioError> {
    scenario.validate()?;
    let vakgroepen = input
        .vakgroepen
        .iter()
        .map(|v| compute_vakgroep(v, scenario))
        .collect();
    let mut result = BudgetResult {
        vakgroepen,
        totals: HospitalTotals::default(),
        issues: Vec::new(),
    };
    finish(&mut result, scenario);
    Ok(result)
}

/// After a change to one vakgroep's inputs (a trend input accepted during a meeting): recomputes
/// that vakgroep and everything that depends on all of them (totals, the variant-3 distribution),
/// and leaves the other vakgroepen as they were. `result` must come from [`compute`] with the same
/// scenario and the same list of vakgroepen.
pub fn recompute_vakgroep(
    result: &mut BudgetResult,
    input: &BudgetInput,
    scenario: &Scenario,
    index: usize,
) -> Result<(), ScenarioError> {
    scenario.validate()?;
    if let (Some(slot), Some(v)) = (
        result.vakgroepen.get_mut(index),
        input.vakgroepen.get(index),
    ) {
        *slot = compute_vakgroep(v, scenario);
    }
    finish(result, scenario);
    Ok(())
}

/// One vakgroep on its own; the earmark share is filled in by [`compute`].
pub fn compute_vakgroep(v: &VakgroepInput, scenario: &Scenario) -> VakgroepResult {
    let variant = scenario.variant_for(v.id);
    let weights = scenario.weights_for(variant);
    let mut issues = Vec::new();

    let kpis = trace_kpis(&v.kpis);
    issues.extend(
        kpis.iter()
            .filter_map(|k| k.unusable.as_ref())
            .map(Issue::warning),
    );
    let efficiency_index = kpi_index(&kpis, KpiKind::Efficiency);
    let pz_index = kpi_index(&kpis, KpiKind::PassendeZorg);

    let (adj, trends) = resolve(&v.code, &v.products, &v.trends);
    issues.extend(
        trends
            .iter()
            .filter_map(|t| t.skipped.as_ref())
            .map(Issue::warning),
    );

    let volumes = budget_volumes(v, &adj);
    let (products, minutes) = match volumes {
        Ok((products, minutes)) => (products, Some(minutes)),
        Err(issue) => {
            issues.push(issue);
            (Vec::new(), None)
        }
    };

    let norm_hours = minutes.map(|m| m / MINUTES_PER_HOUR);
    let mut fte = None;
    if let Some(minutes) = minutes {
        match fte_figures(v, minutes, weights.factor(efficiency_index, pz_index)) {
            Ok(f) => fte = Some(f),
            Err(issue) => issues.push(issue),
        }
    }

    VakgroepResult {
        vakgroep_id: v.id,
        code: v.code.clone(),
        variant,
        weights,
        products,
        trends,
        kpis,
        efficiency_index,
        pz_index,
        normuren_per_fte: v.normuren_per_fte,
        formatief_fte: v.formatief_fte,
        last_year_norm_fte: v.last_year_norm_fte,
        norm_hours,
        fte,
        earmark: None,
        issues,
    }
}

type Volumes = (Vec<ProductResult>, Decimal);

/// The hot loop: Vb per product and Σ Vb × normtijd in minutes. The division by 60 is left to
/// the caller so that it happens once per vakgroep on the exact sum, not once per product.
fn budget_volumes(v: &VakgroepInput, adj: &super::volumes::Adjustments) -> Result<Volumes, Issue> {
    let overflow = || {
        Issue::error(format!(
            "De volumes van vakgroep {} zijn te groot om mee te rekenen; controleer de productiegegevens.",
            v.code
        ))
    };
    let one_plus_all = Decimal::ONE + adj.all_fraction;
    let mut products = Vec::with_capacity(v.products.len());
    let mut minutes = Decimal::ZERO;
    for (i, p) in v.products.iter().enumerate() {
        if p.baseline.is_sign_negative() && !p.baseline.is_zero() {
            return Err(Issue::error(format!(
                "Zorgproduct {} van vakgroep {} heeft een negatief basisvolume; de vakgroep is niet doorgerekend.",
                p.code, v.code
            )));
        }
        if p.norm_minutes.is_sign_negative() && !p.norm_minutes.is_zero() {
            return Err(Issue::error(format!(
                "Zorgproduct {} van vakgroep {} heeft een negatieve normtijd; de vakgroep is niet doorgerekend.",
                p.code, v.code
            )));
        }
        let raw = adj
            .apply(one_plus_all, i, p.baseline)
            .ok_or_else(overflow)?;
        let clamped = raw.is_sign_negative() && !raw.is_zero();
        let vb = if clamped { Decimal::ZERO } else { raw };
        minutes = vb
            .checked_mul(p.norm_minutes)
            .and_then(|x| minutes.checked_add(x))
            .ok_or_else(overflow)?;
        products.push(ProductResult {
            product_id: p.id,
            norm_minutes: p.norm_minutes,
            baseline: p.baseline,
            budget_volume: vb,
            clamped,
        });
    }
    Ok((products, minutes))
}

/// F0, F and the mutation. F0 is computed as minutes / (60 × normuren) rather than from the
/// displayed H so that it carries one division, not two.
fn fte_figures(
    v: &VakgroepInput,
    minutes: Decimal,
    factor: Option<Decimal>,
) -> Result<FteFigures, Issue> {
    let normuren = match v.normuren_per_fte {
        None => {
            return Err(Issue::error(format!(
                "Voor vakgroep {} ontbreken de normuren per fte; de norm-fte is niet berekend.",
                v.code
            )));
        }
        Some(n) if n <= Decimal::ZERO => {
            return Err(Issue::error(format!(
                "De normuren per fte van vakgroep {} zijn {}; dat moet meer dan 0 zijn. De norm-fte is niet berekend.",
                v.code,
                crate::nl::number(n, 2)
            )));
        }
        Some(n) => n,
    };
    if v.formatief_fte.is_sign_negative() && !v.formatief_fte.is_zero() {
        return Err(Issue::error(format!(
            "De formatieve fte van vakgroep {} is negatief; de mutatie is niet berekend.",
            v.code
        )));
    }
    let overflow = || {
        Issue::error(format!(
            "De norm-fte van vakgroep {} is te groot om te berekenen.",
            v.code
        ))
    };
    let base_norm_fte = normuren
        .checked_mul(MINUTES_PER_HOUR)
        .and_then(|d| minutes.checked_div(d))
        .ok_or_else(overflow)?;
    let weight_factor = factor.ok_or_else(overflow)?;
    let norm_fte = base_norm_fte
        .checked_mul(weight_factor)
        .ok_or_else(overflow)?;
    Ok(FteFigures {
        base_norm_fte,
        weight_factor,
        norm_fte,
        mutation: norm_fte.checked_sub(v.formatief_fte).ok_or_else(overflow)?,
    })
}

/// Everything that depends on all vakgroepen: the variant-3 distribution and the totals.
fn finish(result: &mut BudgetResult, scenario: &Scenario) {
    result.issues.clear();
    for v in &mut result.vakgroepen {
        v.earmark = None;
    }
    if let Some(earmark) = scenario.earmark {
        result
            .issues
            .extend(distribute_earmark(&mut result.vakgroepen, earmark));
    }
    let (totals, issues) = totals(&result.vakgroepen);
    result.totals = totals;
    result.issues.extend(issues);
    if result.totals.incomplete > 0 {
        result.issues.push(Issue::warning(format!(
            "{} van de {} vakgroepen zijn niet volledig doorgerekend en tellen niet mee in de totalen.",
            result.totals.incomplete,
            result.vakgroepen.len()
        )));
    }
}

/// Hospital totals over the complete vakgroepen, so that every total is a sum of shown figures.
/// A vakgroep whose figures would take a total past what a decimal holds is left out as a whole
/// (counted as incomplete, with an error that names it) rather than crashing the page.
pub fn totals(vakgroepen: &[VakgroepResult]) -> (HospitalTotals, Vec<Issue>) {
    let mut t = HospitalTotals::default();
    let mut issues = Vec::new();
    let mut sums = Sums::default();
    for v in vakgroepen {
        // The earmarked amount is distributed on its own grondslag, which an incomplete vakgroep
        // may well have (formatief fte), so it is summed over all of them. The shares add up to
        // the scenario's amount, itself a decimal, so this cannot overflow in practice.
        if let Some(share) = v.earmark {
            t.earmarked = t.earmarked.checked_add(share.amount).unwrap_or(t.earmarked);
        }
        let (Some(f), Some(h)) = (v.fte, v.norm_hours) else {
            t.incomplete += 1;
            continue;
        };
        match sums.plus(v, &f, h) {
            Some(next) => {
                t.complete += 1;
                sums = next;
            }
            None => {
                t.incomplete += 1;
                issues.push(Issue::error(format!(
                    "De cijfers van vakgroep {} zijn te groot om op te tellen bij de totalen van \
                     het ziekenhuis; controleer de productiegegevens en trendinputs.",
                    v.code
                )));
            }
        }
    }
    t.norm_hours = sums.norm_hours;
    t.base_norm_fte = sums.base_norm_fte;
    t.norm_fte = sums.norm_fte;
    t.formatief_fte = sums.formatief_fte;
    t.mutation = sums.mutation;
    // Weighted means of the indexes: never larger than the largest index.
    let mean = |weighted: Decimal| weighted.checked_div(sums.base_norm_fte);
    (t.efficiency_index, t.pz_index) = match (mean(sums.e_weighted), mean(sums.z_weighted)) {
        (Some(e), Some(z)) if !sums.base_norm_fte.is_zero() => (e, z),
        _ => (Decimal::ONE, Decimal::ONE),
    };
    (t, issues)
}

/// The running sums of [`totals`].
#[derive(Default, Clone, Copy)]
struct Sums {
    norm_hours: Decimal,
    base_norm_fte: Decimal,
    norm_fte: Decimal,
    formatief_fte: Decimal,
    mutation: Decimal,
    e_weighted: Decimal,
    z_weighted: Decimal,
}

impl Sums {
    /// The sums with one more vakgroep, or `None` when one of them would overflow: a vakgroep
    /// counts in every total or in none.
    fn plus(&self, v: &VakgroepResult, f: &FteFigures, h: Decimal) -> Option<Sums> {
        Some(Sums {
            norm_hours: self.norm_hours.checked_add(h)?,
            base_norm_fte: self.base_norm_fte.checked_add(f.base_norm_fte)?,
            norm_fte: self.norm_fte.checked_add(f.norm_fte)?,
            formatief_fte: self.formatief_fte.checked_add(v.formatief_fte)?,
            mutation: self.mutation.checked_add(f.mutation)?,
            e_weighted: (self.e_weighted)
                .checked_add(f.base_norm_fte.checked_mul(v.efficiency_index)?)?,
            z_weighted: (self.z_weighted).checked_add(f.base_norm_fte.checked_mul(v.pz_index)?)?,
        })
    }
}

#[cfg(test)]
mod tests;
