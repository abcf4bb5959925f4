//! Beheer › Personen: accounts, roles, body memberships and vakgroepen.

use super::{Fields, parse_id};
use crate::shared::cookies;
use crate::shared::error::{AppError, AppResult};
use crate::shared::mail::{self, Recipient, Sender};
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::ids::PersonId;
use domain::people::{
    BodyCode, BodyKind, BodySeats, EmploymentForm, MembershipForm, PersonDraft, PersonForm,
    Position, Role,
};
use store::StoreError;

const ADMIN: Access = Access::Needs(Capability::Administer);

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/beheer/personen", ADMIN, list),
        get("/beheer/personen/nieuw", ADMIN, new_form),
        post("/beheer/personen", ADMIN, create),
        get("/beheer/personen/{id}", ADMIN, edit_form),
        post("/beheer/personen/{id}", ADMIN, update),
        post("/beheer/personen/{id}/blokkeren", ADMIN, disable),
        post("/beheer/personen/{id}/deblokkeren", ADMIN, enable),
        post("/beheer/personen/{id}/wachtwoordlink", ADMIN, new_link),
    ]
}

struct PersonRow {
    id: PersonId,
    name: String,
    email: String,
    roles: String,
    bodies: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "beheer/people.html")]
struct ListPage {
    layout: Layout,
    people: Vec<PersonRow>,
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let people = store::people::list(&state.store)
        .await?
        .into_iter()
        .map(|p| PersonRow {
            id: p.id,
            roles: p
                .roles
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
            bodies: BodyCode::join(&p.bodies, ", "),
            status: if p.disabled_at.is_some() {
                "Geblokkeerd"
            } else if !p.has_password {
                "Wacht op wachtwoord"
            } else {
                "Actief"
            },
            name: p.name,
            email: p.email,
        })
        .collect();
    render(ListPage {
        layout: ctx.layout("Personen"),
        people,
    })
}

struct RoleChoice {
    code: &'static str,
    label: &'static str,
    checked: bool,
}

struct BodyChoice {
    id: i64,
    code: String,
    name: String,
    member: bool,
    position: String,
    employment_form: String,
    /// MSB+ bodies record the employment form.
    asks_form: bool,
}

struct VakgroepChoice {
    id: i64,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "beheer/person_form.html")]
struct FormPage {
    layout: Layout,
    id: Option<PersonId>,
    version: i32,
    name: String,
    email: String,
    roles: Vec<RoleChoice>,
    bodies: Vec<BodyChoice>,
    vakgroepen: Vec<VakgroepChoice>,
    errors: Errors,
    disabled: bool,
    has_password: bool,
    /// On a conflict: what is stored now, to compare with what was typed.
    conflict: Option<String>,
    positions: &'static [Position],
    forms: &'static [EmploymentForm],
}

/// Which person the form edits (none: a new one) and what is known about the stored version.
#[derive(Default)]
struct Editing {
    id: Option<PersonId>,
    version: i32,
    disabled: bool,
    has_password: bool,
    /// On a conflict: what is stored now, to compare with what was typed.
    conflict: Option<String>,
}

impl Editing {
    fn of(p: &store::people::PersonDetail, version: i32) -> Self {
        Editing {
            id: Some(p.id),
            version,
            disabled: p.disabled,
            has_password: p.has_password,
            conflict: None,
        }
    }
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    editing: Editing,
    draft: PersonForm,
    errors: Errors,
) -> AppResult<Response> {
    let Editing {
        id,
        version,
        disabled,
        has_password,
        conflict,
    } = editing;
    let bodies = store::bodies::list(state.store.pool()).await?;
    let vakgroepen = store::vakgroepen::list(&state.store).await?;
    let page = FormPage {
        layout: ctx.layout(if id.is_some() {
            "Persoon wijzigen"
        } else {
            "Nieuwe persoon"
        }),
        id,
        version,
        roles: Role::ALL
            .iter()
            .map(|r| RoleChoice {
                code: r.code(),
                label: r.label(),
                checked: draft.roles.contains(r.code()),
            })
            .collect(),
        bodies: bodies
            .into_iter()
            .map(|b| {
                let m = draft.memberships.iter().find(|m| m.body_id == b.id);
                BodyChoice {
                    id: b.id,
                    asks_form: b.kind == BodyKind::MsbPlus,
                    member: m.is_some(),
                    position: m
                        .map(|m| m.position.clone())
                        .unwrap_or_else(|| "lid".into()),
                    employment_form: m.map(|m| m.employment_form.clone()).unwrap_or_default(),
                    code: b.code.to_string(),
                    name: b.name,
                }
            })
            .collect(),
        vakgroepen: vakgroepen
            .into_iter()
            .map(|v| VakgroepChoice {
                id: v.id,
                label: format!("{} ({})", v.name, v.code),
                selected: draft.vakgroepen.contains(&v.id),
            })
            .collect(),
        name: draft.name,
        email: draft.email,
        errors: errors.clone(),
        disabled,
        has_password,
        conflict,
        positions: Position::ALL,
        forms: EmploymentForm::ALL,
    };
    let code = errors.status();
    Ok((code, render(page)?).into_response())
}

