//! The agreements register (product.md B6): the filtered, searchable list with a traffic light
//! per agreement (B3), and the compliance rate page (B4). The exports (`export.rs`) take their
//! rows from [`register_lines`], so a file never holds more or other rows than the list shows.

use super::{Choice, choices};
use crate::shared::clock::today;
use crate::shared::error::AppResult;
use crate::shared::register::{Line, Selection, lines};
use crate::shared::routes::{Access, RouteDef, get};
use crate::shared::session::User;
use crate::shared::state::AppState;
use crate::shared::views::{Ctx, Layout, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::agreements::compliance::{self, Compliance};
use domain::agreements::kinds::{AgreementKind, AgreementStatus, JzojpTheme, PartyKind, SevenS};
use domain::agreements::kpi::TrafficLight;
use domain::authz::Capability;
use domain::nl;
use serde::Deserialize;
use std::collections::BTreeSet;
use store::agreements::RegisterFilter;
use time::Date;

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

/// A filter value that must be one of a vocabulary's codes; anything else does not filter.
fn code<T>(value: &str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
    parse(value.trim())
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
            params.soort.trim(),
        ),
        parties: choices(
            PartyKind::ALL,
            PartyKind::code,
            PartyKind::label,
            params.partij.trim(),
        ),
        owners,
        statuses: choices(
            AgreementStatus::ALL,
            AgreementStatus::code,
            AgreementStatus::label,
            params.status.trim(),
        ),
        themes: choices(
            JzojpTheme::ALL,
            JzojpTheme::code,
            JzojpTheme::label,
            params.thema.trim(),
        ),
        elements: choices(
            SevenS::ALL,
            SevenS::code,
            SevenS::label,
            params.element.trim(),
        ),
        lights: choices(
            TrafficLight::ALL,
            TrafficLight::code,
            TrafficLight::label,
            params.stoplicht.trim(),
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
        return Err(crate::shared::error::AppError::bug("no quarters to judge"));
    };
    let bodies: Vec<i64> = user.actor.bodies.iter().copied().collect();
    let due = store::agreements::due_for_compliance(&state.store, start, today, &bodies).await?;
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
