//! Server-side page timings and queries per page, in process (no network), on a fresh database
//! with the demo hospital, a meeting of 20 items, 10 decisions and 15 attachments, and an
//! agreements register of 2,000 agreements with 20,000 measurements (`GG_BENCH_AGREEMENTS`
//! changes the number; ten measurements per agreement).
//!
//!     DATABASE_URL=postgres://… cargo bench -p gelijkgericht --bench pages
//!
//! Then the budget pages on a large hospital of 40 vakgroepen × 5,000 care products (200,000
//! norm times and volume cells; `GG_BENCH_BUDGET_PRODUCTS` changes the products per vakgroep, 0
//! skips it): every page reads its scenario from the database and computes it, so these times
//! include the engine's load, not only its arithmetic.
//!
//! Prints p50/p95/max per page and the number of SQL statements one page view costs.

#[path = "bench_support/mod.rs"]
mod bench_support;
use bench_support::{fresh_database, session_for};

mod budget_seed;
#[path = "controller/mod.rs"]
mod controller_bench;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gg_web::config::Config;
use http_body_util::BodyExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use store::Store;
use store::audit::Who;
use tower::ServiceExt;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

static QUERIES: AtomicUsize = AtomicUsize::new(0);

/// Counts the statements sqlx executes (it logs each one at DEBUG under `sqlx::query`).
struct CountQueries;

impl<S: tracing::Subscriber> Layer<S> for CountQueries {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            QUERIES.fetch_add(1, Ordering::Relaxed);
        }
    }
}

async fn seed_meeting(store: &Store) -> i64 {
    let who = Who::system("bench");
    let bodies = store::bodies::list(store.pool()).await.unwrap();
    let rvb = bodies.iter().find(|b| b.code == "RvB").unwrap().id;
    let msb = bodies.iter().find(|b| b.code == "MSB").unwrap().id;
    let start = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    let mut tx = store.begin().await.unwrap();
    let input = domain::meetings::meeting_draft::MeetingDraft {
        title: "Benchmarkoverleg".into(),
        kind: domain::meetings::kinds::MeetingKind::Gezamenlijk,
        starts_at: start,
        ends_at: start + time::Duration::hours(3),
        location: String::new(),
        video_url: String::new(),
        bodies: vec![rvb, msb],
    };
    let id = store::meetings::create(&mut tx, &who, &input, None)
        .await
        .unwrap();
    for n in 0..20 {
        let item = domain::meetings::item_draft::ItemDraft {
            parent_id: None,
            title: format!("Agendapunt {n}"),
            description: "Toelichting bij het agendapunt, een paar zinnen lang.".into(),
            presenter: "Voorzitter".into(),
            planned_minutes: 10,
            purpose: domain::meetings::kinds::Purpose::Besluitvorming,
            subject: domain::meetings::kinds::Subject::Algemeen,
            visibility_body_id: if n % 7 == 6 { Some(msb) } else { None },
            links: Vec::new(),
            deciding_bodies: vec![rvb, msb],
            standing: None,
        };
        let item_id = store::agenda::add(&mut tx, &who, id, n + 1, &item, None, None)
            .await
            .unwrap();
        if n < 15 {
            // A realistic board pack: one document of ~200 kB on each of the first 15 items.
            let pdf = [b"%PDF-1.7\n".as_slice(), &vec![b'x'; 200_000]].concat();
            store::attachments::add(
                &mut tx,
                &who,
                item_id,
                &format!("stuk-{n}.pdf"),
                "application/pdf",
                &pdf,
            )
            .await
            .unwrap();
        }
        if n < 5 {
            for body in [rvb, msb] {
                let decision = store::decisions::DecisionInput {
                    item_id,
                    body_id: body,
                    outcome: domain::meetings::kinds::DecisionOutcome::Aangenomen,
                    text: "Akkoord".into(),
                    votes_for: None,
                    votes_against: None,
                    votes_abstain: None,
                    vote_summary: String::new(),
                    named: Vec::new(),
                };
                store::decisions::record(&mut tx, &who, &decision, 0)
                    .await
                    .unwrap();
            }
        }
    }
    store::commit(tx).await.unwrap();
    id.get()
}

