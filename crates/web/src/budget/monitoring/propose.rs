//! A signal becomes a proposed agreement (D10 → B1/B5): kind *financieel*, the vakgroep as
//! party, citing the adopted budget, with the figures as its description
//! (`monitoring::agreement_prefill`). It is recorded with status *voorgesteld* for the boards to
//! adopt in the register; the same proposal twice is recorded once.

use super::page::{YearQuery, year_of};
use crate::shared::error::{AppError, AppResult};
use crate::shared::monitoring::monitored;
use crate::shared::session::User;
use crate::shared::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::budget::monitoring::agreement_prefill;

/// `POST /begroting/monitoring/vakgroepen/{vakgroep}/afspraak` with `jaar`.
pub(super) async fn propose(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(q): Form<YearQuery>,
) -> AppResult<Response> {
    if !user.actor.can_see_vakgroep_figures(id) {
        return Err(AppError::NotFound);
    }
    let year = year_of(&q);
    let m = monitored(&state, year).await?.ok_or(AppError::NotFound)?;
    let v = m
        .monitoring
        .vakgroepen
        .iter()
        .find(|v| v.vakgroep_id == id)
        .ok_or(AppError::NotFound)?;
    let back = format!("/begroting/monitoring/vakgroepen/{id}?jaar={year}");
    // The figures moved since the page was shown (an import): no signal, nothing proposed.
    let Some(prefill) = agreement_prefill(&m.monitoring, v) else {
        return Ok(Redirect::to(&format!("{back}&geen_signaal=1")).into_response());
    };
    super::super::proposal::propose(&state, &user, &prefill, m.source.adoption.scenario_id).await
}
