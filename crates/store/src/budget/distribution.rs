//! A scenario's distribution of the fee budget (D6, migration 0014): where its earmark comes
//! from, the vakgroepen' own bands, whether the MSB board has shared it with the RvB, and where
//! last year's allocation comes from. The distribution itself is computed (not stored) by
//! `domain::budget::distribution` from the engine's result and these settings.
//!
//! Every write audits in the caller's transaction and moves the version of the scenario's
//! settings row, so that sharing refuses a page read before any change to what is shared.

use super::{BudgetYear, year};
use crate::audit::{self, Change, Who};
use crate::versioned::{record_upsert, write_versioned};
use crate::{PgConnection, StoreError};
use domain::budget::{Band, EarmarkPlacement};
use domain::ids::{ScenarioId, VakgroepId};
use serde::Serialize;
use sqlx::types::Decimal;
use time::OffsetDateTime;

/// Who shared a scenario's distribution with the RvB, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shared {
    pub at: OffsetDateTime,
    pub by: Option<i64>,
    pub by_label: String,
}

/// A scenario's distribution settings; the defaults when nothing was set yet (`version` 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DistributionSettings {
    pub scenario_id: ScenarioId,
    pub placement: EarmarkPlacement,
    pub shared: Option<Shared>,
    /// 0 while the scenario has no settings row.
    pub version: i32,
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    #[sqlx(try_from = "String")]
    earmark_placement: EarmarkPlacement,
    shared_at: Option<OffsetDateTime>,
    shared_by: Option<i64>,
    shared_by_label: Option<String>,
    version: i32,
}

/// A vakgroep's own band in a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct BandOverride {
    #[sqlx(try_from = "i64")]
    pub vakgroep_id: VakgroepId,
    pub band_floor: Decimal,
    pub band_cap: Decimal,
    pub version: i32,
}

impl BandOverride {
    pub fn band(&self) -> Band {
        Band {
            floor: self.band_floor,
            cap: self.band_cap,
        }
    }
}

/// Where a scenario's "last year's allocation" per vakgroep comes from: the adopted budget of the
/// year before (D9, the latest when it was changed), else the scenario's *begroting vorig jaar*,
/// whose own distribution is computed (`budget::computation::last_year`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum LastYearSource {
    /// Neither an adopted budget nor a *begroting vorig jaar*: no band applies.
    None,
    PreviousScenario {
        id: ScenarioId,
        name: String,
    },
    Adopted {
        adoption_id: i64,
        scenario_id: ScenarioId,
        name: String,
        year: i16,
        content_hash: String,
    },
}

/// Everything a scenario's distribution reads besides the engine's result, from one snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DistributionSetup {
    pub year: i16,
    /// The year's M, φ and default band; `None` when the year has no settings.
    pub year_settings: Option<BudgetYear>,
    pub settings: DistributionSettings,
    /// By vakgroep id.
    pub overrides: Vec<BandOverride>,
    /// The ids of the MSB+ bodies, whose members see the distribution per vakgroep before it
    /// is shared (`Actor::can_see_allocation`).
    pub msb_bodies: Vec<i64>,
    pub last_year: LastYearSource,
}

/// The distribution setup of scenario `id` in one repeatable-read snapshot (five small queries).
pub async fn distribution_setup(
    store: &crate::Store,
    id: ScenarioId,
) -> Result<DistributionSetup, StoreError> {
    let mut tx = store
        .pool()
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let setup = distribution_setup_on(&mut tx, id).await?;
    tx.commit().await?;
    Ok(setup)
}

/// [`distribution_setup`] inside the caller's transaction.
pub async fn distribution_setup_on(
    tx: &mut PgConnection,
    id: ScenarioId,
) -> Result<DistributionSetup, StoreError> {
    let scenario_year: i16 = sqlx::query_scalar("SELECT year FROM budget_scenario WHERE id = $1")
        .bind(id.get())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let year_settings = match year(&mut *tx, scenario_year).await {
        Ok(y) => Some(y),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e),
    };
    let settings = distribution_settings(&mut *tx, id).await?;
    let overrides = band_overrides(&mut *tx, id).await?;
    let msb_bodies = msb_bodies(&mut *tx).await?;
    let last_year = last_year_source(tx, id).await?;
    Ok(DistributionSetup {
        year: scenario_year,
        year_settings,
        settings,
        overrides,
        msb_bodies,
        last_year,
    })
}

