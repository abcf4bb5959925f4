//! The list of meetings and the meeting page: the agenda with numbers and times, each item's
//! decisions per body with the joint outcome, actions and minutes.

use super::{visible_items, visible_meeting};
use crate::shared::error::AppResult;
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::authz::{Capability, Visibility};
use domain::ids::{ItemId, MeetingId, PersonId};
use domain::meetings::agenda::timer;
use domain::meetings::announcement::may_announce;
use domain::meetings::decisions::{BodyDecision, JointOutcome, joint_outcome, may_record};
use domain::meetings::kinds::StandingItem;
use domain::meetings::status::{
    MeetingStatus, MeetingTransition, agenda_editable, decisions_open, minutes_editable,
};
use domain::meetings::voting::Choice;
use domain::nl;
use std::collections::HashMap;
use store::meetings::Meeting;
use time::OffsetDateTime;

struct MeetingRow {
    id: MeetingId,
    title: String,
    when: String,
    kind: &'static str,
    status: &'static str,
    bodies: String,
}

/// A divided item whose follow-up waits for a joint meeting (A3).
struct WaitingRow {
    meeting_id: MeetingId,
    item_id: ItemId,
    title: String,
    meeting: String,
    deciding: String,
}

#[derive(Template)]
#[template(path = "meetings/list.html")]
struct ListPage {
    layout: Layout,
    upcoming: Vec<MeetingRow>,
    past: Vec<MeetingRow>,
    waiting: Vec<WaitingRow>,
    can_manage: bool,
}

