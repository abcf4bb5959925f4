//! Rounds for the secretary (C2): made and changed in concept (title, dates, invited bodies,
//! chosen statements), deleted while nobody has seen them, opened (the statements are frozen)
//! and closed by hand. Every change names the version it was made on; the domain's and the
//! store's refusals are shown in Dutch on the page.

use super::respond::{SGroup, group_per_s, show_round, today, vacuum};
use crate::shared::error::{AppError, AppResult};
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, DiffRow, Errors, Layout, diff_versions, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::ids::BodyId;
use domain::nl;
use domain::people::BodyKind;
use domain::selfassessment::{CatalogueStatementId, Refusal, RoundDraft, RoundForm, RoundId};
use serde::Deserialize;
use store::selfassessment as sa;
use store::{Invalid, PgConnection, StoreError};
use time::Duration;

pub(super) fn routes() -> Vec<RouteDef> {
    let manage = Access::Needs(Capability::ManageSelfAssessment);
    vec![
        get("/zelfevaluatie/rondes/nieuw", manage, new_form),
        post("/zelfevaluatie/rondes", manage, create),
        get("/zelfevaluatie/rondes/{id}/bewerken", manage, edit_form),
        post("/zelfevaluatie/rondes/{id}/bewerken", manage, update),
        post("/zelfevaluatie/rondes/{id}/verwijderen", manage, delete),
        post("/zelfevaluatie/rondes/{id}/openen", manage, open),
        post("/zelfevaluatie/rondes/{id}/sluiten", manage, close),
    ]
}

/// The round form as posted: the bodies and statements are repeated fields (checkboxes).
struct Posted {
    form: RoundForm,
    statements: Vec<CatalogueStatementId>,
    version: String,
}

/// Reads the pairs of the round form. An id that is not a number comes from no form of ours.
fn read(pairs: &[(String, String)]) -> AppResult<Posted> {
    let mut posted = Posted {
        form: RoundForm::default(),
        statements: Vec::new(),
        version: String::new(),
    };
    let id = |v: &str| v.trim().parse::<i64>().map_err(|_| AppError::BadInput);
    for (name, value) in pairs {
        match name.as_str() {
            "title" => posted.form.title = value.clone(),
            "opens_on" => posted.form.opens_on = value.clone(),
            "closes_on" => posted.form.closes_on = value.clone(),
            "version" => posted.version = value.clone(),
            "body" => posted.form.body_ids.push(BodyId::new(id(value)?)),
            "statement" => posted.statements.push(CatalogueStatementId(id(value)?)),
            _ => {}
        }
    }
    Ok(posted)
}

/// A checkbox of the form.
struct Check {
    id: i64,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "selfassessment/round_form.html")]
struct FormPage {
    layout: Layout,
    id: Option<RoundId>,
    version: i32,
    form: RoundForm,
    bodies: Vec<Check>,
    groups: Vec<SGroup<Check>>,
    errors: Errors,
    conflict: Option<Vec<DiffRow>>,
}

/// The hospital's bodies that may answer (observers never do), with their kind for the
/// domain's check.
async fn bodies(state: &AppState) -> AppResult<Vec<(BodyId, BodyKind, String)>> {
    Ok(store::bodies::list(state.store.pool())
        .await?
        .into_iter()
        .map(|b| {
            let label = format!("{} ({})", b.name, b.code);
            (BodyId::new(b.id), b.kind, label)
        })
        .collect())
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    id: Option<RoundId>,
    version: i32,
    posted: Posted,
    errors: Errors,
    conflict: Option<Vec<DiffRow>>,
) -> AppResult<Response> {
    let bodies = bodies(state)
        .await?
        .into_iter()
        .filter(|(_, kind, _)| *kind != BodyKind::Toezicht)
        .map(|(body, _, label)| Check {
            id: body.get(),
            label,
            checked: posted.form.body_ids.contains(&body),
        })
        .collect();
    // Only statements in use can be chosen; the catalogue comes in the model's order.
    let groups = group_per_s(
        sa::catalogue(&state.store)
            .await?
            .into_iter()
            .filter(|s| s.active)
            .map(|s| {
                let check = Check {
                    id: s.id.get(),
                    checked: posted.statements.contains(&s.id),
                    label: s.text,
                };
                (s.s, check)
            }),
    );
    let status = errors.status();
    let page = FormPage {
        layout: ctx.layout(if id.is_some() {
            "Ronde wijzigen"
        } else {
            "Nieuwe ronde"
        }),
        id,
        version,
        form: posted.form,
        bodies,
        groups,
        errors,
        conflict,
    };
    Ok((status, render(page)?).into_response())
}

