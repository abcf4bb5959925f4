//! The agreements register (product.md B6): the filtered, searchable list with a traffic light
//! per agreement (B3), and the compliance rate page (B4). The exports (`export.rs`) take their
//! rows from [`register_lines`], so a file never holds more or other rows than the list shows.

use crate::auth::User;
use crate::error::AppResult;
use crate::routes::{Access, RouteDef, get};
use crate::state::AppState;
use crate::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::agreements::attention::{self, Reason};
use domain::agreements::compliance::{self, Compliance};
use domain::agreements::kinds::{
    AgreementKind, AgreementStatus, JzojpTheme, PartyKind, ReviewCadence, SevenS,
};
use domain::agreements::kpi::{TrafficLight, agreement_light, kpi_light};
use domain::authz::Capability;
use domain::nl;
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use store::register::{RegisterFilter, RegisterRow};
use time::{Date, OffsetDateTime};

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        get(
            "/afspraken",
            Access::Needs(Capability::ViewRegister),
            register,
        ),
        get(
            "/afspraken/nakoming",
            Access::Needs(Capability::ViewRegister),
            compliance_page,
        ),
    ]
}

/// The register's query parameters, as the filter form sends them (all optional; blank or
/// unknown values do not filter).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct Params {
    pub soort: String,
    pub partij: String,
    pub eigenaar: String,
    pub status: String,
    pub thema: String,
    pub element: String,
    pub van: String,
    pub tot: String,
    pub stoplicht: String,
    /// `ja`: only agreements that need attention (B4).
    pub aandacht: String,
    pub q: String,
    /// The page of the list, from 1; exports ignore it.
    pub pagina: String,
}

impl Params {
    /// The chosen filters as a query string (without `?`), leaving out the blank ones.
    fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("soort", &self.soort),
            ("partij", &self.partij),
            ("eigenaar", &self.eigenaar),
            ("status", &self.status),
            ("thema", &self.thema),
            ("element", &self.element),
            ("van", &self.van),
            ("tot", &self.tot),
            ("stoplicht", &self.stoplicht),
            ("aandacht", &self.aandacht),
            ("q", &self.q),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.as_str()))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// Today in the Netherlands: the day traffic lights and compliance are judged on.
pub(crate) fn today() -> Date {
    nl::to_amsterdam(OffsetDateTime::now_utc()).date()
}

/// A filter value that must be one of a vocabulary's codes; anything else does not filter.
fn code<T>(value: &str, parse: impl Fn(&str) -> Option<T>) -> Option<String> {
    let v = value.trim();
    parse(v).map(|_| v.to_string())
}

/// One agreement as the register shows and exports it.
#[derive(Clone)]
pub(crate) struct Line {
    pub row: RegisterRow,
    pub light: TrafficLight,
    /// Why the light is what it is, in a short Dutch phrase.
    pub reason: String,
    /// Why it needs attention (B4), most pressing first; empty when it does not.
    pub attention: Vec<Reason>,
}

impl Line {
    pub fn kind_label(&self) -> String {
        AgreementKind::parse(&self.row.kind)
            .map_or_else(|| self.row.kind.clone(), |k| k.label().to_string())
    }

    pub fn status_label(&self) -> String {
        AgreementStatus::parse(&self.row.status)
            .map_or_else(|| self.row.status.clone(), |s| s.label().to_string())
    }

    pub fn theme_label(&self) -> String {
        self.row
            .theme
            .as_deref()
            .map(|t| JzojpTheme::parse(t).map_or_else(|| t.to_string(), |t| t.label().into()))
            .unwrap_or_default()
    }

