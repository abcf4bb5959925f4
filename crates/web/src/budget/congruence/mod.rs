//! Insurer congruence (D8, docs/congruence.md): a scenario's production value (budget volume ×
//! tariff) per vakgroep and per insurer against the contract ceilings; a flagged insurer becomes
//! a proposed agreement with the insurer as party (B5). The year's insurers and tariffs are kept
//! on their own page ([`insurers`]).

mod insurers;

use super::scenarios::engine;
use crate::shared::error::{AppError, AppResult};
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::budget::congruence::{
    Congruence, CongruenceError, VakgroepValue, congruence, production_value,
};
use domain::budget::monitoring::DEFAULT_THRESHOLD;
use domain::ids::ScenarioId;
use domain::nl;
use rust_decimal::Decimal;
use std::collections::HashMap;

pub(super) fn routes() -> Vec<RouteDef> {
    let view = Access::Needs(Capability::ViewBudget);
    let mut routes = vec![
        get("/begroting/scenarios/{id}/congruentie", view, page),
        post(
            "/begroting/scenarios/{id}/congruentie/verzekeraars/{insurer}/afspraak",
            Access::Needs(Capability::ProposeBudgetAgreement),
            propose,
        ),
    ];
    routes.extend(insurers::routes());
    routes
}

/// A scenario's congruence, or in Dutch why there is none (no insurers, shares not 100 %).
struct Computed {
    scenario: store::budget::Scenario,
    outcome: Result<Congruence, String>,
    names: HashMap<i64, String>,
    tariffs: usize,
}

async fn compute(state: &AppState, id: ScenarioId) -> AppResult<Computed> {
    let l = engine::load(state, id).await?;
    let result = engine::compute(&l, &l.input)?;
    let s = l.stored.scenario.clone();
    let tariffs = store::budget::congruence::tariffs(&state.store, s.year).await?;
    let insurers: Vec<_> = store::budget::congruence::insurers(&state.store, s.year)
        .await?
        .iter()
        .map(|i| i.insurer())
        .collect();
    // A difference within the year's signal threshold (today's setting, as the monitoring
    // reads it) is not flagged.
    let tolerance = match store::budget::year(state.store.pool(), s.year).await {
        Ok(y) => y.signal_threshold,
        Err(store::StoreError::NotFound) => DEFAULT_THRESHOLD,
        Err(e) => return Err(e.into()),
    };
    let outcome = if insurers.is_empty() {
        production_value(&l.input, &result, &tariffs).and_then(|vakgroepen| {
            let sum = |f: fn(&VakgroepValue) -> Decimal| {
                vakgroepen
                    .iter()
                    .try_fold(Decimal::ZERO, |a, v| a.checked_add(f(v)))
                    .ok_or(CongruenceError::TooLarge)
            };
            let (total_value, baseline_value) = (sum(|v| v.value)?, sum(|v| v.baseline_value)?);
            Ok(Congruence {
                total_value,
                baseline_value,
                vakgroepen,
                insurers: Vec::new(),
                tolerance,
            })
        })
    } else {
        congruence(&l.input, &result, &tariffs, &insurers, tolerance)
    };
    Ok(Computed {
        names: l
            .stored
            .vakgroepen
            .iter()
            .map(|v| (v.id.get(), v.name.clone()))
            .collect(),
        scenario: s,
        outcome: outcome.map_err(|e| e.to_string()),
        tariffs: tariffs.len(),
    })
}

struct InsurerView {
    id: i64,
    name: String,
    share: String,
    ceiling: String,
    value: String,
    difference: String,
    fraction: String,
    position: &'static str,
    flagged: bool,
}

struct VakgroepView {
    code: String,
    name: String,
    value: String,
    baseline: String,
    change: String,
    without_tariff: usize,
    moves: bool,
}

