//! Gelijkgericht's web layer: routes, authorisation guard, pages, and the command line.

pub mod agreements;
pub mod app;
pub mod assets;
pub mod auth;
pub mod beheer;
pub mod budget;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod csrf;
pub mod dashboard;
pub mod error;
pub mod health;
pub mod input;
pub mod meetings;
pub mod production;
pub mod routes;
pub mod serve;
pub mod state;
pub mod views;
