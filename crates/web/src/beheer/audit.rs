//! Beheer › Auditlogboek: browse and filter the trail.

use crate::shared::error::AppResult;
use crate::shared::routes::{Access, RouteDef, get};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::authz::Capability;
use domain::ids::MeetingId;
use serde::Deserialize;
use std::collections::HashSet;
use store::audit::AuditFilter;
use time::Date;

pub fn routes() -> Vec<RouteDef> {
    vec![get(
        "/beheer/audit",
        Access::Needs(Capability::ViewAudit),
        page,
    )]
}

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default)]
struct AuditQuery {
    #[serde(default)]
    wie: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    object: String,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
    #[serde(default)]
    pagina: Option<i64>,
}

struct EntryView {
    seq: i64,
    at: String,
    actor: String,
    object: String,
    href: Option<String>,
    action: String,
    before: Option<String>,
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "beheer/audit.html")]
struct AuditPage {
    layout: Layout,
    q: AuditQuery,
    types: Vec<(String, String)>,
    actions: Vec<(String, String)>,
    entries: Vec<EntryView>,
    errors: Errors,
    page: i64,
    more: bool,
    query_without_page: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn date(s: &str, field: &'static str, errors: &mut Errors) -> Option<Date> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    let parsed = domain::nl::parse_date(t);
    match parsed {
        Some(d) => Some(d),
        None => {
            errors.add(field, "Vul een datum in als dd-mm-jjjj.");
            None
        }
    }
}

/// Dutch names for what the trail records; unknown codes are shown as they are.
fn object_label(kind: &str) -> &str {
    match kind {
        "person" => "Persoon",
        "body" => "Gremium",
        "vakgroep" => "Vakgroep",
        "meeting" => "Vergadering",
        "agenda_item" => "Agendapunt",
        "decision" => "Besluit",
        "agreement" => "Afspraak",
        "attachment" => "Bijlage",
        "calendar_token" => "Agenda-abonnement",
        other => other,
    }
}

fn action_label(action: &str) -> &str {
    match action {
        "create" => "aangemaakt",
        "update" => "gewijzigd",
        "disable" => "geblokkeerd",
        "enable" => "gedeblokkeerd",
        "login" => "ingelogd",
        "password_set" => "wachtwoord ingesteld",
        "password_link_created" => "wachtwoordlink gemaakt",
        "delete" => "verwijderd",
        "status" => "status gewijzigd",
        "reorder" => "volgorde gewijzigd",
        "minutes" => "notulen gewijzigd",
        "minutes_adopted" => "notulen vastgesteld",
        "current_item" => "huidig punt gekozen",
        "attendance" => "aanwezigheid vastgelegd",
        "addendum" => "addendum toegevoegd",
        "revoke" => "ingetrokken",
        "replace" => "vervangen",
        other => other,
    }
}

/// What the reader of the trail may open, so that no entry links to a page that refuses them.
struct Openable {
    administer: bool,
    meetings: HashSet<MeetingId>,
}

impl Openable {
    async fn for_user(state: &AppState, user: &User) -> AppResult<Openable> {
        let meetings = if user.actor.can(Capability::ViewMeetings) {
            let bodies: Vec<i64> = user.actor.bodies.iter().copied().collect();
            store::meetings::list_for_bodies(&state.store, &bodies)
                .await?
                .into_iter()
                .map(|m| m.id)
                .collect()
        } else {
            HashSet::new()
        };
        Ok(Openable {
            administer: user.actor.can(Capability::Administer),
            meetings,
        })
    }

    /// Where the object can be looked at by this reader, if anywhere.
    fn href(&self, kind: &str, id: &str) -> Option<String> {
        let base = match kind {
            "person" if self.administer => "/beheer/personen",
            "body" if self.administer => "/beheer/gremia",
            "vakgroep" if self.administer => "/beheer/vakgroepen",
            "meeting" => {
                let meeting = id.parse::<MeetingId>().ok()?;
                return self
                    .meetings
                    .contains(&meeting)
                    .then(|| format!("/vergaderingen/{meeting}"));
            }
            _ => return None,
        };
        id.parse::<i64>().ok().map(|id| format!("{base}/{id}"))
    }
}

fn pretty(json: Option<String>) -> Option<String> {
    json.map(|j| {
        serde_json::from_str::<serde_json::Value>(&j)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or(j)
    })
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    let openable = Openable::for_user(&state, &user).await?;
    let mut errors = Errors::default();
    let filter = AuditFilter {
        actor: opt(&q.wie),
        object_type: opt(&q.soort),
        object_id: opt(&q.object),
        action: opt(&q.actie),
        from: date(&q.van, "van", &mut errors),
        until: date(&q.tot, "tot", &mut errors),
    };
    let page = q.pagina.unwrap_or(1).max(1);
    let (rows, more) =
        store::audit::list(&state.store, &filter, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let (types, actions) = store::audit::kinds(&state.store).await?;
    let types = types
        .into_iter()
        .map(|t| (object_label(&t).to_string(), t))
        .collect();
    let actions = actions
        .into_iter()
        .map(|a| (action_label(&a).to_string(), a))
        .collect();
    let entries = rows
        .into_iter()
        .map(|r| EntryView {
            seq: r.seq,
            at: domain::nl::datetime(r.at),
            actor: r.actor_label,
            object: format!("{} {}", object_label(&r.object_type), r.object_id),
            href: openable.href(&r.object_type, &r.object_id),
            action: action_label(&r.action).to_string(),
            before: pretty(r.before),
            after: pretty(r.after),
        })
        .collect();
    let query_without_page = serde_urlencoded::to_string([
        ("wie", &q.wie),
        ("soort", &q.soort),
        ("object", &q.object),
        ("actie", &q.actie),
        ("van", &q.van),
        ("tot", &q.tot),
    ])
    .unwrap_or_default();
    render(AuditPage {
        layout: ctx.layout("Auditlogboek"),
        q,
        types,
        actions,
        entries,
        errors,
        page,
        more,
        query_without_page,
    })
}
