//! The statement catalogue (C1): every statement per S in the model's order, for everyone in
//! the section to read; the secretary adds statements, rewords them (versioned, a stale save is
//! a conflict) and takes them out of use or back. Rounds copy the statements when they open, so
//! nothing here changes what was asked before. The rounds' own forms are in
//! [`super::manage_rounds`].

use super::manage_rounds;
use super::respond::{SGroup, group_per_s};
use crate::shared::error::{AppError, AppResult};
use crate::shared::forms::{self, Refusal};
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, DiffRow, Errors, Layout, diff_versions, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::agreements::kinds::SevenS;
use domain::authz::Capability;
use domain::nl;
use domain::selfassessment::{CatalogueStatementId, StatementDraft, StatementForm};
use serde::Deserialize;
use store::selfassessment::{self as sa, CatalogueRow};
use store::{Invalid, StoreError};

pub(super) fn routes() -> Vec<RouteDef> {
    let view = Access::Needs(Capability::ViewSelfAssessment);
    let manage = Access::Needs(Capability::ManageSelfAssessment);
    let mut routes = vec![
        get("/zelfevaluatie/stellingen", view, catalogue),
        post("/zelfevaluatie/stellingen", manage, add),
        get("/zelfevaluatie/stellingen/{id}", view, statement),
        post("/zelfevaluatie/stellingen/{id}", manage, edit),
        post("/zelfevaluatie/stellingen/{id}/actief", manage, set_active),
    ];
    routes.extend(manage_rounds::routes());
    routes
}

/// The statement form as posted; the domain's [`StatementForm`] has no serde.
#[derive(Debug, Default, Deserialize)]
struct Posted {
    #[serde(default)]
    s: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    version: String,
}

impl Posted {
    fn form(&self) -> StatementForm {
        StatementForm {
            s: self.s.clone(),
            text: self.text.clone(),
            source: self.source.clone(),
        }
    }
}

/// A choice of a select.
struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

struct Line {
    id: CatalogueStatementId,
    key: String,
    text: String,
    source: Option<String>,
    active: bool,
}

#[derive(Template)]
#[template(path = "selfassessment/catalogue.html")]
struct CataloguePage {
    layout: Layout,
    groups: Vec<SGroup<Line>>,
    active: usize,
    total: usize,
    can_manage: bool,
    form: StatementForm,
    elements: Vec<Choice>,
    errors: Errors,
}

/// The catalogue page, with the add form as typed and its problems.
async fn catalogue_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    form: StatementForm,
    errors: Errors,
) -> AppResult<Response> {
    let rows = sa::catalogue(&state.store).await?;
    let total = rows.len();
    let active = rows.iter().filter(|r| r.active).count();
    let elements = SevenS::ALL
        .iter()
        .map(|s| Choice {
            value: s.code(),
            label: s.label(),
            selected: form.s == s.code(),
        })
        .collect();
    let groups = group_per_s(rows.into_iter().map(|r| {
        (
            r.s,
            Line {
                id: r.id,
                key: r.key,
                text: r.text,
                source: r.source,
                active: r.active,
            },
        )
    }));
    let status = errors.status();
    let page = CataloguePage {
        layout: ctx.layout("Stellingen van de zelfevaluatie"),
        groups,
        active,
        total,
        can_manage: user.actor.can(Capability::ManageSelfAssessment),
        form,
        elements,
        errors,
    };
    Ok((status, render(page)?).into_response())
}

/// `GET /zelfevaluatie/stellingen`.
async fn catalogue(State(state): State<AppState>, ctx: Ctx, user: User) -> AppResult<Response> {
    catalogue_page(
        &state,
        &ctx,
        &user,
        StatementForm::default(),
        Errors::default(),
    )
    .await
}

/// What the store refuses of a statement: another S than its own (a forged form).
fn refused(invalid: &Invalid) -> Option<(&'static str, String)> {
    match invalid {
        Invalid::SelfAssessment(r) => Some((r.field(), r.to_string())),
        _ => None,
    }
}

/// `POST /zelfevaluatie/stellingen`: a new statement at the end of its S.
async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(posted): Form<Posted>,
) -> AppResult<Response> {
    let form = posted.form();
    let draft = match StatementDraft::parse(&form) {
        Ok(draft) => draft,
        Err(problems) => return catalogue_page(&state, &ctx, &user, form, problems.into()).await,
    };
    let w = who(&user);
    let refusals = [Refusal::Invalid(refused)];
    match forms::save(&state, &refusals, async |tx| {
        sa::add_statement(tx, &w, &draft).await
    })
    .await?
    {
        Ok(id) => Ok(Redirect::to(&format!(
            "/zelfevaluatie/stellingen?ok=aangemaakt#stelling-{id}"
        ))
        .into_response()),
        Err(errors) => catalogue_page(&state, &ctx, &user, form, errors).await,
    }
}

struct VersionLine {
    version: i32,
    when: String,
    text: String,
    source: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "selfassessment/statement.html")]
struct StatementPage {
    layout: Layout,
    id: CatalogueStatementId,
    key: String,
    element: &'static str,
    hard: bool,
    active: bool,
    /// The version the forms were made on.
    version: i32,
    can_manage: bool,
    form: StatementForm,
    errors: Errors,
    conflict: Option<Vec<DiffRow>>,
    history: Vec<VersionLine>,
}

