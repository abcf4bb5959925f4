//! The distribution (D6) through the router on the demo hospital: the pages, the band, placement
//! and share forms, and the compartment (§0): the RvB never receives a vakgroep's allocation
//! before an MSB board member shares it.

use crate::support::*;
use axum::http::StatusCode;
use domain::ids::ScenarioId;
use store::PgPool;

const MSB_BESTUURDER: &str = "h.koster@rijnoever.example";
const MSB_SECRETARIS: &str = "e.mulder@rijnoever.example";

/// Loads the demo budget (once per database) and finds a 2027 scenario.
async fn scenario(c: &Client, name: &str) -> ScenarioId {
    demo::budget::load(&c.store).await.unwrap();
    store::budget::scenarios(&c.store, Some(2027))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap()
        .id
}

async fn vakgroep(c: &Client, code: &str) -> i64 {
    store::vakgroepen::list(&c.store)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.code == code)
        .unwrap()
        .id
}

/// The values of the cells marked `data-allocation` on a page.
fn allocations(body: &str) -> Vec<String> {
    body.split("data-allocation>")
        .skip(1)
        .filter_map(|rest| rest.split('<').next())
        .map(str::to_string)
        .collect()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_rvb_sees_no_allocation_per_vakgroep_before_the_msb_shares_it(pool: PgPool) {
    let mut c = app(pool).await;
    let id = scenario(&c, "Basis").await;
    let page = format!("/begroting/scenarios/{id}/verdeling");
    let compare = format!("/begroting/scenarios/vergelijken?s={id}");
    let car = vakgroep(&c, "CAR").await;
    let ort = vakgroep(&c, "ORT").await;

    c.sign_in_as(MSB_BESTUURDER).await;
    let msb = c.get(&page).await;
    assert_eq!(msb.status, StatusCode::OK);
    assert!(msb.body.contains("data-allocations"), "{}", msb.body);
    assert!(msb.body.contains("Somcontrole klopt tot op de cent"));
    let secret: Vec<String> = allocations(&msb.body)
        .into_iter()
        .filter(|a| a.starts_with('€'))
        .collect();
    assert!(secret.len() > 10, "{secret:?}");
    assert!(msb.body.contains("data-trace=\"CAR\""));
    assert!(msb.body.contains("Delen met de RvB"));
    let msb_compare = c.get(&compare).await;
    assert!(
        allocations(&msb_compare.body)
            .iter()
            .filter(|a| a.starts_with('€'))
            .count()
            > 10
    );

    // Before sharing: the RvB, its secretary, the controller and a representative see the frame
    // and components, never an allocation per vakgroep, on any page.
    for who in [BESTUURDER, SECRETARIS, CONTROLLER, VAKGROEP] {
        c.cookies.clear();
        c.sign_in_as(who).await;
        let res = c.get(&page).await;
        assert_eq!(res.status, StatusCode::OK, "{who}");
        assert!(res.body.contains("data-frame"), "{who}");
        assert!(!res.body.contains("data-allocations"), "{who}");
        assert!(!res.body.contains("data-trace"), "{who}");
        assert!(!res.body.contains("Delen met de RvB</button>"), "{who}");
        let cmp = c.get(&compare).await;
        for body in [&res.body, &cmp.body] {
            // Some vakgroep's allocation could coincide with a total; none of them is ever a
            // sum shown, so any match is a leak.
            for amount in &secret {
                assert!(!body.contains(amount.as_str()), "{who} sees {amount}");
            }
        }
        for v in [car, ort] {
            let res = c.get(&format!("{page}/vakgroepen/{v}")).await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{who} {v}");
        }
    }
    // The MSB's secretary sees it, but does not share it.
    c.cookies.clear();
    c.sign_in_as(MSB_SECRETARIS).await;
    let res = c.get(&page).await;
    assert!(res.body.contains("data-allocations"));
    assert!(!res.body.contains("Delen met de RvB</button>"));
    let res = c.post(&format!("{page}/delen"), &[("version", "0")]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Nor does the RvB.
    c.cookies.clear();
    c.sign_in_as(BESTUURDER).await;
    let res = c.post(&format!("{page}/delen"), &[("version", "0")]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // An MSB board member shares it; a page read before a change is refused first.
    c.cookies.clear();
    c.sign_in_as(MSB_BESTUURDER).await;
    let band = format!("{page}/vakgroepen/{car}/band");
    let saved = c
        .post(&band, &[("version", ""), ("floor", "95"), ("cap", "105")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stale = c.post(&format!("{page}/delen"), &[("version", "0")]).await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.body.contains("Er is niets gedeeld"));
    let fresh = c.get(&page).await;
    let version = fresh.field("version").unwrap();
    let shared = c
        .post(&format!("{page}/delen"), &[("version", &version)])
        .await;
    assert_eq!(shared.status, StatusCode::SEE_OTHER);
    let after = c.get(&page).await;
    assert!(after.body.contains("Gedeeld met de RvB op"));
    assert!(after.body.contains("Hans Koster"));
    let audit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE object_type = 'scenario_distribution' AND object_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(c.store.pool())
    .await
    .unwrap();
    assert_eq!(audit, 1);
    let now_visible = allocations(&after.body);

    // After sharing: the RvB sees every vakgroep; the representative only their own.
    c.cookies.clear();
    c.sign_in_as(BESTUURDER).await;
    let res = c.get(&page).await;
    assert!(res.body.contains("data-allocations"));
    assert_eq!(allocations(&res.body), now_visible);
    assert_eq!(
        c.get(&format!("{page}/vakgroepen/{ort}")).await.status,
        StatusCode::OK
    );
    let res = c
        .post(&band, &[("version", "1"), ("floor", "90"), ("cap", "110")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "the RvB sets no band");
    c.cookies.clear();
    c.sign_in_as(VAKGROEP).await;
    let res = c.get(&page).await;
    assert!(res.body.contains("data-vakgroep=\"CAR\""));
    assert!(!res.body.contains("data-vakgroep=\"ORT\""));
    assert!(res.body.contains("data-hidden"));
    assert_eq!(
        c.get(&format!("{page}/vakgroepen/{car}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        c.get(&format!("{page}/vakgroepen/{ort}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_band_clamps_a_demo_vakgroep(pool: PgPool) {
    let mut c = app(pool).await;
    let id = scenario(&c, "Basis").await;
    c.sign_in_as(MSB_BESTUURDER).await;
    let res = c.get(&format!("/begroting/scenarios/{id}/verdeling")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("€ 50.400.000,00"), "M of 2027");
    assert!(res.body.contains("Somcontrole klopt tot op de cent"));
    // 97 %–107 % of the 2026 allocation: Cardiologie (unbounded 107,3 %) is set to its cap in
    // the first pass, everyone else shares the rest.
    let bound: Vec<&str> = res
        .body
        .split("<tr data-vakgroep=\"")
        .skip(1)
        .filter(|row| row.contains("data-bound>op de"))
        .map(|row| &row[..3])
        .collect();
    assert_eq!(bound, ["CAR"], "{}", res.body);
    assert!(
        res.body
            .contains("data-bound>op de bovengrens (iteratie 1)")
    );
    // Last year's allocation is the 2026 budget the demo's boards adopted.
    assert!(
        res.body
            .contains("de vastgestelde begroting 2026, scenario Begroting (controlegetal"),
        "{}",
        res.body
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_band_form_keeps_what_was_typed_and_refuses_stale_and_hostile_input(pool: PgPool) {
    let mut c = app(pool).await;
    let id = scenario(&c, "Basis").await;
    let car = vakgroep(&c, "CAR").await;
    let page = format!("/begroting/scenarios/{id}/verdeling/vakgroepen/{car}");
    let band = format!("{page}/band");
    c.sign_in_as(MSB_BESTUURDER).await;
    assert_eq!(c.get(&page).await.status, StatusCode::OK);

    let res = c
        .post(
            &band,
            &[("version", ""), ("floor", "120"), ("cap", "110,5")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("niet lager dan de ondergrens"));
    assert!(res.body.contains("value=\"110,5\""), "typed input kept");
    let res = c
        .post(&band, &[("version", ""), ("floor", "1.234"), ("cap", "x")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Vul een percentage in"));

    let ok = c
        .post(&band, &[("version", ""), ("floor", "95"), ("cap", "105")])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let shown = c.get(&page).await;
    assert!(shown.body.contains("eigen band van 95,0 % – 105,0 %"));
    assert!(shown.body.contains("afwijkende band"));
    // A second person who read the page before that save: refused, their input kept.
    let stale = c
        .post(&band, &[("version", ""), ("floor", "90"), ("cap", "111")])
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        stale
            .body
            .contains("Iemand anders heeft de verdeling intussen gewijzigd")
    );
    assert!(stale.body.contains("value=\"111\""));
    let stale_delete = c
        .post(&format!("{band}/verwijderen"), &[("version", "7")])
        .await;
    assert_eq!(stale_delete.status, StatusCode::UNPROCESSABLE_ENTITY);
    let deleted = c
        .post(&format!("{band}/verwijderen"), &[("version", "1")])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(c.get(&page).await.body.contains("geen eigen band"));

    // Hostile: huge and NUL fields are refused at the field, an unknown vakgroep or scenario is
    // missing, malformed bodies are bad requests.
    let huge = "9".repeat(100_000);
    let res = c
        .post(&band, &[("version", ""), ("floor", &huge), ("cap", "1\0")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = c
        .post(
            &format!("/begroting/scenarios/{id}/verdeling/vakgroepen/999999/band"),
            &[("version", ""), ("floor", "90"), ("cap", "110")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = c
        .get(&format!(
            "/begroting/scenarios/999999/verdeling/vakgroepen/{car}"
        ))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        c.get("/begroting/scenarios/999999/verdeling").await.status,
        StatusCode::NOT_FOUND
    );
    let res = c
        .request_raw(axum::http::Method::POST, &band, "floor=%FF%FE&cap=1")
        .await;
    assert!(res.status.is_client_error(), "{}", res.status);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_controller_sets_where_the_earmark_comes_from(pool: PgPool) {
    let mut c = app(pool).await;
    let id = scenario(&c, "Passende zorg geoormerkt").await;
    let page = format!("/begroting/scenarios/{id}/verdeling");
    c.sign_in_as(CONTROLLER).await;
    let before = c.get(&page).await;
    assert!(
        before.body.contains("bovenop het honorariumbudget"),
        "{}",
        before.body
    );
    assert!(before.body.contains("€ 1.200.000,00"));
    let res = c
        .post(
            &format!("{page}/kader"),
            &[("version", "0"), ("placement", "iets")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Kies of het geoormerkte bedrag"));
    let res = c
        .post(
            &format!("{page}/kader"),
            &[("version", "0"), ("placement", "binnen_budget")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let after = c.get(&page).await;
    assert!(after.body.contains("uit het honorariumbudget"));
    // D = M − E: € 50.400.000 − € 1.200.000.
    assert!(after.body.contains("€ 49.200.000,00"));
    assert!(after.body.contains("Somcontrole klopt tot op de cent"));
    let stale = c
        .post(
            &format!("{page}/kader"),
            &[("version", "0"), ("placement", "boven_op")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
}
