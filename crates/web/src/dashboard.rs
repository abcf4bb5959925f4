//! The dashboard and the entry pages of the sections that later modules fill in.

use crate::auth::User;
use crate::error::AppResult;
use crate::routes::{Access, RouteDef, get};
use crate::views::{Ctx, Layout, render};
use askama::Template;
use axum::response::Response;
use domain::authz::{Capability, Section};

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/", Access::Needs(Capability::SignedIn), dashboard),
        get(
            "/zelfevaluatie",
            Access::Needs(Capability::ViewSelfAssessment),
            self_assessment,
        ),
        get("/begroting", Access::Needs(Capability::ViewBudget), budget),
    ]
}

struct SectionCard {
    label: &'static str,
    href: &'static str,
    text: &'static str,
}

fn describe(s: Section) -> &'static str {
    match s {
        Section::Dashboard => "",
        Section::Vergaderingen => {
            "De gezamenlijke agenda van RvB en MSB+, de live vergadering en de besluiten per gremium."
        }
        Section::Afspraken => {
            "Het register van afspraken tussen de besturen: wie doet wat, wanneer, en wordt het nagekomen?"
        }
        Section::Zelfevaluatie => {
            "De jaarlijkse 7S-zelfevaluatie die meet hoe gelijkgericht de besturen zijn."
        }
        Section::Begroting => {
            "De capaciteitsbegroting: normtijden, normuren, norm-fte en het honorariumbudget."
        }
        Section::Beheer => "Personen, rollen, gremia, vakgroepen en het auditlogboek.",
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    first_name: String,
    cards: Vec<SectionCard>,
    represents: usize,
}

async fn dashboard(ctx: Ctx, User(user): User) -> AppResult<Response> {
    let cards = user
        .actor
        .sections()
        .into_iter()
        .filter(|s| *s != Section::Dashboard)
        .map(|s| SectionCard {
            label: s.label(),
            href: s.path(),
            text: describe(s),
        })
        .collect();
    let first_name = user
        .name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    render(DashboardPage {
        layout: ctx.layout("Dashboard"),
        first_name,
        cards,
        represents: user.actor.vakgroepen.len(),
    })
}

#[derive(Template)]
#[template(path = "section.html")]
struct SectionPage {
    layout: Layout,
    intro: &'static str,
}

fn section(ctx: Ctx, s: Section) -> AppResult<Response> {
    render(SectionPage {
        layout: ctx.layout(s.label()),
        intro: describe(s),
    })
}

async fn self_assessment(ctx: Ctx) -> AppResult<Response> {
    section(ctx, Section::Zelfevaluatie)
}

async fn budget(ctx: Ctx) -> AppResult<Response> {
    section(ctx, Section::Begroting)
}
