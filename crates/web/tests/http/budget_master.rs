//! Master data of the capacity budget (D1): the controller creates and changes it, others with
//! ViewBudget may look but not change; version conflicts; the norm-time CSV import, all or
//! nothing; copying a year; and the demo budget.

use crate::production::{products, upload};
use crate::support::*;
use axum::http::StatusCode;
use domain::budget::{Grondslag, KpiKind};
use domain::ids::VakgroepId;
use store::PgPool;

pub async fn vakgroep_id(c: &Client, code: &str) -> VakgroepId {
    let id = store::vakgroepen::list(&c.store)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.code == code)
        .unwrap()
        .id;
    VakgroepId::new(id)
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn controller_creates_and_edits_care_products_others_only_look(pool: PgPool) {
    let mut c = app(pool).await;
    let uro = vakgroep_id(&c, "URO").await;
    let list = format!("/begroting/stamgegevens/vakgroepen/{uro}/zorgproducten");
    c.sign_in_as(CONTROLLER).await;

    // A field error keeps what was typed.
    let res = c
        .post(
            &list,
            &[
                ("jaar", "2026"),
                ("code", ""),
                ("description", "Cystoscopie"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("Vul de zorgproduct- of zorgactiviteitcode in")
    );
    assert!(res.body.contains(r#"value="Cystoscopie""#));

    let res = c
        .post(
            &list,
            &[
                ("jaar", "2026"),
                ("code", "990016012"),
                ("description", "Cystoscopie"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let dup = c
        .post(
            &list,
            &[("jaar", "2026"), ("code", "990016012"), ("active", "on")],
        )
        .await;
    assert!(dup.body.contains("al een zorgproduct met deze code"));

    let product = store::budget::care_products(&c.store, Some(uro))
        .await
        .unwrap()[0]
        .clone();
    let edit = format!("/begroting/stamgegevens/zorgproducten/{}", product.id);
    let form = c.get(&edit).await;
    assert_eq!(form.field("version").as_deref(), Some("1"));
    let res = c
        .post(
            &edit,
            &[
                ("version", "1"),
                ("code", "990016012"),
                ("description", "Cystoscopie, flexibel"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    // A second save from the same (now stale) form is refused, not silently applied.
    let stale = c
        .post(
            &edit,
            &[
                ("version", "1"),
                ("code", "990016012"),
                ("description", "Oud"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        stale
            .body
            .contains("Iemand anders heeft deze gegevens intussen gewijzigd")
    );
    let now = store::budget::care_product(c.store.pool(), product.id)
        .await
        .unwrap();
    assert_eq!(now.description, "Cystoscopie, flexibel");
    assert!(!now.active);

    // A norm time for one product.
    let norm = format!("{edit}/normtijd");
    let res = c
        .post(
            &norm,
            &[("jaar", "2026"), ("version", ""), ("minutes", "-3")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = c
        .post(
            &norm,
            &[("jaar", "2026"), ("version", ""), ("minutes", "22,5")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = c.get(&format!("{list}?jaar=2026")).await;
    assert!(page.body.contains("22,5"), "{}", page.body);

    for who in [BESTUURDER, VAKGROEP] {
        c.cookies.clear();
        c.sign_in_as(who).await;
        let page = c.get(&format!("{list}?jaar=2026")).await;
        if who == VAKGROEP {
            // URO's products are URO's compartment: the representative of CAR does not find them.
            assert_eq!(page.status, StatusCode::NOT_FOUND);
        } else {
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.body.contains("Cystoscopie, flexibel"));
            assert!(!page.body.contains("Nieuw zorgproduct"));
        }
        assert_eq!(c.get(&edit).await.status, StatusCode::FORBIDDEN);
        let res = c.post(&edit, &[("version", "2"), ("code", "X")]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = c.post(&norm, &[("jaar", "2026"), ("minutes", "1")]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn normuren_formatief_kpis_settings_and_copying_a_year(pool: PgPool) {
    let mut c = app(pool).await;
    let car = vakgroep_id(&c, "CAR").await;
    let page = format!("/begroting/stamgegevens/vakgroepen/{car}");
    c.sign_in_as(CONTROLLER).await;

    let res = c
        .post(
            &page,
            &[
                ("jaar", "2026"),
                ("normuren", "veel"),
                ("fte_1a", "12,5"),
                ("fte_1b", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains(r#"value="veel""#));
    let res = c
        .post(
            &page,
            &[
                ("jaar", "2026"),
                ("normuren", "1250"),
                ("fte_1a", "12,5"),
                ("fte_1b", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let shown = c.get(&format!("{page}?jaar=2026")).await;
    assert!(shown.body.contains(r#"value="1250""#), "{}", shown.body);
    assert!(shown.body.contains(r#"value="12,5""#));
    // Someone saved meanwhile: the old form (no version) is refused.
    let res = c
        .post(&page, &[("jaar", "2026"), ("normuren", "1300")])
        .await;
    assert!(
        res.body
            .contains("Iemand anders heeft deze gegevens intussen gewijzigd")
    );

    let res = c
        .post(
            &format!("{page}/kpis"),
            &[
                ("jaar", "2026"),
                ("kind", "efficiency"),
                ("name", "Gemiddelde ligduur (dagen)"),
                ("direction", "lager_beter"),
                ("reference_value", "4,2"),
                ("local_value", "4,6"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let kpis = store::budget::kpis(&c.store, 2026, Some(car))
        .await
        .unwrap();
    assert_eq!(kpis.len(), 1);
    let res = c
        .post(
            &format!("/begroting/stamgegevens/kpis/{}", kpis[0].id),
            &[
                ("jaar", "2026"),
                ("version", "1"),
                ("kind", "efficiency"),
                ("name", "Gemiddelde ligduur (dagen)"),
                ("direction", "lager_beter"),
                ("reference_value", "4,0"),
                ("local_value", "4,6"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // Deleting with the stale version is refused; with the current one it goes.
    let delete = format!("/begroting/stamgegevens/kpis/{}/verwijderen", kpis[0].id);
    let res = c.post(&delete, &[("version", "1")]).await;
    assert!(
        res.body
            .contains("Iemand anders heeft deze gegevens intussen gewijzigd")
    );
    let res = c
        .post(
            &format!("{page}/kpis"),
            &[
                ("jaar", "2026"),
                ("kind", "passende_zorg"),
                ("name", "Aandeel dagbehandeling (%)"),
                ("direction", "hoger_beter"),
                ("reference_value", "62"),
                ("local_value", "55"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = c.post(&delete, &[("version", "2")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        store::budget::kpis(&c.store, 2026, None)
            .await
            .unwrap()
            .len(),
        1
    );

    let settings = [
        ("jaar", "2026"),
        ("version", "1"),
        ("fee_budget", "48.000.000"),
        ("fixed_share", "30"),
        ("band_min", "90"),
        ("band_max", "115"),
        ("note", ""),
    ];
    let res = c
        .post("/begroting/stamgegevens/instellingen", &settings)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let year = store::budget::year(c.store.pool(), 2026).await.unwrap();
    assert_eq!(year.fixed_share.to_string().trim_end_matches('0'), "0.3");

    let copy = [("jaar", "2026"), ("naar", "2027")];
    let res = c.post("/begroting/stamgegevens/kopieren", &copy).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        store::budget::kpis(&c.store, 2027, None)
            .await
            .unwrap()
            .len(),
        1
    );
    let again = c.post("/begroting/stamgegevens/kopieren", &copy).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.body.contains("2027 heeft al stamgegevens"),
        "{}",
        again.body
    );

    c.cookies.clear();
    c.sign_in_as(VAKGROEP).await;
    let view = c.get(&format!("{page}?jaar=2026")).await;
    assert_eq!(view.status, StatusCode::OK);
    assert!(view.body.contains("Aandeel dagbehandeling"));
    assert!(
        !view
            .body
            .contains("<form method=\"post\" action=\"/begroting")
    );
    let res = c.post(&page, &[("jaar", "2026"), ("normuren", "1")]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = c
        .post(
            "/begroting/stamgegevens/kopieren",
            &[("jaar", "2026"), ("naar", "2028")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        c.get("/begroting/stamgegevens?jaar=2026").await.status,
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_norm_time_import_reports_every_bad_line_and_changes_nothing(pool: PgPool) {
    let mut c = app(pool).await;
    products(&c).await;
    c.sign_in_as(CONTROLLER).await;
    let path = "/begroting/stamgegevens/normtijden?jaar=2026";
    let good = b"vakgroep;zorgproduct;normtijd\nCAR;990004006;20\nCAR;990004007;7,5\n";
    let res = upload(&mut c, path, &[("jaar", "2026")], "normtijden.csv", good).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        store::budget::norm_times(&c.store, 2026, None)
            .await
            .unwrap()
            .len(),
        2
    );

    let bad = b"vakgroep;zorgproduct;normtijd\nCAR;990004006;20\nCAR;999;5\nLON;990004006;-2\nXYZ;1;1\nLON;990004007;\n";
    let res = upload(&mut c, path, &[("jaar", "2026")], "normtijden.csv", bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Er is niets gewijzigd"), "{}", res.body);
    // Bad numbers are found while reading; the codes only when the numbers are right.
    assert!(res.body.contains("Negatieve normtijd"), "{}", res.body);
    assert!(res.body.contains("Normtijd ontbreekt"), "{}", res.body);
    assert!(res.body.contains("<td>normtijd</td>"));
    let times = store::budget::norm_times(&c.store, 2026, None)
        .await
        .unwrap();
    assert_eq!(times.len(), 2, "nothing changed");

    // A new care product of a known vakgroep is created with the list; an unknown vakgroep is
    // an error, and then neither the list nor the new product is kept.
    let unknown = b"vakgroep;zorgproduct;normtijd\nCAR;990004006;25\nCAR;999;5\nXYZ;1;1\n";
    let res = upload(&mut c, path, &[("jaar", "2026")], "normtijden.csv", unknown).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Onbekende vakgroep"), "{}", res.body);
    assert!(res.body.contains("<td class=\"num\">4</td>"));
    let times = store::budget::norm_times(&c.store, 2026, None)
        .await
        .unwrap();
    assert_eq!(times[0].minutes.to_string().trim_end_matches('0'), "20.");
    let codes = |products: Vec<store::budget::CareProduct>| -> Vec<String> {
        products.into_iter().map(|p| p.code).collect()
    };
    assert!(
        !codes(store::budget::care_products(&c.store, None).await.unwrap())
            .contains(&"999".to_string())
    );

    let new = "vakgroep;zorgproduct;omschrijving;normtijd\nCAR;990004006;;25\nCAR;999;Hartrevalidatie op afstand;12,5\nCAR;998;;10\n";
    let res = upload(
        &mut c,
        path,
        &[("jaar", "2026")],
        "normtijden.csv",
        new.as_bytes(),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let products = store::budget::care_products(&c.store, None).await.unwrap();
    let described = |code: &str| {
        products
            .iter()
            .find(|p| p.code == code)
            .map(|p| p.description.clone())
    };
    assert_eq!(
        described("999").as_deref(),
        Some("Hartrevalidatie op afstand")
    );
    assert_eq!(described("998").as_deref(), Some("Zorgproduct 998"));
    assert_eq!(
        store::budget::norm_times(&c.store, 2026, None)
            .await
            .unwrap()
            .len(),
        3
    );

    let header = b"vakgroep;zorgproduct;volume\nCAR;990004006;25\n";
    let res = upload(&mut c, path, &[("jaar", "2026")], "normtijden.csv", header).await;
    assert!(res.body.contains("mist de kolom normtijd"));

    c.cookies.clear();
    c.sign_in_as(VAKGROEP).await;
    let res = upload(&mut c, path, &[("jaar", "2026")], "normtijden.csv", good).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_demo_budget_loads_once(pool: PgPool) {
    let c = app(pool).await;
    let started = std::time::Instant::now();
    demo::budget::load(&c.store).await.unwrap();
    let first = started.elapsed();
    let products = store::budget::care_products(&c.store, None).await.unwrap();
    let vakgroepen = store::vakgroepen::list(&c.store).await.unwrap();
    assert_eq!(vakgroepen.len(), 27);
    for v in &vakgroepen {
        let n = products
            .iter()
            .filter(|p| p.vakgroep_id.get() == v.id)
            .count();
        assert!((180..=320).contains(&n), "{}: {n} products", v.code);
    }
    for year in 2025..=2027 {
        let times = store::budget::norm_times(&c.store, year, None)
            .await
            .unwrap();
        assert_eq!(times.len(), products.len(), "{year}");
        assert_eq!(
            store::budget::normuren(&c.store, year).await.unwrap().len(),
            27
        );
        assert_eq!(
            store::budget::formatief(&c.store, year)
                .await
                .unwrap()
                .len(),
            27
        );
        let kpis = store::budget::kpis(&c.store, year, None).await.unwrap();
        for v in &vakgroepen {
            let eff = kpis
                .iter()
                .filter(|k| k.vakgroep_id.get() == v.id && k.kind == KpiKind::Efficiency)
                .count();
            let pz = kpis
                .iter()
                .filter(|k| k.vakgroep_id.get() == v.id && k.kind == KpiKind::PassendeZorg)
                .count();
            assert!(
                (1..=3).contains(&eff) && pz <= 2,
                "{} {year}: {eff} {pz}",
                v.code
            );
        }
    }
    let imports = store::production::imports(&c.store, None).await.unwrap();
    assert_eq!(imports.len(), 36);
    assert!(imports.iter().all(|i| i.replaced_at.is_none()));
    assert_eq!(
        store::production::volumes(&c.store, 2026, 12)
            .await
            .unwrap()
            .len(),
        products.len()
    );

    demo::budget::load(&c.store).await.unwrap();
    assert_eq!(
        store::budget::care_products(&c.store, None)
            .await
            .unwrap()
            .len(),
        products.len()
    );
    assert_eq!(
        store::production::imports(&c.store, None)
            .await
            .unwrap()
            .len(),
        36
    );
    eprintln!("demo budget loaded in {first:?}");

    // Trend inputs in every state of their review, and three scenarios that differ.
    let trends = store::budget::trend_inputs(&c.store, 2027, store::budget::Seen::All)
        .await
        .unwrap();
    let mut states: Vec<&str> = trends.iter().map(|t| t.status.code()).collect();
    states.sort();
    states.dedup();
    assert_eq!(
        states,
        [
            "concept",
            "geaccepteerd",
            "ingediend",
            "teruggestuurd",
            "verwerkt"
        ]
    );
    let scenarios = store::budget::scenarios(&c.store, Some(2027))
        .await
        .unwrap();
    assert_eq!(scenarios.len(), 3);
    let mut c = c;
    c.sign_in_as(CONTROLLER).await;
    let mut pages = Vec::new();
    for s in &scenarios {
        let page = c.get(&format!("/begroting/scenarios/{}", s.id)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&s.name));
        // Every 2027 scenario builds on the 2026 budget.
        assert!(page.body.contains("Begroting (2026)"), "{}", s.name);
        assert!(
            !page.body.contains("ontbreekt een bruikbare grondslag"),
            "{}",
            s.name
        );
        pages.push(page.body);
    }
    assert_ne!(pages[0], pages[1], "the scenarios' figures differ");
    // Variant 3 shares the earmarked € 1.200.000 over last year's norm-fte × Z, to the cent.
    let earmarked = scenarios
        .iter()
        .position(|s| s.grondslag == Grondslag::NormFteVorigJaar)
        .expect("a variant-3 demo scenario");
    let total = crate::budget_scenarios::row(&pages[earmarked], "ziekenhuis");
    assert_eq!(total.last().map(String::as_str), Some("€ 1.200.000,00"));
    let overview = c.get("/begroting?jaar=2027").await.body;
    assert!(overview.contains("Met initiatieven") && overview.contains("Basis"));
    // Against last year's budget and its realisation, side by side.
    let last = store::budget::scenarios(&c.store, Some(2026))
        .await
        .unwrap();
    assert_eq!(last.len(), 1);
    let compare = c
        .get(&format!(
            "/begroting/scenarios/vergelijken?s={}&s={}",
            scenarios[0].id, last[0].id
        ))
        .await;
    assert_eq!(compare.status, StatusCode::OK);
    assert!(compare.body.contains("Begroting (2026)") && compare.body.contains("Realisatie"));
}
