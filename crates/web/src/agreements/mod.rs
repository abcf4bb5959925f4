//! Afspraken: the agreements register (product.md B1–B6).

mod conflict;
mod detail;
mod export;
mod form;
mod list;
mod progress;

use crate::shared::error::{AppError, AppResult};
use crate::shared::routes::RouteDef;
use crate::shared::session::User;
use crate::shared::state::AppState;
use domain::authz::Visibility;
use domain::ids::AgreementId;
use store::agreements::AgreementDetail;

pub fn routes() -> Vec<RouteDef> {
    let mut routes = list::routes();
    routes.extend(export::routes());
    routes.extend(detail::routes());
    routes
}

/// An option of a select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The options of a code list, with `chosen` selected.
fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    chosen: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|&t| Choice {
            value: code(t).to_string(),
            label: label(t).to_string(),
            selected: code(t) == chosen,
        })
        .collect()
}

/// The agreement if the person may see it (else 404): its compartment, and for an observer its
/// origin in a meeting their body attended (`Actor::can_see_agreement`).
async fn visible_agreement(
    state: &AppState,
    user: &User,
    id: AgreementId,
) -> AppResult<AgreementDetail> {
    let detail = store::agreements::detail(&state.store, id).await?;
    let visibility = Visibility::of(detail.agreement.visibility_body_id);
    if !user
        .actor
        .can_see_agreement(visibility, &detail.origin_bodies)
    {
        return Err(AppError::NotFound);
    }
    Ok(detail)
}
