//! Answering a round (C2, C3): every statement on the 1–5 scale or "weet ik niet" with an
//! optional comment; "Opslaan" keeps a personal draft, "Versturen" hands the answers in once,
//! without the name. The rules and their Dutch messages are the domain's (`AnswersDraft::parse`,
//! `Submission::parse`, `choose_body`); the store checks them again in its transaction.

use super::respond::{SGroup, close_overdue, group_per_s, today, vacuum};
use crate::shared::error::{AppError, AppResult};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::BodyId;
use domain::nl;
use domain::selfassessment::{
    AnswerError, AnswerField, AnswersDraft, AnswersForm, COMMENT_HINT, Refusal, RoundId,
    RoundStatus, StatementId, Submission, choose_body,
};
use serde::Deserialize;
use store::selfassessment::{self as sa, EligibleBody, RoundDetail};
use store::{Invalid, StoreError};

/// The form's own field names next to `antwoord_<id>` / `toelichting_<id>`.
const BODY: &str = "body";
const ACTION: &str = "actie";
const SUBMIT: &str = "versturen";

/// A problem shown on the answer page: at a field (its HTML name) or for the form as a whole.
struct Problem {
    /// `Some(name)` links the summary to the field `veld-<name>`.
    field: Option<String>,
    message: String,
}

struct Item {
    /// 1, 2, … over the whole round, as people refer to a statement ("stelling 12").
    number: usize,
    text: String,
    answer_name: String,
    comment_name: String,
    chosen: String,
    comment: String,
    answer_error: Option<String>,
    comment_error: Option<String>,
}

struct BodyOption {
    id: BodyId,
    name: String,
    checked: bool,
}

/// What the page shows instead of, or with, the form.
#[derive(PartialEq, Eq)]
enum Mode {
    Form,
    /// Handed in; `just_now` right after sending.
    Submitted {
        just_now: bool,
    },
    /// The round takes no answers today (not yet open, closed, past its date).
    Closed,
}

#[derive(Template)]
#[template(path = "selfassessment/answer.html")]
struct AnswerPage {
    layout: Layout,
    id: RoundId,
    mode: Mode,
    closes_on: String,
    groups: Vec<SGroup<Item>>,
    total: usize,
    answered: usize,
    bodies: Vec<BodyOption>,
    body_error: Option<String>,
    summary: Vec<SummaryLine>,
    saved: bool,
    scale: Vec<(&'static str, &'static str)>,
    hint: &'static str,
}

impl AnswerPage {
    fn is_form(&self) -> bool {
        self.mode == Mode::Form
    }

    fn just_sent(&self) -> bool {
        self.mode == Mode::Submitted { just_now: true }
    }

    fn is_submitted(&self) -> bool {
        matches!(self.mode, Mode::Submitted { .. })
    }
}

/// What the person typed (or saved before), for showing the form again.
#[derive(Default)]
struct Typed {
    form: AnswersForm,
    body: String,
}

/// Where the person stands with the round before anything is shown or written.
struct Respondent {
    detail: RoundDetail,
    eligible: Vec<EligibleBody>,
    submitted: bool,
}

/// The round for someone who may answer it: a concept round, or one they were never invited to
/// answer, is not found (as on the round's page); having handed in is enough after leaving the
/// body.
async fn respondent(state: &AppState, user: &User, id: RoundId) -> AppResult<Respondent> {
    let person = user.actor.person_id;
    let detail = sa::round(&state.store, id).await?;
    if detail.round.status == RoundStatus::Concept {
        return Err(AppError::NotFound);
    }
    let submitted = sa::has_participated(state.store.pool(), id, person).await?;
    let eligible = sa::eligible_bodies(state.store.pool(), id, person).await?;
    if eligible.is_empty() && !submitted {
        return Err(AppError::NotFound);
    }
    Ok(Respondent {
        detail,
        eligible,
        submitted,
    })
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Shown {
    /// `?opgeslagen=1` after "Opslaan", `?verstuurd=1` after "Versturen".
    #[serde(default)]
    opgeslagen: String,
    #[serde(default)]
    verstuurd: String,
    /// The body chosen before saving, so the choice survives the redirect.
    #[serde(default)]
    body: String,
}

/// `GET /zelfevaluatie/rondes/{id}/invullen`.
pub(super) async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<RoundId>,
    Query(shown): Query<Shown>,
) -> AppResult<Response> {
    close_overdue(&state).await?;
    let r = respondent(&state, &user, id).await?;
    if r.submitted {
        let just_now = !shown.verstuurd.is_empty();
        return render(page(
            &ctx,
            r,
            Mode::Submitted { just_now },
            Typed::default(),
            vec![],
        ));
    }
    if !r.detail.round.accepts_answers(today()) {
        return render(page(&ctx, r, Mode::Closed, Typed::default(), vec![]));
    }
    let draft = sa::draft(&state.store, id, user.actor.person_id).await?;
    let mut typed = Typed {
        body: shown.body,
        ..Typed::default()
    };
    for a in draft.answers {
        if let Some(answer) = a.answer {
            typed.form.answers.insert(a.statement, answer.code().into());
        }
        if let Some(comment) = a.comment {
            typed.form.comments.insert(a.statement, comment);
        }
    }
    let mut p = page(&ctx, r, Mode::Form, typed, vec![]);
    p.saved = !shown.opgeslagen.is_empty();
    render(p)
}

