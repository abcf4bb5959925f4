//! The second factor's rows (docs/two-factor.md): the sealed TOTP secret with its last used
//! step, a pending secret during enrolment, the recovery-code hashes, and which roles require
//! it. Sealing and checking codes are the caller's (the key lives in the web layer, the rules
//! in `domain::account::twofactor`); this module only keeps the bytes and settles races.

use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError, settings};
use domain::account::twofactor::{RecoveryCodeHash, required_roles, required_roles_setting};
use domain::ids::PersonId;
use domain::people::Role;
use time::OffsetDateTime;

/// The setting that lists the roles requiring a second factor; absent means the default.
pub const REQUIRED_ROLES: &str = "two_factor_roles";

/// A person's second factor as the account page and sign-in need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub enabled_at: Option<OffsetDateTime>,
    /// Unused recovery codes.
    pub recovery_left: i64,
}

impl Status {
    pub fn enabled(&self) -> bool {
        self.enabled_at.is_some()
    }
}

pub async fn status(store: &Store, person: PersonId) -> Result<Status, StoreError> {
    let (enabled_at, recovery_left): (Option<OffsetDateTime>, i64) = sqlx::query_as(
        "SELECT (SELECT enabled_at FROM two_factor WHERE person_id = $1),
                (SELECT count(*) FROM recovery_code WHERE person_id = $1 AND used_at IS NULL)",
    )
    .bind(person.get())
    .fetch_one(store.pool())
    .await?;
    Ok(Status {
        enabled_at,
        recovery_left,
    })
}

/// The roles the hospital requires a second factor for.
pub async fn required(store: &Store) -> Result<Vec<Role>, StoreError> {
    let setting = settings::get(store, REQUIRED_ROLES).await?;
    Ok(required_roles(setting.as_deref()))
}

/// Sets the roles that require a second factor; audited with the list before and after.
pub async fn set_required(
    conn: &mut PgConnection,
    who: &Who,
    roles: &[Role],
) -> Result<(), StoreError> {
    let before: Option<String> =
        sqlx::query_scalar("SELECT value FROM setting WHERE key = $1 FOR UPDATE")
            .bind(REQUIRED_ROLES)
            .fetch_optional(&mut *conn)
            .await?;
    let before = required_roles(before.as_deref());
    let text = required_roles_setting(roles);
    settings::put(conn, REQUIRED_ROLES, &text).await?;
    let after = required_roles(Some(&text));
    end_unenrolled_sessions(conn, None).await?;
    audit::record(
        conn,
        who,
        Change::new("setting", REQUIRED_ROLES, "two_factor_roles_changed")
            .before(before)
            .after(after),
    )
    .await
}

/// Ends the sessions of people (of `person`, or of everyone) who hold a role that requires a
/// second factor and have none: a session started before the requirement applied must not
/// outlive it. They sign in again and are sent to enrolment. Reads the setting inside `conn`'s
/// transaction, so it sees a change made earlier in it.
pub async fn end_unenrolled_sessions(
    conn: &mut PgConnection,
    person: Option<PersonId>,
) -> Result<u64, StoreError> {
    let setting: Option<String> = sqlx::query_scalar("SELECT value FROM setting WHERE key = $1")
        .bind(REQUIRED_ROLES)
        .fetch_optional(&mut *conn)
        .await?;
    let roles: Vec<&str> = required_roles(setting.as_deref())
        .iter()
        .map(|r| r.code())
        .collect();
    Ok(sqlx::query(
        "DELETE FROM session s
         WHERE ($2::bigint IS NULL OR s.person_id = $2)
           AND EXISTS (SELECT 1 FROM person_role r WHERE r.person_id = s.person_id AND r.role = ANY($1))
           AND NOT EXISTS (SELECT 1 FROM two_factor t WHERE t.person_id = s.person_id)",
    )
    .bind(&roles)
    .bind(person.map(PersonId::get))
    .execute(conn)
    .await?
    .rows_affected())
}

/// The active secret (sealed) and the last step a code was accepted for.
/// `db`: the pool, or the transaction that will use the step, so a request never waits for a
/// second connection while holding one.
pub async fn secret(
    db: impl sqlx::PgExecutor<'_>,
    person: PersonId,
) -> Result<Option<(Vec<u8>, u64)>, StoreError> {
    let row: Option<(Vec<u8>, i64)> =
        sqlx::query_as("SELECT secret_sealed, last_used_step FROM two_factor WHERE person_id = $1")
            .bind(person.get())
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(s, step)| (s, u64::try_from(step).unwrap_or(0))))
}

/// Starts (or restarts) enrolment with a new sealed secret; an earlier unfinished one is
/// replaced, so only the latest QR code shown can be confirmed.
pub async fn begin_enrolment(
    store: &Store,
    person: PersonId,
    sealed: &[u8],
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO two_factor_pending (person_id, secret_sealed) VALUES ($1, $2)
         ON CONFLICT (person_id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed, created_at = now()",
    )
    .bind(person.get())
    .bind(sealed)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// The pending secret and when it was made.
pub async fn pending(
    store: &Store,
    person: PersonId,
) -> Result<Option<(Vec<u8>, OffsetDateTime)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT secret_sealed, created_at FROM two_factor_pending WHERE person_id = $1",
    )
    .bind(person.get())
    .fetch_optional(store.pool())
    .await?)
}

