//! Sends the outbox through SMTP (`GG_SMTP_URL`), after commit, on every instance at once
//! without sending a mail twice: a batch is claimed with `FOR UPDATE SKIP LOCKED` and marked
//! sent in the same transaction. A crash between sending and committing leaves the batch
//! unmarked and unlocked, so it is sent again: at most one repeat, under the same Message-ID.
//! The mails of a batch go out over a few connections at once ([`PARALLEL`]).

use super::headers::{ListUnsubscribe, ListUnsubscribePost};
use crate::config::Config;
use anyhow::Context;
use domain::ids::PersonId;
use domain::notify::{MAX_ATTEMPTS, mail_host, message_id};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;
use store::Store;
use store::outbox::Outgoing;

/// Mails claimed per transaction: small, so a crash repeats few (at most this many) and other
/// instances share the work.
pub const BATCH: i64 = 25;
/// SMTP connections a worker sends over at once. One connection waits about 40 ms per mail
/// whatever the server does: lettre 0.11.23 writes the closing `<CRLF>.<CRLF>` apart from the
/// message and leaves Nagle's algorithm on, so that write waits for the server's delayed ACK
/// (lettre/lettre#1159 sets `TCP_NODELAY`; once released, one or two connections suffice). A few
/// connections share that wait, and stay well within what relays allow one client.
pub const PARALLEL: usize = 8;
/// `Err((message, permanent))` when a mail was not accepted.
type Sent = Result<(), (String, bool)>;
/// How often the worker looks for due mail when nothing wakes it (retries, missed wake-ups).
const POLL: Duration = Duration::from_secs(15);

/// The SMTP side of the worker.
pub struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
    /// For the unsubscribe links of the list headers (base URL and key).
    config: Config,
}

impl Sender {
    pub fn new(config: &Config) -> anyhow::Result<Option<Self>> {
        let Some(url) = &config.smtp_url else {
            return Ok(None);
        };
        // The URL may hold a password: errors name the variable, never the value.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("GG_SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(30)))
            // The pool opens a connection whenever none is idle; this keeps them for the next
            // batch. How many are open at once is `send_all`'s limit.
            .pool_config(PoolConfig::new().max_size(PARALLEL as u32))
            .build();
        let from: Mailbox = config
            .mail_from
            .parse()
            .with_context(|| format!("GG_MAIL_FROM={}", config.mail_from))?;
        Ok(Some(Self {
            transport,
            from,
            host: mail_host(&config.base_url).to_string(),
            config: config.clone(),
        }))
    }

    /// The unsubscribe link for the list headers: only for a person's mail of a kind they can
    /// switch off. Computed when sending rather than stored, so a row needs no second copy of
    /// what its person and kind already say.
    fn unsubscribe(&self, mail: &Outgoing) -> Option<String> {
        let person = PersonId::new(mail.person_id?);
        if mail.kind.always_direct() {
            return None;
        }
        match super::unsubscribe_url(&self.config, person, mail.kind) {
            Ok(url) => Some(url),
            Err(e) => {
                // Only without a key; the footer's link was written with it, so this cannot
                // differ between instances of one installation. Better sent without the header
                // than not at all.
                tracing::warn!(mail = mail.id, error = %e, "mail without List-Unsubscribe");
                None
            }
        }
    }

    fn message(&self, mail: &Outgoing) -> Result<Message, String> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|e| format!("ongeldig adres: {e}"))?;
        let alternative =
            MultiPart::alternative_plain_html(mail.body_text.clone(), mail.body_html.clone());
        let body = match (
            &mail.attachment,
            &mail.attachment_name,
            &mail.attachment_type,
        ) {
            (Some(bytes), Some(name), Some(kind)) => {
                let kind = ContentType::parse(kind).map_err(|e| e.to_string())?;
                MultiPart::mixed()
                    .multipart(alternative)
                    .singlepart(Attachment::new(name.clone()).body(bytes.clone(), kind))
            }
            _ => alternative,
        };
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(message_id(
                mail.id,
                mail.created_at.unix_timestamp(),
                &self.host,
            )));
        if let Some(url) = self.unsubscribe(mail) {
            builder = builder
                .header(ListUnsubscribe(url))
                .header(ListUnsubscribePost);
        }
        builder.multipart(body).map_err(|e| e.to_string())
    }

    /// Sends a batch, at most [`PARALLEL`] mails at a time; the outcomes in the batch's order.
    async fn send_all(&self, batch: &[Outgoing]) -> anyhow::Result<Vec<Sent>> {
        let mut outcomes: Vec<Option<Sent>> = vec![None; batch.len()];
        let mut waiting = batch.iter().enumerate();
        // Dropping the set (the worker aborted) aborts the sends in flight: the batch stays
        // unmarked and is sent again, as after a crash.
        let mut sending = tokio::task::JoinSet::new();
        loop {
            while sending.len() < PARALLEL
                && let Some((i, mail)) = waiting.next()
            {
                let message = self.message(mail);
                let transport = self.transport.clone();
                sending.spawn(async move {
                    let sent = match message {
                        Ok(message) => transport
                            .send(message)
                            .await
                            .map(|_| ())
                            .map_err(|e| (e.to_string(), e.is_permanent())),
                        Err(e) => Err((e, true)),
                    };
                    (i, sent)
                });
            }
            let Some(done) = sending.join_next().await else {
                break;
            };
            let (i, sent) = done?;
            outcomes[i] = Some(sent);
        }
        outcomes
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .context("a mail of the batch was not sent")
    }
}

/// Sends every due mail; returns how many were handled (sent or given up on).
pub async fn drain(store: &Store, sender: &Sender) -> anyhow::Result<usize> {
    let mut handled = 0;
    loop {
        let mut tx = store.begin().await?;
        let batch = store::outbox::claim(&mut tx, BATCH).await?;
        if batch.is_empty() {
            return Ok(handled);
        }
        for (mail, sent) in batch.iter().zip(sender.send_all(&batch).await?) {
            match sent {
                Ok(()) => store::outbox::mark_sent(&mut tx, mail.id).await?,
                Err((error, permanent)) => {
                    let give_up = permanent || mail.attempts + 1 >= MAX_ATTEMPTS;
                    tracing::warn!(mail = mail.id, give_up, %error, "mail not accepted");
                    store::outbox::mark_failed(&mut tx, mail, &error, give_up).await?;
                }
            }
        }
        store::commit(tx).await?;
        handled += batch.len();
    }
}

/// Starts the worker when `GG_SMTP_URL` is set; without it mail stays in the outbox.
pub fn spawn(store: Store, config: &Config) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    let Some(sender) = Sender::new(config)? else {
        tracing::info!("GG_SMTP_URL is not set: mail stays in the outbox (Beheer › Berichten)");
        return Ok(None);
    };
    Ok(Some(tokio::spawn(async move {
        let mut wakeups = store::outbox::Wakeups::new(&store);
        loop {
            if store.pool().is_closed() {
                return;
            }
            match drain(&store, &sender).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(mails = n, "mail sent"),
                Err(e) => tracing::warn!(error = %e, "mail worker: will try again"),
            }
            wakeups.wait(POLL).await;
        }
    })))
}
