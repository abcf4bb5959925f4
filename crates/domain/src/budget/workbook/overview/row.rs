//! One vakgroep's row of the overview, block by block: the norm-fte chain, the earmarked share
//! and the allocation. Each formula points at cells of the same row, the parameters (`$C$…`) or
//! the totals row (`K$8`), as docs/controller-exports.md lists them.

use super::INVOER;
use super::columns::{C, Cols, RowCells};
use super::params::{P, Params};
use crate::budget::distribution::{BandTrace, Distribution, VakgroepAllocation};
use crate::budget::result::{EarmarkShare, VakgroepResult};
use crate::budget::scenario::{Grondslag, PzVariant};
use crate::budget::workbook::inputs_sheet::InvoerRefs;
use crate::budget::workbook::model::{Addr, Cell, NumberFormat};
use crate::budget::workbook::source::Vg;
use crate::budget::workbook::text::band_text;
use rust_decimal::Decimal;

pub(super) struct RowBuilder<'a> {
    cols: &'a Cols,
    params: &'a Params,
    row: u32,
    total_row: u32,
    cells: RowCells<'a>,
    remarks: Vec<String>,
}

impl<'a> RowBuilder<'a> {
    pub fn new(cols: &'a Cols, params: &'a Params, row: u32, total_row: u32) -> Self {
        RowBuilder {
            cols,
            params,
            row,
            total_row,
            cells: RowCells::new(cols),
            remarks: Vec::new(),
        }
    }

    /// `D5`: column `c` on this row.
    fn at(&self, c: C) -> String {
        self.cols.a1(c, self.row)
    }

    fn set(&mut self, c: C, cell: Cell) {
        self.cells.set(c, cell);
    }

    /// Code, name, variant, and what comes from elsewhere: H from the vakgroep's sheet, normuren
    /// and formative fte from Invoer, E and Z over the KPI ratios on Invoer.
    pub fn head(&mut self, v: &Vg, refs: &InvoerRefs, hours: Option<Addr>) {
        let r = v.result;
        self.set(C::Code, Cell::text(&r.code));
        self.set(C::Name, Cell::text(v.name));
        self.set(C::Variant, Cell::text(r.variant.label()));
        let fixed2 = NumberFormat::Fixed2;
        if let (Some(h), Some(addr)) = (r.norm_hours, hours) {
            self.set(
                C::Hours,
                Cell::formula(format!("={}", addr.on(&v.sheet)), h, fixed2),
            );
        }
        if let (Some(n), Some(addr)) = (r.normuren_per_fte, refs.normuren) {
            self.set(
                C::Normuren,
                Cell::formula(format!("={}", addr.on(INVOER)), n, fixed2),
            );
        }
        self.set(C::E, index_cell(&refs.efficiency, r.efficiency_index));
        self.set(C::Z, index_cell(&refs.pz, r.pz_index));
        if let Some(addr) = refs.formatief {
            self.set(
                C::Formatief,
                Cell::formula(format!("={}", addr.on(INVOER)), r.formatief_fte, fixed2),
            );
        }
    }

    /// F0 = H / normuren, the weight factor with the weights of the vakgroep's variant, F and
    /// the mutation; or why the vakgroep does not count in the totals.
    pub fn fte(&mut self, r: &VakgroepResult) {
        let Some(f) = r.fte else {
            self.remarks
                .push("Telt niet mee in de totalen.".to_string());
            return;
        };
        let (w_out, w_eff, w_pz) = if r.variant == PzVariant::InNormFte {
            (P::PzOut, P::PzEff, P::PzPz)
        } else {
            (P::RegularOut, P::RegularEff, P::RegularPz)
        };
        let fixed2 = NumberFormat::Fixed2;
        let base = format!("={}/{}", self.at(C::Hours), self.at(C::Normuren));
        self.set(C::BaseFte, Cell::formula(base, f.base_norm_fte, fixed2));
        let factor = format!(
            "={}+{}*{}+{}*{}",
            self.params.abs(w_out),
            self.params.abs(w_eff),
            self.at(C::E),
            self.params.abs(w_pz),
            self.at(C::Z)
        );
        self.set(
            C::Factor,
            Cell::formula(factor, f.weight_factor, NumberFormat::Fixed4),
        );
        let norm_fte = format!("={}*{}", self.at(C::BaseFte), self.at(C::Factor));
        self.set(C::NormFte, Cell::formula(norm_fte, f.norm_fte, fixed2));
        let mutation = format!("={}-{}", self.at(C::NormFte), self.at(C::Formatief));
        self.set(C::Mutation, Cell::formula(mutation, f.mutation, fixed2));
    }

