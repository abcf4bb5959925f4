//! The overview of a budget year: its settings, every vakgroep's figures, and copying the year.

use super::{CONFLICT, MANAGE, VIEW, YearQuery, chosen_year, editable, parse_version, parse_year};
use crate::shared::error::AppResult;
use crate::shared::forms;
use crate::shared::routes::{RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::budget::KpiKind;
use domain::budget::master::{CopyRefusal, YearSettingsDraft, YearSettingsForm, check_copy};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::HashMap;
use store::StoreError;

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        get("/begroting/stamgegevens", VIEW, index),
        post(
            "/begroting/stamgegevens/instellingen",
            MANAGE,
            save_settings,
        ),
        post("/begroting/stamgegevens/kopieren", MANAGE, copy),
    ]
}

/// One vakgroep's line in the overview, or the hospital's.
#[derive(Default)]
struct Row {
    id: i64,
    code: String,
    name: String,
    products: usize,
    norm_times: usize,
    normuren: String,
    fte_1a: String,
    fte_1b: String,
    fte: String,
    kpis_eff: usize,
    kpis_pz: usize,
}

#[derive(Deserialize, Default)]
struct CopyForm {
    #[serde(default)]
    jaar: String,
    #[serde(default)]
    naar: String,
}

#[derive(Template)]
#[template(path = "budget/master/index.html")]
struct IndexPage {
    layout: Layout,
    year: i16,
    years: Vec<i16>,
    can_manage: bool,
    /// The controller manages the vakgroepen themselves too, under Beheer › Vakgroepen.
    can_manage_vakgroepen: bool,
    /// The vakgroepen whose figures the reader may see (`Actor::can_see_vakgroep`).
    rows: Vec<Row>,
    /// Whether other vakgroepen were left out: a representative sees their own and the totals.
    partial: bool,
    /// The whole hospital (every active vakgroep), for everyone.
    total: Row,
    settings: YearSettingsForm,
    settings_errors: Errors,
    copy: CopyForm,
    copy_errors: Errors,
}

/// The stored settings as the form shows them.
fn settings_form(y: Option<store::budget::BudgetYear>, year: i16) -> YearSettingsForm {
    let Some(y) = y else {
        return YearSettingsForm {
            jaar: year.to_string(),
            fixed_share: "0".into(),
            signal_threshold: "5".into(),
            ..Default::default()
        };
    };
    let pct = |v| editable(v * Decimal::ONE_HUNDRED);
    YearSettingsForm {
        jaar: year.to_string(),
        version: y.version.to_string(),
        fee_budget: y.fee_budget.map(editable).unwrap_or_default(),
        fixed_share: pct(y.fixed_share),
        band_min: y.band_min.map(pct).unwrap_or_default(),
        band_max: y.band_max.map(pct).unwrap_or_default(),
        signal_threshold: pct(y.signal_threshold),
        note: y.note,
    }
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    q: YearQuery,
    forms: Option<(YearSettingsForm, Errors, CopyForm, Errors)>,
) -> AppResult<Response> {
    let s = &state.store;
    let (year, years) = chosen_year(s, &q).await?;
    let vakgroepen = store::vakgroepen::list(s).await?;
    let products = store::budget::care_products(s, None).await?;
    let norm_times = store::budget::norm_times(s, year, None).await?;
    let normuren = store::budget::normuren(s, year).await?;
    let formatief = store::budget::formatief(s, year).await?;
    let kpis = store::budget::kpis(s, year, None).await?;
    let mut counts: HashMap<i64, (usize, usize, usize, usize)> = HashMap::new();
    for p in products.iter().filter(|p| p.active) {
        counts.entry(p.vakgroep_id.get()).or_default().0 += 1;
    }
    for n in &norm_times {
        counts.entry(n.vakgroep_id.get()).or_default().1 += 1;
    }
    for k in &kpis {
        let c = counts.entry(k.vakgroep_id.get()).or_default();
        if k.kind == KpiKind::Efficiency {
            c.2 += 1;
        } else {
            c.3 += 1;
        }
    }
    let active: Vec<_> = vakgroepen.into_iter().filter(|v| v.active).collect();
    let mut total = Row {
        id: 0,
        code: String::new(),
        name: "Ziekenhuis".into(),
        ..Row::default()
    };
    let (mut fte_1a, mut fte_1b, mut fte) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for v in &active {
        let c = counts.get(&v.id).copied().unwrap_or_default();
        total.products += c.0;
        total.norm_times += c.1;
        total.kpis_eff += c.2;
        total.kpis_pz += c.3;
        if let Some(f) = formatief.iter().find(|f| f.vakgroep_id.get() == v.id) {
            fte_1a += f.fte_1a;
            fte_1b += f.fte_1b;
            fte += f.fte;
        }
    }
    total.fte_1a = domain::nl::fte(fte_1a);
    total.fte_1b = domain::nl::fte(fte_1b);
    total.fte = domain::nl::fte(fte);
    let partial = active.iter().any(|v| !user.actor.can_see_vakgroep(v.id));
    let rows = active
        .into_iter()
        .filter(|v| user.actor.can_see_vakgroep(v.id))
        .map(|v| {
            let c = counts.get(&v.id).copied().unwrap_or_default();
            let n = normuren.iter().find(|n| n.vakgroep_id.get() == v.id);
            let f = formatief.iter().find(|f| f.vakgroep_id.get() == v.id);
            Row {
                id: v.id,
                code: v.code.to_string(),
                name: v.name,
                products: c.0,
                norm_times: c.1,
                normuren: n
                    .map(|n| domain::nl::number(n.hours, 0))
                    .unwrap_or_default(),
                fte_1a: f.map(|f| domain::nl::fte(f.fte_1a)).unwrap_or_default(),
                fte_1b: f.map(|f| domain::nl::fte(f.fte_1b)).unwrap_or_default(),
                fte: f.map(|f| domain::nl::fte(f.fte)).unwrap_or_default(),
                kpis_eff: c.2,
                kpis_pz: c.3,
            }
        })
        .collect();
    let failed = forms.is_some();
    let (settings, settings_errors, copy, copy_errors) = match forms {
        Some(f) => f,
        None => {
            let stored = match store::budget::year(s.pool(), year).await {
                Ok(y) => Some(y),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            };
            let copy = CopyForm {
                jaar: year.to_string(),
                naar: (year + 1).to_string(),
            };
            (
                settings_form(stored, year),
                Errors::default(),
                copy,
                Errors::default(),
            )
        }
    };
    let page = IndexPage {
        layout: ctx.layout(format!("Stamgegevens {year}")),
        year,
        years,
        can_manage: user.actor.can(Capability::ManageBudget),
        can_manage_vakgroepen: user.actor.can(Capability::ManageVakgroepen),
        rows,
        partial,
        total,
        settings,
        settings_errors,
        copy,
        copy_errors,
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(page)?).into_response())
}

