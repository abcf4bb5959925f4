//! What the workbook is built from, who it is for, and the checks that the parts belong together.

use super::super::distribution::{Distribution, Frame, VakgroepAllocation};
use super::super::inputs::{BudgetInput, VakgroepInput};
use super::super::result::{BudgetResult, VakgroepResult};
use super::super::scenario::Scenario;
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashMap};
use time::Date;

/// One body's decision adopting the scenario (D9), as the exports list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoptionDecision {
    /// The body, e.g. "Raad van Bestuur".
    pub body: String,
    /// The decision as recorded, e.g. "Vastgesteld".
    pub decision: String,
    /// The meeting's title.
    pub meeting: String,
    pub date: Date,
}

/// About the export as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkbookMeta {
    /// E.g. "Capaciteitsbegroting 2027 – Basis".
    pub title: String,
    pub year: i32,
    /// The scenario's name.
    pub scenario: String,
    /// Not (yet) adopted by both bodies: every sheet says CONCEPT at the top.
    pub concept: bool,
    /// The adopted snapshot's content hash (D9).
    pub snapshot_hash: Option<String>,
    pub decisions: Vec<AdoptionDecision>,
}

/// Names the engine's input does not carry. A missing name or description leaves the cell
/// empty (the code is always shown).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels {
    /// By vakgroep id.
    pub vakgroep_names: HashMap<i64, String>,
    /// By care product id.
    pub product_descriptions: HashMap<i64, String>,
    /// Formative fte as categories 1a and 1b, by vakgroep id, where the store has them; they
    /// must add up to the engine's formative fte. Without them the Invoer sheet shows the total
    /// only and says so.
    pub formatief_split: HashMap<i64, (Decimal, Decimal)>,
}

/// Which vakgroepen the reader may see in detail (product.md §0). Every reader sees the
/// hospital totals; a vakgroep representative sees the rows and sheets of their own vakgroepen
/// only, and nothing else that names or measures another vakgroep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkbookScope {
    /// Every vakgroep: controllers and board members.
    Hospital,
    /// These vakgroepen (by id) and the hospital totals.
    Vakgroepen(BTreeSet<i64>),
}

impl WorkbookScope {
    pub fn shows(&self, vakgroep_id: i64) -> bool {
        match self {
            WorkbookScope::Hospital => true,
            WorkbookScope::Vakgroepen(ids) => ids.contains(&vakgroep_id),
        }
    }
}

/// Everything the workbook shows. `distribution` is `None` when the reader may not see the
/// per-vakgroep distribution (it is MSB-only until shared) or when there is none (no fee
/// budget, or the frame was infeasible); `frame` is the year's financial settings, when set.
#[derive(Debug, Clone, Copy)]
pub struct WorkbookSource<'a> {
    pub input: &'a BudgetInput,
    pub scenario: &'a Scenario,
    pub result: &'a BudgetResult,
    pub distribution: Option<&'a Distribution>,
    pub frame: Option<&'a Frame>,
    pub labels: &'a Labels,
    pub meta: &'a WorkbookMeta,
}

/// Why no workbook was made: the parts given do not belong together (a caller error, named so
/// that the log says which), or the budget does not fit in a sheet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkbookError {
    #[error("De berekening hoort niet bij deze invoer: {0}.")]
    ResultDoesNotMatch(String),
    #[error("De verdeling hoort niet bij deze berekening: {0}.")]
    DistributionDoesNotMatch(String),
    #[error(
        "De formatieve fte 1a en 1b van vakgroep {0} tellen niet op tot de formatieve fte van de berekening."
    )]
    SplitDoesNotAdd(String),
    #[error(
        "Vakgroep {0} heeft meer zorgproducten dan een werkblad regels heeft (1.048.576); de begroting is niet als werkmap te exporteren."
    )]
    TooManyRows(String),
}

/// Excel's last row.
pub(super) const MAX_ROWS: usize = 1_048_576;

/// One vakgroep as the builders see it, in code order.
pub(super) struct Vg<'a> {
    pub input: &'a VakgroepInput,
    pub result: &'a VakgroepResult,
    pub name: &'a str,
    pub allocation: Option<&'a VakgroepAllocation>,
    /// Its sheet's name.
    pub sheet: String,
}

