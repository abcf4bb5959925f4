//! The compartments of the route × role matrix (product.md §0), object by object: the same route
//! answers one person differently for their own object and another's. Together with
//! `matrix.rs`, which runs every route once per role.

use crate::matrix::outcome;
use crate::support::*;
use axum::http::StatusCode;
use store::PgPool;

/// What each persona gets on a master-data route for the representative's own vakgroep (CAR) and
/// for another (ORT): representative own, representative other, secretary other, bestuurder
/// other, controller other. A: the page (or the form's answer); N: 404, like a missing id; F: 403
/// for a route the role may not use at all, whatever the id (so it reveals nothing either).
const VIEW_OWN: &str = "ANNAA";
const MANAGE_ANY: &str = "FFFFA";

fn master_expectations() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("GET", "/begroting/stamgegevens/vakgroepen/{id}", VIEW_OWN),
        (
            "POST",
            "/begroting/stamgegevens/vakgroepen/{id}",
            MANAGE_ANY,
        ),
        (
            "GET",
            "/begroting/stamgegevens/vakgroepen/{id}/kpis/nieuw",
            MANAGE_ANY,
        ),
        (
            "POST",
            "/begroting/stamgegevens/vakgroepen/{id}/kpis",
            MANAGE_ANY,
        ),
        ("GET", "/begroting/stamgegevens/kpis/{id}", MANAGE_ANY),
        ("POST", "/begroting/stamgegevens/kpis/{id}", MANAGE_ANY),
        (
            "POST",
            "/begroting/stamgegevens/kpis/{id}/verwijderen",
            MANAGE_ANY,
        ),
        (
            "GET",
            "/begroting/stamgegevens/vakgroepen/{id}/zorgproducten",
            VIEW_OWN,
        ),
        (
            "GET",
            "/begroting/stamgegevens/vakgroepen/{id}/zorgproducten/nieuw",
            MANAGE_ANY,
        ),
        (
            "POST",
            "/begroting/stamgegevens/vakgroepen/{id}/zorgproducten",
            MANAGE_ANY,
        ),
        (
            "GET",
            "/begroting/stamgegevens/zorgproducten/{id}",
            MANAGE_ANY,
        ),
        (
            "POST",
            "/begroting/stamgegevens/zorgproducten/{id}",
            MANAGE_ANY,
        ),
        (
            "GET",
            "/begroting/stamgegevens/zorgproducten/{id}/normtijd",
            MANAGE_ANY,
        ),
        (
            "POST",
            "/begroting/stamgegevens/zorgproducten/{id}/normtijd",
            MANAGE_ANY,
        ),
        (
            "GET",
            "/begroting/stamgegevens/zorgproducten/{id}/verwijderen",
            MANAGE_ANY,
        ),
        (
            "POST",
            "/begroting/stamgegevens/zorgproducten/{id}/verwijderen",
            MANAGE_ANY,
        ),
        (
            "GET",
            "/begroting/stamgegevens/zorgproducten/{id}/normtijd/verwijderen",
            MANAGE_ANY,
        ),
        (
            "POST",
            "/begroting/stamgegevens/zorgproducten/{id}/normtijd/verwijderen",
            MANAGE_ANY,
        ),
    ]
}

/// One vakgroep's master-data objects of 2031: the vakgroep, a care product with a norm time,
/// and a KPI.
struct MasterObjects {
    vakgroep: String,
    product: String,
    kpi: String,
}

async fn master_objects(c: &Client, vakgroep: i64, product: i64) -> MasterObjects {
    let who = store::audit::Who::system("test");
    let mut tx = c.store.begin().await.unwrap();
    let kpi = store::budget::create_kpi(
        &mut tx,
        &who,
        2031,
        &store::budget::KpiInput {
            vakgroep_id: vakgroep,
            kind: "passende_zorg".into(),
            name: "Dagbehandeling".into(),
            direction: "hoger_beter".into(),
            reference_value: "40".parse().unwrap(),
            local_value: "35".parse().unwrap(),
            source: String::new(),
        },
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    MasterObjects {
        vakgroep: vakgroep.to_string(),
        product: product.to_string(),
        kpi: kpi.to_string(),
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn master_data_of_another_vakgroep_is_not_found(pool: PgPool) {
    use crate::budget_trends::budget_fixture;
    let mut probe = app(pool).await;
    let f = budget_fixture::load(&probe.store).await;
    let own = master_objects(&probe, f.car, f.products[0]).await;
    let other = master_objects(&probe, f.ort, f.products[2]).await;

    let expected = master_expectations();
    for r in gg_web::routes::all() {
        if r.path.starts_with("/begroting/stamgegevens/") && r.path.contains("{id}") {
            let method = r.method.to_string();
            assert!(
                expected
                    .iter()
                    .any(|(m, p, _)| *m == method && *p == r.path),
                "master-data route {method} {} has no expectation here: add it",
                r.path
            );
        }
    }

    let personas = [
        (VAKGROEP, &own),
        (VAKGROEP, &other),
        (SECRETARIS, &other),
        (BESTUURDER, &other),
        (CONTROLLER, &other),
    ];
    let mut failures = Vec::new();
    for (method, pattern, outcomes) in expected {
        for ((email, objects), want) in personas.iter().zip(outcomes.chars()) {
            let id = if pattern.starts_with("/begroting/stamgegevens/zorgproducten/") {
                &objects.product
            } else if pattern.starts_with("/begroting/stamgegevens/kpis/") {
                &objects.kpi
            } else {
                &objects.vakgroep
            };
            let path = pattern.replace("{id}", id);
            probe.cookies.clear();
            probe.sign_in_as(email).await;
            // The year of the fixture, so that every page finds what it shows (a norm time).
            let res = if method == "POST" {
                probe.post(&path, &[("jaar", "2031")]).await
            } else {
                probe.get(&format!("{path}?jaar=2031")).await
            };
            let got = outcome(&res);
            if got != want {
                failures.push(format!(
                    "{method} {path} as {email}: expected {want}, got {got} ({})",
                    res.status
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "master data × vakgroep:\n{}",
        failures.join("\n")
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_master_data_overview_shows_a_representative_their_own_rows_and_the_totals(
    pool: PgPool,
) {
    use crate::budget_trends::budget_fixture;
    let mut c = app(pool).await;
    let f = budget_fixture::load(&c.store).await;
    let link = |v: i64| format!("/begroting/stamgegevens/vakgroepen/{v}?jaar=2031");
    // The hospital: products A, B (CAR) and C (ORT), each with a norm time; formatief CAR 1,5 +
    // 0,5 and ORT 1 + 0.
    let totals = ["3", "3", "", "2,50", "0,50", "3,00", "0", "0"];

    c.sign_in_as(CONTROLLER).await;
    let all = c.get("/begroting/stamgegevens?jaar=2031").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains(&link(f.car)) && all.body.contains(&link(f.ort)));
    assert_eq!(
        crate::budget_scenarios::row(&all.body, "ziekenhuis"),
        totals
    );
    assert!(!all.body.contains("die u vertegenwoordigt"));

    c.cookies.clear();
    c.sign_in_as(VAKGROEP).await;
    let own = c.get("/begroting/stamgegevens?jaar=2031").await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains(&link(f.car)), "{}", own.body);
    assert!(!own.body.contains(&link(f.ort)), "ORT's row shown to CAR");
    assert!(!own.body.contains("Orthopedie"), "ORT named to CAR");
    assert_eq!(
        crate::budget_scenarios::row(&own.body, "ziekenhuis"),
        totals
    );
    assert!(own.body.contains("die u vertegenwoordigt"));
}
