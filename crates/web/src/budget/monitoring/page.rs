//! The monitoring pages: the hospital with a row per vakgroep the reader may see, and one
//! vakgroep's months. Figures in Dutch notation; every chart has the same figures as a table.

use crate::shared::error::{AppError, AppResult};
use crate::shared::monitoring::{Monitored, monitored};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::authz::Capability;
use domain::budget::YEARS;
use domain::budget::monitoring::{Deviation, MonthFigures, Track, VakgroepMonitoring, chart_svg};
use domain::nl;
use rust_decimal::Decimal;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub(super) struct YearQuery {
    #[serde(default)]
    pub jaar: String,
    /// Set by the proposal when there was no signal (any more).
    #[serde(default)]
    pub geen_signaal: String,
}

/// The year asked for, else this year.
pub(super) fn year_of(q: &YearQuery) -> i16 {
    q.jaar
        .trim()
        .parse::<i16>()
        .ok()
        .filter(|y| YEARS.contains(y))
        .unwrap_or_else(|| crate::shared::clock::today().year() as i16)
}

fn hours(v: Decimal) -> String {
    nl::number(v, 1)
}

fn signed(v: Decimal, decimals: u32) -> String {
    let text = nl::number(v, decimals);
    if v > Decimal::ZERO && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{text}")
    } else {
        text.replace('-', "−")
    }
}

fn month_name(m: u8) -> &'static str {
    time::Month::try_from(m).map(nl::month_name).unwrap_or("")
}

/// A deviation as the tables show it: hours, fte and percent.
pub(super) struct DeviationView {
    pub hours: String,
    pub fte: String,
    pub percent: String,
}

fn deviation(d: Option<&Deviation>) -> DeviationView {
    let Some(d) = d else {
        return DeviationView {
            hours: "–".into(),
            fte: "–".into(),
            percent: "–".into(),
        };
    };
    DeviationView {
        hours: signed(d.hours, 1),
        fte: d.fte.map_or("–".into(), |f| signed(f, 2)),
        percent: d.fraction.map_or("–".into(), |f| {
            format!("{} %", signed(f * Decimal::ONE_HUNDRED, 1))
        }),
    }
}

/// One line of the per-vakgroep table (or the hospital's totals).
pub(super) struct Row {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub budget: String,
    pub budget_to_date: String,
    pub realised_to_date: String,
    pub deviation: DeviationView,
    pub forecast: String,
    /// The signal's sentence, when there is one.
    pub signal: Option<String>,
}

fn row(id: i64, code: &str, name: &str, t: &Track, through: u8) -> Row {
    let last = (through as usize).checked_sub(1).map(|i| &t.months[i]);
    Row {
        id,
        code: code.into(),
        name: name.into(),
        budget: hours(t.budget_hours),
        budget_to_date: last.map_or("–".into(), |m| hours(m.cumulative_budget)),
        realised_to_date: last
            .and_then(|m| m.cumulative_realised)
            .map_or("–".into(), hours),
        deviation: deviation(t.to_date.as_ref()),
        forecast: t.forecast.as_ref().map_or("–".into(), |f| {
            format!(
                "{} ({})",
                nl::number(f.hours, 0),
                deviation(Some(&f.deviation)).percent
            )
        }),
        signal: t.signal.as_ref().map(|s| s.explanation.clone()),
    }
}

/// One month of a track.
pub(super) struct MonthRow {
    pub month: &'static str,
    pub budget: String,
    pub cumulative_budget: String,
    pub realised: String,
    pub cumulative_realised: String,
    pub deviation: DeviationView,
    pub projected: String,
}

fn months(t: &Track) -> Vec<MonthRow> {
    t.months
        .iter()
        .map(|m: &MonthFigures| MonthRow {
            month: month_name(m.month),
            budget: hours(m.budget),
            cumulative_budget: hours(m.cumulative_budget),
            realised: m.realised.map_or("–".into(), hours),
            cumulative_realised: m.cumulative_realised.map_or("–".into(), hours),
            deviation: deviation(m.deviation.as_ref()),
            projected: m.projected.map_or(String::new(), hours),
        })
        .collect()
}

/// What every monitoring page says about the year.
pub(super) struct About {
    pub scenario_id: i64,
    pub scenario_name: String,
    pub adopted_at: String,
    pub hash: String,
    /// "t/m maart 2027", or why there is nothing yet.
    pub through: String,
    pub threshold: String,
}

