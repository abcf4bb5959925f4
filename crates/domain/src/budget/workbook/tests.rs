//! Unit tests of the assembled workbook on small budgets: the checks that refuse parts that do
//! not belong together, sheet names that collide, and vakgroepen the engine could not compute.
//! The golden budgets and generated hospitals are in `tests/workbook.rs`.

use super::*;
use crate::budget::{BudgetInput, CareProduct, Scenario, VakgroepInput, compute};
use rust_decimal::{Decimal, dec};

fn vakgroep(id: i64, code: &str, baseline: Decimal) -> VakgroepInput {
    VakgroepInput {
        id,
        code: code.into(),
        normuren_per_fte: Some(dec!(1200)),
        formatief_fte: dec!(3),
        last_year_norm_fte: None,
        products: vec![CareProduct {
            id: id * 10,
            code: format!("P{id}"),
            norm_minutes: dec!(20),
            baseline,
        }],
        kpis: vec![],
        trends: vec![],
    }
}

fn meta() -> WorkbookMeta {
    WorkbookMeta {
        title: "Begroting".into(),
        year: 2027,
        scenario: "Basis".into(),
        concept: true,
        snapshot_hash: None,
        decisions: vec![],
    }
}

fn build(
    input: &BudgetInput,
    labels: &Labels,
    scope: &WorkbookScope,
) -> Result<Workbook, WorkbookError> {
    let scenario = Scenario::default();
    let result = compute(input, &scenario).unwrap();
    let meta = meta();
    let source = WorkbookSource {
        input,
        scenario: &scenario,
        result: &result,
        distribution: None,
        frame: None,
        labels,
        meta: &meta,
    };
    build_workbook(&source, scope)
}

#[test]
fn colliding_sheet_names_get_a_number() {
    let input = BudgetInput {
        vakgroepen: vec![
            vakgroep(1, "CHI", dec!(10)),
            vakgroep(2, "chi", dec!(20)),
            vakgroep(3, "Invoer", dec!(30)),
        ],
    };
    let b = build(&input, &Labels::default(), &WorkbookScope::Hospital).unwrap();
    let names: Vec<&str> = b.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["Overzicht", "Invoer", "CHI", "Invoer (2)", "chi (2)"]
    );
    assert_eq!(verify_formulas(&b).map(|n| n > 0), Ok(true));
}

#[test]
fn a_vakgroep_without_volumes_shows_its_products_and_no_formulas() {
    let input = BudgetInput {
        vakgroepen: vec![vakgroep(1, "A", dec!(10)), vakgroep(2, "B", dec!(-1))],
    };
    let b = build(&input, &Labels::default(), &WorkbookScope::Hospital).unwrap();
    verify_formulas(&b).unwrap();
    let sheet = b.sheet("B").unwrap();
    assert_eq!(sheet.cell(3, 6), Some(&Cell::Empty));
    assert_eq!(sheet.cell(5, 0), Some(&Cell::text("P2")));
    assert_eq!(sheet.cell(5, 4), Some(&Cell::Empty));
    let overview = b.sheet("Overzicht").unwrap();
    // Row 6 is B: no H, no F, and a remark saying why.
    assert_eq!(overview.cell(6, 3), Some(&Cell::Empty));
    let remark = overview.rows[5].cells.last().unwrap();
    assert!(matches!(remark, Cell::Text(t) if t.contains("negatief basisvolume")));
}

#[test]
fn an_empty_scope_shows_the_totals_only() {
    let input = BudgetInput {
        vakgroepen: vec![vakgroep(1, "A", dec!(10)), vakgroep(2, "B", dec!(20))],
    };
    let scope = WorkbookScope::Vakgroepen(Default::default());
    let b = build(&input, &Labels::default(), &scope).unwrap();
    verify_formulas(&b).unwrap();
    assert_eq!(b.sheets.len(), 2);
    let overview = b.sheet("Overzicht").unwrap();
    assert_eq!(overview.cell(5, 0), Some(&Cell::text("Totaal")));
    // 10 × 20 / 60 + 20 × 20 / 60 = 10 hours.
    assert_eq!(overview.cell(5, 3).and_then(Cell::value), Some(dec!(10)));
}

#[test]
fn parts_that_do_not_belong_together_are_refused() {
    let input = BudgetInput {
        vakgroepen: vec![vakgroep(1, "A", dec!(10))],
    };
    let scenario = Scenario::default();
    let result = compute(&input, &scenario).unwrap();
    let other = BudgetInput {
        vakgroepen: vec![vakgroep(2, "B", dec!(10))],
    };
    let meta = meta();
    let labels = Labels::default();
    let source = WorkbookSource {
        input: &other,
        scenario: &scenario,
        result: &result,
        distribution: None,
        frame: None,
        labels: &labels,
        meta: &meta,
    };
    assert!(matches!(
        build_workbook(&source, &WorkbookScope::Hospital),
        Err(WorkbookError::ResultDoesNotMatch(_))
    ));

    let mut labels = Labels::default();
    labels.formatief_split.insert(1, (dec!(1), dec!(1)));
    let err = build(&input, &labels, &WorkbookScope::Hospital).unwrap_err();
    assert_eq!(
        err.to_string(),
        "De formatieve fte 1a en 1b van vakgroep A tellen niet op tot de formatieve fte van de berekening."
    );
}

#[test]
fn a_csv_field_is_quoted_only_where_needed_and_never_runs_as_a_formula() {
    assert_eq!(csv_field("Gewoon"), "Gewoon");
    assert_eq!(csv_field("a;b"), "\"a;b\"");
    assert_eq!(csv_field("zei \"ja\""), "\"zei \"\"ja\"\"\"");
    assert_eq!(csv_field("regel\nregel"), "\"regel\nregel\"");
    assert_eq!(csv_field(" rand"), "\" rand\"");
    assert_eq!(csv_field("=SOM(A1)"), "'=SOM(A1)");
    assert_eq!(csv_field("-1+1"), "'-1+1");
    assert_eq!(csv_field("é ü"), "é ü");
}
