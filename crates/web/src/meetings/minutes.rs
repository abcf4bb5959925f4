//! Adopting the minutes of an earlier meeting in a later one (A6) and carrying unfinished items
//! over to the next agenda (A7).

use super::{insertion_point, visible_meeting};
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
use domain::authz::Visibility;
use domain::ids::{ItemId, MeetingId};
use domain::meetings::status::{MeetingStatus, agenda_editable, can_adopt_minutes};
use domain::nl;
use store::StoreError;
use store::meetings::Meeting;

fn status(m: &Meeting) -> MeetingStatus {
    m.status
}

struct Pending {
    id: MeetingId,
    title: String,
    date: String,
    allowed: Result<(), String>,
}

#[derive(Template)]
#[template(path = "meetings/adopt.html")]
struct AdoptPage {
    layout: Layout,
    meeting: Meeting,
    pending: Vec<Pending>,
    error: Option<String>,
}

async fn adopt_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    meeting: Meeting,
    error: Option<String>,
) -> AppResult<Response> {
    let pending =
        store::minutes::awaiting_adoption(&state.store, &meeting.bodies, meeting.starts_at)
            .await?
            .into_iter()
            .filter(|m| user.actor.can_see_meeting(&m.bodies))
            .map(|m| Pending {
                allowed: can_adopt_minutes(
                    (status(&m), m.starts_at),
                    (status(&meeting), meeting.starts_at),
                )
                .map_err(|e| e.to_string()),
                date: nl::date(nl::to_amsterdam(m.starts_at).date()),
                id: m.id,
                title: m.title,
            })
            .collect();
    let code = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = AdoptPage {
        layout: ctx.layout(format!("Notulen vaststellen — {}", meeting.title)),
        meeting,
        pending,
        error,
    };
    Ok((code, render(page)?).into_response())
}

pub(super) async fn adopt_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    adopt_page(&state, &ctx, &user, meeting, None).await
}

#[derive(serde::Deserialize)]
pub(super) struct AdoptForm {
    vorige: MeetingId,
}

pub(super) async fn adopt(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
    Form(form): Form<AdoptForm>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let earlier = visible_meeting(&state, &user, form.vorige).await?;
    if let Err(e) = can_adopt_minutes(
        (status(&earlier), earlier.starts_at),
        (status(&meeting), meeting.starts_at),
    ) {
        return adopt_page(&state, &ctx, &user, meeting, Some(e.to_string())).await;
    }
    let mut tx = state.store.begin().await?;
    match store::meetings::adopt_minutes(&mut tx, &who(&user), earlier.id, meeting.id).await {
        Ok(()) => store::commit(tx).await?,
        Err(StoreError::Conflict) => {
            return adopt_page(
                &state,
                &ctx,
                &user,
                meeting,
                Some("Deze notulen zijn intussen al vastgesteld.".into()),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/vergaderingen/{id}/notulen?ok=opgeslagen")).into_response())
}

struct Candidate {
    id: ItemId,
    title: String,
    from: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "meetings/carry.html")]
struct CarryPage {
    layout: Layout,
    meeting: Meeting,
    candidates: Vec<Candidate>,
    editable: bool,
    error: Option<String>,
}

/// The unfinished items of earlier meetings this person may see and carry over.
async fn open_items(
    state: &AppState,
    user: &User,
    meeting: &Meeting,
) -> AppResult<Vec<store::minutes::Unfinished>> {
    Ok(store::minutes::unfinished_before(&state.store, meeting)
        .await?
        .into_iter()
        .filter(|u| {
            user.actor
                .can_see(Visibility::of(u.item.visibility_body_id))
        })
        .collect())
}

/// The carry-over page; `chosen` is what was ticked (all, at first).
fn carry_page(
    ctx: &Ctx,
    meeting: Meeting,
    open: Vec<store::minutes::Unfinished>,
    chosen: Option<&[String]>,
    error: Option<String>,
) -> AppResult<Response> {
    let candidates = open
        .into_iter()
        .map(|u| Candidate {
            checked: chosen.is_none_or(|c| c.contains(&u.item.id.to_string())),
            id: u.item.id,
            title: u.item.title,
            from: format!(
                "{} ({})",
                u.meeting_title,
                nl::date(nl::to_amsterdam(u.meeting_starts_at).date())
            ),
        })
        .collect();
    let editable = agenda_editable(status(&meeting));
    let code = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = CarryPage {
        layout: ctx.layout(format!("Punten overnemen — {}", meeting.title)),
        meeting,
        candidates,
        editable,
        error,
    };
    Ok((code, render(page)?).into_response())
}

pub(super) async fn carry_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let open = open_items(&state, &user, &meeting).await?;
    carry_page(&ctx, meeting, open, None, None)
}

pub(super) async fn carry(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    if !agenda_editable(status(&meeting)) {
        return Err(crate::shared::error::AppError::Forbidden);
    }
    let chosen: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "item")
        .map(|(_, v)| v.clone())
        .collect();
    // Only what this person may see and what is really still open can be carried over; any
    // other id, hidden or missing, is refused alike and nothing is carried.
    let open = open_items(&state, &user, &meeting).await?;
    let items: Vec<_> = open
        .iter()
        .map(|u| u.item.clone())
        .filter(|i| chosen.contains(&i.id.to_string()))
        .collect();
    if items.len() != chosen.len() {
        let error = "Kies punten uit de lijst. De lijst is bijgewerkt; kies opnieuw.".to_string();
        return carry_page(&ctx, meeting, open, Some(&chosen), Some(error));
    }
    let mut tx = state.store.begin().await?;
    for item in &items {
        let current = store::agenda::items(&mut *tx, id).await?;
        let (position, moves) = insertion_point(&current, None);
        store::agenda::set_positions(&mut tx, &who(&user), &moves).await?;
        store::minutes::carry_over(&mut tx, &who(&user), id, position, item).await?;
    }
    store::commit(tx).await?;
    Ok(Redirect::to(&format!("/vergaderingen/{id}?ok=opgeslagen")).into_response())
}
