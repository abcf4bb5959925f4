//! Importing realised production volumes (product.md D2; the file format is in
//! `docs/production-import.md`).
//!
//! One import is one transaction: read the file (`domain::production::parse`), resolve vakgroep
//! and care-product codes against the master data ([`codes`]), stream the rows with `COPY`
//! straight into `production_volume`, add what the period changed to the year's baseline
//! ([`year`]) and swap the period: the previous import of that (year, period) loses its volume
//! rows and is marked replaced, the audit entry is written. Anything wrong — a bad line, an
//! unknown code — and nothing changes; a crash or a killed process at any point leaves the
//! previous data, because nothing is visible before the commit. The same file for the same period
//! again (same SHA-256) changes nothing.
//!
//! An import started from the web runs in the background; its progress and result live in
//! [`jobs`], outside the import's transaction.

mod codes;
pub mod jobs;
mod year;

use crate::audit::{self, Change, Who};
use crate::error::Invalid;
use crate::{PgConnection, Store, StoreError};
use domain::ids::{CareProductId, VakgroepId};
use domain::people::VakgroepCode;
use domain::production::{Column, LineError, MAX_REPORTED_ERRORS, ParsedFile, check_period};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::types::Decimal;
use std::io::Write as _;
use time::OffsetDateTime;

/// What to import.
#[derive(Debug, Clone, Copy)]
pub struct ImportRequest<'a> {
    pub year: i16,
    /// 1–12.
    pub period: i16,
    /// The uploaded file's name, for the history.
    pub source_name: &'a str,
    pub data: &'a [u8],
}

/// How far an import is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Progress {
    /// Lines of the file read so far.
    Parsed { lines: usize },
    /// Good lines sent to the database so far, of `total`.
    Loaded { lines: usize, total: usize },
    /// Checking codes and swapping the period in.
    Saving,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub import_id: i64,
    pub year: i16,
    pub period: i16,
    pub lines: usize,
    pub vakgroepen: usize,
    pub total_volume: Decimal,
    pub file_sha256: String,
    /// The import this one replaced (a corrected file for the same period).
    pub replaced_import_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ImportOutcome {
    Imported(ImportSummary),
    /// This exact file is already the period's import; nothing was changed.
    AlreadyImported {
        import_id: i64,
        imported_at: OffsetDateTime,
        imported_by: String,
    },
    /// Nothing was changed. The first bad lines by line number (at most
    /// [`domain::production::MAX_REPORTED_ERRORS`], or all with [`import_keeping`]) and how many
    /// errors there were in all.
    Rejected {
        errors: Vec<LineError>,
        total: usize,
    },
}

/// A past import, for the history list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct ImportRecord {
    pub id: i64,
    pub year: i16,
    pub period: i16,
    pub source_name: String,
    pub file_sha256: String,
    pub line_count: i32,
    pub total_volume: Decimal,
    pub imported_by: Option<i64>,
    pub imported_by_label: String,
    pub imported_at: OffsetDateTime,
    pub replaced_at: Option<OffsetDateTime>,
    pub replaced_by: Option<i64>,
}

/// Imports in a transaction of its own, committed only when the import succeeds.
pub async fn import(
    store: &Store,
    who: &Who,
    request: ImportRequest<'_>,
    progress: impl FnMut(Progress) + Send,
) -> Result<ImportOutcome, StoreError> {
    import_keeping(store, who, request, MAX_REPORTED_ERRORS, progress).await
}

