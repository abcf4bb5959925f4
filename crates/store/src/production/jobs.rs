//! Production imports running in the background (migration 0026): their progress, result and
//! every rejected line, in PostgreSQL so that any app instance shows them.
//!
//! Every write here is a short statement or transaction of its own on the pool, never inside the
//! import's transaction: the import stays all-or-nothing while its progress survives a rollback,
//! and a progress update takes no lock the import needs. Whether a running job is still alive is
//! decided in SQL against the database's clock, so every instance decides the same.

use super::{ImportOutcome, Progress, escape_into};
use crate::audit::Who;
use crate::{Store, StoreError};
use domain::codes::UnknownCode;
use domain::ids::ImportJobId;
use domain::production::{
    IMPORT_JOB_RETENTION_DAYS, IMPORT_JOB_STALE_AFTER_SECS, ImportJobState, LineError,
};
use sqlx::types::Decimal;
use std::borrow::Cow;
use time::OffsetDateTime;

/// A rejected line's text is kept up to this many bytes: enough to recognise the line, and a
/// broken file of long lines cannot blow up the table.
pub const CONTENT_MAX_BYTES: usize = 500;

/// A job about to start.
#[derive(Debug, Clone, Copy)]
pub struct NewJob<'a> {
    pub year: i16,
    pub period: i16,
    pub file_name: &'a str,
    /// About how many lines the file has, for "… van ongeveer N regels".
    pub lines_in_file: usize,
}

/// Where a job stands, with what its state needs to be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobStatus {
    /// `None`: waiting for its turn (another import of the period holds the lock).
    Running(Option<Progress>),
    Imported {
        lines: usize,
        vakgroepen: usize,
        total_volume: Decimal,
        replaced: bool,
    },
    AlreadyImported {
        imported_at: OffsetDateTime,
        imported_by: String,
    },
    /// Nothing was imported; `errors` bad lines were found and stored.
    Rejected {
        errors: usize,
    },
    Failed,
    /// The instance running it stopped reporting.
    Abandoned,
}

impl JobStatus {
    pub fn state(&self) -> ImportJobState {
        match self {
            JobStatus::Running(_) => ImportJobState::Running,
            JobStatus::Imported { .. } => ImportJobState::Imported,
            JobStatus::AlreadyImported { .. } => ImportJobState::AlreadyImported,
            JobStatus::Rejected { .. } => ImportJobState::Rejected,
            JobStatus::Failed => ImportJobState::Failed,
            JobStatus::Abandoned => ImportJobState::Abandoned,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJob {
    pub id: ImportJobId,
    pub year: i16,
    pub period: i16,
    pub file_name: String,
    pub lines_in_file: usize,
    pub started_by: String,
    pub started_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub status: JobStatus,
}

/// One stored rejected line.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobLineError {
    /// Its place in the job's list (1, 2, …), for reading on from.
    pub seq: i32,
    pub line: i32,
    pub column_name: Option<String>,
    pub reason: String,
    /// The line as it stood in the file, cut off at [`CONTENT_MAX_BYTES`].
    pub content: Option<String>,
}

impl From<JobLineError> for LineError {
    fn from(e: JobLineError) -> Self {
        LineError {
            line: usize::try_from(e.line).unwrap_or(0),
            column: e.column_name,
            reason: e.reason,
        }
    }
}

fn stale_after() -> f64 {
    IMPORT_JOB_STALE_AFTER_SECS as f64
}

/// Registers a job as running and returns its id. Jobs whose instance went silent are marked
/// abandoned on the way, so that their rows say so too, not only the reads.
pub async fn create(store: &Store, who: &Who, job: NewJob<'_>) -> Result<ImportJobId, StoreError> {
    sqlx::query(
        "UPDATE import_job SET state = 'afgebroken', finished_at = now(), phase = NULL
         WHERE state = 'bezig' AND updated_at < now() - make_interval(secs => $1)",
    )
    .bind(stale_after())
    .execute(store.pool())
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO import_job (year, period, file_name, lines_in_file, started_by, started_by_label)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(job.year)
    .bind(job.period)
    .bind(clean(job.file_name).as_ref())
    .bind(i64::try_from(job.lines_in_file).unwrap_or(i64::MAX))
    .bind(who.id)
    .bind(&who.label)
    .fetch_one(store.pool())
    .await?;
    Ok(ImportJobId::new(id))
}

/// Deletes the jobs (and their rejected lines) that started more than the retention period ago.
pub async fn purge_expired(store: &Store) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM import_job WHERE started_at < now() - make_interval(days => $1)")
            .bind(IMPORT_JOB_RETENTION_DAYS)
            .execute(store.pool())
            .await?
            .rows_affected(),
    )
}

