//! A6: minutes reach "notulen vastgesteld" only by their adoption in a later meeting in session,
//! which records that meeting and freezes the actions; no status button takes that step.

use crate::meetings_support::*;
use crate::support::*;
use axum::http::StatusCode;
use store::PgPool;

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_status_button_cannot_adopt_minutes(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(EVA).await;
    let first = new_meeting(&mut c, "Overleg januari", "2030-01-07", &["RvB", "MSB"]).await;
    open(&mut c, first).await;
    let opening = item_id(&c, first, "Opening en mededelingen").await;
    let owner = c.person_id(HANS).await.to_string();
    let act = c
        .post(
            &format!("/vergaderingen/{first}/punten/{opening}/actie"),
            &[
                ("title", "Notitie rondsturen"),
                ("owner", &owner),
                ("due", "01-03-2030"),
            ],
        )
        .await;
    assert_eq!(act.status, StatusCode::SEE_OTHER, "{}", act.body);
    assert_eq!(
        set_status(&mut c, first, "gesloten").await.status,
        StatusCode::SEE_OTHER
    );

    let page = c.get(&format!("/vergaderingen/{first}")).await;
    assert!(
        !page
            .body
            .contains(r#"name="naar" value="notulen_vastgesteld""#),
        "no status button offers the adoption"
    );

    let shortcut = set_status(&mut c, first, "notulen_vastgesteld").await;
    assert_eq!(shortcut.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        shortcut
            .body
            .contains("Notulen worden vastgesteld in een latere vergadering"),
        "{}",
        shortcut.body
    );
    let m = store::meetings::get(c.store.pool(), first.into())
        .await
        .unwrap();
    assert_eq!((m.status.code(), m.minutes_adopted_in), ("gesloten", None));
    let frozen = count(
        &c,
        "SELECT count(*) FROM agreement WHERE origin_meeting_id = $1 AND frozen_at IS NOT NULL",
        first,
    )
    .await;
    assert_eq!(frozen, 0, "the actions were not frozen");

    // The adoption in a later meeting in session does it: recorded, and the actions frozen.
    let second = new_meeting(&mut c, "Overleg februari", "2030-02-04", &["RvB", "MSB"]).await;
    open(&mut c, second).await;
    let adopt = c
        .post(
            &format!("/vergaderingen/{second}/notulen"),
            &[("vorige", &first.to_string())],
        )
        .await;
    assert_eq!(adopt.status, StatusCode::SEE_OTHER, "{}", adopt.body);
    let m = store::meetings::get(c.store.pool(), first.into())
        .await
        .unwrap();
    assert_eq!(
        (m.status.code(), m.minutes_adopted_in),
        ("notulen_vastgesteld", Some(second.into()))
    );
    let frozen = count(
        &c,
        "SELECT count(*) FROM agreement WHERE origin_meeting_id = $1 AND frozen_at IS NOT NULL",
        first,
    )
    .await;
    assert_eq!(frozen, 1);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_database_refuses_adopted_minutes_without_an_adopting_meeting(pool: PgPool) {
    let c = app(pool).await;
    let id = demo_meeting(&c).await;
    let res = sqlx::query(
        "UPDATE meeting SET status = 'notulen_vastgesteld', minutes_adopted_in = NULL WHERE id = $1",
    )
    .bind(id)
    .execute(c.store.pool())
    .await;
    assert!(res.is_err(), "a check constraint keeps the two together");
}