    pub fn seven_s_labels(&self) -> String {
        self.row
            .seven_s
            .iter()
            .map(|c| SevenS::parse(c).map_or(c.as_str(), |e| e.label()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn parties(&self) -> String {
        self.row.party_labels.join(", ")
    }

    pub fn owners(&self) -> String {
        self.row.owner_names.join(", ")
    }

    /// The owners for the table: a dash when nobody is named.
    pub fn owners_shown(&self) -> String {
        if self.row.owner_names.is_empty() {
            "—".into()
        } else {
            self.owners()
        }
    }

    pub fn due(&self) -> String {
        self.row
            .due_date
            .map(nl::date)
            .unwrap_or_else(|| "—".into())
    }

    pub fn light_code(&self) -> &'static str {
        self.light.code()
    }

    pub fn light_label(&self) -> &'static str {
        self.light.label()
    }

    /// The attention reasons as one Dutch phrase ("verlopen sinds …; beoordeling gepland op …").
    pub fn attention_text(&self) -> String {
        self.attention
            .iter()
            .map(|r| r.text())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The tag of the most pressing reason ("Verlopen"), for the start of an agenda line.
    pub fn attention_tag(&self) -> &'static str {
        self.attention.first().map_or("", |r| r.tag())
    }
}

/// What the filter made of the parameters: the rows, and a message per date field that could not
/// be read (that field then does not filter).
pub(super) struct Filtered {
    pub lines: Vec<Line>,
    /// How many agreements match, over all pages.
    pub total: usize,
    pub van_error: Option<&'static str>,
    pub tot_error: Option<&'static str>,
}

const DATE_ERROR: &str = "Vul een geldige datum in als dd-mm-jjjj.";

/// The register as this person may see it, filtered by `params`: the one function behind the
/// list and both exports. Compartments are applied in the query (`visible_bodies`); the traffic
/// light is computed here, from the KPIs of the listed agreements fetched at once. `window` is
/// the list's page; the exports take everything.
pub(super) async fn register_lines(
    state: &AppState,
    user: &User,
    params: &Params,
    today: Date,
    window: Option<(usize, usize)>,
) -> AppResult<Filtered> {
    let blank = |s: &str| s.trim().is_empty();
    let (due_from, van_error) = match params.van.trim() {
        "" => (None, None),
        v => nl::parse_date(v).map_or((None, Some(DATE_ERROR)), |d| (Some(d), None)),
    };
    let (due_to, tot_error) = match params.tot.trim() {
        "" => (None, None),
        v => nl::parse_date(v).map_or((None, Some(DATE_ERROR)), |d| (Some(d), None)),
    };
    let filter = RegisterFilter {
        visible_bodies: user.actor.bodies.iter().copied().collect(),
        kind: code(&params.soort, AgreementKind::parse),
        party_kind: code(&params.partij, PartyKind::parse),
        vakgroep_id: None,
        owner_id: params.eigenaar.trim().parse().ok(),
        statuses: code(&params.status, AgreementStatus::parse)
            .into_iter()
            .collect(),
        theme: code(&params.thema, JzojpTheme::parse),
        seven_s: code(&params.element, SevenS::parse),
        due_from,
        due_to,
        query: (!blank(&params.q)).then(|| params.q.trim().to_string()),
        attention_on: None,
    };
    let selection = Selection {
        light: TrafficLight::parse(params.stoplicht.trim()),
        attention_only: params.aandacht.trim() == "ja",
        window,
    };
    let (lines, total) = lines(state, &filter, today, selection).await?;
    Ok(Filtered {
        lines,
        total,
        van_error,
        tot_error,
    })
}

/// Which of the matching agreements to show: the ones with this light (all when `None`), only
/// those that need attention, and one page of them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Selection {
    pub light: Option<TrafficLight>,
    pub attention_only: bool,
    /// `(offset, limit)`; `None`: all of them.
    pub window: Option<(usize, usize)>,
}

