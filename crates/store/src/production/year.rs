//! Keeping the year's baseline (`production_year_volume`, migrations 0009 and 0028) in step with
//! an import: what the imported period changed is added in the app, and only the vakgroepen whose
//! sums changed are written — not the whole year recomputed, and not a row per care product.

use super::codes::Resolved;
use crate::{PgConnection, StoreError};
use sqlx::types::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// One care product in the year's baseline: its sum over the year's current imports (in
/// ten-thousandths, as the table keeps it) and how many of them have a line for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sum {
    care_product_id: i64,
    vakgroep_id: i64,
    volume: i64,
    periods: i16,
}

/// A row of the table: vakgroep, care product ids, volumes, periods.
type KeptRow = (i64, Vec<i64>, Vec<i64>, Vec<i16>);

/// A volume in ten-thousandths. The reader allows at most four decimals and twelve digits before
/// the mark, so this fails only for a volume the import must not have accepted.
pub(super) fn ten_thousandths(volume: Decimal) -> Result<i64, StoreError> {
    let v = volume.normalize();
    let scale = v.scale();
    let exact = (scale <= 4)
        .then(|| v.mantissa().checked_mul(10i128.pow(4 - scale)))
        .flatten()
        .and_then(|m| i64::try_from(m).ok());
    exact.ok_or_else(|| StoreError::Other(format!("volume {volume} out of range")))
}

/// The replaced import's volume rows as (care product id, volume in ten-thousandths) in id
/// order.
async fn volumes_of(
    conn: &mut PgConnection,
    import_id: i64,
) -> Result<Vec<(i64, i64)>, StoreError> {
    // Two arrays of integers in one row decode far faster than a million rows of numerics.
    let (ids, volumes): (Vec<i64>, Vec<i64>) = sqlx::query_as(
        "SELECT coalesce(array_agg(care_product_id), '{}'),
                coalesce(array_agg((volume * 10000)::bigint), '{}')
         FROM production_volume WHERE import_id = $1",
    )
    .bind(import_id)
    .fetch_one(&mut *conn)
    .await?;
    let mut old: Vec<(i64, i64)> = ids.into_iter().zip(volumes).collect();
    if !old.is_sorted_by_key(|o| o.0) {
        old.sort_unstable_by_key(|o| o.0);
    }
    Ok(old)
}

