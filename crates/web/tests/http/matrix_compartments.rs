//! The compartments of the route × role matrix (product.md §0), object by object: the same route
//! answers one person differently for their own object and another's. Together with
//! `matrix.rs`, which runs every route once per role.

use crate::matrix::outcome;
use crate::support::*;
use axum::http::StatusCode;
use domain::budget::{Direction, KpiKind};
use domain::ids::{CareProductId, VakgroepId};
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

async fn master_objects(c: &Client, vakgroep: VakgroepId, product: CareProductId) -> MasterObjects {
    let who = store::audit::Who::system("test");
    let mut tx = c.store.begin().await.unwrap();
    let kpi = store::budget::create_kpi(
        &mut tx,
        &who,
        2031,
        &store::budget::KpiInput {
            vakgroep_id: vakgroep,
            kind: KpiKind::PassendeZorg,
            name: "Dagbehandeling".into(),
            direction: Direction::HigherIsBetter,
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
    let link = |v: VakgroepId| format!("/begroting/stamgegevens/vakgroepen/{v}?jaar=2031");
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

async fn body_id(c: &Client, code: &str) -> i64 {
    store::bodies::list(c.store.pool())
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.code == code)
        .unwrap()
        .id
}

/// An overdue action (so it also appears under "afspraken die aandacht vragen") from a meeting.
async fn action(c: &Client, meeting: i64, title: &str, body: Option<i64>) -> String {
    let mut tx = c.store.begin().await.unwrap();
    let input = store::agreements::ActionInput {
        title: title.into(),
        description: String::new(),
        owner_id: None,
        due_date: Some(time::macros::date!(2024 - 01 - 31)),
        visibility_body_id: body,
        origin_meeting_id: meeting.into(),
        origin_item_id: None,
        origin_decision_id: None,
    };
    let id = store::agreements::create_action(&mut tx, &store::audit::Who::system("test"), &input)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    id.to_string()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_observer_sees_only_the_agreements_of_the_meetings_their_body_attends(pool: PgPool) {
    let mut c = app(pool).await;
    let (rvb, msb, rvt) = (
        body_id(&c, "RvB").await,
        body_id(&c, "MSB").await,
        body_id(&c, "RvT").await,
    );
    c.sign_in_as(SECRETARIS).await;
    let made = c
        .post(
            "/vergaderingen",
            &[
                ("title", "Overleg met de RvT"),
                ("kind", "gezamenlijk"),
                ("date", "11-01-2027"),
                ("start", "16:00"),
                ("end", "18:00"),
                ("body", &rvb.to_string()),
                ("body", &msb.to_string()),
                ("body", &rvt.to_string()),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let with_rvt: i64 = made
        .location()
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let without_rvt = store::meetings::list_for_bodies(&c.store, &[rvb])
        .await
        .unwrap()
        .into_iter()
        .find(|m| !m.bodies.contains(&rvt))
        .unwrap()
        .id;
    let invited = action(&c, with_rvt, "Actie uit het RvT-overleg", None).await;
    let msb_only = action(&c, with_rvt, "Actie alleen voor de MSB", Some(msb)).await;
    let elsewhere = action(&c, without_rvt.get(), "Actie uit een ander overleg", None).await;

    // Observer, then a board member of the RvB for contrast. A: page, F: 403, N: 404.
    let probes = [
        (format!("/vergaderingen/{with_rvt}"), "AA"),
        (format!("/vergaderingen/{with_rvt}/actielijst"), "AA"),
        (format!("/vergaderingen/{with_rvt}/besluitenlijst"), "AA"),
        (format!("/vergaderingen/{without_rvt}"), "NA"),
        (format!("/afspraken/{invited}"), "AA"),
        (format!("/afspraken/{msb_only}"), "NN"),
        (format!("/afspraken/{elsewhere}"), "NA"),
        ("/afspraken".to_string(), "FA"),
        ("/afspraken?q=actie".to_string(), "FA"),
        ("/afspraken/export.csv".to_string(), "FA"),
        ("/afspraken/export.xlsx".to_string(), "FA"),
        ("/afspraken/nakoming".to_string(), "FA"),
        ("/begroting".to_string(), "FA"),
    ];
    let mut failures = Vec::new();
    for (path, outcomes) in &probes {
        for (email, want) in [TOEHOORDER, BESTUURDER].iter().zip(outcomes.chars()) {
            c.cookies.clear();
            c.sign_in_as(email).await;
            let res = c.get(path).await;
            let got = outcome(&res);
            if got != want {
                failures.push(format!(
                    "GET {path} as {email}: expected {want}, got {got} ({})",
                    res.status
                ));
            }
        }
    }
    assert!(failures.is_empty(), "observer:\n{}", failures.join("\n"));

    c.cookies.clear();
    c.sign_in_as(TOEHOORDER).await;
    // The agenda's standing item lists only what the observer may open.
    let page = c.get(&format!("/vergaderingen/{with_rvt}")).await.body;
    assert!(page.contains("Afspraken die aandacht vragen"));
    assert!(
        page.contains(&format!(r#"data-aandacht="{invited}""#)),
        "{page}"
    );
    for hidden in [&elsewhere, &msb_only] {
        assert!(!page.contains(&format!(r#"data-aandacht="{hidden}""#)));
    }
    assert!(!page.contains("Actie uit een ander overleg"));
    // The agreement's page, without a way into the register.
    let agreement = c.get(&format!("/afspraken/{invited}")).await.body;
    assert!(agreement.contains("Actie uit het RvT-overleg"));
    assert!(agreement.contains(&format!(r#"href="/vergaderingen/{with_rvt}""#)));
    let home = c.get("/").await.body;
    assert!(!home.contains(r#"href="/afspraken""#), "{home}");
    assert!(!home.contains(r#"href="/begroting""#));

    // A board member of the same meeting sees the other meeting's agreement there too.
    c.cookies.clear();
    c.sign_in_as(BESTUURDER).await;
    let page = c.get(&format!("/vergaderingen/{with_rvt}")).await.body;
    assert!(page.contains(&format!(r#"data-aandacht="{elsewhere}""#)));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_representative_sees_their_own_vakgroep_and_the_hospital_in_scenarios(pool: PgPool) {
    use crate::budget_trends::budget_fixture;
    let mut c = app(pool).await;
    budget_fixture::load(&c.store).await;
    let scenario = budget_fixture::scenario(&c.store, "Basis", vec![]).await;
    let other = budget_fixture::scenario(&c.store, "Variant", vec![]).await;
    let pages = [
        format!("/begroting/scenarios/{scenario}"),
        format!("/begroting/scenarios/vergelijken?s={scenario}&s={other}"),
    ];
    for (persona, sees_ort) in [(VAKGROEP, false), (SECRETARIS, true), (BESTUURDER, true)] {
        c.cookies.clear();
        c.sign_in_as(persona).await;
        for page in &pages {
            let res = c.get(page).await;
            assert_eq!(res.status, StatusCode::OK, "{persona} {page}");
            assert!(
                res.body.contains(r#"data-vakgroep="ziekenhuis""#),
                "{persona} {page}"
            );
            assert_eq!(
                res.body.contains(r#"data-vakgroep="ORT""#),
                sees_ort,
                "{persona} on {page}: ORT's figures"
            );
            if persona == VAKGROEP {
                assert!(res.body.contains(r#"data-vakgroep="CAR""#), "{page}");
            }
        }
    }
}
