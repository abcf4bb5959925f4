//! The distribution pages: the hospital's (frame, components, sum check, the vakgroepen the reader
//! may see with their traces) and one vakgroep's (its trace and, for the MSB board, its band).

use super::{Computed, compute};
use crate::shared::error::{AppError, AppResult};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Errors, Layout, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use domain::authz::Capability;
use domain::budget::distribution::{
    BandOverrideForm, BandTrace, BoundSide, Distribution, VakgroepAllocation, explain,
};
use domain::budget::{Band, EarmarkPlacement};
use domain::ids::{ScenarioId, VakgroepId};
use domain::nl::{self, eur};
use rust_decimal::Decimal;

/// The hospital's figures, for everyone who sees the budget.
pub(super) struct Frame {
    pub fee_budget: String,
    pub placement: &'static str,
    pub earmark_total: String,
    pub has_earmark: bool,
    pub distributable: String,
    pub fixed_share: String,
    pub fixed_component: String,
    pub capacity_component: String,
    pub formatief_total: String,
    pub norm_fte_total: String,
    pub iterations: u32,
    pub allocated: String,
    pub total: String,
    pub balances: bool,
    /// "Σ toewijzingen = M" in words: which sum equals M depends on the earmark's placement.
    pub check: String,
}

/// One vakgroep's line, with its trace.
pub(super) struct Row {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub formatief: String,
    pub norm_fte: String,
    pub fixed_part: String,
    pub capacity_part: String,
    pub unbounded: String,
    pub band: String,
    pub bound: String,
    pub redistributed: String,
    pub cents: String,
    pub allocation: String,
    pub earmark: String,
    pub total: String,
    pub last_year: String,
    pub difference: String,
    pub trace: Vec<String>,
}

fn frame(d: &Distribution) -> Frame {
    let check = match d.placement {
        EarmarkPlacement::OnTop => format!(
            "Σ toewijzingen {} = M {}; met het geoormerkte bedrag erbij {} = M + E.",
            eur(d.allocated),
            eur(d.fee_budget),
            eur(d.total)
        ),
        EarmarkPlacement::OutOfBudget => format!(
            "Σ toewijzingen {} = D = M − E; met de geoormerkte delen erbij {} = M {}.",
            eur(d.allocated),
            eur(d.total),
            eur(d.fee_budget)
        ),
    };
    Frame {
        fee_budget: eur(d.fee_budget),
        placement: d.placement.label(),
        earmark_total: eur(d.earmark_total),
        has_earmark: !d.earmark_total.is_zero(),
        distributable: eur(d.distributable),
        fixed_share: nl::percent(d.fixed_share * Decimal::ONE_HUNDRED),
        fixed_component: eur(d.fixed_component),
        capacity_component: eur(d.capacity_component),
        formatief_total: nl::fte(d.formatief_total),
        norm_fte_total: nl::fte(d.norm_fte_total),
        iterations: d.iterations,
        allocated: eur(d.allocated),
        total: eur(d.total),
        balances: d.balances(),
        check,
    }
}

pub(super) fn band_text(band: Band) -> String {
    format!(
        "{} – {}",
        nl::percent(band.floor * Decimal::ONE_HUNDRED),
        nl::percent(band.cap * Decimal::ONE_HUNDRED)
    )
}

fn signed_eur(x: Decimal) -> String {
    if x.is_sign_negative() && !x.is_zero() {
        format!("−{}", eur(-x))
    } else if x.is_zero() {
        eur(Decimal::ZERO)
    } else {
        format!("+{}", eur(x))
    }
}

