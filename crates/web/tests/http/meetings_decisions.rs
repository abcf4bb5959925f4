//! F4 and A3 for decisions: a decision, its named votes and a meeting's attendance carry a
//! version, so a stale save gets both versions side by side instead of overwriting; and a body's
//! decision is recorded by that body's own secretary or a member with a seat, never another's.

use crate::meetings_support::*;
use crate::support::*;
use axum::http::StatusCode;
use domain::people::Role;
use store::PgPool;

const JOINT: &str = "Uitgangspunten capaciteitsbegroting 2027";

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_second_secretary_saving_the_same_decision_gets_both_versions(pool: PgPool) {
    let mut sanne = app(pool).await;
    sanne.sign_in_as(SECRETARIS).await;
    add_person(
        &sanne,
        "p.devries@rijnoever.example",
        &[Role::Secretaris],
        &[("RvB", "secretaris", None)],
    )
    .await;
    let mut piet = other(&sanne, "p.devries@rijnoever.example").await;
    let id = demo_meeting(&sanne).await;
    open(&mut sanne, id).await;
    let item = item_id(&sanne, id, JOINT).await;
    let rvb = body(&sanne, "RvB").await.to_string();
    let decide = format!("/vergaderingen/{id}/punten/{item}/besluit");

    // Both open the meeting page before anyone has decided: the RvB form is for a new decision.
    let form = format!(r#"id="form-besluit-{item}-{rvb}""#);
    for page in [
        sanne.get(&format!("/vergaderingen/{id}")).await,
        piet.get(&format!("/vergaderingen/{id}")).await,
    ] {
        let at = page.body.find(&form).expect("the RvB decision form");
        assert!(
            page.body[at..].contains(r#"name="version" value="0""#),
            "a new decision is based on version 0"
        );
    }
    let first = sanne
        .post(
            &decide,
            &[
                ("version", "0"),
                ("body_id", &rvb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord met de uitgangspunten."),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);

    let stale = piet
        .post(
            &decide,
            &[
                ("version", "0"),
                ("body_id", &rvb),
                ("outcome", "aangehouden"),
                ("text", "Eerst advies van de controller."),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    for shown in [
        "Akkoord met de uitgangspunten.",
        "Eerst advies van de controller.",
        "Nu opgeslagen",
        "Uw invoer",
    ] {
        assert!(stale.body.contains(shown), "{shown}: {}", stale.body);
    }
    let stored = store::decisions::for_meeting(&sanne.store, id.into())
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].text, "Akkoord met de uitgangspunten.",
        "nothing overwritten"
    );
    let version = stored[0].version.to_string();
    assert!(
        stale
            .body
            .contains(&format!(r#"name="version" value="{version}""#)),
        "the form carries the stored version, to save deliberately"
    );
    assert!(
        stale
            .body
            .contains(r#"<option value="aangehouden" selected>"#)
    );

    // Saving the merged form again replaces the stored decision on purpose.
    let again = piet
        .post(
            &decide,
            &[
                ("version", &version),
                ("body_id", &rvb),
                ("outcome", "aangehouden"),
                ("text", "Eerst advies van de controller."),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let stored = store::decisions::for_meeting(&sanne.store, id.into())
        .await
        .unwrap();
    assert_eq!(stored[0].outcome.code(), "aangehouden");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn named_votes_are_part_of_the_versioned_decision(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let mut tab = other(&eva, EVA).await;
    let id = demo_meeting(&eva).await;
    open(&mut eva, id).await;
    let mut present = Vec::new();
    for email in [
        HANS,
        "i.meijer@rijnoever.example",
        "k.bouzid@rijnoever.example",
    ] {
        present.push(eva.person_id(email).await.to_string());
    }
    let fields: Vec<(&str, &str)> = present.iter().map(|v| ("present", v.as_str())).collect();
    let res = eva
        .post(&format!("/vergaderingen/{id}/aanwezigheid"), &fields)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let item = item_id(&eva, id, JOINT).await;
    let msb = body(&eva, "MSB").await.to_string();
    let decide = format!("/vergaderingen/{id}/punten/{item}/besluit");
    let votes: Vec<String> = present.iter().map(|p| format!("vote_{p}")).collect();
    let first = eva
        .post(
            &decide,
            &[
                ("version", "0"),
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord"),
                (&votes[0], "voor"),
                (&votes[1], "voor"),
                (&votes[2], "tegen"),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let stale = tab
        .post(
            &decide,
            &[
                ("version", "0"),
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord"),
                (&votes[0], "voor"),
                (&votes[1], "voor"),
                (&votes[2], "voor"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("aangenomen: 2 van 3 stemmen voor"));
    assert!(
        stale.body.contains("3 van 3 stemmen voor"),
        "{}",
        stale.body
    );
    let kept = format!(r#"name="{}""#, votes[2]);
    let at = stale.body.find(&kept).expect("the named vote in the form");
    assert!(
        stale.body[at..].contains(r#"<option value="voor" selected>"#),
        "the typed named vote is kept"
    );
    let stored = store::decisions::votes_for_meeting(&eva.store, id.into())
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .any(|v| v.person_id.to_string() == present[2] && v.choice.code() == "tegen"),
        "the stored named votes stay"
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_stale_attendance_list_gets_both_versions(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let mut sanne = other(&eva, SECRETARIS).await;
    let id = demo_meeting(&eva).await;
    let path = format!("/vergaderingen/{id}/aanwezigheid");
    for page in [eva.get(&path).await, sanne.get(&path).await] {
        assert_eq!(page.field("version").as_deref(), Some("0"), "{}", page.body);
    }
    let hans = eva.person_id(HANS).await.to_string();
    let marieke = eva.person_id(BESTUURDER).await.to_string();
    let first = eva
        .post(&path, &[("version", "0"), ("present", &hans)])
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let stale = sanne
        .post(&path, &[("version", "0"), ("present", &marieke)])
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("Nu opgeslagen") && stale.body.contains("Uw invoer"));
    assert!(stale.body.contains("Hans Koster") && stale.body.contains("Marieke van den Berg"));
    assert_eq!(stale.field("version").as_deref(), Some("1"));
    assert!(
        stale
            .body
            .contains(&format!(r#"name="present" value="{marieke}" checked"#)),
        "what was typed stays ticked"
    );
    let stored = store::decisions::attendance(&eva.store, id.into())
        .await
        .unwrap();
    let here: Vec<i64> = stored
        .iter()
        .filter(|(_, p)| *p)
        .map(|(id, _)| id.get())
        .collect();
    assert_eq!(
        here,
        vec![hans.parse::<i64>().unwrap()],
        "nothing overwritten"
    );

    let again = sanne
        .post(&path, &[("version", "1"), ("present", &marieke)])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn each_body_s_decision_is_recorded_by_its_own_people(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let mut sanne = other(&eva, SECRETARIS).await;
    let id = demo_meeting(&eva).await;
    open(&mut eva, id).await;
    let item = item_id(&eva, id, JOINT).await;
    let (rvb, msb) = (
        body(&eva, "RvB").await.to_string(),
        body(&eva, "MSB").await.to_string(),
    );
    let decide = format!("/vergaderingen/{id}/punten/{item}/besluit");

    // The page offers each secretary only the form of their own body.
    let page = eva.get(&format!("/vergaderingen/{id}")).await.body;
    assert!(page.contains(&format!(r#"id="form-besluit-{item}-{msb}""#)));
    assert!(!page.contains(&format!(r#"id="form-besluit-{item}-{rvb}""#)));
    let page = sanne.get(&format!("/vergaderingen/{id}")).await.body;
    assert!(page.contains(&format!(r#"id="form-besluit-{item}-{rvb}""#)));
    assert!(!page.contains(&format!(r#"id="form-besluit-{item}-{msb}""#)));

    // The MSB+ secretary cannot record the RvB's decision, nor the RvB secretary the MSB's.
    for (c, body_id) in [(&mut eva, &rvb), (&mut sanne, &msb)] {
        let res = c
            .post(
                &decide,
                &[
                    ("version", "0"),
                    ("body_id", body_id),
                    ("outcome", "aangenomen"),
                    ("text", "Namens een ander gremium"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
        assert!(res.body.contains("eigen gremium"), "{}", res.body);
    }
    assert!(
        store::decisions::for_meeting(&eva.store, id.into())
            .await
            .unwrap()
            .is_empty()
    );

    // Each records their own.
    for (c, body_id) in [(&mut sanne, &rvb), (&mut eva, &msb)] {
        let res = c
            .post(
                &decide,
                &[
                    ("version", "0"),
                    ("body_id", body_id),
                    ("outcome", "aangenomen"),
                    ("text", "Akkoord"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }

    // Someone with a seat in the RvB records for it; an adviser of the RvB does not.
    add_person(
        &eva,
        "a.adviseur@rijnoever.example",
        &[Role::Secretaris],
        &[("RvB", "adviseur", None)],
    )
    .await;
    add_person(
        &eva,
        "z.zetel@rijnoever.example",
        &[Role::Secretaris],
        &[("RvB", "lid", None)],
    )
    .await;
    let correction = [
        ("version", "1"),
        ("body_id", rvb.as_str()),
        ("outcome", "verworpen"),
        ("text", "Niet akkoord"),
    ];
    let mut adviser = other(&eva, "a.adviseur@rijnoever.example").await;
    let page = adviser.get(&format!("/vergaderingen/{id}")).await.body;
    assert!(!page.contains(&format!(r#"id="form-besluit-{item}-{rvb}""#)));
    assert_eq!(
        adviser.post(&decide, &correction).await.status,
        StatusCode::FORBIDDEN
    );
    let mut seat = other(&eva, "z.zetel@rijnoever.example").await;
    let page = seat.get(&format!("/vergaderingen/{id}")).await.body;
    assert!(page.contains(&format!(r#"id="form-besluit-{item}-{rvb}""#)));
    let res = seat.post(&decide, &correction).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    // A board member with a seat (the chair of the RvB, no secretary) records the RvB's
    // decision from the meeting page, and not the MSB's.
    let mut chair = other(&eva, BESTUURDER).await;
    let page = chair.get(&format!("/vergaderingen/{id}")).await.body;
    assert!(page.contains(&format!(r#"id="form-besluit-{item}-{rvb}""#)));
    assert!(!page.contains(&format!(r#"id="form-besluit-{item}-{msb}""#)));
    let msb_by_chair = [
        ("version", "1"),
        ("body_id", msb.as_str()),
        ("outcome", "verworpen"),
        ("text", "Namens het MSB"),
    ];
    assert_eq!(
        chair.post(&decide, &msb_by_chair).await.status,
        StatusCode::FORBIDDEN
    );
    let by_chair = [
        ("version", "2"),
        ("body_id", rvb.as_str()),
        ("outcome", "aangenomen"),
        ("text", "Akkoord na heroverweging"),
    ];
    let res = chair.post(&decide, &by_chair).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let rvb_id: i64 = rvb.parse().unwrap();
    let recorded = store::decisions::for_meeting(&chair.store, id.into())
        .await
        .unwrap();
    let rvb_decision = recorded.iter().find(|d| d.body_id == rvb_id).unwrap();
    assert_eq!(rvb_decision.text, "Akkoord na heroverweging");
}
