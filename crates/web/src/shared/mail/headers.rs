//! The list headers of a mail that can be unsubscribed from: `List-Unsubscribe` (RFC 2369) names
//! the mail's own unsubscribe link, so a mail program can offer its own button, and
//! `List-Unsubscribe-Post` (RFC 8058) tells it that one POST to that link suffices, so it need not
//! open the page (which only asks for a click, for the sake of link scanners).

use lettre::message::header::{Header, HeaderName, HeaderValue};

type ParseError = Box<dyn std::error::Error + Send + Sync>;

/// `List-Unsubscribe: <https://…/afmelden/{token}>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListUnsubscribe(pub String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, ParseError> {
        s.trim()
            .strip_prefix('<')
            .and_then(|r| r.strip_suffix('>'))
            .map(|url| ListUnsubscribe(url.to_string()))
            .ok_or_else(|| "List-Unsubscribe without <…>".into())
    }

    fn display(&self) -> HeaderValue {
        // Encoded by lettre like any header: a URL has no spaces, so it is never folded, and a
        // line break in it could not inject a header.
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListUnsubscribePost;

/// The header's only value, and the form a mail program posts to the link.
pub const ONE_CLICK: &str = "List-Unsubscribe=One-Click";

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(s: &str) -> Result<Self, ParseError> {
        if s.trim() == ONE_CLICK {
            Ok(ListUnsubscribePost)
        } else {
            Err(format!("List-Unsubscribe-Post: {s}").into())
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), ONE_CLICK.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lettre::message::header::Headers;

    #[test]
    fn both_headers_are_written_as_the_rfcs_spell_them_and_read_back() {
        let url = format!(
            "https://gg.ziekenhuis.nl/afmelden/12.agenda.{}",
            "ab".repeat(32)
        );
        let mut headers = Headers::new();
        headers.set(ListUnsubscribe(url.clone()));
        headers.set(ListUnsubscribePost);
        assert_eq!(
            headers.to_string(),
            format!(
                "List-Unsubscribe: <{url}>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            ),
            "one line each, however long the link"
        );
        assert_eq!(headers.get::<ListUnsubscribe>(), Some(ListUnsubscribe(url)));
        assert_eq!(
            headers.get::<ListUnsubscribePost>(),
            Some(ListUnsubscribePost)
        );
    }
}
