//! The append-only audit trail (product.md F3). The database assigns sequence numbers and the
//! hash chain (see the migration); this module writes entries and reads them back.

use crate::{PgConnection, Store, StoreError};
use domain::audit::{AuditRow, ChainBreak, GENESIS_HASH};
use serde_json::Value;
use time::{Date, OffsetDateTime};

/// Who made a change: a person, or the command line / system for scripted changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub id: Option<i64>,
    pub label: String,
}

impl Who {
    pub fn system(what: &str) -> Self {
        Self {
            id: None,
            label: format!("systeem ({what})"),
        }
    }
}

/// One change to record.
#[derive(Debug, Clone)]
pub struct Change {
    pub object_type: &'static str,
    pub object_id: String,
    pub action: &'static str,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    pub fn new(object_type: &'static str, object_id: impl ToString, action: &'static str) -> Self {
        Self {
            object_type,
            object_id: object_id.to_string(),
            action,
            before: None,
            after: None,
        }
    }

    pub fn before(mut self, v: impl serde::Serialize) -> Self {
        self.before = Some(serde_json::to_value(v).unwrap_or(Value::Null));
        self
    }

    pub fn after(mut self, v: impl serde::Serialize) -> Self {
        self.after = Some(serde_json::to_value(v).unwrap_or(Value::Null));
        self
    }
}

/// Writes one audit entry; call it inside the transaction that makes the change.
pub async fn record(conn: &mut PgConnection, who: &Who, change: Change) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (actor_id, actor_label, object_type, object_id, action, before, after, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, '', '')",
    )
    .bind(who.id)
    .bind(&who.label)
    .bind(change.object_type)
    .bind(&change.object_id)
    .bind(change.action)
    .bind(change.before)
    .bind(change.after)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: OffsetDateTime,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub object_type: String,
    pub object_id: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub action: Option<String>,
    pub from: Option<Date>,
    pub until: Option<Date>,
}

/// A page of entries, newest first, plus whether more follow.
pub async fn list(
    store: &Store,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditEntry>, bool), StoreError> {
    let mut rows: Vec<AuditEntry> = sqlx::query_as(
        "SELECT seq, at, actor_id, actor_label, object_type, object_id, action,
                before::text AS before, after::text AS after
         FROM audit_log
         WHERE ($1::text IS NULL OR actor_label ILIKE '%' || $1 || '%')
           AND ($2::text IS NULL OR object_type = $2)
           AND ($3::text IS NULL OR object_id = $3)
           AND ($4::text IS NULL OR action = $4)
           AND ($5::date IS NULL OR at >= ($5::date)::timestamp AT TIME ZONE 'Europe/Amsterdam')
           AND ($6::date IS NULL OR at < ($6::date + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam')
         ORDER BY seq DESC
         LIMIT $7 OFFSET $8",
    )
    .bind(filter.actor.as_deref())
    .bind(filter.object_type.as_deref())
    .bind(filter.object_id.as_deref())
    .bind(filter.action.as_deref())
    .bind(filter.from)
    .bind(filter.until)
    .bind(limit + 1)
    .bind(offset)
    .fetch_all(store.pool())
    .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// The distinct object types and actions, for the filter's drop-downs.
pub async fn kinds(store: &Store) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let types = sqlx::query_scalar("SELECT DISTINCT object_type FROM audit_log ORDER BY 1")
        .fetch_all(store.pool())
        .await?;
    let actions = sqlx::query_scalar("SELECT DISTINCT action FROM audit_log ORDER BY 1")
        .fetch_all(store.pool())
        .await?;
    Ok((types, actions))
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact { rows: i64 },
    Broken { rows_checked: i64, at: ChainBreak },
}

#[derive(sqlx::FromRow)]
struct RawRow {
    seq: i64,
    at_micros: i64,
    actor_id: Option<i64>,
    actor_label: String,
    object_type: String,
    object_id: String,
    action: String,
    before: Option<String>,
    after: Option<String>,
    prev_hash: String,
    hash: String,
}

/// Recomputes every row's hash in Rust (not with the database's own function) and checks the
/// links, a page at a time so that a long trail does not need to fit in memory.
pub async fn verify(store: &Store) -> Result<Verification, StoreError> {
    const PAGE: i64 = 5_000;
    let mut prev = GENESIS_HASH.to_string();
    let mut last_seq = 0i64;
    let mut checked = 0i64;
    loop {
        let page: Vec<RawRow> = sqlx::query_as(
            "SELECT seq, (extract(epoch FROM at) * 1000000)::bigint AS at_micros, actor_id, actor_label,
                    object_type, object_id, action, before::text AS before, after::text AS after, prev_hash, hash
             FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(last_seq)
        .bind(PAGE)
        .fetch_all(store.pool())
        .await?;
        if page.is_empty() {
            return Ok(Verification::Intact { rows: checked });
        }
        let rows: Vec<AuditRow> = page
            .into_iter()
            .map(|r| AuditRow {
                seq: r.seq,
                at_micros: r.at_micros,
                actor_id: r.actor_id,
                actor_label: r.actor_label,
                object_type: r.object_type,
                object_id: r.object_id,
                action: r.action,
                before: r.before,
                after: r.after,
                prev_hash: r.prev_hash,
                hash: r.hash,
            })
            .collect();
        match domain::audit::verify_chain(&prev, &rows) {
            Ok(last) => prev = last,
            Err(at) => {
                let broken_seq = match at {
                    ChainBreak::Content { seq } | ChainBreak::Link { seq } => seq,
                };
                let before = rows.iter().take_while(|r| r.seq < broken_seq).count() as i64;
                return Ok(Verification::Broken {
                    rows_checked: checked + before,
                    at,
                });
            }
        }
        checked += rows.len() as i64;
        last_seq = rows.last().map(|r| r.seq).unwrap_or(last_seq);
    }
}
