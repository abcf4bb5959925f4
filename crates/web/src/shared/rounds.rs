//! Which self-assessment rounds a person may see: the results page, its actions and the
//! dashboard's trend ask the same question.

use super::error::AppResult;
use super::session::User;
use super::state::AppState;
use domain::authz::Capability;
use domain::selfassessment::RoundId;

/// The rounds `user` may see: `None` for all (the secretary), otherwise the rounds past concept
/// to which a body of theirs is invited or that they answered — the rule of the round page
/// (`respond::visible_round`), as a list, because the trend needs it too.
pub async fn visible_rounds(state: &AppState, user: &User) -> AppResult<Option<Vec<RoundId>>> {
    if user.actor.can(Capability::ManageSelfAssessment) {
        return Ok(None);
    }
    Ok(Some(
        store::selfassessment::rounds_for(&state.store, user.actor.person_id)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect(),
    ))
}
