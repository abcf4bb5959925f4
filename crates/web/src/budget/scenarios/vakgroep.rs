//! One vakgroep in a scenario: the trace from inputs to figures, and the top movers.

use super::engine::{self, FigureRow, figure_row, signed};
use super::{Pairs, one};
use crate::shared::error::{AppError, AppResult};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::budget::volume_text as volume;
use domain::budget::{TOP_N, TrendScope, fte_text, hours_text, index_text, top_movers};
use domain::ids::{CareProductId, ScenarioId, VakgroepId};
use rust_decimal::Decimal;

struct KpiLine {
    name: String,
    kind: &'static str,
    direction: &'static str,
    reference: String,
    local: String,
    ratio: String,
    unusable: Option<String>,
}

struct TrendLine {
    id: i64,
    change: String,
    category: &'static str,
    products: String,
    skipped: Option<String>,
}

struct MoveLine {
    code: String,
    description: String,
    baseline: String,
    budget: String,
    change: String,
    hours: String,
}

struct ProductLine {
    code: String,
    norm_minutes: String,
    baseline: String,
    budget: String,
    hours: String,
    trends: String,
    clamped: bool,
}

#[derive(Template)]
#[template(path = "budget/vakgroep.html")]
struct VakgroepPage {
    layout: Layout,
    scenario_id: ScenarioId,
    scenario_name: String,
    row: FigureRow,
    normuren: String,
    weights: String,
    kpis: Vec<KpiLine>,
    trends: Vec<TrendLine>,
    rising: Vec<MoveLine>,
    falling: Vec<MoveLine>,
    products: Vec<ProductLine>,
    issues: Vec<String>,
    top_n: usize,
    /// How the earmarked share came about: grondslag × Z.
    earmark_basis: Option<String>,
}

pub(super) async fn vakgroep_page(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<ScenarioId>,
    Query(pairs): Query<Pairs>,
) -> AppResult<Response> {
    let vakgroep_id: VakgroepId = one(&pairs, "v").parse().map_err(|_| AppError::NotFound)?;
    // A vakgroep's detail (its products, movers, trend inputs and problems) is its own
    // compartment: reviewers see every vakgroep, a representative only their own; the totals
    // per vakgroep are on the scenario page for everyone who sees the budget.
    if !user.actor.can_see_vakgroep(vakgroep_id.get()) {
        return Err(AppError::NotFound);
    }
    let l = engine::load(&state, id).await?;
    let result = engine::compute(&l, &l.input)?;
    let v = result
        .vakgroepen
        .iter()
        .find(|v| v.vakgroep_id == vakgroep_id.get())
        .ok_or(AppError::NotFound)?;
    // The engine's results name products by their bare ids.
    let product = |pid: i64| l.product(CareProductId::new(pid));
    let product_code = |pid: i64| product(pid).map(|p| p.code.clone()).unwrap_or_default();
    let move_line = |m: &domain::budget::ProductMove| MoveLine {
        code: product_code(m.product_id),
        description: product(m.product_id)
            .map(|p| p.description.clone())
            .unwrap_or_default(),
        baseline: volume(m.baseline),
        budget: volume(m.budget_volume),
        change: signed_volume(m.volume_change),
        hours: signed(m.hours_change),
    };
    let movers = top_movers(v, TOP_N);
    let trends = v
        .trends
        .iter()
        .map(|t| TrendLine {
            id: t.input.id,
            change: engine::trend_change_text(t.input.change),
            category: t.input.category.label(),
            products: match &t.input.scope {
                TrendScope::Vakgroep => "alle zorgproducten".into(),
                TrendScope::Products(ids) => ids
                    .iter()
                    .map(|&p| product_code(p))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            skipped: t.skipped.clone(),
        })
        .collect();
    let products = v
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| ProductLine {
            code: product_code(p.product_id),
            norm_minutes: volume(p.norm_minutes),
            baseline: volume(p.baseline),
            budget: volume(p.budget_volume),
            hours: hours_text(p.norm_hours()),
            trends: v
                .product_trends(i)
                .into_iter()
                .map(|(tid, c)| format!("#{tid}: {}", engine::trend_change_text(c)))
                .collect::<Vec<_>>()
                .join("; "),
            clamped: p.clamped,
        })
        .collect();
    let name = l.vakgroep_name(vakgroep_id);
    render(VakgroepPage {
        layout: ctx.layout(format!("{} – {}", v.code, l.stored.scenario.name)),
        scenario_id: id,
        scenario_name: l.stored.scenario.name.clone(),
        row: figure_row(v, name),
        normuren: v
            .normuren_per_fte
            .map(hours_text)
            .unwrap_or("ontbreekt".into()),
        weights: format!(
            "{} · productie {} % · efficiëntie {} % · passende zorg {} %",
            v.variant.label(),
            domain::nl::number(v.weights.output() * Decimal::ONE_HUNDRED, 0),
            domain::nl::number(v.weights.efficiency() * Decimal::ONE_HUNDRED, 0),
            domain::nl::number(v.weights.passende_zorg() * Decimal::ONE_HUNDRED, 0),
        ),
        kpis: v
            .kpis
            .iter()
            .map(|k| KpiLine {
                name: k.code.clone(),
                kind: k.kind.label(),
                direction: k.direction.label(),
                reference: volume(k.reference),
                local: volume(k.local),
                ratio: k.ratio.map(index_text).unwrap_or("–".into()),
                unusable: k.unusable.clone(),
            })
            .collect(),
        trends,
        rising: movers.rising.iter().map(move_line).collect(),
        falling: movers.falling.iter().map(move_line).collect(),
        products,
        issues: v.issues.iter().map(|i| i.message.clone()).collect(),
        top_n: TOP_N,
        earmark_basis: v.earmark.map(|e| {
            format!(
                "{} {} × Z {}",
                e.grondslag.label(),
                fte_text(e.grondslag_value),
                index_text(e.pz_index)
            )
        }),
    })
}

fn signed_volume(v: Decimal) -> String {
    let text = volume(v.abs());
    if v > Decimal::ZERO {
        format!("+{text}")
    } else if v < Decimal::ZERO {
        format!("−{text}")
    } else {
        text
    }
}
