//! The Invoer sheet: per vakgroep the figures the norm-fte starts from (normuren per fte,
//! formative fte 1a/1b, last year's norm-fte, variant), every KPI with its ratio as a formula,
//! and every trend input with how it was applied. The overview's formulas point here.

use super::super::inputs::KpiKind;
use super::model::{Addr, Cell, ColumnSpec, NumberFormat, Row, RowStyle, Sheet};
use super::source::{Vg, WorkbookMeta};
use super::text::{heading, trend_change_text};
use crate::agreements::kpi::Direction;
use crate::nl;

pub(super) const SHEET: &str = "Invoer";

/// Where the overview finds a vakgroep's inputs.
#[derive(Debug, Clone, Default)]
pub(super) struct InvoerRefs {
    pub normuren: Option<Addr>,
    pub formatief: Option<Addr>,
    pub last_year_norm_fte: Option<Addr>,
    /// The ratio cells of the usable efficiency KPIs.
    pub efficiency: Vec<Addr>,
    /// The ratio cells of the usable passende-zorg KPIs.
    pub pz: Vec<Addr>,
}

const COL_NORMUREN: u32 = 2;
const COL_1A: u32 = 3;
const COL_1B: u32 = 4;
const COL_FORMATIEF: u32 = 5;
const COL_LAST_YEAR: u32 = 6;
const COL_REFERENCE: u32 = 4;
const COL_LOCAL: u32 = 5;
const COL_RATIO: u32 = 6;

/// The sheet and, index-aligned with `vakgroepen`, where each one's inputs are.
pub(super) fn build(
    meta: &WorkbookMeta,
    vakgroepen: &[Vg],
    split: &std::collections::HashMap<i64, (rust_decimal::Decimal, rust_decimal::Decimal)>,
) -> (Sheet, Vec<InvoerRefs>) {
    let mut rows = heading(meta, format!("Invoer en parameters – {}", meta.title));
    let mut refs = vec![InvoerRefs::default(); vakgroepen.len()];
    let next = |rows: &Vec<Row>| rows.len() as u32 + 1;

    rows.push(Row::new(RowStyle::Normal, vec![]));
    rows.push(Row::new(
        RowStyle::Header,
        [
            "Code",
            "Vakgroep",
            "Normuren per fte",
            "Formatieve fte 1a",
            "Formatieve fte 1b",
            "Formatieve fte (1a + 1b)",
            "Norm-fte vorig jaar",
            "Variant passende zorg",
            "Opmerking",
        ]
        .map(Cell::text)
        .to_vec(),
    ));
    for (k, v) in vakgroepen.iter().enumerate() {
        let row = next(&rows);
        let r = v.result;
        let mut note = Vec::new();
        let normuren = match r.normuren_per_fte {
            Some(n) => {
                refs[k].normuren = Some(Addr::new(COL_NORMUREN, row));
                Cell::number(n, NumberFormat::Fixed2)
            }
            None => {
                note.push("Normuren per fte ontbreken.");
                Cell::Empty
            }
        };
        let (a, b, total) = match split.get(&r.vakgroep_id) {
            Some(&(a, b)) => (
                Cell::number(a, NumberFormat::Fixed2),
                Cell::number(b, NumberFormat::Fixed2),
                Cell::formula(
                    format!(
                        "={}+{}",
                        Addr::new(COL_1A, row).a1(),
                        Addr::new(COL_1B, row).a1()
                    ),
                    r.formatief_fte,
                    NumberFormat::Fixed2,
                ),
            ),
            None => {
                note.push("1a en 1b zijn niet apart beschikbaar; de kolom ernaast is het totaal.");
                (
                    Cell::Empty,
                    Cell::Empty,
                    Cell::number(r.formatief_fte, NumberFormat::Fixed2),
                )
            }
        };
        refs[k].formatief = Some(Addr::new(COL_FORMATIEF, row));
        let last_year = match r.last_year_norm_fte {
            Some(x) => {
                refs[k].last_year_norm_fte = Some(Addr::new(COL_LAST_YEAR, row));
                Cell::number(x, NumberFormat::Fixed2)
            }
            None => Cell::Empty,
        };
        rows.push(Row::new(
            RowStyle::Normal,
            vec![
                Cell::text(&r.code),
                Cell::text(v.name),
                normuren,
                a,
                b,
                total,
                last_year,
                Cell::text(r.variant.label()),
                Cell::text(note.join(" ")),
            ],
        ));
    }

    kpi_rows(&mut rows, vakgroepen, &mut refs);
    trend_rows(&mut rows, vakgroepen);

    let widths = [12, 32, 16, 16, 16, 18, 16, 24, 70];
    let sheet = Sheet {
        name: SHEET.to_string(),
        columns: widths.map(|width| ColumnSpec { width }).to_vec(),
        freeze_rows: 2,
        rows,
    };
    (sheet, refs)
}

