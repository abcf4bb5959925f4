//! Making and editing an agreement: the row, its parties and 7S elements, in one transaction
//! with one audit entry of the whole (agreement and parties) before and after.

use super::{notify, snapshot};
use crate::audit::{self, Change, Who};
use crate::versioned::{Write, write_versioned};
use crate::{PgConnection, StoreError};
use domain::agreements::draft::{AgreementDraft, Party};
use domain::agreements::kinds::{AgreementKind, AgreementStatus, JzojpTheme, SevenS};
use domain::ids::{AgreementId, ItemId, MeetingId, PersonId};
use sqlx::Row as _;
use time::Date;

/// Everything a secretary edits about an agreement, in one form and one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementInput {
    pub kind: AgreementKind,
    pub title: String,
    pub description: String,
    /// The agreement's owner (`agreement.owner_id`, the one the meeting pages and the owner's
    /// dashboard show). `None`: the first party owner, if any.
    pub owner_id: Option<PersonId>,
    pub parties: Vec<Party>,
    /// Duplicates are ignored.
    pub seven_s: Vec<SevenS>,
    pub theme: Option<JzojpTheme>,
    pub start_date: Option<Date>,
    pub due_date: Option<Date>,
    /// Review cadence in months (`ReviewCadence::months`); `None`: not reviewed.
    pub review_months: Option<i16>,
    /// `None`: gezamenlijk; otherwise only this body's members see the agreement.
    pub visibility_body_id: Option<i64>,
    pub origin_meeting_id: Option<MeetingId>,
    pub origin_item_id: Option<ItemId>,
    pub origin_decision_id: Option<i64>,
    /// B5: the deviation from the insurer contract, for kind `financieel`.
    pub insurer_deviation: String,
    /// B5/D8: the budget scenario whose plan could not be aligned with the insurer contract.
    pub budget_scenario_id: Option<i64>,
}

impl AgreementInput {
    fn effective_owner(&self) -> Option<PersonId> {
        self.owner_id
            .or_else(|| self.parties.iter().find_map(|p| p.owner_id))
    }
}

/// A checked form, without an owner of its own (the first party owner) or an origin.
impl From<AgreementDraft> for AgreementInput {
    fn from(d: AgreementDraft) -> Self {
        Self {
            review_months: d.review_months(),
            kind: d.kind,
            title: d.title,
            description: d.description,
            owner_id: None,
            parties: d.parties,
            seven_s: d.seven_s,
            theme: d.theme,
            start_date: d.start_date,
            due_date: d.due_date,
            visibility_body_id: d.visibility_body_id,
            origin_meeting_id: None,
            origin_item_id: None,
            origin_decision_id: None,
            insurer_deviation: d.insurer_deviation,
            budget_scenario_id: d.budget_scenario_id,
        }
    }
}

