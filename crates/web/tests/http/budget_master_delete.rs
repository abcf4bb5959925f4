//! Deleting master data (D1) through the confirmation pages: the controller deletes a norm time
//! and a care product with the form's CSRF token and version; others cannot; a product with
//! volumes or trend inputs is refused in Dutch and stays.

use crate::support::*;
use axum::http::{Method, StatusCode};
use domain::budget::{ChangeKind, ScopeKind, TrendCategory};
use domain::ids::CareProductId;
use store::PgPool;
use store::audit::Who;
use store::budget::{self, CareProductInput, TrendInputInput};
use store::production::{self, ImportOutcome, ImportRequest};

use crate::budget_master::vakgroep_id;

/// A care product of `vakgroep` with norm times in the given years.
async fn product(c: &Client, vakgroep: &str, code: &str, norm_years: &[i16]) -> CareProductId {
    let vakgroep_id = vakgroep_id(c, vakgroep).await;
    let who = Who::system("test");
    let mut tx = c.store.begin().await.unwrap();
    let input = CareProductInput {
        vakgroep_id,
        code: code.into(),
        description: "Cystoscopie".into(),
        active: true,
    };
    let id = budget::create_care_product(&mut tx, &who, &input)
        .await
        .unwrap();
    for &year in norm_years {
        budget::set_norm_time(&mut tx, &who, year, id, None, "22.5".parse().unwrap())
            .await
            .unwrap();
    }
    store::commit(tx).await.unwrap();
    id
}

async fn norm_years(c: &Client, id: CareProductId) -> Vec<i16> {
    let mut years = Vec::new();
    for year in 2025..=2028 {
        if budget::norm_time(c.store.pool(), year, id)
            .await
            .unwrap()
            .is_some()
        {
            years.push(year);
        }
    }
    years
}