pub(super) async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
) -> AppResult<Response> {
    let bodies: Vec<i64> = user.actor.bodies.iter().copied().collect();
    let codes = super::body_codes(&state).await?;
    let now = time::OffsetDateTime::now_utc();
    let (mut upcoming, mut past) = (Vec::new(), Vec::new());
    for m in store::meetings::list_for_bodies(&state.store, &bodies).await? {
        let row = MeetingRow {
            id: m.id,
            when: super::when(&m),
            kind: m.kind.label(),
            status: m.status.label(),
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
    // Shown only to who may see the original item: its meeting and its compartment.
    let waiting = store::follow_ups::waiting(&state.store)
        .await?
        .into_iter()
        .filter(|w| {
            user.actor.can_see_meeting(&w.meeting_bodies)
                && user
                    .actor
                    .can_see(Visibility::of(w.item.visibility_body_id))
        })
        .map(|w| WaitingRow {
            meeting_id: w.meeting_id,
            item_id: w.item.id,
            meeting: format!(
                "{} ({})",
                w.meeting_title,
                nl::date(nl::to_amsterdam(w.meeting_starts_at).date())
            ),
            deciding: w
                .item
                .deciding_bodies
                .iter()
                .filter_map(|b| codes.get(b).cloned())
                .collect::<Vec<_>>()
                .join(", "),
            title: w.item.title,
        })
        .collect();
    render(ListPage {
        layout: ctx.layout("Vergaderingen"),
        upcoming,
        past,
        waiting,
        can_manage: user.actor.can(Capability::ManageMeetings),
    })
}

struct DecisionView {
    id: i64,
    outcome: &'static str,
    text: String,
    votes: String,
}

struct BodyColumn {
    body_id: i64,
    code: String,
    decision: Option<DecisionView>,
    /// The form to record or correct the body's decision, only for who may record it while the
    /// meeting is in session.
    form: Option<super::decide::DecisionFormView>,
}

struct ActionView {
    title: String,
    owner: String,
    due: String,
}

/// An agreement on the standing item "afspraken die aandacht vragen" (B4).
struct AttentionView {
    id: domain::ids::AgreementId,
    tag: &'static str,
    title: String,
    owner: String,
    why: String,
}

/// The running timer of the current item: the server renders the text, `static/live.js` keeps
/// it running from the start time (corrected for the difference between the two clocks).
struct TimerView {
    started_at: String,
    planned_minutes: i32,
    over: bool,
    text: String,
}

struct ItemView {
    id: ItemId,
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
    timer: Option<TimerView>,
    done: bool,
    minutes_text: String,
    version: i32,
    actions: Vec<ActionView>,
    follow_up_of: Option<ItemId>,
    links: Vec<super::LinkView>,
    /// For the standing item "afspraken die aandacht vragen": overdue agreements this person
    /// may see.
    attention: Option<Vec<AttentionView>>,
    attachments: super::attachments::AttachmentsView,
}

#[derive(Template)]
#[template(path = "meetings/show.html")]
struct ShowPage {
    layout: Layout,
    meeting: Meeting,
    when: String,
    kind: &'static str,
    bodies: String,
    /// The agenda fragment, rendered by [`AgendaFragment`] (escaped there).
    agenda: String,
    /// Whether the page follows the meeting live (see [`streams`]).
    streams: bool,
    live_js_url: &'static str,
    can_manage: bool,
    editable: bool,
    live: bool,
    /// Whether the secretary may announce a changed agenda (issue #16).
    announce: bool,
    next_steps: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

/// The part of the meeting page that follows the meeting live: status, current item with its
/// timer, and the agenda with decisions, actions and minutes. The page and the live stream
/// (`live.rs`) render it from here only, for one person (their items, their CSRF token).
#[derive(Template)]
#[template(path = "meetings/_agenda.html")]
pub(crate) struct AgendaFragment {
    csrf: String,
    meeting_id: MeetingId,
    status_code: String,
    status: &'static str,
    current: Option<(ItemId, String, String)>,
    items: Vec<ItemView>,
    ends: String,
    now: String,
    can_manage: bool,
    editable: bool,
    live: bool,
    minutes_open: bool,
    people: Vec<(PersonId, String)>,
}

fn outcome_view(o: JointOutcome) -> (&'static str, &'static str) {
    match o {
        JointOutcome::Eensgezind => ("eensgezind", "good"),
        JointOutcome::Verdeeld => ("verdeeld", "bad"),
        JointOutcome::Open => ("open", "neutral"),
    }
}

/// The status buttons from here, as (target status, button label): the domain's steps, which
/// leave the adoption of minutes to the later meeting.
fn next_steps(status: MeetingStatus) -> Vec<(&'static str, &'static str)> {
    MeetingTransition::available(status)
        .into_iter()
        .map(|t| (t.to().code(), t.label()))
        .collect()
}

/// Whether pages of a meeting in this status follow it live: from the published agenda (so a
/// page opened before the meeting starts sees it open) until it is closed.
pub(crate) fn streams(status: MeetingStatus) -> bool {
    matches!(
        status,
        MeetingStatus::Gepubliceerd | MeetingStatus::InVergadering
    )
}

pub(super) async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
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

/// Everything the agenda fragment shows, for everyone: read in a fixed number of queries and
/// filtered per person by [`agenda`]. The live stream shares one snapshot per change among all
/// the people following the meeting.
pub(crate) struct Snapshot {
    pub(crate) meeting: Meeting,
    codes: HashMap<i64, String>,
    items: Vec<store::agenda::Item>,
    decisions: Vec<store::decisions::Decision>,
    actions: Vec<store::agreements::Agreement>,
    people: Vec<(PersonId, String)>,
    /// Metadata only, for all items at once.
    attachments: Vec<store::attachments::Attachment>,
    /// What the items link to, for every reader; each reader's view is filtered.
    links: Vec<store::agenda::LinkTarget>,
    /// What the agreements register marks for attention, for the standing item (A7).
    attention: std::sync::Arc<Vec<crate::shared::register::Line>>,
    /// Members of the participating bodies and who is present, for named votes.
    members: Vec<store::decisions::Member>,
    present: Vec<PersonId>,
    /// Named votes of the decisions: (decision, person, choice).
    votes: Vec<store::decisions::Vote>,
}

/// Reads the snapshot of a meeting the caller already checked the person may see.
pub(crate) async fn snapshot(state: &AppState, meeting: Meeting) -> AppResult<Snapshot> {
    let codes = super::body_codes(state).await?;
    let items = store::agenda::items(state.store.pool(), meeting.id).await?;
    let decisions = store::decisions::for_meeting(&state.store, meeting.id).await?;
    let actions = store::agreements::for_meeting(&state.store, meeting.id.get()).await?;
    let attachments = store::attachments::for_meeting(&state.store, meeting.id).await?;
    let links = store::agenda::links_for_meeting(&state.store, meeting.id).await?;
    let today = crate::shared::clock::today();
    let attention = crate::shared::register::needing_attention(state, today).await?;
    let members = store::decisions::members(&state.store, &meeting.bodies).await?;
    let votes = store::decisions::votes_for_meeting(&state.store, meeting.id).await?;
    let present = store::decisions::attendance(&state.store, meeting.id)
        .await?
        .into_iter()
        .filter(|(_, here)| *here)
        .map(|(id, _)| id)
        .collect();
    let mut people: Vec<(PersonId, String)> = Vec::new();
    for m in &members {
        if !people.iter().any(|(id, _)| *id == m.person_id) {
            people.push((m.person_id, m.name.clone()));
        }
    }
    Ok(Snapshot {
        meeting,
        codes,
        items,
        decisions,
        actions,
        people,
        attachments,
        links,
        attention,
        members,
        present,
        votes,
    })
}

/// The agenda fragment for one person: only the items they may see; `csrf` is their token.
pub(crate) fn agenda(
    snap: &Snapshot,
    user: &User,
    csrf: &str,
    now: OffsetDateTime,
) -> AgendaFragment {
    let meeting = &snap.meeting;
    let codes = &snap.codes;
    let items = visible_items(user, snap.items.clone());
    let status = meeting.status;

    let plan = super::plan(meeting, &items);
    let by_id: HashMap<ItemId, &store::agenda::Item> = items.iter().map(|i| (i.id, i)).collect();
    let can_manage = user.actor.can(Capability::ManageMeetings);
    let functions = super::functions_of(&snap.members, user.actor.person_id);
    // The forms to record a body's decision, for whoever records that body's decisions.
    let can_record = user.actor.can(Capability::RecordDecisions);
    let records = |body: i64| {
        can_record
            && status == MeetingStatus::InVergadering
            && may_record(&user.actor, &functions, body)
    };

    let mut views = Vec::with_capacity(plan.rows.len());
    for row in &plan.rows {
        let Some(item) = by_id.get(&row.id) else {
            continue;
        };
        let mine: Vec<&store::decisions::Decision> = snap
            .decisions
            .iter()
            .filter(|d| d.item_id == item.id)
            .collect();
        let body_decisions: Vec<BodyDecision> = mine
            .iter()
            .map(|d| BodyDecision {
                body_id: d.body_id,
                outcome: d.outcome,
                text: d.text.clone(),
            })
            .collect();
        let deciding = item
            .deciding_bodies
            .iter()
            .map(|b| {
                let stored = mine.iter().find(|d| d.body_id == *b).copied();
                let code = codes.get(b).cloned().unwrap_or_default();
                BodyColumn {
                    body_id: *b,
                    decision: stored.map(|d| DecisionView {
                        id: d.id,
                        outcome: d.outcome.label(),
                        text: d.text.clone(),
                        votes: d.vote_summary.clone(),
                    }),
                    form: records(*b).then(|| {
                        let named: Vec<(PersonId, Choice)> = stored
                            .map(|d| {
                                snap.votes
                                    .iter()
                                    .filter(|v| v.decision_id == d.id)
                                    .map(|v| (v.person_id, v.choice))
                                    .collect()
                            })
                            .unwrap_or_default();
                        let voters =
                            super::present_voters(&snap.members, &snap.present, *b, item.subject);
                        super::decide::stored_form(
                            item.id,
                            *b,
                            code.clone(),
                            stored,
                            &named,
                            voters,
                        )
                    }),
                    code,
                }
            })
            .collect();
        let current = meeting.current_item_id == Some(item.id);
        let timer = match meeting.current_item_started_at {
            Some(started) if current && status == MeetingStatus::InVergadering => {
                let t = timer(item.planned_minutes.max(0) as u32, started, now);
                Some(TimerView {
                    started_at: rfc3339(started),
                    planned_minutes: item.planned_minutes.max(0),
                    over: t.over,
                    text: t.text(),
                })
            }
            _ => None,
        };
        views.push(ItemView {
            id: item.id,
            number: row.number.clone(),
            depth: row.depth,
            starts: format!("{:02}:{:02}", row.starts_at.hour(), row.starts_at.minute()),
            minutes: item.planned_minutes,
            title: item.title.clone(),
            description: item.description.clone(),
            presenter: item.presenter.clone(),
            purpose: item.purpose.label(),
            restricted_to: item.visibility_body_id.and_then(|b| codes.get(&b).cloned()),
            standing: item.standing.is_some(),
            outcome: (!item.deciding_bodies.is_empty())
                .then(|| outcome_view(joint_outcome(&item.deciding_bodies, &body_decisions))),
            deciding,
            current,
            timer,
            done: item.done,
            minutes_text: item.minutes.clone(),
            version: item.version,
            actions: snap
                .actions
                .iter()
                .filter(|a| a.origin_item_id == Some(item.id))
                .map(|a| ActionView {
                    title: a.title.clone(),
                    owner: a.owner_name.clone().unwrap_or_else(|| "—".into()),
                    due: a.due_date.map(nl::date).unwrap_or_else(|| "—".into()),
                })
                .collect(),
            follow_up_of: item.follow_up_of_id,
            links: super::link_views(&snap.links, item.id, user),
            attention: (item.standing == Some(StandingItem::Afspraken)).then(|| {
                snap.attention
                    .iter()
                    .filter(|l| {
                        let visibility = Visibility::of(l.row.visibility_body_id);
                        user.actor
                            .can_see_agreement(visibility, &l.row.origin_bodies)
                    })
                    .map(|l| AttentionView {
                        id: l.row.id,
                        tag: l.attention_tag(),
                        title: l.row.title.clone(),
                        owner: l.owners_shown(),
                        why: l.attention_text(),
                    })
                    .collect()
            }),
            attachments: super::attachments::view(&snap.attachments, meeting, item.id, user, csrf),
        });
    }
    AgendaFragment {
        csrf: csrf.to_string(),
        meeting_id: meeting.id,
        status_code: meeting.status.code().into(),
        status: status.label(),
        current: views
            .iter()
            .find(|v| v.current)
            .map(|v| (v.id, v.number.clone(), v.title.clone())),
        ends: format!("{:02}:{:02}", plan.ends_at.hour(), plan.ends_at.minute()),
        items: views,
        now: rfc3339(now),
        can_manage,
        editable: agenda_editable(status),
        live: decisions_open(status),
        minutes_open: minutes_editable(status),
        people: if can_manage {
            snap.people.clone()
        } else {
            Vec::new()
        },
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

async fn build(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    meeting: Meeting,
    error: Option<String>,
) -> AppResult<Response> {
    let snap = snapshot(state, meeting).await?;
    let fragment = agenda(&snap, user, &ctx.csrf, OffsetDateTime::now_utc());
    let agenda = fragment.render()?;
    let meeting = snap.meeting;
    let status = meeting.status;
    let page = ShowPage {
        layout: ctx.layout(meeting.title.clone()),
        when: super::when(&meeting),
        kind: meeting.kind.label(),
        bodies: meeting
            .bodies
            .iter()
            .filter_map(|b| snap.codes.get(b).cloned())
            .collect::<Vec<_>>()
            .join(", "),
        agenda,
        streams: streams(meeting.status),
        live_js_url: crate::shared::assets::live_js_url(),
        can_manage: user.actor.can(Capability::ManageMeetings),
        editable: agenda_editable(status),
        live: decisions_open(status),
        announce: may_announce(status),
        next_steps: next_steps(status),
        error,
        meeting,
    };
    render(page)
}
