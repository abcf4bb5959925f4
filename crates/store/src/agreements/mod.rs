//! The agreements register (product.md B1–B6): agreements with parties, owners, 7S elements and
//! a JZOJP theme; the actions a meeting records (kind `actie`, A5) and their addenda (A6); status
//! history; comments; KPIs with measurements; the filtered, searchable list; and the data behind
//! traffic lights and the compliance rate.
//!
//! Writes take a `&mut PgConnection` inside the caller's transaction, write their audit entry in
//! it, and announce a change to the agreement's origin meeting (if any) on the live channel so that
//! the meeting page's lists stay fresh. Business rules (the form, the status flow, frozen
//! agreements, KPI checks) are the domain's: see `domain::agreements`.
//!
//! Compartments (§0): [`list`] and [`due_for_compliance`] take the caller's body ids and leave
//! out, in the query itself, every agreement restricted to a body the caller is not in. [`detail`]
//! returns the agreement's `visibility_body_id`; the caller checks it before showing anything.

mod actions;
mod comments;
mod compliance;
mod detail;
mod kpis;
mod list;
mod status;
mod write;

pub use actions::{
    ActionInput, Addendum, add_addendum, addenda_for_meeting, create_action, for_meeting,
};
pub use comments::{CommentRow, add_comment};
pub use compliance::due_for_compliance;
pub use detail::{AgreementDetail, detail};
pub use kpis::{
    KpiRow, KpiWithMeasurements, MeasurementRow, add_kpi, add_measurement, kpi_light_data_for,
    update_kpi,
};
pub use list::{RegisterFilter, RegisterRow, decorate, list, matching, owners_of_open, revision};
pub use status::{StatusChangeRow, change_status, record_review};
pub use write::{AgreementInput, create, propose_from_budget, update};

use crate::codes::{CodeList, NullableCode, NullableId};
use crate::{PgConnection, Store, StoreError};
use domain::agreements::kinds::{AgreementKind, AgreementStatus, JzojpTheme, PartyKind, SevenS};
use domain::ids::{AgreementId, ItemId, MeetingId, PersonId};
use serde::Serialize;
use sqlx::PgExecutor;
use time::{Date, OffsetDateTime};

/// An agreement (or a meeting's action), with the names its pages show next to ids.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Agreement {
    #[sqlx(try_from = "i64")]
    pub id: AgreementId,
    #[sqlx(try_from = "String")]
    pub kind: AgreementKind,
    pub title: String,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub status: AgreementStatus,
    #[sqlx(try_from = "NullableId")]
    pub owner_id: Option<PersonId>,
    pub owner_name: Option<String>,
    pub start_date: Option<Date>,
    pub due_date: Option<Date>,
    pub review_months: Option<i16>,
    pub visibility_body_id: Option<i64>,
    pub visibility_body_code: Option<String>,
    #[sqlx(try_from = "NullableId")]
    pub origin_meeting_id: Option<MeetingId>,
    pub origin_meeting_title: Option<String>,
    #[sqlx(try_from = "NullableId")]
    pub origin_item_id: Option<ItemId>,
    pub origin_item_title: Option<String>,
    pub origin_decision_id: Option<i64>,
    #[sqlx(try_from = "NullableCode")]
    pub theme: Option<JzojpTheme>,
    /// In the model's order.
    #[sqlx(try_from = "CodeList")]
    pub seven_s: Vec<SevenS>,
    pub realised_on: Option<Date>,
    pub reviewed_on: Option<Date>,
    pub insurer_deviation: String,
    pub budget_scenario_id: Option<i64>,
    /// "2027 Basis": the scenario's year and name.
    pub budget_scenario_name: Option<String>,
    pub frozen_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub version: i32,
}

/// One party to an agreement, with the names shown next to its ids.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct PartyRow {
    pub id: i64,
    #[sqlx(try_from = "i64")]
    pub agreement_id: AgreementId,
    #[sqlx(try_from = "String")]
    pub kind: PartyKind,
    pub label: String,
    pub vakgroep_id: Option<i64>,
    pub vakgroep_name: Option<String>,
    #[sqlx(try_from = "NullableId")]
    pub owner_id: Option<PersonId>,
    pub owner_name: Option<String>,
}

impl PartyRow {
    /// The party as shown: its label, else the vakgroep's name, else the kind's Dutch label.
    pub fn name(&self) -> String {
        match &self.vakgroep_name {
            Some(v) if self.label.trim().is_empty() => v.clone(),
            _ => party_label(self.kind, &self.label),
        }
    }
}

