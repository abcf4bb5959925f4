//! The budget overview per year and one scenario's figures per vakgroep and for the hospital.

use super::engine::{self, FigureRow, IssueLine, Loaded, figure_row, totals_row};
use super::what_if::{Candidate, candidates};
use super::{Pairs, year_of};
use crate::shared::error::AppResult;
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::authz::Capability;
use domain::budget::BudgetResult;
use domain::ids::{ScenarioId, VakgroepId};
use rust_decimal::Decimal;

struct OverviewRow {
    id: ScenarioId,
    name: String,
    reference_year: i16,
    variant: &'static str,
    total: FigureRow,
}

#[derive(Template)]
#[template(path = "budget/overview.html")]
struct OverviewPage {
    layout: Layout,
    year: i16,
    years: Vec<i16>,
    rows: Vec<OverviewRow>,
    can_manage: bool,
    can_trends: bool,
    adopted: Vec<crate::budget::adoption::AdoptedView>,
}

pub(super) async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(pairs): Query<Pairs>,
) -> AppResult<Response> {
    let year = year_of(&state, &pairs).await?;
    let all = store::budget::scenarios(&state.store, None).await?;
    let mut years: Vec<i16> = store::budget::years(&state.store)
        .await?
        .iter()
        .map(|y| y.year)
        .chain(all.iter().map(|s| s.year))
        .chain([year])
        .collect();
    years.sort_unstable();
    years.dedup();
    let mut rows = Vec::new();
    for s in all.iter().filter(|s| s.year == year) {
        let loaded = engine::load(&state, s.id).await?;
        let result = engine::compute(&loaded, &loaded.input)?;
        rows.push(OverviewRow {
            id: s.id,
            name: s.name.clone(),
            reference_year: s.reference_year,
            variant: s.pz_variant.label(),
            total: totals_row(&result.totals),
        });
    }
    let adopted = crate::budget::adoption::history(&state, year).await?;
    render(OverviewPage {
        layout: ctx.layout("Begroting"),
        adopted,
        year,
        years,
        rows,
        can_manage: user.actor.can(Capability::ManageBudget),
        can_trends: user.actor.can(Capability::SubmitTrendInputs)
            || user.actor.can(Capability::ReviewTrendInputs),
    })
}

#[derive(Template)]
#[template(path = "budget/scenario.html")]
struct ScenarioPage {
    layout: Layout,
    s: store::budget::Scenario,
    variant: &'static str,
    weights: String,
    earmark: Option<String>,
    baseline_periods: String,
    rows: Vec<FigureRow>,
    total: FigureRow,
    issues: Vec<IssueLine>,
    can_manage: bool,
    what_if: Option<Vec<Candidate>>,
    what_if_action: String,
    adoption: crate::budget::adoption::Panel,
}

fn weights_text(s: &store::budget::Scenario) -> String {
    let pct = |w: Decimal| domain::nl::number(w * Decimal::ONE_HUNDRED, 0);
    format!(
        "productie {} % · efficiëntie {} % · passende zorg {} %",
        pct(s.w_out),
        pct(s.w_eff),
        pct(s.w_pz)
    )
}

fn rows_of(l: &Loaded, r: &BudgetResult, user: &User) -> Vec<FigureRow> {
    r.vakgroepen
        .iter()
        .filter(|v| user.actor.can_see_vakgroep_figures(v.vakgroep_id))
        .map(|v| FigureRow {
            detail: user.actor.can_see_vakgroep(v.vakgroep_id),
            ..figure_row(v, l.vakgroep_name(VakgroepId::new(v.vakgroep_id)))
        })
        .collect()
}

pub(super) async fn scenario_page(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<ScenarioId>,
) -> AppResult<Response> {
    let l = engine::load(&state, id).await?;
    let result = engine::compute(&l, &l.input)?;
    let what_if = if user.actor.can(Capability::ReviewTrendInputs) {
        Some(candidates(&state, &l, &Pairs::new()).await?)
    } else {
        None
    };
    let s = l.stored.scenario.clone();
    let adoption = crate::budget::adoption::panel(&state, &user, id).await?;
    render(ScenarioPage {
        layout: ctx.layout(format!("Scenario {} ({})", s.name, s.year)),
        variant: s.pz_variant.label(),
        weights: weights_text(&s),
        earmark: l.params.earmark.map(|e| {
            format!(
                "€ {} over {}",
                domain::nl::number(e.amount, 2),
                e.grondslag.label().to_lowercase()
            )
        }),
        baseline_periods: if l.stored.baseline_periods.is_empty() {
            "geen".into()
        } else {
            l.stored
                .baseline_periods
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        },
        rows: rows_of(&l, &result, &user),
        total: totals_row(&result.totals),
        issues: engine::issue_lines(&l, &result, |v| user.actor.can_see_vakgroep(v.get())),
        can_manage: user.actor.can(Capability::ManageBudget) && !adoption.locked(),
        what_if,
        adoption,
        what_if_action: format!("/begroting/scenarios/{id}/watals"),
        s,
    })
}