/// Brings the baseline of `year` up to date now that import `import_id`'s `rows` took the place
/// of the import `replaced` (if any), whose volume rows are still there.
pub(super) async fn apply_period(
    conn: &mut PgConnection,
    year: i16,
    import_id: i64,
    rows: &[Resolved],
    replaced: Option<i64>,
) -> Result<(), StoreError> {
    // Imports of different periods of one year take turns here (the same lock as the full
    // refresh), so each one's change is added to what the other committed.
    sqlx::query("SELECT pg_advisory_xact_lock(7264004, $1::integer)")
        .bind(year)
        .execute(&mut *conn)
        .await?;
    let kept: Vec<KeptRow> = sqlx::query_as(
        "SELECT vakgroep_id, care_product_ids, ten_thousandths, periods
         FROM production_year_volume WHERE year = $1",
    )
    .bind(year)
    .fetch_all(&mut *conn)
    .await?;
    let mut before: Vec<Sum> = Vec::with_capacity(kept.iter().map(|k| k.1.len()).sum());
    for (vakgroep_id, ids, volumes, periods) in kept {
        for ((care_product_id, volume), periods) in ids.into_iter().zip(volumes).zip(periods) {
            before.push(Sum {
                care_product_id,
                vakgroep_id,
                volume,
                periods,
            });
        }
    }
    // Each vakgroep's arrays are in id order; merged, the three lists are walked side by side.
    before.sort_unstable_by_key(|s| s.care_product_id);
    let old = match replaced {
        None => Vec::new(),
        Some(replaced) => {
            let alone: bool = sqlx::query_scalar(
                "SELECT NOT EXISTS (SELECT 1 FROM production_import
                                    WHERE year = $1 AND replaced_at IS NULL AND id <> $2)",
            )
            .bind(year)
            .bind(import_id)
            .fetch_one(&mut *conn)
            .await?;
            if alone && before.iter().all(|s| s.periods == 1) {
                // The replaced period was the whole year: its volumes are the baseline's, and
                // need not be read.
                before
                    .iter()
                    .map(|s| (s.care_product_id, s.volume))
                    .collect()
            } else {
                volumes_of(conn, replaced).await?
            }
        }
    };
    let new = rows
        .iter()
        .map(|r| Ok((r.care_product_id, r.vakgroep_id, ten_thousandths(r.volume)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let (after, changed) = merge(&before, &old, &new).map_err(|id| {
        // Every current import's product is in the baseline (the refresh and this function keep
        // it so); a missing one means the table was changed by hand.
        StoreError::Other(format!(
            "production_year_volume {year} lacks care product {id} of the replaced import"
        ))
    })?;

    let mut rewritten: BTreeMap<i64, Vec<&Sum>> =
        changed.iter().map(|&v| (v, Vec::new())).collect();
    for s in &after {
        if let Some(products) = rewritten.get_mut(&s.vakgroep_id) {
            products.push(s);
        }
    }
    for (vakgroep_id, products) in rewritten {
        if products.is_empty() {
            sqlx::query("DELETE FROM production_year_volume WHERE year = $1 AND vakgroep_id = $2")
                .bind(year)
                .bind(vakgroep_id)
                .execute(&mut *conn)
                .await?;
            continue;
        }
        let ids: Vec<i64> = products.iter().map(|p| p.care_product_id).collect();
        let volumes: Vec<i64> = products.iter().map(|p| p.volume).collect();
        let periods: Vec<i16> = products.iter().map(|p| p.periods).collect();
        sqlx::query(
            "INSERT INTO production_year_volume
                 (year, vakgroep_id, care_product_ids, ten_thousandths, periods)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (year, vakgroep_id) DO UPDATE
                 SET care_product_ids = excluded.care_product_ids,
                     ten_thousandths = excluded.ten_thousandths, periods = excluded.periods",
        )
        .bind(year)
        .bind(vakgroep_id)
        .bind(&ids)
        .bind(&volumes)
        .bind(&periods)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The baseline after taking `old` (id, volume) out and putting `new` (id, vakgroep, volume) in,
/// all three in id order; with the vakgroepen whose sums changed. A product whose count reaches 0
/// leaves the baseline. `Err` names a product of `old` that is not in `before`.
fn merge(
    before: &[Sum],
    old: &[(i64, i64)],
    new: &[(i64, i64, i64)],
) -> Result<(Vec<Sum>, BTreeSet<i64>), i64> {
    let mut after = Vec::with_capacity(before.len().max(new.len()));
    let mut changed = BTreeSet::new();
    let (mut b, mut o, mut n) = (0, 0, 0);
    loop {
        let next = [
            before.get(b).map(|s| s.care_product_id),
            old.get(o).map(|x| x.0),
            new.get(n).map(|x| x.0),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(id) = next else { break };
        let kept = before.get(b).filter(|s| s.care_product_id == id).copied();
        let taken = old.get(o).filter(|x| x.0 == id).copied();
        let added = new.get(n).filter(|x| x.0 == id).copied();
        b += usize::from(kept.is_some());
        o += usize::from(taken.is_some());
        n += usize::from(added.is_some());
        let mut sum = match (kept, taken, added) {
            (Some(s), _, _) => s,
            (None, None, Some((_, vakgroep_id, _))) => Sum {
                care_product_id: id,
                vakgroep_id,
                volume: 0,
                periods: 0,
            },
            (None, _, _) => return Err(id),
        };
        if let Some((_, volume)) = taken {
            sum.volume -= volume;
            sum.periods -= 1;
        }
        if let Some((_, _, volume)) = added {
            sum.volume += volume;
            sum.periods += 1;
        }
        if kept != Some(sum) {
            changed.insert(sum.vakgroep_id);
        }
        if sum.periods > 0 {
            after.push(sum);
        }
    }
    Ok((after, changed))
}

#[cfg(test)]
mod tests {
    use super::ten_thousandths;
    use sqlx::types::Decimal;
    use std::str::FromStr;

    #[test]
    fn volumes_become_exact_ten_thousandths() {
        let t = |s: &str| ten_thousandths(Decimal::from_str(s).unwrap()).ok();
        assert_eq!(t("12.5"), Some(125_000));
        assert_eq!(t("3.500000"), Some(35_000));
        assert_eq!(t("0"), Some(0));
        assert_eq!(t("0.0001"), Some(1));
        assert_eq!(t("999999999999.9999"), Some(9_999_999_999_999_999));
        assert_eq!(t("0.00001"), None);
    }
}

#[cfg(test)]
mod merge_tests {
    use super::{Sum, merge};

    fn sum(care_product_id: i64, vakgroep_id: i64, volume: i64, periods: i16) -> Sum {
        Sum {
            care_product_id,
            vakgroep_id,
            volume,
            periods,
        }
    }

    #[test]
    fn a_replaced_period_moves_only_what_changed() {
        // Products 1, 2 (vakgroep 10) and 3 (vakgroep 20) in two periods; the replaced period had
        // 1 and 3, the new file has 1 (same volume) and 4 (new to the year, vakgroep 20).
        let before = [sum(1, 10, 50, 2), sum(2, 10, 7, 1), sum(3, 20, 30, 1)];
        let old = [(1, 20), (3, 30)];
        let new = [(1, 10, 20), (4, 20, 5)];
        let (after, changed) = merge(&before, &old, &new).unwrap();
        assert_eq!(
            after,
            [sum(1, 10, 50, 2), sum(2, 10, 7, 1), sum(4, 20, 5, 1)]
        );
        assert_eq!(changed.into_iter().collect::<Vec<_>>(), [20]);
    }

    #[test]
    fn the_first_period_is_the_year_and_a_missing_product_is_an_error() {
        let (after, changed) = merge(&[], &[], &[(1, 10, 3), (2, 11, 0)]).unwrap();
        assert_eq!(after, [sum(1, 10, 3, 1), sum(2, 11, 0, 1)]);
        assert_eq!(changed.into_iter().collect::<Vec<_>>(), [10, 11]);
        assert_eq!(merge(&[sum(1, 10, 3, 1)], &[(2, 3)], &[]), Err(2));
        assert_eq!(merge(&[], &[(2, 3)], &[(2, 10, 3)]), Err(2));
    }
}
