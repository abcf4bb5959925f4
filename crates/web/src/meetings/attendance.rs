//! Who is present at a meeting (A4): one list per meeting with its own version, so two
//! secretaries ticking names at once never overwrite each other (F4).

use super::visible_meeting;
use crate::shared::error::AppResult;
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, DiffRow, Errors, Layout, diff_versions, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::{MeetingId, PersonId};
use store::StoreError;
use store::meetings::Meeting;

struct AttendeeRow {
    person_id: PersonId,
    name: String,
    bodies: String,
    present: bool,
}

#[derive(Template)]
#[template(path = "meetings/attendance.html")]
struct AttendancePage {
    layout: Layout,
    meeting: Meeting,
    version: i32,
    people: Vec<AttendeeRow>,
    /// After a stale save: who is recorded now next to what was ticked.
    conflict: Option<Vec<DiffRow>>,
    errors: Errors,
}

/// The members of the participating bodies, once each, ticked when in `present`.
async fn rows(
    state: &AppState,
    meeting: &Meeting,
    present: &[PersonId],
) -> AppResult<Vec<AttendeeRow>> {
    let mut people: Vec<AttendeeRow> = Vec::new();
    for m in store::decisions::members(&state.store, &meeting.bodies).await? {
        match people.iter_mut().find(|p| p.person_id == m.person_id) {
            Some(p) => p.bodies.push_str(&format!(", {}", m.body_code)),
            None => people.push(AttendeeRow {
                person_id: m.person_id,
                present: present.contains(&m.person_id),
                name: m.name,
                bodies: m.body_code.to_string(),
            }),
        }
    }
    Ok(people)
}

async fn stored_present(state: &AppState, meeting_id: MeetingId) -> AppResult<Vec<PersonId>> {
    Ok(store::decisions::attendance(&state.store, meeting_id)
        .await?
        .into_iter()
        .filter(|(_, here)| *here)
        .map(|(id, _)| id)
        .collect())
}

fn page(
    ctx: &Ctx,
    meeting: Meeting,
    version: i32,
    people: Vec<AttendeeRow>,
    conflict: Option<Vec<DiffRow>>,
    errors: Errors,
) -> AppResult<Response> {
    let status = if conflict.is_some() {
        StatusCode::CONFLICT
    } else {
        errors.status()
    };
    let page = AttendancePage {
        layout: ctx.layout(format!("Aanwezigheid — {}", meeting.title)),
        meeting,
        version,
        people,
        conflict,
        errors,
    };
    Ok((status, render(page)?).into_response())
}

pub(super) async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let version = store::decisions::attendance_version(&state.store, id).await?;
    let people = rows(&state, &meeting, &stored_present(&state, id).await?).await?;
    page(&ctx, meeting, version, people, None, Errors::default())
}

pub(super) async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let version: i32 = pairs
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let ticked: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "present")
        .map(|(_, v)| v.as_str())
        .collect();
    let people = rows(&state, &meeting, &[]).await?;
    // Only members of the participating bodies can be present; any other id, of a person or of
    // nobody, is refused alike and nothing is saved.
    let present: Vec<PersonId> = people
        .iter()
        .filter(|p| ticked.contains(&p.person_id.to_string().as_str()))
        .map(|p| p.person_id)
        .collect();
    let typed: Vec<AttendeeRow> = people
        .into_iter()
        .map(|p| AttendeeRow {
            present: present.contains(&p.person_id),
            ..p
        })
        .collect();
    if present.len() != ticked.len() {
        let mut errors = Errors::default();
        errors.add("present", "Kies alleen leden van de deelnemende gremia.");
        return page(&ctx, meeting, version, typed, None, errors);
    }
    let rows: Vec<(PersonId, bool)> = typed.iter().map(|p| (p.person_id, p.present)).collect();
    let mut tx = state.store.begin().await?;
    match store::decisions::set_attendance(&mut tx, &who(&user), id, version, &rows).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!("/vergaderingen/{id}?ok=opgeslagen")).into_response())
        }
        Err(StoreError::Conflict) => {
            drop(tx);
            let stored = stored_present(&state, id).await?;
            let names = |ids: &[PersonId]| {
                typed
                    .iter()
                    .filter(|p| ids.contains(&p.person_id))
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let conflict = diff_versions(
                vec![("Aanwezig", names(&stored))],
                vec![("Aanwezig", names(&present))],
            );
            let mut errors = Errors::default();
            errors.add(
                "_form",
                "Iemand anders heeft de aanwezigheid intussen opgeslagen. Hieronder staan beide versies; uw keuze staat in het formulier. Pas die zo nodig aan en sla opnieuw op om de opgeslagen lijst bewust te vervangen.",
            );
            let now = store::decisions::attendance_version(&state.store, id).await?;
            page(&ctx, meeting, now, typed, Some(conflict), errors)
        }
        Err(e) => Err(e.into()),
    }
}
