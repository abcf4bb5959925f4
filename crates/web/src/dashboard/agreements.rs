//! Agreements that need attention (B4): the person's own, and all they may see in the register
//! (a count per reason and the most urgent few). Both are for those who see the register; an
//! observer opens agreements only from the meetings they were invited to.

use crate::shared::error::AppResult;
use crate::shared::register::{Line, Selection};
use crate::shared::session::User;
use crate::shared::state::AppState;
use domain::agreements::kinds::AgreementStatus;
use domain::authz::{Capability, Visibility};
use domain::monitor::attention_tally;
use store::agreements::RegisterFilter;
use time::Date;

/// The most urgent agreements shown of all that need attention.
const MOST_URGENT: usize = 5;

/// The open agreements a person owns, as owner of the agreement or of one of its parties: those
/// that need attention (at most 20), the next few by due date, and how many there are.
pub(super) struct Owned {
    pub attention: Vec<Line>,
    pub attention_total: usize,
    pub next: Vec<Line>,
    pub total: usize,
}

pub(super) async fn owned(state: &AppState, user: &User, today: Date) -> AppResult<Option<Owned>> {
    if !user.actor.can(Capability::ViewRegister) {
        return Ok(None);
    }
    let filter = RegisterFilter {
        visible_bodies: user.actor.bodies.iter().copied().collect(),
        owner_id: Some(user.actor.person_id),
        statuses: AgreementStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect(),
        ..RegisterFilter::default()
    };
    let attention = Selection {
        attention_only: true,
        window: Some((0, 20)),
        ..Selection::default()
    };
    let next = Selection {
        window: Some((0, 5)),
        ..Selection::default()
    };
    let (attention, next) = tokio::try_join!(
        crate::shared::register::lines(state, &filter, today, attention),
        crate::shared::register::lines(state, &filter, today, next),
    )?;
    Ok(Some(Owned {
        attention: attention.0,
        attention_total: attention.1,
        next: next.0,
        total: next.1,
    }))
}

/// Every agreement the person may see that needs attention today: the register's own list
/// (`?aandacht=ja`), counted per most pressing reason, with the most urgent first.
pub(super) struct AllAttention {
    pub total: usize,
    pub tally: Vec<(&'static str, usize)>,
    pub urgent: Vec<Line>,
}

pub(super) async fn all_attention(
    state: &AppState,
    user: &User,
    today: Date,
) -> AppResult<Option<AllAttention>> {
    if !user.actor.can(Capability::ViewRegister) {
        return Ok(None);
    }
    // The register's judgement of today, kept per register revision: one query when nothing
    // changed, whatever the size of the register. Sorted most pressing reason first.
    let all = crate::shared::register::needing_attention(state, today).await?;
    let seen: Vec<&Line> = all
        .iter()
        .filter(|l| {
            user.actor.can_see_agreement(
                Visibility::of(l.row.visibility_body_id),
                &l.row.origin_bodies,
            )
        })
        .collect();
    Ok(Some(AllAttention {
        total: seen.len(),
        tally: attention_tally(seen.iter().map(|l| l.attention.as_slice())),
        urgent: seen.into_iter().take(MOST_URGENT).cloned().collect(),
    }))
}
