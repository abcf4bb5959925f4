//! Decision and action lists, print view, adopting minutes later, carrying items over.

use crate::support::*;
use axum::http::StatusCode;
use store::PgPool;

const EVA: &str = "e.mulder@rijnoever.example";

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

async fn new_meeting(c: &mut Client, title: &str, date: &str) -> i64 {
    let (rvb, msb) = (body(c, "RvB").await, body(c, "MSB").await);
    let res = c
        .post(
            "/vergaderingen",
            &[
                ("title", title),
                ("kind", "gezamenlijk"),
                ("date", date),
                ("start", "16:00"),
                ("end", "18:00"),
                ("body", &rvb),
                ("body", &msb),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    res.location()
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn open(c: &mut Client, id: i64) {
    for to in ["gepubliceerd", "in_vergadering"] {
        assert_eq!(
            c.post(&format!("/vergaderingen/{id}/status"), &[("naar", to)])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn lists_per_body_minutes_adopted_later_and_unfinished_items_carried_over(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(EVA).await; // secretary of MSB, VMSD and VMS
    let (rvb, msb) = (body(&c, "RvB").await, body(&c, "MSB").await);
    let first = new_meeting(&mut c, "Overleg januari", "2030-01-07").await;
    let add = c
        .post(
            &format!("/vergaderingen/{first}/punten"),
            &[
                ("title", "Parkeerbeleid specialisten"),
                ("planned_minutes", "10"),
                ("purpose", "besluitvorming"),
                ("subject", "algemeen"),
                ("deciding", &rvb),
                ("deciding", &msb),
            ],
        )
        .await;
    assert_eq!(add.status, StatusCode::SEE_OTHER);
    c.post(
        &format!("/vergaderingen/{first}/punten"),
        &[
            ("title", "Onderzoek wachttijden"),
            ("planned_minutes", "10"),
            ("purpose", "bespreking"),
            ("subject", "algemeen"),
        ],
    )
    .await;
    let msb_only = c
        .post(
            &format!("/vergaderingen/{first}/punten"),
            &[
                ("title", "Toetreding nieuwe maat"),
                ("planned_minutes", "10"),
                ("purpose", "besluitvorming"),
                ("subject", "algemeen"),
                ("visibility", &msb),
                ("deciding", &msb),
            ],
        )
        .await;
    assert_eq!(msb_only.status, StatusCode::SEE_OTHER, "{}", msb_only.body);
    open(&mut c, first).await;
    let park = item_id(&c, first, "Parkeerbeleid specialisten").await;
    let member = item_id(&c, first, "Toetreding nieuwe maat").await;
    // Each body's decision by its own secretary: the RvB's by the RvB secretary.
    let mut sanne = crate::meetings_support::other(&c, SECRETARIS).await;
    for (item, body_id, text) in [
        (park, &rvb, "Parkeren gratis"),
        (park, &msb, "Parkeren gratis"),
        (member, &msb, "Toetreding goedgekeurd"),
    ] {
        let recorder = if *body_id == rvb { &mut sanne } else { &mut c };
        let res = recorder
            .post(
                &format!("/vergaderingen/{first}/punten/{item}/besluit"),
                &[
                    ("body_id", body_id),
                    ("outcome", "aangenomen"),
                    ("text", text),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let owner = c.person_id("h.koster@rijnoever.example").await.to_string();
    let act = c
        .post(
            &format!("/vergaderingen/{first}/punten/{park}/actie"),
            &[
                ("title", "Regeling uitwerken"),
                ("owner", &owner),
                ("due", "01-03-2030"),
            ],
        )
        .await;
    assert_eq!(act.status, StatusCode::SEE_OTHER, "{}", act.body);
    let park_version = store::agenda::get(c.store.pool(), park.into())
        .await
        .unwrap()
        .version
        .to_string();
    c.post(
        &format!("/vergaderingen/{first}/punten/{park}/notulen"),
        &[
            ("version", &park_version),
            ("minutes", "Besproken en besloten."),
            ("done", "on"),
        ],
    )
    .await;
    c.post(
        &format!("/vergaderingen/{first}/status"),
        &[("naar", "gesloten")],
    )
    .await;

    // Joint list: the joint decisions; MSB list also the MSB-only one.
    let joint = c
        .get(&format!("/vergaderingen/{first}/besluitenlijst"))
        .await;
    assert!(
        joint.body.contains("Parkeren gratis") && !joint.body.contains("Toetreding goedgekeurd")
    );
    let msb_list = c
        .get(&format!(
            "/vergaderingen/{first}/besluitenlijst?gremium=MSB"
        ))
        .await;
    assert!(msb_list.body.contains("Toetreding goedgekeurd"));
    assert_eq!(
        c.get(&format!(
            "/vergaderingen/{first}/besluitenlijst?gremium=RvB"
        ))
        .await
        .status,
        StatusCode::NOT_FOUND,
        "not Eva's body"
    );
    let actions = c.get(&format!("/vergaderingen/{first}/actielijst")).await;
    assert!(
        actions.body.contains("Regeling uitwerken")
            && actions.body.contains("Hans Koster")
            && actions.body.contains("01-03-2030")
    );
    let print = c.get(&format!("/vergaderingen/{first}/afdrukken")).await;
    assert!(print.body.contains("Onderzoek wachttijden") && print.body.contains("16:00"));

    // An RvB member never sees the MSB-only decision, in any list.
    let mut rvb_member = Client {
        cookies: Default::default(),
        ..app_like(&c)
    };
    rvb_member.sign_in_as(BESTUURDER).await;
    for path in [
        format!("/vergaderingen/{first}/besluitenlijst"),
        format!("/vergaderingen/{first}/afdrukken"),
    ] {
        let page = rvb_member.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("Toetreding"), "{path}");
    }
    assert_eq!(
        rvb_member
            .get(&format!(
                "/vergaderingen/{first}/besluitenlijst?gremium=MSB"
            ))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The next meeting: unfinished items are offered, minutes adopted while it is in session.
    let second = new_meeting(&mut c, "Overleg februari", "2030-02-04").await;
    let offer = c.get(&format!("/vergaderingen/{second}/overnemen")).await;
    assert!(
        offer.body.contains("Onderzoek wachttijden")
            && offer.body.contains("Toetreding nieuwe maat")
    );
    assert!(
        !offer.body.contains("Parkeerbeleid"),
        "finished items are not offered"
    );
    let wachttijden = item_id(&c, first, "Onderzoek wachttijden")
        .await
        .to_string();
    assert_eq!(
        c.post(
            &format!("/vergaderingen/{second}/overnemen"),
            &[("item", &wachttijden)]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let carried = store::agenda::items(c.store.pool(), second.into())
        .await
        .unwrap();
    let copy = carried
        .iter()
        .find(|i| i.title == "Onderzoek wachttijden")
        .expect("carried over");
    assert_eq!(copy.carried_from_id, Some(wachttijden.parse().unwrap()));
    assert!(
        !c.get(&format!("/vergaderingen/{second}/overnemen"))
            .await
            .body
            .contains("Onderzoek wachttijden"),
        "offered once"
    );

    let too_early = c
        .post(
            &format!("/vergaderingen/{second}/notulen"),
            &[("vorige", &first.to_string())],
        )
        .await;
    assert_eq!(
        too_early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the adopting meeting must be in session"
    );
    open(&mut c, second).await;
    let adopted = c
        .post(
            &format!("/vergaderingen/{second}/notulen"),
            &[("vorige", &first.to_string())],
        )
        .await;
    assert_eq!(adopted.status, StatusCode::SEE_OTHER, "{}", adopted.body);
    let m = store::meetings::get(c.store.pool(), first.into())
        .await
        .unwrap();
    assert_eq!(
        (m.status.code(), m.minutes_adopted_in),
        ("notulen_vastgesteld", Some(second.into()))
    );
    let frozen = store::agreements::for_meeting(&c.store, first)
        .await
        .unwrap();
    assert!(
        frozen.iter().all(|a| a.frozen_at.is_some()),
        "actions are frozen with the minutes"
    );
    let again = c
        .post(
            &format!("/vergaderingen/{second}/notulen"),
            &[("vorige", &first.to_string())],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let late_minutes = c
        .post(
            &format!("/vergaderingen/{first}/punten/{park}/notulen"),
            &[("version", "99"), ("minutes", "Achteraf gewijzigd")],
        )
        .await;
    assert!(
        late_minutes.body.contains("addendum"),
        "adopted minutes are frozen"
    );
}

fn app_like(c: &Client) -> Client {
    Client {
        router: c.router.clone(),
        store: c.store.clone(),
        cookies: Default::default(),
        ip: c.ip,
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_printed_agenda_indexes_the_board_pack_per_reader(pool: PgPool) {
    let mut c = app(pool).await;
    let rvb = body(&c, "RvB").await.parse::<i64>().unwrap();
    let id = store::meetings::list_for_bodies(&c.store, &[rvb])
        .await
        .unwrap()[0]
        .id;
    let joint = item_id(&c, id.get(), "Uitgangspunten capaciteitsbegroting 2027").await;
    let msb_only = item_id(&c, id.get(), "Interne verdeling honorariumbudget").await;
    let mut tx = c.store.begin().await.unwrap();
    let who = store::audit::Who::system("test");
    let pdf = b"%PDF-1.7\nminimal";
    store::attachments::add(
        &mut tx,
        &who,
        joint.into(),
        "Begrotingsnotitie.pdf",
        "application/pdf",
        pdf,
    )
    .await
    .unwrap();
    store::attachments::add(
        &mut tx,
        &who,
        msb_only.into(),
        "Verdeelmodel.pdf",
        "application/pdf",
        pdf,
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();

    c.sign_in_as(BESTUURDER).await;
    let print = c.get(&format!("/vergaderingen/{id}/afdrukken")).await.body;
    assert!(print.contains("Begrotingsnotitie.pdf"), "{print}");
    assert!(!print.contains("Verdeelmodel.pdf"));
    c.cookies.clear();
    c.sign_in_as("h.koster@rijnoever.example").await;
    assert!(
        c.get(&format!("/vergaderingen/{id}/afdrukken"))
            .await
            .body
            .contains("Verdeelmodel.pdf")
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn frozen_actions_change_only_by_addendum(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(EVA).await;
    let (rvb, msb) = (body(&c, "RvB").await, body(&c, "MSB").await);
    let first = new_meeting(&mut c, "Overleg mei", "2030-05-06").await;
    c.post(
        &format!("/vergaderingen/{first}/punten"),
        &[
            ("title", "Parkeren"),
            ("planned_minutes", "10"),
            ("purpose", "besluitvorming"),
            ("subject", "algemeen"),
            ("deciding", &rvb),
            ("deciding", &msb),
        ],
    )
    .await;
    open(&mut c, first).await;
    let item = item_id(&c, first, "Parkeren").await;
    let owner = c.person_id("h.koster@rijnoever.example").await.to_string();
    c.post(
        &format!("/vergaderingen/{first}/punten/{item}/actie"),
        &[
            ("title", "Regeling uitwerken"),
            ("owner", &owner),
            ("due", "2030-06-01"),
        ],
    )
    .await;
    let action = store::agreements::for_meeting(&c.store, first)
        .await
        .unwrap()[0]
        .id;
    let path = format!("/vergaderingen/{first}/acties/{action}/addendum");
    let early = c.post(&path, &[("text", "Termijn verlengd")]).await;
    assert!(early.body.contains("ligt nog niet vast"), "{}", early.body);

    c.post(
        &format!("/vergaderingen/{first}/status"),
        &[("naar", "gesloten")],
    )
    .await;
    let second = new_meeting(&mut c, "Overleg juni", "2030-06-03").await;
    open(&mut c, second).await;
    c.post(
        &format!("/vergaderingen/{second}/notulen"),
        &[("vorige", &first.to_string())],
    )
    .await;
    assert!(
        c.post(&path, &[("text", "  ")])
            .await
            .body
            .contains("Vul het addendum in")
    );
    assert_eq!(
        c.post(
            &path,
            &[(
                "text",
                "Termijn verlengd tot 1 juli op verzoek van het MSB."
            )]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let list = c
        .get(&format!("/vergaderingen/{first}/actielijst"))
        .await
        .body;
    assert!(list.contains("Termijn verlengd tot 1 juli") && list.contains("vastgesteld"));
    let action_now = store::agreements::get(&c.store, action).await.unwrap();
    assert_eq!(
        action_now.title, "Regeling uitwerken",
        "the action itself is unchanged"
    );
}
