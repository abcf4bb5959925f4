mod common;

use common::{admin, store};
use gg_store::production::{self, ImportOutcome, ImportRequest, Progress};
use gg_store::{Invalid, PgPool, Store, StoreError};
use sqlx::Connection;
use sqlx::types::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Vakgroepen CAR and LON with products 1001–1003 and 2001–2002.
async fn master_data(pool: &PgPool) {
    sqlx::raw_sql(
        "INSERT INTO vakgroep (code, name, kind) VALUES ('CAR', 'Cardiologie', 'poortspecialisme'),
                                                        ('LON', 'Longziekten', 'poortspecialisme');
         INSERT INTO care_product (vakgroep_id, code)
         SELECT v.id, c FROM vakgroep v, unnest(ARRAY['1001','1002','1003']) c WHERE v.code = 'CAR';
         INSERT INTO care_product (vakgroep_id, code)
         SELECT v.id, c FROM vakgroep v, unnest(ARRAY['2001','2002']) c WHERE v.code = 'LON';",
    )
    .execute(pool)
    .await
    .unwrap();
}

async fn run(s: &Store, year: i16, period: i16, data: &[u8]) -> ImportOutcome {
    production::import(
        s,
        &admin(),
        ImportRequest {
            year,
            period,
            source_name: "dwh-extract.csv",
            data,
        },
        |_| {},
    )
    .await
    .unwrap()
}

async fn period(s: &Store, year: i16, period: i16) -> Vec<(String, String, Decimal)> {
    production::volumes(s, year, period)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.vakgroep_code.to_string(), v.product_code, v.volume))
        .collect()
}

fn row(v: &str, p: &str, vol: &str) -> (String, String, Decimal) {
    (v.into(), p.into(), dec(vol))
}

const GOOD_SEMICOLON: &[u8] =
    b"\xEF\xBB\xBFVakgroep;Zorgproduct;Volume\r\nCAR;1001;12,5\r\ncar;1002;3\r\nLON;2001;0\r\n";
