//! One vakgroep in one budget year: normuren per fte, formative fte (1a, 1b) and its KPIs.

use super::{
    MANAGE, VIEW, YearQuery, chosen_year, editable, figure, parse_version, parse_year,
    store_problem, visible_kpi, visible_vakgroep,
};
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
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Capability;
use domain::budget::precision::Column;
use domain::budget::{Direction, KpiKind};
use domain::ids::VakgroepId;
use serde::Deserialize;
use store::budget::{BudgetKpi, KpiInput};
use store::vakgroepen::Vakgroep;

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        get("/begroting/stamgegevens/vakgroepen/{id}", VIEW, show),
        post("/begroting/stamgegevens/vakgroepen/{id}", MANAGE, save),
        get(
            "/begroting/stamgegevens/vakgroepen/{id}/kpis/nieuw",
            MANAGE,
            new_kpi,
        ),
        post(
            "/begroting/stamgegevens/vakgroepen/{id}/kpis",
            MANAGE,
            create_kpi,
        ),
        get("/begroting/stamgegevens/kpis/{id}", MANAGE, edit_kpi),
        post("/begroting/stamgegevens/kpis/{id}", MANAGE, update_kpi),
        post(
            "/begroting/stamgegevens/kpis/{id}/verwijderen",
            MANAGE,
            delete_kpi,
        ),
    ]
}

pub(super) const KINDS: [(&str, &str); 2] = [
    ("efficiency", "Efficiëntie"),
    ("passende_zorg", "Passende zorg"),
];
const DIRECTIONS: [(&str, &str); 2] = [
    ("lager_beter", "Lager is beter"),
    ("hoger_beter", "Hoger is beter"),
];

fn label(choices: &[(&'static str, &'static str)], code: &str) -> &'static str {
    choices
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

#[derive(Deserialize, Default)]
struct FiguresForm {
    #[serde(default)]
    jaar: String,
    #[serde(default)]
    normuren: String,
    #[serde(default)]
    normuren_version: String,
    #[serde(default)]
    fte_1a: String,
    #[serde(default)]
    fte_1b: String,
    #[serde(default)]
    formatief_version: String,
}

struct KpiRow {
    id: i64,
    kind: &'static str,
    name: String,
    direction: &'static str,
    reference: String,
    local: String,
    source: String,
}

#[derive(Template)]
#[template(path = "budget/master/vakgroep.html")]
struct ShowPage {
    layout: Layout,
    vakgroep: Vakgroep,
    year: i16,
    years: Vec<i16>,
    year_action: String,
    can_manage: bool,
    form: FiguresForm,
    errors: Errors,
    kpis: Vec<KpiRow>,
}

