//! Beheer: people, roles and memberships, bodies, vakgroepen and the audit trail.

mod audit;
mod bodies;
mod messages;
mod people;
mod twofactor;
mod vakgroepen;

use crate::shared::error::AppResult;
use crate::shared::routes::{Access, RouteDef, get};
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::response::Response;
use domain::authz::Capability;

pub fn routes() -> Vec<RouteDef> {
    let mut routes = vec![get("/beheer", Access::Needs(Capability::Administer), index)];
    routes.extend(people::routes());
    routes.extend(bodies::routes());
    routes.extend(vakgroepen::routes());
    routes.extend(audit::routes());
    routes.extend(twofactor::routes());
    routes.extend(messages::routes());
    routes
}

#[derive(Template)]
#[template(path = "beheer/index.html")]
struct IndexPage {
    layout: Layout,
}

async fn index(ctx: Ctx) -> AppResult<Response> {
    render(IndexPage {
        layout: ctx.layout("Beheer"),
    })
}

/// Reads an id from a form value; anything else counts as absent.
fn parse_id(v: &str) -> Option<i64> {
    v.trim().parse().ok()
}

/// A form as a list of pairs, for forms with repeated or dynamic field names.
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn one(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}