const GOOD_COMMA: &str =
    "omschrijving,AANTAL,specialisme,zorgactiviteit\n\"Consult, eerste\",7.25,LON,2002\n";

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn good_files_in_both_dialects(pool: PgPool) {
    master_data(&pool).await;
    let s = store(pool.clone());
    let mut seen = Vec::new();
    let out = production::import(
        &s,
        &admin(),
        ImportRequest {
            year: 2025,
            period: 3,
            source_name: "maart.csv",
            data: GOOD_SEMICOLON,
        },
        |p| seen.push(p),
    )
    .await
    .unwrap();
    let ImportOutcome::Imported(summary) = out else {
        panic!("{out:?}")
    };
    assert_eq!(summary.lines, 3);
    assert_eq!(summary.vakgroepen, 2);
    assert_eq!(summary.total_volume, dec("15.5"));
    assert_eq!(summary.replaced_import_id, None);
    assert!(seen.contains(&Progress::Parsed { lines: 4 }));
    assert!(seen.contains(&Progress::Loaded { lines: 3, total: 3 }));
    assert_eq!(seen.last(), Some(&Progress::Saving));
    assert_eq!(
        period(&s, 2025, 3).await,
        vec![
            row("CAR", "1001", "12.5"),
            row("CAR", "1002", "3"),
            row("LON", "2001", "0")
        ]
    );

    let out = run(&s, 2025, 4, GOOD_COMMA.as_bytes()).await;
    assert!(matches!(out, ImportOutcome::Imported(_)), "{out:?}");
    assert_eq!(period(&s, 2025, 4).await, vec![row("LON", "2002", "7.25")]);

    let history = production::imports(&s, Some(2025)).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].source_name, "maart.csv");
    assert_eq!(history[1].line_count, 3);
    assert_eq!(history[1].file_sha256.len(), 64);
    let audit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE object_type = 'production_import'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audit, 2);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn every_bad_line_is_reported_and_nothing_changes(pool: PgPool) {
    master_data(&pool).await;
    let s = store(pool.clone());
    assert!(matches!(
        run(&s, 2025, 3, GOOD_SEMICOLON).await,
        ImportOutcome::Imported(_)
    ));
    let before = period(&s, 2025, 3).await;

    let bad = "vakgroep;zorgproduct;aantal\n\
               CAR;1001;1\n\
               XYZ;1001;1\n\
               CAR;9999;1\n\
               CAR;1002;-4\n\
               CAR;1003;veel\n\
               ;2001;1\n\
               LON;2001;2\n\
               lon;2001;3\n";
    let out = run(&s, 2025, 3, bad.as_bytes()).await;
    let ImportOutcome::Rejected { errors, total } = out else {
        panic!("{out:?}")
    };
    let got: Vec<(usize, Option<&str>)> = errors
        .iter()
        .map(|e| (e.line, e.column.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (3, Some("vakgroep")),
            (4, Some("zorgproduct")),
            (5, Some("aantal")),
            (6, Some("aantal")),
            (7, Some("vakgroep")),
            (9, Some("zorgproduct")),
        ]
    );
    assert_eq!(total, 6);
    assert_eq!(errors[0].reason, "Onbekende vakgroep \"XYZ\".");
    assert_eq!(
        errors[1].reason,
        "Onbekend zorgproduct \"9999\" bij vakgroep CAR."
    );
    assert!(errors[2].reason.starts_with("Negatief volume"));
    assert!(errors[3].reason.contains("geen getal"));
    assert!(errors[5].reason.contains("regel 8"));

    assert_eq!(period(&s, 2025, 3).await, before);
    assert_eq!(production::imports(&s, None).await.unwrap().len(), 1);

    // A bad header is reported on line 1, and a file without lines is refused too.
    let out = run(&s, 2025, 3, b"vakgroep;product;kleur\nCAR;1001;1\n").await;
    let ImportOutcome::Rejected { errors, .. } = out else {
        panic!("{out:?}")
    };
    assert!(errors.iter().all(|e| e.line == 1));
    assert!(matches!(
        run(&s, 2025, 5, b"vakgroep;zorgproduct;volume\r\n").await,
        ImportOutcome::Rejected { .. }
    ));
    assert_eq!(period(&s, 2025, 3).await, before);

    // A period outside 1-12.
    let r = production::import(
        &s,
        &admin(),
        ImportRequest {
            year: 2025,
            period: 13,
            source_name: "x.csv",
            data: GOOD_SEMICOLON,
        },
        |_| {},
    )
    .await;
    assert!(matches!(r, Err(StoreError::Invalid(Invalid::Period(_)))));
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn huge_volumes_are_refused_not_a_panic(pool: PgPool) {
    master_data(&pool).await;
    let s = store(pool.clone());
    run(&s, 2025, 3, GOOD_SEMICOLON).await;
    let before = period(&s, 2025, 3).await;
    // Valid numbers of 28 digits: summing three of them used to overflow and panic.
    let huge = "9".repeat(28);
    let file =
        format!("vakgroep;zorgproduct;volume\nCAR;1001;{huge}\nCAR;1002;{huge}\nCAR;1003;{huge}\n");
    let out = run(&s, 2025, 3, file.as_bytes()).await;
    let ImportOutcome::Rejected { errors, total } = out else {
        panic!("{out:?}")
    };
    assert_eq!(total, 3);
    assert_eq!(
        (errors[0].line, errors[0].column.as_deref()),
        (2, Some("volume"))
    );
    assert!(
        errors[0].reason.contains("te groot"),
        "{}",
        errors[0].reason
    );
    assert_eq!(period(&s, 2025, 3).await, before);
    assert_eq!(production::imports(&s, None).await.unwrap().len(), 1);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn same_file_twice_changes_nothing_and_a_corrected_file_replaces_the_period(pool: PgPool) {
    master_data(&pool).await;
    let s = store(pool.clone());
    let ImportOutcome::Imported(first) = run(&s, 2025, 3, GOOD_SEMICOLON).await else {
        panic!()
    };
    // Another period of the same year stays untouched by what follows.
    run(&s, 2025, 4, GOOD_COMMA.as_bytes()).await;
    let audit = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit_log")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let audit_before = audit().await;

    let out = run(&s, 2025, 3, GOOD_SEMICOLON).await;
    let ImportOutcome::AlreadyImported { import_id, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!(import_id, first.import_id);
    assert_eq!(audit().await, audit_before);
    assert_eq!(production::imports(&s, None).await.unwrap().len(), 2);

    let corrected = "vakgroep;zorgproduct;volume\nCAR;1001;13\nLON;2002;1\n";
    let out = run(&s, 2025, 3, corrected.as_bytes()).await;
    let ImportOutcome::Imported(second) = out else {
        panic!("{out:?}")
    };
    assert_eq!(second.replaced_import_id, Some(first.import_id));
    assert_eq!(
        period(&s, 2025, 3).await,
        vec![row("CAR", "1001", "13"), row("LON", "2002", "1")]
    );
    assert_eq!(period(&s, 2025, 4).await, vec![row("LON", "2002", "7.25")]);
    let history = production::imports(&s, Some(2025)).await.unwrap();
    let old = history.iter().find(|i| i.id == first.import_id).unwrap();
    assert_eq!(old.replaced_by, Some(second.import_id));
    assert!(old.replaced_at.is_some());
    // The replaced import's rows are gone.
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM production_volume WHERE import_id = $1")
            .bind(first.import_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(left, 0);

    // A care product with volumes cannot be deleted or moved to another vakgroep.
    let mut tx = s.begin().await.unwrap();
    let p = sqlx::query_scalar::<_, i64>("SELECT id FROM care_product WHERE code = '1001'")
        .fetch_one(&mut *tx)
        .await
        .map(gg_store::domain::ids::CareProductId::new)
        .unwrap();
    let r = gg_store::budget::delete_care_product(&mut tx, &admin(), p, 1)
        .await
        .unwrap();
    assert!(
        matches!(&r, gg_store::budget::ProductDeletion::Refused(refs) if refs.volume_years == [2025]),
        "{r:?}"
    );
    drop(tx);
    let r = sqlx::query(
        "UPDATE care_product SET vakgroep_id = (SELECT id FROM vakgroep WHERE code = 'LON') WHERE code = '1001'",
    )
    .execute(&pool)
    .await;
    assert!(r.is_err());

    // Going back to the first file is a correction like any other.
    assert!(matches!(
        run(&s, 2025, 3, GOOD_SEMICOLON).await,
        ImportOutcome::Imported(_)
    ));
    assert_eq!(period(&s, 2025, 3).await.len(), 3);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn an_import_that_never_commits_leaves_the_old_data(pool: PgPool) {
    master_data(&pool).await;
    let s = store(pool.clone());
    run(&s, 2025, 3, GOOD_SEMICOLON).await;
    let before = period(&s, 2025, 3).await;

    // The whole swap happens, then the process dies before COMMIT (the transaction is dropped,
    // which is what the server sees when the client is killed).
    let mut tx = s.begin().await.unwrap();
    let out = production::import_in(
        &mut tx,
        &admin(),
        ImportRequest {
            year: 2025,
            period: 3,
            source_name: "nieuw.csv",
            data: b"vakgroep;zorgproduct;volume\nCAR;1003;99\n",
        },
        |_| {},
    )
    .await
    .unwrap();
    assert!(matches!(out, ImportOutcome::Imported(_)));
    let inside: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM production_volume pv JOIN production_import i ON i.id = pv.import_id
         WHERE i.year = 2025 AND i.period = 3 AND i.replaced_at IS NULL",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(inside, 1);
    drop(tx);

    assert_eq!(period(&s, 2025, 3).await, before);
    assert_eq!(production::imports(&s, None).await.unwrap().len(), 1);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_backend_killed_during_copy_leaves_the_old_data(pool: PgPool) {
    master_data(&pool).await;
    // Enough products and lines for several COPY chunks.
    sqlx::query(
        "INSERT INTO care_product (vakgroep_id, code)
         SELECT v.id, 'P' || g FROM vakgroep v, generate_series(1, 150000) g WHERE v.code = 'CAR'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let s = store(pool.clone());
    run(&s, 2025, 3, GOOD_SEMICOLON).await;
    let before = period(&s, 2025, 3).await;

    let mut big = String::from("vakgroep;zorgproduct;volume\n");
    for g in 1..=150_000 {
        big.push_str(&format!("CAR;P{g};{g},5\n"));
    }

    let mut conn = pool.acquire().await.unwrap();
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let options = (*pool.connect_options()).clone();
    let mut killed = false;
    let mut tx = conn.begin().await.unwrap();
    let r = production::import_in(
        &mut tx,
        &admin(),
        ImportRequest {
            year: 2025,
            period: 3,
            source_name: "groot.csv",
            data: big.as_bytes(),
        },
        |p| {
            // After the first chunk: terminate the importing backend from another connection,
            // and wait until that has happened.
            if let Progress::Loaded { lines, total } = p
                && lines < total
                && !killed
            {
                killed = true;
                let options = options.clone();
                std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async {
                        let mut c = sqlx::PgConnection::connect_with(&options).await.unwrap();
                        let done: bool =
                            sqlx::query_scalar("SELECT pg_terminate_backend($1, 5000)")
                                .bind(pid)
                                .fetch_one(&mut c)
                                .await
                                .unwrap();
                        assert!(done);
                    });
                })
                .join()
                .unwrap();
            }
        },
    )
    .await;
    assert!(killed);
    assert!(r.is_err(), "{r:?}");
    drop(tx);
    drop(conn);

    assert_eq!(period(&s, 2025, 3).await, before);
    assert_eq!(production::imports(&s, None).await.unwrap().len(), 1);
}

/// The year's baseline per care product (migration 0009) is the sum over the year's current
/// imports after every import, replacement and deletion: read as the engine reads it.
#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn the_years_baseline_follows_every_import(pool: PgPool) {
    master_data(&pool).await;
    let s = store(pool.clone());
    let baseline = || {
        let pool = pool.clone();
        async move {
            let exact: Vec<(String, Decimal)> = sqlx::query_as(
                "SELECT p.code, trim_scale(u.volume * 0.0001)
                 FROM production_year_volume y, unnest(y.care_product_ids, y.ten_thousandths) AS u (id, volume)
                 JOIN care_product p ON p.id = u.id WHERE y.year = 2025 ORDER BY p.code",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            let summed: Vec<(String, Decimal)> = sqlx::query_as(
                "SELECT p.code, sum(v.volume) FROM production_volume v
                 JOIN production_import i ON i.id = v.import_id AND i.replaced_at IS NULL
                 JOIN care_product p ON p.id = v.care_product_id
                 WHERE i.year = 2025 GROUP BY p.code ORDER BY p.code",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            assert_eq!(
                exact, summed,
                "the kept baseline is the sum of the current imports"
            );
            exact
        }
    };
    let volume = |rows: &[(String, Decimal)], code: &str| {
        rows.iter().find(|(c, _)| c == code).map(|(_, v)| *v)
    };
    // Period 1 alone, then replaced while it is the whole year (its volumes are not read back).
    run(
        &s,
        2025,
        1,
        b"vakgroep;zorgproduct;volume\nCAR;1001;4\nLON;2001;3\n",
    )
    .await;
    baseline().await;
    run(
        &s,
        2025,
        1,
        b"vakgroep;zorgproduct;volume\nCAR;1001;10\nCAR;1002;2\n",
    )
    .await;
    let rows = baseline().await;
    assert_eq!(
        volume(&rows, "2001"),
        None,
        "a product the year no longer has leaves it"
    );
    run(
        &s,
        2025,
        2,
        b"vakgroep;zorgproduct;volume\nCAR;1001;5\nLON;2001;7\n",
    )
    .await;
    run(&s, 2024, 2, b"vakgroep;zorgproduct;volume\nCAR;1001;1000\n").await;
    let rows = baseline().await;
    assert_eq!(volume(&rows, "1001"), Some(dec("15")));
    assert_eq!(volume(&rows, "2001"), Some(dec("7")));

    // A corrected file replaces period 1: 1002 drops out, 1001 changes.
    run(&s, 2025, 1, b"vakgroep;zorgproduct;volume\nCAR;1001;1,5\n").await;
    let rows = baseline().await;
    assert_eq!(volume(&rows, "1001"), Some(dec("6.5")));
    assert_eq!(volume(&rows, "1002"), None);

    // A rejected file changes nothing.
    run(&s, 2025, 2, b"vakgroep;zorgproduct;volume\nCAR;9999;1\n").await;
    assert_eq!(baseline().await, rows);

    // Deleting a current import by hand takes its volumes out of the year.
    sqlx::query(
        "DELETE FROM production_import WHERE year = 2025 AND period = 2 AND replaced_at IS NULL",
    )
    .execute(&pool)
    .await
    .unwrap();
    let rows = baseline().await;
    assert_eq!(volume(&rows, "1001"), Some(dec("1.5")));
    assert_eq!(volume(&rows, "2001"), None);
}

/// The budget revision (migration 0010) moves with a committed import and not with a rejected
/// one, so an engine input kept per revision is never stale.
#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn an_import_moves_the_budget_revision(pool: PgPool) {
    master_data(&pool).await;
    let s = store(pool.clone());
    let before = gg_store::budget::revision(&s).await.unwrap();
    run(&s, 2025, 1, b"vakgroep;zorgproduct;volume\nCAR;9999;1\n").await;
    assert_eq!(gg_store::budget::revision(&s).await.unwrap(), before);
    run(&s, 2025, 1, b"vakgroep;zorgproduct;volume\nCAR;1001;1\n").await;
    let after = gg_store::budget::revision(&s).await.unwrap();
    assert!(after > before);
    run(&s, 2025, 1, b"vakgroep;zorgproduct;volume\nCAR;1001;1\n").await;
    assert_eq!(
        gg_store::budget::revision(&s).await.unwrap(),
        after,
        "the same file again changes nothing"
    );
}

/// Two periods of one year imported at the same time: both land, and the year's baseline holds
/// both (their refreshes take turns).
#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn two_periods_of_a_year_imported_at_once_both_count(pool: PgPool) {
    master_data(&pool).await;
    let s = store(pool.clone());
    for i in 0..5 {
        let first = format!(
            "vakgroep;zorgproduct;volume\nCAR;1001;{}\nCAR;1002;1\n",
            10 + i
        );
        let second = format!(
            "vakgroep;zorgproduct;volume\nCAR;1001;{}\nLON;2001;7\n",
            5 + i
        );
        let (a, b) = tokio::join!(
            run(&s, 2025, 1, first.as_bytes()),
            run(&s, 2025, 2, second.as_bytes()),
        );
        assert!(matches!(a, ImportOutcome::Imported(_)), "{a:?}");
        assert!(matches!(b, ImportOutcome::Imported(_)), "{b:?}");
    }
    let rows: Vec<(String, Decimal)> = sqlx::query_as(
        "SELECT p.code, trim_scale(u.volume * 0.0001)
         FROM production_year_volume y, unnest(y.care_product_ids, y.ten_thousandths) AS u (id, volume)
         JOIN care_product p ON p.id = u.id WHERE y.year = 2025 ORDER BY p.code",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ("1001".to_string(), dec("23")),
            ("1002".to_string(), dec("1")),
            ("2001".to_string(), dec("7")),
        ]
    );
}
