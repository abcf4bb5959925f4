//! Running the meeting: the current item, decisions per body with their votes, actions, draft
//! minutes and attendance (product.md A3–A6).

use super::{visible_item, visible_meeting};
use crate::shared::error::{AppError, AppResult, error_page};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, DiffRow, Errors, Layout, diff_versions, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::ids::{ItemId, MeetingId, PersonId};
use domain::meetings::decision_draft::{DecisionDraft, DecisionForm as TypedDecision, Votes};
use domain::meetings::decisions::{NOT_YOUR_BODY, may_record};
use domain::meetings::kinds::DecisionOutcome;
use domain::meetings::status::{MeetingStatus, decisions_open, minutes_editable};
use domain::meetings::voting::{self, BodyRules, Choice};
use domain::people::Position;
use serde::Deserialize;
use store::StoreError;
use store::agenda::Item;
use store::decisions::DecisionInput;
use store::meetings::Meeting;

fn status_of(meeting: &Meeting) -> MeetingStatus {
    meeting.status
}

fn back(meeting: MeetingId, item: ItemId) -> Response {
    Redirect::to(&format!("/vergaderingen/{meeting}#punt-{item}")).into_response()
}

#[derive(Deserialize)]
pub(super) struct DecisionForm {
    body_id: i64,
    /// The version of the decision the form was based on; 0 (or absent) for a new one.
    #[serde(default)]
    version: i32,
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
        majority: body.majority,
    };
    let subject = item.subject;
    let present = present(state, meeting.id).await?;
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
            let eligible: Vec<PersonId> = members
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

/// Who is recorded as present at a meeting.
async fn present(state: &AppState, meeting_id: MeetingId) -> AppResult<Vec<PersonId>> {
    Ok(store::decisions::attendance(&state.store, meeting_id)
        .await?
        .into_iter()
        .filter(|(_, p)| *p)
        .map(|(id, _)| id)
        .collect())
}

/// The decision form of one body on one item, as shown on the meeting page (with the stored
/// decision) and on the conflict page (with what was typed).
pub(crate) struct DecisionFormView {
    pub(crate) item_id: ItemId,
    pub(crate) body_id: i64,
    pub(crate) code: String,
    pub(crate) version: i32,
    pub(crate) outcome: String,
    pub(crate) text: String,
    pub(crate) votes_for: String,
    pub(crate) votes_against: String,
    pub(crate) votes_abstain: String,
    /// The eligible members present, for a named vote: (person, name, chosen code or "").
    pub(crate) voters: Vec<(PersonId, String, String)>,
}

impl DecisionFormView {
    pub(crate) fn outcomes(&self) -> &'static [DecisionOutcome] {
        DecisionOutcome::ALL
    }

    pub(crate) fn choices(&self) -> &'static [voting::Choice] {
        voting::Choice::ALL
    }
}

/// The form for a body's decision as stored (or empty for a new one), named votes included.
pub(crate) fn stored_form(
    item_id: ItemId,
    body_id: i64,
    code: String,
    decision: Option<&store::decisions::Decision>,
    named: &[(PersonId, Choice)],
    voters: Vec<(PersonId, String)>,
) -> DecisionFormView {
    let number = |n: Option<i32>| match (named.is_empty(), n) {
        (true, Some(n)) => n.to_string(),
        _ => String::new(),
    };
    DecisionFormView {
        item_id,
        body_id,
        code,
        version: decision.map_or(0, |d| d.version),
        outcome: decision
            .map(|d| d.outcome.code().to_string())
            .unwrap_or_default(),
        text: decision.map(|d| d.text.clone()).unwrap_or_default(),
        votes_for: number(decision.and_then(|d| d.votes_for)),
        votes_against: number(decision.and_then(|d| d.votes_against)),
        votes_abstain: number(decision.and_then(|d| d.votes_abstain)),
        voters: voters
            .into_iter()
            .map(|(id, name)| {
                let choice = named
                    .iter()
                    .find(|(p, _)| *p == id)
                    .map(|(_, c)| c.code().to_string())
                    .unwrap_or_default();
                (id, name, choice)
            })
            .collect(),
    }
}

