//! The agreement page (product.md B1–B3): everything about one agreement, with its traffic light
//! and KPIs, and the forms to record progress: status, comments, KPIs and measurements. The
//! secretary and the agreement's owners (of the agreement or one of its parties) record progress;
//! only the secretary edits the agreement itself (see `form`).

use super::form::{self, Choice, visible_agreement};
use crate::shared::clock::today;
use crate::shared::error::{AppError, AppResult};
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use crate::shared::who::who;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::agreements::attention;
use domain::agreements::kinds::{
    AgreementKind, AgreementStatus, JzojpTheme, PartyKind, ReviewCadence, SevenS,
};
use domain::agreements::kpi::{self, Direction, TrafficLight};
use domain::agreements::status;
use domain::authz::Capability;
use domain::nl;
use store::StoreError;
use store::register::{AgreementDetail, KpiInput, MeasurementInput};

const VIEW: Access = Access::Needs(Capability::ViewAgreements);
const MANAGE: Access = Access::Needs(Capability::ManageAgreements);

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        get("/afspraken/nieuw", MANAGE, form::new_form),
        post("/afspraken", MANAGE, form::create),
        get("/afspraken/{agreement}", VIEW, show),
        post("/afspraken/{agreement}", MANAGE, form::update),
        get("/afspraken/{agreement}/bewerken", MANAGE, form::edit_form),
        post("/afspraken/{agreement}/status", VIEW, change_status),
        post("/afspraken/{agreement}/opmerkingen", VIEW, add_comment),
        post("/afspraken/{agreement}/kpis", VIEW, add_kpi),
        post("/afspraken/{agreement}/metingen", VIEW, add_measurement),
        post("/afspraken/{agreement}/beoordeling", VIEW, record_review),
        get("/afspraken/{agreement}/kpis/wijzigen", VIEW, edit_kpi_form),
        post("/afspraken/{agreement}/kpis/wijzigen", VIEW, edit_kpi),
    ]
}

struct PartyView {
    kind: String,
    name: String,
    owner: String,
}

struct MeasurementView {
    on: String,
    value: String,
    note: String,
    by: String,
}

struct KpiView {
    id: i64,
    name: String,
    unit: String,
    direction: String,
    baseline: String,
    target: String,
    light: &'static str,
    light_label: &'static str,
    reason: String,
    sparkline: String,
    measurements: Vec<MeasurementView>,
}

struct Line {
    who: String,
    when: String,
    text: String,
}

struct HistoryView {
    from: String,
    to: String,
    reason: String,
    who: String,
    when: String,
}

/// What the progress forms hold, kept on errors.
#[derive(Default)]
struct Drafts {
    to: String,
    reason: String,
    comment: String,
    kpi_name: String,
    kpi_unit: String,
    kpi_direction: String,
    kpi_baseline: String,
    kpi_target: String,
    m_kpi: String,
    m_date: String,
    m_value: String,
    m_note: String,
    review_on: String,
    review_note: String,
}

#[derive(Template)]
#[template(path = "agreements/detail.html")]
struct DetailPage {
    layout: Layout,
    id: i64,
    version: i32,
    title: String,
    description: String,
    kind: String,
    status: String,
    status_code: String,
    parties: Vec<PartyView>,
    seven_s: String,
    theme: String,
    start: String,
    due: String,
    realised: String,
    review: String,
    /// The next review day, with "(verstreken)" once it has passed; empty without a cadence.
    next_review: String,
    last_review: String,
    /// Why the agreement needs attention (B4), as one phrase; empty when it does not.
    attention: String,
    visibility: String,
    origin: Option<(i64, String, String)>,
    insurer_deviation: String,
    /// The budget scenario the deviation refers to (B5): id and "2027 Basis".
    scenario: Option<(i64, String)>,
    frozen: bool,
    light: &'static str,
    light_label: &'static str,
    kpis: Vec<KpiView>,
    history: Vec<HistoryView>,
    comments: Vec<Line>,
    addenda: Vec<Line>,
    can_manage: bool,
    /// Whether the register is open to the person (not to an observer).
    can_register: bool,
    can_progress: bool,
    statuses: Vec<Choice>,
    directions: Vec<Choice>,
    kpi_choices: Vec<Choice>,
    d: Drafts,
    errors: Errors,
}

