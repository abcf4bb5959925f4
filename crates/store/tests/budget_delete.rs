//! Deleting master data of the capacity budget: a care product (with its norm times, unless
//! volumes or trend inputs refer to it) and one norm time, both versioned and audited.

mod common;

use common::{admin, product, store, vakgroep};
use gg_store::budget::{self, ProductDeletion, ProductReferences, TrendInputInput};
use gg_store::domain::budget::{ChangeKind, ScopeKind, TrendCategory};
use gg_store::domain::ids::CareProductId;
use gg_store::production::{self, ImportOutcome, ImportRequest};
use gg_store::{PgPool, Store, StoreError};
use sqlx::types::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

async fn set_norm_time(s: &Store, year: i16, product_id: CareProductId, minutes: &str) {
    let mut tx = s.begin().await.unwrap();
    budget::set_norm_time(&mut tx, &admin(), year, product_id, None, dec(minutes))
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
}

/// The audit trail's deletions, in order, as (object type, object id).
async fn deletions(pool: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT object_type, object_id FROM audit_log WHERE action = 'delete' ORDER BY seq",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn norm_time_years(pool: &PgPool, product_id: CareProductId) -> Vec<i16> {
    sqlx::query_scalar("SELECT year FROM norm_time WHERE care_product_id = $1 ORDER BY year")
        .bind(product_id.get())
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn care_product_is_deleted_with_its_norm_times_and_audited(pool: PgPool) {
    let s = store(pool.clone());
    let car = vakgroep(&pool, "CAR").await;
    let gone = product(&s, car, "A").await;
    let kept = product(&s, car, "B").await;
    set_norm_time(&s, 2026, gone, "20").await;
    set_norm_time(&s, 2027, gone, "21").await;
    set_norm_time(&s, 2026, kept, "30").await;
    assert_eq!(
        budget::care_product_references(s.pool(), gone)
            .await
            .unwrap(),
        ProductReferences {
            norm_time_years: vec![2026, 2027],
            ..Default::default()
        }
    );

    let mut tx = s.begin().await.unwrap();
    let out = budget::delete_care_product(&mut tx, &admin(), gone, 1)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(
        out,
        ProductDeletion::Deleted {
            norm_time_years: vec![2026, 2027]
        }
    );
    assert!(matches!(
        budget::care_product(s.pool(), gone).await,
        Err(StoreError::NotFound)
    ));
    assert!(norm_time_years(&pool, gone).await.is_empty());
    assert_eq!(norm_time_years(&pool, kept).await, vec![2026]);

    assert_eq!(
        deletions(&pool).await,
        vec![
            ("norm_time".to_string(), format!("2026/{gone}")),
            ("norm_time".to_string(), format!("2027/{gone}")),
            ("care_product".to_string(), gone.to_string()),
        ]
    );
    let before: serde_json::Value = sqlx::query_scalar(
        "SELECT before FROM audit_log WHERE object_type = 'care_product' AND action = 'delete'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(before["code"], "A");
    assert_eq!(before["vakgroep_code"], "CAR");
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn stale_version_deletes_nothing(pool: PgPool) {
    let s = store(pool.clone());
    let car = vakgroep(&pool, "CAR").await;
    let id = product(&s, car, "A").await;
    set_norm_time(&s, 2026, id, "20").await;
    let input = budget::CareProductInput {
        vakgroep_id: car,
        code: "A".into(),
        description: "Gewijzigd".into(),
        active: false,
    };
    let mut tx = s.begin().await.unwrap();
    budget::update_care_product(&mut tx, &admin(), id, 1, &input)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();

    let mut tx = s.begin().await.unwrap();
    let r = budget::delete_care_product(&mut tx, &admin(), id, 1).await;
    assert!(matches!(r, Err(StoreError::Conflict)), "{r:?}");
    drop(tx);
    assert_eq!(
        budget::care_product(s.pool(), id)
            .await
            .unwrap()
            .description,
        "Gewijzigd"
    );
    assert_eq!(norm_time_years(&pool, id).await, vec![2026]);
    assert!(deletions(&pool).await.is_empty());
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn product_with_volumes_or_trend_inputs_is_refused(pool: PgPool) {
    let s = store(pool.clone());
    let car = vakgroep(&pool, "CAR").await;
    let realised = product(&s, car, "A").await;
    let planned = product(&s, car, "B").await;
    set_norm_time(&s, 2026, planned, "15").await;
    for (year, csv) in [
        (2025, "vakgroep;zorgproduct;volume\nCAR;A;100\n"),
        (2026, "vakgroep;zorgproduct;volume\nCAR;A;90\n"),
    ] {
        let request = ImportRequest {
            year,
            period: 1,
            source_name: "dwh.csv",
            data: csv.as_bytes(),
        };
        let out = production::import(&s, &admin(), request, |_| {})
            .await
            .unwrap();
        assert!(matches!(out, ImportOutcome::Imported(_)), "{out:?}");
    }
    let mut tx = s.begin().await.unwrap();
    let trend = TrendInputInput {
        year: 2027,
        vakgroep_id: car,
        scope: ScopeKind::Zorgproducten,
        product_ids: vec![planned],
        kind: ChangeKind::Percentage,
        value: dec("5"),
        category: TrendCategory::Demografie,
        rationale: "Vergrijzing".into(),
        source: "CBS".into(),
    };
    budget::create_trend_input(&mut tx, &admin(), &trend)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();

    let mut tx = s.begin().await.unwrap();
    let r = budget::delete_care_product(&mut tx, &admin(), realised, 1)
        .await
        .unwrap();
    assert_eq!(
        r,
        ProductDeletion::Refused(ProductReferences {
            volume_years: vec![2025, 2026],
            ..Default::default()
        })
    );
    let r = budget::delete_care_product(&mut tx, &admin(), planned, 1)
        .await
        .unwrap();
    assert_eq!(
        r,
        ProductDeletion::Refused(ProductReferences {
            trend_input_years: vec![2027],
            norm_time_years: vec![2026],
            ..Default::default()
        })
    );
    // A refusal leaves the transaction clean: committing it changes nothing.
    gg_store::commit(tx).await.unwrap();
    assert_eq!(budget::care_products(&s, Some(car)).await.unwrap().len(), 2);
    assert_eq!(norm_time_years(&pool, planned).await, vec![2026]);
    assert!(deletions(&pool).await.is_empty());
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn norm_time_is_deleted_by_version_and_audited(pool: PgPool) {
    let s = store(pool.clone());
    let car = vakgroep(&pool, "CAR").await;
    let id = product(&s, car, "A").await;
    set_norm_time(&s, 2026, id, "20").await;
    set_norm_time(&s, 2027, id, "21").await;
    let mut tx = s.begin().await.unwrap();
    budget::set_norm_time(&mut tx, &admin(), 2026, id, Some(1), dec("25"))
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();

    let mut tx = s.begin().await.unwrap();
    let r = budget::delete_norm_time(&mut tx, &admin(), 2026, id, 1).await;
    assert!(matches!(r, Err(StoreError::Conflict)), "{r:?}");
    drop(tx);
    assert_eq!(norm_time_years(&pool, id).await, vec![2026, 2027]);

    let mut tx = s.begin().await.unwrap();
    budget::delete_norm_time(&mut tx, &admin(), 2026, id, 2)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(norm_time_years(&pool, id).await, vec![2027]);
    assert_eq!(
        deletions(&pool).await,
        vec![("norm_time".to_string(), format!("2026/{id}"))]
    );
    // The product itself stays.
    assert!(budget::care_product(s.pool(), id).await.is_ok());
}
