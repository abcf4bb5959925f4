//! The budget's work in progress: trend inputs awaiting review (for reviewers, D3), one's own
//! vakgroepen' trend inputs by status (for a representative), and the month's production imports
//! (for the controller, D2). A reviewer sees submitted inputs of every vakgroep, as the trend
//! input list does; a representative only their own vakgroepen, concepts included.

use crate::shared::error::{AppError, AppResult};
use crate::shared::session::User;
use crate::shared::state::AppState;
use domain::authz::Capability;
use domain::budget::trend::TrendStatus;
use domain::ids::{TrendInputId, VakgroepId};
use domain::monitor::{expected_period, missing_months, month_list};
use domain::nl;
use time::Date;

/// The longest-waiting inputs listed for a reviewer.
const AWAITING_SHOWN: i64 = 5;

pub(super) struct AwaitingLine {
    pub id: TrendInputId,
    pub vakgroep: String,
    pub change: String,
    pub category: &'static str,
    pub since: String,
}

pub(super) struct ReviewBlock {
    pub year: i16,
    pub total: i64,
    pub lines: Vec<AwaitingLine>,
}

pub(super) struct OwnVakgroep {
    pub label: String,
    /// "2 ingediend, 1 concept", or that there is none yet.
    pub statuses: String,
}

pub(super) struct OwnInputsBlock {
    pub year: i16,
    pub vakgroepen: Vec<OwnVakgroep>,
}

pub(super) struct ImportsBlock {
    /// "november 2026".
    pub month: String,
    /// When the month's current import was made, if it was.
    pub done: Option<String>,
    /// Earlier months of that year without an import, as a phrase; empty when none.
    pub missing: String,
    pub year: i32,
}

type Blocks = (
    AppResult<Option<ReviewBlock>>,
    AppResult<Option<OwnInputsBlock>>,
    AppResult<Option<ImportsBlock>>,
);

/// The year trend inputs are entered for: the budget year in preparation, as the trend input
/// list chooses it (the latest year with settings, else next year).
async fn input_year(state: &AppState, today: Date) -> AppResult<i16> {
    Ok(store::budget::years(&state.store)
        .await?
        .iter()
        .map(|y| y.year)
        .max()
        .unwrap_or(today.year() as i16 + 1))
}

pub(super) async fn blocks(state: &AppState, user: &User, today: Date) -> Blocks {
    let reviewer = user.actor.can(Capability::ReviewTrendInputs);
    let representative =
        user.actor.can(Capability::SubmitTrendInputs) && !user.actor.vakgroepen.is_empty();
    let year = if reviewer || representative {
        match input_year(state, today).await {
            Ok(y) => Some(y),
            Err(e) => return (Err(e), Ok(None), imports(state, user, today).await),
        }
    } else {
        None
    };
    tokio::join!(
        async {
            match year.filter(|_| reviewer) {
                Some(y) => review(state, y).await.map(Some),
                None => Ok(None),
            }
        },
        async {
            match year.filter(|_| representative) {
                Some(y) => own_inputs(state, user, y).await.map(Some),
                None => Ok(None),
            }
        },
        imports(state, user, today),
    )
}

async fn review(state: &AppState, year: i16) -> AppResult<ReviewBlock> {
    let awaiting = store::monitor::awaiting_review(&state.store, year, AWAITING_SHOWN).await?;
    Ok(ReviewBlock {
        year,
        total: awaiting.first().map_or(0, |a| a.total),
        lines: awaiting
            .into_iter()
            .map(|a| AwaitingLine {
                id: a.id,
                vakgroep: format!("{} ({})", a.vakgroep_name, a.vakgroep_code),
                change: a.change().text(),
                category: a.category.label(),
                since: nl::date(nl::to_amsterdam(a.updated_at).date()),
            })
            .collect(),
    })
}

async fn own_inputs(state: &AppState, user: &User, year: i16) -> AppResult<OwnInputsBlock> {
    let own: Vec<VakgroepId> = user
        .actor
        .vakgroepen
        .iter()
        .copied()
        .map(VakgroepId::new)
        .collect();
    let counts = store::monitor::trend_counts(&state.store, year, &own).await?;
    let vakgroepen = distinct(&counts)
        .into_iter()
        .map(|first| {
            // The vakgroep's statuses in the workflow's order.
            let parts: Vec<String> = TrendStatus::ALL
                .iter()
                .filter_map(|s| {
                    counts
                        .iter()
                        .find(|c| c.vakgroep_id == first.vakgroep_id && c.status == Some(*s))
                        .map(|c| format!("{} {}", c.count, s.label().to_lowercase()))
                })
                .collect();
            OwnVakgroep {
                label: format!("{} ({})", first.vakgroep_name, first.vakgroep_code),
                statuses: if parts.is_empty() {
                    "nog geen trendinput".to_string()
                } else {
                    parts.join(", ")
                },
            }
        })
        .collect();
    Ok(OwnInputsBlock { year, vakgroepen })
}

/// The first row of each vakgroep of `counts` (ordered by vakgroep), in their order.
fn distinct(counts: &[store::monitor::TrendCount]) -> Vec<&store::monitor::TrendCount> {
    let mut firsts: Vec<&store::monitor::TrendCount> = Vec::new();
    for c in counts {
        if firsts.last().is_none_or(|f| f.vakgroep_id != c.vakgroep_id) {
            firsts.push(c);
        }
    }
    firsts
}

/// The production month the controller imports now, and what is missing before it.
async fn imports(state: &AppState, user: &User, today: Date) -> AppResult<Option<ImportsBlock>> {
    if !user.actor.can(Capability::ManageBudget) {
        return Ok(None);
    }
    let (year, month) = expected_period(today);
    let short = i16::try_from(year).map_err(|e| AppError::internal("a production year", e))?;
    let current: Vec<store::production::ImportRecord> =
        store::production::imports(&state.store, Some(short))
            .await?
            .into_iter()
            .filter(|i| i.replaced_at.is_none())
            .collect();
    let periods: Vec<i16> = current.iter().map(|i| i.period).collect();
    let done = current
        .iter()
        .find(|i| i.period == i16::from(month))
        .map(|i| nl::date(nl::to_amsterdam(i.imported_at).date()));
    let month_name = time::Month::try_from(month)
        .map(nl::month_name)
        .unwrap_or_default();
    Ok(Some(ImportsBlock {
        month: format!("{month_name} {year}"),
        done,
        missing: month_list(&missing_months(month.saturating_sub(1), &periods)),
        year,
    }))
}
