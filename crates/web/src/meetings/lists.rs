//! The decision list and action list of a meeting, joint and per body, and the printable agenda
//! (product.md A6). Every list shows only items the reader may see.

use super::{visible_items, visible_meeting};
use crate::shared::error::{AppError, AppResult};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::response::Response;
use domain::ids::{ItemId, MeetingId};
use domain::nl;
use serde::Deserialize;
use std::collections::HashMap;
use store::agenda::Item;
use store::meetings::Meeting;

#[derive(Deserialize, Default)]
pub(super) struct Scope {
    #[serde(default)]
    gremium: String,
}

struct Numbered {
    number: String,
    starts: String,
    item: Item,
}

/// The reader's items with their outline numbers and planned start times.
fn numbered(meeting: &Meeting, items: Vec<Item>) -> Vec<Numbered> {
    let plan = super::plan(meeting, &items);
    let mut by_id: HashMap<ItemId, Item> = items.into_iter().map(|i| (i.id, i)).collect();
    plan.rows
        .iter()
        .filter_map(|r| {
            by_id.remove(&r.id).map(|item| Numbered {
                number: r.number.clone(),
                starts: format!("{:02}:{:02}", r.starts_at.hour(), r.starts_at.minute()),
                item,
            })
        })
        .collect()
}

struct ScopeLink {
    code: String,
    label: String,
    current: bool,
}

/// Which list: the joint one (empty code) or one body's, which only its members may read.
async fn scope(
    state: &AppState,
    user: &User,
    meeting: &Meeting,
    code: &str,
) -> AppResult<(Option<i64>, Vec<ScopeLink>, HashMap<i64, String>)> {
    let bodies = store::bodies::list(state.store.pool()).await?;
    let codes: HashMap<i64, String> = bodies.iter().map(|b| (b.id, b.code.to_string())).collect();
    let mine: Vec<_> = bodies
        .iter()
        .filter(|b| meeting.bodies.contains(&b.id) && user.actor.bodies.contains(&b.id))
        .collect();
    let chosen = if code.is_empty() {
        None
    } else {
        Some(
            mine.iter()
                .find(|b| b.code == code)
                .map(|b| b.id)
                .ok_or(AppError::NotFound)?,
        )
    };
    let mut links = vec![ScopeLink {
        code: String::new(),
        label: "Gezamenlijk".into(),
        current: chosen.is_none(),
    }];
    links.extend(mine.iter().map(|b| ScopeLink {
        code: b.code.to_string(),
        label: b.code.to_string(),
        current: chosen == Some(b.id),
    }));
    Ok((chosen, links, codes))
}

/// Whether an item belongs on a list: the joint list has the joint items; a body's list the
/// items that body decides on or that are for that body only.
fn in_scope(item: &Item, body: Option<i64>) -> bool {
    match body {
        None => item.visibility_body_id.is_none(),
        Some(b) => item.visibility_body_id == Some(b) || item.deciding_bodies.contains(&b),
    }
}

struct DecisionLine {
    number: String,
    title: String,
    body: String,
    outcome: &'static str,
    text: String,
    votes: String,
}

struct ActionLine {
    id: domain::ids::AgreementId,
    number: String,
    item: String,
    title: String,
    owner: String,
    due: String,
    frozen: bool,
    /// Later changes to a frozen action: (text, author, date).
    addenda: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "meetings/lists.html")]
struct ListPage {
    layout: Layout,
    meeting: Meeting,
    when: String,
    decisions_list: bool,
    scope_label: String,
    scopes: Vec<ScopeLink>,
    decisions: Vec<DecisionLine>,
    actions: Vec<ActionLine>,
    can_manage: bool,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: MeetingId,
    code: &str,
    decisions_list: bool,
    error: Option<String>,
) -> AppResult<Response> {
    let meeting = visible_meeting(state, user, id).await?;
    let (body, scopes, codes) = scope(state, user, &meeting, code).await?;
    let items = numbered(
        &meeting,
        visible_items(user, store::agenda::items(state.store.pool(), id).await?),
    );
    let items: Vec<&Numbered> = items.iter().filter(|n| in_scope(&n.item, body)).collect();
    let mut decisions = Vec::new();
    let mut actions = Vec::new();
    if decisions_list {
        let all = store::decisions::for_meeting(&state.store, id).await?;
        for n in &items {
            for d in all
                .iter()
                .filter(|d| d.item_id == n.item.id && body.is_none_or(|b| d.body_id == b))
            {
                decisions.push(DecisionLine {
                    number: n.number.clone(),
                    title: n.item.title.clone(),
                    body: codes.get(&d.body_id).cloned().unwrap_or_default(),
                    outcome: d.outcome.label(),
                    text: d.text.clone(),
                    votes: d.vote_summary.clone(),
                });
            }
        }
    } else {
        let all = store::agreements::for_meeting(&state.store, id.get()).await?;
        let addenda = store::agreements::addenda_for_meeting(&state.store, id.get()).await?;
        for n in &items {
            for a in all.iter().filter(|a| a.origin_item_id == Some(n.item.id)) {
                actions.push(ActionLine {
                    id: a.id,
                    number: n.number.clone(),
                    item: n.item.title.clone(),
                    title: a.title.clone(),
                    owner: a.owner_name.clone().unwrap_or_else(|| "—".into()),
                    due: a.due_date.map(nl::date).unwrap_or_else(|| "—".into()),
                    frozen: a.frozen_at.is_some(),
                    addenda: addenda
                        .iter()
                        .filter(|d| d.agreement_id == a.id)
                        .map(|d| {
                            (
                                d.text.clone(),
                                d.author.clone().unwrap_or_default(),
                                nl::datetime(d.created_at),
                            )
                        })
                        .collect(),
                });
            }
        }
    }
    let scope_label = body
        .and_then(|b| codes.get(&b).cloned())
        .unwrap_or_else(|| "gezamenlijk".into());
    let title = if decisions_list {
        "Besluitenlijst"
    } else {
        "Actielijst"
    };
    render(ListPage {
        layout: ctx.layout(format!("{title} — {}", meeting.title)),
        when: super::when(&meeting),
        decisions_list,
        scope_label,
        scopes,
        decisions,
        actions,
        can_manage: user.actor.can(domain::authz::Capability::ManageMeetings),
        error: error.clone(),
        meeting,
    })
    .map(|page| {
        if error.is_some() {
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        } else {
            page
        }
    })
}

