//! The capacity budget (D7–D11): where the year in preparation stands, norm-fte against
//! formative fte per vakgroep (the largest mutations), the realisation signals of the latest
//! adopted year, a representative's allocation once shared, and the adopted budget's exports.
//!
//! Who sees which vakgroep's figures is the scenario page's rule
//! (`Actor::can_see_vakgroep_figures`): a representative their own vakgroepen and the hospital
//! totals. An allocation follows the distribution's rule (`Actor::can_see_allocation`).

use crate::shared::error::AppResult;
use crate::shared::session::User;
use crate::shared::state::AppState;
use domain::authz::Capability;
use domain::budget::{fte_text, mutation_text};
use domain::ids::{MeetingId, ScenarioId};
use domain::monitor::{FteRow, YearStage, largest_mutations, short_hash};
use domain::nl;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::Date;

/// How many vakgroepen the norm-fte table shows.
const LARGEST: usize = 5;

/// The figures of a scenario as the dashboard shows them, for every reader (each is filtered).
struct Figures {
    name: String,
    rows: Vec<FteRow>,
    norm_fte: Decimal,
    formatief_fte: Decimal,
    mutation: Decimal,
    /// Allocation (with earmark) per vakgroep id, when the distribution could be made.
    allocations: HashMap<i64, Decimal>,
    shared: bool,
    msb_bodies: Vec<i64>,
}

/// The figures of the scenario the dashboard last showed, per budget revision. Computing a large
/// hospital's scenario through its distribution takes longer than the whole page may; every
/// dashboard of the instance shares one computation until the budget changes.
#[derive(Clone, Default)]
pub struct DashboardCache(Arc<Mutex<Vec<Cached>>>);

/// Scenario, the budget revision its figures were computed at, and the figures.
type Cached = (ScenarioId, i64, Arc<Figures>);

/// The scenario being adopted and the adopted one of an earlier year: two is enough.
const CACHED: usize = 2;

async fn figures(state: &AppState, id: ScenarioId) -> AppResult<Arc<Figures>> {
    let revision = store::budget::revision(&state.store).await?;
    let cache = state.part::<DashboardCache>();
    if let Ok(cached) = cache.0.lock()
        && let Some((_, _, f)) = cached.iter().find(|(s, r, _)| *s == id && *r == revision)
    {
        return Ok(f.clone());
    }
    // Kept under the revision read before the figures: a change committed meanwhile moved the
    // revision past it, so the next view computes again.
    let d = store::budget::computation::distributed(&state.store, id).await?;
    let names: HashMap<i64, String> = d
        .loaded
        .stored
        .vakgroepen
        .iter()
        .map(|v| (v.id.get(), v.name.clone()))
        .collect();
    let rows = d
        .result
        .vakgroepen
        .iter()
        .filter_map(|v| {
            let fte = v.fte.as_ref()?;
            Some(FteRow {
                vakgroep_id: v.vakgroep_id,
                code: v.code.clone(),
                name: names.get(&v.vakgroep_id).cloned().unwrap_or_default(),
                norm_fte: fte.norm_fte,
                formatief_fte: v.formatief_fte,
                mutation: fte.mutation,
            })
        })
        .collect();
    let allocations = d
        .outcome
        .as_ref()
        .map(|o| {
            o.vakgroepen
                .iter()
                .map(|a| (a.vakgroep_id, a.total))
                .collect()
        })
        .unwrap_or_default();
    let totals = &d.result.totals;
    let figures = Arc::new(Figures {
        name: d.loaded.stored.scenario.name.clone(),
        rows,
        norm_fte: totals.norm_fte,
        formatief_fte: totals.formatief_fte,
        mutation: totals.mutation,
        allocations,
        shared: d.setup.settings.shared.is_some(),
        msb_bodies: d.setup.msb_bodies.clone(),
    });
    if let Ok(mut cached) = cache.0.lock() {
        cached.retain(|(s, _, _)| *s != id);
        cached.insert(0, (id, revision, figures.clone()));
        cached.truncate(CACHED);
    }
    Ok(figures)
}

pub(super) struct FteView {
    pub vakgroep_id: i64,
    pub label: String,
    pub norm: String,
    pub formatief: String,
    pub mutation: String,
}

pub(super) struct FteBlock {
    pub scenario_name: String,
    pub rows: Vec<FteView>,
    /// How many vakgroepen the reader may see, of which `rows` are the largest mutations.
    pub seen: usize,
    pub total: FteView,
}

pub(super) struct Allocation {
    pub label: String,
    /// "€ 1.234.567,89", or why it is not shown yet.
    pub text: String,
}

pub(super) struct Export {
    pub scenario: ScenarioId,
    pub year: i16,
    pub hash: String,
}

pub(super) struct BudgetBlock {
    pub year: i16,
    pub sentence: String,
    /// The scenario the stage is about, and the meeting it was proposed on or adopted in when
    /// the reader takes part in it.
    pub scenario: Option<ScenarioId>,
    pub meeting: Option<MeetingId>,
    pub fte: Option<FteBlock>,
    /// A representative's own vakgroepen.
    pub allocations: Vec<Allocation>,
    /// The adopted budget's exports, for the controller.
    pub export: Option<Export>,
}