fn row(c: &Computed, d: &Distribution, v: &VakgroepAllocation) -> Row {
    let band = match v.band {
        BandTrace::Applied(b) => format!(
            "{} ({}): {} – {}",
            band_text(b.band),
            b.source.label().to_lowercase(),
            eur(b.floor_amount),
            eur(b.cap_amount)
        ),
        BandTrace::NotApplied(reason) => reason.label().to_string(),
    };
    let bound = match v.binding {
        Some(b) => format!(
            "{} (iteratie {})",
            match b.side {
                BoundSide::Floor => "op de ondergrens",
                BoundSide::Cap => "op de bovengrens",
            },
            b.iteration
        ),
        None => "–".into(),
    };
    Row {
        id: v.vakgroep_id,
        code: v.code.clone(),
        name: c
            .names
            .get(&v.vakgroep_id)
            .map(|(_, name)| name.clone())
            .unwrap_or_default(),
        formatief: nl::fte(v.formatief_fte),
        norm_fte: nl::fte(v.norm_fte),
        fixed_part: eur(v.fixed_part),
        capacity_part: eur(v.capacity_part),
        unbounded: eur(v.unbounded),
        band,
        bound,
        redistributed: signed_eur(v.redistributed),
        cents: nl::number(v.cents_adjustment * Decimal::ONE_HUNDRED, 2),
        allocation: eur(v.allocation),
        earmark: eur(v.earmark),
        total: eur(v.total),
        last_year: v.last_year.map(eur).unwrap_or_else(|| "–".into()),
        difference: v
            .last_year
            .map(|l| signed_eur(v.allocation - l))
            .unwrap_or_else(|| "–".into()),
        trace: explain(d, v),
    }
}

/// Where last year's allocation came from, in words.
fn last_year_text(c: &Computed) -> String {
    if let Some(recorded) = &c.recorded_last_year {
        return format!("Toewijzing vorig jaar zoals vastgelegd bij de vaststelling: {recorded}.");
    }
    match (&c.last_year.source, &c.last_year.problem) {
        (_, Some(problem)) => problem.clone(),
        (store::budget::LastYearSource::None, None) => format!(
            "Er is geen begroting vorig jaar ({}) gekozen en geen vastgestelde begroting: er geldt geen band.",
            c.setup.year - 1
        ),
        (store::budget::LastYearSource::PreviousScenario { name, .. }, None) => format!(
            "Toewijzing vorig jaar: de verdeling van de begroting vorig jaar, scenario {name} ({}).",
            c.setup.year - 1
        ),
        (
            store::budget::LastYearSource::Adopted {
                name,
                year,
                content_hash,
                ..
            },
            None,
        ) => format!(
            "Toewijzing vorig jaar: de vastgestelde begroting {year}, scenario {name} (controlegetal {}…).",
            &content_hash[..content_hash.len().min(12)]
        ),
    }
}

fn shared_text(c: &Computed) -> Option<String> {
    c.setup.settings.shared.as_ref().map(|s| {
        format!(
            "Gedeeld met de RvB op {} door {}.",
            nl::datetime(s.at),
            s.by_label
        )
    })
}

#[derive(Template)]
#[template(path = "budget/distribution/hospital.html")]
struct HospitalPage {
    layout: Layout,
    scenario_id: ScenarioId,
    scenario_name: String,
    year: i16,
    frame: Option<Frame>,
    problem: Option<String>,
    band_incomplete: bool,
    last_year: String,
    shared: Option<String>,
    /// The vakgroepen whose allocation the reader may see.
    rows: Vec<Row>,
    /// Vakgroepen left out because the reader may not see them (yet).
    hidden: usize,
    may_share: bool,
    may_set_placement: bool,
    placement: &'static str,
    version: i32,
    errors: Errors,
    adoption: crate::budget::adoption::Panel,
}

