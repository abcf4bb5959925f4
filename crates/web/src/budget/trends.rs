//! Trend inputs of the vakgroepen (D3): a representative writes, previews and submits inputs for
//! the vakgroepen they represent; reviewers accept them or return them with a reason. The flow and
//! who may take which step are the domain's ([`domain::budget::trend`]); the compartment (a
//! representative sees only their own vakgroepen) is enforced in the store's queries through
//! [`store::budget::Seen`], so another vakgroep's input is simply not found.

use super::scenarios::engine;
use super::scenarios::{ids, one, own_vakgroepen, seen, year_of};
use crate::auth::User;
use crate::beheer::who;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, RouteDef, get, post};
use crate::state::AppState;
use crate::views::{Ctx, Errors, Layout, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::budget::trend::{self, TrendActor, TrendStatus};
use domain::budget::{
    TrendCategory, TrendChange, TrendForm, TrendInput, TrendScope, compute_vakgroep, fte_text,
    hours_text, validate_trend_form,
};
use rust_decimal::Decimal;
use store::StoreError;
use store::budget::TrendInputInput;

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        get(
            "/begroting/trendinput",
            Access::Needs(Capability::ViewBudget),
            list,
        ),
        get(
            "/begroting/trendinput/nieuw",
            Access::Needs(Capability::SubmitTrendInputs),
            new,
        ),
        post(
            "/begroting/trendinput",
            Access::Needs(Capability::SubmitTrendInputs),
            create,
        ),
        post(
            "/begroting/trendinput/voorbeeld",
            Access::Needs(Capability::SubmitTrendInputs),
            preview,
        ),
        get(
            "/begroting/trendinput/{id}",
            Access::Needs(Capability::ViewBudget),
            detail,
        ),
        post(
            "/begroting/trendinput/{id}",
            Access::Needs(Capability::SubmitTrendInputs),
            update,
        ),
        get(
            "/begroting/trendinput/{id}/bewerken",
            Access::Needs(Capability::SubmitTrendInputs),
            edit,
        ),
        post(
            "/begroting/trendinput/{id}/status",
            Access::Needs(Capability::ViewBudget),
            change_status,
        ),
    ]
}

type Pairs = Vec<(String, String)>;

fn actor_for(user: &User, vakgroep_id: i64) -> TrendActor {
    TrendActor {
        is_representative: user.actor.vakgroepen.contains(&vakgroep_id),
        is_reviewer: user.actor.can(Capability::ReviewTrendInputs),
    }
}

/// The trend input if this person may see it. A concept is the representative's own draft:
/// reviewers see an input once it has been submitted.
async fn visible(state: &AppState, user: &User, id: i64) -> AppResult<store::budget::TrendInput> {
    let own = own_vakgroepen(user);
    let t = store::budget::trend_input(&state.store, id, seen(user, &own)).await?;
    if t.status == TrendStatus::Concept.code() && !own.contains(&t.vakgroep_id) {
        return Err(AppError::NotFound);
    }
    Ok(t)
}

fn status_label(code: &str) -> &'static str {
    TrendStatus::parse(code).map(|s| s.label()).unwrap_or("?")
}

fn category_label(code: &str) -> &'static str {
    TrendCategory::parse(code).map(|c| c.label()).unwrap_or("?")
}

fn scope_text(t: &store::budget::TrendInput) -> String {
    if t.scope == "vakgroep" {
        "Hele vakgroep".into()
    } else {
        t.product_codes.join(", ")
    }
}

// ---------------------------------------------------------------------------------------------
// List

struct ListLine {
    id: i64,
    vakgroep: String,
    scope: String,
    change: String,
    category: &'static str,
    status: &'static str,
    status_code: String,
    author: String,
    updated: String,
}

struct OwnVakgroep {
    id: i64,
    code: String,
    name: String,
}

#[derive(Template)]
#[template(path = "budget/trends.html")]
struct ListPage {
    layout: Layout,
    year: i16,
    lines: Vec<ListLine>,
    own: Vec<OwnVakgroep>,
    reviewer: bool,
    to_review: usize,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(pairs): Query<Pairs>,
) -> AppResult<Response> {
    let year = year_of(&state, &pairs).await?;
    let own_ids = own_vakgroepen(&user);
    let reviewer = user.actor.can(Capability::ReviewTrendInputs);
    // Neither representative nor reviewer (the secretary): nothing to see, rather than all.
    let inputs = if reviewer || !own_ids.is_empty() {
        store::budget::trend_inputs(&state.store, year, seen(&user, &own_ids)).await?
    } else {
        Vec::new()
    };
    let lines: Vec<ListLine> = inputs
        .into_iter()
        .filter(|t| t.status != TrendStatus::Concept.code() || own_ids.contains(&t.vakgroep_id))
        .map(|t| ListLine {
            id: t.id,
            vakgroep: t.vakgroep_code.clone(),
            scope: scope_text(&t),
            change: engine::change_text(&t.kind, t.value),
            category: category_label(&t.category),
            status: status_label(&t.status),
            author: t.author_name.clone().unwrap_or_default(),
            updated: domain::nl::datetime(t.updated_at),
            status_code: t.status,
        })
        .collect();
    let own = if own_ids.is_empty() {
        Vec::new()
    } else {
        store::vakgroepen::list(&state.store)
            .await?
            .into_iter()
            .filter(|v| own_ids.contains(&v.id))
            .map(|v| OwnVakgroep {
                id: v.id,
                code: v.code,
                name: v.name,
            })
            .collect()
    };
    render(ListPage {
        layout: ctx.layout("Trendinput"),
        year,
        to_review: lines
            .iter()
            .filter(|l| l.status_code == TrendStatus::Ingediend.code())
            .count(),
        lines,
        own,
        reviewer,
    })
}