#[derive(Template)]
#[template(path = "budget/congruence/scenario.html")]
struct Page {
    layout: Layout,
    scenario: store::budget::Scenario,
    problem: Option<String>,
    total: String,
    baseline: String,
    tariffs: String,
    tolerance: String,
    insurers: Vec<InsurerView>,
    rows: Vec<VakgroepView>,
    partial: bool,
    no_insurers: bool,
    may_propose: bool,
}

fn signed_eur(v: Decimal) -> String {
    let text = nl::eur(v.abs());
    if v.is_sign_negative() && !v.is_zero() {
        format!("−{text}")
    } else if v.is_zero() {
        text
    } else {
        format!("+{text}")
    }
}

/// `GET /begroting/scenarios/{id}/congruentie`.
async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<ScenarioId>,
) -> AppResult<Response> {
    let c = compute(&state, id).await?;
    let s = c.scenario;
    let layout = ctx.layout(format!("Congruentie zorgverzekeraars – {}", s.name));
    let (problem, congruence) = match c.outcome {
        Ok(x) => (None, Some(x)),
        Err(why) => (Some(why), None),
    };
    let (mut insurers, mut rows, mut total, mut baseline, mut tolerance) = (
        Vec::new(),
        Vec::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    let mut all = 0;
    if let Some(x) = &congruence {
        total = nl::eur(x.total_value);
        baseline = nl::eur(x.baseline_value);
        tolerance = nl::percent(x.tolerance * Decimal::ONE_HUNDRED);
        insurers = x
            .insurers
            .iter()
            .map(|p| InsurerView {
                id: p.insurer_id,
                name: p.name.clone(),
                share: format!("{} %", nl::number(p.share, 2)),
                ceiling: nl::eur(p.ceiling),
                value: nl::eur(p.value),
                difference: signed_eur(p.difference),
                fraction: p
                    .fraction
                    .map_or("–".into(), |f| nl::percent(f * Decimal::ONE_HUNDRED)),
                position: p.position.label(),
                flagged: p.flagged,
            })
            .collect();
        all = x.vakgroepen.len();
        rows = x
            .vakgroepen
            .iter()
            .filter(|v| user.actor.can_see_vakgroep_figures(v.vakgroep_id))
            .map(|v| VakgroepView {
                code: v.code.clone(),
                name: c.names.get(&v.vakgroep_id).cloned().unwrap_or_default(),
                value: nl::eur(v.value),
                baseline: nl::eur(v.baseline_value),
                change: signed_eur(v.change),
                without_tariff: v.without_tariff.len(),
                moves: v.moves_with_deviation,
            })
            .collect();
    }
    render(Page {
        layout,
        no_insurers: congruence.as_ref().is_some_and(|x| x.insurers.is_empty()),
        partial: rows.len() < all,
        may_propose: user.actor.can(Capability::ProposeBudgetAgreement),
        scenario: s,
        problem,
        total,
        baseline,
        tariffs: nl::count(c.tariffs),
        tolerance,
        insurers,
        rows,
    })
}

/// `POST /begroting/scenarios/{id}/congruentie/verzekeraars/{insurer}/afspraak`: the flagged
/// insurer's deviation as a proposed *financieel* agreement citing the scenario, recorded once.
async fn propose(
    State(state): State<AppState>,
    user: User,
    Path((id, insurer)): Path<(ScenarioId, i64)>,
) -> AppResult<Response> {
    let c = compute(&state, id).await?;
    let back = format!("/begroting/scenarios/{id}/congruentie");
    let Ok(x) = &c.outcome else {
        return Ok(Redirect::to(&back).into_response());
    };
    let index = x
        .insurers
        .iter()
        .position(|p| p.insurer_id == insurer)
        .ok_or(AppError::NotFound)?;
    let Some(prefill) = domain::budget::congruence::agreement_prefill(
        x,
        index,
        &c.scenario.name,
        i32::from(c.scenario.year),
        &c.names,
    ) else {
        // Within its ceiling (any more): nothing to propose.
        return Ok(Redirect::to(&back).into_response());
    };
    super::proposal::propose(&state, &user, &prefill, id).await
}
