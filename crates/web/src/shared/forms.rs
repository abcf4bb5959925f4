//! The shape of a form's POST, written once: the store's write in one transaction, a conflict or
//! a taken value answered at the form's field (so the page shows what was typed), commit. The
//! handler parses the form with the domain's rules before and redirects after.

use super::error::AppResult;
use super::state::AppState;
use super::views::Errors;
use axum::response::{IntoResponse, Redirect, Response};
use domain::people::FieldError;
use store::{Invalid, PgConnection, StoreError};

/// How a refusal of the store reads on the form.
#[derive(Debug, Clone, Copy)]
pub enum Refusal {
    /// Someone else saved a newer version (F4): the message for the form as a whole.
    Conflict(&'static str),
    /// A unique value is taken; `constraint` names the database's constraint (any, when `None`).
    Duplicate {
        constraint: Option<&'static str>,
        field: &'static str,
        message: &'static str,
    },
    /// A row the write refers to is still in use elsewhere.
    InUse {
        field: &'static str,
        message: &'static str,
    },
    /// A write the store refused as invalid: the field and the words for it, `None` for an error
    /// page.
    Invalid(fn(&Invalid) -> Option<(&'static str, String)>),
}

impl Refusal {
    /// The form's errors for `e`, when this refusal answers it.
    pub fn errors(&self, e: &StoreError) -> Option<Errors> {
        let mut errors = Errors::default();
        match (self, e) {
            (Refusal::Conflict(message), StoreError::Conflict) => errors.add("_form", *message),
            (
                Refusal::Duplicate {
                    constraint,
                    field,
                    message,
                },
                StoreError::Duplicate(c),
            ) if constraint.is_none_or(|want| want == c) => errors.add(field, *message),
            (Refusal::InUse { field, message }, StoreError::InUse(_)) => {
                errors.add(field, *message)
            }
            (Refusal::Invalid(answer), StoreError::Invalid(invalid)) => {
                let (field, message) = answer(invalid)?;
                errors.add(field, message)
            }
            _ => return None,
        }
        Some(errors)
    }
}

/// Runs `write` in a transaction and commits it. A store refusal listed in `refusals` comes back
/// as `Ok(Err(errors))` for the form (nothing is kept); anything else is an error page.
pub async fn save<T>(
    state: &AppState,
    refusals: &[Refusal],
    write: impl AsyncFnOnce(&mut PgConnection) -> Result<T, StoreError>,
) -> AppResult<Result<T, Errors>> {
    let mut tx = state.store.begin().await?;
    match write(&mut tx).await {
        Ok(value) => {
            store::commit(tx).await?;
            Ok(Ok(value))
        }
        Err(e) => match refusals.iter().find_map(|r| r.errors(&e)) {
            Some(errors) => Ok(Err(errors)),
            None => Err(e.into()),
        },
    }
}

/// The whole POST of a simple form, written once: the domain's `parse`, the store's `write`
/// through [`save`], then a redirect to `to` (which may depend on the draft, e.g. its year); a
/// refused form goes back to `page` with what was typed and the messages at their fields.
pub async fn submit<F, D, T>(
    state: &AppState,
    form: F,
    parse: impl FnOnce(&F) -> Result<D, Vec<FieldError>>,
    refusals: &[Refusal],
    write: impl AsyncFnOnce(&mut PgConnection, &D) -> Result<T, StoreError>,
    to: impl FnOnce(&D) -> String,
    page: impl AsyncFnOnce(F, Errors) -> AppResult<Response>,
) -> AppResult<Response> {
    let draft = match parse(&form) {
        Ok(draft) => draft,
        Err(problems) => return page(form, problems.into()).await,
    };
    match save(state, refusals, async |tx| write(tx, &draft).await).await? {
        Ok(_) => Ok(Redirect::to(&to(&draft)).into_response()),
        Err(errors) => page(form, errors).await,
    }
}
