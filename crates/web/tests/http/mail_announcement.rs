//! A changed agenda announced (issue #16): after publication the secretary sends the current
//! agenda again, once, with a note; each member's mail shows only their items; two secretaries
//! announcing the same change send it once; nothing goes out before publication or once the
//! meeting is open; a meeting the secretary may not see answers like a missing one.

use crate::meetings_support::*;
use crate::support::*;
use axum::http::{Method, StatusCode};
use store::PgPool;

const MSB_ONLY: &str = "Interne verdeling honorariumbudget";
const RVB_ONLY: &str = "Personele aangelegenheid";

/// The agenda mails so far as (recipient, subject, text, html, attachment).
async fn agenda_mails(c: &Client) -> Vec<(String, String, String, String, Option<String>)> {
    sqlx::query_as(
        "SELECT recipient, subject, body_text, body_html, attachment_name FROM mail_outbox
         WHERE kind = 'agenda' ORDER BY id",
    )
    .fetch_all(c.store.pool())
    .await
    .unwrap()
}

fn path(meeting: i64) -> String {
    format!("/vergaderingen/{meeting}/wijziging-aankondigen")
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_changed_agenda_goes_to_each_member_once_with_what_they_may_see(pool: PgPool) {
    let mut sanne = app(pool).await;
    sanne.sign_in_as(SECRETARIS).await;
    let meeting = demo_meeting(&sanne).await;
    assert!(
        !sanne
            .get(&format!("/vergaderingen/{meeting}"))
            .await
            .body
            .contains("Wijziging aankondigen"),
        "no announcement before publication"
    );
    let res = sanne
        .post(&path(meeting), &[("seen", "0"), ("note", "x")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("zolang de agenda gepubliceerd is"),
        "{}",
        res.body
    );
    assert_eq!(agenda_mails(&sanne).await.len(), 0);

    let res = set_status(&mut sanne, meeting, "gepubliceerd").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let published = agenda_mails(&sanne).await.len();
    assert!(published > 10, "{published}");

    // The agenda changes after publication; the page offers the announcement.
    let item = item_id(&sanne, meeting, "Concentratie van electieve orthopedie").await;
    sqlx::query(
        "UPDATE agenda_item SET title = 'Concentratie van electieve heupchirurgie' WHERE id = $1",
    )
    .bind(item)
    .execute(sanne.store.pool())
    .await
    .unwrap();
    let page = sanne.get(&format!("/vergaderingen/{meeting}")).await;
    assert!(page.body.contains(&path(meeting)), "{}", page.body);
    let form = sanne.get(&path(meeting)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.field("seen").as_deref(), Some("0"));

    // A second secretary opened the form at the same time.
    let mut eva = other(&sanne, EVA).await;
    assert_eq!(
        eva.get(&path(meeting)).await.field("seen").as_deref(),
        Some("0")
    );

    let note = "Punt 4 heeft een nieuwe titel.\nDe stukken zijn aangevuld.";
    let res = sanne
        .post(&path(meeting), &[("seen", "0"), ("note", note)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(res.location().ends_with("?ok=aangekondigd"));
    let all = agenda_mails(&sanne).await;
    let changed: Vec<_> = all[published..].to_vec();
    assert_eq!(
        changed.len(),
        published,
        "one mail per member, as at publication"
    );
    for (to, subject, text, html, attachment) in &changed {
        assert!(
            subject.starts_with("Agenda gewijzigd: Gezamenlijk overleg"),
            "{subject}"
        );
        assert!(
            text.contains("is gewijzigd") && text.contains(note),
            "{to}: {text}"
        );
        assert!(
            text.contains("Concentratie van electieve heupchirurgie"),
            "{text}"
        );
        assert!(html.contains("De stukken zijn aangevuld."), "{html}");
        assert_eq!(attachment.as_deref(), Some("vergadering.ics"));
    }
    let to = |who: &str| changed.iter().find(|m| m.0 == who).unwrap();
    let (_, _, text, html, _) = to(BESTUURDER);
    assert!(text.contains(RVB_ONLY) && !text.contains(MSB_ONLY) && !html.contains(MSB_ONLY));
    let (_, _, text, html, _) = to(HANS);
    assert!(text.contains(MSB_ONLY) && !text.contains(RVB_ONLY) && !html.contains(RVB_ONLY));

    // Eva sends the same change: told it went out already, her note kept, nothing sent.
    let res = eva
        .post(&path(meeting), &[("seen", "0"), ("note", "Ook van mij")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("al als gewijzigd aangekondigd"),
        "{}",
        res.body
    );
    assert!(res.body.contains("Ook van mij"));
    assert_eq!(res.field("seen").as_deref(), Some("1"));
    assert_eq!(agenda_mails(&sanne).await.len(), 2 * published);
    // A form without its version is treated as stale.
    let res = eva.post(&path(meeting), &[("note", "zonder versie")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(agenda_mails(&sanne).await.len(), 2 * published);
    let audit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE object_type = 'meeting' AND action = 'agenda_announced'",
    )
    .fetch_one(sanne.store.pool())
    .await
    .unwrap();
    assert_eq!(audit, 1);
    assert!(
        sanne
            .get(&path(meeting))
            .await
            .body
            .contains("Laatst aangekondigd")
    );

    // Once the meeting is open the members are in the room: no more announcements.
    let res = set_status(&mut sanne, meeting, "in_vergadering").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = sanne.post(&path(meeting), &[("seen", "1")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(agenda_mails(&sanne).await.len(), 2 * published);
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_hostile_note_is_refused_at_its_field_and_sends_nothing(pool: PgPool) {
    let mut c = app(pool).await;
    c.sign_in_as(SECRETARIS).await;
    let meeting = demo_meeting(&c).await;
    set_status(&mut c, meeting, "gepubliceerd").await;
    let before = agenda_mails(&c).await.len();
    let long = "x".repeat(1001);
    let res = c
        .post(&path(meeting), &[("seen", "0"), ("note", &long)])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("Gebruik ten hoogste 1.000 tekens"),
        "{}",
        res.body
    );
    assert!(res.body.contains(&long), "what was typed is kept");
    let token = c.csrf().await;
    let res = c
        .request_raw(
            Method::POST,
            &path(meeting),
            &format!("_csrf={token}&seen=0&note=Wijziging%FF%FE"),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(agenda_mails(&c).await.len(), before);
    // NUL and other stripped characters never reach a mail.
    let res = c
        .post(&path(meeting), &[("seen", "0"), ("note", "Nieuw\0 punt")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let texts: Vec<String> = agenda_mails(&c).await[before..]
        .iter()
        .map(|m| m.2.clone())
        .collect();
    assert!(
        texts
            .iter()
            .all(|t| t.contains("Nieuw punt") && !t.contains('\0'))
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_meeting_the_secretary_may_not_see_answers_like_a_missing_one(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let msb_only = body_meeting(&mut eva, "MSB-bestuur", "2099-01-05", "MSB").await;
    set_status(&mut eva, msb_only, "gepubliceerd").await;
    let mut sanne = other(&eva, SECRETARIS).await;
    for (hidden, missing) in [
        (
            sanne.get(&path(msb_only)).await,
            sanne.get(&path(987654321)).await,
        ),
        (
            sanne.post(&path(msb_only), &[("seen", "0")]).await,
            sanne.post(&path(987654321), &[("seen", "0")]).await,
        ),
    ] {
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        assert_eq!(hidden.status, missing.status);
        assert_eq!(hidden.body, missing.body);
    }
    let sent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM mail_outbox WHERE kind = 'agenda' AND subject LIKE 'Agenda gewijzigd%'",
    )
    .fetch_one(eva.store.pool())
    .await
    .unwrap();
    assert_eq!(sent, 0);
}