fn draft_from(fields: &Fields) -> PersonForm {
    let memberships = fields
        .all("body")
        .iter()
        .filter_map(|v| parse_id(v))
        .map(|id| MembershipForm {
            body_id: id,
            position: fields.one(&format!("position_{id}")),
            employment_form: fields.one(&format!("form_{id}")),
        })
        .collect();
    PersonForm {
        name: fields.one("name"),
        email: fields.one("email"),
        roles: fields.all("role").into_iter().collect(),
        memberships,
        vakgroepen: fields
            .all("vakgroep")
            .iter()
            .filter_map(|v| parse_id(v))
            .collect(),
    }
}

/// The form checked against the bodies as they are now (domain rules, Dutch messages).
async fn validate(state: &AppState, draft: &PersonForm) -> AppResult<Result<PersonDraft, Errors>> {
    let bodies = store::bodies::list(state.store.pool()).await?;
    let seats: Vec<BodySeats<'_>> = bodies
        .iter()
        .map(|b| BodySeats {
            id: b.id,
            code: b.code.as_str(),
            kind: b.kind,
            seats: b.seats(),
        })
        .collect();
    Ok(PersonDraft::parse(draft, &seats).map_err(Errors::from))
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    form_page(
        &state,
        &ctx,
        Editing::default(),
        PersonForm::default(),
        Errors::default(),
    )
    .await
}

fn duplicate_email(errors: &mut Errors) {
    errors.add(
        "email",
        "Dit e-mailadres is al in gebruik bij een andere persoon.",
    );
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let draft = draft_from(&Fields(pairs));
    let input = match validate(&state, &draft).await? {
        Ok(input) => input,
        Err(errors) => return form_page(&state, &ctx, Editing::default(), draft, errors).await,
    };
    let token = cookies::random_token();
    let mut tx = state.store.begin().await?;
    let id = match store::people::create(&mut tx, &who(&user), &input, false).await {
        Ok(id) => id,
        Err(StoreError::Duplicate(_)) => {
            let mut errors = Errors::default();
            duplicate_email(&mut errors);
            return form_page(&state, &ctx, Editing::default(), draft, errors).await;
        }
        Err(e) => return Err(e.into()),
    };
    store::accounts::create_password_link(&mut tx, &who(&user), &cookies::sha256(&token), id)
        .await?;
    let to = Recipient {
        person: id,
        email: input.email.as_str().to_string(),
    };
    let hospital = state.hospital_name();
    let from = Sender::of(&state, &hospital);
    mail::account::password_link(&mut tx, &from, to, input.name.as_str(), &token).await?;
    store::commit(tx).await?;
    link_page(&state, &ctx, id, input.name.as_str(), &token, true)
}

#[derive(Template)]
#[template(path = "beheer/link_created.html")]
struct LinkPage {
    layout: Layout,
    id: PersonId,
    name: String,
    link: String,
    created: bool,
}

fn link_page(
    state: &AppState,
    ctx: &Ctx,
    id: PersonId,
    name: &str,
    token: &str,
    created: bool,
) -> AppResult<Response> {
    render(LinkPage {
        layout: ctx.layout("Link om een wachtwoord in te stellen"),
        id,
        name: name.to_string(),
        link: format!("{}/wachtwoord-instellen/{token}", state.config.base_url),
        created,
    })
}

