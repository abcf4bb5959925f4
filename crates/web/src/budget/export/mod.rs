//! Exports for controllers (D11, docs/controller-exports.md): a scenario — the adopted budget, or
//! any other scenario marked CONCEPT — as an XLSX workbook with formulas and as the overview in
//! CSV, of exactly what the reader may see. The workbook is described by the domain
//! (`domain::budget::workbook`) and written here ([`xlsx`]) off the async runtime.
//!
//! What a reader gets: whoever sees every vakgroep (controller, bestuurder) all vakgroepen; a
//! vakgroep representative their own vakgroepen and the hospital totals; anyone else (the board
//! secretary) the hospital totals. The distribution per vakgroep only when the reader may see
//! the allocation of every vakgroep in the file (`Actor::can_see_allocation`: MSB-internal until
//! shared). The command line exports what a controller gets.

mod xlsx;

use crate::shared::download::{CSV, XLSX, attachment};
use crate::shared::error::{AppError, AppResult};
use crate::shared::routes::{Access, RouteDef, get};
use crate::shared::session::User;
use crate::shared::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::authz::{Actor, Capability};
use domain::budget::workbook::{
    AdoptionDecision, DecimalMark, Labels, Workbook, WorkbookError, WorkbookMeta, WorkbookScope,
    WorkbookSource, overview_csv, stream_workbook,
};
use domain::ids::ScenarioId;
use serde::Deserialize;
use store::Store;
use store::budget::computation::Distributed;

pub(super) fn routes() -> Vec<RouteDef> {
    let view = Access::Needs(Capability::ViewBudget);
    vec![
        get("/begroting/scenarios/{id}/export.xlsx", view, xlsx_download),
        get("/begroting/scenarios/{id}/export.csv", view, csv_download),
    ]
}

/// Who the export is for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reader<'a> {
    Person(&'a Actor),
    /// The command line: what a controller gets.
    Controller,
}

/// Everything a workbook is built from, owned, to move off the async runtime.
pub(crate) struct Prepared {
    d: Distributed,
    labels: Labels,
    meta: WorkbookMeta,
    scope: WorkbookScope,
    with_distribution: bool,
    /// The file name without extension.
    pub stem: String,
}

impl Prepared {
    /// Runs `f` with the workbook's source and scope.
    fn with_source<T>(&self, f: impl FnOnce(&WorkbookSource, &WorkbookScope) -> T) -> T {
        let frame = self.d.frame();
        let source = WorkbookSource {
            input: &self.d.loaded.input,
            scenario: &self.d.loaded.params,
            result: &self.d.result,
            distribution: self
                .with_distribution
                .then(|| self.d.outcome.as_ref().ok())
                .flatten(),
            frame: frame.as_ref(),
            labels: &self.labels,
            meta: &self.meta,
        };
        f(&source, &self.scope)
    }

    /// The XLSX file, written sheet by sheet as the domain builds them.
    pub(crate) fn xlsx(&self) -> AppResult<Vec<u8>> {
        self.with_source(xlsx::write)
            .map_err(|e| AppError::internal("writing a workbook", e))
    }

    /// The overview as CSV for a spreadsheet: UTF-8 with a byte-order mark, `;` between fields.
    pub(crate) fn csv(&self, mark: DecimalMark) -> AppResult<Vec<u8>> {
        // Only the overview is needed: the vakgroep sheets are not built.
        let overview = self
            .with_source(|source, scope| {
                let mut first = None;
                let stopped = stream_workbook(source, scope, |sheet| {
                    first = Some(sheet);
                    Err(Stop::Enough)
                });
                match stopped {
                    Ok(()) | Err(Stop::Enough) => Ok(first),
                    Err(Stop::Workbook(e)) => Err(e),
                }
            })
            .map_err(|e| AppError::internal("building a workbook", e))?;
        let workbook = Workbook {
            title: self.meta.title.clone(),
            concept: self.meta.concept,
            snapshot_hash: self.meta.snapshot_hash.clone(),
            sheets: overview.into_iter().collect(),
        };
        let text = overview_csv(&workbook, mark);
        let mut out = Vec::with_capacity(text.len() + 3);
        out.extend_from_slice("\u{feff}".as_bytes());
        out.extend_from_slice(text.as_bytes());
        Ok(out)
    }
}

/// Why the CSV stops streaming: it has its sheet, or the parts did not belong together.
enum Stop {
    Enough,
    Workbook(WorkbookError),
}

impl From<WorkbookError> for Stop {
    fn from(e: WorkbookError) -> Self {
        Stop::Workbook(e)
    }
}

