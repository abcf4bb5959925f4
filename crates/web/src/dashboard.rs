//! The dashboard and the entry pages of the sections that later modules fill in.

use crate::shared::error::AppResult;
use crate::shared::register::{Line, Selection};
use crate::shared::routes::{Access, RouteDef, get};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::agreements::kinds::AgreementStatus;
use domain::authz::{Capability, Section};
use store::agreements::RegisterFilter;

pub fn routes() -> Vec<RouteDef> {
    vec![get("/", Access::Needs(Capability::SignedIn), dashboard)]
}

struct SectionCard {
    label: &'static str,
    href: &'static str,
    text: &'static str,
}

fn describe(s: Section) -> &'static str {
    match s {
        Section::Dashboard => "",
        Section::Vergaderingen => {
            "De gezamenlijke agenda van RvB en MSB+, de live vergadering en de besluiten per gremium."
        }
        Section::Afspraken => {
            "Het register van afspraken tussen de besturen: wie doet wat, wanneer, en wordt het nagekomen?"
        }
        Section::Zelfevaluatie => {
            "De jaarlijkse 7S-zelfevaluatie die meet hoe gelijkgericht de besturen zijn."
        }
        Section::Begroting => {
            "De capaciteitsbegroting: normtijden, normuren, norm-fte en het honorariumbudget."
        }
        Section::Beheer => "Personen, rollen, gremia, vakgroepen en het auditlogboek.",
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    first_name: String,
    cards: Vec<SectionCard>,
    represents: usize,
    /// The open agreements this person owns (B4), most pressing first; `None` without access
    /// to the register (an observer opens agreements only from their meetings).
    owned: Option<Owned>,
    person_id: i64,
    /// The latest adopted year's monitoring (D10), for those who see the budget.
    signals: Option<Signals>,
    /// Open self-assessment rounds the person has not handed in yet (C2), the soonest closing
    /// first; shown until they submit.
    reminders: Vec<Reminder>,
}

/// A self-assessment round that waits for the person's answers.
struct Reminder {
    round: i64,
    title: String,
    closes_on: String,
    /// "12 van 42 beantwoord", or how many statements there are when nothing is saved yet.
    progress: String,
}

/// The reminders of [`DashboardPage::reminders`]: one store call, whatever the number of rounds.
async fn reminders(
    state: &AppState,
    user: &crate::shared::session::CurrentUser,
) -> AppResult<Vec<Reminder>> {
    let today = crate::shared::clock::today();
    let invitations =
        store::selfassessment::invitations(&state.store, user.actor.person_id, today).await?;
    Ok(invitations
        .into_iter()
        .filter(|i| !i.submitted)
        .map(|i| Reminder {
            round: i.round.get(),
            progress: if i.drafted > 0 {
                format!("{} van {} beantwoord", i.drafted, i.statements)
            } else {
                format!("nog niet begonnen, {} stellingen", i.statements)
            },
            closes_on: domain::nl::date(i.closes_on),
            title: i.title,
        })
        .collect())
}

/// The vakgroepen the reader may see whose realisation is off their adopted budget, in the
/// latest year with an adopted budget (this year's, once adopted).
struct Signals {
    year: i16,
    /// "t/m maart": how far the realisation is in.
    through: String,
    /// Vakgroep id, name and the signal's sentence.
    rows: Vec<(i64, String, String)>,
}

async fn signals(
    state: &AppState,
    user: &crate::shared::session::CurrentUser,
) -> AppResult<Option<Signals>> {
    let today = crate::shared::clock::today().year() as i16;
    let Some(year) = store::budget::adoption::latest_year(&state.store, today).await? else {
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
        .map(|month| format!("tot en met {}", domain::nl::month_name(month)))
        .unwrap_or_else(|_| "nog zonder realisatie".into());
    Ok(Some(Signals {
        year,
        through,
        rows,
    }))
}

/// The open agreements a person owns, as owner of the agreement or of one of its parties: those
/// that need attention (at most 20), the next few by due date, and how many there are.
struct Owned {
    attention: Vec<Line>,
    attention_total: usize,
    next: Vec<Line>,
    total: usize,
}

async fn owned_agreements(
    state: &AppState,
    user: &crate::shared::session::CurrentUser,
) -> AppResult<Owned> {
    let filter = RegisterFilter {
        visible_bodies: user.actor.bodies.iter().copied().collect(),
        owner_id: Some(user.actor.person_id),
        statuses: AgreementStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect(),
        ..RegisterFilter::default()
    };
    let today = crate::shared::clock::today();
    let (attention, attention_total) = crate::shared::register::lines(
        state,
        &filter,
        today,
        Selection {
            attention_only: true,
            window: Some((0, 20)),
            ..Selection::default()
        },
    )
    .await?;
    let (next, total) = crate::shared::register::lines(
        state,
        &filter,
        today,
        Selection {
            window: Some((0, 5)),
            ..Selection::default()
        },
    )
    .await?;
    Ok(Owned {
        attention,
        attention_total,
        next,
        total,
    })
}

async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
) -> AppResult<Response> {
    let owned = if user.actor.can(Capability::ViewRegister) {
        Some(owned_agreements(&state, &user).await?)
    } else {
        None
    };
    // The dashboard is everyone's first page: a budget that cannot be monitored leaves the
    // block out (and the log says why) rather than taking the page down.
    let signals = if user.actor.can(Capability::ViewBudget) {
        signals(&state, &user).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "monitoring for the dashboard");
            None
        })
    } else {
        None
    };
    // Only those who answer rounds are invited to one; like the monitoring, a failure leaves the
    // block out rather than taking the first page down.
    let reminders = if user.actor.can(Capability::AnswerSelfAssessment) {
        reminders(&state, &user).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "self-assessment reminders for the dashboard");
            Vec::new()
        })
    } else {
        Vec::new()
    };
    let cards = user
        .actor
        .sections()
        .into_iter()
        .filter(|s| *s != Section::Dashboard)
        .map(|s| SectionCard {
            label: s.label(),
            href: s.path(),
            text: describe(s),
        })
        .collect();
    let first_name = user
        .name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    render(DashboardPage {
        layout: ctx.layout("Dashboard"),
        first_name,
        cards,
        represents: user.actor.vakgroepen.len(),
        owned,
        person_id: user.actor.person_id.get(),
        signals,
        reminders,
    })
}
