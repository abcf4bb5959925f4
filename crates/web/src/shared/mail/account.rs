//! The account's own mails, all of the kind that is always sent: the link to set a password, and
//! the notice that something guarding the account changed — so that a person whose account was
//! taken over hears of it, even from the one who took it over.

use super::{Content, Recipient, Sender, post};
use crate::shared::error::AppResult;
use askama::Template;
use domain::notify::MailKind;
use store::PgConnection;

#[derive(Template)]
#[template(path = "mail/password_link.txt")]
struct LinkText<'a> {
    name: &'a str,
    hospital: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/password_link.html")]
struct LinkHtml<'a> {
    name: &'a str,
    hospital: &'a str,
    link: &'a str,
}

/// The set-password link for a new person (or a new link), in the transaction that made it.
pub async fn password_link(
    conn: &mut PgConnection,
    from: &Sender<'_>,
    to: Recipient,
    name: &str,
    token: &str,
) -> AppResult<()> {
    let link = format!("{}/wachtwoord-instellen/{token}", from.config.base_url);
    let content = Content {
        subject: format!("Uw account voor Gelijkgericht ({})", from.hospital),
        text: LinkText {
            name,
            hospital: from.hospital,
            link: &link,
        }
        .render()?,
        html: LinkHtml {
            name,
            hospital: from.hospital,
            link: &link,
        }
        .render()?,
        attachment: None,
    };
    post(conn, from, MailKind::Beveiliging, vec![(to, content)]).await?;
    Ok(())
}

/// What changed on an account.
#[derive(Debug, Clone, Copy)]
pub enum Change {
    Password,
    SecondFactorOn,
    SecondFactorReplaced,
    SecondFactorReset,
    RecoveryCodesReplaced,
    RecoveryCodeUsed,
}

impl Change {
    fn sentence(self) -> &'static str {
        match self {
            Change::Password => "Het wachtwoord van uw account is gewijzigd.",
            Change::SecondFactorOn => "Tweestapsverificatie is ingesteld voor uw account.",
            Change::SecondFactorReplaced => {
                "Tweestapsverificatie van uw account is opnieuw ingesteld, met een andere telefoon of app."
            }
            Change::SecondFactorReset => {
                "De beheerder heeft de tweestapsverificatie van uw account gereset; al uw sessies zijn beëindigd."
            }
            Change::RecoveryCodesReplaced => {
                "Er zijn nieuwe herstelcodes gemaakt voor uw account; de oude werken niet meer."
            }
            Change::RecoveryCodeUsed => "Er is ingelogd op uw account met een herstelcode.",
        }
    }
}

#[derive(Template)]
#[template(path = "mail/security.txt")]
struct NoticeText<'a> {
    sentence: &'a str,
    at: &'a str,
    base: &'a str,
}

#[derive(Template)]
#[template(path = "mail/security.html")]
struct NoticeHtml<'a> {
    sentence: &'a str,
    at: &'a str,
    base: &'a str,
}

/// The notice of `change`, in the transaction that made it.
pub async fn notice(
    conn: &mut PgConnection,
    from: &Sender<'_>,
    to: Recipient,
    change: Change,
) -> AppResult<()> {
    let at = domain::nl::datetime(time::OffsetDateTime::now_utc());
    let base = &from.config.base_url;
    let content = Content {
        subject: "Gelijkgericht: wijziging aan uw account".to_string(),
        text: NoticeText {
            sentence: change.sentence(),
            at: &at,
            base,
        }
        .render()?,
        html: NoticeHtml {
            sentence: change.sentence(),
            at: &at,
            base,
        }
        .render()?,
        attachment: None,
    };
    post(conn, from, MailKind::Beveiliging, vec![(to, content)]).await?;
    Ok(())
}
