//! `gelijkgericht export budget` on the demo hospital (the real binary, a fresh test database),
//! and the exported workbook opened in LibreOffice (headless): recalculated in full, every cell
//! equals the value the application wrote, and no cell holds an error.
//!
//! LibreOffice keeps an XLSX file's cached values on load unless told otherwise, so each run gets
//! a private user profile that sets `OOXMLRecalcMode` — 1 (never: what the file says) or 0
//! (always: what LibreOffice computes) — and converts every sheet to CSV with full precision.
//! A workbook whose cached value is deliberately wrong proves that the two modes differ.

mod e2e_support;

use e2e_support::{TempDir, run_cli, url_of};
use std::path::{Path, PathBuf};
use std::process::Command;
use store::{PgPool, Store};

#[derive(Clone, Copy)]
enum Recalc {
    Never = 1,
    Always = 0,
}

/// Every sheet of `xlsx` as LibreOffice sees it after loading with `mode`, by sheet name: the
/// cells as text, numbers in full precision with a decimal point.
fn libreoffice_sheets(xlsx: &Path, mode: Recalc, work: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let tag = match mode {
        Recalc::Never => "never",
        Recalc::Always => "always",
    };
    let profile = work.join(format!("profile-{tag}"));
    std::fs::create_dir_all(profile.join("user")).unwrap();
    std::fs::write(
        profile.join("user/registrymodifications.xcu"),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{}</value></prop></item>
</oor:items>
"#,
            mode as i32
        ),
    )
    .unwrap();
    let out = work.join(format!("csv-{tag}"));
    std::fs::create_dir_all(&out).unwrap();
    // Comma, double quote, UTF-8, from line 1, en-US numbers, values not as shown (full
    // precision), no formulas, every sheet (-1) to its own file.
    let filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,false,false,false,-1";
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            filter,
            "--outdir",
        ])
        .arg(&out)
        .arg(xlsx)
        .env("HOME", work)
        .output()
        .expect("soffice (LibreOffice) is installed by scripts/test.sh");
    assert!(
        status.status.success(),
        "soffice: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let stem = xlsx.file_stem().unwrap().to_string_lossy().to_string();
    let mut sheets: Vec<(String, Vec<Vec<String>>)> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p: PathBuf| {
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            let sheet = name
                .strip_prefix(&format!("{stem}-"))
                .unwrap_or(&name)
                .to_string();
            let rows = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_path(&p)
                .unwrap()
                .records()
                .map(|r| r.unwrap().iter().map(str::to_string).collect())
                .collect();
            (sheet, rows)
        })
        .collect();
    sheets.sort();
    assert!(!sheets.is_empty(), "LibreOffice wrote no sheets");
    sheets
}

/// Both cells the same: numbers to 1e-9 (relative above 1), text to the letter.
fn same(a: &str, b: &str) -> bool {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        _ => a == b,
    }
}

/// How many formulas the file has (so that the comparison is not vacuous).
fn formulas(xlsx: &[u8]) -> usize {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut count = 0;
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        if file.name().unwrap().starts_with("xl/worksheets/sheet") {
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            count += text.matches("<f>").count();
        }
    }
    count
}

