//! The follow-up of a divided item (A3): it goes onto the next joint meeting whose agenda can
//! still change, or waits until such a meeting is created — it is never lost.

use super::insertion_point;
use crate::shared::error::AppResult;
use crate::shared::session::User;
use crate::shared::who::who;
use domain::ids::MeetingId;
use domain::meetings::decisions::{Candidate, follow_up_fits, joint_outcome, needs_follow_up};
use store::agenda::Item;
use store::audit::Who;
use store::meetings::Meeting;

fn candidate(m: &Meeting) -> Option<Candidate<'_>> {
    Some(Candidate {
        kind: m.kind,
        status: m.status,
        starts_at: m.starts_at,
        bodies: &m.bodies,
    })
}

/// Puts the follow-up of `item` before the closing item of meeting `target`.
async fn place(tx: &mut store::Tx, who: &Who, target: MeetingId, item: &Item) -> AppResult<()> {
    let items = store::agenda::items(&mut **tx, target).await?;
    let (position, moves) = insertion_point(&items, None);
    store::agenda::set_positions(tx, who, &moves).await?;
    store::follow_ups::place(tx, who, target, position, item).await?;
    Ok(())
}

/// After a body's decision on `item` (decided in `meeting`): a divided item gets its follow-up
/// once — on the next fitting joint meeting, or waiting for one — and an item the bodies agree
/// on after all no longer waits. Returns the meeting the follow-up was put on by this call.
pub(super) async fn after_decision(
    tx: &mut store::Tx,
    user: &User,
    meeting: &Meeting,
    item: &Item,
) -> AppResult<Option<Meeting>> {
    let who = who(user);
    let decisions = super::decision_notify::decisions_on(tx, item).await?;
    store::follow_ups::lock(tx).await?;
    if !needs_follow_up(joint_outcome(&item.deciding_bodies, &decisions)) {
        store::follow_ups::forget(tx, &who, item.id).await?;
        return Ok(None);
    }
    if store::agenda::has_follow_up(tx, item.id).await? {
        return Ok(None);
    }
    let later = store::meetings::later_joint(tx, meeting.starts_at).await?;
    let next = later.iter().find(|m| {
        candidate(m).is_some_and(|c| follow_up_fits(meeting.starts_at, &item.deciding_bodies, &c))
    });
    match next {
        Some(next) => {
            place(tx, &who, next.id, item).await?;
            Ok(Some(next.clone()))
        }
        None => {
            store::follow_ups::keep(tx, &who, item.id).await?;
            Ok(None)
        }
    }
}

/// After meetings were created: every waiting follow-up that fits one of them goes onto the
/// first that fits.
pub(crate) async fn place_waiting(
    tx: &mut store::Tx,
    who: &Who,
    created: &[MeetingId],
) -> AppResult<()> {
    store::follow_ups::lock(tx).await?;
    let waiting = store::follow_ups::waiting_in(tx).await?;
    if waiting.is_empty() {
        return Ok(());
    }
    let mut meetings = Vec::with_capacity(created.len());
    for id in created {
        meetings.push(store::meetings::get(&mut **tx, *id).await?);
    }
    meetings.sort_by_key(|m| m.starts_at);
    for w in waiting {
        let target = meetings.iter().find(|m| {
            candidate(m)
                .is_some_and(|c| follow_up_fits(w.meeting_starts_at, &w.item.deciding_bodies, &c))
        });
        if let Some(target) = target {
            place(tx, who, target.id, &w.item).await?;
        }
    }
    Ok(())
}
