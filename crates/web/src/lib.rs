//! Gelijkgericht's web layer: routes, authorisation guard, pages, and the command line.
//!
//! The sections (`meetings`, `agreements`, `budget`, `production`, `beheer`, `auth`,
//! `calendar`, `dashboard`, `notifications`) stand side by side and share what they need through `shared`; the
//! route table (`routes`) and the application with its layers and state (`app`) are assembled
//! above them.

pub mod agreements;
pub mod app;
pub mod auth;
pub mod beheer;
pub mod budget;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod health;
pub mod meetings;
pub mod notifications;
pub mod production;
pub mod routes;
pub mod selfassessment;
pub mod serve;
pub mod shared;
