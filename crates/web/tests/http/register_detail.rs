//! The agreement page and form (product.md B1–B3, F4): made from a decision, compartments, the
//! status flow, KPIs with traffic lights, owners recording progress, and concurrent edits.

use crate::support::*;
use axum::http::StatusCode;
use store::PgPool;

async fn body(c: &Client, code: &str) -> i64 {
    store::bodies::list(c.store.pool())
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.code == code)
        .unwrap()
        .id
}

async fn demo_meeting(c: &Client) -> i64 {
    let rvb = body(c, "RvB").await;
    store::meetings::list_for_bodies(&c.store, &[rvb])
        .await
        .unwrap()[0]
        .id
        .into()
}

/// The first non-standing item of the demo meeting with this visibility.
async fn item_with(c: &Client, meeting: i64, visibility: Option<i64>) -> store::agenda::Item {
    store::agenda::items(c.store.pool(), meeting.into())
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.visibility_body_id == visibility && i.standing.is_none())
        .unwrap()
}

async fn record_decision(c: &Client, item: i64, body: i64, text: &str) -> i64 {
    let mut tx = c.store.begin().await.unwrap();
    let id = store::decisions::record(
        &mut tx,
        &store::audit::Who::system("test"),
        &store::decisions::DecisionInput {
            item_id: item.into(),
            body_id: body,
            outcome: domain::meetings::kinds::DecisionOutcome::Aangenomen,
            text: text.into(),
            votes_for: None,
            votes_against: None,
            votes_abstain: None,
            vote_summary: String::new(),
            named: Vec::new(),
        },
        0,
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    id
}

/// Creates an agreement through the form and returns its id.
async fn create(c: &mut Client, extra: &[(&str, &str)]) -> i64 {
    let mut fields: Vec<(&str, &str)> = [
        ("title", "Wachttijden polikliniek terugdringen"),
        ("kind", "monitoring"),
        ("review", "geen"),
    ]
    .into_iter()
    .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
    .collect();
    fields.extend_from_slice(extra);
    let res = c.post("/afspraken", &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    res.location()
        .trim_start_matches("/afspraken/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_agreement_made_from_a_decision_is_prefilled_and_links_back(pool: PgPool) {
    let mut c = app(pool).await;
    let meeting = demo_meeting(&c).await;
    let rvb = body(&c, "RvB").await;
    let item = item_with(&c, meeting, None).await;
    let decision = record_decision(&c, item.id.into(), rvb, "De RvB stemt in met het plan.").await;
    c.sign_in_as(SECRETARIS).await;

    let page = c.get(&format!("/vergaderingen/{meeting}")).await;
    assert!(
        page.body
            .contains(&format!("/afspraken/nieuw?besluit={decision}")),
        "link from the decision"
    );
    let form = c.get(&format!("/afspraken/nieuw?besluit={decision}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(&format!(r#"value="{}""#, item.title)));
    assert!(form.body.contains("De RvB stemt in met het plan."));
    assert_eq!(form.field("besluit"), Some(decision.to_string()));

    let id = create(
        &mut c,
        &[
            ("title", &item.title),
            ("besluit", &decision.to_string()),
            ("party_kind", "rvb"),
            ("party_label", ""),
            ("party_owner", ""),
            ("seven_s", "strategie"),
        ],
    )
    .await;
    let show = c.get(&format!("/afspraken/{id}")).await;
    assert_eq!(show.status, StatusCode::OK);
    assert!(
        show.body
            .contains(&format!(r#"href="/vergaderingen/{meeting}""#))
    );
    assert!(
        show.body.contains("Vastgesteld"),
        "from a decision: vastgesteld"
    );
    assert!(show.body.contains("Strategie"));

    // A decision on an item this person cannot see does not exist for them.
    let msb = body(&c, "MSB").await;
    let hidden = item_with(&c, meeting, Some(msb)).await;
    let secret = record_decision(&c, hidden.id.into(), msb, "Alleen MSB.").await;
    let res = c.get(&format!("/afspraken/nieuw?besluit={secret}")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_msb_only_agreement_is_not_found_for_the_rvb(pool: PgPool) {
    let mut c = app(pool).await;
    let msb = body(&c, "MSB").await;
    c.sign_in_as("e.mulder@rijnoever.example").await;
    let id = create(&mut c, &[("visibility", &msb.to_string())]).await;
    assert_eq!(
        c.get(&format!("/afspraken/{id}")).await.status,
        StatusCode::OK
    );
    for who in [BESTUURDER, SECRETARIS] {
        c.cookies.clear();
        c.sign_in_as(who).await;
        assert_eq!(
            c.get(&format!("/afspraken/{id}")).await.status,
            StatusCode::NOT_FOUND,
            "{who}"
        );
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_status_flow_refuses_illegal_steps_and_records_reasons(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let id = create(&mut c, &[]).await;
    let path = format!("/afspraken/{id}/status");
    let version = |c: &Client| {
        let store = c.store.clone();
        async move {
            store::agreements::detail(&store, domain::ids::AgreementId::new(id))
                .await
                .unwrap()
                .agreement
                .version
                .to_string()
        }
    };

    let v = version(&c).await;
    let res = c
        .post(
            &path,
            &[("version", &v), ("to", "gerealiseerd"), ("reason", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("kan niet naar"), "{}", res.body);
    let d = store::agreements::detail(&c.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap();
    assert_eq!(d.agreement.status.code(), "voorgesteld");

    let res = c
        .post(
            &path,
            &[("version", &v), ("to", "vastgesteld"), ("reason", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);

    let v = version(&c).await;
    let res = c
        .post(
            &path,
            &[("version", &v), ("to", "niet_nagekomen"), ("reason", " ")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Geef een reden op"), "{}", res.body);
    let d = store::agreements::detail(&c.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap();
    assert_eq!(d.agreement.status.code(), "vastgesteld");
    assert_eq!(d.history.len(), 1);

    let res = c
        .post(
            &path,
            &[
                ("version", &v),
                ("to", "niet_nagekomen"),
                ("reason", "Geen capaciteit op de poli."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let show = c.get(&format!("/afspraken/{id}")).await;
    assert!(show.body.contains("Geen capaciteit op de poli."));
    assert!(show.body.contains("Niet nagekomen"));
    let d = store::agreements::detail(&c.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap();
    assert_eq!(d.agreement.status.code(), "niet_nagekomen");
    assert_eq!(d.history.len(), 2);
    assert_eq!(d.history[1].reason, "Geen capaciteit op de poli.");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_overdue_kpi_far_from_target_shows_red_with_the_reason(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let id = create(&mut c, &[("start", "01-01-2024"), ("due", "01-01-2025")]).await;
    let bad = c
        .post(
            &format!("/afspraken/{id}/kpis"),
            &[
                ("kpi_name", "Patiënten binnen 4 weken gezien"),
                ("kpi_unit", "%"),
                ("kpi_direction", "hoger_beter"),
                ("kpi_baseline", "1.234"),
                ("kpi_target", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("dubbelzinnig"), "{}", bad.body);
    assert!(bad.body.contains("Vul een getal in."));
    assert!(
        bad.body
            .contains(r#"value="Patiënten binnen 4 weken gezien""#)
    );

    let res = c
        .post(
            &format!("/afspraken/{id}/kpis"),
            &[
                ("kpi_name", "Patiënten binnen 4 weken gezien"),
                ("kpi_unit", "%"),
                ("kpi_direction", "hoger_beter"),
                ("kpi_baseline", "40"),
                ("kpi_target", "90,5"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let kpi = store::agreements::detail(&c.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap()
        .kpis[0]
        .kpi
        .id
        .to_string();
    for (on, value) in [("01-03-2024", "41"), ("01-09-2024", "45,5")] {
        let res = c
            .post(
                &format!("/afspraken/{id}/metingen"),
                &[("m_kpi", &kpi), ("measured_on", on), ("value", value)],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let show = c.get(&format!("/afspraken/{id}")).await;
    assert!(show.body.contains("light-rood"));
    assert!(show.body.contains("uit koers"));
    assert!(
        show.body
            .contains("einddatum 01-01-2025 verstreken, doel niet gehaald"),
        "{}",
        show.body
    );
    assert!(show.body.contains("<svg"));
    assert!(show.body.contains("45,5"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_owner_records_progress_but_does_not_edit(pool: PgPool) {
    let mut c = app(pool).await;
    let owner = c.person_id(BESTUURDER).await.to_string();
    c.sign_in_as(SECRETARIS).await;
    let id = create(
        &mut c,
        &[
            ("party_kind", "rvb"),
            ("party_label", ""),
            ("party_owner", &owner),
        ],
    )
    .await;
    c.post(
        &format!("/afspraken/{id}/kpis"),
        &[
            ("kpi_name", "Wachttijd"),
            ("kpi_unit", "dagen"),
            ("kpi_direction", "lager_beter"),
            ("kpi_baseline", "40"),
            ("kpi_target", "20"),
        ],
    )
    .await;
    let kpi = store::agreements::detail(&c.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap()
        .kpis[0]
        .kpi
        .id
        .to_string();

    c.cookies.clear();
    c.sign_in_as(BESTUURDER).await;
    let show = c.get(&format!("/afspraken/{id}")).await;
    assert!(show.body.contains("Meting vastleggen"));
    assert!(!show.body.contains(&format!("/afspraken/{id}/bewerken")));
    let res = c
        .post(
            &format!("/afspraken/{id}/metingen"),
            &[
                ("m_kpi", &kpi),
                ("measured_on", "02-01-2025"),
                ("value", "35"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let d = store::agreements::detail(&c.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap();
    assert_eq!(d.kpis[0].measurements.len(), 1);
    assert_eq!(
        c.get(&format!("/afspraken/{id}/bewerken")).await.status,
        StatusCode::FORBIDDEN
    );
    let res = c
        .post(
            &format!("/afspraken/{id}"),
            &[
                ("version", "1"),
                ("title", "Anders"),
                ("kind", "monitoring"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // Someone else who may see the agreement but owns nothing may not record progress.
    c.cookies.clear();
    c.sign_in_as("j.verhoeven@rijnoever.example").await;
    let res = c
        .post(
            &format!("/afspraken/{id}/metingen"),
            &[
                ("m_kpi", &kpi),
                ("measured_on", "03-01-2025"),
                ("value", "30"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn two_concurrent_edits_give_a_conflict_page_with_both_versions(pool: PgPool) {
    let mut first = app(pool).await;
    first.sign_in_as(SECRETARIS).await;
    let id = create(&mut first, &[]).await;
    let mut second = Client {
        router: first.router.clone(),
        store: first.store.clone(),
        cookies: Default::default(),
        ip: first.ip,
    };
    second.sign_in_as(SECRETARIS).await;

    let edit = format!("/afspraken/{id}/bewerken");
    let v1 = first.get(&edit).await.field("version").unwrap();
    let v2 = second.get(&edit).await.field("version").unwrap();
    assert_eq!(v1, v2);
    let save = |title: &'static str, version: String| {
        vec![
            ("version".to_string(), version),
            ("title".to_string(), title.to_string()),
            ("kind".to_string(), "monitoring".to_string()),
            ("review".to_string(), "geen".to_string()),
        ]
    };
    let fields = save("Titel van de eerste", v1);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = first.post(&format!("/afspraken/{id}"), &refs).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);

    let fields = save("Titel van de tweede", v2.clone());
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = second.post(&format!("/afspraken/{id}"), &refs).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(
        res.body.contains("Titel van de eerste"),
        "stored version shown"
    );
    assert!(
        res.body.contains("Titel van de tweede"),
        "typed version shown"
    );
    assert!(res.body.contains("verschilt"));
    let stored = store::agreements::detail(&second.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap();
    assert_eq!(stored.agreement.title, "Titel van de eerste");
    let newer = res.field("version").unwrap();
    assert_ne!(newer, v2, "the merge form carries the new version");
    assert_eq!(newer, stored.agreement.version.to_string());

    // Saving the merge form again overwrites deliberately.
    let fields = save("Titel van de tweede", newer);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = second.post(&format!("/afspraken/{id}"), &refs).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let stored = store::agreements::detail(&second.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap();
    assert_eq!(stored.agreement.title, "Titel van de tweede");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_frozen_agreement_points_to_the_addendum_instead_of_the_form(pool: PgPool) {
    let mut c = app(pool.clone()).await;
    let meeting = demo_meeting(&c).await;
    let rvb = body(&c, "RvB").await;
    let item = item_with(&c, meeting, None).await;
    let decision = record_decision(&c, item.id.into(), rvb, "Akkoord.").await;
    c.sign_in_as(SECRETARIS).await;
    let id = create(&mut c, &[("besluit", &decision.to_string())]).await;
    sqlx::query("UPDATE agreement SET frozen_at = now() WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let res = c.get(&format!("/afspraken/{id}/bewerken")).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("bevroren"));
    assert!(
        res.body
            .contains(&format!("/vergaderingen/{meeting}/actielijst"))
    );
    assert!(!res.body.contains("afspraak-formulier"));
    let res = c
        .post(
            &format!("/afspraken/{id}"),
            &[
                ("version", "1"),
                ("title", "Anders"),
                ("kind", "monitoring"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let d = store::agreements::detail(&c.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap();
    assert_ne!(d.agreement.title, "Anders");
}

/// Adds a KPI "Wachttijd" (lower is better, 40 → 20 days) and returns its id.
async fn wait_kpi(c: &mut Client, id: i64) -> String {
    let res = c
        .post(
            &format!("/afspraken/{id}/kpis"),
            &[
                ("kpi_name", "Wachttijd"),
                ("kpi_unit", "dagen"),
                ("kpi_direction", "lager_beter"),
                ("kpi_baseline", "40"),
                ("kpi_target", "20"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    store::agreements::detail(&c.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap()
        .kpis[0]
        .kpi
        .id
        .to_string()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn red_and_review_due_agreements_reach_the_agenda_and_the_owner_until_reviewed(pool: PgPool) {
    let mut c = app(pool).await;
    let meeting = demo_meeting(&c).await;
    let owner = c.person_id(BESTUURDER).await.to_string();
    c.sign_in_as(SECRETARIS).await;
    // Off course: a year in, the waiting time got worse, with the due date still ahead.
    let red = create(
        &mut c,
        &[
            ("title", "Wachttijd poli orthopedie halveren"),
            ("start", "01-01-2025"),
            ("due", "31-12-2099"),
            ("party_kind", "rvb"),
            ("party_label", ""),
            ("party_owner", &owner),
        ],
    )
    .await;
    let kpi = wait_kpi(&mut c, red).await;
    for (on, value) in [("01-02-2025", "41"), ("01-11-2026", "55")] {
        let res = c
            .post(
                &format!("/afspraken/{red}/metingen"),
                &[("m_kpi", &kpi), ("measured_on", on), ("value", value)],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    // A quarterly review that fell due long ago.
    let review = create(
        &mut c,
        &[
            ("title", "Samenwerking SEH evalueren"),
            ("start", "01-01-2025"),
            ("review", "per_kwartaal"),
        ],
    )
    .await;
    // Neither late nor red nor with a review: stays off the agenda.
    let quiet = create(
        &mut c,
        &[("title", "Rustige afspraak"), ("due", "31-12-2099")],
    )
    .await;
    for id in [red, review, quiet] {
        let v = store::agreements::detail(&c.store, domain::ids::AgreementId::new(id))
            .await
            .unwrap()
            .agreement
            .version;
        let res = c
            .post(
                &format!("/afspraken/{id}/status"),
                &[("version", &v.to_string()), ("to", "vastgesteld")],
            )
            .await;
        assert!(res.status == StatusCode::SEE_OTHER, "{}", res.body);
    }

    let agenda = c.get(&format!("/vergaderingen/{meeting}")).await.body;
    let standing = &agenda[agenda.find("Afspraken die aandacht vragen").unwrap()..];
    assert!(
        standing.contains(&format!(r#"data-aandacht="{red}""#))
            && standing.contains("<strong>Uit koers:</strong>"),
        "{standing}"
    );
    assert!(standing.contains(&format!(r#"data-aandacht="{review}""#)));
    assert!(standing.contains("beoordeling gepland op 01-04-2025"));
    assert!(!standing.contains(&format!(r#"data-aandacht="{quiet}""#)));

    // The owner sees it on the dashboard, with the reason.
    c.cookies.clear();
    c.sign_in_as(BESTUURDER).await;
    let dash = c.get("/").await.body;
    // Only the "Mijn afspraken" block: the monitor's block of all agreements needing attention
    // (which may list others' agreements) follows it.
    let mine = &dash[dash.find("Mijn afspraken").unwrap()..];
    let mine = &mine[..mine.find("</section>").unwrap()];
    assert!(mine.contains("Wachttijd poli orthopedie halveren"));
    assert!(
        mine.contains("uit koers volgens de KPI&#39;s")
            || mine.contains("uit koers volgens de KPI's"),
        "{mine}"
    );
    assert!(
        !mine.contains("Samenwerking SEH evalueren"),
        "not the owner"
    );

    // Recording the review takes it off the agenda until the next quarter.
    c.cookies.clear();
    c.sign_in_as(SECRETARIS).await;
    let page = c.get(&format!("/afspraken/{review}")).await;
    assert!(page.body.contains("Vraagt aandacht"));
    let version = store::agreements::detail(&c.store, domain::ids::AgreementId::new(review))
        .await
        .unwrap()
        .agreement
        .version;
    let bad = c
        .post(
            &format!("/afspraken/{review}/beoordeling"),
            &[
                ("version", &version.to_string()),
                ("reviewed_on", "31-02-2026"),
                ("note", "Besproken"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("dd-mm-jjjj") && bad.body.contains("Besproken"));
    let today = c
        .get(&format!("/afspraken/{review}"))
        .await
        .field("reviewed_on")
        .unwrap();
    let ok = c
        .post(
            &format!("/afspraken/{review}/beoordeling"),
            &[
                ("version", &version.to_string()),
                ("reviewed_on", &today),
                ("note", "Besproken in het overleg"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let d = store::agreements::detail(&c.store, domain::ids::AgreementId::new(review))
        .await
        .unwrap();
    assert!(d.agreement.reviewed_on.is_some());
    assert!(
        d.comments
            .iter()
            .any(|x| x.text == "Beoordeling: Besproken in het overleg")
    );
    let agenda = c.get(&format!("/vergaderingen/{meeting}")).await.body;
    assert!(!agenda.contains(&format!(r#"data-aandacht="{review}""#)));
    assert!(agenda.contains(&format!(r#"data-aandacht="{red}""#)));
    // A stale version is refused, not applied twice.
    let stale = c
        .post(
            &format!("/afspraken/{review}/beoordeling"),
            &[("version", &version.to_string()), ("reviewed_on", &today)],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.body.contains("Iemand anders"));
}

/// Eight people save the same agreement at the same moment: exactly one save lands, the other
/// seven get the conflict page, and the stored title is the winner's.
#[sqlx::test(migrator = "store::MIGRATOR")]
async fn simultaneous_saves_never_overwrite_each_other(pool: PgPool) {
    let mut first = app(pool).await;
    first.sign_in_as(SECRETARIS).await;
    let id = create(&mut first, &[]).await;
    let version = first
        .get(&format!("/afspraken/{id}/bewerken"))
        .await
        .field("version")
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..8 {
        let mut c = Client {
            router: first.router.clone(),
            store: first.store.clone(),
            cookies: Default::default(),
            ip: first.ip,
        };
        c.sign_in_as(SECRETARIS).await;
        let version = version.clone();
        tasks.spawn(async move {
            let title = format!("Titel van schrijver {n}");
            let res = c
                .post(
                    &format!("/afspraken/{id}"),
                    &[
                        ("version", version.as_str()),
                        ("title", title.as_str()),
                        ("kind", "monitoring"),
                        ("review", "geen"),
                    ],
                )
                .await;
            (title, res.status)
        });
    }
    let results = tasks.join_all().await;
    let winners: Vec<&String> = results
        .iter()
        .filter(|(_, s)| *s == StatusCode::SEE_OTHER)
        .map(|(t, _)| t)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert_eq!(
        results
            .iter()
            .filter(|(_, s)| *s == StatusCode::CONFLICT)
            .count(),
        7,
        "{results:?}"
    );
    let stored = store::agreements::detail(&first.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap();
    assert_eq!(&stored.agreement.title, winners[0]);
    assert_eq!(
        stored.agreement.version.to_string(),
        (version.parse::<i32>().unwrap() + 1).to_string()
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_vakgroep_party_must_be_one_of_the_hospital_s_vakgroepen(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let bad = c
        .post(
            "/afspraken",
            &[
                ("title", "Spreekuur op locatie Zuid"),
                ("kind", "actie"),
                ("review", "geen"),
                ("party_kind", "vakgroep"),
                ("party_label", "Kardiologie"),
                ("party_owner", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("‘Kardiologie’ is geen vakgroep"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains(r#"value="Spreekuur op locatie Zuid""#),
        "typed title kept"
    );
    assert!(
        bad.body.contains(r#"<option value="Cardiologie">"#),
        "suggestions offered"
    );

    let id = create(
        &mut c,
        &[
            ("title", "Spreekuur op locatie Zuid"),
            ("party_kind", "vakgroep"),
            ("party_label", "car"),
            ("party_owner", ""),
        ],
    )
    .await;
    let d = store::agreements::detail(&c.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap();
    let cardio: i64 = sqlx::query_scalar("SELECT id FROM vakgroep WHERE code = 'CAR'")
        .fetch_one(c.store.pool())
        .await
        .unwrap();
    assert_eq!(d.parties[0].vakgroep_id, Some(cardio));
    assert_eq!(d.parties[0].name(), "Cardiologie");
    // Editing keeps the link: the form shows the name, which finds the vakgroep again.
    let edit = c.get(&format!("/afspraken/{id}/bewerken")).await;
    assert!(
        edit.body
            .contains(r#"name="party_label" value="Cardiologie""#)
    );
}

/// B5: a plan from the capacity budget that cannot be aligned with the insurer contract is a
/// financial agreement with the deviation, linked to its scenario.
#[sqlx::test(migrator = "store::MIGRATOR")]
async fn an_insurer_deviation_is_a_financial_agreement_linked_to_a_scenario(pool: PgPool) {
    use sqlx::types::Decimal;
    let mut c = app(pool).await;
    let mut tx = c.store.begin().await.unwrap();
    let scenario = store::budget::create_scenario(
        &mut tx,
        &store::audit::Who::system("test"),
        &domain::budget::ScenarioDraft {
            year: 2027,
            name: "Verzekeraarsbod".into(),
            description: String::new(),
            reference_year: 2025,
            variant: domain::budget::PzVariant::Informatief,
            weights: domain::budget::Weights::REGULAR,
            earmarked_amount: Decimal::ZERO,
            grondslag: domain::budget::Grondslag::FormatiefFte,
            trend_input_ids: Vec::new(),
            overrides: Vec::new(),
            previous: None,
        },
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    let scenario = scenario.to_string();
    c.sign_in_as(SECRETARIS).await;

    let form = c.get("/afspraken/nieuw").await.body;
    assert!(form.contains(&format!(
        r#"<option value="{scenario}">2027 Verzekeraarsbod</option>"#
    )));
    let wrong_kind = c
        .post(
            "/afspraken",
            &[
                ("title", "Orthopedie boven het contractvolume"),
                ("kind", "monitoring"),
                ("review", "geen"),
                (
                    "insurer_deviation",
                    "Volume 6 % boven het plafond van de grootste verzekeraar",
                ),
                ("budget_scenario", &scenario),
            ],
        )
        .await;
    assert_eq!(wrong_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong_kind
            .body
            .contains("hoort bij een afspraak van de soort Financieel")
    );
    assert!(
        wrong_kind.body.contains("Volume 6 % boven het plafond"),
        "typed text kept"
    );
    let unknown = c
        .post(
            "/afspraken",
            &[
                ("title", "Orthopedie boven het contractvolume"),
                ("kind", "financieel"),
                ("review", "geen"),
                ("budget_scenario", "999999"),
            ],
        )
        .await;
    assert!(
        unknown
            .body
            .contains("Kies een bestaand begrotingsscenario.")
    );

    let id = create(
        &mut c,
        &[
            ("title", "Orthopedie boven het contractvolume"),
            ("kind", "financieel"),
            (
                "insurer_deviation",
                "Volume 6 % boven het plafond van de grootste verzekeraar",
            ),
            ("budget_scenario", &scenario),
        ],
    )
    .await;
    let d = store::agreements::detail(&c.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap();
    assert_eq!(
        d.agreement.budget_scenario_id.map(|s| s.to_string()),
        Some(scenario.clone())
    );
    let page = c.get(&format!("/afspraken/{id}")).await.body;
    assert!(page.contains(&format!(
        r#"<a href="/begroting/scenarios/{scenario}">2027 Verzekeraarsbod</a>"#
    )));
    // The scenario cannot be deleted from under the agreement.
    let gone = sqlx::query("DELETE FROM budget_scenario WHERE id = $1")
        .bind(scenario.parse::<i64>().unwrap())
        .execute(c.store.pool())
        .await;
    assert!(gone.is_err(), "ON DELETE RESTRICT");
}

/// A renegotiated target: the KPI changes, its measurements stay, the light follows the new
/// target, bad input keeps what was typed, and a stale form does not overwrite.
#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_kpi_target_is_renegotiated_without_losing_measurements(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let id = create(&mut c, &[("start", "01-01-2025"), ("due", "31-12-2099")]).await;
    let kpi = wait_kpi(&mut c, id).await;
    let res = c
        .post(
            &format!("/afspraken/{id}/metingen"),
            &[
                ("m_kpi", &kpi),
                ("measured_on", "01-02-2025"),
                ("value", "30"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);

    let form = c
        .get(&format!("/afspraken/{id}/kpis/wijzigen?kpi={kpi}"))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"value="Wachttijd""#) && form.body.contains(r#"value="20""#));
    let version = form.field("version").unwrap();

    let bad = c
        .post(
            &format!("/afspraken/{id}/kpis/wijzigen"),
            &[
                ("kpi", &kpi),
                ("version", &version),
                ("kpi_name", "Wachttijd poli"),
                ("kpi_unit", "dagen"),
                ("kpi_direction", "lager_beter"),
                ("kpi_baseline", "40"),
                ("kpi_target", "dertig"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Streefwaarde:") && bad.body.contains(r#"value="dertig""#));

    let fields = |target: &'static str, version: String| {
        vec![
            ("kpi", kpi.clone()),
            ("version", version),
            ("kpi_name", "Wachttijd poli".to_string()),
            ("kpi_unit", "dagen".to_string()),
            ("kpi_direction", "lager_beter".to_string()),
            ("kpi_baseline", "40".to_string()),
            ("kpi_target", target.to_string()),
        ]
    };
    let ok = fields("30", version.clone());
    let refs: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = c
        .post(&format!("/afspraken/{id}/kpis/wijzigen"), &refs)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let d = store::agreements::detail(&c.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap();
    assert_eq!(d.kpis[0].kpi.name, "Wachttijd poli");
    assert_eq!(d.kpis[0].kpi.target.to_string(), "30");
    assert_eq!(d.kpis[0].measurements.len(), 1, "measurements stay");
    // 30 days measured against a target of 30: reached.
    assert!(
        c.get(&format!("/afspraken/{id}"))
            .await
            .body
            .contains("doel gehaald op 01-02-2025")
    );

    let stale = fields("25", version);
    let refs: Vec<(&str, &str)> = stale.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = c
        .post(&format!("/afspraken/{id}/kpis/wijzigen"), &refs)
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(
        res.body
            .contains("Iemand anders heeft deze KPI intussen gewijzigd")
    );
    assert!(res.body.contains(r#"value="25""#), "what was typed is kept");
    let d = store::agreements::detail(&c.store, domain::ids::AgreementId::new(id))
        .await
        .unwrap();
    assert_eq!(d.kpis[0].kpi.target.to_string(), "30");

    // Someone who owns nothing may not change it.
    c.cookies.clear();
    c.sign_in_as("j.verhoeven@rijnoever.example").await;
    assert_eq!(
        c.get(&format!("/afspraken/{id}/kpis/wijzigen?kpi={kpi}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
