//! A3: the follow-up of a divided item is never lost. Without a later joint meeting it waits,
//! listed on the meetings page for those who may see the item, and goes onto the next joint
//! meeting as soon as that is created.

use crate::meetings_support::*;
use crate::support::*;
use axum::http::StatusCode;
use store::PgPool;

const JOINT: &str = "Uitgangspunten capaciteitsbegroting 2027";
const WAITING: &str = "Vervolgpunten zonder vergadering";

/// Divides the demo meeting's joint item: the RvB adopts, the MSB rejects.
async fn divide(sanne: &mut Client, eva: &mut Client, meeting: i64) -> i64 {
    open(eva, meeting).await;
    let item = item_id(eva, meeting, JOINT).await;
    let decide = format!("/vergaderingen/{meeting}/punten/{item}/besluit");
    let rvb = body(eva, "RvB").await.to_string();
    let msb = body(eva, "MSB").await.to_string();
    for (c, body_id, outcome) in [(sanne, &rvb, "aangenomen"), (eva, &msb, "verworpen")] {
        let res = c
            .post(
                &decide,
                &[
                    ("body_id", body_id),
                    ("outcome", outcome),
                    ("text", "Over de uitgangspunten."),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    item
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_divided_item_waits_for_the_next_joint_meeting(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let mut sanne = other(&eva, SECRETARIS).await;
    let id = demo_meeting(&eva).await;
    let item = divide(&mut sanne, &mut eva, id).await;
    assert!(
        eva.get(&format!("/vergaderingen/{id}"))
            .await
            .body
            .contains("Uitkomst: verdeeld")
    );
    let pending = count(
        &eva,
        "SELECT count(*) FROM follow_up_pending WHERE item_id = $1",
        item,
    )
    .await;
    assert_eq!(pending, 1, "kept until a joint meeting takes it");

    let mut marieke = other(&eva, BESTUURDER).await;
    let list = marieke.get("/vergaderingen").await;
    assert!(list.body.contains(WAITING), "{}", list.body);
    assert!(list.body.contains(JOINT));

    // A meeting of one body does not take it; the next joint meeting does.
    let msb_only = body_meeting(&mut eva, "MSB-bestuur", "2099-01-05", "MSB").await;
    assert!(
        !store::agenda::items(eva.store.pool(), msb_only.into())
            .await
            .unwrap()
            .iter()
            .any(|i| i.follow_up_of_id == Some(item.into()))
    );
    let next = new_meeting(
        &mut sanne,
        "Volgend gezamenlijk overleg",
        "2099-02-02",
        &["RvB", "MSB", "VMSD", "VMS"],
    )
    .await;
    let items = store::agenda::items(eva.store.pool(), next.into())
        .await
        .unwrap();
    let follow = items
        .iter()
        .find(|i| i.follow_up_of_id == Some(item.into()))
        .expect("the follow-up on the new joint meeting");
    assert_eq!(follow.title, format!("Vervolg: {JOINT}"));
    let rondvraag = items
        .iter()
        .find(|i| i.standing == Some(domain::meetings::kinds::StandingItem::Rondvraag))
        .unwrap();
    assert!(
        follow.position < rondvraag.position,
        "before the closing item"
    );
    assert_eq!(
        count(
            &eva,
            "SELECT count(*) FROM follow_up_pending WHERE item_id = $1",
            item
        )
        .await,
        0
    );
    assert!(!marieke.get("/vergaderingen").await.body.contains(WAITING));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_waiting_follow_up_stays_within_its_compartment(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let id = demo_meeting(&eva).await;
    let msb_item = item_id(&eva, id, "Interne verdeling honorariumbudget").await;
    sqlx::query("INSERT INTO follow_up_pending (item_id) VALUES ($1)")
        .bind(msb_item)
        .execute(eva.store.pool())
        .await
        .unwrap();
    let mut hans = other(&eva, HANS).await;
    let list = hans.get("/vergaderingen").await.body;
    assert!(list.contains(WAITING) && list.contains("Interne verdeling honorariumbudget"));
    for email in [BESTUURDER, SECRETARIS, TOEHOORDER] {
        let mut c = other(&eva, email).await;
        let list = c.get("/vergaderingen").await.body;
        assert!(
            !list.contains(WAITING) && !list.contains("honorariumbudget"),
            "{email} sees the MSB-only follow-up"
        );
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn agreeing_after_all_drops_the_waiting_follow_up(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let mut sanne = other(&eva, SECRETARIS).await;
    let id = demo_meeting(&eva).await;
    let item = divide(&mut sanne, &mut eva, id).await;
    let msb = body(&eva, "MSB").await.to_string();
    let version: i32 = store::decisions::for_meeting(&eva.store, id.into())
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.body_id.to_string() == msb)
        .unwrap()
        .version;
    let res = eva
        .post(
            &format!("/vergaderingen/{id}/punten/{item}/besluit"),
            &[
                ("version", &version.to_string()),
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Over de uitgangspunten."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        count(
            &eva,
            "SELECT count(*) FROM follow_up_pending WHERE item_id = $1",
            item
        )
        .await,
        0
    );
}
