//! `gelijkgericht import production FILE --year Y --period P`: the real binary against a fresh
//! test database (the one `sqlx::test` creates and migrates), as an operator runs it.
//!
//! Needs `DATABASE_URL` like the store and HTTP tests; no browser.

mod e2e_support;

use e2e_support::{TempDir, gelijkgericht, url_of};
use std::path::Path;
use std::process::Output;
use store::{PgPool, Store};

/// Creates vakgroep CAR with two care products, so that a production file can refer to them.
async fn products(store: &Store) {
    let who = store::audit::Who::system("test");
    let mut tx = store.begin().await.unwrap();
    let vakgroep = domain::people::VakgroepDraft {
        code: domain::people::VakgroepCode::parse("CAR").unwrap(),
        name: "Cardiologie".into(),
        kind: domain::people::VakgroepKind::Poort,
        active: true,
    };
    let car = store::vakgroepen::create(&mut tx, &who, &vakgroep)
        .await
        .unwrap();
    for code in ["990004006", "990004007"] {
        let input = store::budget::CareProductInput {
            vakgroep_id: domain::ids::VakgroepId::new(car),
            code: code.into(),
            description: format!("Zorgproduct {code}"),
            active: true,
        };
        store::budget::create_care_product(&mut tx, &who, &input)
            .await
            .unwrap();
    }
    store::commit(tx).await.unwrap();
}

/// Runs `import production` on `file` for 2025 period 3 (the binary finds its database through
/// `DATABASE_URL` only).
async fn import(url: &str, file: &Path) -> Output {
    let mut cmd = gelijkgericht();
    cmd.env("DATABASE_URL", url)
        .arg("import")
        .arg("production")
        .arg(file)
        .args(["--year", "2025", "--period", "3"]);
    tokio::task::spawn_blocking(move || cmd.output().expect("running gelijkgericht"))
        .await
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn volumes(store: &Store) -> Vec<(String, String)> {
    store::production::volumes(store, 2025, 3)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.product_code, v.volume.to_string()))
        .collect()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_command_imports_a_file_once_and_refuses_a_bad_one(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    products(&store).await;
    let url = url_of(&pool).await;
    let dir = TempDir::new("cli-import");
    let good = dir.path().join("productie-2025-03.csv");
    std::fs::write(
        &good,
        "vakgroep;zorgproduct;volume\nCAR;990004006;12,5\ncar;990004007;1234,567\n",
    )
    .unwrap();

    let out = import(&url, &good).await;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(
        stdout.contains(
            "Productie 2025 periode 3 geïmporteerd uit productie-2025-03.csv: 2 regels, 1 vakgroep, totaal volume 1.247,07."
        ),
        "{stdout}"
    );
    let imported = vec![
        ("990004006".to_string(), "12.5".to_string()),
        ("990004007".to_string(), "1234.567".to_string()),
    ];
    assert_eq!(volumes(&store).await, imported);
    let history = store::production::imports(&store, None).await.unwrap();
    assert_eq!(history.len(), 1);

    // The same file again: success, says so, and changes nothing.
    let out = import(&url, &good).await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("Dit bestand is al geïmporteerd voor 2025 periode 3"),
        "{stdout}"
    );
    assert!(stdout.contains("er is niets gewijzigd"), "{stdout}");
    assert_eq!(
        store::production::imports(&store, None).await.unwrap(),
        history
    );

    // A bad file: every bad line on stderr with line, column and reason; nothing imported.
    let bad = dir.path().join("fout.csv");
    std::fs::write(
        &bad,
        "vakgroep;zorgproduct;aantal\nCAR;990004006;3\nCAR;990004007;-1\nXYZ;1;2\nCAR;990004006;4\n",
    )
    .unwrap();
    let out = import(&url, &bad).await;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    for line in [
        "regel 3, kolom aantal: Negatief volume (-1): een volume is 0 of meer.",
        "regel 4, kolom vakgroep: Onbekende vakgroep \"XYZ\".",
        "regel 5, kolom zorgproduct: Dubbele regel: vakgroep CAR, zorgproduct 990004006 staat ook op regel 2.",
        "3 fouten in fout.csv; er is niets geïmporteerd.",
    ] {
        assert!(stderr.contains(line), "{line} in {stderr}");
    }
    assert!(!stdout.contains("regel"), "{stdout}");
    assert_eq!(volumes(&store).await, imported);
    assert_eq!(
        store::production::imports(&store, None).await.unwrap(),
        history
    );
}