/// The one place that decides where a scenario's last-year allocation comes from.
pub async fn last_year_source(
    conn: &mut PgConnection,
    id: ScenarioId,
) -> Result<LastYearSource, StoreError> {
    let adopted: Option<(i64, i64, String, i16, String)> = sqlx::query_as(
        "SELECT a.id, p.id, p.name, a.year, a.content_hash FROM budget_scenario s
         JOIN budget_adoption a ON a.year = s.year - 1
         JOIN budget_scenario p ON p.id = a.scenario_id
         WHERE s.id = $1 ORDER BY a.adopted_at DESC, a.id DESC LIMIT 1",
    )
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((adoption_id, scenario_id, name, year, content_hash)) = adopted {
        return Ok(LastYearSource::Adopted {
            adoption_id,
            scenario_id: ScenarioId::new(scenario_id),
            name,
            year,
            content_hash,
        });
    }
    let previous: Option<(i64, String)> = sqlx::query_as(
        "SELECT p.id, p.name FROM budget_scenario s
         JOIN budget_scenario p ON p.id = s.previous_scenario_id WHERE s.id = $1",
    )
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match previous {
        Some((id, name)) => LastYearSource::PreviousScenario {
            id: ScenarioId::new(id),
            name,
        },
        None => LastYearSource::None,
    })
}

/// The ids of the bodies of kind MSB+.
pub async fn msb_bodies(executor: impl sqlx::PgExecutor<'_>) -> Result<Vec<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM body WHERE kind = 'msbplus' ORDER BY id")
            .fetch_all(executor)
            .await?,
    )
}

pub async fn distribution_settings(
    executor: impl sqlx::PgExecutor<'_>,
    id: ScenarioId,
) -> Result<DistributionSettings, StoreError> {
    let row: Option<SettingsRow> = sqlx::query_as(
        "SELECT earmark_placement, shared_at, shared_by, shared_by_label, version
         FROM scenario_distribution WHERE scenario_id = $1",
    )
    .bind(id.get())
    .fetch_optional(executor)
    .await?;
    Ok(match row {
        None => DistributionSettings {
            scenario_id: id,
            placement: EarmarkPlacement::OnTop,
            shared: None,
            version: 0,
        },
        Some(r) => DistributionSettings {
            scenario_id: id,
            placement: r.earmark_placement,
            shared: match (r.shared_at, r.shared_by_label) {
                (Some(at), Some(by_label)) => Some(Shared {
                    at,
                    by: r.shared_by,
                    by_label,
                }),
                _ => None,
            },
            version: r.version,
        },
    })
}

pub async fn band_overrides(
    executor: impl sqlx::PgExecutor<'_>,
    id: ScenarioId,
) -> Result<Vec<BandOverride>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT vakgroep_id, band_floor, band_cap, version FROM scenario_distribution_band
         WHERE scenario_id = $1 ORDER BY vakgroep_id",
    )
    .bind(id.get())
    .fetch_all(executor)
    .await?)
}

async fn band_override(
    conn: &mut PgConnection,
    id: ScenarioId,
    vakgroep: VakgroepId,
) -> Result<Option<BandOverride>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT vakgroep_id, band_floor, band_cap, version FROM scenario_distribution_band
         WHERE scenario_id = $1 AND vakgroep_id = $2",
    )
    .bind(id.get())
    .bind(vakgroep.get())
    .fetch_optional(conn)
    .await?)
}

/// Moves the version of the scenario's settings (creating the row with its defaults): every
/// change to the distribution makes a page read before it stale for sharing. Locks the row, so
/// that writes to one scenario's distribution take turns.
async fn touch(conn: &mut PgConnection, id: ScenarioId) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO scenario_distribution (scenario_id) VALUES ($1)
         ON CONFLICT (scenario_id) DO UPDATE SET version = scenario_distribution.version + 1",
    )
    .bind(id.get())
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets a vakgroep's own band. `expected_version`: `None` to add one (refused with `Conflict`
/// when one exists meanwhile), else the version that was edited. A vakgroep that is not in the
/// database is `NotFound`, as is a scenario.
pub async fn set_band_override(
    conn: &mut PgConnection,
    who: &Who,
    id: ScenarioId,
    vakgroep: VakgroepId,
    expected_version: Option<i32>,
    band: Band,
) -> Result<(), StoreError> {
    ensure_scenario(conn, id).await?;
    touch(conn, id).await?;
    let before = band_override(conn, id, vakgroep).await?;
    if before.as_ref().map(|b| b.version) != expected_version {
        return Err(StoreError::Conflict);
    }
    let written = sqlx::query(
        "INSERT INTO scenario_distribution_band (scenario_id, vakgroep_id, band_floor, band_cap)
         SELECT $1, v.id, $3, $4 FROM vakgroep v WHERE v.id = $2
         ON CONFLICT (scenario_id, vakgroep_id) DO UPDATE SET band_floor = $3, band_cap = $4,
             version = scenario_distribution_band.version + 1",
    )
    .bind(id.get())
    .bind(vakgroep.get())
    .bind(band.floor)
    .bind(band.cap)
    .execute(&mut *conn)
    .await?;
    if written.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    let after = band_override(conn, id, vakgroep)
        .await?
        .ok_or(StoreError::NotFound)?;
    let key = format!("{id}/{vakgroep}");
    record_upsert(conn, who, "scenario_distribution_band", key, before, after).await
}