/// `GET /zelfevaluatie/rondes/nieuw`: a yearly round of four weeks from today for every body
/// that answers, with every statement in use.
async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let today = today();
    let body_ids = bodies(&state)
        .await?
        .into_iter()
        .filter(|(_, kind, _)| *kind != BodyKind::Toezicht)
        .map(|(id, _, _)| id)
        .collect();
    let statements = sa::catalogue(&state.store)
        .await?
        .into_iter()
        .filter(|s| s.active)
        .map(|s| s.id)
        .collect();
    let posted = Posted {
        form: RoundForm {
            title: format!("Zelfevaluatie {}", today.year()),
            body_ids,
            opens_on: today.to_string(),
            closes_on: (today + Duration::days(28)).to_string(),
        },
        statements,
        version: String::new(),
    };
    form_page(&state, &ctx, None, 0, posted, Errors::default(), None).await
}

/// The form checked by the domain's rules against the bodies as they are now.
async fn parse(state: &AppState, posted: &Posted) -> AppResult<Result<RoundDraft, Errors>> {
    let known: Vec<(BodyId, BodyKind)> = bodies(state)
        .await?
        .into_iter()
        .map(|(id, kind, _)| (id, kind))
        .collect();
    Ok(RoundDraft::parse(&posted.form, &known, today()).map_err(Errors::from))
}

/// What the store refuses in its transaction, at the field the domain names.
fn refusal(e: &StoreError) -> Option<Errors> {
    let mut errors = Errors::default();
    match e {
        StoreError::Invalid(Invalid::SelfAssessment(r)) => errors.add(r.field(), r.to_string()),
        StoreError::Invalid(Invalid::RoundStatus(e)) => errors.add("_form", e.to_string()),
        _ => return None,
    }
    Some(errors)
}

/// `POST /zelfevaluatie/rondes`: a new round in concept.
async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let posted = read(&pairs)?;
    let draft = match parse(&state, &posted).await? {
        Ok(draft) => draft,
        Err(errors) => return form_page(&state, &ctx, None, 0, posted, errors, None).await,
    };
    let mut tx = state.store.begin().await?;
    match sa::create_round(&mut tx, &who(&user), &draft, &posted.statements).await {
        Ok(id) => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!("/zelfevaluatie/rondes/{id}?ok=aangemaakt")).into_response())
        }
        Err(e) => match refusal(&e) {
            Some(errors) => {
                drop(tx);
                form_page(&state, &ctx, None, 0, posted, errors, None).await
            }
            None => Err(e.into()),
        },
    }
}

/// `GET /zelfevaluatie/rondes/{id}/bewerken`: only in concept; later the round's page says why.
async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<RoundId>,
) -> AppResult<Response> {
    let detail = sa::round(&state.store, id).await?;
    if !detail.round.status.is_editable() {
        return not_editable(&state, &ctx, &user, id).await;
    }
    let round = detail.round;
    let posted = Posted {
        form: RoundForm {
            title: round.title,
            body_ids: detail.bodies.iter().map(|b| b.body_id).collect(),
            opens_on: round.opens_on.to_string(),
            closes_on: round.closes_on.to_string(),
        },
        statements: detail.choices,
        version: round.version.to_string(),
    };
    form_page(
        &state,
        &ctx,
        Some(id),
        round.version,
        posted,
        Errors::default(),
        None,
    )
    .await
}

async fn not_editable(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: RoundId,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    errors.add("_form", Refusal::NotEditable.to_string());
    show_round(state, ctx, user, id, errors).await
}

fn version_of(text: &str) -> AppResult<i32> {
    text.trim().parse().map_err(|_| AppError::BadInput)
}

