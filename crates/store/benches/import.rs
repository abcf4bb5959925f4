//! End-to-end benchmark of the production import (product.md D2): a generated file of
//! 1,000,000 lines (40 vakgroepen × 25,000 care products) is parsed, checked, COPYed and swapped
//! in, first into an empty period and then again as a corrected file that replaces the period.
//! For comparison it then loads the same file with `psql \copy` into a plain table with the
//! file's three columns.
//!
//! Needs a PostgreSQL server where it may create and drop the database `gg_bench_import`:
//!
//! ```text
//! URL=$(scripts/pg-test-cluster.sh start /tmp/gg-bench-pg | tail -1)
//! DATABASE_URL=$URL cargo bench -p gg-store --bench import
//! ```
//!
//! `GG_BENCH_LINES` changes the number of lines (a multiple of 40); with `GG_BENCH_KEEP` set the
//! database is kept afterwards, to look at the plans. Results are in
//! `docs/production-import.md`.

use gg_store::audit::Who;
use gg_store::production::{self, ImportOutcome, ImportRequest, Progress};
use gg_store::{MIGRATOR, Store};
use sqlx::postgres::PgPoolOptions;
use std::io::Write as _;
use std::time::{Duration, Instant};

const VAKGROEPEN: usize = 40;
const DB: &str = "gg_bench_import";

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    format!("{}/{db}{query}", &base[..path_start])
}

fn generate(lines: usize, variant: u32) -> Vec<u8> {
    let per = lines / VAKGROEPEN;
    let mut out = Vec::with_capacity(lines * 24);
    out.extend_from_slice(b"vakgroep;zorgproduct;volume\n");
    for v in 1..=VAKGROEPEN {
        for p in 1..=per {
            let _ = writeln!(
                out,
                "V{v:02};ZP{p:07};{}.{}",
                (p * 7 + v + variant as usize) % 500,
                p % 10
            );
        }
    }
    out
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

async fn timed_import(store: &Store, data: &[u8], period: i16, label: &str) {
    let start = Instant::now();
    let mut parsed_at = None;
    let mut loaded_at = None;
    let out = production::import(
        store,
        &Who::system("benchmark"),
        ImportRequest {
            year: 2025,
            period,
            source_name: "bench.csv",
            data,
        },
        |p| match p {
            // The last Parsed report comes when the whole file is read.
            Progress::Parsed { .. } => parsed_at = Some(start.elapsed()),
            Progress::Saving => loaded_at = Some(start.elapsed()),
            _ => {}
        },
    )
    .await
    .expect("import");
    let total = start.elapsed();
    let ImportOutcome::Imported(summary) = out else {
        panic!("import not done: {out:?}")
    };
    let parsed = parsed_at.unwrap_or_default();
    let loaded = loaded_at.unwrap_or_default();
    println!(
        "{label}: {} lines in {} (hash + parse {}, COPY {}, check + swap + commit {})",
        summary.lines,
        secs(total),
        secs(parsed),
        secs(loaded - parsed),
        secs(total - loaded),
    );
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not, and a million-line import in
    // a debug build is not a test.
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("import bench: run it with cargo bench; skipped");
        return;
    }
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("import bench: set DATABASE_URL to a server where {DB} may be created; skipped");
        return;
    };
    let lines: usize = std::env::var("GG_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .expect("connect");
    sqlx::raw_sql("DROP DATABASE IF EXISTS gg_bench_import")
        .execute(&admin)
        .await
        .unwrap();
    sqlx::raw_sql("CREATE DATABASE gg_bench_import")
        .execute(&admin)
        .await
        .unwrap();
    let bench_url = with_database(&url, DB);
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&bench_url)
        .await
        .expect("connect to bench database");
    MIGRATOR.run(&pool).await.expect("migrate");

    let per = lines / VAKGROEPEN;
    let setup = Instant::now();
    sqlx::query(
        "INSERT INTO vakgroep (code, name, kind)
         SELECT 'V' || lpad(g::text, 2, '0'), 'Vakgroep ' || g, 'poortspecialisme' FROM generate_series(1, $1) g",
    )
    .bind(VAKGROEPEN as i32)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO care_product (vakgroep_id, code)
         SELECT v.id, 'ZP' || lpad(g::text, 7, '0') FROM vakgroep v, generate_series(1, $1) g",
    )
    .bind(per as i32)
    .execute(&pool)
    .await
    .unwrap();
    for sql in ["VACUUM ANALYZE care_product", "VACUUM ANALYZE vakgroep"] {
        sqlx::raw_sql(sql).execute(&pool).await.unwrap();
    }
    println!(
        "setup: {} care products in {}",
        per * VAKGROEPEN,
        secs(setup.elapsed())
    );

    let file = generate(lines, 0);
    let corrected = generate(lines, 1);
    let path = std::env::temp_dir().join("gg-bench-production.csv");
    std::fs::write(&path, &file).unwrap();
    println!(
        "file: {} lines, {:.1} MB",
        lines,
        file.len() as f64 / 1_000_000.0
    );

    let parse = Instant::now();
    let parsed = gg_store::domain::production::parse(&file, |_| {});
    assert!(parsed.errors.is_empty());
    println!("parse only: {}", secs(parse.elapsed()));
    drop(parsed);

    let store = Store::from_pool(pool.clone());
    timed_import(&store, &file, 1, "import into an empty period").await;
    timed_import(&store, &corrected, 1, "corrected file replacing the period").await;
    let again = Instant::now();
    let out = production::import(
        &store,
        &Who::system("benchmark"),
        ImportRequest {
            year: 2025,
            period: 1,
            source_name: "bench.csv",
            data: &corrected,
        },
        |_| {},
    )
    .await
    .unwrap();
    assert!(matches!(out, ImportOutcome::AlreadyImported { .. }));
    println!("same file again (no change): {}", secs(again.elapsed()));

    // Two tables for psql: the file's three columns as they are, and the same with a primary
    // key on (vakgroep, zorgproduct) — closer to production_volume, which has two indexes.
    for (table, ddl) in [
        (
            "psql_copy",
            "CREATE TABLE psql_copy (vakgroep text NOT NULL, zorgproduct text NOT NULL, volume numeric NOT NULL)",
        ),
        (
            "psql_copy_pk",
            "CREATE TABLE psql_copy_pk (vakgroep text NOT NULL, zorgproduct text NOT NULL, volume numeric NOT NULL,
                                        PRIMARY KEY (vakgroep, zorgproduct))",
        ),
    ] {
        sqlx::raw_sql(ddl).execute(&pool).await.unwrap();
        let copy = Instant::now();
        let status = std::process::Command::new("psql")
            .arg(&bench_url)
            .arg("-q")
            .arg("-c")
            .arg(format!(
                "\\copy {table} FROM '{}' WITH (FORMAT csv, HEADER true, DELIMITER ';')",
                path.display()
            ))
            .status();
        match status {
            Ok(s) if s.success() => println!(
                "psql \\copy of the same file into {table}: {}",
                secs(copy.elapsed())
            ),
            other => println!("psql \\copy into {table} not measured: {other:?}"),
        }
    }

    pool.close().await;
    let _ = std::fs::remove_file(&path);
    if std::env::var_os("GG_BENCH_KEEP").is_some() {
        println!("kept the database {DB} (GG_BENCH_KEEP)");
        return;
    }
    sqlx::raw_sql("DROP DATABASE IF EXISTS gg_bench_import")
        .execute(&admin)
        .await
        .unwrap();
}
