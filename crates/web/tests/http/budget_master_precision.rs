//! Master-data figures fit their columns (domain::budget::precision): a form refuses more
//! decimals or a larger value than the column keeps, in Dutch at the field and keeping what was
//! typed, and the norm-time import refuses such a line with its line and column.

use crate::production::{products, upload};
use crate::support::*;
use axum::http::StatusCode;
use store::PgPool;

async fn product_id(c: &Client, vakgroep: &str, code: &str) -> domain::ids::CareProductId {
    store::budget::care_products(&c.store, None)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.vakgroep_code == vakgroep && p.code == code)
        .unwrap()
        .id
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_norm_time_with_too_many_decimals_is_refused_not_rounded(pool: PgPool) {
    let mut c = app(pool).await;
    products(&c).await;
    c.sign_in_as(CONTROLLER).await;
    let id = product_id(&c, "CAR", "990004006").await;
    let path = format!("/begroting/stamgegevens/zorgproducten/{id}/normtijd");

    for (typed, message) in [
        ("7,12345", "Gebruik ten hoogste 4 decimalen."),
        ("100000000", "Vul een waarde in kleiner dan 100.000.000."),
        ("-1", "Vul 0 of meer in."),
    ] {
        let res = c.post(&path, &[("jaar", "2026"), ("minutes", typed)]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert!(res.body.contains(message), "{typed}: {}", res.body);
        assert!(res.body.contains(&format!(r#"value="{typed}""#)), "{typed}");
    }
    let stored = store::budget::norm_times(&c.store, 2026, None)
        .await
        .unwrap();
    assert!(stored.is_empty(), "nothing was stored");

    let res = c
        .post(&path, &[("jaar", "2026"), ("minutes", "7,1234")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let stored = store::budget::norm_times(&c.store, 2026, None)
        .await
        .unwrap();
    assert_eq!(stored[0].minutes.to_string(), "7.1234");
    // ... and shown as stored, not rounded, where the controller reads it back.
    let list = c.get(res.location()).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("7,1234"), "{}", list.body);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_other_master_data_forms_check_their_columns(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(CONTROLLER).await;
    let car = store::vakgroepen::list(&c.store)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.code == "CAR")
        .unwrap()
        .id;
    let page = format!("/begroting/stamgegevens/vakgroepen/{car}");
    let res = c
        .post(
            &page,
            &[
                ("jaar", "2026"),
                ("normuren", "1250,125"),
                ("fte_1a", "1000000"),
                ("fte_1b", "1,00001"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Gebruik ten hoogste 2 decimalen."));
    assert!(
        res.body
            .contains("Vul een waarde in kleiner dan 1.000.000.")
    );
    assert!(res.body.contains("Gebruik ten hoogste 4 decimalen."));
    assert!(res.body.contains(r#"value="1250,125""#));
    assert!(res.body.contains(r#"value="1,00001""#));
    let res = c
        .post(&page, &[("jaar", "2026"), ("normuren", "8760,5")])
        .await;
    assert!(
        res.body
            .contains("Vul een waarde in van ten hoogste 8.760.")
    );

    let res = c
        .post(
            &format!("{page}/kpis"),
            &[
                ("jaar", "2026"),
                ("kind", "efficiency"),
                ("name", "Gemiddelde ligduur (dagen)"),
                ("direction", "lager_beter"),
                ("reference_value", "4,1234567"),
                ("local_value", "10000000000"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Gebruik ten hoogste 6 decimalen."));
    assert!(
        res.body
            .contains("Vul een waarde in kleiner dan 10.000.000.000.")
    );
    assert!(res.body.contains(r#"value="4,1234567""#));

    // A band of 1000 % was a database error before: the column holds fractions below 10.
    let res = c
        .post(
            "/begroting/stamgegevens/instellingen",
            &[
                ("jaar", "2026"),
                ("fee_budget", "48000000,005"),
                ("fixed_share", "30,12345"),
                ("band_min", "90"),
                ("band_max", "1000"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("Gebruik ten hoogste 2 decimalen."));
    assert!(res.body.contains("Gebruik ten hoogste 4 decimalen."));
    assert!(res.body.contains("Vul een waarde in kleiner dan 1.000."));
    assert!(res.body.contains(r#"value="48000000,005""#));
    assert!(
        store::budget::normuren(&c.store, 2026)
            .await
            .unwrap()
            .is_empty()
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_norm_time_list_with_a_too_precise_line_imports_nothing(pool: PgPool) {
    let mut c = app(pool).await;
    products(&c).await;
    c.sign_in_as(CONTROLLER).await;
    let path = "/begroting/stamgegevens/normtijden?jaar=2026";
    let file = b"vakgroep;zorgproduct;normtijd\nCAR;990004006;20\nCAR;990004007;7,12345\nLON;990004006;100000000\nLON;990004007;7,1234\n";
    let res = upload(&mut c, path, &[("jaar", "2026")], "normtijden.csv", file).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("Er is niets gewijzigd"), "{}", res.body);
    let row = |line: u32, reason: &str| {
        format!(r#"<tr><td class="num">{line}</td><td>normtijd</td><td>{reason}</td></tr>"#)
    };
    // The file reader itself refuses more than 4 decimals (its volume limit, renamed for norm
    // times); the column rule refuses what the reader lets through but the column cannot hold.
    assert!(
        res.body.contains(&row(
            3,
            "&#34;7,12345&#34; heeft te veel decimalen: een normtijd heeft ten hoogste 4 cijfers na de komma."
        )),
        "{}",
        res.body
    );
    assert!(
        res.body
            .contains(&row(4, "Vul een waarde in kleiner dan 100.000.000."))
    );
    assert!(!res.body.contains(r#"<td class="num">5</td>"#));
    let stored = store::budget::norm_times(&c.store, 2026, None)
        .await
        .unwrap();
    assert!(stored.is_empty(), "nothing was imported");
}
