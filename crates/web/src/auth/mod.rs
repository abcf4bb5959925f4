//! Signing in and out (with the second factor), the set-password link and one's own password
//! (product.md F1). Sessions, cookies and password hashing themselves live in `crate::shared`.

mod enrol;
pub mod handlers;
mod second_step;
mod signin;

use crate::shared::routes::RouteDef;

pub fn routes() -> Vec<RouteDef> {
    let mut routes = handlers::routes();
    routes.extend(second_step::routes());
    routes.extend(enrol::routes());
    routes
}