/// Posts the form of a confirmation page as a browser would: its own fields, CSRF token included.
async fn confirm(c: &mut Client, page: &Response, action: &str) -> Response {
    let fields: Vec<(String, String)> = ["_csrf", "version", "jaar"]
        .iter()
        .map(|&name| (name.to_string(), page.field(name).expect(name)))
        .collect();
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.request(Method::POST, action, Some(&fields)).await
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn controller_deletes_a_norm_time_and_a_care_product_after_confirming(pool: PgPool) {
    let mut c = app(pool).await;
    let id = product(&c, "URO", "990016012", &[2026, 2027]).await;
    c.sign_in_as(CONTROLLER).await;

    // The edit pages lead to the confirmation pages.
    let edit = format!("/begroting/stamgegevens/zorgproducten/{id}");
    let page = c.get(&format!("{edit}?jaar=2026")).await;
    assert!(page.body.contains(&format!("{edit}/verwijderen?jaar=2026")));
    let page = c.get(&format!("{edit}/normtijd?jaar=2026")).await;
    assert!(
        page.body
            .contains(&format!("{edit}/normtijd/verwijderen?jaar=2026"))
    );

    // One norm time.
    let action = format!("{edit}/normtijd/verwijderen");
    let page = c.get(&format!("{action}?jaar=2026")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("22,5 minuten in 2026"), "{}", page.body);
    // Without the token nothing happens.
    let res = c
        .request(
            Method::POST,
            &action,
            Some(&[("version", "1"), ("jaar", "2026")]),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(norm_years(&c, id).await, vec![2026, 2027]);
    let res = confirm(&mut c, &page, &action).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(res.location().ends_with("?jaar=2026&ok=verwijderd"));
    assert!(c.get(res.location()).await.body.contains("Verwijderd."));
    assert_eq!(norm_years(&c, id).await, vec![2027]);

    // The product, from a page that someone else's change made stale.
    let action = format!("{edit}/verwijderen");
    let stale = c.get(&format!("{action}?jaar=2026")).await;
    assert!(
        stale
            .body
            .contains("Ook de normtijden van dit zorgproduct (2027) worden verwijderd.")
    );
    let mut tx = c.store.begin().await.unwrap();
    let input = CareProductInput {
        vakgroep_id: vakgroep_id(&c, "URO").await,
        code: "990016012".into(),
        description: "Cystoscopie, flexibel".into(),
        active: true,
    };
    budget::update_care_product(&mut tx, &Who::system("test"), id, 1, &input)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    let res = confirm(&mut c, &stale, &action).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("Iemand anders heeft dit intussen gewijzigd. Er is niets verwijderd.")
    );
    assert!(budget::care_product(c.store.pool(), id).await.is_ok());
    // The page shown again holds the current version: confirming it deletes.
    let res = confirm(&mut c, &res, &action).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(res.location().ends_with("?jaar=2026&ok=verwijderd"));
    assert!(budget::care_product(c.store.pool(), id).await.is_err());
    assert!(norm_years(&c, id).await.is_empty());

    let audited: Vec<(String, String)> = sqlx::query_as(
        "SELECT object_type, actor_label FROM audit_log WHERE action = 'delete' ORDER BY seq",
    )
    .fetch_all(c.store.pool())
    .await
    .unwrap();
    let types: Vec<&str> = audited.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(types, ["norm_time", "norm_time", "care_product"]);
    assert!(audited.iter().all(|(_, who)| !who.starts_with("systeem")));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn only_the_controller_may_delete(pool: PgPool) {
    let mut c = app(pool).await;
    let id = product(&c, "URO", "990016012", &[2026]).await;
    let product_action = format!("/begroting/stamgegevens/zorgproducten/{id}/verwijderen");
    let norm_action = format!("/begroting/stamgegevens/zorgproducten/{id}/normtijd/verwijderen");
    let fields = [("version", "1"), ("jaar", "2026")];
    for who in [BESTUURDER, SECRETARIS, VAKGROEP] {
        c.cookies.clear();
        c.sign_in_as(who).await;
        for action in [&product_action, &norm_action] {
            let page = c.get(&format!("{action}?jaar=2026")).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{who} {action}");
            let res = c.post(action, &fields).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{who} {action}");
        }
    }
    assert!(budget::care_product(c.store.pool(), id).await.is_ok());
    assert_eq!(norm_years(&c, id).await, vec![2026]);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_product_with_volumes_or_trend_inputs_is_refused_in_dutch(pool: PgPool) {
    let mut c = app(pool).await;
    let realised = product(&c, "CAR", "990004006", &[2025]).await;
    let planned = product(&c, "CAR", "990004007", &[]).await;
    let who = Who::system("test");
    let request = ImportRequest {
        year: 2025,
        period: 3,
        source_name: "dwh.csv",
        data: b"vakgroep;zorgproduct;volume\nCAR;990004006;12\n",
    };
    let out = production::import(&c.store, &who, request, |_| {})
        .await
        .unwrap();
    assert!(matches!(out, ImportOutcome::Imported(_)), "{out:?}");
    let trend = TrendInputInput {
        year: 2027,
        vakgroep_id: vakgroep_id(&c, "CAR").await,
        scope: ScopeKind::Zorgproducten,
        product_ids: vec![planned],
        kind: ChangeKind::Percentage,
        value: "5".parse().unwrap(),
        category: TrendCategory::Demografie,
        rationale: "Vergrijzing".into(),
        source: "CBS".into(),
    };
    let mut tx = c.store.begin().await.unwrap();
    budget::create_trend_input(&mut tx, &who, &trend)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    c.sign_in_as(CONTROLLER).await;

    for (id, reason) in [
        (realised, "gerealiseerde volumes (2025)"),
        (planned, "trendinput (2027)"),
    ] {
        let message = format!(
            "Dit zorgproduct heeft {reason} en kan niet worden verwijderd; zet het op inactief."
        );
        let action = format!("/begroting/stamgegevens/zorgproducten/{id}/verwijderen");
        let page = c.get(&action).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&message), "{}", page.body);
        let form = format!("action=\"{action}\"");
        assert!(!page.body.contains(&form), "no way to confirm");
        // A form posted anyway (an old tab) is refused the same way.
        let res = c.post(&action, &[("version", "1"), ("jaar", "2025")]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains(&message));
        assert!(budget::care_product(c.store.pool(), id).await.is_ok());
    }
    assert_eq!(norm_years(&c, realised).await, vec![2025]);
}
