//! The trend-input form, with the effect on the vakgroep's norm hours and norm-fte.

use super::super::scenarios::engine;
use super::super::scenarios::{ids, one, year_of};
use super::*;
use crate::shared::error::{AppError, AppResult};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, DiffRow, Errors, Layout, diff_versions, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::budget::trend::{self, TrendStatus};
use domain::budget::{
    TrendCategory, TrendChange, TrendForm, TrendInput, TrendScope, compute_vakgroep, fte_text,
    hours_text, validate_trend_form,
};
use rust_decimal::Decimal;
use store::StoreError;
use store::budget::TrendInputInput;

// ---------------------------------------------------------------------------------------------
// The form, with the effect on the vakgroep's norm hours and norm-fte

/// What was typed, kept as typed.
#[derive(Default)]
pub(super) struct Draft {
    pub(super) version: i32,
    pub(super) year: i16,
    pub(super) vakgroep_id: i64,
    pub(super) scenario_id: Option<i64>,
    pub(super) form: TrendForm,
}

pub(super) fn draft_from(pairs: &Pairs) -> Draft {
    let s = |k: &str| one(pairs, k).to_string();
    Draft {
        version: one(pairs, "version").parse().unwrap_or(0),
        year: one(pairs, "jaar").parse().unwrap_or(0),
        vakgroep_id: one(pairs, "vakgroep").parse().unwrap_or(0),
        scenario_id: one(pairs, "scenario").parse().ok(),
        form: TrendForm {
            scope: s("scope"),
            product_ids: ids(pairs, "product"),
            change_kind: s("change_kind"),
            value: s("value"),
            category: s("category"),
            rationale: s("rationale"),
            source: s("source"),
        },
    }
}

pub(super) fn draft_of(t: &store::budget::TrendInput) -> Draft {
    Draft {
        version: t.version,
        year: t.year,
        vakgroep_id: t.vakgroep_id,
        scenario_id: None,
        form: TrendForm {
            scope: t.scope.clone(),
            product_ids: t.product_ids.clone(),
            change_kind: t.kind.clone(),
            value: domain::nl::number(t.value, t.value.normalize().scale().min(2)),
            category: t.category.clone(),
            rationale: t.rationale.clone(),
            source: t.source.clone(),
        },
    }
}

pub(super) struct Choice {
    pub(super) value: String,
    pub(super) label: String,
    pub(super) selected: bool,
}

pub(super) struct ProductChoice {
    pub(super) id: i64,
    pub(super) code: String,
    pub(super) description: String,
    pub(super) checked: bool,
}

/// The effect of a draft on its vakgroep in one scenario, before → after.
pub(crate) struct Effect {
    pub(super) scenario_name: String,
    pub(super) reference_year: i16,
    pub(super) hours_before: String,
    pub(super) hours_after: String,
    pub(super) hours_difference: String,
    pub(super) fte_before: String,
    pub(super) fte_after: String,
    pub(super) fte_difference: String,
    pub(super) base_before: String,
    pub(super) base_after: String,
    pub(super) issues: Vec<String>,
}

#[derive(Template)]
#[template(path = "budget/trend_effect.html")]
pub(super) struct EffectFragment {
    pub(super) effect: Option<Effect>,
    /// Why there is no effect to show.
    pub(super) missing: Option<String>,
}

#[derive(Template)]
#[template(path = "budget/trend_form.html")]
pub(super) struct FormPage {
    pub(super) layout: Layout,
    pub(super) action: String,
    pub(super) cancel: String,
    pub(super) d: Draft,
    pub(super) vakgroep: String,
    pub(super) products: Vec<ProductChoice>,
    pub(super) categories: Vec<Choice>,
    pub(super) scenarios: Vec<Choice>,
    pub(super) errors: Errors,
    pub(super) effect: EffectFragment,
    pub(super) notes: Notes,
    pub(super) id: Option<i64>,
    pub(super) budget_js: &'static str,
}

/// What the form says above its fields besides the errors.
#[derive(Default)]
pub(super) struct Notes {
    /// Why a reviewer returned the input.
    pub(super) return_reason: String,
    /// After a version conflict: the stored input next to what was typed.
    pub(super) conflict: Option<Vec<DiffRow>>,
}

