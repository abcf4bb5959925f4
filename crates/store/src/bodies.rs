//! Bodies (gremia): RvB, MSB, VMSD, VMS by default, configurable per hospital.

use crate::audit::Who;
use crate::codes::NullableCode;
use crate::versioned::{IdRow, id_row, record_created, update_id_row};
use crate::{Invalid, PgConnection, Store, StoreError};
use domain::meetings::voting::Majority;
use domain::people::{BodyCode, BodyDraft, BodyKind, EmploymentForm, check_seat_employment_form};
use serde::Serialize;
use sqlx::PgExecutor;

macro_rules! body_select {
    () => {
        "SELECT b.id, b.code, b.name, b.kind, b.sort_order, b.version,
            (SELECT count(*) FROM membership m WHERE m.body_id = b.id) AS members, b.quorum_percent, b.majority,
            b.seat_employment_form
         FROM body b"
    };
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, PartialEq, Eq)]
pub struct Body {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub code: BodyCode,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: BodyKind,
    pub sort_order: i32,
    pub version: i32,
    pub members: i64,
    pub quorum_percent: i16,
    #[sqlx(try_from = "String")]
    pub majority: Majority,
    /// The employment form of the body's seats (none: any), as the voting and membership rules
    /// read it.
    #[sqlx(try_from = "NullableCode")]
    pub seat_employment_form: Option<EmploymentForm>,
}

impl IdRow for Body {
    const ENTITY: &'static str = "body";
    const ONE: &'static str = concat!(body_select!(), " WHERE b.id = $1");
    const DELETE: &'static str = "DELETE FROM body WHERE id = $1 AND version = $2";
}

impl Body {
    pub fn seats(&self) -> Option<EmploymentForm> {
        self.seat_employment_form
    }
}

/// Every body with its number of members, in the configured order.
/// `db` is the store's pool, or a transaction that must see its own writes.
pub async fn list(db: impl PgExecutor<'_>) -> Result<Vec<Body>, StoreError> {
    Ok(
        sqlx::query_as(concat!(body_select!(), " ORDER BY b.sort_order, b.code"))
            .fetch_all(db)
            .await?,
    )
}

pub async fn get(store: &Store, id: i64) -> Result<Body, StoreError> {
    id_row(store.pool(), id).await
}

pub async fn create(
    conn: &mut PgConnection,
    who: &Who,
    input: &BodyDraft,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO body (code, name, kind, sort_order, quorum_percent, majority, seat_employment_form)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(input.code.as_str())
    .bind(&input.name)
    .bind(input.kind.code())
    .bind(input.sort_order)
    .bind(input.quorum_percent)
    .bind(input.majority.code())
    .bind(input.seat_employment_form.map(|f| f.code()))
    .fetch_one(&mut *conn)
    .await?;
    record_created::<Body>(conn, who, id).await?;
    Ok(id)
}

pub async fn update(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    input: &BodyDraft,
) -> Result<(), StoreError> {
    // Members are read in the update's transaction, so the check and the write see one state.
    let members = member_forms(conn, id).await?;
    let forms = members.iter().map(|m| (m.name.as_str(), m.employment_form));
    check_seat_employment_form(input.code.as_str(), input.seat_employment_form, forms)
        .map_err(Invalid::SeatEmploymentForm)?;
    let update = sqlx::query(
        "UPDATE body SET code = $3, name = $4, kind = $5, sort_order = $6, quorum_percent = $7, majority = $8,
                seat_employment_form = $9, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(input.code.as_str())
    .bind(&input.name)
    .bind(input.kind.code())
    .bind(input.sort_order)
    .bind(input.quorum_percent)
    .bind(input.majority.code())
    .bind(input.seat_employment_form.map(|f| f.code()));
    update_id_row::<Body>(conn, who, id, update).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberForm {
    pub name: String,
    #[sqlx(try_from = "NullableCode")]
    pub employment_form: Option<EmploymentForm>,
}

/// The members of a body with their employment form (disabled accounts too: their membership
/// still stands), for the check when the body's seats are bound to one employment form.
pub async fn member_forms(conn: &mut PgConnection, id: i64) -> Result<Vec<MemberForm>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT p.name, m.employment_form FROM membership m JOIN person p ON p.id = m.person_id
         WHERE m.body_id = $1 ORDER BY p.name",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}
