//! The engine input read after a change, starting from an earlier read (`engine_input_after`,
//! migration 0029), is exactly what a whole read gives, after every kind of change to what its
//! care products are read from; and the change log names only what the change touched.

mod common;

use common::{admin, product, scenario, store, vakgroep};
use gg_store::budget::{self, CareProductInput, EngineInput, TrendInputInput};
use gg_store::domain::budget::trend::TrendStatus;
use gg_store::domain::budget::{ChangeKind, ScopeKind, TrendCategory};
use gg_store::domain::ids::ScenarioId;
use gg_store::production::{self, ImportOutcome, ImportRequest};
use gg_store::{PgPool, Store};
use sqlx::types::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

async fn import(s: &Store, csv: &str) {
    let out = production::import(
        s,
        &admin(),
        ImportRequest {
            year: 2025,
            period: 1,
            source_name: "dwh.csv",
            data: csv.as_bytes(),
        },
        |_| {},
    )
    .await
    .unwrap();
    assert!(matches!(out, ImportOutcome::Imported(_)), "{out:?}");
}

/// What the log names after `since`: (year, care product, vakgroep).
async fn logged(pool: &PgPool, since: i64) -> Vec<(Option<i16>, Option<i64>, Option<i64>)> {
    sqlx::query_as(
        "SELECT DISTINCT year, care_product_id, vakgroep_id FROM budget_product_change
         WHERE revision > $1 ORDER BY 1, 2, 3",
    )
    .bind(since)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Reads `id` starting from `kept`, checks it against a whole read, and returns it.
async fn read_after(s: &Store, id: ScenarioId, kept: &EngineInput) -> EngineInput {
    let mut tx = s
        .pool()
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .unwrap();
    let after = budget::engine_input_after(&mut tx, id, Some(kept))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let whole = budget::engine_input(s, id).await.unwrap();
    assert_eq!(after, whole, "the read after a change is the whole read");
    after
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_read_after_a_change_reads_only_what_changed_and_is_exact(pool: PgPool) {
    let s = store(pool.clone());
    let who = admin();
    let car = vakgroep(&pool, "CAR").await;
    let lon = vakgroep(&pool, "LON").await;
    let kno = vakgroep(&pool, "KNO").await;
    let a = product(&s, car, "A").await;
    let b = product(&s, car, "B").await;
    let c = product(&s, lon, "C").await;
    product(&s, kno, "D").await;
    let mut tx = s.begin().await.unwrap();
    for (p, minutes) in [(a, "30"), (b, "45"), (c, "12.5")] {
        budget::set_norm_time(&mut tx, &who, 2027, p, None, dec(minutes))
            .await
            .unwrap();
    }
    gg_store::commit(tx).await.unwrap();
    import(
        &s,
        "vakgroep;zorgproduct;volume\nCAR;A;10\nCAR;B;2,5\nLON;C;7\nKNO;D;1\n",
    )
    .await;
    let id = scenario(&s, 2027, "Basis").await;
    let mut kept = budget::engine_input(&s, id).await.unwrap();
    assert_eq!(kept.products.len(), 4);

    // One norm time: the log names that product for that year.
    let mut tx = s.begin().await.unwrap();
    let version = budget::norm_time(&mut *tx, 2027, a)
        .await
        .unwrap()
        .unwrap()
        .version;
    budget::set_norm_time(&mut tx, &who, 2027, a, Some(version), dec("31"))
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(
        logged(&pool, kept.revision).await,
        [(Some(2027), Some(a.get()), None)]
    );
    let after = read_after(&s, id, &kept).await;
    assert_eq!(after.products[0].norm_minutes, Some(dec("31")));
    kept = after;

    // A norm time of another year and a trend input: the products stay as they were.
    let mut tx = s.begin().await.unwrap();
    budget::set_norm_time(&mut tx, &who, 2030, c, None, dec("99"))
        .await
        .unwrap();
    let t = budget::create_trend_input(
        &mut tx,
        &who,
        &TrendInputInput {
            year: 2027,
            vakgroep_id: car,
            scope: ScopeKind::Vakgroep,
            product_ids: vec![],
            kind: ChangeKind::Percentage,
            value: dec("2"),
            category: TrendCategory::Demografie,
            rationale: "Vergrijzing".into(),
            source: String::new(),
        },
    )
    .await
    .unwrap();
    for (version, to) in [(1, TrendStatus::Ingediend), (2, TrendStatus::Geaccepteerd)] {
        budget::change_trend_status(&mut tx, &who, t, version, to, "")
            .await
            .unwrap();
    }
    gg_store::commit(tx).await.unwrap();
    let after = read_after(&s, id, &kept).await;
    assert_eq!(after.products, kept.products);
    assert!(after.revision > kept.revision);
    kept = after;

    // The period replaced by a file that changes LON only: only LON's baseline row is rewritten.
    import(
        &s,
        "vakgroep;zorgproduct;volume\nCAR;A;10\nCAR;B;2,5\nLON;C;8\nKNO;D;1\n",
    )
    .await;
    assert_eq!(
        logged(&pool, kept.revision).await,
        [(Some(2025), None, Some(lon.get()))]
    );
    let after = read_after(&s, id, &kept).await;
    assert_eq!(after.products[2].baseline_volume, dec("8"));
    kept = after;

    // A new product, and one moved to another vakgroep (it has no volumes or norm times).
    let e = product(&s, kno, "E").await;
    let f = product(&s, car, "F").await;
    kept = read_after(&s, id, &kept).await;
    let mut tx = s.begin().await.unwrap();
    let moved = CareProductInput {
        vakgroep_id: lon,
        code: "F".into(),
        description: "Verhuisd".into(),
        active: true,
    };
    budget::update_care_product(&mut tx, &who, f, 1, &moved)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let after = read_after(&s, id, &kept).await;
    let where_f = after
        .products
        .iter()
        .find(|p| p.id == f)
        .unwrap()
        .vakgroep_id;
    assert_eq!(where_f, lon);
    assert!(after.products.iter().any(|p| p.id == e));
    kept = after;

    // A deleted norm time, and the period's import deleted (by hand: the full refresh).
    let mut tx = s.begin().await.unwrap();
    let version = budget::norm_time(&mut *tx, 2027, b)
        .await
        .unwrap()
        .unwrap()
        .version;
    budget::delete_norm_time(&mut tx, &who, 2027, b, version)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    kept = read_after(&s, id, &kept).await;
    sqlx::query("DELETE FROM production_import WHERE year = 2025")
        .execute(&pool)
        .await
        .unwrap();
    let after = read_after(&s, id, &kept).await;
    assert!(after.products.iter().all(|p| p.baseline_volume.is_zero()));
    kept = after;

    // A log pruned past the kept read: everything is read again, and still exact.
    import(&s, "vakgroep;zorgproduct;volume\nKNO;D;4\n").await;
    sqlx::query("UPDATE budget_revision SET product_log_from = n")
        .execute(&pool)
        .await
        .unwrap();
    read_after(&s, id, &kept).await;
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_bulk_change_is_logged_once_as_everything(pool: PgPool) {
    let s = store(pool.clone());
    let car = vakgroep(&pool, "CAR").await;
    let id = scenario(&s, 2027, "Basis").await;
    let kept = budget::engine_input(&s, id).await.unwrap();
    let list: Vec<CareProductInput> = (0..5001)
        .map(|i| CareProductInput {
            vakgroep_id: car,
            code: format!("P{i:05}"),
            description: String::new(),
            active: true,
        })
        .collect();
    let mut tx = s.begin().await.unwrap();
    budget::create_care_products(&mut tx, &admin(), &list)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(logged(&pool, kept.revision).await, [(None, None, None)]);
    let after = read_after(&s, id, &kept).await;
    assert_eq!(after.products.len(), 5001);
}