/// A selection of the register's lines with their lights and attention reasons, and how many
/// agreements the selection holds before paging. Four queries whatever the number of
/// agreements: the matching rows, the KPIs and the measurements that decide the lights, and the
/// names of the rows shown. Lights are judged for every matching agreement only when the
/// selection depends on them; otherwise only for the page.
pub(crate) async fn lines(
    state: &AppState,
    filter: &RegisterFilter,
    today: Date,
    selection: Selection,
) -> AppResult<(Vec<Line>, usize)> {
    let window = |len: usize| {
        selection.window.map_or(0..len, |(offset, limit)| {
            offset.min(len)..(offset + limit).min(len)
        })
    };
    let (mut lines, total) = if selection.light.is_some() || selection.attention_only {
        let (rows, _) = store::register::matching(&state.store, filter, None).await?;
        let judged: Vec<Line> = judge(state, rows, today)
            .await?
            .into_iter()
            .filter(|l| selection.light.is_none_or(|w| l.light == w))
            .filter(|l| !selection.attention_only || !l.attention.is_empty())
            .collect();
        let total = judged.len();
        let range = window(total);
        (
            judged
                .into_iter()
                .skip(range.start)
                .take(range.len())
                .collect(),
            total,
        )
    } else {
        let sql_window = selection.window.map(|(o, l)| {
            (
                i64::try_from(o).unwrap_or(i64::MAX),
                i64::try_from(l).unwrap_or(i64::MAX),
            )
        });
        let (page, mut total) = store::register::matching(&state.store, filter, sql_window).await?;
        if page.is_empty() && sql_window.is_some_and(|(o, _)| o > 0) {
            // Beyond the last page: the caller still needs to know how many there are.
            total = store::register::matching(&state.store, filter, Some((0, 1)))
                .await?
                .1;
        }
        (judge(state, page, today).await?, total)
    };
    let mut rows: Vec<RegisterRow> = lines.iter().map(|l| l.row.clone()).collect();
    store::register::decorate(&state.store, &mut rows).await?;
    for (line, row) in lines.iter_mut().zip(rows) {
        line.row = row;
    }
    Ok((lines, total))
}

/// What the register says about one agreement today.
#[derive(Clone)]
struct Judgement {
    light: TrafficLight,
    reason: String,
    attention: Vec<Reason>,
}

/// The lights and attention reasons of the rows: from this instance's judgement of the whole
/// register for today and the current revision (computed at most once per revision), and
/// directly for rows newer than that.
async fn judge(state: &AppState, rows: Vec<RegisterRow>, today: Date) -> AppResult<Vec<Line>> {
    let all = judgements(state, today).await?;
    let missing: Vec<&RegisterRow> = rows.iter().filter(|r| !all.contains_key(&r.id)).collect();
    let extra = if missing.is_empty() {
        HashMap::new()
    } else {
        compute_judgements(state, &missing, today).await?
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let j = all
                .get(&row.id)
                .or_else(|| extra.get(&row.id))
                .cloned()
                .unwrap_or(Judgement {
                    light: TrafficLight::NoData,
                    reason: String::new(),
                    attention: Vec::new(),
                });
            Line {
                row,
                light: j.light,
                reason: j.reason,
                attention: j.attention,
            }
        })
        .collect())
}

/// Every agreement's judgement for `today`, shared by all pages of this instance until the
/// register's revision moves (or the day changes: lights weigh the date).
async fn judgements(state: &AppState, today: Date) -> AppResult<Arc<HashMap<i64, Judgement>>> {
    let revision = store::register::revision(&state.store).await?;
    let cached = state
        .register
        .judgements
        .lock()
        .ok()
        .and_then(|c| c.clone());
    if let Some((day, rev, all)) = cached
        && day == today
        && rev == revision
    {
        return Ok(all);
    }
    // Read after the revision: a change committed in between is in these rows and moves the
    // revision, so the next call judges again (never stale, at worst once too often).
    let filter = RegisterFilter {
        visible_bodies: all_bodies(state).await?,
        ..RegisterFilter::default()
    };
    let (rows, _) = store::register::matching(&state.store, &filter, None).await?;
    let refs: Vec<&RegisterRow> = rows.iter().collect();
    let all = Arc::new(compute_judgements(state, &refs, today).await?);
    if let Ok(mut c) = state.register.judgements.lock() {
        *c = Some((today, revision, all.clone()));
    }
    Ok(all)
}

async fn all_bodies(state: &AppState) -> AppResult<Vec<i64>> {
    Ok(store::bodies::list(&state.store)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect())
}

