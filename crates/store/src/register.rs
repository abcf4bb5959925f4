//! The agreements register (product.md B1–B6): agreements with parties, owners, 7S elements and
//! a JZOJP theme; status history; comments; KPIs with measurements; the filtered, searchable list;
//! and the data behind traffic lights and the compliance rate.
//!
//! Writes take a `&mut PgConnection` inside the caller's transaction, write their audit entry in
//! it, and announce a change to the agreement's origin meeting (if any) on the live channel so that
//! the meeting page's lists stay fresh. Business rules (status flow, frozen agreements, KPI
//! validation) are the caller's: see `domain::agreements`.
//!
//! Compartments (§0): [`list`] and [`due_for_compliance`] take the caller's body ids and leave
//! out, in the query itself, every agreement restricted to a body the caller is not in. [`detail`]
//! returns the agreement's `visibility_body_id`; the caller checks it before showing anything.

use crate::agreements::Addendum;
use crate::audit::{self, Change, Who};
use crate::{PgConnection, Store, StoreError};
use domain::agreements::compliance::DueAgreement;
use domain::agreements::kinds::{AgreementStatus, JzojpTheme, PartyKind, SevenS};
use domain::agreements::kpi::{Direction, Kpi, Measurement};
use serde::Serialize;
use sqlx::types::Decimal;
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

// ---------------------------------------------------------------------------------------------
// Input

/// One party to an agreement, as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartyInput {
    /// A `PartyKind` code: `rvb`, `msb_plus`, `vakgroep`, `verzekeraar`, `regionale_partner`.
    pub kind: String,
    /// The party's name where the kind does not say it (vakgroep, insurer, partner); may be empty
    /// for `rvb` and `msb_plus`.
    pub label: String,
    /// Only for kind `vakgroep`.
    pub vakgroep_id: Option<i64>,
    /// The accountable owner for this party.
    pub owner_id: Option<i64>,
}

/// Everything a secretary edits about an agreement, in one form and one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgreementInput {
    /// An `AgreementKind` code.
    pub kind: String,
    pub title: String,
    pub description: String,
    /// The agreement's owner (`agreement.owner_id`, the one the meeting pages and the owner's
    /// dashboard show). `None`: the first party owner, if any.
    pub owner_id: Option<i64>,
    pub parties: Vec<PartyInput>,
    /// `SevenS` codes; duplicates are ignored.
    pub seven_s: Vec<String>,
    /// A `JzojpTheme` code.
    pub theme: Option<String>,
    pub start_date: Option<Date>,
    pub due_date: Option<Date>,
    /// Review cadence in months (`ReviewCadence::months`); `None`: not reviewed.
    pub review_months: Option<i16>,
    /// `None`: gezamenlijk; otherwise only this body's members see the agreement.
    pub visibility_body_id: Option<i64>,
    pub origin_meeting_id: Option<i64>,
    pub origin_item_id: Option<i64>,
    pub origin_decision_id: Option<i64>,
    /// B5: the deviation from the insurer contract, for kind `financieel`.
    pub insurer_deviation: String,
    /// B5/D8: the budget scenario whose plan could not be aligned with the insurer contract.
    pub budget_scenario_id: Option<i64>,
}

