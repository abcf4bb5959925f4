mod common;

use common::{admin, body_id, store};
use gg_store::agreements::{self, AgreementInput, RegisterFilter};
use gg_store::audit::Who;
use gg_store::domain::agreements::compliance;
use gg_store::domain::agreements::draft::Party;
use gg_store::domain::agreements::kinds::{AgreementStatus, JzojpTheme, SevenS};
use gg_store::domain::agreements::kpi::{TrafficLight, agreement_light, kpi_light};
use gg_store::domain::agreements::progress::{KpiDraft, MeasurementDraft};
use gg_store::domain::ids::{AgreementId, PersonId};
use gg_store::{PgPool, Store, StoreError};
use sqlx::types::Decimal;
use time::Date;
use time::macros::date;

async fn person(pool: &PgPool, name: &str) -> (PersonId, Who) {
    let email = format!("{}@example.nl", name.to_lowercase().replace(' ', "."));
    let id: i64 =
        sqlx::query_scalar("INSERT INTO person (email, name) VALUES ($1, $2) RETURNING id")
            .bind(&email)
            .bind(name)
            .fetch_one(pool)
            .await
            .unwrap();
    (
        PersonId::new(id),
        Who {
            id: Some(id),
            label: name.into(),
        },
    )
}

async fn vakgroep(pool: &PgPool, code: &str, name: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO vakgroep (code, name, kind) VALUES ($1, $2, 'poortspecialisme') RETURNING id",
    )
    .bind(code)
    .bind(name)
    .fetch_one(pool)
    .await
    .unwrap()
}

fn party(kind: &str, label: &str, vakgroep_id: Option<i64>, owner_id: Option<PersonId>) -> Party {
    Party {
        kind: kind.try_into().unwrap(),
        label: label.into(),
        vakgroep_id,
        owner_id,
    }
}

fn input(title: &str) -> AgreementInput {
    AgreementInput {
        kind: "strategische_keuze".try_into().unwrap(),
        title: title.into(),
        description: String::new(),
        owner_id: None,
        parties: Vec::new(),
        seven_s: Vec::new(),
        theme: None,
        start_date: Some(date!(2025 - 01 - 01)),
        due_date: None,
        review_months: None,
        visibility_body_id: None,
        origin_meeting_id: None,
        origin_item_id: None,
        origin_decision_id: None,
        insurer_deviation: String::new(),
        budget_scenario_id: None,
    }
}

