//! Monitoring (B3): the KPIs of an agreement and their dated measurements, and the reads that
//! the traffic lights need.

use super::{notify, origin_meeting};
use crate::audit::{self, Change, Who};
use crate::codes::NullableId;
use crate::versioned::{IdRow, update_id_row};
use crate::{PgConnection, Store, StoreError};
use domain::agreements::kpi::{Direction, Kpi, Measurement};
use domain::agreements::progress::{KpiDraft, MeasurementDraft};
use domain::ids::{AgreementId, PersonId};
use serde::Serialize;
use sqlx::types::Decimal;
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct KpiRow {
    pub id: i64,
    #[sqlx(try_from = "i64")]
    pub agreement_id: AgreementId,
    pub name: String,
    pub unit: String,
    #[sqlx(try_from = "String")]
    pub direction: Direction,
    pub baseline: Decimal,
    pub target: Decimal,
    pub version: i32,
}

impl KpiRow {
    /// The KPI as the traffic-light rules take it.
    pub fn to_domain(&self) -> Kpi {
        Kpi {
            unit: self.unit.clone(),
            direction: self.direction,
            baseline: self.baseline,
            target: self.target,
        }
    }
}

impl IdRow for KpiRow {
    const ENTITY: &'static str = "agreement_kpi";
    const ONE: &'static str =
        "SELECT id, agreement_id, name, unit, direction, baseline, target, version
         FROM agreement_kpi WHERE id = $1";
    /// Not offered (a KPI's history stays with its agreement); the trait asks for it.
    const DELETE: &'static str = "DELETE FROM agreement_kpi WHERE id = $1 AND version = $2";
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct MeasurementRow {
    pub id: i64,
    pub kpi_id: i64,
    pub measured_on: Date,
    pub value: Decimal,
    pub note: String,
    #[sqlx(try_from = "NullableId")]
    pub recorded_by: Option<PersonId>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: OffsetDateTime,
}

impl MeasurementRow {
    pub fn to_domain(&self) -> Measurement {
        Measurement {
            on: self.measured_on,
            value: self.value,
        }
    }
}

/// A KPI with its measurements, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiWithMeasurements {
    pub kpi: KpiRow,
    pub measurements: Vec<MeasurementRow>,
}

/// Adds a KPI to an agreement; returns its id.
pub async fn add_kpi(
    conn: &mut PgConnection,
    who: &Who,
    agreement_id: AgreementId,
    input: &KpiDraft,
) -> Result<i64, StoreError> {
    let meeting = origin_meeting(conn, agreement_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agreement_kpi (agreement_id, name, unit, direction, baseline, target)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(agreement_id.get())
    .bind(input.name.trim())
    .bind(input.unit.trim())
    .bind(input.direction.code())
    .bind(input.baseline)
    .bind(input.target)
    .fetch_one(&mut *conn)
    .await?;
    notify(conn, meeting).await?;
    #[derive(Serialize)]
    struct KpiAudit<'a> {
        agreement_id: AgreementId,
        #[serde(flatten)]
        input: &'a KpiDraft,
    }
    audit::record(
        conn,
        who,
        Change::new("agreement_kpi", id, "create").after(KpiAudit {
            agreement_id,
            input,
        }),
    )
    .await?;
    Ok(id)
}

/// Saves an edit of a KPI made on version `expected_version`; `Conflict` when someone saved in
/// between.
pub async fn update_kpi(
    conn: &mut PgConnection,
    who: &Who,
    kpi_id: i64,
    expected_version: i32,
    input: &KpiDraft,
) -> Result<(), StoreError> {
    let agreement = kpi_agreement(conn, kpi_id).await?;
    update_id_row::<KpiRow>(
        conn,
        who,
        kpi_id,
        sqlx::query(
            "UPDATE agreement_kpi SET name = $2, unit = $3, direction = $4, baseline = $5, target = $6,
                    version = version + 1
             WHERE id = $1 AND version = $7",
        )
        .bind(kpi_id)
        .bind(input.name.trim())
        .bind(input.unit.trim())
        .bind(input.direction.code())
        .bind(input.baseline)
        .bind(input.target)
        .bind(expected_version),
    )
    .await?;
    let meeting = origin_meeting(conn, agreement).await?;
    notify(conn, meeting).await
}