/// What the audit trail records of an agreement before and after a change.
#[derive(Debug, Clone, Serialize)]
struct Snapshot {
    agreement: Agreement,
    parties: Vec<PartyRow>,
}

/// The agreement row with names and 7S codes, without its WHERE.
macro_rules! agreement_select {
    () => {
        "SELECT a.id, a.kind, a.title, a.description, a.status, a.owner_id, o.name AS owner_name,
        a.start_date, a.due_date, a.review_months, a.visibility_body_id, b.code AS visibility_body_code,
        a.origin_meeting_id, m.title AS origin_meeting_title, a.origin_item_id, i.title AS origin_item_title,
        a.origin_decision_id, a.theme,
        COALESCE((SELECT array_agg(s.element) FROM agreement_seven_s s WHERE s.agreement_id = a.id), '{}') AS seven_s,
        a.realised_on, a.reviewed_on, a.insurer_deviation, a.budget_scenario_id,
        (SELECT s.year || ' ' || s.name FROM budget_scenario s WHERE s.id = a.budget_scenario_id) AS budget_scenario_name,
        a.frozen_at, a.created_at,
        a.version
    FROM agreement a
    LEFT JOIN person o ON o.id = a.owner_id
    LEFT JOIN body b ON b.id = a.visibility_body_id
    LEFT JOIN meeting m ON m.id = a.origin_meeting_id
    LEFT JOIN agenda_item i ON i.id = a.origin_item_id"
    };
}
use agreement_select;

/// The Dutch name of a party: the label if there is one, else the kind's label.
fn party_label(kind: PartyKind, label: &str) -> String {
    if label.trim().is_empty() {
        kind.label().to_string()
    } else {
        label.to_string()
    }
}

/// Party names as shown, from parallel lists of kinds and labels (the label, or the vakgroep's
/// name where the query put it, else the kind's Dutch label).
fn party_labels(kinds: &[PartyKind], labels: &[String]) -> Vec<String> {
    kinds
        .iter()
        .zip(labels)
        .map(|(&k, l)| party_label(k, l))
        .collect()
}

/// The database keeps 7S elements as a set; pages show them in the model's order.
fn in_model_order(mut agreement: Agreement) -> Agreement {
    agreement.seven_s.sort();
    agreement.seven_s.dedup();
    agreement
}

/// One agreement, through any executor (the pool, or the caller's transaction).
async fn agreement(db: impl PgExecutor<'_>, id: AgreementId) -> Result<Agreement, StoreError> {
    let row: Agreement = sqlx::query_as(concat!(agreement_select!(), " WHERE a.id = $1"))
        .bind(id.get())
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(in_model_order(row))
}

/// An agreement with its names, without parties, KPIs or history (see [`detail`]).
pub async fn get(store: &Store, id: AgreementId) -> Result<Agreement, StoreError> {
    agreement(store.pool(), id).await
}

async fn parties(db: impl PgExecutor<'_>, id: AgreementId) -> Result<Vec<PartyRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT ap.id, ap.agreement_id, ap.kind, ap.label, ap.vakgroep_id, v.name AS vakgroep_name,
                ap.owner_id, p.name AS owner_name
         FROM agreement_party ap
         LEFT JOIN vakgroep v ON v.id = ap.vakgroep_id
         LEFT JOIN person p ON p.id = ap.owner_id
         WHERE ap.agreement_id = $1 ORDER BY ap.position, ap.id",
    )
    .bind(id.get())
    .fetch_all(db)
    .await?)
}

async fn snapshot(conn: &mut PgConnection, id: AgreementId) -> Result<Snapshot, StoreError> {
    let agreement = agreement(&mut *conn, id).await?;
    let parties = parties(&mut *conn, id).await?;
    Ok(Snapshot { agreement, parties })
}

/// The origin meeting of an agreement (to notify), or `NotFound`. Locks nothing.
async fn origin_meeting(
    conn: &mut PgConnection,
    id: AgreementId,
) -> Result<Option<MeetingId>, StoreError> {
    let row: Option<Option<i64>> =
        sqlx::query_scalar("SELECT origin_meeting_id FROM agreement WHERE id = $1")
            .bind(id.get())
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|m| m.map(MeetingId::new))
        .ok_or(StoreError::NotFound)
}

async fn notify(conn: &mut PgConnection, meeting: Option<MeetingId>) -> Result<(), StoreError> {
    if let Some(m) = meeting {
        crate::live::notify(conn, m).await?;
    }
    Ok(())
}
