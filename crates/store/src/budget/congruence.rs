//! Insurer congruence (D8, migration 0019, docs/congruence.md): a year's tariff list, replaced as
//! a whole by an import, and the year's insurers with their ceilings and shares.

use super::ensure_year;
use super::norm_times::BulkOutcome;
use crate::audit::{self, Change, Who};
use crate::versioned::{IdRow, delete_id_row, id_row, record_created, update_id_row};
use crate::{PgConnection, Store, StoreError};
use domain::budget::congruence::{Insurer, InsurerDraft, TariffLine};
use domain::production::{LineError, MAX_REPORTED_ERRORS};
use serde::Serialize;
use sqlx::types::Decimal;
use std::collections::HashMap;

/// A year's tariffs by care product id.
pub async fn tariffs(store: &Store, year: i16) -> Result<HashMap<i64, Decimal>, StoreError> {
    let rows: Vec<(i64, Decimal)> =
        sqlx::query_as("SELECT care_product_id, tariff FROM care_product_tariff WHERE year = $1")
            .bind(year)
            .fetch_all(store.pool())
            .await?;
    Ok(rows.into_iter().collect())
}

/// Replaces a year's whole tariff list. Every line names a care product code once; a code that
/// several vakgroepen use gives each of them the tariff (a national tariff is the product's). An
/// unknown or repeated code rejects the file: nothing changes, every bad line is reported.
pub async fn replace_tariffs(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    lines: &[TariffLine],
) -> Result<BulkOutcome, StoreError> {
    let line_nos: Vec<i64> = lines.iter().map(|l| l.line as i64).collect();
    let products: Vec<String> = lines.iter().map(|l| l.product.trim().to_string()).collect();
    let tariffs: Vec<Decimal> = lines.iter().map(|l| l.tariff).collect();
    // The parser refuses repeated codes; the database's one question is which codes it knows.
    let unknown: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT l.line, l.product, count(*) OVER ()
         FROM unnest($1::bigint[], $2::text[]) AS l(line, product)
         WHERE NOT EXISTS (SELECT 1 FROM care_product p WHERE p.code = l.product)
         ORDER BY l.line LIMIT $3",
    )
    .bind(&line_nos)
    .bind(&products)
    .bind(MAX_REPORTED_ERRORS as i64)
    .fetch_all(&mut *conn)
    .await?;
    if let Some(first) = unknown.first() {
        let total = usize::try_from(first.2).unwrap_or(usize::MAX);
        let errors = unknown
            .into_iter()
            .map(|(line, product, _)| {
                LineError::new(
                    usize::try_from(line).unwrap_or(0),
                    Some("zorgproduct"),
                    format!("Onbekend zorgproduct \"{product}\"."),
                )
            })
            .collect();
        return Ok(BulkOutcome::Rejected { errors, total });
    }
    ensure_year(conn, year).await?;
    // Two imports of one year take turns: the second replaces the first's list whole.
    sqlx::query("SELECT 1 FROM budget_year WHERE year = $1 FOR UPDATE")
        .bind(year)
        .execute(&mut *conn)
        .await?;
    let removed: i64 = sqlx::query_scalar(
        "WITH d AS (DELETE FROM care_product_tariff WHERE year = $1 RETURNING 1)
         SELECT count(*) FROM d",
    )
    .bind(year)
    .fetch_one(&mut *conn)
    .await?;
    let count = sqlx::query(
        "INSERT INTO care_product_tariff (year, care_product_id, tariff)
         SELECT $1, p.id, l.tariff
         FROM unnest($2::text[], $3::numeric[]) AS l(product, tariff)
         JOIN care_product p ON p.code = l.product",
    )
    .bind(year)
    .bind(&products)
    .bind(&tariffs)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    audit::record(
        conn,
        who,
        Change::new("tariff_list", year, "replace")
            .before(serde_json::json!({ "rows": removed }))
            .after(serde_json::json!({ "rows": count, "lines": lines.len() })),
    )
    .await?;
    Ok(BulkOutcome::Replaced { count })
}

/// An insurer's contract for a year.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct InsurerRow {
    pub id: i64,
    pub year: i16,
    pub name: String,
    pub ceiling: Decimal,
    pub share: Decimal,
    pub version: i32,
}

impl InsurerRow {
    pub fn insurer(&self) -> Insurer {
        Insurer {
            id: self.id,
            name: self.name.clone(),
            ceiling: self.ceiling,
            share: self.share,
        }
    }
}

impl IdRow for InsurerRow {
    const ENTITY: &'static str = "insurer";
    const ONE: &'static str =
        "SELECT id, year, name, ceiling, share, version FROM insurer WHERE id = $1";
    const DELETE: &'static str = "DELETE FROM insurer WHERE id = $1 AND version = $2";
}

/// A year's insurers, by name.
pub async fn insurers(store: &Store, year: i16) -> Result<Vec<InsurerRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, year, name, ceiling, share, version FROM insurer WHERE year = $1 ORDER BY name, id",
    )
    .bind(year)
    .fetch_all(store.pool())
    .await?)
}

pub async fn insurer(store: &Store, id: i64) -> Result<InsurerRow, StoreError> {
    id_row(store.pool(), id).await
}

pub async fn create_insurer(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    input: &InsurerDraft,
) -> Result<i64, StoreError> {
    ensure_year(conn, year).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO insurer (year, name, ceiling, share) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(year)
    .bind(&input.name)
    .bind(input.ceiling)
    .bind(input.share)
    .fetch_one(&mut *conn)
    .await?;
    record_created::<InsurerRow>(conn, who, id).await?;
    Ok(id)
}

pub async fn update_insurer(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    input: &InsurerDraft,
) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE insurer SET name = $3, ceiling = $4, share = $5, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(&input.name)
    .bind(input.ceiling)
    .bind(input.share);
    update_id_row::<InsurerRow>(conn, who, id, update).await
}

pub async fn delete_insurer(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
) -> Result<(), StoreError> {
    delete_id_row::<InsurerRow>(conn, who, id, expected_version).await
}

/// How many tariffs a year has, for the page that manages them.
pub async fn tariff_count(store: &Store, year: i16) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM care_product_tariff WHERE year = $1")
            .bind(year)
            .fetch_one(store.pool())
            .await?,
    )
}
