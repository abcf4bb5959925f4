//! Scenarios: the weights, variants and trend inputs one engine run starts from.

use super::{ensure_year, write_versioned};
use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use serde::Serialize;
use sqlx::types::Decimal;
use time::OffsetDateTime;

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
    /// "Begroting vorig jaar": a scenario of `year - 1`, source of last year's norm-fte.
    pub previous_scenario_id: Option<i64>,
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
    pub previous_scenario_id: Option<i64>,
    pub previous_scenario_name: Option<String>,
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
    previous_scenario_id: Option<i64>,
    previous_scenario_name: Option<String>,
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
            previous_scenario_id: r.previous_scenario_id,
            previous_scenario_name: r.previous_scenario_name,
        }
    }
}

macro_rules! scenario_select {
    () => {
        "SELECT s.id, s.year, s.name, s.description, s.reference_year, s.pz_variant,
            s.w_out, s.w_eff, s.w_pz, s.earmarked_amount, s.grondslag, s.created_by,
            p.name AS created_by_name, s.created_at, s.version,
            s.previous_scenario_id, prev.name AS previous_scenario_name,
            COALESCE((SELECT array_agg(x.trend_input_id ORDER BY x.trend_input_id)
                      FROM scenario_trend_input x WHERE x.scenario_id = s.id), '{}') AS trend_input_ids,
            COALESCE((SELECT array_agg(o.vakgroep_id ORDER BY o.vakgroep_id)
                      FROM budget_scenario_variant o WHERE o.scenario_id = s.id), '{}') AS variant_vakgroepen,
            COALESCE((SELECT array_agg(o.pz_variant ORDER BY o.vakgroep_id)
                      FROM budget_scenario_variant o WHERE o.scenario_id = s.id), '{}') AS variant_values
     FROM budget_scenario s LEFT JOIN person p ON p.id = s.created_by
          LEFT JOIN budget_scenario prev ON prev.id = s.previous_scenario_id"
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

pub(super) async fn scenario_on(conn: &mut PgConnection, id: i64) -> Result<Scenario, StoreError> {
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

/// The previous scenario must be one of the year before (the database's trigger says the same;
/// this gives the Dutch answer).
async fn check_previous(conn: &mut PgConnection, input: &ScenarioInput) -> Result<(), StoreError> {
    let Some(previous) = input.previous_scenario_id else {
        return Ok(());
    };
    let year: Option<i16> = sqlx::query_scalar("SELECT year FROM budget_scenario WHERE id = $1")
        .bind(previous)
        .fetch_optional(&mut *conn)
        .await?;
    if year != Some(input.year - 1) {
        return Err(StoreError::Other(format!(
            "Kies als begroting vorig jaar een scenario van {}.",
            input.year - 1
        )));
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
    check_previous(conn, input).await?;
    ensure_year(conn, input.year).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO budget_scenario (year, name, description, reference_year, pz_variant, w_out, w_eff, w_pz,
                                      earmarked_amount, grondslag, created_by, previous_scenario_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
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
    .bind(input.previous_scenario_id)
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
    check_previous(conn, input).await?;
    let before = scenario_on(conn, id).await?;
    if before.year != input.year {
        return Err(StoreError::Other(
            "Het begrotingsjaar van een scenario ligt vast; maak een nieuw scenario.".into(),
        ));
    }
    let update = sqlx::query(
        "UPDATE budget_scenario SET name = $3, description = $4, reference_year = $5, pz_variant = $6,
             w_out = $7, w_eff = $8, w_pz = $9, earmarked_amount = $10, grondslag = $11,
             previous_scenario_id = $12, version = version + 1
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
    .bind(input.previous_scenario_id);
    write_versioned(conn, update).await?;
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
