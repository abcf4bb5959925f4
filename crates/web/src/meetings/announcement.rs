//! Announcing a changed agenda (issue #16; `domain::meetings::announcement`): a secretary who
//! changed a published agenda sends it again to the members once the change is complete, with a
//! note of what changed. The form carries the number of announcements seen, so a second
//! secretary sending the same change gets told it went out already, with the note kept.

use super::visible_meeting;
use crate::shared::error::AppResult;
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::MeetingId;
use domain::meetings::announcement::{AnnouncementDraft, NOT_NOW, may_announce};
use domain::nl;
use store::StoreError;
use store::meetings::Meeting;

#[derive(Template)]
#[template(path = "meetings/announcement.html")]
struct AnnouncementPage {
    layout: Layout,
    meeting: Meeting,
    /// The announcements seen when the form was shown: the form's version.
    seen: i32,
    /// When the agenda was last announced as changed, if ever.
    last: Option<String>,
    note: String,
    allowed: bool,
    not_now: &'static str,
    errors: Errors,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    meeting: Meeting,
    note: String,
    errors: Errors,
) -> AppResult<Response> {
    let last = store::announcement::last(state.store.pool(), meeting.id).await?;
    let page = AnnouncementPage {
        layout: ctx.layout(format!("Wijziging aankondigen — {}", meeting.title)),
        seen: last.count,
        last: last.at.map(nl::datetime),
        allowed: may_announce(meeting.status),
        not_now: NOT_NOW,
        meeting,
        note,
        errors,
    };
    Ok((page.errors.status(), render(page)?).into_response())
}

pub(super) async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    page(&state, &ctx, meeting, String::new(), Errors::default()).await
}

#[derive(serde::Deserialize)]
pub(super) struct AnnouncementForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    seen: String,
}

pub(super) async fn announce(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
    Form(form): Form<AnnouncementForm>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let mut errors = Errors::default();
    if !may_announce(meeting.status) {
        errors.add("_form", NOT_NOW);
        return page(&state, &ctx, meeting, form.note, errors).await;
    }
    let draft = match AnnouncementDraft::parse(&form.note) {
        Ok(draft) => draft,
        Err(e) => {
            errors.field(e);
            return page(&state, &ctx, meeting, form.note, errors).await;
        }
    };
    // A form that lost its version is answered like a stale one: nothing is sent twice.
    let seen: i32 = form.seen.trim().parse().unwrap_or(-1);
    let mut tx = state.store.begin().await?;
    match store::announcement::record(&mut tx, &who(&user), id, seen, &draft).await {
        Ok(()) => {
            let occasion = super::notify::Occasion::Changed { note: &draft.note };
            super::notify::agenda(&state, &mut tx, &meeting, occasion).await?;
            store::commit(tx).await?;
            Ok(Redirect::to(&format!("/vergaderingen/{id}?ok=aangekondigd")).into_response())
        }
        Err(StoreError::Conflict) => {
            drop(tx);
            let meeting = visible_meeting(&state, &user, id).await?;
            errors.add(
                "_form",
                if may_announce(meeting.status) {
                    "Intussen is de agenda al als gewijzigd aangekondigd; er is niets verstuurd. Uw toelichting staat hieronder: verstuur opnieuw als er sindsdien nog iets is gewijzigd."
                } else {
                    NOT_NOW
                },
            );
            page(&state, &ctx, meeting, form.note, errors).await
        }
        Err(e) => Err(e.into()),
    }
}