fn about(m: &Monitored) -> About {
    let a = &m.source.adoption;
    let through = match m.monitoring.through_month {
        0 => format!("Nog geen realisatie van {} ingelezen.", a.year),
        k => format!(
            "Realisatie ingelezen tot en met {} {}.",
            month_name(k),
            a.year
        ),
    };
    About {
        scenario_id: a.scenario_id.get(),
        scenario_name: a.scenario_name.clone(),
        adopted_at: format!(
            "in {} van {}",
            a.meeting_title,
            nl::date(nl::to_amsterdam(a.meeting_starts_at).date())
        ),
        hash: a.content_hash.clone(),
        through,
        threshold: nl::percent(m.monitoring.threshold * Decimal::ONE_HUNDRED),
    }
}

#[derive(Template)]
#[template(path = "budget/monitoring/hospital.html")]
struct HospitalPage {
    layout: Layout,
    year: i16,
    about: Option<About>,
    chart: String,
    total: Option<Row>,
    rows: Vec<Row>,
    /// Whether other vakgroepen were left out (a representative sees their own).
    partial: bool,
    months: Vec<MonthRow>,
}

/// `GET /begroting/monitoring?jaar=`.
pub(super) async fn hospital(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = year_of(&q);
    let layout = ctx.layout(format!("Monitoring {year}"));
    let Some(m) = monitored(&state, year).await? else {
        return render(HospitalPage {
            layout,
            year,
            about: None,
            chart: String::new(),
            total: None,
            rows: Vec::new(),
            partial: false,
            months: Vec::new(),
        });
    };
    let through = m.monitoring.through_month;
    let names = &m.source.names;
    let all = &m.monitoring.vakgroepen;
    let rows: Vec<Row> = all
        .iter()
        .filter(|v| user.actor.can_see_vakgroep_figures(v.vakgroep_id))
        .map(|v| {
            let name = names.get(&v.vakgroep_id).map_or("", |n| n.1.as_str());
            row(v.vakgroep_id, &v.code, name, &v.track, through)
        })
        .collect();
    let hospital = &m.monitoring.hospital;
    render(HospitalPage {
        layout,
        year,
        about: Some(about(&m)),
        chart: chart_svg(
            "ziekenhuis",
            &format!("Normuren ziekenhuis {year}: begroting, realisatie en prognose (cumulatief)"),
            hospital,
            m.monitoring.threshold,
        ),
        total: Some(row(0, "", "Ziekenhuis", hospital, through)),
        partial: rows.len() < all.len(),
        rows,
        months: months(hospital),
    })
}

#[derive(Template)]
#[template(path = "budget/monitoring/vakgroep.html")]
struct VakgroepPage {
    layout: Layout,
    year: i16,
    about: About,
    row: Row,
    chart: String,
    months: Vec<MonthRow>,
    profile: String,
    profile_reason: Option<String>,
    without_norm_time: Vec<String>,
    may_propose: bool,
    no_signal_notice: bool,
}

fn find(m: &Monitored, id: i64) -> Option<&VakgroepMonitoring> {
    m.monitoring.vakgroepen.iter().find(|v| v.vakgroep_id == id)
}

/// `GET /begroting/monitoring/vakgroepen/{vakgroep}?jaar=`: 404 for a vakgroep the reader may
/// not see, like one that does not exist.
pub(super) async fn vakgroep(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    if !user.actor.can_see_vakgroep_figures(id) {
        return Err(AppError::NotFound);
    }
    let year = year_of(&q);
    let m = monitored(&state, year).await?.ok_or(AppError::NotFound)?;
    let v = find(&m, id).ok_or(AppError::NotFound)?;
    let name = m
        .source
        .names
        .get(&id)
        .map_or(v.code.clone(), |n| n.1.clone());
    let title = format!("Monitoring {year}: {name}");
    render(VakgroepPage {
        layout: ctx.layout(title.clone()),
        year,
        about: about(&m),
        row: row(id, &v.code, &name, &v.track, m.monitoring.through_month),
        chart: chart_svg(
            &format!("vakgroep-{id}"),
            &format!("Normuren {name} {year}: begroting, realisatie en prognose (cumulatief)"),
            &v.track,
            m.monitoring.threshold,
        ),
        months: months(&v.track),
        profile: v.profile.kind.label().into(),
        profile_reason: v.profile.reason.clone(),
        // Care-product codes are a vakgroep's detail, not its figures (the secretary sees the
        // figures of every vakgroep, the detail of none).
        without_norm_time: if user.actor.can_see_vakgroep(id) {
            v.without_norm_time.clone()
        } else {
            Vec::new()
        },
        may_propose: v.track.signal.is_some() && user.actor.can(Capability::ProposeBudgetAgreement),
        no_signal_notice: !q.geen_signaal.is_empty(),
    })
}
