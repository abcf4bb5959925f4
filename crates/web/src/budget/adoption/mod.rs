//! Vaststelling (D9): proposing a scenario for adoption on a joint meeting, a
//! *begrotingswijziging* of an adopted one, and the panel the scenario, distribution and overview
//! pages show — the hash, the adopting decisions and the meeting, or what became of a proposal.
//! The panel holds no allocation per vakgroep, so it keeps the distribution's compartment (§0).

use crate::shared::error::AppResult;
use crate::shared::forms;
use crate::shared::routes::{Access, RouteDef, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::budget::adoption::{self as rules, ProposalDraft, ProposalForm, ProposalStatus};
use domain::ids::{MeetingId, ScenarioId};
use domain::nl;
use store::budget::adoption::{Adoption, Proposal};
use store::{Invalid, StoreError};
use time::OffsetDateTime;

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        post(
            "/begroting/scenarios/{id}/vaststelling",
            Access::Needs(Capability::ProposeAdoption),
            propose,
        ),
        post(
            "/begroting/scenarios/{id}/begrotingswijziging",
            Access::Needs(Capability::ManageBudget),
            amend,
        ),
    ]
}

/// An adopted budget as the pages show it.
pub(crate) struct AdoptedView {
    pub scenario_id: ScenarioId,
    pub scenario_name: String,
    pub year: i16,
    pub hash: String,
    pub at: String,
    pub meeting_id: MeetingId,
    pub meeting: String,
    pub decisions: Vec<String>,
}

fn adopted_view(a: &Adoption) -> AdoptedView {
    AdoptedView {
        scenario_id: a.scenario_id,
        scenario_name: a.scenario_name.clone(),
        year: a.year,
        hash: a.content_hash.clone(),
        at: nl::datetime(a.adopted_at),
        meeting_id: a.meeting_id,
        meeting: format!(
            "{} ({})",
            a.meeting_title,
            nl::datetime(a.meeting_starts_at)
        ),
        decisions: a
            .decisions
            .iter()
            .map(|d| {
                let text = if d.text.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", d.text.trim())
                };
                format!(
                    "{} — {} op {}{text}",
                    d.body_name,
                    d.outcome.label(),
                    nl::datetime(d.recorded_at)
                )
            })
            .collect(),
    }
}

/// A proposal in words.
pub(crate) struct ProposalLine {
    pub meeting_id: MeetingId,
    pub text: String,
}

fn proposal_line(p: &Proposal) -> ProposalLine {
    let meeting = format!(
        "{} ({})",
        p.meeting_title,
        nl::datetime(p.meeting_starts_at)
    );
    let text = match p.status {
        ProposalStatus::Voorgesteld => format!(
            "Voorgesteld ter vaststelling op {meeting} door {} op {}; RvB en MSB besluiten elk afzonderlijk.",
            p.proposed_by_label,
            nl::datetime(p.proposed_at)
        ),
        ProposalStatus::Vastgesteld => format!("Vastgesteld op {meeting}."),
        other => format!(
            "{} op {meeting}: het scenario is niet vastgesteld en ongewijzigd gebleven.",
            other.label()
        ),
    };
    ProposalLine {
        meeting_id: p.meeting_id,
        text,
    }
}

/// What a scenario's pages show about its adoption.
pub(crate) struct Panel {
    pub scenario_id: ScenarioId,
    pub adopted: Option<AdoptedView>,
    pub amends: Option<AdoptedView>,
    pub proposals: Vec<ProposalLine>,
    /// The meetings the reader may propose it on (empty: no form).
    pub meetings: Vec<(MeetingId, String)>,
    pub may_amend: bool,
    /// Whether the reader sees meetings, so that the meeting is a link.
    pub meeting_links: bool,
}

impl Panel {
    pub fn locked(&self) -> bool {
        self.adopted.is_some()
    }
}

