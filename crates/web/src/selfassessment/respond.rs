//! The section's reading pages (C2): the start page — a board member's rounds with their own
//! state, the secretary's overview of every round with respondent counts — and a round's page.
//! Answering is in [`super::respond_answer`]. What every page of the section shares lives here
//! too: closing overdue rounds on a visit, and which rounds a person may see.

use super::respond_answer;
use crate::shared::error::{AppError, AppResult};
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use domain::agreements::kinds::SevenS;
use domain::authz::Capability;
use domain::nl;
use domain::selfassessment::{RoundId, RoundStatus};
use store::audit::Who;
use store::selfassessment::{self as sa, BodyParticipation, Invitation, RoundDetail, RoundRow};
use time::Date;

pub(super) fn routes() -> Vec<RouteDef> {
    let view = Access::Needs(Capability::ViewSelfAssessment);
    let answer = Access::Needs(Capability::AnswerSelfAssessment);
    vec![
        get("/zelfevaluatie", view, index),
        get("/zelfevaluatie/rondes/{id}", view, round_page),
        get(
            "/zelfevaluatie/rondes/{id}/invullen",
            answer,
            respond_answer::form,
        ),
        post(
            "/zelfevaluatie/rondes/{id}/invullen",
            answer,
            respond_answer::send,
        ),
    ]
}

/// The date the rules of a round are judged on.
pub(super) fn today() -> Date {
    crate::shared::clock::today()
}

/// Closes the open rounds past their closing date before a page reads them, so that nobody is
/// shown, or answers, a round whose time is up. The closing date is the rule; nothing runs at
/// midnight, so the first visit after it does the work (the store's `close_overdue`).
pub(super) async fn close_overdue(state: &AppState) -> AppResult<()> {
    let mut tx = state.store.begin().await?;
    let closed = sa::close_overdue(&mut tx, &Who::system("zelfevaluatie"), today()).await?;
    store::commit(tx).await?;
    if !closed.is_empty() {
        vacuum(state).await;
    }
    Ok(())
}

/// After a committed submit or close: removes the replaced answer rows from the table files
/// (docs/selfassessment.md, residual risks). Best effort: a failure is logged, the page goes on.
pub(super) async fn vacuum(state: &AppState) {
    if let Err(e) = sa::vacuum(&state.store).await {
        tracing::warn!(error = %e, "vacuuming the self-assessment's answers");
    }
}

/// A round as `user` may see it: the secretary sees every round; a board member only the rounds
/// past concept to which a body of theirs is invited (or that they answered). Any other round
/// answers exactly like a missing one, so its existence is not given away.
pub(super) async fn visible_round(
    state: &AppState,
    user: &User,
    id: RoundId,
) -> AppResult<RoundDetail> {
    if !user.actor.can(Capability::ManageSelfAssessment) {
        let mine = sa::rounds_for(&state.store, user.actor.person_id).await?;
        if !mine.iter().any(|r| r.id == id) {
            return Err(AppError::NotFound);
        }
    }
    Ok(sa::round(&state.store, id).await?)
}

/// `01-11-2026 t/m 29-11-2026`.
pub(super) fn period(round: &RoundRow) -> String {
    format!(
        "{} t/m {}",
        nl::date(round.opens_on),
        nl::date(round.closes_on)
    )
}

/// One statement in a list grouped per S.
pub(super) struct StatementLine {
    /// 1, 2, … over the whole round, as on the answer form.
    pub number: usize,
    pub key: String,
    pub text: String,
}

/// The statements of one S, in the model's order.
pub(super) struct SGroup<T> {
    pub label: &'static str,
    pub hard: bool,
    pub items: Vec<T>,
}

/// Groups items (already in model order, as the store returns them) per S, leaving out the
/// elements without any.
pub(super) fn group_per_s<T>(items: impl IntoIterator<Item = (SevenS, T)>) -> Vec<SGroup<T>> {
    let mut groups: Vec<SGroup<T>> = SevenS::ALL
        .iter()
        .map(|s| SGroup {
            label: s.label(),
            hard: s.is_hard(),
            items: Vec::new(),
        })
        .collect();
    for (s, item) in items {
        groups[s as usize].items.push(item);
    }
    groups.retain(|g| !g.items.is_empty());
    groups
}