/// A number as `nl::number` writes it with four decimals, without trailing zeros.
fn trim_num(s: String) -> String {
    if !s.contains(',') {
        return s;
    }
    s.trim_end_matches('0').trim_end_matches(',').to_string()
}

fn status_label(code: &str) -> String {
    AgreementStatus::parse(code).map_or_else(|| code.to_string(), |s| s.label().to_string())
}

/// Whether the person is an owner of the agreement or of one of its parties.
fn is_owner(user: &User, d: &AgreementDetail) -> bool {
    let me = Some(user.actor.person_id.get());
    d.agreement.owner_id == me || d.parties.iter().any(|p| p.owner_id == me)
}

fn can_manage(user: &User) -> bool {
    user.actor.can(Capability::ManageAgreements)
}

/// The statuses this person may move the agreement to: the secretary any step of the flow, an
/// owner only the progress steps.
fn allowed_statuses(user: &User, d: &AgreementDetail) -> Vec<AgreementStatus> {
    let Some(from) = AgreementStatus::parse(&d.agreement.status) else {
        return Vec::new();
    };
    let manage = can_manage(user);
    status::available(from)
        .into_iter()
        .filter(|to| {
            manage
                || matches!(
                    to,
                    AgreementStatus::InUitvoering | AgreementStatus::Gerealiseerd
                )
        })
        .collect()
}

