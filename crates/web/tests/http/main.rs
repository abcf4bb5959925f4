//! HTTP tests through the real router, each on a fresh database with the demo hospital.

mod attachments;
mod auth;
mod beheer;
mod budget_last_year;
mod budget_master;
mod budget_master_delete;
mod budget_master_precision;
mod budget_scenarios;
mod budget_trends;
mod calendar;
mod hidden_ids;
mod live;
mod matrix;
mod meetings;
mod meetings_adoption;
mod meetings_decisions;
mod meetings_eligibility;
mod meetings_follow_up;
mod meetings_links;
mod meetings_support;
mod minutes;
mod ops;
mod production;
mod register;
mod register_detail;
mod support;
