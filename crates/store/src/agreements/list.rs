//! The register's list (B6): the agreements matching a filter, a page of them decorated with
//! names, and the revision that says when a result computed from the register is stale.

use super::party_labels;
use crate::codes::{CodeList, NullableCode};
use crate::{Store, StoreError};
use domain::agreements::kinds::{AgreementKind, AgreementStatus, JzojpTheme, PartyKind, SevenS};
use domain::ids::{AgreementId, PersonId};
use serde::Serialize;
use std::collections::HashMap;
use time::Date;

/// The register's filter. Empty fields do not filter; `visible_bodies` always does (an agreement
/// restricted to a body is listed only when that body is among them, so the default lists only
/// gezamenlijke agreements).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterFilter {
    /// The bodies of the person asking.
    pub visible_bodies: Vec<i64>,
    pub kind: Option<AgreementKind>,
    /// Agreements with at least one party of this kind.
    pub party_kind: Option<PartyKind>,
    /// Agreements with this vakgroep as a party.
    pub vakgroep_id: Option<i64>,
    /// Agreements this person owns, as the agreement's owner or as a party's owner.
    pub owner_id: Option<PersonId>,
    /// Empty: every status.
    pub statuses: Vec<AgreementStatus>,
    pub theme: Option<JzojpTheme>,
    pub seven_s: Option<SevenS>,
    /// Due on or after this day (agreements without a due date drop out).
    pub due_from: Option<Date>,
    /// Due on or before this day (agreements without a due date drop out).
    pub due_to: Option<Date>,
    /// Full-text search in title and description, Dutch stemming, web-search syntax
    /// (`"…"`, `or`, `-woord`). Blank: no search. Only stop words ("de", "het"): nothing matches.
    pub query: Option<String>,
    /// Only agreements that may need attention on this day (B4): settled ones that are past due,
    /// have a review cadence or have KPIs. The domain (`agreements::attention`) decides; this
    /// only keeps the others out of the query.
    pub attention_on: Option<Date>,
}

/// One line of the register with what the list, the export and the traffic light need: a
/// projection of the agreement row with its names aggregated, not the row itself (the list reads
/// thousands of them and joins none of the agreement page's names).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct RegisterRow {
    #[sqlx(try_from = "i64")]
    pub id: AgreementId,
    #[sqlx(try_from = "String")]
    pub kind: AgreementKind,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub status: AgreementStatus,
    pub start_date: Option<Date>,
    pub due_date: Option<Date>,
    pub review_months: Option<i16>,
    pub realised_on: Option<Date>,
    pub reviewed_on: Option<Date>,
    /// The day the agreement was entered, in Amsterdam.
    pub created_on: Date,
    #[sqlx(try_from = "NullableCode")]
    pub theme: Option<JzojpTheme>,
    pub visibility_body_id: Option<i64>,
    pub origin_meeting_id: Option<i64>,
    /// The bodies that took part in the origin meeting (for observers, who see only those
    /// agreements); like the names below, filled in by [`decorate`].
    pub origin_bodies: Vec<i64>,
    /// The agreement's owner first, then the party owners in party order; each name once.
    pub owner_names: Vec<String>,
    /// In party order (parallel to `party_labels`).
    #[sqlx(try_from = "CodeList")]
    pub party_kinds: Vec<PartyKind>,
    /// Party names as shown (label, vakgroep name or the kind's Dutch label), in party order.
    pub party_labels: Vec<String>,
    /// In the model's order.
    #[sqlx(try_from = "CodeList")]
    pub seven_s: Vec<SevenS>,
    pub version: i32,
}

/// A row of [`matching`] with the number of matching rows the query counted.
#[derive(sqlx::FromRow)]
struct Counted {
    #[sqlx(flatten)]
    row: RegisterRow,
    total: i64,
}