/// The running job's heartbeat, with how far it is. A job that has ended is left alone.
pub async fn report(
    store: &Store,
    id: ImportJobId,
    progress: Option<Progress>,
) -> Result<(), StoreError> {
    let (phase, lines, total) = match progress {
        None => (None, None, None),
        Some(Progress::Parsed { lines }) => (Some("lezen"), Some(lines), None),
        Some(Progress::Loaded { lines, total }) => (Some("laden"), Some(lines), Some(total)),
        Some(Progress::Saving) => (Some("opslaan"), None, None),
    };
    let big = |n: Option<usize>| n.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    sqlx::query(
        "UPDATE import_job SET phase = $2, progress_lines = $3, progress_total = $4, updated_at = now()
         WHERE id = $1 AND state = 'bezig'",
    )
    .bind(id.get())
    .bind(phase)
    .bind(big(lines))
    .bind(big(total))
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Records how the import ended. For a rejected file every bad line is stored with its text
/// from `data` (the file imported), in the same transaction as the state: a reader sees the job
/// rejected with all its lines, or still running. `errors` come in line order, as the import
/// returns them.
pub async fn finish(
    store: &Store,
    id: ImportJobId,
    outcome: &ImportOutcome,
    data: &[u8],
) -> Result<(), StoreError> {
    #[derive(Default)]
    struct End<'a> {
        import_id: Option<i64>,
        replaced_import_id: Option<i64>,
        line_count: Option<i32>,
        vakgroep_count: Option<i32>,
        total_volume: Option<Decimal>,
        previous_at: Option<OffsetDateTime>,
        previous_by: Option<&'a str>,
        error_count: Option<i32>,
    }
    let small = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    let mut tx = store.begin().await?;
    let (state, end) = match outcome {
        ImportOutcome::Imported(s) => (
            ImportJobState::Imported,
            End {
                import_id: Some(s.import_id),
                replaced_import_id: s.replaced_import_id,
                line_count: Some(small(s.lines)),
                vakgroep_count: Some(small(s.vakgroepen)),
                total_volume: Some(s.total_volume),
                ..End::default()
            },
        ),
        ImportOutcome::AlreadyImported {
            import_id,
            imported_at,
            imported_by,
        } => (
            ImportJobState::AlreadyImported,
            End {
                import_id: Some(*import_id),
                previous_at: Some(*imported_at),
                previous_by: Some(imported_by),
                ..End::default()
            },
        ),
        ImportOutcome::Rejected { errors, total } => {
            sqlx::query("DELETE FROM import_job_error WHERE job_id = $1")
                .bind(id.get())
                .execute(&mut *tx)
                .await?;
            store_errors(&mut tx, id, errors, data).await?;
            let error_count = Some(small(*total));
            (
                ImportJobState::Rejected,
                End {
                    error_count,
                    ..End::default()
                },
            )
        }
    };
    sqlx::query(
        "UPDATE import_job SET state = $2, finished_at = now(), updated_at = now(), phase = NULL,
                progress_lines = NULL, progress_total = NULL, import_id = $3,
                replaced_import_id = $4, line_count = $5, vakgroep_count = $6, total_volume = $7,
                previous_at = $8, previous_by = $9, error_count = $10
         WHERE id = $1",
    )
    .bind(id.get())
    .bind(state.code())
    .bind(end.import_id)
    .bind(end.replaced_import_id)
    .bind(end.line_count)
    .bind(end.vakgroep_count)
    .bind(end.total_volume)
    .bind(end.previous_at)
    .bind(end.previous_by)
    .bind(end.error_count)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records that the import failed for a technical reason (nothing was imported).
pub async fn fail(store: &Store, id: ImportJobId) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE import_job SET state = 'mislukt', finished_at = now(), updated_at = now(),
                phase = NULL, progress_lines = NULL, progress_total = NULL
         WHERE id = $1 AND state IN ('bezig', 'afgebroken')",
    )
    .bind(id.get())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Streams the rejected lines into `import_job_error` with COPY: a file of a million bad lines
