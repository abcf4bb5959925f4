//! The 7S self-assessment's data (product.md C1–C5, migration 0020, docs/selfassessment.md): the
//! editable statement catalogue ([`catalogue`]), rounds from concept to closed ([`rounds`]), the
//! respondent's draft and submission ([`respond`]), what the results, the trend and the
//! secretary's overview read ([`results`]), and a result turned into an agenda item or an
//! agreement, once per round and S ([`actions`]).
//!
//! Anonymity (C3) is the point of this module's shape: who handed in (`sa_participation`) and what
//! was answered (`sa_answer`) are written in one transaction and never connected. Every submit
//! rewrites the answers of the submitter's body, and the close all of the round's, in random order,
//! so that neither their physical order nor their inserting transaction belongs to one submission. Nothing here returns an answer together
//! with a person, and the audit trail records participation, never content.
//!
//! Writes take a `&mut PgConnection` inside the caller's transaction and write their audit entry
//! in it (a respondent's draft excepted: it is their unsent work, see the docs). Rules and their
//! Dutch messages are the domain's (`domain::selfassessment`); what the store checks again in the
//! writing transaction comes back as [`crate::Invalid::SelfAssessment`] or
//! [`crate::Invalid::RoundStatus`]. Callers pass `today` (the date in Amsterdam), so the rules of
//! the round's dates are the domain's and testable.

pub mod actions;
pub mod catalogue;
pub mod respond;
pub mod results;
pub mod rounds;

pub use actions::{
    RecordedActions, Scheduled, next_joint_meeting, propose_agreement, recorded_actions, schedule,
};
pub use catalogue::{
    CatalogueRow, StatementVersionRow, add_statement, catalogue, edit_statement,
    seed_default_catalogue, set_statement_active, statement_history,
};
pub use respond::{
    EligibleBody, Invitation, draft, eligible_bodies, has_participated, invitations, invitees,
    invitees_yet_to_answer, open_rounds_closing_on, save_draft, submit,
};
pub use results::{
    ActionBasis, BodyParticipation, ClosedRound, action_basis, alignments, closed_round,
    participation,
};
pub use rounds::{
    RoundBodyRow, RoundDetail, RoundRow, RoundStatementRow, close_overdue, close_round,
    create_round, delete_round, open_round, round, round_on, rounds, rounds_for, update_round,
    vacuum,
};

use crate::{PgConnection, StoreError};
use domain::agreements::kinds::SevenS;
use domain::selfassessment::RoundId;

/// The columns of [`RoundRow`] from `sa_round r`, without WHERE.
macro_rules! round_select {
    () => {
        "SELECT r.id, r.title, r.opens_on, r.closes_on, r.status, r.overall_alignment, r.version
         FROM sa_round r"
    };
}
use round_select;

/// Row `id` of `sa_round`, locked (`FOR UPDATE`) for the rest of the transaction: submits,
/// status changes and draft saves of one round take turns, none slips in after the close, and
/// two saves of one person at once (a double click, two tabs) do not both insert the draft they
/// replace.
async fn lock_round(conn: &mut PgConnection, id: RoundId) -> Result<RoundRow, StoreError> {
    sqlx::query_as(concat!(round_select!(), " WHERE r.id = $1 FOR UPDATE"))
        .bind(id.get())
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The codes of the 7S elements in the model's order, for `array_position` in an ORDER BY.
fn s_order() -> Vec<&'static str> {
    SevenS::ALL.iter().map(|s| s.code()).collect()
}

/// The codes of the positions that hold a seat in a body (`Position::has_seat`): only seated
/// members answer for their body; a secretary records for it, an adviser only takes part.
fn seat_positions() -> Vec<&'static str> {
    domain::people::Position::ALL
        .iter()
        .filter(|p| p.has_seat())
        .map(|p| p.code())
        .collect()
}
