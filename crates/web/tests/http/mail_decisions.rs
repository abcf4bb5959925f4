//! Mail after a body's decision (issue #16): the first decision of one body tells the chairs and
//! secretaries of the bodies still to decide; a divided outcome tells those of every deciding
//! body where the item comes back; a correction that changes nothing says nothing again; an item
//! restricted to one body is never named to an officer outside it.

use crate::meetings_support::*;
use crate::support::*;
use axum::http::StatusCode;
use store::PgPool;

const JOINT: &str = "Uitgangspunten capaciteitsbegroting 2027";
const MSB_ONLY: &str = "Interne verdeling honorariumbudget";
/// Chair of the RvB.
const RVB_CHAIR: &str = BESTUURDER;
/// Chair of the VMSD: not a member of the MSB.
const VMSD_CHAIR: &str = "s.dijkstra@rijnoever.example";

/// The 'besluiten' mails written so far, as (recipient, subject, text, html), by recipient.
async fn mails(c: &Client) -> Vec<(String, String, String, String)> {
    sqlx::query_as(
        "SELECT recipient, subject, body_text, body_html FROM mail_outbox
         WHERE kind = 'besluiten' ORDER BY recipient, id",
    )
    .fetch_all(c.store.pool())
    .await
    .unwrap()
}

async fn decide(c: &mut Client, meeting: i64, item: i64, body_code: &str, outcome: &str) {
    let body_id = body(c, body_code).await;
    let version: i32 = sqlx::query_scalar(
        "SELECT COALESCE((SELECT version FROM decision WHERE item_id = $1 AND body_id = $2), 0)",
    )
    .bind(item)
    .bind(body_id)
    .fetch_one(c.store.pool())
    .await
    .unwrap();
    let res = c
        .post(
            &format!("/vergaderingen/{meeting}/punten/{item}/besluit"),
            &[
                ("body_id", body_id.to_string().as_str()),
                ("outcome", outcome),
                ("text", "Over de uitgangspunten."),
                ("version", version.to_string().as_str()),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

fn recipients(mails: &[(String, String, String, String)]) -> Vec<&str> {
    mails.iter().map(|m| m.0.as_str()).collect()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_first_decision_awaits_the_other_body_and_a_divided_outcome_reaches_both(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let mut sanne = other(&eva, SECRETARIS).await;
    let meeting = demo_meeting(&eva).await;
    open(&mut eva, meeting).await;
    let item = item_id(&eva, meeting, JOINT).await;

    decide(&mut sanne, meeting, item, "RvB", "aangenomen").await;
    let after_rvb = mails(&eva).await;
    assert_eq!(
        recipients(&after_rvb),
        [EVA, HANS],
        "the MSB's secretary and chair, nobody of the RvB"
    );
    for (_, subject, text, html) in &after_rvb {
        assert_eq!(subject, &format!("Besluit verwacht van MSB: {JOINT}"));
        assert!(text.contains("heeft RvB besloten") && text.contains("RvB: aangenomen"));
        assert!(text.contains(&format!("/vergaderingen/{meeting}#punt-{item}")));
        assert!(html.contains("<li>RvB: aangenomen</li>"), "{html}");
    }

    // The RvB corrects its decision: the MSB already knows its decision is awaited.
    decide(&mut sanne, meeting, item, "RvB", "aangehouden").await;
    assert_eq!(mails(&eva).await.len(), 2, "a correction is no news");

    // The MSB rejects: divided, to the officers of both bodies, Eva once for her three seats.
    decide(&mut eva, meeting, item, "MSB", "verworpen").await;
    let all = mails(&eva).await;
    let divided: Vec<_> = all
        .iter()
        .filter(|m| m.1 == format!("Verdeeld besluit: {JOINT}"))
        .cloned()
        .collect();
    let mut expected = vec![EVA, HANS, RVB_CHAIR, SECRETARIS];
    expected.sort();
    assert_eq!(recipients(&divided), expected);
    for (_, _, text, _) in &divided {
        assert!(
            text.contains("RvB: aangehouden") && text.contains("MSB: verworpen"),
            "{text}"
        );
        assert!(text.contains("volgende gezamenlijke vergadering"), "{text}");
    }
    // The MSB changes its mind but stays divided: nothing new.
    decide(&mut eva, meeting, item, "MSB", "aangenomen").await;
    assert_eq!(mails(&eva).await.len(), all.len());
    assert!(
        mails(&eva)
            .await
            .iter()
            .all(|m| m.0 != VMSD_CHAIR && m.0 != TOEHOORDER),
        "bodies that do not decide hear nothing"
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_item_of_one_body_is_never_named_to_an_officer_outside_it(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let meeting = demo_meeting(&eva).await;
    open(&mut eva, meeting).await;
    let item = item_id(&eva, meeting, MSB_ONLY).await;
    // The VMSD decides on the MSB-only item as well (which the forms do not offer): the awaited
    // mail must still skip the VMSD's chair, who may not see the item.
    sqlx::query("INSERT INTO agenda_item_body (item_id, body_id) VALUES ($1, $2)")
        .bind(item)
        .bind(body(&eva, "VMSD").await)
        .execute(eva.store.pool())
        .await
        .unwrap();
    decide(&mut eva, meeting, item, "MSB", "aangenomen").await;
    let written = mails(&eva).await;
    assert_eq!(
        recipients(&written),
        [EVA],
        "only the officer who may see it"
    );
    assert!(
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM mail_outbox WHERE body_text LIKE '%honorariumbudget%' AND recipient = $1"
        )
        .bind(VMSD_CHAIR)
        .fetch_one(eva.store.pool())
        .await
        .unwrap()
            == 0
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn officers_who_switched_decision_mail_off_get_none(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let mut hans = other(&eva, HANS).await;
    let res = hans.get("/account/meldingen").await;
    assert_eq!(res.status, StatusCode::OK);
    let res = hans
        .post("/account/meldingen", &[("besluiten", "uit")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mut sanne = other(&eva, SECRETARIS).await;
    let meeting = demo_meeting(&eva).await;
    open(&mut eva, meeting).await;
    let item = item_id(&eva, meeting, JOINT).await;
    decide(&mut sanne, meeting, item, "RvB", "aangenomen").await;
    assert_eq!(recipients(&mails(&eva).await), [EVA]);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_divided_mail_names_the_meeting_the_item_comes_back_on(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let mut sanne = other(&eva, SECRETARIS).await;
    let next = "Volgend gezamenlijk overleg";
    new_meeting(
        &mut sanne,
        next,
        "2099-02-02",
        &["RvB", "MSB", "VMSD", "VMS"],
    )
    .await;
    let meeting = demo_meeting(&eva).await;
    open(&mut eva, meeting).await;
    let item = item_id(&eva, meeting, JOINT).await;
    decide(&mut sanne, meeting, item, "RvB", "aangenomen").await;
    decide(&mut eva, meeting, item, "MSB", "verworpen").await;
    let divided: Vec<_> = mails(&eva)
        .await
        .into_iter()
        .filter(|m| m.1.starts_with("Verdeeld besluit"))
        .collect();
    assert_eq!(divided.len(), 4);
    for (_, _, text, _) in divided {
        assert!(
            text.contains(&format!("op de agenda van \"{next}\" van 02-02-2099")),
            "{text}"
        );
    }
}