/// The light, its reason and the attention reasons of each row, from the KPIs of all rows read
/// at once (two queries).
async fn compute_judgements(
    state: &AppState,
    rows: &[&RegisterRow],
    today: Date,
) -> AppResult<HashMap<i64, Judgement>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut kpis: HashMap<i64, Vec<_>> = HashMap::new();
    for (agreement, kpi, measurements) in
        store::register::kpi_light_data_for(&state.store, &ids).await?
    {
        kpis.entry(agreement).or_default().push((kpi, measurements));
    }
    Ok(rows
        .iter()
        .map(|row| {
            let assessments: Vec<_> = kpis
                .get(&row.id)
                .into_iter()
                .flatten()
                .filter_map(|(kpi, ms)| {
                    let kpi = kpi.to_domain()?;
                    let ms: Vec<_> = ms.iter().map(|m| m.to_domain()).collect();
                    Some(kpi_light(&kpi, &ms, row.due_date, today))
                })
                .collect();
            let (light, reason) = light_of(row, &assessments, today);
            let attention = attention_of(row, light, today);
            (
                row.id,
                Judgement {
                    light,
                    reason,
                    attention,
                },
            )
        })
        .collect())
}

/// What this instance keeps of the register per day and register revision: every meeting page
/// and live update shows the attention list, and the register's light filter needs every
/// agreement's light; judging thousands of agreements on each of them would cost more than the
/// rest of the page.
#[derive(Clone, Default)]
pub struct RegisterCache {
    attention: Slot<Vec<Line>>,
    judgements: Slot<HashMap<i64, Judgement>>,
}

/// A value as computed on a day at a register revision, if any.
type Slot<T> = Arc<Mutex<Option<(Date, i64, Arc<T>)>>>;

/// The settled agreements that need attention today (B4), for every body: the callers (the
/// agenda's standing item) show each person only what they may see. One query when the
/// register has not changed since the last call today.
pub(crate) async fn needing_attention(state: &AppState, today: Date) -> AppResult<Arc<Vec<Line>>> {
    let revision = store::register::revision(&state.store).await?;
    let cached = state.register.attention.lock().ok().and_then(|c| c.clone());
    if let Some((day, rev, lines)) = cached
        && day == today
        && rev == revision
    {
        return Ok(lines);
    }
    // Computed after reading the revision: a change committed in between is already in the
    // lines and moves the revision, so the next call computes again (never stale, at worst once
    // too often).
    let lines = Arc::new(judge_attention(state, today).await?);
    if let Ok(mut c) = state.register.attention.lock() {
        *c = Some((today, revision, lines.clone()));
    }
    Ok(lines)
}

async fn judge_attention(state: &AppState, today: Date) -> AppResult<Vec<Line>> {
    let filter = RegisterFilter {
        attention_on: Some(today),
        visible_bodies: all_bodies(state).await?,
        ..RegisterFilter::default()
    };
    let selection = Selection {
        attention_only: true,
        ..Selection::default()
    };
    let (mut lines, _) = lines(state, &filter, today, selection).await?;
    lines.sort_by(|a, b| {
        a.attention[0]
            .cmp(&b.attention[0])
            .then(a.row.id.cmp(&b.row.id))
    });
    Ok(lines)
}

fn attention_of(row: &RegisterRow, light: TrafficLight, today: Date) -> Vec<Reason> {
    let Some(status) = AgreementStatus::parse(&row.status) else {
        return Vec::new();
    };
    let cadence = ReviewCadence::from_months(row.review_months.and_then(|m| u32::try_from(m).ok()));
    let facts = attention::Facts {
        status,
        due: row.due_date,
        review_due: attention::review_due_on(
            cadence,
            row.start_date,
            row.created_on,
            row.reviewed_on,
        ),
        light,
    };
    attention::reasons(&facts, today)
}

