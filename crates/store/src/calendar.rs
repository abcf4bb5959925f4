//! Personal calendar feed tokens (product.md A1). Only the SHA-256 of a token is stored: the
//! token is the credential of a URL that calendar programs fetch without a session. One token
//! per person; a new one replaces (and so revokes) the old one.

use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use domain::ids::PersonId;
use serde_json::json;
use time::OffsetDateTime;

/// Creates the person's token, or replaces the existing one.
pub async fn replace(
    conn: &mut PgConnection,
    who: &Who,
    person_id: PersonId,
    token_hash: &[u8],
) -> Result<(), StoreError> {
    let existed: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM calendar_token WHERE person_id = $1)")
            .bind(person_id.get())
            .fetch_one(&mut *conn)
            .await?;
    sqlx::query(
        "INSERT INTO calendar_token (person_id, token_hash) VALUES ($1, $2)
         ON CONFLICT (person_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()",
    )
    .bind(person_id.get())
    .bind(token_hash)
    .execute(&mut *conn)
    .await?;
    let action = if existed { "replace" } else { "create" };
    audit::record(
        conn,
        who,
        Change::new("calendar_token", person_id, action).after(json!({ "person_id": person_id })),
    )
    .await
}

/// Ends the person's feed; `false` when there was none.
pub async fn revoke(
    conn: &mut PgConnection,
    who: &Who,
    person_id: PersonId,
) -> Result<bool, StoreError> {
    let n = sqlx::query("DELETE FROM calendar_token WHERE person_id = $1")
        .bind(person_id.get())
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    audit::record(
        conn,
        who,
        Change::new("calendar_token", person_id, "revoke")
            .before(json!({ "person_id": person_id })),
    )
    .await?;
    Ok(true)
}

/// Since when the person's current token exists, if they have one.
pub async fn created_at(
    store: &Store,
    person_id: PersonId,
) -> Result<Option<OffsetDateTime>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT created_at FROM calendar_token WHERE person_id = $1")
            .bind(person_id.get())
            .fetch_optional(store.pool())
            .await?,
    )
}

/// Whose feed this token opens.
pub async fn person_for(store: &Store, token_hash: &[u8]) -> Result<Option<PersonId>, StoreError> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT person_id FROM calendar_token WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(store.pool())
            .await?;
    Ok(id.map(PersonId::new))
}
