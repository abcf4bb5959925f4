mod common;

use common::{admin, store};
use gg_store::audit::{self, AuditFilter, Change, Verification};
use gg_store::domain::audit::ChainBreak;
use gg_store::{PgPool, Store};

async fn write(store: &Store, n: usize) {
    for i in 0..n {
        let mut tx = store.begin().await.unwrap();
        let change = Change::new("thing", i, "update")
            .before(serde_json::json!({"n": i}))
            .after(serde_json::json!({"n": i + 1, "tekst": "één|twee;3:"}));
        audit::record(&mut tx, &admin(), change).await.unwrap();
        gg_store::commit(tx).await.unwrap();
    }
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn an_untouched_trail_verifies(pool: PgPool) {
    let s = store(pool);
    assert_eq!(
        audit::verify(&s).await.unwrap(),
        Verification::Intact { rows: 0 }
    );
    write(&s, 12).await;
    assert_eq!(
        audit::verify(&s).await.unwrap(),
        Verification::Intact { rows: 12 }
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn the_database_refuses_update_delete_and_truncate(pool: PgPool) {
    let s = store(pool.clone());
    write(&s, 2).await;
    for sql in [
        "UPDATE audit_log SET action = 'x' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
        "TRUNCATE audit_log",
    ] {
        let err = sqlx::query(sql).execute(&pool).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(
        audit::verify(&s).await.unwrap(),
        Verification::Intact { rows: 2 }
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_tampered_row_is_named(pool: PgPool) {
    let s = store(pool.clone());
    write(&s, 5).await;
    // Only someone who can switch the trigger off can change a row, and verify still sees it.
    sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_immutable")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(r#"UPDATE audit_log SET after = '{"n": 99}' WHERE seq = 3"#)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_immutable")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify(&s).await.unwrap(),
        Verification::Broken {
            rows_checked: 2,
            at: ChainBreak::Content { seq: 3 }
        }
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_removed_row_breaks_the_chain(pool: PgPool) {
    let s = store(pool.clone());
    write(&s, 5).await;
    sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_immutable")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_immutable")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify(&s).await.unwrap(),
        Verification::Broken {
            rows_checked: 1,
            at: ChainBreak::Link { seq: 3 }
        }
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn an_entry_lives_and_dies_with_its_transaction(pool: PgPool) {
    let s = store(pool);
    let mut tx = s.begin().await.unwrap();
    audit::record(&mut tx, &admin(), Change::new("thing", 1, "create"))
        .await
        .unwrap();
    drop(tx); // rolled back
    write(&s, 1).await;
    let (rows, _) = audit::list(&s, &AuditFilter::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].seq, 1,
        "a rolled-back entry leaves no gap in the chain"
    );
    assert_eq!(
        audit::verify(&s).await.unwrap(),
        Verification::Intact { rows: 1 }
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn concurrent_writers_chain_correctly(pool: PgPool) {
    let s = store(pool);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { write(&s, 5).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        audit::verify(&s).await.unwrap(),
        Verification::Intact { rows: 40 }
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn the_trail_can_be_filtered(pool: PgPool) {
    let s = store(pool);
    write(&s, 3).await;
    let mut tx = s.begin().await.unwrap();
    let who = gg_store::audit::Who {
        id: Some(7),
        label: "Anna de Vries <a@b.nl>".into(),
    };
    audit::record(&mut tx, &who, Change::new("person", 7, "disable"))
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();

    let only = |f: AuditFilter| {
        let s = s.clone();
        async move { audit::list(&s, &f, 50, 0).await.unwrap().0 }
    };
    assert_eq!(
        only(AuditFilter {
            actor: Some("anna".into()),
            ..Default::default()
        })
        .await
        .len(),
        1
    );
    assert_eq!(
        only(AuditFilter {
            object_type: Some("thing".into()),
            ..Default::default()
        })
        .await
        .len(),
        3
    );
    assert_eq!(
        only(AuditFilter {
            action: Some("disable".into()),
            object_id: Some("7".into()),
            ..Default::default()
        })
        .await
        .len(),
        1
    );
    let today = time::OffsetDateTime::now_utc().date();
    assert_eq!(
        only(AuditFilter {
            from: Some(today + time::Duration::days(2)),
            ..Default::default()
        })
        .await
        .len(),
        0
    );
    let (page, more) = audit::list(&s, &AuditFilter::default(), 2, 0)
        .await
        .unwrap();
    assert_eq!((page.len(), more), (2, true));
    assert_eq!(page[0].seq, 4, "newest first");
}
