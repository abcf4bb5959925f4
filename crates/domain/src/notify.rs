//! E-mail notifications (issue #16): what kinds of mail there are, how each person wants them
//! (immediately, in the daily digest, or not at all), the signed unsubscribe link that needs no
//! sign-in, and the stable Message-ID that lets a repeated send be recognised. The mails'
//! contents are rendered in the web layer per recipient, as the pages are; delivery is the
//! store's outbox and the web layer's worker (docs/notifications.md).

use hmac::{Hmac, Mac};
use sha2::Sha256;

code_enum! {
    /// What a mail is about. Each kind is one preference a person can set.
    MailKind {
        /// The agenda of a meeting, published or changed after publication.
        Agenda => "agenda", "Agenda van een vergadering";
        /// A decision awaited from a body, or a *verdeeld* outcome.
        Besluiten => "besluiten", "Besluiten van uw gremium";
        /// The daily overview of one's agreements that need attention.
        Afspraken => "afspraken", "Mijn afspraken (dagelijks overzicht)";
        /// Trend inputs submitted, returned or accepted.
        Trendinput => "trendinput", "Trendinput van vakgroepen";
        /// A 7S round opened, and the reminder before it closes.
        Zelfevaluatie => "zelfevaluatie", "Zelfevaluatie";
        /// A budget proposed for adoption, and adopted.
        Begroting => "begroting", "Capaciteitsbegroting";
        /// Set-password links and notices of a changed password or second factor: always sent.
        Beveiliging => "beveiliging", "Beveiliging van uw account";
        /// The daily digest of what a person chose to receive that way: sent when there is
        /// something in it; each kind in it keeps its own setting.
        Dagoverzicht => "dagoverzicht", "Dagoverzicht";
    }
}

code_enum! {
    /// How a person wants one kind of mail.
    Delivery {
        Direct => "direct", "Direct";
        Digest => "dagoverzicht", "In het dagoverzicht";
        Off => "uit", "Uit";
    }
}

impl MailKind {
    /// Security mail cannot be switched off or delayed: a notice that one's password changed is
    /// worthless a day later, and someone who took over the account must not be able to silence it.
    /// The digest itself is no choice either: it only carries what the person chose to bundle.
    pub fn always_direct(self) -> bool {
        matches!(self, MailKind::Beveiliging | MailKind::Dagoverzicht)
    }

    /// The kinds a person can choose for (all but security).
    pub fn choosable() -> impl Iterator<Item = MailKind> {
        MailKind::ALL.iter().copied().filter(|k| !k.always_direct())
    }

    /// What a person gets without having chosen: everything immediately, except the agreements
    /// overview, which is a digest by nature.
    pub fn default_delivery(self) -> Delivery {
        match self {
            MailKind::Afspraken => Delivery::Digest,
            _ => Delivery::Direct,
        }
    }

    /// The delivery that applies given the person's stored choice (if any).
    pub fn delivery(self, chosen: Option<Delivery>) -> Delivery {
        if self.always_direct() {
            Delivery::Direct
        } else {
            chosen.unwrap_or(self.default_delivery())
        }
    }
}

type HmacSha256 = Hmac<Sha256>;

/// Domain separation: an unsubscribe signature can never stand for anything else signed with the
/// same key.
const UNSUBSCRIBE_CONTEXT: &[u8] = b"gelijkgericht unsubscribe v1\0";

/// The signed part of an unsubscribe link for one person and one kind:
/// `<person>.<kind>.<signature>`. It needs no sign-in and can do exactly one thing: switch that
/// kind off for that person. It does not expire: a link in an old mail should still work.
pub fn unsubscribe_token(key: &[u8; 32], person: i64, kind: MailKind) -> String {
    let signature = mac(key, person, kind).finalize().into_bytes();
    format!("{person}.{}.{}", kind.code(), hex::encode(signature))
}

fn mac(key: &[u8; 32], person: i64, kind: MailKind) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(UNSUBSCRIBE_CONTEXT);
    mac.update(person.to_string().as_bytes());
    mac.update(b".");
    mac.update(kind.code().as_bytes());
    mac
}

