//! Beheer › Berichten: every mail the application wrote, newest first, with its state (waiting,
//! sent, retrying, given up). Without an SMTP server this is where mail is read; with one, where
//! a beheerder sees what did not arrive. The beheerder reads other people's mail here, so only
//! the beheerder (Administer) opens it, and opening one is not a change (no audit entry).

use crate::shared::error::AppResult;
use crate::shared::routes::{Access, RouteDef, get};
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::authz::Capability;
use serde::Deserialize;
use store::outbox::Listed;

const ADMIN: Access = Access::Needs(Capability::Administer);
const PAGE: i64 = 50;

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/beheer/berichten", ADMIN, list),
        get("/beheer/berichten/{id}", ADMIN, show),
    ]
}

struct Line {
    id: i64,
    recipient: String,
    kind: &'static str,
    subject: String,
    created: String,
    state: String,
}

fn state_of(m: &Listed, smtp: bool) -> String {
    match (m.sent_at, m.failed_at, m.for_digest, m.digested_at) {
        (Some(at), _, _, _) => format!("verzonden {}", domain::nl::datetime(at)),
        (_, Some(_), _, _) => format!(
            "niet afgeleverd: {}",
            m.last_error.as_deref().unwrap_or("onbekende fout")
        ),
        (_, _, true, Some(at)) => format!("in dagoverzicht van {}", domain::nl::datetime(at)),
        (_, _, true, None) => "wacht op het dagoverzicht".to_string(),
        _ if m.attempts > 0 => format!(
            "{} pogingen, wordt opnieuw geprobeerd: {}",
            m.attempts,
            m.last_error.as_deref().unwrap_or("")
        ),
        _ if smtp => "wordt verzonden".to_string(),
        _ => "niet verzonden (geen mailserver ingesteld)".to_string(),
    }
}

#[derive(Template)]
#[template(path = "beheer/messages.html")]
struct ListPage {
    layout: Layout,
    lines: Vec<Line>,
    smtp: bool,
    older: Option<i64>,
}

#[derive(Deserialize, Default)]
struct Before {
    voor: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Before>,
) -> AppResult<Response> {
    let smtp = state.config.smtp_url.is_some();
    let rows = store::outbox::list(&state.store, q.voor, PAGE + 1).await?;
    let older = (rows.len() as i64 > PAGE).then(|| rows[PAGE as usize - 1].id);
    let lines = rows
        .iter()
        .take(PAGE as usize)
        .map(|m| Line {
            id: m.id,
            recipient: m.recipient.clone(),
            kind: m.kind.label(),
            subject: m.subject.clone(),
            created: domain::nl::datetime(m.created_at),
            state: state_of(m, smtp),
        })
        .collect();
    render(ListPage {
        layout: ctx.layout("Berichten"),
        lines,
        smtp,
        older,
    })
}

#[derive(Template)]
#[template(path = "beheer/message.html")]
struct ShowPage {
    layout: Layout,
    id: i64,
    recipient: String,
    kind: &'static str,
    subject: String,
    created: String,
    state: String,
    text: String,
    attachment: Option<String>,
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let m = store::outbox::get(&state.store, id).await?;
    let smtp = state.config.smtp_url.is_some();
    render(ShowPage {
        layout: ctx.layout(format!("Bericht: {}", m.listed.subject)),
        id: m.listed.id,
        state: state_of(&m.listed, smtp),
        recipient: m.listed.recipient,
        kind: m.listed.kind.label(),
        subject: m.listed.subject,
        created: domain::nl::datetime(m.listed.created_at),
        text: m.body_text,
        attachment: m.attachment_name,
    })
}
