//! Master data per year: settings, care products, normuren per fte, formative fte and KPIs.
//! Norm times are in [`super::norm_times`], copying a year to the next in [`super::copy`].

use super::{
    IdRow, VakgroepYearRow, YearRow, delete_id_row, delete_year_row, ensure_year, id_row,
    record_created, record_upsert, set_year_row, update_id_row, vakgroep_year_rows,
};
use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use domain::budget::master::{CareProductDraft, KpiDraft, YearSettingsDraft};
use domain::budget::{Direction, KpiKind};
use domain::ids::{CareProductId, VakgroepId};
use domain::people::VakgroepCode;
use serde::{Deserialize, Serialize};
use sqlx::types::Decimal;

// ---------------------------------------------------------------------------------------------
// Budget years

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct BudgetYear {
    pub year: i16,
    pub fee_budget: Option<Decimal>,
    pub fixed_share: Decimal,
    pub band_min: Option<Decimal>,
    pub band_max: Option<Decimal>,
    /// The deviation from the adopted budget above which monitoring signals (a fraction).
    /// Snapshots made before the setting existed hold none: the default then.
    #[serde(default = "default_threshold")]
    pub signal_threshold: Decimal,
    pub note: String,
    pub version: i32,
}

fn default_threshold() -> Decimal {
    domain::budget::monitoring::DEFAULT_THRESHOLD
}

macro_rules! year_columns {
    () => {
        "year, fee_budget, fixed_share, band_min, band_max, signal_threshold, note, version"
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

/// One year's settings, on any connection (a pool, or a transaction's connection).
pub async fn year(
    executor: impl sqlx::PgExecutor<'_>,
    year: i16,
) -> Result<BudgetYear, StoreError> {
    sqlx::query_as(concat!(
        "SELECT ",
        year_columns!(),
        " FROM budget_year WHERE year = $1"
    ))
    .bind(year)
    .fetch_optional(executor)
    .await?
    .ok_or(StoreError::NotFound)
}

/// Saves a year's settings. `expected_version`: `None` when the form was for a year not yet
/// stored (refused with `Conflict` if someone stored it meanwhile).
pub async fn save_year(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    expected_version: Option<i32>,
    input: &YearSettingsDraft,
) -> Result<(), StoreError> {
    let before = self::year(&mut *conn, year).await.ok();
    if before.as_ref().map(|b| b.version) != expected_version {
        return Err(StoreError::Conflict);
    }
    sqlx::query(
        "INSERT INTO budget_year (year, fee_budget, fixed_share, band_min, band_max, note,
                                  signal_threshold)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (year) DO UPDATE SET fee_budget = $2, fixed_share = $3, band_min = $4,
             band_max = $5, note = $6, signal_threshold = $7, version = budget_year.version + 1",
    )
    .bind(year)
    .bind(input.fee_budget)
    .bind(input.fixed_share)
    .bind(input.band_min)
    .bind(input.band_max)
    .bind(&input.note)
    .bind(input.signal_threshold)
    .execute(&mut *conn)
    .await?;
    let after = self::year(&mut *conn, year).await?;
    record_upsert(conn, who, "budget_year", year, before, after).await
}

// ---------------------------------------------------------------------------------------------
// Care products

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct CareProduct {
    #[sqlx(try_from = "i64")]
    pub id: CareProductId,
    #[sqlx(try_from = "i64")]
    pub vakgroep_id: VakgroepId,
    #[sqlx(try_from = "String")]
    pub vakgroep_code: VakgroepCode,
    pub code: String,
    pub description: String,
    pub active: bool,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CareProductInput {
    pub vakgroep_id: VakgroepId,
    /// Zorgproduct or zorgactiviteit code; trimmed before it is stored.
    pub code: String,
    pub description: String,
    pub active: bool,
}

impl CareProductInput {
    /// A checked care-product form for the vakgroep whose page it was typed on.
    pub fn new(vakgroep_id: VakgroepId, d: CareProductDraft) -> Self {
        CareProductInput {
            vakgroep_id,
            code: d.code,
            description: d.description,
            active: d.active,
        }
    }
}

macro_rules! product_select {
    () => {
        "SELECT p.id, p.vakgroep_id, v.code AS vakgroep_code, p.code, p.description, p.active, p.version
     FROM care_product p JOIN vakgroep v ON v.id = p.vakgroep_id"
    };
}

impl IdRow for CareProduct {
    const ENTITY: &'static str = "care_product";
    const ONE: &'static str = concat!(product_select!(), " WHERE p.id = $1");
    const DELETE: &'static str = "DELETE FROM care_product WHERE id = $1 AND version = $2";
}

/// Care products, of one vakgroep or of all, by vakgroep code and product code.
pub async fn care_products(
    store: &Store,
    vakgroep_id: Option<VakgroepId>,
) -> Result<Vec<CareProduct>, StoreError> {
    Ok(sqlx::query_as(concat!(
        product_select!(),
        " WHERE ($1::bigint IS NULL OR p.vakgroep_id = $1) ORDER BY v.code, p.code"
    ))
    .bind(vakgroep_id.map(VakgroepId::get))
    .fetch_all(store.pool())
    .await?)
}

pub async fn care_product(
    executor: impl sqlx::PgExecutor<'_>,
    id: CareProductId,
) -> Result<CareProduct, StoreError> {
    id_row(executor, id.get()).await
}

pub async fn create_care_product(
    conn: &mut PgConnection,
    who: &Who,
    input: &CareProductInput,
) -> Result<CareProductId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO care_product (vakgroep_id, code, description, active) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(input.vakgroep_id.get())
    .bind(input.code.trim())
    .bind(input.description.trim())
    .bind(input.active)
    .fetch_one(&mut *conn)
    .await?;
    record_created::<CareProduct>(conn, who, id).await?;
    Ok(CareProductId::new(id))
}

/// Updates a care product. Moving it to another vakgroep is refused by the database while norm
/// times or trend inputs refer to it under its vakgroep.
pub async fn update_care_product(
    conn: &mut PgConnection,
    who: &Who,
    id: CareProductId,
    expected_version: i32,
    input: &CareProductInput,
) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE care_product SET vakgroep_id = $3, code = $4, description = $5, active = $6,
             version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id.get())
    .bind(expected_version)
    .bind(input.vakgroep_id.get())
    .bind(input.code.trim())
    .bind(input.description.trim())
    .bind(input.active);
    update_id_row::<CareProduct>(conn, who, id.get(), update).await
}

