//! Trend inputs of the vakgroepen, the products they concern, and their review status history.

use super::{ensure_year, write_versioned};
use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use domain::budget::trend::{self, TrendActor, TrendStatus, TrendStatusError};
use serde::Serialize;
use sqlx::types::Decimal;
use time::OffsetDateTime;

/// Which vakgroepen' trend inputs the caller may see.
#[derive(Debug, Clone, Copy)]
pub enum Seen<'a> {
    /// A vakgroep representative: only these vakgroepen.
    Vakgroepen(&'a [i64]),
    /// Reviewers (controller, boards): all of them.
    All,
}

impl Seen<'_> {
    /// As a query parameter: `None` means everything.
    fn ids(&self) -> Option<&[i64]> {
        match self {
            Seen::Vakgroepen(ids) => Some(ids),
            Seen::All => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendInputInput {
    pub year: i16,
    pub vakgroep_id: i64,
    /// `vakgroep` (the whole vakgroep) or `zorgproducten` (the products in `product_ids`).
    pub scope: String,
    pub product_ids: Vec<i64>,
    /// `percentage` (value in percent points) or `absoluut` (value is a volume).
    pub kind: String,
    pub value: Decimal,
    /// `demografie`, `substitutie`, `passende_zorg`, `concentratie`, `portfoliokeuze`, `overig`.
    pub category: String,
    pub rationale: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct TrendInput {
    pub id: i64,
    pub year: i16,
    pub vakgroep_id: i64,
    pub vakgroep_code: String,
    pub vakgroep_name: String,
    pub scope: String,
    /// The chosen care products (scope `zorgproducten`), by code.
    pub product_ids: Vec<i64>,
    pub product_codes: Vec<String>,
    pub kind: String,
    pub value: Decimal,
    pub category: String,
    pub rationale: String,
    pub source: String,
    pub status: String,
    pub return_reason: String,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct TrendStatusChange {
    pub id: i64,
    pub from_status: String,
    pub to_status: String,
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

/// A stored status code as the domain's status; the database refuses any other code.
fn trend_status(code: &str) -> Result<TrendStatus, StoreError> {
    TrendStatus::parse(code)
        .ok_or_else(|| StoreError::Other(format!("Onbekende status van een trendinput: {code}.")))
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

/// One trend input; `NotFound` also when the caller may not see it.
pub async fn trend_input(store: &Store, id: i64, seen: Seen<'_>) -> Result<TrendInput, StoreError> {
    let mut conn = store.pool().acquire().await?;
    trend_input_on(&mut conn, id, seen).await
}

async fn trend_input_on(
    conn: &mut PgConnection,
    id: i64,
    seen: Seen<'_>,
) -> Result<TrendInput, StoreError> {
    sqlx::query_as(concat!(
        trend_select!(),
        " WHERE t.id = $1 AND ($2::bigint[] IS NULL OR t.vakgroep_id = ANY($2))"
    ))
    .bind(id)
    .bind(seen.ids())
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)
}

/// The status history of a trend input, oldest first.
pub async fn trend_history(
    store: &Store,
    id: i64,
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
    .bind(id)
    .bind(seen.ids())
    .fetch_all(store.pool())
    .await?)
}

fn check_scope(input: &TrendInputInput) -> Result<(), StoreError> {
    match (input.scope.as_str(), input.product_ids.is_empty()) {
        ("vakgroep", false) => Err(StoreError::Other(
            "Een trendinput voor de hele vakgroep noemt geen zorgproducten.".into(),
        )),
        ("zorgproducten", true) => {
            Err(StoreError::Other("Kies ten minste één zorgproduct.".into()))
        }
        _ => Ok(()),
    }
}

async fn set_products(
    conn: &mut PgConnection,
    id: i64,
    input: &TrendInputInput,
) -> Result<(), StoreError> {
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
    .bind(input.vakgroep_id)
    .bind(&input.product_ids)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Creates a trend input in status `concept`, authored by `who`.
pub async fn create_trend_input(
    conn: &mut PgConnection,
    who: &Who,
    input: &TrendInputInput,
) -> Result<i64, StoreError> {
    check_scope(input)?;
    ensure_year(conn, input.year).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO trend_input (year, vakgroep_id, scope, kind, value, category, rationale, source, author_id, author_label)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(input.year)
    .bind(input.vakgroep_id)
    .bind(&input.scope)
    .bind(&input.kind)
    .bind(input.value)
    .bind(&input.category)
    .bind(input.rationale.trim())
    .bind(input.source.trim())
    .bind(who.id)
    .bind(&who.label)
    .fetch_one(&mut *conn)
    .await?;
    set_products(conn, id, input).await?;
    let after = trend_input_on(conn, id, Seen::All).await?;
    audit::record(
        conn,
        who,
        Change::new("trend_input", id, "create").after(&after),
    )
    .await?;
    Ok(id)
}

/// Changes a trend input's content. Only in `concept` or `teruggestuurd`, and never to another
/// vakgroep or year (that would move it out of its compartment); otherwise `Conflict` for a
/// stale version.
pub async fn update_trend_input(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    input: &TrendInputInput,
) -> Result<(), StoreError> {
    check_scope(input)?;
    let before = trend_input_on(conn, id, Seen::All).await?;
    if before.version != expected_version {
        return Err(StoreError::Conflict);
    }
    if before.vakgroep_id != input.vakgroep_id || before.year != input.year {
        return Err(StoreError::Other(
            "Een trendinput blijft bij zijn vakgroep en begrotingsjaar.".into(),
        ));
    }
    // Whether anyone may still change the content is the representative's rule in the domain;
    // who is asking is the caller's to check.
    let representative = TrendActor {
        is_representative: true,
        is_reviewer: false,
    };
    let status = trend_status(&before.status)?;
    if !trend::may_edit(status, representative) {
        return Err(StoreError::Other(format!(
            "Een trendinput met status ‘{}’ kan niet meer worden gewijzigd.",
            status.label()
        )));
    }
    let update = sqlx::query(
        "UPDATE trend_input SET scope = $3, kind = $4, value = $5, category = $6, rationale = $7,
             source = $8, updated_at = now(), version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(&input.scope)
    .bind(&input.kind)
    .bind(input.value)
    .bind(&input.category)
    .bind(input.rationale.trim())
    .bind(input.source.trim());
    write_versioned(conn, update).await?;
    set_products(conn, id, input).await?;
    let after = trend_input_on(conn, id, Seen::All).await?;
    audit::record(
        conn,
        who,
        Change::new("trend_input", id, "update")
            .before(&before)
            .after(&after),
    )
    .await
}

/// Moves a trend input to another status along the domain's flow ([`trend::step`]), recording
/// who, when and why. Whether the person may take that step ([`trend::transition`]) is checked
/// by the caller, who knows their roles and vakgroepen. Sending back (`teruggestuurd`) needs a reason, which is kept as the return reason until
/// the input is accepted.
pub async fn change_trend_status(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    to: &str,
    reason: &str,
) -> Result<(), StoreError> {
    let before = trend_input_on(conn, id, Seen::All).await?;
    if before.version != expected_version {
        return Err(StoreError::Conflict);
    }
    let from = trend_status(&before.status)?;
    let to_status = trend_status(to)?;
    let refuse = |e: TrendStatusError| StoreError::Other(e.to_string());
    if from == to_status {
        return Err(refuse(TrendStatusError::Unchanged(from)));
    }
    if trend::step(from, to_status).is_none() {
        return Err(refuse(TrendStatusError::NotAllowed {
            from,
            to: to_status,
        }));
    }
    let reason = reason.trim();
    let chars = reason.chars().count();
    if chars > trend::MAX_REASON_CHARS {
        return Err(refuse(TrendStatusError::ReasonTooLong {
            max: trend::MAX_REASON_CHARS,
            actual: chars,
        }));
    }
    if chars == 0 && trend::reason_required(to_status) {
        return Err(refuse(TrendStatusError::ReasonRequired));
    }
    let update = sqlx::query(
        "UPDATE trend_input SET status = $3,
             return_reason = CASE WHEN $3 = 'teruggestuurd' THEN $4
                                  WHEN $3 = 'geaccepteerd' THEN '' ELSE return_reason END,
             updated_at = now(), version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(to)
    .bind(reason);
    write_versioned(conn, update).await?;
    sqlx::query(
        "INSERT INTO trend_input_status_change (trend_input_id, from_status, to_status, reason, changed_by, changed_by_label)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(&before.status)
    .bind(to)
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
