//! The next joint meeting and its items awaiting a decision per deciding body, and the divided
//! decisions with their follow-up (A1–A3). A person sees the meetings of their bodies and, on
//! them, the items of their compartments — the rule of the meeting page (`Actor::can_see_meeting`,
//! `Actor::can_see`), so nothing here is news to the page it links to.

use crate::shared::error::AppResult;
use crate::shared::session::User;
use crate::shared::state::AppState;
use domain::authz::{Capability, Visibility};
use domain::ids::{ItemId, MeetingId};
use domain::meetings::decisions::BodyDecision;
use domain::meetings::status::MeetingStatus;
use domain::monitor::{DecidingItem, awaiting_per_body, still_divided};
use domain::nl;
use std::collections::HashMap;
use time::OffsetDateTime;

/// At most this many divided items are listed; the meetings page has them all.
const DIVIDED_SHOWN: usize = 5;

pub(super) struct AwaitingItem {
    pub id: ItemId,
    pub title: String,
    /// "alleen MSB" for a body-only item.
    pub restricted: String,
}

/// The items one deciding body has not decided on yet.
pub(super) struct BodyAwaiting {
    pub code: String,
    /// The reader is a member of this body.
    pub own: bool,
    pub items: Vec<AwaitingItem>,
}

pub(super) struct MeetingBlock {
    pub id: MeetingId,
    pub title: String,
    pub when: String,
    pub place: String,
    pub status: &'static str,
    pub published: bool,
    /// Items for decision the reader sees.
    pub for_decision: usize,
    pub awaiting: Vec<BodyAwaiting>,
}

pub(super) struct DividedLine {
    pub meeting_id: MeetingId,
    pub item_id: ItemId,
    pub title: String,
    pub meeting: String,
    /// "RvB: aangenomen; MSB: verworpen".
    pub decisions: String,
    pub follow_up: String,
    /// The follow-up item, when the reader takes part in its meeting.
    pub follow_up_link: Option<(MeetingId, ItemId)>,
}

pub(super) struct DividedBlock {
    pub total: usize,
    pub lines: Vec<DividedLine>,
}

fn date_of(t: OffsetDateTime) -> String {
    nl::date(nl::to_amsterdam(t).date())
}

/// Every body's code by id.
async fn body_codes(state: &AppState) -> AppResult<HashMap<i64, String>> {
    Ok(store::bodies::list(state.store.pool())
        .await?
        .into_iter()
        .map(|b| (b.id, b.code.to_string()))
        .collect())
}

/// The next joint meeting one of the reader's bodies takes part in; `None` for whoever does not
/// see meetings, and a block saying so when there is none.
pub(super) async fn next_meeting(
    state: &AppState,
    user: &User,
    now: OffsetDateTime,
) -> AppResult<Option<Option<MeetingBlock>>> {
    if !user.actor.can(Capability::ViewMeetings) {
        return Ok(None);
    }
    let bodies: Vec<i64> = user.actor.bodies.iter().copied().collect();
    let (next, codes) = tokio::try_join!(
        async {
            Ok::<_, crate::shared::error::AppError>(
                store::monitor::next_joint_meeting(&state.store, &bodies, now).await?,
            )
        },
        body_codes(state)
    )?;
    let Some(next) = next else {
        return Ok(Some(None));
    };
    let m = &next.meeting;
    if !user.actor.can_see_meeting(&m.bodies) {
        return Ok(Some(None));
    }
    let visible: Vec<&store::agenda::Item> = next
        .items
        .iter()
        .filter(|i| user.actor.can_see(Visibility::of(i.visibility_body_id)))
        .filter(|i| !i.deciding_bodies.is_empty())
        .collect();
    let deciding: Vec<DecidingItem> = visible
        .iter()
        .map(|i| DecidingItem {
            item_id: i.id.get(),
            deciding_bodies: i.deciding_bodies.clone(),
            decided: next
                .decisions
                .iter()
                .filter(|d| d.item_id == i.id)
                .map(|d| d.body_id)
                .collect(),
        })
        .collect();
    let code = |b: i64| codes.get(&b).cloned().unwrap_or_default();
    let awaiting = awaiting_per_body(&m.bodies, &deciding)
        .into_iter()
        .map(|(body, ids)| BodyAwaiting {
            code: code(body),
            own: user.actor.bodies.contains(&body),
            items: ids
                .iter()
                .filter_map(|id| visible.iter().find(|i| i.id.get() == *id))
                .map(|i| AwaitingItem {
                    id: i.id,
                    title: i.title.clone(),
                    restricted: i
                        .visibility_body_id
                        .map(|b| format!("alleen {}", code(b)))
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    let start = nl::to_amsterdam(m.starts_at);
    let place = match (m.location.trim(), m.video_url.trim()) {
        ("", "") => "plaats nog niet bekend".to_string(),
        ("", video) => format!("online: {video}"),
        (place, "") => place.to_string(),
        (place, video) => format!("{place}, en online: {video}"),
    };
    Ok(Some(Some(MeetingBlock {
        id: m.id,
        title: m.title.clone(),
        when: format!(
            "{} {}–{}",
            nl::date(start.date()),
            nl::clock(m.starts_at),
            nl::clock(m.ends_at)
        ),
        place,
        status: m.status.label(),
        published: m.status >= MeetingStatus::Gepubliceerd,
        for_decision: visible.len(),
        awaiting,
    })))
}

/// The divided items the reader may see whose follow-up is still open, latest meeting first.
pub(super) async fn divided(state: &AppState, user: &User) -> AppResult<Option<DividedBlock>> {
    if !user.actor.can(Capability::ViewMeetings) {
        return Ok(None);
    }
    let (all, codes) = tokio::try_join!(
        async {
            Ok::<_, crate::shared::error::AppError>(store::monitor::divided(&state.store).await?)
        },
        body_codes(state)
    )?;
    let code = |b: i64| codes.get(&b).cloned().unwrap_or_default();
    let seen: Vec<store::monitor::Divided> = all
        .into_iter()
        .filter(|d| {
            user.actor.can_see_meeting(&d.meeting_bodies)
                && user.actor.can_see(Visibility::of(d.visibility_body_id))
                && still_divided(&d.deciding_bodies, &d.decisions)
        })
        .collect();
    let total = seen.len();
    let lines = seen
        .into_iter()
        .take(DIVIDED_SHOWN)
        .map(|d| {
            let decisions = d
                .decisions
                .iter()
                .filter(|b| d.deciding_bodies.contains(&b.body_id))
                .map(|b: &BodyDecision| format!("{}: {}", code(b.body_id), b.outcome.label()))
                .collect::<Vec<_>>()
                .join("; ");
            let (follow_up, follow_up_link) = match &d.follow_up {
                None => (
                    "het vervolg wacht op de volgende gezamenlijke vergadering".to_string(),
                    None,
                ),
                Some(f) => (
                    format!(
                        "vervolg op {} van {} ({})",
                        f.meeting_title,
                        date_of(f.meeting_starts_at),
                        f.meeting_status.label().to_lowercase()
                    ),
                    user.actor
                        .can_see_meeting(&f.meeting_bodies)
                        .then_some((f.meeting_id, f.item_id)),
                ),
            };
            DividedLine {
                meeting_id: d.meeting_id,
                item_id: d.item_id,
                title: d.title,
                meeting: format!("{} van {}", d.meeting_title, date_of(d.meeting_starts_at)),
                decisions,
                follow_up,
                follow_up_link,
            }
        })
        .collect();
    Ok(Some(DividedBlock { total, lines }))
}
