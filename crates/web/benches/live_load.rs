//! Live meeting (A5) under load: two app instances in this process, each on its own port and
//! its own connection pool (so each has its own LISTEN), on a fresh database with the demo
//! hospital. Many people follow the meeting over server-sent events, half on each instance;
//! the secretary records decisions through instance A with plain HTTP POSTs. For every decision
//! and every client the time from sending the POST to the client receiving the agenda event that
//! shows it is measured.
//!
//!     DATABASE_URL=postgres://… cargo bench -p gelijkgericht --bench live_load
//!
//! `GG_LIVE_CLIENTS` (default 200) and `GG_LIVE_DECISIONS` (default 20) change the load. Prints
//! p50/p95/max latency per phase and instance, and the number of errors. No thresholds: this
//! measures, it does not judge.

#[path = "bench_support/mod.rs"]
mod bench_support;
use bench_support::{fresh_database, session_for};

use gg_web::config::Config;
use gg_web::shared::state::AppState;
use sqlx::Connection;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use store::Store;
use tokio::sync::Mutex;

const SECRETARY: &str = "e.mulder@rijnoever.example";
/// Demo board members who take part in the joint meeting (RvB, MSB, VMSD, VMS).
const MEMBERS: &[&str] = &[
    "m.vandenberg@rijnoever.example",
    "j.verhoeven@rijnoever.example",
    "f.elamrani@rijnoever.example",
    "h.koster@rijnoever.example",
    "i.meijer@rijnoever.example",
    "k.bouzid@rijnoever.example",
    "e.degroot@rijnoever.example",
    "t.jacobs@rijnoever.example",
    "s.dijkstra@rijnoever.example",
    "r.peters@rijnoever.example",
];
const JOINT: &str = "Uitgangspunten capaciteitsbegroting 2027";
/// How long a client may wait for one decision before it counts as an error.
const GIVE_UP: Duration = Duration::from_secs(10);

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn drop_database(base: &str, url: &str) {
    let name = url.rsplit('/').next().unwrap().to_string();
    if let Ok(mut conn) = sqlx::PgConnection::connect(base).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await;
    }
}