async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    page(&state, &ctx, &user, q, None).await
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(form): Form<YearSettingsForm>,
) -> AppResult<Response> {
    let Some(year) = parse_year(&form.jaar) else {
        return Err(crate::shared::error::AppError::NotFound);
    };
    let q = YearQuery {
        jaar: year.to_string(),
    };
    let copy = CopyForm {
        jaar: year.to_string(),
        naar: (year + 1).to_string(),
    };
    let input = match YearSettingsDraft::parse(&form) {
        Ok(draft) => draft,
        Err(problems) => {
            let forms = (form, problems.into(), copy, Errors::default());
            return page(&state, &ctx, &user, q, Some(forms)).await;
        }
    };
    let version = parse_version(&form.version);
    let who = who(&user);
    match forms::save(&state, &[CONFLICT], async |tx| {
        store::budget::save_year(tx, &who, year, version, &input).await
    })
    .await?
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/begroting/stamgegevens?jaar={year}&ok=opgeslagen"
        ))
        .into_response()),
        Err(errors) => {
            let forms = (form, errors, copy, Errors::default());
            page(&state, &ctx, &user, q, Some(forms)).await
        }
    }
}

async fn copy(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(form): Form<CopyForm>,
) -> AppResult<Response> {
    let Some(from) = parse_year(&form.jaar) else {
        return Err(crate::shared::error::AppError::NotFound);
    };
    let refused = match check_copy(from, &form.naar) {
        Err(e) => e,
        Ok(to) => {
            let mut tx = state.store.begin().await?;
            let refusal = match store::budget::copy_year(&mut tx, &who(&user), from, to).await {
                Ok(_) => {
                    store::commit(tx).await?;
                    return Ok(Redirect::to(&format!(
                        "/begroting/stamgegevens?jaar={to}&ok=aangemaakt"
                    ))
                    .into_response());
                }
                Err(StoreError::Conflict) => CopyRefusal::TargetHasData,
                Err(StoreError::NotFound) => CopyRefusal::SourceEmpty,
                Err(e) => return Err(e.into()),
            };
            refusal.message(from, to)
        }
    };
    let errors = Errors::from(vec![refused]);
    let q = YearQuery {
        jaar: from.to_string(),
    };
    let stored = store::budget::year(state.store.pool(), from).await.ok();
    let forms = (settings_form(stored, from), Errors::default(), form, errors);
    page(&state, &ctx, &user, q, Some(forms)).await
}
