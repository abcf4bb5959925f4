//! The mail outbox and the mail preferences (issue #16; docs/notifications.md). Mails are written
//! by the caller inside the transaction of the change that causes them; [`claim`] hands due mails
//! to one worker at a time across instances (`FOR UPDATE SKIP LOCKED`), and the worker marks
//! them sent in that same transaction, so a mail is never sent by two instances, and a crash
//! between sending and marking repeats it at most once.

use crate::{PgConnection, Store, StoreError, Tx};
use domain::ids::PersonId;
use domain::notify::{Delivery, MailKind, retry_after};
use time::OffsetDateTime;

/// A mail rendered for its recipient, ready to be written.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub person: Option<PersonId>,
    pub recipient: String,
    pub kind: MailKind,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachment: Option<Attachment>,
    /// For the person's daily digest rather than on its own.
    pub for_digest: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Writes mails in the caller's transaction: one statement whatever their number, so an agenda
/// to forty people costs one round trip.
pub async fn enqueue(conn: &mut PgConnection, mails: &[NewMail]) -> Result<(), StoreError> {
    if mails.is_empty() {
        return Ok(());
    }
    let person: Vec<Option<i64>> = mails.iter().map(|m| m.person.map(PersonId::get)).collect();
    let recipient: Vec<&str> = mails.iter().map(|m| m.recipient.as_str()).collect();
    let kind: Vec<&str> = mails.iter().map(|m| m.kind.code()).collect();
    let subject: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    let text: Vec<&str> = mails.iter().map(|m| m.text.as_str()).collect();
    let html: Vec<&str> = mails.iter().map(|m| m.html.as_str()).collect();
    let a_name: Vec<Option<&str>> = mails
        .iter()
        .map(|m| m.attachment.as_ref().map(|a| a.name.as_str()))
        .collect();
    let a_type: Vec<Option<&str>> = mails
        .iter()
        .map(|m| m.attachment.as_ref().map(|a| a.content_type.as_str()))
        .collect();
    let a_bytes: Vec<Option<&[u8]>> = mails
        .iter()
        .map(|m| m.attachment.as_ref().map(|a| a.bytes.as_slice()))
        .collect();
    let digest: Vec<bool> = mails.iter().map(|m| m.for_digest).collect();
    sqlx::query(
        "INSERT INTO mail_outbox (person_id, recipient, kind, subject, body_text, body_html,
                                  attachment_name, attachment_type, attachment, for_digest)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::text[], $8::text[], $9::bytea[], $10::bool[])",
    )
    .bind(&person)
    .bind(&recipient)
    .bind(&kind)
    .bind(&subject)
    .bind(&text)
    .bind(&html)
    .bind(&a_name)
    .bind(&a_type)
    .bind(&a_bytes)
    .bind(&digest)
    .execute(conn)
    .await?;
    Ok(())
}

/// A mail as the worker sends it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Outgoing {
    pub id: i64,
    /// Whom the mail is for, when it is a person of ours: with the kind, what its
    /// `List-Unsubscribe` header names.
    pub person_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub kind: MailKind,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attachment_name: Option<String>,
    pub attachment_type: Option<String>,
    pub attachment: Option<Vec<u8>>,
    pub created_at: OffsetDateTime,
    pub attempts: i32,
}

/// Up to `limit` due mails, locked for this worker until `tx` ends; other instances skip them.
pub async fn claim(tx: &mut Tx, limit: i64) -> Result<Vec<Outgoing>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, person_id, kind, recipient, subject, body_text, body_html, attachment_name,
                attachment_type, attachment, created_at, attempts
         FROM mail_outbox
         WHERE sent_at IS NULL AND failed_at IS NULL AND NOT for_digest AND next_attempt_at <= now()
         ORDER BY next_attempt_at, id
         LIMIT $1
         FOR UPDATE SKIP LOCKED",
    )
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?)
}

pub async fn mark_sent(tx: &mut Tx, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records a failed attempt: tried again later (backing off), or given up after the last.
pub async fn mark_failed(
    tx: &mut Tx,
    mail: &Outgoing,
    error: &str,
    give_up: bool,
) -> Result<(), StoreError> {
    let attempt = mail.attempts + 1;
    let error: String = error.chars().take(1000).collect();
    sqlx::query(
        "UPDATE mail_outbox
         SET attempts = $2, last_error = $3,
             next_attempt_at = now() + make_interval(secs => $4),
             failed_at = CASE WHEN $5 THEN now() END
         WHERE id = $1",
    )
    .bind(mail.id)
    .bind(attempt)
    .bind(error)
    .bind(retry_after(attempt) as f64)
    .bind(give_up)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A line of Beheer › Berichten.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    pub recipient: String,
    #[sqlx(try_from = "String")]
    pub kind: MailKind,
    pub subject: String,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
    pub failed_at: Option<OffsetDateTime>,
    pub for_digest: bool,
    pub digested_at: Option<OffsetDateTime>,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// The newest mails first, a page of `limit` before `before` (an id; `None` for the newest).
pub async fn list(
    store: &Store,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Listed>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, recipient, kind, subject, created_at, sent_at, failed_at, for_digest,
                digested_at, attempts, last_error
         FROM mail_outbox WHERE id < COALESCE($1, 9223372036854775807)
         ORDER BY id DESC LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(store.pool())
    .await?)
}

/// One whole mail, for reading it in Beheer › Berichten.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Stored {
    #[sqlx(flatten)]
    pub listed: Listed,
    pub body_text: String,
    pub body_html: String,
    pub attachment_name: Option<String>,
}