/// One app instance on a free port, with its own pool; returns its base URL.
async fn start_instance(url: &str) -> (String, AppState) {
    let mut config = Config::for_tests(url);
    config.db_max_connections = 10; // the production default
    let store = Store::connect_lazy(url, config.db_max_connections).expect("pool");
    let state = gg_web::app::state(store, config).await.expect("state");
    let app = gg_web::app::build(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    (format!("http://{addr}"), state)
}

/// When each decision's POST was sent (index = decision number).
type Sent = Arc<Mutex<Vec<Option<Instant>>>>;

fn marker(n: usize) -> String {
    format!("[meting-{n:03}]")
}

/// One follower: reads the stream and records, per decision of `range`, when its marker first
/// arrived. Ends when the last decision's marker arrived. A decision overtaken by the next one
/// before this client's update went out is not in any event: it is simply not measured.
async fn follow(
    client: reqwest::Client,
    url: String,
    session: String,
    range: std::ops::Range<usize>,
    sent: Sent,
    connected: Arc<AtomicUsize>,
) -> Result<Vec<Duration>, String> {
    let mut res = client
        .get(&url)
        .header("cookie", format!("gg_session={session}"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .map_err(|e| format!("connect: {e}"))?;
    if !res.status().is_success() {
        return Err(format!("status {}", res.status()));
    }
    let mut buffer = String::new();
    let mut seen: Vec<Option<Duration>> = vec![None; range.end];
    let mut first = true;
    loop {
        if seen[range.end - 1].is_some() {
            break;
        }
        let chunk = match tokio::time::timeout(GIVE_UP, res.chunk()).await {
            Err(_) => return Err("no event for a long time".into()),
            Ok(Err(e)) => return Err(format!("read: {e}")),
            Ok(Ok(None)) => return Err("the stream ended".into()),
            Ok(Ok(Some(c))) => c,
        };
        let now = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if !event.contains("event: agenda") {
                continue;
            }
            if first {
                first = false;
                connected.fetch_add(1, Ordering::SeqCst);
            }
            let sent = sent.lock().await;
            for (n, slot) in seen.iter_mut().enumerate().skip(range.start) {
                if slot.is_none()
                    && let Some(at) = sent[n]
                    && event.contains(&marker(n))
                {
                    *slot = Some(now.saturating_duration_since(at));
                }
            }
        }
    }
    Ok(seen.into_iter().flatten().collect())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

struct Phase {
    clients: usize,
    decisions: usize,
}

/// The app instances, the meeting and the secretary, the same for every phase.
struct Setup {
    bases: Vec<String>,
    store: Store,
    meeting: i64,
    item: i64,
    rvb_body: i64,
    secretary: reqwest::Client,
    csrf: String,
}

async fn run_phase(setup: &Setup, phase: &Phase, first_decision: usize) {
    let Setup {
        bases,
        store,
        meeting,
        item,
        rvb_body,
        secretary,
        csrf,
    } = setup;
    let csrf = csrf.as_str();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let sent: Sent = Arc::new(Mutex::new(vec![None; first_decision + phase.decisions]));
    let connected = Arc::new(AtomicUsize::new(0));
    let mut sessions = Vec::with_capacity(phase.clients);
    for i in 0..phase.clients {
        sessions.push(session_for(store, MEMBERS[i % MEMBERS.len()]).await);
    }
    let started = Instant::now();
    let mut followers = Vec::new();
    for (i, session) in sessions.into_iter().enumerate() {
        let instance = i % bases.len();
        let url = format!("{}/vergaderingen/{meeting}/live", bases[instance]);
        let task = tokio::spawn(follow(
            client.clone(),
            url,
            session,
            first_decision..first_decision + phase.decisions,
            sent.clone(),
            connected.clone(),
        ));
        followers.push((instance, task));
    }
    // Everyone connected (or given up) before the first decision.
    while connected.load(Ordering::SeqCst) < phase.clients && started.elapsed() < GIVE_UP {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let connect_time = started.elapsed();

    let mut post_times = Vec::new();
    for n in first_decision..first_decision + phase.decisions {
        let text = format!("Besluit {}", marker(n));
        let body = rvb_body.to_string();
        let form = [
            ("_csrf", csrf),
            ("body_id", body.as_str()),
            (
                "outcome",
                if n % 2 == 0 {
                    "aangenomen"
                } else {
                    "aangehouden"
                },
            ),
            ("text", text.as_str()),
        ];
        let at = Instant::now();
        sent.lock().await[n] = Some(at);
        let res = secretary
            .post(format!(
                "{}/vergaderingen/{meeting}/punten/{item}/besluit",
                bases[0]
            ))
            .form(&form)
            .send()
            .await
            .expect("POST decision");
        assert_eq!(res.status().as_u16(), 303, "POST decision {n}");
        post_times.push(at.elapsed());
        // Apart enough that each decision is its own update.
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let mut per_instance: Vec<Vec<Duration>> = vec![Vec::new(); bases.len()];
    let mut errors = Vec::new();
    for (instance, task) in followers {
        match task.await {
            Ok(Ok(latencies)) => per_instance[instance].extend(latencies),
            Ok(Err(e)) => errors.push(e),
            Err(e) => errors.push(format!("task: {e}")),
        }
    }
    let mut all: Vec<Duration> = per_instance.iter().flatten().copied().collect();
    all.sort();
    post_times.sort();
    println!(
        "\n{} clients ({} per instance), {} decisions: {} connected and received the initial state within {}",
        phase.clients,
        phase.clients.div_ceil(bases.len()),
        phase.decisions,
        connected.load(Ordering::SeqCst),
        ms(connect_time)
    );
    println!(
        "  POST (secretary, instance A): p50 {}  max {}",
        ms(percentile(&post_times, 0.5)),
        ms(*post_times.last().unwrap_or(&Duration::ZERO))
    );
    for (i, lat) in per_instance.iter_mut().enumerate() {
        lat.sort();
        println!(
            "  instance {}: {} events  p50 {}  p95 {}  max {}",
            ["A", "B"][i],
            lat.len(),
            ms(percentile(lat, 0.5)),
            ms(percentile(lat, 0.95)),
            ms(*lat.last().unwrap_or(&Duration::ZERO))
        );
    }
    println!(
        "  all: {} of {} decision events (the rest overtaken by the next decision)  p50 {}  p95 {}  max {}  errors {}",
        all.len(),
        phase.clients * phase.decisions,
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.95)),
        ms(*all.last().unwrap_or(&Duration::ZERO)),
        errors.len()
    );
    for e in errors.iter().take(5) {
        println!("    error: {e}");
    }
}

#[tokio::main]
async fn main() {
    let base =
        std::env::var("DATABASE_URL").expect("DATABASE_URL (a role that may create databases)");
    let url = fresh_database(&base, "gg_bench_live").await;
    {
        let store = Store::connect_lazy(&url, 2).unwrap();
        store.migrate().await.expect("migrations");
        demo::load(&store).await.expect("demo hospital");
        store.pool().close().await;
    }
    let (a, state_a) = start_instance(&url).await;
    let (b, state_b) = start_instance(&url).await;
    let store = state_a.store.clone();

    let meeting: i64 = sqlx::query_scalar("SELECT id FROM meeting ORDER BY id LIMIT 1")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let item: i64 =
        sqlx::query_scalar("SELECT id FROM agenda_item WHERE meeting_id = $1 AND title = $2")
            .bind(meeting)
            .bind(JOINT)
            .fetch_one(store.pool())
            .await
            .unwrap();
    let rvb_body: i64 = sqlx::query_scalar("SELECT id FROM body WHERE code = 'RvB'")
        .fetch_one(store.pool())
        .await
        .unwrap();

    // The secretary: a session and a CSRF token of our own (double-submit cookie).
    let session = session_for(&store, SECRETARY).await;
    let csrf = gg_web::shared::cookies::random_token();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "cookie",
        format!("gg_session={session}; gg_csrf={csrf}")
            .parse()
            .unwrap(),
    );
    let secretary = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for to in ["gepubliceerd", "in_vergadering"] {
        let res = secretary
            .post(format!("{a}/vergaderingen/{meeting}/status"))
            .form(&[("_csrf", csrf.as_str()), ("naar", to)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303, "status {to}");
    }

    let clients = env_usize("GG_LIVE_CLIENTS", 200);
    let decisions = env_usize("GG_LIVE_DECISIONS", 20);
    let bases = vec![a, b];
    println!(
        "live_load: two instances, debounce {:?}",
        gg_web::meetings::live::DEBOUNCE
    );
    let single = Phase {
        clients: 2,
        decisions: 10,
    };
    let setup = Setup {
        bases,
        store,
        meeting,
        item,
        rvb_body,
        secretary,
        csrf,
    };
    run_phase(&setup, &single, 0).await;
    let load = Phase { clients, decisions };
    run_phase(&setup, &load, single.decisions).await;

    state_a.part::<gg_web::meetings::live::Hub>().close();
    state_b.part::<gg_web::meetings::live::Hub>().close();
    drop_database(&base, &url).await;
}