/// is one statement, not a million.
async fn store_errors(
    conn: &mut sqlx::PgConnection,
    id: ImportJobId,
    errors: &[LineError],
    data: &[u8],
) -> Result<(), StoreError> {
    if errors.is_empty() {
        return Ok(());
    }
    // The file's lines as the reader numbered them: the header is line 1, after any BOM.
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut lines = data.split(|&b| b == b'\n').enumerate().peekable();
    let mut copy = conn
        .copy_in_raw(
            "COPY import_job_error (job_id, seq, line, column_name, reason, content) FROM STDIN",
        )
        .await?;
    let mut buf: Vec<u8> = Vec::with_capacity(super::COPY_CHUNK + 4096);
    for (seq, e) in (1i64..).zip(errors) {
        let content = loop {
            match lines.peek() {
                Some((i, _)) if i + 1 < e.line => {
                    lines.next();
                }
                Some((i, raw)) if i + 1 == e.line => break Some(line_text(raw)),
                _ => break None,
            }
        };
        let line = i32::try_from(e.line).unwrap_or(i32::MAX).max(1);
        buf.extend_from_slice(format!("{}\t{seq}\t{line}\t", id.get()).as_bytes());
        match &e.column {
            Some(c) => escape_into(&mut buf, &clean(c)),
            None => buf.extend_from_slice(b"\\N"),
        }
        buf.push(b'\t');
        escape_into(&mut buf, &clean(&e.reason));
        buf.push(b'\t');
        match content {
            Some(c) => escape_into(&mut buf, &c),
            None => buf.extend_from_slice(b"\\N"),
        }
        buf.push(b'\n');
        if buf.len() >= super::COPY_CHUNK {
            copy.send(buf.as_slice()).await?;
            buf.clear();
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_slice()).await?;
    }
    copy.finish().await?;
    Ok(())
}

/// A file's line as text to keep: without its line end, cut off at [`CONTENT_MAX_BYTES`], bytes
/// that are no UTF-8 shown as �.
fn line_text(raw: &[u8]) -> String {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let cut = &raw[..raw.len().min(CONTENT_MAX_BYTES)];
    clean(&String::from_utf8_lossy(cut)).into_owned()
}

/// Text PostgreSQL accepts: it refuses the NUL character, which a broken file may well hold.
fn clean(s: &str) -> Cow<'_, str> {
    if s.contains('\0') {
        Cow::Owned(s.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(s)
    }
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    year: i16,
    period: i16,
    file_name: String,
    lines_in_file: i64,
    started_by_label: String,
    started_at: OffsetDateTime,
    finished_at: Option<OffsetDateTime>,
    #[sqlx(try_from = "String")]
    state: ImportJobState,
    phase: Option<String>,
    progress_lines: Option<i64>,
    progress_total: Option<i64>,
    replaced_import_id: Option<i64>,
    line_count: Option<i32>,
    vakgroep_count: Option<i32>,
    total_volume: Option<Decimal>,
    previous_at: Option<OffsetDateTime>,
    previous_by: Option<String>,
    error_count: Option<i32>,
}

