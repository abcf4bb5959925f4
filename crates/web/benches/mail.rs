//! Mail (issue #16, item 6), in process on a fresh database with the demo hospital:
//!
//! 1. What mail adds to publishing an agenda: the publish request (`POST
//!    /vergaderingen/{id}/status`) of a meeting of 20 items whose body has 40 members who each get
//!    the agenda, against the same request for a body whose only member (the publishing secretary)
//!    switched the agenda off, so that nothing is rendered for anyone else and nothing written.
//!    The two kinds of meeting take turns, so load on the machine falls on both alike.
//! 2. The worker sending 1,000 queued agenda mails (text, HTML, the iCal attachment, the list
//!    headers) to an SMTP server on the same machine: a minimal one in this file that accepts and
//!    counts (the worker's own cost), then aiosmtpd (`GG_SMTP_SINK_PYTHON`, as the tests use it)
//!    unless `GG_BENCH_AIOSMTPD_MAILS` is 0.
//!
//!     DATABASE_URL=postgres://… cargo bench -p gelijkgericht --bench mail
//!
//! `GG_BENCH_PUBLISHES` (default 40 per kind of meeting) and `GG_BENCH_MAILS` (default 1,000)
//! change the load. Prints the figures; no thresholds: this measures, it does not judge.

#[path = "bench_support/mod.rs"]
mod bench_support;
use bench_support::{fresh_database, session_for};

#[path = "../tests/mail_sink/mod.rs"]
mod mail_sink;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::meetings::item_draft::ItemDraft;
use domain::meetings::kinds::{MeetingKind, Purpose, Subject};
use domain::notify::{Delivery, MailKind};
use domain::people::{
    BodyDraft, BodyForm, Email, MembershipDraft, PersonDraft, PersonName, Position, Role,
};
use gg_web::config::Config;
use gg_web::shared::mail::worker::{Sender, drain};
use http_body_util::BodyExt;
use sqlx::Connection;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use store::Store;
use store::audit::Who;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

const RECIPIENTS: usize = 40;

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

async fn body(tx: &mut store::Tx, who: &Who, code: &str) -> i64 {
    let form = BodyForm {
        code: code.into(),
        name: format!("Benchmarkgremium {code}"),
        ..BodyForm::new_body()
    };
    store::bodies::create(tx, who, &BodyDraft::parse(&form).unwrap())
        .await
        .unwrap()
}

async fn person(
    tx: &mut store::Tx,
    who: &Who,
    email: &str,
    role: Role,
    seats: &[(i64, Position)],
) -> domain::ids::PersonId {
    let draft = PersonDraft {
        email: Email::parse(email).unwrap(),
        name: PersonName::parse(&format!("Bench {email}")).unwrap(),
        roles: [role].into_iter().collect(),
        memberships: seats
            .iter()
            .map(|(body_id, position)| MembershipDraft {
                body_id: *body_id,
                position: *position,
                employment_form: None,
            })
            .collect(),
        vakgroepen: Default::default(),
    };
    store::people::create(tx, who, &draft, true).await.unwrap()
}

/// Two bodies: one with 40 members and the secretary, one with the secretary alone, who has the
/// agenda mail switched off. Returns the bodies and the secretary's e-mail address.
async fn seed_bodies(store: &Store) -> (i64, i64, &'static str) {
    const SECRETARY: &str = "bench.secretaris@rijnoever.example";
    let who = Who::system("bench");
    let mut tx = store.begin().await.unwrap();
    let full = body(&mut tx, &who, "BENCH40").await;
    let empty = body(&mut tx, &who, "BENCH0").await;
    let secretary = person(
        &mut tx,
        &who,
        SECRETARY,
        Role::Secretaris,
        &[(full, Position::Secretaris), (empty, Position::Secretaris)],
    )
    .await;
    store::outbox::set_preference(&mut tx, secretary, MailKind::Agenda, Delivery::Off)
        .await
        .unwrap();
    for i in 0..RECIPIENTS {
        let email = format!("bench.lid.{i}@rijnoever.example");
        person(
            &mut tx,
            &who,
            &email,
            Role::Bestuurder,
            &[(full, Position::Lid)],
        )
        .await;
    }
    store::commit(tx).await.unwrap();
    (full, empty, SECRETARY)
}

