//! Monitoring the realisation (D10, docs/monitoring.md): the year's adopted budget, read from its
//! snapshot, against the imported production of the year, month by month.
//!
//! The database sums volume × norm time per vakgroep and month (exact `numeric` arithmetic) with
//! the adopted budget's own norm times, passed in as arrays: the realised norm hours are measured
//! with the norm times the budget was adopted with, and the page reads 40 × 12 sums instead of
//! the year's million volume rows. Each vakgroep then enters the domain's `monitor` as one
//! product whose "volumes" are those sums in minutes (norm time 1, so hours = minutes / 60),
//! plus its realised products without a norm time, which count 0 and are named.

use super::adoption::{self, Adoption};
use super::computation;
use crate::{Store, StoreError};
use domain::budget::monitoring::{
    DEFAULT_THRESHOLD, MONTHS, MonitoredProduct, MonitoredVakgroep, MonitoringInput,
};
use sqlx::types::Decimal;
use std::collections::HashMap;

/// What the monitoring of a year is computed from.
#[derive(Debug, Clone)]
pub struct MonitoringSource {
    /// The adopted budget monitored: the year's latest (a *begrotingswijziging* once adopted).
    pub adoption: Adoption,
    pub input: MonitoringInput,
    /// Vakgroep code and name by id.
    pub names: HashMap<i64, (String, String)>,
}

#[derive(sqlx::FromRow)]
struct Sum {
    vakgroep_id: i64,
    year: i16,
    period: i16,
    minutes: Decimal,
}

#[derive(sqlx::FromRow)]
struct Unpriced {
    vakgroep_id: i64,
    care_product_id: i64,
    code: String,
    period: i16,
    volume: Decimal,
}

fn month(period: i16) -> Option<usize> {
    usize::try_from(period)
        .ok()
        .filter(|p| (1..=MONTHS).contains(p))
        .map(|p| p - 1)
}