/// What `input` does to its vakgroep in the chosen scenario of the draft's year (or the year's
/// first): the vakgroep with the scenario's accepted inputs, without and with `input`. `replaces`
/// is the stored input the draft stands for, left out of "without" so it is not counted twice.
pub(super) async fn effect(
    state: &AppState,
    d: &Draft,
    input: Option<TrendInput>,
    replaces: Option<i64>,
) -> AppResult<EffectFragment> {
    let scenarios = store::budget::scenarios(&state.store, Some(d.year)).await?;
    let Some(chosen) = d
        .scenario_id
        .and_then(|id| scenarios.iter().find(|s| s.id == id))
        .or(scenarios.first())
    else {
        return Ok(EffectFragment {
            effect: None,
            missing: Some(format!(
                "Er is nog geen scenario voor {}; het effect kan worden berekend zodra de controller er een heeft gemaakt.",
                d.year
            )),
        });
    };
    let Some(input) = input else {
        return Ok(EffectFragment {
            effect: None,
            missing: Some("Vul de verandering volledig en juist in om het effect te zien.".into()),
        });
    };
    let l = engine::load(state, chosen.id).await?;
    let Some(index) = l.index_of(d.vakgroep_id) else {
        return Ok(EffectFragment {
            effect: None,
            missing: Some("Deze vakgroep komt in het scenario niet voor.".into()),
        });
    };
    // Before: the vakgroep as the scenario computes it, without the stored version of this
    // input; after: with the draft as typed.
    let mut base = l.input.vakgroepen[index].clone();
    if let Some(id) = replaces {
        base.trends.retain(|t| t.id != id);
    }
    let mut with = base.clone();
    with.trends.push(input);
    let before = compute_vakgroep(&base, &l.params);
    let after = compute_vakgroep(&with, &l.params);
    let text = |x: Option<Decimal>, f: fn(Decimal) -> String| x.map(f).unwrap_or("–".into());
    let diff = |a: Option<Decimal>, b: Option<Decimal>| match (a, b) {
        (Some(a), Some(b)) => engine::signed(b - a),
        _ => "–".into(),
    };
    let f = |v: &domain::budget::VakgroepResult| v.fte.map(|f| f.norm_fte);
    let f0 = |v: &domain::budget::VakgroepResult| v.fte.map(|f| f.base_norm_fte);
    Ok(EffectFragment {
        effect: Some(Effect {
            scenario_name: chosen.name.clone(),
            reference_year: chosen.reference_year,
            hours_before: text(before.norm_hours, hours_text),
            hours_after: text(after.norm_hours, hours_text),
            hours_difference: diff(before.norm_hours, after.norm_hours),
            fte_before: text(f(&before), fte_text),
            fte_after: text(f(&after), fte_text),
            fte_difference: diff(f(&before), f(&after)),
            base_before: text(f0(&before), fte_text),
            base_after: text(f0(&after), fte_text),
            issues: after.issues.iter().map(|i| i.message.clone()).collect(),
        }),
        missing: None,
    })
}

/// The vakgroep of a form: one the person represents, or not found.
pub(super) async fn own_vakgroep(
    state: &AppState,
    user: &User,
    id: i64,
) -> AppResult<store::vakgroepen::Vakgroep> {
    if !user.actor.vakgroepen.contains(&id) {
        return Err(AppError::NotFound);
    }
    store::vakgroepen::list(&state.store)
        .await?
        .into_iter()
        .find(|v| v.id == id)
        .ok_or(AppError::NotFound)
}

pub(super) async fn product_ids(
    state: &AppState,
    vakgroep_id: i64,
) -> AppResult<Vec<store::budget::CareProduct>> {
    Ok(
        store::budget::care_products(&state.store, Some(vakgroep_id))
            .await?
            .into_iter()
            .filter(|p| p.active)
            .collect(),
    )
}