/// Creates many care products at once (an initial list, the demo hospital) with one audit entry
/// that counts them. All or nothing: a duplicate code refuses the whole list with `Duplicate`.
pub async fn create_care_products(
    conn: &mut PgConnection,
    who: &Who,
    inputs: &[CareProductInput],
) -> Result<u64, StoreError> {
    let vakgroepen: Vec<i64> = inputs.iter().map(|i| i.vakgroep_id.get()).collect();
    let codes: Vec<&str> = inputs.iter().map(|i| i.code.trim()).collect();
    let descriptions: Vec<&str> = inputs.iter().map(|i| i.description.trim()).collect();
    let active: Vec<bool> = inputs.iter().map(|i| i.active).collect();
    let ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO care_product (vakgroep_id, code, description, active)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bool[]) RETURNING id",
    )
    .bind(&vakgroepen)
    .bind(&codes)
    .bind(&descriptions)
    .bind(&active)
    .fetch_all(&mut *conn)
    .await?;
    let count = ids.len() as u64;
    // One entry for the list, naming every product it created, so the trail can tell which.
    audit::record(
        conn,
        who,
        Change::new("care_product_list", count, "create").after(serde_json::json!({
            "rows": count,
            "ids": ids,
            "vakgroep_ids": vakgroepen,
            "codes": codes,
        })),
    )
    .await?;
    Ok(count)
}

// ---------------------------------------------------------------------------------------------
// Normuren per fte and formative fte

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Normuren {
    pub year: i16,
    #[sqlx(try_from = "i64")]
    pub vakgroep_id: VakgroepId,
    #[sqlx(try_from = "String")]
    pub vakgroep_code: VakgroepCode,
    pub hours: Decimal,
    pub version: i32,
}