/// A body's respondents (never names): "2 van 5".
pub(super) struct BodyCount {
    pub name: String,
    pub respondents: i64,
    pub members: i64,
}

impl From<BodyParticipation> for BodyCount {
    fn from(p: BodyParticipation) -> Self {
        Self {
            name: p.name,
            respondents: p.respondents,
            members: p.members,
        }
    }
}

/// Where a board member stands with a round, in words, and what they can do next.
pub(super) struct MyState {
    pub text: String,
    pub link: Option<(String, &'static str)>,
}

/// A board member's state in a round: `invitation` when the round takes answers today and they
/// may answer it (or did), `participated` for the rounds past.
fn my_state(
    round: &RoundRow,
    invitation: Option<&Invitation>,
    participated: bool,
    today: Date,
) -> MyState {
    let id = round.id;
    let answer = format!("/zelfevaluatie/rondes/{id}/invullen");
    match invitation {
        Some(i) if i.submitted => MyState {
            text: "Ingestuurd. Verstuurde antwoorden kunnen niet meer worden gewijzigd.".into(),
            link: None,
        },
        Some(i) if i.drafted > 0 => MyState {
            text: format!(
                "Concept opgeslagen: {} van {} stellingen beantwoord.",
                i.drafted, i.statements
            ),
            link: Some((answer, "Verder invullen")),
        },
        Some(i) => MyState {
            text: format!("Nog in te vullen ({} stellingen).", i.statements),
            link: Some((answer, "Invullen")),
        },
        None => match round.effective_status(today) {
            RoundStatus::Gesloten => MyState {
                text: if participated {
                    "Gesloten; u hebt deelgenomen.".into()
                } else {
                    "Gesloten.".into()
                },
                link: Some((
                    format!("/zelfevaluatie/rondes/{id}/resultaten"),
                    "Resultaten",
                )),
            },
            _ if round.opens_on > today => MyState {
                text: format!("Opent op {}.", nl::date(round.opens_on)),
                link: None,
            },
            _ => MyState {
                text: "U bent niet gevraagd deze ronde in te vullen: u hebt geen zetel in een uitgenodigd bestuur."
                    .into(),
                link: None,
            },
        },
    }
}

struct MyRound {
    id: RoundId,
    title: String,
    period: String,
    state: MyState,
}

struct ManagedRound {
    id: RoundId,
    title: String,
    status: &'static str,
    period: String,
    bodies: Vec<BodyCount>,
    /// Respondent counts are worth showing once the round is past concept.
    counts: bool,
    results: bool,
}

#[derive(Template)]
#[template(path = "selfassessment/index.html")]
struct IndexPage {
    layout: Layout,
    can_answer: bool,
    can_manage: bool,
    mine: Vec<MyRound>,
    all: Vec<ManagedRound>,
}

/// `GET /zelfevaluatie`.
async fn index(State(state): State<AppState>, ctx: Ctx, user: User) -> AppResult<Response> {
    close_overdue(&state).await?;
    let today = today();
    let person = user.actor.person_id;
    let can_answer = user.actor.can(Capability::AnswerSelfAssessment);
    let can_manage = user.actor.can(Capability::ManageSelfAssessment);

    let mut mine = Vec::new();
    if can_answer {
        let invitations = sa::invitations(&state.store, person, today).await?;
        for round in sa::rounds_for(&state.store, person).await? {
            let invitation = invitations.iter().find(|i| i.round == round.id);
            // Whether they took part in a closed round is theirs to see (rounds_for lists the
            // rounds of their bodies, and those they answered after leaving one).
            let participated = invitation.is_none()
                && round.effective_status(today) == RoundStatus::Gesloten
                && sa::has_participated(state.store.pool(), round.id, person).await?;
            mine.push(MyRound {
                id: round.id,
                period: period(&round),
                state: my_state(&round, invitation, participated, today),
                title: round.title,
            });
        }
    }

    let mut all = Vec::new();
    if can_manage {
        for round in sa::rounds(&state.store).await? {
            let status = round.effective_status(today);
            // One query per round: a hospital holds a round or two a year.
            let bodies = sa::participation(&state.store, round.id)
                .await?
                .into_iter()
                .map(BodyCount::from)
                .collect();
            all.push(ManagedRound {
                id: round.id,
                status: status.label(),
                period: period(&round),
                bodies,
                counts: status != RoundStatus::Concept,
                results: status.shows_results(),
                title: round.title,
            });
        }
    }

    render(IndexPage {
        layout: ctx.layout("Zelfevaluatie gelijkgerichtheid"),
        can_answer,
        can_manage,
        mine,
        all,
    })
}

/// What the secretary can do with a round in its status.
struct Manage {
    version: i32,
    edit: bool,
    open: bool,
    close: bool,
}

#[derive(Template)]
#[template(path = "selfassessment/round.html")]
struct RoundPage {
    layout: Layout,
    id: RoundId,
    status: &'static str,
    period: String,
    bodies: Vec<String>,
    /// The frozen copy once the round is open; in concept the catalogue statements chosen.
    frozen: bool,
    groups: Vec<SGroup<StatementLine>>,
    statements: usize,
    counts: Vec<BodyCount>,
    manage: Option<Manage>,
    results: bool,
    mine: Option<MyState>,
    errors: Errors,
}

/// `GET /zelfevaluatie/rondes/{id}`.
async fn round_page(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<RoundId>,
) -> AppResult<Response> {
    close_overdue(&state).await?;
    show_round(&state, &ctx, &user, id, Errors::default()).await
}

/// The round's page, with the refusal of a status change at its top when there was one.
pub(super) async fn show_round(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: RoundId,
    errors: Errors,
) -> AppResult<Response> {
    let detail = visible_round(state, user, id).await?;
    let today = today();
    let round = &detail.round;
    let status = round.effective_status(today);
    let frozen = round.status != RoundStatus::Concept;
    let lines: Vec<(SevenS, StatementLine)> = if frozen {
        detail
            .statements
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    s.s,
                    StatementLine {
                        number: i + 1,
                        key: s.key.clone(),
                        text: s.text.clone(),
                    },
                )
            })
            .collect()
    } else {
        sa::catalogue(&state.store)
            .await?
            .into_iter()
            .filter(|s| detail.choices.contains(&s.id))
            .enumerate()
            .map(|(i, s)| {
                (
                    s.s,
                    StatementLine {
                        number: i + 1,
                        key: s.key,
                        text: s.text,
                    },
                )
            })
            .collect()
    };
    let statements = lines.len();
    let can_manage = user.actor.can(Capability::ManageSelfAssessment);
    let counts = if can_manage && frozen {
        sa::participation(&state.store, id)
            .await?
            .into_iter()
            .map(BodyCount::from)
            .collect()
    } else {
        Vec::new()
    };
    let mine = if user.actor.can(Capability::AnswerSelfAssessment) && frozen {
        let person = user.actor.person_id;
        let invitations = sa::invitations(&state.store, person, today).await?;
        let participated = sa::has_participated(state.store.pool(), id, person).await?;
        Some(my_state(
            round,
            invitations.iter().find(|i| i.round == id),
            participated,
            today,
        ))
    } else {
        None
    };
    let manage = can_manage.then(|| Manage {
        version: round.version,
        edit: round.status == RoundStatus::Concept,
        open: round.status == RoundStatus::Concept,
        close: round.status == RoundStatus::Open,
    });
    let status_code = errors.status();
    let page = RoundPage {
        layout: ctx.layout(round.title.clone()),
        id,
        status: status.label(),
        period: period(round),
        bodies: detail.bodies.iter().map(|b| b.name.clone()).collect(),
        frozen,
        groups: group_per_s(lines),
        statements,
        counts,
        manage,
        results: status.shows_results(),
        mine,
        errors,
    };
    Ok((status_code, render(page)?).into_response())
}