async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: VakgroepId,
    q: YearQuery,
    submitted: Option<(FiguresForm, Errors)>,
) -> AppResult<Response> {
    let s = &state.store;
    let vakgroep = visible_vakgroep(state, user, id).await?;
    let (year, years) = chosen_year(s, &q).await?;
    let kpis = store::budget::kpis(s, year, Some(id))
        .await?
        .into_iter()
        .map(|k| KpiRow {
            id: k.id,
            kind: label(&KINDS, k.kind.code()),
            direction: label(&DIRECTIONS, k.direction.code()),
            reference: domain::nl::number(k.reference_value, 2),
            local: domain::nl::number(k.local_value, 2),
            name: k.name,
            source: k.source,
        })
        .collect();
    let failed = submitted.is_some();
    let (form, errors) = match submitted {
        Some(f) => f,
        None => {
            let n = store::budget::normuren(s, year).await?;
            let n = n.into_iter().find(|n| n.vakgroep_id == id);
            let f = store::budget::formatief(s, year).await?;
            let f = f.into_iter().find(|f| f.vakgroep_id == id);
            let form = FiguresForm {
                jaar: year.to_string(),
                normuren: n.as_ref().map(|n| editable(n.hours)).unwrap_or_default(),
                normuren_version: n.map(|n| n.version.to_string()).unwrap_or_default(),
                fte_1a: f.as_ref().map(|f| editable(f.fte_1a)).unwrap_or_default(),
                fte_1b: f.as_ref().map(|f| editable(f.fte_1b)).unwrap_or_default(),
                formatief_version: f.map(|f| f.version.to_string()).unwrap_or_default(),
            };
            (form, Errors::default())
        }
    };
    let page = ShowPage {
        layout: ctx.layout(format!(
            "{} {} — stamgegevens {year}",
            vakgroep.code, vakgroep.name
        )),
        year_action: format!("/begroting/stamgegevens/vakgroepen/{id}"),
        vakgroep,
        year,
        years,
        can_manage: user.actor.can(Capability::ManageBudget),
        form,
        errors,
        kpis,
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(page)?).into_response())
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<VakgroepId>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    show_page(&state, &ctx, &user, id, q, None).await
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<VakgroepId>,
    Form(form): Form<FiguresForm>,
) -> AppResult<Response> {
    visible_vakgroep(&state, &user, id).await?;
    let year = parse_year(&form.jaar).ok_or(AppError::NotFound)?;
    let q = YearQuery {
        jaar: year.to_string(),
    };
    let mut errors = Errors::default();
    let hours = (!form.normuren.trim().is_empty())
        .then(|| {
            figure(
                &mut errors,
                "normuren",
                "Vul de normuren per fte in als getal, bijvoorbeeld 1250 of 1250,5.",
                &form.normuren,
                Column::NORMUREN_PER_FTE,
            )
        })
        .flatten();
    let fte_message = "Vul een aantal fte in, 0 of meer, bijvoorbeeld 12,5.";
    let has_fte = !form.fte_1a.trim().is_empty() || !form.fte_1b.trim().is_empty();
    let fte = |errors: &mut Errors, field: &'static str, s: &str| {
        let text = if s.trim().is_empty() { "0" } else { s };
        figure(errors, field, fte_message, text, Column::FTE)
    };
    let fte_1a = fte(&mut errors, "fte_1a", &form.fte_1a);
    let fte_1b = fte(&mut errors, "fte_1b", &form.fte_1b);
    if !errors.is_empty() {
        return show_page(&state, &ctx, &user, id, q, Some((form, errors))).await;
    }
    let who = who(&user);
    let mut tx = state.store.begin().await?;
    let mut result = Ok(());
    if let Some(h) = hours {
        let v = parse_version(&form.normuren_version);
        result = store::budget::set_normuren(&mut tx, &who, year, id, v, h).await;
    }
    if let (Ok(()), true, Some(a), Some(b)) = (&result, has_fte, fte_1a, fte_1b) {
        let v = parse_version(&form.formatief_version);
        result = store::budget::set_formatief(&mut tx, &who, year, id, v, a, b).await;
    }
    match result {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!(
                "/begroting/stamgegevens/vakgroepen/{id}?jaar={year}&ok=opgeslagen"
            ))
            .into_response())
        }
        Err(e) => {
            let errors = store_problem(e, ("_form", ""))?;
            show_page(&state, &ctx, &user, id, q, Some((form, errors))).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// KPIs

#[derive(Deserialize, Default)]
struct KpiForm {
    #[serde(default)]
    jaar: String,
    #[serde(default)]
    version: i32,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    reference_value: String,
    #[serde(default)]
    local_value: String,
    #[serde(default)]
    source: String,
}

#[derive(Template)]
#[template(path = "budget/master/kpi_form.html")]
struct KpiPage {
    layout: Layout,
    vakgroep: Vakgroep,
    /// The KPI being edited; `None` for a new one.
    id: Option<i64>,
    form: KpiForm,
    kinds: [(&'static str, &'static str); 2],
    directions: [(&'static str, &'static str); 2],
    errors: Errors,
}

fn kpi_page(
    ctx: &Ctx,
    vakgroep: Vakgroep,
    id: Option<i64>,
    form: KpiForm,
    errors: Errors,
) -> AppResult<Response> {
    let status = errors.status();
    let title = match id {
        Some(_) => format!("KPI wijzigen — {} {}", vakgroep.code, form.jaar),
        None => format!("Nieuwe KPI — {} {}", vakgroep.code, form.jaar),
    };
    let page = KpiPage {
        layout: ctx.layout(title),
        vakgroep,
        id,
        form,
        kinds: KINDS,
        directions: DIRECTIONS,
        errors,
    };
    Ok((status, render(page)?).into_response())
}

fn validate_kpi(vakgroep_id: VakgroepId, form: &KpiForm) -> Result<(i16, KpiInput), Errors> {
    let mut errors = Errors::default();
    let year = parse_year(&form.jaar);
    if year.is_none() {
        errors.add("jaar", "Vul een jaar in tussen 2000 en 2200.");
    }
    let kind = KpiKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "Kies het soort KPI.");
    }
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.add(
            "name",
            "Vul de naam van de KPI in (ten hoogste 200 tekens).",
        );
    }
    let direction = Direction::parse(&form.direction);
    if direction.is_none() {
        errors.add(
            "direction",
            "Kies of een hogere of een lagere waarde beter is.",
        );
    }
    let message = "Vul een getal in, bijvoorbeeld 4,2.";
    let reference = figure(
        &mut errors,
        "reference_value",
        message,
        &form.reference_value,
        Column::KPI_VALUE,
    );
    let local = figure(
        &mut errors,
        "local_value",
        message,
        &form.local_value,
        Column::KPI_VALUE,
    );
    match (year, kind, direction, reference, local, errors.is_empty()) {
        (
            Some(year),
            Some(kind),
            Some(direction),
            Some(reference_value),
            Some(local_value),
            true,
        ) => Ok((
            year,
            KpiInput {
                vakgroep_id,
                kind,
                name: name.to_string(),
                direction,
                reference_value,
                local_value,
                source: form.source.trim().to_string(),
            },
        )),
        _ => Err(errors),
    }
}

