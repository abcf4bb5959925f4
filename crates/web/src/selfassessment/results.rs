//! A closed round's results (C4): per S and per statement the figures of every body that reached
//! the threshold and of both sides, the gap and the alignment score, the most divergent
//! statements, the comments, a radar chart with its table, and the trend over the rounds the
//! reader may see. The figures are the domain's (`compute`); this module only reads and shows
//! them ([`super::results_view`]). The actions that turn a result into an agenda item or an
//! agreement (C5) are in [`super::results_actions`].

use super::respond::{close_overdue, today};
use super::results_actions;
use super::results_view::{self as view, ResultsView};
use crate::shared::error::{AppError, AppResult};
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::agreements::kinds::SevenS;
use domain::authz::Capability;
use domain::nl;
use domain::selfassessment::{NotScheduled, Refusal, RoundId};
use serde::Deserialize;
use store::selfassessment::{self as sa, ClosedRound};
use store::{Invalid, StoreError};

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        get(
            "/zelfevaluatie/rondes/{id}/resultaten",
            Access::Needs(Capability::ViewSelfAssessment),
            page,
        ),
        // Putting an item on a meeting's agenda is the secretary's agenda work (ManageMeetings),
        // drafting an agreement their register work (ManageAgreements), as everywhere else.
        post(
            "/zelfevaluatie/rondes/{id}/resultaten/agenderen",
            Access::Needs(Capability::ManageMeetings),
            results_actions::schedule,
        ),
        post(
            "/zelfevaluatie/rondes/{id}/resultaten/afspraak",
            Access::Needs(Capability::ManageAgreements),
            results_actions::propose,
        ),
    ]
}

pub(super) use crate::shared::rounds::visible_rounds;

fn may_see(visible: &Option<Vec<RoundId>>, id: RoundId) -> bool {
    visible.as_ref().is_none_or(|ids| ids.contains(&id))
}

/// A round that may be shown to `user`: closed with its answers, or not closed yet. A round
/// they may not see is `NotFound`, like a missing one.
pub(super) enum Round {
    Closed(Box<ClosedRound>),
    NotYet(store::selfassessment::RoundDetail),
}

/// The round `id` for a reader who may see `visible`. A round past its closing date but not yet
/// closed is closed first (`close_overdue`, as the section's other pages do on every visit), so
/// its results show at once; a closed round, the common case, costs no write.
pub(super) async fn read_round(
    state: &AppState,
    visible: &Option<Vec<RoundId>>,
    id: RoundId,
) -> AppResult<Round> {
    if !may_see(visible, id) {
        return Err(AppError::NotFound);
    }
    match closed_or_not(state, id).await? {
        Round::NotYet(detail) if detail.round.effective_status(today()).shows_results() => {
            close_overdue(state).await?;
            closed_or_not(state, id).await
        }
        round => Ok(round),
    }
}

async fn closed_or_not(state: &AppState, id: RoundId) -> AppResult<Round> {
    match sa::closed_round(&state.store, id).await {
        Ok(closed) => Ok(Round::Closed(Box::new(closed))),
        Err(StoreError::Invalid(Invalid::SelfAssessment(Refusal::NoResultsYet))) => {
            Ok(Round::NotYet(sa::round(&state.store, id).await?))
        }
        Err(e) => Err(e.into()),
    }
}

/// Which message the page shows after an action could not be taken (`?melding=`), for which S.
#[derive(Debug, Default, Deserialize)]
pub(super) struct NoticeQuery {
    #[serde(default)]
    melding: String,
    #[serde(default)]
    element: String,
}

#[derive(Template)]
#[template(path = "selfassessment/results.html")]
struct ResultsPage {
    layout: Layout,
    v: ResultsView,
    /// A message after an action that could not be taken.
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "selfassessment/results_pending.html")]
struct PendingPage {
    layout: Layout,
    id: RoundId,
    title: String,
    status: &'static str,
    period: String,
    message: String,
}

/// `GET /zelfevaluatie/rondes/{id}/resultaten`: the results of a closed round; for a round not
/// closed yet, a page that says when they come, without a single figure.
async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<RoundId>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Response> {
    let visible = visible_rounds(&state, &user).await?;
    if !may_see(&visible, id) {
        return Err(AppError::NotFound);
    }
    let may_schedule = user.actor.can(Capability::ManageMeetings);
    let may_propose = user.actor.can(Capability::ManageAgreements);
    // The round, the trend and the earlier actions are independent reads: side by side, the
    // page costs the longest of them rather than their sum (docs/selfassessment.md, benchmark).
    let (round, alignments, recorded) = tokio::join!(
        read_round(&state, &visible, id),
        sa::alignments(&state.store),
        async {
            if may_schedule || may_propose {
                sa::recorded_actions(&state.store, id).await
            } else {
                Ok(Default::default())
            }
        }
    );
    let closed = match round? {
        Round::Closed(closed) => closed,
        Round::NotYet(detail) => {
            let r = &detail.round;
            return render(PendingPage {
                layout: ctx.layout(format!("Resultaten: {}", r.title)),
                id,
                status: r.effective_status(today()).label(),
                period: format!("{} t/m {}", nl::date(r.opens_on), nl::date(r.closes_on)),
                message: Refusal::NoResultsYet.to_string(),
                title: r.title.clone(),
            });
        }
    };
    let (mut alignments, recorded) = (alignments?, recorded?);
    if !alignments.iter().any(|a| a.round == id) {
        // Closed by this visit (read_round) while the trend was read: read it again.
        alignments = sa::alignments(&state.store).await?;
    }
    let alignments: Vec<_> = alignments
        .into_iter()
        .filter(|a| may_see(&visible, a.round))
        .collect();
    let v = view::build(
        &closed,
        &alignments,
        view::Actions {
            may_schedule,
            may_propose,
            recorded: &recorded,
        },
    );
    let notice = SevenS::try_from(q.element.as_str())
        .ok()
        .and_then(|s| NotScheduled::from_code(&q.melding).map(|n| n.message(s)));
    render(ResultsPage {
        layout: ctx.layout(format!("Resultaten: {}", closed.round.title)),
        v,
        notice,
    })
}