/// The hospital's page; `errors` from a refused placement or share form (422).
pub(super) async fn hospital_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    id: ScenarioId,
    errors: Errors,
) -> AppResult<Response> {
    let c = compute(state, id).await?;
    let (frame, problem, rows, hidden) = match &c.outcome {
        Ok(d) => {
            let (seen, hidden): (Vec<_>, Vec<_>) = d
                .vakgroepen
                .iter()
                .partition(|v| c.sees(user, v.vakgroep_id));
            (
                Some(self::frame(d)),
                None,
                seen.into_iter().map(|v| row(&c, d, v)).collect(),
                hidden.len(),
            )
        }
        Err(why) => (None, Some(why.clone()), Vec::new(), 0),
    };
    let status = errors.status();
    let adoption = crate::budget::adoption::panel(state, user, id).await?;
    let page = HospitalPage {
        layout: ctx.layout(format!(
            "Verdeling {} ({})",
            c.scenario.name, c.scenario.year
        )),
        scenario_id: id,
        scenario_name: c.scenario.name.clone(),
        year: c.setup.year,
        frame,
        problem,
        band_incomplete: c.band_incomplete,
        last_year: last_year_text(&c),
        shared: shared_text(&c),
        rows,
        hidden,
        may_share: c.may_shape(user) && !c.shared(),
        may_set_placement: user.actor.can(Capability::ManageBudget) && !adoption.locked(),
        placement: c.setup.settings.placement.code(),
        version: c.setup.settings.version,
        errors,
        adoption,
    };
    Ok((status, render(page)?).into_response())
}

pub(super) async fn hospital(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<ScenarioId>,
) -> AppResult<Response> {
    hospital_page(&state, &ctx, &user, id, Errors::default()).await
}

#[derive(Template)]
#[template(path = "budget/distribution/vakgroep.html")]
struct VakgroepPage {
    layout: Layout,
    scenario_id: ScenarioId,
    scenario_name: String,
    year: i16,
    vakgroep_id: i64,
    code: String,
    name: String,
    row: Option<Row>,
    problem: Option<String>,
    last_year: String,
    /// The vakgroep's own band, as text.
    own_band: Option<String>,
    may_shape: bool,
    form: BandOverrideForm,
    errors: Errors,
}

/// One vakgroep's page; `form` and `errors` from a refused band form (422). A vakgroep whose
/// allocation the reader may not see answers 404, like one that does not exist.
pub(super) async fn vakgroep_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    (id, vakgroep): (ScenarioId, VakgroepId),
    refused: Option<(BandOverrideForm, Errors)>,
) -> AppResult<Response> {
    let c = compute(state, id).await?;
    let v = vakgroep.get();
    let Some((code, name)) = c.names.get(&v).cloned() else {
        return Err(AppError::NotFound);
    };
    if !c.sees(user, v) {
        return Err(AppError::NotFound);
    }
    let own = c.setup.overrides.iter().find(|o| o.vakgroep_id == vakgroep);
    let (form, errors) = refused.unwrap_or_else(|| {
        let pct = |x: Decimal| {
            (x * Decimal::ONE_HUNDRED)
                .normalize()
                .to_string()
                .replace('.', ",")
        };
        (
            BandOverrideForm {
                version: own.map(|o| o.version.to_string()).unwrap_or_default(),
                floor: own.map(|o| pct(o.band_floor)).unwrap_or_default(),
                cap: own.map(|o| pct(o.band_cap)).unwrap_or_default(),
            },
            Errors::default(),
        )
    });
    let (row, problem) = match &c.outcome {
        Ok(d) => (d.vakgroep(v).map(|a| row(&c, d, a)), None),
        Err(why) => (None, Some(why.clone())),
    };
    let status = errors.status();
    let page = VakgroepPage {
        layout: ctx.layout(format!("Verdeling {} – {}", c.scenario.name, name)),
        scenario_id: id,
        scenario_name: c.scenario.name.clone(),
        year: c.setup.year,
        vakgroep_id: v,
        code,
        name,
        row,
        problem,
        last_year: last_year_text(&c),
        own_band: own.map(|o| band_text(o.band())),
        may_shape: c.may_shape(user),
        form,
        errors,
    };
    Ok((status, render(page)?).into_response())
}

pub(super) async fn vakgroep(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(ids): Path<(ScenarioId, VakgroepId)>,
) -> AppResult<Response> {
    vakgroep_page(&state, &ctx, &user, ids, None).await
}