/// A register of `n` agreements across kinds, themes, statuses and parties, each with one KPI of
/// ten monthly measurements, written through the store in one transaction per 500 agreements.
async fn seed_register(store: &Store, n: usize) {
    use domain::agreements::draft::Party;
    use domain::agreements::progress::{KpiDraft, MeasurementDraft};
    use sqlx::types::Decimal;
    use store::agreements::AgreementInput;
    let who = Who::system("bench");
    let kinds = [
        "strategische_keuze",
        "protocol",
        "financieel",
        "personeel",
        "monitoring",
        "actie",
    ];
    let themes = [
        "laag_complex",
        "hoog_complex",
        "gepaste_zorg",
        "zorg_thuis",
        "eerste_lijn",
    ];
    let elements = ["strategie", "structuur", "systemen", "personeel", "stijl"];
    let statuses = [
        domain::agreements::kinds::AgreementStatus::Vastgesteld,
        domain::agreements::kinds::AgreementStatus::InUitvoering,
        domain::agreements::kinds::AgreementStatus::Gerealiseerd,
        domain::agreements::kinds::AgreementStatus::Voorgesteld,
    ];
    let words = [
        "wachttijd",
        "polikliniek",
        "operatiekamer",
        "verwijzingen",
        "opnameduur",
        "capaciteit",
    ];
    let people: Vec<domain::ids::PersonId> = store::people::list(store)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    let today = time::OffsetDateTime::now_utc().date();
    for chunk in 0..n.div_ceil(500) {
        let mut tx = store.begin().await.unwrap();
        for i in chunk * 500..((chunk + 1) * 500).min(n) {
            let start = today - time::Duration::days(400 - (i % 300) as i64);
            let input = AgreementInput {
                kind: kinds[i % kinds.len()].try_into().unwrap(),
                title: format!("Afspraak {i}: {} verbeteren", words[i % words.len()]),
                description: format!(
                    "Samen met de vakgroepen de {} en de {} aanpakken.",
                    words[(i + 1) % words.len()],
                    words[(i + 2) % words.len()]
                ),
                owner_id: None,
                parties: vec![
                    Party {
                        kind: domain::agreements::kinds::PartyKind::Rvb,
                        label: String::new(),
                        vakgroep_id: None,
                        owner_id: Some(people[i % people.len()]),
                    },
                    Party {
                        kind: domain::agreements::kinds::PartyKind::MsbPlus,
                        label: String::new(),
                        vakgroep_id: None,
                        owner_id: Some(people[(i + 7) % people.len()]),
                    },
                ],
                seven_s: vec![elements[i % elements.len()].try_into().unwrap()],
                theme: Some(themes[i % themes.len()].try_into().unwrap()),
                start_date: Some(start),
                due_date: Some(start + time::Duration::days(365)),
                review_months: (i % 3 == 0).then_some(3),
                visibility_body_id: None,
                origin_meeting_id: None,
                origin_item_id: None,
                origin_decision_id: None,
                insurer_deviation: String::new(),
                budget_scenario_id: None,
            };
            let id = store::agreements::create(&mut tx, &who, &input, statuses[i % statuses.len()])
                .await
                .unwrap();
            let kpi = store::agreements::add_kpi(
                &mut tx,
                &who,
                id,
                &KpiDraft {
                    name: "Wachttijd".into(),
                    unit: "dagen".into(),
                    direction: domain::agreements::kpi::Direction::LowerIsBetter,
                    baseline: Decimal::from(40),
                    target: Decimal::from(20),
                },
            )
            .await
            .unwrap();
            for m in 0..10i64 {
                let input = MeasurementDraft {
                    measured_on: start + time::Duration::days(30 * m),
                    value: Decimal::from(40 - (m * (i as i64 % 4))),
                    note: String::new(),
                };
                store::agreements::add_measurement(&mut tx, &who, kpi, &input)
                    .await
                    .unwrap();
            }
        }
        store::commit(tx).await.unwrap();
    }
}

