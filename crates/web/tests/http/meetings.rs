//! Meetings: preparing the agenda, compartments, decisions per body, votes and follow-ups.

use crate::support::*;
use axum::http::StatusCode;
use store::PgPool;

const EVA: &str = "e.mulder@rijnoever.example";
const HANS: &str = "h.koster@rijnoever.example";

async fn body(c: &Client, code: &str) -> String {
    store::bodies::list(c.store.pool())
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.code == code)
        .unwrap()
        .id
        .to_string()
}

async fn demo_meeting(c: &Client) -> i64 {
    let rvb = body(c, "RvB").await.parse().unwrap();
    store::meetings::list_for_bodies(&c.store, &[rvb])
        .await
        .unwrap()[0]
        .id
        .into()
}

async fn item_id(c: &Client, meeting: i64, title: &str) -> i64 {
    store::agenda::items(c.store.pool(), meeting.into())
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.title == title)
        .unwrap()
        .id
        .into()
}

async fn set_status(c: &mut Client, meeting: i64, to: &str) -> Response {
    c.post(&format!("/vergaderingen/{meeting}/status"), &[("naar", to)])
        .await
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_secretary_prepares_and_publishes_a_joint_meeting(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let (rvb, msb) = (body(&c, "RvB").await, body(&c, "MSB").await);
    let bad = c
        .post(
            "/vergaderingen",
            &[
                ("title", "Overleg"),
                ("kind", "gezamenlijk"),
                ("date", "31-02-2027"),
                ("start", "16:00"),
                ("end", "15:00"),
                ("body", &rvb),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in [
        "Vul een datum in",
        "De eindtijd moet na de begintijd",
        "minstens twee gremia",
    ] {
        assert!(bad.body.contains(msg), "{msg}");
    }
    assert!(bad.body.contains(r#"value="Overleg""#), "typed title kept");

    let res = c
        .post(
            "/vergaderingen",
            &[
                ("title", "Gezamenlijk overleg januari"),
                ("kind", "gezamenlijk"),
                ("date", "11-01-2027"),
                ("start", "16:00"),
                ("end", "18:00"),
                ("body", &rvb),
                ("body", &msb),
                ("recurrence", "maandelijks"),
                ("count", "3"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let path = res.location().split('?').next().unwrap().to_string();
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    let page = c.get(&path).await;
    for (n, time, title) in [
        ("1", "16:00", "Opening en mededelingen"),
        ("2", "16:05", "Vaststellen notulen vorige vergadering"),
        ("3", "16:10", "Afspraken die aandacht vragen"),
    ] {
        assert!(
            page.body
                .contains(&format!(r#"<span class="agenda-number">{n}</span>"#))
                && page.body.contains(time)
                && page.body.contains(title),
            "{title}"
        );
    }
    assert!(page.body.contains("11-01-2027 16:00–18:00"));
    let series = store::meetings::get(c.store.pool(), id.into())
        .await
        .unwrap()
        .series_id
        .expect("a series");
    let all = store::meetings::list_for_bodies(&c.store, &[rvb.parse().unwrap()])
        .await
        .unwrap();
    assert_eq!(
        all.iter().filter(|m| m.series_id == Some(series)).count(),
        3,
        "three monthly meetings"
    );

    let missing = c
        .post(
            &format!("/vergaderingen/{id}/punten"),
            &[
                ("title", "Jaarplan"),
                ("planned_minutes", "20"),
                ("purpose", "besluitvorming"),
                ("subject", "algemeen"),
            ],
        )
        .await;
    assert!(
        missing
            .body
            .contains("Kies bij besluitvorming welke gremia besluiten.")
    );
    assert!(missing.body.contains(r#"value="Jaarplan""#));
    let ok = c
        .post(
            &format!("/vergaderingen/{id}/punten"),
            &[
                ("title", "Jaarplan 2027"),
                ("planned_minutes", "20"),
                ("purpose", "besluitvorming"),
                ("subject", "algemeen"),
                ("deciding", &rvb),
                ("deciding", &msb),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let page = c.get(&path).await;
    let jaarplan = page.body.find("Jaarplan 2027").unwrap();
    let rondvraag = page.body.find("Rondvraag en sluiting").unwrap();
    assert!(jaarplan < rondvraag, "new items go before the closing item");
    assert!(
        page.body.contains("16:20"),
        "the new item starts after the standing items"
    );

    let wrong = set_status(&mut c, id, "gesloten").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        set_status(&mut c, id, "gepubliceerd").await.status,
        StatusCode::SEE_OTHER
    );
    assert!(c.get(&path).await.body.contains("Agenda gepubliceerd"));
    let audit: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE object_type = 'meeting' AND object_id = $1 AND action = 'status'")
        .bind(id.to_string())
        .fetch_one(&c.store.pool().clone())
        .await
        .unwrap();
    assert_eq!(audit, 1);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn body_only_items_stay_within_their_body(pool: PgPool) {
    let mut c = app(pool).await;
    let id = demo_meeting(&c).await;
    let msb_item = item_id(&c, id, "Interne verdeling honorariumbudget").await;
    let rvb_item = item_id(&c, id, "Personele aangelegenheid").await;
    let page = format!("/vergaderingen/{id}");

    c.sign_in_as(BESTUURDER).await;
    let rvb_view = c.get(&page).await;
    assert!(rvb_view.body.contains("Personele aangelegenheid"));
    assert!(
        !rvb_view.body.contains("honorariumbudget") && !rvb_view.body.contains("verdeelsleutel"),
        "MSB-only item hidden from the RvB"
    );

    c.cookies.clear();
    c.sign_in_as(HANS).await;
    let msb_view = c.get(&page).await;
    assert!(msb_view.body.contains("Interne verdeling honorariumbudget"));
    assert!(!msb_view.body.contains("Personele aangelegenheid"));

    c.cookies.clear();
    c.sign_in_as(SECRETARIS).await; // RvB secretary
    assert_eq!(
        c.get(&format!("/vergaderingen/{id}/punten/{msb_item}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let res = c
        .post(
            &format!("/vergaderingen/{id}/punten/{msb_item}/verwijderen"),
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        c.get(&format!("/vergaderingen/{id}/punten/{rvb_item}"))
            .await
            .status,
        StatusCode::OK
    );

    c.cookies.clear();
    c.sign_in_as(EVA).await; // MSB+ secretary
    assert_eq!(
        c.get(&format!("/vergaderingen/{id}/punten/{msb_item}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        c.get(&format!("/vergaderingen/{id}/punten/{rvb_item}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    c.cookies.clear();
    c.sign_in_as(TOEHOORDER).await; // RvT does not take part in this meeting
    assert_eq!(c.get(&page).await.status, StatusCode::NOT_FOUND);
    assert!(
        !c.get("/vergaderingen")
            .await
            .body
            .contains("Gezamenlijk overleg RvB en MSB+")
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn each_body_decides_and_a_divided_outcome_returns_on_the_next_joint_agenda(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let id = demo_meeting(&c).await;
    let (rvb, msb, vmsd) = (
        body(&c, "RvB").await,
        body(&c, "MSB").await,
        body(&c, "VMSD").await,
    );
    let next = c
        .post(
            "/vergaderingen",
            &[
                ("title", "Volgend overleg"),
                ("kind", "gezamenlijk"),
                ("date", "2099-01-05"),
                ("start", "16:00"),
                ("end", "18:00"),
                ("body", &rvb),
                ("body", &msb),
                ("body", &vmsd),
            ],
        )
        .await;
    let next_id: i64 = next
        .location()
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let item = item_id(&c, id, "Uitgangspunten capaciteitsbegroting 2027").await;
    let decide = format!("/vergaderingen/{id}/punten/{item}/besluit");

    let early = c
        .post(
            &decide,
            &[
                ("body_id", &rvb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord"),
            ],
        )
        .await;
    assert!(
        early.body.contains("deze vergadering is niet geopend"),
        "no decisions before the meeting opens"
    );

    set_status(&mut c, id, "gepubliceerd").await;
    set_status(&mut c, id, "in_vergadering").await;
    c.post(
        &format!("/vergaderingen/{id}/huidig"),
        &[("item", &item.to_string())],
    )
    .await;
    let res = c
        .post(
            &decide,
            &[
                ("body_id", &rvb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord met de uitgangspunten."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = c.get(&format!("/vergaderingen/{id}")).await;
    assert!(
        page.body.contains("Uitkomst: open"),
        "MSB has not decided yet"
    );
    assert!(page.body.contains("Nu aan de orde"));

    // The MSB's decision is recorded by the MSB's own secretary.
    let mut eva = crate::meetings_support::other(&c, EVA).await;
    let res = eva
        .post(
            &decide,
            &[
                ("body_id", &msb),
                ("outcome", "verworpen"),
                ("text", "Eerst de verdeling bespreken."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = c.get(&format!("/vergaderingen/{id}")).await;
    assert!(page.body.contains("Uitkomst: verdeeld"), "{}", page.body);
    let follow = store::agenda::items(c.store.pool(), next_id.into())
        .await
        .unwrap();
    let follow = follow
        .iter()
        .find(|i| i.follow_up_of_id == Some(item.into()))
        .expect("a follow-up item on the next joint meeting");
    assert_eq!(
        follow.title,
        "Vervolg: Uitgangspunten capaciteitsbegroting 2027"
    );
    assert_eq!(follow.deciding_bodies.len(), 2);

    // Correcting MSB's decision (on the version shown) to the same text makes the bodies
    // agree; no second follow-up.
    let res = eva
        .post(
            &decide,
            &[
                ("version", "1"),
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord met  de uitgangspunten."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(
        c.get(&format!("/vergaderingen/{id}"))
            .await
            .body
            .contains("Uitkomst: eensgezind")
    );
    let count = store::agenda::items(c.store.pool(), next_id.into())
        .await
        .unwrap()
        .iter()
        .filter(|i| i.follow_up_of_id == Some(item.into()))
        .count();
    assert_eq!(count, 1);

    // A body that does not decide on the item cannot record a decision on it.
    let res = c
        .post(
            &decide,
            &[("body_id", &vmsd), ("outcome", "aangenomen"), ("text", "x")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn votes_are_checked_against_quorum_and_majority(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(EVA).await;
    let id = demo_meeting(&c).await;
    let msb = body(&c, "MSB").await;
    set_status(&mut c, id, "gepubliceerd").await;
    set_status(&mut c, id, "in_vergadering").await;
    let item = item_id(&c, id, "Uitgangspunten capaciteitsbegroting 2027").await;
    let decide = format!("/vergaderingen/{id}/punten/{item}/besluit");

    // Nobody recorded as present: no votes can be cast.
    let res = c
        .post(
            &decide,
            &[
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord"),
                ("votes_for", "3"),
                ("votes_against", "0"),
            ],
        )
        .await;
    assert!(
        res.body.contains("0 stemgerechtigden aanwezig"),
        "{}",
        res.body
    );

    let mut ids = Vec::new();
    for email in [
        "h.koster@rijnoever.example",
        "i.meijer@rijnoever.example",
        "k.bouzid@rijnoever.example",
        "e.degroot@rijnoever.example",
    ] {
        ids.push(c.person_id(email).await.to_string());
    }
    // Two of the five MSB board members present: below the quorum of half.
    let two: Vec<(&str, &str)> = ids[..2].iter().map(|v| ("present", v.as_str())).collect();
    c.post(&format!("/vergaderingen/{id}/aanwezigheid"), &two)
        .await;
    let res = c
        .post(
            &decide,
            &[
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord"),
                ("votes_for", "2"),
            ],
        )
        .await;
    assert!(
        res.body.contains(
            "niet geldig: quorum niet gehaald (2 van 5 stemgerechtigden aanwezig, 3 nodig)"
        ),
        "{}",
        res.body
    );

    // The second save of the list is based on the first (version 1), as the form would carry.
    let mut four: Vec<(&str, &str)> = vec![("version", "1")];
    four.extend(ids.iter().map(|v| ("present", v.as_str())));
    let saved = c
        .post(&format!("/vergaderingen/{id}/aanwezigheid"), &four)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let lost = c
        .post(
            &decide,
            &[
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord"),
                ("votes_for", "1"),
                ("votes_against", "3"),
            ],
        )
        .await;
    assert!(
        lost.body.contains("verworpen: 1 van 4 stemmen voor"),
        "{}",
        lost.body
    );
    let too_many = c
        .post(
            &decide,
            &[
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord"),
                ("votes_for", "5"),
            ],
        )
        .await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);

    let won = c
        .post(
            &decide,
            &[
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord"),
                ("votes_for", "3"),
                ("votes_against", "1"),
            ],
        )
        .await;
    assert_eq!(won.status, StatusCode::SEE_OTHER);
    assert!(
        c.get(&format!("/vergaderingen/{id}"))
            .await
            .body
            .contains("aangenomen: 3 van 4 stemmen voor, quorum gehaald")
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn only_self_employed_msb_members_vote_on_their_finances(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(EVA).await;
    let id = demo_meeting(&c).await;
    let msb = body(&c, "MSB").await;
    set_status(&mut c, id, "gepubliceerd").await;
    set_status(&mut c, id, "in_vergadering").await;
    let mut present = Vec::new();
    for email in [
        "h.koster@rijnoever.example",
        "i.meijer@rijnoever.example",
        "k.bouzid@rijnoever.example",
        "s.dijkstra@rijnoever.example",
        "r.peters@rijnoever.example",
    ] {
        present.push(c.person_id(email).await.to_string());
    }
    let fields: Vec<(&str, &str)> = present.iter().map(|v| ("present", v.as_str())).collect();
    c.post(&format!("/vergaderingen/{id}/aanwezigheid"), &fields)
        .await;
    let item = item_id(&c, id, "Interne verdeling honorariumbudget").await;
    // Five people are present, but only the three self-employed MSB members may vote here.
    let res = c
        .post(
            &format!("/vergaderingen/{id}/punten/{item}/besluit"),
            &[
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Verdeelsleutel vastgesteld"),
                ("votes_for", "4"),
            ],
        )
        .await;
    assert!(res.body.contains("4"), "{}", res.body);
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "four votes with three eligible members present is refused"
    );
    let ok = c
        .post(
            &format!("/vergaderingen/{id}/punten/{item}/besluit"),
            &[
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Verdeelsleutel vastgesteld"),
                ("votes_for", "3"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert!(
        c.get(&format!("/vergaderingen/{id}"))
            .await
            .body
            .contains("aangenomen: 3 van 3 stemmen voor, quorum gehaald")
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn overdue_agreements_surface_under_the_standing_item_within_compartments(pool: PgPool) {
    let mut c = app(pool).await;
    let id = demo_meeting(&c).await;
    let msb: i64 = body(&c, "MSB").await.parse().unwrap();
    let owner = c.person_id(HANS).await;
    let mut tx = c.store.begin().await.unwrap();
    for (title, visibility, due) in [
        ("Wachtlijst orthopedie terugdringen", None, "2020-03-01"),
        ("Verdeelsleutel evalueren", Some(msb), "2020-04-01"),
        ("Nog niet verlopen", None, "2099-01-01"),
    ] {
        let input = store::agreements::ActionInput {
            title: title.into(),
            description: String::new(),
            owner_id: Some(owner),
            due_date: Some(
                time::Date::parse(
                    due,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .unwrap(),
            ),
            visibility_body_id: visibility,
            origin_meeting_id: id.into(),
            origin_item_id: None,
            origin_decision_id: None,
        };
        store::agreements::create_action(&mut tx, &store::audit::Who::system("test"), &input)
            .await
            .unwrap();
    }
    store::commit(tx).await.unwrap();

    c.sign_in_as(BESTUURDER).await;
    let rvb_view = c.get(&format!("/vergaderingen/{id}")).await.body;
    let standing = rvb_view.find("Afspraken die aandacht vragen").unwrap();
    let listed = &rvb_view[standing..];
    assert!(listed.contains("Wachtlijst orthopedie terugdringen") && listed.contains("01-03-2020"));
    assert!(
        !rvb_view.contains("Verdeelsleutel evalueren"),
        "an MSB-only agreement stays in the MSB"
    );
    assert!(!rvb_view.contains("Nog niet verlopen"));

    c.cookies.clear();
    c.sign_in_as(HANS).await;
    assert!(
        c.get(&format!("/vergaderingen/{id}"))
            .await
            .body
            .contains("Verdeelsleutel evalueren")
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_body_s_own_voting_rules_apply(pool: PgPool) {
    let mut admin = app(pool.clone()).await;
    admin.sign_in_as(BEHEERDER).await;
    let msb = body(&admin, "MSB").await;
    let form = admin.get(&format!("/beheer/gremia/{msb}")).await;
    let version = form.field("version").unwrap();
    let fields = |quorum: &'static str| {
        vec![
            ("version", version.clone()),
            ("code", "MSB".into()),
            ("name", "Medisch Specialistisch Bedrijf".into()),
            ("kind", "msbplus".into()),
            ("sort_order", "20".into()),
            ("quorum_percent", quorum.into()),
            ("majority", "twee_derde".into()),
        ]
    };
    let bad: Vec<(&str, String)> = fields("150");
    let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert!(
        admin
            .post(&format!("/beheer/gremia/{msb}"), &refs)
            .await
            .body
            .contains("percentage van 1 tot en met 100")
    );
    let good = fields("60");
    let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        admin
            .post(&format!("/beheer/gremia/{msb}"), &refs)
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    let mut c = app(pool).await;
    c.sign_in_as(EVA).await;
    let id = demo_meeting(&c).await;
    for to in ["gepubliceerd", "in_vergadering"] {
        c.post(&format!("/vergaderingen/{id}/status"), &[("naar", to)])
            .await;
    }
    let mut present = Vec::new();
    for email in [
        "h.koster@rijnoever.example",
        "i.meijer@rijnoever.example",
        "k.bouzid@rijnoever.example",
        "e.degroot@rijnoever.example",
    ] {
        present.push(c.person_id(email).await.to_string());
    }
    let fields: Vec<(&str, &str)> = present.iter().map(|v| ("present", v.as_str())).collect();
    c.post(&format!("/vergaderingen/{id}/aanwezigheid"), &fields)
        .await;
    let item = item_id(&c, id, "Uitgangspunten capaciteitsbegroting 2027").await;
    let decide = format!("/vergaderingen/{id}/punten/{item}/besluit");
    let short = c
        .post(
            &decide,
            &[
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord"),
                ("votes_for", "2"),
                ("votes_against", "2"),
            ],
        )
        .await;
    assert!(
        short.body.contains("tweederdemeerderheid niet gehaald"),
        "{}",
        short.body
    );
    let enough = c
        .post(
            &decide,
            &[
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord"),
                ("votes_for", "3"),
                ("votes_against", "1"),
            ],
        )
        .await;
    assert_eq!(enough.status, StatusCode::SEE_OTHER);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_named_vote_counts_only_present_eligible_members(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(EVA).await;
    let id = demo_meeting(&c).await;
    let msb = body(&c, "MSB").await;
    for to in ["gepubliceerd", "in_vergadering"] {
        c.post(&format!("/vergaderingen/{id}/status"), &[("naar", to)])
            .await;
    }
    let mut present = Vec::new();
    for email in [
        "h.koster@rijnoever.example",
        "i.meijer@rijnoever.example",
        "k.bouzid@rijnoever.example",
    ] {
        present.push(c.person_id(email).await.to_string());
    }
    let fields: Vec<(&str, &str)> = present.iter().map(|v| ("present", v.as_str())).collect();
    c.post(&format!("/vergaderingen/{id}/aanwezigheid"), &fields)
        .await;
    let item = item_id(&c, id, "Uitgangspunten capaciteitsbegroting 2027").await;
    let page = c.get(&format!("/vergaderingen/{id}")).await.body;
    assert!(
        page.contains(&format!(r#"name="vote_{}""#, present[0])),
        "the form lists the present members"
    );
    let absent = c.person_id("t.jacobs@rijnoever.example").await.to_string();
    assert!(
        !page.contains(&format!(r#"name="vote_{absent}""#)),
        "absent members are not listed"
    );

    let decide = format!("/vergaderingen/{id}/punten/{item}/besluit");
    let (v0, v1, v2, va) = (
        format!("vote_{}", present[0]),
        format!("vote_{}", present[1]),
        format!("vote_{}", present[2]),
        format!("vote_{absent}"),
    );
    let sneaky = c
        .post(
            &decide,
            &[
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord"),
                (&v0, "voor"),
                (&va, "voor"),
            ],
        )
        .await;
    assert!(
        sneaky.body.contains("niet mag stemmen of niet aanwezig is"),
        "{}",
        sneaky.body
    );
    let both = c
        .post(
            &decide,
            &[
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord"),
                ("votes_for", "2"),
                (&v0, "voor"),
            ],
        )
        .await;
    assert!(both.body.contains("niet allebei"));
    let ok = c
        .post(
            &decide,
            &[
                ("body_id", &msb),
                ("outcome", "aangenomen"),
                ("text", "Akkoord"),
                (&v0, "voor"),
                (&v1, "voor"),
                (&v2, "tegen"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert!(
        c.get(&format!("/vergaderingen/{id}"))
            .await
            .body
            .contains("aangenomen: 2 van 3 stemmen voor, quorum gehaald")
    );
    let votes = store::decisions::votes_for_meeting(&c.store, id.into())
        .await
        .unwrap();
    assert_eq!(votes.len(), 3, "named votes are kept");
    assert!(
        votes
            .iter()
            .any(|v| v.person_id.to_string() == present[2] && v.choice.code() == "tegen")
    );
}