/// The agreement a KPI belongs to, or `NotFound`.
async fn kpi_agreement(conn: &mut PgConnection, kpi_id: i64) -> Result<AgreementId, StoreError> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT agreement_id FROM agreement_kpi WHERE id = $1")
            .bind(kpi_id)
            .fetch_optional(&mut *conn)
            .await?;
    id.map(AgreementId::new).ok_or(StoreError::NotFound)
}

/// Records a measurement of a KPI by `who`; returns its id.
pub async fn add_measurement(
    conn: &mut PgConnection,
    who: &Who,
    kpi_id: i64,
    input: &MeasurementDraft,
) -> Result<i64, StoreError> {
    let agreement_id = kpi_agreement(conn, kpi_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO kpi_measurement (kpi_id, measured_on, value, note, recorded_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(kpi_id)
    .bind(input.measured_on)
    .bind(input.value)
    .bind(input.note.trim())
    .bind(who.id)
    .fetch_one(&mut *conn)
    .await?;
    let meeting = origin_meeting(conn, agreement_id).await?;
    notify(conn, meeting).await?;
    #[derive(Serialize)]
    struct MeasurementAudit<'a> {
        agreement_id: AgreementId,
        kpi_id: i64,
        #[serde(flatten)]
        input: &'a MeasurementDraft,
    }
    audit::record(
        conn,
        who,
        Change::new("kpi_measurement", id, "create").after(MeasurementAudit {
            agreement_id,
            kpi_id,
            input,
        }),
    )
    .await?;
    Ok(id)
}

/// The KPIs of these agreements with their measurements; with `light_only`, only those on each
/// KPI's first and last measurement day.
pub(super) async fn kpi_data(
    conn: &mut PgConnection,
    ids: &[AgreementId],
    light_only: bool,
) -> Result<Vec<(AgreementId, KpiRow, Vec<MeasurementRow>)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = ids.iter().map(|id| id.get()).collect();
    let kpis: Vec<KpiRow> = sqlx::query_as(
        "SELECT id, agreement_id, name, unit, direction, baseline, target, version
         FROM agreement_kpi WHERE agreement_id = ANY($1) ORDER BY agreement_id, id",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    if kpis.is_empty() {
        return Ok(Vec::new());
    }
    let kpi_ids: Vec<i64> = kpis.iter().map(|k| k.id).collect();
    let sql = if light_only {
        "SELECT m.id, m.kpi_id, m.measured_on, m.value, m.note, m.recorded_by, NULL::text AS recorded_by_name,
                m.recorded_at
         FROM (SELECT kpi_id, min(measured_on) AS first, max(measured_on) AS last
               FROM kpi_measurement WHERE kpi_id = ANY($1) GROUP BY kpi_id) d
         JOIN kpi_measurement m ON m.kpi_id = d.kpi_id AND m.measured_on IN (d.first, d.last)
         ORDER BY m.kpi_id, m.measured_on, m.id"
    } else {
        "SELECT m.id, m.kpi_id, m.measured_on, m.value, m.note, m.recorded_by, p.name AS recorded_by_name,
                m.recorded_at
         FROM kpi_measurement m LEFT JOIN person p ON p.id = m.recorded_by
         WHERE m.kpi_id = ANY($1) ORDER BY m.kpi_id, m.measured_on, m.id"
    };
    let measurements: Vec<MeasurementRow> = sqlx::query_as(sql)
        .bind(&kpi_ids)
        .fetch_all(&mut *conn)
        .await?;
    let mut by_kpi: HashMap<i64, Vec<MeasurementRow>> = HashMap::new();
    for m in measurements {
        by_kpi.entry(m.kpi_id).or_default().push(m);
    }
    Ok(kpis
        .into_iter()
        .map(|k| {
            let ms = by_kpi.remove(&k.id).unwrap_or_default();
            (k.agreement_id, k, ms)
        })
        .collect())
}

/// The KPIs of these agreements, ordered by agreement and KPI, with the measurements that decide
/// their traffic lights (`domain::agreements::kpi::kpi_light` reads the first day and the last):
/// those on each KPI's first and last measurement day, oldest first. Two queries whatever the
/// number of agreements; a register of 20,000 measurements reads a fifth of them.
pub async fn kpi_light_data_for(
    store: &Store,
    ids: &[AgreementId],
) -> Result<Vec<(AgreementId, KpiRow, Vec<MeasurementRow>)>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    kpi_data(&mut conn, ids, true).await
}
