//! The parameter block below the overview table: M, the earmark, D, φ, the band, the weights and
//! the sum check. Its cells are laid out before the table is written, because the table's
//! formulas point at them (`$C$40`).

use super::super::model::{Addr, Cell, NumberFormat, Row, RowStyle};
use super::super::text::band_text;
use crate::budget::distribution::{Band, Distribution, EarmarkPlacement};
use crate::budget::scenario::Scenario;
use rust_decimal::Decimal;

/// A parameter row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum P {
    M,
    EarmarkAmount,
    Grondslag,
    Placement,
    D,
    Phi,
    FixedComponent,
    CapacityComponent,
    DefaultBand,
    Iterations,
    Factor,
    RegularOut,
    RegularEff,
    RegularPz,
    PzOut,
    PzEff,
    PzPz,
    Variant,
    Check,
}

/// The values sit in column C, the labels in column A.
const VALUE_COL: u32 = 2;

/// What the parameter rows show.
pub(super) struct ParamValues<'a> {
    pub fee_budget: Option<Decimal>,
    pub fixed_share: Option<Decimal>,
    pub placement: Option<EarmarkPlacement>,
    /// `Some` when the year's frame is known: its default band, if any.
    pub default_band: Option<Option<Band>>,
    pub scenario: &'a Scenario,
    pub distribution: Option<&'a Distribution>,
    /// The totals-row cell of the earmarked shares (`P$12`), when that column exists.
    pub earmark_total: Option<String>,
    /// The totals-row cell of the allocations in whole cents.
    pub allocation_total: Option<String>,
    /// The factor of the free vakgroepen as a formula over the table (whole hospital only).
    pub factor_formula: Option<String>,
}

pub(super) struct Params {
    list: Vec<P>,
    first_row: u32,
}

impl Params {
    /// The rows present, from `first_row` on.
    pub fn new(first_row: u32, values: &ParamValues) -> Params {
        let mut list = vec![P::M];
        if values.scenario.earmark.is_some() {
            list.extend([P::EarmarkAmount, P::Grondslag]);
        }
        if values.placement.is_some() {
            list.push(P::Placement);
        }
        if let Some(d) = values.distribution {
            list.push(P::D);
            list.push(P::Phi);
            list.extend([P::FixedComponent, P::CapacityComponent]);
            if values.default_band.is_some() {
                list.push(P::DefaultBand);
            }
            list.push(P::Iterations);
            if d.iterations > 0 && d.free_ratio.is_some() {
                list.push(P::Factor);
            }
        } else if values.fixed_share.is_some() {
            list.push(P::Phi);
            if values.default_band.is_some() {
                list.push(P::DefaultBand);
            }
        }
        list.extend([
            P::RegularOut,
            P::RegularEff,
            P::RegularPz,
            P::PzOut,
            P::PzEff,
            P::PzPz,
            P::Variant,
        ]);
        if values.distribution.is_some() {
            list.push(P::Check);
        }
        Params { list, first_row }
    }

    pub fn addr(&self, p: P) -> Option<Addr> {
        let i = self.list.iter().position(|&x| x == p)?;
        Some(Addr::new(VALUE_COL, self.first_row + i as u32))
    }

    /// `$C$40`, or an empty string for a row that is not there (callers only ask for rows the
    /// workbook has: the weights always, D and the components with a distribution).
    pub fn abs(&self, p: P) -> String {
        self.addr(p).map(Addr::abs).unwrap_or_default()
    }

    /// The rows, in the order of the addresses handed out.
    pub fn rows(&self, v: &ParamValues) -> Vec<Row> {
        self.list.iter().map(|&p| self.row(p, v)).collect()
    }

