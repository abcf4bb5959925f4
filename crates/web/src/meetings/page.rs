//! The list of meetings and the meeting page: the agenda with numbers and times, each item's
//! decisions per body with the joint outcome, actions and minutes.

use super::{visible_items, visible_meeting};
use crate::auth::User;
use crate::error::AppResult;
use crate::state::AppState;
use crate::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::authz::Capability;
use domain::meetings::agenda::{ItemTiming, schedule};
use domain::meetings::decisions::{BodyDecision, JointOutcome, joint_outcome};
use domain::meetings::kinds::{DecisionOutcome, MeetingKind, Purpose};
use domain::meetings::status::{MeetingStatus, agenda_editable, decisions_open, minutes_editable};
use domain::nl;
use std::collections::HashMap;
use store::meetings::Meeting;
use time::PrimitiveDateTime;

struct MeetingRow {
    id: i64,
    title: String,
    when: String,
    kind: &'static str,
    status: &'static str,
    bodies: String,
}

#[derive(Template)]
#[template(path = "meetings/list.html")]
struct ListPage {
    layout: Layout,
    upcoming: Vec<MeetingRow>,
    past: Vec<MeetingRow>,
    can_manage: bool,
}

fn status_label(code: &str) -> &'static str {
    MeetingStatus::parse(code).map(|s| s.label()).unwrap_or("")
}

async fn body_codes(state: &AppState) -> AppResult<HashMap<i64, String>> {
    Ok(store::bodies::list(&state.store)
        .await?
        .into_iter()
        .map(|b| (b.id, b.code))
        .collect())
}

fn when(m: &Meeting) -> String {
    format!(
        "{} {}–{}",
        nl::date(nl::to_amsterdam(m.starts_at).date()),
        nl::clock(m.starts_at),
        nl::clock(m.ends_at)
    )
}

pub(super) async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
) -> AppResult<Response> {
    let bodies: Vec<i64> = user.actor.bodies.iter().copied().collect();
    let codes = body_codes(&state).await?;
    let now = time::OffsetDateTime::now_utc();
    let (mut upcoming, mut past) = (Vec::new(), Vec::new());
    for m in store::meetings::list_for_bodies(&state.store, &bodies).await? {
        let row = MeetingRow {
            id: m.id,
            when: when(&m),
            kind: MeetingKind::parse(&m.kind).map(|k| k.label()).unwrap_or(""),
            status: status_label(&m.status),
            bodies: m
                .bodies
                .iter()
                .filter_map(|b| codes.get(b).cloned())
                .collect::<Vec<_>>()
                .join(", "),
            title: m.title,
        };
        if m.ends_at >= now {
            upcoming.push(row)
        } else {
            past.push(row)
        }
    }
    upcoming.reverse();
    render(ListPage {
        layout: ctx.layout("Vergaderingen"),
        upcoming,
        past,
        can_manage: user.actor.can(Capability::ManageMeetings),
    })
}

struct DecisionView {
    outcome: &'static str,
    text: String,
    votes: String,
}

struct BodyColumn {
    body_id: i64,
    code: String,
    decision: Option<DecisionView>,
}

struct ActionView {
    title: String,
    owner: String,
    due: String,
}

struct ItemView {
    id: i64,
    number: String,
    depth: u8,
    starts: String,
    minutes: i32,
    title: String,
    description: String,
    presenter: String,
    purpose: &'static str,
    restricted_to: Option<String>,
    standing: bool,
    deciding: Vec<BodyColumn>,
    outcome: Option<(&'static str, &'static str)>,
    current: bool,
    done: bool,
    minutes_text: String,
    version: i32,
    actions: Vec<ActionView>,
    follow_up_of: Option<i64>,
}

#[derive(Template)]
#[template(path = "meetings/show.html")]
struct ShowPage {
    layout: Layout,
    meeting: Meeting,
    when: String,
    status: &'static str,
    kind: &'static str,
    bodies: String,
    items: Vec<ItemView>,
    ends: String,
    can_manage: bool,
    editable: bool,
    live: bool,
    minutes_open: bool,
    next_steps: Vec<(&'static str, &'static str)>,
    outcomes: &'static [DecisionOutcome],
    people: Vec<(i64, String)>,
    error: Option<String>,
}

fn outcome_view(o: JointOutcome) -> (&'static str, &'static str) {
    match o {
        JointOutcome::Eensgezind => ("eensgezind", "good"),
        JointOutcome::Verdeeld => ("verdeeld", "bad"),
        JointOutcome::Open => ("open", "neutral"),
    }
}