pub(super) async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: Option<i64>,
    d: Draft,
    errors: Errors,
    notes: Notes,
) -> AppResult<Response> {
    let vakgroep = own_vakgroep(state, user, d.vakgroep_id).await?;
    let products = product_ids(state, d.vakgroep_id).await?;
    let known: Vec<i64> = products.iter().map(|p| p.id).collect();
    let input = validate_trend_form(&d.form, &known)
        .ok()
        .map(|draft| draft.to_input(id.unwrap_or(0)));
    let effect = effect(state, &d, input, id).await?;
    let scenarios = store::budget::scenarios(&state.store, Some(d.year))
        .await?
        .into_iter()
        .map(|s| Choice {
            selected: Some(s.id) == d.scenario_id,
            value: s.id.to_string(),
            label: s.name,
        })
        .collect();
    let status = if notes.conflict.is_some() {
        StatusCode::CONFLICT
    } else {
        errors.status()
    };
    let page = FormPage {
        layout: ctx.layout(if id.is_some() {
            "Trendinput bewerken"
        } else {
            "Nieuwe trendinput"
        }),
        action: id
            .map(|id| format!("/begroting/trendinput/{id}"))
            .unwrap_or("/begroting/trendinput".into()),
        cancel: id
            .map(|id| format!("/begroting/trendinput/{id}"))
            .unwrap_or_else(|| format!("/begroting/trendinput?jaar={}", d.year)),
        vakgroep: format!("{} – {}", vakgroep.code, vakgroep.name),
        products: products
            .into_iter()
            .map(|p| ProductChoice {
                checked: d.form.product_ids.contains(&p.id),
                id: p.id,
                code: p.code,
                description: p.description,
            })
            .collect(),
        categories: TrendCategory::ALL
            .iter()
            .map(|c| Choice {
                value: c.code().into(),
                label: c.label().into(),
                selected: d.form.category == c.code(),
            })
            .collect(),
        scenarios,
        d,
        errors,
        effect,
        notes,
        id,
        budget_js: crate::shared::assets::budget_js_url(),
    };
    Ok((status, render(page)?).into_response())
}

pub(super) async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(pairs): Query<Pairs>,
) -> AppResult<Response> {
    let mut d = draft_from(&pairs);
    d.year = year_of(&state, &pairs).await?;
    if d.vakgroep_id == 0 && user.actor.vakgroepen.len() == 1 {
        d.vakgroep_id = *user.actor.vakgroepen.iter().next().unwrap_or(&0);
    }
    if d.form.scope.is_empty() {
        d.form.scope = "vakgroep".into();
    }
    if d.form.change_kind.is_empty() {
        d.form.change_kind = "percentage".into();
    }
    form_page(
        &state,
        &ctx,
        &user,
        None,
        d,
        Errors::default(),
        Notes::default(),
    )
    .await
}

/// The form checked, as the store wants it.
pub(super) fn to_store(d: &Draft, known: &[i64]) -> Result<TrendInputInput, Errors> {
    let draft = validate_trend_form(&d.form, known).map_err(|fields| {
        let mut errors = Errors::default();
        for f in fields {
            errors.field(f);
        }
        errors
    })?;
    let (kind, value) = match draft.change {
        TrendChange::Percent(p) => ("percentage", p),
        TrendChange::Absolute(a) => ("absoluut", a),
    };
    let (scope, product_ids) = match draft.scope {
        TrendScope::Vakgroep => ("vakgroep", Vec::new()),
        TrendScope::Products(ids) => ("zorgproducten", ids),
    };
    Ok(TrendInputInput {
        year: d.year,
        vakgroep_id: d.vakgroep_id,
        scope: scope.into(),
        product_ids,
        kind: kind.into(),
        value,
        category: draft.category.code().into(),
        rationale: draft.rationale,
        source: draft.source.unwrap_or_default(),
    })
}

pub(super) fn store_error(e: StoreError, errors: &mut Errors) -> AppResult<()> {
    match e {
        StoreError::Conflict => errors.add(
            "_versie",
            "Iemand anders heeft deze trendinput intussen gewijzigd. Open hem opnieuw en breng uw wijziging dan aan.",
        ),
        StoreError::Other(message) => errors.add("_trend", message),
        StoreError::InUse(_) => errors.add("products", "Een gekozen zorgproduct hoort niet bij deze vakgroep."),
        other => return Err(other.into()),
    }
    Ok(())
}

