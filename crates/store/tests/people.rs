mod common;

use common::{admin, body_id, create, member, person, store};
use gg_store::StoreError;
use gg_store::domain::ids::PersonId;
use gg_store::domain::people::{EmploymentForm, PersonName, Role};
use gg_store::{PgPool, accounts, people};

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn the_default_bodies_exist(pool: PgPool) {
    let s = store(pool);
    let codes: Vec<String> = gg_store::bodies::list(s.pool())
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.code.to_string())
        .collect();
    assert_eq!(codes, ["RvB", "MSB", "VMSD", "VMS"]);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_person_is_created_with_roles_bodies_and_vakgroepen(pool: PgPool) {
    let s = store(pool);
    let msb = body_id(&s, "MSB").await;
    let vms = body_id(&s, "VMS").await;
    let mut tx = s.begin().await.unwrap();
    let car = gg_store::vakgroepen::create(
        &mut tx,
        &admin(),
        &gg_store::domain::people::VakgroepDraft {
            code: gg_store::domain::people::VakgroepCode::parse("CAR").unwrap(),
            name: "Cardiologie".into(),
            kind: gg_store::domain::people::VakgroepKind::Poort,
            active: true,
        },
    )
    .await
    .unwrap();
    gg_store::commit(tx).await.unwrap();

    let mut input = person(
        "H.Koster@Rijnoever.example",
        &[Role::Bestuurder, Role::Vakgroep],
    );
    input.memberships = vec![
        member(msb, Some(EmploymentForm::Vrijgevestigd)),
        member(vms, Some(EmploymentForm::Vrijgevestigd)),
    ];
    input.vakgroepen.insert(car);
    let id = PersonId::new(create(&s, &input).await);

    let detail = people::get(&s, id).await.unwrap();
    assert_eq!(detail.email, "h.koster@rijnoever.example");
    assert_eq!(detail.roles, [Role::Bestuurder, Role::Vakgroep]);
    assert_eq!(detail.memberships.len(), 2);
    assert_eq!(
        detail.memberships[0].employment_form,
        Some(EmploymentForm::Vrijgevestigd)
    );
    assert!(!detail.has_password);

    let signed_in = people::signed_in(&s, id).await.unwrap();
    assert_eq!(signed_in.body_codes, ["MSB", "VMS"]);
    assert!(signed_in.actor.bodies.contains(&msb));
    assert!(signed_in.actor.vakgroepen.contains(&car));
    assert!(signed_in.actor.has_role(Role::Vakgroep));

    let (entries, _) = gg_store::audit::list(&s, &Default::default(), 10, 0)
        .await
        .unwrap();
    let created = entries
        .iter()
        .find(|e| e.object_type == "person" && e.action == "create")
        .expect("audit entry");
    assert!(
        created
            .after
            .as_deref()
            .unwrap()
            .contains("h.koster@rijnoever.example")
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_stale_edit_is_a_conflict_and_changes_nothing(pool: PgPool) {
    let s = store(pool);
    let id = PersonId::new(create(&s, &person("a@rijnoever.example", &[Role::Bestuurder])).await);
    let v = people::get(&s, id).await.unwrap().version;

    let mut first = person("a@rijnoever.example", &[Role::Secretaris]);
    first.name = PersonName::parse("Eerste Versie").unwrap();
    let mut tx = s.begin().await.unwrap();
    people::update(&mut tx, &admin(), id, v, &first)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();

    let mut second = person("a@rijnoever.example", &[Role::Controller]);
    second.name = PersonName::parse("Tweede Versie").unwrap();
    let mut tx = s.begin().await.unwrap();
    assert!(matches!(
        people::update(&mut tx, &admin(), id, v, &second).await,
        Err(StoreError::Conflict)
    ));
    drop(tx);

    let now = people::get(&s, id).await.unwrap();
    assert_eq!(now.name, "Eerste Versie");
    assert_eq!(now.roles, [Role::Secretaris]);
    assert_eq!(now.version, v + 1);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn an_email_address_belongs_to_one_person(pool: PgPool) {
    let s = store(pool);
    create(&s, &person("dubbel@rijnoever.example", &[])).await;
    let mut tx = s.begin().await.unwrap();
    let err = people::create(
        &mut tx,
        &admin(),
        &person("DUBBEL@rijnoever.example", &[]),
        false,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err:?}");
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn disabling_or_a_new_password_ends_every_session(pool: PgPool) {
    let s = store(pool);
    let id = PersonId::new(create(&s, &person("b@rijnoever.example", &[Role::Bestuurder])).await);
    let open = |hash: &'static [u8]| {
        let s = s.clone();
        async move {
            let mut tx = s.begin().await.unwrap();
            accounts::create_session(&mut tx, hash, id, "127.0.0.1")
                .await
                .unwrap();
            gg_store::commit(tx).await.unwrap();
        }
    };
    open(b"sessie-1").await;
    open(b"sessie-2").await;
    assert!(
        accounts::find_session(&s, b"sessie-1")
            .await
            .unwrap()
            .is_some()
    );

    let mut tx = s.begin().await.unwrap();
    people::set_password_hash(&mut tx, &admin(), id, "$argon2id$nep")
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert!(
        accounts::find_session(&s, b"sessie-1")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        accounts::find_session(&s, b"sessie-2")
            .await
            .unwrap()
            .is_none()
    );

    open(b"sessie-3").await;
    let mut tx = s.begin().await.unwrap();
    people::set_disabled(&mut tx, &admin(), id, true)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert!(
        accounts::find_session(&s, b"sessie-3")
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        people::signed_in(&s, id).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        people::by_session(&s, b"sessie-3").await.unwrap().is_none(),
        "a disabled person's session finds nobody"
    );
    assert!(
        people::credentials(&s, "b@rijnoever.example")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
}