/// Reads scenario `id` (from its snapshot when adopted) and decides what `reader` gets.
pub(crate) async fn prepare(
    store: &Store,
    id: ScenarioId,
    reader: Reader<'_>,
) -> AppResult<Prepared> {
    let d = store::budget::computation::distributed(store, id).await?;
    let state = store::budget::adoption::for_scenario(store, id).await?;
    let scenario = &d.loaded.stored.scenario;
    let scope = match reader {
        Reader::Person(a) if !a.can(Capability::ViewEveryVakgroep) => {
            WorkbookScope::Vakgroepen(a.vakgroepen.clone())
        }
        _ => WorkbookScope::Hospital,
    };
    let shared = d.setup.settings.shared.is_some();
    let with_distribution = match reader {
        Reader::Person(a) => d
            .result
            .vakgroepen
            .iter()
            .filter(|v| scope.shows(v.vakgroep_id))
            .all(|v| a.can_see_allocation(&d.setup.msb_bodies, shared, v.vakgroep_id)),
        Reader::Controller => shared,
    };
    let formatief = store::budget::formatief(store, scenario.year).await?;
    let labels = Labels {
        vakgroep_names: d
            .loaded
            .stored
            .vakgroepen
            .iter()
            .map(|v| (v.id.get(), v.name.clone()))
            .collect(),
        product_descriptions: d
            .loaded
            .stored
            .products
            .iter()
            .map(|p| (p.id.get(), p.description.clone()))
            .collect(),
        // Today's split, where it still adds up to the formative fte the budget computed with
        // (an adopted budget keeps its total; a later change of 1a/1b is not its figure).
        formatief_split: formatief
            .iter()
            .filter(|f| {
                d.loaded
                    .input
                    .vakgroepen
                    .iter()
                    .any(|v| v.id == f.vakgroep_id.get() && v.formatief_fte == f.fte)
            })
            .map(|f| (f.vakgroep_id.get(), (f.fte_1a, f.fte_1b)))
            .collect(),
    };
    let adopted = state.adoption.as_ref();
    let meta = WorkbookMeta {
        title: format!("Capaciteitsbegroting {} – {}", scenario.year, scenario.name),
        year: i32::from(scenario.year),
        scenario: scenario.name.clone(),
        concept: adopted.is_none(),
        snapshot_hash: adopted.map(|a| a.content_hash.clone()),
        decisions: adopted
            .map(|a| {
                a.decisions
                    .iter()
                    .map(|x| AdoptionDecision {
                        body: x.body_name.clone(),
                        decision: x.outcome.label().into(),
                        meeting: a.meeting_title.clone(),
                        date: domain::nl::to_amsterdam(a.meeting_starts_at).date(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    // The name shortened, so that the year and the concept marker always fit.
    let stem = format!(
        "begroting-{}-{}{}",
        scenario.year,
        scenario.name.chars().take(60).collect::<String>(),
        if adopted.is_some() { "" } else { "-concept" }
    );
    Ok(Prepared {
        d,
        labels,
        meta,
        scope,
        with_distribution,
        stem,
    })
}

/// Runs `make` on a blocking thread: a large hospital's workbook takes seconds of CPU.
async fn blocking<T: Send + 'static>(
    make: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(make)
        .await
        .map_err(|e| AppError::internal("the export task", e))?
}

/// `GET /begroting/scenarios/{id}/export.xlsx`.
async fn xlsx_download(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<ScenarioId>,
) -> AppResult<Response> {
    let prepared = prepare(&state.store, id, Reader::Person(&user.actor)).await?;
    let name = format!("{}.xlsx", prepared.stem);
    let bytes = blocking(move || prepared.xlsx()).await?;
    Ok(attachment(XLSX, &name, bytes))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CsvQuery {
    /// `punt` for a decimal point; a decimal comma otherwise (Dutch Excel).
    #[serde(default)]
    decimaal: String,
}

/// `GET /begroting/scenarios/{id}/export.csv[?decimaal=punt]`.
async fn csv_download(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<ScenarioId>,
    Query(q): Query<CsvQuery>,
) -> AppResult<Response> {
    let mark = if q.decimaal == "punt" {
        DecimalMark::Point
    } else {
        DecimalMark::Comma
    };
    let prepared = prepare(&state.store, id, Reader::Person(&user.actor)).await?;
    let name = format!("{}.csv", prepared.stem);
    let bytes = blocking(move || prepared.csv(mark)).await?;
    Ok(attachment(CSV, &name, bytes))
}
