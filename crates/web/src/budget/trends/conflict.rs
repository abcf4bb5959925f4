//! A trend input changed by someone else since its form was opened (F4): both versions side by
//! side.

use super::actor_for;
use super::form::{Draft, Notes, draft_of, form_page, products};
use super::visible;
use crate::shared::error::AppResult;
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, diff_versions};
use axum::response::Response;
use domain::budget::trend;
use domain::budget::{ChangeKind, ScopeKind, TrendCategory};
use domain::ids::TrendInputId;

/// Someone changed the input since the form was opened: the stored version next to what was
/// typed, the typed text kept in the form with the stored version, so saving again replaces it
/// deliberately — or, when the input was submitted or reviewed meanwhile, the text kept to copy.
pub(super) async fn conflict(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: TrendInputId,
    d: Draft,
) -> AppResult<Response> {
    let now = visible(state, user, id).await?;
    let status = now.status;
    let products = products(state, now.vakgroep_id).await?;
    let stored = draft_of(&now);
    let rows = diff_versions(shown(&stored, &products), shown(&d, &products));
    let mut errors = Errors::default();
    let d = if trend::may_edit(status, actor_for(user, now.vakgroep_id)) {
        errors.add(
            "_versie",
            "Iemand anders heeft deze trendinput intussen gewijzigd. Hieronder staan beide versies; uw invoer staat in het formulier. Neem over wat u van de opgeslagen versie wilt houden en sla opnieuw op om die bewust te vervangen.",
        );
        Draft {
            version: now.version,
            ..d
        }
    } else {
        errors.add(
            "_versie",
            format!(
                "Deze trendinput is intussen gewijzigd en heeft nu status ‘{}’; hij kan niet meer worden bewerkt. Uw invoer staat nog in het formulier, zodat u die kunt overnemen.",
                status.label()
            ),
        );
        d
    };
    let notes = Notes {
        return_reason: now.return_reason.clone(),
        conflict: Some(rows),
    };
    form_page(state, ctx, user, Some(id), d, errors, notes).await
}

/// A draft as a person reads it, field by field, for the conflict table.
fn shown(d: &Draft, products: &[store::budget::CareProduct]) -> Vec<(&'static str, String)> {
    let f = &d.form;
    let scope = if ScopeKind::parse(&f.scope) == Some(ScopeKind::Zorgproducten) {
        let mut codes: Vec<&str> = products
            .iter()
            .filter(|p| f.product_ids.contains(&p.id))
            .map(|p| p.code.as_str())
            .collect();
        codes.sort_unstable();
        format!("Gekozen zorgproducten: {}", codes.join(", "))
    } else {
        "De hele vakgroep".to_string()
    };
    let kind = ChangeKind::parse(&f.change_kind)
        .unwrap_or(ChangeKind::Percentage)
        .label();
    let category = TrendCategory::parse(&f.category)
        .map_or_else(|| f.category.clone(), |c| c.label().to_string());
    vec![
        ("Zorgproducten", scope),
        ("Soort verandering", kind.to_string()),
        ("Verandering", f.value.trim().to_string()),
        ("Categorie", category),
        ("Onderbouwing", f.rationale.trim().to_string()),
        ("Bron", f.source.trim().to_string()),
    ]
}