/// The transitions the secretary can take from here, as (target status, button label).
fn next_steps(status: MeetingStatus) -> Vec<(&'static str, &'static str)> {
    match status {
        MeetingStatus::Concept => vec![("gepubliceerd", "Agenda publiceren")],
        MeetingStatus::Gepubliceerd => vec![
            ("in_vergadering", "Vergadering openen"),
            ("concept", "Publicatie intrekken"),
        ],
        MeetingStatus::InVergadering => vec![("gesloten", "Vergadering sluiten")],
        MeetingStatus::Gesloten | MeetingStatus::NotulenVastgesteld => vec![],
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    build(&state, &ctx, &user, meeting, None).await
}

pub(super) async fn show_with_error(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    meeting: Meeting,
    error: String,
) -> AppResult<Response> {
    let page = build(state, ctx, user, meeting, Some(error)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn build(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    meeting: Meeting,
    error: Option<String>,
) -> AppResult<Response> {
    let codes = body_codes(state).await?;
    let items = visible_items(user, store::agenda::items(&state.store, meeting.id).await?);
    let decisions = store::decisions::for_meeting(&state.store, meeting.id).await?;
    let actions = store::agreements::for_meeting(&state.store, meeting.id).await?;
    let status = MeetingStatus::parse(&meeting.status).unwrap_or(MeetingStatus::Concept);

    let timings: Vec<ItemTiming> = items
        .iter()
        .map(|i| ItemTiming {
            id: i.id,
            parent: i.parent_id,
            position: i.position,
            planned_minutes: i.planned_minutes.max(0) as u32,
        })
        .collect();
    let local = nl::to_amsterdam(meeting.starts_at);
    let plan = schedule(PrimitiveDateTime::new(local.date(), local.time()), &timings);
    let by_id: HashMap<i64, &store::agenda::Item> = items.iter().map(|i| (i.id, i)).collect();

    let mut views = Vec::with_capacity(plan.rows.len());
    for row in &plan.rows {
        let Some(item) = by_id.get(&row.id) else {
            continue;
        };
        let mine: Vec<&store::decisions::Decision> =
            decisions.iter().filter(|d| d.item_id == item.id).collect();
        let body_decisions: Vec<BodyDecision> = mine
            .iter()
            .filter_map(|d| {
                DecisionOutcome::parse(&d.outcome).map(|o| BodyDecision {
                    body_id: d.body_id,
                    outcome: o,
                    text: d.text.clone(),
                })
            })
            .collect();
        let deciding = item
            .deciding_bodies
            .iter()
            .map(|b| BodyColumn {
                body_id: *b,
                code: codes.get(b).cloned().unwrap_or_default(),
                decision: mine.iter().find(|d| d.body_id == *b).map(|d| DecisionView {
                    outcome: DecisionOutcome::parse(&d.outcome)
                        .map(|o| o.label())
                        .unwrap_or(""),
                    text: d.text.clone(),
                    votes: d.vote_summary.clone(),
                }),
            })
            .collect();
        views.push(ItemView {
            id: item.id,
            number: row.number.clone(),
            depth: row.depth,
            starts: format!("{:02}:{:02}", row.starts_at.hour(), row.starts_at.minute()),
            minutes: item.planned_minutes,
            title: item.title.clone(),
            description: item.description.clone(),
            presenter: item.presenter.clone(),
            purpose: Purpose::parse(&item.purpose)
                .map(|p| p.label())
                .unwrap_or(""),
            restricted_to: item.visibility_body_id.and_then(|b| codes.get(&b).cloned()),
            standing: item.standing.is_some(),
            outcome: (!item.deciding_bodies.is_empty())
                .then(|| outcome_view(joint_outcome(&item.deciding_bodies, &body_decisions))),
            deciding,
            current: meeting.current_item_id == Some(item.id),
            done: item.done,
            minutes_text: item.minutes.clone(),
            version: item.version,
            actions: actions
                .iter()
                .filter(|a| a.origin_item_id == Some(item.id))
                .map(|a| ActionView {
                    title: a.title.clone(),
                    owner: a.owner_name.clone().unwrap_or_else(|| "—".into()),
                    due: a.due_date.map(nl::date).unwrap_or_else(|| "—".into()),
                })
                .collect(),
            follow_up_of: item.follow_up_of_id,
        });
    }
    let people = store::decisions::members(&state.store, &meeting.bodies)
        .await?
        .into_iter()
        .map(|m| (m.person_id, m.name))
        .fold(Vec::<(i64, String)>::new(), |mut acc, p| {
            if !acc.iter().any(|(id, _)| *id == p.0) {
                acc.push(p);
            }
            acc
        });
    let page = ShowPage {
        layout: ctx.layout(meeting.title.clone()),
        when: when(&meeting),
        status: status.label(),
        kind: MeetingKind::parse(&meeting.kind)
            .map(|k| k.label())
            .unwrap_or(""),
        bodies: meeting
            .bodies
            .iter()
            .filter_map(|b| codes.get(b).cloned())
            .collect::<Vec<_>>()
            .join(", "),
        ends: format!("{:02}:{:02}", plan.ends_at.hour(), plan.ends_at.minute()),
        items: views,
        can_manage: user.actor.can(Capability::ManageMeetings),
        editable: agenda_editable(status),
        live: decisions_open(status),
        minutes_open: minutes_editable(status),
        next_steps: next_steps(status),
        outcomes: DecisionOutcome::ALL,
        people,
        error,
        meeting,
    };
    render(page)
}
