//! What-if (D7): toggle or change trend inputs without saving, recompute, show the difference.

use super::engine::{self, Loaded, signed};
use super::{Pairs, ids, one};
use crate::shared::error::{AppError, AppResult};
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::budget::{TrendChange, TrendInput, fte_text, hours_text, recompute_vakgroep};
use domain::ids::{ScenarioId, TrendInputId, VakgroepId};
use rust_decimal::Decimal;
use store::budget::Seen;

/// A trend input the what-if form offers.
pub(crate) struct Candidate {
    pub id: TrendInputId,
    vakgroep_id: VakgroepId,
    pub vakgroep: String,
    /// As stored; what-if replaces its value by the one typed.
    input: TrendInput,
    pub text: String,
    pub value: String,
    pub included: bool,
}

/// The accepted trend inputs of the scenario's year: those the scenario includes, checked, and
/// the others, unchecked. `pairs` (the submitted form) overrides both.
pub(super) async fn candidates(
    state: &AppState,
    l: &Loaded,
    pairs: &Pairs,
) -> AppResult<Vec<Candidate>> {
    let year = l.stored.scenario.year;
    let included = &l.stored.scenario.trend_input_ids;
    let submitted = !pairs.is_empty();
    let on = ids(pairs, "met");
    Ok(store::budget::trend_inputs(&state.store, year, Seen::All)
        .await?
        .into_iter()
        .filter(|t| t.status.counts_in_budget())
        .map(|t| {
            let typed = one(pairs, &format!("waarde_{}", t.id)).trim().to_string();
            Candidate {
                included: if submitted {
                    on.contains(&t.id)
                } else {
                    included.contains(&t.id)
                },
                text: t.change().text(),
                value: if typed.is_empty() {
                    domain::nl::number(t.value, t.value.normalize().scale().min(2))
                } else {
                    typed
                },
                input: t.engine_input(),
                id: t.id,
                vakgroep_id: t.vakgroep_id,
                vakgroep: t.vakgroep_code.to_string(),
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
    scenario_id: ScenarioId,
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

pub(super) async fn what_if(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<ScenarioId>,
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
            .filter(|c| c.included && c.vakgroep_id.get() == v.id)
            .filter_map(|c| {
                let value = match domain::nl::parse_decimal(c.value.trim_end_matches('%').trim()) {
                    Ok(value) => value,
                    Err(e) => {
                        errors.push(format!("Trendinput #{} ({}): {e}", c.id, c.vakgroep));
                        return None;
                    }
                };
                let mut input = c.input.clone();
                input.change = TrendChange::new(input.change.kind(), value);
                Some(input)
            })
            .collect();
    }
    // Only the vakgroepen whose inputs changed are recomputed, then the hospital-wide steps:
    // the engine's own shortcut for a change during a meeting.
    let mut after = before.clone();
    for (index, (new, old)) in input.vakgroepen.iter().zip(&l.input.vakgroepen).enumerate() {
        if new.trends != old.trends {
            recompute_vakgroep(&mut after, &input, &l.params, index)
                .map_err(|e| AppError::internal("computing a what-if", e))?;
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
                l.vakgroep_name(VakgroepId::new(b.vakgroep_id)),
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
