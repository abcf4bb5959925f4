//! A2: an agenda item links to agreements and budget scenarios, chosen from what the secretary
//! may see, shown on the agenda, the printed agenda and the live page — and a reader who may not
//! see a linked object finds no trace of it.

use crate::budget_trends::budget_fixture;
use crate::meetings_support::*;
use crate::support::*;
use axum::http::StatusCode;
use store::PgPool;

const ITEM: &str = "Concentratie van electieve orthopedie";

/// An agreement made through the register's form; `visibility` is a body id or empty.
pub async fn agreement(c: &mut Client, title: &str, visibility: &str) -> i64 {
    let res = c
        .post(
            "/afspraken",
            &[
                ("title", title),
                ("kind", "strategische_keuze"),
                ("review", "geen"),
                ("visibility", visibility),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    id_of(&res)
}

/// Saves an item's form as it stands, with these links.
pub async fn link(c: &mut Client, meeting: i64, item: i64, links: &[(&str, String)]) -> Response {
    let stored = store::agenda::get(c.store.pool(), item.into())
        .await
        .unwrap();
    let version = stored.version.to_string();
    let minutes = stored.planned_minutes.to_string();
    let visibility = stored
        .visibility_body_id
        .map(|b| b.to_string())
        .unwrap_or_default();
    let deciding: Vec<String> = stored
        .deciding_bodies
        .iter()
        .map(|b| b.to_string())
        .collect();
    let mut fields: Vec<(&str, &str)> = vec![
        ("version", &version),
        ("title", &stored.title),
        ("description", &stored.description),
        ("presenter", &stored.presenter),
        ("planned_minutes", &minutes),
        ("purpose", stored.purpose.code()),
        ("subject", stored.subject.code()),
        ("visibility", &visibility),
        ("parent", ""),
    ];
    fields.extend(deciding.iter().map(|d| ("deciding", d.as_str())));
    fields.extend(links.iter().map(|(k, v)| (*k, v.as_str())));
    c.post(&format!("/vergaderingen/{meeting}/punten/{item}"), &fields)
        .await
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn links_show_only_what_each_reader_may_see(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    budget_fixture::load(&eva.store).await;
    let scenario = budget_fixture::scenario(&eva.store, "Basis", vec![]).await;
    let msb = body(&eva, "MSB").await.to_string();
    let joint = agreement(&mut eva, "Wachttijden orthopedie halveren", "").await;
    let secret = agreement(&mut eva, "Verdeelsleutel MSB herzien", &msb).await;
    let id = demo_meeting(&eva).await;
    let item = item_id(&eva, id, ITEM).await;

    let form = eva.get(&format!("/vergaderingen/{id}/punten/{item}")).await;
    for offered in [
        "Wachttijden orthopedie halveren",
        "Verdeelsleutel MSB herzien",
        "2031 Basis",
    ] {
        assert!(form.body.contains(offered), "{offered} offered");
    }
    let res = link(
        &mut eva,
        id,
        item,
        &[
            ("afspraak", joint.to_string()),
            ("afspraak", secret.to_string()),
            ("scenario", scenario.to_string()),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = eva.get(&format!("/vergaderingen/{id}")).await.body;
    for href in [
        format!(r#"href="/afspraken/{joint}""#),
        format!(r#"href="/afspraken/{secret}""#),
        format!(r#"href="/begroting/scenarios/{scenario}""#),
    ] {
        assert!(page.contains(&href), "{href} on the agenda");
    }
    let edit = eva.get(&format!("/vergaderingen/{id}/punten/{item}")).await;
    assert!(
        edit.body
            .contains(&format!(r#"<option value="{secret}" selected>"#)),
        "the form shows the stored links"
    );

    // The RvB chair sees the joint agreement and the scenario, and no trace of the MSB's.
    let mut marieke = other(&eva, BESTUURDER).await;
    for path in [
        format!("/vergaderingen/{id}"),
        format!("/vergaderingen/{id}/afdrukken"),
        format!("/vergaderingen/{id}/live"),
    ] {
        let res = marieke.get(&path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert!(
            res.body.contains(&format!(r#"href="/afspraken/{joint}""#)),
            "{path}: {}",
            res.body
        );
        assert!(
            res.body.contains("Wachttijden orthopedie halveren"),
            "{path}"
        );
        assert!(
            res.body
                .contains(&format!(r#"href="/begroting/scenarios/{scenario}""#)),
            "{path}"
        );
        assert!(
            !res.body.contains(&format!("/afspraken/{secret}"))
                && !res.body.contains("Verdeelsleutel MSB herzien"),
            "{path} shows the MSB-only agreement"
        );
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_observer_sees_no_scenario_link(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    budget_fixture::load(&eva.store).await;
    let scenario = budget_fixture::scenario(&eva.store, "Basis", vec![]).await;
    let joint = agreement(&mut eva, "Wachttijden orthopedie halveren", "").await;
    let id = new_meeting(
        &mut eva,
        "Overleg met de RvT",
        "2030-03-04",
        &["RvB", "MSB", "RvT"],
    )
    .await;
    let res = eva
        .post(
            &format!("/vergaderingen/{id}/punten"),
            &[
                ("title", "Strategie orthopedie"),
                ("planned_minutes", "10"),
                ("purpose", "informatie"),
                ("subject", "algemeen"),
                ("afspraak", &joint.to_string()),
                ("scenario", &scenario.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mut hanneke = other(&eva, TOEHOORDER).await;
    for path in [
        format!("/vergaderingen/{id}"),
        format!("/vergaderingen/{id}/afdrukken"),
    ] {
        let res = hanneke.get(&path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert!(res.body.contains("Strategie orthopedie"));
        assert!(
            res.body.contains(&format!(r#"href="/afspraken/{joint}""#)),
            "{path}"
        );
        assert!(
            !res.body.contains("/begroting/scenarios/") && !res.body.contains("2031 Basis"),
            "{path}: no budget for an observer"
        );
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn editing_an_item_keeps_the_links_the_editor_may_not_see(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let msb = body(&eva, "MSB").await.to_string();
    let joint = agreement(&mut eva, "Wachttijden orthopedie halveren", "").await;
    let secret = agreement(&mut eva, "Verdeelsleutel MSB herzien", &msb).await;
    let id = demo_meeting(&eva).await;
    let item = item_id(&eva, id, ITEM).await;
    let res = link(
        &mut eva,
        id,
        item,
        &[
            ("afspraak", joint.to_string()),
            ("afspraak", secret.to_string()),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    // The RvB secretary does not get the MSB's agreement offered, and removes only her own.
    let mut sanne = other(&eva, SECRETARIS).await;
    let form = sanne
        .get(&format!("/vergaderingen/{id}/punten/{item}"))
        .await;
    assert!(!form.body.contains("Verdeelsleutel MSB herzien"));
    let res = link(&mut sanne, id, item, &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let stored = store::agenda::get(eva.store.pool(), item.into())
        .await
        .unwrap();
    assert_eq!(stored.agreement_links, vec![secret]);
}
