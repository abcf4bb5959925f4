//! The overview of a budget year: its settings, every vakgroep's figures, and copying the year.

use super::{MANAGE, VIEW, YearQuery, chosen_year, editable, figure, parse_version, parse_year};
use crate::shared::error::AppResult;
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
use domain::budget::precision::Column;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::HashMap;
use store::StoreError;
use store::budget::BudgetYearInput;

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

/// The settings form; percentages as typed (the store keeps fractions).
#[derive(Deserialize, Default)]
struct SettingsForm {
    #[serde(default)]
    jaar: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    fee_budget: String,
    #[serde(default)]
    fixed_share: String,
    #[serde(default)]
    band_min: String,
    #[serde(default)]
    band_max: String,
    #[serde(default)]
    note: String,
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
    settings: SettingsForm,
    settings_errors: Errors,
    copy: CopyForm,
    copy_errors: Errors,
}

/// 100 as the same number type as `like` (percentages in the form, fractions in the store).
fn hundred<T: std::str::FromStr + Default>(_like: &T) -> T {
    "100".parse().unwrap_or_default()
}

/// The stored settings as the form shows them.
fn settings_form(y: Option<store::budget::BudgetYear>, year: i16) -> SettingsForm {
    let Some(y) = y else {
        return SettingsForm {
            jaar: year.to_string(),
            fixed_share: "0".into(),
            ..Default::default()
        };
    };
    let h = hundred(&y.fixed_share);
    let pct = |v| editable(v * h);
    SettingsForm {
        jaar: year.to_string(),
        version: y.version.to_string(),
        fee_budget: y.fee_budget.map(editable).unwrap_or_default(),
        fixed_share: pct(y.fixed_share),
        band_min: y.band_min.map(pct).unwrap_or_default(),
        band_max: y.band_max.map(pct).unwrap_or_default(),
        note: y.note,
    }
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    q: YearQuery,
    forms: Option<(SettingsForm, Errors, CopyForm, Errors)>,
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
                code: v.code,
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

fn validate(form: &SettingsForm) -> Result<BudgetYearInput, Errors> {
    let mut errors = Errors::default();
    let optional = |errors: &mut Errors, field, msg: &str, s: &str, column| {
        if s.trim().is_empty() {
            Some(None)
        } else {
            figure(errors, field, msg, s, column).map(Some)
        }
    };
    let fee = optional(
        &mut errors,
        "fee_budget",
        "Vul het honorariumbudget in euro's in, bijvoorbeeld 12.500.000 of 12500000,00; of laat het leeg.",
        &form.fee_budget,
        Column::FEE_BUDGET,
    );
    let share = figure(
        &mut errors,
        "fixed_share",
        "Vul het vaste deel in als percentage van 0 tot en met 100.",
        &form.fixed_share,
        Column::FIXED_SHARE_PERCENT,
    );
    let band_msg = "Vul een percentage in, bijvoorbeeld 90 of 115; of laat het leeg.";
    let band = Column::BAND_PERCENT;
    let band_min = optional(&mut errors, "band_min", band_msg, &form.band_min, band);
    let band_max = optional(&mut errors, "band_max", band_msg, &form.band_max, band);
    let Some(share) = share else {
        return Err(errors);
    };
    let h = hundred(&share);
    if let (Some(Some(lo)), Some(Some(hi))) = (band_min, band_max)
        && lo > hi
    {
        errors.add(
            "band_max",
            "De bovengrens van de bandbreedte is niet lager dan de ondergrens.",
        );
    }
    if form.note.chars().count() > 2000 {
        errors.add("note", "De toelichting is ten hoogste 2.000 tekens.");
    }
    match (fee, band_min, band_max, errors.is_empty()) {
        (Some(fee_budget), Some(lo), Some(hi), true) => Ok(BudgetYearInput {
            fee_budget,
            fixed_share: share / h,
            band_min: lo.map(|v| v / h),
            band_max: hi.map(|v| v / h),
            note: form.note.trim().to_string(),
        }),
        _ => Err(errors),
    }
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Form(form): Form<SettingsForm>,
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
    let input = match validate(&form) {
        Ok(i) => i,
        Err(errors) => {
            let forms = (form, errors, copy, Errors::default());
            return page(&state, &ctx, &user, q, Some(forms)).await;
        }
    };
    let mut tx = state.store.begin().await?;
    let version = parse_version(&form.version);
    match store::budget::save_year(&mut tx, &who(&user), year, version, &input).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!(
                "/begroting/stamgegevens?jaar={year}&ok=opgeslagen"
            ))
            .into_response())
        }
        Err(e) => {
            let errors = super::store_problem(e, ("_form", ""))?;
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
    let mut errors = Errors::default();
    let to = parse_year(&form.naar);
    match to.map(|to| domain::budget::master::check_copy(from, to)) {
        None => errors.add("naar", "Vul een jaar in tussen 2000 en 2200."),
        Some(Err(e)) => errors.field(e),
        Some(Ok(())) => {}
    }
    if let (Some(to), true) = (to, errors.is_empty()) {
        let mut tx = state.store.begin().await?;
        match store::budget::copy_year(&mut tx, &who(&user), from, to).await {
            Ok(_) => {
                store::commit(tx).await?;
                return Ok(
                    Redirect::to(&format!("/begroting/stamgegevens?jaar={to}&ok=aangemaakt"))
                        .into_response(),
                );
            }
            Err(StoreError::Conflict) => errors.add(
                "naar",
                format!(
                    "{to} heeft al stamgegevens (normtijden, normuren, formatie of KPI's). Er is niets gekopieerd, zodat het werk in {to} niet wordt overschreven."
                ),
            ),
            Err(StoreError::NotFound) => errors.add(
                "naar",
                format!("{from} heeft nog geen stamgegevens om te kopiëren."),
            ),
            Err(e) => return Err(e.into()),
        }
    }
    let q = YearQuery {
        jaar: from.to_string(),
    };
    let stored = store::budget::year(state.store.pool(), from).await.ok();
    let forms = (settings_form(stored, from), Errors::default(), form, errors);
    page(&state, &ctx, &user, q, Some(forms)).await
}