    /// Variant 3: the grondslag (a reference to where it is), grondslag × Z, the exact share of
    /// the earmarked amount, and the share in whole cents (largest remainder: a value).
    pub fn earmark(&mut self, e: &EarmarkShare, refs: &InvoerRefs) {
        let grondslag = match e.grondslag {
            Grondslag::FormatiefFte => Some(format!("={}", self.at(C::Formatief))),
            Grondslag::NormFte => Some(format!("={}", self.at(C::NormFte))),
            Grondslag::NormFteVorigJaar => refs
                .last_year_norm_fte
                .map(|a| format!("={}", a.on(INVOER))),
        };
        let fixed2 = NumberFormat::Fixed2;
        self.set(
            C::EmGrondslag,
            match grondslag {
                Some(f) => Cell::formula(f, e.grondslag_value, fixed2),
                None => Cell::number(e.grondslag_value, fixed2),
            },
        );
        let weight = format!("={}*{}", self.at(C::EmGrondslag), self.at(C::Z));
        self.set(
            C::EmWeight,
            Cell::formula(weight, e.weight, NumberFormat::Fixed4),
        );
        let exact = format!(
            "={}*{}/{}",
            self.params.abs(P::EarmarkAmount),
            self.at(C::EmWeight),
            self.cols.total_ref(C::EmWeight, self.total_row)
        );
        self.set(
            C::EmExact,
            Cell::formula(exact, e.exact, NumberFormat::EuroExact),
        );
        self.set(C::EmAmount, Cell::number(e.amount, NumberFormat::Euro));
    }

    /// The distribution: fixed and capacity part as shares of their components, the band, the
    /// exact allocation (a formula unless the band set it), the whole cents (a value), the
    /// rounding and the total with the earmarked share.
    pub fn allocation(&mut self, a: &VakgroepAllocation, d: &Distribution) {
        let euro = NumberFormat::EuroExact;
        // A component is shared pro rata to a column whose total is in the totals row. When that
        // total is 0 the component is 0 too (distribute refuses otherwise) and the formula would
        // divide by zero, so the 0 is a value.
        let share = |b: &Self, component: P, weight: C, value: Decimal, total: Decimal| {
            if total.is_zero() {
                return Cell::number(value, euro);
            }
            let formula = format!(
                "={}*{}/{}",
                b.params.abs(component),
                b.at(weight),
                b.cols.total_ref(weight, b.total_row)
            );
            Cell::formula(formula, value, euro)
        };
        let fixed = share(
            self,
            P::FixedComponent,
            C::Formatief,
            a.fixed_part,
            d.formatief_total,
        );
        self.set(C::Fixed, fixed);
        let capacity = share(
            self,
            P::CapacityComponent,
            C::NormFte,
            a.capacity_part,
            d.norm_fte_total,
        );
        self.set(C::Capacity, capacity);
        let unbounded = format!("={}+{}", self.at(C::Fixed), self.at(C::Capacity));
        self.set(C::Unbounded, Cell::formula(unbounded, a.unbounded, euro));
        if let Some(last) = a.last_year {
            self.set(C::LastYear, Cell::number(last, NumberFormat::Euro));
        }
        match a.band {
            BandTrace::Applied(b) => {
                let text = format!(
                    "{} ({})",
                    band_text(b.band),
                    b.source.label().to_lowercase()
                );
                self.set(C::Band, Cell::text(text));
                self.set(C::Floor, Cell::number(b.floor_amount, NumberFormat::Euro));
                self.set(C::Cap, Cell::number(b.cap_amount, NumberFormat::Euro));
            }
            BandTrace::NotApplied(reason) => self.set(C::Band, Cell::text(reason.label())),
        }
        let exact = match (a.binding, self.params.addr(P::Factor)) {
            _ if d.iterations == 0 => {
                Cell::formula(format!("={}", self.at(C::Unbounded)), a.exact, euro)
            }
            (Some(b), _) => {
                self.remarks.push(format!(
                    "Buiten de band: in ronde {} vastgezet op de {}; de exacte toewijzing is die grens (een waarde).",
                    b.iteration,
                    b.side.label().to_lowercase()
                ));
                Cell::number(a.exact, euro)
            }
            (None, Some(factor)) => Cell::formula(
                format!("={}*{}", self.at(C::Unbounded), factor.abs()),
                a.exact,
                euro,
            ),
            (None, None) => Cell::number(a.exact, euro),
        };
        self.set(C::Exact, exact);
        self.set(
            C::Allocation,
            Cell::number(a.allocation, NumberFormat::Euro),
        );
        let rounding = format!("={}-{}", self.at(C::Allocation), self.at(C::Exact));
        self.set(
            C::Rounding,
            Cell::formula(rounding, a.cents_adjustment, euro),
        );
        let total = format!("={}+{}", self.at(C::Allocation), self.at(C::EmAmount));
        self.set(C::Total, Cell::formula(total, a.total, NumberFormat::Euro));
    }

    /// The remarks (this builder's and the engine's messages) and the cells.
    pub fn finish(mut self, r: &VakgroepResult) -> Vec<Cell> {
        self.remarks
            .extend(r.issues.iter().map(|i| i.message.clone()));
        if !self.remarks.is_empty() {
            let text = self.remarks.join(" ");
            self.set(C::Remarks, Cell::text(text));
        }
        self.cells.into_cells()
    }
}

/// E or Z: the mean of the usable KPI ratios on the Invoer sheet, or the neutral 1 (a value:
/// the rule, not a computation) without any.
fn index_cell(ratios: &[Addr], index: Decimal) -> Cell {
    if ratios.is_empty() {
        return Cell::number(index, NumberFormat::Fixed4);
    }
    let list: Vec<String> = ratios.iter().map(|a| a.on(INVOER)).collect();
    Cell::formula(
        format!("=AVERAGE({})", list.join(",")),
        index,
        NumberFormat::Fixed4,
    )
}
