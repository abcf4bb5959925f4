//! The first view of a scenario page after a change (issue #17, item 4), in process, on a large
//! hospital of 40 vakgroepen × 5,000 care products (`GG_BENCH_BUDGET_PRODUCTS` changes the
//! products per vakgroep):
//!
//!     DATABASE_URL=postgres://… cargo bench -p gelijkgericht --bench first_view
//!
//! Each round makes one change through the store — one trend input accepted, one norm time
//! changed, the period's import replaced by a file that corrects one vakgroep's volumes, the
//! same with every vakgroep's volumes corrected, and a change no product reads (a vakgroep's
//! normuren saved as they are) — and times the controller's next request of the scenario page.
//! Prints each time and the median per change.

#[path = "bench_support/mod.rs"]
mod bench_support;
use bench_support::{fresh_database, session_for};

#[allow(dead_code)]
mod budget_seed;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::ids::{CareProductId, VakgroepId};
use gg_web::config::Config;
use http_body_util::BodyExt;
use rust_decimal::Decimal;
use std::time::Instant;
use store::Store;
use store::audit::Who;
use tower::ServiceExt;

const ROUNDS: usize = 7;

async fn first_view(router: &axum::Router, path: &str, session: &str) -> f64 {
    let request = Request::get(path)
        .header(header::COOKIE, format!("gg_session={session}"))
        .body(Body::empty())
        .unwrap();
    let t = Instant::now();
    let res = router.clone().oneshot(request).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.into_body().collect().await.unwrap();
    t.elapsed().as_secs_f64() * 1000.0
}

async fn accept_trend_input(store: &Store, vakgroep: VakgroepId, round: usize) {
    let mut tx = store.begin().await.unwrap();
    let value = Decimal::new(round as i64 + 1, 1);
    budget_seed::accepted_trend_input(&mut tx, vakgroep, value).await;
    store::commit(tx).await.unwrap();
}

async fn change_norm_time(store: &Store, product: CareProductId, round: usize) {
    let current = store::budget::norm_time(store.pool(), budget_seed::YEAR, product)
        .await
        .unwrap()
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    store::budget::set_norm_time(
        &mut tx,
        &Who::system("bench"),
        budget_seed::YEAR,
        product,
        Some(current.version),
        Decimal::new(100 + round as i64, 1),
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
}

/// The reference year's period 1 as a file, with the volumes of `vakgroepen` (codes) raised by
/// `round + 1`.
async fn corrected_file(store: &Store, vakgroepen: &[String], round: usize) -> String {
    let rows: Vec<(String, String, Decimal)> = sqlx::query_as(
        "SELECT v.code, p.code, pv.volume FROM production_import i
         JOIN production_volume pv ON pv.import_id = i.id
         JOIN care_product p ON p.id = pv.care_product_id JOIN vakgroep v ON v.id = p.vakgroep_id
         WHERE i.year = $1 AND i.period = 1 AND i.replaced_at IS NULL",
    )
    .bind(budget_seed::REFERENCE_YEAR)
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut csv = String::from("vakgroep;zorgproduct;volume\n");
    for (vakgroep, product, volume) in rows {
        let volume = if vakgroepen.contains(&vakgroep) {
            volume + Decimal::from(round + 1)
        } else {
            volume
        };
        csv.push_str(&format!("{vakgroep};{product};{volume}\n"));
    }
    csv
}

async fn replace_import(store: &Store, csv: &str) {
    let out = store::production::import(
        store,
        &Who::system("bench"),
        store::production::ImportRequest {
            year: budget_seed::REFERENCE_YEAR,
            period: 1,
            source_name: "correctie.csv",
            data: csv.as_bytes(),
        },
        |_| {},
    )
    .await
    .unwrap();
    assert!(matches!(out, store::production::ImportOutcome::Imported(_)));
}

fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("first_view bench: run it with cargo bench; skipped");
        return;
    }
    let base = std::env::var("DATABASE_URL")
        .expect("set DATABASE_URL to a PostgreSQL server that allows CREATE DATABASE");
    let products: usize = std::env::var("GG_BENCH_BUDGET_PRODUCTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = fresh_database(&base, "gg_bench_first_view").await;
        let store = Store::connect_lazy(&url, 10).unwrap();
        store.migrate().await.unwrap();
        demo::load(&store).await.unwrap();
        let t = Instant::now();
        let seeded = budget_seed::seed(&store, 40, products).await;
        sqlx::query("ANALYZE").execute(store.pool()).await.unwrap();
        println!(
            "seeded 40 vakgroepen × {products} care products in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let state = gg_web::app::state(store.clone(), Config::for_tests(&url))
            .await
            .unwrap();
        let router = gg_web::app::build(state);
        let controller = session_for(&store, "r.hendriks@rijnoever.example").await;
        let path = format!("/begroting/scenarios/{}", seeded.basis);
        let (first, product): (i64, i64) = sqlx::query_as(
            "SELECT v.id, min(p.id) FROM vakgroep v JOIN care_product p ON p.vakgroep_id = v.id
             WHERE v.code = 'BV00' GROUP BY v.id",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        let (first, product) = (VakgroepId::new(first), CareProductId::new(product));
        let all: Vec<String> = (0..40).map(|v| format!("BV{v:02}")).collect();

        for _ in 0..3 {
            first_view(&router, &path, &controller).await;
        }
        let kinds = [
            "one trend input accepted",
            "one norm time changed",
            "import replaced, one vakgroep corrected",
            "import replaced, every vakgroep corrected",
            "normuren saved unchanged (no product read)",
        ];
        let mut times = vec![Vec::new(); kinds.len()];
        for round in 0..ROUNDS {
            for (k, times) in times.iter_mut().enumerate() {
                match k {
                    0 => accept_trend_input(&store, first, round).await,
                    1 => change_norm_time(&store, product, round).await,
                    2 => {
                        let csv = corrected_file(&store, &all[..1], round).await;
                        replace_import(&store, &csv).await;
                    }
                    3 => {
                        let csv = corrected_file(&store, &all, round).await;
                        replace_import(&store, &csv).await;
                    }
                    _ => budget_seed::touch(&store).await,
                }
                times.push(first_view(&router, &path, &controller).await);
            }
        }
        let mut later: Vec<f64> = Vec::new();
        for _ in 0..15 {
            later.push(first_view(&router, &path, &controller).await);
        }
        println!("{path}: first view after …");
        for (kind, mut times) in kinds.iter().zip(times) {
            let shown: Vec<String> = times.iter().map(|t| format!("{t:.1}")).collect();
            println!(
                "  {kind:<45} median {:6.1} ms  ({} ms)",
                median(&mut times),
                shown.join(", ")
            );
        }
        println!(
            "  {:<45} median {:6.1} ms",
            "a later view (nothing changed)",
            median(&mut later)
        );
    });
}