    fn row(&self, p: P, v: &ParamValues) -> Row {
        let s = v.scenario;
        let regular = s.regular_weights;
        let pz = s.pz_weights;
        let percent = |x: Decimal| Cell::number(x, NumberFormat::Percent);
        let (label, cell, note): (&str, Cell, String) = match p {
            P::M => (
                "Honorariumbudget M",
                v.fee_budget.map_or(Cell::text("niet ingesteld"), |m| {
                    Cell::number(m, NumberFormat::Euro)
                }),
                String::new(),
            ),
            P::EarmarkAmount => (
                "Geoormerkt bedrag passende zorg",
                s.earmark
                    .map_or(Cell::Empty, |e| Cell::number(e.amount, NumberFormat::Euro)),
                "Variant 3: verdeeld naar rato van grondslag × Z, in hele centen (grootste rest)."
                    .to_string(),
            ),
            P::Grondslag => (
                "Grondslag geoormerkt bedrag",
                Cell::text(s.earmark.map_or("", |e| e.grondslag.label())),
                String::new(),
            ),
            P::Placement => (
                "Geoormerkt bedrag komt",
                Cell::text(v.placement.map_or("", |p| p.label())),
                String::new(),
            ),
            P::D => {
                let d = v.distribution.map_or(Decimal::ZERO, |d| d.distributable);
                let m = self.abs(P::M);
                let out_of_budget = v
                    .distribution
                    .is_some_and(|d| d.placement == EarmarkPlacement::OutOfBudget);
                let (formula, note) = match (&v.earmark_total, out_of_budget) {
                    (Some(total), true) => (format!("={m}-{total}"), "D = M − geoormerkt bedrag"),
                    _ => (format!("={m}"), "D = M"),
                };
                (
                    "Te verdelen bedrag D",
                    Cell::formula(formula, d, NumberFormat::Euro),
                    note.to_string(),
                )
            }
            P::Phi => (
                "Vast aandeel φ",
                v.fixed_share.map_or(Cell::Empty, percent),
                "Deel van D dat als gelijk bedrag per formatieve fte wordt verdeeld.".to_string(),
            ),
            P::FixedComponent => (
                "Vast deel φ × D",
                Cell::formula(
                    format!("={}*{}", self.abs(P::Phi), self.abs(P::D)),
                    v.distribution.map_or(Decimal::ZERO, |d| d.fixed_component),
                    NumberFormat::EuroExact,
                ),
                String::new(),
            ),
            P::CapacityComponent => (
                "Capaciteitsdeel (1 − φ) × D",
                Cell::formula(
                    format!("={}-{}", self.abs(P::D), self.abs(P::FixedComponent)),
                    v.distribution
                        .map_or(Decimal::ZERO, |d| d.capacity_component),
                    NumberFormat::EuroExact,
                ),
                "D − vast deel".to_string(),
            ),
            P::DefaultBand => (
                "Standaardband rond vorig jaar",
                Cell::text(match v.default_band.flatten() {
                    Some(b) => band_text(b),
                    None => "geen".to_string(),
                }),
                String::new(),
            ),
            P::Iterations => (
                "Herverdelingsronden van de band",
                Cell::number(
                    Decimal::from(v.distribution.map_or(0, |d| d.iterations)),
                    NumberFormat::Integer,
                ),
                "0: geen vakgroep viel buiten zijn band.".to_string(),
            ),
            P::Factor => {
                let ratio = v
                    .distribution
                    .and_then(|d| d.free_ratio)
                    .unwrap_or(Decimal::ONE);
                match &v.factor_formula {
                    Some(f) => (
                        "Factor vrije vakgroepen",
                        Cell::formula(f.clone(), ratio, NumberFormat::Fixed4),
                        "(D − Σ vastgezette toewijzingen) / Σ onbegrensde toewijzing van de vrije vakgroepen".to_string(),
                    ),
                    None => (
                        "Factor vrije vakgroepen",
                        Cell::number(ratio, NumberFormat::Fixed4),
                        "Uitkomst van de herverdeling over het hele ziekenhuis (een waarde: de vakgroepen die hij optelt staan niet in deze werkmap).".to_string(),
                    ),
                }
            }
            P::RegularOut => (
                "Gewicht output (variant 1 en 3)",
                percent(regular.output()),
                String::new(),
            ),
            P::RegularEff => (
                "Gewicht efficiency (variant 1 en 3)",
                percent(regular.efficiency()),
                String::new(),
            ),
            P::RegularPz => (
                "Gewicht passende zorg (variant 1 en 3)",
                percent(regular.passende_zorg()),
                String::new(),
            ),
            P::PzOut => (
                "Gewicht output (variant 2)",
                percent(pz.output()),
                String::new(),
            ),
            P::PzEff => (
                "Gewicht efficiency (variant 2)",
                percent(pz.efficiency()),
                String::new(),
            ),
            P::PzPz => (
                "Gewicht passende zorg (variant 2)",
                percent(pz.passende_zorg()),
                String::new(),
            ),
            P::Variant => (
                "Variant passende zorg (standaard)",
                Cell::text(s.variant.label()),
                if s.variant_overrides.is_empty() {
                    String::new()
                } else {
                    "Afwijkende varianten per vakgroep staan in de tabel.".to_string()
                },
            ),
            P::Check => {
                let d = v
                    .distribution
                    .map_or(Decimal::ZERO, |d| d.allocated - d.distributable);
                (
                    "Controle: Σ toewijzing − D",
                    Cell::formula(
                        format!(
                            "={}-{}",
                            v.allocation_total.clone().unwrap_or_default(),
                            self.abs(P::D)
                        ),
                        d,
                        NumberFormat::Euro,
                    ),
                    "0: de toewijzingen in hele centen tellen precies op tot D.".to_string(),
                )
            }
        };
        let note = if note.is_empty() {
            Cell::Empty
        } else {
            Cell::text(note)
        };
        Row::new(
            RowStyle::Normal,
            vec![Cell::text(label), Cell::Empty, cell, note],
        )
    }
}
