//! The second factor's rows: sealed at rest, single-use steps and recovery codes even for two
//! requests at once, half signed-in sessions invisible to `find_session`, and the reset.

mod common;

use common::{admin, create, person, store};
use gg_store::domain::account::twofactor::{
    SecretKey, SignInStep, TotpSecret, generate_recovery_codes, open, seal,
};
use gg_store::domain::ids::PersonId;
use gg_store::domain::people::Role;
use gg_store::{PgPool, Store, accounts, twofactor};

fn key(seed: u8) -> SecretKey {
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = seed.wrapping_mul(31).wrapping_add(i as u8 * 7);
    }
    SecretKey::from_bytes(bytes)
}

/// Enrols `person` with a fixed secret and codes; returns the secret and the code hashes' texts.
async fn enrolled(s: &Store, person: PersonId) -> (Vec<u8>, Vec<String>) {
    let secret = TotpSecret::from_random([42; 20]);
    let sealed = seal(&key(1), &[9; 24], secret.as_bytes());
    twofactor::begin_enrolment(s, person, &sealed)
        .await
        .unwrap();
    let random: [u8; 160] = std::array::from_fn(|i| (i * 37 % 251) as u8);
    let codes = generate_recovery_codes(&random);
    let hashes: Vec<_> = codes.iter().map(|c| c.hash()).collect();
    let mut tx = s.begin().await.unwrap();
    assert!(
        twofactor::activate(&mut tx, &admin(), person, &sealed, 1000, &hashes, false)
            .await
            .unwrap()
    );
    gg_store::commit(tx).await.unwrap();
    (
        sealed,
        codes.iter().map(|c| c.as_str().to_string()).collect(),
    )
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn the_secret_is_stored_sealed_and_opens_only_with_the_key(pool: PgPool) {
    let s = store(pool.clone());
    let id = PersonId::new(create(&s, &person("a@rijnoever.example", &[])).await);
    enrolled(&s, id).await;
    let stored: Vec<u8> = sqlx::query_scalar("SELECT secret_sealed FROM two_factor")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        !stored.windows(20).any(|w| w == [42; 20]),
        "the raw secret is not in the row"
    );
    assert_eq!(open(&key(1), &stored).unwrap(), vec![42; 20]);
    assert!(open(&key(2), &stored).is_err());
    let status = twofactor::status(&s, id).await.unwrap();
    assert!(status.enabled());
    assert_eq!(status.recovery_left, 10);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_step_and_a_recovery_code_are_used_once_even_at_the_same_moment(pool: PgPool) {
    let s = store(pool);
    let id = PersonId::new(create(&s, &person("b@rijnoever.example", &[])).await);
    let (_, codes) = enrolled(&s, id).await;

    async fn take_step(s: Store, id: PersonId, step: u64) -> bool {
        let mut tx = s.begin().await.unwrap();
        let won = twofactor::use_step(&mut tx, id, step).await.unwrap();
        gg_store::commit(tx).await.unwrap();
        won
    }
    let (a, b) = tokio::join!(
        take_step(s.clone(), id, 1001),
        take_step(s.clone(), id, 1001)
    );
    assert!(a ^ b, "exactly one of two requests with the same code wins");
    assert!(
        !take_step(s.clone(), id, 1000).await,
        "an older code after a newer one"
    );
    assert!(take_step(s.clone(), id, 1002).await);

    let hash = domain::account::twofactor::hash_typed_code(&codes[0]).unwrap();
    async fn take_code(s: Store, id: PersonId, hash: [u8; 32]) -> Option<i64> {
        let mut tx = s.begin().await.unwrap();
        let left = twofactor::use_recovery_code(&mut tx, id, &hash)
            .await
            .unwrap();
        gg_store::commit(tx).await.unwrap();
        left
    }
    let (a, b) = tokio::join!(
        take_code(s.clone(), id, hash),
        take_code(s.clone(), id, hash)
    );
    assert_eq!(
        [a, b].iter().flatten().collect::<Vec<_>>(),
        vec![&9],
        "one use, nine left"
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_half_signed_in_session_is_no_session_for_find_session(pool: PgPool) {
    let s = store(pool);
    let id = PersonId::new(create(&s, &person("c@rijnoever.example", &[])).await);
    let mut tx = s.begin().await.unwrap();
    accounts::create_pending_session(&mut tx, b"half", id, "127.0.0.1", SignInStep::Code)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert!(accounts::find_session(&s, b"half").await.unwrap().is_none());
    let any = accounts::find_any_session(&s, b"half")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(any.pending_step, Some(SignInStep::Code));
    // The request's one query finds the same session, with its person.
    let (one, person) = gg_store::people::by_session(&s, b"half")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(one.pending_step, Some(SignInStep::Code));
    assert_eq!(one.session.person_id, id);
    assert_eq!(person.actor.person_id, id);
    assert_eq!(person.email, "c@rijnoever.example");
    assert!(
        gg_store::people::by_session(&s, b"other")
            .await
            .unwrap()
            .is_none()
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn enrolment_confirms_only_the_latest_pending_secret(pool: PgPool) {
    let s = store(pool);
    let id = PersonId::new(create(&s, &person("d@rijnoever.example", &[])).await);
    let first = seal(&key(1), &[1; 24], &[1; 20]);
    let second = seal(&key(1), &[2; 24], &[2; 20]);
    twofactor::begin_enrolment(&s, id, &first).await.unwrap();
    twofactor::begin_enrolment(&s, id, &second).await.unwrap();
    let mut tx = s.begin().await.unwrap();
    assert!(
        !twofactor::activate(&mut tx, &admin(), id, &first, 5, &[], true)
            .await
            .unwrap(),
        "the QR code of another tab no longer counts"
    );
    gg_store::commit(tx).await.unwrap();
    assert!(!twofactor::status(&s, id).await.unwrap().enabled());
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_reset_removes_everything_and_ends_the_sessions(pool: PgPool) {
    let s = store(pool.clone());
    let id = PersonId::new(create(&s, &person("e@rijnoever.example", &[])).await);
    enrolled(&s, id).await;
    let mut tx = s.begin().await.unwrap();
    accounts::create_session(&mut tx, b"full", id, "127.0.0.1")
        .await
        .unwrap();
    assert!(twofactor::reset(&mut tx, &admin(), id).await.unwrap());
    gg_store::commit(tx).await.unwrap();
    let status = twofactor::status(&s, id).await.unwrap();
    assert!(!status.enabled());
    assert_eq!(status.recovery_left, 0);
    assert!(accounts::find_session(&s, b"full").await.unwrap().is_none());
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'two_factor_reset'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn the_required_roles_default_and_change_with_an_audit_entry(pool: PgPool) {
    let s = store(pool.clone());
    assert_eq!(
        twofactor::required(&s).await.unwrap(),
        vec![Role::Controller, Role::Beheerder]
    );
    let mut tx = s.begin().await.unwrap();
    twofactor::set_required(&mut tx, &admin(), &[Role::Bestuurder])
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(
        twofactor::required(&s).await.unwrap(),
        vec![Role::Bestuurder]
    );
    let (before, after): (serde_json::Value, serde_json::Value) = sqlx::query_as(
        "SELECT before, after FROM audit_log WHERE action = 'two_factor_roles_changed'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(before, serde_json::json!(["controller", "beheerder"]));
    assert_eq!(after, serde_json::json!(["bestuurder"]));
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_second_factor_is_replaced_only_when_the_caller_may(pool: PgPool) {
    let s = store(pool);
    let id = PersonId::new(create(&s, &person("f@rijnoever.example", &[])).await);
    enrolled(&s, id).await;
    let newer = seal(&key(1), &[3; 24], &[3; 20]);
    for (may_replace, expected) in [(false, false), (true, true)] {
        twofactor::begin_enrolment(&s, id, &newer).await.unwrap();
        let mut tx = s.begin().await.unwrap();
        let done = twofactor::activate(&mut tx, &admin(), id, &newer, 2000, &[], may_replace)
            .await
            .unwrap();
        gg_store::commit(tx).await.unwrap();
        assert_eq!(done, expected, "may_replace = {may_replace}");
    }
    let (sealed, step) = twofactor::secret(s.pool(), id).await.unwrap().unwrap();
    assert_eq!((sealed, step), (newer, 2000));
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_new_requirement_ends_the_sessions_of_people_without_a_second_factor(pool: PgPool) {
    let s = store(pool);
    let with = PersonId::new(create(&s, &person("g@rijnoever.example", &[Role::Bestuurder])).await);
    let without =
        PersonId::new(create(&s, &person("h@rijnoever.example", &[Role::Bestuurder])).await);
    let other =
        PersonId::new(create(&s, &person("i@rijnoever.example", &[Role::Secretaris])).await);
    enrolled(&s, with).await;
    let mut tx = s.begin().await.unwrap();
    for (hash, p) in [(b"w", with), (b"o", without), (b"x", other)] {
        accounts::create_session(&mut tx, hash, p, "127.0.0.1")
            .await
            .unwrap();
    }
    twofactor::set_required(&mut tx, &admin(), &[Role::Bestuurder])
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert!(accounts::find_session(&s, b"w").await.unwrap().is_some());
    assert!(accounts::find_session(&s, b"o").await.unwrap().is_none());
    assert!(accounts::find_session(&s, b"x").await.unwrap().is_some());
}
