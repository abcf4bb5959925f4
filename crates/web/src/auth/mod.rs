//! Signing in and out, the set-password link and one's own password (product.md F1). Sessions,
//! cookies and password hashing themselves live in `crate::shared`.

pub mod handlers;

pub use handlers::routes;
