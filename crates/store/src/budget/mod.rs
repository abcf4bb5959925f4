//! The capacity budget's data (product.md D1, D3, D7): budget years, care products, norm times,
//! normuren per fte, formative fte and KPIs per vakgroep per year; trend inputs of the vakgroepen
//! with their status history; scenarios; and [`engine_input()`], everything the engine needs for
//! one scenario in a fixed number of queries. Realised volumes are in [`crate::production`].
//!
//! Writes take a `&mut PgConnection` inside the caller's transaction and write their audit entry in
//! it. Objects with a version refuse a stale one with [`StoreError::Conflict`]. Codes (KPI kind and
//! direction, trend scope, kind, category and status, grondslag) are the ones in the migration; the
//! database refuses others.
//!
//! Compartments (§0): a vakgroep representative sees only their own vakgroepen' trend inputs.
//! [`trend_inputs`] and [`trend_input`] take a [`Seen`] and filter in the query itself.

pub mod adoption;
pub mod computation;
pub mod congruence;
mod copy;
mod deletion;
mod distribution;
mod engine;
mod engine_products;
mod master;
pub mod monitoring;
mod norm_times;
mod scenarios;
mod trends;

pub use copy::{CopySummary, copy_year};
pub use deletion::{
    ProductDeletion, ProductReferences, care_product_references, delete_care_product,
};
pub use distribution::{
    BandOverride, DistributionSettings, DistributionSetup, LastYearSource, Shared, band_overrides,
    delete_band_override, distribution_settings, distribution_setup, distribution_setup_on,
    last_year_source, msb_bodies, set_band_override, set_placement, share_distribution,
};
pub use engine::{
    EngineInput, EngineKpi, EngineProduct, EngineTrendInput, EngineVakgroep, engine_input,
    engine_input_after, engine_input_on, revision,
};
pub use master::{
    BudgetKpi, BudgetYear, CareProduct, CareProductInput, Formatief, KpiInput, Normuren,
    care_product, care_products, create_care_product, create_care_products, create_kpi,
    delete_formatief, delete_kpi, delete_normuren, formatief, kpi, kpis, normuren, save_year,
    set_formatief, set_normuren, update_care_product, update_kpi, year, years,
};
pub use norm_times::{
    BulkOutcome, NormTime, NormTimeLine, delete_norm_time, norm_time, norm_times,
    replace_norm_times, set_norm_time,
};
pub use scenarios::{
    Scenario, VariantOverride, create_scenario, scenario, scenarios, update_scenario,
};
pub use trends::{
    Seen, TrendInput, TrendInputInput, TrendStatusChange, change_trend_status, create_trend_input,
    trend_history, trend_input, trend_inputs, update_trend_input,
};

use crate::audit::{self, Change, Who};
use crate::versioned::{
    IdRow, Write, delete_id_row, id_row, record_created, record_upsert, update_id_row,
    write_versioned,
};
use crate::{PgConnection, StoreError};
use serde::Serialize;
use sqlx::FromRow;
use sqlx::postgres::PgRow;

/// Year-scoped data refers to its budget year; the first write for a year opens it with default
/// settings, so that entering norm times does not wait for the settings form.
async fn ensure_year(conn: &mut PgConnection, year: i16) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO budget_year (year) VALUES ($1) ON CONFLICT (year) DO NOTHING")
        .bind(year)
        .execute(conn)
        .await?;
    Ok(())
}

/// A table with one row per year and vakgroep (or care product), audited as `year/key`.
trait YearRow: for<'r> FromRow<'r, PgRow> + Serialize + Send + Unpin {
    const ENTITY: &'static str;
    /// Selects the row of year `$1` and key `$2`.
    const ONE: &'static str;
    /// Deletes the row of year `$1` and key `$2` if it still has version `$3`.
    const DELETE: &'static str;
    fn version(&self) -> i32;
}

/// A [`YearRow`] per vakgroep, listed per year.
trait VakgroepYearRow: YearRow {
    /// Selects the rows of year `$1`, by vakgroep code.
    const LIST: &'static str;
}

async fn vakgroep_year_rows<T: VakgroepYearRow>(
    store: &crate::Store,
    year: i16,
) -> Result<Vec<T>, StoreError> {
    Ok(sqlx::query_as(T::LIST)
        .bind(year)
        .fetch_all(store.pool())
        .await?)
}

async fn year_row<T: YearRow>(
    executor: impl sqlx::PgExecutor<'_>,
    year: i16,
    key: i64,
) -> Result<Option<T>, StoreError> {
    Ok(sqlx::query_as(T::ONE)
        .bind(year)
        .bind(key)
        .fetch_optional(executor)
        .await?)
}

/// Runs `upsert` for a year-keyed row. `expected_version`: `None` to add one (refused with
/// `Conflict` if it exists meanwhile), else the version that was edited. The upsert itself cannot
/// check the version, as its insert branch has none, hence the read before it.
async fn set_year_row<T: YearRow>(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    key: i64,
    expected_version: Option<i32>,
    upsert: Write<'_>,
) -> Result<(), StoreError> {
    ensure_year(conn, year).await?;
    let before: Option<T> = year_row(&mut *conn, year, key).await?;
    if before.as_ref().map(T::version) != expected_version {
        return Err(StoreError::Conflict);
    }
    upsert.execute(&mut *conn).await?;
    let after: T = year_row(&mut *conn, year, key)
        .await?
        .ok_or(StoreError::NotFound)?;
    record_upsert(conn, who, T::ENTITY, format!("{year}/{key}"), before, after).await
}

async fn delete_year_row<T: YearRow>(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    key: i64,
    expected_version: i32,
) -> Result<(), StoreError> {
    let before: T = year_row(&mut *conn, year, key)
        .await?
        .ok_or(StoreError::NotFound)?;
    let delete = sqlx::query(T::DELETE)
        .bind(year)
        .bind(key)
        .bind(expected_version);
    write_versioned(conn, delete).await?;
    let change = Change::new(T::ENTITY, format!("{year}/{key}"), "delete").before(&before);
    audit::record(conn, who, change).await
}
