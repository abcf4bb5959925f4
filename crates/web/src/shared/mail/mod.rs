//! Mail from the application (issue #16; docs/notifications.md). A section that causes a mail
//! renders it per recipient — as its page would show it to that person, so a mail never names
//! what its recipient may not see — and hands it to [`post`] inside the transaction of the
//! change. [`post`] keeps each person's choice per kind (direct, digest, off), adds the footer
//! with the signed unsubscribe link, and writes the outbox; the [`worker`] sends after commit,
//! with that link also in the mail's list [`headers`] for the mail program's own button.

pub mod account;
pub mod budget;
pub mod daily;
pub mod headers;
pub mod worker;

use crate::config::Config;
use crate::shared::error::{AppError, AppResult};
use askama::Template;
use domain::ids::PersonId;
use domain::notify::{Delivery, MailKind, unsubscribe_token};
use store::PgConnection;
use store::outbox::{Attachment, NewMail};

/// Who a mail is for.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub person: PersonId,
    pub email: String,
}

impl Recipient {
    pub fn of(person: &store::people::SignedIn) -> Self {
        Recipient {
            person: person.actor.person_id,
            email: person.email.clone(),
        }
    }
}

/// What a mail says to one recipient, before the footer.
pub struct Content {
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// The HTML fragment for the body (escaped by its template).
    pub html: String,
    pub attachment: Option<Attachment>,
}

#[derive(Template)]
#[template(path = "mail/layout.html")]
struct HtmlLayout<'a> {
    subject: &'a str,
    body: &'a str,
    hospital: &'a str,
    preferences: &'a str,
    unsubscribe: Option<&'a str>,
    kind: &'a str,
}

#[derive(Template)]
#[template(path = "mail/footer.txt")]
struct TextFooter<'a> {
    hospital: &'a str,
    preferences: &'a str,
    unsubscribe: Option<&'a str>,
    kind: &'a str,
}

/// The address of the page that unsubscribes `person` from `kind` without signing in.
pub fn unsubscribe_url(config: &Config, person: PersonId, kind: MailKind) -> AppResult<String> {
    let key = config
        .secret_key
        .as_ref()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no GG_SECRET_KEY for mail links")))?
        .derive("unsubscribe");
    Ok(format!(
        "{}/afmelden/{}",
        config.base_url,
        unsubscribe_token(&key, person.get(), kind)
    ))
}

/// Where mail comes from: the configuration (links, key) and the hospital's name. Handlers take
/// it from the state ([`Sender::of`]); the command line builds it from its configuration.
pub struct Sender<'a> {
    pub config: &'a Config,
    pub hospital: &'a str,
}

impl<'a> Sender<'a> {
    pub fn of(state: &'a crate::shared::state::AppState, hospital: &'a str) -> Self {
        Sender {
            config: &state.config,
            hospital,
        }
    }
}

/// Writes the mails of `kind` in the caller's transaction, each as its recipient wants it:
/// at once, held for the daily digest, or not at all. Returns how many were written.
pub async fn post(
    conn: &mut PgConnection,
    from: &Sender<'_>,
    kind: MailKind,
    letters: Vec<(Recipient, Content)>,
) -> AppResult<usize> {
    let mails = prepare(conn, from, kind, letters).await?;
    store::outbox::enqueue(conn, &mails).await?;
    Ok(mails.len())
}

/// The mails [`post`] would write, for a caller whose transaction only speaks the store's error
/// type: prepare before it, then `store::outbox::enqueue` the result inside it.
pub async fn prepare(
    conn: &mut PgConnection,
    from: &Sender<'_>,
    kind: MailKind,
    letters: Vec<(Recipient, Content)>,
) -> AppResult<Vec<NewMail>> {
    let people: Vec<PersonId> = letters.iter().map(|(r, _)| r.person).collect();
    let deliveries = store::outbox::deliveries(conn, &people, kind).await?;
    let hospital = from.hospital;
    let preferences = format!("{}/account/meldingen", from.config.base_url);
    let mut mails = Vec::with_capacity(letters.len());
    for (recipient, content) in letters {
        let delivery = deliveries
            .iter()
            .find(|(p, _)| *p == recipient.person)
            .map_or(kind.default_delivery(), |(_, d)| *d);
        if delivery == Delivery::Off {
            continue;
        }
        let unsubscribe = if kind.always_direct() {
            None
        } else {
            Some(unsubscribe_url(from.config, recipient.person, kind)?)
        };
        let html = HtmlLayout {
            subject: &content.subject,
            body: &content.html,
            hospital,
            preferences: &preferences,
            unsubscribe: unsubscribe.as_deref(),
            kind: kind.label(),
        }
        .render()?;
        let footer = TextFooter {
            hospital,
            preferences: &preferences,
            unsubscribe: unsubscribe.as_deref(),
            kind: kind.label(),
        }
        .render()?;
        mails.push(NewMail {
            person: Some(recipient.person),
            recipient: recipient.email,
            kind,
            subject: content.subject,
            text: format!("{}\n\n-- \n{footer}", content.text.trim_end()),
            html,
            attachment: content.attachment,
            for_digest: delivery == Delivery::Digest,
        });
    }
    Ok(mails)
}
