//! Adding, editing, ordering and removing agenda items (product.md A2).

use super::{visible_item, visible_meeting};
use crate::shared::error::{AppError, AppResult};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::{Capability, Visibility};
use domain::ids::{ItemId, MeetingId};
use domain::meetings::agenda::{Direction, move_item};
use domain::meetings::item_draft::{AgendaEntry, ItemContext, ItemDraft, ItemForm};
use domain::meetings::kinds::{Purpose, Subject};
use domain::meetings::links::{ItemLink, LinkKind, may_see};
use domain::meetings::status::agenda_editable;
use store::StoreError;
use store::agenda::{Item, LinkTarget};
use store::meetings::Meeting;

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "meetings/item_form.html")]
struct FormPage {
    layout: Layout,
    meeting: Meeting,
    item_id: Option<ItemId>,
    version: i32,
    title: String,
    description: String,
    presenter: String,
    planned_minutes: String,
    purposes: Vec<Choice>,
    subjects: Vec<Choice>,
    visibilities: Vec<Choice>,
    parents: Vec<Choice>,
    deciding: Vec<Choice>,
    /// Agreements the secretary may see, to link to.
    agreements: Vec<Choice>,
    /// Budget scenarios, when the secretary may see the budget.
    scenarios: Vec<Choice>,
    errors: Errors,
}

/// What the form holds: typed values, kept on errors.
#[derive(Default, Clone)]
struct Draft {
    version: i32,
    form: ItemForm,
}

fn draft_from(pairs: &[(String, String)]) -> Draft {
    let one = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    Draft {
        version: one("version").parse().unwrap_or(0),
        form: ItemForm {
            title: one("title"),
            description: one("description"),
            presenter: one("presenter"),
            planned_minutes: one("planned_minutes"),
            purpose: one("purpose"),
            subject: one("subject"),
            visibility: one("visibility"),
            parent: one("parent"),
            deciding: all("deciding"),
            agreements: all("afspraak"),
            scenarios: all("scenario"),
        },
    }
}

fn draft_of(item: &Item) -> Draft {
    Draft {
        version: item.version,
        form: ItemForm {
            title: item.title.clone(),
            description: item.description.clone(),
            presenter: item.presenter.clone(),
            planned_minutes: item.planned_minutes.to_string(),
            purpose: item.purpose.code().into(),
            subject: item.subject.code().into(),
            visibility: item
                .visibility_body_id
                .map(|b| b.to_string())
                .unwrap_or_default(),
            parent: item.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            deciding: item.deciding_bodies.iter().map(|b| b.to_string()).collect(),
            agreements: item.agreement_links.iter().map(|a| a.to_string()).collect(),
            scenarios: item.scenario_links.iter().map(|s| s.to_string()).collect(),
        },
    }
}

/// What this person may link an item to: the targets of the same kind they may see.
async fn linkable(state: &AppState, user: &User) -> AppResult<Vec<LinkTarget>> {
    Ok(store::agenda::linkable(&state.store)
        .await?
        .into_iter()
        .filter(|t| may_see(&user.actor, t.kind, Visibility::of(t.visibility_body_id)))
        .collect())
}

