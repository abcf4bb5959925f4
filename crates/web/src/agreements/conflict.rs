//! The conflict page of the agreement form (F4): someone else saved the agreement since the form
//! was opened. Both versions side by side, and the form holding what was typed with the stored
//! version, so that saving again replaces it deliberately.

use super::form::{Draft, FormView, draft_of, form_view};
use crate::shared::error::AppResult;
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, DiffRow, Errors, Layout, render};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::agreements::draft::AgreementForm;
use domain::agreements::kinds::{AgreementKind, JzojpTheme, PartyKind, ReviewCadence, SevenS};
use domain::ids::{AgreementId, PersonId};

#[derive(Template)]
#[template(path = "agreements/conflict.html")]
struct ConflictPage {
    layout: Layout,
    id: AgreementId,
    rows: Vec<DiffRow>,
    form: FormView,
    errors: Errors,
}

fn show_list(v: &[String]) -> String {
    v.join(", ")
}

/// Both versions, field by field, for the conflict page.
fn diff_rows(
    stored: &AgreementForm,
    typed: &AgreementForm,
    people: &[(PersonId, String)],
) -> Vec<DiffRow> {
    let person = |id: &str| {
        people
            .iter()
            .find(|(p, _)| p.to_string() == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let parties = |d: &AgreementForm| {
        let mut out = Vec::new();
        for (i, k) in d.party_kind.iter().enumerate() {
            if k.is_empty() {
                continue;
            }
            let kind = PartyKind::parse(k).map_or(k.as_str(), |p| p.label());
            let label = d.party_label.get(i).cloned().unwrap_or_default();
            let owner = person(d.party_owner.get(i).map_or("", |s| s.as_str()));
            let mut s = kind.to_string();
            if !label.trim().is_empty() {
                s.push_str(&format!(" ({})", label.trim()));
            }
            if !owner.is_empty() {
                s.push_str(&format!(" — {owner}"));
            }
            out.push(s);
        }
        out.join("; ")
    };
    let label_of = |code: &str, f: fn(&str) -> Option<&'static str>| {
        f(code).map_or_else(|| code.to_string(), str::to_string)
    };
    let kind = |c: &str| label_of(c, |c| AgreementKind::parse(c).map(|k| k.label()));
    let theme = |c: &str| label_of(c, |c| JzojpTheme::parse(c).map(|k| k.label()));
    let review = |c: &str| label_of(c, |c| ReviewCadence::parse(c).map(|k| k.label()));
    let seven = |v: &[String]| {
        show_list(
            &SevenS::ALL
                .iter()
                .filter(|s| v.iter().any(|c| c == s.code()))
                .map(|s| s.label().to_string())
                .collect::<Vec<_>>(),
        )
    };
    let date =
        |s: &str| domain::nl::parse_date(s).map_or_else(|| s.trim().to_string(), domain::nl::date);
    let pairs: Vec<(&'static str, String, String)> = vec![
        (
            "Titel",
            stored.title.clone(),
            typed.title.trim().to_string(),
        ),
        (
            "Beschrijving",
            stored.description.clone(),
            typed.description.trim().to_string(),
        ),
        ("Soort", kind(&stored.kind), kind(&typed.kind)),
        ("Partijen", parties(stored), parties(typed)),
        (
            "7S-elementen",
            seven(&stored.seven_s),
            seven(&typed.seven_s),
        ),
        ("Thema", theme(&stored.theme), theme(&typed.theme)),
        ("Startdatum", date(&stored.start), date(&typed.start)),
        ("Einddatum", date(&stored.due), date(&typed.due)),
        ("Herziening", review(&stored.review), review(&typed.review)),
        (
            "Zichtbaarheid",
            stored.visibility.clone(),
            typed.visibility.clone(),
        ),
        (
            "Afwijking zorgverzekeraar",
            stored.insurer_deviation.clone(),
            typed.insurer_deviation.trim().to_string(),
        ),
        (
            "Begrotingsscenario",
            stored.budget_scenario.clone(),
            typed.budget_scenario.trim().to_string(),
        ),
    ];
    crate::shared::views::diff_rows(pairs)
}

/// The page for a stale save of agreement `id`: what is stored now next to what was typed.
pub(super) async fn page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: AgreementId,
    draft: Draft,
    errors: Errors,
) -> AppResult<Response> {
    // Compare with what is stored now, and carry its version so that saving again overwrites
    // deliberately.
    let now = store::agreements::detail(&state.store, id).await?;
    let stored = draft_of(&now);
    let people: Vec<(PersonId, String)> = store::people::list(&state.store)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut rows = diff_rows(&stored.form, &draft.form, &people);
    let scenarios = store::budget::scenarios(&state.store, None).await?;
    if let Some(row) = rows.iter_mut().find(|r| r.label == "Begrotingsscenario") {
        let name = |v: &str| {
            scenarios
                .iter()
                .find(|s| s.id.to_string() == v)
                .map_or_else(String::new, |s| format!("{} {}", s.year, s.name))
        };
        row.stored = name(&row.stored);
        row.typed = name(&row.typed);
    }
    let bodies = store::bodies::list(state.store.pool()).await?;
    if let Some(row) = rows.iter_mut().find(|r| r.label == "Zichtbaarheid") {
        let name = |v: &str| {
            bodies.iter().find(|b| b.id.to_string() == v).map_or_else(
                || "Gezamenlijk".to_string(),
                |b| format!("Alleen {}", b.code),
            )
        };
        row.stored = name(&row.stored);
        row.typed = name(&row.typed);
    }
    let merged = Draft {
        version: now.agreement.version,
        ..draft
    };
    let form = form_view(
        state,
        user,
        format!("/afspraken/{id}"),
        format!("/afspraken/{id}"),
        &merged,
    )
    .await?;
    let page = ConflictPage {
        layout: ctx.layout("Afspraak intussen gewijzigd"),
        id,
        rows,
        form,
        errors,
    };
    Ok((StatusCode::CONFLICT, render(page)?).into_response())
}