fn light_of(
    row: &RegisterRow,
    assessments: &[domain::agreements::kpi::Assessment],
    today: Date,
) -> (TrafficLight, String) {
    let Some(status) = AgreementStatus::parse(&row.status) else {
        return (TrafficLight::NoData, String::new());
    };
    let lights: Vec<TrafficLight> = assessments.iter().map(|a| a.light).collect();
    let light = agreement_light(&lights, status, row.due_date, today);
    let reason = match status {
        AgreementStatus::Gerealiseerd => "afspraak gerealiseerd".to_string(),
        AgreementStatus::NietNagekomen => "afspraak niet nagekomen".to_string(),
        AgreementStatus::Vervallen => "afspraak vervallen".to_string(),
        _ => match assessments
            .iter()
            .filter(|a| a.light == light)
            .max_by_key(|a| a.light.severity())
        {
            Some(a) => a.reason.clone(),
            None => match row.due_date {
                Some(due) if today > due => {
                    format!("einddatum {} verstreken, geen meting", nl::date(due))
                }
                _ if assessments.is_empty() => "geen KPI's".to_string(),
                _ => String::new(),
            },
        },
    };
    (light, reason)
}

/// An option of a filter select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    chosen: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|&t| Choice {
            value: code(t).to_string(),
            label: label(t).to_string(),
            selected: code(t) == chosen.trim(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "agreements/list.html")]
struct RegisterPage {
    layout: Layout,
    params: Params,
    kinds: Vec<Choice>,
    parties: Vec<Choice>,
    owners: Vec<Choice>,
    statuses: Vec<Choice>,
    themes: Vec<Choice>,
    elements: Vec<Choice>,
    lights: Vec<Choice>,
    lines: Vec<Line>,
    van_error: Option<&'static str>,
    tot_error: Option<&'static str>,
    /// `?…` with the current filter, for the export links; empty without a filter.
    query: String,
    filtered: bool,
    can_manage: bool,
    pager: Pager,
}

/// Rows per page of the register: a board member scans a page, and the page stays fast however
/// large the register grows (the exports hold everything).
pub(super) const PAGE_SIZE: usize = 100;

/// Where the list is among its pages, with links that keep the filter.
struct Pager {
    total: usize,
    /// 1-based numbers of the first and last row shown; `0, 0` when nothing matches.
    from: usize,
    to: usize,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
}

impl Pager {
    fn new(total: usize, page: usize, query: &str, shown: usize) -> Self {
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let link = |p: usize| {
            let sep = if query.is_empty() { "?" } else { "&" };
            format!("/afspraken{query}{sep}pagina={p}")
        };
        let from = if shown == 0 {
            0
        } else {
            (page - 1) * PAGE_SIZE + 1
        };
        Pager {
            total,
            from,
            to: if shown == 0 { 0 } else { from + shown - 1 },
            page,
            pages,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }

    fn total_text(&self) -> String {
        nl::count(self.total)
    }
}

/// `GET /afspraken`: the register.
async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
    Query(params): Query<Params>,
) -> AppResult<Response> {
    let page: usize = params
        .pagina
        .trim()
        .parse()
        .ok()
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let Filtered {
        lines,
        total,
        van_error,
        tot_error,
    } = register_lines(
        &state,
        &user,
        &params,
        today(),
        Some(((page - 1) * PAGE_SIZE, PAGE_SIZE)),
    )
    .await?;
    let owners = store::people::list(&state.store)
        .await?
        .into_iter()
        .filter(|p| p.disabled_at.is_none())
        .map(|p| Choice {
            selected: p.id.to_string() == params.eigenaar.trim(),
            value: p.id.to_string(),
            label: p.name,
        })
        .collect();
    let query = params.query_string();
    let filtered = !query.is_empty();
    let query = if filtered {
        format!("?{query}")
    } else {
        String::new()
    };
    let pager = Pager::new(total, page, &query, lines.len());
    if lines.is_empty() && total > 0 {
        // A page beyond the end (the register shrank, or a typed URL): go to the last one.
        let sep = if query.is_empty() { "?" } else { "&" };
        return Ok(
            Redirect::to(&format!("/afspraken{query}{sep}pagina={}", pager.pages)).into_response(),
        );
    }
    render(RegisterPage {
        layout: ctx.layout("Afsprakenregister"),
        kinds: choices(
            AgreementKind::ALL,
            AgreementKind::code,
            AgreementKind::label,
            &params.soort,
        ),
        parties: choices(
            PartyKind::ALL,
            PartyKind::code,
            PartyKind::label,
            &params.partij,
        ),
        owners,
        statuses: choices(
            AgreementStatus::ALL,
            AgreementStatus::code,
            AgreementStatus::label,
            &params.status,
        ),
        themes: choices(
            JzojpTheme::ALL,
            JzojpTheme::code,
            JzojpTheme::label,
            &params.thema,
        ),
        elements: choices(SevenS::ALL, SevenS::code, SevenS::label, &params.element),
        lights: choices(
            TrafficLight::ALL,
            TrafficLight::code,
            TrafficLight::label,
            &params.stoplicht,
        ),
        lines,
        van_error,
        tot_error,
        query,
        filtered,
        pager,
        can_manage: user.actor.can(Capability::ManageAgreements),
        params,
    })
}

