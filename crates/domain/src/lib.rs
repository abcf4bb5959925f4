//! Gelijkgericht's business rules. Pure: no IO, no database, no web.
//!
//! Each capability lives under the same name here, in `gg-store` and in the web crate.

#[macro_use]
mod macros;

pub mod account;
pub mod agreements;
pub mod audit;
pub mod authz;
pub mod budget;
pub mod codes;
pub mod ids;
pub mod meetings;
pub mod monitor;
pub mod nl;
pub mod notify;
pub mod people;
pub mod production;
pub mod selfassessment;
pub mod text;
