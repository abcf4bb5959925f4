//! Trend inputs of the vakgroepen, the products they concern, and their review status history.

use super::{ensure_year, write_versioned};
use crate::audit::{self, Change, Who};
use crate::codes::IdList;
use crate::error::Invalid;
use crate::{PgConnection, Store, StoreError};
use domain::budget::trend::{self, TrendStatus};
use domain::budget::{ChangeKind, ScopeKind, TrendCategory, TrendChange, TrendDraft, TrendScope};
use domain::ids::{CareProductId, TrendInputId, VakgroepId};
use domain::people::VakgroepCode;
use serde::Serialize;
use sqlx::types::Decimal;
use time::OffsetDateTime;

/// Which vakgroepen' trend inputs the caller may see.
#[derive(Debug, Clone, Copy)]
pub enum Seen<'a> {
    /// A vakgroep representative: only these vakgroepen.
    Vakgroepen(&'a [VakgroepId]),
    /// Reviewers (controller, boards): all of them.
    All,
}

impl Seen<'_> {
    /// As a query parameter: `None` means everything.
    fn ids(&self) -> Option<Vec<i64>> {
        match self {
            Seen::Vakgroepen(ids) => Some(ids.iter().map(|id| id.get()).collect()),
            Seen::All => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendInputInput {
    pub year: i16,
    pub vakgroep_id: VakgroepId,
    pub scope: ScopeKind,
    /// The chosen care products of scope `zorgproducten`.
    pub product_ids: Vec<CareProductId>,
    /// How `value` reads: percent points or a volume.
    pub kind: ChangeKind,
    pub value: Decimal,
    pub category: TrendCategory,
    pub rationale: String,
    pub source: String,
}

impl TrendInputInput {
    /// A checked draft of the form, for a vakgroep and year.
    pub fn from_draft(year: i16, vakgroep_id: VakgroepId, draft: TrendDraft) -> Self {
        TrendInputInput {
            year,
            vakgroep_id,
            scope: draft.scope.kind(),
            product_ids: draft
                .scope
                .product_ids()
                .iter()
                .copied()
                .map(CareProductId::new)
                .collect(),
            kind: draft.change.kind(),
            value: draft.change.value(),
            category: draft.category,
            rationale: draft.rationale,
            source: draft.source.unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct TrendInput {
    #[sqlx(try_from = "i64")]
    pub id: TrendInputId,
    pub year: i16,
    #[sqlx(try_from = "i64")]
    pub vakgroep_id: VakgroepId,
    #[sqlx(try_from = "String")]
    pub vakgroep_code: VakgroepCode,
    pub vakgroep_name: String,
    #[sqlx(try_from = "String")]
    pub scope: ScopeKind,
    /// The chosen care products (scope `zorgproducten`), by code.
    #[sqlx(try_from = "IdList")]
    pub product_ids: Vec<CareProductId>,
    pub product_codes: Vec<String>,
    #[sqlx(try_from = "String")]
    pub kind: ChangeKind,
    pub value: Decimal,
    #[sqlx(try_from = "String")]
    pub category: TrendCategory,
    pub rationale: String,
    pub source: String,
    #[sqlx(try_from = "String")]
    pub status: TrendStatus,
    pub return_reason: String,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i32,
}

impl TrendInput {
    pub fn change(&self) -> TrendChange {
        TrendChange::new(self.kind, self.value)
    }

    /// The input as the engine applies it.
    pub fn engine_input(&self) -> domain::budget::TrendInput {
        engine_trend(
            self.id,
            self.scope,
            &self.product_ids,
            self.change(),
            self.category,
        )
    }
}

/// A stored trend input as the engine applies it.
pub(super) fn engine_trend(
    id: TrendInputId,
    scope: ScopeKind,
    product_ids: &[CareProductId],
    change: TrendChange,
    category: TrendCategory,
) -> domain::budget::TrendInput {
    domain::budget::TrendInput {
        id: id.get(),
        scope: TrendScope::from_stored(scope, product_ids.iter().map(|p| p.get())),
        change,
        category,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct TrendStatusChange {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub from_status: TrendStatus,
    #[sqlx(try_from = "String")]
    pub to_status: TrendStatus,
    pub reason: String,
    pub changed_by: Option<i64>,
    pub changed_by_name: Option<String>,
    pub changed_at: OffsetDateTime,
}

macro_rules! trend_select {
    () => {
        "SELECT t.id, t.year, t.vakgroep_id, v.code AS vakgroep_code, v.name AS vakgroep_name,
            t.scope,
            COALESCE((SELECT array_agg(p.id ORDER BY p.code) FROM trend_input_product tp
                      JOIN care_product p ON p.id = tp.care_product_id WHERE tp.trend_input_id = t.id), '{}') AS product_ids,
            COALESCE((SELECT array_agg(p.code ORDER BY p.code) FROM trend_input_product tp
                      JOIN care_product p ON p.id = tp.care_product_id WHERE tp.trend_input_id = t.id), '{}') AS product_codes,
            t.kind, t.value, t.category, t.rationale, t.source, t.status, t.return_reason,
            t.author_id, COALESCE(a.name, NULLIF(t.author_label, '')) AS author_name, t.created_at, t.updated_at, t.version
     FROM trend_input t JOIN vakgroep v ON v.id = t.vakgroep_id LEFT JOIN person a ON a.id = t.author_id"
    };
}

/// Trend inputs of a year, by vakgroep and newest first, limited to what the caller may see.
pub async fn trend_inputs(
    store: &Store,
    year: i16,
    seen: Seen<'_>,
) -> Result<Vec<TrendInput>, StoreError> {
    Ok(sqlx::query_as(concat!(
        trend_select!(),
        "
         WHERE t.year = $1 AND ($2::bigint[] IS NULL OR t.vakgroep_id = ANY($2))
         ORDER BY v.code, t.id DESC"
    ))
    .bind(year)
    .bind(seen.ids())
    .fetch_all(store.pool())
    .await?)
}

/// One trend input, on any connection (a pool, or a transaction's connection); `NotFound` also
/// when the caller may not see it.
pub async fn trend_input(
    executor: impl sqlx::PgExecutor<'_>,
    id: TrendInputId,
    seen: Seen<'_>,
) -> Result<TrendInput, StoreError> {
    sqlx::query_as(concat!(
        trend_select!(),
        " WHERE t.id = $1 AND ($2::bigint[] IS NULL OR t.vakgroep_id = ANY($2))"
    ))
    .bind(id.get())
    .bind(seen.ids())
    .fetch_optional(executor)
    .await?
    .ok_or(StoreError::NotFound)
}

/// The status history of a trend input, oldest first.
pub async fn trend_history(
    store: &Store,
    id: TrendInputId,
    seen: Seen<'_>,
) -> Result<Vec<TrendStatusChange>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.from_status, c.to_status, c.reason, c.changed_by, COALESCE(p.name, NULLIF(c.changed_by_label, '')) AS changed_by_name, c.changed_at
         FROM trend_input_status_change c
         JOIN trend_input t ON t.id = c.trend_input_id
         LEFT JOIN person p ON p.id = c.changed_by
         WHERE c.trend_input_id = $1 AND ($2::bigint[] IS NULL OR t.vakgroep_id = ANY($2))
         ORDER BY c.changed_at, c.id",
    )
    .bind(id.get())
    .bind(seen.ids())
    .fetch_all(store.pool())
    .await?)
}

/// The input's care products: those of scope `zorgproducten`, none for the whole vakgroep.
async fn set_products(
    conn: &mut PgConnection,
    id: TrendInputId,
    input: &TrendInputInput,
) -> Result<(), StoreError> {
    let id = id.get();
    let products: Vec<i64> = match input.scope {
        ScopeKind::Vakgroep => Vec::new(),
        ScopeKind::Zorgproducten => input.product_ids.iter().map(|p| p.get()).collect(),
    };
    sqlx::query("DELETE FROM trend_input_product WHERE trend_input_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    // The composite key refuses a product of another vakgroep (InUse: foreign key).
    sqlx::query(
        "INSERT INTO trend_input_product (trend_input_id, vakgroep_id, care_product_id)
         SELECT DISTINCT $1, $2, unnest($3::bigint[])",
    )
    .bind(id)
    .bind(input.vakgroep_id.get())
    .bind(&products)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Creates a trend input in status `concept`, authored by `who`.
pub async fn create_trend_input(
    conn: &mut PgConnection,
    who: &Who,
    input: &TrendInputInput,
) -> Result<TrendInputId, StoreError> {
    ensure_year(conn, input.year).await?;
    let id: TrendInputId = sqlx::query_scalar(
        "INSERT INTO trend_input (year, vakgroep_id, scope, kind, value, category, rationale, source, author_id, author_label)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(input.year)
    .bind(input.vakgroep_id.get())
    .bind(input.scope.code())
    .bind(input.kind.code())
    .bind(input.value)
    .bind(input.category.code())
    .bind(input.rationale.trim())
    .bind(input.source.trim())
    .bind(who.id)
    .bind(&who.label)
    .fetch_one(&mut *conn)
    .await
    .map(TrendInputId::new)?;
    set_products(conn, id, input).await?;
    let after = trend_input(&mut *conn, id, Seen::All).await?;
    audit::record(
        conn,
        who,
        Change::new("trend_input", id, "create").after(&after),
    )
    .await?;
    Ok(id)
}

/// Changes a trend input's content. Only in `concept` or `teruggestuurd`
/// ([`trend::check_editable`]), and never to another vakgroep or year (that would move it out of
/// its compartment): both [`StoreError::Invalid`]; `Conflict` for a stale version.
pub async fn update_trend_input(
    conn: &mut PgConnection,
    who: &Who,
    id: TrendInputId,
    expected_version: i32,
    input: &TrendInputInput,
) -> Result<(), StoreError> {
    let before = trend_input(&mut *conn, id, Seen::All).await?;
    if before.version != expected_version {
        return Err(StoreError::Conflict);
    }
    if before.vakgroep_id != input.vakgroep_id || before.year != input.year {
        return Err(Invalid::TrendInputMoved.into());
    }
    // Whether anyone may still change the content is the domain's rule, which the caller checks
    // first; who is asking is the caller's to check too.
    trend::check_editable(before.status).map_err(Invalid::from)?;
    let update = sqlx::query(
        "UPDATE trend_input SET scope = $3, kind = $4, value = $5, category = $6, rationale = $7,
             source = $8, updated_at = now(), version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id.get())
    .bind(expected_version)
    .bind(input.scope.code())
    .bind(input.kind.code())
    .bind(input.value)
    .bind(input.category.code())
    .bind(input.rationale.trim())
    .bind(input.source.trim());
    write_versioned(conn, update).await?;
    set_products(conn, id, input).await?;
    let after = trend_input(&mut *conn, id, Seen::All).await?;
    audit::record(
        conn,
        who,
        Change::new("trend_input", id, "update")
            .before(&before)
            .after(&after),
    )
    .await
}

/// Moves a trend input to another status along the domain's flow ([`trend::check_step`]: the
/// step exists, a return has a reason; otherwise [`StoreError::Invalid`]), recording who, when and
/// why. Whether the person may take that step ([`trend::transition`]) is checked by the caller,
/// who knows their roles and vakgroepen. The reason of a return is kept as the return reason
/// until the input is accepted.
pub async fn change_trend_status(
    conn: &mut PgConnection,
    who: &Who,
    id: TrendInputId,
    expected_version: i32,
    to: TrendStatus,
    reason: &str,
) -> Result<(), StoreError> {
    let before = trend_input(&mut *conn, id, Seen::All).await?;
    if before.version != expected_version {
        return Err(StoreError::Conflict);
    }
    trend::check_step(before.status, to, reason).map_err(Invalid::from)?;
    let reason = reason.trim();
    let update = sqlx::query(
        "UPDATE trend_input SET status = $3,
             return_reason = CASE WHEN $3 = 'teruggestuurd' THEN $4
                                  WHEN $3 = 'geaccepteerd' THEN '' ELSE return_reason END,
             updated_at = now(), version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id.get())
    .bind(expected_version)
    .bind(to.code())
    .bind(reason);
    write_versioned(conn, update).await?;
    sqlx::query(
        "INSERT INTO trend_input_status_change (trend_input_id, from_status, to_status, reason, changed_by, changed_by_label)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.get())
    .bind(before.status.code())
    .bind(to.code())
    .bind(reason)
    .bind(who.id)
    .bind(&who.label)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        who,
        Change::new("trend_input", id, "status")
            .before(serde_json::json!({ "status": before.status }))
            .after(serde_json::json!({ "status": to, "reason": reason })),
    )
    .await
}