async fn create(s: &Store, who: &Who, input: &AgreementInput) -> AgreementId {
    let mut tx = s.begin().await.unwrap();
    let id = agreements::create(&mut tx, who, input, AgreementStatus::Voorgesteld)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    id
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn kpi(name: &str, direction: &str, baseline: &str, target: &str) -> KpiDraft {
    KpiDraft {
        name: name.into(),
        unit: "dagen".into(),
        direction: direction.try_into().unwrap(),
        baseline: dec(baseline),
        target: dec(target),
    }
}

async fn add_kpi(s: &Store, who: &Who, agreement: AgreementId, input: &KpiDraft) -> i64 {
    let mut tx = s.begin().await.unwrap();
    let id = agreements::add_kpi(&mut tx, who, agreement, input)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    id
}

async fn measure(s: &Store, who: &Who, kpi: i64, on: Date, value: &str) -> i64 {
    let mut tx = s.begin().await.unwrap();
    let id = agreements::add_measurement(
        &mut tx,
        who,
        kpi,
        &MeasurementDraft {
            measured_on: on,
            value: dec(value),
            note: format!("meting {value}"),
        },
    )
    .await
    .unwrap();
    gg_store::commit(tx).await.unwrap();
    id
}

async fn ids(s: &Store, filter: &RegisterFilter) -> Vec<AgreementId> {
    agreements::list(s, filter)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

async fn audit_actions(pool: &PgPool, object_type: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT object_id, action FROM audit_log WHERE object_type = $1 ORDER BY seq")
        .bind(object_type)
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn create_and_detail_round_trip(pool: PgPool) {
    let s = store(pool.clone());
    let (anna, secretary) = person(&pool, "Anna de Vries").await;
    let (bert, _) = person(&pool, "Bert Jansen").await;
    let cardio = vakgroep(&pool, "CAR", "Cardiologie").await;
    let mut a = input("Wachttijd orthopedie verkorten");
    a.description = "Samen met de verzekeraar de wachtlijst terugbrengen.".into();
    a.kind = "financieel".try_into().unwrap();
    a.parties = vec![
        party("rvb", "", None, Some(anna)),
        party("vakgroep", "", Some(cardio), Some(bert)),
        party("verzekeraar", "Zilveren Kruis", None, None),
    ];
    a.seven_s = vec![
        "systemen".try_into().unwrap(),
        "strategie".try_into().unwrap(),
        "strategie".try_into().unwrap(),
    ];
    a.theme = Some("gepaste_zorg".try_into().unwrap());
    a.due_date = Some(date!(2025 - 12 - 31));
    a.review_months = Some(3);
    a.insurer_deviation = "Volume 5 % boven contract".into();
    let id = create(&s, &secretary, &a).await;

    let k1 = add_kpi(
        &s,
        &secretary,
        id,
        &kpi("Wachttijd", "lager_beter", "12", "6"),
    )
    .await;
    let k2 = add_kpi(
        &s,
        &secretary,
        id,
        &kpi("Tevredenheid", "hoger_beter", "7", "8"),
    )
    .await;
    measure(&s, &secretary, k1, date!(2025 - 03 - 01), "10.5").await;
    measure(&s, &secretary, k1, date!(2025 - 02 - 01), "11").await;

    let d = agreements::detail(&s, id).await.unwrap();
    let g = &d.agreement;
    assert_eq!(g.title, "Wachttijd orthopedie verkorten");
    assert_eq!(g.kind.code(), "financieel");
    assert_eq!(g.status.code(), "voorgesteld");
    assert_eq!(g.theme.map(|t| t.code()), Some("gepaste_zorg"));
    assert_eq!(
        codes(&g.seven_s),
        ["strategie", "systemen"],
        "model order, deduplicated"
    );
    assert_eq!(g.due_date, Some(date!(2025 - 12 - 31)));
    assert_eq!(g.review_months, Some(3));
    assert_eq!(g.insurer_deviation, "Volume 5 % boven contract");
    assert_eq!(g.owner_id, Some(anna), "the first party owner by default");
    assert_eq!(g.owner_name.as_deref(), Some("Anna de Vries"));
    assert_eq!(g.version, 1);
    assert_eq!(g.budget_scenario_id, None);

    let parties: Vec<(String, String, Option<String>)> = d
        .parties
        .iter()
        .map(|p| (p.kind.code().to_string(), p.name(), p.owner_name.clone()))
        .collect();
    assert_eq!(
        parties,
        [
            (
                "rvb".to_string(),
                "Raad van Bestuur".to_string(),
                Some("Anna de Vries".to_string())
            ),
            (
                "vakgroep".to_string(),
                "Cardiologie".to_string(),
                Some("Bert Jansen".to_string())
            ),
            (
                "verzekeraar".to_string(),
                "Zilveren Kruis".to_string(),
                None
            ),
        ]
    );
    assert_eq!(d.parties[1].vakgroep_id, Some(cardio));

    assert_eq!(d.kpis.len(), 2);
    assert_eq!(d.kpis[0].kpi.id, k1);
    assert_eq!(d.kpis[0].kpi.baseline, dec("12"));
    assert_eq!(d.kpis[0].kpi.direction.code(), "lager_beter");
    let values: Vec<(Date, Decimal)> = d.kpis[0]
        .measurements
        .iter()
        .map(|m| (m.measured_on, m.value))
        .collect();
    assert_eq!(
        values,
        [
            (date!(2025 - 02 - 01), dec("11")),
            (date!(2025 - 03 - 01), dec("10.5"))
        ],
        "oldest first"
    );
    assert_eq!(
        d.kpis[0].measurements[0].recorded_by_name.as_deref(),
        Some("Anna de Vries")
    );
    assert_eq!(d.kpis[0].measurements[0].note, "meting 11");
    assert_eq!(d.kpis[1].kpi.id, k2);
    assert!(d.kpis[1].measurements.is_empty());
    assert!(d.history.is_empty());
    assert!(d.comments.is_empty());

    // The rows feed the traffic-light rules directly.
    let k = d.kpis[0].kpi.to_domain();
    let ms: Vec<_> = d.kpis[0]
        .measurements
        .iter()
        .map(|m| m.to_domain())
        .collect();
    let light = kpi_light(&k, &ms, g.due_date, date!(2025 - 03 - 02)).light;
    assert_ne!(light, TrafficLight::NoData);

    assert!(matches!(
        agreements::detail(&s, AgreementId::new(id.get() + 1000)).await,
        Err(StoreError::NotFound)
    ));
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_stale_update_is_a_conflict_and_changes_nothing(pool: PgPool) {
    let s = store(pool.clone());
    let (anna, who) = person(&pool, "Anna de Vries").await;
    let mut a = input("Origineel");
    a.parties = vec![party("msb_plus", "", None, Some(anna))];
    a.seven_s = vec!["stijl".try_into().unwrap()];
    let id = create(&s, &who, &a).await;

    let mut edit = a.clone();
    edit.title = "Eerste wijziging".into();
    edit.parties = vec![party("rvb", "", None, None)];
    edit.seven_s = vec![
        "structuur".try_into().unwrap(),
        "personeel".try_into().unwrap(),
    ];
    edit.theme = Some("zorg_thuis".try_into().unwrap());
    edit.owner_id = Some(anna);
    let mut tx = s.begin().await.unwrap();
    agreements::update(&mut tx, &who, id, 1, &edit)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();

    let mut stale = a.clone();
    stale.title = "Tweede wijziging".into();
    let mut tx = s.begin().await.unwrap();
    let r = agreements::update(&mut tx, &who, id, 1, &stale).await;
    assert!(matches!(r, Err(StoreError::Conflict)), "{r:?}");
    drop(tx);

    let d = agreements::detail(&s, id).await.unwrap();
    assert_eq!(d.agreement.title, "Eerste wijziging");
    assert_eq!(d.agreement.version, 2);
    assert_eq!(codes(&d.agreement.seven_s), ["structuur", "personeel"]);
    assert_eq!(d.agreement.theme.map(|t| t.code()), Some("zorg_thuis"));
    assert_eq!(d.agreement.owner_id, Some(anna));
    assert_eq!(d.parties.len(), 1);
    assert_eq!(d.parties[0].kind.code(), "rvb");

    let mut tx = s.begin().await.unwrap();
    assert!(matches!(
        agreements::update(&mut tx, &who, AgreementId::new(id.get() + 1000), 1, &edit).await,
        Err(StoreError::NotFound)
    ));
    drop(tx);

    let audit = audit_actions(&pool, "agreement").await;
    assert_eq!(
        audit,
        [
            (id.to_string(), "create".to_string()),
            (id.to_string(), "update".to_string())
        ]
    );
    let before_after: (String, String) = sqlx::query_as(
        "SELECT before->'agreement'->>'title', after->'agreement'->>'title' FROM audit_log
         WHERE object_type = 'agreement' AND action = 'update'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        before_after,
        ("Origineel".to_string(), "Eerste wijziging".to_string())
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn status_history_records_reason_person_and_realisation(pool: PgPool) {
    let s = store(pool.clone());
    let (anna, who) = person(&pool, "Anna de Vries").await;
    let id = create(&s, &who, &input("Protocol heupfracturen")).await;

    let step = |to, version, reason: &'static str, realised: Option<Date>| {
        let s = s.clone();
        let who = who.clone();
        async move {
            let mut tx = s.begin().await.unwrap();
            let r =
                agreements::change_status(&mut tx, &who, id, version, to, reason, realised).await;
            if r.is_ok() {
                gg_store::commit(tx).await.unwrap();
            }
            r
        }
    };
    step(AgreementStatus::Vastgesteld, 1, "", None)
        .await
        .unwrap();
    step(
        AgreementStatus::Gerealiseerd,
        2,
        "Klaar",
        Some(date!(2025 - 06 - 30)),
    )
    .await
    .unwrap();
    let d = agreements::detail(&s, id).await.unwrap();
    assert_eq!(d.agreement.status.code(), "gerealiseerd");
    assert_eq!(d.agreement.realised_on, Some(date!(2025 - 06 - 30)));
    assert_eq!(d.agreement.version, 3);

    // A stale status change is refused and writes no history.
    assert!(matches!(
        step(AgreementStatus::Vervallen, 2, "Te laat", None).await,
        Err(StoreError::Conflict)
    ));
    // A correction clears the realisation date.
    step(AgreementStatus::InUitvoering, 3, "Toch nog niet af", None)
        .await
        .unwrap();

    let d = agreements::detail(&s, id).await.unwrap();
    assert_eq!(d.agreement.status.code(), "in_uitvoering");
    assert_eq!(d.agreement.realised_on, None);
    type Step<'a> = (&'a str, &'a str, &'a str, Option<PersonId>, Option<&'a str>);
    let history: Vec<Step> = d
        .history
        .iter()
        .map(|h| {
            (
                h.from_status.code(),
                h.to_status.code(),
                h.reason.as_str(),
                h.changed_by,
                h.changed_by_name.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            (
                "voorgesteld",
                "vastgesteld",
                "",
                Some(anna),
                Some("Anna de Vries")
            ),
            (
                "vastgesteld",
                "gerealiseerd",
                "Klaar",
                Some(anna),
                Some("Anna de Vries")
            ),
            (
                "gerealiseerd",
                "in_uitvoering",
                "Toch nog niet af",
                Some(anna),
                Some("Anna de Vries")
            ),
        ]
    );
    let actions: Vec<String> = audit_actions(&pool, "agreement")
        .await
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    assert_eq!(actions, ["create", "status", "status", "status"]);
    let reason: String = sqlx::query_scalar(
        "SELECT after->>'reason' FROM audit_log WHERE action = 'status' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(reason, "Toch nog niet af");
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn comments_kpis_and_measurements_are_audited(pool: PgPool) {
    let s = store(pool.clone());
    let (_, who) = person(&pool, "Anna de Vries").await;
    let id = create(&s, &who, &input("Monitoring OK-bezetting")).await;

    let mut tx = s.begin().await.unwrap();
    let c = agreements::add_comment(&mut tx, &who, id, "  Eerste overleg gepland.  ")
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let k = add_kpi(&s, &who, id, &kpi("Bezetting", "hoger_beter", "70", "85")).await;
    let m = measure(&s, &who, k, date!(2025 - 04 - 01), "74").await;

    // KPI edits are versioned.
    let mut tx = s.begin().await.unwrap();
    agreements::update_kpi(
        &mut tx,
        &who,
        k,
        1,
        &kpi("OK-bezetting", "hoger_beter", "70", "90"),
    )
    .await
    .unwrap();
    gg_store::commit(tx).await.unwrap();
    let mut tx = s.begin().await.unwrap();
    assert!(matches!(
        agreements::update_kpi(&mut tx, &who, k, 1, &kpi("Weg", "hoger_beter", "0", "1")).await,
        Err(StoreError::Conflict)
    ));
    drop(tx);

    // Writes to something that does not exist are NotFound, not a database error.
    let mut tx = s.begin().await.unwrap();
    assert!(matches!(
        agreements::add_comment(&mut tx, &who, AgreementId::new(id.get() + 1000), "x").await,
        Err(StoreError::NotFound)
    ));
    drop(tx);
    let mut tx = s.begin().await.unwrap();
    assert!(matches!(
        agreements::add_measurement(
            &mut tx,
            &who,
            k + 1000,
            &MeasurementDraft {
                measured_on: date!(2025 - 04 - 01),
                value: dec("1"),
                note: String::new()
            }
        )
        .await,
        Err(StoreError::NotFound)
    ));
    drop(tx);

    let d = agreements::detail(&s, id).await.unwrap();
    assert_eq!(d.comments.len(), 1);
    assert_eq!(d.comments[0].id, c);
    assert_eq!(d.comments[0].text, "Eerste overleg gepland.");
    assert_eq!(d.comments[0].author_name.as_deref(), Some("Anna de Vries"));
    assert_eq!(d.kpis[0].kpi.name, "OK-bezetting");
    assert_eq!(d.kpis[0].kpi.target, dec("90"));
    assert_eq!(d.kpis[0].kpi.version, 2);

    assert_eq!(
        audit_actions(&pool, "agreement").await,
        [
            (id.to_string(), "create".to_string()),
            (id.to_string(), "comment".to_string())
        ]
    );
    assert_eq!(
        audit_actions(&pool, "agreement_kpi").await,
        [
            (k.to_string(), "create".to_string()),
            (k.to_string(), "update".to_string())
        ]
    );
    assert_eq!(
        audit_actions(&pool, "kpi_measurement").await,
        [(m.to_string(), "create".to_string())]
    );
    let actor: Option<i64> =
        sqlx::query_scalar("SELECT actor_id FROM audit_log WHERE object_type = 'kpi_measurement'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(actor, who.id);
    assert!(matches!(
        gg_store::audit::verify(&s).await.unwrap(),
        gg_store::audit::Verification::Intact { .. }
    ));
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn list_filters_narrow(pool: PgPool) {
    let s = store(pool.clone());
    let (anna, who) = person(&pool, "Anna de Vries").await;
    let (bert, _) = person(&pool, "Bert Jansen").await;
    let (carla, _) = person(&pool, "Carla Smit").await;
    let cardio = vakgroep(&pool, "CAR", "Cardiologie").await;

    let mut a = input("Wachttijd orthopedie verkorten");
    a.parties = vec![
        party("rvb", "", None, Some(anna)),
        party("verzekeraar", "VGZ", None, Some(bert)),
    ];
    a.seven_s = vec!["strategie".try_into().unwrap()];
    a.theme = Some("laag_complex".try_into().unwrap());
    a.due_date = Some(date!(2025 - 03 - 31));
    let a = create(&s, &who, &a).await;

    let mut b = input("Cardiologie naar de eerste lijn");
    b.description = "Controles verplaatsen naar de huisarts.".into();
    b.kind = "actie".try_into().unwrap();
    b.parties = vec![party("vakgroep", "", Some(cardio), Some(carla))];
    b.seven_s = vec![
        "systemen".try_into().unwrap(),
        "personeel".try_into().unwrap(),
    ];
    b.theme = Some("eerste_lijn".try_into().unwrap());
    b.due_date = Some(date!(2025 - 06 - 30));
    let b = create(&s, &who, &b).await;

    // An action from a meeting: owner, no parties, no due date.
    let mut c = input("Notitie opstellen over zorgverplaatsing");
    c.owner_id = Some(carla);
    c.kind = "actie".try_into().unwrap();
    let c = create(&s, &who, &c).await;

    let mut tx = s.begin().await.unwrap();
    agreements::change_status(&mut tx, &who, b, 1, AgreementStatus::Vastgesteld, "", None)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();

    let all = RegisterFilter::default();
    assert_eq!(ids(&s, &all).await, [a, b, c], "by due date, none last");

    let rows = agreements::list(&s, &all).await.unwrap();
    assert_eq!(rows[0].owner_names, ["Anna de Vries", "Bert Jansen"]);
    assert_eq!(rows[0].party_labels, ["Raad van Bestuur", "VGZ"]);
    assert_eq!(party_codes(&rows[0].party_kinds), ["rvb", "verzekeraar"]);
    assert_eq!(rows[1].party_labels, ["Cardiologie"]);
    assert_eq!(codes(&rows[1].seven_s), ["systemen", "personeel"]);
    assert_eq!(rows[1].status.code(), "vastgesteld");
    assert_eq!(rows[1].version, 2);
    assert_eq!(rows[2].owner_names, ["Carla Smit"]);
    assert!(rows[2].party_labels.is_empty());

    let with = |f: fn(&mut RegisterFilter)| {
        let mut filter = RegisterFilter::default();
        f(&mut filter);
        filter
    };
    assert_eq!(
        ids(
            &s,
            &with(|f| f.party_kind = Some("verzekeraar".try_into().unwrap()))
        )
        .await,
        [a]
    );
    assert_eq!(
        ids(
            &s,
            &with(|f| f.party_kind = Some("vakgroep".try_into().unwrap()))
        )
        .await,
        [b]
    );
    let by_vakgroep = RegisterFilter {
        vakgroep_id: Some(cardio),
        ..Default::default()
    };
    assert_eq!(ids(&s, &by_vakgroep).await, [b]);
    let mut by_owner = RegisterFilter {
        owner_id: Some(bert),
        ..Default::default()
    };
    assert_eq!(ids(&s, &by_owner).await, [a], "a party owner");
    by_owner.owner_id = Some(carla);
    assert_eq!(
        ids(&s, &by_owner).await,
        [b, c],
        "party owner and agreement owner"
    );
    assert_eq!(
        ids(
            &s,
            &with(|f| f.statuses = vec!["vastgesteld".try_into().unwrap()])
        )
        .await,
        [b]
    );
    assert_eq!(
        ids(
            &s,
            &with(|f| f.statuses = vec![
                "voorgesteld".try_into().unwrap(),
                "vastgesteld".try_into().unwrap()
            ])
        )
        .await,
        [a, b, c]
    );
    assert_eq!(
        ids(
            &s,
            &with(|f| f.statuses = vec!["gerealiseerd".try_into().unwrap()])
        )
        .await,
        [] as [AgreementId; 0]
    );
    assert_eq!(
        ids(
            &s,
            &with(|f| f.theme = Some("eerste_lijn".try_into().unwrap()))
        )
        .await,
        [b]
    );
    assert_eq!(
        ids(
            &s,
            &with(|f| f.seven_s = Some("strategie".try_into().unwrap()))
        )
        .await,
        [a]
    );
    assert_eq!(
        ids(
            &s,
            &with(|f| f.seven_s = Some("personeel".try_into().unwrap()))
        )
        .await,
        [b]
    );
    assert_eq!(
        ids(&s, &with(|f| f.kind = Some("actie".try_into().unwrap()))).await,
        [b, c]
    );
    assert_eq!(
        ids(&s, &with(|f| f.due_from = Some(date!(2025 - 04 - 01)))).await,
        [b]
    );
    assert_eq!(
        ids(&s, &with(|f| f.due_to = Some(date!(2025 - 03 - 31)))).await,
        [a],
        "the last day counts"
    );
    assert_eq!(
        ids(
            &s,
            &with(|f| {
                f.due_from = Some(date!(2025 - 01 - 01));
                f.due_to = Some(date!(2025 - 12 - 31));
                f.theme = Some("laag_complex".try_into().unwrap());
            })
        )
        .await,
        [a],
        "filters combine"
    );

    // Full text with Dutch stemming: "wachttijden" and "wachttijd" share the stem "wachttijd",
    // "verkorting" and "verkorten" the stem "verkort".
    let search = |q: &'static str| RegisterFilter {
        query: Some(q.into()),
        ..Default::default()
    };
    assert_eq!(ids(&s, &search("wachttijden")).await, [a]);
    assert_eq!(ids(&s, &search("Verkorting")).await, [a]);
    assert_eq!(
        ids(&s, &search("huisarts")).await,
        [b],
        "the description counts"
    );
    assert_eq!(ids(&s, &search("wachttijd or huisarts")).await, [a, b]);
    assert_eq!(
        ids(&s, &search("wachttijd -orthopedie")).await,
        [] as [AgreementId; 0]
    );
    assert_eq!(
        ids(&s, &search("   ")).await,
        [a, b, c],
        "blank is no search"
    );
    assert_eq!(
        ids(&s, &search("kaakchirurgie")).await,
        [] as [AgreementId; 0]
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn restricted_agreements_stay_in_their_compartment(pool: PgPool) {
    let s = store(pool.clone());
    let (msb, rvb) = (body_id(&s, "MSB").await, body_id(&s, "RvB").await);
    let joint = create(&s, &admin(), &input("Gezamenlijk")).await;
    let mut hidden = input("Verdeling honorarium");
    hidden.visibility_body_id = Some(msb);
    hidden.due_date = Some(date!(2025 - 02 - 01));
    let hidden = create(&s, &admin(), &hidden).await;

    let mut filter = RegisterFilter::default();
    assert_eq!(ids(&s, &filter).await, [joint], "no bodies: joint only");
    filter.visible_bodies = vec![rvb];
    assert_eq!(ids(&s, &filter).await, [joint]);
    filter.query = Some("honorarium".into());
    assert_eq!(
        ids(&s, &filter).await,
        [] as [AgreementId; 0],
        "not even through search"
    );
    filter.visible_bodies = vec![rvb, msb];
    assert_eq!(ids(&s, &filter).await, [hidden]);

    let (from, to) = (date!(2025 - 01 - 01), date!(2025 - 12 - 31));
    assert!(
        agreements::due_for_compliance(&s, from, to, &[rvb])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        agreements::due_for_compliance(&s, from, to, &[msb])
            .await
            .unwrap()
            .len(),
        1
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn kpi_data_for_the_whole_list_at_once(pool: PgPool) {
    let s = store(pool.clone());
    let (_, who) = person(&pool, "Anna de Vries").await;
    let mut x = input("Eerste");
    x.due_date = Some(date!(2025 - 12 - 31));
    let x = create(&s, &who, &x).await;
    let y = create(&s, &who, &input("Tweede")).await;
    let z = create(&s, &who, &input("Zonder KPI")).await;
    let x1 = add_kpi(&s, &who, x, &kpi("A", "hoger_beter", "0", "10")).await;
    let x2 = add_kpi(&s, &who, x, &kpi("B", "lager_beter", "10", "0")).await;
    let y1 = add_kpi(&s, &who, y, &kpi("C", "hoger_beter", "1", "2")).await;
    measure(&s, &who, x1, date!(2025 - 01 - 01), "2").await;
    measure(&s, &who, x1, date!(2025 - 02 - 01), "4").await;
    measure(&s, &who, y1, date!(2025 - 01 - 15), "2").await;
    // Only the first and the last day decide a light; the days between are not read, but both
    // readings of a doubled last day are (the worse one counts).
    measure(&s, &who, y1, date!(2025 - 01 - 20), "1").await;
    measure(&s, &who, y1, date!(2025 - 02 - 10), "2.5").await;
    measure(&s, &who, y1, date!(2025 - 02 - 10), "2.1").await;

    let data = agreements::kpi_light_data_for(&s, &[x, y, z])
        .await
        .unwrap();
    let shape: Vec<(AgreementId, i64, usize)> =
        data.iter().map(|(a, k, m)| (*a, k.id, m.len())).collect();
    assert_eq!(shape, [(x, x1, 2), (x, x2, 0), (y, y1, 3)]);
    let days: Vec<_> = data[2].2.iter().map(|m| m.measured_on).collect();
    assert_eq!(
        days,
        [
            date!(2025 - 01 - 15),
            date!(2025 - 02 - 10),
            date!(2025 - 02 - 10)
        ]
    );
    assert!(
        agreements::kpi_light_data_for(&s, &[])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        agreements::kpi_light_data_for(&s, &[z])
            .await
            .unwrap()
            .is_empty()
    );

    // What the list page does with it: one light per agreement, no query per row.
    let rows = agreements::list(&s, &RegisterFilter::default())
        .await
        .unwrap();
    let today = date!(2025 - 03 - 01);
    let light_of = |id: AgreementId| {
        let row = rows.iter().find(|r| r.id == id).unwrap();
        let lights: Vec<TrafficLight> = data
            .iter()
            .filter(|(a, _, _)| *a == id)
            .map(|(_, k, ms)| {
                let ms: Vec<_> = ms.iter().map(|m| m.to_domain()).collect();
                kpi_light(&k.to_domain(), &ms, row.due_date, today).light
            })
            .collect();
        agreement_light(&lights, row.status, row.due_date, today)
    };
    assert_eq!(light_of(y), TrafficLight::OnTrack, "target reached");
    assert_eq!(light_of(z), TrafficLight::OnTrack, "no KPIs, not due");
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn compliance_data_by_party_seven_s_and_theme(pool: PgPool) {
    let s = store(pool.clone());
    let (_, who) = person(&pool, "Anna de Vries").await;
    let mut on_time = input("Op tijd");
    on_time.parties = vec![
        party("rvb", "", None, None),
        party("msb_plus", "", None, None),
    ];
    on_time.seven_s = vec!["strategie".try_into().unwrap()];
    on_time.theme = Some("hoog_complex".try_into().unwrap());
    on_time.due_date = Some(date!(2025 - 03 - 31));
    let on_time = create(&s, &who, &on_time).await;
    let mut late = input("Te laat");
    late.parties = vec![party("rvb", "", None, None)];
    late.due_date = Some(date!(2025 - 05 - 31));
    create(&s, &who, &late).await;
    let mut outside = input("Later");
    outside.due_date = Some(date!(2026 - 01 - 31));
    create(&s, &who, &outside).await;

    for (to, version) in [
        (AgreementStatus::Vastgesteld, 1),
        (AgreementStatus::Gerealiseerd, 2),
    ] {
        let mut tx = s.begin().await.unwrap();
        agreements::change_status(
            &mut tx,
            &who,
            on_time,
            version,
            to,
            "",
            Some(date!(2025 - 03 - 15)),
        )
        .await
        .unwrap();
        gg_store::commit(tx).await.unwrap();
    }

    let (from, to) = (date!(2025 - 01 - 01), date!(2025 - 12 - 31));
    let due = agreements::due_for_compliance(&s, from, to, &[])
        .await
        .unwrap();
    assert_eq!(due.len(), 2);
    assert_eq!(due[0].parties, ["Raad van Bestuur", "MSB+"]);
    assert_eq!(due[0].seven_s, [SevenS::Strategie]);
    assert_eq!(due[0].theme, Some(JzojpTheme::HoogComplex));
    assert_eq!(due[0].realised_on, Some(date!(2025 - 03 - 15)));
    assert!(due[0].on_time());
    let total = compliance::compliance(&due, from, to);
    assert_eq!((total.due, total.on_time), (2, 1));
    let by_party = compliance::by_party(&due, from, to);
    assert_eq!(
        by_party
            .iter()
            .map(|(p, c)| (p.as_str(), c.due, c.on_time))
            .collect::<Vec<_>>(),
        [("MSB+", 1, 1), ("Raad van Bestuur", 2, 1)]
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn codes_match_the_domain_vocabularies(pool: PgPool) {
    use gg_store::domain::agreements::kinds::PartyKind;
    use gg_store::domain::agreements::kpi::Direction;
    let s = store(pool.clone());
    let mut a = input("Alles");
    a.parties = PartyKind::ALL
        .iter()
        .map(|k| party(k.code(), "Naam", None, None))
        .collect();
    a.seven_s = SevenS::ALL.to_vec();
    a.theme = Some(JzojpTheme::ALL[0]);
    let id = create(&s, &admin(), &a).await;
    for t in JzojpTheme::ALL {
        let mut b = a.clone();
        b.parties.clear();
        b.theme = Some(*t);
        create(&s, &admin(), &b).await;
    }
    for d in Direction::ALL {
        add_kpi(&s, &admin(), id, &kpi("K", d.code(), "0", "1")).await;
    }
    let d = agreements::detail(&s, id).await.unwrap();
    assert_eq!(d.parties.len(), PartyKind::ALL.len());
    assert_eq!(d.agreement.seven_s.len(), SevenS::ALL.len());

    // Unknown codes cannot be typed into an input any more; the database refuses them too.
    for sql in [
        "UPDATE agreement SET theme = 'onbekend' WHERE id = $1",
        "INSERT INTO agreement_seven_s (agreement_id, element) VALUES ($1, 'cultuur')",
        "INSERT INTO agreement_party (agreement_id, kind, label) VALUES ($1, 'gemeente', 'X')",
        "INSERT INTO agreement_kpi (agreement_id, name, direction, baseline, target)
         VALUES ($1, 'K', 'omhoog', 0, 1)",
    ] {
        assert!(
            sqlx::query(sql)
                .bind(id.get())
                .execute(&pool)
                .await
                .is_err(),
            "{sql}"
        );
    }
    // An unnamed insurer and a review every 0 months are refused by the database.
    let bad = |f: fn(&mut AgreementInput)| {
        let mut b = input("Fout");
        f(&mut b);
        b
    };
    for b in [
        bad(|b| b.parties = vec![party("verzekeraar", "", None, None)]),
        bad(|b| b.review_months = Some(0)),
    ] {
        let mut tx = s.begin().await.unwrap();
        assert!(
            agreements::create(&mut tx, &admin(), &b, AgreementStatus::Voorgesteld)
                .await
                .is_err(),
            "{b:?}"
        );
    }
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_code_the_domain_does_not_know_is_a_decode_error(pool: PgPool) {
    let s = store(pool.clone());
    let id = create(&s, &admin(), &input("Oud")).await;
    sqlx::query("ALTER TABLE agreement DROP CONSTRAINT agreement_theme_code")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE agreement SET theme = 'vervallen_thema' WHERE id = $1")
        .bind(id.get())
        .execute(&pool)
        .await
        .unwrap();
    let read = agreements::get(&s, id).await;
    assert!(
        matches!(read, Err(StoreError::Db(sqlx::Error::ColumnDecode { .. }))),
        "{read:?}"
    );
    assert!(
        agreements::list(&s, &RegisterFilter::default())
            .await
            .is_err()
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn meeting_actions_appear_in_the_register_and_changes_notify_the_meeting(pool: PgPool) {
    let s = store(pool.clone());
    let (anna, who) = person(&pool, "Anna de Vries").await;
    let start = time::OffsetDateTime::now_utc();
    let mut tx = s.begin().await.unwrap();
    let meeting = gg_store::meetings::create(
        &mut tx,
        &admin(),
        &gg_store::domain::meetings::meeting_draft::MeetingDraft {
            title: "Overleg".into(),
            kind: domain::meetings::kinds::MeetingKind::Gezamenlijk,
            starts_at: start,
            ends_at: start + time::Duration::hours(2),
            location: String::new(),
            video_url: String::new(),
            bodies: vec![body_id(&s, "RvB").await, body_id(&s, "MSB").await],
        },
        None,
    )
    .await
    .unwrap();
    let action = gg_store::agreements::create_action(
        &mut tx,
        &admin(),
        &gg_store::agreements::ActionInput {
            title: "Offerte opvragen".into(),
            description: String::new(),
            owner_id: Some(anna.get()),
            due_date: Some(date!(2025 - 02 - 01)),
            visibility_body_id: None,
            origin_meeting_id: meeting,
            origin_item_id: None,
            origin_decision_id: None,
        },
    )
    .await
    .unwrap();
    gg_store::commit(tx).await.unwrap();

    let rows = agreements::list(&s, &RegisterFilter::default())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, action);
    assert_eq!(rows[0].kind.code(), "actie");
    assert_eq!(rows[0].owner_names, ["Anna de Vries"]);
    assert_eq!(rows[0].origin_meeting_id, Some(meeting.get()));

    let mut listener = sqlx::postgres::PgListener::connect_with(&pool)
        .await
        .unwrap();
    listener.listen(gg_store::live::CHANNEL).await.unwrap();
    let mut tx = s.begin().await.unwrap();
    agreements::change_status(
        &mut tx,
        &who,
        action,
        1,
        AgreementStatus::InUitvoering,
        "",
        None,
    )
    .await
    .unwrap();
    gg_store::commit(tx).await.unwrap();
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), listener.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n.payload(), meeting.to_string());

    let d = agreements::detail(&s, action).await.unwrap();
    assert_eq!(d.agreement.origin_meeting_title.as_deref(), Some("Overleg"));
    assert_eq!(
        gg_store::agreements::get(&s, action)
            .await
            .unwrap()
            .status
            .code(),
        "in_uitvoering"
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn the_revision_moves_with_every_committed_change_and_only_then(pool: PgPool) {
    let s = store(pool.clone());
    let (_, who) = person(&pool, "Anna de Vries").await;
    let r0 = agreements::revision(&s).await.unwrap();
    let a = create(&s, &who, &input("Eerste")).await;
    let r1 = agreements::revision(&s).await.unwrap();
    assert!(r1 > r0);
    let k = add_kpi(&s, &who, a, &kpi("A", "hoger_beter", "0", "10")).await;
    let r2 = agreements::revision(&s).await.unwrap();
    assert!(r2 > r1);
    // Uncommitted work does not move it for others.
    let mut tx = s.begin().await.unwrap();
    agreements::add_measurement(
        &mut tx,
        &who,
        k,
        &MeasurementDraft {
            measured_on: date!(2025 - 01 - 01),
            value: dec("3"),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    assert_eq!(agreements::revision(&s).await.unwrap(), r2);
    gg_store::commit(tx).await.unwrap();
    assert!(agreements::revision(&s).await.unwrap() > r2);
}

/// 7S elements as the database keeps them, to compare with.
fn codes(values: &[SevenS]) -> Vec<&'static str> {
    values.iter().map(|v| v.code()).collect()
}

/// Party kinds as the database keeps them, to compare with.
fn party_codes(values: &[gg_store::domain::agreements::kinds::PartyKind]) -> Vec<&'static str> {
    values.iter().map(|v| v.code()).collect()
}
