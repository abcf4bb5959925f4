mod common;

use common::{admin, body_id, store};
use gg_store::agenda;
use gg_store::decisions::{self, DecisionInput};
use gg_store::domain::ids::MeetingId;
use gg_store::domain::meetings::item_draft::ItemDraft;
use gg_store::domain::meetings::meeting_draft::MeetingDraft;
use gg_store::meetings;
use gg_store::{PgPool, Store, StoreError, minutes};
use time::{Duration, OffsetDateTime};

async fn meeting(s: &Store, title: &str, starts_in_days: i64) -> MeetingId {
    let start = OffsetDateTime::now_utc() + Duration::days(starts_in_days);
    let input = MeetingDraft {
        title: title.into(),
        kind: domain::meetings::kinds::MeetingKind::Gezamenlijk,
        starts_at: start,
        ends_at: start + Duration::hours(2),
        location: String::new(),
        video_url: String::new(),
        bodies: vec![body_id(s, "RvB").await, body_id(s, "MSB").await],
    };
    let mut tx = s.begin().await.unwrap();
    let id = meetings::create(&mut tx, &admin(), &input, None)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    id
}

async fn item(s: &Store, meeting: MeetingId, title: &str, deciding: Vec<i64>) -> i64 {
    let input = ItemDraft {
        parent_id: None,
        title: title.into(),
        description: String::new(),
        presenter: String::new(),
        planned_minutes: 10,
        purpose: domain::meetings::kinds::Purpose::Besluitvorming,
        subject: domain::meetings::kinds::Subject::Algemeen,
        visibility_body_id: None,
        links: Vec::new(),
        deciding_bodies: deciding,
        standing: None,
    };
    let mut tx = s.begin().await.unwrap();
    let id = agenda::add(&mut tx, &admin(), meeting, 1, &input, None, None)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    id.into()
}

async fn set_status(s: &Store, id: MeetingId, from: &str, to: &str) -> Result<(), StoreError> {
    let mut tx = s.begin().await.unwrap();
    let r = meetings::set_status(
        &mut tx,
        &admin(),
        id,
        from.try_into().unwrap(),
        to.try_into().unwrap(),
    )
    .await;
    gg_store::commit(tx).await.unwrap();
    r
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn status_changes_are_compare_and_set(pool: PgPool) {
    let s = store(pool);
    let id = meeting(&s, "Overleg", 7).await;
    set_status(&s, id, "concept", "gepubliceerd").await.unwrap();
    // A second secretary acting on the old status changes nothing.
    assert!(matches!(
        set_status(&s, id, "concept", "gepubliceerd").await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        meetings::get(s.pool(), id).await.unwrap().status.code(),
        "gepubliceerd"
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn one_decision_per_body_per_item_and_corrections_are_audited(pool: PgPool) {
    let s = store(pool.clone());
    let (rvb, msb) = (body_id(&s, "RvB").await, body_id(&s, "MSB").await);
    let m = meeting(&s, "Overleg", 7).await;
    let i = item(&s, m, "Besluit", vec![rvb, msb]).await;
    let decide = |body: i64, outcome: &'static str| DecisionInput {
        item_id: i.into(),
        body_id: body,
        outcome: outcome.try_into().unwrap(),
        text: "Tekst".into(),
        votes_for: None,
        votes_against: None,
        votes_abstain: None,
        vote_summary: String::new(),
        named: Vec::new(),
    };
    let mut tx = s.begin().await.unwrap();
    let first = decisions::record(&mut tx, &admin(), &decide(rvb, "aangenomen"), 0)
        .await
        .unwrap();
    // A second "new" decision for the same body is a stale save, not a silent replacement.
    assert!(matches!(
        decisions::record(&mut tx, &admin(), &decide(rvb, "aangehouden"), 0).await,
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        decisions::record(&mut tx, &admin(), &decide(rvb, "aangehouden"), 7).await,
        Err(StoreError::Conflict)
    ));
    let again = decisions::record(&mut tx, &admin(), &decide(rvb, "verworpen"), 1)
        .await
        .unwrap();
    decisions::record(&mut tx, &admin(), &decide(msb, "aangenomen"), 0)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(
        first, again,
        "a correction based on the stored version replaces it"
    );
    let all = decisions::for_meeting(&s, m).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        all.iter()
            .find(|d| d.body_id == rvb)
            .unwrap()
            .outcome
            .code(),
        "verworpen"
    );
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE object_type = 'decision' ORDER BY seq",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(actions, ["create", "update", "create"]);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn the_next_joint_meeting_and_minutes_awaiting_adoption(pool: PgPool) {
    let s = store(pool);
    let past = meeting(&s, "Vorige", -7).await;
    let next = meeting(&s, "Volgende", 14).await;
    let later = meeting(&s, "Later", 28).await;
    let from = meetings::get(s.pool(), past).await.unwrap().starts_at;
    let mut conn = s.pool().acquire().await.unwrap();
    let later_ids = |v: Vec<meetings::Meeting>| v.into_iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(
        later_ids(meetings::later_joint(&mut conn, from).await.unwrap()),
        [next, later],
        "later joint meetings, soonest first"
    );
    drop(conn);
    set_status(&s, next, "concept", "gepubliceerd")
        .await
        .unwrap();
    set_status(&s, next, "gepubliceerd", "in_vergadering")
        .await
        .unwrap();
    set_status(&s, next, "in_vergadering", "gesloten")
        .await
        .unwrap();

    let rvb = body_id(&s, "RvB").await;
    let before = meetings::get(s.pool(), later).await.unwrap().starts_at;
    let waiting = minutes::awaiting_adoption(&s, &[rvb], before)
        .await
        .unwrap();
    assert_eq!(waiting.iter().map(|m| m.id).collect::<Vec<_>>(), [next]);
    let mut tx = s.begin().await.unwrap();
    meetings::adopt_minutes(&mut tx, &admin(), next, later)
        .await
        .unwrap();
    assert!(matches!(
        meetings::adopt_minutes(&mut tx, &admin(), next, later).await,
        Err(StoreError::Conflict)
    ));
    gg_store::commit(tx).await.unwrap();
    assert!(
        minutes::awaiting_adoption(&s, &[rvb], before)
            .await
            .unwrap()
            .is_empty()
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn unfinished_items_are_offered_once(pool: PgPool) {
    let s = store(pool);
    let old = meeting(&s, "Oud", -14).await;
    let open = item(&s, old, "Nog open", vec![]).await;
    let done = item(&s, old, "Klaar", vec![]).await;
    let mut tx = s.begin().await.unwrap();
    agenda::set_minutes(&mut tx, &admin(), done.into(), 1, "Afgehandeld", true)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    for (from, to) in [
        ("concept", "gepubliceerd"),
        ("gepubliceerd", "in_vergadering"),
        ("in_vergadering", "gesloten"),
    ] {
        set_status(&s, old, from, to).await.unwrap();
    }
    let new = meeting(&s, "Nieuw", 7).await;
    let target = meetings::get(s.pool(), new).await.unwrap();
    let offered = minutes::unfinished_before(&s, &target).await.unwrap();
    assert_eq!(
        offered.iter().map(|u| u.item.id.get()).collect::<Vec<_>>(),
        [open]
    );
    let mut tx = s.begin().await.unwrap();
    let copy = minutes::carry_over(&mut tx, &admin(), new, 1, &offered[0].item)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(
        agenda::get(s.pool(), copy).await.unwrap().carried_from_id,
        Some(open.into())
    );
    assert!(
        minutes::unfinished_before(&s, &target)
            .await
            .unwrap()
            .is_empty()
    );
}