/// `POST /zelfevaluatie/rondes/{id}/bewerken`, made on the version shown.
async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<RoundId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let current = sa::round(&state.store, id).await?;
    let posted = read(&pairs)?;
    let version = version_of(&posted.version)?;
    let draft = match parse(&state, &posted).await? {
        Ok(draft) => draft,
        Err(errors) => {
            return form_page(&state, &ctx, Some(id), version, posted, errors, None).await;
        }
    };
    let mut tx = state.store.begin().await?;
    match sa::update_round(
        &mut tx,
        &who(&user),
        id,
        version,
        &draft,
        &posted.statements,
    )
    .await
    {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!("/zelfevaluatie/rondes/{id}?ok=opgeslagen")).into_response())
        }
        Err(StoreError::Conflict) => {
            drop(tx);
            // F4: what is stored next to what was typed; the form now carries the stored
            // version, so saving again knowingly replaces it.
            let stored = sa::round(&state.store, id).await?;
            let names = |ids: &[BodyId]| {
                stored
                    .bodies
                    .iter()
                    .filter(|b| ids.contains(&b.body_id))
                    .map(|b| b.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let stored_bodies: Vec<BodyId> = stored.bodies.iter().map(|b| b.body_id).collect();
            let rows = diff_versions(
                vec![
                    ("Titel", stored.round.title.clone()),
                    ("Opent", nl::date(stored.round.opens_on)),
                    ("Sluit", nl::date(stored.round.closes_on)),
                    ("Besturen", names(&stored_bodies)),
                    ("Stellingen", stored.choices.len().to_string()),
                ],
                vec![
                    ("Titel", posted.form.title.clone()),
                    ("Opent", nl::date(draft.opens_on)),
                    ("Sluit", nl::date(draft.closes_on)),
                    ("Besturen", names(&draft.body_ids)),
                    ("Stellingen", posted.statements.len().to_string()),
                ],
            );
            let mut errors = Errors::default();
            errors.add(
                "_form",
                "Iemand anders heeft deze ronde intussen gewijzigd. Hieronder staan beide versies; uw invoer staat in het formulier. Sla opnieuw op om de opgeslagen versie bewust te vervangen.",
            );
            let version = stored.round.version;
            form_page(&state, &ctx, Some(id), version, posted, errors, Some(rows)).await
        }
        Err(e) => match refusal(&e) {
            Some(errors) => {
                drop(tx);
                if !current.round.status.is_editable() {
                    return show_round(&state, &ctx, &user, id, errors).await;
                }
                form_page(&state, &ctx, Some(id), version, posted, errors, None).await
            }
            None => Err(e.into()),
        },
    }
}

#[derive(Deserialize)]
struct VersionForm {
    #[serde(default)]
    version: String,
}

/// A status change or deletion of a round in one transaction: done → redirect to `to`; a
/// refusal of the domain or the store, or a stale version, is shown on the round's page.
async fn change(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: RoundId,
    to: String,
    write: impl AsyncFnOnce(&mut PgConnection) -> Result<(), StoreError>,
) -> AppResult<Result<Response, Response>> {
    let mut tx = state.store.begin().await?;
    let errors = match write(&mut tx).await {
        Ok(()) => {
            store::commit(tx).await?;
            return Ok(Ok(Redirect::to(&to).into_response()));
        }
        Err(StoreError::Conflict) => {
            let mut errors = Errors::default();
            errors.add(
                "_form",
                "Iemand anders heeft deze ronde intussen gewijzigd; er is niets veranderd. Hieronder staat de ronde zoals ze nu is.",
            );
            errors
        }
        Err(e) => {
            // The round page has no fields to point at: every refusal is the page's.
            let mut errors = Errors::default();
            for (_, message) in refusal(&e).ok_or(e)?.all() {
                errors.add("_form", message.clone());
            }
            errors
        }
    };
    drop(tx);
    Ok(Err(show_round(state, ctx, user, id, errors).await?))
}

/// `POST /zelfevaluatie/rondes/{id}/verwijderen`: a round in concept, nobody has seen it.
async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<RoundId>,
    Form(f): Form<VersionForm>,
) -> AppResult<Response> {
    sa::round(&state.store, id).await?;
    let version = version_of(&f.version)?;
    let w = who(&user);
    let to = "/zelfevaluatie?ok=verwijderd".to_string();
    let done = change(&state, &ctx, &user, id, to, async |tx| {
        sa::delete_round(tx, &w, id, version).await
    })
    .await?;
    Ok(done.unwrap_or_else(|page| page))
}

/// `POST /zelfevaluatie/rondes/{id}/openen`: the statements are frozen and the invited members
/// can answer from the opening date.
async fn open(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<RoundId>,
    Form(f): Form<VersionForm>,
) -> AppResult<Response> {
    let round = sa::round(&state.store, id).await?;
    let version = version_of(&f.version)?;
    let w = who(&user);
    let today = today();
    let to = format!("/zelfevaluatie/rondes/{id}?ok=opgeslagen");
    // Written with the opening: the invitees hear of it exactly when it opened.
    let mails = super::notify::round_opened(&state, id, round.choices.len()).await?;
    let done = change(&state, &ctx, &user, id, to, async |tx| {
        sa::open_round(tx, &w, id, version, today).await?;
        store::outbox::enqueue(tx, &mails).await
    })
    .await?;
    Ok(done.unwrap_or_else(|page| page))
}

/// `POST /zelfevaluatie/rondes/{id}/sluiten`: by hand, also before the closing date.
async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<RoundId>,
    Form(f): Form<VersionForm>,
) -> AppResult<Response> {
    sa::round(&state.store, id).await?;
    let version = version_of(&f.version)?;
    let w = who(&user);
    let today = today();
    let to = format!("/zelfevaluatie/rondes/{id}?ok=opgeslagen");
    let done = change(&state, &ctx, &user, id, to, async |tx| {
        sa::close_round(tx, &w, id, version, today).await
    })
    .await?;
    if done.is_ok() {
        vacuum(&state).await;
    }
    Ok(done.unwrap_or_else(|page| page))
}
