//! Mail (issue #16): the agenda to exactly the members who may see it, each mail showing only
//! what its recipient may see; the worker against a real SMTP server (aiosmtpd), two workers at
//! once, a worker dying midway; the unsubscribe link without a session; preferences; the
//! account's own mails.

use crate::mail_sink::Sink;
use crate::support::*;
use axum::http::StatusCode;
use domain::notify::{Delivery, MailKind};
use gg_web::config::Config;
use gg_web::shared::mail::worker::{Sender, drain};
use std::collections::HashMap;
use store::PgPool;
use store::outbox::NewMail;

const MSB_MEMBER: &str = "h.koster@rijnoever.example";

async fn demo_meeting(c: &Client) -> i64 {
    let bodies = store::bodies::list(c.store.pool()).await.unwrap();
    store::meetings::list_for_bodies(&c.store, &[bodies[0].id])
        .await
        .unwrap()[0]
        .id
        .get()
}

/// Publishes the demo's joint meeting as its secretary; returns the agenda mails by address.
pub(crate) async fn publish(
    c: &mut Client,
) -> HashMap<String, (String, String, Option<String>, bool)> {
    let meeting = demo_meeting(c).await;
    c.sign_in_as(SECRETARIS).await;
    let res = c
        .post(
            &format!("/vergaderingen/{meeting}/status"),
            &[("naar", "gepubliceerd")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let rows: Vec<(String, String, String, Option<String>, bool)> = sqlx::query_as(
        "SELECT recipient, body_text, body_html, attachment_name, for_digest
         FROM mail_outbox WHERE kind = 'agenda'",
    )
    .fetch_all(c.store.pool())
    .await
    .unwrap();
    rows.into_iter()
        .map(|(to, text, html, attachment, digest)| (to, (text, html, attachment, digest)))
        .collect()
}

/// The agenda's unsubscribe link in the footer of a mail's text.
pub(crate) fn unsubscribe_link(text: &str) -> String {
    text.lines()
        .find_map(|l| l.split_once("Afmelden voor \"Agenda van een vergadering\": "))
        .map(|(_, url)| url.trim().to_string())
        .expect("an unsubscribe link in the mail")
}

pub(crate) fn sender(sink: &Sink) -> Sender {
    let mut config = Config::for_tests("postgres://unused");
    config.smtp_url = Some(sink.url());
    Sender::new(&config).unwrap().expect("an SMTP URL")
}

fn mails(n: usize) -> Vec<NewMail> {
    (0..n)
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
        .collect()
}

pub(crate) async fn enqueue(c: &Client, n: usize) {
    let mut tx = c.store.begin().await.unwrap();
    store::outbox::enqueue(&mut tx, &mails(n)).await.unwrap();
    store::commit(tx).await.unwrap();
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_published_agenda_reaches_exactly_the_members_each_with_what_they_may_see(pool: PgPool) {
    let mut c = app(pool).await;
    let meeting = demo_meeting(&c).await;
    let bodies = store::meetings::get(c.store.pool(), meeting.into())
        .await
        .unwrap()
        .bodies;
    let mut tx = c.store.begin().await.unwrap();
    let mut expected: Vec<String> = store::people::members_of(&mut tx, &bodies)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.email)
        .collect();
    tx.rollback().await.unwrap();
    let sent = publish(&mut c).await;
    let mut got: Vec<String> = sent.keys().cloned().collect();
    got.sort();
    expected.sort();
    assert_eq!(
        got, expected,
        "one mail per member of the participating bodies"
    );
    assert!(
        !sent.contains_key(CONTROLLER),
        "the controller is no member"
    );

    let (text, html, attachment, _) = &sent[BESTUURDER];
    assert!(text.contains("Personele aangelegenheid"), "{text}");
    assert!(
        !text.contains("Interne verdeling honorariumbudget"),
        "{text}"
    );
    assert!(!html.contains("Interne verdeling honorariumbudget"));
    assert!(!html.contains("verdeelsleutel"));
    assert_eq!(attachment.as_deref(), Some("vergadering.ics"));
    let (text, html, _, _) = &sent[MSB_MEMBER];
    assert!(
        text.contains("Interne verdeling honorariumbudget"),
        "{text}"
    );
    assert!(!text.contains("Personele aangelegenheid"), "{text}");
    assert!(!html.contains("Personele aangelegenheid"));
    assert!(text.contains(&format!("/vergaderingen/{meeting}")));

    // The beheerder reads them under Beheer › Berichten; nobody else may.
    c.sign_in_as(BEHEERDER).await;
    let list = c.get("/beheer/berichten").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(BESTUURDER));
    assert!(list.body.contains("geen mailserver ingesteld"));
    let id: i64 = sqlx::query_scalar("SELECT id FROM mail_outbox WHERE recipient = $1")
        .bind(BESTUURDER)
        .fetch_one(c.store.pool())
        .await
        .unwrap();
    let one = c.get(&format!("/beheer/berichten/{id}")).await;
    assert!(one.body.contains("Personele aangelegenheid"));
    assert_eq!(
        c.get("/beheer/berichten/999999").await.status,
        StatusCode::NOT_FOUND
    );
    c.sign_in_as(SECRETARIS).await;
    assert_eq!(
        c.get("/beheer/berichten").await.status,
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn two_workers_send_each_mail_once_with_a_stable_message_id(pool: PgPool) {
    let c = app(pool).await;
    let sink = Sink::start().await;
    enqueue(&c, 120).await;
    let (a, b) = (sender(&sink), sender(&sink));
    let (sa, sb) = tokio::join!(drain(&c.store, &a), drain(&c.store, &b));
    assert_eq!(sa.unwrap() + sb.unwrap(), 120);
    let delivered = sink.delivered();
    assert_eq!(delivered.len(), 120);
    let mut ids: Vec<&str> = delivered.iter().map(|d| d.message_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 120, "no mail twice");
    let unsent: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL")
        .fetch_one(c.store.pool())
        .await
        .unwrap();
    assert_eq!(unsent, 0);
    let first = delivered.iter().find(|d| d.subject == "Bericht 0").unwrap();
    assert_eq!(first.to, "lid-0@rijnoever.example");
    assert!(first.message_id.starts_with("<gg-"), "{}", first.message_id);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_worker_that_dies_midway_loses_no_mail_and_repeats_at_most_once(pool: PgPool) {
    let c = app(pool).await;
    let sink = Sink::start().await;
    enqueue(&c, 200).await;
    let store = c.store.clone();
    let dying = sender(&sink);
    let worker = tokio::spawn(async move { drain(&store, &dying).await });
    // Killed while it is sending, after some mails went out but before all were marked.
    for _ in 0..400 {
        if sink.delivered().len() >= 40 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    worker.abort();
    let _ = worker.await;
    let before = sink.delivered().len();
    assert!((40..200).contains(&before), "died midway: {before}");
    drain(&c.store, &sender(&sink)).await.unwrap();
    let delivered = sink.delivered();
    let mut count: HashMap<String, usize> = HashMap::new();
    for d in &delivered {
        *count.entry(d.message_id.clone()).or_default() += 1;
    }
    assert_eq!(count.len(), 200, "every mail arrived");
    assert!(count.values().all(|n| *n <= 2), "none more than twice");
    let unsent: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL")
        .fetch_one(c.store.pool())
        .await
        .unwrap();
    assert_eq!(unsent, 0);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_agenda_arrives_in_a_real_mailbox_with_its_calendar_attachment(pool: PgPool) {
    let mut c = app(pool).await;
    let sink = Sink::start().await;
    publish(&mut c).await;
    drain(&c.store, &sender(&sink)).await.unwrap();
    let delivered = sink.delivered();
    let mine = delivered
        .iter()
        .find(|d| d.to.contains(BESTUURDER))
        .expect("the bestuurder's agenda");
    assert!(mine.subject.contains("Agenda"), "{}", mine.subject);
    assert!(mine.raw.contains("text/calendar"), "the iCal attachment");
    assert!(mine.raw.contains("multipart/alternative"), "text and HTML");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_unsubscribe_link_works_without_a_session_and_for_nothing_else(pool: PgPool) {
    let mut c = app(pool.clone()).await;
    let sent = publish(&mut c).await;
    let path = unsubscribe_link(&sent[BESTUURDER].0)
        .trim_start_matches("http://127.0.0.1:8080")
        .to_string();
    let person = c.person_id(BESTUURDER).await;

    let mut anonymous = app(pool).await;
    let page = anonymous.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Agenda van een vergadering"));
    let prefs = |store: store::Store| async move {
        store::outbox::preferences(&store, person.into())
            .await
            .unwrap()
    };
    assert_eq!(
        prefs(c.store.clone())
            .await
            .iter()
            .find(|(k, _)| *k == MailKind::Agenda)
            .unwrap()
            .1,
        Delivery::Direct,
        "opening the link changes nothing"
    );
    let done = anonymous.post(&path, &[]).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("Afgemeld"));
    for (kind, delivery) in prefs(c.store.clone()).await {
        let expected = if kind == MailKind::Agenda {
            Delivery::Off
        } else {
            kind.delivery(None)
        };
        assert_eq!(delivery, expected, "{kind:?}");
    }
    // Another person's or kind's link cannot be made from this one.
    let forged = path.replacen(&format!("/{person}."), &format!("/{}.", person + 1), 1);
    assert_eq!(anonymous.get(&forged).await.status, StatusCode::NOT_FOUND);
    let other_kind = path.replacen(".agenda.", ".begroting.", 1);
    assert_eq!(
        anonymous.post(&other_kind, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        anonymous.get("/afmelden/%00%FF").await.status,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn preferences_decide_direct_digest_or_nothing(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(BESTUURDER).await;
    let page = c.get("/account/meldingen").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("name=\"beveiliging\""),
        "security mail is not a choice"
    );
    let forged = c
        .post(
            "/account/meldingen",
            &[("agenda", "uit"), ("beveiliging", "uit")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);
    let saved = c
        .post("/account/meldingen", &[("agenda", "dagoverzicht")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let mut other = app(c.store.pool().clone()).await;
    other.sign_in_as(MSB_MEMBER).await;
    other.post("/account/meldingen", &[("agenda", "uit")]).await;
    let sent = publish(&mut c).await;
    assert!(sent[BESTUURDER].3, "held for the bestuurder's digest");
    assert!(
        !sent.contains_key(MSB_MEMBER),
        "nothing for who switched it off"
    );
    assert!(sent.values().filter(|m| !m.3).count() > 3);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_account_mails_go_out_whatever_the_preferences(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(BEHEERDER).await;
    let res = c
        .post(
            "/beheer/personen",
            &[
                ("name", "Anna Jansen"),
                ("email", "a.jansen@rijnoever.example"),
                ("role", "controller"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let (subject, text): (String, String) = sqlx::query_as(
        "SELECT subject, body_text FROM mail_outbox WHERE recipient = 'a.jansen@rijnoever.example'",
    )
    .fetch_one(c.store.pool())
    .await
    .unwrap();
    assert!(subject.contains("Uw account"), "{subject}");
    assert!(text.contains("/wachtwoord-instellen/"), "{text}");
    assert!(
        !text.contains("Afmelden"),
        "security mail has no unsubscribe link"
    );

    c.sign_in_as(BESTUURDER).await;
    let res = c
        .post(
            "/account/wachtwoord",
            &[
                ("current", PASSWORD),
                ("password", "een-heel-nieuw-wachtwoord-2026"),
                ("confirm", "een-heel-nieuw-wachtwoord-2026"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let notice: String = sqlx::query_scalar(
        "SELECT body_text FROM mail_outbox WHERE recipient = $1 AND kind = 'beveiliging'",
    )
    .bind(BESTUURDER)
    .fetch_one(c.store.pool())
    .await
    .unwrap();
    assert!(
        notice.contains("Het wachtwoord van uw account is gewijzigd."),
        "{notice}"
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn opening_a_round_mails_those_invited_and_nothing_about_answers(pool: PgPool) {
    use store::selfassessment as sa;
    let mut c = app(pool).await;
    let bodies = store::bodies::list(c.store.pool()).await.unwrap();
    let rvb = bodies.iter().find(|b| b.code == "RvB").unwrap().id;
    let today = time::OffsetDateTime::now_utc().date();
    let draft = domain::selfassessment::RoundDraft {
        title: "Peiling RvB".into(),
        body_ids: vec![rvb.into()],
        opens_on: today,
        closes_on: today + time::Duration::days(14),
    };
    let ids: Vec<_> = sa::catalogue(&c.store)
        .await
        .unwrap()
        .iter()
        .take(5)
        .map(|s| s.id)
        .collect();
    let mut tx = c.store.begin().await.unwrap();
    let round = sa::create_round(&mut tx, &store::audit::Who::system("test"), &draft, &ids)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    c.sign_in_as("e.mulder@rijnoever.example").await;
    let res = c
        .post(
            &format!("/zelfevaluatie/rondes/{round}/openen"),
            &[("version", "1")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT recipient, body_text FROM mail_outbox WHERE kind = 'zelfevaluatie' ORDER BY recipient",
    )
    .fetch_all(c.store.pool())
    .await
    .unwrap();
    let mut tx = c.store.begin().await.unwrap();
    let expected: Vec<String> = sa::invitees(&mut tx, round)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, email, _)| email)
        .collect();
    tx.rollback().await.unwrap();
    let mut got: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    got.sort();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(got, expected_sorted);
    assert!(
        got.contains(&BESTUURDER.to_string()),
        "an RvB member is invited"
    );
    assert!(!got.contains(&MSB_MEMBER.to_string()), "the MSB is not");
    assert!(
        !got.contains(&SECRETARIS.to_string()),
        "a secretary has no seat"
    );
    let text = &rows.iter().find(|r| r.0 == BESTUURDER).unwrap().1;
    assert!(text.contains("5 stellingen"), "{text}");
    assert!(text.contains(&format!("/zelfevaluatie/rondes/{round}/invullen")));
    assert!(text.contains("anoniem"));
}
