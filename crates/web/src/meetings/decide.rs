//! Running the meeting: the current item, decisions per body with their votes, actions, draft
//! minutes and attendance (product.md A3–A6).

use super::{visible_item, visible_meeting};
use crate::auth::User;
use crate::beheer::who;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::views::{Ctx, Layout, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::meetings::decisions::{BodyDecision, JointOutcome, joint_outcome};
use domain::meetings::kinds::{DecisionOutcome, Subject};
use domain::meetings::status::{MeetingStatus, decisions_open, minutes_editable};
use domain::meetings::voting::{self, BodyRules, Majority};
use serde::Deserialize;
use store::StoreError;
use store::agenda::{Item, ItemInput};
use store::decisions::DecisionInput;
use store::meetings::Meeting;

fn status_of(meeting: &Meeting) -> MeetingStatus {
    MeetingStatus::parse(&meeting.status).unwrap_or(MeetingStatus::Concept)
}

fn back(meeting: i64, item: i64) -> Response {
    Redirect::to(&format!("/vergaderingen/{meeting}#punt-{item}")).into_response()
}

#[derive(Deserialize)]
pub(super) struct DecisionForm {
    body_id: i64,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    votes_for: String,
    #[serde(default)]
    votes_against: String,
    #[serde(default)]
    votes_abstain: String,
}

fn count(s: &str) -> Result<Option<u32>, ()> {
    let t = s.trim();
    if t.is_empty() {
        Ok(None)
    } else {
        t.parse::<u32>().map(Some).map_err(|_| ())
    }
}

/// Counts the vote with the body's rules and the subject's eligibility; the explanation is
/// stored with the decision.
/// How a body voted: by count, or by name.
enum Votes {
    Counts(u32, u32, u32),
    Named(Vec<voting::Ballot>),
}

/// Counts the vote with the body's rules and the subject's eligibility; the explanation is
/// stored with the decision.
async fn tally(
    state: &AppState,
    meeting: &Meeting,
    item: &Item,
    body_id: i64,
    votes: &Votes,
) -> AppResult<Result<voting::VoteResult, String>> {
    let body = store::bodies::get(&state.store, body_id).await?;
    let rules = BodyRules {
        quorum_percent: body.quorum_percent.clamp(1, 100) as u8,
        majority: Majority::parse(&body.majority).unwrap_or(Majority::Simple),
    };
    let subject = Subject::parse(&item.subject).unwrap_or(Subject::Algemeen);
    let present: Vec<i64> = store::decisions::attendance(&state.store, meeting.id)
        .await?
        .into_iter()
        .filter(|(_, p)| *p)
        .map(|(id, _)| id)
        .collect();
    let members: Vec<voting::Member> = store::decisions::members(&state.store, &[body_id])
        .await?
        .iter()
        .map(super::voter)
        .collect();
    Ok(match votes {
        Votes::Named(ballots) => {
            let result = voting::tally(body.seats(), subject, &rules, &members, &present, ballots);
            if result.ignored.is_empty() {
                Ok(result)
            } else {
                Err("Een of meer stemmen kwamen van iemand die op dit onderwerp niet mag stemmen of niet aanwezig is. Controleer de aanwezigheid.".into())
            }
        }
        Votes::Counts(f, a, o) => {
            let eligible: Vec<i64> = members
                .iter()
                .filter(|m| voting::eligible(body.seats(), subject, m))
                .map(|m| m.person_id)
                .collect();
            let present_eligible = eligible.iter().filter(|p| present.contains(p)).count() as u32;
            voting::tally_counts(&rules, eligible.len() as u32, present_eligible, *f, *a, *o)
                .map_err(|e| e.to_string())
        }
    })
}

/// Named ballots from fields `vote_<person>` = `voor` | `tegen` | `onthouding`.
fn ballots(pairs: &[(String, String)]) -> Result<Vec<voting::Ballot>, ()> {
    let mut out = Vec::new();
    for (key, value) in pairs {
        let Some(person) = key.strip_prefix("vote_") else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        let person_id = person.parse::<i64>().map_err(|_| ())?;
        let choice = voting::Choice::parse(value).ok_or(())?;
        out.push(voting::Ballot { person_id, choice });
    }
    Ok(out)
}

pub(super) async fn record_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path((id, item_id)): Path<(i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let item = visible_item(&state, &user, &meeting, item_id, Capability::ManageMeetings).await?;
    let plain: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !k.starts_with("vote_"))
        .collect();
    let form: Option<DecisionForm> = serde_urlencoded::to_string(&plain)
        .ok()
        .and_then(|q| serde_urlencoded::from_str(&q).ok());
    let refuse = |message: String| async {
        super::page::show_with_error(&state, &ctx, &user, meeting.clone(), message).await
    };
    let Some(form) = form else {
        return refuse(
            "Het formulier is onvolledig: kies het gremium en laad zo nodig de pagina opnieuw."
                .into(),
        )
        .await;
    };
    if !decisions_open(status_of(&meeting)) {
        return refuse(
            "Besluiten worden vastgelegd tijdens de vergadering; deze vergadering is niet geopend."
                .into(),
        )
        .await;
    }
    if !item.deciding_bodies.contains(&form.body_id) {
        return Err(AppError::NotFound);
    }
    let Some(outcome) = DecisionOutcome::parse(&form.outcome) else {
        return refuse("Kies het besluit van het gremium.".into()).await;
    };
    let text = form.text.trim().to_string();
    if text.is_empty() {
        return refuse(format!(
            "Vul de tekst van het besluit in bij agendapunt '{}'.",
            item.title
        ))
        .await;
    }
    let counts = match (
        count(&form.votes_for),
        count(&form.votes_against),
        count(&form.votes_abstain),
    ) {
        (Ok(None), Ok(None), Ok(None)) => None,
        (Ok(f), Ok(a), Ok(o)) => Some((f.unwrap_or(0), a.unwrap_or(0), o.unwrap_or(0))),
        _ => return refuse("Vul de stemmen in als hele getallen (of laat ze leeg).".into()).await,
    };
    let Ok(named) = ballots(&pairs) else {
        return refuse("Kies bij een hoofdelijke stemming voor, tegen of onthouding.".into()).await;
    };
    let votes = match (counts, named.is_empty()) {
        (Some(_), false) => {
            return refuse("Vul óf aantallen óf een hoofdelijke stemming in, niet allebei.".into())
                .await;
        }
        (Some((f, a, o)), true) => Some(Votes::Counts(f, a, o)),
        (None, false) => Some(Votes::Named(named.clone())),
        (None, true) => None,
    };
    let mut summary = String::new();
    let mut counted = None;
    if let Some(votes) = &votes {
        match tally(&state, &meeting, &item, form.body_id, votes).await? {
            Err(message) => return refuse(message).await,
            Ok(result) => {
                let adopted = matches!(
                    outcome,
                    DecisionOutcome::Aangenomen | DecisionOutcome::GewijzigdAangenomen
                );
                if adopted && !result.passed {
                    return refuse(format!("De stemming wijst uit: {}. Leg dan 'verworpen' of 'aangehouden' vast, of corrigeer de stemmen.", result.explain())).await;
                }
                summary = result.explain();
                counted = Some((result.votes_for, result.votes_against, result.votes_abstain));
            }
        }
    }
    let input = DecisionInput {
        item_id,
        body_id: form.body_id,
        outcome: outcome.code().into(),
        text,
        votes_for: counted.map(|c| c.0 as i32),
        votes_against: counted.map(|c| c.1 as i32),
        votes_abstain: counted.map(|c| c.2 as i32),
        vote_summary: summary,
        named: named
            .iter()
            .map(|b| (b.person_id, b.choice.code().to_string()))
            .collect(),
    };
    let mut tx = state.store.begin().await?;
    store::decisions::record(&mut tx, &who(&user), &input).await?;
    follow_up_if_divided(&state, &mut tx, &user, &meeting, &item).await?;
    store::commit(tx).await?;
    Ok(back(id, item_id))
}

