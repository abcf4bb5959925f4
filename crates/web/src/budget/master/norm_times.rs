//! Norm times: one care product's minutes in a year, and replacing a year's whole list from a
//! CSV file (`vakgroep;zorgproduct;normtijd`, docs/master-data-import.md), all or nothing.

use super::{
    CONFLICT, MANAGE, YearQuery, chosen_year, editable, parse_version, parse_year, visible_product,
};
use crate::shared::error::{AppError, AppResult};
use crate::shared::forms;
use crate::shared::routes::{RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::upload::read_upload;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::budget::master::{NormTimeDraft, NormTimeForm};
use domain::budget::precision::Column;
use domain::ids::{CareProductId, VakgroepId};
use domain::production::LineError;
use std::collections::{HashMap, HashSet};
use store::budget::{BulkOutcome, CareProduct, CareProductInput, NormTimeLine};

/// A norm-time list of 100,000 lines is about 3 MB.
const MAX_NORM_TIME_BYTES: usize = 20 * 1024 * 1024;

/// Header names that mean the minutes column.
const MINUTES_COLUMN: &[&str] = &["normtijd", "normtijd_minuten", "minuten", "minutes"];

pub(super) fn routes() -> Vec<RouteDef> {
    let mut import = post("/begroting/stamgegevens/normtijden", MANAGE, import);
    import.handler = import
        .handler
        .layer(DefaultBodyLimit::max(MAX_NORM_TIME_BYTES + 1024 * 1024));
    vec![
        get(
            "/begroting/stamgegevens/zorgproducten/{id}/normtijd",
            MANAGE,
            edit_form,
        ),
        post(
            "/begroting/stamgegevens/zorgproducten/{id}/normtijd",
            MANAGE,
            save,
        ),
        get("/begroting/stamgegevens/normtijden", MANAGE, import_form),
        import,
    ]
}

// ---------------------------------------------------------------------------------------------
// One norm time

#[derive(Template)]
#[template(path = "budget/master/norm_time_form.html")]
struct FormPage {
    layout: Layout,
    product: CareProduct,
    form: NormTimeForm,
    errors: Errors,
}

fn form_page(
    ctx: &Ctx,
    product: CareProduct,
    form: NormTimeForm,
    errors: Errors,
) -> AppResult<Response> {
    let status = errors.status();
    let page = FormPage {
        layout: ctx.layout(format!(
            "Normtijd {} — {} {}",
            form.jaar, product.vakgroep_code, product.code
        )),
        product,
        form,
        errors,
    };
    Ok((status, render(page)?).into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<CareProductId>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let product = visible_product(&state, &user, id).await?;
    let (year, _) = chosen_year(&state.store, &q).await?;
    let current = store::budget::norm_times(&state.store, year, Some(product.vakgroep_id))
        .await?
        .into_iter()
        .find(|n| n.care_product_id == id);
    let form = NormTimeForm {
        jaar: year.to_string(),
        version: current
            .as_ref()
            .map(|n| n.version.to_string())
            .unwrap_or_default(),
        minutes: current.map(|n| editable(n.minutes)).unwrap_or_default(),
    };
    form_page(&ctx, product, form, Errors::default())
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<CareProductId>,
    Form(form): Form<NormTimeForm>,
) -> AppResult<Response> {
    let product = visible_product(&state, &user, id).await?;
    let year = parse_year(&form.jaar).ok_or(AppError::NotFound)?;
    let minutes = match NormTimeDraft::parse(&form) {
        Ok(draft) => draft.minutes,
        Err(problems) => return form_page(&ctx, product, form, problems.into()),
    };
    let version = parse_version(&form.version);
    let who = who(&user);
    match forms::save(&state, &[CONFLICT], async |tx| {
        store::budget::set_norm_time(tx, &who, year, id, version, minutes).await
    })
    .await?
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/begroting/stamgegevens/vakgroepen/{}/zorgproducten?jaar={year}&ok=opgeslagen",
            product.vakgroep_id
        ))
        .into_response()),
        Err(errors) => form_page(&ctx, product, form, errors),
    }
}

