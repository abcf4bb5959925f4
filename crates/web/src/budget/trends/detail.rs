//! One trend input: its effect, the review steps open to this person, and its history.

use super::super::scenarios::{one, own_vakgroepen, seen};
use super::form::{Draft, EffectFragment, effect};
use super::*;
use crate::shared::error::AppResult;
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::budget::trend::{self, TrendStatus};
use domain::ids::TrendInputId;
use store::{Invalid, StoreError};

// ---------------------------------------------------------------------------------------------
// Detail and status

pub(super) struct HistoryLine {
    at: time::OffsetDateTime,
    when: String,
    who: String,
    what: String,
    reason: String,
}

pub(super) struct Action {
    to: String,
    label: &'static str,
    needs_reason: bool,
}

#[derive(Template)]
#[template(path = "budget/trend.html")]
pub(super) struct DetailPage {
    layout: Layout,
    t: store::budget::TrendInput,
    status: &'static str,
    scope: String,
    change: String,
    category: &'static str,
    created: String,
    updated: String,
    history: Vec<HistoryLine>,
    actions: Vec<Action>,
    can_edit: bool,
    effect: EffectFragment,
    error: Option<String>,
}

pub(super) async fn detail_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    t: store::budget::TrendInput,
    error: Option<String>,
) -> AppResult<Response> {
    let own = own_vakgroepen(user);
    let mut history: Vec<HistoryLine> =
        store::budget::trend_history(&state.store, t.id, seen(user, &own))
            .await?
            .into_iter()
            .map(|h| HistoryLine {
                at: h.changed_at,
                when: domain::nl::datetime(h.changed_at),
                who: h.changed_by_name.unwrap_or_default(),
                what: format!("{} → {}", h.from_status.label(), h.to_status.label()),
                reason: h.reason,
            })
            .collect();
    // Content edits have no status change of their own; the audit log has who and when, and the
    // rationale on the page says why.
    let filter = store::audit::AuditFilter {
        object_type: Some("trend_input".into()),
        object_id: Some(t.id.to_string()),
        ..Default::default()
    };
    let (edits, _) = store::audit::list(&state.store, &filter, 200, 0).await?;
    history.extend(edits.into_iter().filter_map(|e| {
        let what = match e.action.as_str() {
            "create" => "Aangemaakt",
            "update" => "Inhoud gewijzigd",
            _ => return None,
        };
        Some(HistoryLine {
            at: e.at,
            when: domain::nl::datetime(e.at),
            // The label is "Name <e-mail>"; the page shows names, like the status history.
            who: e
                .actor_label
                .split(" <")
                .next()
                .unwrap_or_default()
                .to_string(),
            what: what.into(),
            reason: String::new(),
        })
    }));
    history.sort_by_key(|h| h.at);
    let status = t.status;
    let actor = actor_for(user, t.vakgroep_id);
    let actions = trend::available(status, actor)
        .into_iter()
        .map(|to| Action {
            to: to.code().into(),
            label: trend::action_label(status, to),
            needs_reason: trend::reason_required(to),
        })
        .collect();
    let d = Draft {
        year: t.year,
        vakgroep_id: t.vakgroep_id,
        version: 0,
        scenario_id: None,
        form: Default::default(),
    };
    let effect = effect(state, &d, Some(t.engine_input()), Some(t.id)).await?;
    let code = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DetailPage {
        layout: ctx.layout(format!("Trendinput {} #{}", t.vakgroep_code, t.id)),
        status: status.label(),
        scope: scope_text(&t),
        change: t.change().text(),
        category: t.category.label(),
        created: domain::nl::datetime(t.created_at),
        updated: domain::nl::datetime(t.updated_at),
        history,
        actions,
        can_edit: trend::may_edit(status, actor),
        effect,
        error,
        t,
    };
    Ok((code, render(page)?).into_response())
}

pub(super) async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<TrendInputId>,
) -> AppResult<Response> {
    let t = visible(&state, &user, id).await?;
    detail_page(&state, &ctx, &user, t, None).await
}

pub(super) async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<TrendInputId>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let t = visible(&state, &user, id).await?;
    let from = t.status;
    let Some(to) = TrendStatus::parse(one(&pairs, "to")) else {
        return detail_page(&state, &ctx, &user, t, Some("Kies een stap.".into())).await;
    };
    let reason = one(&pairs, "reason");
    if let Err(e) = trend::transition(from, to, actor_for(&user, t.vakgroep_id), reason) {
        return detail_page(&state, &ctx, &user, t, Some(e.to_string())).await;
    }
    let version: i32 = one(&pairs, "version").parse().unwrap_or(0);
    let mut tx = state.store.begin().await?;
    match store::budget::change_trend_status(&mut tx, &who(&user), id, version, to, reason).await {
        Ok(()) => {
            super::notify::status_changed(&state, &mut tx, id, to, &user.name).await?;
            store::commit(tx).await?;
            Ok(Redirect::to(&format!("/begroting/trendinput/{id}?ok=opgeslagen")).into_response())
        }
        Err(StoreError::Conflict) => {
            drop(tx);
            let t = visible(&state, &user, id).await?;
            detail_page(
                &state,
                &ctx,
                &user,
                t,
                Some("Iemand anders heeft deze trendinput intussen gewijzigd; bekijk de huidige status en probeer het opnieuw.".into()),
            )
            .await
        }
        Err(StoreError::Invalid(Invalid::Trend(e))) => {
            drop(tx);
            detail_page(&state, &ctx, &user, t, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}
