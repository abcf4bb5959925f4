//! The agreement page (product.md B1–B3): everything about one agreement, with its traffic light
//! and KPIs, and the forms to record progress: status, comments, KPIs and measurements. The
//! secretary and the agreement's owners (of the agreement or one of its parties) record progress;
//! only the secretary edits the agreement itself (see `form`).

use super::{Choice, choices, visible_agreement};
use super::{form, progress};
use crate::shared::clock::today;
use crate::shared::error::AppResult;
use crate::shared::routes::{Access, RouteDef, get, post};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::agreements::attention;
use domain::agreements::kinds::ReviewCadence;
use domain::agreements::kpi::{self, Direction};
use domain::agreements::progress::{KpiForm, MeasurementForm, ReviewForm, StatusForm};
use domain::agreements::status;
use domain::authz::Capability;
use domain::ids::{AgreementId, MeetingId};
use domain::nl;
use store::agreements::AgreementDetail;

const VIEW: Access = Access::Needs(Capability::ViewAgreements);
const MANAGE: Access = Access::Needs(Capability::ManageAgreements);

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        get("/afspraken/nieuw", MANAGE, form::new_form),
        post("/afspraken", MANAGE, form::create),
        get("/afspraken/{agreement}", VIEW, show),
        post("/afspraken/{agreement}", MANAGE, form::update),
        get("/afspraken/{agreement}/bewerken", MANAGE, form::edit_form),
        post(
            "/afspraken/{agreement}/status",
            VIEW,
            progress::change_status,
        ),
        post(
            "/afspraken/{agreement}/opmerkingen",
            VIEW,
            progress::add_comment,
        ),
        post("/afspraken/{agreement}/kpis", VIEW, progress::add_kpi),
        post(
            "/afspraken/{agreement}/metingen",
            VIEW,
            progress::add_measurement,
        ),
        post(
            "/afspraken/{agreement}/beoordeling",
            VIEW,
            progress::record_review,
        ),
        get(
            "/afspraken/{agreement}/kpis/wijzigen",
            VIEW,
            progress::edit_kpi_form,
        ),
        post(
            "/afspraken/{agreement}/kpis/wijzigen",
            VIEW,
            progress::edit_kpi,
        ),
    ]
}

struct PartyView {
    kind: &'static str,
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
    direction: &'static str,
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
    from: &'static str,
    to: &'static str,
    reason: String,
    who: String,
    when: String,
}

/// What the progress forms hold, as typed, kept on errors.
#[derive(Default)]
pub(super) struct Drafts {
    pub status: StatusForm,
    pub comment: String,
    pub kpi: KpiForm,
    pub measurement: MeasurementForm,
    pub review: ReviewForm,
}

#[derive(Template)]
#[template(path = "agreements/detail.html")]
struct DetailPage {
    layout: Layout,
    id: AgreementId,
    version: i32,
    title: String,
    description: String,
    kind: &'static str,
    status: &'static str,
    status_code: &'static str,
    parties: Vec<PartyView>,
    seven_s: String,
    theme: &'static str,
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
    origin: Option<(MeetingId, String, String)>,
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
pub(super) fn trim_num(s: String) -> String {
    if !s.contains(',') {
        return s;
    }
    s.trim_end_matches('0').trim_end_matches(',').to_string()
}

/// Whether the person is an owner of the agreement or of one of its parties.
pub(super) fn is_owner(user: &User, d: &AgreementDetail) -> bool {
    let me = Some(user.actor.person_id);
    d.agreement.owner_id == me || d.parties.iter().any(|p| p.owner_id == me)
}

pub(super) fn can_manage(user: &User) -> bool {
    user.actor.can(Capability::ManageAgreements)
}

fn page(ctx: &Ctx, user: &User, d: &AgreementDetail, drafts: Drafts, errors: Errors) -> DetailPage {
    let a = &d.agreement;
    let today = today();
    let from = a.status;
    let mut lights = Vec::new();
    let kpis: Vec<KpiView> = d
        .kpis
        .iter()
        .map(|k| {
            let ms: Vec<kpi::Measurement> = k.measurements.iter().map(|m| m.to_domain()).collect();
            let kpi::Assessment { light, reason } =
                kpi::kpi_light(&k.kpi.to_domain(), &ms, a.due_date, today);
            lights.push(light);
            KpiView {
                id: k.kpi.id,
                name: k.kpi.name.clone(),
                unit: k.kpi.unit.clone(),
                direction: k.kpi.direction.label(),
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
    let light = kpi::agreement_light(&lights, from, a.due_date, today);
    let cadence = ReviewCadence::from_months(a.review_months.and_then(|m| u32::try_from(m).ok()));
    let review_due = attention::review_due_on(
        cadence,
        a.start_date,
        nl::to_amsterdam(a.created_at).date(),
        a.reviewed_on,
    );
    let reasons = attention::reasons(
        &attention::Facts {
            status: from,
            due: a.due_date,
            review_due,
            light,
        },
        today,
    );
    let manage = can_manage(user);
    let statuses = status::available_to(from, manage)
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
            selected: drafts.status.to == to.code(),
        })
        .collect();
    DetailPage {
        layout: ctx.layout(a.title.clone()),
        id: a.id,
        version: a.version,
        title: a.title.clone(),
        description: a.description.clone(),
        kind: a.kind.label(),
        status: a.status.label(),
        status_code: a.status.code(),
        parties: d
            .parties
            .iter()
            .map(|p| PartyView {
                kind: p.kind.label(),
                name: p.name(),
                owner: p.owner_name.clone().unwrap_or_default(),
            })
            .collect(),
        seven_s: a
            .seven_s
            .iter()
            .map(|s| s.label())
            .collect::<Vec<_>>()
            .join(", "),
        theme: a.theme.map_or("", |t| t.label()),
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
                selected: drafts.measurement.kpi == k.id.to_string(),
            })
            .collect(),
        kpis,
        history: d
            .history
            .iter()
            .map(|h| HistoryView {
                from: h.from_status.label(),
                to: h.to_status.label(),
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
        directions: choices(
            Direction::ALL,
            Direction::code,
            Direction::label,
            &drafts.kpi.direction,
        ),
        d: drafts,
        errors,
    }
}

/// The agreement page with a progress form that was refused: what was typed and why (422).
pub(super) fn invalid(
    ctx: &Ctx,
    user: &User,
    d: &AgreementDetail,
    drafts: Drafts,
    errors: Errors,
) -> AppResult<Response> {
    let page = page(ctx, user, d, drafts, errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

pub(super) async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<AgreementId>,
) -> AppResult<Response> {
    let d = visible_agreement(&state, &user, id).await?;
    let drafts = Drafts {
        review: ReviewForm {
            on: nl::date(today()),
            ..ReviewForm::default()
        },
        ..Drafts::default()
    };
    render(page(&ctx, &user, &d, drafts, Errors::default()))
}
