//! The distribution's forms: a vakgroep's own band (MSB board), where the earmark comes from
//! (controller) and sharing with the RvB (MSB board). Each parses with the domain's rules,
//! writes through `shared::forms::save` and redirects; a refusal shows the page again with what
//! was typed and the message at its field.

use super::page::{hospital_page, vakgroep_page};
use crate::shared::error::{AppError, AppResult};
use crate::shared::forms::{self, Refusal};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::Ctx;
use crate::shared::who::who;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::budget::distribution::{
    BandOverrideDraft, BandOverrideForm, PlacementDraft, PlacementForm,
};
use domain::ids::{ScenarioId, VakgroepId};
use serde::Deserialize;

const CONFLICT: Refusal = Refusal::Conflict(
    "Iemand anders heeft de verdeling intussen gewijzigd. Er is niets opgeslagen. Laad de pagina opnieuw om de huidige gegevens te zien; uw invoer staat hieronder.",
);

const SHARE_CONFLICT: Refusal = Refusal::Conflict(
    "De verdeling is gewijzigd of al gedeeld sinds u deze pagina opende. Er is niets gedeeld; bekijk de verdeling opnieuw voordat u haar deelt.",
);

/// The version a form carries: empty (or anything but a number) for "none read".
fn version(text: &str) -> Option<i32> {
    text.trim().parse().ok()
}

/// The MSB board's write on a vakgroep's band: a vakgroep whose allocation the person may not
/// see is answered as missing (404); one they see but may not shape is refused (403).
async fn may_shape_band(
    state: &AppState,
    user: &User,
    id: ScenarioId,
    vakgroep: VakgroepId,
) -> AppResult<()> {
    let pool = state.store.pool();
    store::budget::scenario(pool, id).await?;
    let msb = store::budget::msb_bodies(pool).await?;
    let shared = store::budget::distribution_settings(pool, id)
        .await?
        .shared
        .is_some();
    if !user.actor.can_see_allocation(&msb, shared, vakgroep.get()) {
        return Err(AppError::NotFound);
    }
    if !user.actor.can_shape_distribution(&msb) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

fn to_vakgroep(id: ScenarioId, vakgroep: VakgroepId) -> Response {
    Redirect::to(&format!(
        "/begroting/scenarios/{id}/verdeling/vakgroepen/{vakgroep}?ok=opgeslagen"
    ))
    .into_response()
}

pub(super) async fn save_band(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path((id, vakgroep)): Path<(ScenarioId, VakgroepId)>,
    Form(form): Form<BandOverrideForm>,
) -> AppResult<Response> {
    may_shape_band(&state, &user, id, vakgroep).await?;
    let band = match BandOverrideDraft::parse(&form) {
        Ok(band) => band,
        Err(problems) => {
            let refused = Some((form, problems.into()));
            return vakgroep_page(&state, &ctx, &user, (id, vakgroep), refused).await;
        }
    };
    let expected = version(&form.version);
    let who = who(&user);
    match forms::save(&state, &[CONFLICT], async |tx| {
        store::budget::set_band_override(tx, &who, id, vakgroep, expected, band).await
    })
    .await?
    {
        Ok(()) => Ok(to_vakgroep(id, vakgroep)),
        Err(errors) => {
            vakgroep_page(&state, &ctx, &user, (id, vakgroep), Some((form, errors))).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct VersionForm {
    version: String,
}

pub(super) async fn delete_band(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path((id, vakgroep)): Path<(ScenarioId, VakgroepId)>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    may_shape_band(&state, &user, id, vakgroep).await?;
    let Some(expected) = version(&form.version) else {
        return Err(AppError::BadInput);
    };
    let who = who(&user);
    match forms::save(&state, &[CONFLICT], async |tx| {
        store::budget::delete_band_override(tx, &who, id, vakgroep, expected).await
    })
    .await?
    {
        Ok(()) => Ok(to_vakgroep(id, vakgroep)),
        Err(errors) => {
            let typed = BandOverrideForm {
                version: form.version,
                ..BandOverrideForm::default()
            };
            vakgroep_page(&state, &ctx, &user, (id, vakgroep), Some((typed, errors))).await
        }
    }
}

fn to_hospital(id: ScenarioId) -> Response {
    Redirect::to(&format!(
        "/begroting/scenarios/{id}/verdeling?ok=opgeslagen"
    ))
    .into_response()
}

/// Where the earmark comes from: the controller, who keeps the year's frame.
pub(super) async fn save_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<ScenarioId>,
    Form(form): Form<PlacementForm>,
) -> AppResult<Response> {
    store::budget::scenario(state.store.pool(), id).await?;
    let placement = match PlacementDraft::parse(&form) {
        Ok(p) => p,
        Err(problems) => return hospital_page(&state, &ctx, &user, id, problems.into()).await,
    };
    let expected = version(&form.version).unwrap_or(0);
    let who = who(&user);
    match forms::save(&state, &[CONFLICT], async |tx| {
        store::budget::set_placement(tx, &who, id, expected, placement).await
    })
    .await?
    {
        Ok(()) => Ok(to_hospital(id)),
        Err(errors) => hospital_page(&state, &ctx, &user, id, errors).await,
    }
}

/// Shares the distribution per vakgroep with the RvB: an MSB board member, on the page they
/// read (its version).
pub(super) async fn share(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<ScenarioId>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    let pool = state.store.pool();
    store::budget::scenario(pool, id).await?;
    if !user
        .actor
        .can_shape_distribution(&store::budget::msb_bodies(pool).await?)
    {
        return Err(AppError::Forbidden);
    }
    let expected = version(&form.version).unwrap_or(0);
    let who = who(&user);
    match forms::save(&state, &[SHARE_CONFLICT], async |tx| {
        store::budget::share_distribution(tx, &who, id, expected).await
    })
    .await?
    {
        Ok(()) => Ok(to_hospital(id)),
        Err(errors) => hospital_page(&state, &ctx, &user, id, errors).await,
    }
}
