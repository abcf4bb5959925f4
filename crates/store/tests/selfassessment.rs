//! The 7S self-assessment (C1–C5, migration 0020) against a real database: the catalogue with
//! its versions, a round from concept to closed, drafts and the one-transaction submit, who may
//! answer when, and the anonymity model — no column, key, order or transaction id connects an
//! answer to the person who gave it.

mod common;
#[path = "selfassessment/support.rs"]
mod support;

#[path = "selfassessment/anonymity.rs"]
mod anonymity;
#[path = "selfassessment/flow.rs"]
mod flow;
