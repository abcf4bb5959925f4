//! Deleting a care product or one norm time, each behind a confirmation page (no JavaScript
//! needed) that tells what goes with it, or why it cannot go.

use super::{MANAGE, YearQuery, chosen_year, parse_year, products::back, visible_product};
use crate::shared::error::{AppError, AppResult};
use crate::shared::routes::{RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::ids::CareProductId;
use serde::Deserialize;
use store::StoreError;
use store::budget::{CareProduct, ProductDeletion, ProductReferences};

const PRODUCT: &str = "/begroting/stamgegevens/zorgproducten/{id}/verwijderen";
const NORM_TIME: &str = "/begroting/stamgegevens/zorgproducten/{id}/normtijd/verwijderen";

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        get(PRODUCT, MANAGE, confirm_product),
        post(PRODUCT, MANAGE, delete_product),
        get(NORM_TIME, MANAGE, confirm_norm_time),
        post(NORM_TIME, MANAGE, delete_norm_time),
    ]
}

const CONFLICT: &str = "Iemand anders heeft dit intussen gewijzigd. Er is niets verwijderd. Hieronder staat de huidige stand; bevestig opnieuw als u het toch wilt verwijderen.";

/// An import or a trend input reached the product between the check and the delete.
const IN_USE_MEANWHILE: &str = "Dit zorgproduct is intussen in gebruik genomen (volumes of trendinput) en is niet verwijderd; zet het op inactief.";

#[derive(Template)]
#[template(path = "budget/master/confirm_delete.html")]
struct ConfirmPage {
    layout: Layout,
    back: String,
    back_label: String,
    action: String,
    subject: String,
    /// What is deleted along with it.
    consequences: Vec<String>,
    /// Why it cannot be deleted; the page then offers no button.
    refusal: Option<String>,
    errors: Errors,
    version: i32,
    jaar: String,
    button: &'static str,
}

impl ConfirmPage {
    /// `OK` when asked for, `UNPROCESSABLE_ENTITY` when shown again after a refused delete.
    fn respond(self, status: StatusCode) -> AppResult<Response> {
        Ok((status, render(self)?).into_response())
    }
}

#[derive(Deserialize, Default)]
struct DeleteForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    jaar: String,
}

fn years(years: &[i16]) -> String {
    years
        .iter()
        .map(i16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a product cannot be deleted, in the controller's words, or `None` if it can.
fn refusal(refs: &ProductReferences, active: bool) -> Option<String> {
    let mut what = Vec::new();
    if !refs.volume_years.is_empty() {
        what.push(format!(
            "gerealiseerde volumes ({})",
            years(&refs.volume_years)
        ));
    }
    if !refs.trend_input_years.is_empty() {
        what.push(format!("trendinput ({})", years(&refs.trend_input_years)));
    }
    let comma = if what.len() > 1 { "," } else { "" };
    let instead = if active {
        "zet het op inactief"
    } else {
        "het staat al op inactief"
    };
    (!what.is_empty()).then(|| {
        format!(
            "Dit zorgproduct heeft {}{comma} en kan niet worden verwijderd; {instead}.",
            what.join(" en ")
        )
    })
}

fn product_list(p: &CareProduct, jaar: &str) -> String {
    let year = parse_year(jaar)
        .map(|y| format!("?jaar={y}"))
        .unwrap_or_default();
    format!(
        "/begroting/stamgegevens/vakgroepen/{}/zorgproducten{year}",
        p.vakgroep_id
    )
}

// ---------------------------------------------------------------------------------------------
// A care product

async fn product_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: CareProductId,
    jaar: String,
    errors: Errors,
    status: StatusCode,
) -> AppResult<Response> {
    let p = visible_product(state, user, id).await?;
    let refs = store::budget::care_product_references(state.store.pool(), id).await?;
    let consequences = if refs.norm_time_years.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "Ook de normtijden van dit zorgproduct ({}) worden verwijderd.",
            years(&refs.norm_time_years)
        )]
    };
    ConfirmPage {
        layout: ctx.layout(format!("Zorgproduct {} verwijderen", p.code)),
        back: product_list(&p, &jaar),
        back_label: format!("Zorgproducten van {}", p.vakgroep_code),
        action: PRODUCT.replace("{id}", &id.to_string()),
        subject: format!("{} {} — {}", p.vakgroep_code, p.code, p.description),
        consequences,
        refusal: refusal(&refs, p.active),
        errors,
        version: p.version,
        jaar,
        button: "Zorgproduct verwijderen",
    }
    .respond(status)
}