impl AgreementInput {
    fn effective_owner(&self) -> Option<i64> {
        self.owner_id
            .or_else(|| self.parties.iter().find_map(|p| p.owner_id))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiInput {
    pub name: String,
    pub unit: String,
    /// A `Direction` code: `hoger_beter` or `lager_beter`.
    pub direction: String,
    pub baseline: Decimal,
    pub target: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasurementInput {
    pub measured_on: Date,
    pub value: Decimal,
    pub note: String,
}

// ---------------------------------------------------------------------------------------------
// Rows

/// The agreement itself, with the names the detail page shows next to ids.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct AgreementCore {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub start_date: Option<Date>,
    pub due_date: Option<Date>,
    pub review_months: Option<i16>,
    pub visibility_body_id: Option<i64>,
    pub visibility_body_code: Option<String>,
    pub origin_meeting_id: Option<i64>,
    pub origin_meeting_title: Option<String>,
    pub origin_item_id: Option<i64>,
    pub origin_item_title: Option<String>,
    pub origin_decision_id: Option<i64>,
    pub theme: Option<String>,
    /// `SevenS` codes in the model's order.
    pub seven_s: Vec<String>,
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

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct PartyRow {
    pub id: i64,
    pub agreement_id: i64,
    pub kind: String,
    pub label: String,
    pub vakgroep_id: Option<i64>,
    pub vakgroep_name: Option<String>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
}

impl PartyRow {
    /// The party as shown: its label, else the vakgroep's name, else the kind's Dutch label.
    pub fn name(&self) -> String {
        if !self.label.trim().is_empty() {
            return self.label.clone();
        }
        if let Some(v) = &self.vakgroep_name {
            return v.clone();
        }
        party_label(&self.kind, "")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct KpiRow {
    pub id: i64,
    pub agreement_id: i64,
    pub name: String,
    pub unit: String,
    pub direction: String,
    pub baseline: Decimal,
    pub target: Decimal,
    pub version: i32,
}

impl KpiRow {
    /// The KPI as the traffic-light rules take it; `None` for an unknown direction code.
    pub fn to_domain(&self) -> Option<Kpi> {
        Some(Kpi {
            unit: self.unit.clone(),
            direction: Direction::parse(&self.direction)?,
            baseline: self.baseline,
            target: self.target,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct MeasurementRow {
    pub id: i64,
    pub kpi_id: i64,
    pub measured_on: Date,
    pub value: Decimal,
    pub note: String,
    pub recorded_by: Option<i64>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: OffsetDateTime,
}

impl MeasurementRow {
    pub fn to_domain(&self) -> Measurement {
        Measurement {
            on: self.measured_on,
            value: self.value,
        }
    }
}

/// A KPI with its measurements, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiWithMeasurements {
    pub kpi: KpiRow,
    pub measurements: Vec<MeasurementRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct StatusChangeRow {
    pub id: i64,
    pub from_status: String,
    pub to_status: String,
    pub reason: String,
    pub changed_by: Option<i64>,
    pub changed_by_name: Option<String>,
    pub changed_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct CommentRow {
    pub id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub text: String,
    pub created_at: OffsetDateTime,
}

/// Everything the agreement page shows.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementDetail {
    pub agreement: AgreementCore,
    /// In the order entered.
    pub parties: Vec<PartyRow>,
    /// In the order added.
    pub kpis: Vec<KpiWithMeasurements>,
    /// Oldest first.
    pub history: Vec<StatusChangeRow>,
    /// Oldest first.
    pub comments: Vec<CommentRow>,
    /// Later changes to a frozen agreement (A6), oldest first.
    pub addenda: Vec<Addendum>,
    /// The bodies that took part in the meeting the agreement arose from; empty when it did not
    /// arise from a meeting (observers see it only through such a meeting).
    pub origin_bodies: Vec<i64>,
}

/// What the audit trail records of an agreement before and after a change.
#[derive(Debug, Clone, Serialize)]
struct Snapshot {
    agreement: AgreementCore,
    parties: Vec<PartyRow>,
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// The agreement row with names and 7S codes; `$1` is the id.
macro_rules! core_select {
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
    LEFT JOIN agenda_item i ON i.id = a.origin_item_id
    WHERE a.id = $1"
    };
}

/// The Dutch name of a party: the label if there is one, else the kind's label, else the code.
fn party_label(kind: &str, label: &str) -> String {
    if !label.trim().is_empty() {
        return label.to_string();
    }
    PartyKind::parse(kind).map_or_else(|| kind.to_string(), |k| k.label().to_string())
}

/// Sorts 7S codes in the model's order (unknown codes last) and drops duplicates.
fn sort_seven_s(codes: &mut Vec<String>) {
    codes.sort_by_key(|c| {
        (
            SevenS::parse(c).map_or(usize::MAX, |e| e as usize),
            c.clone(),
        )
    });
    codes.dedup();
}

async fn core_on(
    conn: &mut PgConnection,
    id: i64,
    lock: bool,
) -> Result<AgreementCore, StoreError> {
    let sql = if lock {
        concat!(core_select!(), " FOR UPDATE OF a")
    } else {
        core_select!()
    };
    let mut core: AgreementCore = sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    sort_seven_s(&mut core.seven_s);
    Ok(core)
}

async fn parties_on(conn: &mut PgConnection, id: i64) -> Result<Vec<PartyRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT ap.id, ap.agreement_id, ap.kind, ap.label, ap.vakgroep_id, v.name AS vakgroep_name,
                ap.owner_id, p.name AS owner_name
         FROM agreement_party ap
         LEFT JOIN vakgroep v ON v.id = ap.vakgroep_id
         LEFT JOIN person p ON p.id = ap.owner_id
         WHERE ap.agreement_id = $1 ORDER BY ap.position, ap.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?)
}

async fn snapshot_on(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Snapshot, StoreError> {
    let agreement = core_on(conn, id, lock).await?;
    let parties = parties_on(conn, id).await?;
    Ok(Snapshot { agreement, parties })
}

/// Replaces the parties and 7S elements of an agreement.
async fn write_links(
    conn: &mut PgConnection,
    id: i64,
    input: &AgreementInput,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM agreement_party WHERE agreement_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (position, p) in input.parties.iter().enumerate() {
        sqlx::query(
            "INSERT INTO agreement_party (agreement_id, position, kind, label, vakgroep_id, owner_id)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(i16::try_from(position).unwrap_or(i16::MAX))
        .bind(&p.kind)
        .bind(p.label.trim())
        .bind(p.vakgroep_id)
        .bind(p.owner_id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("DELETE FROM agreement_seven_s WHERE agreement_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO agreement_seven_s (agreement_id, element)
         SELECT DISTINCT $1::bigint, e FROM unnest($2::text[]) AS e",
    )
    .bind(id)
    .bind(&input.seven_s)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The origin meeting of an agreement (to notify), or `NotFound`. Locks nothing.
async fn origin_meeting(conn: &mut PgConnection, id: i64) -> Result<Option<i64>, StoreError> {
    let row: Option<Option<i64>> =
        sqlx::query_scalar("SELECT origin_meeting_id FROM agreement WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    row.ok_or(StoreError::NotFound)
}

async fn notify(conn: &mut PgConnection, meeting: Option<i64>) -> Result<(), StoreError> {
    if let Some(m) = meeting {
        crate::live::notify(conn, m.into()).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Writes

/// Creates an agreement with status `status` (`voorgesteld` for a proposal, `vastgesteld` when it
/// comes from a recorded decision). Returns its id.
pub async fn create(
    conn: &mut PgConnection,
    who: &Who,
    input: &AgreementInput,
    status: AgreementStatus,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agreement (kind, title, description, status, owner_id, start_date, due_date, review_months,
                                visibility_body_id, origin_meeting_id, origin_item_id, origin_decision_id,
                                theme, insurer_deviation, budget_scenario_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(&input.kind)
    .bind(&input.title)
    .bind(&input.description)
    .bind(status.code())
    .bind(input.effective_owner())
    .bind(input.start_date)
    .bind(input.due_date)
    .bind(input.review_months)
    .bind(input.visibility_body_id)
    .bind(input.origin_meeting_id)
    .bind(input.origin_item_id)
    .bind(input.origin_decision_id)
    .bind(input.theme.as_deref())
    .bind(&input.insurer_deviation)
    .bind(input.budget_scenario_id)
    .fetch_one(&mut *conn)
    .await?;
    write_links(conn, id, input).await?;
    notify(conn, input.origin_meeting_id).await?;
    let after = snapshot_on(conn, id, false).await?;
    audit::record(
        conn,
        who,
        Change::new("agreement", id, "create").after(&after),
    )
    .await?;
    Ok(id)
}

/// Saves an edit made on version `expected_version`; `Conflict` when someone saved in between.
/// Status, realisation date and frozen state are not touched here (see [`change_status`]); the
/// caller refuses edits of frozen agreements (they take an addendum instead).
pub async fn update(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    input: &AgreementInput,
) -> Result<(), StoreError> {
    let before = snapshot_on(conn, id, true).await?;
    if before.agreement.version != expected_version {
        return Err(StoreError::Conflict);
    }
    sqlx::query(
        "UPDATE agreement SET kind = $2, title = $3, description = $4, owner_id = $5, start_date = $6,
                due_date = $7, review_months = $8, visibility_body_id = $9, origin_meeting_id = $10,
                origin_item_id = $11, origin_decision_id = $12, theme = $13, insurer_deviation = $14,
                budget_scenario_id = $15, version = version + 1
         WHERE id = $1",
    )
    .bind(id)
    .bind(&input.kind)
    .bind(&input.title)
    .bind(&input.description)
    .bind(input.effective_owner())
    .bind(input.start_date)
    .bind(input.due_date)
    .bind(input.review_months)
    .bind(input.visibility_body_id)
    .bind(input.origin_meeting_id)
    .bind(input.origin_item_id)
    .bind(input.origin_decision_id)
    .bind(input.theme.as_deref())
    .bind(&input.insurer_deviation)
    .bind(input.budget_scenario_id)
    .execute(&mut *conn)
    .await?;
    write_links(conn, id, input).await?;
    notify(conn, before.agreement.origin_meeting_id).await?;
    if input.origin_meeting_id != before.agreement.origin_meeting_id {
        notify(conn, input.origin_meeting_id).await?;
    }
    let after = snapshot_on(conn, id, false).await?;
    audit::record(
        conn,
        who,
        Change::new("agreement", id, "update")
            .before(&before)
            .after(&after),
    )
    .await
}

/// Moves an agreement to status `to` and writes the history row with `reason` and the person.
/// The caller has checked the step with `domain::agreements::status::transition`. Moving to
/// `gerealiseerd` sets the realisation date to `realised_on` (default: today in Amsterdam); any
/// other status clears it. `Conflict` when the agreement changed since version `expected_version`.
pub async fn change_status(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    to: AgreementStatus,
    reason: &str,
    realised_on: Option<Date>,
) -> Result<(), StoreError> {
    #[derive(sqlx::FromRow, Serialize)]
    struct State {
        status: String,
        realised_on: Option<Date>,
        version: i32,
        #[serde(skip)]
        origin_meeting_id: Option<i64>,
    }
    let before: State = sqlx::query_as(
        "SELECT status, realised_on, version, origin_meeting_id FROM agreement WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    if before.version != expected_version {
        return Err(StoreError::Conflict);
    }
    let after: State = sqlx::query_as(
        "UPDATE agreement
         SET status = $2,
             realised_on = CASE WHEN $2 = 'gerealiseerd'
                                THEN COALESCE($3, (now() AT TIME ZONE 'Europe/Amsterdam')::date) END,
             version = version + 1
         WHERE id = $1
         RETURNING status, realised_on, version, origin_meeting_id",
    )
    .bind(id)
    .bind(to.code())
    .bind(realised_on)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO agreement_status_change (agreement_id, from_status, to_status, reason, changed_by, changed_by_label)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(&before.status)
    .bind(to.code())
    .bind(reason.trim())
    .bind(who.id)
    .bind(&who.label)
    .execute(&mut *conn)
    .await?;
    notify(conn, before.origin_meeting_id).await?;
    #[derive(Serialize)]
    struct After<'a> {
        #[serde(flatten)]
        state: &'a State,
        reason: &'a str,
    }
    audit::record(
        conn,
        who,
        Change::new("agreement", id, "status")
            .before(&before)
            .after(After {
                state: &after,
                reason: reason.trim(),
            }),
    )
    .await
}

/// Records that the boards reviewed the agreement on `on` (B4): the next review is due one
/// cadence later. A non-empty `note` is kept as a comment. `Conflict` when the agreement changed
/// since `expected_version`.
pub async fn record_review(
    conn: &mut PgConnection,
    who: &Who,
    id: i64,
    expected_version: i32,
    on: Date,
    note: &str,
) -> Result<(), StoreError> {
    let before: Option<(Option<Date>, i32)> =
        sqlx::query_as("SELECT reviewed_on, version FROM agreement WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let (previous, version) = before.ok_or(StoreError::NotFound)?;
    if version != expected_version {
        return Err(StoreError::Conflict);
    }
    sqlx::query("UPDATE agreement SET reviewed_on = $2, version = version + 1 WHERE id = $1")
        .bind(id)
        .bind(on)
        .execute(&mut *conn)
        .await?;
    let note = note.trim();
    if !note.is_empty() {
        sqlx::query(
            "INSERT INTO agreement_comment (agreement_id, author_id, author_label, text) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(who.id)
        .bind(&who.label)
        .bind(format!("Beoordeling: {note}"))
        .execute(&mut *conn)
        .await?;
    }
    let meeting = origin_meeting(conn, id).await?;
    notify(conn, meeting).await?;
    audit::record(
        conn,
        who,
        Change::new("agreement", id, "review")
            .before(serde_json::json!({ "reviewed_on": previous }))
            .after(serde_json::json!({ "reviewed_on": on, "note": note })),
    )
    .await
}

/// Adds a comment by `who`; returns its id.
pub async fn add_comment(
    conn: &mut PgConnection,
    who: &Who,
    agreement_id: i64,
    text: &str,
) -> Result<i64, StoreError> {
    let meeting = origin_meeting(conn, agreement_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agreement_comment (agreement_id, author_id, author_label, text) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(agreement_id)
    .bind(who.id)
    .bind(&who.label)
    .bind(text.trim())
    .fetch_one(&mut *conn)
    .await?;
    notify(conn, meeting).await?;
    audit::record(
        conn,
        who,
        Change::new("agreement", agreement_id, "comment")
            .after(serde_json::json!({ "comment_id": id, "text": text.trim() })),
    )
    .await?;
    Ok(id)
}

#[derive(Serialize)]
struct KpiAudit<'a> {
    agreement_id: i64,
    #[serde(flatten)]
    input: &'a KpiInput,
}

/// Adds a KPI to an agreement; returns its id.
pub async fn add_kpi(
    conn: &mut PgConnection,
    who: &Who,
    agreement_id: i64,
    input: &KpiInput,
) -> Result<i64, StoreError> {
    let meeting = origin_meeting(conn, agreement_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agreement_kpi (agreement_id, name, unit, direction, baseline, target)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(agreement_id)
    .bind(input.name.trim())
    .bind(input.unit.trim())
    .bind(&input.direction)
    .bind(input.baseline)
    .bind(input.target)
    .fetch_one(&mut *conn)
    .await?;
    notify(conn, meeting).await?;
    audit::record(
        conn,
        who,
        Change::new("agreement_kpi", id, "create").after(KpiAudit {
            agreement_id,
            input,
        }),
    )
    .await?;
    Ok(id)
}

/// Saves an edit of a KPI made on version `expected_version`; `Conflict` when someone saved in
/// between.
pub async fn update_kpi(
    conn: &mut PgConnection,
    who: &Who,
    kpi_id: i64,
    expected_version: i32,
    input: &KpiInput,
) -> Result<(), StoreError> {
    let before: KpiRow = sqlx::query_as(
        "SELECT id, agreement_id, name, unit, direction, baseline, target, version
         FROM agreement_kpi WHERE id = $1 FOR UPDATE",
    )
    .bind(kpi_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    if before.version != expected_version {
        return Err(StoreError::Conflict);
    }
    let after: KpiRow = sqlx::query_as(
        "UPDATE agreement_kpi SET name = $2, unit = $3, direction = $4, baseline = $5, target = $6,
                version = version + 1
         WHERE id = $1
         RETURNING id, agreement_id, name, unit, direction, baseline, target, version",
    )
    .bind(kpi_id)
    .bind(input.name.trim())
    .bind(input.unit.trim())
    .bind(&input.direction)
    .bind(input.baseline)
    .bind(input.target)
    .fetch_one(&mut *conn)
    .await?;
    let meeting = origin_meeting(conn, before.agreement_id).await?;
    notify(conn, meeting).await?;
    audit::record(
        conn,
        who,
        Change::new("agreement_kpi", kpi_id, "update")
            .before(&before)
            .after(&after),
    )
    .await
}

/// Records a measurement of a KPI by `who`; returns its id.
pub async fn add_measurement(
    conn: &mut PgConnection,
    who: &Who,
    kpi_id: i64,
    input: &MeasurementInput,
) -> Result<i64, StoreError> {
    let agreement_id: i64 =
        sqlx::query_scalar("SELECT agreement_id FROM agreement_kpi WHERE id = $1")
            .bind(kpi_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO kpi_measurement (kpi_id, measured_on, value, note, recorded_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(kpi_id)
    .bind(input.measured_on)
    .bind(input.value)
    .bind(input.note.trim())
    .bind(who.id)
    .fetch_one(&mut *conn)
    .await?;
    let meeting = origin_meeting(conn, agreement_id).await?;
    notify(conn, meeting).await?;
    #[derive(Serialize)]
    struct MeasurementAudit<'a> {
        agreement_id: i64,
        kpi_id: i64,
        #[serde(flatten)]
        input: &'a MeasurementInput,
    }
    audit::record(
        conn,
        who,
        Change::new("kpi_measurement", id, "create").after(MeasurementAudit {
            agreement_id,
            kpi_id,
            input,
        }),
    )
    .await?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// Reads

/// An agreement with everything about it, in a fixed number of queries (seven), whatever the
/// number of KPIs. Does not check visibility: the caller compares
/// `agreement.visibility_body_id` with the person's bodies and answers 404.
pub async fn detail(store: &Store, id: i64) -> Result<AgreementDetail, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let agreement = core_on(&mut conn, id, false).await?;
    let parties = parties_on(&mut conn, id).await?;
    let kpis = kpi_data_on(&mut conn, &[id], false)
        .await?
        .into_iter()
        .map(|(_, kpi, measurements)| KpiWithMeasurements { kpi, measurements })
        .collect();
    let history = sqlx::query_as(
        "SELECT c.id, c.from_status, c.to_status, c.reason, c.changed_by, COALESCE(p.name, NULLIF(c.changed_by_label, '')) AS changed_by_name, c.changed_at
         FROM agreement_status_change c LEFT JOIN person p ON p.id = c.changed_by
         WHERE c.agreement_id = $1 ORDER BY c.changed_at, c.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let comments = sqlx::query_as(
        "SELECT c.id, c.author_id, COALESCE(p.name, NULLIF(c.author_label, '')) AS author_name, c.text, c.created_at
         FROM agreement_comment c LEFT JOIN person p ON p.id = c.author_id
         WHERE c.agreement_id = $1 ORDER BY c.created_at, c.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let addenda = sqlx::query_as(
        "SELECT d.agreement_id, d.text, p.name AS author, d.created_at
         FROM agreement_addendum d LEFT JOIN person p ON p.id = d.author_id
         WHERE d.agreement_id = $1 ORDER BY d.created_at, d.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let origin_bodies = sqlx::query_scalar(
        "SELECT mb.body_id FROM meeting_body mb WHERE mb.meeting_id = $1 ORDER BY mb.body_id",
    )
    .bind(agreement.origin_meeting_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(AgreementDetail {
        agreement,
        parties,
        kpis,
        history,
        comments,
        addenda,
        origin_bodies,
    })
}

/// The register's filter. Empty fields do not filter; `visible_bodies` always does (an agreement
/// restricted to a body is listed only when that body is among them, so the default lists only
/// gezamenlijke agreements).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterFilter {
    /// The bodies of the person asking.
    pub visible_bodies: Vec<i64>,
    /// An `AgreementKind` code.
    pub kind: Option<String>,
    /// A `PartyKind` code: agreements with at least one party of this kind.
    pub party_kind: Option<String>,
    /// Agreements with this vakgroep as a party.
    pub vakgroep_id: Option<i64>,
    /// Agreements this person owns, as the agreement's owner or as a party's owner.
    pub owner_id: Option<i64>,
    /// `AgreementStatus` codes; empty: every status.
    pub statuses: Vec<String>,
    /// A `JzojpTheme` code.
    pub theme: Option<String>,
    /// A `SevenS` code.
    pub seven_s: Option<String>,
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

/// One line of the register with what the list, the export and the traffic light need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub status: String,
    pub start_date: Option<Date>,
    pub due_date: Option<Date>,
    pub review_months: Option<i16>,
    pub realised_on: Option<Date>,
    pub reviewed_on: Option<Date>,
    /// The day the agreement was entered, in Amsterdam.
    pub created_on: Date,
    pub theme: Option<String>,
    pub visibility_body_id: Option<i64>,
    pub origin_meeting_id: Option<i64>,
    /// The bodies that took part in the origin meeting (for observers, who see only those
    /// agreements); like the names below, filled in by [`decorate`].
    pub origin_bodies: Vec<i64>,
    /// The agreement's owner first, then the party owners in party order; each name once.
    pub owner_names: Vec<String>,
    /// Party kind codes, in party order (parallel to `party_labels`).
    pub party_kinds: Vec<String>,
    /// Party names as shown (label, vakgroep name or the kind's Dutch label), in party order.
    pub party_labels: Vec<String>,
    /// `SevenS` codes in the model's order.
    pub seven_s: Vec<String>,
    pub version: i32,
}

#[derive(sqlx::FromRow)]
struct RawRegisterRow {
    id: i64,
    kind: String,
    title: String,
    status: String,
    start_date: Option<Date>,
    due_date: Option<Date>,
    review_months: Option<i16>,
    realised_on: Option<Date>,
    reviewed_on: Option<Date>,
    created_on: Date,
    theme: Option<String>,
    visibility_body_id: Option<i64>,
    origin_meeting_id: Option<i64>,
    owner_names: Vec<String>,
    party_kinds: Vec<String>,
    party_labels: Vec<String>,
    seven_s: Vec<String>,
    version: i32,
    /// The number of matching rows, where the query counts them.
    #[sqlx(default)]
    total: i64,
}

impl From<RawRegisterRow> for RegisterRow {
    fn from(r: RawRegisterRow) -> Self {
        let party_labels = r
            .party_kinds
            .iter()
            .zip(&r.party_labels)
            .map(|(k, l)| party_label(k, l))
            .collect();
        let mut seven_s = r.seven_s;
        sort_seven_s(&mut seven_s);
        RegisterRow {
            id: r.id,
            kind: r.kind,
            title: r.title,
            status: r.status,
            start_date: r.start_date,
            due_date: r.due_date,
            review_months: r.review_months,
            realised_on: r.realised_on,
            reviewed_on: r.reviewed_on,
            created_on: r.created_on,
            theme: r.theme,
            visibility_body_id: r.visibility_body_id,
            origin_meeting_id: r.origin_meeting_id,
            origin_bodies: Vec::new(),
            owner_names: r.owner_names,
            party_kinds: r.party_kinds,
            party_labels,
            seven_s,
            version: r.version,
        }
    }
}

/// Party kinds and labels (vakgroep name where the label is empty), in party order.
macro_rules! party_arrays {
    () => {
        "
        COALESCE((SELECT array_agg(ap.kind ORDER BY ap.position, ap.id) FROM agreement_party ap
                  WHERE ap.agreement_id = a.id), '{}') AS party_kinds,
        COALESCE((SELECT array_agg(CASE WHEN btrim(ap.label) = '' THEN COALESCE(v.name, '') ELSE ap.label END
                                   ORDER BY ap.position, ap.id)
                  FROM agreement_party ap LEFT JOIN vakgroep v ON v.id = ap.vakgroep_id
                  WHERE ap.agreement_id = a.id), '{}') AS party_labels,
        COALESCE((SELECT array_agg(s.element) FROM agreement_seven_s s WHERE s.agreement_id = a.id), '{}') AS seven_s"
    };
}

/// The agreements matching the filter, ordered by due date (agreements without one last), in one
/// query, without their names: `owner_names`, `party_kinds`, `party_labels` and `seven_s` are
/// empty until [`decorate`] fills them. A page of the register decorates only what it shows.
/// With a `window` (offset, limit) only those rows come back; the second value is the number of
/// matching agreements either way (0 when the window lies beyond the end).
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
                a.visibility_body_id, a.origin_meeting_id, a.version,
                '{}'::text[] AS owner_names, '{}'::text[] AS party_kinds, '{}'::text[] AS party_labels,
                '{}'::text[] AS seven_s, count(*) OVER () AS total
         FROM agreement a
         WHERE (a.visibility_body_id IS NULL OR a.visibility_body_id = ANY(",
    );
    sql.push_bind(&filter.visible_bodies).push("::bigint[]))");
    if let Some(kind) = filter.kind.as_deref() {
        sql.push(" AND a.kind = ").push_bind(kind);
    }
    if let Some(kind) = filter.party_kind.as_deref() {
        sql.push(" AND EXISTS (SELECT 1 FROM agreement_party ap WHERE ap.agreement_id = a.id AND ap.kind = ")
            .push_bind(kind)
            .push(")");
    }
    if let Some(vakgroep) = filter.vakgroep_id {
        sql.push(" AND EXISTS (SELECT 1 FROM agreement_party ap WHERE ap.agreement_id = a.id AND ap.vakgroep_id = ")
            .push_bind(vakgroep)
            .push(")");
    }
    if let Some(owner) = filter.owner_id {
        sql.push(" AND a.id IN (SELECT id FROM agreement WHERE owner_id = ")
            .push_bind(owner)
            .push(" UNION SELECT agreement_id FROM agreement_party WHERE owner_id = ")
            .push_bind(owner)
            .push(")");
    }
    if !filter.statuses.is_empty() {
        sql.push(" AND a.status = ANY(")
            .push_bind(&filter.statuses)
            .push("::text[])");
    }
    if let Some(theme) = filter.theme.as_deref() {
        sql.push(" AND a.theme = ").push_bind(theme);
    }
    if let Some(element) = filter.seven_s.as_deref() {
        sql.push(" AND EXISTS (SELECT 1 FROM agreement_seven_s s WHERE s.agreement_id = a.id AND s.element = ")
            .push_bind(element)
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
    let rows: Vec<RawRegisterRow> = sql.build_query_as().fetch_all(store.pool()).await?;
    let total = rows
        .first()
        .map_or(0, |r| usize::try_from(r.total).unwrap_or(0));
    Ok((rows.into_iter().map(RegisterRow::from).collect(), total))
}

/// Fills in the owners, parties and 7S elements of these rows, in one query (aggregated per
/// table rather than per row, so 2,000 rows cost one pass over each table).
pub async fn decorate(store: &Store, rows: &mut [RegisterRow]) -> Result<(), StoreError> {
    #[derive(sqlx::FromRow)]
    struct Names {
        id: i64,
        owner_names: Vec<String>,
        party_kinds: Vec<String>,
        party_labels: Vec<String>,
        seven_s: Vec<String>,
        origin_bodies: Vec<i64>,
    }
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
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
        if let Some(n) = by_id.remove(&row.id) {
            row.party_labels = n
                .party_kinds
                .iter()
                .zip(&n.party_labels)
                .map(|(k, l)| party_label(k, l))
                .collect();
            row.owner_names = n.owner_names;
            row.party_kinds = n.party_kinds;
            let mut seven_s = n.seven_s;
            sort_seven_s(&mut seven_s);
            row.seven_s = seven_s;
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

/// The KPIs of these agreements with their measurements; with `light_only`, only those on each
/// KPI's first and last measurement day.
async fn kpi_data_on(
    conn: &mut PgConnection,
    ids: &[i64],
    light_only: bool,
) -> Result<Vec<(i64, KpiRow, Vec<MeasurementRow>)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let kpis: Vec<KpiRow> = sqlx::query_as(
        "SELECT id, agreement_id, name, unit, direction, baseline, target, version
         FROM agreement_kpi WHERE agreement_id = ANY($1) ORDER BY agreement_id, id",
    )
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?;
    if kpis.is_empty() {
        return Ok(Vec::new());
    }
    let kpi_ids: Vec<i64> = kpis.iter().map(|k| k.id).collect();
    let sql = if light_only {
        "SELECT m.id, m.kpi_id, m.measured_on, m.value, m.note, m.recorded_by, NULL::text AS recorded_by_name,
                m.recorded_at
         FROM (SELECT kpi_id, min(measured_on) AS first, max(measured_on) AS last
               FROM kpi_measurement WHERE kpi_id = ANY($1) GROUP BY kpi_id) d
         JOIN kpi_measurement m ON m.kpi_id = d.kpi_id AND m.measured_on IN (d.first, d.last)
         ORDER BY m.kpi_id, m.measured_on, m.id"
    } else {
        "SELECT m.id, m.kpi_id, m.measured_on, m.value, m.note, m.recorded_by, p.name AS recorded_by_name,
                m.recorded_at
         FROM kpi_measurement m LEFT JOIN person p ON p.id = m.recorded_by
         WHERE m.kpi_id = ANY($1) ORDER BY m.kpi_id, m.measured_on, m.id"
    };
    let measurements: Vec<MeasurementRow> = sqlx::query_as(sql)
        .bind(&kpi_ids)
        .fetch_all(&mut *conn)
        .await?;
    Ok(group_measurements(kpis, measurements))
}

/// The KPIs of these agreements, ordered by agreement and KPI, with the measurements that decide
/// their traffic lights (`domain::agreements::kpi::kpi_light` reads the first day and the last):
/// those on each KPI's first and last measurement day, oldest first. Two queries whatever the
/// number of agreements; a register of 20,000 measurements reads a fifth of them.
pub async fn kpi_light_data_for(
    store: &Store,
    ids: &[i64],
) -> Result<Vec<(i64, KpiRow, Vec<MeasurementRow>)>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    kpi_data_on(&mut conn, ids, true).await
}

fn group_measurements(
    kpis: Vec<KpiRow>,
    measurements: Vec<MeasurementRow>,
) -> Vec<(i64, KpiRow, Vec<MeasurementRow>)> {
    let mut by_kpi: HashMap<i64, Vec<MeasurementRow>> = HashMap::new();
    for m in measurements {
        by_kpi.entry(m.kpi_id).or_default().push(m);
    }
    kpis.into_iter()
        .map(|k| {
            let ms = by_kpi.remove(&k.id).unwrap_or_default();
            (k.agreement_id, k, ms)
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct DueRow {
    due_date: Date,
    realised_on: Option<Date>,
    status: String,
    party_kinds: Vec<String>,
    party_labels: Vec<String>,
    seven_s: Vec<String>,
    theme: Option<String>,
}

/// The agreements due in `[from, to]` (both inclusive) that a member of `visible_bodies` may see,
/// as the compliance rate takes them (`domain::agreements::compliance`), in one query. Parties are
/// named as in [`RegisterRow::party_labels`].
pub async fn due_for_compliance(
    store: &Store,
    from: Date,
    to: Date,
    visible_bodies: &[i64],
) -> Result<Vec<DueAgreement>, StoreError> {
    let sql = concat!(
        "SELECT a.due_date, a.realised_on, a.status, a.theme,",
        party_arrays!(),
        "
         FROM agreement a
         WHERE a.due_date BETWEEN $1 AND $2
           AND (a.visibility_body_id IS NULL OR a.visibility_body_id = ANY($3::bigint[]))
         ORDER BY a.due_date, a.id"
    );
    let rows: Vec<DueRow> = sqlx::query_as(sql)
        .bind(from)
        .bind(to)
        .bind(visible_bodies)
        .fetch_all(store.pool())
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(DueAgreement {
                due: r.due_date,
                realised_on: r.realised_on,
                status: AgreementStatus::parse(&r.status)?,
                parties: r
                    .party_kinds
                    .iter()
                    .zip(&r.party_labels)
                    .map(|(k, l)| party_label(k, l))
                    .collect(),
                seven_s: SevenS::ALL
                    .iter()
                    .copied()
                    .filter(|e| r.seven_s.iter().any(|c| c == e.code()))
                    .collect(),
                theme: r.theme.as_deref().and_then(JzojpTheme::parse),
            })
        })
        .collect())
}
