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
use domain::meetings::status::{MeetingStatus, transition};
use domain::nl;
use serde::Deserialize;
use store::StoreError;
use store::meetings::MeetingInput;
use time::macros::format_description;
use time::{PrimitiveDateTime, Time};

#[derive(Deserialize, Default, Clone)]
pub(super) struct MeetingForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    video_url: String,
    #[serde(default)]
    recurrence: String,
    #[serde(default)]
    count: String,
}

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
            code: b.code,
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

fn parse_time(s: &str) -> Option<Time> {
    let t = s.trim().replace('.', ":");
    Time::parse(&t, format_description!("[hour]:[minute]")).ok()
}

/// Reads and checks the form; times are Dutch wall-clock times.
fn validate(
    form: &MeetingForm,
    bodies: &[i64],
    known: &[i64],
) -> Result<(MeetingInput, Recurrence, u8, PrimitiveDateTime), Errors> {
    let mut errors = Errors::default();
    let title = form.title.trim().to_string();
    if title.is_empty() || title.chars().count() > 200 {
        errors.add("title", "Vul een titel in (hoogstens 200 tekens).");
    }
    let kind = MeetingKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "Kies het soort vergadering.");
    }
    let date = domain::nl::parse_date(&form.date);
    if date.is_none() {
        errors.add("date", "Vul een datum in als dd-mm-jjjj.");
    }
    let (start, end) = (parse_time(&form.start), parse_time(&form.end));
    if start.is_none() {
        errors.add(
            "start",
            "Vul een begintijd in als uu:mm, bijvoorbeeld 16:00.",
        );
    }
    if end.is_none() {
        errors.add("end", "Vul een eindtijd in als uu:mm, bijvoorbeeld 18:00.");
    }
    if let (Some(s), Some(e)) = (start, end)
        && e <= s
    {
        errors.add("end", "De eindtijd moet na de begintijd liggen.");
    }
    if bodies.is_empty() || bodies.iter().any(|b| !known.contains(b)) {
        errors.add("bodies", "Kies de gremia die deelnemen.");
    }
    if kind == Some(MeetingKind::Gezamenlijk) && bodies.len() < 2 {
        errors.add(
            "bodies",
            "Aan een gezamenlijk overleg nemen minstens twee gremia deel.",
        );
    }
    errors.limit("location", form.location.trim(), domain::text::max::SHORT);
    let video_url = form.video_url.trim().to_string();
    if !video_url.is_empty() && !video_url.starts_with("https://") {
        errors.add("video_url", "Een videolink begint met https://.");
    }
    errors.limit("video_url", &video_url, domain::text::max::URL);
    let recurrence = if form.recurrence.is_empty() {
        Some(Recurrence::Eenmalig)
    } else {
        Recurrence::parse(&form.recurrence)
    };
    let count = if form.count.trim().is_empty() {
        Some(1)
    } else {
        form.count
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|n| (1..=24).contains(n))
    };
    if recurrence.is_none() {
        errors.add("recurrence", "Kies hoe vaak de vergadering terugkomt.");
    }
    if count.is_none() {
        errors.add("count", "Vul een aantal van 1 tot en met 24 in.");
    }
    match (kind, date, start, end, recurrence, count, errors.is_empty()) {
        (Some(kind), Some(date), Some(start), Some(end), Some(recurrence), Some(count), true) => {
            let first = PrimitiveDateTime::new(date, start);
            let input = MeetingInput {
                title,
                kind,
                starts_at: nl::from_amsterdam(first),
                ends_at: nl::from_amsterdam(PrimitiveDateTime::new(date, end)),
                location: form.location.trim().to_string(),
                video_url,
                bodies: bodies.to_vec(),
            };
            Ok((input, recurrence, count, first))
        }
        _ => Err(errors),
    }
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
    let known: Vec<i64> = store::bodies::list(state.store.pool())
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    let (input, recurrence, count, first) = match validate(&form, &bodies, &known) {
        Ok(v) => v,
        Err(errors) => return form_page(&state, &ctx, None, form, &bodies, errors).await,
    };
    if !user.actor.can_see_meeting(&input.bodies) {
        let mut errors = Errors::default();
        errors.add(
            "bodies",
            "U kunt alleen vergaderingen plannen van gremia waarvan u lid bent.",
        );
        return form_page(&state, &ctx, None, form, &bodies, errors).await;
    }
    let duration = input.ends_at - input.starts_at;
    let mut tx = state.store.begin().await?;
    let series = if count > 1 {
        Some(store::meetings::next_series_id(&mut tx).await?)
    } else {
        None
    };
    let mut created = Vec::new();
    for start in domain::meetings::kinds::occurrences(first, recurrence, count) {
        let starts_at = nl::from_amsterdam(start);
        let one = MeetingInput {
            starts_at,
            ends_at: starts_at + duration,
            ..input.clone()
        };
        let id = store::meetings::create(&mut tx, &who(&user), &one, series).await?;
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
    let known: Vec<i64> = store::bodies::list(state.store.pool())
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    let (input, ..) = match validate(&form, &bodies, &known) {
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
        Ok(()) => store::commit(tx).await?,
        Err(StoreError::Conflict) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/vergaderingen/{id}")).into_response())
}
