//! Scenarios (D4, D5, D7): the budget overview per year, a scenario's figures per vakgroep and for
//! the hospital, a vakgroep's trace and top movers, scenarios side by side, and what-if.
//!
//! Everything is computed on request by the engine from one bounded read per scenario
//! ([`engine::load`]); nothing computed is stored, so a page never shows stale figures.

pub(crate) mod engine;
mod form;

use crate::auth::User;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, RouteDef, get, post};
use crate::state::AppState;
use crate::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::authz::Capability;
use domain::budget::{
    BudgetResult, TOP_N, TrendScope, compare_scenarios, fte_text, hours_text, index_text,
    recompute_vakgroep, top_movers,
};
use engine::{FigureRow, IssueLine, Loaded, figure_row, signed, totals_row};
use rust_decimal::Decimal;
use store::budget::Seen;

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        get(
            "/begroting",
            Access::Needs(Capability::ViewBudget),
            overview,
        ),
        get(
            "/begroting/scenarios/nieuw",
            Access::Needs(Capability::ManageBudget),
            form::new,
        ),
        post(
            "/begroting/scenarios",
            Access::Needs(Capability::ManageBudget),
            form::create,
        ),
        get(
            "/begroting/scenarios/vergelijken",
            Access::Needs(Capability::ViewBudget),
            compare,
        ),
        get(
            "/begroting/scenarios/{id}",
            Access::Needs(Capability::ViewBudget),
            scenario_page,
        ),
        post(
            "/begroting/scenarios/{id}",
            Access::Needs(Capability::ManageBudget),
            form::update,
        ),
        get(
            "/begroting/scenarios/{id}/bewerken",
            Access::Needs(Capability::ManageBudget),
            form::edit,
        ),
        get(
            "/begroting/scenarios/{id}/vakgroep",
            Access::Needs(Capability::ViewBudget),
            vakgroep_page,
        ),
        // What-if changes nothing, so it is a GET: a link can be shared during the meeting.
        get(
            "/begroting/scenarios/{id}/watals",
            Access::Needs(Capability::ReviewTrendInputs),
            what_if,
        ),
    ]
}

type Pairs = Vec<(String, String)>;

pub(super) fn one<'a>(pairs: &'a Pairs, key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

pub(super) fn ids(pairs: &Pairs, key: &str) -> Vec<i64> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect()
}

/// The year asked for, else the latest budget year, else next year (the one being budgeted).
pub(crate) async fn year_of(state: &AppState, pairs: &Pairs) -> AppResult<i16> {
    if let Ok(year) = one(pairs, "jaar").trim().parse::<i16>() {
        return Ok(year);
    }
    let years = store::budget::years(&state.store).await?;
    Ok(years
        .iter()
        .map(|y| y.year)
        .max()
        .unwrap_or_else(|| crate::agreements::today().year() as i16 + 1))
}

/// The vakgroepen a person represents, as the store's filter wants them.
pub(crate) fn own_vakgroepen(user: &User) -> Vec<i64> {
    user.actor.vakgroepen.iter().copied().collect()
}

/// The trend inputs a person may see: their own vakgroepen' (`own`), or all for a reviewer.
pub(crate) fn seen<'a>(user: &User, own: &'a [i64]) -> Seen<'a> {
    if user.actor.can(Capability::ReviewTrendInputs) {
        Seen::All
    } else {
        Seen::Vakgroepen(own)
    }
}

/// Whether the person may see the trend inputs of this vakgroep.
pub(crate) fn sees_trends_of(user: &User, vakgroep_id: i64) -> bool {
    user.actor.can(Capability::ReviewTrendInputs) || user.actor.vakgroepen.contains(&vakgroep_id)
}

struct OverviewRow {
    id: i64,
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
}