fn link_choices(targets: &[LinkTarget], kind: LinkKind, chosen: &[String]) -> Vec<Choice> {
    targets
        .iter()
        .filter(|t| t.kind == kind)
        .map(|t| Choice {
            value: t.target.to_string(),
            label: t.title.clone(),
            selected: chosen.contains(&t.target.to_string()),
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    meeting: Meeting,
    item_id: Option<ItemId>,
    draft: Draft,
    errors: Errors,
) -> AppResult<Response> {
    let bodies: Vec<_> = store::bodies::list(state.store.pool())
        .await?
        .into_iter()
        .filter(|b| meeting.bodies.contains(&b.id))
        .collect();
    let items = super::visible_items(
        user,
        store::agenda::items(state.store.pool(), meeting.id).await?,
    );
    let mut visibilities = vec![Choice {
        value: String::new(),
        label: "Gezamenlijk (alle deelnemers)".into(),
        selected: draft.form.visibility.is_empty(),
    }];
    // A person can only restrict an item to a body they belong to; anything else would hide it
    // from themselves.
    visibilities.extend(
        bodies
            .iter()
            .filter(|b| user.actor.bodies.contains(&b.id))
            .map(|b| Choice {
                value: b.id.to_string(),
                label: format!("Alleen {}", b.code),
                selected: draft.form.visibility == b.id.to_string(),
            }),
    );
    let mut parents = vec![Choice {
        value: String::new(),
        label: "Geen (hoofdpunt)".into(),
        selected: draft.form.parent.is_empty(),
    }];
    parents.extend(
        items
            .iter()
            .filter(|i| i.parent_id.is_none() && Some(i.id) != item_id)
            .map(|i| Choice {
                value: i.id.to_string(),
                label: i.title.clone(),
                selected: draft.form.parent == i.id.to_string(),
            }),
    );
    let targets = linkable(state, user).await?;
    let page = FormPage {
        agreements: link_choices(&targets, LinkKind::Afspraak, &draft.form.agreements),
        scenarios: link_choices(&targets, LinkKind::Scenario, &draft.form.scenarios),
        layout: ctx.layout(if item_id.is_some() {
            "Agendapunt wijzigen"
        } else {
            "Nieuw agendapunt"
        }),
        item_id,
        version: draft.version,
        purposes: Purpose::ALL
            .iter()
            .map(|p| Choice {
                value: p.code().into(),
                label: p.label().into(),
                selected: draft.form.purpose == p.code(),
            })
            .collect(),
        subjects: Subject::ALL
            .iter()
            .map(|s| Choice {
                value: s.code().into(),
                label: s.label().into(),
                selected: draft.form.subject == s.code(),
            })
            .collect(),
        deciding: bodies
            .iter()
            .map(|b| Choice {
                value: b.id.to_string(),
                label: b.code.to_string(),
                selected: draft.form.deciding.contains(&b.id.to_string()),
            })
            .collect(),
        visibilities,
        parents,
        title: draft.form.title,
        description: draft.form.description,
        presenter: draft.form.presenter,
        planned_minutes: draft.form.planned_minutes,
        errors: errors.clone(),
        meeting,
    };
    let status = errors.status();
    Ok((status, render(page)?).into_response())
}

/// What an item may refer to: the meeting's items (all of them; `validate` keeps to the ones the
/// person may see), its bodies' codes, and the link targets the person may see.
struct Known<'a> {
    items: &'a [Item],
    codes: &'a std::collections::HashMap<i64, String>,
    targets: &'a [LinkTarget],
}

/// The form checked by the domain's rules (A2), as the store's input.
fn validate(
    draft: &Draft,
    user: &User,
    meeting: &Meeting,
    item_id: Option<ItemId>,
    known: &Known,
) -> Result<ItemDraft, Errors> {
    let items: Vec<AgendaEntry> = known
        .items
        .iter()
        .map(|i| AgendaEntry {
            id: i.id,
            parent_id: i.parent_id,
            visibility_body_id: i.visibility_body_id,
        })
        .collect();
    let targets: Vec<ItemLink> = known
        .targets
        .iter()
        .map(|t| ItemLink {
            kind: t.kind,
            target: t.target,
        })
        .collect();
    let context = ItemContext {
        actor: &user.actor,
        meeting_bodies: &meeting.bodies,
        item_id,
        items: &items,
        body_codes: known.codes,
        targets: &targets,
    };
    ItemDraft::parse(&draft.form, &context).map_err(Errors::from)
}

fn editable(meeting: &Meeting) -> AppResult<()> {
    if agenda_editable(meeting.status) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    editable(&meeting)?;
    let draft = Draft {
        version: 0,
        form: ItemForm {
            planned_minutes: "15".into(),
            purpose: "bespreking".into(),
            subject: "algemeen".into(),
            ..Default::default()
        },
    };
    form_page(&state, &ctx, &user, meeting, None, draft, Errors::default()).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<MeetingId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    editable(&meeting)?;
    let draft = draft_from(&pairs);
    let all = store::agenda::items(state.store.pool(), id).await?;
    let (codes, targets) = (
        super::body_codes(&state).await?,
        linkable(&state, &user).await?,
    );
    let known = Known {
        items: &all,
        codes: &codes,
        targets: &targets,
    };
    let input = match validate(&draft, &user, &meeting, None, &known) {
        Ok(i) => i,
        Err(errors) => return form_page(&state, &ctx, &user, meeting, None, draft, errors).await,
    };
    let (position, moves) = super::insertion_point(&all, input.parent_id);
    let mut tx = state.store.begin().await?;
    store::agenda::set_positions(&mut tx, &who(&user), &moves).await?;
    store::agenda::add(&mut tx, &who(&user), id, position, &input, None, None).await?;
    store::commit(tx).await?;
    Ok(Redirect::to(&format!("/vergaderingen/{id}?ok=opgeslagen")).into_response())
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path((id, item)): Path<(MeetingId, ItemId)>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let item = visible_item(&state, &user, &meeting, item, Capability::ManageMeetings).await?;
    editable(&meeting)?;
    form_page(
        &state,
        &ctx,
        &user,
        meeting,
        Some(item.id),
        draft_of(&item),
        Errors::default(),
    )
    .await
}

pub(super) async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path((id, item_id)): Path<(MeetingId, ItemId)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let item = visible_item(&state, &user, &meeting, item_id, Capability::ManageMeetings).await?;
    editable(&meeting)?;
    let draft = draft_from(&pairs);
    let all = store::agenda::items(state.store.pool(), id).await?;
    let (codes, targets) = (
        super::body_codes(&state).await?,
        linkable(&state, &user).await?,
    );
    let known = Known {
        items: &all,
        codes: &codes,
        targets: &targets,
    };
    let mut input = match validate(&draft, &user, &meeting, Some(item_id), &known) {
        Ok(i) => i,
        Err(errors) => {
            return form_page(&state, &ctx, &user, meeting, Some(item_id), draft, errors).await;
        }
    };
    input.standing = item.standing;
    // Links this secretary may not see stay as they are: they were not offered, so not removed.
    input.links.extend(item.links().into_iter().filter(|l| {
        !targets
            .iter()
            .any(|t| t.kind == l.kind && t.target == l.target)
    }));
    let mut tx = state.store.begin().await?;
    match store::agenda::update(&mut tx, &who(&user), item_id, draft.version, &input).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!("/vergaderingen/{id}?ok=opgeslagen")).into_response())
        }
        Err(StoreError::Conflict) => {
            let mut errors = Errors::default();
            errors.add("_form", "Iemand anders heeft dit agendapunt intussen gewijzigd. Uw invoer staat hieronder; sla opnieuw op om die over de nieuwe versie heen te zetten.");
            let draft = Draft {
                version: item.version,
                ..draft
            };
            form_page(&state, &ctx, &user, meeting, Some(item_id), draft, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn reorder(
    state: &AppState,
    user: &User,
    id: MeetingId,
    item_id: ItemId,
    direction: Direction,
) -> AppResult<Response> {
    let meeting = visible_meeting(state, user, id).await?;
    visible_item(state, user, &meeting, item_id, Capability::ManageMeetings).await?;
    editable(&meeting)?;
    let all = store::agenda::items(state.store.pool(), id).await?;
    let moves = move_item(&super::timings(&all), item_id, direction);
    let mut tx = state.store.begin().await?;
    store::agenda::set_positions(&mut tx, &who(user), &moves).await?;
    store::commit(tx).await?;
    Ok(Redirect::to(&format!("/vergaderingen/{id}#punt-{item_id}")).into_response())
}

pub(super) async fn move_up(
    State(state): State<AppState>,
    user: User,
    Path((id, item)): Path<(MeetingId, ItemId)>,
) -> AppResult<Response> {
    reorder(&state, &user, id, item, Direction::Up).await
}

pub(super) async fn move_down(
    State(state): State<AppState>,
    user: User,
    Path((id, item)): Path<(MeetingId, ItemId)>,
) -> AppResult<Response> {
    reorder(&state, &user, id, item, Direction::Down).await
}

pub(super) async fn delete(
    State(state): State<AppState>,
    user: User,
    Path((id, item_id)): Path<(MeetingId, ItemId)>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    visible_item(&state, &user, &meeting, item_id, Capability::ManageMeetings).await?;
    editable(&meeting)?;
    let mut tx = state.store.begin().await?;
    store::agenda::delete(&mut tx, &who(&user), item_id).await?;
    store::commit(tx).await?;
    Ok(Redirect::to(&format!("/vergaderingen/{id}?ok=opgeslagen")).into_response())
}