macro_rules! normuren_select {
    () => {
        "SELECT n.year, n.vakgroep_id, v.code AS vakgroep_code, n.hours, n.version
     FROM normuren_per_fte n JOIN vakgroep v ON v.id = n.vakgroep_id"
    };
}

impl YearRow for Normuren {
    const ENTITY: &'static str = "normuren_per_fte";
    const ONE: &'static str = concat!(
        normuren_select!(),
        " WHERE n.year = $1 AND n.vakgroep_id = $2"
    );
    const DELETE: &'static str =
        "DELETE FROM normuren_per_fte WHERE year = $1 AND vakgroep_id = $2 AND version = $3";
    fn version(&self) -> i32 {
        self.version
    }
}

impl VakgroepYearRow for Normuren {
    const LIST: &'static str = concat!(normuren_select!(), " WHERE n.year = $1 ORDER BY v.code");
}

pub async fn normuren(store: &Store, year: i16) -> Result<Vec<Normuren>, StoreError> {
    vakgroep_year_rows(store, year).await
}

/// Sets a vakgroep's normuren per fte for a year (`expected_version` as in
/// [`super::set_norm_time`]).
pub async fn set_normuren(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    vakgroep_id: VakgroepId,
    expected_version: Option<i32>,
    hours: Decimal,
) -> Result<(), StoreError> {
    let vakgroep_id = vakgroep_id.get();
    let upsert = sqlx::query(
        "INSERT INTO normuren_per_fte (year, vakgroep_id, hours) VALUES ($1, $2, $3)
         ON CONFLICT (year, vakgroep_id) DO UPDATE SET hours = $3, version = normuren_per_fte.version + 1",
    )
    .bind(year)
    .bind(vakgroep_id)
    .bind(hours);
    set_year_row::<Normuren>(conn, who, year, vakgroep_id, expected_version, upsert).await
}