// ---------------------------------------------------------------------------------------------
// Importing a year's list

/// A norm-time line with the description the file gives its care product, if any.
type DescribedLine = (NormTimeLine, Option<String>);

/// Reads a norm-time file with the production file's reader (same separators, quoting, decimal
/// marks and checks): the minutes column is renamed to the reader's volume column, and its
/// messages are renamed back.
fn parse_norm_times(data: &[u8]) -> Result<Vec<DescribedLine>, (Vec<LineError>, usize)> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let header_end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let header = String::from_utf8_lossy(&data[..header_end]);
    let header = header.trim_end_matches('\r');
    let separator = if header.contains(';') { ';' } else { ',' };
    let names: Vec<String> = header
        .split(separator)
        .map(|n| n.trim().trim_matches('"').trim().to_lowercase())
        .collect();
    let refuse = |reason: String| Err((vec![LineError::new(1, None, reason)], 1));
    let Some(minutes_at) = names
        .iter()
        .position(|n| MINUTES_COLUMN.contains(&n.as_str()))
    else {
        return refuse(
            "De kopregel mist de kolom normtijd. Verwacht: vakgroep;zorgproduct;normtijd.".into(),
        );
    };
    if let Some(other) = names.iter().find(|n| {
        domain::production::Column::Volume
            .aliases()
            .contains(&n.as_str())
    }) {
        return refuse(format!(
            "Onbekende kolom \"{other}\" in de kopregel. Verwacht: vakgroep;zorgproduct;normtijd."
        ));
    }
    let minutes_name = names[minutes_at].clone();
    let mut renamed: Vec<String> = names;
    renamed[minutes_at] = "volume".into();
    let mut bytes = renamed.join(&separator.to_string()).into_bytes();
    bytes.extend_from_slice(&data[header_end..]);

    let mut parsed = domain::production::parse(&bytes, |_| {});
    // The reader accepts any volume of 0 or more; a norm time must also fit its column.
    for l in &parsed.lines {
        if let Err(e) = Column::NORM_MINUTES.check(l.volume) {
            let line = l.line as usize;
            parsed
                .errors
                .push(LineError::new(line, Some("volume"), e.to_string()));
        }
    }
    if !parsed.errors.is_empty() {
        let (errors, total) = parsed.errors.finish();
        let errors = errors
            .into_iter()
            .map(|e| {
                let column = e.column.map(|c| {
                    if c == "volume" {
                        minutes_name.clone()
                    } else {
                        c
                    }
                });
                let reason = e
                    .reason
                    .replace("Negatief volume", "Negatieve normtijd")
                    .replace("Volume", "Normtijd")
                    .replace("volume", "normtijd");
                LineError::new(e.line, column.as_deref(), reason)
            })
            .collect();
        return Err((errors, total));
    }
    if parsed.lines.is_empty() {
        return refuse("Het bestand bevat geen normtijden; er is niets gewijzigd.".into());
    }
    Ok(parsed
        .lines
        .iter()
        .map(|l| {
            let line = NormTimeLine {
                line: l.line as usize,
                vakgroep_code: parsed.vakgroep_code(l).to_string(),
                product_code: l.product.clone(),
                minutes: l.volume,
            };
            (line, l.description.clone())
        })
        .collect())
}

