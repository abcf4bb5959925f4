mod common;

use common::{admin, body_id, store};
use gg_store::audit::{self, AuditFilter};
use gg_store::domain::meetings::item_draft::ItemDraft;
use gg_store::domain::meetings::meeting_draft::MeetingDraft;
use gg_store::{PgPool, Store, StoreError};
use sha2::{Digest, Sha256};
use time::macros::datetime;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

fn item(title: &str) -> ItemDraft {
    ItemDraft {
        parent_id: None,
        title: title.into(),
        description: String::new(),
        presenter: String::new(),
        planned_minutes: 10,
        purpose: domain::meetings::kinds::Purpose::Bespreking,
        subject: domain::meetings::kinds::Subject::Algemeen,
        visibility_body_id: None,
        links: Vec::new(),
        deciding_bodies: Vec::new(),
        standing: None,
    }
}

/// A meeting with two items, and a second meeting with one; returns (meeting, items, other item).
async fn meetings(s: &Store) -> (i64, [i64; 2], i64) {
    let bodies = vec![body_id(s, "RvB").await, body_id(s, "MSB").await];
    let mut tx = s.begin().await.unwrap();
    let input = |title: &str| MeetingDraft {
        title: title.into(),
        kind: domain::meetings::kinds::MeetingKind::Gezamenlijk,
        starts_at: datetime!(2027-01-11 15:00 UTC),
        ends_at: datetime!(2027-01-11 17:00 UTC),
        location: String::new(),
        video_url: String::new(),
        bodies: bodies.clone(),
    };
    let m = gg_store::meetings::create(&mut tx, &admin(), &input("Januari"), None)
        .await
        .unwrap();
    let other = gg_store::meetings::create(&mut tx, &admin(), &input("Februari"), None)
        .await
        .unwrap();
    let mut ids = [0; 2];
    for (n, id) in ids.iter_mut().enumerate() {
        *id = gg_store::agenda::add(
            &mut tx,
            &admin(),
            m,
            n as i32 + 1,
            &item("Punt"),
            None,
            None,
        )
        .await
        .unwrap()
        .into();
    }
    let o = gg_store::agenda::add(&mut tx, &admin(), other, 1, &item("Elders"), None, None)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    (m.into(), ids, o.into())
}

async fn add(s: &Store, item: i64, name: &str, data: &[u8]) -> i64 {
    let mut tx = s.begin().await.unwrap();
    let id = gg_store::attachments::add(
        &mut tx,
        &admin(),
        item.into(),
        name,
        "application/pdf",
        data,
    )
    .await
    .unwrap();
    gg_store::commit(tx).await.unwrap();
    id
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn attachments_are_stored_listed_fetched_and_deleted_with_an_audit_trail(pool: PgPool) {
    let s = store(pool);
    let (meeting, [first, second], elsewhere) = meetings(&s).await;
    let a = add(&s, first, "Voorstel.pdf", PDF).await;
    let big = vec![b'x'; 300_000];
    let b = add(&s, second, "Bijlage B.pdf", &big).await;
    add(&s, elsewhere, "Andere vergadering.pdf", PDF).await;

    // One query for the whole meeting, metadata only, by item.
    let listed = gg_store::attachments::for_meeting(&s, meeting.into())
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|x| x.id).collect::<Vec<_>>(),
        vec![a, b],
        "only this meeting's attachments"
    );
    let meta = &listed[0];
    assert_eq!(meta.item_id, first.into());
    assert_eq!(meta.filename, "Voorstel.pdf");
    assert_eq!(meta.content_type, "application/pdf");
    assert_eq!(meta.size_bytes as usize, PDF.len());
    assert_eq!(meta.sha256, hex::encode(Sha256::digest(PDF)));
    assert_eq!(listed[1].size_bytes, 300_000);

    assert_eq!(gg_store::attachments::get(&s, a).await.unwrap(), *meta);
    assert_eq!(gg_store::attachments::data(&s, a).await.unwrap(), PDF);
    assert_eq!(gg_store::attachments::data(&s, b).await.unwrap(), big);

    let mut tx = s.begin().await.unwrap();
    gg_store::attachments::delete(&mut tx, &admin(), a)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert!(matches!(
        gg_store::attachments::get(&s, a).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        gg_store::attachments::data(&s, a).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        gg_store::attachments::for_meeting(&s, meeting.into())
            .await
            .unwrap()
            .len(),
        1
    );

    // Audited: name, size, hash and item, never the bytes.
    let filter = AuditFilter {
        object_type: Some("attachment".into()),
        object_id: Some(a.to_string()),
        ..Default::default()
    };
    let (entries, _) = audit::list(&s, &filter, 10, 0).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["delete", "create"]);
    let created = entries[1].after.as_deref().unwrap();
    for expected in [
        "Voorstel.pdf",
        &meta.sha256,
        &format!("\"item_id\": {first}"),
    ] {
        assert!(created.contains(expected), "{expected} in {created}");
    }
    assert!(!created.contains("%PDF"), "no bytes in the audit trail");
    assert!(
        entries[0]
            .before
            .as_deref()
            .unwrap()
            .contains("Voorstel.pdf")
    );
    assert!(matches!(
        audit::verify(&s).await.unwrap(),
        audit::Verification::Intact { .. }
    ));
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn attachments_go_with_their_item(pool: PgPool) {
    let s = store(pool);
    let (meeting, [first, _], _) = meetings(&s).await;
    let a = add(&s, first, "Voorstel.pdf", PDF).await;
    let mut tx = s.begin().await.unwrap();
    gg_store::agenda::delete(&mut tx, &admin(), first.into())
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert!(matches!(
        gg_store::attachments::get(&s, a).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        gg_store::attachments::for_meeting(&s, meeting.into())
            .await
            .unwrap()
            .is_empty()
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_calendar_token_is_stored_hashed_replaced_and_revoked(pool: PgPool) {
    let s = store(pool);
    let person = common::create(
        &s,
        &common::person(
            "a.jansen@example.org",
            &[gg_store::domain::people::Role::Bestuurder],
        ),
    )
    .await;
    let (old, new) = ([1u8; 32], [2u8; 32]);
    assert_eq!(
        gg_store::calendar::created_at(&s, person.into())
            .await
            .unwrap(),
        None
    );
    for hash in [&old, &new] {
        let mut tx = s.begin().await.unwrap();
        gg_store::calendar::replace(&mut tx, &admin(), person.into(), hash)
            .await
            .unwrap();
        gg_store::commit(tx).await.unwrap();
    }
    assert!(
        gg_store::calendar::created_at(&s, person.into())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        gg_store::calendar::person_for(&s, &old).await.unwrap(),
        None
    );
    assert_eq!(
        gg_store::calendar::person_for(&s, &new).await.unwrap(),
        Some(person.into())
    );
    let mut tx = s.begin().await.unwrap();
    assert!(
        gg_store::calendar::revoke(&mut tx, &admin(), person.into())
            .await
            .unwrap()
    );
    assert!(
        !gg_store::calendar::revoke(&mut tx, &admin(), person.into())
            .await
            .unwrap()
    );
    gg_store::commit(tx).await.unwrap();
    assert_eq!(
        gg_store::calendar::person_for(&s, &new).await.unwrap(),
        None
    );
    let filter = AuditFilter {
        object_type: Some("calendar_token".into()),
        ..Default::default()
    };
    let (entries, _) = audit::list(&s, &filter, 10, 0).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["revoke", "replace", "create"]);
}
