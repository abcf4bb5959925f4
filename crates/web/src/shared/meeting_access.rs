//! Which meetings a person may see: the meetings section and the agreements made from a
//! meeting's decision both ask.

use super::error::{AppError, AppResult};
use super::session::User;
use super::state::AppState;
use domain::ids::MeetingId;
use store::meetings::Meeting;

/// A meeting the person takes part in; any other meeting does not exist for them.
pub async fn visible_meeting(state: &AppState, user: &User, id: MeetingId) -> AppResult<Meeting> {
    let meeting = store::meetings::get(state.store.pool(), id).await?;
    if !user.actor.can_see_meeting(&meeting.bodies) {
        return Err(AppError::NotFound);
    }
    Ok(meeting)
}
