//! A budget signal recorded as a proposed agreement (B1/B5): the monitoring's (D10) and the
//! insurer congruence's (D8) proposals take the same path.

use crate::shared::error::{AppError, AppResult};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::who::who;
use axum::response::{IntoResponse, Redirect, Response};
use domain::agreements::draft::{AgreementDraft, KnownVakgroep, References};
use domain::budget::AgreementPrefill;
use domain::ids::ScenarioId;
use store::agreements::AgreementInput;

/// Records `prefill` citing `scenario` with status *voorgesteld* (once: the same proposal again
/// gives the first) and shows the agreement. The form is checked by `AgreementDraft::parse` as
/// if typed; a proposal of ours that does not parse is a bug, not the user's mistake.
pub(super) async fn propose(
    state: &AppState,
    user: &User,
    prefill: &AgreementPrefill,
    scenario: ScenarioId,
) -> AppResult<Response> {
    // A vakgroep party is named by its code, and only the vakgroepen the proposal names are
    // known to the check: a name may be shared (an inactive vakgroep) or changed since the
    // adoption, a code is the vakgroep's own.
    let parties: Vec<i64> = prefill
        .parties
        .iter()
        .filter_map(|p| p.vakgroep_id)
        .collect();
    let vakgroepen: Vec<KnownVakgroep> = store::vakgroepen::list(&state.store)
        .await?
        .into_iter()
        .filter(|k| parties.contains(&k.id))
        .map(|k| KnownVakgroep {
            id: k.id,
            code: k.code.to_string(),
            name: k.name,
        })
        .collect();
    let mut prefill = prefill.clone();
    for p in &mut prefill.parties {
        if let Some(k) = vakgroepen.iter().find(|k| Some(k.id) == p.vakgroep_id) {
            p.label = k.code.clone();
        }
    }
    let refs = References {
        vakgroepen,
        scenarios: vec![scenario.get()],
        ..References::default()
    };
    let draft = AgreementDraft::parse(&prefill.form(scenario.get()), &refs)
        .map_err(|e| AppError::bug(format!("a budget proposal does not parse: {e:?}")))?;
    let mut tx = state.store.begin().await?;
    let (agreement, _) =
        store::agreements::propose_from_budget(&mut tx, &who(user), &AgreementInput::from(draft))
            .await?;
    store::commit(tx).await?;
    Ok(Redirect::to(&format!("/afspraken/{agreement}")).into_response())
}