async fn overview(
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
            variant: engine::variant(s.pz_variant).label(),
            total: totals_row(&result.totals),
        });
    }
    render(OverviewPage {
        layout: ctx.layout("Begroting"),
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

fn rows_of(l: &Loaded, r: &BudgetResult) -> Vec<FigureRow> {
    r.vakgroepen
        .iter()
        .map(|v| figure_row(v, l.vakgroep_name(v.vakgroep_id)))
        .collect()
}

async fn scenario_page(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let l = engine::load(&state, id).await?;
    let result = engine::compute(&l, &l.input)?;
    let what_if = if user.actor.can(Capability::ReviewTrendInputs) {
        Some(candidates(&state, &l, &Pairs::new()).await?)
    } else {
        None
    };
    let s = l.stored.scenario.clone();
    render(ScenarioPage {
        layout: ctx.layout(format!("Scenario {} ({})", s.name, s.year)),
        variant: engine::variant(s.pz_variant).label(),
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
        rows: rows_of(&l, &result),
        total: totals_row(&result.totals),
        issues: engine::issue_lines(&l, &result),
        can_manage: user.actor.can(Capability::ManageBudget),
        what_if,
        what_if_action: format!("/begroting/scenarios/{id}/watals"),
        s,
    })
}

// ---------------------------------------------------------------------------------------------
// One vakgroep: trace and top movers

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
    scenario_id: i64,
    scenario_name: String,
    row: FigureRow,
    normuren: String,
    weights: String,
    kpis: Vec<KpiLine>,
    trends: Option<Vec<TrendLine>>,
    rising: Vec<MoveLine>,
    falling: Vec<MoveLine>,
    products: Vec<ProductLine>,
    issues: Vec<String>,
    top_n: usize,
    /// How the earmarked share came about: grondslag × Z.
    earmark_basis: Option<String>,
}

fn volume(v: Decimal) -> String {
    domain::nl::number(v, v.normalize().scale().min(2))
}

async fn vakgroep_page(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Query(pairs): Query<Pairs>,
) -> AppResult<Response> {
    let vakgroep_id: i64 = one(&pairs, "v").parse().map_err(|_| AppError::NotFound)?;
    let l = engine::load(&state, id).await?;
    let result = engine::compute(&l, &l.input)?;
    let v = result
        .vakgroepen
        .iter()
        .find(|v| v.vakgroep_id == vakgroep_id)
        .ok_or(AppError::NotFound)?;
    let product_code = |pid: i64| l.product(pid).map(|p| p.code.clone()).unwrap_or_default();
    let move_line = |m: &domain::budget::ProductMove| MoveLine {
        code: product_code(m.product_id),
        description: l
            .product(m.product_id)
            .map(|p| p.description.clone())
            .unwrap_or_default(),
        baseline: volume(m.baseline),
        budget: volume(m.budget_volume),
        change: signed_volume(m.volume_change),
        hours: signed(m.hours_change),
    };
    let movers = top_movers(v, TOP_N);
    // Another vakgroep's trend inputs stay in their compartment: its representatives see the
    // figures they produce, not the inputs themselves.
    let show_trends = sees_trends_of(&user, vakgroep_id);
    let trends = show_trends.then(|| {
        v.trends
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
            .collect()
    });
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
            trends: if show_trends {
                v.product_trends(i)
                    .into_iter()
                    .map(|(tid, c)| format!("#{tid}: {}", engine::trend_change_text(c)))
                    .collect::<Vec<_>>()
                    .join("; ")
            } else {
                String::new()
            },
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

// ---------------------------------------------------------------------------------------------
// Comparison (D7)

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
}

struct CompareRow {
    code: String,
    name: String,
    cells: Vec<Cell>,
    /// Norm-fte of the second scenario minus the first.
    difference: String,
}

struct ScenarioChoice {
    id: i64,
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

fn cell(v: Option<&domain::budget::VakgroepResult>) -> Cell {
    match v {
        None => Cell {
            norm_hours: "–".into(),
            norm_fte: "–".into(),
            formatief: "–".into(),
            mutation: "–".into(),
        },
        Some(v) => {
            let r = figure_row(v, String::new());
            Cell {
                norm_hours: r.norm_hours,
                norm_fte: r.norm_fte,
                formatief: r.formatief,
                mutation: r.mutation,
            }
        }
    }
}

async fn compare(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(pairs): Query<Pairs>,
) -> AppResult<Response> {
    let all = store::budget::scenarios(&state.store, None).await?;
    let mut wanted = ids(&pairs, "s");
    wanted.dedup();
    let too_many = wanted.len() > MAX_COMPARED;
    wanted.truncate(MAX_COMPARED);
    let wanted: Vec<i64> = wanted
        .into_iter()
        .filter(|id| all.iter().any(|s| s.id == *id))
        .collect();
    let mut columns = Vec::new();
    let mut results: Vec<(Loaded, BudgetResult)> = Vec::new();
    for &id in &wanted {
        let l = engine::load(&state, id).await?;
        let r = engine::compute(&l, &l.input)?;
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
            if !order.iter().any(|(id, _, _)| *id == v.vakgroep_id) {
                order.push((
                    v.vakgroep_id,
                    v.code.clone(),
                    l.vakgroep_name(v.vakgroep_id),
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
                .map(|r| cell(r.vakgroepen.iter().find(|v| v.vakgroep_id == id)))
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
        .map(|r| {
            let t = totals_row(&r.totals);
            Cell {
                norm_hours: t.norm_hours,
                norm_fte: t.norm_fte,
                formatief: t.formatief,
                mutation: t.mutation,
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

// ---------------------------------------------------------------------------------------------
// What-if (D7): toggle or change trend inputs without saving, recompute, show the difference

/// A trend input the what-if form offers.
pub(crate) struct Candidate {
    id: i64,
    vakgroep_id: i64,
    vakgroep: String,
    scope: String,
    kind: String,
    category: String,
    product_ids: Vec<i64>,
    text: String,
    value: String,
    included: bool,
}

/// The accepted trend inputs of the scenario's year: those the scenario includes, checked, and
/// the others, unchecked. `pairs` (the submitted form) overrides both.
async fn candidates(state: &AppState, l: &Loaded, pairs: &Pairs) -> AppResult<Vec<Candidate>> {
    let year = l.stored.scenario.year;
    let included = &l.stored.scenario.trend_input_ids;
    let submitted = !pairs.is_empty();
    let on = ids(pairs, "met");
    Ok(store::budget::trend_inputs(&state.store, year, Seen::All)
        .await?
        .into_iter()
        .filter(|t| {
            domain::budget::TrendStatus::parse(&t.status).is_some_and(|s| s.counts_in_budget())
        })
        .map(|t| {
            let typed = one(pairs, &format!("waarde_{}", t.id)).trim().to_string();
            Candidate {
                included: if submitted {
                    on.contains(&t.id)
                } else {
                    included.contains(&t.id)
                },
                text: engine::change_text(&t.kind, t.value),
                value: if typed.is_empty() {
                    domain::nl::number(t.value, t.value.normalize().scale().min(2))
                } else {
                    typed
                },
                id: t.id,
                vakgroep_id: t.vakgroep_id,
                vakgroep: t.vakgroep_code,
                scope: t.scope,
                kind: t.kind,
                category: t.category,
                product_ids: t.product_ids,
            }
        })
        .collect())
}

struct WhatIfRow {
    code: String,
    name: String,
    hours_before: String,
    hours_after: String,
    hours_difference: String,
    fte_before: String,
    fte_after: String,
    fte_difference: String,
    changed: bool,
}

#[derive(Template)]
#[template(path = "budget/whatif.html")]
struct WhatIfPage {
    layout: Layout,
    scenario_id: i64,
    scenario_name: String,
    candidates: Vec<Candidate>,
    what_if_action: String,
    errors: Vec<String>,
    rows: Vec<WhatIfRow>,
    total: WhatIfRow,
}

fn what_if_row(
    code: String,
    name: String,
    before: (Option<Decimal>, Option<Decimal>),
    after: (Option<Decimal>, Option<Decimal>),
) -> WhatIfRow {
    let diff = |a: Option<Decimal>, b: Option<Decimal>| match (a, b) {
        (Some(a), Some(b)) => signed(b - a),
        _ => "–".into(),
    };
    let text = |x: Option<Decimal>, f: fn(Decimal) -> String| x.map(f).unwrap_or("–".into());
    WhatIfRow {
        code,
        name,
        hours_before: text(before.0, hours_text),
        hours_after: text(after.0, hours_text),
        hours_difference: diff(before.0, after.0),
        fte_before: text(before.1, fte_text),
        fte_after: text(after.1, fte_text),
        fte_difference: diff(before.1, after.1),
        changed: before != after,
    }
}

async fn what_if(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(pairs): Query<Pairs>,
) -> AppResult<Response> {
    let l = engine::load(&state, id).await?;
    let before = engine::compute(&l, &l.input)?;
    let candidates = candidates(&state, &l, &pairs).await?;
    let mut errors = Vec::new();
    let mut input = l.input.clone();
    for v in &mut input.vakgroepen {
        v.trends = candidates
            .iter()
            .filter(|c| c.included && c.vakgroep_id == v.id)
            .filter_map(|c| {
                let value = match domain::nl::parse_decimal(c.value.trim_end_matches('%').trim()) {
                    Ok(value) => value,
                    Err(e) => {
                        errors.push(format!("Trendinput #{} ({}): {e}", c.id, c.vakgroep));
                        return None;
                    }
                };
                engine::trend(c.id, &c.scope, &c.kind, value, &c.category, &c.product_ids)
            })
            .collect();
    }
    // Only the vakgroepen whose inputs changed are recomputed, then the hospital-wide steps:
    // the engine's own shortcut for a change during a meeting.
    let mut after = before.clone();
    for (index, (new, old)) in input.vakgroepen.iter().zip(&l.input.vakgroepen).enumerate() {
        if new.trends != old.trends {
            recompute_vakgroep(&mut after, &input, &l.params, index)
                .map_err(|e| AppError::Internal(format!("what-if: {e}")))?;
        }
    }
    let figures = |v: &domain::budget::VakgroepResult| (v.norm_hours, v.fte.map(|f| f.norm_fte));
    let rows = before
        .vakgroepen
        .iter()
        .zip(&after.vakgroepen)
        .map(|(b, a)| {
            what_if_row(
                b.code.clone(),
                l.vakgroep_name(b.vakgroep_id),
                figures(b),
                figures(a),
            )
        })
        .collect();
    let total = what_if_row(
        String::new(),
        "Ziekenhuis".into(),
        (Some(before.totals.norm_hours), Some(before.totals.norm_fte)),
        (Some(after.totals.norm_hours), Some(after.totals.norm_fte)),
    );
    render(WhatIfPage {
        layout: ctx.layout(format!("Wat als – {}", l.stored.scenario.name)),
        scenario_id: id,
        scenario_name: l.stored.scenario.name.clone(),
        candidates,
        what_if_action: format!("/begroting/scenarios/{id}/watals"),
        errors,
        rows,
        total,
    })
}
