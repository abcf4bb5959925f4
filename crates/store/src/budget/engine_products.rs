//! The care products of a scenario's engine input: read whole, or — given an earlier read of
//! the same year and reference year — only the vakgroepen the change log (migration 0029) names
//! since that read. A large hospital's 200,000 products with norm time and baseline take a third
//! of a second to read; one vakgroep's 5,000 a few milliseconds.

use super::engine::{EngineInput, EngineProduct};
use crate::{PgConnection, StoreError};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Every column of [`EngineProduct`], for every product or (with `filter`, which names the
/// vakgroepen as $3) those of some vakgroepen, in the engine's order.
fn query(filter: &str) -> String {
    format!(
        "SELECT p.id, p.vakgroep_id, p.code, p.description, nt.minutes AS norm_minutes,
                COALESCE(b.volume, 0) AS baseline_volume
         FROM care_product p
         LEFT JOIN norm_time nt ON nt.care_product_id = p.id AND nt.year = $1 {of_vakgroepen}
         LEFT JOIN (SELECT u.care_product_id, trim_scale(u.ten_thousandths * 0.0001) AS volume
                    FROM production_year_volume y,
                         unnest(y.care_product_ids, y.ten_thousandths) AS u (care_product_id, ten_thousandths)
                    WHERE y.year = $2 {baseline}) b ON b.care_product_id = p.id
         WHERE (p.active OR nt.minutes IS NOT NULL OR b.volume IS NOT NULL) {filter}
         ORDER BY p.vakgroep_id, p.code",
        // A norm time is always under its product's vakgroep (its foreign key): saying so lets
        // the planner read only those vakgroepen's norm times instead of the year's.
        of_vakgroepen = if filter.is_empty() {
            ""
        } else {
            "AND nt.vakgroep_id = ANY($3)"
        },
        baseline = if filter.is_empty() {
            ""
        } else {
            "AND y.vakgroep_id = ANY($3)"
        },
    )
}

/// The products for `year` with the baseline of `reference_year`, at `revision` (read in the
/// caller's snapshot). `kept` is an earlier read whose products may be reused.
pub(super) async fn products(
    tx: &mut PgConnection,
    year: i16,
    reference_year: i16,
    revision: i64,
    kept: Option<&EngineInput>,
) -> Result<Vec<Arc<EngineProduct>>, StoreError> {
    let kept = kept.filter(|k| {
        k.scenario.year == year
            && k.scenario.reference_year == reference_year
            && k.revision <= revision
    });
    if let Some(kept) = kept
        && let Some(vakgroepen) = changed_vakgroepen(tx, kept, year, reference_year).await?
    {
        if vakgroepen.is_empty() {
            return Ok(kept.products.clone());
        }
        let ids: Vec<i64> = vakgroepen.into_iter().collect();
        // A generic plan does not know how few vakgroepen $3 names and reads the year's norm
        // times whole (40 ms instead of 8 at 40 × 5,000); this transaction plans for the values.
        sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
            .execute(&mut *tx)
            .await?;
        let fresh: Vec<EngineProduct> =
            sqlx::query_as(sqlx::AssertSqlSafe(query("AND p.vakgroep_id = ANY($3)")))
                .bind(year)
                .bind(reference_year)
                .bind(&ids)
                .fetch_all(&mut *tx)
                .await?;
        return Ok(splice(&kept.products, &ids, fresh));
    }
    let all: Vec<EngineProduct> = sqlx::query_as(sqlx::AssertSqlSafe(query("")))
        .bind(year)
        .bind(reference_year)
        .fetch_all(&mut *tx)
        .await?;
    Ok(all.into_iter().map(Arc::new).collect())
}

/// The vakgroepen whose products may differ from `kept`'s: those the log names since its
/// revision (a product counts for its vakgroep then and now). `None` when the log cannot tell:
/// it names everything, or no longer reaches back that far.
async fn changed_vakgroepen(
    tx: &mut PgConnection,
    kept: &EngineInput,
    year: i16,
    reference_year: i16,
) -> Result<Option<BTreeSet<i64>>, StoreError> {
    let log_from: i64 = sqlx::query_scalar("SELECT product_log_from FROM budget_revision")
        .fetch_one(&mut *tx)
        .await?;
    if kept.revision < log_from {
        return Ok(None);
    }
    let log: Vec<(Option<i16>, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT year, care_product_id, vakgroep_id FROM budget_product_change WHERE revision > $1",
    )
    .bind(kept.revision)
    .fetch_all(&mut *tx)
    .await?;
    let mut vakgroepen = BTreeSet::new();
    let mut products = Vec::new();
    for entry in log {
        match entry {
            (_, None, None) => return Ok(None),
            (y, Some(product), _) if y.is_none() || y == Some(year) => products.push(product),
            (Some(y), None, Some(vakgroep)) if y == reference_year => {
                vakgroepen.insert(vakgroep);
            }
            _ => {}
        }
    }
    if !products.is_empty() {
        // Where the products were, and where they are now (a product may have moved).
        vakgroepen.extend(
            kept.products
                .iter()
                .filter(|p| products.contains(&p.id.get()))
                .map(|p| p.vakgroep_id.get()),
        );
        let now: Vec<i64> =
            sqlx::query_scalar("SELECT DISTINCT vakgroep_id FROM care_product WHERE id = ANY($1)")
                .bind(&products)
                .fetch_all(&mut *tx)
                .await?;
        vakgroepen.extend(now);
    }
    Ok(Some(vakgroepen))
}

/// `kept` with the products of `vakgroepen` replaced by `fresh`. Both are ordered by vakgroep
/// id and then as the database orders codes, and each vakgroep's products come wholly from one
/// of them, so a stable sort by vakgroep id alone restores the database's order exactly.
fn splice(
    kept: &[Arc<EngineProduct>],
    vakgroepen: &[i64],
    fresh: Vec<EngineProduct>,
) -> Vec<Arc<EngineProduct>> {
    let mut out: Vec<Arc<EngineProduct>> = kept
        .iter()
        .filter(|p| vakgroepen.binary_search(&p.vakgroep_id.get()).is_err())
        .cloned()
        .collect();
    out.extend(fresh.into_iter().map(Arc::new));
    out.sort_by_key(|p| p.vakgroep_id);
    out
}

#[cfg(test)]
mod tests {
    use super::splice;
    use crate::budget::EngineProduct;
    use domain::ids::{CareProductId, VakgroepId};
    use sqlx::types::Decimal;

    fn product(id: i64, vakgroep: i64, code: &str) -> EngineProduct {
        EngineProduct {
            id: CareProductId::new(id),
            vakgroep_id: VakgroepId::new(vakgroep),
            code: code.into(),
            description: String::new(),
            norm_minutes: None,
            baseline_volume: Decimal::ZERO,
        }
    }

    #[test]
    fn a_vakgroep_read_again_takes_the_place_of_its_products() {
        let kept = [
            product(1, 10, "b"),
            product(2, 10, "c"),
            product(3, 20, "a"),
            product(4, 20, "d"),
            product(5, 30, "a"),
        ]
        .map(std::sync::Arc::new);
        // Vakgroep 20 read again: product 4 is gone, 6 came (code order "B" before "a" as the
        // database may sort), and 1 moved from 10 to 20.
        let fresh = vec![
            product(6, 20, "B"),
            product(3, 20, "a"),
            product(1, 20, "z"),
        ];
        let out = splice(&kept, &[10, 20], fresh);
        let ids: Vec<i64> = out.iter().map(|p| p.id.get()).collect();
        assert_eq!(
            ids,
            [6, 3, 1, 5],
            "vakgroep 10 re-read as empty except what moved"
        );
    }
}
