//! Sends the outbox through SMTP (`GG_SMTP_URL`), after commit, on every instance at once
//! without sending a mail twice: a batch is claimed with `FOR UPDATE SKIP LOCKED` and marked
//! sent in the same transaction. A crash between sending and committing leaves the batch
//! unmarked and unlocked, so it is sent again: at most one repeat, under the same Message-ID.

use crate::config::Config;
use anyhow::Context;
use domain::notify::{MAX_ATTEMPTS, mail_host, message_id};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;
use store::Store;
use store::outbox::Outgoing;

/// Mails claimed per transaction: small, so a crash repeats few and other instances share work.
const BATCH: i64 = 25;
/// How often the worker looks for due mail when nothing wakes it (retries, missed wake-ups).
const POLL: Duration = Duration::from_secs(15);

/// The SMTP side of the worker.
pub struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
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
            .build();
        let from: Mailbox = config
            .mail_from
            .parse()
            .with_context(|| format!("GG_MAIL_FROM={}", config.mail_from))?;
        Ok(Some(Self {
            transport,
            from,
            host: mail_host(&config.base_url).to_string(),
        }))
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
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(message_id(
                mail.id,
                mail.created_at.unix_timestamp(),
                &self.host,
            )))
            .multipart(body)
            .map_err(|e| e.to_string())
    }

    /// `Err((message, permanent))` when the mail was not accepted.
    async fn send(&self, mail: &Outgoing) -> Result<(), (String, bool)> {
        let message = self.message(mail).map_err(|e| (e, true))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| (e.to_string(), e.is_permanent()))
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
        for mail in &batch {
            match sender.send(mail).await {
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
