//! Helpers shared by the store tests; each test gets a fresh, migrated database from sqlx::test.

#![allow(dead_code)]

use gg_store::audit::Who;
use gg_store::budget::CareProductInput;
use gg_store::domain::ids::{CareProductId, VakgroepId};
use gg_store::domain::people::{Email, EmploymentForm, PersonName, Role};
use gg_store::domain::people::{MembershipDraft, PersonDraft};
use gg_store::{PgPool, Store};
use std::collections::BTreeSet;

pub fn admin() -> Who {
    Who {
        id: None,
        label: "test".into(),
    }
}

pub fn person(email: &str, roles: &[Role]) -> PersonDraft {
    PersonDraft {
        email: Email::parse(email).unwrap(),
        name: PersonName::parse("Test Persoon").unwrap(),
        roles: roles.iter().copied().collect(),
        memberships: Vec::new(),
        vakgroepen: BTreeSet::new(),
    }
}

pub async fn body_id(store: &Store, code: &str) -> i64 {
    gg_store::bodies::list(store.pool())
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.code == code)
        .unwrap()
        .id
}

pub fn member(body_id: i64, form: Option<EmploymentForm>) -> MembershipDraft {
    MembershipDraft {
        body_id,
        position: domain::people::Position::Lid,
        employment_form: form,
    }
}

pub async fn create(store: &Store, input: &PersonDraft) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let id = gg_store::people::create(&mut tx, &admin(), input, false)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    id.into()
}

pub fn store(pool: PgPool) -> Store {
    Store::from_pool(pool)
}

/// A vakgroep of the capacity budget.
pub async fn vakgroep(pool: &PgPool, code: &str) -> VakgroepId {
    sqlx::query_scalar::<_, i64>(
        "INSERT INTO vakgroep (code, name, kind) VALUES ($1, $2, 'poortspecialisme') RETURNING id",
    )
    .bind(code)
    .bind(format!("Vakgroep {code}"))
    .fetch_one(pool)
    .await
    .map(VakgroepId::new)
    .unwrap()
}

pub async fn product(s: &Store, vakgroep_id: VakgroepId, code: &str) -> CareProductId {
    let mut tx = s.begin().await.unwrap();
    let id = gg_store::budget::create_care_product(
        &mut tx,
        &admin(),
        &CareProductInput {
            vakgroep_id,
            code: code.into(),
            description: format!("Product {code}"),
            active: true,
        },
    )
    .await
    .unwrap();
    gg_store::commit(tx).await.unwrap();
    id
}

pub async fn audit_count(pool: &PgPool, object_type: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE object_type = $1")
        .bind(object_type)
        .fetch_one(pool)
        .await
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Adoption of a budget (D9)

use gg_store::StoreError;
use gg_store::domain::budget::{Grondslag, PzVariant, ScenarioDraft, Weights};
use gg_store::domain::ids::{ItemId, MeetingId, ScenarioId};
use gg_store::domain::meetings::meeting_draft::MeetingDraft;
use sqlx::types::Decimal;
use time::{Duration, OffsetDateTime};

pub async fn scenario(s: &Store, year: i16, name: &str) -> ScenarioId {
    let input = ScenarioDraft {
        year,
        name: name.into(),
        description: String::new(),
        reference_year: year - 2,
        variant: PzVariant::Informatief,
        weights: Weights::REGULAR,
        earmarked_amount: Decimal::ZERO,
        grondslag: Grondslag::FormatiefFte,
        trend_input_ids: vec![],
        overrides: vec![],
        previous: None,
    };
    let mut tx = s.begin().await.unwrap();
    let id = gg_store::budget::create_scenario(&mut tx, &admin(), &input)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    id
}

pub async fn meeting(s: &Store) -> MeetingId {
    let start = OffsetDateTime::now_utc() + Duration::days(7);
    let input = MeetingDraft {
        title: "Gezamenlijk overleg".into(),
        kind: gg_store::domain::meetings::kinds::MeetingKind::Gezamenlijk,
        starts_at: start,
        ends_at: start + Duration::hours(2),
        location: String::new(),
        video_url: String::new(),
        bodies: vec![body_id(s, "RvB").await, body_id(s, "MSB").await],
    };
    let mut tx = s.begin().await.unwrap();
    let id = gg_store::meetings::create(&mut tx, &admin(), &input, None)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    id
}

pub async fn propose(s: &Store, id: ScenarioId, m: MeetingId) -> Result<ItemId, StoreError> {
    let mut tx = s.begin().await.unwrap();
    let item =
        gg_store::budget::adoption::propose(&mut tx, &admin(), id, m, OffsetDateTime::now_utc())
            .await?;
    gg_store::commit(tx).await.unwrap();
    Ok(item)
}

pub async fn decide(s: &Store, item: ItemId, body: i64, outcome: &str) {
    let input = gg_store::decisions::DecisionInput {
        item_id: item,
        body_id: body,
        outcome: outcome.try_into().unwrap(),
        text: "De begroting wordt vastgesteld.".into(),
        votes_for: None,
        votes_against: None,
        votes_abstain: None,
        vote_summary: String::new(),
        named: Vec::new(),
    };
    let mut tx = s.begin().await.unwrap();
    gg_store::decisions::record(&mut tx, &admin(), &input, 0)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
}

/// Scenario `id` proposed on a new joint meeting and adopted by both boards.
pub async fn adopt(s: &Store, id: ScenarioId) -> gg_store::budget::adoption::Adoption {
    let item = propose(s, id, meeting(s).await).await.unwrap();
    decide(s, item, body_id(s, "RvB").await, "aangenomen").await;
    decide(s, item, body_id(s, "MSB").await, "aangenomen").await;
    gg_store::budget::adoption::for_scenario(s, id)
        .await
        .unwrap()
        .adoption
        .expect("adopted")
}