/// Every KPI: values as entered, the ratio as a formula (reference / local when lower is
/// better, local / reference when higher is better: above 1 is better than the reference), or
/// why it was left out of the mean.
fn kpi_rows(rows: &mut Vec<Row>, vakgroepen: &[Vg], refs: &mut [InvoerRefs]) {
    rows.push(Row::new(RowStyle::Normal, vec![]));
    rows.push(Row::new(
        RowStyle::Header,
        [
            "Vakgroep",
            "KPI",
            "Soort",
            "Richting",
            "Referentiewaarde",
            "Lokale waarde",
            "Verhouding",
            "Telt mee in",
            "Opmerking",
        ]
        .map(Cell::text)
        .to_vec(),
    ));
    let mut any = false;
    for (k, v) in vakgroepen.iter().enumerate() {
        for kpi in &v.result.kpis {
            any = true;
            let row = rows.len() as u32 + 1;
            let reference = Addr::new(COL_REFERENCE, row).a1();
            let local = Addr::new(COL_LOCAL, row).a1();
            let (ratio, counts, remark) = match kpi.ratio {
                Some(ratio) => {
                    let formula = match kpi.direction {
                        Direction::LowerIsBetter => format!("={reference}/{local}"),
                        Direction::HigherIsBetter => format!("={local}/{reference}"),
                    };
                    let at = Addr::new(COL_RATIO, row);
                    let index = match kpi.kind {
                        KpiKind::Efficiency => {
                            refs[k].efficiency.push(at);
                            "E (efficiency-index)"
                        }
                        KpiKind::PassendeZorg => {
                            refs[k].pz.push(at);
                            "Z (passende-zorgindex)"
                        }
                    };
                    (
                        Cell::formula(formula, ratio, NumberFormat::Fixed4),
                        index,
                        String::new(),
                    )
                }
                None => (
                    Cell::Empty,
                    "niet gebruikt",
                    kpi.unusable.clone().unwrap_or_default(),
                ),
            };
            rows.push(Row::new(
                RowStyle::Normal,
                vec![
                    Cell::text(&v.result.code),
                    Cell::text(&kpi.code),
                    Cell::text(kpi.kind.label()),
                    Cell::text(kpi.direction.label()),
                    Cell::number(kpi.reference, NumberFormat::Fixed4),
                    Cell::number(kpi.local, NumberFormat::Fixed4),
                    ratio,
                    Cell::text(counts),
                    Cell::text(remark),
                ],
            ));
        }
    }
    if !any {
        rows.push(Row::new(
            RowStyle::Note,
            vec![Cell::text(
                "Geen KPI's: E en Z zijn 1 (neutraal) voor elke vakgroep.",
            )],
        ));
    }
    rows.push(Row::new(
        RowStyle::Note,
        vec![Cell::text(
            "E en Z zijn het gemiddelde van de bruikbare verhoudingen van hun soort, en 1 (neutraal) zonder bruikbare KPI. Een KPI met een waarde van 0 of minder is niet bruikbaar en telt niet mee.",
        )],
    ));
}

/// Every trend input of the shown vakgroepen: scope, change, category, and whether it was
/// applied (a skipped input has no effect at all, with the reason).
fn trend_rows(rows: &mut Vec<Row>, vakgroepen: &[Vg]) {
    rows.push(Row::new(RowStyle::Normal, vec![]));
    rows.push(Row::new(
        RowStyle::Header,
        [
            "Vakgroep",
            "Trendinput",
            "Bereik",
            "Verandering",
            "Categorie",
            "",
            "",
            "",
            "Toegepast",
        ]
        .map(Cell::text)
        .to_vec(),
    ));
    let mut any = false;
    for v in vakgroepen {
        for t in &v.result.trends {
            any = true;
            let scope = match &t.products {
                None if t.applied() => "Hele vakgroep".to_string(),
                Some(list) => match list.len() {
                    1 => "1 zorgproduct".to_string(),
                    n => format!("{} zorgproducten", nl::count(n)),
                },
                None => match &t.input.scope {
                    super::super::inputs::TrendScope::Vakgroep => "Hele vakgroep".to_string(),
                    super::super::inputs::TrendScope::Products(ids) => {
                        format!("{} zorgproducten", nl::count(ids.len()))
                    }
                },
            };
            rows.push(Row::new(
                RowStyle::Normal,
                vec![
                    Cell::text(&v.result.code),
                    Cell::text(format!("T{}", t.input.id)),
                    Cell::text(scope),
                    Cell::text(trend_change_text(t.input.change)),
                    Cell::text(t.input.category.label()),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::text(t.skipped.clone().unwrap_or_else(|| "Ja".to_string())),
                ],
            ));
        }
    }
    if !any {
        rows.push(Row::new(
            RowStyle::Note,
            vec![Cell::text("Geen trendinputs in deze begroting.")],
        ));
    }
}
