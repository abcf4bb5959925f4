//! The live meeting (A5): the stream of agenda fragments per person, and the notifications the
//! store sends at commit (and not on rollback).

use crate::support::*;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use domain::meetings::status::MeetingStatus;
use http_body_util::BodyExt;
use sqlx::postgres::PgListener;
use std::collections::HashMap;
use std::time::Duration;
use store::PgPool;
use store::audit::Who;
use tower::ServiceExt;

const EVA: &str = "e.mulder@rijnoever.example"; // MSB+ secretary
const HANS: &str = "h.koster@rijnoever.example"; // MSB chair
const JOINT: &str = "Uitgangspunten capaciteitsbegroting 2027";
const MSB_ONLY: &str = "Interne verdeling honorariumbudget";
const RVB_ONLY: &str = "Personele aangelegenheid";

/// Guards against a hang only; nothing here depends on speed.
const PATIENCE: Duration = Duration::from_secs(30);

async fn body_id(c: &Client, code: &str) -> i64 {
    store::bodies::list(c.store.pool())
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.code == code)
        .unwrap()
        .id
}

async fn demo_meeting(c: &Client) -> i64 {
    let rvb = body_id(c, "RvB").await;
    store::meetings::list_for_bodies(&c.store, &[rvb])
        .await
        .unwrap()[0]
        .id
        .into()
}

async fn item_id(c: &Client, meeting: i64, title: &str) -> i64 {
    store::agenda::items(c.store.pool(), meeting.into())
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.title == title)
        .unwrap()
        .id
        .into()
}

/// Another signed-in client on the same app.
async fn client_as(c: &Client, email: &str) -> Client {
    let mut other = Client {
        router: c.router.clone(),
        store: c.store.clone(),
        cookies: HashMap::new(),
        ip: c.ip,
    };
    other.sign_in_as(email).await;
    other
}

async fn open_meeting(secretary: &mut Client, meeting: i64) {
    for to in ["gepubliceerd", "in_vergadering"] {
        let res = secretary
            .post(&format!("/vergaderingen/{meeting}/status"), &[("naar", to)])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "to {to}: {}", res.body);
    }
}

/// One server-sent event.
#[derive(Debug)]
struct Sse {
    event: String,
    data: String,
}

/// The live answer, read event by event.
struct Live {
    status: StatusCode,
    content_type: String,
    body: Body,
    buffer: String,
}

