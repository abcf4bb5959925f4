//! The capacity budget's data (product.md D1, D3, D7): budget years, care products, norm times,
//! normuren per fte, formative fte and KPIs per vakgroep per year; trend inputs of the vakgroepen
//! with their status history; scenarios; and [`engine_input`], everything the engine needs for
//! one scenario in a fixed number of queries. Realised volumes are in [`crate::production`].
//!
//! Writes take a `&mut PgConnection` inside the caller's transaction and write their audit entry in
//! it. Objects with a version refuse a stale one with [`StoreError::Conflict`]. Codes (KPI kind and
//! direction, trend scope, kind, category and status, grondslag) are the ones in the migration; the
//! database refuses others.
//!
//! Compartments (§0): a vakgroep representative sees only their own vakgroepen' trend inputs.
//! [`trend_inputs`] and [`trend_input`] take a [`Seen`] and filter in the query itself.

use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use domain::budget::trend::{self, TrendActor, TrendStatus, TrendStatusError};
use domain::production::LineError;
use serde::Serialize;
use sqlx::types::Decimal;
use time::OffsetDateTime;

// ---------------------------------------------------------------------------------------------
// Budget years

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct BudgetYear {
    pub year: i16,
    pub fee_budget: Option<Decimal>,
    pub fixed_share: Decimal,
    pub band_min: Option<Decimal>,
    pub band_max: Option<Decimal>,
    pub note: String,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct BudgetYearInput {
    pub fee_budget: Option<Decimal>,
    pub fixed_share: Decimal,
    pub band_min: Option<Decimal>,
    pub band_max: Option<Decimal>,
    pub note: String,
}

macro_rules! year_columns {
    () => {
        "year, fee_budget, fixed_share, band_min, band_max, note, version"
    };
}

pub async fn years(store: &Store) -> Result<Vec<BudgetYear>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        year_columns!(),
        " FROM budget_year ORDER BY year"
    ))
    .fetch_all(store.pool())
    .await?)
}

async fn year_on(conn: &mut PgConnection, year: i16) -> Result<BudgetYear, StoreError> {
    sqlx::query_as(concat!(
        "SELECT ",
        year_columns!(),
        " FROM budget_year WHERE year = $1"
    ))
    .bind(year)
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)
}

pub async fn year(store: &Store, year: i16) -> Result<BudgetYear, StoreError> {
    let mut conn = store.pool().acquire().await?;
    year_on(&mut conn, year).await
}

/// Year-scoped data refers to its budget year; the first write for a year opens it with default
/// settings, so that entering norm times does not wait for the settings form.
async fn ensure_year(conn: &mut PgConnection, year: i16) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO budget_year (year) VALUES ($1) ON CONFLICT (year) DO NOTHING")
        .bind(year)
        .execute(conn)
        .await?;
    Ok(())
}

/// Saves a year's settings. `expected_version`: `None` when the form was for a year not yet
/// stored (refused with `Conflict` if someone stored it meanwhile).
pub async fn save_year(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    expected_version: Option<i32>,
    input: &BudgetYearInput,
) -> Result<(), StoreError> {
    let before = year_on(conn, year).await.ok();
    if before.as_ref().map(|b| b.version) != expected_version {
        return Err(StoreError::Conflict);
    }
    sqlx::query(
        "INSERT INTO budget_year (year, fee_budget, fixed_share, band_min, band_max, note)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (year) DO UPDATE SET fee_budget = $2, fixed_share = $3, band_min = $4,
             band_max = $5, note = $6, version = budget_year.version + 1",
    )
    .bind(year)
    .bind(input.fee_budget)
    .bind(input.fixed_share)
    .bind(input.band_min)
    .bind(input.band_max)
    .bind(&input.note)
    .execute(&mut *conn)
    .await?;
    let after = year_on(conn, year).await?;
    let action = if before.is_some() { "update" } else { "create" };
    let mut change = Change::new("budget_year", year, action).after(&after);
    if let Some(b) = before {
        change = change.before(&b);
    }
    audit::record(conn, who, change).await
}

