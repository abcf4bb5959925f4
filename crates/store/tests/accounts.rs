mod common;

use common::{admin, create, person, store};
use gg_store::{PgPool, accounts};
use time::{Duration, OffsetDateTime};

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn failures_are_counted_per_account_and_per_address(pool: PgPool) {
    let s = store(pool);
    for _ in 0..3 {
        accounts::record_login_failure(&s, "a@x.nl", "10.0.0.1")
            .await
            .unwrap();
    }
    accounts::record_login_failure(&s, "b@x.nl", "10.0.0.1")
        .await
        .unwrap();
    accounts::record_login_failure(&s, "a@x.nl", "10.0.0.2")
        .await
        .unwrap();
    let since = OffsetDateTime::now_utc() - Duration::minutes(15);
    let (account, address) = accounts::login_failures_since(&s, "a@x.nl", "10.0.0.1", since, None)
        .await
        .unwrap();
    assert_eq!((account.len(), address.len()), (4, 4));

    accounts::clear_login_failures(&s, "a@x.nl").await.unwrap();
    let (account, address) = accounts::login_failures_since(&s, "a@x.nl", "10.0.0.1", since, None)
        .await
        .unwrap();
    assert_eq!(
        (account.len(), address.len()),
        (0, 1),
        "the address keeps the other account's failure"
    );

    let later = OffsetDateTime::now_utc() + Duration::minutes(1);
    let (_, address) = accounts::login_failures_since(&s, "a@x.nl", "10.0.0.1", later, None)
        .await
        .unwrap();
    assert!(address.is_empty());
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_password_link_works_once_and_a_new_one_replaces_it(pool: PgPool) {
    let s = store(pool);
    let id = create(&s, &person("c@rijnoever.example", &[])).await;
    let mut tx = s.begin().await.unwrap();
    accounts::create_password_link(&mut tx, &admin(), b"eerste", id.into())
        .await
        .unwrap();
    accounts::create_password_link(&mut tx, &admin(), b"tweede", id.into())
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();

    let first = accounts::find_password_link(&s, b"eerste")
        .await
        .unwrap()
        .unwrap();
    assert!(
        first.used_at.is_some(),
        "a newer link retires the older one"
    );
    let second = accounts::find_password_link(&s, b"tweede")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((second.person_id.get(), second.used_at), (id, None));

    let mut tx = s.begin().await.unwrap();
    assert!(
        accounts::use_password_link(&mut tx, b"tweede")
            .await
            .unwrap()
    );
    assert!(
        !accounts::use_password_link(&mut tx, b"tweede")
            .await
            .unwrap()
    );
    gg_store::commit(tx).await.unwrap();
    assert!(
        accounts::find_password_link(&s, b"onbekend")
            .await
            .unwrap()
            .is_none()
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn sessions_can_be_touched_and_ended(pool: PgPool) {
    let s = store(pool.clone());
    let id = create(&s, &person("d@rijnoever.example", &[])).await;
    let mut tx = s.begin().await.unwrap();
    accounts::create_session(&mut tx, b"s", id.into(), "127.0.0.1")
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    sqlx::query("UPDATE session SET last_seen_at = now() - interval '10 minutes'")
        .execute(&pool)
        .await
        .unwrap();
    let before = accounts::find_session(&s, b"s")
        .await
        .unwrap()
        .unwrap()
        .last_seen_at;
    accounts::touch_session(&s, b"s").await.unwrap();
    let after = accounts::find_session(&s, b"s")
        .await
        .unwrap()
        .unwrap()
        .last_seen_at;
    assert!(after > before + Duration::minutes(9));
    accounts::delete_session(&s, b"s").await.unwrap();
    assert!(accounts::find_session(&s, b"s").await.unwrap().is_none());
}
