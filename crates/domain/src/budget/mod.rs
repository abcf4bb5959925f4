//! Capacity budget (product.md D3–D7; seed 003 Hoofdstuk 4 and Bijlage 2): from production
//! volumes and norm times to norm hours and norm-fte per vakgroep, corrected for efficiency and
//! passende zorg, against the formative fte. Pure functions over plain data; the store supplies
//! the rows, the web shows the results.
//!
//! # The computation (D4)
//!
//! For vakgroep v and care product p, over the trend inputs passed in:
//!
//! ```text
//! Vb[v,p] = max(0, B[v,p] × (1 + Σ pct) + Σ abs)
//! H[v]    = Σp Vb[v,p] × normtijd[v,p] / 60
//! F0[v]   = H[v] / normuren_per_fte[v]
//! E[v]    = mean of the efficiency KPI ratios       (1 without usable KPIs)
//! Z[v]    = mean of the passende-zorg KPI ratios    (1 without usable KPIs)
//! F[v]    = F0[v] × (w_out + w_eff × E[v] + w_pz × Z[v])
//! mutatie = F[v] − formatief[v]
//! ```
//!
//! A KPI ratio is `referentie / lokaal` when lower is better and `lokaal / referentie` when higher
//! is better, so above 1 always means "better than the reference". A KPI with a value of 0 (or a
//! negative value) is traced as unusable with a Dutch reason and left out of the mean.
//!
//! # Decisions
//!
//! - **Exact arithmetic.** Everything is `rust_decimal`; nothing is rounded before display
//!   ([`round_fte`] and friends). The only divisions are the formula's own: H = minutes / 60 and
//!   F0 = minutes / (60 × normuren), both from the exact sum of minutes (never a quotient of a
//!   quotient), the KPI ratios and their mean, the F0-weighted hospital E and Z, and the exact
//!   share of the earmarked amount shown next to its cents. Where such a quotient has more than
//!   28 significant digits it is rounded there, at the 28th.
//! - **Absolute trend inputs** are a volume for their scope as a whole (the whole vakgroep or the
//!   chosen products), spread over the products of that scope pro rata to their baseline volume
//!   B, or evenly when the scope has no baseline at all (a new care line). The spread is an
//!   apportionment in hundredths of a unit (the precision the form accepts; finer if the input is
//!   finer, judged by its value: 120.0000 read from the database is 120, as typed) by largest
//!   remainder, like the euro cents of variant 3: each share is an exact decimal
//!   within a hundredth of its pro-rata value, and the shares add up to the input exactly. Exact
//!   pro-rata quotients (100 over three products) would put 28-digit numbers into every product
//!   and make the hot loop three times slower for no figure anyone can see. Percentages apply to
//!   each product of their scope; several inputs add up (Σ pct, Σ abs), as in the formula.
//! - **A trend input that cannot be applied** (a product that is not the vakgroep's) is skipped
//!   as a whole and reported; applying part of it would be harder to explain.
//! - **Which trend inputs count** is the caller's choice: the budget passes those with
//!   [`TrendStatus::counts_in_budget`] (geaccepteerd, verwerkt); the form's preview adds the one
//!   being drafted, so a representative sees its effect before submitting.
//! - **Variants (D5).** A scenario has a variant and optional overrides per vakgroep, and two
//!   sets of weights: the regular weights (default 80/20/0, passende zorg must be 0) for variants
//!   1 and 3, and the passende-zorg weights (default 70/20/10, passende zorg above 0) for variant
//!   2. Variant 1 therefore computes F exactly as without passende zorg (seed 003: "optie 1 is
//!   informatief, hierbij hebben de uitkomsten geen impact"); Z is still computed and shown.
//!   Variant 3 computes F likewise and distributes the earmarked amount over the variant-3
//!   vakgroepen pro rata to `grondslag × Z`, in cents by largest remainder ([`largest_remainder`]).
//!   If one of them lacks its grondslag (no norm-fte, no last year's figure) nothing is
//!   distributed and the reason is reported: the others should not gain from a gap in its data.
//! - **Problems are data, not panics.** Missing or non-positive normuren per fte, a negative
//!   baseline, norm time or formative fte, or numbers too large to compute leave that vakgroep
//!   without norm-fte and with an [`Issue`]; hospital totals are sums over the complete
//!   vakgroepen, so every total is the sum of figures shown (the earmarked total, which has its
//!   own grondslag, sums all shares). Hospital E and Z are F0-weighted means.
//! - **Traceability.** A [`VakgroepResult`] keeps its weights, every KPI with the ratio used
//!   ([`KpiTrace`]), every trend input with the products it touched and the absolute shares
//!   ([`TrendTrace`], [`VakgroepResult::product_trends`]), and every product's B and Vb.
//! - **Trend-input workflow** ([`trend`]): concept → ingediend → geaccepteerd | teruggestuurd
//!   (with a reason) → verwerkt. The representative may also withdraw a submitted input to
//!   concept; a returned input is reworked as concept or submitted again. A reviewer who also
//!   represents the vakgroep may not accept or return its inputs (no self-review).
//! - **Distribution (D6)** ([`distribution`]): the fee budget over the vakgroepen, a fixed part
//!   per formative fte and a capacity part pro rata to norm-fte, beside the variant-3 earmark
//!   (on top of the budget or out of it), within an optional band around last year's allocation
//!   by water-filling, in whole cents that add up exactly. Infeasible frames are an error with a
//!   Dutch reason, never a partial distribution; every allocation carries its trace.
//! - **Controllers' exports (D11)** ([`workbook`]): the budget as a described workbook
//!   (Overzicht, Invoer, a sheet per vakgroep) with a formula wherever a controller traces a
//!   figure, each carrying the value computed here, checked by an evaluator for exactly the
//!   formulas written; values where a rule that is not arithmetic decided (cents, band bounds);
//!   a scope per vakgroep that leaves every other vakgroep out; the overview as CSV.
//! - **Monitoring (D10)** ([`monitoring`]): realised norm hours per month against H spread by the
//!   reference year's profile (or twelfths, and why), cumulatively so that the months add up to
//!   H exactly; forecast along the profile; a signal above the threshold on the deviation to
//!   date, with a Dutch sentence, an agreement proposal and an accessible chart.
//! - **Insurer congruence (D8)** ([`congruence`]): production value Σ Vb × tariff against each
//!   insurer's ceiling, split by shares that must add up to exactly 100 %, the last insurer
//!   taking the rest so the split adds up exactly; the tariff file is read by the production
//!   reader.
//! - **Speed (D7).** Trend inputs are resolved to two index-aligned vectors before the per-product
//!   loop, which then only multiplies and adds; [`recompute_vakgroep`] redoes one vakgroep plus
//!   the hospital-wide steps after a single change. Numbers: `benches/budget.rs`.