/// The person's own functions in one body, as (body, function).
async fn functions_in(
    state: &AppState,
    user: &User,
    body_id: i64,
) -> AppResult<Vec<(i64, Position)>> {
    let members = store::decisions::members(&state.store, &[body_id]).await?;
    Ok(super::functions_of(&members, user.actor.person_id))
}

pub(super) async fn record_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path((id, item_id)): Path<(MeetingId, ItemId)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let item = visible_item(
        &state,
        &user,
        &meeting,
        item_id,
        Capability::RecordDecisions,
    )
    .await?;
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
    if !item.deciding_bodies.contains(&form.body_id) {
        return Err(AppError::NotFound);
    }
    if !may_record(
        &user.actor,
        &functions_in(&state, &user, form.body_id).await?,
        form.body_id,
    ) {
        return Ok(error_page(
            StatusCode::FORBIDDEN,
            "Geen toegang",
            NOT_YOUR_BODY,
        ));
    }
    if !decisions_open(status_of(&meeting)) {
        return refuse(
            "Besluiten worden vastgelegd tijdens de vergadering; deze vergadering is niet geopend."
                .into(),
        )
        .await;
    }
    let typed = DecisionDraft::parse(
        &TypedDecision {
            outcome: form.outcome.clone(),
            text: form.text.clone(),
            votes_for: form.votes_for.clone(),
            votes_against: form.votes_against.clone(),
            votes_abstain: form.votes_abstain.clone(),
            ballots: pairs.clone(),
        },
        &item.title,
    );
    let DecisionDraft {
        outcome,
        text,
        votes,
    } = match typed {
        Ok(d) => d,
        Err(message) => return refuse(message).await,
    };
    let named: Vec<voting::Ballot> = match &votes {
        Some(Votes::Named(ballots)) => ballots.clone(),
        _ => Vec::new(),
    };
    let mut summary = String::new();
    let mut counted = None;
    if let Some(votes) = &votes {
        match tally(&state, &meeting, &item, form.body_id, votes).await? {
            Err(message) => return refuse(message).await,
            Ok(result) => {
                if outcome.adopts_text() && !result.passed {
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
        outcome,
        text,
        votes_for: counted.map(|c| c.0 as i32),
        votes_against: counted.map(|c| c.1 as i32),
        votes_abstain: counted.map(|c| c.2 as i32),
        vote_summary: summary,
        named: named.iter().map(|b| (b.person_id, b.choice)).collect(),
    };
    let mut tx = state.store.begin().await?;
    store::decisions::take_turn(&mut tx, item_id).await?;
    let before = super::decision_notify::decisions_on(&mut tx, &item).await?;
    match store::decisions::record(&mut tx, &who(&user), &input, form.version).await {
        Ok(_) => {
            let placed = super::follow_up::after_decision(&mut tx, &user, &meeting, &item).await?;
            super::decision_notify::decision_recorded(
                &state,
                &mut tx,
                &meeting,
                &item,
                form.body_id,
                &before,
                placed.as_ref(),
            )
            .await?;
            // The decision that completes a budget's adoption announces it, in its transaction.
            crate::shared::mail::budget::adopted(&state, &mut tx, item_id).await?;
            store::commit(tx).await?;
            Ok(back(id, item_id))
        }
        Err(StoreError::Conflict) => {
            drop(tx);
            conflict(&state, &ctx, &meeting, &item, &form, &input).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "meetings/decision_conflict.html")]
struct ConflictPage {
    layout: Layout,
    csrf: String,
    meeting_id: MeetingId,
    meeting_title: String,
    item_title: String,
    rows: Vec<DiffRow>,
    f: DecisionFormView,
    errors: Errors,
}

/// The decision was recorded or corrected since the form was opened: the stored decision next
/// to what was typed, and the form with the typed input and the stored version, so that saving
/// again replaces the stored decision deliberately (F4).
async fn conflict(
    state: &AppState,
    ctx: &Ctx,
    meeting: &Meeting,
    item: &Item,
    form: &DecisionForm,
    typed: &DecisionInput,
) -> AppResult<Response> {
    let stored = store::decisions::on_item_body(&state.store, item.id, form.body_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let stored_named = store::decisions::votes_of(&state.store, stored.id).await?;
    let members = store::decisions::members(&state.store, &[form.body_id]).await?;
    let code = members
        .first()
        .map(|m| m.body_code.to_string())
        .unwrap_or_default();
    let name = |p: PersonId| {
        members
            .iter()
            .find(|m| m.person_id == p)
            .map_or_else(|| p.to_string(), |m| m.name.clone())
    };
    let named_text = |named: &[(PersonId, Choice)]| {
        named
            .iter()
            .map(|(p, c)| format!("{}: {}", name(*p), c.code()))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let shown =
        |outcome: DecisionOutcome, text: &str, summary: &str, named: &[(PersonId, Choice)]| {
            vec![
                ("Besluit", outcome.label().to_string()),
                ("Besluittekst", text.to_string()),
                ("Stemming", summary.to_string()),
                ("Hoofdelijke stemming", named_text(named)),
            ]
        };
    let rows = diff_versions(
        shown(
            stored.outcome,
            &stored.text,
            &stored.vote_summary,
            &stored_named,
        ),
        shown(
            typed.outcome,
            &typed.text,
            &typed.vote_summary,
            &typed.named,
        ),
    );
    let subject = item.subject;
    let voters = super::present_voters(
        &members,
        &present(state, meeting.id).await?,
        form.body_id,
        subject,
    );
    let f = DecisionFormView {
        version: stored.version,
        outcome: typed.outcome.code().into(),
        text: typed.text.clone(),
        votes_for: form.votes_for.trim().to_string(),
        votes_against: form.votes_against.trim().to_string(),
        votes_abstain: form.votes_abstain.trim().to_string(),
        ..stored_form(item.id, form.body_id, code, None, &typed.named, voters)
    };
    let mut errors = Errors::default();
    errors.add(
        "_form",
        "Iemand anders heeft het besluit van dit gremium intussen vastgelegd of gewijzigd. Hieronder staan beide versies; uw invoer staat in het formulier. Pas het zo nodig aan en sla opnieuw op om het opgeslagen besluit bewust te vervangen.",
    );
    let page = ConflictPage {
        layout: ctx.layout(format!("Besluit {} intussen gewijzigd", f.code)),
        csrf: ctx.csrf.clone(),
        meeting_id: meeting.id,
        meeting_title: meeting.title.clone(),
        item_title: item.title.clone(),
        rows,
        f,
        errors,
    };
    Ok((StatusCode::CONFLICT, render(page)?).into_response())
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
    Path((id, item_id)): Path<(MeetingId, ItemId)>,
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
    if title.chars().count() > domain::text::max::TITLE {
        return refuse("De actie is te lang: gebruik ten hoogste 200 tekens.").await;
    }
    // Only someone the form offers (a member of a participating body) can carry out an action;
    // any other id, of a person or of nobody, gets the same answer.
    let members = store::decisions::members(&state.store, &meeting.bodies).await?;
    let owner = form
        .owner
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|o| members.iter().any(|m| m.person_id == (*o).into()));
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
    Path((id, item_id)): Path<(MeetingId, ItemId)>,
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
    if let Some(message) = domain::text::too_long(form.minutes.trim(), domain::text::max::LONG) {
        let message = format!("De notulen van dit punt zijn te lang. {message}");
        return super::page::show_with_error(&state, &ctx, &user, meeting, message).await;
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
    Path(id): Path<MeetingId>,
    Form(form): Form<CurrentForm>,
) -> AppResult<Response> {
    let meeting = visible_meeting(&state, &user, id).await?;
    let item = match form.item.parse::<ItemId>() {
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
