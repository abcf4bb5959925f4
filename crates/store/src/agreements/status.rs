//! The status of an agreement and its history (B2), and the reviews that reset its review
//! cadence (B4). Both are versioned steps on the agreement row.

use super::{notify, origin_meeting};
use crate::audit::{self, Change, Who};
use crate::codes::NullableId;
use crate::versioned::write_versioned;
use crate::{PgConnection, StoreError};
use domain::agreements::kinds::AgreementStatus;
use domain::ids::{AgreementId, MeetingId, PersonId};
use serde::Serialize;
use time::{Date, OffsetDateTime};

/// One step in an agreement's history, with who took it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct StatusChangeRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub from_status: AgreementStatus,
    #[sqlx(try_from = "String")]
    pub to_status: AgreementStatus,
    pub reason: String,
    #[sqlx(try_from = "NullableId")]
    pub changed_by: Option<PersonId>,
    pub changed_by_name: Option<String>,
    pub changed_at: OffsetDateTime,
}

/// The history of an agreement, oldest first.
pub(super) async fn history(
    conn: &mut PgConnection,
    id: AgreementId,
) -> Result<Vec<StatusChangeRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.from_status, c.to_status, c.reason, c.changed_by, COALESCE(p.name, NULLIF(c.changed_by_label, '')) AS changed_by_name, c.changed_at
         FROM agreement_status_change c LEFT JOIN person p ON p.id = c.changed_by
         WHERE c.agreement_id = $1 ORDER BY c.changed_at, c.id",
    )
    .bind(id.get())
    .fetch_all(&mut *conn)
    .await?)
}

/// What a status step changes, as the audit trail records it.
#[derive(sqlx::FromRow, Serialize)]
struct State {
    #[sqlx(try_from = "String")]
    status: AgreementStatus,
    realised_on: Option<Date>,
    version: i32,
    #[serde(skip)]
    #[sqlx(try_from = "NullableId")]
    origin_meeting_id: Option<MeetingId>,
}

async fn state(conn: &mut PgConnection, id: AgreementId) -> Result<State, StoreError> {
    sqlx::query_as(
        "SELECT status, realised_on, version, origin_meeting_id FROM agreement WHERE id = $1",
    )
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)
}

/// Moves an agreement to status `to` and writes the history row with `reason` and the person.
/// The caller has checked the step with `domain::agreements::status::transition`. Moving to
/// `gerealiseerd` sets the realisation date to `realised_on` (default: today in Amsterdam); any
/// other status clears it. `Conflict` when the agreement changed since version `expected_version`.
pub async fn change_status(
    conn: &mut PgConnection,
    who: &Who,
    id: AgreementId,
    expected_version: i32,
    to: AgreementStatus,
    reason: &str,
    realised_on: Option<Date>,
) -> Result<(), StoreError> {
    let before = state(conn, id).await?;
    write_versioned(
        conn,
        sqlx::query(
            "UPDATE agreement
             SET status = $2,
                 realised_on = CASE WHEN $2 = 'gerealiseerd'
                                    THEN COALESCE($3, (now() AT TIME ZONE 'Europe/Amsterdam')::date) END,
                 version = version + 1
             WHERE id = $1 AND version = $4",
        )
        .bind(id.get())
        .bind(to.code())
        .bind(realised_on)
        .bind(expected_version),
    )
    .await?;
    let after = state(conn, id).await?;
    sqlx::query(
        "INSERT INTO agreement_status_change (agreement_id, from_status, to_status, reason, changed_by, changed_by_label)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.get())
    .bind(before.status.code())
    .bind(to.code())
    .bind(reason.trim())
    .bind(who.id)
    .bind(&who.label)
    .execute(&mut *conn)
    .await?;
    notify(conn, before.origin_meeting_id).await?;
    #[derive(Serialize)]
    struct After<'a> {
        #[serde(flatten)]
        state: &'a State,
        reason: &'a str,
    }
    audit::record(
        conn,
        who,
        Change::new("agreement", id, "status")
            .before(&before)
            .after(After {
                state: &after,
                reason: reason.trim(),
            }),
    )
    .await
}

/// Records that the boards reviewed the agreement on `on` (B4): the next review is due one
/// cadence later. A non-empty `note` is kept as a comment. `Conflict` when the agreement changed
/// since `expected_version`.
pub async fn record_review(
    conn: &mut PgConnection,
    who: &Who,
    id: AgreementId,
    expected_version: i32,
    on: Date,
    note: &str,
) -> Result<(), StoreError> {
    let previous: Option<Date> =
        sqlx::query_scalar::<_, Option<Date>>("SELECT reviewed_on FROM agreement WHERE id = $1")
            .bind(id.get())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
    write_versioned(
        conn,
        sqlx::query(
            "UPDATE agreement SET reviewed_on = $2, version = version + 1 WHERE id = $1 AND version = $3",
        )
        .bind(id.get())
        .bind(on)
        .bind(expected_version),
    )
    .await?;
    let note = note.trim();
    if !note.is_empty() {
        super::comments::insert(conn, who, id, &format!("Beoordeling: {note}")).await?;
    }
    let meeting = origin_meeting(conn, id).await?;
    notify(conn, meeting).await?;
    audit::record(
        conn,
        who,
        Change::new("agreement", id, "review")
            .before(serde_json::json!({ "reviewed_on": previous }))
            .after(serde_json::json!({ "reviewed_on": on, "note": note })),
    )
    .await
}
