//! HTTP tests through the real router, each on a fresh database with the demo hospital.

mod attachments;
mod auth;
mod beheer;
mod budget_absolute;
mod budget_last_year;
mod budget_master;
mod budget_master_delete;
mod budget_master_precision;
mod budget_scenarios;
mod budget_trends;
mod calendar;
mod hostile;
mod live;
mod matrix;
mod matrix_compartments;
mod meetings;
mod minutes;
mod ops;
mod production;
mod register;
mod register_detail;
mod support;