pub async fn delete_normuren(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    vakgroep_id: VakgroepId,
    expected_version: i32,
) -> Result<(), StoreError> {
    delete_year_row::<Normuren>(conn, who, year, vakgroep_id.get(), expected_version).await
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Formatief {
    pub year: i16,
    #[sqlx(try_from = "i64")]
    pub vakgroep_id: VakgroepId,
    #[sqlx(try_from = "String")]
    pub vakgroep_code: VakgroepCode,
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

impl YearRow for Formatief {
    const ENTITY: &'static str = "formatief_fte";
    const ONE: &'static str = concat!(
        formatief_select!(),
        " WHERE f.year = $1 AND f.vakgroep_id = $2"
    );
    const DELETE: &'static str =
        "DELETE FROM formatief_fte WHERE year = $1 AND vakgroep_id = $2 AND version = $3";
    fn version(&self) -> i32 {
        self.version
    }
}

impl VakgroepYearRow for Formatief {
    const LIST: &'static str = concat!(formatief_select!(), " WHERE f.year = $1 ORDER BY v.code");
}

pub async fn formatief(store: &Store, year: i16) -> Result<Vec<Formatief>, StoreError> {
    vakgroep_year_rows(store, year).await
}

/// Sets a vakgroep's formative fte (categories 1a and 1b) for a year.
pub async fn set_formatief(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    vakgroep_id: VakgroepId,
    expected_version: Option<i32>,
    fte_1a: Decimal,
    fte_1b: Decimal,
) -> Result<(), StoreError> {
    let vakgroep_id = vakgroep_id.get();
    let upsert = sqlx::query(
        "INSERT INTO formatief_fte (year, vakgroep_id, fte_1a, fte_1b) VALUES ($1, $2, $3, $4)
         ON CONFLICT (year, vakgroep_id) DO UPDATE SET fte_1a = $3, fte_1b = $4,
             version = formatief_fte.version + 1",
    )
    .bind(year)
    .bind(vakgroep_id)
    .bind(fte_1a)
    .bind(fte_1b);
    set_year_row::<Formatief>(conn, who, year, vakgroep_id, expected_version, upsert).await
}

pub async fn delete_formatief(
    conn: &mut PgConnection,
    who: &Who,
    year: i16,
    vakgroep_id: VakgroepId,
    expected_version: i32,
) -> Result<(), StoreError> {
    delete_year_row::<Formatief>(conn, who, year, vakgroep_id.get(), expected_version).await
}

// ---------------------------------------------------------------------------------------------
// KPIs

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct BudgetKpi {
    pub id: i64,
    pub year: i16,
    #[sqlx(try_from = "i64")]
    pub vakgroep_id: VakgroepId,
    #[sqlx(try_from = "String")]
    pub vakgroep_code: VakgroepCode,
    #[sqlx(try_from = "String")]
    pub kind: KpiKind,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub direction: Direction,
    pub reference_value: Decimal,
    pub local_value: Decimal,
    pub source: String,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiInput {
    pub vakgroep_id: VakgroepId,
    pub kind: KpiKind,
    pub name: String,
    pub direction: Direction,
    pub reference_value: Decimal,
    pub local_value: Decimal,
    pub source: String,
}

impl KpiInput {
    /// A checked KPI form for the vakgroep whose page it was typed on (its year goes to the
    /// store apart, as the key it is stored under).
    pub fn new(vakgroep_id: VakgroepId, d: KpiDraft) -> Self {
        KpiInput {
            vakgroep_id,
            kind: d.kind,
            name: d.name,
            direction: d.direction,
            reference_value: d.reference_value,
            local_value: d.local_value,
            source: d.source,
        }
    }
}

macro_rules! kpi_select {
    () => {
        "SELECT k.id, k.year, k.vakgroep_id, v.code AS vakgroep_code, k.kind, k.name, k.direction,
            k.reference_value, k.local_value, k.source, k.version
     FROM budget_kpi k JOIN vakgroep v ON v.id = k.vakgroep_id"
    };
}

impl IdRow for BudgetKpi {
    const ENTITY: &'static str = "budget_kpi";
    const ONE: &'static str = concat!(kpi_select!(), " WHERE k.id = $1");
    const DELETE: &'static str = "DELETE FROM budget_kpi WHERE id = $1 AND version = $2";
}

pub async fn kpis(
    store: &Store,
    year: i16,
    vakgroep_id: Option<VakgroepId>,
) -> Result<Vec<BudgetKpi>, StoreError> {
    Ok(sqlx::query_as(concat!(
        kpi_select!(),
        " WHERE k.year = $1 AND ($2::bigint IS NULL OR k.vakgroep_id = $2)
         ORDER BY v.code, k.kind, k.name"
    ))
    .bind(year)
    .bind(vakgroep_id.map(VakgroepId::get))
    .fetch_all(store.pool())
    .await?)
}

/// One KPI by id, with its year.
pub async fn kpi(executor: impl sqlx::PgExecutor<'_>, id: i64) -> Result<BudgetKpi, StoreError> {
    id_row(executor, id).await
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
    .bind(input.vakgroep_id.get())
    .bind(input.kind.code())
    .bind(input.name.trim())
    .bind(input.direction.code())
    .bind(input.reference_value)
    .bind(input.local_value)
    .bind(input.source.trim())
    .fetch_one(&mut *conn)
    .await?;
    record_created::<BudgetKpi>(conn, who, id).await?;
    Ok(id)
}

pub async fn update_kpi(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    input: &KpiInput,
) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE budget_kpi SET vakgroep_id = $3, kind = $4, name = $5, direction = $6,
             reference_value = $7, local_value = $8, source = $9, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(input.vakgroep_id.get())
    .bind(input.kind.code())
    .bind(input.name.trim())
    .bind(input.direction.code())
    .bind(input.reference_value)
    .bind(input.local_value)
    .bind(input.source.trim());
    update_id_row::<BudgetKpi>(conn, who, id, update).await
}

pub async fn delete_kpi(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
) -> Result<(), StoreError> {
    delete_id_row::<BudgetKpi>(conn, who, id, expected_version).await
}
