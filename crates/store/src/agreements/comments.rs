//! Comments on an agreement: progress notes by the secretary and the owners (B2), and the notes
//! of a review.

use crate::audit::{self, Change, Who};
use crate::codes::NullableId;
use crate::{PgConnection, StoreError};
use domain::ids::{AgreementId, PersonId};
use serde::Serialize;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct CommentRow {
    pub id: i64,
    #[sqlx(try_from = "NullableId")]
    pub author_id: Option<PersonId>,
    pub author_name: Option<String>,
    pub text: String,
    pub created_at: OffsetDateTime,
}

/// The comments on an agreement, oldest first.
pub(super) async fn comments(
    conn: &mut PgConnection,
    id: AgreementId,
) -> Result<Vec<CommentRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.author_id, COALESCE(p.name, NULLIF(c.author_label, '')) AS author_name, c.text, c.created_at
         FROM agreement_comment c LEFT JOIN person p ON p.id = c.author_id
         WHERE c.agreement_id = $1 ORDER BY c.created_at, c.id",
    )
    .bind(id.get())
    .fetch_all(&mut *conn)
    .await?)
}

/// Writes a comment by `who` without an audit entry of its own (the caller's change has one).
pub(super) async fn insert(
    conn: &mut PgConnection,
    who: &Who,
    agreement_id: AgreementId,
    text: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO agreement_comment (agreement_id, author_id, author_label, text) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(agreement_id.get())
    .bind(who.id)
    .bind(&who.label)
    .bind(text)
    .fetch_one(&mut *conn)
    .await?)
}

/// Adds a comment by `who`; returns its id.
pub async fn add_comment(
    conn: &mut PgConnection,
    who: &Who,
    agreement_id: AgreementId,
    text: &str,
) -> Result<i64, StoreError> {
    let meeting = super::origin_meeting(conn, agreement_id).await?;
    let id = insert(conn, who, agreement_id, text.trim()).await?;
    super::notify(conn, meeting).await?;
    audit::record(
        conn,
        who,
        Change::new("agreement", agreement_id, "comment")
            .after(serde_json::json!({ "comment_id": id, "text": text.trim() })),
    )
    .await?;
    Ok(id)
}
