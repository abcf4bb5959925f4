//! What the sections of the web crate share, one floor below them: the page frame and its
//! context, errors, forms, the route declaration and its guard, sessions and cookies, CSRF and
//! the input layer, the application state, and the few helpers more than one section needs.
//! Sections (meetings, agreements, budget, …) use this module and never each other; the route
//! table (`crate::routes`) and the application (`crate::app`) are assembled above them.

pub mod assets;
pub mod clock;
pub mod cookies;
pub mod csrf;
pub mod download;
pub mod error;
pub mod forms;
pub mod input;
pub mod mail;
pub mod meeting_access;
pub mod meeting_event;
pub mod monitoring;
pub mod page_cache;
pub mod password;
pub mod register;
pub mod rounds;
pub mod routes;
pub mod session;
pub mod state;
pub mod upload;
pub mod views;
pub mod who;
