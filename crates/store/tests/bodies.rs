mod common;

use common::{admin, store};
use gg_store::PgPool;
use gg_store::StoreError;
use gg_store::bodies;
use gg_store::domain::people::{BodyCode, BodyKind, VakgroepCode, VakgroepKind};
use gg_store::domain::people::{BodyDraft, VakgroepDraft};
use gg_store::vakgroepen;

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn bodies_are_created_renamed_and_versioned(pool: PgPool) {
    let s = store(pool);
    let input = BodyDraft {
        code: BodyCode::parse("RvT").unwrap(),
        name: "Raad van Toezicht".into(),
        kind: BodyKind::Toezicht,
        sort_order: 90,
        quorum_percent: 50,
        majority: gg_store::domain::meetings::voting::Majority::Simple,
        seat_employment_form: None,
    };
    let mut tx = s.begin().await.unwrap();
    let id = bodies::create(&mut tx, &admin(), &input).await.unwrap();
    gg_store::commit(tx).await.unwrap();
    let b = bodies::get(&s, id).await.unwrap();
    assert_eq!(
        (b.code.as_str(), b.kind.code(), b.members),
        ("RvT", "toezicht", 0)
    );

    let renamed = BodyDraft {
        name: "Raad van Commissarissen".into(),
        ..input.clone()
    };
    let mut tx = s.begin().await.unwrap();
    bodies::update(&mut tx, &admin(), id, b.version, &renamed)
        .await
        .unwrap();
    assert!(matches!(
        bodies::update(&mut tx, &admin(), id, b.version, &renamed).await,
        Err(StoreError::Conflict)
    ));
    gg_store::commit(tx).await.unwrap();
    assert_eq!(
        bodies::get(&s, id).await.unwrap().name,
        "Raad van Commissarissen"
    );

    let mut tx = s.begin().await.unwrap();
    let dup = BodyDraft {
        code: BodyCode::parse("MSB").unwrap(),
        ..input
    };
    assert!(matches!(
        bodies::create(&mut tx, &admin(), &dup).await,
        Err(StoreError::Duplicate(_))
    ));
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn vakgroepen_are_created_and_versioned(pool: PgPool) {
    let s = store(pool);
    let input = VakgroepDraft {
        code: VakgroepCode::parse("kno").unwrap(),
        name: "KNO".into(),
        kind: VakgroepKind::Poort,
        active: true,
    };
    let mut tx = s.begin().await.unwrap();
    let id = vakgroepen::create(&mut tx, &admin(), &input).await.unwrap();
    gg_store::commit(tx).await.unwrap();
    let v = vakgroepen::get(&s, id).await.unwrap();
    assert_eq!(v.code, "KNO");
    let inactive = VakgroepDraft {
        active: false,
        ..input.clone()
    };
    let mut tx = s.begin().await.unwrap();
    vakgroepen::update(&mut tx, &admin(), id, v.version, &inactive)
        .await
        .unwrap();
    assert!(matches!(
        vakgroepen::update(&mut tx, &admin(), id, v.version, &inactive).await,
        Err(StoreError::Conflict)
    ));
    gg_store::commit(tx).await.unwrap();
    assert!(!vakgroepen::get(&s, id).await.unwrap().active);
    let mut tx = s.begin().await.unwrap();
    assert!(matches!(
        vakgroepen::create(&mut tx, &admin(), &input).await,
        Err(StoreError::Duplicate(_))
    ));
}