/// A divided outcome goes to the next joint meeting as a follow-up item, linked to this one.
async fn follow_up_if_divided(
    state: &AppState,
    tx: &mut store::Tx,
    user: &User,
    meeting: &Meeting,
    item: &Item,
) -> AppResult<()> {
    let decisions = store::decisions::for_item_on(tx, item.id).await?;
    let bodies: Vec<BodyDecision> = decisions
        .iter()
        .filter_map(|d| {
            DecisionOutcome::parse(&d.outcome).map(|o| BodyDecision {
                body_id: d.body_id,
                outcome: o,
                text: d.text.clone(),
            })
        })
        .collect();
    if joint_outcome(&item.deciding_bodies, &bodies) != JointOutcome::Verdeeld
        || store::agenda::has_follow_up(tx, item.id).await?
    {
        return Ok(());
    }
    let _ = state;
    let Some(next) = store::meetings::next_joint_after(tx, meeting.starts_at).await? else {
        return Ok(());
    };
    let items = store::agenda::items_on(tx, next).await?;
    let (position, moves) = super::insertion_point(&items, None);
    store::agenda::set_positions(tx, &who(user), &moves).await?;
    let input = ItemInput {
        parent_id: None,
        title: format!("Vervolg: {}", item.title),
        description: "De gremia besloten verschillend over dit punt; het komt terug op deze gezamenlijke vergadering.".into(),
        presenter: item.presenter.clone(),
        planned_minutes: item.planned_minutes,
        purpose: "besluitvorming".into(),
        subject: item.subject.clone(),
        visibility_body_id: item.visibility_body_id,
        links: item.links(),
        deciding_bodies: item.deciding_bodies.clone(),
        standing: None,
    };
    store::agenda::add(tx, &who(user), next, position, &input, None, Some(item.id)).await?;
    Ok(())
}

#[derive(Deserialize)]
pub(super) struct ActionForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due: String,
}