// ---------------------------------------------------------------------------------------------
// Nakomingsgraad (B4)

/// One cell of a compliance table.
struct Cell {
    rate: String,
    detail: String,
}

impl Cell {
    fn of(c: Option<&Compliance>) -> Cell {
        match c {
            Some(c) if c.due > 0 => Cell {
                rate: c.rate.map_or_else(|| "—".into(), nl::percent),
                detail: format!("{} van {} op tijd gerealiseerd", c.on_time, c.due),
            },
            _ => Cell {
                rate: "—".into(),
                detail: "niets afgesproken met een einddatum in deze periode".into(),
            },
        }
    }
}

struct TableRow {
    label: String,
    cells: Vec<Cell>,
}

struct Table {
    caption: &'static str,
    head: &'static str,
    rows: Vec<TableRow>,
}

struct Bar {
    x: u32,
    y: u32,
    height: u32,
    /// Where the quarter's name and the figure above the bar are centred.
    middle: u32,
    value_y: u32,
    quarter: String,
    /// "50 %", or "—" when nothing was due.
    value: String,
    label: String,
}

/// A horizontal line of the chart's scale with its percentage.
struct GridLine {
    y: u32,
    label: &'static str,
}
#[derive(Template)]
#[template(path = "agreements/nakoming.html")]
struct CompliancePage {
    layout: Layout,
    /// "K3 2026" per column, oldest first, then "Totaal".
    columns: Vec<String>,
    tables: Vec<Table>,
    bars: Vec<Bar>,
    grid: Vec<GridLine>,
    chart_width: u32,
    chart_height: u32,
    /// The bottom of the plot: the 0 % line.
    base_y: u32,
    description: String,
    today: String,
}

const QUARTERS: u8 = 5;
const BAR_WIDTH: u32 = 40;
const BAR_GAP: u32 = 28;
/// Room for the scale's labels on the left, the figures above and the quarters below.
const AXIS_LEFT: u32 = 44;
const PLOT_TOP: u32 = 20;
const PLOT_HEIGHT: u32 = 100;
const CHART_BOTTOM: u32 = 24;

