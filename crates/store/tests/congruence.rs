//! Insurer congruence (D8, migration 0019) against a real database: a tariff list replaced as a
//! whole (a code two vakgroepen share gets the tariff at both; an unknown code changes nothing),
//! insurers kept by version, a deleted care product taking its tariffs along.

mod common;

use common::{admin, product, store, vakgroep};
use gg_store::budget::{self, BulkOutcome, congruence};
use gg_store::domain::budget::congruence::{InsurerDraft, TariffLine};
use gg_store::{PgPool, StoreError};
use sqlx::types::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn line(line: usize, product: &str, tariff: &str) -> TariffLine {
    TariffLine {
        line,
        product: product.into(),
        tariff: dec(tariff),
    }
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn tariffs_replace_the_year_all_or_nothing(pool: PgPool) {
    let s = store(pool.clone());
    let (car, lon) = (vakgroep(&pool, "CAR").await, vakgroep(&pool, "LON").await);
    let shared_car = product(&s, car, "190001").await;
    let shared_lon = product(&s, lon, "190001").await;
    let own = product(&s, car, "CAR-1").await;

    let mut tx = s.begin().await.unwrap();
    let out = congruence::replace_tariffs(
        &mut tx,
        &admin(),
        2027,
        &[line(2, "190001", "125.50"), line(3, "CAR-1", "80")],
    )
    .await
    .unwrap();
    assert!(matches!(out, BulkOutcome::Replaced { count: 3 }), "{out:?}");
    gg_store::commit(tx).await.unwrap();
    let t = congruence::tariffs(&s, 2027).await.unwrap();
    assert_eq!(t[&shared_car.get()], dec("125.50"));
    assert_eq!(t[&shared_lon.get()], dec("125.50"));
    assert_eq!(t[&own.get()], dec("80"));

    // An unknown code: nothing changes, the line is named.
    let mut tx = s.begin().await.unwrap();
    let out = congruence::replace_tariffs(
        &mut tx,
        &admin(),
        2027,
        &[line(2, "CAR-1", "1"), line(3, "ONBEKEND", "2")],
    )
    .await
    .unwrap();
    let BulkOutcome::Rejected { errors, total } = out else {
        panic!("{out:?}")
    };
    assert_eq!((errors[0].line, total), (3, 1));
    assert!(errors[0].reason.contains("ONBEKEND"));
    drop(tx);
    assert_eq!(congruence::tariff_count(&s, 2027).await.unwrap(), 3);

    // A deleted care product takes its tariff along.
    let mut tx = s.begin().await.unwrap();
    let version = budget::care_product(&mut *tx, own).await.unwrap().version;
    budget::delete_care_product(&mut tx, &admin(), own, version)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(congruence::tariff_count(&s, 2027).await.unwrap(), 2);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn insurers_are_kept_by_version_and_audited(pool: PgPool) {
    let s = store(pool.clone());
    let draft = |name: &str, share: &str| InsurerDraft {
        name: name.into(),
        ceiling: dec("1000000"),
        share: dec(share),
    };
    let mut tx = s.begin().await.unwrap();
    let id = congruence::create_insurer(&mut tx, &admin(), 2027, &draft("Delta", "25"))
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let mut tx = s.begin().await.unwrap();
    let taken = congruence::create_insurer(&mut tx, &admin(), 2027, &draft("Delta", "5")).await;
    assert!(matches!(taken, Err(StoreError::Duplicate(_))), "{taken:?}");
    drop(tx);

    let mut tx = s.begin().await.unwrap();
    congruence::update_insurer(&mut tx, &admin(), id, 1, &draft("Delta", "30"))
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let mut tx = s.begin().await.unwrap();
    let stale = congruence::update_insurer(&mut tx, &admin(), id, 1, &draft("Delta", "35")).await;
    assert!(matches!(stale, Err(StoreError::Conflict)));
    drop(tx);
    assert_eq!(congruence::insurer(&s, id).await.unwrap().share, dec("30"));
    assert_eq!(common::audit_count(&pool, "insurer").await, 2);
    let mut tx = s.begin().await.unwrap();
    congruence::delete_insurer(&mut tx, &admin(), id, 2)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert!(congruence::insurers(&s, 2027).await.unwrap().is_empty());
}
