//! The iCal feed (A1): RFC 5545 text that Outlook, Google and Apple calendars subscribe to.
//! Times are written as Europe/Amsterdam wall-clock times with the zone's rules included, so a
//! meeting stays at the right hour in every client whatever its own zone database says.

use super::status::MeetingStatus;
use crate::nl::to_amsterdam;
use time::{OffsetDateTime, UtcOffset};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventStatus {
    Confirmed,
    Tentative,
    Cancelled,
}

impl EventStatus {
    fn code(self) -> &'static str {
        match self {
            EventStatus::Confirmed => "CONFIRMED",
            EventStatus::Tentative => "TENTATIVE",
            EventStatus::Cancelled => "CANCELLED",
        }
    }
}

impl From<MeetingStatus> for EventStatus {
    /// A meeting whose agenda is not yet published may still move.
    fn from(status: MeetingStatus) -> Self {
        match status {
            MeetingStatus::Concept => EventStatus::Tentative,
            _ => EventStatus::Confirmed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// Stable across feeds and edits (e.g. `meeting-42@host`), so clients update, not duplicate.
    pub uid: String,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub status: EventStatus,
    /// Raised on every change the attendee should notice (e.g. the meeting's version).
    pub sequence: u32,
}

pub const PRODID: &str = "-//Gelijkgericht//Vergaderingen//NL";
pub const TZID: &str = "Europe/Amsterdam";

/// The EU rule since 1996: summer time from the last Sunday of March 02:00 local to the last
/// Sunday of October 03:00 local (both 01:00 UTC). Written as yearly RRULEs rather than a list of
/// dates because that is what calendar programs expect and it never runs out; the tests expand
/// it and compare it with the tz database that `nl` reads, so the feed and the pages agree.
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Amsterdam",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// A TEXT value (RFC 5545 §3.3.11). Control characters other than tab are not allowed in a
/// content line and are dropped; any line break becomes `\n`.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A URI value is not escaped, but must stay on its content line.
fn clean_uri(uri: &str) -> String {
    uri.chars().filter(|c| !c.is_control()).collect()
}

/// Splits a content line into lines of at most 75 octets (RFC 5545 §3.1); continuation lines
/// start with a space, which counts toward their 75. Cuts fall between characters, never inside
/// one, because clients that unfold byte-wise would otherwise show garbage.
pub fn fold_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 74 * 3);
    let mut rest = line;
    let mut limit = 75;
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = 74;
    }
    out.push_str(rest);
    out
}

fn utc(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!("{}Z", stamp_digits(t))
}

fn amsterdam(t: OffsetDateTime) -> String {
    stamp_digits(to_amsterdam(t))
}

fn stamp_digits(t: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// An empty optional field is left out rather than written as an empty property.
fn optional(lines: &mut Vec<String>, name: &str, value: Option<&str>, escape: fn(&str) -> String) {
    if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
        lines.push(format!("{name}:{}", escape(v)));
    }
}

/// The whole feed. `stamp` is when it was generated (DTSTAMP of every event).
pub fn calendar(name: &str, stamp: OffsetDateTime, events: &[CalendarEvent]) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        format!("PRODID:{PRODID}"),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", escape_text(name)),
        format!("X-WR-TIMEZONE:{TZID}"),
        // Clients poll subscribed feeds on their own schedule; ask for hourly.
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H".into(),
        "X-PUBLISHED-TTL:PT1H".into(),
    ];
    lines.extend(VTIMEZONE.iter().map(|l| l.to_string()));
    let stamp = utc(stamp);
    for e in events {
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}", escape_text(&e.uid)));
        lines.push(format!("DTSTAMP:{stamp}"));
        lines.push(format!("DTSTART;TZID={TZID}:{}", amsterdam(e.starts_at)));
        lines.push(format!("DTEND;TZID={TZID}:{}", amsterdam(e.ends_at)));
        lines.push(format!("SUMMARY:{}", escape_text(&e.summary)));
        optional(
            &mut lines,
            "DESCRIPTION",
            e.description.as_deref(),
            escape_text,
        );
        optional(&mut lines, "LOCATION", e.location.as_deref(), escape_text);
        optional(&mut lines, "URL", e.url.as_deref(), clean_uri);
        lines.push(format!("STATUS:{}", e.status.code()));
        lines.push(format!("SEQUENCE:{}", e.sequence));
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());

    let mut out = String::new();
    for line in lines {
        out.push_str(&fold_line(&line));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests;
