//! Adoption of a budget (D9, migration 0015) against a real database: adopted on the last
//! *aangenomen* and not before, closed on verworpen or verdeeld, the snapshot's rows immutable,
//! the adopted scenario locked, and two bodies deciding at once adopt it exactly once.

mod common;

use common::{admin, body_id, decide, meeting, propose, scenario, store, vakgroep};
use gg_store::budget::{self, LastYearSource, adoption};
use gg_store::domain::budget::Band;
use gg_store::domain::budget::adoption::{ProposalStatus, verify};
use gg_store::domain::budget::master::YearSettingsDraft;
use gg_store::{Invalid, PgPool, Store, StoreError};
use sqlx::types::Decimal;
use time::OffsetDateTime;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

async fn year(s: &Store, pool: &PgPool, year: i16) {
    let car = vakgroep(pool, &format!("C{year}")).await;
    let mut tx = s.begin().await.unwrap();
    let input = YearSettingsDraft {
        fee_budget: Some(dec("1000000.00")),
        fixed_share: dec("1"),
        band_min: None,
        band_max: None,
        signal_threshold: domain::budget::monitoring::DEFAULT_THRESHOLD,
        note: String::new(),
    };
    budget::save_year(&mut tx, &admin(), year, None, &input)
        .await
        .unwrap();
    budget::set_normuren(&mut tx, &admin(), year, car, None, dec("1450"))
        .await
        .unwrap();
    budget::set_formatief(&mut tx, &admin(), year, car, None, dec("10.5"), dec("1.25"))
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn adopted_on_the_last_aangenomen_then_locked_and_immutable(pool: PgPool) {
    let s = store(pool.clone());
    let (rvb, msb) = (body_id(&s, "RvB").await, body_id(&s, "MSB").await);
    year(&s, &pool, 2027).await;
    let id = scenario(&s, 2027, "Basis").await;
    let m = meeting(&s).await;
    let candidates = adoption::candidate_meetings(&s, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(candidates.iter().map(|c| c.id).collect::<Vec<_>>(), [m]);

    let item = propose(&s, id, m).await.unwrap();
    let on_agenda = gg_store::agenda::get(s.pool(), item).await.unwrap();
    assert_eq!(on_agenda.deciding_bodies, [rvb, msb]);
    assert_eq!(on_agenda.scenario_links, [id.get()]);
    assert!(matches!(
        propose(&s, id, m).await,
        Err(StoreError::Invalid(Invalid::AlreadyProposed))
    ));

    decide(&s, item, rvb, "aangenomen").await;
    let state = adoption::for_scenario(&s, id).await.unwrap();
    assert!(state.adoption.is_none(), "one body is not enough");
    assert_eq!(state.open_proposal().unwrap().item_id, item);

    decide(&s, item, msb, "aangenomen").await;
    let state = adoption::for_scenario(&s, id).await.unwrap();
    let a = state.adoption.expect("adopted on the last aangenomen");
    assert_eq!(a.content_hash.len(), 64);
    assert_eq!(a.meeting_id, m);
    assert_eq!(a.decisions.len(), 2);
    assert_eq!(state.proposals[0].status, ProposalStatus::Vastgesteld);

    let stored = adoption::stored(&s, a.id).await.unwrap();
    let snapshot = verify(&stored.snapshot, &stored.content_hash).unwrap();
    assert_eq!(snapshot.allocations(), stored.allocations);
    assert_eq!(stored.allocations.len(), 1);
    assert_eq!(stored.allocations[0].1, dec("1000000.00"));

    // Locked: the scenario, its bands and its trend inputs refuse every change.
    let rename = sqlx::query("UPDATE budget_scenario SET name = 'Anders' WHERE id = $1")
        .bind(id.get())
        .execute(&pool)
        .await
        .map_err(StoreError::from);
    assert!(matches!(rename, Err(StoreError::Invalid(Invalid::Adopted))));
    let car: i64 = sqlx::query_scalar("SELECT vakgroep_id FROM budget_adoption_allocation")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut tx = s.begin().await.unwrap();
    let band = Band {
        floor: dec("0.9"),
        cap: dec("1.1"),
    };
    let r = budget::set_band_override(&mut tx, &admin(), id, car.into(), None, band).await;
    assert!(
        matches!(r, Err(StoreError::Invalid(Invalid::Adopted))),
        "{r:?}"
    );
    drop(tx);
    assert!(matches!(
        propose(&s, id, m).await,
        Err(StoreError::Invalid(Invalid::Adopted))
    ));

    // The snapshot's rows cannot be changed or removed.
    for sql in [
        "UPDATE budget_adoption SET content_hash = repeat('0', 64)",
        "DELETE FROM budget_adoption",
        "UPDATE budget_adoption_allocation SET allocation = 1",
        "DELETE FROM budget_adoption_decision",
        "TRUNCATE budget_adoption_allocation",
    ] {
        let e = sqlx::query(sql).execute(&pool).await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }

    // Read from its snapshot: a later change of the year's fee budget and of the vakgroep's
    // normuren leaves the adopted budget as the boards adopted it.
    let revision = budget::revision(&s).await.unwrap();
    let mut tx = s.begin().await.unwrap();
    let settings = YearSettingsDraft {
        fee_budget: Some(dec("2000000.00")),
        fixed_share: dec("1"),
        band_min: None,
        band_max: None,
        signal_threshold: domain::budget::monitoring::DEFAULT_THRESHOLD,
        note: String::new(),
    };
    budget::save_year(&mut tx, &admin(), 2027, Some(1), &settings)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert!(budget::revision(&s).await.unwrap() > revision);
    let mut conn = pool.acquire().await.unwrap();
    let d = budget::computation::distributed_on(&mut conn, id)
        .await
        .unwrap();
    drop(conn);
    let frozen = d.loaded.frozen.as_ref().expect("read from the snapshot");
    assert_eq!(frozen.adoption_id, a.id);
    assert_eq!(
        d.loaded.stored.settings.as_ref().unwrap().fee_budget,
        Some(dec("1000000.00"))
    );
    let distributed = d.outcome.unwrap();
    assert_eq!(distributed.vakgroepen[0].allocation, dec("1000000.00"));
    assert_eq!(
        budget::computation::loaded(&s, id).await.unwrap().input,
        snapshot.inputs.engine
    );

    // Next year's last-year allocation is this adopted budget.
    year(&s, &pool, 2028).await;
    let next = scenario(&s, 2028, "Basis").await;
    let mut conn = pool.acquire().await.unwrap();
    assert!(matches!(
        budget::last_year_source(&mut conn, next).await.unwrap(),
        LastYearSource::Adopted { adoption_id, .. } if adoption_id == a.id
    ));

    // A change goes through a begrotingswijziging.
    let mut tx = s.begin().await.unwrap();
    let amendment = adoption::create_amendment(&mut tx, &admin(), id)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let state = adoption::for_scenario(&s, amendment).await.unwrap();
    assert_eq!(state.amends.unwrap().id, a.id);
    assert!(state.adoption.is_none());
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn verworpen_or_verdeeld_leaves_the_scenario_as_it_was(pool: PgPool) {
    let s = store(pool.clone());
    let (rvb, msb) = (body_id(&s, "RvB").await, body_id(&s, "MSB").await);
    year(&s, &pool, 2027).await;
    let m = meeting(&s).await;
    for (name, rvb_says, msb_says, status) in [
        (
            "Verdeeld",
            "aangenomen",
            "verworpen",
            ProposalStatus::Verdeeld,
        ),
        (
            "Verworpen",
            "verworpen",
            "verworpen",
            ProposalStatus::Verworpen,
        ),
    ] {
        let id = scenario(&s, 2027, name).await;
        let item = propose(&s, id, m).await.unwrap();
        decide(&s, item, rvb, rvb_says).await;
        decide(&s, item, msb, msb_says).await;
        let state = adoption::for_scenario(&s, id).await.unwrap();
        assert!(state.adoption.is_none(), "{name}");
        assert_eq!(state.proposals[0].status, status);
        // Not locked, and it can be proposed again.
        sqlx::query("UPDATE budget_scenario SET description = 'Herzien' WHERE id = $1")
            .bind(id.get())
            .execute(&pool)
            .await
            .unwrap();
        propose(&s, id, m).await.unwrap();
    }
    let adopted: i64 = sqlx::query_scalar("SELECT count(*) FROM budget_adoption")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(adopted, 0);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn two_bodies_deciding_at_once_adopt_exactly_once(pool: PgPool) {
    let s = store(pool.clone());
    let (rvb, msb) = (body_id(&s, "RvB").await, body_id(&s, "MSB").await);
    year(&s, &pool, 2027).await;
    let id = scenario(&s, 2027, "Basis").await;
    let m = meeting(&s).await;
    let item = propose(&s, id, m).await.unwrap();
    let (a, b) = (s.clone(), s.clone());
    tokio::join!(
        async move { decide(&a, item, rvb, "aangenomen").await },
        async move { decide(&b, item, msb, "aangenomen").await },
    );
    let adopted: i64 = sqlx::query_scalar("SELECT count(*) FROM budget_adoption")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(adopted, 1);
    assert!(
        adoption::for_scenario(&s, id)
            .await
            .unwrap()
            .adoption
            .is_some()
    );
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_snapshot_changed_by_hand_fails_verification(pool: PgPool) {
    let s = store(pool.clone());
    let (rvb, msb) = (body_id(&s, "RvB").await, body_id(&s, "MSB").await);
    year(&s, &pool, 2027).await;
    let id = scenario(&s, 2027, "Basis").await;
    let item = propose(&s, id, meeting(&s).await).await.unwrap();
    decide(&s, item, rvb, "aangenomen").await;
    decide(&s, item, msb, "aangenomen").await;
    let a = adoption::for_scenario(&s, id)
        .await
        .unwrap()
        .adoption
        .unwrap();
    // As a superuser could: the trigger off, a figure changed, the trigger on again.
    sqlx::query("ALTER TABLE budget_adoption DISABLE TRIGGER budget_adoption_immutable")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE budget_adoption SET snapshot = replace(snapshot, 'Basis', 'Basix')")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE budget_adoption ENABLE TRIGGER budget_adoption_immutable")
        .execute(&pool)
        .await
        .unwrap();
    let stored = adoption::stored(&s, a.id).await.unwrap();
    assert!(verify(&stored.snapshot, &stored.content_hash).is_err());
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn the_snapshot_keeps_each_product_once_and_reads_back_as_it_was_read(pool: PgPool) {
    let s = store(pool.clone());
    let (rvb, msb) = (body_id(&s, "RvB").await, body_id(&s, "MSB").await);
    year(&s, &pool, 2027).await;
    let car: i64 = sqlx::query_scalar("SELECT id FROM vakgroep WHERE code = 'C2027'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let timed = common::product(&s, car.into(), "MET-NORMTIJD").await;
    common::product(&s, car.into(), "ZONDER-NORMTIJD").await;
    // A product of a vakgroep outside the budget: read with the master data, not by the engine.
    let old = vakgroep(&pool, "OUD").await;
    common::product(&s, old, "ELDERS").await;
    sqlx::query("UPDATE vakgroep SET active = false WHERE id = $1")
        .bind(old.get())
        .execute(&pool)
        .await
        .unwrap();
    let mut tx = s.begin().await.unwrap();
    budget::set_norm_time(&mut tx, &admin(), 2027, timed, None, dec("12.5"))
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let id = scenario(&s, 2027, "Basis").await;
    let read = budget::engine_input(&s, id).await.unwrap();
    assert_eq!(read.products.len(), 3);

    let item = propose(&s, id, meeting(&s).await).await.unwrap();
    decide(&s, item, rvb, "aangenomen").await;
    decide(&s, item, msb, "aangenomen").await;
    let a = adoption::for_scenario(&s, id)
        .await
        .unwrap()
        .adoption
        .unwrap();
    let stored = adoption::stored(&s, a.id).await.unwrap();
    let snapshot = verify(&stored.snapshot, &stored.content_hash).unwrap();
    assert_eq!(snapshot.format, "gelijkgericht/adoption/2");
    // A code the engine reads stands once (in its input); one it does not, once (master data).
    for code in ["MET-NORMTIJD", "ZONDER-NORMTIJD", "ELDERS"] {
        assert_eq!(
            stored.snapshot.matches(&format!("\"{code}\"")).count(),
            1,
            "{code}"
        );
    }

    let loaded = budget::computation::loaded(&s, id).await.unwrap();
    assert!(loaded.frozen.is_some(), "read from the snapshot");
    let mut again = loaded.stored.clone();
    again.revision = read.revision;
    assert_eq!(
        again, read,
        "master data and engine input give back what was read"
    );
    let missing: Vec<_> = loaded.warnings.iter().map(|w| w.1.clone()).collect();
    assert_eq!(
        missing.len(),
        0,
        "no volume, so no gap to name: {missing:?}"
    );
    let without = again.products.iter().find(|p| p.code == "ZONDER-NORMTIJD");
    assert_eq!(without.unwrap().norm_minutes, None, "missing, not zero");

    // The first layout kept the whole engine input as master data: still readable.
    let first = serde_json::to_value(&read).unwrap();
    let engine = &snapshot.inputs.engine;
    assert_eq!(
        adoption::engine_input_of("gelijkgericht/adoption/1", &first.to_string(), engine).unwrap(),
        read
    );
    let unknown = adoption::engine_input_of("gelijkgericht/adoption/9", &first.to_string(), engine);
    assert!(unknown.unwrap_err().contains("adoption/9"));
}