/// A catalogue statement, or not found.
async fn find(state: &AppState, id: CatalogueStatementId) -> AppResult<CatalogueRow> {
    sa::catalogue(&state.store)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)
}

fn form_of(row: &CatalogueRow) -> StatementForm {
    StatementForm {
        s: row.s.code().into(),
        text: row.text.clone(),
        source: row.source.clone().unwrap_or_default(),
    }
}

/// The statement's page: its edit form (as typed, when refused) and its versions.
async fn statement_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    row: CatalogueRow,
    typed: Option<StatementForm>,
    errors: Errors,
    conflict: Option<Vec<DiffRow>>,
) -> AppResult<Response> {
    let history = sa::statement_history(&state.store, row.id)
        .await?
        .into_iter()
        .map(|v| VersionLine {
            version: v.version,
            when: nl::datetime(v.changed_at),
            text: v.text,
            source: v.source.unwrap_or_default(),
            active: v.active,
        })
        .collect();
    let status = errors.status();
    let page = StatementPage {
        layout: ctx.layout(format!("Stelling {}", row.key)),
        id: row.id,
        element: row.s.label(),
        hard: row.s.is_hard(),
        active: row.active,
        version: row.version,
        can_manage: user.actor.can(Capability::ManageSelfAssessment),
        form: typed.unwrap_or_else(|| form_of(&row)),
        key: row.key,
        errors,
        conflict,
        history,
    };
    Ok((status, render(page)?).into_response())
}

/// `GET /zelfevaluatie/stellingen/{id}`.
async fn statement(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<CatalogueStatementId>,
) -> AppResult<Response> {
    let row = find(&state, id).await?;
    statement_page(&state, &ctx, &user, row, None, Errors::default(), None).await
}

fn version_of(text: &str) -> AppResult<i32> {
    text.trim().parse().map_err(|_| AppError::BadInput)
}

/// `POST /zelfevaluatie/stellingen/{id}`: a new wording, made on the version shown.
async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<CatalogueStatementId>,
    Form(posted): Form<Posted>,
) -> AppResult<Response> {
    let row = find(&state, id).await?;
    let version = version_of(&posted.version)?;
    let form = posted.form();
    let draft = match StatementDraft::parse(&form) {
        Ok(draft) => draft,
        Err(problems) => {
            // The form keeps the version it was made on: the next save still finds a conflict.
            let row = CatalogueRow { version, ..row };
            return statement_page(&state, &ctx, &user, row, Some(form), problems.into(), None)
                .await;
        }
    };
    let mut tx = state.store.begin().await?;
    match sa::edit_statement(&mut tx, &who(&user), id, version, &draft).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(
                Redirect::to(&format!("/zelfevaluatie/stellingen/{id}?ok=opgeslagen"))
                    .into_response(),
            )
        }
        Err(StoreError::Conflict) => {
            drop(tx);
            // F4: the stored wording next to what was typed; the form now carries the stored
            // version, so saving again knowingly replaces it.
            let current = find(&state, id).await?;
            let stored = form_of(&current);
            let rows = diff_versions(
                vec![("Tekst", stored.text), ("Bron", stored.source)],
                vec![("Tekst", form.text.clone()), ("Bron", form.source.clone())],
            );
            let mut errors = Errors::default();
            errors.add(
                "_form",
                "Iemand anders heeft deze stelling intussen gewijzigd. Hieronder staan beide versies; uw tekst staat in het formulier. Sla opnieuw op om de opgeslagen versie bewust te vervangen.",
            );
            statement_page(&state, &ctx, &user, current, Some(form), errors, Some(rows)).await
        }
        Err(StoreError::Invalid(invalid)) if refused(&invalid).is_some() => {
            let mut errors = Errors::default();
            if let Some((field, message)) = refused(&invalid) {
                errors.add(field, message);
            }
            let row = CatalogueRow { version, ..row };
            statement_page(&state, &ctx, &user, row, Some(form), errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ActiveForm {
    #[serde(default)]
    version: String,
    /// `ja` to put the statement (back) in use, `nee` to take it out.
    #[serde(default)]
    actief: String,
}

/// `POST /zelfevaluatie/stellingen/{id}/actief`: out of use (no longer offered for new rounds,
/// and taken out of rounds still in concept) or back in use.
async fn set_active(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<CatalogueStatementId>,
    Form(f): Form<ActiveForm>,
) -> AppResult<Response> {
    find(&state, id).await?;
    let version = version_of(&f.version)?;
    let active = match f.actief.trim() {
        "ja" => true,
        "nee" => false,
        _ => return Err(AppError::BadInput),
    };
    let mut tx = state.store.begin().await?;
    match sa::set_statement_active(&mut tx, &who(&user), id, version, active).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(
                Redirect::to(&format!("/zelfevaluatie/stellingen/{id}?ok=opgeslagen"))
                    .into_response(),
            )
        }
        Err(StoreError::Conflict) => {
            drop(tx);
            let mut errors = Errors::default();
            errors.add(
                "_form",
                "Iemand anders heeft deze stelling intussen gewijzigd; er is niets veranderd. Hieronder staat de stelling zoals ze nu is; kies opnieuw.",
            );
            let current = find(&state, id).await?;
            statement_page(&state, &ctx, &user, current, None, errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}
