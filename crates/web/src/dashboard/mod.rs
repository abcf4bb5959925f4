//! The dashboard, the Gelijkgerichtheidsmonitor (product.md E, docs/monitor.md): one page per
//! person that answers "what needs me, and how aligned are we?". Each block is read for the
//! person's roles and bodies only, shows only what the page it links to would show them, and
//! costs a fixed number of queries whatever the size of the hospital:
//!
//! - [`meeting`]: the next joint meeting with the items awaiting a decision per deciding body,
//!   and the divided decisions with their follow-up;
//! - [`agreements`]: the person's own agreements and all agreements needing attention;
//! - [`alignment`]: the latest 7S round's alignment per S with its trend, and open rounds the
//!   person still has to answer;
//! - [`budget`]: the budget year's stage, norm-fte against formative fte, realisation signals,
//!   and the adopted budget's exports;
//! - [`work`]: trend inputs to review or of one's own vakgroepen, and the month's imports.
//!
//! The blocks are independent reads and run side by side. A block that fails is left out (and
//! logged) rather than taking everyone's first page down.

mod agreements;
mod alignment;
mod budget;
mod meeting;
mod work;

pub use budget::DashboardCache;

use crate::shared::error::AppResult;
use crate::shared::routes::{Access, RouteDef, get};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::authz::{Capability, Section};

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
    reminders: Vec<alignment::Reminder>,
    /// `Some(None)`: the person sees meetings, and no joint meeting lies ahead.
    meeting: Option<Option<meeting::MeetingBlock>>,
    divided: Option<meeting::DividedBlock>,
    owned: Option<agreements::Owned>,
    attention: Option<agreements::AllAttention>,
    person_id: i64,
    alignment: Option<alignment::AlignmentBlock>,
    budget: Option<budget::BudgetBlock>,
    signals: Option<budget::Signals>,
    review: Option<work::ReviewBlock>,
    own_inputs: Option<work::OwnInputsBlock>,
    imports: Option<work::ImportsBlock>,
}

/// A block's value, or nothing when it could not be read: the log says why.
fn or_leave_out<T>(what: &str, result: AppResult<Option<T>>) -> Option<T> {
    result.unwrap_or_else(|e| {
        tracing::error!(error = %e, block = what, "dashboard block left out");
        None
    })
}

async fn dashboard(State(state): State<AppState>, ctx: Ctx, user: User) -> AppResult<Response> {
    let today = crate::shared::clock::today();
    let now = time::OffsetDateTime::now_utc();
    let (meeting, divided, owned, attention, alignment, reminders, budget, signals, work) = tokio::join!(
        meeting::next_meeting(&state, &user, now),
        meeting::divided(&state, &user),
        agreements::owned(&state, &user, today),
        agreements::all_attention(&state, &user, today),
        alignment::latest(&state, &user),
        alignment::reminders(&state, &user, today),
        budget::block(&state, &user),
        budget::signals(&state, &user, today),
        work::blocks(&state, &user, today),
    );
    let (review, own_inputs, imports) = work;
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
    let first_name = domain::people::first_name(&user.name).to_string();
    render(DashboardPage {
        layout: ctx.layout("Dashboard"),
        first_name,
        cards,
        represents: user.actor.vakgroepen.len(),
        reminders: or_leave_out("reminders", reminders).unwrap_or_default(),
        meeting: or_leave_out("meeting", meeting),
        divided: or_leave_out("divided", divided),
        // The person's own agreements were on this page before the monitor: keep failing loudly.
        owned: owned?,
        attention: or_leave_out("attention", attention),
        person_id: user.actor.person_id.get(),
        alignment: or_leave_out("alignment", alignment),
        budget: or_leave_out("budget", budget),
        signals: or_leave_out("signals", signals),
        review: or_leave_out("review", review),
        own_inputs: or_leave_out("own inputs", own_inputs),
        imports: or_leave_out("imports", imports),
    })
}