fn page(ctx: &Ctx, user: &User, d: &AgreementDetail, drafts: Drafts, errors: Errors) -> DetailPage {
    let a = &d.agreement;
    let today = today();
    let from = AgreementStatus::parse(&a.status);
    let mut lights = Vec::new();
    let kpis: Vec<KpiView> = d
        .kpis
        .iter()
        .map(|k| {
            let ms: Vec<kpi::Measurement> = k.measurements.iter().map(|m| m.to_domain()).collect();
            let (light, reason) = match k.kpi.to_domain() {
                Some(dk) => {
                    let a = kpi::kpi_light(&dk, &ms, a.due_date, today);
                    (a.light, a.reason)
                }
                None => (TrafficLight::NoData, "onbekende richting".to_string()),
            };
            lights.push(light);
            KpiView {
                id: k.kpi.id,
                name: k.kpi.name.clone(),
                unit: k.kpi.unit.clone(),
                direction: Direction::parse(&k.kpi.direction)
                    .map_or_else(String::new, |d| d.label().to_string()),
                baseline: trim_num(nl::number(k.kpi.baseline, 4)),
                target: trim_num(nl::number(k.kpi.target, 4)),
                light: light.code(),
                light_label: light.label(),
                reason,
                sparkline: kpi::sparkline(&ms, 120, 30),
                measurements: k
                    .measurements
                    .iter()
                    .map(|m| MeasurementView {
                        on: nl::date(m.measured_on),
                        value: trim_num(nl::number(m.value, 4)),
                        note: m.note.clone(),
                        by: m.recorded_by_name.clone().unwrap_or_default(),
                    })
                    .collect(),
            }
        })
        .collect();
    let light = from.map_or(TrafficLight::NoData, |s| {
        kpi::agreement_light(&lights, s, a.due_date, today)
    });
    let cadence = ReviewCadence::from_months(a.review_months.and_then(|m| u32::try_from(m).ok()));
    let review_due = attention::review_due_on(
        cadence,
        a.start_date,
        nl::to_amsterdam(a.created_at).date(),
        a.reviewed_on,
    );
    let reasons = from.map_or_else(Vec::new, |status| {
        attention::reasons(
            &attention::Facts {
                status,
                due: a.due_date,
                review_due,
                light,
            },
            today,
        )
    });
    let manage = can_manage(user);
    let statuses = match from {
        Some(from) => allowed_statuses(user, d)
            .into_iter()
            .map(|to| Choice {
                value: to.code().into(),
                label: format!(
                    "{} → {}{}",
                    status::action_label(from, to),
                    to.label(),
                    if status::reason_required(from, to) {
                        " (reden verplicht)"
                    } else {
                        ""
                    }
                ),
                selected: drafts.to == to.code(),
            })
            .collect(),
        None => Vec::new(),
    };
    DetailPage {
        layout: ctx.layout(a.title.clone()),
        id: a.id,
        version: a.version,
        title: a.title.clone(),
        description: a.description.clone(),
        kind: AgreementKind::parse(&a.kind).map_or_else(|| a.kind.clone(), |k| k.label().into()),
        status: status_label(&a.status),
        status_code: a.status.clone(),
        parties: d
            .parties
            .iter()
            .map(|p| PartyView {
                kind: PartyKind::parse(&p.kind)
                    .map_or_else(|| p.kind.clone(), |k| k.label().into()),
                name: p.name(),
                owner: p.owner_name.clone().unwrap_or_default(),
            })
            .collect(),
        seven_s: a
            .seven_s
            .iter()
            .map(|c| SevenS::parse(c).map_or(c.as_str(), |s| s.label()))
            .collect::<Vec<_>>()
            .join(", "),
        theme: a
            .theme
            .as_deref()
            .and_then(JzojpTheme::parse)
            .map_or_else(String::new, |t| t.label().into()),
        start: a.start_date.map(nl::date).unwrap_or_default(),
        due: a.due_date.map(nl::date).unwrap_or_default(),
        realised: a.realised_on.map(nl::date).unwrap_or_default(),
        review: ReviewCadence::from_months(a.review_months.and_then(|m| u32::try_from(m).ok()))
            .map_or_else(
                || {
                    a.review_months
                        .map(|m| format!("elke {m} maanden"))
                        .unwrap_or_default()
                },
                |c| c.label().into(),
            ),
        next_review: review_due.map_or_else(String::new, |d| {
            if d <= today {
                format!("{} (verstreken)", nl::date(d))
            } else {
                nl::date(d)
            }
        }),
        last_review: a.reviewed_on.map(nl::date).unwrap_or_default(),
        attention: reasons
            .iter()
            .map(|r| r.text())
            .collect::<Vec<_>>()
            .join("; "),
        visibility: a
            .visibility_body_code
            .as_ref()
            .map_or_else(|| "Gezamenlijk".to_string(), |c| format!("Alleen {c}")),
        origin: a.origin_meeting_id.map(|m| {
            (
                m,
                a.origin_meeting_title.clone().unwrap_or_default(),
                a.origin_item_title.clone().unwrap_or_default(),
            )
        }),
        insurer_deviation: a.insurer_deviation.clone(),
        scenario: a
            .budget_scenario_id
            .map(|id| (id, a.budget_scenario_name.clone().unwrap_or_default())),
        frozen: a.frozen_at.is_some(),
        light: light.code(),
        light_label: light.label(),
        kpi_choices: kpis
            .iter()
            .map(|k| Choice {
                value: k.id.to_string(),
                label: k.name.clone(),
                selected: drafts.m_kpi == k.id.to_string(),
            })
            .collect(),
        kpis,
        history: d
            .history
            .iter()
            .map(|h| HistoryView {
                from: status_label(&h.from_status),
                to: status_label(&h.to_status),
                reason: h.reason.clone(),
                who: h.changed_by_name.clone().unwrap_or_default(),
                when: nl::datetime(h.changed_at),
            })
            .collect(),
        comments: d
            .comments
            .iter()
            .map(|c| Line {
                who: c.author_name.clone().unwrap_or_default(),
                when: nl::datetime(c.created_at),
                text: c.text.clone(),
            })
            .collect(),
        addenda: d
            .addenda
            .iter()
            .map(|c| Line {
                who: c.author.clone().unwrap_or_default(),
                when: nl::datetime(c.created_at),
                text: c.text.clone(),
            })
            .collect(),
        can_manage: manage,
        can_register: user.actor.can(Capability::ViewRegister),
        can_progress: manage || is_owner(user, d),
        statuses,
        directions: direction_choices(&drafts.kpi_direction),
        d: drafts,
        errors,
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let d = visible_agreement(&state, &user, id).await?;
    let drafts = Drafts {
        review_on: nl::date(today()),
        ..Drafts::default()
    };
    render(page(&ctx, &user, &d, drafts, Errors::default()))
}

/// The agreement, if the person may see it (404) and record progress on it (403).
async fn progressable(state: &AppState, user: &User, id: i64) -> AppResult<AgreementDetail> {
    let d = visible_agreement(state, user, id).await?;
    if !can_manage(user) && !is_owner(user, &d) {
        return Err(AppError::Forbidden);
    }
    Ok(d)
}

fn one(pairs: &[(String, String)], k: &str) -> String {
    pairs
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn invalid(
    ctx: &Ctx,
    user: &User,
    d: &AgreementDetail,
    drafts: Drafts,
    errors: Errors,
) -> AppResult<Response> {
    let page = page(ctx, user, d, drafts, errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

fn done(id: i64, anchor: &str) -> Response {
    Redirect::to(&format!("/afspraken/{id}?ok=opgeslagen#{anchor}")).into_response()
}

pub(super) async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let d = progressable(&state, &user, id).await?;
    let drafts = Drafts {
        to: one(&pairs, "to"),
        reason: one(&pairs, "reason"),
        ..Default::default()
    };
    let version: i32 = one(&pairs, "version").parse().unwrap_or(-1);
    let mut errors = Errors::default();
    let from = AgreementStatus::parse(&d.agreement.status);
    let to = AgreementStatus::parse(&drafts.to);
    let (Some(from), Some(to)) = (from, to) else {
        errors.add("to", "Kies een nieuwe status.");
        return invalid(&ctx, &user, &d, drafts, errors);
    };
    if let Err(e) = status::transition(from, to, &drafts.reason) {
        let field = match e {
            status::StatusError::ReasonRequired(_)
            | status::StatusError::ReopenReasonRequired
            | status::StatusError::ReasonTooLong { .. } => "reason",
            _ => "to",
        };
        errors.add(field, e.to_string());
        return invalid(&ctx, &user, &d, drafts, errors);
    }
    if !allowed_statuses(&user, &d).contains(&to) {
        errors.add(
            "to",
            "Als eigenaar kunt u alleen de uitvoering starten of de afspraak gerealiseerd melden.",
        );
        return invalid(&ctx, &user, &d, drafts, errors);
    }
    let mut tx = state.store.begin().await?;
    let outcome =
        store::register::change_status(&mut tx, &who(&user), id, version, to, &drafts.reason, None)
            .await;
    let step = Step {
        id,
        anchor: "status",
        field: "to",
        message: "Iemand anders heeft deze afspraak intussen gewijzigd. Bekijk de huidige status en kies opnieuw.",
    };
    finish(&state, &ctx, &user, tx, outcome, step, drafts).await
}

pub(super) async fn add_comment(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let d = progressable(&state, &user, id).await?;
    let drafts = Drafts {
        comment: one(&pairs, "comment"),
        ..Default::default()
    };
    let len = drafts.comment.trim().chars().count();
    if len == 0 || len > 4000 {
        let mut errors = Errors::default();
        errors.add("comment", "Schrijf een opmerking (hoogstens 4000 tekens).");
        return invalid(&ctx, &user, &d, drafts, errors);
    }
    let mut tx = state.store.begin().await?;
    store::register::add_comment(&mut tx, &who(&user), id, &drafts.comment).await?;
    store::commit(tx).await?;
    Ok(done(id, "opmerkingen"))
}

pub(super) async fn add_kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let d = progressable(&state, &user, id).await?;
    let drafts = kpi_drafts(&pairs);
    let mut errors = Errors::default();
    let Some(input) = kpi_input(&drafts, &mut errors) else {
        return invalid(&ctx, &user, &d, drafts, errors);
    };
    let mut tx = state.store.begin().await?;
    store::register::add_kpi(&mut tx, &who(&user), id, &input).await?;
    store::commit(tx).await?;
    Ok(done(id, "kpis"))
}

/// The KPI fields of a posted form, as typed.
fn kpi_drafts(pairs: &[(String, String)]) -> Drafts {
    Drafts {
        kpi_name: one(pairs, "kpi_name"),
        kpi_unit: one(pairs, "kpi_unit"),
        kpi_direction: one(pairs, "kpi_direction"),
        kpi_baseline: one(pairs, "kpi_baseline"),
        kpi_target: one(pairs, "kpi_target"),
        ..Default::default()
    }
}

/// The KPI fields as typed, checked; `None` with the errors at the fields otherwise.
fn kpi_input(drafts: &Drafts, errors: &mut Errors) -> Option<KpiInput> {
    let name = drafts.kpi_name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.add(
            "kpi_name",
            "Vul de naam van de KPI in (hoogstens 200 tekens).",
        );
    }
    errors.limit("kpi_unit", drafts.kpi_unit.trim(), domain::text::max::SHORT);
    let direction = Direction::parse(&drafts.kpi_direction);
    if direction.is_none() {
        errors.add("kpi_direction", "Kies of hoger of lager beter is.");
    }
    let baseline = nl::parse_decimal(&drafts.kpi_baseline)
        .map_err(|e| errors.add("kpi_baseline", format!("Nulmeting: {e}")))
        .ok();
    let target = nl::parse_decimal(&drafts.kpi_target)
        .map_err(|e| errors.add("kpi_target", format!("Streefwaarde: {e}")))
        .ok();
    match (direction, baseline, target) {
        (Some(direction), Some(baseline), Some(target)) if errors.is_empty() => Some(KpiInput {
            name: name.to_string(),
            unit: drafts.kpi_unit.trim().to_string(),
            direction: direction.code().into(),
            baseline,
            target,
        }),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "agreements/kpi_form.html")]
struct KpiPage {
    layout: Layout,
    id: i64,
    title: String,
    kpi: i64,
    version: i32,
    d: Drafts,
    directions: Vec<Choice>,
    errors: Errors,
}

fn kpi_page(
    ctx: &Ctx,
    d: &AgreementDetail,
    kpi: &store::register::KpiRow,
    version: i32,
    drafts: Drafts,
    errors: Errors,
) -> KpiPage {
    KpiPage {
        layout: ctx.layout(format!("KPI wijzigen: {}", kpi.name)),
        id: d.agreement.id,
        title: d.agreement.title.clone(),
        kpi: kpi.id,
        version,
        directions: direction_choices(&drafts.kpi_direction),
        d: drafts,
        errors,
    }
}

fn direction_choices(chosen: &str) -> Vec<Choice> {
    Direction::ALL
        .iter()
        .map(|x| Choice {
            value: x.code().into(),
            label: x.label().into(),
            selected: chosen == x.code(),
        })
        .collect()
}

/// The KPI named by the `kpi` field, if it belongs to this agreement.
fn kpi_of(d: &AgreementDetail, kpi: &str) -> Option<store::register::KpiRow> {
    let kpi: i64 = kpi.trim().parse().ok()?;
    d.kpis.iter().map(|k| &k.kpi).find(|k| k.id == kpi).cloned()
}

#[derive(serde::Deserialize)]
pub(super) struct KpiQuery {
    #[serde(default)]
    kpi: String,
}

/// `GET /afspraken/{id}/kpis/wijzigen?kpi=…`: the KPI's form; without a KPI of this agreement,
/// back to the agreement.
pub(super) async fn edit_kpi_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<KpiQuery>,
) -> AppResult<Response> {
    let d = progressable(&state, &user, id).await?;
    let Some(kpi) = kpi_of(&d, &q.kpi) else {
        return Ok(Redirect::to(&format!("/afspraken/{id}#kpis")).into_response());
    };
    let drafts = Drafts {
        kpi_name: kpi.name.clone(),
        kpi_unit: kpi.unit.clone(),
        kpi_direction: kpi.direction.clone(),
        kpi_baseline: trim_num(nl::number(kpi.baseline, 4)),
        kpi_target: trim_num(nl::number(kpi.target, 4)),
        ..Default::default()
    };
    render(kpi_page(
        &ctx,
        &d,
        &kpi,
        kpi.version,
        drafts,
        Errors::default(),
    ))
}

