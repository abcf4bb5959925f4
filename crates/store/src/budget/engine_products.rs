//! The care products of a scenario's engine input: read whole, or — given an earlier read of
//! the same year and reference year — only the vakgroepen the change log (migration 0029) names
//! since that read. A large hospital's 200,000 products with norm time and baseline take a third
//! of a second to read; one vakgroep's 5,000 a few milliseconds.

use super::engine::{EngineInput, EngineProduct};
use crate::{PgConnection, StoreError};
use sqlx::types::Decimal;
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
        && let Some(changed) = changed_vakgroepen(tx, kept, year, reference_year).await?
    {
        let mut products = kept.products.clone();
        let mut vakgroepen = changed.rows;
        // Where only the baseline changed (an import), the new sums are patched in; a vakgroep
        // whose set of products that may change with it is read again.
        let baselines: Vec<i64> = changed.baselines.difference(&vakgroepen).copied().collect();
        if !baselines.is_empty() {
            let arrays: Vec<(i64, Vec<i64>, Vec<i64>)> = sqlx::query_as(
                "SELECT vakgroep_id, care_product_ids, ten_thousandths FROM production_year_volume
                 WHERE year = $1 AND vakgroep_id = ANY($2)",
            )
            .bind(reference_year)
            .bind(&baselines)
            .fetch_all(&mut *tx)
            .await?;
            for vakgroep in baselines {
                let (ids, sums) = arrays
                    .iter()
                    .find(|a| a.0 == vakgroep)
                    .map_or((&[][..], &[][..]), |a| (&a.1[..], &a.2[..]));
                if !patch_baselines(&mut products, vakgroep, ids, sums) {
                    vakgroepen.insert(vakgroep);
                }
            }
        }
        if vakgroepen.is_empty() {
            return Ok(products);
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
        return Ok(splice(&products, &ids, fresh));
    }
    let all: Vec<EngineProduct> = sqlx::query_as(sqlx::AssertSqlSafe(query("")))
        .bind(year)
        .bind(reference_year)
        .fetch_all(&mut *tx)
        .await?;
    Ok(all.into_iter().map(Arc::new).collect())
}

/// What changed since an earlier read, by vakgroep.
struct Changed {
    /// Vakgroepen with a changed product or norm time: read again.
    rows: BTreeSet<i64>,
    /// Vakgroepen whose baseline changed.
    baselines: BTreeSet<i64>,
}

/// The vakgroepen whose products may differ from `kept`'s: those the log names since its
/// revision (a product counts for its vakgroep then and now). `None` when the log cannot tell:
/// it names everything, or no longer reaches back that far.
async fn changed_vakgroepen(
    tx: &mut PgConnection,
    kept: &EngineInput,
    year: i16,
    reference_year: i16,
) -> Result<Option<Changed>, StoreError> {
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
    let mut baselines = BTreeSet::new();
    let mut products = BTreeSet::new();
    for entry in log {
        match entry {
            (_, None, None) => return Ok(None),
            (y, Some(product), _) if y.is_none() || y == Some(year) => {
                products.insert(product);
            }
            (Some(y), None, Some(vakgroep)) if y == reference_year => {
                baselines.insert(vakgroep);
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
                .bind(products.into_iter().collect::<Vec<i64>>())
                .fetch_all(&mut *tx)
                .await?;
        vakgroepen.extend(now);
    }
    Ok(Some(Changed {
        rows: vakgroepen,
        baselines,
    }))
}

/// Puts `vakgroep`'s new baseline (`ids`, in id order as the table keeps them, with their
/// volumes in ten-thousandths) into `products`, when that cannot change which of its products
/// the engine reads: every product of the baseline is already there, and every one without a
/// baseline has a norm time (so it stays whether or not it is active). Otherwise changes
/// nothing and answers `false`.
fn patch_baselines(
    products: &mut [Arc<EngineProduct>],
    vakgroep: i64,
    ids: &[i64],
    sums: &[i64],
) -> bool {
    let sum_of = |id: i64| ids.binary_search(&id).ok().map(|i| sums[i]);
    let from = products.partition_point(|p| p.vakgroep_id.get() < vakgroep);
    let to = products.partition_point(|p| p.vakgroep_id.get() <= vakgroep);
    let of_vakgroep = &mut products[from..to];
    let present = of_vakgroep
        .iter()
        .filter(|p| sum_of(p.id.get()).is_some())
        .count();
    let stays = of_vakgroep
        .iter()
        .all(|p| p.norm_minutes.is_some() || sum_of(p.id.get()).is_some());
    if present != ids.len() || !stays {
        return false;
    }
    for p in of_vakgroep {
        let baseline = sum_of(p.id.get()).map_or(Decimal::ZERO, |t| Decimal::new(t, 4).normalize());
        if baseline != p.baseline_volume {
            Arc::make_mut(p).baseline_volume = baseline;
        }
    }
    true
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
    use super::{patch_baselines, splice};
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

    #[test]
    fn a_new_baseline_is_patched_in_only_when_the_products_stay_the_same() {
        let with_norm = |id, vakgroep| {
            let mut p = product(id, vakgroep, "x");
            p.norm_minutes = Some(Decimal::ONE);
            std::sync::Arc::new(p)
        };
        let mut products = vec![with_norm(1, 10), with_norm(2, 20), with_norm(3, 20)];
        assert!(patch_baselines(&mut products, 20, &[2, 3], &[125_000, 0]));
        assert_eq!(products[1].baseline_volume, Decimal::new(125, 1));
        assert_eq!(
            products[0].baseline_volume,
            Decimal::ZERO,
            "other vakgroepen untouched"
        );
        // A product new to the baseline, or one without a norm time that leaves it: read again.
        assert!(!patch_baselines(&mut products, 20, &[2, 3, 4], &[1, 1, 1]));
        products[2] = std::sync::Arc::new(product(3, 20, "y"));
        assert!(!patch_baselines(&mut products, 20, &[2], &[1]));
        assert_eq!(
            products[1].baseline_volume,
            Decimal::new(125, 1),
            "unchanged on refusal"
        );
    }
}
