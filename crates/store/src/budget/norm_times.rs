//! Norm times: minutes per care product per year, one at a time or as a whole list from a file.

use super::{YearRow, delete_year_row, ensure_year, set_year_row, year_row};
use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use domain::ids::{CareProductId, VakgroepId};
use domain::people::VakgroepCode;
use domain::production::LineError;
use serde::Serialize;
use sqlx::types::Decimal;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct NormTime {
    pub year: i16,
    #[sqlx(try_from = "i64")]
    pub vakgroep_id: VakgroepId,
    #[sqlx(try_from = "String")]
    pub vakgroep_code: VakgroepCode,
    #[sqlx(try_from = "i64")]
    pub care_product_id: CareProductId,
    pub product_code: String,
    pub description: String,
    pub minutes: Decimal,
    pub version: i32,
}

macro_rules! norm_select {
    () => {
        "SELECT n.year, n.vakgroep_id, v.code AS vakgroep_code, n.care_product_id,
            p.code AS product_code, p.description, n.minutes, n.version
     FROM norm_time n JOIN care_product p ON p.id = n.care_product_id JOIN vakgroep v ON v.id = n.vakgroep_id"
    };
}

impl YearRow for NormTime {
    const ENTITY: &'static str = "norm_time";
    const ONE: &'static str = concat!(
        norm_select!(),
        " WHERE n.year = $1 AND n.care_product_id = $2"
    );
    const DELETE: &'static str =
        "DELETE FROM norm_time WHERE year = $1 AND care_product_id = $2 AND version = $3";
    fn version(&self) -> i32 {
        self.version
    }
}

pub async fn norm_times(
    store: &Store,
    year: i16,
    vakgroep_id: Option<VakgroepId>,
) -> Result<Vec<NormTime>, StoreError> {
    Ok(sqlx::query_as(concat!(
        norm_select!(),
        " WHERE n.year = $1 AND ($2::bigint IS NULL OR n.vakgroep_id = $2)
         ORDER BY v.code, p.code"
    ))
    .bind(year)
    .bind(vakgroep_id.map(VakgroepId::get))
    .fetch_all(store.pool())
    .await?)
}

/// One care product's norm time in a year, if it has one.
pub async fn norm_time(
    executor: impl sqlx::PgExecutor<'_>,
    year: i16,
    care_product_id: CareProductId,
) -> Result<Option<NormTime>, StoreError> {
    year_row(executor, year, care_product_id.get()).await
}

/// Sets one norm time. `expected_version`: `None` to add one (refused with `Conflict` if it exists
/// meanwhile), else the version that was edited.
pub async fn set_norm_time(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    care_product_id: CareProductId,
    expected_version: Option<i32>,
    minutes: Decimal,
) -> Result<(), StoreError> {
    let care_product_id = care_product_id.get();
    // The vakgroep comes from the product, so that a norm time cannot sit under another vakgroep.
    let upsert = sqlx::query(
        "INSERT INTO norm_time (year, vakgroep_id, care_product_id, minutes)
         SELECT $1, p.vakgroep_id, p.id, $3 FROM care_product p WHERE p.id = $2
         ON CONFLICT (year, care_product_id) DO UPDATE SET minutes = $3, version = norm_time.version + 1",
    )
    .bind(year)
    .bind(care_product_id)
    .bind(minutes);
    set_year_row::<NormTime>(conn, who, year, care_product_id, expected_version, upsert).await
}

pub async fn delete_norm_time(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    care_product_id: CareProductId,
    expected_version: i32,
) -> Result<(), StoreError> {
    delete_year_row::<NormTime>(conn, who, year, care_product_id.get(), expected_version).await
}

/// Deletes every norm time of a care product, each audited on its own, as part of deleting the
/// product; returns their years.
pub(super) async fn delete_product_norm_times(
    conn: &mut PgConnection,
    who: &Who,
    care_product_id: CareProductId,
) -> Result<Vec<i16>, StoreError> {
    let care_product_id = care_product_id.get();
    let rows: Vec<NormTime> = sqlx::query_as(concat!(
        norm_select!(),
        " WHERE n.care_product_id = $1 ORDER BY n.year"
    ))
    .bind(care_product_id)
    .fetch_all(&mut *conn)
    .await?;
    for n in &rows {
        delete_year_row::<NormTime>(conn, who, n.year, care_product_id, n.version).await?;
    }
    Ok(rows.into_iter().map(|n| n.year).collect())
}

/// One line of a norm-time list as read from a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NormTimeLine {
    pub line: usize,
    pub vakgroep_code: String,
    pub product_code: String,
    pub minutes: Decimal,
}