fn fte_view(
    vakgroep_id: i64,
    label: String,
    norm: Decimal,
    formatief: Decimal,
    m: Decimal,
) -> FteView {
    FteView {
        vakgroep_id,
        label,
        norm: fte_text(norm),
        formatief: fte_text(formatief),
        mutation: mutation_text(m),
    }
}

pub(super) async fn block(state: &AppState, user: &User) -> AppResult<Option<BudgetBlock>> {
    if !user.actor.can(Capability::ViewBudget) {
        return Ok(None);
    }
    let next_year = crate::shared::clock::today().year() as i16 + 1;
    let status = store::monitor::budget_year(&state.store, next_year).await?;
    let year = status.year;
    let (stage, focus, meeting) = match (status.adopted(), status.proposals.first()) {
        (Some(a), _) => (
            YearStage::Adopted {
                scenario: a.scenario_name.clone(),
                meeting: a.meeting_title.clone(),
                adopted_at: a.adopted_at,
                hash: a.content_hash.clone(),
            },
            Some(a.scenario_id),
            // The adoption's meeting is a joint one of both deciding bodies; its bodies are not
            // read here, so the link goes to the scenario, which names the meeting.
            None,
        ),
        (None, Some(p)) => (
            YearStage::Proposed {
                scenario: p.scenario_name.clone(),
                meeting: p.meeting_title.clone(),
                starts_at: p.meeting_starts_at,
            },
            Some(p.scenario_id),
            user.actor
                .can_see_meeting(&p.meeting_bodies)
                .then_some(p.meeting_id),
        ),
        (None, None) => (
            YearStage::Concept {
                scenarios: status.scenarios,
            },
            None,
            None,
        ),
    };
    let figures = match focus {
        Some(id) => Some(figures(state, id).await?),
        None => None,
    };
    let fte = figures.as_ref().map(|f| {
        let seen: Vec<FteRow> = f
            .rows
            .iter()
            .filter(|r| user.actor.can_see_vakgroep_figures(r.vakgroep_id))
            .cloned()
            .collect();
        FteBlock {
            scenario_name: f.name.clone(),
            seen: seen.len(),
            rows: largest_mutations(seen, LARGEST)
                .into_iter()
                .map(|r| {
                    fte_view(
                        r.vakgroep_id,
                        format!("{} ({})", r.name, r.code),
                        r.norm_fte,
                        r.formatief_fte,
                        r.mutation,
                    )
                })
                .collect(),
            total: fte_view(
                0,
                "Ziekenhuis".into(),
                f.norm_fte,
                f.formatief_fte,
                f.mutation,
            ),
        }
    });
    // A representative's own allocation (D6): MSB-internal until the MSB board shares it.
    let allocations = match &figures {
        Some(f) if !user.actor.vakgroepen.is_empty() => f
            .rows
            .iter()
            .filter(|r| user.actor.vakgroepen.contains(&r.vakgroep_id))
            .map(|r| Allocation {
                label: format!("{} ({})", r.name, r.code),
                text: if user
                    .actor
                    .can_see_allocation(&f.msb_bodies, f.shared, r.vakgroep_id)
                {
                    f.allocations
                        .get(&r.vakgroep_id)
                        .map_or_else(|| "nog niet te verdelen".to_string(), |a| nl::eur(*a))
                } else {
                    "nog niet gedeeld door het MSB".to_string()
                },
            })
            .collect(),
        _ => Vec::new(),
    };
    let export = status
        .adoptions
        .first()
        .filter(|_| user.actor.can(Capability::ManageBudget))
        .map(|a| Export {
            scenario: a.scenario_id,
            year: a.year,
            hash: short_hash(&a.content_hash).to_string(),
        });
    Ok(Some(BudgetBlock {
        year,
        sentence: stage.sentence(year),
        scenario: focus,
        meeting,
        fte,
        allocations,
        export,
    }))
}

/// The vakgroepen the reader may see whose realisation is off their adopted budget, in the
/// latest year with an adopted budget (this year's, once adopted).
pub(super) struct Signals {
    pub year: i16,
    /// "tot en met maart": how far the realisation is in.
    pub through: String,
    /// Vakgroep id, name and the signal's sentence.
    pub rows: Vec<(i64, String, String)>,
}

pub(super) async fn signals(
    state: &AppState,
    user: &User,
    today: Date,
) -> AppResult<Option<Signals>> {
    if !user.actor.can(Capability::ViewBudget) {
        return Ok(None);
    }
    let this_year = today.year() as i16;
    let Some(year) = store::budget::adoption::latest_year(&state.store, this_year).await? else {
        return Ok(None);
    };
    let Some(m) = crate::shared::monitoring::monitored(state, year).await? else {
        return Ok(None);
    };
    let rows = m
        .monitoring
        .vakgroepen
        .iter()
        .filter(|v| user.actor.can_see_vakgroep_figures(v.vakgroep_id))
        .filter_map(|v| {
            let signal = v.track.signal.as_ref()?;
            let name = m
                .source
                .names
                .get(&v.vakgroep_id)
                .map_or(v.code.clone(), |n| format!("{} ({})", n.1, n.0));
            Some((v.vakgroep_id, name, signal.explanation.clone()))
        })
        .collect();
    let through = time::Month::try_from(m.monitoring.through_month)
        .map(|month| format!("tot en met {}", nl::month_name(month)))
        .unwrap_or_else(|_| "nog zonder realisatie".into());
    Ok(Some(Signals {
        year,
        through,
        rows,
    }))
}
