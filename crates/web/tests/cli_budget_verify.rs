//! `gelijkgericht budget verify` on the demo hospital: the real binary against a fresh test
//! database. The demo's adopted 2026 budget checks out; a snapshot or an allocation row changed by
//! hand (past the append-only triggers, as someone with the database's owner rights could) makes
//! it exit 1 naming the adopted budget and what does not match.

mod e2e_support;

use e2e_support::{run_cli, url_of};
use store::{PgPool, Store};

async fn verify(url: &str) -> (Option<i32>, String) {
    run_cli(url, &["budget", "verify"]).await
}

/// Runs `sql` with the append-only triggers of `table` switched off, as a tamperer would.
async fn by_hand(pool: &PgPool, table: &str, sql: String) {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER TABLE {table} DISABLE TRIGGER USER"
    )))
    .execute(&mut *tx)
    .await
    .unwrap();
    let changed = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 1, "{sql}");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER TABLE {table} ENABLE TRIGGER USER"
    )))
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_demo_budget_verifies_and_a_change_by_hand_is_named(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    demo::load(&store).await.unwrap();
    demo::budget::load(&store).await.unwrap();
    let url = url_of(&pool).await;

    let (code, text) = verify(&url).await;
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("Adopted budgets intact: 1 checked"), "{text}");

    // One cent moved in an allocation row.
    let (id, vakgroep): (i64, i64) = sqlx::query_as(
        "SELECT adoption_id, vakgroep_id FROM budget_adoption_allocation ORDER BY vakgroep_id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    by_hand(
        &pool,
        "budget_adoption_allocation",
        format!(
            "UPDATE budget_adoption_allocation SET allocation = allocation + 0.01
             WHERE adoption_id = {id} AND vakgroep_id = {vakgroep}"
        ),
    )
    .await;
    let (code, text) = verify(&url).await;
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "Budget verification FAILED at adopted budget {id} (2026, Begroting): the allocation rows do not match the snapshot."
        )),
        "{text}"
    );
    by_hand(
        &pool,
        "budget_adoption_allocation",
        format!(
            "UPDATE budget_adoption_allocation SET allocation = allocation - 0.01
             WHERE adoption_id = {id} AND vakgroep_id = {vakgroep}"
        ),
    )
    .await;
    assert_eq!(verify(&url).await.0, Some(0));

    // The fee budget in the snapshot changed: its hash no longer matches.
    by_hand(
        &pool,
        "budget_adoption",
        format!(
            "UPDATE budget_adoption SET snapshot = replace(snapshot, '\"48000000', '\"49000000')
             WHERE id = {id}"
        ),
    )
    .await;
    let (code, text) = verify(&url).await;
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "Budget verification FAILED at adopted budget {id}"
        )),
        "{text}"
    );
    assert!(text.contains("hash"), "{text}");
}