const KPI_DUPLICATE: (&str, &str) = (
    "name",
    "Deze vakgroep heeft dit jaar al een KPI van dit soort met deze naam.",
);

async fn new_kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<VakgroepId>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let vakgroep = visible_vakgroep(&state, &user, id).await?;
    let (year, _) = chosen_year(&state.store, &q).await?;
    let form = KpiForm {
        jaar: year.to_string(),
        kind: "efficiency".into(),
        direction: "lager_beter".into(),
        ..Default::default()
    };
    kpi_page(&ctx, vakgroep, None, form, Errors::default())
}

async fn create_kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<VakgroepId>,
    Form(form): Form<KpiForm>,
) -> AppResult<Response> {
    let vakgroep = visible_vakgroep(&state, &user, id).await?;
    let (year, input) = match validate_kpi(id, &form) {
        Ok(v) => v,
        Err(errors) => return kpi_page(&ctx, vakgroep, None, form, errors),
    };
    let mut tx = state.store.begin().await?;
    match store::budget::create_kpi(&mut tx, &who(&user), year, &input).await {
        Ok(_) => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!(
                "/begroting/stamgegevens/vakgroepen/{id}?jaar={year}&ok=aangemaakt"
            ))
            .into_response())
        }
        Err(e) => kpi_page(&ctx, vakgroep, None, form, store_problem(e, KPI_DUPLICATE)?),
    }
}

fn kpi_form(k: BudgetKpi) -> KpiForm {
    KpiForm {
        jaar: k.year.to_string(),
        version: k.version,
        kind: k.kind.code().into(),
        name: k.name,
        direction: k.direction.code().into(),
        reference_value: editable(k.reference_value),
        local_value: editable(k.local_value),
        source: k.source,
    }
}

async fn edit_kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let k = visible_kpi(&state, &user, id).await?;
    let vakgroep = store::vakgroepen::get(&state.store, k.vakgroep_id.get()).await?;
    kpi_page(&ctx, vakgroep, Some(id), kpi_form(k), Errors::default())
}

async fn update_kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<KpiForm>,
) -> AppResult<Response> {
    let k = visible_kpi(&state, &user, id).await?;
    let vakgroep = store::vakgroepen::get(&state.store, k.vakgroep_id.get()).await?;
    let (year, input) = match validate_kpi(k.vakgroep_id, &form) {
        Ok(v) => v,
        Err(errors) => return kpi_page(&ctx, vakgroep, Some(id), form, errors),
    };
    if year != k.year {
        let mut errors = Errors::default();
        errors.add("_form", "Een KPI blijft in zijn begrotingsjaar.");
        return kpi_page(&ctx, vakgroep, Some(id), form, errors);
    }
    let mut tx = state.store.begin().await?;
    match store::budget::update_kpi(&mut tx, &who(&user), id, form.version, &input).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!(
                "/begroting/stamgegevens/vakgroepen/{}?jaar={year}&ok=opgeslagen",
                k.vakgroep_id
            ))
            .into_response())
        }
        Err(e) => kpi_page(
            &ctx,
            vakgroep,
            Some(id),
            form,
            store_problem(e, KPI_DUPLICATE)?,
        ),
    }
}

#[derive(Deserialize)]
struct DeleteForm {
    #[serde(default)]
    version: i32,
}

async fn delete_kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let k = visible_kpi(&state, &user, id).await?;
    let mut tx = state.store.begin().await?;
    match store::budget::delete_kpi(&mut tx, &who(&user), id, form.version).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!(
                "/begroting/stamgegevens/vakgroepen/{}?jaar={}&ok=opgeslagen",
                k.vakgroep_id, k.year
            ))
            .into_response())
        }
        Err(e) => {
            let errors = store_problem(e, ("_form", ""))?;
            let vakgroep = store::vakgroepen::get(&state.store, k.vakgroep_id.get()).await?;
            kpi_page(&ctx, vakgroep, Some(id), kpi_form(k), errors)
        }
    }
}
