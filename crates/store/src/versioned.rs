//! The shape every versioned, audited write of the store shares (product.md F3, F4): read the
//! row before, run the caller's UPDATE or DELETE whose WHERE names the expected version, answer
//! [`StoreError::Conflict`] when no row matched (someone else changed or removed it since it was
//! read), read it after, and audit both in the same transaction. A table takes part by
//! implementing [`IdRow`] (its entity name and its one-row SELECT and guarded DELETE).

use crate::audit::{self, Change, Who};
use crate::{PgConnection, StoreError};
use serde::Serialize;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{FromRow, Postgres};

/// A write built by the caller (with its own columns bound) and run by a shared helper, so that
/// the version check and the audit entry are written once for every table.
pub(crate) type Write<'q> = Query<'q, Postgres, PgArguments>;

/// Runs an UPDATE or DELETE whose WHERE names the expected version: no row matched means someone
/// else changed or removed the object since it was read.
pub(crate) async fn write_versioned(
    conn: &mut PgConnection,
    write: Write<'_>,
) -> Result<(), StoreError> {
    if write.execute(conn).await?.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// The audit entry of an insert-or-update: `create` when there was nothing before.
pub(crate) async fn record_upsert<T: Serialize>(
    conn: &mut PgConnection,
    who: &Who,
    object_type: &'static str,
    id: impl ToString,
    before: Option<T>,
    after: T,
) -> Result<(), StoreError> {
    let action = if before.is_some() { "update" } else { "create" };
    let mut change = Change::new(object_type, id, action).after(&after);
    if let Some(b) = before {
        change = change.before(&b);
    }
    audit::record(conn, who, change).await
}

/// A table whose rows have their own id and version and are audited whole under `ENTITY`.
pub(crate) trait IdRow: for<'r> FromRow<'r, PgRow> + Serialize + Send + Unpin {
    const ENTITY: &'static str;
    /// Selects the row with id `$1`.
    const ONE: &'static str;
    /// Deletes the row with id `$1` if it still has version `$2`.
    const DELETE: &'static str;
}

/// Row `id`, on any connection (a pool, or a transaction's connection).
pub(crate) async fn id_row<T: IdRow>(
    executor: impl sqlx::PgExecutor<'_>,
    id: i64,
) -> Result<T, StoreError> {
    sqlx::query_as(T::ONE)
        .bind(id)
        .fetch_optional(executor)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Audits a row just inserted, as it reads back (with defaults and joined codes).
pub(crate) async fn record_created<T: IdRow>(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
) -> Result<(), StoreError> {
    let after: T = id_row(&mut *conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new(T::ENTITY, id, "create").after(&after),
    )
    .await
}

/// Runs `update` (guarded by the expected version) on row `id` and audits it before and after.
pub(crate) async fn update_id_row<T: IdRow>(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    update: Write<'_>,
) -> Result<(), StoreError> {
    let before: T = id_row(&mut *conn, id).await?;
    write_versioned(conn, update).await?;
    let after: T = id_row(&mut *conn, id).await?;
    let change = Change::new(T::ENTITY, id, "update")
        .before(&before)
        .after(&after);
    audit::record(conn, who, change).await
}

pub(crate) async fn delete_id_row<T: IdRow>(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
) -> Result<(), StoreError> {
    let before: T = id_row(&mut *conn, id).await?;
    write_versioned(conn, sqlx::query(T::DELETE).bind(id).bind(expected_version)).await?;
    audit::record(
        conn,
        who,
        Change::new(T::ENTITY, id, "delete").before(&before),
    )
    .await
}