// ---------------------------------------------------------------------------------------------
// Care products

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct CareProduct {
    pub id: i64,
    pub vakgroep_id: i64,
    pub vakgroep_code: String,
    pub code: String,
    pub description: String,
    pub active: bool,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CareProductInput {
    pub vakgroep_id: i64,
    /// Zorgproduct or zorgactiviteit code; trimmed before it is stored.
    pub code: String,
    pub description: String,
    pub active: bool,
}

macro_rules! product_select {
    () => {
        "SELECT p.id, p.vakgroep_id, v.code AS vakgroep_code, p.code, p.description, p.active, p.version
     FROM care_product p JOIN vakgroep v ON v.id = p.vakgroep_id"
    };
}

/// Care products, of one vakgroep or of all, by vakgroep code and product code.
pub async fn care_products(
    store: &Store,
    vakgroep_id: Option<i64>,
) -> Result<Vec<CareProduct>, StoreError> {
    Ok(sqlx::query_as(concat!(
        product_select!(),
        " WHERE ($1::bigint IS NULL OR p.vakgroep_id = $1) ORDER BY v.code, p.code"
    ))
    .bind(vakgroep_id)
    .fetch_all(store.pool())
    .await?)
}

async fn care_product_on(conn: &mut PgConnection, id: i64) -> Result<CareProduct, StoreError> {
    sqlx::query_as(concat!(product_select!(), " WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn care_product(store: &Store, id: i64) -> Result<CareProduct, StoreError> {
    let mut conn = store.pool().acquire().await?;
    care_product_on(&mut conn, id).await
}

pub async fn create_care_product(
    conn: &mut PgConnection,
    who: &Who,
    input: &CareProductInput,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO care_product (vakgroep_id, code, description, active) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(input.vakgroep_id)
    .bind(input.code.trim())
    .bind(input.description.trim())
    .bind(input.active)
    .fetch_one(&mut *conn)
    .await?;
    let after = care_product_on(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("care_product", id, "create").after(&after),
    )
    .await?;
    Ok(id)
}

/// Updates a care product. Moving it to another vakgroep is refused by the database while norm
/// times or trend inputs refer to it under its vakgroep.
pub async fn update_care_product(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    input: &CareProductInput,
) -> Result<(), StoreError> {
    let before = care_product_on(conn, id).await?;
    let n = sqlx::query(
        "UPDATE care_product SET vakgroep_id = $3, code = $4, description = $5, active = $6,
             version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(input.vakgroep_id)
    .bind(input.code.trim())
    .bind(input.description.trim())
    .bind(input.active)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    let after = care_product_on(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("care_product", id, "update")
            .before(&before)
            .after(&after),
    )
    .await
}

/// Deletes a care product that nothing refers to; one with norm times, volumes or trend inputs
/// answers `InUse` (deactivate it instead).
pub async fn delete_care_product(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
) -> Result<(), StoreError> {
    let before = care_product_on(conn, id).await?;
    let n = sqlx::query("DELETE FROM care_product WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(expected_version)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    audit::record(
        conn,
        who,
        Change::new("care_product", id, "delete").before(&before),
    )
    .await
}

/// Creates many care products at once (an initial list, the demo hospital) with one audit entry
/// that counts them. All or nothing: a duplicate code refuses the whole list with `Duplicate`.
pub async fn create_care_products(
    conn: &mut PgConnection,
    who: &Who,
    inputs: &[CareProductInput],
) -> Result<u64, StoreError> {
    let vakgroepen: Vec<i64> = inputs.iter().map(|i| i.vakgroep_id).collect();
    let codes: Vec<&str> = inputs.iter().map(|i| i.code.trim()).collect();
    let descriptions: Vec<&str> = inputs.iter().map(|i| i.description.trim()).collect();
    let active: Vec<bool> = inputs.iter().map(|i| i.active).collect();
    let count = sqlx::query(
        "INSERT INTO care_product (vakgroep_id, code, description, active)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bool[])",
    )
    .bind(&vakgroepen)
    .bind(&codes)
    .bind(&descriptions)
    .bind(&active)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    audit::record(
        conn,
        who,
        Change::new("care_product_list", count, "create")
            .after(serde_json::json!({ "rows": count })),
    )
    .await?;
    Ok(count)
}

// ---------------------------------------------------------------------------------------------
// Norm times

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct NormTime {
    pub year: i16,
    pub vakgroep_id: i64,
    pub vakgroep_code: String,
    pub care_product_id: i64,
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

pub async fn norm_times(
    store: &Store,
    year: i16,
    vakgroep_id: Option<i64>,
) -> Result<Vec<NormTime>, StoreError> {
    Ok(sqlx::query_as(concat!(
        norm_select!(),
        " WHERE n.year = $1 AND ($2::bigint IS NULL OR n.vakgroep_id = $2)
         ORDER BY v.code, p.code"
    ))
    .bind(year)
    .bind(vakgroep_id)
    .fetch_all(store.pool())
    .await?)
}

async fn norm_time_on(
    conn: &mut PgConnection,
    year: i16,
    care_product_id: i64,
) -> Result<Option<NormTime>, StoreError> {
    Ok(sqlx::query_as(concat!(
        norm_select!(),
        " WHERE n.year = $1 AND n.care_product_id = $2"
    ))
    .bind(year)
    .bind(care_product_id)
    .fetch_optional(conn)
    .await?)
}

/// Sets one norm time. `expected_version`: `None` to add one (refused with `Conflict` if it exists
/// meanwhile), else the version that was edited.
pub async fn set_norm_time(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    care_product_id: i64,
    expected_version: Option<i32>,
    minutes: Decimal,
) -> Result<(), StoreError> {
    ensure_year(conn, year).await?;
    let before = norm_time_on(conn, year, care_product_id).await?;
    if before.as_ref().map(|b| b.version) != expected_version {
        return Err(StoreError::Conflict);
    }
    sqlx::query(
        "INSERT INTO norm_time (year, vakgroep_id, care_product_id, minutes)
         SELECT $1, p.vakgroep_id, p.id, $3 FROM care_product p WHERE p.id = $2
         ON CONFLICT (year, care_product_id) DO UPDATE SET minutes = $3, version = norm_time.version + 1",
    )
    .bind(year)
    .bind(care_product_id)
    .bind(minutes)
    .execute(&mut *conn)
    .await?;
    let after = norm_time_on(conn, year, care_product_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let id = format!("{year}/{care_product_id}");
    let action = if before.is_some() { "update" } else { "create" };
    let mut change = Change::new("norm_time", id, action).after(&after);
    if let Some(b) = before {
        change = change.before(&b);
    }
    audit::record(conn, who, change).await
}

pub async fn delete_norm_time(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    care_product_id: i64,
    expected_version: i32,
) -> Result<(), StoreError> {
    let before = norm_time_on(conn, year, care_product_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let n = sqlx::query(
        "DELETE FROM norm_time WHERE year = $1 AND care_product_id = $2 AND version = $3",
    )
    .bind(year)
    .bind(care_product_id)
    .bind(expected_version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    let id = format!("{year}/{care_product_id}");
    audit::record(
        conn,
        who,
        Change::new("norm_time", id, "delete").before(&before),
    )
    .await
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

// ---------------------------------------------------------------------------------------------
// Normuren per fte and formative fte

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Normuren {
    pub year: i16,
    pub vakgroep_id: i64,
    pub vakgroep_code: String,
    pub hours: Decimal,
    pub version: i32,
}

macro_rules! normuren_select {
    () => {
        "SELECT n.year, n.vakgroep_id, v.code AS vakgroep_code, n.hours, n.version
     FROM normuren_per_fte n JOIN vakgroep v ON v.id = n.vakgroep_id"
    };
}

pub async fn normuren(store: &Store, year: i16) -> Result<Vec<Normuren>, StoreError> {
    Ok(sqlx::query_as(concat!(
        normuren_select!(),
        " WHERE n.year = $1 ORDER BY v.code"
    ))
    .bind(year)
    .fetch_all(store.pool())
    .await?)
}

async fn normuren_on(
    conn: &mut PgConnection,
    year: i16,
    vakgroep_id: i64,
) -> Result<Option<Normuren>, StoreError> {
    Ok(sqlx::query_as(concat!(
        normuren_select!(),
        " WHERE n.year = $1 AND n.vakgroep_id = $2"
    ))
    .bind(year)
    .bind(vakgroep_id)
    .fetch_optional(conn)
    .await?)
}

/// Sets a vakgroep's normuren per fte for a year (`expected_version` as in [`set_norm_time`]).
pub async fn set_normuren(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    vakgroep_id: i64,
    expected_version: Option<i32>,
    hours: Decimal,
) -> Result<(), StoreError> {
    ensure_year(conn, year).await?;
    let before = normuren_on(conn, year, vakgroep_id).await?;
    if before.as_ref().map(|b| b.version) != expected_version {
        return Err(StoreError::Conflict);
    }
    sqlx::query(
        "INSERT INTO normuren_per_fte (year, vakgroep_id, hours) VALUES ($1, $2, $3)
         ON CONFLICT (year, vakgroep_id) DO UPDATE SET hours = $3, version = normuren_per_fte.version + 1",
    )
    .bind(year)
    .bind(vakgroep_id)
    .bind(hours)
    .execute(&mut *conn)
    .await?;
    let after = normuren_on(conn, year, vakgroep_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    record_upsert(
        conn,
        who,
        "normuren_per_fte",
        year,
        vakgroep_id,
        before,
        after,
    )
    .await
}

pub async fn delete_normuren(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    vakgroep_id: i64,
    expected_version: i32,
) -> Result<(), StoreError> {
    let before = normuren_on(conn, year, vakgroep_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let n = sqlx::query(
        "DELETE FROM normuren_per_fte WHERE year = $1 AND vakgroep_id = $2 AND version = $3",
    )
    .bind(year)
    .bind(vakgroep_id)
    .bind(expected_version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    audit::record(
        conn,
        who,
        Change::new(
            "normuren_per_fte",
            format!("{year}/{vakgroep_id}"),
            "delete",
        )
        .before(&before),
    )
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Formatief {
    pub year: i16,
    pub vakgroep_id: i64,
    pub vakgroep_code: String,
    pub fte_1a: Decimal,
    pub fte_1b: Decimal,
    /// 1a + 1b.
    pub fte: Decimal,
    pub version: i32,
}

macro_rules! formatief_select {
    () => {
        "SELECT f.year, f.vakgroep_id, v.code AS vakgroep_code, f.fte_1a, f.fte_1b, f.fte, f.version
     FROM formatief_fte f JOIN vakgroep v ON v.id = f.vakgroep_id"
    };
}

pub async fn formatief(store: &Store, year: i16) -> Result<Vec<Formatief>, StoreError> {
    Ok(sqlx::query_as(concat!(
        formatief_select!(),
        " WHERE f.year = $1 ORDER BY v.code"
    ))
    .bind(year)
    .fetch_all(store.pool())
    .await?)
}

async fn formatief_on(
    conn: &mut PgConnection,
    year: i16,
    vakgroep_id: i64,
) -> Result<Option<Formatief>, StoreError> {
    Ok(sqlx::query_as(concat!(
        formatief_select!(),
        " WHERE f.year = $1 AND f.vakgroep_id = $2"
    ))
    .bind(year)
    .bind(vakgroep_id)
    .fetch_optional(conn)
    .await?)
}

/// Sets a vakgroep's formative fte (categories 1a and 1b) for a year.
pub async fn set_formatief(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    vakgroep_id: i64,
    expected_version: Option<i32>,
    fte_1a: Decimal,
    fte_1b: Decimal,
) -> Result<(), StoreError> {
    ensure_year(conn, year).await?;
    let before = formatief_on(conn, year, vakgroep_id).await?;
    if before.as_ref().map(|b| b.version) != expected_version {
        return Err(StoreError::Conflict);
    }
    sqlx::query(
        "INSERT INTO formatief_fte (year, vakgroep_id, fte_1a, fte_1b) VALUES ($1, $2, $3, $4)
         ON CONFLICT (year, vakgroep_id) DO UPDATE SET fte_1a = $3, fte_1b = $4,
             version = formatief_fte.version + 1",
    )
    .bind(year)
    .bind(vakgroep_id)
    .bind(fte_1a)
    .bind(fte_1b)
    .execute(&mut *conn)
    .await?;
    let after = formatief_on(conn, year, vakgroep_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    record_upsert(conn, who, "formatief_fte", year, vakgroep_id, before, after).await
}

pub async fn delete_formatief(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    vakgroep_id: i64,
    expected_version: i32,
) -> Result<(), StoreError> {
    let before = formatief_on(conn, year, vakgroep_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let n = sqlx::query(
        "DELETE FROM formatief_fte WHERE year = $1 AND vakgroep_id = $2 AND version = $3",
    )
    .bind(year)
    .bind(vakgroep_id)
    .bind(expected_version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    audit::record(
        conn,
        who,
        Change::new("formatief_fte", format!("{year}/{vakgroep_id}"), "delete").before(&before),
    )
    .await
}

async fn record_upsert<T: Serialize>(
    conn: &mut PgConnection,
    who: &Who,
    object_type: &'static str,
    year: i16,
    vakgroep_id: i64,
    before: Option<T>,
    after: T,
) -> Result<(), StoreError> {
    let id = format!("{year}/{vakgroep_id}");
    let action = if before.is_some() { "update" } else { "create" };
    let mut change = Change::new(object_type, id, action).after(&after);
    if let Some(b) = before {
        change = change.before(&b);
    }
    audit::record(conn, who, change).await
}

// ---------------------------------------------------------------------------------------------
// KPIs

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct BudgetKpi {
    pub id: i64,
    pub year: i16,
    pub vakgroep_id: i64,
    pub vakgroep_code: String,
    /// `efficiency` or `passende_zorg`.
    pub kind: String,
    pub name: String,
    /// `hoger_beter` or `lager_beter`.
    pub direction: String,
    pub reference_value: Decimal,
    pub local_value: Decimal,
    pub source: String,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiInput {
    pub vakgroep_id: i64,
    pub kind: String,
    pub name: String,
    pub direction: String,
    pub reference_value: Decimal,
    pub local_value: Decimal,
    pub source: String,
}

macro_rules! kpi_select {
    () => {
        "SELECT k.id, k.year, k.vakgroep_id, v.code AS vakgroep_code, k.kind, k.name, k.direction,
            k.reference_value, k.local_value, k.source, k.version
     FROM budget_kpi k JOIN vakgroep v ON v.id = k.vakgroep_id"
    };
}

pub async fn kpis(
    store: &Store,
    year: i16,
    vakgroep_id: Option<i64>,
) -> Result<Vec<BudgetKpi>, StoreError> {
    Ok(sqlx::query_as(concat!(
        kpi_select!(),
        " WHERE k.year = $1 AND ($2::bigint IS NULL OR k.vakgroep_id = $2)
         ORDER BY v.code, k.kind, k.name"
    ))
    .bind(year)
    .bind(vakgroep_id)
    .fetch_all(store.pool())
    .await?)
}

async fn kpi_on(conn: &mut PgConnection, id: i64) -> Result<BudgetKpi, StoreError> {
    sqlx::query_as(concat!(kpi_select!(), " WHERE k.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// One KPI by id, with its year.
pub async fn kpi(store: &Store, id: i64) -> Result<BudgetKpi, StoreError> {
    let mut conn = store.pool().acquire().await?;
    kpi_on(&mut conn, id).await
}

pub async fn create_kpi(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    input: &KpiInput,
) -> Result<i64, StoreError> {
    ensure_year(conn, year).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO budget_kpi (year, vakgroep_id, kind, name, direction, reference_value, local_value, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(year)
    .bind(input.vakgroep_id)
    .bind(&input.kind)
    .bind(input.name.trim())
    .bind(&input.direction)
    .bind(input.reference_value)
    .bind(input.local_value)
    .bind(input.source.trim())
    .fetch_one(&mut *conn)
    .await?;
    let after = kpi_on(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("budget_kpi", id, "create").after(&after),
    )
    .await?;
    Ok(id)
}

pub async fn update_kpi(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    input: &KpiInput,
) -> Result<(), StoreError> {
    let before = kpi_on(conn, id).await?;
    let n = sqlx::query(
        "UPDATE budget_kpi SET vakgroep_id = $3, kind = $4, name = $5, direction = $6,
             reference_value = $7, local_value = $8, source = $9, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(input.vakgroep_id)
    .bind(&input.kind)
    .bind(input.name.trim())
    .bind(&input.direction)
    .bind(input.reference_value)
    .bind(input.local_value)
    .bind(input.source.trim())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    let after = kpi_on(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("budget_kpi", id, "update")
            .before(&before)
            .after(&after),
    )
    .await
}

pub async fn delete_kpi(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
) -> Result<(), StoreError> {
    let before = kpi_on(conn, id).await?;
    let n = sqlx::query("DELETE FROM budget_kpi WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(expected_version)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    audit::record(
        conn,
        who,
        Change::new("budget_kpi", id, "delete").before(&before),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Copying a year

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CopySummary {
    pub norm_times: u64,
    pub normuren: u64,
    pub formatief: u64,
    pub kpis: u64,
}

/// Copies a year's master data (norm times, normuren per fte, formative fte, KPIs) to another
/// year as the starting point for that year. Refused with `Conflict` when the target year already
/// has any of these, so that a second click cannot overwrite work done in the new year.
/// The settings are copied too when the target year has none yet.
pub async fn copy_year(
    conn: &mut PgConnection,
    who: &Who,
    from: i16,
    to: i16,
) -> Result<CopySummary, StoreError> {
    if from == to {
        return Err(StoreError::Other(
            "Kies een ander jaar om naar te kopiëren.".into(),
        ));
    }
    year_on(conn, from).await?;
    // Serialises two copies to the same year, which would otherwise both see an empty target.
    sqlx::query("SELECT pg_advisory_xact_lock(7264003, $1)")
        .bind(i32::from(to))
        .execute(&mut *conn)
        .await?;
    let has_data: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM norm_time WHERE year = $1)
             OR EXISTS (SELECT 1 FROM normuren_per_fte WHERE year = $1)
             OR EXISTS (SELECT 1 FROM formatief_fte WHERE year = $1)
             OR EXISTS (SELECT 1 FROM budget_kpi WHERE year = $1)",
    )
    .bind(to)
    .fetch_one(&mut *conn)
    .await?;
    if has_data {
        return Err(StoreError::Conflict);
    }
    sqlx::query(
        "INSERT INTO budget_year (year, fee_budget, fixed_share, band_min, band_max, note)
         SELECT $2, fee_budget, fixed_share, band_min, band_max, note FROM budget_year WHERE year = $1
         ON CONFLICT (year) DO NOTHING",
    )
    .bind(from)
    .bind(to)
    .execute(&mut *conn)
    .await?;
    let mut summary = CopySummary::default();
    for (target, sql) in [
        (
            &mut summary.norm_times,
            "INSERT INTO norm_time (year, vakgroep_id, care_product_id, minutes)
             SELECT $2, vakgroep_id, care_product_id, minutes FROM norm_time WHERE year = $1",
        ),
        (
            &mut summary.normuren,
            "INSERT INTO normuren_per_fte (year, vakgroep_id, hours)
             SELECT $2, vakgroep_id, hours FROM normuren_per_fte WHERE year = $1",
        ),
        (
            &mut summary.formatief,
            "INSERT INTO formatief_fte (year, vakgroep_id, fte_1a, fte_1b)
             SELECT $2, vakgroep_id, fte_1a, fte_1b FROM formatief_fte WHERE year = $1",
        ),
        (
            &mut summary.kpis,
            "INSERT INTO budget_kpi (year, vakgroep_id, kind, name, direction, reference_value, local_value, source)
             SELECT $2, vakgroep_id, kind, name, direction, reference_value, local_value, source
             FROM budget_kpi WHERE year = $1",
        ),
    ] {
        *target = sqlx::query(sql)
            .bind(from)
            .bind(to)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    audit::record(
        conn,
        who,
        Change::new("budget_year", to, "copy")
            .before(serde_json::json!({ "from": from }))
            .after(summary),
    )
    .await?;
    Ok(summary)
}

// ---------------------------------------------------------------------------------------------
// Trend inputs

/// Which vakgroepen' trend inputs the caller may see.
#[derive(Debug, Clone, Copy)]
pub enum Seen<'a> {
    /// A vakgroep representative: only these vakgroepen.
    Vakgroepen(&'a [i64]),
    /// Reviewers (controller, boards): all of them.
    All,
}

impl Seen<'_> {
    /// As a query parameter: `None` means everything.
    fn ids(&self) -> Option<&[i64]> {
        match self {
            Seen::Vakgroepen(ids) => Some(ids),
            Seen::All => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendInputInput {
    pub year: i16,
    pub vakgroep_id: i64,
    /// `vakgroep` (the whole vakgroep) or `zorgproducten` (the products in `product_ids`).
    pub scope: String,
    pub product_ids: Vec<i64>,
    /// `percentage` (value in percent points) or `absoluut` (value is a volume).
    pub kind: String,
    pub value: Decimal,
    /// `demografie`, `substitutie`, `passende_zorg`, `concentratie`, `portfoliokeuze`, `overig`.
    pub category: String,
    pub rationale: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct TrendInput {
    pub id: i64,
    pub year: i16,
    pub vakgroep_id: i64,
    pub vakgroep_code: String,
    pub vakgroep_name: String,
    pub scope: String,
    /// The chosen care products (scope `zorgproducten`), by code.
    pub product_ids: Vec<i64>,
    pub product_codes: Vec<String>,
    pub kind: String,
    pub value: Decimal,
    pub category: String,
    pub rationale: String,
    pub source: String,
    pub status: String,
    pub return_reason: String,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct TrendStatusChange {
    pub id: i64,
    pub from_status: String,
    pub to_status: String,
    pub reason: String,
    pub changed_by: Option<i64>,
    pub changed_by_name: Option<String>,
    pub changed_at: OffsetDateTime,
}

macro_rules! trend_select {
    () => {
        "SELECT t.id, t.year, t.vakgroep_id, v.code AS vakgroep_code, v.name AS vakgroep_name,
            t.scope,
            COALESCE((SELECT array_agg(p.id ORDER BY p.code) FROM trend_input_product tp
                      JOIN care_product p ON p.id = tp.care_product_id WHERE tp.trend_input_id = t.id), '{}') AS product_ids,
            COALESCE((SELECT array_agg(p.code ORDER BY p.code) FROM trend_input_product tp
                      JOIN care_product p ON p.id = tp.care_product_id WHERE tp.trend_input_id = t.id), '{}') AS product_codes,
            t.kind, t.value, t.category, t.rationale, t.source, t.status, t.return_reason,
            t.author_id, a.name AS author_name, t.created_at, t.updated_at, t.version
     FROM trend_input t JOIN vakgroep v ON v.id = t.vakgroep_id LEFT JOIN person a ON a.id = t.author_id"
    };
}

/// A stored status code as the domain's status; the database refuses any other code.
fn trend_status(code: &str) -> Result<TrendStatus, StoreError> {
    TrendStatus::parse(code)
        .ok_or_else(|| StoreError::Other(format!("Onbekende status van een trendinput: {code}.")))
}

/// Trend inputs of a year, by vakgroep and newest first, limited to what the caller may see.
pub async fn trend_inputs(
    store: &Store,
    year: i16,
    seen: Seen<'_>,
) -> Result<Vec<TrendInput>, StoreError> {
    Ok(sqlx::query_as(concat!(
        trend_select!(),
        "
         WHERE t.year = $1 AND ($2::bigint[] IS NULL OR t.vakgroep_id = ANY($2))
         ORDER BY v.code, t.id DESC"
    ))
    .bind(year)
    .bind(seen.ids())
    .fetch_all(store.pool())
    .await?)
}

/// One trend input; `NotFound` also when the caller may not see it.
pub async fn trend_input(store: &Store, id: i64, seen: Seen<'_>) -> Result<TrendInput, StoreError> {
    let mut conn = store.pool().acquire().await?;
    trend_input_on(&mut conn, id, seen).await
}

async fn trend_input_on(
    conn: &mut PgConnection,
    id: i64,
    seen: Seen<'_>,
) -> Result<TrendInput, StoreError> {
    sqlx::query_as(concat!(
        trend_select!(),
        " WHERE t.id = $1 AND ($2::bigint[] IS NULL OR t.vakgroep_id = ANY($2))"
    ))
    .bind(id)
    .bind(seen.ids())
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)
}

/// The status history of a trend input, oldest first.
pub async fn trend_history(
    store: &Store,
    id: i64,
    seen: Seen<'_>,
) -> Result<Vec<TrendStatusChange>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.from_status, c.to_status, c.reason, c.changed_by, p.name AS changed_by_name, c.changed_at
         FROM trend_input_status_change c
         JOIN trend_input t ON t.id = c.trend_input_id
         LEFT JOIN person p ON p.id = c.changed_by
         WHERE c.trend_input_id = $1 AND ($2::bigint[] IS NULL OR t.vakgroep_id = ANY($2))
         ORDER BY c.changed_at, c.id",
    )
    .bind(id)
    .bind(seen.ids())
    .fetch_all(store.pool())
    .await?)
}

fn check_scope(input: &TrendInputInput) -> Result<(), StoreError> {
    match (input.scope.as_str(), input.product_ids.is_empty()) {
        ("vakgroep", false) => Err(StoreError::Other(
            "Een trendinput voor de hele vakgroep noemt geen zorgproducten.".into(),
        )),
        ("zorgproducten", true) => {
            Err(StoreError::Other("Kies ten minste één zorgproduct.".into()))
        }
        _ => Ok(()),
    }
}

async fn set_products(
    conn: &mut PgConnection,
    id: i64,
    input: &TrendInputInput,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM trend_input_product WHERE trend_input_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    // The composite key refuses a product of another vakgroep (InUse: foreign key).
    sqlx::query(
        "INSERT INTO trend_input_product (trend_input_id, vakgroep_id, care_product_id)
         SELECT DISTINCT $1, $2, unnest($3::bigint[])",
    )
    .bind(id)
    .bind(input.vakgroep_id)
    .bind(&input.product_ids)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Creates a trend input in status `concept`, authored by `who`.
pub async fn create_trend_input(
    conn: &mut PgConnection,
    who: &Who,
    input: &TrendInputInput,
) -> Result<i64, StoreError> {
    check_scope(input)?;
    ensure_year(conn, input.year).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO trend_input (year, vakgroep_id, scope, kind, value, category, rationale, source, author_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(input.year)
    .bind(input.vakgroep_id)
    .bind(&input.scope)
    .bind(&input.kind)
    .bind(input.value)
    .bind(&input.category)
    .bind(input.rationale.trim())
    .bind(input.source.trim())
    .bind(who.id)
    .fetch_one(&mut *conn)
    .await?;
    set_products(conn, id, input).await?;
    let after = trend_input_on(conn, id, Seen::All).await?;
    audit::record(
        conn,
        who,
        Change::new("trend_input", id, "create").after(&after),
    )
    .await?;
    Ok(id)
}

/// Changes a trend input's content. Only in `concept` or `teruggestuurd`, and never to another
/// vakgroep or year (that would move it out of its compartment); otherwise `Conflict` for a
/// stale version.
pub async fn update_trend_input(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    input: &TrendInputInput,
) -> Result<(), StoreError> {
    check_scope(input)?;
    let before = trend_input_on(conn, id, Seen::All).await?;
    if before.version != expected_version {
        return Err(StoreError::Conflict);
    }
    if before.vakgroep_id != input.vakgroep_id || before.year != input.year {
        return Err(StoreError::Other(
            "Een trendinput blijft bij zijn vakgroep en begrotingsjaar.".into(),
        ));
    }
    // Whether anyone may still change the content is the representative's rule in the domain;
    // who is asking is the caller's to check.
    let representative = TrendActor {
        is_representative: true,
        is_reviewer: false,
    };
    let status = trend_status(&before.status)?;
    if !trend::may_edit(status, representative) {
        return Err(StoreError::Other(format!(
            "Een trendinput met status ‘{}’ kan niet meer worden gewijzigd.",
            status.label()
        )));
    }
    let n = sqlx::query(
        "UPDATE trend_input SET scope = $3, kind = $4, value = $5, category = $6, rationale = $7,
             source = $8, updated_at = now(), version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(&input.scope)
    .bind(&input.kind)
    .bind(input.value)
    .bind(&input.category)
    .bind(input.rationale.trim())
    .bind(input.source.trim())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    set_products(conn, id, input).await?;
    let after = trend_input_on(conn, id, Seen::All).await?;
    audit::record(
        conn,
        who,
        Change::new("trend_input", id, "update")
            .before(&before)
            .after(&after),
    )
    .await
}

/// Moves a trend input to another status along the domain's flow ([`trend::step`]), recording
/// who, when and why. Whether the person may take that step ([`trend::transition`]) is checked
/// by the caller, who knows their roles and vakgroepen. Sending back (`teruggestuurd`) needs a reason, which is kept as the return reason until
/// the input is accepted.
pub async fn change_trend_status(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    to: &str,
    reason: &str,
) -> Result<(), StoreError> {
    let before = trend_input_on(conn, id, Seen::All).await?;
    if before.version != expected_version {
        return Err(StoreError::Conflict);
    }
    let from = trend_status(&before.status)?;
    let to_status = trend_status(to)?;
    let refuse = |e: TrendStatusError| StoreError::Other(e.to_string());
    if from == to_status {
        return Err(refuse(TrendStatusError::Unchanged(from)));
    }
    if trend::step(from, to_status).is_none() {
        return Err(refuse(TrendStatusError::NotAllowed {
            from,
            to: to_status,
        }));
    }
    let reason = reason.trim();
    let chars = reason.chars().count();
    if chars > trend::MAX_REASON_CHARS {
        return Err(refuse(TrendStatusError::ReasonTooLong {
            max: trend::MAX_REASON_CHARS,
            actual: chars,
        }));
    }
    if chars == 0 && trend::reason_required(to_status) {
        return Err(refuse(TrendStatusError::ReasonRequired));
    }
    let n = sqlx::query(
        "UPDATE trend_input SET status = $3,
             return_reason = CASE WHEN $3 = 'teruggestuurd' THEN $4
                                  WHEN $3 = 'geaccepteerd' THEN '' ELSE return_reason END,
             updated_at = now(), version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(to)
    .bind(reason)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    sqlx::query(
        "INSERT INTO trend_input_status_change (trend_input_id, from_status, to_status, reason, changed_by)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(&before.status)
    .bind(to)
    .bind(reason)
    .bind(who.id)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        who,
        Change::new("trend_input", id, "status")
            .before(serde_json::json!({ "status": before.status }))
            .after(serde_json::json!({ "status": to, "reason": reason })),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Scenarios

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioInput {
    pub year: i16,
    pub name: String,
    pub description: String,
    pub reference_year: i16,
    /// 1 informatief, 2 in norm-fte, 3 geoormerkt budget (D5).
    pub pz_variant: i16,
    pub w_out: Decimal,
    pub w_eff: Decimal,
    pub w_pz: Decimal,
    pub earmarked_amount: Decimal,
    /// `formatief`, `norm_fte` or `norm_fte_vorig_jaar`.
    pub grondslag: String,
    /// Trend inputs of the same year to take into account (only accepted ones count).
    pub trend_input_ids: Vec<i64>,
    /// Vakgroepen with another passende-zorg variant than `pz_variant`.
    pub variants: Vec<VariantOverride>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VariantOverride {
    pub vakgroep_id: i64,
    pub pz_variant: i16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub id: i64,
    pub year: i16,
    pub name: String,
    pub description: String,
    pub reference_year: i16,
    pub pz_variant: i16,
    pub w_out: Decimal,
    pub w_eff: Decimal,
    pub w_pz: Decimal,
    pub earmarked_amount: Decimal,
    pub grondslag: String,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub version: i32,
    /// Sorted.
    pub trend_input_ids: Vec<i64>,
    /// By vakgroep id.
    pub variants: Vec<VariantOverride>,
}

#[derive(sqlx::FromRow)]
struct ScenarioRaw {
    id: i64,
    year: i16,
    name: String,
    description: String,
    reference_year: i16,
    pz_variant: i16,
    w_out: Decimal,
    w_eff: Decimal,
    w_pz: Decimal,
    earmarked_amount: Decimal,
    grondslag: String,
    created_by: Option<i64>,
    created_by_name: Option<String>,
    created_at: OffsetDateTime,
    version: i32,
    trend_input_ids: Vec<i64>,
    variant_vakgroepen: Vec<i64>,
    variant_values: Vec<i16>,
}

impl From<ScenarioRaw> for Scenario {
    fn from(r: ScenarioRaw) -> Self {
        let variants = r
            .variant_vakgroepen
            .iter()
            .zip(&r.variant_values)
            .map(|(&vakgroep_id, &pz_variant)| VariantOverride {
                vakgroep_id,
                pz_variant,
            })
            .collect();
        Scenario {
            id: r.id,
            year: r.year,
            name: r.name,
            description: r.description,
            reference_year: r.reference_year,
            pz_variant: r.pz_variant,
            w_out: r.w_out,
            w_eff: r.w_eff,
            w_pz: r.w_pz,
            earmarked_amount: r.earmarked_amount,
            grondslag: r.grondslag,
            created_by: r.created_by,
            created_by_name: r.created_by_name,
            created_at: r.created_at,
            version: r.version,
            trend_input_ids: r.trend_input_ids,
            variants,
        }
    }
}

macro_rules! scenario_select {
    () => {
        "SELECT s.id, s.year, s.name, s.description, s.reference_year, s.pz_variant,
            s.w_out, s.w_eff, s.w_pz, s.earmarked_amount, s.grondslag, s.created_by,
            p.name AS created_by_name, s.created_at, s.version,
            COALESCE((SELECT array_agg(x.trend_input_id ORDER BY x.trend_input_id)
                      FROM scenario_trend_input x WHERE x.scenario_id = s.id), '{}') AS trend_input_ids,
            COALESCE((SELECT array_agg(o.vakgroep_id ORDER BY o.vakgroep_id)
                      FROM budget_scenario_variant o WHERE o.scenario_id = s.id), '{}') AS variant_vakgroepen,
            COALESCE((SELECT array_agg(o.pz_variant ORDER BY o.vakgroep_id)
                      FROM budget_scenario_variant o WHERE o.scenario_id = s.id), '{}') AS variant_values
     FROM budget_scenario s LEFT JOIN person p ON p.id = s.created_by"
    };
}

/// Scenarios of one year (or all), by year and name.
pub async fn scenarios(store: &Store, year: Option<i16>) -> Result<Vec<Scenario>, StoreError> {
    let rows: Vec<ScenarioRaw> = sqlx::query_as(concat!(
        scenario_select!(),
        " WHERE ($1::smallint IS NULL OR s.year = $1) ORDER BY s.year, s.name"
    ))
    .bind(year)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(Scenario::from).collect())
}

async fn scenario_on(conn: &mut PgConnection, id: i64) -> Result<Scenario, StoreError> {
    let raw: ScenarioRaw = sqlx::query_as(concat!(scenario_select!(), " WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(raw.into())
}

pub async fn scenario(store: &Store, id: i64) -> Result<Scenario, StoreError> {
    let mut conn = store.pool().acquire().await?;
    scenario_on(&mut conn, id).await
}

fn check_scenario(input: &ScenarioInput) -> Result<(), StoreError> {
    if input.w_out + input.w_eff + input.w_pz != Decimal::ONE {
        return Err(StoreError::Other(
            "De gewichten voor productie, efficiëntie en passende zorg moeten samen precies 1 (100 %) zijn."
                .into(),
        ));
    }
    if !(1..=3).contains(&input.pz_variant)
        || input
            .variants
            .iter()
            .any(|v| !(1..=3).contains(&v.pz_variant))
    {
        return Err(StoreError::Other(
            "Kies variant 1, 2 of 3 voor passende zorg.".into(),
        ));
    }
    Ok(())
}

async fn set_scenario_parts(
    conn: &mut PgConnection,
    id: i64,
    input: &ScenarioInput,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM scenario_trend_input WHERE scenario_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let mut wanted = input.trend_input_ids.clone();
    wanted.sort_unstable();
    wanted.dedup();
    let added = sqlx::query(
        "INSERT INTO scenario_trend_input (scenario_id, trend_input_id)
         SELECT $1, t.id FROM trend_input t WHERE t.id = ANY($2) AND t.year = $3",
    )
    .bind(id)
    .bind(&wanted)
    .bind(input.year)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if added != wanted.len() as u64 {
        return Err(StoreError::Other(format!(
            "Een scenario voor {} kan alleen trendinputs van {} bevatten.",
            input.year, input.year
        )));
    }
    sqlx::query("DELETE FROM budget_scenario_variant WHERE scenario_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let vakgroepen: Vec<i64> = input.variants.iter().map(|v| v.vakgroep_id).collect();
    let values: Vec<i16> = input.variants.iter().map(|v| v.pz_variant).collect();
    sqlx::query(
        "INSERT INTO budget_scenario_variant (scenario_id, vakgroep_id, pz_variant)
         SELECT $1, v, x FROM unnest($2::bigint[], $3::smallint[]) AS u(v, x)",
    )
    .bind(id)
    .bind(&vakgroepen)
    .bind(&values)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn create_scenario(
    conn: &mut PgConnection,
    who: &Who,
    input: &ScenarioInput,
) -> Result<i64, StoreError> {
    check_scenario(input)?;
    ensure_year(conn, input.year).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO budget_scenario (year, name, description, reference_year, pz_variant, w_out, w_eff, w_pz,
                                      earmarked_amount, grondslag, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(input.year)
    .bind(input.name.trim())
    .bind(input.description.trim())
    .bind(input.reference_year)
    .bind(input.pz_variant)
    .bind(input.w_out)
    .bind(input.w_eff)
    .bind(input.w_pz)
    .bind(input.earmarked_amount)
    .bind(&input.grondslag)
    .bind(who.id)
    .fetch_one(&mut *conn)
    .await?;
    set_scenario_parts(conn, id, input).await?;
    let after = scenario_on(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("budget_scenario", id, "create").after(&after),
    )
    .await?;
    Ok(id)
}

/// Updates a scenario; the year cannot change (its trend inputs and master data are that year's).
pub async fn update_scenario(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    input: &ScenarioInput,
) -> Result<(), StoreError> {
    check_scenario(input)?;
    let before = scenario_on(conn, id).await?;
    if before.year != input.year {
        return Err(StoreError::Other(
            "Het begrotingsjaar van een scenario ligt vast; maak een nieuw scenario.".into(),
        ));
    }
    let n = sqlx::query(
        "UPDATE budget_scenario SET name = $3, description = $4, reference_year = $5, pz_variant = $6,
             w_out = $7, w_eff = $8, w_pz = $9, earmarked_amount = $10, grondslag = $11, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(input.name.trim())
    .bind(input.description.trim())
    .bind(input.reference_year)
    .bind(input.pz_variant)
    .bind(input.w_out)
    .bind(input.w_eff)
    .bind(input.w_pz)
    .bind(input.earmarked_amount)
    .bind(&input.grondslag)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict);
    }
    set_scenario_parts(conn, id, input).await?;
    let after = scenario_on(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("budget_scenario", id, "update")
            .before(&before)
            .after(&after),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Engine input

/// A vakgroep with its figures for the scenario's year.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct EngineVakgroep {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub normuren_per_fte: Option<Decimal>,
    pub formatief_fte: Option<Decimal>,
    /// The scenario's variant, or this vakgroep's override.
    pub pz_variant: i16,
}

/// A care product with its norm time in the scenario's year and its baseline volume: the sum of
/// the realised volumes of the reference year (0 when none were imported).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct EngineProduct {
    pub id: i64,
    pub vakgroep_id: i64,
    pub code: String,
    pub description: String,
    pub norm_minutes: Option<Decimal>,
    pub baseline_volume: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct EngineKpi {
    pub id: i64,
    pub vakgroep_id: i64,
    pub kind: String,
    pub name: String,
    pub direction: String,
    pub reference_value: Decimal,
    pub local_value: Decimal,
}

/// An accepted trend input included in the scenario. `product_ids` is empty for scope `vakgroep`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct EngineTrendInput {
    pub id: i64,
    pub vakgroep_id: i64,
    pub scope: String,
    pub kind: String,
    /// Percent points for `percentage`, a volume for `absoluut`.
    pub value: Decimal,
    pub category: String,
    pub product_ids: Vec<i64>,
}

/// Everything the engine needs for one scenario, read from one consistent snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngineInput {
    pub scenario: Scenario,
    pub settings: Option<BudgetYear>,
    /// The periods of the reference year that have imported volumes (a baseline of fewer than
    /// 12 periods covers part of the year).
    pub baseline_periods: Vec<i16>,
    /// Active vakgroepen, and inactive ones with figures for the year; by code.
    pub vakgroepen: Vec<EngineVakgroep>,
    /// Active products, and inactive ones with a norm time or a baseline; by vakgroep and code.
    pub products: Vec<EngineProduct>,
    pub kpis: Vec<EngineKpi>,
    /// Included trend inputs with status `geaccepteerd` or `verwerkt`, by id.
    pub trend_inputs: Vec<EngineTrendInput>,
}

/// Loads a scenario's engine input in six queries inside one read-only, repeatable-read
/// transaction (eight round trips with BEGIN and COMMIT), however many vakgroepen and products
/// there are.
pub async fn engine_input(store: &Store, scenario_id: i64) -> Result<EngineInput, StoreError> {
    let mut tx = store
        .pool()
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let scenario = scenario_on(&mut tx, scenario_id).await?;
    let year = scenario.year;

    #[derive(sqlx::FromRow)]
    struct Head {
        baseline_periods: Vec<i16>,
        fee_budget: Option<Decimal>,
        fixed_share: Option<Decimal>,
        band_min: Option<Decimal>,
        band_max: Option<Decimal>,
        note: Option<String>,
        version: Option<i32>,
    }
    let head: Head = sqlx::query_as(
        "SELECT COALESCE((SELECT array_agg(period ORDER BY period) FROM production_import
                          WHERE year = $2 AND replaced_at IS NULL), '{}') AS baseline_periods,
                y.fee_budget, y.fixed_share, y.band_min, y.band_max, y.note, y.version
         FROM (SELECT 1) one LEFT JOIN budget_year y ON y.year = $1",
    )
    .bind(year)
    .bind(scenario.reference_year)
    .fetch_one(&mut *tx)
    .await?;
    let settings = match (head.fixed_share, head.note, head.version) {
        (Some(fixed_share), Some(note), Some(version)) => Some(BudgetYear {
            year,
            fee_budget: head.fee_budget,
            fixed_share,
            band_min: head.band_min,
            band_max: head.band_max,
            note,
            version,
        }),
        _ => None,
    };

    let vakgroepen: Vec<EngineVakgroep> = sqlx::query_as(
        "SELECT v.id, v.code, v.name, v.kind, n.hours AS normuren_per_fte, f.fte AS formatief_fte,
                COALESCE(o.pz_variant, s.pz_variant) AS pz_variant
         FROM vakgroep v
         JOIN budget_scenario s ON s.id = $2
         LEFT JOIN normuren_per_fte n ON n.vakgroep_id = v.id AND n.year = $1
         LEFT JOIN formatief_fte f ON f.vakgroep_id = v.id AND f.year = $1
         LEFT JOIN budget_scenario_variant o ON o.scenario_id = s.id AND o.vakgroep_id = v.id
         WHERE v.active OR n.hours IS NOT NULL OR f.fte IS NOT NULL
         ORDER BY v.code",
    )
    .bind(year)
    .bind(scenario_id)
    .fetch_all(&mut *tx)
    .await?;

    let products: Vec<EngineProduct> = sqlx::query_as(
        "WITH base AS (
             SELECT pv.care_product_id, sum(pv.volume) AS volume
             FROM production_volume pv JOIN production_import pi ON pi.id = pv.import_id
             WHERE pi.year = $2 AND pi.replaced_at IS NULL
             GROUP BY pv.care_product_id
         )
         SELECT p.id, p.vakgroep_id, p.code, p.description, nt.minutes AS norm_minutes,
                COALESCE(b.volume, 0) AS baseline_volume
         FROM care_product p
         LEFT JOIN norm_time nt ON nt.care_product_id = p.id AND nt.year = $1
         LEFT JOIN base b ON b.care_product_id = p.id
         WHERE p.active OR nt.minutes IS NOT NULL OR b.volume IS NOT NULL
         ORDER BY p.vakgroep_id, p.code",
    )
    .bind(year)
    .bind(scenario.reference_year)
    .fetch_all(&mut *tx)
    .await?;

    let kpis: Vec<EngineKpi> = sqlx::query_as(
        "SELECT id, vakgroep_id, kind, name, direction, reference_value, local_value
         FROM budget_kpi WHERE year = $1 ORDER BY vakgroep_id, kind, name",
    )
    .bind(year)
    .fetch_all(&mut *tx)
    .await?;

    let trend_inputs: Vec<EngineTrendInput> = sqlx::query_as(
        "SELECT t.id, t.vakgroep_id, t.scope, t.kind, t.value, t.category,
                COALESCE((SELECT array_agg(tp.care_product_id ORDER BY tp.care_product_id)
                          FROM trend_input_product tp WHERE tp.trend_input_id = t.id), '{}') AS product_ids
         FROM scenario_trend_input x JOIN trend_input t ON t.id = x.trend_input_id
         WHERE x.scenario_id = $1 AND t.status IN ('geaccepteerd', 'verwerkt')
         ORDER BY t.id",
    )
    .bind(scenario_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;

    Ok(EngineInput {
        scenario,
        settings,
        baseline_periods: head.baseline_periods,
        vakgroepen,
        products,
        kpis,
        trend_inputs,
    })
}