/// `POST /afspraken/{id}/kpis/wijzigen`: a changed name, unit, direction, baseline or target
/// (a renegotiated target, say). The measurements stay; the light follows the new target.
pub(super) async fn edit_kpi(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let d = progressable(&state, &user, id).await?;
    let Some(kpi) = kpi_of(&d, &one(&pairs, "kpi")) else {
        return Ok(Redirect::to(&format!("/afspraken/{id}#kpis")).into_response());
    };
    let drafts = kpi_drafts(&pairs);
    let version: i32 = one(&pairs, "version").parse().unwrap_or(-1);
    let mut errors = Errors::default();
    let Some(input) = kpi_input(&drafts, &mut errors) else {
        let page = kpi_page(&ctx, &d, &kpi, version, drafts, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
    };
    let mut tx = state.store.begin().await?;
    match store::register::update_kpi(&mut tx, &who(&user), kpi.id, version, &input).await {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(done(id, &format!("kpi-{}", kpi.id)))
        }
        Err(StoreError::Conflict) => {
            drop(tx);
            errors.add(
                "kpi_name",
                "Iemand anders heeft deze KPI intussen gewijzigd. Hieronder staat uw invoer; de huidige waarden ziet u op de afspraak. Sla opnieuw op om ze te vervangen.",
            );
            let page = kpi_page(&ctx, &d, &kpi, kpi.version, drafts, errors);
            Ok((StatusCode::CONFLICT, render(page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn add_measurement(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let d = progressable(&state, &user, id).await?;
    let drafts = Drafts {
        m_kpi: one(&pairs, "m_kpi"),
        m_date: one(&pairs, "measured_on"),
        m_value: one(&pairs, "value"),
        m_note: one(&pairs, "note"),
        ..Default::default()
    };
    let mut errors = Errors::default();
    let kpi = drafts
        .m_kpi
        .parse::<i64>()
        .ok()
        .filter(|k| d.kpis.iter().any(|x| x.kpi.id == *k));
    if kpi.is_none() {
        errors.add("m_kpi", "Kies de KPI waarvan u een meting vastlegt.");
    }
    let on = domain::nl::parse_date(&drafts.m_date);
    if on.is_none() {
        errors.add("m_date", "Vul de datum van de meting in als dd-mm-jjjj.");
    } else if on.is_some_and(|o| o > today()) {
        errors.add("m_date", "Een meting kan niet in de toekomst liggen.");
    }
    let value = nl::parse_decimal(&drafts.m_value)
        .map_err(|e| errors.add("m_value", e.to_string()))
        .ok();
    errors.limit("m_note", drafts.m_note.trim(), domain::text::max::COMMENT);
    let (Some(kpi), Some(on), Some(value), true) = (kpi, on, value, errors.is_empty()) else {
        return invalid(&ctx, &user, &d, drafts, errors);
    };
    let input = MeasurementInput {
        measured_on: on,
        value,
        note: drafts.m_note.trim().to_string(),
    };
    let mut tx = state.store.begin().await?;
    store::register::add_measurement(&mut tx, &who(&user), kpi, &input).await?;
    store::commit(tx).await?;
    Ok(done(id, "kpis"))
}

/// `POST /afspraken/{id}/beoordeling`: the boards reviewed the agreement (B4); the next review
/// falls one cadence later.
pub(super) async fn record_review(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let d = progressable(&state, &user, id).await?;
    let drafts = Drafts {
        review_on: one(&pairs, "reviewed_on"),
        review_note: one(&pairs, "note"),
        ..Default::default()
    };
    let version: i32 = one(&pairs, "version").parse().unwrap_or(-1);
    let mut errors = Errors::default();
    let on = nl::parse_date(&drafts.review_on);
    match on {
        None => errors.add(
            "review_on",
            "Vul de datum van de beoordeling in als dd-mm-jjjj.",
        ),
        Some(on) if on > today() => errors.add(
            "review_on",
            "Een beoordeling kan niet in de toekomst liggen.",
        ),
        Some(_) => {}
    }
    if drafts.review_note.trim().chars().count() > 4000 {
        errors.add(
            "review_note",
            "De toelichting is te lang (hoogstens 4000 tekens).",
        );
    }
    let (Some(on), true) = (on, errors.is_empty()) else {
        return invalid(&ctx, &user, &d, drafts, errors);
    };
    let mut tx = state.store.begin().await?;
    let outcome =
        store::register::record_review(&mut tx, &who(&user), id, version, on, &drafts.review_note)
            .await;
    let step = Step {
        id,
        anchor: "beoordeling",
        field: "review_on",
        message: "Iemand anders heeft deze afspraak intussen gewijzigd. Controleer de gegevens en sla opnieuw op.",
    };
    finish(&state, &ctx, &user, tx, outcome, step, drafts).await
}

/// A versioned progress step on the agreement page: where to return and what to say when
/// someone else changed the agreement first.
struct Step {
    id: i64,
    anchor: &'static str,
    field: &'static str,
    message: &'static str,
}

/// Commits a versioned step, or shows the agreement as it is now with the message at the
/// step's field and what the person typed still in the form.
async fn finish(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    tx: store::Tx,
    outcome: Result<(), StoreError>,
    step: Step,
    drafts: Drafts,
) -> AppResult<Response> {
    match outcome {
        Ok(()) => {
            store::commit(tx).await?;
            Ok(done(step.id, step.anchor))
        }
        Err(StoreError::Conflict) => {
            drop(tx);
            let d = visible_agreement(state, user, step.id).await?;
            let mut errors = Errors::default();
            errors.add(step.field, step.message);
            invalid(ctx, user, &d, drafts, errors)
        }
        Err(e) => Err(e.into()),
    }
}
