//! A scenario's distribution settings (migration 0014) against a real database: band overrides
//! with versions and audit, the earmark's placement, sharing, and last year's source.

mod common;

use common::{admin, audit_count, store, vakgroep};
use gg_store::budget::{self, LastYearSource};
use gg_store::domain::budget::{
    Band, EarmarkPlacement, Grondslag, PzVariant, ScenarioDraft, Weights,
};
use gg_store::domain::ids::{ScenarioId, VakgroepId};
use gg_store::{PgPool, Store, StoreError};
use sqlx::types::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

async fn scenario(s: &Store, year: i16, previous: Option<ScenarioId>) -> ScenarioId {
    let input = ScenarioDraft {
        year,
        name: format!("Basis {year}"),
        description: String::new(),
        reference_year: 2025,
        variant: PzVariant::Informatief,
        weights: Weights::REGULAR,
        earmarked_amount: Decimal::ZERO,
        grondslag: Grondslag::FormatiefFte,
        trend_input_ids: vec![],
        overrides: vec![],
        previous,
    };
    let mut tx = s.begin().await.unwrap();
    let id = budget::create_scenario(&mut tx, &admin(), &input)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    id
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn band_overrides_placement_and_sharing(pool: PgPool) {
    let s = store(pool.clone());
    let car = vakgroep(&pool, "CAR").await;
    let last = scenario(&s, 2026, None).await;
    let id = scenario(&s, 2027, Some(last)).await;

    let setup = budget::distribution_setup(&s, id).await.unwrap();
    assert_eq!(setup.settings.version, 0);
    assert_eq!(setup.settings.placement, EarmarkPlacement::OnTop);
    assert!(setup.settings.shared.is_none());
    assert_eq!(setup.msb_bodies.len(), 3, "MSB, VMSD and VMS");
    assert!(matches!(setup.last_year, LastYearSource::PreviousScenario { id, .. } if id == last));
    assert_eq!(
        budget::last_year_source(&mut s.pool().acquire().await.unwrap(), last)
            .await
            .unwrap(),
        LastYearSource::None
    );

    let band = Band {
        floor: dec("0.95"),
        cap: dec("1.05"),
    };
    let mut tx = s.begin().await.unwrap();
    budget::set_band_override(&mut tx, &admin(), id, car, None, band)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    // Adding again as if none existed: someone else added one meanwhile. (A refused write's
    // transaction is rolled back, as `shared::forms::save` does.)
    let mut tx = s.begin().await.unwrap();
    assert!(matches!(
        budget::set_band_override(&mut tx, &admin(), id, car, None, band).await,
        Err(StoreError::Conflict)
    ));
    drop(tx);
    let mut tx = s.begin().await.unwrap();
    let wider = Band {
        floor: dec("0.9"),
        cap: dec("1.1"),
    };
    budget::set_band_override(&mut tx, &admin(), id, car, Some(1), wider)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let mut tx = s.begin().await.unwrap();
    assert!(matches!(
        budget::set_band_override(&mut tx, &admin(), id, VakgroepId::new(999_999), None, band)
            .await,
        Err(StoreError::NotFound)
    ));
    drop(tx);
    let overrides = budget::band_overrides(s.pool(), id).await.unwrap();
    assert_eq!(overrides.len(), 1);
    assert_eq!(overrides[0].band(), wider);
    assert_eq!(overrides[0].version, 2);
    assert_eq!(audit_count(&pool, "scenario_distribution_band").await, 2);

    // The database keeps a floor above its cap out, whatever the caller.
    let refused = sqlx::query(
        "INSERT INTO scenario_distribution_band (scenario_id, vakgroep_id, band_floor, band_cap)
         VALUES ($1, $2, 1.2, 1.1)",
    )
    .bind(last.get())
    .bind(car.get())
    .execute(&pool)
    .await;
    assert!(refused.is_err());

    // Each override write moved the settings' version: sharing with the version read before
    // them is refused.
    let settings = budget::distribution_settings(s.pool(), id).await.unwrap();
    assert_eq!(settings.version, 2);
    let mut tx = s.begin().await.unwrap();
    assert!(matches!(
        budget::share_distribution(&mut tx, &admin(), id, 0).await,
        Err(StoreError::Conflict)
    ));
    drop(tx);
    let mut tx = s.begin().await.unwrap();
    budget::set_placement(&mut tx, &admin(), id, 2, EarmarkPlacement::OutOfBudget)
        .await
        .unwrap();
    budget::share_distribution(&mut tx, &admin(), id, 3)
        .await
        .unwrap();
    assert!(
        matches!(
            budget::share_distribution(&mut tx, &admin(), id, 4).await,
            Err(StoreError::Conflict)
        ),
        "shared once"
    );
    gg_store::commit(tx).await.unwrap();
    let settings = budget::distribution_settings(s.pool(), id).await.unwrap();
    assert_eq!(settings.placement, EarmarkPlacement::OutOfBudget);
    let shared = settings.shared.unwrap();
    assert_eq!(shared.by_label, admin().label);
    assert_eq!(audit_count(&pool, "scenario_distribution").await, 2);

    let mut tx = s.begin().await.unwrap();
    assert!(matches!(
        budget::delete_band_override(&mut tx, &admin(), id, car, 1).await,
        Err(StoreError::Conflict)
    ));
    drop(tx);
    let mut tx = s.begin().await.unwrap();
    budget::delete_band_override(&mut tx, &admin(), id, car, 2)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert!(
        budget::band_overrides(s.pool(), id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(audit_count(&pool, "scenario_distribution_band").await, 3);

    // A scenario that does not exist is missing, for reads and writes alike.
    let missing = ScenarioId::new(999_999);
    assert!(matches!(
        budget::distribution_setup(&s, missing).await,
        Err(StoreError::NotFound)
    ));
    let mut tx = s.begin().await.unwrap();
    assert!(matches!(
        budget::set_placement(&mut tx, &admin(), missing, 0, EarmarkPlacement::OnTop).await,
        Err(StoreError::NotFound)
    ));
}