impl Live {
    async fn open(c: &Client, path: &str) -> Live {
        let mut req = Request::builder()
            .uri(path)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::ACCEPT, "text/event-stream");
        let jar: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if !jar.is_empty() {
            req = req.header(header::COOKIE, jar.join("; "));
        }
        let mut req = req.body(Body::empty()).unwrap();
        req.extensions_mut().insert(ConnectInfo(c.ip));
        let res = c.router.clone().oneshot(req).await.unwrap();
        Live {
            status: res.status(),
            content_type: res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string(),
            body: res.into_body(),
            buffer: String::new(),
        }
    }

    /// The next event (comments skipped); `None` when the stream ended.
    async fn next(&mut self) -> Option<Sse> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let raw: String = self.buffer.drain(..end + 2).collect();
                let mut event = Sse {
                    event: "message".into(),
                    data: String::new(),
                };
                let mut data = Vec::new();
                for line in raw.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event.event = v.trim_start().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
                    }
                }
                if data.is_empty() {
                    continue; // a comment (keep-alive) or a bare retry
                }
                event.data = data.join("\n");
                return Some(event);
            }
            let frame = tokio::time::timeout(PATIENCE, self.body.frame())
                .await
                .expect("the live stream sent nothing for a long time")?;
            let frame = frame.expect("reading the live stream");
            if let Ok(bytes) = frame.into_data() {
                self.buffer.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }

    /// The next `agenda` event's HTML.
    async fn agenda(&mut self) -> String {
        let event = self.next().await.expect("an agenda event");
        assert_eq!(event.event, "agenda", "{event:?}");
        event.data
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_stream_answers_participants_only_and_starts_with_the_whole_agenda(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let id = demo_meeting(&eva).await;
    let path = format!("/vergaderingen/{id}/live");
    open_meeting(&mut eva, id).await;

    // The RvT observer does not take part in this meeting: it does not exist for them.
    let observer = client_as(&eva, TOEHOORDER).await;
    let live = Live::open(&observer, &path).await;
    assert_eq!(live.status, StatusCode::NOT_FOUND);
    // Anonymous: to the login page.
    let anonymous = Client {
        router: eva.router.clone(),
        store: eva.store.clone(),
        cookies: HashMap::new(),
        ip: eva.ip,
    };
    assert!(Live::open(&anonymous, &path).await.status.is_redirection());

    let hans = client_as(&eva, HANS).await;
    let mut live = Live::open(&hans, &path).await;
    assert_eq!(live.status, StatusCode::OK);
    assert!(
        live.content_type.starts_with("text/event-stream"),
        "{}",
        live.content_type
    );
    let html = live.agenda().await;
    for title in [JOINT, "Concentratie van electieve orthopedie", MSB_ONLY] {
        assert!(html.contains(title), "{title} in {html}");
    }
    assert!(!html.contains(RVB_ONLY), "RvB-only item sent to the MSB");
    assert!(html.contains("In vergadering"));
    // The fragment is the page's own: the page shows the same agenda.
    let page = client_as(&eva, HANS)
        .await
        .get(&format!("/vergaderingen/{id}"))
        .await;
    assert!(page.body.contains(&format!(r#"data-live-url="{path}""#)));
    assert!(page.body.contains(r#"<ol class="agenda" id="agenda">"#));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn each_person_gets_only_the_items_they_may_see(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let id = demo_meeting(&eva).await;
    let path = format!("/vergaderingen/{id}/live");
    open_meeting(&mut eva, id).await;
    let (rvb, msb) = (body_id(&eva, "RvB").await, body_id(&eva, "MSB").await);
    let joint = item_id(&eva, id, JOINT).await;
    let msb_item = item_id(&eva, id, MSB_ONLY).await;

    let marieke = client_as(&eva, BESTUURDER).await; // RvB chair
    let hans = client_as(&eva, HANS).await;
    let mut rvb_live = Live::open(&marieke, &path).await;
    let mut msb_live = Live::open(&hans, &path).await;
    let first = rvb_live.agenda().await;
    assert!(first.contains(JOINT) && first.contains(RVB_ONLY));
    assert!(!first.contains(MSB_ONLY) && !first.contains("verdeelsleutel"));
    let first_msb = msb_live.agenda().await;
    assert!(first_msb.contains(MSB_ONLY) && !first_msb.contains(RVB_ONLY));

    // The MSB secretary decides on the MSB-only item, then each body on the joint one.
    let decide = |item: i64| format!("/vergaderingen/{id}/punten/{item}/besluit");
    let msb_s = msb.to_string();
    let rvb_s = rvb.to_string();
    let res = eva
        .post(
            &decide(msb_item),
            &[
                ("body_id", &msb_s),
                ("outcome", "aangenomen"),
                ("text", "Verdeelsleutel 2027 vastgesteld."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // Each body's decision by its own secretary.
    let mut sanne = client_as(&eva, SECRETARIS).await;
    for (body, outcome) in [(&rvb_s, "aangenomen"), (&msb_s, "verworpen")] {
        let recorder = if *body == rvb_s { &mut sanne } else { &mut eva };
        let res = recorder
            .post(
                &decide(joint),
                &[
                    ("body_id", body),
                    ("outcome", outcome),
                    ("text", "Over de uitgangspunten."),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }

    // Both streams arrive at the divided outcome; the RvB one never carries the MSB item.
    let mut seen = String::new();
    while !seen.contains("Uitkomst: verdeeld") {
        seen = rvb_live.agenda().await;
        assert!(
            !seen.contains(MSB_ONLY) && !seen.contains("Verdeelsleutel 2027"),
            "MSB-only content sent to the RvB: {seen}"
        );
    }
    let mut seen_msb = String::new();
    while !seen_msb.contains("Uitkomst: verdeeld") {
        seen_msb = msb_live.agenda().await;
    }
    assert!(seen_msb.contains("Verdeelsleutel 2027 vastgesteld."));

    // Closing the meeting: the final state, then the end of the stream.
    let res = eva
        .post(
            &format!("/vergaderingen/{id}/status"),
            &[("naar", "gesloten")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    loop {
        let event = rvb_live
            .next()
            .await
            .expect("an end event before the stream closes");
        if event.event == "end" {
            break;
        }
        assert!(!event.data.contains(MSB_ONLY));
    }
    assert!(
        rvb_live.next().await.is_none(),
        "the stream closes after end"
    );
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_meeting_not_in_session_is_sent_once(pool: PgPool) {
    let c = app(pool).await;
    let id = demo_meeting(&c).await; // concept
    let hans = client_as(&c, HANS).await;
    let mut live = Live::open(&hans, &format!("/vergaderingen/{id}/live")).await;
    assert_eq!(live.status, StatusCode::OK);
    let html = live.agenda().await;
    assert!(html.contains("Concept") && html.contains(JOINT));
    let end = live.next().await.expect("an end event");
    assert_eq!(end.event, "end");
    assert!(live.next().await.is_none());
    // ... and the page does not ask to follow it.
    let page = client_as(&c, HANS)
        .await
        .get(&format!("/vergaderingen/{id}"))
        .await;
    assert!(!page.body.contains("data-live-url"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn changes_notify_at_commit_and_not_on_rollback(pool: PgPool) {
    let c = app(pool.clone()).await;
    let demo = demo_meeting(&c).await;
    let joint = item_id(&c, demo, JOINT).await;
    let (rvb, msb) = (body_id(&c, "RvB").await, body_id(&c, "MSB").await);
    let who = Who::system("test");
    let other = {
        let start = time::OffsetDateTime::now_utc() + time::Duration::days(60);
        let input = domain::meetings::meeting_draft::MeetingDraft {
            title: "Ander overleg".into(),
            kind: domain::meetings::kinds::MeetingKind::Gezamenlijk,
            starts_at: start,
            ends_at: start + time::Duration::hours(2),
            location: String::new(),
            video_url: String::new(),
            bodies: vec![rvb, msb],
        };
        let mut tx = c.store.begin().await.unwrap();
        let id = store::meetings::create(&mut tx, &who, &input, None)
            .await
            .unwrap();
        store::commit(tx).await.unwrap();
        id
    };

    let mut listener = PgListener::connect_with(&pool).await.unwrap();
    listener.listen(store::live::CHANNEL).await.unwrap();
    let decision = store::decisions::DecisionInput {
        item_id: joint.into(),
        body_id: rvb,
        outcome: domain::meetings::kinds::DecisionOutcome::Aangenomen,
        text: "Akkoord.".into(),
        votes_for: None,
        votes_against: None,
        votes_abstain: None,
        vote_summary: String::new(),
        named: Vec::new(),
    };

    // Rolled back: nobody hears of it.
    let mut tx = c.store.begin().await.unwrap();
    store::decisions::record(&mut tx, &who, &decision, 0)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    // Committed, on another meeting: this is the first thing the listener hears.
    let mut tx = c.store.begin().await.unwrap();
    store::meetings::set_status(
        &mut tx,
        &who,
        other,
        MeetingStatus::Concept,
        MeetingStatus::Gepubliceerd,
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
    let heard = tokio::time::timeout(PATIENCE, listener.recv())
        .await
        .expect("a notification")
        .unwrap();
    assert_eq!(heard.channel(), store::live::CHANNEL);
    assert_eq!(
        heard.payload(),
        other.to_string(),
        "the rolled-back decision notified"
    );

    // The decision committed: its meeting is announced.
    let mut tx = c.store.begin().await.unwrap();
    store::decisions::record(&mut tx, &who, &decision, 0)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    let heard = tokio::time::timeout(PATIENCE, listener.recv())
        .await
        .expect("a notification")
        .unwrap();
    assert_eq!(heard.payload(), demo.to_string());
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_change_made_on_one_instance_reaches_the_streams_of_another(pool: PgPool) {
    // Two app instances on one database, each with its own listener.
    let mut eva = app(pool.clone()).await;
    let other = app(pool).await;
    eva.sign_in_as(EVA).await;
    let id = demo_meeting(&eva).await;
    open_meeting(&mut eva, id).await;
    let joint = item_id(&eva, id, JOINT).await;

    let hans = client_as(&other, HANS).await;
    let mut live = Live::open(&hans, &format!("/vergaderingen/{id}/live")).await;
    assert!(!live.agenda().await.contains("Nu aan de orde"));

    let res = eva
        .post(
            &format!("/vergaderingen/{id}/huidig"),
            &[("item", &joint.to_string())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let html = live.agenda().await;
    assert!(html.contains("Nu aan de orde"), "{html}");
    assert!(
        html.contains(r#"class="badge timer""#) && html.contains("nog 30 min"),
        "the timer of the current item: {html}"
    );
}

/// Waits at most a second for the stream's next event: changes to what a person may see reach
/// an open stream through the database's notification, not the periodic check.
async fn within_a_second(live: &mut Live) -> Option<Sse> {
    tokio::time::timeout(Duration::from_secs(1), live.next())
        .await
        .expect("the stream reacted within a second")
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn logging_out_ends_an_open_stream_at_once(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let id = demo_meeting(&eva).await;
    open_meeting(&mut eva, id).await;
    let mut hans = client_as(&eva, HANS).await;
    let mut live = Live::open(&hans, &format!("/vergaderingen/{id}/live")).await;
    assert!(live.agenda().await.contains(MSB_ONLY));

    // The same browser logs out in another request (another tab).
    let res = hans.post("/uitloggen", &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let end = within_a_second(&mut live).await.expect("an end event");
    assert_eq!((end.event.as_str(), end.data.as_str()), ("end", "sessie"));
    assert!(live.next().await.is_none(), "the stream closes after end");
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn a_password_change_or_blocking_ends_an_open_stream_at_once(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let id = demo_meeting(&eva).await;
    open_meeting(&mut eva, id).await;
    let path = format!("/vergaderingen/{id}/live");
    let hans_id = eva.person_id(HANS).await;
    let who = Who::system("test");

    let mut live = Live::open(&client_as(&eva, HANS).await, &path).await;
    live.agenda().await;
    // Elsewhere (another browser, the administrator): a new password ends every session.
    let mut tx = eva.store.begin().await.unwrap();
    store::people::set_password_hash(&mut tx, &who, hans_id.into(), "$argon2id$v=19$elders")
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    let end = within_a_second(&mut live).await.expect("an end event");
    assert_eq!((end.event.as_str(), end.data.as_str()), ("end", "sessie"));

    let mut live = Live::open(&client_as(&eva, HANS).await, &path).await;
    live.agenda().await;
    let mut tx = eva.store.begin().await.unwrap();
    store::people::set_disabled(&mut tx, &who, hans_id.into(), true)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    let end = within_a_second(&mut live).await.expect("an end event");
    assert_eq!((end.event.as_str(), end.data.as_str()), ("end", "sessie"));
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn leaving_a_body_stops_its_items_at_once(pool: PgPool) {
    let mut eva = app(pool).await;
    eva.sign_in_as(EVA).await;
    let id = demo_meeting(&eva).await;
    open_meeting(&mut eva, id).await;
    let (msb, vmsd, vms) = (
        body_id(&eva, "MSB").await,
        body_id(&eva, "VMSD").await,
        body_id(&eva, "VMS").await,
    );
    let msb_item = item_id(&eva, id, MSB_ONLY).await;
    let joint = item_id(&eva, id, JOINT).await;
    let mut live = Live::open(&eva, &format!("/vergaderingen/{id}/live")).await;
    assert!(live.agenda().await.contains(MSB_ONLY));
    // The meeting moves to the joint item: once that arrives, the stream is listening.
    let who = Who::system("test");
    let mut tx = eva.store.begin().await.unwrap();
    store::meetings::set_current_item(&mut tx, &who, id.into(), Some(joint.into()))
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    while !live.agenda().await.contains("Nu aan de orde") {}

    // The administrator takes Eva out of the MSB; she stays secretary of VMSD and VMS, which
    // take part in the meeting.
    let eva_id = eva.person_id(EVA).await;
    let before = store::people::get(&eva.store, eva_id.into()).await.unwrap();
    let secretary = |body_id| domain::people::MembershipDraft {
        body_id,
        position: domain::people::Position::Secretaris,
        employment_form: None,
    };
    let input = domain::people::PersonDraft {
        email: domain::people::Email::parse(EVA).unwrap(),
        name: domain::people::PersonName::parse("Eva Mulder").unwrap(),
        roles: [domain::people::Role::Secretaris].into_iter().collect(),
        memberships: vec![secretary(vmsd), secretary(vms)],
        vakgroepen: Default::default(),
    };
    let mut tx = eva.store.begin().await.unwrap();
    store::people::update(&mut tx, &who, eva_id.into(), before.version, &input)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    let now = within_a_second(&mut live).await.expect("the agenda anew");
    assert_eq!(now.event, "agenda");
    assert!(now.data.contains(JOINT), "{}", now.data);
    assert!(!now.data.contains(MSB_ONLY), "{}", now.data);

    // The MSB decides on its own item, then the meeting moves on: nothing of the decision
    // reaches Eva.
    let decision = store::decisions::DecisionInput {
        item_id: msb_item.into(),
        body_id: msb,
        outcome: domain::meetings::kinds::DecisionOutcome::Aangenomen,
        text: "Verdeelsleutel 2027 vastgesteld.".into(),
        votes_for: None,
        votes_against: None,
        votes_abstain: None,
        vote_summary: String::new(),
        named: Vec::new(),
    };
    let mut tx = eva.store.begin().await.unwrap();
    store::decisions::record(&mut tx, &who, &decision, 0)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    let mut tx = eva.store.begin().await.unwrap();
    store::meetings::set_current_item(&mut tx, &who, id.into(), None)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    loop {
        let html = live.agenda().await;
        assert!(
            !html.contains(MSB_ONLY) && !html.contains("Verdeelsleutel 2027"),
            "MSB-only content sent after leaving the MSB: {html}"
        );
        if !html.contains("Nu aan de orde") {
            break;
        }
    }
}

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn changes_to_what_a_person_may_see_notify_at_commit(pool: PgPool) {
    let c = app(pool.clone()).await;
    let hans = c.person_id(HANS).await;
    let who = Who::system("test");
    let mut listener = PgListener::connect_with(&pool).await.unwrap();
    listener.listen(store::live::PERSON_CHANNEL).await.unwrap();

    // Rolled back: nobody hears of it.
    let mut tx = c.store.begin().await.unwrap();
    store::people::set_disabled(&mut tx, &who, hans.into(), true)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    // Committed: a session ends (logout).
    let mut browser = client_as(&c, HANS).await;
    assert_eq!(
        browser.post("/uitloggen", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let heard = tokio::time::timeout(PATIENCE, listener.recv())
        .await
        .expect("a notification")
        .unwrap();
    assert_eq!(heard.channel(), store::live::PERSON_CHANNEL);
    assert_eq!(
        heard.payload(),
        hans.to_string(),
        "the rolled-back blocking notified"
    );
}