// ---------------------------------------------------------------------------------------------
// The form, with the effect on the vakgroep's norm hours and norm-fte

/// What was typed, kept as typed.
#[derive(Default)]
struct Draft {
    version: i32,
    year: i16,
    vakgroep_id: i64,
    scenario_id: Option<i64>,
    form: TrendForm,
}

fn draft_from(pairs: &Pairs) -> Draft {
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

fn draft_of(t: &store::budget::TrendInput) -> Draft {
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

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct ProductChoice {
    id: i64,
    code: String,
    description: String,
    checked: bool,
}

/// The effect of a draft on its vakgroep in one scenario, before → after.
pub(crate) struct Effect {
    scenario_name: String,
    reference_year: i16,
    hours_before: String,
    hours_after: String,
    hours_difference: String,
    fte_before: String,
    fte_after: String,
    fte_difference: String,
    base_before: String,
    base_after: String,
    issues: Vec<String>,
}

#[derive(Template)]
#[template(path = "budget/trend_effect.html")]
struct EffectFragment {
    effect: Option<Effect>,
    /// Why there is no effect to show.
    missing: Option<String>,
}

#[derive(Template)]
#[template(path = "budget/trend_form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    cancel: String,
    d: Draft,
    vakgroep: String,
    products: Vec<ProductChoice>,
    categories: Vec<Choice>,
    scenarios: Vec<Choice>,
    errors: Errors,
    effect: EffectFragment,
    return_reason: String,
    id: Option<i64>,
    budget_js: &'static str,
}

/// What `input` does to its vakgroep in the chosen scenario of the draft's year (or the year's
/// first): the vakgroep with the scenario's accepted inputs, without and with `input`. `replaces`
/// is the stored input the draft stands for, left out of "without" so it is not counted twice.
async fn effect(
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
async fn own_vakgroep(
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

async fn product_ids(
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

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: Option<i64>,
    d: Draft,
    errors: Errors,
    return_reason: String,
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
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
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
        return_reason,
        id,
        budget_js: crate::assets::budget_js_url(),
    };
    Ok((status, render(page)?).into_response())
}

async fn new(
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
        String::new(),
    )
    .await
}

/// The form checked, as the store wants it.
fn to_store(d: &Draft, known: &[i64]) -> Result<TrendInputInput, Errors> {
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

fn store_error(e: StoreError, errors: &mut Errors) -> AppResult<()> {
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
async fn save(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: Option<i64>,
    pairs: &Pairs,
    mut d: Draft,
) -> AppResult<Response> {
    own_vakgroep(state, user, d.vakgroep_id).await?;
    let mut return_reason = String::new();
    let mut stored_status = TrendStatus::Concept;
    if let Some(id) = id {
        // Year and vakgroep are the stored input's; a representative cannot move it.
        let stored = visible(state, user, id).await?;
        if !user.actor.vakgroepen.contains(&stored.vakgroep_id) {
            return Err(AppError::NotFound);
        }
        d.year = stored.year;
        d.vakgroep_id = stored.vakgroep_id;
        return_reason = stored.return_reason.clone();
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
            return form_page(state, ctx, user, id, d, Errors::default(), return_reason).await;
        }
        Err(errors) => {
            return form_page(state, ctx, user, id, d, errors, return_reason).await;
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
        Err(e) => {
            drop(tx);
            let mut errors = Errors::default();
            store_error(e, &mut errors)?;
            form_page(state, ctx, user, id, d, errors, return_reason).await
        }
    }
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let d = draft_from(&pairs);
    save(&state, &ctx, &user, None, &pairs, d).await
}

async fn edit(
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
        t.return_reason.clone(),
    )
    .await
}

async fn update(
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
async fn preview(
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

// ---------------------------------------------------------------------------------------------
// Detail and status

struct HistoryLine {
    at: time::OffsetDateTime,
    when: String,
    who: String,
    what: String,
    reason: String,
}

struct Action {
    to: String,
    label: &'static str,
    needs_reason: bool,
}

#[derive(Template)]
#[template(path = "budget/trend.html")]
struct DetailPage {
    layout: Layout,
    t: store::budget::TrendInput,
    status: &'static str,
    scope: String,
    change: String,
    category: &'static str,
    created: String,
    updated: String,
    history: Vec<HistoryLine>,
    actions: Vec<Action>,
    can_edit: bool,
    effect: EffectFragment,
    error: Option<String>,
}

async fn detail_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    t: store::budget::TrendInput,
    error: Option<String>,
) -> AppResult<Response> {
    let own = own_vakgroepen(user);
    let mut history: Vec<HistoryLine> =
        store::budget::trend_history(&state.store, t.id, seen(user, &own))
            .await?
            .into_iter()
            .map(|h| HistoryLine {
                at: h.changed_at,
                when: domain::nl::datetime(h.changed_at),
                who: h.changed_by_name.unwrap_or_default(),
                what: format!(
                    "{} → {}",
                    status_label(&h.from_status),
                    status_label(&h.to_status)
                ),
                reason: h.reason,
            })
            .collect();
    // Content edits have no status change of their own; the audit log has who and when, and the
    // rationale on the page says why.
    let filter = store::audit::AuditFilter {
        object_type: Some("trend_input".into()),
        object_id: Some(t.id.to_string()),
        ..Default::default()
    };
    let (edits, _) = store::audit::list(&state.store, &filter, 200, 0).await?;
    history.extend(edits.into_iter().filter_map(|e| {
        let what = match e.action.as_str() {
            "create" => "Aangemaakt",
            "update" => "Inhoud gewijzigd",
            _ => return None,
        };
        Some(HistoryLine {
            at: e.at,
            when: domain::nl::datetime(e.at),
            // The label is "Name <e-mail>"; the page shows names, like the status history.
            who: e
                .actor_label
                .split(" <")
                .next()
                .unwrap_or_default()
                .to_string(),
            what: what.into(),
            reason: String::new(),
        })
    }));
    history.sort_by_key(|h| h.at);
    let status = TrendStatus::parse(&t.status).unwrap_or(TrendStatus::Verwerkt);
    let actor = actor_for(user, t.vakgroep_id);
    let actions = trend::available(status, actor)
        .into_iter()
        .map(|to| Action {
            to: to.code().into(),
            label: trend::action_label(status, to),
            needs_reason: trend::reason_required(to),
        })
        .collect();
    let d = Draft {
        year: t.year,
        vakgroep_id: t.vakgroep_id,
        ..Draft::default()
    };
    let input = engine::trend(
        t.id,
        &t.scope,
        &t.kind,
        t.value,
        &t.category,
        &t.product_ids,
    );
    let effect = effect(state, &d, input, Some(t.id)).await?;
    let code = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DetailPage {
        layout: ctx.layout(format!("Trendinput {} #{}", t.vakgroep_code, t.id)),
        status: status.label(),
        scope: scope_text(&t),
        change: engine::change_text(&t.kind, t.value),
        category: category_label(&t.category),
        created: domain::nl::datetime(t.created_at),
        updated: domain::nl::datetime(t.updated_at),
        history,
        actions,
        can_edit: trend::may_edit(status, actor),
        effect,
        error,
        t,
    };
    Ok((code, render(page)?).into_response())
}

async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let t = visible(&state, &user, id).await?;
    detail_page(&state, &ctx, &user, t, None).await
}

async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let t = visible(&state, &user, id).await?;
    let from = TrendStatus::parse(&t.status).unwrap_or(TrendStatus::Verwerkt);
    let Some(to) = TrendStatus::parse(one(&pairs, "to")) else {
        return detail_page(&state, &ctx, &user, t, Some("Kies een stap.".into())).await;
    };
    let reason = one(&pairs, "reason");
    if let Err(e) = trend::transition(from, to, actor_for(&user, t.vakgroep_id), reason) {
        return detail_page(&state, &ctx, &user, t, Some(e.to_string())).await;
    }
    let version: i32 = one(&pairs, "version").parse().unwrap_or(0);
    let mut tx = state.store.begin().await?;
    match store::budget::change_trend_status(&mut tx, &who(&user), id, version, to.code(), reason)
        .await
    {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!("/begroting/trendinput/{id}?ok=opgeslagen")).into_response())
        }
        Err(StoreError::Conflict) => {
            drop(tx);
            let t = visible(&state, &user, id).await?;
            detail_page(
                &state,
                &ctx,
                &user,
                t,
                Some("Iemand anders heeft deze trendinput intussen gewijzigd; bekijk de huidige status en probeer het opnieuw.".into()),
            )
            .await
        }
        Err(StoreError::Other(m)) => {
            drop(tx);
            detail_page(&state, &ctx, &user, t, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}
