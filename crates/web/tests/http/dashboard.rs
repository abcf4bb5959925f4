//! The Gelijkgerichtheidsmonitor on `/` (product.md E, docs/monitor.md): each block for the right
//! roles with the right figures and links, compartments kept, the 7S reminder until submitted,
//! and a number of queries that does not grow with the data.

use crate::support::*;
use domain::agreements::draft::Party;
use domain::agreements::kinds::AgreementStatus;
use domain::ids::{ItemId, MeetingId};
use domain::meetings::kinds::DecisionOutcome;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use store::PgPool;
use store::agreements::AgreementInput;
use store::audit::Who;
use time::{Date, Duration};

const MSB_MEMBER: &str = "h.koster@rijnoever.example";
const RVB_MEMBER: &str = "j.verhoeven@rijnoever.example";

async fn body_id(c: &Client, code: &str) -> i64 {
    store::bodies::list(c.store.pool())
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.code == code)
        .unwrap()
        .id
}

/// The demo's joint meeting and its items by title.
async fn demo_meeting(c: &Client) -> (MeetingId, Vec<store::agenda::Item>) {
    let rvb = body_id(c, "RvB").await;
    let meetings = store::meetings::list_for_bodies(&c.store, &[rvb])
        .await
        .unwrap();
    let m = meetings
        .iter()
        .find(|m| m.title == "Gezamenlijk overleg RvB en MSB+")
        .unwrap();
    (
        m.id,
        store::agenda::items(c.store.pool(), m.id).await.unwrap(),
    )
}

fn item_id(items: &[store::agenda::Item], title: &str) -> ItemId {
    items.iter().find(|i| i.title == title).unwrap().id
}

async fn decide(c: &Client, item: ItemId, body: i64, outcome: DecisionOutcome) {
    let mut tx = c.store.begin().await.unwrap();
    let input = store::decisions::DecisionInput {
        item_id: item,
        body_id: body,
        outcome,
        text: "Akkoord met het voorstel".into(),
        votes_for: None,
        votes_against: None,
        votes_abstain: None,
        vote_summary: String::new(),
        named: Vec::new(),
    };
    store::decisions::record(&mut tx, &Who::system("test"), &input, 0)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
}