fn missing(what: &'static str) -> StoreError {
    StoreError::Other(format!("import_job: {what} missing for its state"))
}

fn count<T: TryInto<usize>>(n: Option<T>, what: &'static str) -> Result<usize, StoreError> {
    n.ok_or_else(|| missing(what))?
        .try_into()
        .map_err(|_| missing(what))
}

impl TryFrom<JobRow> for ImportJob {
    type Error = StoreError;

    fn try_from(r: JobRow) -> Result<Self, StoreError> {
        let status = match r.state {
            ImportJobState::Running => JobStatus::Running(match r.phase.as_deref() {
                None => None,
                Some("lezen") => Some(Progress::Parsed {
                    lines: count(r.progress_lines, "progress_lines")?,
                }),
                Some("laden") => Some(Progress::Loaded {
                    lines: count(r.progress_lines, "progress_lines")?,
                    total: count(r.progress_total, "progress_total")?,
                }),
                Some("opslaan") => Some(Progress::Saving),
                Some(other) => return Err(UnknownCode::new("ImportJobPhase", other).into()),
            }),
            ImportJobState::Imported => JobStatus::Imported {
                lines: count(r.line_count, "line_count")?,
                vakgroepen: count(r.vakgroep_count, "vakgroep_count")?,
                total_volume: r.total_volume.ok_or_else(|| missing("total_volume"))?,
                replaced: r.replaced_import_id.is_some(),
            },
            ImportJobState::AlreadyImported => JobStatus::AlreadyImported {
                imported_at: r.previous_at.ok_or_else(|| missing("previous_at"))?,
                imported_by: r.previous_by.ok_or_else(|| missing("previous_by"))?,
            },
            ImportJobState::Rejected => JobStatus::Rejected {
                errors: count(r.error_count, "error_count")?,
            },
            ImportJobState::Failed => JobStatus::Failed,
            ImportJobState::Abandoned => JobStatus::Abandoned,
        };
        Ok(ImportJob {
            id: ImportJobId::new(r.id),
            year: r.year,
            period: r.period,
            file_name: r.file_name,
            lines_in_file: usize::try_from(r.lines_in_file).unwrap_or(0),
            started_by: r.started_by_label,
            started_at: r.started_at,
            finished_at: r.finished_at,
            status,
        })
    }
}

/// A job as it stands now. A running job whose heartbeat is older than
/// [`IMPORT_JOB_STALE_AFTER_SECS`] is read as abandoned.
pub async fn get(store: &Store, id: ImportJobId) -> Result<ImportJob, StoreError> {
    let row: Option<JobRow> = sqlx::query_as(
        "SELECT id, year, period, file_name, lines_in_file, started_by_label, started_at,
                CASE WHEN state = 'bezig' AND updated_at < now() - make_interval(secs => $2)
                     THEN now() ELSE finished_at END AS finished_at,
                CASE WHEN state = 'bezig' AND updated_at < now() - make_interval(secs => $2)
                     THEN 'afgebroken' ELSE state END AS state,
                phase, progress_lines, progress_total, replaced_import_id, line_count,
                vakgroep_count, total_volume, previous_at, previous_by, error_count
         FROM import_job WHERE id = $1",
    )
    .bind(id.get())
    .bind(stale_after())
    .fetch_optional(store.pool())
    .await?;
    row.ok_or(StoreError::NotFound)?.try_into()
}

/// Up to `limit` rejected lines of a job, from the one after `after` (a [`JobLineError::seq`];
/// 0 for the first), in the order the import reported them.
pub async fn errors(
    store: &Store,
    id: ImportJobId,
    after: i32,
    limit: usize,
) -> Result<Vec<JobLineError>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT seq, line, column_name, reason, content FROM import_job_error
         WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(id.get())
    .bind(after)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(store.pool())
    .await?)
}