/// `POST /zelfevaluatie/rondes/{id}/invullen`: "Opslaan" or "Versturen". The field names are
/// per statement, so the body is read as a list of pairs.
pub(super) async fn send(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<RoundId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let r = respondent(&state, &user, id).await?;
    let value = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let typed = Typed {
        form: AnswersForm::from_fields(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        body: value(BODY),
    };
    let submitting = value(ACTION) == SUBMIT;
    let refused = |r: Respondent, mode: Mode, typed: Typed, problems: Vec<Problem>| {
        // A form to correct is 422; a round that no longer takes this person's answers, 409.
        let status = if mode == Mode::Form {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::CONFLICT
        };
        Ok::<_, AppError>((status, render(page(&ctx, r, mode, typed, problems))?).into_response())
    };
    // Checked here for a clear page; the store checks both again in its transaction.
    if r.submitted {
        let problems = vec![form_problem(Refusal::AlreadySubmitted.to_string())];
        return refused(r, Mode::Submitted { just_now: false }, typed, problems);
    }
    if !r.detail.round.accepts_answers(today()) {
        let problems = vec![form_problem(Refusal::NotAccepting.to_string())];
        return refused(r, Mode::Closed, typed, problems);
    }

    let ids = r.detail.statement_ids();
    let person = user.actor.person_id;
    let today = today();
    let outcome = if submitting {
        let eligible: Vec<BodyId> = r.eligible.iter().map(|b| b.id).collect();
        let body = choose_body(&typed.body, &eligible);
        match (Submission::parse(&typed.form, &ids), body) {
            (Ok(submission), Ok(body)) => {
                let w = who(&user);
                write(&state, async |tx| {
                    sa::submit(tx, &w, id, person, body, submission, today).await
                })
                .await?
            }
            (answers, body) => {
                let mut problems = answers.err().map(problems_of).unwrap_or_default();
                if let Err(e) = body {
                    problems.insert(0, body_problem(e.message));
                }
                Err((Mode::Form, problems))
            }
        }
    } else {
        match AnswersDraft::parse(&typed.form, &ids) {
            Ok(draft) => {
                write(&state, async |tx| {
                    sa::save_draft(tx, id, person, &draft, today).await
                })
                .await?
            }
            Err(errors) => Err((Mode::Form, problems_of(errors))),
        }
    };
    match outcome {
        Ok(()) if submitting => {
            vacuum(&state).await;
            let to = format!("/zelfevaluatie/rondes/{id}/invullen?verstuurd=1");
            Ok(Redirect::to(&to).into_response())
        }
        Ok(()) => {
            let mut to = format!("/zelfevaluatie/rondes/{id}/invullen?opgeslagen=1");
            if let Ok(body) = typed.body.trim().parse::<i64>() {
                to.push_str(&format!("&body={body}"));
            }
            Ok(Redirect::to(&to).into_response())
        }
        Err((mode, problems)) => refused(r, mode, typed, problems),
    }
}

/// Runs a write of the respondent in its own transaction; a refusal of the store comes back as
/// the page's problems (nothing written) with what the page shows: the form to correct, or — when
/// another tab sent the answers or the round closed since the check above — no form (409).
async fn write(
    state: &AppState,
    write: impl AsyncFnOnce(&mut store::PgConnection) -> Result<(), StoreError>,
) -> AppResult<Result<(), (Mode, Vec<Problem>)>> {
    let mut tx = state.store.begin().await?;
    match write(&mut tx).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(Ok(()))
        }
        Err(StoreError::Invalid(Invalid::SelfAssessment(refusal))) => {
            let problem = match refusal.field() {
                "body" => body_problem(refusal.to_string()),
                _ => form_problem(refusal.to_string()),
            };
            let mode = match refusal {
                Refusal::AlreadySubmitted => Mode::Submitted { just_now: false },
                Refusal::NotAccepting => Mode::Closed,
                _ => Mode::Form,
            };
            Ok(Err((mode, vec![problem])))
        }
        Err(e) => Err(e.into()),
    }
}

fn form_problem(message: String) -> Problem {
    Problem {
        field: None,
        message,
    }
}

fn body_problem(message: String) -> Problem {
    Problem {
        field: Some(BODY.into()),
        message,
    }
}

fn problems_of(errors: Vec<AnswerError>) -> Vec<Problem> {
    errors
        .into_iter()
        .map(|e| Problem {
            field: match e.field {
                AnswerField::Form => None,
                field => Some(field.name()),
            },
            message: e.message,
        })
        .collect()
}