/// The outcome of an all-or-nothing bulk change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum BulkOutcome {
    Replaced {
        count: u64,
    },
    /// Nothing was changed; the first lines in error (at most 1,000) and their total count.
    Rejected {
        errors: Vec<LineError>,
        total: usize,
    },
}

/// Replaces a year's whole norm-time list. Every line must name an existing vakgroep and care
/// product once; otherwise nothing changes and every bad line is reported. On `Rejected` the
/// caller's transaction is unchanged.
pub async fn replace_norm_times(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    lines: &[NormTimeLine],
) -> Result<BulkOutcome, StoreError> {
    let line_nos: Vec<i64> = lines.iter().map(|l| l.line as i64).collect();
    let vakgroepen: Vec<String> = lines
        .iter()
        .map(|l| l.vakgroep_code.trim().to_uppercase())
        .collect();
    let products: Vec<String> = lines
        .iter()
        .map(|l| l.product_code.trim().to_string())
        .collect();
    let minutes: Vec<Decimal> = lines.iter().map(|l| l.minutes).collect();

    // One query finds every problem: unknown vakgroep, unknown product, a repeated product,
    // negative minutes.
    #[derive(sqlx::FromRow)]
    struct Bad {
        line: i64,
        col: Option<String>,
        reason: String,
        total: i64,
    }
    let bad: Vec<Bad> = sqlx::query_as(
        "WITH l AS (
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::numeric[])
                 AS t(line, vakgroep, product, minutes)
         ), r AS (
             SELECT l.*, v.id AS vakgroep_id, p.id AS product_id,
                    row_number() OVER (PARTITION BY v.id, p.id ORDER BY l.line) AS nth,
                    min(l.line) OVER (PARTITION BY v.id, p.id) AS first_line
             FROM l LEFT JOIN vakgroep v ON v.code = l.vakgroep
                    LEFT JOIN care_product p ON p.vakgroep_id = v.id AND p.code = l.product
         ), e AS (
             SELECT line, 'vakgroep' AS col, format('Onbekende vakgroep \"%s\".', vakgroep) AS reason
                 FROM r WHERE vakgroep_id IS NULL
             UNION ALL
             SELECT line, 'zorgproduct', format('Onbekend zorgproduct \"%s\" bij vakgroep %s.', product, vakgroep)
                 FROM r WHERE vakgroep_id IS NOT NULL AND product_id IS NULL
             UNION ALL
             SELECT line, NULL, format('Dubbele regel: zorgproduct %s van %s staat ook op regel %s.', product, vakgroep, first_line)
                 FROM r WHERE product_id IS NOT NULL AND nth > 1
             UNION ALL
             SELECT line, 'minuten', 'Een normtijd is 0 minuten of meer.' FROM r WHERE minutes < 0
         )
         SELECT line, col, reason, count(*) OVER () AS total FROM e ORDER BY line LIMIT $5",
    )
    .bind(&line_nos)
    .bind(&vakgroepen)
    .bind(&products)
    .bind(&minutes)
    .bind(domain::production::MAX_REPORTED_ERRORS as i64)
    .fetch_all(&mut *conn)
    .await?;
    if let Some(first) = bad.first() {
        let total = first.total as usize;
        let errors = bad
            .into_iter()
            .map(|b| LineError::new(b.line as usize, b.col.as_deref(), b.reason))
            .collect();
        return Ok(BulkOutcome::Rejected { errors, total });
    }

    ensure_year(conn, year).await?;
    let removed: i64 = sqlx::query_scalar(
        "WITH d AS (DELETE FROM norm_time WHERE year = $1 RETURNING 1) SELECT count(*) FROM d",
    )
    .bind(year)
    .fetch_one(&mut *conn)
    .await?;
    let count = sqlx::query(
        "INSERT INTO norm_time (year, vakgroep_id, care_product_id, minutes)
         SELECT $1, v.id, p.id, l.minutes
         FROM unnest($2::text[], $3::text[], $4::numeric[]) AS l(vakgroep, product, minutes)
         JOIN vakgroep v ON v.code = l.vakgroep
         JOIN care_product p ON p.vakgroep_id = v.id AND p.code = l.product",
    )
    .bind(year)
    .bind(&vakgroepen)
    .bind(&products)
    .bind(&minutes)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    audit::record(
        conn,
        who,
        Change::new("norm_time_list", year, "replace")
            .before(serde_json::json!({ "rows": removed }))
            .after(serde_json::json!({ "rows": count })),
    )
    .await?;
    Ok(BulkOutcome::Replaced { count })
}