impl Vg<'_> {
    /// "Cardiologie (CAR)", or the code alone without a name.
    pub fn display_name(&self) -> String {
        if self.name.is_empty() {
            self.result.code.clone()
        } else {
            format!("{} ({})", self.name, self.result.code)
        }
    }
}

/// Checks that result, input, distribution and labels describe the same vakgroepen.
pub(super) fn check(source: &WorkbookSource) -> Result<(), WorkbookError> {
    let (input, result) = (source.input, source.result);
    if input.vakgroepen.len() != result.vakgroepen.len() {
        return Err(WorkbookError::ResultDoesNotMatch(format!(
            "{} vakgroepen in de invoer, {} in de berekening",
            input.vakgroepen.len(),
            result.vakgroepen.len()
        )));
    }
    for (i, r) in input.vakgroepen.iter().zip(&result.vakgroepen) {
        if i.id != r.vakgroep_id || i.code != r.code {
            return Err(WorkbookError::ResultDoesNotMatch(format!(
                "vakgroep {} staat op de plaats van {}",
                r.code, i.code
            )));
        }
        // The engine leaves the products out when it could not compute the volumes.
        let same_products = r.products.is_empty()
            || (r.products.len() == i.products.len()
                && r.products
                    .iter()
                    .zip(&i.products)
                    .all(|(a, b)| a.product_id == b.id));
        if !same_products {
            return Err(WorkbookError::ResultDoesNotMatch(format!(
                "de zorgproducten van vakgroep {} verschillen",
                r.code
            )));
        }
        if r.weights != source.scenario.weights_for(r.variant) {
            return Err(WorkbookError::ResultDoesNotMatch(format!(
                "de gewichten van vakgroep {} horen niet bij het scenario",
                r.code
            )));
        }
        if i.products.len() + 8 > MAX_ROWS {
            return Err(WorkbookError::TooManyRows(r.code.clone()));
        }
        if let Some(&(a, b)) = source.labels.formatief_split.get(&r.vakgroep_id)
            && a.checked_add(b) != Some(r.formatief_fte)
        {
            return Err(WorkbookError::SplitDoesNotAdd(r.code.clone()));
        }
    }
    if let Some(d) = source.distribution {
        if d.vakgroepen.len() != result.vakgroepen.len() {
            return Err(WorkbookError::DistributionDoesNotMatch(format!(
                "{} vakgroepen in de verdeling, {} in de berekening",
                d.vakgroepen.len(),
                result.vakgroepen.len()
            )));
        }
        for a in &d.vakgroepen {
            let Some(r) = result
                .vakgroepen
                .iter()
                .find(|r| r.vakgroep_id == a.vakgroep_id)
            else {
                return Err(WorkbookError::DistributionDoesNotMatch(format!(
                    "vakgroep {} ontbreekt in de berekening",
                    a.code
                )));
            };
            let earmark = r.earmark.map_or(Decimal::ZERO, |e| e.amount);
            if r.fte.map(|f| f.norm_fte) != Some(a.norm_fte)
                || r.formatief_fte != a.formatief_fte
                || earmark != a.earmark
            {
                return Err(WorkbookError::DistributionDoesNotMatch(format!(
                    "de fte of het geoormerkte deel van vakgroep {} verschillen",
                    a.code
                )));
            }
        }
    }
    Ok(())
}

/// The vakgroepen the scope shows, in code order, with their sheet names still empty.
pub(super) fn visible<'a>(source: &WorkbookSource<'a>, scope: &WorkbookScope) -> Vec<Vg<'a>> {
    let mut list: Vec<Vg<'a>> = source
        .input
        .vakgroepen
        .iter()
        .zip(&source.result.vakgroepen)
        .filter(|(_, r)| scope.shows(r.vakgroep_id))
        .map(|(input, result)| Vg {
            input,
            result,
            name: source
                .labels
                .vakgroep_names
                .get(&result.vakgroep_id)
                .map_or("", String::as_str),
            allocation: source
                .distribution
                .and_then(|d| d.vakgroep(result.vakgroep_id)),
            sheet: String::new(),
        })
        .collect();
    list.sort_by(|a, b| a.result.code.cmp(&b.result.code));
    list
}
