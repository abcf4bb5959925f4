//! The 7S self-assessment (C2, C4): the latest closed round's alignment per S with its trend over
//! the earlier rounds the person may see (the results page's rule,
//! `shared::rounds::visible_rounds`), and the open rounds the person still has to answer.

use crate::shared::error::AppResult;
use crate::shared::session::User;
use crate::shared::state::AppState;
use domain::authz::Capability;
use domain::monitor::change_text;
use domain::nl;
use domain::selfassessment::{RoundId, TrendPoint, score_text, sparkline_svg, trend};
use time::Date;

/// One row of the alignment table: an S, or the total.
pub(super) struct SRow {
    pub label: &'static str,
    /// The latest round's score: "82 %", or "–".
    pub score: String,
    /// Since the round before: "+5 procentpunt", "gelijk", or empty.
    pub change: String,
    /// The trend as a small SVG with its own text alternative (title and description).
    pub sparkline: String,
}

pub(super) struct AlignmentBlock {
    /// `None`: the person sees no closed round yet.
    pub round: Option<(RoundId, String, String)>,
    /// How many rounds the trend spans.
    pub rounds: usize,
    pub rows: Vec<SRow>,
    pub overall: Option<SRow>,
}

fn row(label: &'static str, id: &str, description: &str, points: &[TrendPoint]) -> SRow {
    let change = match points {
        [.., before, last] => last.score.zip(before.score).map(|(l, b)| l - b),
        _ => None,
    };
    SRow {
        label,
        score: points
            .last()
            .and_then(|p| p.score)
            .map_or_else(|| "–".to_string(), score_text),
        change: change_text(change),
        sparkline: sparkline_svg(id, description, points),
    }
}

/// The alignment block for whoever sees the self-assessment (bestuurder, secretaris).
pub(super) async fn latest(state: &AppState, user: &User) -> AppResult<Option<AlignmentBlock>> {
    if !user.actor.can(Capability::ViewSelfAssessment) {
        return Ok(None);
    }
    let (visible, alignments) =
        tokio::try_join!(crate::shared::rounds::visible_rounds(state, user), async {
            Ok::<_, crate::shared::error::AppError>(
                store::selfassessment::alignments(&state.store).await?,
            )
        })?;
    let seen: Vec<_> = alignments
        .into_iter()
        .filter(|a| visible.as_ref().is_none_or(|ids| ids.contains(&a.round)))
        .collect();
    let t = trend(&seen);
    let Some(last) = t.overall.last() else {
        return Ok(Some(AlignmentBlock {
            round: None,
            rounds: 0,
            rows: Vec::new(),
            overall: None,
        }));
    };
    let rows = t
        .per_s
        .iter()
        .map(|st| {
            row(
                st.s.label(),
                &format!("dashboard-trend-{}", st.s.code()),
                &format!("Gelijkgerichtheid op {} over de rondes", st.s.label()),
                &st.points,
            )
        })
        .collect();
    Ok(Some(AlignmentBlock {
        round: Some((last.round, last.title.clone(), nl::date(last.date))),
        rounds: t.overall.len(),
        rows,
        overall: Some(row(
            "Totaal",
            "dashboard-trend-totaal",
            "Gelijkgerichtheid totaal over de rondes",
            &t.overall,
        )),
    }))
}

/// A self-assessment round that waits for the person's answers.
pub(super) struct Reminder {
    pub round: i64,
    pub title: String,
    pub closes_on: String,
    /// "12 van 42 beantwoord", or how many statements there are when nothing is saved yet.
    pub progress: String,
}

/// Open rounds the person has not handed in yet (C2), the soonest closing first; shown until they
/// submit. Only those who answer rounds are invited to one.
pub(super) async fn reminders(
    state: &AppState,
    user: &User,
    today: Date,
) -> AppResult<Option<Vec<Reminder>>> {
    if !user.actor.can(Capability::AnswerSelfAssessment) {
        return Ok(None);
    }
    let invitations =
        store::selfassessment::invitations(&state.store, user.actor.person_id, today).await?;
    Ok(Some(
        invitations
            .into_iter()
            .filter(|i| !i.submitted)
            .map(|i| Reminder {
                round: i.round.get(),
                progress: if i.drafted > 0 {
                    format!("{} van {} beantwoord", i.drafted, i.statements)
                } else {
                    format!("nog niet begonnen, {} stellingen", i.statements)
                },
                closes_on: nl::date(i.closes_on),
                title: i.title,
            })
            .collect(),
    ))
}