/// The self-assessment's results page at the size of issue 14's target: a round of 40
/// respondents (RvB 8, MSB 16, VMSD 10, VMS 6) × 40 statements with 3 earlier rounds of the same
/// size, every answer handed in through the store's submit and every round closed by its close,
/// as in production. The rounds lie ten to seven years back, so the demo's later rounds are not
/// part of this round's trend. Returns the measured round.
async fn seed_selfassessment(store: &Store) -> domain::selfassessment::RoundId {
    use domain::people::{
        Email, EmploymentForm, MembershipDraft, PersonDraft, PersonName, Position, Role,
    };
    use domain::selfassessment::{AnswersForm, RoundDraft, Submission};
    use store::selfassessment as sa;
    let who = Who::system("bench");
    let bodies = store::bodies::list(store.pool()).await.unwrap();
    let body = |code: &str| bodies.iter().find(|b| b.code == code).unwrap().id;
    let groups: [(&str, usize, Option<EmploymentForm>); 4] = [
        ("RvB", 8, None),
        ("MSB", 16, Some(EmploymentForm::Vrijgevestigd)),
        ("VMSD", 10, Some(EmploymentForm::Dienstverband)),
        ("VMS", 6, Some(EmploymentForm::Dienstverband)),
    ];
    let mut tx = store.begin().await.unwrap();
    let mut respondents = Vec::new();
    for (code, n, form) in groups {
        for i in 0..n {
            let input = PersonDraft {
                email: Email::parse(&format!(
                    "bench.{}.{i}@rijnoever.example",
                    code.to_lowercase()
                ))
                .unwrap(),
                name: PersonName::parse(&format!("Bench {code} {i}")).unwrap(),
                roles: [Role::Bestuurder].into_iter().collect(),
                memberships: vec![MembershipDraft {
                    body_id: body(code),
                    position: Position::Lid,
                    employment_form: form,
                }],
                vakgroepen: Default::default(),
            };
            let id = store::people::create(&mut tx, &who, &input, true)
                .await
                .unwrap();
            respondents.push((id, domain::ids::BodyId::new(body(code))));
        }
    }
    let statements: Vec<_> = sa::catalogue(store)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.active)
        .take(40)
        .map(|s| s.id)
        .collect();
    assert_eq!(statements.len(), 40);
    let today = gg_web::shared::clock::today();
    let mut last = None;
    for years_ago in [10i64, 9, 8, 7] {
        let opens_on = today - time::Duration::days(365 * years_ago);
        let closes_on = opens_on + time::Duration::days(28);
        let draft = RoundDraft {
            title: format!("Benchmarkronde {}", opens_on.year()),
            body_ids: groups
                .iter()
                .map(|g| domain::ids::BodyId::new(body(g.0)))
                .collect(),
            opens_on,
            closes_on,
        };
        let round = sa::create_round(&mut tx, &who, &draft, &statements)
            .await
            .unwrap();
        sa::open_round(&mut tx, &who, round, 1, opens_on)
            .await
            .unwrap();
        let ids = sa::round_on(&mut tx, round).await.unwrap().statement_ids();
        for (k, (person, body_id)) in respondents.iter().enumerate() {
            let rvb = k < 8;
            let mut form = AnswersForm::default();
            for (j, id) in ids.iter().enumerate() {
                // The RvB a point more positive than MSB+, a spread of scores, now and then
                // "weet ik niet", and a comment in five.
                let score = (k * 7 + j * 3 + years_ago as usize) % 3 + if rvb { 3 } else { 2 };
                let code = if (k + j) % 19 == 0 {
                    "weet_niet".to_string()
                } else {
                    score.to_string()
                };
                form.answers.insert(*id, code);
                if (k + j) % 5 == 0 {
                    form.comments
                        .insert(*id, format!("Toelichting {} bij stelling {j}.", k % 4));
                }
            }
            let submission = Submission::parse(&form, &ids).unwrap();
            sa::submit(
                &mut tx, &who, round, *person, *body_id, submission, opens_on,
            )
            .await
            .unwrap();
        }
        let version = sa::round_on(&mut tx, round).await.unwrap().round.version;
        sa::close_round(&mut tx, &who, round, version, closes_on)
            .await
            .unwrap();
        last = Some(round);
    }
    store::commit(tx).await.unwrap();
    sa::vacuum(store).await.unwrap();
    last.unwrap()
}

async fn measure(router: &axum::Router, session: &str, path: &str) {
    measure_n(router, session, path, 300).await;
}

fn get(path: &str, session: &str) -> Request<Body> {
    Request::get(path)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, format!("gg_session={session}"))
        .body(Body::empty())
        .unwrap()
}