/// The monitoring input of `year`, or `None` when the year has no adopted budget.
pub async fn monitoring_source(
    store: &Store,
    year: i16,
) -> Result<Option<MonitoringSource>, StoreError> {
    let Some(adoption) = adoption::for_year(store, year).await?.pop() else {
        return Ok(None);
    };
    let loaded = computation::loaded(store, adoption.scenario_id).await?;
    let result = domain::budget::compute(&loaded.input, &loaded.params)
        .map_err(|e| StoreError::Other(format!("computing adopted budget {}: {e}", adoption.id)))?;
    let reference_year = loaded.stored.scenario.reference_year;

    // The adopted norm times, as the engine read them (a missing one is not 0 here).
    let (mut ids, mut vakgroepen, mut minutes) = (Vec::new(), Vec::new(), Vec::new());
    for p in &loaded.stored.products {
        if let Some(m) = p.norm_minutes {
            ids.push(p.id.get());
            vakgroepen.push(p.vakgroep_id.get());
            minutes.push(m);
        }
    }
    let mut conn = store.pool().acquire().await?;
    let threshold: Option<Decimal> =
        sqlx::query_scalar("SELECT signal_threshold FROM budget_year WHERE year = $1")
            .bind(year)
            .fetch_optional(&mut *conn)
            .await?;
    let periods: Vec<(i16, i16)> = sqlx::query_as(
        "SELECT year, period FROM production_import
         WHERE replaced_at IS NULL AND year IN ($1, $2) ORDER BY year, period",
    )
    .bind(year)
    .bind(reference_year)
    .fetch_all(&mut *conn)
    .await?;
    let sums: Vec<Sum> = sqlx::query_as(
        "WITH adopted (product, vakgroep_id, minutes) AS (
             SELECT * FROM unnest($3::bigint[], $4::bigint[], $5::numeric[]))
         SELECT a.vakgroep_id, i.year, i.period, sum(v.volume * a.minutes) AS minutes
         FROM production_import i
         JOIN production_volume v ON v.import_id = i.id
         JOIN adopted a ON a.product = v.care_product_id
         WHERE i.replaced_at IS NULL AND i.year IN ($1, $2)
         GROUP BY a.vakgroep_id, i.year, i.period",
    )
    .bind(year)
    .bind(reference_year)
    .bind(&ids)
    .bind(&vakgroepen)
    .bind(&minutes)
    .fetch_all(&mut *conn)
    .await?;
    // Realised this year without an adopted norm time: none in the budget, or a product added
    // since. Their vakgroep is today's.
    let unpriced: Vec<Unpriced> = sqlx::query_as(
        "SELECT p.vakgroep_id, p.id AS care_product_id, p.code, i.period, v.volume
         FROM production_import i
         JOIN production_volume v ON v.import_id = i.id
         JOIN care_product p ON p.id = v.care_product_id
         WHERE i.replaced_at IS NULL AND i.year = $1 AND v.volume > 0
           AND NOT (v.care_product_id = ANY($2::bigint[]))
         ORDER BY p.vakgroep_id, p.code, i.period",
    )
    .bind(year)
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    drop(conn);

    // The months in without a gap from January: a month not yet imported between two that are
    // would count as no production at all, and signal every vakgroep.
    let imported: Vec<i16> = periods
        .iter()
        .filter(|(y, _)| *y == year)
        .map(|(_, p)| *p)
        .collect();
    let mut through_month = 0u8;
    while imported.contains(&(i16::from(through_month) + 1)) {
        through_month += 1;
    }
    let mut reference_months = [false; MONTHS];
    for (_, p) in periods.iter().filter(|(y, _)| *y == reference_year) {
        if let Some(m) = month(*p) {
            reference_months[m] = true;
        }
    }
    let mut realised: HashMap<i64, ([Decimal; MONTHS], [Decimal; MONTHS])> = HashMap::new();
    for s in &sums {
        let Some(m) = month(s.period) else { continue };
        let entry = realised.entry(s.vakgroep_id).or_default();
        if s.year == year && m < usize::from(through_month) {
            entry.0[m] += s.minutes;
        }
        // The reference year may be the budget year itself only in a misconfigured scenario;
        // then both read the same sums.
        if s.year == reference_year {
            entry.1[m] += s.minutes;
        }
    }
    let mut without: HashMap<i64, Vec<MonitoredProduct>> = HashMap::new();
    for u in unpriced {
        let Some(m) = month(u.period) else { continue };
        let list = without.entry(u.vakgroep_id).or_default();
        if list
            .last()
            .is_none_or(|p| p.product_id != u.care_product_id)
        {
            list.push(MonitoredProduct {
                product_id: u.care_product_id,
                code: u.code,
                norm_minutes: None,
                realised: [Decimal::ZERO; MONTHS],
                reference: [Decimal::ZERO; MONTHS],
            });
        }
        if let Some(p) = list.last_mut() {
            p.realised[m] += u.volume;
        }
    }

    let names: HashMap<i64, (String, String)> = loaded
        .stored
        .vakgroepen
        .iter()
        .map(|v| (v.id.get(), (v.code.to_string(), v.name.clone())))
        .collect();
    let monitored = result
        .vakgroepen
        .iter()
        .map(|v| {
            let (done, reference) = realised.remove(&v.vakgroep_id).unwrap_or_default();
            let mut products = vec![MonitoredProduct {
                product_id: 0,
                code: format!("{} (som normtijd × volume)", v.code),
                norm_minutes: Some(Decimal::ONE),
                realised: done,
                reference,
            }];
            products.extend(without.remove(&v.vakgroep_id).unwrap_or_default());
            MonitoredVakgroep {
                vakgroep_id: v.vakgroep_id,
                code: v.code.clone(),
                name: names
                    .get(&v.vakgroep_id)
                    .map(|n| n.1.clone())
                    .unwrap_or_default(),
                budget_hours: v.norm_hours.unwrap_or_default(),
                normuren_per_fte: v.normuren_per_fte,
                products,
            }
        })
        .collect();
    Ok(Some(MonitoringSource {
        adoption,
        input: MonitoringInput {
            year: i32::from(year),
            through_month,
            reference_months,
            threshold: threshold.unwrap_or(DEFAULT_THRESHOLD),
            vakgroepen: monitored,
        },
        names,
    }))
}
