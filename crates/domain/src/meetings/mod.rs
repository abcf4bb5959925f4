//! Meetings (product.md A1–A7): the life of a meeting, its agenda and timing, decisions per body,
//! voting rules and the iCal feed. Plain functions over plain data; the store and web crates
//! supply the rows and show the results.

pub mod agenda;
pub mod announcement;
pub mod decision_draft;
pub mod decisions;
pub mod filetype;
pub mod ical;
pub mod item_draft;
pub mod kinds;
pub mod links;
pub mod meeting_draft;
pub mod status;
pub mod voting;