async fn measure_n(router: &axum::Router, session: &str, path: &str, runs: usize) {
    let get = || get(path, session);
    for _ in 0..runs.min(20) {
        let res = router.clone().oneshot(get()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.into_body().collect().await.unwrap();
    }
    let before = QUERIES.load(Ordering::Relaxed);
    let res = router.clone().oneshot(get()).await.unwrap();
    res.into_body().collect().await.unwrap();
    let queries = QUERIES.load(Ordering::Relaxed) - before;
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let res = router.clone().oneshot(get()).await.unwrap();
        res.into_body().collect().await.unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{path:<40} p50 {:>6.2} ms   p95 {:>6.2} ms   max {:>6.2} ms   {queries:>2} queries",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 95 / 100]),
        ms(times[times.len() - 1]),
    );
}

fn main() {
    let base = std::env::var("DATABASE_URL")
        .expect("set DATABASE_URL to a PostgreSQL server that allows CREATE DATABASE");
    tracing_subscriber::registry()
        .with(CountQueries.with_filter(tracing_subscriber::EnvFilter::new("sqlx::query=debug")))
        .init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = fresh_database(&base, "gg_bench").await;
        let store = Store::connect_lazy(&url, 10).unwrap();
        store.migrate().await.unwrap();
        demo::load(&store).await.unwrap();
        let meeting = seed_meeting(&store).await;
        let state = gg_web::app::state(store.clone(), Config::for_tests(&url))
            .await
            .unwrap();
        let router = gg_web::app::build(state);
        let secretary = session_for(&store, "e.mulder@rijnoever.example").await;
        let admin = session_for(&store, "p.smit@rijnoever.example").await;
        println!(
            "page timings (in process, {} cores)",
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        );
        measure(&router, &secretary, "/").await;
        measure(&router, &secretary, "/vergaderingen").await;
        measure(&router, &secretary, &format!("/vergaderingen/{meeting}")).await;
        measure(
            &router,
            &secretary,
            &format!("/vergaderingen/{meeting}/besluitenlijst"),
        )
        .await;
        measure(
            &router,
            &secretary,
            &format!("/vergaderingen/{meeting}/afdrukken"),
        )
        .await;
        measure(&router, &admin, "/beheer/personen").await;
        measure(&router, &admin, "/beheer/audit").await;

        let t = Instant::now();
        let round = seed_selfassessment(&store).await;
        println!(
            "self-assessment seeded: 4 rounds of 40 respondents × 40 statements in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        // The secretary's view is the heaviest: every round visible, the actions' links.
        let sa_secretary = session_for(&store, "s.bakker@rijnoever.example").await;
        measure_n(
            &router,
            &sa_secretary,
            &format!("/zelfevaluatie/rondes/{round}/resultaten"),
            100,
        )
        .await;

        let n: usize = std::env::var("GG_BENCH_AGREEMENTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000);
        let t = Instant::now();
        seed_register(&store, n).await;
        // As autovacuum would after such a load: the planner needs to know the tables grew.
        sqlx::query("ANALYZE").execute(store.pool()).await.unwrap();
        println!(
            "register seeded: {n} agreements, {} measurements in {:.1} s",
            n * 10,
            t.elapsed().as_secs_f64()
        );
        measure(&router, &secretary, "/").await;
        measure(&router, &secretary, &format!("/vergaderingen/{meeting}")).await;
        measure_n(&router, &secretary, "/afspraken", 50).await;
        measure(
            &router,
            &secretary,
            "/afspraken?status=in_uitvoering&thema=zorg_thuis",
        )
        .await;
        measure(&router, &secretary, "/afspraken?q=operatiekamer+capaciteit").await;
        measure(
            &router,
            &secretary,
            "/afspraken?soort=financieel&element=strategie",
        )
        .await;
        measure_n(&router, &secretary, "/afspraken?stoplicht=rood", 50).await;
        measure_n(&router, &secretary, "/afspraken/nakoming", 50).await;
        measure_n(&router, &secretary, "/afspraken/export.csv", 20).await;
        measure_n(&router, &secretary, "/afspraken/export.xlsx", 20).await;

        let products: usize = std::env::var("GG_BENCH_BUDGET_PRODUCTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5_000);
        if products == 0 {
            return;
        }
        let t = Instant::now();
        let seeded = budget_seed::seed(&store, 40, products).await;
        sqlx::query("ANALYZE").execute(store.pool()).await.unwrap();
        println!(
            "budget seeded: 40 vakgroepen × {products} care products in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let controller = session_for(&store, "r.hendriks@rijnoever.example").await;
        let (basis, earmarked) = (seeded.basis, seeded.earmarked);
        // The first view after a change reads the scenario from the database; later views use
        // what was read at the same budget revision.
        for _ in 0..3 {
            budget_seed::touch(&store).await;
            let path = format!("/begroting/scenarios/{basis}");
            let t = Instant::now();
            let res = router
                .clone()
                .oneshot(get(&path, &controller))
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.into_body().collect().await.unwrap();
            println!(
                "{path:<40} first view after a change: {:.2} ms",
                t.elapsed().as_secs_f64() * 1000.0
            );
        }
        measure_n(
            &router,
            &controller,
            &format!("/begroting/scenarios/{basis}"),
            30,
        )
        .await;
        measure_n(
            &router,
            &controller,
            &format!("/begroting/scenarios/{earmarked}"),
            30,
        )
        .await;
        measure_n(
            &router,
            &controller,
            &format!(
                "/begroting/scenarios/{basis}/vakgroep?v={}",
                seeded.last_vakgroep
            ),
            30,
        )
        .await;
        measure_n(
            &router,
            &controller,
            &format!("/begroting/scenarios/{basis}/watals?x=1"),
            30,
        )
        .await;
        measure_n(
            &router,
            &controller,
            &format!("/begroting/scenarios/vergelijken?s={basis}&s={earmarked}"),
            20,
        )
        .await;
        measure_n(
            &router,
            &controller,
            &format!("/begroting?jaar={}", budget_seed::YEAR),
            20,
        )
        .await;

        // Adoption (D9): the deciding decision computes the scenario and writes its snapshot in
        // its own transaction; the adopted budget's pages are then read from the snapshot.
        let (took, size) = budget_seed::adopt(&store, basis).await;
        println!(
            "adoption of {basis}: deciding decision with snapshot {:.1} ms, snapshot {:.1} MB",
            took.as_secs_f64() * 1000.0,
            f64::from(size) / 1e6
        );
        let stored: String =
            sqlx::query_scalar("SELECT snapshot FROM budget_adoption WHERE scenario_id = $1")
                .bind(basis.get())
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert!(
            stored.contains("\"verdeling\""),
            "the bench's adopted budget distributes its fee budget"
        );
        let msb = session_for(&store, "h.koster@rijnoever.example").await;
        for path in [
            format!("/begroting/scenarios/{basis}"),
            format!("/begroting/scenarios/{basis}/verdeling"),
        ] {
            let t = Instant::now();
            let res = router.clone().oneshot(get(&path, &msb)).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.into_body().collect().await.unwrap();
            println!(
                "{path:<40} adopted, first view (snapshot read): {:.2} ms",
                t.elapsed().as_secs_f64() * 1000.0
            );
        }
        // An adopted budget does not change: a later change elsewhere does not read it again.
        budget_seed::touch(&store).await;
        measure_n(&router, &msb, &format!("/begroting/scenarios/{basis}"), 30).await;
        measure_n(
            &router,
            &msb,
            &format!("/begroting/scenarios/{basis}/verdeling"),
            30,
        )
        .await;

        // The Gelijkgerichtheidsmonitor on all of the above: 2,000 agreements, four 7S rounds and
        // the 40 × 5,000 budget adopted. The first view of each reader fills the instance's caches
        // (register judgement, scenario figures); the figures are the views after it.
        let bestuurder = session_for(&store, "m.vandenberg@rijnoever.example").await;
        let representative = session_for(&store, "l.visser@rijnoever.example").await;
        for (who, session) in [
            ("bestuurder", &bestuurder),
            ("controller", &controller),
            ("vakgroep", &representative),
        ] {
            println!("dashboard as {who}:");
            measure_n(&router, session, "/", 100).await;
        }

        controller_bench::run(&router, &store, &url, basis, &msb).await;
    });
}