pub(super) async fn decision_list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
    Query(q): Query<Scope>,
) -> AppResult<Response> {
    list_page(&state, &ctx, &user, id, &q.gremium, true, None).await
}

pub(super) async fn action_list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
    Query(q): Query<Scope>,
) -> AppResult<Response> {
    list_page(&state, &ctx, &user, id, &q.gremium, false, None).await
}

struct PrintRow {
    number: String,
    depth: u8,
    starts: String,
    title: String,
    purpose: &'static str,
    presenter: String,
    minutes: i32,
    description: String,
    restricted_to: Option<String>,
    deciding: String,
    links: Vec<super::LinkView>,
    /// The board pack: the documents of this item, as (name, size).
    documents: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "meetings/print.html")]
struct PrintPage {
    layout: Layout,
    meeting: Meeting,
    when: String,
    bodies: String,
    rows: Vec<PrintRow>,
    ends: String,
}

/// The agenda as it goes to print: numbers, planned times, purpose and who decides.
pub(super) async fn print_agenda(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let codes: HashMap<i64, String> = store::bodies::list(state.store.pool())
        .await?
        .into_iter()
        .map(|b| (b.id, b.code.to_string()))
        .collect();
    let items = visible_items(&user, store::agenda::items(state.store.pool(), id).await?);
    let attachments = store::attachments::for_meeting(&state.store, id).await?;
    let links = store::agenda::links_for_meeting(&state.store, id).await?;
    let total: i32 = items.iter().map(|i| i.planned_minutes.max(0)).sum();
    let rows: Vec<PrintRow> = numbered(&meeting, items)
        .into_iter()
        .map(|n| PrintRow {
            depth: n.number.matches('.').count() as u8,
            number: n.number,
            starts: n.starts,
            purpose: n.item.purpose.label(),
            presenter: n.item.presenter.clone(),
            minutes: n.item.planned_minutes,
            description: n.item.description.clone(),
            restricted_to: n
                .item
                .visibility_body_id
                .and_then(|b| codes.get(&b).cloned()),
            deciding: n
                .item
                .deciding_bodies
                .iter()
                .filter_map(|b| codes.get(b).cloned())
                .collect::<Vec<_>>()
                .join(", "),
            links: super::link_views(&links, n.item.id, &user),
            documents: attachments
                .iter()
                .filter(|a| a.item_id == n.item.id)
                .map(|a| {
                    (
                        a.filename.clone(),
                        domain::meetings::filetype::size_label(a.size_bytes.max(0) as u64),
                    )
                })
                .collect(),
            title: n.item.title,
        })
        .collect();
    let local = nl::to_amsterdam(meeting.starts_at + time::Duration::minutes(total.into()));
    render(PrintPage {
        layout: ctx.layout(format!("Agenda — {}", meeting.title)),
        when: super::when(&meeting),
        bodies: meeting
            .bodies
            .iter()
            .filter_map(|b| codes.get(b).cloned())
            .collect::<Vec<_>>()
            .join(", "),
        ends: format!("{:02}:{:02}", local.hour(), local.minute()),
        rows,
        meeting,
    })
}

#[derive(Deserialize)]
pub(super) struct AddendumForm {
    #[serde(default)]
    text: String,
}

/// A later change to an action whose minutes were adopted: kept beside it, never over it.
pub(super) async fn add_addendum(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path((id, agreement_id)): Path<(MeetingId, domain::ids::AgreementId)>,
    Form(form): Form<AddendumForm>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let action = store::agreements::get(&state.store, agreement_id).await?;
    if action.origin_meeting_id != Some(meeting.id) {
        return Err(AppError::NotFound);
    }
    user.actor.check(
        domain::authz::Capability::ManageMeetings,
        domain::authz::Visibility::of(action.visibility_body_id),
    )?;
    let text = form.text.trim();
    let problem = if action.frozen_at.is_none() {
        Some(
            "Deze actie ligt nog niet vast: de notulen zijn nog niet vastgesteld, dus een addendum is niet nodig.",
        )
    } else if text.is_empty() || text.chars().count() > 2000 {
        Some("Vul het addendum in (hoogstens 2000 tekens).")
    } else {
        None
    };
    if let Some(message) = problem {
        return list_page(&state, &ctx, &user, id, "", false, Some(message.into())).await;
    }
    let mut tx = state.store.begin().await?;
    store::agreements::add_addendum(&mut tx, &crate::shared::who::who(&user), agreement_id, text)
        .await?;
    store::commit(tx).await?;
    Ok(
        axum::response::Redirect::to(&format!("/vergaderingen/{id}/actielijst?ok=opgeslagen"))
            .into_response(),
    )
}
