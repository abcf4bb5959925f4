//! The trend-input form, with the effect on the vakgroep's norm hours and norm-fte.

use super::super::scenarios::engine;
use super::super::scenarios::{ids, one, own_vakgroepen, year_of};
use super::*;
use crate::shared::error::{AppError, AppResult};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, DiffRow, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::budget::trend::{self, TrendStatus};
use domain::budget::{
    ChangeKind, ScopeKind, TrendCategory, TrendDraft, TrendForm, TrendInput, compute_vakgroep,
    fte_text, hours_text,
};
use domain::ids::{CareProductId, ScenarioId, TrendInputId, VakgroepId};
use rust_decimal::Decimal;
use store::budget::TrendInputInput;
use store::{Invalid, StoreError};

// ---------------------------------------------------------------------------------------------
// The form, with the effect on the vakgroep's norm hours and norm-fte

/// What was typed, kept as typed.
pub(super) struct Draft {
    pub(super) version: i32,
    pub(super) year: i16,
    pub(super) vakgroep_id: VakgroepId,
    pub(super) scenario_id: Option<ScenarioId>,
    pub(super) form: TrendForm,
}

pub(super) fn draft_from(pairs: &Pairs) -> Draft {
    let s = |k: &str| one(pairs, k).to_string();
    Draft {
        version: one(pairs, "version").parse().unwrap_or(0),
        year: one(pairs, "jaar").parse().unwrap_or(0),
        vakgroep_id: one(pairs, "vakgroep").parse().unwrap_or(VakgroepId::new(0)),
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
            scope: t.scope.code().into(),
            product_ids: t.product_ids.clone(),
            change_kind: t.kind.code().into(),
            value: domain::nl::number(t.value, t.value.normalize().scale().min(2)),
            category: t.category.code().into(),
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
    pub(super) id: CareProductId,
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
    pub(super) id: Option<TrendInputId>,
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
    replaces: Option<TrendInputId>,
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
        base.trends.retain(|t| t.id != id.get());
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
    id: VakgroepId,
) -> AppResult<store::vakgroepen::Vakgroep> {
    if !user.actor.vakgroepen.contains(&id.get()) {
        return Err(AppError::NotFound);
    }
    store::vakgroepen::list(&state.store)
        .await?
        .into_iter()
        .find(|v| v.id == id.get())
        .ok_or(AppError::NotFound)
}

/// The active care products of a vakgroep: those a trend input can name.
pub(super) async fn products(
    state: &AppState,
    vakgroep_id: VakgroepId,
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
    id: Option<TrendInputId>,
    d: Draft,
    errors: Errors,
    notes: Notes,
) -> AppResult<Response> {
    let vakgroep = own_vakgroep(state, user, d.vakgroep_id).await?;
    let products = products(state, d.vakgroep_id).await?;
    let known: Vec<CareProductId> = products.iter().map(|p| p.id).collect();
    let input = TrendDraft::parse(&d.form, &known)
        .ok()
        .map(|draft| draft.to_input(id.map_or(0, TrendInputId::get)));
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
    if d.vakgroep_id.get() == 0
        && let [only] = own_vakgroepen(&user).as_slice()
    {
        d.vakgroep_id = *only;
    }
    if d.form.scope.is_empty() {
        d.form.scope = ScopeKind::Vakgroep.code().into();
    }
    if d.form.change_kind.is_empty() {
        d.form.change_kind = ChangeKind::Percentage.code().into();
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

/// The form checked with the domain's trend-input rules, as the store wants it.
pub(super) fn to_store(d: &Draft, known: &[CareProductId]) -> Result<TrendInputInput, Errors> {
    let draft = TrendDraft::parse(&d.form, known).map_err(|fields| {
        let mut errors = Errors::default();
        for f in fields {
            errors.field(f);
        }
        errors
    })?;
    Ok(TrendInputInput::from_draft(d.year, d.vakgroep_id, draft))
}

/// A refusal of the store at the form; anything else is an error page.
pub(super) fn store_error(e: StoreError) -> AppResult<Errors> {
    let mut errors = Errors::default();
    match e {
        StoreError::Conflict => errors.add(
            "_versie",
            "Iemand anders heeft deze trendinput intussen gewijzigd. Open hem opnieuw en breng uw wijziging dan aan.",
        ),
        StoreError::Invalid(Invalid::Trend(e)) => errors.add("_trend", e.to_string()),
        StoreError::Invalid(Invalid::TrendInputMoved) => errors.add(
            "_trend",
            "Een trendinput blijft bij zijn vakgroep en begrotingsjaar.",
        ),
        StoreError::InUse(_) => errors.add("products", "Een gekozen zorgproduct hoort niet bij deze vakgroep."),
        other => return Err(other.into()),
    }
    Ok(errors)
}

/// Saves (and on `actie=indienen` submits) the form, or shows it again with its effect.
pub(super) async fn save(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: Option<TrendInputId>,
    pairs: &Pairs,
    mut d: Draft,
) -> AppResult<Response> {
    own_vakgroep(state, user, d.vakgroep_id).await?;
    let mut notes = Notes::default();
    let mut stored_status = TrendStatus::Concept;
    if let Some(id) = id {
        // Year and vakgroep are the stored input's; a representative cannot move it.
        let stored = visible(state, user, id).await?;
        if !user.actor.vakgroepen.contains(&stored.vakgroep_id.get()) {
            return Err(AppError::NotFound);
        }
        d.year = stored.year;
        d.vakgroep_id = stored.vakgroep_id;
        notes.return_reason = stored.return_reason.clone();
        stored_status = stored.status;
        // The domain's rule before the write. A stale form is the store's to answer (a
        // conflict, with both versions), so only the version the form was based on is judged.
        if d.version == stored.version
            && let Err(e) = trend::check_editable(stored_status)
        {
            let mut errors = Errors::default();
            errors.add("_trend", e.to_string());
            return form_page(state, ctx, user, Some(id), d, errors, notes).await;
        }
    }
    let action = one(pairs, "actie");
    let known: Vec<CareProductId> = products(state, d.vakgroep_id)
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
                        after,
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
                TrendStatus::Ingediend,
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
            if action == "indienen" {
                super::notify::status_changed(
                    state,
                    &mut tx,
                    id,
                    TrendStatus::Ingediend,
                    &user.name,
                )
                .await?;
            }
            store::commit(tx).await?;
            let ok = if d.version == 0 && action != "indienen" {
                "aangemaakt"
            } else {
                "opgeslagen"
            };
            Ok(Redirect::to(&format!("/begroting/trendinput/{id}?ok={ok}")).into_response())
        }
        Err(e) => {
            drop(tx);
            match (e, id) {
                (StoreError::Conflict, Some(id)) => {
                    super::conflict::conflict(state, ctx, user, id, d).await
                }
                (e, _) => {
                    let errors = store_error(e)?;
                    form_page(state, ctx, user, id, d, errors, notes).await
                }
            }
        }
    }
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
    Path(id): Path<TrendInputId>,
) -> AppResult<Response> {
    let t = visible(&state, &user, id).await?;
    let status = t.status;
    if !user.actor.vakgroepen.contains(&t.vakgroep_id.get()) {
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
    Path(id): Path<TrendInputId>,
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
    let replaces: Option<TrendInputId> = one(&pairs, "id").parse().ok();
    if let Some(id) = replaces {
        let t = visible(&state, &user, id).await?;
        d.vakgroep_id = t.vakgroep_id;
        d.year = t.year;
    }
    own_vakgroep(&state, &user, d.vakgroep_id).await?;
    let known: Vec<CareProductId> = products(&state, d.vakgroep_id)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    let input = TrendDraft::parse(&d.form, &known)
        .ok()
        .map(|draft| draft.to_input(replaces.map_or(0, TrendInputId::get)));
    let fragment = effect(&state, &d, input, replaces).await?;
    Ok(Html(fragment.render()?).into_response())
}
