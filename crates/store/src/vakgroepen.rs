//! Vakgroepen (specialty groups) and their representatives.

use crate::audit::Who;
use crate::versioned::{IdRow, id_row, record_created, update_id_row};
use crate::{PgConnection, Store, StoreError};
use domain::people::{VakgroepCode, VakgroepDraft, VakgroepKind};
use serde::Serialize;

macro_rules! vakgroep_select {
    () => {
        "SELECT v.id, v.code, v.name, v.kind, v.active, v.version,
                COALESCE((SELECT array_agg(p.name ORDER BY p.name) FROM vakgroep_representative r
                          JOIN person p ON p.id = r.person_id WHERE r.vakgroep_id = v.id), '{}') AS representatives
         FROM vakgroep v"
    };
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, PartialEq, Eq)]
pub struct Vakgroep {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub code: VakgroepCode,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: VakgroepKind,
    pub active: bool,
    pub version: i32,
    /// Names of the representatives, for the overview.
    pub representatives: Vec<String>,
}

impl IdRow for Vakgroep {
    const ENTITY: &'static str = "vakgroep";
    const ONE: &'static str = concat!(vakgroep_select!(), " WHERE v.id = $1");
    const DELETE: &'static str = "DELETE FROM vakgroep WHERE id = $1 AND version = $2";
}

pub async fn list(store: &Store) -> Result<Vec<Vakgroep>, StoreError> {
    Ok(sqlx::query_as(concat!(
        vakgroep_select!(),
        " ORDER BY v.active DESC, v.name"
    ))
    .fetch_all(store.pool())
    .await?)
}

pub async fn get(store: &Store, id: i64) -> Result<Vakgroep, StoreError> {
    id_row(store.pool(), id).await
}

pub async fn create(
    conn: &mut PgConnection,
    who: &Who,
    input: &VakgroepDraft,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO vakgroep (code, name, kind, active) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(input.code.as_str())
    .bind(&input.name)
    .bind(input.kind.code())
    .bind(input.active)
    .fetch_one(&mut *conn)
    .await?;
    record_created::<Vakgroep>(conn, who, id).await?;
    Ok(id)
}

pub async fn update(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    input: &VakgroepDraft,
) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE vakgroep SET code = $3, name = $4, kind = $5, active = $6, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(input.code.as_str())
    .bind(&input.name)
    .bind(input.kind.code())
    .bind(input.active);
    update_id_row::<Vakgroep>(conn, who, id, update).await
}

/// Codes and ids of all vakgroepen, for imports and demo data.
pub async fn ids_by_code(conn: &mut PgConnection) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT code, id FROM vakgroep ORDER BY code")
            .fetch_all(conn)
            .await?,
    )
}