/// The care products a norm-time list names that the hospital does not have yet, for the known
/// vakgroepen (an unknown vakgroep stays an error of the list), described by the file's
/// `omschrijving` column or else by their code: a new budget year's list may bring new products,
/// and entering thousands by hand first is not an option.
async fn unknown_products(
    state: &AppState,
    lines: &[DescribedLine],
) -> AppResult<Vec<CareProductInput>> {
    let vakgroepen: HashMap<String, VakgroepId> = store::vakgroepen::list(&state.store)
        .await?
        .into_iter()
        .map(|v| (v.code.to_string(), VakgroepId::new(v.id)))
        .collect();
    let known: HashSet<(VakgroepId, String)> = store::budget::care_products(&state.store, None)
        .await?
        .into_iter()
        .map(|p| (p.vakgroep_id, p.code))
        .collect();
    let mut new = Vec::new();
    let mut seen = HashSet::new();
    for (line, description) in lines {
        let Some(&vakgroep_id) = vakgroepen.get(&line.vakgroep_code.to_uppercase()) else {
            continue;
        };
        let key = (vakgroep_id, line.product_code.clone());
        if known.contains(&key) || !seen.insert(key) {
            continue;
        }
        new.push(CareProductInput {
            vakgroep_id,
            code: line.product_code.clone(),
            description: description
                .clone()
                .unwrap_or_else(|| format!("Zorgproduct {}", line.product_code)),
            active: true,
        });
    }
    Ok(new)
}

#[derive(Template)]
#[template(path = "budget/master/norm_time_import.html")]
struct ImportPage {
    layout: Layout,
    year: i16,
    form_errors: Errors,
    errors: Vec<LineError>,
    shown_errors: String,
    total_errors: String,
    more_errors: bool,
    current: usize,
}

async fn import_page(
    state: &AppState,
    ctx: &Ctx,
    year: i16,
    form_errors: Errors,
    rejected: Option<(Vec<LineError>, usize)>,
) -> AppResult<Response> {
    let current = store::budget::norm_times(&state.store, year, None)
        .await?
        .len();
    let failed = !form_errors.is_empty() || rejected.is_some();
    let (errors, total) = rejected.unwrap_or_default();
    let page = ImportPage {
        layout: ctx.layout(format!("Normtijdenlijst {year} importeren")),
        year,
        form_errors,
        more_errors: total > errors.len(),
        shown_errors: domain::nl::count(errors.len()),
        total_errors: domain::nl::count(total),
        errors,
        current,
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(page)?).into_response())
}

async fn import_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let (year, _) = chosen_year(&state.store, &q).await?;
    import_page(&state, &ctx, year, Errors::default(), None).await
}

async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(q): Query<YearQuery>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let upload = read_upload(multipart, MAX_NORM_TIME_BYTES, "Het bestand is te groot.").await;
    let year_text = match &upload {
        Ok(u) if !u.field("jaar").is_empty() => u.field("jaar"),
        _ => q.jaar.clone(),
    };
    let year = parse_year(&year_text).ok_or(AppError::NotFound)?;
    let upload = match upload {
        Ok(u) => u,
        Err(message) => {
            let mut errors = Errors::default();
            errors.add("bestand", message);
            return import_page(&state, &ctx, year, errors, None).await;
        }
    };
    let lines = match parse_norm_times(&upload.data) {
        Ok(lines) => lines,
        Err(rejected) => {
            return import_page(&state, &ctx, year, Errors::default(), Some(rejected)).await;
        }
    };
    let new_products = unknown_products(&state, &lines).await?;
    let lines: Vec<NormTimeLine> = lines.into_iter().map(|(l, _)| l).collect();
    let mut tx = state.store.begin().await?;
    // New care products and the list go in one transaction: a rejected list creates nothing.
    if !new_products.is_empty() {
        store::budget::create_care_products(&mut tx, &who(&user), &new_products).await?;
    }
    match store::budget::replace_norm_times(&mut tx, &who(&user), year, &lines).await? {
        BulkOutcome::Replaced { .. } => {
            store::commit(tx).await?;
            Ok(Redirect::to(&format!(
                "/begroting/stamgegevens?jaar={year}&ok=opgeslagen"
            ))
            .into_response())
        }
        BulkOutcome::Rejected { errors, total } => {
            drop(tx);
            import_page(&state, &ctx, year, Errors::default(), Some((errors, total))).await
        }
    }
}
