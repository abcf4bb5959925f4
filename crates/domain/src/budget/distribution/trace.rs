//! What [`super::distribute`] hands back: every euro with the figures it came from, exact, and
//! [`explain`], the same trace as Dutch sentences a controller can check with a calculator.

use super::band::Limits;
use super::error::percent;
use super::{Band, EarmarkPlacement};
use crate::nl;
use rust_decimal::Decimal;
use serde::Serialize;

code_enum! {
    /// Where a vakgroep's band came from.
    BandSource {
        Default => "standaard", "Standaardband";
        Override => "afwijkend", "Afwijkende band voor deze vakgroep";
    }
}

code_enum! {
    /// Why a vakgroep has no band and shares freely.
    NoBandReason {
        NoBandSet => "geen_band", "Geen band ingesteld";
        NoLastYear => "geen_vorig_jaar", "Geen toewijzing vorig jaar";
        ZeroLastYear => "nul_vorig_jaar", "Toewijzing vorig jaar was € 0,00";
    }
}

code_enum! {
    /// The bound a vakgroep was set to.
    BoundSide {
        Floor => "ondergrens", "Ondergrens";
        Cap => "bovengrens", "Bovengrens";
    }
}

/// A band as applied to one vakgroep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AppliedBand {
    pub band: Band,
    pub source: BandSource,
    /// floor × last year, rounded up to whole cents.
    pub floor_amount: Decimal,
    /// cap × last year, rounded down to whole cents.
    pub cap_amount: Decimal,
}

/// Whether a band applied to a vakgroep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BandTrace {
    Applied(AppliedBand),
    NotApplied(NoBandReason),
}

impl BandTrace {
    pub(super) fn limits(&self) -> Option<Limits> {
        match self {
            BandTrace::Applied(b) => Some(Limits {
                floor: b.floor_amount,
                cap: b.cap_amount,
            }),
            BandTrace::NotApplied(_) => None,
        }
    }
}

/// A vakgroep set to a bound, and in which pass (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Binding {
    pub side: BoundSide,
    pub iteration: u32,
}

/// One vakgroep's allocation and how it came about. All figures are exact except `allocation`
/// (whole cents) and the two that contain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VakgroepAllocation {
    pub vakgroep_id: i64,
    pub code: String,
    pub formatief_fte: Decimal,
    /// φ × D × formatief / Σ formatief.
    pub fixed_part: Decimal,
    /// F.
    pub norm_fte: Decimal,
    /// (1 − φ) × D × F / Σ F.
    pub capacity_part: Decimal,
    /// fixed part + capacity part: the allocation without a band.
    pub unbounded: Decimal,
    pub last_year: Option<Decimal>,
    pub band: BandTrace,
    /// `None` when the vakgroep shares freely (no band, or within it).
    pub binding: Option<Binding>,
    /// exact − unbounded: what the band moved to (positive) or from (negative) this vakgroep.
    pub redistributed: Decimal,
    /// The allocation before rounding to cents.
    pub exact: Decimal,
    /// Whole cents; these add up to D exactly.
    pub allocation: Decimal,
    /// allocation − exact, less than a cent either way.
    pub cents_adjustment: Decimal,
    /// The variant-3 share, ring-fenced from the band.
    pub earmark: Decimal,
    /// allocation + earmark.
    pub total: Decimal,
}

/// The whole distribution; `vakgroepen` in code order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Distribution {
    /// M.
    pub fee_budget: Decimal,
    pub placement: EarmarkPlacement,
    /// E = Σ earmark.
    pub earmark_total: Decimal,
    /// D: M on top, M − E out of M.
    pub distributable: Decimal,
    /// φ.
    pub fixed_share: Decimal,
    /// φ × D.
    pub fixed_component: Decimal,
    /// D − φ × D.
    pub capacity_component: Decimal,
    pub formatief_total: Decimal,
    pub norm_fte_total: Decimal,
    /// Band passes that set at least one vakgroep to a bound; 0 when nobody was outside.
    pub iterations: u32,
    /// The common factor allocation / unbounded of the free vakgroepen (about 1 without band
    /// passes: Σ u is D up to the 28th digit);
    /// `None` when no free vakgroep has an unbounded allocation above 0.
    pub free_ratio: Option<Decimal>,
    /// Σ allocation: equals D.
    pub allocated: Decimal,
    /// Σ total: equals D + E, which is M + E on top and M out of M.
    pub total: Decimal,
    pub vakgroepen: Vec<VakgroepAllocation>,
}

impl Distribution {
    pub fn vakgroep(&self, vakgroep_id: i64) -> Option<&VakgroepAllocation> {
        self.vakgroepen
            .iter()
            .find(|v| v.vakgroep_id == vakgroep_id)
    }

    /// The sum check a controller asks for: the allocations add up to D and the totals to D + E.
    pub fn balances(&self) -> bool {
        self.allocated == self.distributable
            && Some(self.total) == self.distributable.checked_add(self.earmark_total)
    }
}

