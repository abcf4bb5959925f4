//! Signing in and out, sessions, and passwords (product.md F1).

pub mod cookies;
pub mod handlers;
pub mod password;
pub mod session;

pub use session::{CurrentUser, User};
