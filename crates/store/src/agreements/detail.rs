//! Everything the agreement page shows, in a fixed number of queries.

use super::actions::{Addendum, addenda};
use super::comments::{CommentRow, comments};
use super::kpis::{KpiWithMeasurements, kpi_data};
use super::status::{StatusChangeRow, history};
use super::{Agreement, PartyRow, agreement, parties};
use crate::{Store, StoreError};
use domain::ids::{AgreementId, MeetingId};
use serde::Serialize;

/// Everything the agreement page shows.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementDetail {
    pub agreement: Agreement,
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

/// An agreement with everything about it, in a fixed number of queries (seven), whatever the
/// number of KPIs. Does not check visibility: the caller compares
/// `agreement.visibility_body_id` with the person's bodies and answers 404.
pub async fn detail(store: &Store, id: AgreementId) -> Result<AgreementDetail, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let agreement = agreement(&mut *conn, id).await?;
    let parties = parties(&mut *conn, id).await?;
    let kpis = kpi_data(&mut conn, &[id], false)
        .await?
        .into_iter()
        .map(|(_, kpi, measurements)| KpiWithMeasurements { kpi, measurements })
        .collect();
    let history = history(&mut conn, id).await?;
    let comments = comments(&mut conn, id).await?;
    let addenda = addenda(&mut conn, id).await?;
    let origin_bodies = sqlx::query_scalar(
        "SELECT mb.body_id FROM meeting_body mb WHERE mb.meeting_id = $1 ORDER BY mb.body_id",
    )
    .bind(agreement.origin_meeting_id.map(MeetingId::get))
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