#[test]
fn libreoffice_recalculates_only_when_told_to() {
    let work = TempDir::new("recalc-proof");
    let path = work.path().join("proof.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_number(0, 0, 2.0).unwrap();
    sheet
        .write_formula(
            1,
            0,
            rust_xlsxwriter::Formula::new("=A1*2").set_result("999"),
        )
        .unwrap();
    book.save(&path).unwrap();
    let never = libreoffice_sheets(&path, Recalc::Never, work.path());
    let always = libreoffice_sheets(&path, Recalc::Always, work.path());
    assert_eq!(never[0].1[1][0], "999", "the cached value, as written");
    assert_eq!(always[0].1[1][0], "4", "recalculated");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_exported_budget_recalculates_in_libreoffice_to_the_same_values(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    demo::load(&store).await.unwrap();
    demo::budget::load(&store).await.unwrap();
    let url = url_of(&pool).await;
    let work = TempDir::new("export");
    let xlsx = work.path().join("begroting.xlsx");
    let xlsx_arg = xlsx.to_string_lossy().to_string();

    let (code, text) = run_cli(
        &url,
        &["export", "budget", "--year", "2026", "--out", &xlsx_arg],
    )
    .await;
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("geschreven"), "{text}");
    let bytes = std::fs::read(&xlsx).unwrap();
    assert!(formulas(&bytes) > 100, "a workbook with formulas");

    let work_path = work.path().to_path_buf();
    let (never, always) = tokio::task::spawn_blocking(move || {
        (
            libreoffice_sheets(&xlsx, Recalc::Never, &work_path),
            libreoffice_sheets(&xlsx, Recalc::Always, &work_path),
        )
    })
    .await
    .unwrap();
    assert_eq!(
        never.iter().map(|s| &s.0).collect::<Vec<_>>(),
        always.iter().map(|s| &s.0).collect::<Vec<_>>()
    );
    assert!(never.iter().any(|s| s.0 == "Overzicht"));
    let mut compared = 0;
    for ((sheet, cached), (_, recalculated)) in never.iter().zip(&always) {
        assert_eq!(cached.len(), recalculated.len(), "{sheet}: rows");
        for (r, (a, b)) in cached.iter().zip(recalculated).enumerate() {
            for (c, (x, y)) in a.iter().zip(b).enumerate() {
                for error in ["#REF!", "#DIV/0!", "#NAME?", "#VALUE!", "#N/A", "Err:"] {
                    assert!(
                        !y.contains(error),
                        "{sheet} row {} col {}: {y}",
                        r + 1,
                        c + 1
                    );
                }
                assert!(
                    same(x, y),
                    "{sheet} row {} col {}: written {x}, recalculated {y}",
                    r + 1,
                    c + 1
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 1000, "{compared} cells compared");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_command_exports_csv_and_names_what_it_cannot_export(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    demo::load(&store).await.unwrap();
    demo::budget::load(&store).await.unwrap();
    let url = url_of(&pool).await;
    let work = TempDir::new("export-csv");
    let out = work.path().join("overzicht.csv");
    let out_arg = out.to_string_lossy().to_string();

    let (code, text) = run_cli(
        &url,
        &[
            "export",
            "budget",
            "--year",
            "2026",
            "--format",
            "csv",
            "--decimal",
            "point",
            "--out",
            &out_arg,
        ],
    )
    .await;
    assert_eq!(code, Some(0), "{text}");
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let records: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[3..])
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let headings = records.iter().find(|r| r[0] == "Code").expect("headings");
    // A controller's export: the distribution is the MSB's until shared.
    assert!(
        !headings.iter().any(|h| h.starts_with("Toewijzing")),
        "{headings:?}"
    );

    let proposed = store::budget::scenarios(&store, Some(2027))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == demo::budget::PROPOSED_2027)
        .unwrap()
        .id;
    let proposed_arg = proposed.to_string();
    for (args, expected) in [
        (
            vec!["--year", "2031"],
            "er is geen vastgestelde begroting 2031".to_string(),
        ),
        (
            vec!["--year", "2026", "--scenario", proposed_arg.as_str()],
            format!("scenario {proposed} is van 2027, niet van 2026"),
        ),
        (
            vec!["--year", "2026", "--scenario", "999999"],
            "scenario 999999 bestaat niet".to_string(),
        ),
    ] {
        let mut all = vec!["export", "budget", "--out", &out_arg];
        all.extend(args.iter().copied());
        let (code, text) = run_cli(&url, &all).await;
        assert_eq!(code, Some(1), "{text}");
        assert!(text.contains(&expected), "{expected}: {text}");
    }
}