/// Makes the confirmed pending secret the person's second factor with a fresh set of recovery
/// codes. `false` when the pending secret changed or vanished meanwhile (enrolment restarted in
/// another tab, or a reset), or when the person has a second factor already and `may_replace`
/// is not set (only a signed-in person who typed the password again may replace it): nothing
/// is changed then.
pub async fn activate(
    conn: &mut PgConnection,
    who: &Who,
    person: PersonId,
    sealed: &[u8],
    step: u64,
    codes: &[RecoveryCodeHash],
    may_replace: bool,
) -> Result<bool, StoreError> {
    let taken =
        sqlx::query("DELETE FROM two_factor_pending WHERE person_id = $1 AND secret_sealed = $2")
            .bind(person.get())
            .bind(sealed)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    if taken != 1 {
        return Ok(false);
    }
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM two_factor WHERE person_id = $1)")
            .bind(person.get())
            .fetch_one(&mut *conn)
            .await?;
    if exists && !may_replace {
        return Ok(false);
    }
    let replaced: bool = sqlx::query_scalar(
        "WITH old AS (DELETE FROM two_factor WHERE person_id = $1 RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM old)",
    )
    .bind(person.get())
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO two_factor (person_id, secret_sealed, last_used_step) VALUES ($1, $2, $3)",
    )
    .bind(person.get())
    .bind(sealed)
    .bind(i64::try_from(step).unwrap_or(i64::MAX))
    .execute(&mut *conn)
    .await?;
    put_recovery_codes(conn, person, codes).await?;
    let action = if replaced {
        "two_factor_replaced"
    } else {
        "two_factor_enabled"
    };
    audit::record(conn, who, Change::new("person", person, action)).await?;
    Ok(true)
}

async fn put_recovery_codes(
    conn: &mut PgConnection,
    person: PersonId,
    codes: &[RecoveryCodeHash],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recovery_code WHERE person_id = $1")
        .bind(person.get())
        .execute(&mut *conn)
        .await?;
    let hashes: Vec<&[u8]> = codes.iter().map(|c| c.as_slice()).collect();
    sqlx::query(
        "INSERT INTO recovery_code (person_id, code_hash) SELECT $1, h FROM unnest($2::bytea[]) AS h",
    )
    .bind(person.get())
    .bind(&hashes)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces all recovery codes with a new set (the person typed a current code first).
pub async fn replace_recovery_codes(
    conn: &mut PgConnection,
    who: &Who,
    person: PersonId,
    step: u64,
    codes: &[RecoveryCodeHash],
) -> Result<bool, StoreError> {
    if !use_step(conn, person, step).await? {
        return Ok(false);
    }
    put_recovery_codes(conn, person, codes).await?;
    audit::record(
        conn,
        who,
        Change::new("person", person, "recovery_codes_replaced"),
    )
    .await?;
    Ok(true)
}

/// Records that a code of `step` was accepted: compare-and-set, so of two requests with the
/// same code only one wins, and an older code can never be used after a newer one.
pub async fn use_step(
    conn: &mut PgConnection,
    person: PersonId,
    step: u64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE two_factor SET last_used_step = $2 WHERE person_id = $1 AND last_used_step < $2",
    )
    .bind(person.get())
    .bind(i64::try_from(step).unwrap_or(i64::MAX))
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Uses a recovery code: the number of unused codes left, or `None` when the code is unknown
/// or already used (also by a request at the same moment).
pub async fn use_recovery_code(
    conn: &mut PgConnection,
    person: PersonId,
    hash: &RecoveryCodeHash,
) -> Result<Option<i64>, StoreError> {
    let used = sqlx::query(
        "UPDATE recovery_code SET used_at = now()
         WHERE person_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(person.get())
    .bind(hash.as_slice())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if used != 1 {
        return Ok(None);
    }
    let left: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM recovery_code WHERE person_id = $1 AND used_at IS NULL",
    )
    .bind(person.get())
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(left))
}

/// Removes a person's second factor (secret, pending secret, recovery codes) and ends all their
/// sessions: the beheerder's or the command line's way around a lost phone. `false` when the
/// person had none. Audited either way, because a reset is a way around the second factor.
pub async fn reset(
    conn: &mut PgConnection,
    who: &Who,
    person: PersonId,
) -> Result<bool, StoreError> {
    let had = sqlx::query("DELETE FROM two_factor WHERE person_id = $1")
        .bind(person.get())
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1;
    sqlx::query("DELETE FROM two_factor_pending WHERE person_id = $1")
        .bind(person.get())
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM recovery_code WHERE person_id = $1")
        .bind(person.get())
        .execute(&mut *conn)
        .await?;
    crate::accounts::end_sessions_of(conn, person).await?;
    audit::record(
        conn,
        who,
        Change::new("person", person, "two_factor_reset")
            .before(serde_json::json!({ "enabled": had })),
    )
    .await?;
    Ok(had)
}

/// Everyone with an active second factor: since when, and their unused recovery codes.
pub async fn enabled_people(
    store: &Store,
) -> Result<Vec<(PersonId, OffsetDateTime, i64)>, StoreError> {
    let rows: Vec<(i64, OffsetDateTime, i64)> = sqlx::query_as(
        "SELECT t.person_id, t.enabled_at,
                (SELECT count(*) FROM recovery_code r WHERE r.person_id = t.person_id AND r.used_at IS NULL)
         FROM two_factor t",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, at, left)| (PersonId::new(id), at, left))
        .collect())
}