pub mod adoption;
mod compare;
pub mod congruence;
mod display;
pub mod distribution;
mod engine;
mod form;
mod index;
mod inputs;
pub mod master;
pub mod monitoring;
pub mod precision;
mod prefill;
mod result;
mod scenario;
mod scenario_draft;
pub mod trend;
mod variants;
mod volumes;
pub mod workbook;

pub use compare::{
    ProductMove, TOP_N, TopMovers, VakgroepComparison, compare_scenarios, top_movers,
};
pub use display::{
    FIGURE_DECIMALS, fte_text, hours_text, index_text, minutes_text, mutation_text, round_cents,
    round_fte, round_half_away, round_hours, volume_text,
};
pub use distribution::{
    Band, Distribution, DistributionError, DistributionInput, EarmarkPlacement, Frame, NoFrame,
    distribute,
};
pub use engine::{compute, compute_vakgroep, recompute_vakgroep, totals};
pub use form::{
    ABSOLUTE_MAX, MAX_DECIMALS, MAX_RATIONALE_CHARS, MAX_SOURCE_CHARS, PERCENT_MAX, PERCENT_MIN,
    TrendDraft, TrendForm,
};
pub use index::{KpiTrace, kpi_index, kpi_ratio, trace_kpis};
pub use inputs::{
    BudgetInput, CareProduct, ChangeKind, KpiInput, KpiKind, ScopeKind, TrendCategory, TrendChange,
    TrendInput, TrendScope, VakgroepInput,
};
pub use prefill::{AgreementPrefill, PrefillParty};
pub use result::{
    BudgetResult, EarmarkShare, FteFigures, HospitalTotals, Issue, ProductResult, Severity,
    TrendTrace, VakgroepResult,
};
pub use scenario::{Earmark, Grondslag, PzVariant, Scenario, ScenarioError, Weights};
pub use scenario_draft::{MAX_NAME_CHARS, ScenarioDraft, ScenarioForm, YEARS};
pub use trend::{TrendActor, TrendStatus, TrendStatusError};
pub use variants::largest_remainder;
// So that callers need one import for the KPI direction the budget shares with the register.
pub use crate::agreements::kpi::Direction;
