//! Live meetings (product.md A5): every change to what a meeting page shows is announced on the
//! PostgreSQL channel [`CHANNEL`] with the meeting's id as payload, inside the transaction that
//! makes the change. PostgreSQL delivers the notification at commit, to every listening app
//! instance, and drops it on rollback, so a rolled-back change notifies nobody.
//!
//! What a person may see changes on a second channel, [`PERSON_CHANNEL`], with the person's id:
//! triggers (migration 0012) announce an ended session (logout, password change, blocking), a
//! blocked account and changed roles, memberships or vakgroepen, so that a stream opened before
//! the change ends or is rendered anew at once, on every instance.
//!
//! [`Listener`] turns both channels into [`Signal`]s for one app instance. It reconnects by
//! itself: sqlx's `PgListener` reconnects only after some I/O errors (a connection ended by
//! `pg_ctl stop` arrives as a database error instead, and a reconnect attempt while the database
//! is away fails), so the listener is rebuilt after any error, with a growing pause. Whenever a
//! connection is (re-)established, notifications may have been missed: it then yields
//! [`Signal::Resync`], on which every live page must be rendered anew.

use crate::{PgConnection, PgPool, Store, StoreError};
use domain::ids::{ItemId, MeetingId};
use sqlx::postgres::PgListener;
use std::time::Duration;

/// The notification channel; the payload is the meeting id in decimal.
pub const CHANNEL: &str = "gg_meeting";

/// The channel of changes to what a person may see; the payload is the person id in decimal.
/// Only the triggers of migration 0012 send on it.
pub const PERSON_CHANNEL: &str = "gg_person";

/// The channel of any change to what a page can show (migration 0027): a statement-level
/// trigger on every table but the few that change without a page changing (sessions, sign-in
/// attempts, the mail queue, import progress, 7S drafts) notifies it with an empty payload, once
/// per transaction, at commit. The page cache of every instance listens (issue #17).
pub const CHANGE_CHANNEL: &str = "gg_change";

/// The tables without that trigger, and why: each is written while nobody changes a page.
pub const UNANNOUNCED_TABLES: &[&str] = &[
    // sqlx's own bookkeeping.
    "_sqlx_migrations",
    // Touched by requests (last seen) and sign-ins.
    "session",
    "login_failure",
    // Written by the mail worker at every send.
    "mail_outbox",
    "mail_job",
    // An import's progress, several times a second; its result is announced by the import.
    "import_job",
    "import_job_error",
    // Saved while a participant types; answers count only when submitted.
    "sa_answer_draft",
    // Written only with a change to care products, norm times or the baseline, which announce it.
    "budget_product_change",
];

/// Announces (at commit) that meeting `meeting_id` changed.
pub async fn notify(conn: &mut PgConnection, meeting_id: MeetingId) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(meeting_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Announces (at commit) that the meetings of these agenda items changed.
pub async fn notify_items(conn: &mut PgConnection, item_ids: &[ItemId]) -> Result<(), StoreError> {
    let item_ids: Vec<i64> = item_ids.iter().map(|id| id.get()).collect();
    sqlx::query(
        "SELECT pg_notify($1, m::text)
         FROM (SELECT DISTINCT meeting_id AS m FROM agenda_item WHERE id = ANY($2)) AS meetings",
    )
    .bind(CHANNEL)
    .bind(&item_ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// What the listener reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// This meeting changed.
    Meeting(MeetingId),
    /// What this person may see changed: a session of theirs ended, or their account, roles,
    /// memberships or vakgroepen.
    Person(i64),
    /// The connection was (re-)established: changes may have been missed, render everything.
    Resync,
    /// Something that a page can show changed ([`CHANGE_CHANNEL`]).
    Changed,
    /// The connection was lost: until the next [`Signal::Resync`] changes go unheard.
    Lost,
}

/// A self-healing `LISTEN` on one connection of the store's pool: `gg_meeting` and `gg_person`
/// for live meetings ([`Listener::new`]), or `gg_change` and `gg_person` for the page and
/// session cache ([`Listener::changes`]).
pub struct Listener {
    pool: PgPool,
    channels: &'static [&'static str],
    inner: Option<PgListener>,
    failures: u32,
    /// Wait before reconnecting: the connection was just lost.
    pause: bool,
}

impl Listener {
    pub fn new(store: &Store) -> Self {
        Self::on(store, &[CHANNEL, PERSON_CHANNEL])
    }

    /// Changes to what pages show, and to who may see them (sessions ended, people blocked).
    pub fn changes(store: &Store) -> Self {
        Self::on(store, &[CHANGE_CHANNEL, PERSON_CHANNEL])
    }

    fn on(store: &Store, channels: &'static [&'static str]) -> Self {
        Self {
            pool: store.pool().clone(),
            channels,
            inner: None,
            failures: 0,
            pause: false,
        }
    }

    /// The pause before the next connection attempt: 0.1 s, doubling, at most 5 s.
    fn backoff(&self) -> Duration {
        Duration::from_millis(100u64.saturating_mul(1 << self.failures.min(6)).min(5_000))
    }

    /// The next signal. Waits as long as it takes, reconnecting as needed; `None` only once
    /// the pool was closed (the app is stopping).
    pub async fn next(&mut self) -> Option<Signal> {
        loop {
            if self.pool.is_closed() {
                self.inner = None;
                return None;
            }
            if std::mem::take(&mut self.pause) {
                tokio::time::sleep(self.backoff()).await;
                continue;
            }
            let Some(listener) = self.inner.as_mut() else {
                match connect(&self.pool, self.channels).await {
                    Ok(listener) => {
                        if self.failures > 0 {
                            tracing::info!("live: listening on {CHANNEL} again");
                        }
                        self.inner = Some(listener);
                        self.failures = 0;
                        return Some(Signal::Resync);
                    }
                    Err(e) => {
                        if self.pool.is_closed() {
                            return None;
                        }
                        if self.failures == 0 {
                            tracing::warn!(error = %e, "live: cannot listen on {CHANNEL}; retrying");
                        }
                        let pause = self.backoff();
                        self.failures = self.failures.saturating_add(1);
                        tokio::time::sleep(pause).await;
                        continue;
                    }
                }
            };
            match listener.try_recv().await {
                Ok(Some(n)) if n.channel() == CHANGE_CHANNEL => return Some(Signal::Changed),
                Ok(Some(n)) => match n.payload().parse::<i64>() {
                    Ok(id) if n.channel() == PERSON_CHANNEL => return Some(Signal::Person(id)),
                    Ok(id) => return Some(Signal::Meeting(id.into())),
                    Err(_) => tracing::warn!(payload = n.payload(), "live: unexpected payload"),
                },
                // sqlx lost the connection and (eagerly) listened again on a new one.
                Ok(None) => return Some(Signal::Resync),
                Err(e) => {
                    self.inner = None;
                    if self.pool.is_closed() {
                        return None;
                    }
                    tracing::warn!(error = %e, "live: listener connection lost; reconnecting");
                    self.failures = self.failures.saturating_add(1);
                    self.pause = true;
                    return Some(Signal::Lost);
                }
            }
        }
    }
}

async fn connect(pool: &PgPool, channels: &[&str]) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen_all(channels.iter().copied()).await?;
    Ok(listener)
}
