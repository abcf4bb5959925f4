//! Announcing a changed agenda (issue #16; `domain::meetings::announcement`): the count of
//! announcements is the form's version, and an announcement is recorded only while the agenda
//! is still published, so a meeting opened or withdrawn meanwhile sends nothing.

use crate::audit::{self, Change, Who};
use crate::{PgConnection, StoreError};
use domain::ids::MeetingId;
use domain::meetings::announcement::AnnouncementDraft;
use domain::meetings::status::MeetingStatus;
use sqlx::PgExecutor;
use time::OffsetDateTime;

/// How often a meeting's changed agenda was announced, and when last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Announced {
    pub count: i32,
    pub at: Option<OffsetDateTime>,
}

pub async fn last(db: impl PgExecutor<'_>, meeting: MeetingId) -> Result<Announced, StoreError> {
    let (count, at): (i32, Option<OffsetDateTime>) = sqlx::query_as(
        "SELECT agenda_announcements, agenda_announced_at FROM meeting WHERE id = $1",
    )
    .bind(meeting.get())
    .fetch_optional(db)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(Announced { count, at })
}

/// Records the announcement that follows `seen` announcements; [`StoreError::Conflict`] when
/// another was recorded since or the agenda is no longer published.
pub async fn record(
    conn: &mut PgConnection,
    who: &Who,
    meeting: MeetingId,
    seen: i32,
    draft: &AnnouncementDraft,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE meeting SET agenda_announcements = agenda_announcements + 1, agenda_announced_at = now()
         WHERE id = $1 AND agenda_announcements = $2 AND status = $3",
    )
    .bind(meeting.get())
    .bind(seen)
    .bind(MeetingStatus::Gepubliceerd.code())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    audit::record(
        conn,
        who,
        Change::new("meeting", meeting, "agenda_announced").after(&draft.note),
    )
    .await
}
