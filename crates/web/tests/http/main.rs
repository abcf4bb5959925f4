//! HTTP tests through the real router, each on a fresh database with the demo hospital.

mod auth;
mod beheer;
mod matrix;
mod meetings;
mod minutes;
mod ops;
mod support;