/// The agreements matching the filter, ordered by due date (agreements without one last), in one
/// query, without their names: `owner_names`, `party_kinds`, `party_labels`, `seven_s` and
/// `origin_bodies` are empty until [`decorate`] fills them. A page of the register decorates only
/// what it shows. With a `window` (offset, limit) only those rows come back; the second value is
/// the number of matching agreements either way (0 when the window lies beyond the end).
pub async fn matching(
    store: &Store,
    filter: &RegisterFilter,
    window: Option<(i64, i64)>,
) -> Result<(Vec<RegisterRow>, usize), StoreError> {
    let query = filter
        .query
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty());
    // Only the filters in use become SQL, so that every combination gets a plan of its own:
    // one statement with `$n IS NULL OR …` for every filter gets a generic plan after a few
    // executions that cannot use the indexes and is several times slower.
    let mut sql = sqlx::QueryBuilder::<sqlx::Postgres>::new(
        "SELECT a.id, a.kind, a.title, a.status, a.start_date, a.due_date, a.review_months, a.realised_on,
                a.reviewed_on, (a.created_at AT TIME ZONE 'Europe/Amsterdam')::date AS created_on, a.theme,
                a.visibility_body_id, a.origin_meeting_id, a.version, '{}'::bigint[] AS origin_bodies,
                '{}'::text[] AS owner_names, '{}'::text[] AS party_kinds, '{}'::text[] AS party_labels,
                '{}'::text[] AS seven_s, count(*) OVER () AS total
         FROM agreement a
         WHERE (a.visibility_body_id IS NULL OR a.visibility_body_id = ANY(",
    );
    sql.push_bind(&filter.visible_bodies).push("::bigint[]))");
    if let Some(kind) = filter.kind {
        sql.push(" AND a.kind = ").push_bind(kind.code());
    }
    if let Some(kind) = filter.party_kind {
        sql.push(" AND EXISTS (SELECT 1 FROM agreement_party ap WHERE ap.agreement_id = a.id AND ap.kind = ")
            .push_bind(kind.code())
            .push(")");
    }
    if let Some(vakgroep) = filter.vakgroep_id {
        sql.push(" AND EXISTS (SELECT 1 FROM agreement_party ap WHERE ap.agreement_id = a.id AND ap.vakgroep_id = ")
            .push_bind(vakgroep)
            .push(")");
    }
    if let Some(owner) = filter.owner_id {
        sql.push(" AND a.id IN (SELECT id FROM agreement WHERE owner_id = ")
            .push_bind(owner.get())
            .push(" UNION SELECT agreement_id FROM agreement_party WHERE owner_id = ")
            .push_bind(owner.get())
            .push(")");
    }
    if !filter.statuses.is_empty() {
        let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.code()).collect();
        sql.push(" AND a.status = ANY(")
            .push_bind(statuses)
            .push("::text[])");
    }
    if let Some(theme) = filter.theme {
        sql.push(" AND a.theme = ").push_bind(theme.code());
    }
    if let Some(element) = filter.seven_s {
        sql.push(" AND EXISTS (SELECT 1 FROM agreement_seven_s s WHERE s.agreement_id = a.id AND s.element = ")
            .push_bind(element.code())
            .push(")");
    }
    if let Some(from) = filter.due_from {
        sql.push(" AND a.due_date >= ").push_bind(from);
    }
    if let Some(to) = filter.due_to {
        sql.push(" AND a.due_date <= ").push_bind(to);
    }
    if let Some(query) = query {
        sql.push(" AND a.search @@ websearch_to_tsquery('dutch', ")
            .push_bind(query)
            .push(")");
    }
    if let Some(day) = filter.attention_on {
        sql.push(
            " AND a.status IN ('vastgesteld', 'in_uitvoering')
              AND (a.review_months IS NOT NULL
                   OR EXISTS (SELECT 1 FROM agreement_kpi k WHERE k.agreement_id = a.id)
                   OR a.due_date < ",
        )
        .push_bind(day)
        .push(")");
    }
    sql.push(" ORDER BY a.due_date NULLS LAST, a.id");
    if let Some((offset, limit)) = window {
        sql.push(" OFFSET ")
            .push_bind(offset)
            .push(" LIMIT ")
            .push_bind(limit);
    }
    let rows: Vec<Counted> = sql.build_query_as().fetch_all(store.pool()).await?;
    let total = rows
        .first()
        .map_or(0, |r| usize::try_from(r.total).unwrap_or(0));
    Ok((rows.into_iter().map(|r| r.row).collect(), total))
}

/// Fills in the owners, parties, 7S elements and origin bodies of these rows, in one query
/// (aggregated per table rather than per row, so 2,000 rows cost one pass over each table).
pub async fn decorate(store: &Store, rows: &mut [RegisterRow]) -> Result<(), StoreError> {
    #[derive(sqlx::FromRow)]
    struct Names {
        id: i64,
        owner_names: Vec<String>,
        #[sqlx(try_from = "CodeList")]
        party_kinds: Vec<PartyKind>,
        party_labels: Vec<String>,
        #[sqlx(try_from = "CodeList")]
        seven_s: Vec<SevenS>,
        origin_bodies: Vec<i64>,
    }
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id.get()).collect();
    let names: Vec<Names> = sqlx::query_as(
        "WITH ids AS (SELECT unnest($1::bigint[]) AS id),
         parties AS (
             SELECT ap.agreement_id,
                    array_agg(ap.kind ORDER BY ap.position, ap.id) AS kinds,
                    array_agg(CASE WHEN btrim(ap.label) = '' THEN COALESCE(v.name, '') ELSE ap.label END
                              ORDER BY ap.position, ap.id) AS labels
             FROM agreement_party ap LEFT JOIN vakgroep v ON v.id = ap.vakgroep_id
             WHERE ap.agreement_id = ANY($1::bigint[])
             GROUP BY ap.agreement_id),
         owners AS (
             SELECT o.agreement_id, array_agg(p.name ORDER BY o.pos, p.name) AS names
             FROM (SELECT agreement_id, person_id, min(pos) AS pos
                   FROM (SELECT a.id AS agreement_id, a.owner_id AS person_id, -1 AS pos
                         FROM agreement a WHERE a.id = ANY($1::bigint[]) AND a.owner_id IS NOT NULL
                         UNION ALL
                         SELECT ap.agreement_id, ap.owner_id, ap.position FROM agreement_party ap
                         WHERE ap.agreement_id = ANY($1::bigint[]) AND ap.owner_id IS NOT NULL) x
                   GROUP BY agreement_id, person_id) o
             JOIN person p ON p.id = o.person_id
             GROUP BY o.agreement_id),
         sevens AS (
             SELECT s.agreement_id, array_agg(s.element) AS elements FROM agreement_seven_s s
             WHERE s.agreement_id = ANY($1::bigint[]) GROUP BY s.agreement_id),
         origins AS (
             SELECT a.id AS agreement_id, array_agg(mb.body_id ORDER BY mb.body_id) AS bodies
             FROM agreement a JOIN meeting_body mb ON mb.meeting_id = a.origin_meeting_id
             WHERE a.id = ANY($1::bigint[]) GROUP BY a.id)
         SELECT ids.id, COALESCE(o.names, '{}') AS owner_names, COALESCE(pa.kinds, '{}') AS party_kinds,
                COALESCE(pa.labels, '{}') AS party_labels, COALESCE(s.elements, '{}') AS seven_s,
                COALESCE(m.bodies, '{}') AS origin_bodies
         FROM ids LEFT JOIN parties pa ON pa.agreement_id = ids.id
         LEFT JOIN owners o ON o.agreement_id = ids.id
         LEFT JOIN sevens s ON s.agreement_id = ids.id
         LEFT JOIN origins m ON m.agreement_id = ids.id",
    )
    .bind(&ids)
    .fetch_all(store.pool())
    .await?;
    let mut by_id: HashMap<i64, Names> = names.into_iter().map(|n| (n.id, n)).collect();
    for row in rows.iter_mut() {
        if let Some(n) = by_id.remove(&row.id.get()) {
            row.party_labels = party_labels(&n.party_kinds, &n.party_labels);
            row.owner_names = n.owner_names;
            row.party_kinds = n.party_kinds;
            row.seven_s = n.seven_s;
            row.seven_s.sort();
            row.origin_bodies = n.origin_bodies;
        }
    }
    Ok(())
}

