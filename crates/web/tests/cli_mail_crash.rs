//! The mail worker of the real binary killed while it sends (issue #16): `gelijkgericht serve`
//! with `GG_SMTP_URL` pointing at a real SMTP server (aiosmtpd, `mail_sink`) and a few hundred
//! mails waiting in the outbox, ended with SIGKILL midway (no shutdown, an open transaction left
//! to PostgreSQL) and started again. Every mail arrives; none more than twice, and only the batch
//! that was in flight twice; every row ends marked sent; a repeat has its first Message-ID.
//!
//! Needs `DATABASE_URL` like the other binary tests, and aiosmtpd (`GG_SMTP_SINK_PYTHON`).

mod e2e_support;
mod mail_sink;

use domain::notify::{MailKind, message_id};
use e2e_support::{App, poll, url_of};
use gg_web::shared::mail::worker::BATCH;
use mail_sink::Sink;
use std::collections::HashMap;
use std::time::Duration;
use store::outbox::NewMail;
use store::{PgPool, Store};

const MAILS: usize = 600;
/// Arrived before the kill: enough to be well into the outbox, far from its end.
const KILL_AFTER: usize = 50;

async fn unsent(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_killed_server_loses_no_mail_and_repeats_only_the_batch_in_flight_once(pool: PgPool) {
    let mails: Vec<NewMail> = (0..MAILS)
        .map(|i| NewMail {
            person: None,
            recipient: format!("lid-{i}@rijnoever.example"),
            kind: MailKind::Agenda,
            subject: format!("Bericht {i}"),
            text: format!("Tekst {i}"),
            html: format!("<p>Tekst {i}</p>"),
            attachment: None,
            for_digest: false,
        })
        .collect();
    let store = Store::from_pool(pool.clone());
    let mut tx = store.begin().await.unwrap();
    store::outbox::enqueue(&mut tx, &mails).await.unwrap();
    store::commit(tx).await.unwrap();

    let sink = Sink::start().await;
    let url = url_of(&pool).await;
    let smtp = sink.url();
    let env = [("GG_SMTP_URL", smtp.as_str())];

    let mut first = App::serve(&url, &env).await;
    let midway = poll(Duration::from_secs(60), || async {
        (sink.delivered().len() >= KILL_AFTER).then_some(())
    })
    .await;
    assert!(midway.is_some(), "nothing was sent:\n{}", first.output());
    first.kill();
    let arrived = sink.delivered().len();
    let waiting = unsent(&pool).await;
    assert!(
        arrived < MAILS && waiting > 0,
        "killed midway: {arrived} arrived, {waiting} unsent"
    );

    let second = App::serve(&url, &env).await;
    let done = poll(Duration::from_secs(120), || async {
        (unsent(&pool).await == 0).then_some(())
    })
    .await;
    assert!(
        done.is_some(),
        "{} still unsent after the restart:\n{}",
        unsent(&pool).await,
        second.output()
    );

    // Each row's subject is its own, so deliveries are told apart by subject, whatever their
    // Message-ID says.
    let rows: Vec<(i64, String, time::OffsetDateTime)> =
        sqlx::query_as("SELECT id, subject, created_at FROM mail_outbox")
            .fetch_all(&pool)
            .await
            .unwrap();
    let expected: HashMap<String, String> = rows
        .into_iter()
        .map(|(id, subject, created)| {
            // The host of GG_BASE_URL, which is 127.0.0.1 whatever port each instance has.
            (
                subject,
                message_id(id, created.unix_timestamp(), "127.0.0.1"),
            )
        })
        .collect();
    let mut by_subject: HashMap<String, Vec<String>> = HashMap::new();
    for mail in sink.delivered() {
        by_subject
            .entry(mail.subject)
            .or_default()
            .push(mail.message_id);
    }
    assert_eq!(by_subject.len(), MAILS, "every mail arrived");
    for (subject, ids) in &by_subject {
        assert!(ids.len() <= 2, "{subject} arrived {} times", ids.len());
        let first_id = &expected[subject];
        assert!(
            ids.iter().all(|id| id == first_id),
            "{subject}: {ids:?}, expected {first_id}"
        );
    }
    let repeats = by_subject.values().filter(|ids| ids.len() == 2).count();
    assert!(
        repeats <= BATCH as usize,
        "only the batch in flight is sent again: {repeats} repeats"
    );
    eprintln!("{arrived} arrived before the kill; {repeats} sent twice after the restart");
}