/// [`import`], reporting the first `max_errors` bad lines (`usize::MAX`: every one, for a caller
/// that stores them rather than shows them).
pub async fn import_keeping(
    store: &Store,
    who: &Who,
    request: ImportRequest<'_>,
    max_errors: usize,
    progress: impl FnMut(Progress) + Send,
) -> Result<ImportOutcome, StoreError> {
    let mut tx = store.begin().await?;
    let outcome = import_in_keeping(&mut tx, who, request, max_errors, progress).await?;
    if matches!(outcome, ImportOutcome::Imported(_)) {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(outcome)
}

/// Imports inside the caller's transaction. Commit it only on [`ImportOutcome::Imported`]; on the
/// other outcomes roll it back (it may hold a half-done swap).
pub async fn import_in(
    conn: &mut PgConnection,
    who: &Who,
    request: ImportRequest<'_>,
    progress: impl FnMut(Progress) + Send,
) -> Result<ImportOutcome, StoreError> {
    import_in_keeping(conn, who, request, MAX_REPORTED_ERRORS, progress).await
}

async fn import_in_keeping(
    conn: &mut PgConnection,
    who: &Who,
    request: ImportRequest<'_>,
    max_errors: usize,
    mut progress: impl FnMut(Progress) + Send,
) -> Result<ImportOutcome, StoreError> {
    let ImportRequest {
        year,
        period,
        source_name,
        data,
    } = request;
    // The columns refuse any other period; the caller checks it first with the same rule.
    check_period(year.into(), period.into()).map_err(Invalid::Period)?;
    let sha256 = hex::encode(Sha256::digest(data));

    // One import per period at a time: a second one waits here and then sees the first's result.
    sqlx::query("SELECT pg_advisory_xact_lock(7264002, $1)")
        .bind(i32::from(year) * 100 + i32::from(period))
        .execute(&mut *conn)
        .await?;
    let current: Option<ImportRecord> = sqlx::query_as(
        "SELECT id, year, period, source_name, file_sha256, line_count, total_volume, imported_by,
                imported_by_label, imported_at, replaced_at, replaced_by
         FROM production_import WHERE year = $1 AND period = $2 AND replaced_at IS NULL",
    )
    .bind(year)
    .bind(period)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(c) = &current
        && c.file_sha256 == sha256
    {
        return Ok(ImportOutcome::AlreadyImported {
            import_id: c.id,
            imported_at: c.imported_at,
            imported_by: c.imported_by_label.clone(),
        });
    }

    let mut parsed = domain::production::parse_keeping(data, max_errors, |lines| {
        progress(Progress::Parsed { lines })
    });
    if parsed.errors.is_empty() && parsed.lines.is_empty() {
        parsed.errors.push(LineError::new(
            2,
            None,
            "Het bestand bevat alleen een kopregel en geen regels met volumes.",
        ));
    }

    // Every care product id resolved below stays what it is until the commit: production_volume
    // has no foreign keys (see migration 0006), this lock stands in for them.
    sqlx::query("LOCK TABLE care_product IN SHARE MODE")
        .execute(&mut *conn)
        .await?;
    let rows = codes::resolve(conn, &mut parsed).await?;
    if !parsed.errors.is_empty() {
        return Ok(rejected(parsed));
    }
    let total_volume = match total_volume(&parsed) {
        Ok(total) => total,
        Err(e) => {
            parsed.errors.push(e);
            return Ok(rejected(parsed));
        }
    };

    // The swap. The old import (if any) steps aside first, because only one current import per
    // period may exist.
    let replaced: Option<i64> = sqlx::query_scalar(
        "UPDATE production_import SET replaced_at = now()
         WHERE year = $1 AND period = $2 AND replaced_at IS NULL RETURNING id",
    )
    .bind(year)
    .bind(period)
    .fetch_optional(&mut *conn)
    .await?;
    let import_id: i64 = sqlx::query_scalar(
        "INSERT INTO production_import (year, period, source_name, file_sha256, line_count, total_volume,
                                        imported_by, imported_by_label)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(year)
    .bind(period)
    .bind(source_name)
    .bind(&sha256)
    .bind(parsed.lines.len() as i32)
    .bind(total_volume)
    .bind(who.id)
    .bind(&who.label)
    .fetch_one(&mut *conn)
    .await?;
    load_volumes(conn, import_id, &rows, &mut progress).await?;
    progress(Progress::Saving);
    year::apply_period(conn, year, import_id, &rows, replaced).await?;
    if let Some(old) = replaced {
        sqlx::query("DELETE FROM production_volume WHERE import_id = $1")
            .bind(old)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE production_import SET replaced_by = $2 WHERE id = $1")
            .bind(old)
            .bind(import_id)
            .execute(&mut *conn)
            .await?;
    }

    let summary = ImportSummary {
        import_id,
        year,
        period,
        lines: parsed.lines.len(),
        vakgroepen: parsed.vakgroepen.len(),
        total_volume,
        file_sha256: sha256,
        replaced_import_id: replaced,
    };
    let mut change = Change::new("production_import", import_id, "import")
        .after(serde_json::json!({ "source_name": source_name, "summary": &summary }));
    if let Some(c) = &current {
        change = change.before(c);
    }
    audit::record(conn, who, change).await?;
    Ok(ImportOutcome::Imported(summary))
}

/// The sum of the volumes. The reader's limits keep it far from overflowing, but a sum that did
/// would panic inside the import, so it is checked and refused at the line where it went over.
fn total_volume(parsed: &ParsedFile) -> Result<Decimal, LineError> {
    parsed.lines.iter().try_fold(Decimal::ZERO, |sum, l| {
        sum.checked_add(l.volume).ok_or_else(|| {
            LineError::new(
                l.line as usize,
                Some(parsed.column_name(Column::Volume)),
                "Het totaal van de volumes tot en met deze regel is te groot om op te slaan; \
                 controleer de volumes in het bestand.",
            )
        })
    })
}

fn rejected(parsed: ParsedFile) -> ImportOutcome {
    let (errors, total) = parsed.errors.finish();
    ImportOutcome::Rejected { errors, total }
}

/// Bytes per COPY message: large enough that the per-message cost vanishes, small enough to show
/// progress and keep memory flat.
const COPY_CHUNK: usize = 1 << 20;

/// Streams the resolved rows with `COPY` into `production_volume` (text format), in the order of
/// its key, so that the index is filled at its right edge.
async fn load_volumes(
    conn: &mut PgConnection,
    import_id: i64,
    rows: &[codes::Resolved],
    progress: &mut (impl FnMut(Progress) + Send),
) -> Result<(), StoreError> {
    let total = rows.len();
    let mut copy = conn
        .copy_in_raw("COPY production_volume (import_id, care_product_id, volume) FROM STDIN")
        .await?;
    let mut buf: Vec<u8> = Vec::with_capacity(COPY_CHUNK + 4096);
    let import_id = import_id.to_string();
    for (i, row) in rows.iter().enumerate() {
        buf.extend_from_slice(import_id.as_bytes());
        // Writing to a Vec cannot fail.
        let _ = writeln!(buf, "\t{}\t{}", row.care_product_id, row.volume);
        if buf.len() >= COPY_CHUNK {
            copy.send(buf.as_slice()).await?;
            buf.clear();
            progress(Progress::Loaded {
                lines: i + 1,
                total,
            });
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_slice()).await?;
    }
    copy.finish().await?;
    progress(Progress::Loaded {
        lines: total,
        total,
    });
    Ok(())
}

/// COPY's text format: backslash escapes for the characters that delimit fields and rows.
pub(crate) fn escape_into(buf: &mut Vec<u8>, s: &str) {
    if !s
        .bytes()
        .any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
    {
        buf.extend_from_slice(s.as_bytes());
        return;
    }
    for b in s.bytes() {
        match b {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => buf.push(b),
        }
    }
}

/// Imports of a year (or all), newest first, including replaced ones.
pub async fn imports(store: &Store, year: Option<i16>) -> Result<Vec<ImportRecord>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, year, period, source_name, file_sha256, line_count, total_volume, imported_by,
                imported_by_label, imported_at, replaced_at, replaced_by
         FROM production_import WHERE ($1::smallint IS NULL OR year = $1)
         ORDER BY year DESC, period DESC, id DESC",
    )
    .bind(year)
    .fetch_all(store.pool())
    .await?)
}

/// One realised volume of the current import of a period.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct VolumeRow {
    #[sqlx(try_from = "i64")]
    pub vakgroep_id: VakgroepId,
    #[sqlx(try_from = "String")]
    pub vakgroep_code: VakgroepCode,
    #[sqlx(try_from = "i64")]
    pub care_product_id: CareProductId,
    pub product_code: String,
    pub volume: Decimal,
}

/// The realised volumes of a period, by vakgroep and product code.
pub async fn volumes(store: &Store, year: i16, period: i16) -> Result<Vec<VolumeRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT p.vakgroep_id, v.code AS vakgroep_code, p.id AS care_product_id, p.code AS product_code, pv.volume
         FROM production_import i
         JOIN production_volume pv ON pv.import_id = i.id
         JOIN care_product p ON p.id = pv.care_product_id
         JOIN vakgroep v ON v.id = p.vakgroep_id
         WHERE i.year = $1 AND i.period = $2 AND i.replaced_at IS NULL
         ORDER BY v.code, p.code",
    )
    .bind(year)
    .bind(period)
    .fetch_all(store.pool())
    .await?)
}