/// Replaces the parties and 7S elements of an agreement.
async fn write_links(
    conn: &mut PgConnection,
    id: AgreementId,
    input: &AgreementInput,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM agreement_party WHERE agreement_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    for (position, p) in input.parties.iter().enumerate() {
        sqlx::query(
            "INSERT INTO agreement_party (agreement_id, position, kind, label, vakgroep_id, owner_id)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.get())
        .bind(i16::try_from(position).unwrap_or(i16::MAX))
        .bind(p.kind.code())
        .bind(p.label.trim())
        .bind(p.vakgroep_id)
        .bind(p.owner_id.map(PersonId::get))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("DELETE FROM agreement_seven_s WHERE agreement_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    let seven_s: Vec<&str> = input.seven_s.iter().map(|s| s.code()).collect();
    sqlx::query(
        "INSERT INTO agreement_seven_s (agreement_id, element)
         SELECT DISTINCT $1::bigint, e FROM unnest($2::text[]) AS e",
    )
    .bind(id.get())
    .bind(&seven_s)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Binds the columns a secretary edits, in the one order both [`create`] and [`update`] name them.
fn bind_edited<'q>(q: Write<'q>, input: &'q AgreementInput) -> Write<'q> {
    q.bind(input.kind.code())
        .bind(&input.title)
        .bind(&input.description)
        .bind(input.effective_owner().map(PersonId::get))
        .bind(input.start_date)
        .bind(input.due_date)
        .bind(input.review_months)
        .bind(input.visibility_body_id)
        .bind(input.origin_meeting_id.map(MeetingId::get))
        .bind(input.origin_item_id.map(ItemId::get))
        .bind(input.origin_decision_id)
        .bind(input.theme.map(JzojpTheme::code))
        .bind(&input.insurer_deviation)
        .bind(input.budget_scenario_id)
}

/// Creates an agreement with status `status` (`voorgesteld` for a proposal, `vastgesteld` when it
/// comes from a recorded decision). Returns its id.
pub async fn create(
    conn: &mut PgConnection,
    who: &Who,
    input: &AgreementInput,
    status: AgreementStatus,
) -> Result<AgreementId, StoreError> {
    // The edited columns are $1–$14 ([`bind_edited`]), the status $15.
    let row = bind_edited(
        sqlx::query(
            "INSERT INTO agreement (kind, title, description, owner_id, start_date, due_date, review_months,
                                    visibility_body_id, origin_meeting_id, origin_item_id, origin_decision_id,
                                    theme, insurer_deviation, budget_scenario_id, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        ),
        input,
    )
    .bind(status.code())
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get(0)?;
    let id = AgreementId::new(id);
    write_links(conn, id, input).await?;
    notify(conn, input.origin_meeting_id).await?;
    let after = snapshot(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("agreement", id, "create").after(&after),
    )
    .await?;
    Ok(id)
}

/// Records a proposal from a budget signal (D8, D10): an agreement with status `voorgesteld`
/// citing its budget scenario. The same proposal — the scenario and the title, which names the
/// vakgroep or insurer and the month — is recorded once: a second click, or two people at once,
/// get the first one's id and `false`.
pub async fn propose_from_budget(
    conn: &mut PgConnection,
    who: &Who,
    input: &AgreementInput,
) -> Result<(AgreementId, bool), StoreError> {
    let scenario = input.budget_scenario_id.ok_or(StoreError::NotFound)?;
    // Proposals citing one scenario take turns (a row lock; an adopted scenario's row may be
    // locked, just not changed).
    sqlx::query("SELECT 1 FROM budget_scenario WHERE id = $1 FOR UPDATE")
        .bind(scenario)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM agreement WHERE budget_scenario_id = $1 AND title = $2 ORDER BY id LIMIT 1",
    )
    .bind(scenario)
    .bind(&input.title)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = existing {
        return Ok((AgreementId::new(id), false));
    }
    let id = create(conn, who, input, AgreementStatus::Voorgesteld).await?;
    Ok((id, true))
}

/// Saves an edit made on version `expected_version`; `Conflict` when someone saved in between.
/// Status, realisation date and frozen state are not touched here (see
/// [`super::change_status`]); the caller refuses edits of frozen agreements (they take an
/// addendum instead).
pub async fn update(
    conn: &mut PgConnection,
    who: &Who,
    id: AgreementId,
    expected_version: i32,
    input: &AgreementInput,
) -> Result<(), StoreError> {
    let before = snapshot(conn, id).await?;
    write_versioned(
        conn,
        // The id is $1, the edited columns $2–$15 ([`bind_edited`]), the version $16.
        bind_edited(
            sqlx::query(
                "UPDATE agreement SET kind = $2, title = $3, description = $4, owner_id = $5, start_date = $6,
                        due_date = $7, review_months = $8, visibility_body_id = $9, origin_meeting_id = $10,
                        origin_item_id = $11, origin_decision_id = $12, theme = $13, insurer_deviation = $14,
                        budget_scenario_id = $15, version = version + 1
                 WHERE id = $1 AND version = $16",
            )
            .bind(id.get()),
            input,
        )
        .bind(expected_version),
    )
    .await?;
    write_links(conn, id, input).await?;
    notify(conn, before.agreement.origin_meeting_id).await?;
    if input.origin_meeting_id != before.agreement.origin_meeting_id {
        notify(conn, input.origin_meeting_id).await?;
    }
    let after = snapshot(conn, id).await?;
    audit::record(
        conn,
        who,
        Change::new("agreement", id, "update")
            .before(&before)
            .after(&after),
    )
    .await
}