async fn confirm_product(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<CareProductId>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    product_page(
        &state,
        &ctx,
        &user,
        id,
        q.jaar,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

async fn delete_product(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<CareProductId>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let p = visible_product(&state, &user, id).await?;
    let mut tx = state.store.begin().await?;
    let mut errors = Errors::default();
    match store::budget::delete_care_product(&mut tx, &who(&user), id, form.version).await {
        Ok(ProductDeletion::Deleted { .. }) => {
            store::commit(tx).await?;
            return Ok(back(p.vakgroep_id, &form.jaar, "verwijderd"));
        }
        // The page reads the references again and shows the refusal.
        Ok(ProductDeletion::Refused(_)) => {}
        Err(StoreError::Conflict) => errors.add("_form", CONFLICT),
        Err(StoreError::InUse(_)) => errors.add("_form", IN_USE_MEANWHILE),
        Err(e) => return Err(e.into()),
    }
    drop(tx);
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    product_page(&state, &ctx, &user, id, form.jaar, errors, refused).await
}

// ---------------------------------------------------------------------------------------------
// One norm time

async fn norm_time_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: CareProductId,
    year: i16,
    errors: Errors,
    status: StatusCode,
) -> AppResult<Response> {
    let p = visible_product(state, user, id).await?;
    let n = store::budget::norm_time(state.store.pool(), year, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let jaar = year.to_string();
    ConfirmPage {
        layout: ctx.layout(format!("Normtijd {year} van {} verwijderen", p.code)),
        back: product_list(&p, &jaar),
        back_label: format!("Zorgproducten van {}", p.vakgroep_code),
        action: NORM_TIME.replace("{id}", &id.to_string()),
        subject: format!(
            "{} {} — {}: {} minuten in {year}.",
            p.vakgroep_code,
            p.code,
            p.description,
            domain::budget::minutes_text(n.minutes)
        ),
        consequences: vec![format!(
            "Het zorgproduct blijft bestaan, zonder normtijd in {year}."
        )],
        refusal: None,
        errors,
        version: n.version,
        jaar,
        button: "Normtijd verwijderen",
    }
    .respond(status)
}

async fn confirm_norm_time(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<CareProductId>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let (year, _) = chosen_year(&state.store, &q).await?;
    norm_time_page(
        &state,
        &ctx,
        &user,
        id,
        year,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

async fn delete_norm_time(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<CareProductId>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let p = visible_product(&state, &user, id).await?;
    let year = parse_year(&form.jaar).ok_or(AppError::NotFound)?;
    let mut tx = state.store.begin().await?;
    match store::budget::delete_norm_time(&mut tx, &who(&user), year, id, form.version).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(back(p.vakgroep_id, &form.jaar, "verwijderd"))
        }
        Err(StoreError::Conflict) => {
            drop(tx);
            let mut errors = Errors::default();
            errors.add("_form", CONFLICT);
            let refused = StatusCode::UNPROCESSABLE_ENTITY;
            norm_time_page(&state, &ctx, &user, id, year, errors, refused).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_names_every_reference_with_its_years() {
        let mut refs = ProductReferences {
            norm_time_years: vec![2026],
            ..Default::default()
        };
        assert_eq!(refusal(&refs, true), None);
        refs.volume_years = vec![2025, 2026];
        assert_eq!(
            refusal(&refs, true).unwrap(),
            "Dit zorgproduct heeft gerealiseerde volumes (2025, 2026) en kan niet worden verwijderd; zet het op inactief."
        );
        refs.trend_input_years = vec![2027];
        assert_eq!(
            refusal(&refs, false).unwrap(),
            "Dit zorgproduct heeft gerealiseerde volumes (2025, 2026) en trendinput (2027), en kan niet worden verwijderd; het staat al op inactief."
        );
    }
}
