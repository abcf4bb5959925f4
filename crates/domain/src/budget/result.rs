//! What the engine hands back: every figure together with the inputs it came from, so that a
//! controller can trace a norm-fte back to volumes, norm times, KPIs and trend inputs.

use super::index::KpiTrace;
use super::inputs::{TrendChange, TrendInput};
use super::scenario::{Grondslag, PzVariant, Weights};
use rust_decimal::Decimal;
use serde::Serialize;

code_enum! {
    /// How serious a reported problem is. An error leaves the vakgroep's norm-fte uncomputed and
    /// the vakgroep out of the hospital totals; a warning is information next to the figures.
    Severity {
        Error => "fout", "Fout";
        Warning => "waarschuwing", "Waarschuwing";
    }
}

/// A problem found while computing, in Dutch for the page that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub severity: Severity,
    pub message: String,
}

impl Issue {
    pub fn error(message: impl Into<String>) -> Issue {
        Issue {
            severity: Severity::Error,
            message: message.into(),
        }
    }

    pub fn warning(message: impl Into<String>) -> Issue {
        Issue {
            severity: Severity::Warning,
            message: message.into(),
        }
    }
}

/// One care product's budget volume, in the order of the input's products.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProductResult {
    pub product_id: i64,
    pub norm_minutes: Decimal,
    /// `B[v,p]`.
    pub baseline: Decimal,
    /// `Vb[v,p]`.
    pub budget_volume: Decimal,
    /// Whether `max(0, …)` cut a negative volume off at 0.
    pub clamped: bool,
}

impl ProductResult {
    /// Vb − B: what the top-5 lists rank by.
    pub fn volume_change(&self) -> Decimal {
        self.budget_volume - self.baseline
    }

    /// Norm hours of the budget volume; exact (a division by 60 of a finite decimal).
    pub fn norm_hours(&self) -> Decimal {
        self.budget_volume * self.norm_minutes / Decimal::from(60)
    }
}

/// How one trend input was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendTrace {
    pub input: TrendInput,
    /// Indices into the vakgroep's products, or `None` for all of them.
    pub products: Option<Vec<usize>>,
    /// For an absolute change: the volume each product of the scope received, aligned with
    /// `products` (or with all products); they add up to the input exactly. Empty for a percentage.
    pub absolute_shares: Vec<Decimal>,
    /// Why the input was not applied at all; `None` when it was.
    pub skipped: Option<String>,
}

impl TrendTrace {
    pub fn applied(&self) -> bool {
        self.skipped.is_none()
    }

    /// What this input contributes to product `index`, if it applies to it: the percentage
    /// (in percent) or the absolute volume share.
    pub fn contribution(&self, index: usize) -> Option<TrendChange> {
        if !self.applied() {
            return None;
        }
        let position = match &self.products {
            None => index,
            Some(list) => list.iter().position(|&i| i == index)?,
        };
        Some(match self.input.change {
            TrendChange::Percent(p) => TrendChange::Percent(p),
            TrendChange::Absolute(_) => TrendChange::Absolute(*self.absolute_shares.get(position)?),
        })
    }
}

/// The norm-fte chain of a vakgroep; only present when normuren per fte was usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FteFigures {
    /// F0 = H / normuren per fte.
    pub base_norm_fte: Decimal,
    /// w_out + w_eff × E + w_pz × Z.
    pub weight_factor: Decimal,
    /// F = F0 × weight factor.
    pub norm_fte: Decimal,
    /// F − formatief: growth (positive) or shrink (negative).
    pub mutation: Decimal,
}

/// A vakgroep's share of the variant-3 earmarked budget and how it was arrived at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EarmarkShare {
    pub grondslag: Grondslag,
    pub grondslag_value: Decimal,
    pub pz_index: Decimal,
    /// grondslag × Z.
    pub weight: Decimal,
    /// amount × weight / Σ weight, before rounding to cents.
    pub exact: Decimal,
    /// Rounded to cents by largest remainder; these add up to the earmarked amount.
    pub amount: Decimal,
}

/// Everything computed for one vakgroep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VakgroepResult {
    pub vakgroep_id: i64,
    pub code: String,
    pub variant: PzVariant,
    /// The weights used for F (see [`super::Scenario::weights_for`]).
    pub weights: Weights,
    pub products: Vec<ProductResult>,
    pub trends: Vec<TrendTrace>,
    pub kpis: Vec<KpiTrace>,
    /// E: 1 when the vakgroep has no usable efficiency KPI.
    pub efficiency_index: Decimal,
    /// Z: 1 when the vakgroep has no usable passende-zorg KPI. Shown in every variant.
    pub pz_index: Decimal,
    pub normuren_per_fte: Option<Decimal>,
    pub formatief_fte: Decimal,
    pub last_year_norm_fte: Option<Decimal>,
    /// H = Σ Vb × normtijd / 60; `None` when the volumes or norm times were unusable.
    pub norm_hours: Option<Decimal>,
    pub fte: Option<FteFigures>,
    /// Only in variant 3, once the earmarked amount could be distributed.
    pub earmark: Option<EarmarkShare>,
    pub issues: Vec<Issue>,
}

impl VakgroepResult {
    /// Σ B. Summed on request rather than in the engine's loop, which only pays for what every
    /// recompute needs.
    pub fn baseline_volume(&self) -> Decimal {
        self.products.iter().map(|p| p.baseline).sum()
    }

    /// Σ Vb.
    pub fn budget_volume(&self) -> Decimal {
        self.products.iter().map(|p| p.budget_volume).sum()
    }

    /// Whether the vakgroep has a norm-fte and counts in the hospital totals.
    pub fn is_complete(&self) -> bool {
        self.fte.is_some()
    }

    /// For one product: the trend inputs that touched it and what each contributed.
    pub fn product_trends(&self, index: usize) -> Vec<(i64, TrendChange)> {
        self.trends
            .iter()
            .filter_map(|t| t.contribution(index).map(|c| (t.input.id, c)))
            .collect()
    }
}

/// Hospital totals over the complete vakgroepen (those with a norm-fte), so that each total is
/// the sum of figures shown; only `earmarked` sums the shares of all vakgroepen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct HospitalTotals {
    pub norm_hours: Decimal,
    pub base_norm_fte: Decimal,
    /// Σ F0 × E / Σ F0: the E that, with one set of weights, gives the total F from the total F0.
    pub efficiency_index: Decimal,
    /// Σ F0 × Z / Σ F0, likewise.
    pub pz_index: Decimal,
    pub norm_fte: Decimal,
    pub formatief_fte: Decimal,
    pub mutation: Decimal,
    /// Σ of all variant-3 shares; equals the earmarked amount once distributed.
    pub earmarked: Decimal,
    pub complete: usize,
    pub incomplete: usize,
}

/// The result of one scenario for the whole hospital.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetResult {
    pub vakgroepen: Vec<VakgroepResult>,
    pub totals: HospitalTotals,
    /// Hospital-level problems, such as an earmarked amount that could not be distributed.
    pub issues: Vec<Issue>,
}
