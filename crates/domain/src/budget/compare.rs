//! Comparisons for D7: the care products that rise and fall most within a vakgroep, and two
//! scenarios side by side per vakgroep.

use super::result::{BudgetResult, VakgroepResult};
use rust_decimal::Decimal;
use serde::Serialize;

/// How many products the vakgroep page lists per direction.
pub const TOP_N: usize = 5;

/// One care product's change from baseline to budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProductMove {
    /// Index into the vakgroep's products (and its input's products).
    pub index: usize,
    pub product_id: i64,
    pub baseline: Decimal,
    pub budget_volume: Decimal,
    /// Vb − B.
    pub volume_change: Decimal,
    /// (Vb − B) × normtijd / 60: what the change means in norm hours.
    pub hours_change: Decimal,
}

/// The products with the largest rise and the largest fall of Vb − B.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct TopMovers {
    /// Largest rise first; only products that rise.
    pub rising: Vec<ProductMove>,
    /// Largest fall first; only products that fall.
    pub falling: Vec<ProductMove>,
}

/// The `n` most rising and `n` most falling care products of a vakgroep. Ties go to the product
/// listed first, so the lists do not shuffle between two page loads.
pub fn top_movers(v: &VakgroepResult, n: usize) -> TopMovers {
    let moves = v.products.iter().enumerate().map(|(index, p)| {
        let volume_change = p.volume_change();
        ProductMove {
            index,
            product_id: p.product_id,
            baseline: p.baseline,
            budget_volume: p.budget_volume,
            volume_change,
            hours_change: volume_change * p.norm_minutes / Decimal::from(60),
        }
    });
    let mut rising: Vec<ProductMove> = moves
        .clone()
        .filter(|m| m.volume_change > Decimal::ZERO)
        .collect();
    let mut falling: Vec<ProductMove> = moves.filter(|m| m.volume_change < Decimal::ZERO).collect();
    // A partial selection keeps this linear for 5,000 products before the small sort.
    select_top(&mut rising, n, |a, b| {
        b.volume_change
            .cmp(&a.volume_change)
            .then(a.index.cmp(&b.index))
    });
    select_top(&mut falling, n, |a, b| {
        a.volume_change
            .cmp(&b.volume_change)
            .then(a.index.cmp(&b.index))
    });
    TopMovers { rising, falling }
}

fn select_top(
    items: &mut Vec<ProductMove>,
    n: usize,
    order: impl Fn(&ProductMove, &ProductMove) -> std::cmp::Ordering,
) {
    if n == 0 {
        items.clear();
        return;
    }
    if items.len() > n {
        items.select_nth_unstable_by(n - 1, &order);
        items.truncate(n);
    }
    items.sort_by(&order);
}

/// One vakgroep in two scenarios. Figures are `None` where a scenario could not compute them or
/// does not contain the vakgroep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VakgroepComparison {
    pub vakgroep_id: i64,
    pub code: String,
    pub formatief_fte: Decimal,
    pub norm_hours: (Option<Decimal>, Option<Decimal>),
    pub norm_fte: (Option<Decimal>, Option<Decimal>),
    /// Second minus first, when both have a norm-fte.
    pub norm_fte_difference: Option<Decimal>,
}

/// Two scenarios side by side, in the order of the first, followed by vakgroepen only the
/// second has.
pub fn compare_scenarios(a: &BudgetResult, b: &BudgetResult) -> Vec<VakgroepComparison> {
    let row = |first: Option<&VakgroepResult>, second: Option<&VakgroepResult>| {
        let any = first.or(second).expect("one side is present");
        let fte = |v: Option<&VakgroepResult>| v.and_then(|v| v.fte).map(|f| f.norm_fte);
        let hours = |v: Option<&VakgroepResult>| v.and_then(|v| v.norm_hours);
        let norm_fte = (fte(first), fte(second));
        VakgroepComparison {
            vakgroep_id: any.vakgroep_id,
            code: any.code.clone(),
            formatief_fte: any.formatief_fte,
            norm_hours: (hours(first), hours(second)),
            norm_fte,
            norm_fte_difference: match norm_fte {
                (Some(x), Some(y)) => Some(y - x),
                _ => None,
            },
        }
    };
    let mut rows: Vec<VakgroepComparison> = a
        .vakgroepen
        .iter()
        .map(|v| row(Some(v), find(b, v.vakgroep_id)))
        .collect();
    rows.extend(
        b.vakgroepen
            .iter()
            .filter(|v| find(a, v.vakgroep_id).is_none())
            .map(|v| row(None, Some(v))),
    );
    rows
}

fn find(r: &BudgetResult, id: i64) -> Option<&VakgroepResult> {
    r.vakgroepen.iter().find(|v| v.vakgroep_id == id)
}
