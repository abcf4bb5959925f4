//! The overview's columns: which ones a workbook has (the earmark and distribution blocks only
//! when there is something to show), their headings and widths, and their letters.

use super::super::model::{Addr, Cell, ColumnSpec, column_letters};

/// A column of the overview table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum C {
    Code,
    Name,
    Variant,
    Hours,
    Normuren,
    BaseFte,
    E,
    Z,
    Factor,
    NormFte,
    Formatief,
    Mutation,
    EmGrondslag,
    EmWeight,
    EmExact,
    EmAmount,
    Fixed,
    Capacity,
    Unbounded,
    LastYear,
    Band,
    Floor,
    Cap,
    Exact,
    Allocation,
    Rounding,
    Total,
    Remarks,
}

impl C {
    fn heading(self) -> &'static str {
        match self {
            C::Code => "Code",
            C::Name => "Vakgroep",
            C::Variant => "Variant passende zorg",
            C::Hours => "Normuren H",
            C::Normuren => "Normuren per fte",
            C::BaseFte => "Basis-norm-fte F0 = H / normuren per fte",
            C::E => "Efficiency-index E",
            C::Z => "Passende-zorgindex Z",
            C::Factor => "Gewichtsfactor w_out + w_eff × E + w_pz × Z",
            C::NormFte => "Norm-fte F = F0 × factor",
            C::Formatief => "Formatieve fte",
            C::Mutation => "Mutatie F − formatief",
            C::EmGrondslag => "Grondslag geoormerkt bedrag",
            C::EmWeight => "Gewicht grondslag × Z",
            C::EmExact => "Geoormerkt deel exact",
            C::EmAmount => "Geoormerkt deel (hele centen)",
            C::Fixed => "Vast deel φ × D × formatief / Σ formatief",
            C::Capacity => "Capaciteitsdeel (1 − φ) × D × F / Σ F",
            C::Unbounded => "Onbegrensde toewijzing",
            C::LastYear => "Toewijzing vorig jaar",
            C::Band => "Band",
            C::Floor => "Ondergrens (hele centen)",
            C::Cap => "Bovengrens (hele centen)",
            C::Exact => "Exacte toewijzing",
            C::Allocation => "Toewijzing (hele centen)",
            C::Rounding => "Afronding",
            C::Total => "Totaal met geoormerkt deel",
            C::Remarks => "Opmerking",
        }
    }

    fn width(self) -> u16 {
        match self {
            C::Code => 10,
            C::Name => 30,
            C::Variant => 22,
            C::Band => 30,
            C::Remarks => 70,
            C::Hours | C::Normuren | C::BaseFte | C::E | C::Z | C::Factor => 14,
            C::NormFte | C::Formatief | C::Mutation | C::EmGrondslag | C::EmWeight => 14,
            _ => 18,
        }
    }
}

/// The columns of one overview, in order.
pub(super) struct Cols {
    list: Vec<C>,
}

impl Cols {
    pub fn new(earmark: bool, distribution: bool) -> Cols {
        let mut list = vec![
            C::Code,
            C::Name,
            C::Variant,
            C::Hours,
            C::Normuren,
            C::BaseFte,
            C::E,
            C::Z,
            C::Factor,
            C::NormFte,
            C::Formatief,
            C::Mutation,
        ];
        if earmark {
            list.extend([C::EmGrondslag, C::EmWeight, C::EmExact, C::EmAmount]);
        }
        if distribution {
            list.extend([
                C::Fixed,
                C::Capacity,
                C::Unbounded,
                C::LastYear,
                C::Band,
                C::Floor,
                C::Cap,
                C::Exact,
                C::Allocation,
                C::Rounding,
            ]);
            if earmark {
                list.push(C::Total);
            }
        }
        list.push(C::Remarks);
        Cols { list }
    }

    pub fn has(&self, c: C) -> bool {
        self.list.contains(&c)
    }

    /// The 0-based index of a column the overview has (callers check [`Cols::has`] first for
    /// the optional ones; asking for a missing one is a bug and gives the remarks column).
    pub fn index(&self, c: C) -> u32 {
        self.list
            .iter()
            .position(|&x| x == c)
            .or_else(|| self.list.iter().position(|&x| x == C::Remarks))
            .unwrap_or(0) as u32
    }

    pub fn at(&self, c: C, row: u32) -> Addr {
        Addr::new(self.index(c), row)
    }

    /// `D5` for column `c` on `row`.
    pub fn a1(&self, c: C, row: u32) -> String {
        self.at(c, row).a1()
    }

    /// `D$12`: the totals row, kept when the formula is copied down.
    pub fn total_ref(&self, c: C, row: u32) -> String {
        format!("{}${row}", column_letters(self.index(c)))
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn headings(&self) -> Vec<Cell> {
        self.list.iter().map(|c| Cell::text(c.heading())).collect()
    }

    pub fn specs(&self) -> Vec<ColumnSpec> {
        self.list
            .iter()
            .map(|c| ColumnSpec { width: c.width() })
            .collect()
    }
}

/// A row of cells being filled by column.
pub(super) struct RowCells<'a> {
    cols: &'a Cols,
    cells: Vec<Cell>,
}

impl<'a> RowCells<'a> {
    pub fn new(cols: &'a Cols) -> RowCells<'a> {
        RowCells {
            cols,
            cells: vec![Cell::Empty; cols.len()],
        }
    }

    pub fn set(&mut self, c: C, cell: Cell) {
        if self.cols.has(c) {
            let i = self.cols.index(c) as usize;
            self.cells[i] = cell;
        }
    }

    pub fn into_cells(self) -> Vec<Cell> {
        self.cells
    }
}