/// A concept meeting of `body` with 20 items, as a secretary prepares one.
async fn seed_meeting(store: &Store, body: i64, n: usize) -> i64 {
    let who = Who::system("bench");
    let start = time::OffsetDateTime::now_utc() + time::Duration::days(1 + n as i64);
    let mut tx = store.begin().await.unwrap();
    let input = domain::meetings::meeting_draft::MeetingDraft {
        title: format!("Benchmarkoverleg {n}"),
        kind: MeetingKind::Gremium,
        starts_at: start,
        ends_at: start + time::Duration::hours(3),
        location: "Bestuurskamer".into(),
        video_url: String::new(),
        bodies: vec![body],
    };
    let id = store::meetings::create(&mut tx, &who, &input, None)
        .await
        .unwrap();
    for i in 0..20 {
        let item = ItemDraft {
            parent_id: None,
            title: format!("Agendapunt {i}"),
            description: "Toelichting bij het agendapunt, een paar zinnen lang.".into(),
            presenter: "Voorzitter".into(),
            planned_minutes: 10,
            purpose: Purpose::Besluitvorming,
            subject: Subject::Algemeen,
            visibility_body_id: None,
            links: Vec::new(),
            deciding_bodies: vec![body],
            standing: None,
        };
        store::agenda::add(&mut tx, &who, id, i + 1, &item, None, None)
            .await
            .unwrap();
    }
    store::commit(tx).await.unwrap();
    id.get()
}

/// Publishes a meeting through the router as the page's button does; returns the time taken.
async fn publish(router: &axum::Router, session: &str, meeting: i64) -> Duration {
    let csrf = gg_web::shared::cookies::random_token();
    let req = Request::post(format!("/vergaderingen/{meeting}/status"))
        .header(header::HOST, "127.0.0.1:8080")
        .header(
            header::COOKIE,
            format!("gg_session={session}; gg_csrf={csrf}"),
        )
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("_csrf={csrf}&naar=gepubliceerd")))
        .unwrap();
    let t = Instant::now();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    res.into_body().collect().await.unwrap();
    let took = t.elapsed();
    assert_eq!(status, StatusCode::SEE_OTHER, "publishing {meeting}");
    took
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(times: &mut [Duration]) -> (f64, f64, f64) {
    times.sort();
    (
        ms(times[times.len() / 2]),
        ms(times[times.len() * 95 / 100]),
        ms(times[times.len() - 1]),
    )
}

async fn bench_publish(store: &Store, router: &axum::Router, runs: usize) {
    let (full, empty, secretary) = seed_bodies(store).await;
    let session = session_for(store, secretary).await;
    let warm_up = 3;
    let mut meetings = Vec::new();
    for n in 0..runs + warm_up {
        meetings.push((
            seed_meeting(store, full, 2 * n).await,
            seed_meeting(store, empty, 2 * n + 1).await,
        ));
    }
    sqlx::query("ANALYZE").execute(store.pool()).await.unwrap();
    let (mut with_mail, mut without) = (Vec::new(), Vec::new());
    for (n, (to_forty, to_nobody)) in meetings.into_iter().enumerate() {
        let a = publish(router, &session, to_forty).await;
        let b = publish(router, &session, to_nobody).await;
        if n >= warm_up {
            with_mail.push(a);
            without.push(b);
        }
    }
    let written: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_outbox WHERE kind = 'agenda'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(
        written as usize,
        (runs + warm_up) * RECIPIENTS,
        "{RECIPIENTS} agenda mails per publish with mail, none without"
    );
    let (a50, a95, amax) = summary(&mut with_mail);
    let (b50, b95, bmax) = summary(&mut without);
    println!("publishing an agenda of 20 items ({runs} of each, taking turns):");
    println!(
        "  to {RECIPIENTS} recipients     p50 {a50:>6.2} ms   p95 {a95:>6.2} ms   max {amax:>6.2} ms"
    );
    println!("  to nobody            p50 {b50:>6.2} ms   p95 {b95:>6.2} ms   max {bmax:>6.2} ms");
    println!(
        "  mail adds            p50 {:>6.2} ms   p95 {:>6.2} ms",
        a50 - b50,
        a95 - b95
    );
    let (w50, w95, wmax) = summary(&mut write_only(store, runs).await);
    println!(
        "  of which the rows    p50 {w50:>6.2} ms   p95 {w95:>6.2} ms   max {wmax:>6.2} ms   (enqueue of {RECIPIENTS} written mails, one statement, rolled back)"
    );
}

/// The outbox's share of publishing: writing 40 rendered agenda mails in one statement.
async fn write_only(store: &Store, runs: usize) -> Vec<Duration> {
    type Row = (
        Option<i64>,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<Vec<u8>>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT person_id, recipient, subject, body_text, body_html, attachment_name,
                attachment_type, attachment
         FROM mail_outbox WHERE kind = 'agenda' ORDER BY id LIMIT $1",
    )
    .bind(RECIPIENTS as i64)
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mails: Vec<store::outbox::NewMail> = rows
        .into_iter()
        .map(
            |(person, recipient, subject, text, html, name, kind, bytes)| store::outbox::NewMail {
                person: person.map(domain::ids::PersonId::new),
                recipient,
                kind: MailKind::Agenda,
                subject,
                text,
                html,
                attachment: bytes.map(|bytes| store::outbox::Attachment {
                    name: name.unwrap_or_default(),
                    content_type: kind.unwrap_or_default(),
                    bytes,
                }),
                for_digest: false,
            },
        )
        .collect();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut tx = store.begin().await.unwrap();
        let t = Instant::now();
        store::outbox::enqueue(&mut tx, &mails).await.unwrap();
        times.push(t.elapsed());
        tx.rollback().await.unwrap();
    }
    times
}