/// Saves (and on `actie=indienen` submits) the form, or shows it again with its effect.
pub(super) async fn save(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: Option<i64>,
    pairs: &Pairs,
    mut d: Draft,
) -> AppResult<Response> {
    own_vakgroep(state, user, d.vakgroep_id).await?;
    let mut notes = Notes::default();
    let mut stored_status = TrendStatus::Concept;
    if let Some(id) = id {
        // Year and vakgroep are the stored input's; a representative cannot move it.
        let stored = visible(state, user, id).await?;
        if !user.actor.vakgroepen.contains(&stored.vakgroep_id) {
            return Err(AppError::NotFound);
        }
        d.year = stored.year;
        d.vakgroep_id = stored.vakgroep_id;
        notes.return_reason = stored.return_reason.clone();
        stored_status = TrendStatus::parse(&stored.status).unwrap_or(TrendStatus::Verwerkt);
    }
    let action = one(pairs, "actie");
    let known: Vec<i64> = product_ids(state, d.vakgroep_id)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    let input = match to_store(&d, &known) {
        Ok(input) if action != "voorbeeld" => input,
        Ok(_) => {
            return form_page(state, ctx, user, id, d, Errors::default(), notes).await;
        }
        Err(errors) => {
            return form_page(state, ctx, user, id, d, errors, notes).await;
        }
    };
    let who = who(user);
    let mut tx = state.store.begin().await?;
    let result = async {
        let (id, mut version) = match id {
            None => (
                store::budget::create_trend_input(&mut tx, &who, &input).await?,
                1,
            ),
            Some(id) => {
                store::budget::update_trend_input(&mut tx, &who, id, d.version, &input).await?;
                let mut version = d.version + 1;
                let after = trend::status_after_edit(stored_status);
                if after != stored_status {
                    store::budget::change_trend_status(
                        &mut tx,
                        &who,
                        id,
                        version,
                        after.code(),
                        "Bewerkt na terugsturen",
                    )
                    .await?;
                    version += 1;
                }
                (id, version)
            }
        };
        if action == "indienen" {
            store::budget::change_trend_status(
                &mut tx,
                &who,
                id,
                version,
                TrendStatus::Ingediend.code(),
                "",
            )
            .await?;
            version += 1;
        }
        Ok::<_, StoreError>((id, version))
    }
    .await;
    match result {
        Ok((id, _)) => {
            store::commit(tx).await?;
            let ok = if d.version == 0 && action != "indienen" {
                "aangemaakt"
            } else {
                "opgeslagen"
            };
            Ok(Redirect::to(&format!("/begroting/trendinput/{id}?ok={ok}")).into_response())
        }
        Err(StoreError::Conflict) if id.is_some() => {
            drop(tx);
            conflict(state, ctx, user, id.unwrap_or_default(), d).await
        }
        Err(e) => {
            drop(tx);
            let mut errors = Errors::default();
            store_error(e, &mut errors)?;
            form_page(state, ctx, user, id, d, errors, notes).await
        }
    }
}

/// Someone changed the input since the form was opened: the stored version next to what was
/// typed, the typed text kept in the form with the stored version, so saving again replaces it
/// deliberately — or, when the input was submitted or reviewed meanwhile, the text kept to copy.
async fn conflict(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: i64,
    d: Draft,
) -> AppResult<Response> {
    let now = visible(state, user, id).await?;
    let status = TrendStatus::parse(&now.status).unwrap_or(TrendStatus::Verwerkt);
    let products = product_ids(state, now.vakgroep_id).await?;
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
    let scope = if f.scope == "zorgproducten" {
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
    let kind = match f.change_kind.as_str() {
        "absoluut" => "Absoluut volume",
        _ => "Percentage",
    };
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

pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let d = draft_from(&pairs);
    save(&state, &ctx, &user, None, &pairs, d).await
}

pub(super) async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let t = visible(&state, &user, id).await?;
    let status = TrendStatus::parse(&t.status).unwrap_or(TrendStatus::Verwerkt);
    if !user.actor.vakgroepen.contains(&t.vakgroep_id) {
        return Err(AppError::NotFound);
    }
    if !trend::may_edit(status, actor_for(&user, t.vakgroep_id)) {
        return Ok(Redirect::to(&format!("/begroting/trendinput/{id}")).into_response());
    }
    form_page(
        &state,
        &ctx,
        &user,
        Some(id),
        draft_of(&t),
        Errors::default(),
        Notes {
            return_reason: t.return_reason.clone(),
            conflict: None,
        },
    )
    .await
}

pub(super) async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let t = visible(&state, &user, id).await?;
    let mut d = draft_from(&pairs);
    d.vakgroep_id = t.vakgroep_id;
    d.year = t.year;
    save(&state, &ctx, &user, Some(id), &pairs, d).await
}

/// The effect as the person types (static/budget.js): an HTML fragment for the form's preview.
pub(super) async fn preview(
    State(state): State<AppState>,
    user: User,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let mut d = draft_from(&pairs);
    let replaces: Option<i64> = one(&pairs, "id").parse().ok();
    if let Some(id) = replaces {
        let t = visible(&state, &user, id).await?;
        d.vakgroep_id = t.vakgroep_id;
        d.year = t.year;
    }
    own_vakgroep(&state, &user, d.vakgroep_id).await?;
    let known: Vec<i64> = product_ids(&state, d.vakgroep_id)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    let input = validate_trend_form(&d.form, &known)
        .ok()
        .map(|draft| draft.to_input(replaces.unwrap_or(0)));
    let fragment = effect(&state, &d, input, replaces).await?;
    Ok(Html(fragment.render()?).into_response())
}
