//! Scenarios side by side (D7), with the realisation of the first one's reference year.

use super::engine::{self, Loaded, figure_row, signed, totals_row};
use super::{Pairs, ids};
use crate::budget::distribution;
use crate::shared::error::AppResult;
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::budget::{BudgetResult, compare_scenarios};
use domain::ids::{ScenarioId, VakgroepId};

/// Each scenario costs one bounded read and one computation; a table wider than this does not
/// fit on a screen anyway.
const MAX_COMPARED: usize = 4;

struct Column {
    title: String,
    href: Option<String>,
}

struct Cell {
    norm_hours: String,
    norm_fte: String,
    formatief: String,
    mutation: String,
    /// The allocation from the fee budget (D6), where the reader may see it (§0).
    allocation: String,
    /// Allocation minus last year's allocation.
    vs_last_year: String,
}

const MISSING: &str = "–";

/// A scenario's allocation for vakgroep `id` (or the hospital's, `None`), and its difference with
/// last year: only where the reader may see it, "–" otherwise, so that nothing of an unshared
/// distribution reaches the page.
fn allocation_cells(
    d: Option<&distribution::Computed>,
    user: &User,
    id: Option<i64>,
) -> (String, String) {
    let Some(Ok(dist)) = d.map(|c| &c.outcome) else {
        return (MISSING.into(), MISSING.into());
    };
    let Some(id) = id else {
        return (domain::nl::eur(dist.allocated), MISSING.into());
    };
    match dist.vakgroep(id) {
        Some(v) if d.is_some_and(|c| c.sees(user, id)) => (
            domain::nl::eur(v.allocation),
            v.last_year
                .map(|l| signed_euros(v.allocation - l))
                .unwrap_or(MISSING.into()),
        ),
        _ => (MISSING.into(), MISSING.into()),
    }
}

fn signed_euros(x: rust_decimal::Decimal) -> String {
    let text = domain::nl::eur(x.abs());
    if x.is_sign_negative() && !x.is_zero() {
        format!("−{text}")
    } else if x.is_zero() {
        text
    } else {
        format!("+{text}")
    }
}

struct CompareRow {
    code: String,
    name: String,
    cells: Vec<Cell>,
    /// Norm-fte of the second scenario minus the first.
    difference: String,
}

struct ScenarioChoice {
    id: ScenarioId,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "budget/compare.html")]
struct ComparePage {
    layout: Layout,
    choices: Vec<ScenarioChoice>,
    columns: Vec<Column>,
    rows: Vec<CompareRow>,
    totals: Vec<Cell>,
    too_many: bool,
    with_difference: bool,
}

fn cell(v: Option<&domain::budget::VakgroepResult>, allocation: (String, String)) -> Cell {
    let (allocation, vs_last_year) = allocation;
    match v {
        None => Cell {
            norm_hours: MISSING.into(),
            norm_fte: MISSING.into(),
            formatief: MISSING.into(),
            mutation: MISSING.into(),
            allocation,
            vs_last_year,
        },
        Some(v) => {
            let r = figure_row(v, String::new());
            Cell {
                norm_hours: r.norm_hours,
                norm_fte: r.norm_fte,
                formatief: r.formatief,
                mutation: r.mutation,
                allocation,
                vs_last_year,
            }
        }
    }
}

pub(super) async fn compare(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(pairs): Query<Pairs>,
) -> AppResult<Response> {
    let all = store::budget::scenarios(&state.store, None).await?;
    let mut wanted: Vec<ScenarioId> = ids(&pairs, "s");
    wanted.dedup();
    let too_many = wanted.len() > MAX_COMPARED;
    wanted.truncate(MAX_COMPARED);
    let wanted: Vec<ScenarioId> = wanted
        .into_iter()
        .filter(|id| all.iter().any(|s| s.id == *id))
        .collect();
    let mut columns = Vec::new();
    let mut results: Vec<(std::sync::Arc<Loaded>, BudgetResult)> = Vec::new();
    let mut distributions = Vec::new();
    for &id in &wanted {
        let l = engine::load(&state, id).await?;
        let r = engine::compute(&l, &l.input)?;
        distributions.push(distribution::compute_with(&state, &l, &r).await?);
        columns.push(Column {
            title: format!("{} ({})", l.stored.scenario.name, l.stored.scenario.year),
            href: Some(format!("/begroting/scenarios/{id}")),
        });
        results.push((l, r));
    }
    // Realisation: the first scenario's data without any trend input, i.e. the realised volumes
    // of its reference year under that year's norms.
    let realised = match results.first() {
        Some((l, _)) => {
            let mut input = l.input.clone();
            for v in &mut input.vakgroepen {
                v.trends.clear();
            }
            let r = engine::compute(l, &input)?;
            columns.push(Column {
                title: format!("Realisatie {}", l.stored.scenario.reference_year),
                href: None,
            });
            Some(r)
        }
        None => None,
    };
    let all_results: Vec<&BudgetResult> = results
        .iter()
        .map(|(_, r)| r)
        .chain(realised.as_ref())
        .collect();
    // Rows: every vakgroep any column has, in the order they first appear.
    let mut order: Vec<(i64, String, String)> = Vec::new();
    for (l, r) in &results {
        for v in &r.vakgroepen {
            if user.actor.can_see_vakgroep_figures(v.vakgroep_id)
                && !order.iter().any(|(id, _, _)| *id == v.vakgroep_id)
            {
                order.push((
                    v.vakgroep_id,
                    v.code.clone(),
                    l.vakgroep_name(VakgroepId::new(v.vakgroep_id)),
                ));
            }
        }
    }
    let differences = match (results.first(), results.get(1)) {
        (Some((_, a)), Some((_, b))) => compare_scenarios(a, b),
        _ => Vec::new(),
    };
    let rows = order
        .into_iter()
        .map(|(id, code, name)| CompareRow {
            cells: all_results
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    cell(
                        r.vakgroepen.iter().find(|v| v.vakgroep_id == id),
                        allocation_cells(distributions.get(i), &user, Some(id)),
                    )
                })
                .collect(),
            difference: differences
                .iter()
                .find(|d| d.vakgroep_id == id)
                .and_then(|d| d.norm_fte_difference)
                .map(signed)
                .unwrap_or("–".into()),
            code,
            name,
        })
        .collect();
    let totals = all_results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let t = totals_row(&r.totals);
            let (allocation, vs_last_year) = allocation_cells(distributions.get(i), &user, None);
            Cell {
                norm_hours: t.norm_hours,
                norm_fte: t.norm_fte,
                formatief: t.formatief,
                mutation: t.mutation,
                allocation,
                vs_last_year,
            }
        })
        .collect();
    render(ComparePage {
        layout: ctx.layout("Scenario's vergelijken"),
        choices: all
            .iter()
            .map(|s| ScenarioChoice {
                id: s.id,
                label: format!("{} – {}", s.year, s.name),
                checked: wanted.contains(&s.id),
            })
            .collect(),
        columns,
        rows,
        totals,
        too_many,
        with_difference: results.len() >= 2,
    })
}