/// Leaves exactly `n` agenda mails due: copies of one that publishing wrote, each with its own
/// subject.
async fn queue(store: &Store, n: usize) {
    sqlx::query("UPDATE mail_outbox SET sent_at = now() WHERE sent_at IS NULL")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO mail_outbox (person_id, recipient, kind, subject, body_text, body_html,
                                  attachment_name, attachment_type, attachment)
         SELECT m.person_id, m.recipient, m.kind, m.subject || ' #' || g, m.body_text,
                m.body_html, m.attachment_name, m.attachment_type, m.attachment
         FROM (SELECT * FROM mail_outbox WHERE kind = 'agenda' ORDER BY id LIMIT 1) m,
              generate_series(1, $1) g",
    )
    .bind(n as i32)
    .execute(store.pool())
    .await
    .unwrap();
}

/// Sends every due mail through `smtp_url` with the worker's own drain; returns the time taken.
async fn send_all(store: &Store, url: &str, smtp_url: String) -> Duration {
    let mut config = Config::for_tests(url);
    config.smtp_url = Some(smtp_url);
    let sender = Sender::new(&config).unwrap().expect("an SMTP URL");
    let t = Instant::now();
    let handled = drain(store, &sender).await.unwrap();
    let took = t.elapsed();
    let unsent: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(unsent, 0, "{handled} handled, {unsent} left");
    took
}

/// An SMTP server that accepts every message and only counts it: what sending costs the worker
/// itself, without a real server's parsing and writing. Returns its port and the count.
async fn fast_sink() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(smtp_session(socket, counter.clone()));
        }
    });
    (port, count)
}

async fn smtp_session(socket: TcpStream, count: Arc<AtomicUsize>) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut read = BufReader::new(read);
    let mut line = Vec::new();
    write.write_all(b"220 sink ESMTP\r\n").await?;
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match &verb[..] {
            b"DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                loop {
                    line.clear();
                    if read.read_until(b'\n', &mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == b".\r\n" {
                        break;
                    }
                }
                count.fetch_add(1, Ordering::Relaxed);
                b"250 accepted\r\n"
            }
            b"QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            // EHLO, MAIL, RCPT, RSET, NOOP: all fine.
            _ => b"250 ok\r\n",
        };
        write.write_all(reply).await?;
    }
}

async fn bench_worker(store: &Store, url: &str, mails: usize) {
    let size: i64 = sqlx::query_scalar(
        "SELECT (octet_length(body_text) + octet_length(body_html) + octet_length(attachment))::bigint
         FROM mail_outbox WHERE kind = 'agenda' ORDER BY id LIMIT 1",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    println!("the worker sending {mails} agenda mails ({size} bytes of text, HTML and iCal each):");
    let (port, count) = fast_sink().await;
    for run in 1..=3 {
        queue(store, mails).await;
        let before = count.load(Ordering::Relaxed);
        let took = send_all(store, url, format!("smtp://127.0.0.1:{port}")).await;
        assert_eq!(count.load(Ordering::Relaxed) - before, mails);
        println!(
            "  minimal sink, run {run}   {:>8.0} ms   {:>6.0} mails/s",
            ms(took),
            mails as f64 / took.as_secs_f64()
        );
    }
    let slow = env_usize("GG_BENCH_AIOSMTPD_MAILS", mails);
    if slow == 0 {
        return;
    }
    let sink = mail_sink::Sink::start().await;
    queue(store, slow).await;
    let took = send_all(store, url, sink.url()).await;
    assert_eq!(sink.delivered().len(), slow);
    println!(
        "  aiosmtpd ({slow} mails)   {:>8.0} ms   {:>6.0} mails/s",
        ms(took),
        slow as f64 / took.as_secs_f64()
    );
}

fn main() {
    let base = std::env::var("DATABASE_URL")
        .expect("set DATABASE_URL to a PostgreSQL server that allows CREATE DATABASE");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = fresh_database(&base, "gg_bench_mail").await;
        let store = Store::connect_lazy(&url, 10).unwrap();
        store.migrate().await.unwrap();
        demo::load(&store).await.unwrap();
        let state = gg_web::app::state(store.clone(), Config::for_tests(&url))
            .await
            .unwrap();
        let router = gg_web::app::build(state);
        println!(
            "mail (in process, {} cores)",
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
        bench_publish(&store, &router, env_usize("GG_BENCH_PUBLISHES", 40)).await;
        bench_worker(&store, &url, env_usize("GG_BENCH_MAILS", 1000)).await;
        store.pool().close().await;
        drop_database(&base, &url).await;
    });
}