/// The person and kind of a genuine token; `None` for anything forged, changed or malformed.
pub fn check_unsubscribe_token(key: &[u8; 32], token: &str) -> Option<(i64, MailKind)> {
    let mut parts = token.splitn(3, '.');
    let person: i64 = parts.next()?.parse().ok()?;
    let kind = MailKind::parse(parts.next()?)?;
    let signature = hex::decode(parts.next()?).ok()?;
    // Constant-time comparison: the signature must not be guessable byte by byte.
    mac(key, person, kind).verify_slice(&signature).ok()?;
    (!kind.always_direct()).then_some((person, kind))
}

/// The Message-ID of an outbox row: the same for every attempt to send it, so a mail that is
/// sent twice after a crash (between sending and marking it sent) is recognised as one by mail
/// programs that deduplicate.
pub fn message_id(outbox_id: i64, created_unix: i64, host: &str) -> String {
    format!("<gg-{outbox_id}-{created_unix}@{host}>")
}

/// The host part for Message-IDs and the sender: the host of the base URL, or `localhost`.
pub fn mail_host(base_url: &str) -> &str {
    let rest = base_url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(base_url);
    let host = rest.split(['/', ':', '?', '#']).next().unwrap_or_default();
    if host.is_empty() { "localhost" } else { host }
}

/// Seconds to wait before attempt `attempt` (1-based) after a failure: 1 minute, doubling, at
/// most 6 hours; a mail is given up after [`MAX_ATTEMPTS`] (about two days).
pub fn retry_after(attempt: i32) -> i64 {
    let doublings = attempt.clamp(1, 20) - 1;
    (60i64 << doublings).min(6 * 3600)
}

pub const MAX_ATTEMPTS: i32 = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn security_mail_is_always_direct_and_cannot_be_unsubscribed() {
        assert_eq!(
            MailKind::Beveiliging.delivery(Some(Delivery::Off)),
            Delivery::Direct
        );
        assert!(MailKind::choosable().all(|k| k != MailKind::Beveiliging));
        let token = unsubscribe_token(&KEY, 5, MailKind::Beveiliging);
        assert_eq!(check_unsubscribe_token(&KEY, &token), None);
    }

    #[test]
    fn defaults_and_choices() {
        assert_eq!(MailKind::Agenda.delivery(None), Delivery::Direct);
        assert_eq!(MailKind::Afspraken.delivery(None), Delivery::Digest);
        assert_eq!(
            MailKind::Agenda.delivery(Some(Delivery::Off)),
            Delivery::Off
        );
    }

    #[test]
    fn a_token_names_its_person_and_kind_and_nothing_else() {
        let token = unsubscribe_token(&KEY, 42, MailKind::Agenda);
        assert_eq!(
            check_unsubscribe_token(&KEY, &token),
            Some((42, MailKind::Agenda))
        );
        // Another person or kind with the same signature, another key, a cut or changed token.
        let sig = token.rsplit('.').next().unwrap();
        for forged in [
            format!("43.agenda.{sig}"),
            format!("42.begroting.{sig}"),
            token[..token.len() - 1].to_string(),
            format!("{token}0"),
            String::new(),
            "42.agenda".into(),
            "\0.\0.\0".into(),
        ] {
            assert_eq!(check_unsubscribe_token(&KEY, &forged), None, "{forged}");
        }
        assert_eq!(check_unsubscribe_token(&[8; 32], &token), None);
    }

    #[test]
    fn message_ids_are_stable_per_row_and_hosts_are_read_from_the_base_url() {
        assert_eq!(
            message_id(7, 1_800_000_000, "gg.example"),
            message_id(7, 1_800_000_000, "gg.example")
        );
        assert_ne!(message_id(7, 1, "h"), message_id(8, 1, "h"));
        assert_eq!(
            mail_host("https://gg.ziekenhuis.nl/app"),
            "gg.ziekenhuis.nl"
        );
        assert_eq!(mail_host("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(mail_host(""), "localhost");
    }

    #[test]
    fn retries_back_off_to_six_hours() {
        assert_eq!(retry_after(1), 60);
        assert_eq!(retry_after(2), 120);
        assert_eq!(retry_after(10), 6 * 3600);
        assert_eq!(retry_after(i32::MAX), 6 * 3600);
        let total: i64 = (1..MAX_ATTEMPTS).map(retry_after).sum();
        assert!((24 * 3600..4 * 24 * 3600).contains(&total), "{total}");
    }

    proptest! {
        #[test]
        fn no_random_text_is_accepted_as_a_token(text in ".{0,120}") {
            prop_assert_eq!(check_unsubscribe_token(&KEY, &text), None);
        }
    }
}