pub async fn get(store: &Store, id: i64) -> Result<Stored, StoreError> {
    sqlx::query_as(
        "SELECT id, recipient, kind, subject, created_at, sent_at, failed_at, for_digest,
                digested_at, attempts, last_error, body_text, body_html, attachment_name
         FROM mail_outbox WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)
}

/// The person's choices; kinds without a row take their default.
pub async fn preferences(
    store: &Store,
    person: PersonId,
) -> Result<Vec<(MailKind, Delivery)>, StoreError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, delivery FROM mail_preference WHERE person_id = $1")
            .bind(person.get())
            .fetch_all(store.pool())
            .await?;
    let mut chosen = Vec::new();
    for (kind, delivery) in rows {
        chosen.push((MailKind::try_from(kind)?, Delivery::try_from(delivery)?));
    }
    Ok(MailKind::choosable()
        .map(|k| {
            let choice = chosen.iter().find(|(c, _)| *c == k).map(|(_, d)| *d);
            (k, k.delivery(choice))
        })
        .collect())
}

/// How each of `people` wants `kind`, in one query (for writing a mail to many at once).
pub async fn deliveries(
    conn: &mut PgConnection,
    people: &[PersonId],
    kind: MailKind,
) -> Result<Vec<(PersonId, Delivery)>, StoreError> {
    let ids: Vec<i64> = people.iter().map(|p| p.get()).collect();
    let rows: Vec<(i64, Option<String>)> = sqlx::query_as(
        "SELECT p.id, mp.delivery FROM unnest($1::bigint[]) AS p(id)
         LEFT JOIN mail_preference mp ON mp.person_id = p.id AND mp.kind = $2",
    )
    .bind(&ids)
    .bind(kind.code())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, d)| {
            let chosen = d.map(Delivery::try_from).transpose()?;
            Ok((PersonId::new(id), kind.delivery(chosen)))
        })
        .collect()
}

/// Sets one preference; security mail has none to set.
pub async fn set_preference(
    conn: &mut PgConnection,
    person: PersonId,
    kind: MailKind,
    delivery: Delivery,
) -> Result<(), StoreError> {
    if kind.always_direct() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO mail_preference (person_id, kind, delivery) VALUES ($1, $2, $3)
         ON CONFLICT (person_id, kind) DO UPDATE SET delivery = EXCLUDED.delivery",
    )
    .bind(person.get())
    .bind(kind.code())
    .bind(delivery.code())
    .execute(conn)
    .await?;
    Ok(())
}

/// The channel the outbox's trigger announces new mail on (migration 0023).
pub const CHANNEL: &str = "mail_outbox";

/// Wakes a worker when mail is written, on any instance. A lost connection is only logged and
/// rebuilt on the next wait: the worker also looks for due mail at a fixed interval, so a missed
/// notification delays a mail, it does not lose it.
pub struct Wakeups {
    pool: crate::PgPool,
    inner: Option<sqlx::postgres::PgListener>,
}

impl Wakeups {
    pub fn new(store: &Store) -> Self {
        Self {
            pool: store.pool().clone(),
            inner: None,
        }
    }

    /// Returns when mail was written, or after `at_most`.
    pub async fn wait(&mut self, at_most: std::time::Duration) {
        if self.inner.is_none() && !self.pool.is_closed() {
            match sqlx::postgres::PgListener::connect_with(&self.pool).await {
                Ok(mut listener) => match listener.listen(CHANNEL).await {
                    Ok(()) => self.inner = Some(listener),
                    Err(e) => tracing::warn!(error = %e, "mail: cannot listen for new mail"),
                },
                Err(e) => tracing::warn!(error = %e, "mail: cannot listen for new mail"),
            }
        }
        let Some(listener) = self.inner.as_mut() else {
            tokio::time::sleep(at_most).await;
            return;
        };
        match tokio::time::timeout(at_most, listener.try_recv()).await {
            Ok(Ok(_)) | Err(_) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "mail: listener lost; reconnecting");
                self.inner = None;
            }
        }
    }
}

/// Claims `job` for `day`: `true` for the one caller (of any instance) that runs it.
pub async fn claim_job(
    conn: &mut PgConnection,
    job: &str,
    day: time::Date,
) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("INSERT INTO mail_job (job, day) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(job)
            .bind(day)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// A mail held for its person's daily digest.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Held {
    #[sqlx(try_from = "i64")]
    pub person_id: PersonId,
    pub recipient: String,
    #[sqlx(try_from = "String")]
    pub kind: MailKind,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// Takes every held mail out of the waiting list (marks it as gone out in a digest) and returns
/// them by person, oldest first; in the caller's transaction, so the digest mails written in it
/// and the marking commit together.
pub async fn take_held(conn: &mut PgConnection) -> Result<Vec<Held>, StoreError> {
    Ok(sqlx::query_as(
        "UPDATE mail_outbox SET digested_at = now()
         WHERE for_digest AND digested_at IS NULL AND person_id IS NOT NULL
         RETURNING person_id, recipient, kind, subject, body_text, body_html",
    )
    .fetch_all(conn)
    .await?)
}

/// Whether `job` ran on `day` (a cheap look before preparing its mails).
pub async fn job_ran(store: &Store, job: &str, day: time::Date) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM mail_job WHERE job = $1 AND day = $2)")
            .bind(job)
            .bind(day)
            .fetch_one(store.pool())
            .await?,
    )
}
