//! From insight to action (C5): the result on one S of a closed round becomes a discussion item on
//! the next joint meeting of RvB and MSB+ ("Agenderen"), or an agreement proposed in the register
//! ("Afspraak voorstellen"), pre-filled with the S, its alignment score and gap and the
//! statements of that S with their figures. Each at most once per round and S: a second click
//! goes to what the first made (`store::selfassessment::schedule`, `propose_agreement`).
//!
//! Only figures the results page shows anyway go into the text — the sides' means, gaps and
//! scores, which exist only when every contributing body reached the threshold — and no
//! comments: an agenda item is read by everyone in the meeting, and a comment can give its
//! writer away by its content.

use super::results::{Round, read_round, visible_rounds};
use crate::shared::error::{AppError, AppResult};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::who::who;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::agreements::draft::{AgreementDraft, AgreementForm, References};
use domain::agreements::kinds::{AgreementKind, PartyKind, ReviewCadence, SevenS};
use domain::meetings::item_draft::ItemDraft;
use domain::meetings::kinds::{Purpose, Subject};
use domain::selfassessment::{ActionRound, ActionText, NotScheduled, RoundId, RoundResults};
use store::agreements::AgreementInput;
use store::selfassessment::{ClosedRound, Scheduled};

/// The form of both actions: which S (its code); the round is in the path.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct ActionForm {
    #[serde(default)]
    element: String,
}

/// The round of an action's path and the S of its form; 404 for an unknown S or a round the
/// person may not see.
async fn closed_result(
    state: &AppState,
    user: &User,
    id: RoundId,
    s: &str,
) -> AppResult<Option<(ClosedRound, SevenS, RoundResults)>> {
    let s = SevenS::try_from(s).map_err(|_| AppError::NotFound)?;
    let visible = visible_rounds(state, user).await?;
    match read_round(state, &visible, id).await? {
        Round::Closed(closed) => {
            let results = closed.results();
            // Without a gap (a side hidden or without scores) there is no difference to act on;
            // the page offers no button, so this is a forged or stale form.
            if results.s_gaps[s].is_none() {
                return Err(AppError::NotFound);
            }
            Ok(Some((*closed, s, results)))
        }
        Round::NotYet(_) => Ok(None),
    }
}

fn results_path(id: RoundId) -> String {
    format!("/zelfevaluatie/rondes/{id}/resultaten")
}

/// `POST /zelfevaluatie/rondes/{id}/resultaten/agenderen` with `element`: the discussion item on
/// the next joint meeting, then its place on the agenda.
pub(super) async fn schedule(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<RoundId>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let Some((closed, s, results)) = closed_result(&state, &user, id, &form.element).await? else {
        return Ok(Redirect::to(&results_path(id)).into_response());
    };
    let path = results_path(id);
    let round = ActionRound {
        title: &closed.round.title,
        closes_on: closed.round.closes_on,
        results_path: &path,
    };
    let text = ActionText::new(round, s, &results);
    let draft = ItemDraft {
        parent_id: None,
        title: text.title,
        description: text.description,
        presenter: String::new(),
        planned_minutes: 20,
        purpose: Purpose::Bespreking,
        subject: Subject::Algemeen,
        visibility_body_id: None,
        links: Vec::new(),
        deciding_bodies: Vec::new(),
        standing: None,
    };
    let mut tx = state.store.begin().await?;
    let now = time::OffsetDateTime::now_utc();
    let back = |code: &str| {
        Redirect::to(&format!(
            "{}?melding={code}&element={}#element-{}",
            results_path(id),
            s.code(),
            s.code()
        ))
        .into_response()
    };
    match store::selfassessment::schedule(&mut tx, &who(&user), id, s, &draft, now).await? {
        // Dropping the transaction rolls it back: nothing was written.
        Scheduled::NoMeeting => Ok(back(NotScheduled::NoMeeting.code())),
        Scheduled::On { meeting, .. } if !user.actor.can_see_meeting(&meeting.bodies) => {
            Ok(back(NotScheduled::NotYours.code()))
        }
        Scheduled::On {
            meeting,
            item,
            created,
        } => {
            if created {
                store::commit(tx).await?;
            }
            Ok(Redirect::to(&format!("/vergaderingen/{}#punt-{item}", meeting.id)).into_response())
        }
    }
}

/// `POST /zelfevaluatie/rondes/{id}/resultaten/afspraak` with `element`: the agreement with
/// status *voorgesteld*, then its page.
pub(super) async fn propose(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<RoundId>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let Some((closed, s, results)) = closed_result(&state, &user, id, &form.element).await? else {
        return Ok(Redirect::to(&results_path(id)).into_response());
    };
    let path = results_path(id);
    let round = ActionRound {
        title: &closed.round.title,
        closes_on: closed.round.closes_on,
        results_path: &path,
    };
    let text = ActionText::new(round, s, &results);
    // The form as if typed, checked by the register's own rules; one of ours that does not
    // parse is a bug, not the user's mistake.
    let form = AgreementForm {
        title: text.title,
        description: text.description,
        kind: AgreementKind::StrategischeKeuze.code().into(),
        party_kind: vec![
            PartyKind::Rvb.code().into(),
            PartyKind::MsbPlus.code().into(),
        ],
        party_label: vec![String::new(), String::new()],
        party_owner: vec![String::new(), String::new()],
        seven_s: vec![s.code().into()],
        review: ReviewCadence::Geen.code().into(),
        ..AgreementForm::default()
    };
    let draft = AgreementDraft::parse(&form, &References::default())
        .map_err(|e| AppError::bug(format!("a self-assessment proposal does not parse: {e:?}")))?;
    let mut tx = state.store.begin().await?;
    let (agreement, created) = store::selfassessment::propose_agreement(
        &mut tx,
        &who(&user),
        id,
        s,
        &AgreementInput::from(draft),
    )
    .await?;
    if created {
        store::commit(tx).await?;
    }
    Ok(Redirect::to(&format!("/afspraken/{agreement}")).into_response())
}
