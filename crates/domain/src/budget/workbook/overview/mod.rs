//! The Overzicht sheet: one row per vakgroep from norm hours to allocation, the hospital totals,
//! the parameters the formulas use, the adopting decisions and notes. Which figures are formulas
//! and which are values, and why, is in docs/controller-exports.md.

mod columns;
mod params;
mod row;
mod totals;

use super::inputs_sheet::{InvoerRefs, SHEET as INVOER};
use super::model::{Addr, Cell, Row, RowStyle, Sheet};
use super::source::{Vg, WorkbookSource};
use super::text::heading;
use columns::{C, Cols};
use params::{P, ParamValues, Params};

pub(super) const SHEET: &str = "Overzicht";
const HEADER_ROW: u32 = 4;
const FIRST_ROW: u32 = HEADER_ROW + 1;

/// What the overview needs besides the source: the vakgroepen shown (code order), where their
/// inputs and H are, and whether the whole hospital is shown (only then are totals formulas).
pub(super) struct Overview<'a, 'b> {
    pub source: &'b WorkbookSource<'a>,
    pub vakgroepen: &'b [Vg<'a>],
    pub invoer: &'b [InvoerRefs],
    pub hours: &'b [Option<Addr>],
    pub full: bool,
}

impl Overview<'_, '_> {
    pub fn build(&self) -> Sheet {
        let s = self.source;
        let meta = s.meta;
        let cols = Cols::new(s.scenario.earmark.is_some(), s.distribution.is_some());
        let n = self.vakgroepen.len() as u32;
        let total_row = FIRST_ROW + n;
        let mut values = self.param_values(&cols, total_row);
        let params = Params::new(total_row + 3, &values);
        // The factor's formula points at D, whose address the layout has just given out; the
        // layout itself depends only on whether there is a factor, not on its formula.
        values.factor_formula = self.factor_formula(&cols, &params);

        let mut rows = heading(meta, meta.title.clone());
        rows.push(Row::new(
            RowStyle::Note,
            vec![Cell::text(self.scope_line())],
        ));
        rows.push(Row::new(RowStyle::Header, cols.headings()));
        for (k, v) in self.vakgroepen.iter().enumerate() {
            let row = FIRST_ROW + k as u32;
            rows.push(Row::new(
                RowStyle::Normal,
                self.vakgroep_row(&cols, &params, v, k, row, total_row),
            ));
        }
        rows.push(Row::new(
            RowStyle::Total,
            totals::row(self, &cols, total_row),
        ));
        rows.push(Row::new(RowStyle::Normal, vec![]));
        rows.push(Row::new(
            RowStyle::Header,
            ["Parameter", "", "Waarde", "Toelichting"]
                .map(Cell::text)
                .to_vec(),
        ));
        rows.extend(params.rows(&values));
        rows.extend(self.adoption_rows());
        rows.extend(self.notes());

        Sheet {
            name: SHEET.to_string(),
            columns: cols.specs(),
            freeze_rows: HEADER_ROW,
            rows,
        }
    }

    fn scope_line(&self) -> String {
        let year = self.source.meta.year;
        if self.full {
            return format!(
                "Begrotingsjaar {year}: alle vakgroepen en de totalen van het ziekenhuis."
            );
        }
        let codes: Vec<&str> = self
            .vakgroepen
            .iter()
            .map(|v| v.result.code.as_str())
            .collect();
        if codes.is_empty() {
            format!("Begrotingsjaar {year}: alleen de totalen van het ziekenhuis.")
        } else {
            format!(
                "Begrotingsjaar {year}: vakgroep {} en de totalen van het hele ziekenhuis.",
                codes.join(", ")
            )
        }
    }