/// One vakgroep's allocation as Dutch lines, from D down to its total. Exact figures are shown
/// with up to four decimals (followed by … when they have more); the arithmetic behind them is
/// exact.
pub fn explain(d: &Distribution, v: &VakgroepAllocation) -> Vec<String> {
    let mut lines = vec![frame_line(d)];
    let fixed = if d.fixed_component.is_zero() {
        format!(
            "Vast deel = € 0,00 (er is geen vast deel: φ × D = {}).",
            eur(Decimal::ZERO)
        )
    } else {
        format!(
            "Vast deel = φ × D × formatief / Σ formatief = {} × {} × {} / {} = {}",
            figure(d.fixed_share),
            eur(d.distributable),
            figure(v.formatief_fte),
            figure(d.formatief_total),
            exact_eur(v.fixed_part)
        )
    };
    lines.push(fixed);
    let capacity = if d.capacity_component.is_zero() {
        "Capaciteitsdeel = € 0,00 (er is geen capaciteitsdeel: (1 − φ) × D = € 0,00).".to_string()
    } else {
        format!(
            "Capaciteitsdeel = (1 − φ) × D × F / Σ F = {} × {} × {} / {} = {}",
            figure(Decimal::ONE - d.fixed_share),
            eur(d.distributable),
            figure(v.norm_fte),
            figure(d.norm_fte_total),
            exact_eur(v.capacity_part)
        )
    };
    lines.push(capacity);
    lines.push(format!(
        "Onbegrensde toewijzing = vast deel + capaciteitsdeel = {} + {} = {}",
        exact_eur(v.fixed_part),
        exact_eur(v.capacity_part),
        exact_eur(v.unbounded)
    ));
    lines.push(band_line(v));
    lines.push(status_line(d, v));
    lines.push(format!(
        "Herverdeeld = exacte toewijzing − onbegrensde toewijzing = {} − {} = {}",
        exact_eur(v.exact),
        exact_eur(v.unbounded),
        signed_eur(v.redistributed)
    ));
    lines.push(format!(
        "Toewijzing in hele centen (grootste rest, gelijke resten op volgorde van code) = {} \
         (afronding {} cent)",
        eur(v.allocation),
        signed(v.cents_adjustment * Decimal::ONE_HUNDRED)
    ));
    if !d.earmark_total.is_zero() {
        lines.push(format!(
            "Totaal = toewijzing + geoormerkt deel passende zorg = {} + {} = {}",
            eur(v.allocation),
            eur(v.earmark),
            eur(v.total)
        ));
    }
    lines
}

fn frame_line(d: &Distribution) -> String {
    match d.placement {
        _ if d.earmark_total.is_zero() => format!(
            "Te verdelen bedrag D = M = {} (geen geoormerkt bedrag).",
            eur(d.fee_budget)
        ),
        EarmarkPlacement::OnTop => format!(
            "Te verdelen bedrag D = M = {}; het geoormerkte bedrag van {} komt daar bovenop.",
            eur(d.fee_budget),
            eur(d.earmark_total)
        ),
        EarmarkPlacement::OutOfBudget => format!(
            "Te verdelen bedrag D = M − geoormerkt bedrag = {} − {} = {}",
            eur(d.fee_budget),
            eur(d.earmark_total),
            eur(d.distributable)
        ),
    }
}

fn band_line(v: &VakgroepAllocation) -> String {
    match v.band {
        BandTrace::NotApplied(reason) => format!("Geen band: {}.", reason.label().to_lowercase()),
        BandTrace::Applied(b) => format!(
            "Band {} – {} ({}) van de toewijzing vorig jaar {}: ondergrens {} (naar boven op \
             centen), bovengrens {} (naar beneden op centen)",
            percent(b.band.floor),
            percent(b.band.cap),
            b.source.label().to_lowercase(),
            exact_eur(v.last_year.unwrap_or_default()),
            eur(b.floor_amount),
            eur(b.cap_amount)
        ),
    }
}

fn status_line(d: &Distribution, v: &VakgroepAllocation) -> String {
    if let Some(b) = v.binding {
        return format!(
            "Buiten de band: in iteratie {} vastgezet op de {} van {}.",
            b.iteration,
            b.side.label().to_lowercase(),
            eur(v.exact)
        );
    }
    let position = match v.band {
        BandTrace::Applied(_) => "Binnen de band",
        BandTrace::NotApplied(_) => "Zonder band",
    };
    match d.free_ratio {
        _ if d.iterations == 0 => format!(
            "{position}; er is niets herverdeeld: geen enkele vakgroep viel buiten zijn band."
        ),
        Some(ratio) => format!(
            "{position}: deelt met de andere vrije vakgroepen naar rato van de onbegrensde \
             toewijzing in wat na {} iteratie(s) overblijft: {} × factor {} = {}",
            d.iterations,
            exact_eur(v.unbounded),
            figure(ratio),
            exact_eur(v.exact)
        ),
        None => format!("{position}; de onbegrensde toewijzing is € 0,00 en blijft dat."),
    }
}

/// € with cents.
fn eur(x: Decimal) -> String {
    nl::eur(x)
}

/// € with the cents and up to two more decimals, followed by … when the exact figure has more.
fn exact_eur(x: Decimal) -> String {
    format!("€ {}", figure(x))
}

/// A fraction or fte figure with at least two and up to four decimals, followed by … when it has
/// more (rounded there, half away from zero).
fn figure(x: Decimal) -> String {
    let scale = x.normalize().scale();
    let more = if scale > 4 { "…" } else { "" };
    format!("{}{more}", nl::number(x, scale.clamp(2, 4)))
}

/// `+€ 1.234,56`, `−€ 1.234,56`, `€ 0,00`.
fn signed_eur(x: Decimal) -> String {
    format!("{}{}", sign(x), exact_eur(x.abs()))
}

/// `+0,33`, `−0,50`, `0,00`: a figure with two decimals and its sign.
fn signed(x: Decimal) -> String {
    format!("{}{}", sign(x), nl::number(x.abs(), 2))
}

fn sign(x: Decimal) -> &'static str {
    if x.is_zero() {
        ""
    } else if x.is_sign_negative() {
        "−"
    } else {
        "+"
    }
}
