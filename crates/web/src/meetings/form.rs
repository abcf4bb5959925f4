//! Creating and editing meetings (with recurring series and standing items) and moving them
//! through their status flow.

use super::visible_meeting;
use crate::shared::error::{AppError, AppResult};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::MeetingId;
use domain::meetings::kinds::{MeetingKind, Recurrence};
use domain::meetings::meeting_draft::{MeetingDraft, MeetingForm, Series};
use domain::meetings::status::{MeetingStatus, transition};
use domain::nl;
use serde::Deserialize;
use store::StoreError;

struct BodyChoice {
    id: i64,
    code: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "meetings/form.html")]
struct FormPage {
    layout: Layout,
    id: Option<MeetingId>,
    form: MeetingForm,
    bodies: Vec<BodyChoice>,
    kinds: &'static [MeetingKind],
    recurrences: &'static [Recurrence],
    errors: Errors,
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    id: Option<MeetingId>,
    form: MeetingForm,
    chosen: &[i64],
    errors: Errors,
) -> AppResult<Response> {
    let bodies = store::bodies::list(state.store.pool())
        .await?
        .into_iter()
        .map(|b| BodyChoice {
            checked: chosen.contains(&b.id),
            id: b.id,
            code: b.code.to_string(),
        })
        .collect();
    let status = errors.status();
    let title = if id.is_some() {
        "Vergadering wijzigen"
    } else {
        "Nieuwe vergadering"
    };
    let page = FormPage {
        layout: ctx.layout(title),
        id,
        form,
        bodies,
        kinds: MeetingKind::ALL,
        recurrences: Recurrence::ALL,
        errors,
    };
    Ok((status, render(page)?).into_response())
}

/// The form checked by the domain's rules, against the bodies as they are now.
async fn validate(
    state: &AppState,
    form: &MeetingForm,
    bodies: &[i64],
) -> AppResult<Result<(MeetingDraft, Series), Errors>> {
    let known: Vec<i64> = store::bodies::list(state.store.pool())
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    Ok(MeetingDraft::parse(form, bodies, &known).map_err(Errors::from))
}

fn chosen_bodies(pairs: &[(String, String)]) -> Vec<i64> {
    pairs
        .iter()
        .filter(|(k, _)| k == "body")
        .filter_map(|(_, v)| v.parse().ok())
        .collect()
}

fn form_of(pairs: &[(String, String)]) -> MeetingForm {
    serde_urlencoded::from_str(
        &serde_urlencoded::to_string(
            pairs
                .iter()
                .filter(|(k, _)| k != "body")
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default(),
    )
    .unwrap_or_default()
}

pub(super) async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let form = MeetingForm {
        kind: MeetingKind::Gezamenlijk.code().into(),
        start: "16:00".into(),
        end: "18:00".into(),
        ..Default::default()
    };
    // A joint meeting of the boards is the usual case: RvB and the MSB+ bodies, no observers.
    let chosen: Vec<i64> = store::bodies::list(state.store.pool())
        .await?
        .into_iter()
        .filter(|b| b.kind != domain::people::BodyKind::Toezicht)
        .map(|b| b.id)
        .collect();
    form_page(&state, &ctx, None, form, &chosen, Errors::default()).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let bodies = chosen_bodies(&pairs);
    let form = form_of(&pairs);
    let checked = validate(&state, &form, &bodies)
        .await?
        .and_then(|(input, series)| {
            input
                .check_planner(&user.actor)
                .map_err(|e| Errors::from(vec![e]))?;
            Ok((input, series))
        });
    let (input, series) = match checked {
        Ok(v) => v,
        Err(errors) => return form_page(&state, &ctx, None, form, &bodies, errors).await,
    };
    let duration = input.ends_at - input.starts_at;
    let mut tx = state.store.begin().await?;
    let series_id = if series.count > 1 {
        Some(store::meetings::next_series_id(&mut tx).await?)
    } else {
        None
    };
    let mut created = Vec::new();
    for start in domain::meetings::kinds::occurrences(series.first, series.recurrence, series.count)
    {
        let starts_at = nl::from_amsterdam(start);
        let one = MeetingDraft {
            starts_at,
            ends_at: starts_at + duration,
            ..input.clone()
        };
        let id = store::meetings::create(&mut tx, &who(&user), &one, series_id).await?;
        for (position, item) in store::agenda::standing_inputs().iter().enumerate() {
            store::agenda::add(
                &mut tx,
                &who(&user),
                id,
                position as i32 + 1,
                item,
                None,
                None,
            )
            .await?;
        }
        created.push(id);
    }
    super::follow_up::place_waiting(&mut tx, &who(&user), &created).await?;
    store::commit(tx).await?;
    let id = *created
        .first()
        .ok_or_else(|| AppError::bug("a series without occurrences"))?;
    Ok(Redirect::to(&format!("/vergaderingen/{id}?ok=aangemaakt")).into_response())
}

fn form_from(m: &store::meetings::Meeting) -> MeetingForm {
    let start = nl::to_amsterdam(m.starts_at);
    let end = nl::to_amsterdam(m.ends_at);
    MeetingForm {
        version: m.version,
        title: m.title.clone(),
        kind: m.kind.code().into(),
        date: format!("{}", start.date()),
        start: nl::clock(m.starts_at),
        end: format!("{:02}:{:02}", end.hour(), end.minute()),
        location: m.location.clone(),
        video_url: m.video_url.clone(),
        recurrence: Recurrence::Eenmalig.code().into(),
        count: "1".into(),
    }
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
) -> AppResult<Response> {
    let m = visible_meeting(&state, &user, id).await?;
    form_page(
        &state,
        &ctx,
        Some(id),
        form_from(&m),
        &m.bodies,
        Errors::default(),
    )
    .await
}

pub(super) async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let current = visible_meeting(&state, &user, id).await?;
    let bodies = chosen_bodies(&pairs);
    let form = form_of(&pairs);
    let (input, _) = match validate(&state, &form, &bodies).await? {
        Ok(v) => v,
        Err(errors) => return form_page(&state, &ctx, Some(id), form, &bodies, errors).await,
    };
    let mut tx = state.store.begin().await?;
    match store::meetings::update(&mut tx, &who(&user), id, form.version, &input).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!("/vergaderingen/{id}?ok=opgeslagen")).into_response())
        }
        Err(StoreError::Conflict) => {
            let mut errors = Errors::default();
            errors.add("_form", "Iemand anders heeft deze vergadering intussen gewijzigd. Uw invoer staat hieronder; sla opnieuw op om die over de nieuwe versie heen te zetten.");
            let form = MeetingForm {
                version: current.version,
                ..form
            };
            form_page(&state, &ctx, Some(id), form, &bodies, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(super) struct StatusForm {
    naar: String,
}

pub(super) async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    let m = visible_meeting(&state, &user, id).await?;
    let from = m.status;
    let to = MeetingStatus::parse(&form.naar).ok_or(AppError::NotFound)?;
    if let Err(e) = transition(from, to) {
        return super::page::show_with_error(&state, &ctx, &user, m, e.to_string()).await;
    }
    let mut tx = state.store.begin().await?;
    match store::meetings::set_status(&mut tx, &who(&user), id, from, to).await {
        Ok(()) => {
            // The agenda goes out when it is first published, in the same transaction.
            if from == MeetingStatus::Concept && to == MeetingStatus::Gepubliceerd {
                super::notify::agenda(&state, &mut tx, &m, super::notify::Occasion::Published)
                    .await?;
            }
            store::commit(tx).await?
        }
        Err(StoreError::Conflict) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/vergaderingen/{id}")).into_response())
}