    fn param_values(&self, cols: &Cols, total_row: u32) -> ParamValues<'_> {
        let s = self.source;
        let d = s.distribution;
        ParamValues {
            fee_budget: d.map(|d| d.fee_budget).or(s.frame.map(|f| f.fee_budget)),
            fixed_share: d.map(|d| d.fixed_share).or(s.frame.map(|f| f.fixed_share)),
            placement: d.map(|d| d.placement).or(s.frame.map(|f| f.placement)),
            default_band: s.frame.map(|f| f.default_band),
            scenario: s.scenario,
            distribution: d,
            earmark_total: cols
                .has(C::EmAmount)
                .then(|| cols.total_ref(C::EmAmount, total_row)),
            allocation_total: cols
                .has(C::Allocation)
                .then(|| cols.total_ref(C::Allocation, total_row)),
            factor_formula: None,
        }
    }

    /// `=($C$D-(X5+X9))/(T6+T7+T8)`: what is left after the bound vakgroepen, over the
    /// unbounded allocations of the free ones. Only for the whole hospital: a representative's
    /// workbook does not have the other rows, and gets the factor as a value.
    fn factor_formula(&self, cols: &Cols, params: &Params) -> Option<String> {
        let d = self.source.distribution?;
        if !self.full || d.iterations == 0 || d.free_ratio.is_none() {
            return None;
        }
        let mut bound = Vec::new();
        let mut free = Vec::new();
        for (k, v) in self.vakgroepen.iter().enumerate() {
            let row = FIRST_ROW + k as u32;
            match v.allocation?.binding {
                Some(_) => bound.push(cols.a1(C::Exact, row)),
                None => free.push(cols.a1(C::Unbounded, row)),
            }
        }
        if bound.is_empty() || free.is_empty() {
            return None;
        }
        Some(format!(
            "=({}-({}))/({})",
            params.abs(P::D),
            bound.join("+"),
            free.join("+")
        ))
    }

    fn vakgroep_row(
        &self,
        cols: &Cols,
        params: &Params,
        v: &Vg,
        k: usize,
        row: u32,
        total_row: u32,
    ) -> Vec<Cell> {
        let mut b = row::RowBuilder::new(cols, params, row, total_row);
        b.head(v, &self.invoer[k], self.hours[k]);
        b.fte(v.result);
        if let Some(e) = v.result.earmark {
            b.earmark(&e, &self.invoer[k]);
        }
        if let (Some(a), Some(d)) = (v.allocation, self.source.distribution) {
            b.allocation(a, d);
        }
        b.finish(v.result)
    }

    /// Who adopted the scenario, or that it is a concept.
    fn adoption_rows(&self) -> Vec<Row> {
        let meta = self.source.meta;
        let mut rows = vec![
            Row::new(RowStyle::Normal, vec![]),
            Row::new(RowStyle::Header, vec![Cell::text("Vaststelling")]),
        ];
        if meta.concept {
            rows.push(Row::new(
                RowStyle::Warning,
                vec![Cell::text(
                    "CONCEPT: dit scenario is niet door beide gremia vastgesteld.",
                )],
            ));
        }
        rows.push(Row::new(
            RowStyle::Normal,
            vec![Cell::text(match &meta.snapshot_hash {
                Some(h) => format!("Snapshot-hash (inhoud van invoer en resultaat): {h}"),
                None => "Geen snapshot: de begroting is (nog) niet vastgelegd.".to_string(),
            })],
        ));
        for d in &meta.decisions {
            rows.push(Row::new(
                RowStyle::Normal,
                vec![Cell::text(format!(
                    "{}: {} in {} op {}.",
                    d.body,
                    d.decision,
                    d.meeting,
                    crate::nl::date(d.date)
                ))],
            ));
        }
        rows
    }

    fn notes(&self) -> Vec<Row> {
        let mut lines = vec![
            "Formules: normuren per zorgproduct = Vb × normtijd / 60 (werkblad per vakgroep); H = som daarvan; F0 = H / normuren per fte; E en Z = gemiddelde van de KPI-verhoudingen (werkblad Invoer); F = F0 × (w_out + w_eff × E + w_pz × Z); mutatie = F − formatieve fte.".to_string(),
            "Bedragen in hele centen (toewijzing en geoormerkt deel) zijn waarden: de grootste-restmethode verdeelt de centen zo dat ze precies optellen. Het exacte bedrag staat ernaast, als formule waar de berekening dat toelaat.".to_string(),
        ];
        if !self.full {
            lines.push("De totalen zijn die van het hele ziekenhuis; omdat de andere vakgroepen niet in deze werkmap staan, zijn het waarden en geen formules.".to_string());
        }
        let t = &self.source.result.totals;
        if t.incomplete > 0 {
            lines.push(format!(
                "Totalen over de volledig doorgerekende vakgroepen ({} van {}).",
                t.complete,
                t.complete + t.incomplete
            ));
        }
        if self.full {
            lines.extend(self.source.result.issues.iter().map(|i| i.message.clone()));
        }
        let mut rows = vec![
            Row::new(RowStyle::Normal, vec![]),
            Row::new(RowStyle::Header, vec![Cell::text("Toelichting")]),
        ];
        rows.extend(
            lines
                .into_iter()
                .map(|l| Row::new(RowStyle::Note, vec![Cell::text(l)])),
        );
        rows
    }
}
