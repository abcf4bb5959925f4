//! "Afspraken die aandacht vragen" (B4): why an agreement goes on the next joint agenda and the
//! owner's overview by itself. An agreement the boards have settled (`vastgesteld` or `in
//! uitvoering`) needs attention when it is past its due date, when its review is due, or when
//! its KPIs say it is off course. A proposal is not yet an agreement, and a finished one has
//! nothing left to chase.

use super::kinds::{AgreementStatus, ReviewCadence, next_review};
use super::kpi::TrafficLight;
use crate::nl;
use time::Date;

/// One reason an agreement asks for attention, most pressing first when sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// The due date passed and the agreement is not realised.
    Overdue { due: Date },
    /// The KPIs say the agreement is off course.
    OffTrack,
    /// The agreed review fell on this day and has not been held since.
    ReviewDue { since: Date },
}

impl Reason {
    /// A short Dutch phrase for lists: "verlopen sinds 01-10-2026".
    pub fn text(self) -> String {
        match self {
            Reason::Overdue { due } => format!("verlopen sinds {}", nl::date(due)),
            Reason::OffTrack => "uit koers volgens de KPI's".to_string(),
            Reason::ReviewDue { since } => format!("beoordeling gepland op {}", nl::date(since)),
        }
    }

    /// A one-word tag for the start of a line, as the agenda shows it.
    pub fn tag(self) -> &'static str {
        match self {
            Reason::Overdue { .. } => "Verlopen",
            Reason::OffTrack => "Uit koers",
            Reason::ReviewDue { .. } => "Beoordeling",
        }
    }
}

/// When the next review of an agreement falls: one cadence after the last review held, or after
/// the start (the day it was made when it has no start date). `None` without a cadence.
pub fn review_due_on(
    cadence: Option<ReviewCadence>,
    start: Option<Date>,
    made_on: Date,
    last_review: Option<Date>,
) -> Option<Date> {
    let cadence = cadence?;
    let from = last_review.or(start).unwrap_or(made_on);
    next_review(from, cadence)
}

/// What an agreement is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub status: AgreementStatus,
    pub due: Option<Date>,
    /// From [`review_due_on`].
    pub review_due: Option<Date>,
    /// The agreement's light (`kpi::agreement_light`).
    pub light: TrafficLight,
}

/// Why the agreement needs attention on `today`, most pressing first; empty when it does not.
/// The due date and the review day themselves still count as in time for the due date, but a
/// review is due on its day: it is on the agenda of the meeting held that day.
pub fn reasons(facts: &Facts, today: Date) -> Vec<Reason> {
    if !matches!(
        facts.status,
        AgreementStatus::Vastgesteld | AgreementStatus::InUitvoering
    ) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(due) = facts.due
        && today > due
    {
        out.push(Reason::Overdue { due });
    }
    // A red light past the due date is the overdue itself: saying it twice adds nothing.
    if facts.light == TrafficLight::OffTrack && out.is_empty() {
        out.push(Reason::OffTrack);
    }
    if let Some(review) = facts.review_due
        && review <= today
    {
        out.push(Reason::ReviewDue { since: review });
    }
    out
}

#[cfg(test)]
mod tests;
