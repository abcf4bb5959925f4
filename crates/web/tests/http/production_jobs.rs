//! Background production imports live in PostgreSQL (issue #17): any instance shows a job that
//! another runs, every rejected line is downloadable as CSV, a job whose instance died reads as
//! abandoned, and old jobs are deleted.

use crate::production::{follow, products, start};
use crate::support::*;
use axum::http::StatusCode;
use domain::ids::ImportJobId;
use gg_web::config::Config;
use store::PgPool;
use store::audit::Who;
use store::production::jobs::{self, NewJob};

/// A second app instance on the same database: its own state (caches, hub), the same sessions.
async fn second_instance(a: &Client) -> Client {
    let state = gg_web::app::state(a.store.clone(), Config::for_tests("postgres://unused"))
        .await
        .expect("state");
    Client {
        router: gg_web::app::build(state),
        store: a.store.clone(),
        cookies: a.cookies.clone(),
        ip: a.ip,
    }
}

fn job_of(status_page: &str) -> ImportJobId {
    status_page
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("a job id in the status page's path")
}

/// The CSV's records without the BOM, split on semicolons (quoted fields kept whole).
fn records(res: &Response) -> Vec<Vec<String>> {
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let ct = res.headers.get("content-type").unwrap().to_str().unwrap();
    assert_eq!(ct, "text/csv; charset=utf-8");
    let disposition = res.headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"productie-2025-"),
        "{disposition}"
    );
    assert!(
        res.bytes
            .starts_with(b"\xEF\xBB\xBFregel;kolom;reden;inhoud\r\n")
    );
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(true)
        .from_reader(&res.bytes[3..]);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_import_on_one_instance_is_followed_on_another(pool: PgPool) {
    let mut a = app(pool).await;
    products(&a).await;
    a.sign_in_as(CONTROLLER).await;
    let mut b = second_instance(&a).await;

    let good = b"vakgroep;zorgproduct;volume\nCAR;990004006;12,5\nCAR;990004007;3\n";
    let status_page = start(&mut a, "6", good).await;
    // B has never heard of the job in its memory, yet shows it, while running and after.
    let done = follow(&mut [&mut b, &mut a], &status_page).await;
    assert!(
        done.body.contains("Geïmporteerd: 2 regels"),
        "{}",
        done.body
    );
    let on_b = b.get(&status_page).await;
    assert!(
        on_b.body.contains("Geïmporteerd: 2 regels"),
        "{}",
        on_b.body
    );

    // A rejected file: its lines on B's page and in B's CSV, with the file's text of each line.
    let bad = b"vakgroep;zorgproduct;volume\nCAR;990004006;1\nXYZ;1;3\r\nCAR;990004007;-1\n";
    let status_page = start(&mut a, "6", bad).await;
    let page = follow(&mut [&mut b, &mut a], &status_page).await;
    assert!(page.body.contains("Niet geïmporteerd"), "{}", page.body);
    assert!(page.body.contains("Onbekende vakgroep"), "{}", page.body);
    assert!(page.body.contains(&format!("{status_page}/fouten.csv")));
    let csv = records(&b.get(&format!("{status_page}/fouten.csv")).await);
    assert_eq!(csv.len(), 2, "{csv:?}");
    assert_eq!(
        csv[0],
        ["3", "vakgroep", "Onbekende vakgroep \"XYZ\".", "XYZ;1;3"]
    );
    assert_eq!(csv[1][..2], ["4", "volume"]);
    assert!(csv[1][2].starts_with("Negatief volume"), "{csv:?}");
    assert_eq!(csv[1][3], "CAR;990004007;-1");
    // A's answer is the same file.
    let from_a = a.get(&format!("{status_page}/fouten.csv")).await;
    let from_b = b.get(&format!("{status_page}/fouten.csv")).await;
    assert_eq!(from_a.bytes, from_b.bytes);
    assert_eq!(
        store::production::volumes(&a.store, 2025, 6)
            .await
            .unwrap()
            .len(),
        2,
        "the earlier import is untouched"
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_waiting_import_is_shown_running_everywhere_and_keeps_its_heartbeat(pool: PgPool) {
    let mut a = app(pool.clone()).await;
    products(&a).await;
    a.sign_in_as(CONTROLLER).await;
    let mut b = second_instance(&a).await;
    // Another import of the period holds the period's lock (as store::production takes it).
    let mut holder = pool.begin().await.unwrap();
    sqlx::query("SELECT pg_advisory_xact_lock(7264002, 202511)")
        .execute(&mut *holder)
        .await
        .unwrap();
    let good = b"vakgroep;zorgproduct;volume\nCAR;990004006;2\n";
    let status_page = start(&mut a, "11", good).await;
    let waiting = b.get(&status_page).await;
    assert!(
        waiting.body.contains("wacht op zijn beurt"),
        "{}",
        waiting.body
    );
    assert!(waiting.body.contains("http-equiv=\"refresh\""));
    let progress = b.get(&format!("{status_page}/voortgang")).await;
    assert!(
        progress.body.contains("\"klaar\":false"),
        "{}",
        progress.body
    );

    // Waiting makes no progress, but the heartbeat goes on: the job does not go stale.
    tokio::time::sleep(std::time::Duration::from_millis(6_000)).await;
    let beat: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM updated_at - started_at)::float8 FROM import_job WHERE id = $1",
    )
    .bind(job_of(&status_page).get())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(beat >= 4.0, "heartbeat {beat} s after the start");

    holder.commit().await.unwrap();
    let done = follow(&mut [&mut b, &mut a], &status_page).await;
    assert!(
        done.body.contains("Geïmporteerd: 1 regels"),
        "{}",
        done.body
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn every_rejected_line_is_kept_and_downloadable(pool: PgPool) {
    let mut c = app(pool).await;
    products(&c).await;
    c.sign_in_as(CONTROLLER).await;
    // Far more than the thousand the page lists and than one page of the CSV's reads: bad
    // volumes (found while reading) and unknown products (found by the database) mixed.
    let mut file = b"vakgroep;zorgproduct;volume\n".to_vec();
    let total = 12_345;
    for i in 0..total {
        if i % 2 == 0 {
            file.extend(format!("CAR;990004006;-{}\n", i + 1).as_bytes());
        } else {
            file.extend(format!("LON;ONBEKEND-{i};1\n").as_bytes());
        }
    }
    let status_page = start(&mut c, "7", &file).await;
    let page = follow(&mut [&mut c], &status_page).await;
    assert!(
        page.body.contains("de eerste 1.000 van 12.345"),
        "{}",
        page.body
    );
    assert!(page.body.contains("(12.345 in totaal)"), "{}", page.body);
    assert_eq!(page.body.matches("<td class=\"num\">").count(), 1000);

    let csv = records(&c.get(&format!("{status_page}/fouten.csv")).await);
    assert_eq!(csv.len(), total);
    for (i, record) in csv.iter().enumerate() {
        assert_eq!(
            record[0],
            (i + 2).to_string(),
            "in line order, none left out"
        );
        if i % 2 == 0 {
            assert_eq!(record[1], "volume");
            assert_eq!(record[3], format!("CAR;990004006;-{}", i + 1));
        } else {
            assert_eq!(record[1], "zorgproduct");
            assert!(record[2].contains(&format!("ONBEKEND-{i}")), "{record:?}");
        }
    }
    assert!(
        store::production::volumes(&c.store, 2025, 7)
            .await
            .unwrap()
            .is_empty()
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_job_whose_instance_went_silent_reads_as_abandoned(pool: PgPool) {
    let mut a = app(pool).await;
    a.sign_in_as(CONTROLLER).await;
    let mut b = second_instance(&a).await;
    let new = NewJob {
        year: 2025,
        period: 8,
        file_name: "productie.csv",
        lines_in_file: 1_000,
    };
    // A job as an instance killed halfway leaves it: running, heartbeat stopped.
    let dead = jobs::create(&a.store, &Who::system("test"), new)
        .await
        .unwrap();
    jobs::report(&a.store, dead, Some(store::production::Progress::Saving))
        .await
        .unwrap();
    let path = format!("/begroting/productie/taken/{dead}");
    let running = b.get(&path).await;
    assert!(
        running.body.contains("Codes controleren"),
        "{}",
        running.body
    );
    assert!(running.body.contains("http-equiv=\"refresh\""));
    assert!(
        running.body.contains(&format!("href=\"{path}\"")),
        "a reload link"
    );

    sqlx::query("UPDATE import_job SET updated_at = now() - interval '3 minutes' WHERE id = $1")
        .bind(dead.get())
        .execute(a.store.pool())
        .await
        .unwrap();
    for c in [&mut a, &mut b] {
        let page = c.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Afgebroken"), "{}", page.body);
        assert!(!page.body.contains("http-equiv=\"refresh\""));
        let progress = c.get(&format!("{path}/voortgang")).await;
        assert!(
            progress.body.contains("\"klaar\":true"),
            "{}",
            progress.body
        );
    }
    // The next job writes the verdict into the row.
    jobs::create(&a.store, &Who::system("test"), new)
        .await
        .unwrap();
    let state: String = sqlx::query_scalar("SELECT state FROM import_job WHERE id = $1")
        .bind(dead.get())
        .fetch_one(a.store.pool())
        .await
        .unwrap();
    assert_eq!(state, "afgebroken");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn old_jobs_and_their_lines_are_deleted_when_an_import_starts(pool: PgPool) {
    let mut c = app(pool).await;
    products(&c).await;
    c.sign_in_as(CONTROLLER).await;
    let bad = b"vakgroep;zorgproduct;volume\nCAR;990004006;-1\n";
    let old = start(&mut c, "9", bad).await;
    follow(&mut [&mut c], &old).await;
    let old = job_of(&old);
    sqlx::query("UPDATE import_job SET started_at = now() - interval '31 days' WHERE id = $1")
        .bind(old.get())
        .execute(c.store.pool())
        .await
        .unwrap();
    let recent = start(&mut c, "9", bad).await;
    follow(&mut [&mut c], &recent).await;
    let left: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM import_job WHERE id = $1),
                (SELECT count(*) FROM import_job_error WHERE job_id = $1)",
    )
    .bind(old.get())
    .fetch_one(c.store.pool())
    .await
    .unwrap();
    assert_eq!(left, (0, 0));
    assert_eq!(
        c.get(&format!("/begroting/productie/taken/{old}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(c.get(&recent).await.status, StatusCode::OK);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn what_is_not_a_job_answers_like_a_missing_one(pool: PgPool) {
    let mut c = app(pool).await;
    products(&c).await;
    c.sign_in_as(CONTROLLER).await;
    let good = b"vakgroep;zorgproduct;volume\nCAR;990004006;1\n";
    let status_page = start(&mut c, "10", good).await;
    follow(&mut [&mut c], &status_page).await;
    let job = job_of(&status_page);
    // Another object's id: a vakgroep that exists.
    let vakgroep: i64 = sqlx::query_scalar("SELECT max(id) FROM vakgroep WHERE id <> $1")
        .bind(job.get())
        .fetch_one(c.store.pool())
        .await
        .unwrap();
    let missing = c.get("/begroting/productie/taken/987654321").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let other_ids = [
        (job.get() + 1).to_string(),
        vakgroep.to_string(),
        "-1".into(),
        "abc".into(),
        "1.0".into(),
        "99999999999999999999".into(),
    ];
    for id in other_ids {
        for tail in ["", "/voortgang", "/fouten.csv"] {
            let res = c
                .get(&format!("/begroting/productie/taken/{id}{tail}"))
                .await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{id}{tail}");
            assert_eq!(res.body, missing.body, "{id}{tail}");
        }
    }
    // Who may not import sees no job, existing or not: the same refusal.
    c.cookies.clear();
    c.sign_in_as(VAKGROEP).await;
    for tail in ["", "/voortgang", "/fouten.csv"] {
        let existing = c.get(&format!("{status_page}{tail}")).await;
        let missing = c
            .get(&format!("/begroting/productie/taken/987654321{tail}"))
            .await;
        assert_eq!(existing.status, StatusCode::FORBIDDEN);
        assert_eq!(existing.status, missing.status);
        assert_eq!(existing.body, missing.body);
    }
}