/// `GET /afspraken/nakoming`: the share of agreements realised on time, for the running quarter
/// (up to today) and the four before it, per party, per 7S element and per theme.
async fn compliance_page(
    State(state): State<AppState>,
    ctx: Ctx,
    user: User,
) -> AppResult<Response> {
    let today = today();
    let quarters = compliance::quarters_until(today, QUARTERS);
    let periods: Vec<(Date, Date)> = quarters
        .iter()
        .filter_map(|&(y, q)| compliance::quarter_bounds(y, q))
        .map(|(from, to)| (from, to.min(today)))
        .collect();
    let Some(start) = periods.first().map(|p| p.0) else {
        return Err(crate::error::AppError::Internal("no quarters".into()));
    };
    let bodies: Vec<i64> = user.actor.bodies.iter().copied().collect();
    let due = store::register::due_for_compliance(&state.store, start, today, &bodies).await?;
    let mut spans = periods.clone();
    spans.push((start, today));

    let row = |label: String, pick: &dyn Fn(Date, Date) -> Option<Compliance>| TableRow {
        label,
        cells: spans
            .iter()
            .map(|&(from, to)| Cell::of(pick(from, to).as_ref()))
            .collect(),
    };
    let overall = row("Alle afspraken".into(), &|from, to| {
        Some(compliance::compliance(&due, from, to))
    });
    let party_names: BTreeSet<String> = due.iter().flat_map(|a| a.parties.clone()).collect();
    let parties = party_names
        .into_iter()
        .map(|name| {
            row(name.clone(), &|from, to| {
                compliance::by_party(&due, from, to)
                    .into_iter()
                    .find(|(p, _)| *p == name)
                    .map(|(_, c)| c)
            })
        })
        .collect();
    let elements = SevenS::ALL
        .iter()
        .map(|&e| {
            row(e.label().into(), &|from, to| {
                compliance::by_seven_s(&due, from, to)
                    .into_iter()
                    .find(|(k, _)| *k == e)
                    .map(|(_, c)| c)
            })
        })
        .collect();
    let themes = JzojpTheme::ALL
        .iter()
        .map(|&t| {
            row(t.label().into(), &|from, to| {
                compliance::by_theme(&due, from, to)
                    .into_iter()
                    .find(|(k, _)| *k == t)
                    .map(|(_, c)| c)
            })
        })
        .collect();

    let trend = compliance::quarterly_trend(&due, &quarters);
    let base_y = PLOT_TOP + PLOT_HEIGHT;
    let bars = trend
        .iter()
        .enumerate()
        .map(|(i, ((y, q), c))| {
            let pct = c
                .rate
                .and_then(|r| format!("{r:.0}").parse::<u32>().ok())
                .unwrap_or(0)
                .min(100);
            let height = pct * PLOT_HEIGHT / 100;
            let index = u32::try_from(i).unwrap_or(0);
            let x = AXIS_LEFT + BAR_GAP / 2 + index * (BAR_WIDTH + BAR_GAP);
            let value = c.rate.map_or_else(|| "—".into(), nl::percent);
            Bar {
                x,
                y: base_y - height,
                height,
                middle: x + BAR_WIDTH / 2,
                value_y: base_y - height - 5,
                quarter: format!("K{q} {y}"),
                label: format!(
                    "K{q} {y}: {}",
                    c.rate
                        .map_or_else(|| "niets afgesproken".into(), nl::percent)
                ),
                value,
            }
        })
        .collect::<Vec<_>>();
    let description = bars
        .iter()
        .map(|b| b.label.clone())
        .collect::<Vec<_>>()
        .join("; ");
    let grid = [(0, "0 %"), (50, "50 %"), (100, "100 %")]
        .into_iter()
        .map(|(pct, label)| GridLine {
            y: base_y - pct * PLOT_HEIGHT / 100,
            label,
        })
        .collect();
    let mut columns: Vec<String> = quarters.iter().map(|(y, q)| format!("K{q} {y}")).collect();
    columns.push("Totaal".into());
    render(CompliancePage {
        layout: ctx.layout("Nakomingsgraad"),
        columns,
        tables: vec![
            Table {
                caption: "Alle afspraken",
                head: "Afspraken",
                rows: vec![overall],
            },
            Table {
                caption: "Per partij",
                head: "Partij",
                rows: parties,
            },
            Table {
                caption: "Per 7S-element",
                head: "7S-element",
                rows: elements,
            },
            Table {
                caption: "Per thema (Juiste Zorg op de Juiste Plek)",
                head: "Thema",
                rows: themes,
            },
        ],
        chart_width: AXIS_LEFT + u32::from(QUARTERS) * (BAR_WIDTH + BAR_GAP),
        chart_height: base_y + CHART_BOTTOM,
        base_y,
        bars,
        grid,
        description,
        today: nl::date(today),
    })
}
