//! The actions a meeting records (A5: agreements of kind `actie` with an origin meeting) and
//! the addenda to them once the minutes are adopted (A6).

use super::{Agreement, agreement_select, in_model_order};
use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use domain::ids::{AgreementId, ItemId, MeetingId};
use serde::Serialize;
use time::{Date, OffsetDateTime};

/// An action recorded in a meeting; the audit trail records it as it is. Its ids are the
/// meetings section's plain numbers.
#[derive(Debug, Clone, Serialize)]
pub struct ActionInput {
    pub title: String,
    pub description: String,
    pub owner_id: Option<i64>,
    pub due_date: Option<Date>,
    pub visibility_body_id: Option<i64>,
    pub origin_meeting_id: MeetingId,
    pub origin_item_id: Option<ItemId>,
    pub origin_decision_id: Option<i64>,
}

pub async fn create_action(
    conn: &mut PgConnection,
    who: &Who,
    input: &ActionInput,
) -> Result<AgreementId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agreement (kind, title, description, status, owner_id, due_date, visibility_body_id,
                                origin_meeting_id, origin_item_id, origin_decision_id)
         VALUES ('actie', $1, $2, 'vastgesteld', $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&input.title)
    .bind(&input.description)
    .bind(input.owner_id)
    .bind(input.due_date)
    .bind(input.visibility_body_id)
    .bind(input.origin_meeting_id.get())
    .bind(input.origin_item_id.map(ItemId::get))
    .bind(input.origin_decision_id)
    .fetch_one(&mut *conn)
    .await?;
    crate::live::notify(conn, input.origin_meeting_id).await?;
    audit::record(
        conn,
        who,
        Change::new("agreement", id, "create").after(input),
    )
    .await?;
    Ok(AgreementId::new(id))
}

/// The agreements that came out of a meeting, in one query.
pub async fn for_meeting(store: &Store, meeting_id: i64) -> Result<Vec<Agreement>, StoreError> {
    let rows: Vec<Agreement> = sqlx::query_as(concat!(
        agreement_select!(),
        " WHERE a.origin_meeting_id = $1 ORDER BY a.origin_item_id, a.id"
    ))
    .bind(meeting_id)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(in_model_order).collect())
}

/// A later change to a frozen agreement, kept beside it (A6).
pub async fn add_addendum(
    conn: &mut PgConnection,
    who: &Who,
    agreement_id: AgreementId,
    text: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO agreement_addendum (agreement_id, text, author_id) VALUES ($1, $2, $3)",
    )
    .bind(agreement_id.get())
    .bind(text)
    .bind(who.id)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        who,
        Change::new("agreement", agreement_id, "addendum").after(text),
    )
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Addendum {
    #[sqlx(try_from = "i64")]
    pub agreement_id: AgreementId,
    pub text: String,
    pub author: Option<String>,
    pub created_at: OffsetDateTime,
}

/// The addenda to the agreements of a meeting, oldest first, in one query.
pub async fn addenda_for_meeting(
    store: &Store,
    meeting_id: i64,
) -> Result<Vec<Addendum>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT d.agreement_id, d.text, p.name AS author, d.created_at
         FROM agreement_addendum d JOIN agreement a ON a.id = d.agreement_id
         LEFT JOIN person p ON p.id = d.author_id
         WHERE a.origin_meeting_id = $1 ORDER BY d.created_at, d.id",
    )
    .bind(meeting_id)
    .fetch_all(store.pool())
    .await?)
}

/// The addenda to one agreement, oldest first.
pub(super) async fn addenda(
    conn: &mut PgConnection,
    id: AgreementId,
) -> Result<Vec<Addendum>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT d.agreement_id, d.text, p.name AS author, d.created_at
         FROM agreement_addendum d LEFT JOIN person p ON p.id = d.author_id
         WHERE d.agreement_id = $1 ORDER BY d.created_at, d.id",
    )
    .bind(id.get())
    .fetch_all(&mut *conn)
    .await?)
}
