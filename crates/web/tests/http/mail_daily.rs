//! The daily mail (issue #16): each owner's overview of agreements that need them, the 7S
//! reminder three days before a round closes, and the digest of mail held for it — each once a
//! day whatever the number of runs or instances, and nothing when there is nothing to say.

use crate::support::*;
use axum::http::StatusCode;
use gg_web::config::Config;
use gg_web::shared::mail::daily;
use store::PgPool;
use time::{Duration, OffsetDateTime};

async fn state(c: &Client) -> gg_web::shared::state::AppState {
    gg_web::app::state(c.store.clone(), Config::for_tests("postgres://unused"))
        .await
        .unwrap()
}

fn today() -> time::Date {
    domain::nl::to_amsterdam(OffsetDateTime::now_utc()).date()
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn each_owner_gets_one_overview_a_day_of_only_their_agreements(pool: PgPool) {
    let c = app(pool).await;
    demo::agreements::load(&c.store).await.unwrap();
    let s = state(&c).await;
    let first = daily::run(&s, today()).await.unwrap();
    let written = first.agreements.expect("the job ran");
    assert!(
        written > 0,
        "the demo's owners have agreements that need them"
    );
    let again = daily::run(&s, today()).await.unwrap();
    assert_eq!(again.agreements, None, "once a day");
    assert_eq!(again.digests, None);

    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT person_id, recipient, body_text FROM mail_outbox WHERE kind = 'afspraken'",
    )
    .fetch_all(c.store.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), written);
    let mut recipients: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), rows.len(), "one mail per owner");
    for (person, _, text) in &rows {
        // Every agreement named is one this person owns (as owner or as a party's owner).
        let owned: Vec<String> = sqlx::query_scalar(
            "SELECT title FROM agreement WHERE owner_id = $1
             UNION SELECT a.title FROM agreement a JOIN agreement_party p ON p.agreement_id = a.id
                   WHERE p.owner_id = $1",
        )
        .bind(person)
        .fetch_all(c.store.pool())
        .await
        .unwrap();
        let listed: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("- "))
            .map(|l| l.split_once(": ").map_or(l, |(t, _)| t))
            .collect();
        assert!(!listed.is_empty(), "{text}");
        for title in listed {
            assert!(
                owned.iter().any(|o| o == title),
                "{title} is not theirs: {text}"
            );
        }
    }
    // Agreements mail defaults to the digest: held, then bundled into the day's digest.
    assert_eq!(first.digests, Some(written));
    let digests: i64 =
        sqlx::query_scalar("SELECT count(*) FROM mail_outbox WHERE kind = 'dagoverzicht'")
            .fetch_one(c.store.pool())
            .await
            .unwrap();
    assert_eq!(digests as usize, written);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn mail_held_for_the_digest_goes_out_in_one_mail_the_next_run(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(BESTUURDER).await;
    c.post("/account/meldingen", &[("agenda", "dagoverzicht")])
        .await;
    let meeting = {
        let bodies = store::bodies::list(c.store.pool()).await.unwrap();
        store::meetings::list_for_bodies(&c.store, &[bodies[0].id])
            .await
            .unwrap()[0]
            .id
    };
    c.sign_in_as(SECRETARIS).await;
    let res = c
        .post(
            &format!("/vergaderingen/{meeting}/status"),
            &[("naar", "gepubliceerd")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let s = state(&c).await;
    let run = daily::run(&s, today()).await.unwrap();
    assert_eq!(run.digests, Some(1), "only the bestuurder bundles");
    let (recipient, text): (String, String) =
        sqlx::query_as("SELECT recipient, body_text FROM mail_outbox WHERE kind = 'dagoverzicht'")
            .fetch_one(c.store.pool())
            .await
            .unwrap();
    assert_eq!(recipient, BESTUURDER);
    assert!(text.contains("Agenda:"), "{text}");
    let waiting: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM mail_outbox WHERE for_digest AND digested_at IS NULL",
    )
    .fetch_one(c.store.pool())
    .await
    .unwrap();
    assert_eq!(waiting, 0);
    // The next day there is nothing to bundle: no empty digest.
    let tomorrow = daily::run(&s, today() + Duration::days(1)).await.unwrap();
    assert_eq!(tomorrow.digests, Some(0));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn three_days_before_a_round_closes_those_invited_are_reminded(pool: PgPool) {
    use store::selfassessment as sa;
    let c = app(pool).await;
    let bodies = store::bodies::list(c.store.pool()).await.unwrap();
    let rvb = bodies.iter().find(|b| b.code == "RvB").unwrap().id;
    let draft = domain::selfassessment::RoundDraft {
        title: "Peiling RvB".into(),
        body_ids: vec![rvb.into()],
        opens_on: today(),
        closes_on: today() + Duration::days(3),
    };
    let ids: Vec<_> = sa::catalogue(&c.store)
        .await
        .unwrap()
        .iter()
        .take(3)
        .map(|s| s.id)
        .collect();
    let who = store::audit::Who::system("test");
    let mut tx = c.store.begin().await.unwrap();
    let round = sa::create_round(&mut tx, &who, &draft, &ids).await.unwrap();
    sa::open_round(&mut tx, &who, round, 1, today())
        .await
        .unwrap();
    let invited = sa::invitees(&mut tx, round).await.unwrap().len();
    store::commit(tx).await.unwrap();
    let s = state(&c).await;
    // Not on another day.
    let early = daily::run(&s, today() - Duration::days(1)).await.unwrap();
    assert_eq!(early.reminders, Some(0));
    let run = daily::run(&s, today()).await.unwrap();
    assert_eq!(run.reminders, Some(invited));
    let text: String = sqlx::query_scalar(
        "SELECT body_text FROM mail_outbox WHERE kind = 'zelfevaluatie' AND recipient = $1",
    )
    .bind(BESTUURDER)
    .fetch_one(c.store.pool())
    .await
    .unwrap();
    assert!(text.contains("nog niet verstuurd"), "{text}");
    assert!(text.contains(&format!("/zelfevaluatie/rondes/{round}/invullen")));
}
