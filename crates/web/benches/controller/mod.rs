//! The controller's side of the adopted 40 × 5,000 budget (issue 13, docs/performance.md): the
//! XLSX export through the router and through the binary (time and peak memory, with GNU
//! `/usr/bin/time`), LibreOffice's full recalculation of that workbook next to the engine's own
//! computation, and the monitoring pages with twelve months of realisation.

use super::{budget_seed, get, measure_n};
use axum::http::StatusCode;
use domain::ids::ScenarioId;
use http_body_util::BodyExt;
use std::process::Command;
use std::time::Instant;
use store::Store;
use tower::ServiceExt;

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Twelve months of the budget year's production, through the real import.
async fn realisation(store: &Store, seeded_products: &[(String, String)]) {
    let who = store::audit::Who::system("bench");
    for period in 1..=12i16 {
        let mut csv = String::from("vakgroep;zorgproduct;volume\n");
        for (i, (vakgroep, product)) in seeded_products.iter().enumerate() {
            let volume = (i * 7 + usize::try_from(period).unwrap() * 13) % 50;
            csv.push_str(&format!("{vakgroep};{product};{volume}\n"));
        }
        let t = Instant::now();
        store::production::import(
            store,
            &who,
            store::production::ImportRequest {
                year: budget_seed::YEAR,
                period,
                source_name: "bench-realisatie.csv",
                data: csv.as_bytes(),
            },
            |_| {},
        )
        .await
        .unwrap();
        if period == 1 {
            println!(
                "realisation {}-01 imported ({} lines) in {:.0} ms",
                budget_seed::YEAR,
                seeded_products.len(),
                ms(t.elapsed())
            );
        }
    }
}

pub async fn run(router: &axum::Router, store: &Store, url: &str, basis: ScenarioId, msb: &str) {
    // The export through the router, as an MSB board member (with the distribution).
    let path = format!("/begroting/scenarios/{basis}/export.xlsx");
    let mut bytes = Vec::new();
    for run in 0..3 {
        let t = Instant::now();
        let res = router.clone().oneshot(get(&path, msb)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        println!(
            "{path:<40} run {run}: {:.0} ms, {:.1} MB",
            ms(t.elapsed()),
            bytes.len() as f64 / 1e6
        );
    }
    // The same through the binary, for its peak memory (the process does nothing else).
    let file = std::env::temp_dir().join(format!("gg-bench-{}.xlsx", std::process::id()));
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M %e"])
        .arg(env!("CARGO_BIN_EXE_gelijkgericht"))
        .args(["export", "budget", "--year", &budget_seed::YEAR.to_string()])
        .arg("--out")
        .arg(&file)
        .env("DATABASE_URL", url)
        .env("GG_LOG", "warn")
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let stderr = String::from_utf8_lossy(&o.stderr);
            let last = stderr.lines().last().unwrap_or_default().to_string();
            let mut parts = last.split_whitespace();
            let kb: f64 = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
            let secs = parts.next().unwrap_or("?");
            println!(
                "export budget (binary, adopted 40 × 5,000): {secs} s wall, peak RSS {:.0} MB",
                kb / 1024.0
            );
        }
        Ok(o) => println!(
            "export budget failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => println!("export budget not measured (/usr/bin/time: {e})"),
    }

    // LibreOffice recalculating that workbook in full, next to the engine's own computation.
    let l = store::budget::computation::loaded(store, basis)
        .await
        .unwrap();
    let t = Instant::now();
    let _ = domain::budget::compute(&l.input, &l.params).unwrap();
    let engine = t.elapsed();
    std::fs::write(&file, &bytes).unwrap();
    let work = std::env::temp_dir().join(format!("gg-bench-lo-{}", std::process::id()));
    std::fs::create_dir_all(work.join("profile/user")).unwrap();
    std::fs::write(
        work.join("profile/user/registrymodifications.xcu"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#,
    )
    .unwrap();
    let t = Instant::now();
    let lo = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            work.join("profile").display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "ods",
            "--outdir",
        ])
        .arg(&work)
        .arg(&file)
        .env("HOME", &work)
        .output();
    let recalculated = t.elapsed();
    match lo {
        Ok(o) if o.status.success() => println!(
            "LibreOffice: load with full recalculation and save, {:.1} s; the engine computes the same budget in {:.0} ms ({:.0}×)",
            recalculated.as_secs_f64(),
            ms(engine),
            recalculated.as_secs_f64() / engine.as_secs_f64()
        ),
        _ => println!("LibreOffice not measured (soffice missing or failed)"),
    }
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_dir_all(&work);

    // Monitoring with twelve months of realisation.
    let products: Vec<(String, String)> = l
        .stored
        .products
        .iter()
        .filter_map(|p| {
            l.stored
                .vakgroepen
                .iter()
                .find(|v| v.id == p.vakgroep_id)
                .map(|v| (v.code.to_string(), p.code.clone()))
        })
        .collect();
    realisation(store, &products).await;
    let path = format!("/begroting/monitoring?jaar={}", budget_seed::YEAR);
    let t = Instant::now();
    let res = router.clone().oneshot(get(&path, msb)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.into_body().collect().await.unwrap();
    println!(
        "{path:<40} first view after an import: {:.0} ms",
        ms(t.elapsed())
    );
    measure_n(router, msb, &path, 30).await;
    let vakgroep = l.stored.vakgroepen[0].id;
    measure_n(
        router,
        msb,
        &format!(
            "/begroting/monitoring/vakgroepen/{vakgroep}?jaar={}",
            budget_seed::YEAR
        ),
        30,
    )
    .await;
}
