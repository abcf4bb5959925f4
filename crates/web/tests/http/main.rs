//! HTTP tests through the real router, each on a fresh database with the demo hospital.

mod attachments;
mod auth;
mod beheer;
mod calendar;
mod live;
mod matrix;
mod meetings;
mod minutes;
mod ops;
mod register;
mod register_detail;
mod support;
