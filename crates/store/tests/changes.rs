//! The page cache's invalidation (migration 0027): every table but the listed few announces its
//! changes on `gg_change`, once per transaction and only at commit.

mod common;

use common::store;
use gg_store::PgPool;
use gg_store::live::{Listener, Signal, UNANNOUNCED_TABLES};
use std::time::Duration;

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn every_table_announces_its_changes_but_the_listed_few(pool: PgPool) {
    let rows: Vec<(String, bool)> = sqlx::query_as(
        "SELECT c.relname::text,
                EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'gg_changed')
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
         ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(rows.len() > 50, "{rows:?}");
    for (table, announced) in &rows {
        let listed = UNANNOUNCED_TABLES.contains(&table.as_str());
        assert!(
            announced ^ listed,
            "table {table}: give it the gg_changed trigger (see migration 0027) or list it in store::live::UNANNOUNCED_TABLES with the reason"
        );
    }
}

async fn next(listener: &mut Listener) -> Option<Signal> {
    tokio::time::timeout(Duration::from_millis(500), listener.next())
        .await
        .ok()
        .flatten()
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_transaction_announces_once_at_commit_and_not_on_rollback(pool: PgPool) {
    let s = store(pool.clone());
    let mut listener = Listener::changes(&s);
    assert_eq!(next(&mut listener).await, Some(Signal::Resync));

    let mut tx = s.begin().await.unwrap();
    for code in ["X1", "X2", "X3"] {
        sqlx::query("INSERT INTO setting (key, value) VALUES ($1, 'v')")
            .bind(code)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    assert_eq!(next(&mut listener).await, None, "nothing before commit");
    gg_store::commit(tx).await.unwrap();
    assert_eq!(next(&mut listener).await, Some(Signal::Changed));
    assert_eq!(next(&mut listener).await, None, "one per transaction");

    let mut tx = s.begin().await.unwrap();
    sqlx::query("DELETE FROM setting WHERE key = 'X1'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(next(&mut listener).await, None, "nothing on rollback");

    // A request touching its session changes no page.
    sqlx::query("UPDATE session SET last_seen_at = now()")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(next(&mut listener).await, None);
}
