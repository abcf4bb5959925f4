//! Copying a year's master data (norm times, normuren per fte, formative fte, KPIs) to the next.

use crate::audit::{self, Change, Who};
use crate::{PgConnection, StoreError};
use serde::Serialize;

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
    // Copying a year onto itself is refused by the caller (`domain::budget::master::check_copy`);
    // here it would find the year's own data and answer `Conflict`.
    super::year(&mut *conn, from).await?;
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
        "INSERT INTO budget_year (year, fee_budget, fixed_share, band_min, band_max, note,
                                  signal_threshold)
         SELECT $2, fee_budget, fixed_share, band_min, band_max, note, signal_threshold
         FROM budget_year WHERE year = $1
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