/// Removes a vakgroep's own band (the default band applies again).
pub async fn delete_band_override(
    conn: &mut PgConnection,
    who: &Who,
    id: ScenarioId,
    vakgroep: VakgroepId,
    expected_version: i32,
) -> Result<(), StoreError> {
    ensure_scenario(conn, id).await?;
    touch(conn, id).await?;
    let before = band_override(conn, id, vakgroep)
        .await?
        .ok_or(StoreError::Conflict)?;
    let delete = sqlx::query(
        "DELETE FROM scenario_distribution_band
         WHERE scenario_id = $1 AND vakgroep_id = $2 AND version = $3",
    )
    .bind(id.get())
    .bind(vakgroep.get())
    .bind(expected_version);
    write_versioned(conn, delete).await?;
    let change = Change::new(
        "scenario_distribution_band",
        format!("{id}/{vakgroep}"),
        "delete",
    )
    .before(&before);
    audit::record(conn, who, change).await
}

/// Sets where the scenario's earmark comes from; `expected_version` as read (0 for none).
pub async fn set_placement(
    conn: &mut PgConnection,
    who: &Who,
    id: ScenarioId,
    expected_version: i32,
    placement: EarmarkPlacement,
) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE scenario_distribution SET earmark_placement = $3, version = version + 1
         WHERE scenario_id = $1 AND version = $2",
    )
    .bind(id.get())
    .bind(expected_version)
    .bind(placement.code());
    update_settings(conn, who, id, expected_version, update).await
}

/// Marks the scenario's distribution per vakgroep as shared with the RvB, by `who`, now. Refused
/// with `Conflict` when the settings changed since `expected_version` was read (the person would
/// share what they have not seen) or when it is shared already.
pub async fn share_distribution(
    conn: &mut PgConnection,
    who: &Who,
    id: ScenarioId,
    expected_version: i32,
) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE scenario_distribution SET shared_at = now(), shared_by = $3, shared_by_label = $4,
             version = version + 1
         WHERE scenario_id = $1 AND version = $2 AND shared_at IS NULL",
    )
    .bind(id.get())
    .bind(expected_version)
    .bind(who.id)
    .bind(who.label.clone());
    update_settings(conn, who, id, expected_version, update).await
}

/// Runs a versioned UPDATE of the settings row (created with its defaults when the version read
/// was 0, i.e. there was none) and audits it before and after.
async fn update_settings(
    conn: &mut PgConnection,
    who: &Who,
    id: ScenarioId,
    expected_version: i32,
    update: crate::versioned::Write<'_>,
) -> Result<(), StoreError> {
    ensure_scenario(conn, id).await?;
    if expected_version == 0 {
        let created = sqlx::query(
            "INSERT INTO scenario_distribution (scenario_id, version) VALUES ($1, 0)
             ON CONFLICT (scenario_id) DO NOTHING",
        )
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
        if created.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
    }
    let before = distribution_settings(&mut *conn, id).await?;
    write_versioned(conn, update).await?;
    let after = distribution_settings(&mut *conn, id).await?;
    let change = Change::new("scenario_distribution", id, "update")
        .before(&before)
        .after(&after);
    audit::record(conn, who, change).await
}

async fn ensure_scenario(conn: &mut PgConnection, id: ScenarioId) -> Result<(), StoreError> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM budget_scenario WHERE id = $1)")
            .bind(id.get())
            .fetch_one(&mut *conn)
            .await?;
    if exists {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}
