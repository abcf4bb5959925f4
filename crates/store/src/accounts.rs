//! Sessions, failed logins and set-password links (product.md F1).
//!
//! Secrets (session ids, link tokens) are stored only as SHA-256 hashes; the caller hashes.

use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use domain::account::twofactor::SignInStep;
use domain::ids::PersonId;
use time::OffsetDateTime;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    #[sqlx(try_from = "i64")]
    pub person_id: PersonId,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

/// A full session: the person is signed in.
pub async fn create_session(
    conn: &mut PgConnection,
    id_hash: &[u8],
    person_id: PersonId,
    ip: &str,
) -> Result<(), StoreError> {
    create_session_at(conn, id_hash, person_id, ip, None).await
}

/// A half signed-in session: the password passed, `step` must follow before any page opens.
pub async fn create_pending_session(
    conn: &mut PgConnection,
    id_hash: &[u8],
    person_id: PersonId,
    ip: &str,
    step: SignInStep,
) -> Result<(), StoreError> {
    create_session_at(conn, id_hash, person_id, ip, Some(step)).await
}

async fn create_session_at(
    conn: &mut PgConnection,
    id_hash: &[u8],
    person_id: PersonId,
    ip: &str,
    step: Option<SignInStep>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO session (id_hash, person_id, ip, pending_step) VALUES ($1, $2, $3, $4)",
    )
    .bind(id_hash)
    .bind(person_id.get())
    .bind(ip)
    .bind(step.map(SignInStep::code))
    .execute(conn)
    .await?;
    Ok(())
}

/// The full session, if it exists and its person is not disabled. A half signed-in session is
/// not found here, so nothing that checks a session this way can be opened with a password alone.
pub async fn find_session(store: &Store, id_hash: &[u8]) -> Result<Option<SessionRow>, StoreError> {
    Ok(find_any_session(store, id_hash)
        .await?
        .filter(|s| s.pending_step.is_none())
        .map(|s| s.session))
}

/// A session with the step it still waits for (`None`: fully signed in).
#[derive(Debug, Clone)]
pub struct AnySession {
    pub session: SessionRow,
    pub pending_step: Option<SignInStep>,
}

/// Any session, full or half signed-in, if its person is not disabled: for the middleware that
/// sends a half signed-in session to its step.
pub async fn find_any_session(
    store: &Store,
    id_hash: &[u8],
) -> Result<Option<AnySession>, StoreError> {
    let row: Option<(i64, OffsetDateTime, OffsetDateTime, Option<String>)> = sqlx::query_as(
        "SELECT s.person_id, s.created_at, s.last_seen_at, s.pending_step
         FROM session s JOIN person p ON p.id = s.person_id
         WHERE s.id_hash = $1 AND p.disabled_at IS NULL",
    )
    .bind(id_hash)
    .fetch_optional(store.pool())
    .await?;
    row.map(|(person, created_at, last_seen_at, step)| {
        let pending_step = step.map(SignInStep::try_from).transpose()?;
        Ok(AnySession {
            session: SessionRow {
                person_id: PersonId::new(person),
                created_at,
                last_seen_at,
            },
            pending_step,
        })
    })
    .transpose()
}

pub async fn touch_session(store: &Store, id_hash: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE session SET last_seen_at = now() WHERE id_hash = $1")
        .bind(id_hash)
        .execute(store.pool())
        .await?;
    Ok(())
}

pub async fn delete_session(store: &Store, id_hash: &[u8]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM session WHERE id_hash = $1")
        .bind(id_hash)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Ends one session inside the caller's transaction (the session replaced at sign-in).
pub async fn delete_session_in(conn: &mut PgConnection, id_hash: &[u8]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM session WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of a person (password changed, account disabled).
pub async fn end_sessions_of(
    conn: &mut PgConnection,
    person_id: PersonId,
) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM session WHERE person_id = $1")
        .bind(person_id.get())
        .execute(conn)
        .await?
        .rows_affected())
}

/// Counts an attempt as failed; the row's id, for [`forget_login_failure`] when the attempt turns
/// out to succeed. Callers write the row *before* checking, so that guesses sent at once each see
/// the others (see `docs/two-factor.md`).
pub async fn record_login_failure(store: &Store, email: &str, ip: &str) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("INSERT INTO login_failure (email, ip) VALUES ($1, $2) RETURNING id")
            .bind(email)
            .bind(ip)
            .fetch_one(store.pool())
            .await?,
    )
}

/// Takes back an attempt counted in advance that succeeded (or was not made).
pub async fn forget_login_failure(store: &Store, id: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_failure WHERE id = $1")
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Times of failed logins since `since`, for the account and for the address, leaving out the
/// attempt `except` (the caller's own, counted in advance).
pub async fn login_failures_since(
    store: &Store,
    email: &str,
    ip: &str,
    since: OffsetDateTime,
    except: Option<i64>,
) -> Result<(Vec<OffsetDateTime>, Vec<OffsetDateTime>), StoreError> {
    let rows: Vec<(OffsetDateTime, bool, bool)> = sqlx::query_as(
        "SELECT at, email = $1, ip = $2 FROM login_failure
         WHERE at >= $3 AND (email = $1 OR ip = $2) AND id IS DISTINCT FROM $4",
    )
    .bind(email)
    .bind(ip)
    .bind(since)
    .bind(except)
    .fetch_all(store.pool())
    .await?;
    let account = rows.iter().filter(|r| r.1).map(|r| r.0).collect();
    let address = rows.iter().filter(|r| r.2).map(|r| r.0).collect();
    Ok((account, address))
}

/// After a successful login the account's failures no longer count (the address's still do).
pub async fn clear_login_failures(store: &Store, email: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_failure WHERE email = $1")
        .bind(email)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Creates a set-password link; earlier unused links of the person stop working.
pub async fn create_password_link(
    conn: &mut PgConnection,
    who: &Who,
    token_hash: &[u8],
    person_id: PersonId,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE password_link SET used_at = now() WHERE person_id = $1 AND used_at IS NULL",
    )
    .bind(person_id.get())
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO password_link (token_hash, person_id) VALUES ($1, $2)")
        .bind(token_hash)
        .bind(person_id.get())
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        who,
        Change::new("person", person_id, "password_link_created"),
    )
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PasswordLink {
    #[sqlx(try_from = "i64")]
    pub person_id: PersonId,
    pub email: String,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

pub async fn find_password_link(
    store: &Store,
    token_hash: &[u8],
) -> Result<Option<PasswordLink>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT l.person_id, p.email, p.name, l.created_at, l.used_at
         FROM password_link l JOIN person p ON p.id = l.person_id
         WHERE l.token_hash = $1 AND p.disabled_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(store.pool())
    .await?)
}

/// Marks the link used; `false` when another request used it first.
pub async fn use_password_link(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE password_link SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL",
    )
    .bind(token_hash)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}