/// The register's revision: it moves with every committed change to agreements, their parties,
/// KPIs and measurements (migration 0007), so a result computed from the register stays valid
/// while the revision stays the same.
pub async fn revision(store: &Store) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT n FROM register_revision")
        .fetch_one(store.pool())
        .await?)
}

/// The register, filtered, with names: [`matching`] and [`decorate`], two queries.
pub async fn list(store: &Store, filter: &RegisterFilter) -> Result<Vec<RegisterRow>, StoreError> {
    let (mut rows, _) = matching(store, filter, None).await?;
    decorate(store, &mut rows).await?;
    Ok(rows)
}

/// Everyone who owns an open agreement, as its owner or as a party's owner, and is enabled: the
/// people the daily overview of their agreements may go to.
pub async fn owners_of_open(store: &Store) -> Result<Vec<PersonId>, StoreError> {
    let open: Vec<&str> = AgreementStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.code())
        .collect();
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT o.person_id FROM (
             SELECT owner_id AS person_id FROM agreement WHERE status = ANY($1)
             UNION SELECT p.owner_id FROM agreement_party p
                   JOIN agreement a ON a.id = p.agreement_id AND a.status = ANY($1)
         ) o JOIN person pe ON pe.id = o.person_id AND pe.disabled_at IS NULL
         ORDER BY 1",
    )
    .bind(&open)
    .fetch_all(store.pool())
    .await?;
    Ok(ids.into_iter().map(PersonId::new).collect())
}