/// The panel of scenario `id` for `user`.
pub(crate) async fn panel(state: &AppState, user: &User, id: ScenarioId) -> AppResult<Panel> {
    let a = store::budget::adoption::for_scenario(&state.store, id).await?;
    let may_propose = user.actor.can(Capability::ProposeAdoption)
        && a.adoption.is_none()
        && a.open_proposal().is_none();
    let meetings = if may_propose {
        store::budget::adoption::candidate_meetings(&state.store, OffsetDateTime::now_utc())
            .await?
            .into_iter()
            .map(|m| (m.id, format!("{} ({})", m.title, nl::datetime(m.starts_at))))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Panel {
        scenario_id: id,
        may_amend: a.adoption.is_some() && user.actor.can(Capability::ManageBudget),
        adopted: a.adoption.as_ref().map(adopted_view),
        amends: a.amends.as_ref().map(adopted_view),
        proposals: a.proposals.iter().map(proposal_line).collect(),
        meetings,
        meeting_links: user.actor.can(Capability::ViewMeetings),
    })
}

/// The adopted budgets of a year, for the overview.
pub(crate) async fn history(state: &AppState, year: i16) -> AppResult<Vec<AdoptedView>> {
    Ok(store::budget::adoption::for_year(&state.store, year)
        .await?
        .iter()
        .map(adopted_view)
        .collect())
}

#[derive(Template)]
#[template(path = "budget/adoption/refused.html")]
struct RefusedPage {
    layout: Layout,
    scenario_id: ScenarioId,
    message: String,
}

fn refused(ctx: &Ctx, id: ScenarioId, message: String) -> AppResult<Response> {
    let page = render(RefusedPage {
        layout: ctx.layout("Vaststelling niet voorgesteld"),
        scenario_id: id,
        message,
    })?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The words for a proposal the store refused, when it is a refusal the person can act on.
fn refusal(invalid: &Invalid) -> Option<&'static str> {
    Some(match invalid {
        Invalid::Adopted => rules::ALREADY_ADOPTED,
        Invalid::AlreadyProposed => rules::ALREADY_PROPOSED,
        Invalid::NoDecidingBodies => rules::NO_BODIES,
        Invalid::MeetingUnfit => rules::NO_MEETING,
        _ => return None,
    })
}

/// Proposes the scenario on the chosen meeting (controller or secretary).
async fn propose(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<ScenarioId>,
    Form(form): Form<ProposalForm>,
) -> AppResult<Response> {
    store::budget::scenario(state.store.pool(), id).await?;
    let now = OffsetDateTime::now_utc();
    let candidates: Vec<MeetingId> = store::budget::adoption::candidate_meetings(&state.store, now)
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    let meeting = match ProposalDraft::parse(&form, &candidates) {
        Ok(m) => m,
        Err(problems) => return refused(&ctx, id, problems[0].message.clone()),
    };
    // By hand rather than through `forms::save`: the mail to both boards is written in the
    // proposal's transaction, and rendering it speaks the web layer's error type.
    let mut tx = state.store.begin().await?;
    match store::budget::adoption::propose(&mut tx, &who(&user), id, meeting, now).await {
        Ok(item) => {
            crate::shared::mail::budget::proposed(&state, &mut tx, id, item, &user.name).await?;
            store::commit(tx).await?;
            Ok(Redirect::to(&format!(
                "/begroting/scenarios/{id}?ok=voorgesteld#vaststelling"
            ))
            .into_response())
        }
        Err(StoreError::Invalid(invalid)) => match refusal(&invalid) {
            Some(message) => refused(&ctx, id, message.to_string()),
            None => Err(StoreError::Invalid(invalid).into()),
        },
        Err(e) => Err(e.into()),
    }
}

/// Creates a *begrotingswijziging* of an adopted scenario (controller) and opens it.
async fn amend(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<ScenarioId>,
) -> AppResult<Response> {
    let who = who(&user);
    let new = forms::save(&state, &[], async |tx| {
        store::budget::adoption::create_amendment(tx, &who, id).await
    })
    .await?
    .map_err(|_| crate::shared::error::AppError::bug("no refusal was listed"))?;
    Ok(Redirect::to(&format!("/begroting/scenarios/{new}")).into_response())
}