pub(super) async fn add_action(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path((id, item_id)): Path<(i64, i64)>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let item = visible_item(&state, &user, &meeting, item_id, Capability::ManageMeetings).await?;
    let refuse = |message: &str| {
        let message = message.to_string();
        async { super::page::show_with_error(&state, &ctx, &user, meeting.clone(), message).await }
    };
    if !minutes_editable(status_of(&meeting)) {
        return refuse("Acties worden vastgelegd tijdens of direct na de vergadering.").await;
    }
    let title = form.title.trim().to_string();
    if title.is_empty() {
        return refuse("Vul de actie in: wat moet er gebeuren?").await;
    }
    let owner = form.owner.trim().parse::<i64>().ok();
    if owner.is_none() {
        return refuse("Kies wie de actie uitvoert.").await;
    }
    let due = if form.due.trim().is_empty() {
        None
    } else {
        match domain::nl::parse_date(&form.due) {
            Some(d) => Some(d),
            None => return refuse("Vul de uiterste datum in als dd-mm-jjjj.").await,
        }
    };
    let input = store::agreements::ActionInput {
        title,
        description: String::new(),
        owner_id: owner,
        due_date: due,
        visibility_body_id: item.visibility_body_id,
        origin_meeting_id: id,
        origin_item_id: Some(item_id),
        origin_decision_id: None,
    };
    let mut tx = state.store.begin().await?;
    store::agreements::create_action(&mut tx, &who(&user), &input).await?;
    store::commit(tx).await?;
    Ok(back(id, item_id))
}

#[derive(Deserialize)]
pub(super) struct MinutesForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    done: Option<String>,
}

pub(super) async fn save_minutes(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path((id, item_id)): Path<(i64, i64)>,
    Form(form): Form<MinutesForm>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    visible_item(&state, &user, &meeting, item_id, Capability::ManageMeetings).await?;
    if !minutes_editable(status_of(&meeting)) {
        return super::page::show_with_error(
            &state,
            &ctx,
            &user,
            meeting,
            "De notulen van deze vergadering zijn vastgesteld; wijzigingen gaan als addendum."
                .into(),
        )
        .await;
    }
    let mut tx = state.store.begin().await?;
    match store::agenda::set_minutes(&mut tx, &who(&user), item_id, form.version, form.minutes.trim(), form.done.is_some()).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(back(id, item_id))
        }
        Err(StoreError::Conflict) => {
            super::page::show_with_error(&state, &ctx, &user, meeting, "Iemand anders heeft de notulen van dit punt intussen gewijzigd. Kopieer uw tekst, laad de pagina opnieuw en voeg samen.".into()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(super) struct CurrentForm {
    #[serde(default)]
    item: String,
}

pub(super) async fn set_current(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<CurrentForm>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let item = match form.item.parse::<i64>() {
        Ok(item_id) => Some(
            visible_item(&state, &user, &meeting, item_id, Capability::ManageMeetings)
                .await?
                .id,
        ),
        Err(_) => None,
    };
    let mut tx = state.store.begin().await?;
    match store::meetings::set_current_item(&mut tx, &who(&user), id, item).await {
        Ok(()) => store::commit(tx).await?,
        Err(StoreError::Conflict) => {
            let message =
                "Een punt behandelen kan alleen als de vergadering geopend is.".to_string();
            return super::page::show_with_error(&state, &ctx, &user, meeting, message).await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!(
        "/vergaderingen/{id}{}",
        item.map(|i| format!("#punt-{i}")).unwrap_or_default()
    ))
    .into_response())
}

struct AttendeeRow {
    person_id: i64,
    name: String,
    bodies: String,
    present: bool,
}

#[derive(Template)]
#[template(path = "meetings/attendance.html")]
struct AttendancePage {
    layout: Layout,
    meeting: Meeting,
    people: Vec<AttendeeRow>,
}

pub(super) async fn attendance_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let present = store::decisions::attendance(&state.store, id).await?;
    let mut people: Vec<AttendeeRow> = Vec::new();
    for m in store::decisions::members(&state.store, &meeting.bodies).await? {
        match people.iter_mut().find(|p| p.person_id == m.person_id) {
            Some(p) => p.bodies.push_str(&format!(", {}", m.body_code)),
            None => people.push(AttendeeRow {
                person_id: m.person_id,
                present: present.iter().any(|(p, here)| *p == m.person_id && *here),
                name: m.name,
                bodies: m.body_code,
            }),
        }
    }
    render(AttendancePage {
        layout: ctx.layout(format!("Aanwezigheid — {}", meeting.title)),
        meeting,
        people,
    })
}

pub(super) async fn save_attendance(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let members = store::decisions::members(&state.store, &meeting.bodies).await?;
    let present: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "present")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let mut rows: Vec<(i64, bool)> = Vec::new();
    for m in members {
        if !rows.iter().any(|(p, _)| *p == m.person_id) {
            rows.push((m.person_id, present.contains(&m.person_id)));
        }
    }
    let mut tx = state.store.begin().await?;
    store::decisions::set_attendance(&mut tx, &who(&user), id, &rows).await?;
    store::commit(tx).await?;
    Ok(Redirect::to(&format!("/vergaderingen/{id}?ok=opgeslagen")).into_response())
}
