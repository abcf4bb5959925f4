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