/// The part of the page from the element with `marker` to the end of its section.
fn block<'a>(body: &'a str, marker: &str) -> Option<&'a str> {
    let start = body.find(marker)?;
    let rest = &body[start..];
    Some(&rest[..rest.find("</section>").unwrap_or(rest.len())])
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_next_meeting_shows_what_each_body_still_decides_within_its_compartment(pool: PgPool) {
    let mut c = app(pool).await;
    let (meeting, items) = demo_meeting(&c).await;
    let joint = item_id(&items, "Uitgangspunten capaciteitsbegroting 2027");
    let msb_only = item_id(&items, "Interne verdeling honorariumbudget");
    let rvb = body_id(&c, "RvB").await;
    decide(&c, joint, rvb, DecisionOutcome::Aangenomen).await;

    c.sign_in_as(BESTUURDER).await;
    let home = c.get("/").await.body;
    let m = block(&home, "data-monitor-meeting").expect("meeting block");
    assert!(
        m.contains(&format!("data-next-meeting=\"{meeting}\"")),
        "{m}"
    );
    assert!(m.contains("Bestuurskamer, gebouw A"));
    assert!(m.contains("agenda nog niet gepubliceerd"));
    // The RvB decided; the MSB still has to.
    assert!(!m.contains("data-awaiting-body=\"RvB\""), "{m}");
    let msb = &m[m.find("data-awaiting-body=\"MSB\"").expect("MSB awaits")..];
    assert!(msb.contains(&format!("href=\"/vergaderingen/{meeting}#punt-{joint}\"")));
    // The MSB-only item never shows outside the MSB.
    assert!(!home.contains("Interne verdeling honorariumbudget"));
    assert!(!home.contains(&format!("punt-{msb_only}")));

    c.sign_in_as(MSB_MEMBER).await;
    let home = c.get("/").await.body;
    let m = block(&home, "data-monitor-meeting").unwrap();
    let msb = &m[m.find("data-awaiting-body=\"MSB\"").unwrap()..];
    assert!(msb.contains("(uw gremium)"));
    assert!(msb.contains("Interne verdeling honorariumbudget"));
    assert!(msb.contains("alleen MSB"));

    // The observer's body is not invited; the controller and a representative see no meetings.
    c.sign_in_as(TOEHOORDER).await;
    let home = c.get("/").await.body;
    assert!(home.contains("data-no-meeting"), "{home}");
    assert!(!home.contains("Uitgangspunten capaciteitsbegroting"));
    for who in [CONTROLLER, VAKGROEP, BEHEERDER] {
        c.sign_in_as(who).await;
        assert!(
            !c.get("/").await.body.contains("data-monitor-meeting"),
            "{who}"
        );
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn divided_decisions_show_with_their_follow_up_only_to_who_sees_the_item(pool: PgPool) {
    let mut c = app(pool).await;
    let (meeting, items) = demo_meeting(&c).await;
    let (rvb, msb) = (body_id(&c, "RvB").await, body_id(&c, "MSB").await);
    let joint = item_id(&items, "Uitgangspunten capaciteitsbegroting 2027");
    // An MSB-only item both bodies decide on, to test the compartment.
    let mut tx = c.store.begin().await.unwrap();
    let hidden = store::agenda::add(
        &mut tx,
        &Who::system("test"),
        meeting,
        90,
        &domain::meetings::item_draft::ItemDraft {
            parent_id: None,
            title: "Vertrouwelijk verschil van inzicht".into(),
            description: String::new(),
            presenter: String::new(),
            planned_minutes: 5,
            purpose: domain::meetings::kinds::Purpose::Besluitvorming,
            subject: domain::meetings::kinds::Subject::Algemeen,
            visibility_body_id: Some(msb),
            links: Vec::new(),
            deciding_bodies: vec![rvb, msb],
            standing: None,
        },
        None,
        None,
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    for item in [joint, hidden] {
        decide(&c, item, rvb, DecisionOutcome::Aangenomen).await;
        decide(&c, item, msb, DecisionOutcome::Verworpen).await;
        let mut tx = c.store.begin().await.unwrap();
        store::follow_ups::keep(&mut tx, &Who::system("test"), item)
            .await
            .unwrap();
        store::commit(tx).await.unwrap();
    }

    c.sign_in_as(RVB_MEMBER).await;
    let home = c.get("/").await.body;
    let divided = &home[home.find("data-divided").expect("divided list")..];
    assert!(divided.contains(&format!("data-divided-item=\"{joint}\"")));
    assert!(
        divided.contains("RvB: aangenomen; MSB: verworpen"),
        "{divided}"
    );
    assert!(divided.contains("wacht op de volgende gezamenlijke vergadering"));
    assert!(home.contains("Verdeelde besluiten (1)"));
    assert!(!home.contains("Vertrouwelijk verschil van inzicht"));
    assert!(!home.contains(&format!("data-divided-item=\"{hidden}\"")));

    c.sign_in_as(MSB_MEMBER).await;
    let home = c.get("/").await.body;
    assert!(home.contains("Verdeelde besluiten (2)"), "{home}");
    assert!(home.contains(&format!("data-divided-item=\"{hidden}\"")));

    // Agreeing after all takes it off: the joint outcome is judged again.
    let mut tx = c.store.begin().await.unwrap();
    let d = store::decisions::on_item_body(&c.store, joint, msb)
        .await
        .unwrap()
        .unwrap();
    let input = store::decisions::DecisionInput {
        item_id: joint,
        body_id: msb,
        outcome: DecisionOutcome::Aangenomen,
        text: "Akkoord met het voorstel".into(),
        votes_for: None,
        votes_against: None,
        votes_abstain: None,
        vote_summary: String::new(),
        named: Vec::new(),
    };
    store::decisions::record(&mut tx, &Who::system("test"), &input, d.version)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    c.sign_in_as(RVB_MEMBER).await;
    let home = c.get("/").await.body;
    assert!(home.contains("data-no-divided"), "{home}");

    c.sign_in_as(TOEHOORDER).await;
    assert!(!c.get("/").await.body.contains("data-divided"));
}

fn today() -> Date {
    gg_web::shared::clock::today()
}

fn agreement(title: &str, visibility: Option<i64>, due: Date) -> AgreementInput {
    AgreementInput {
        kind: "monitoring".try_into().unwrap(),
        title: title.into(),
        description: String::new(),
        owner_id: None,
        parties: vec![Party {
            kind: "rvb".try_into().unwrap(),
            label: String::new(),
            vakgroep_id: None,
            owner_id: None,
        }],
        seven_s: vec![],
        theme: None,
        start_date: None,
        due_date: Some(due),
        review_months: None,
        visibility_body_id: visibility,
        origin_meeting_id: None,
        origin_item_id: None,
        origin_decision_id: None,
        insurer_deviation: String::new(),
        budget_scenario_id: None,
    }
}

async fn add_agreements(c: &Client, inputs: &[AgreementInput]) {
    let mut tx = c.store.begin().await.unwrap();
    for input in inputs {
        store::agreements::create(
            &mut tx,
            &Who::system("test"),
            input,
            AgreementStatus::InUitvoering,
        )
        .await
        .unwrap();
    }
    store::commit(tx).await.unwrap();
}

fn attention_total(body: &str) -> usize {
    let marker = "data-attention-total=\"";
    let start = body.find(marker).expect("attention block") + marker.len();
    body[start..].split('"').next().unwrap().parse().unwrap()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn all_agreements_needing_attention_are_counted_per_reader(pool: PgPool) {
    let mut c = app(pool).await;
    let msb = body_id(&c, "MSB").await;
    c.sign_in_as(BESTUURDER).await;
    let before = attention_total(&c.get("/").await.body);
    let long_ago = today() - Duration::days(400);
    add_agreements(
        &c,
        &[
            agreement("Oud en gezamenlijk", None, long_ago),
            agreement("Recent verlopen", None, today() - Duration::days(3)),
            agreement("Alleen voor het MSB verlopen", Some(msb), long_ago),
            agreement("Nog lang niet", None, today() + Duration::days(300)),
        ],
    )
    .await;

    let home = c.get("/").await.body;
    assert_eq!(attention_total(&home), before + 2);
    let all = block(&home, "data-monitor-attention").unwrap();
    assert!(all.contains("data-attention-reason=\"Verlopen\""), "{all}");
    // The most urgent first: the longest overdue.
    let oldest = all.find("Oud en gezamenlijk").expect("listed");
    if let Some(recent) = all.find("Recent verlopen") {
        assert!(oldest < recent);
    }
    assert!(!home.contains("Alleen voor het MSB verlopen"));
    assert!(!home.contains("Nog lang niet"));
    assert!(all.contains("href=\"/afspraken?aandacht=ja\""));
    // The register the block links to counts the same.
    let register = c.get("/afspraken?aandacht=ja").await.body;
    assert!(
        register.contains(&format!("{} afspraken", before + 2)),
        "register and dashboard agree"
    );

    c.sign_in_as(MSB_MEMBER).await;
    let home = c.get("/").await.body;
    assert_eq!(attention_total(&home), before + 3);
    c.sign_in_as(CONTROLLER).await;
    assert_eq!(attention_total(&c.get("/").await.body), before + 2);
    // No register, no block: the observer and the representative.
    for who in [TOEHOORDER, VAKGROEP] {
        c.sign_in_as(who).await;
        let home = c.get("/").await.body;
        assert!(!home.contains("data-monitor-attention"), "{who}");
        assert!(!home.contains("href=\"/afspraken"), "{who}");
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_latest_round_shows_per_s_with_its_trend_and_the_open_round_until_answered(
    pool: PgPool,
) {
    let mut c = app(pool).await;
    let rounds = store::selfassessment::rounds(&c.store).await.unwrap();
    let closed: Vec<_> = rounds
        .iter()
        .filter(|r| r.status.code() == "gesloten")
        .collect();
    let latest = closed.iter().max_by_key(|r| (r.closes_on, r.id)).unwrap();
    let open = rounds.iter().find(|r| r.status.code() == "open").unwrap();

    c.sign_in_as(BESTUURDER).await;
    let home = c.get("/").await.body;
    let a = block(&home, "data-monitor-alignment").expect("alignment block");
    assert!(a.contains(&format!(
        "href=\"/zelfevaluatie/rondes/{}/resultaten\"",
        latest.id
    )));
    assert!(a.contains(&format!("het verloop beslaat {} rondes", closed.len())));
    // Seven S and the total, each with a sparkline that has its own text alternative.
    assert_eq!(a.matches("<svg").count(), 8, "{a}");
    assert_eq!(a.matches("role=\"img\"").count(), 8);
    assert!(a.contains("<desc id=\"dashboard-trend-totaal-desc\">Gelijkgerichtheid per ronde."));
    assert!(a.contains("data-alignment-total"));
    // The chair has not answered the open round: reminded, with a link to the form.
    assert!(home.contains(&format!("data-sa-reminder=\"{}\"", open.id)));

    // Handing in ends the reminder, not the alignment.
    let detail = store::selfassessment::round(&c.store, open.id)
        .await
        .unwrap();
    let ids = detail.statement_ids();
    let mut form = domain::selfassessment::AnswersForm::default();
    for id in &ids {
        form.answers.insert(*id, "4".into());
    }
    let submission = domain::selfassessment::Submission::parse(&form, &ids).unwrap();
    let person = domain::ids::PersonId::new(c.person_id(BESTUURDER).await);
    let body = store::selfassessment::eligible_bodies(c.store.pool(), open.id, person)
        .await
        .unwrap()[0]
        .id;
    let mut tx = c.store.begin().await.unwrap();
    store::selfassessment::submit(
        &mut tx,
        &Who::system("test"),
        open.id,
        person,
        body,
        submission,
        today(),
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    let home = c.get("/").await.body;
    assert!(!home.contains("data-sa-reminders"));
    assert!(home.contains("data-monitor-alignment"));

    // The secretary sees the alignment without a reminder; who does not see the
    // self-assessment sees neither.
    c.sign_in_as(SECRETARIS).await;
    let home = c.get("/").await.body;
    assert!(home.contains("data-monitor-alignment") && !home.contains("data-sa-reminders"));
    for who in [CONTROLLER, VAKGROEP, TOEHOORDER, BEHEERDER] {
        c.sign_in_as(who).await;
        let home = c.get("/").await.body;
        assert!(!home.contains("data-monitor-alignment"), "{who}");
        assert!(!home.contains("/zelfevaluatie/rondes/"), "{who}");
    }
}

async fn vakgroep_id(c: &Client, code: &str) -> i64 {
    store::vakgroepen::list(&c.store)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.code.as_str() == code)
        .unwrap()
        .id
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_budget_block_follows_the_reader(pool: PgPool) {
    let mut c = app(pool).await;
    demo::budget::load(&c.store).await.unwrap();
    let adopted = store::budget::adoption::for_year(&c.store, 2026)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let car = vakgroep_id(&c, "CAR").await;
    let ort = vakgroep_id(&c, "ORT").await;

    c.sign_in_as(CONTROLLER).await;
    let home = c.get("/").await.body;
    let b = block(&home, "data-monitor-budget").expect("budget block");
    assert!(
        b.contains("Begroting 2027: scenario ‘")
            && b.contains("is voorgesteld ter vaststelling op"),
        "{b}"
    );
    assert_eq!(b.matches("data-fte-vakgroep=").count(), 5, "{b}");
    assert!(b.contains("data-fte-total"));
    assert!(b.contains(&format!(
        "href=\"/begroting/scenarios/{}/export.xlsx\"",
        adopted.scenario_id
    )));
    assert!(b.contains(&adopted.content_hash[..12]));
    assert!(home.contains("data-monitor-imports"));
    assert!(home.contains("data-monitor-review"));
    assert!(!home.contains("data-monitor-own-inputs"));

    // The representative of CAR: their own row and the hospital's, nothing of another vakgroep.
    c.sign_in_as(VAKGROEP).await;
    let home = c.get("/").await.body;
    let b = block(&home, "data-monitor-budget").unwrap();
    assert_eq!(b.matches("data-fte-vakgroep=").count(), 1, "{b}");
    assert!(b.contains(&format!("data-fte-vakgroep=\"{car}\"")));
    assert!(!b.contains(&format!("data-fte-vakgroep=\"{ort}\"")));
    assert!(b.contains("nog niet gedeeld door het MSB"));
    assert!(b.contains("data-fte-total"));
    assert!(b.contains("data-allocations"), "{b}");
    assert!(!b.contains("export.xlsx"));
    assert!(home.contains("data-monitor-own-inputs"));
    assert!(!home.contains("Orthopedie"));
    for absent in [
        "data-monitor-review",
        "data-monitor-imports",
        "data-monitor-meeting",
    ] {
        assert!(!home.contains(absent), "{absent}");
    }

    // A board member reviews; the secretary sees the figures but neither reviews nor exports.
    c.sign_in_as(BESTUURDER).await;
    let home = c.get("/").await.body;
    assert!(home.contains("data-monitor-review") && home.contains("data-fte-total"));
    assert!(!home.contains("data-monitor-imports") && !home.contains("export.xlsx"));
    c.sign_in_as(SECRETARIS).await;
    let home = c.get("/").await.body;
    assert!(home.contains("data-fte-total"));
    assert!(!home.contains("data-monitor-review") && !home.contains("export.csv"));
    c.sign_in_as(TOEHOORDER).await;
    let home = c.get("/").await.body;
    assert!(!home.contains("data-monitor-budget") && !home.contains("href=\"/begroting"));
}

/// Counts the SQL statements sqlx runs on this thread (the test's runtime runs every task of the
/// request here).
struct Counter(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Counter {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

async fn queries_of(c: &mut Client, path: &str) -> usize {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt;
    let count = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry().with(
        Counter(count.clone()).with_filter(tracing_subscriber::EnvFilter::new("sqlx::query=debug")),
    );
    let _guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    let res = c.get(path).await;
    assert_eq!(res.status, axum::http::StatusCode::OK);
    count.load(Ordering::Relaxed)
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_number_of_queries_does_not_grow_with_the_data(pool: PgPool) {
    let mut c = app(pool).await;
    demo::budget::load(&c.store).await.unwrap();
    let mut counts = Vec::new();
    for who in [BESTUURDER, CONTROLLER, VAKGROEP] {
        c.sign_in_as(who).await;
        // The first view fills the instance's caches (register, monitoring, scenario figures).
        c.get("/").await;
        counts.push(queries_of(&mut c, "/").await);
    }
    assert!(
        counts.iter().all(|n| *n > 5),
        "the counter counts: {counts:?}"
    );

    // Many more agreements, divided items and trend inputs.
    let inputs: Vec<AgreementInput> = (0..60)
        .map(|i| agreement(&format!("Extra {i}"), None, today() - Duration::days(i)))
        .collect();
    add_agreements(&c, &inputs).await;
    let (_, items) = demo_meeting(&c).await;
    let (rvb, msb) = (body_id(&c, "RvB").await, body_id(&c, "MSB").await);
    let joint = item_id(&items, "Uitgangspunten capaciteitsbegroting 2027");
    decide(&c, joint, rvb, DecisionOutcome::Aangenomen).await;
    decide(&c, joint, msb, DecisionOutcome::Verworpen).await;
    let mut tx = c.store.begin().await.unwrap();
    store::follow_ups::keep(&mut tx, &Who::system("test"), joint)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();

    let mut after = Vec::new();
    for who in [BESTUURDER, CONTROLLER, VAKGROEP] {
        c.sign_in_as(who).await;
        c.get("/").await;
        after.push(queries_of(&mut c, "/").await);
    }
    eprintln!("queries per dashboard view (bestuurder, controller, vakgroep): {counts:?}");
    assert_eq!(
        counts, after,
        "queries per view for bestuurder, controller, vakgroep"
    );
}