/// A line of the error summary at the top of the form, linked to its field when it has one.
struct SummaryLine {
    href: Option<String>,
    text: String,
}

/// The summary of the problems in the order of the page, each named by its statement's number.
/// The error summary's lines, each linking to its field where the page shows one (the body choice
/// only when there is a choice: with one eligible body a refusal about it is the form's). Many
/// statements left unanswered make one line (the messages are at every statement): a list of
/// forty identical lines tells nobody anything.
fn summary<'a>(
    problems: &[Problem],
    items: impl Iterator<Item = &'a Item>,
    bodies_shown: bool,
) -> Vec<SummaryLine> {
    let items: Vec<&Item> = items.collect();
    let unanswered: Vec<&Item> = items
        .iter()
        .filter(|i| i.answer_error.is_some() && i.chosen.trim().is_empty())
        .copied()
        .collect();
    let grouped = unanswered.len() > 3;
    let mut lines: Vec<SummaryLine> = problems
        .iter()
        .filter(|p| p.field.is_none() || p.field.as_deref() == Some(BODY))
        .map(|p| SummaryLine {
            href: p
                .field
                .as_ref()
                .filter(|_| bodies_shown)
                .map(|f| format!("#veld-{f}")),
            text: p.message.clone(),
        })
        .collect();
    if grouped {
        let numbers: Vec<String> = unanswered.iter().map(|i| i.number.to_string()).collect();
        lines.push(SummaryLine {
            href: Some(format!("#veld-{}", unanswered[0].answer_name)),
            text: format!(
                "{} stellingen hebben nog geen antwoord (stelling {}). Kies bij elke stelling een antwoord; ‘Weet ik niet’ mag ook.",
                unanswered.len(),
                numbers.join(", ")
            ),
        });
    }
    for item in items {
        if let Some(e) = &item.answer_error
            && !(grouped && item.chosen.trim().is_empty())
        {
            lines.push(SummaryLine {
                href: Some(format!("#veld-{}", item.answer_name)),
                text: format!("Stelling {}: {e}", item.number),
            });
        }
        if let Some(e) = &item.comment_error {
            lines.push(SummaryLine {
                href: Some(format!("#veld-{}", item.comment_name)),
                text: format!("Toelichting bij stelling {}: {e}", item.number),
            });
        }
    }
    lines
}

impl Item {
    /// Whether `code` is the answer chosen (or typed: a forged code matches nothing).
    fn is(&self, code: &str) -> bool {
        self.chosen.trim() == code
    }
}

/// The page for `mode`, with what was typed and the problems at their fields.
fn page(ctx: &Ctx, r: Respondent, mode: Mode, typed: Typed, problems: Vec<Problem>) -> AnswerPage {
    let at = |name: &str| {
        problems
            .iter()
            .find(|p| p.field.as_deref() == Some(name))
            .map(|p| p.message.clone())
    };
    let statement_ids: Vec<StatementId> = r.detail.statement_ids();
    let total = statement_ids.len();
    let answered = statement_ids
        .iter()
        .filter(|id| {
            typed
                .form
                .answers
                .get(id)
                .is_some_and(|a| !a.trim().is_empty())
        })
        .count();
    let items: Vec<_> = r
        .detail
        .statements
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let answer_name = AnswerField::Answer(s.id).name();
            let comment_name = AnswerField::Comment(s.id).name();
            let item = Item {
                number: i + 1,
                text: s.text.clone(),
                chosen: typed.form.answers.get(&s.id).cloned().unwrap_or_default(),
                comment: typed.form.comments.get(&s.id).cloned().unwrap_or_default(),
                answer_error: at(&answer_name),
                comment_error: at(&comment_name),
                answer_name,
                comment_name,
            };
            (s.s, item)
        })
        .collect();
    // With one eligible body there is nothing to choose (`choose_body` takes it).
    let first = r.eligible.first().map(|b| b.id);
    let chosen = typed.body.trim().parse::<BodyId>().ok().or(first);
    let bodies = if r.eligible.len() > 1 {
        r.eligible
            .into_iter()
            .map(|b| BodyOption {
                checked: Some(b.id) == chosen,
                id: b.id,
                name: b.name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let summary = summary(
        &problems,
        items.iter().map(|(_, item)| item),
        !bodies.is_empty(),
    );
    let groups = group_per_s(items);
    let round = r.detail.round;
    AnswerPage {
        layout: ctx.layout(format!("{} invullen", round.title)),
        id: round.id,
        mode,
        closes_on: nl::date(round.closes_on),
        groups,
        total,
        answered,
        bodies,
        body_error: at(BODY),
        summary,
        saved: false,
        scale: domain::selfassessment::Answer::ALL
            .iter()
            .map(|a| (a.code(), a.label()))
            .collect(),
        hint: COMMENT_HINT,
    }
}