fn draft_of(p: &store::people::PersonDetail) -> PersonForm {
    PersonForm {
        name: p.name.clone(),
        email: p.email.clone(),
        roles: p.roles.iter().map(|r| r.code().to_string()).collect(),
        memberships: p
            .memberships
            .iter()
            .map(|m| MembershipForm {
                body_id: m.body_id,
                position: m.position.code().to_string(),
                employment_form: m
                    .employment_form
                    .map(|f| f.code().to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        vakgroepen: p.vakgroepen.iter().copied().collect(),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<PersonId>,
) -> AppResult<Response> {
    let p = store::people::get(&state.store, id).await?;
    form_page(
        &state,
        &ctx,
        Editing::of(&p, p.version),
        draft_of(&p),
        Errors::default(),
    )
    .await
}

fn describe(p: &store::people::PersonDetail) -> String {
    let roles: Vec<&str> = p.roles.iter().map(|r| r.label()).collect();
    let bodies: Vec<String> = p
        .memberships
        .iter()
        .map(|m| format!("{} ({})", m.body_code, m.position.code()))
        .collect();
    format!(
        "{} <{}>; rollen: {}; gremia: {}",
        p.name,
        p.email,
        if roles.is_empty() {
            "geen".into()
        } else {
            roles.join(", ")
        },
        if bodies.is_empty() {
            "geen".into()
        } else {
            bodies.join(", ")
        }
    )
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<PersonId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let fields = Fields(pairs);
    let version: i32 = fields.one("version").parse().unwrap_or(0);
    let draft = draft_from(&fields);
    let current = store::people::get(&state.store, id).await?;
    let input = match validate(&state, &draft).await?.and_then(|input| {
        input
            .check_own_edit(id == user.actor.person_id)
            .map_err(|e| Errors::from(vec![e]))?;
        Ok(input)
    }) {
        Ok(input) => input,
        Err(errors) => {
            return form_page(&state, &ctx, Editing::of(&current, version), draft, errors).await;
        }
    };
    let mut tx = state.store.begin().await?;
    match store::people::update(&mut tx, &who(&user), id, version, &input).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(Redirect::to("/beheer/personen?ok=opgeslagen").into_response())
        }
        Err(StoreError::Conflict) => {
            let mut errors = Errors::default();
            errors.add(
                "_form",
                "Iemand anders heeft deze persoon gewijzigd terwijl u bezig was. Uw invoer staat hieronder; vergelijk met de opgeslagen gegevens en sla opnieuw op.",
            );
            // The stored version is the one now shown, so saving again merges deliberately.
            let editing = Editing {
                conflict: Some(describe(&current)),
                ..Editing::of(&current, current.version)
            };
            form_page(&state, &ctx, editing, draft, errors).await
        }
        Err(StoreError::Duplicate(_)) => {
            let mut errors = Errors::default();
            duplicate_email(&mut errors);
            form_page(&state, &ctx, Editing::of(&current, version), draft, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn set_disabled(
    state: &AppState,
    user: &User,
    id: PersonId,
    disabled: bool,
) -> AppResult<Response> {
    if disabled && id == user.actor.person_id {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.store.begin().await?;
    store::people::set_disabled(&mut tx, &who(user), id, disabled).await?;
    store::commit(tx).await?;
    let ok = if disabled {
        "geblokkeerd"
    } else {
        "gedeblokkeerd"
    };
    Ok(Redirect::to(&format!("/beheer/personen/{id}?ok={ok}")).into_response())
}

async fn disable(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<PersonId>,
) -> AppResult<Response> {
    set_disabled(&state, &user, id, true).await
}

async fn enable(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<PersonId>,
) -> AppResult<Response> {
    set_disabled(&state, &user, id, false).await
}

async fn new_link(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<PersonId>,
) -> AppResult<Response> {
    let person = store::people::get(&state.store, id).await?;
    let token = cookies::random_token();
    let mut tx = state.store.begin().await?;
    store::accounts::create_password_link(&mut tx, &who(&user), &cookies::sha256(&token), id)
        .await?;
    let to = Recipient {
        person: id,
        email: person.email.clone(),
    };
    let hospital = state.hospital_name();
    let from = Sender::of(&state, &hospital);
    mail::account::password_link(&mut tx, &from, to, &person.name, &token).await?;
    store::commit(tx).await?;
    link_page(&state, &ctx, id, &person.name, &token, false)
}
