//! A meeting as a calendar event, the same in the personal feed and in the agenda mail's
//! attachment, so a calendar that has both sees one event (same UID) and updates it.

use domain::meetings::ical::{CalendarEvent, EventStatus};
use std::collections::HashMap;
use store::meetings::Meeting;

/// `codes`: the bodies' codes by id, for the description.
pub fn event(base_url: &str, m: &Meeting, codes: &HashMap<i64, String>) -> CalendarEvent {
    let status = m.status;
    let bodies: Vec<&str> = m
        .bodies
        .iter()
        .filter_map(|b| codes.get(b).map(String::as_str))
        .collect();
    let url = format!("{base_url}/vergaderingen/{}", m.id);
    // No agenda items here: a feed leaves the application's compartments behind, so it says no
    // more than the meeting list does.
    let mut description = format!(
        "{} ({})\nStatus: {}\nAgenda en stukken: {url}",
        m.kind.label(),
        bodies.join(", "),
        status.label(),
    );
    if !m.video_url.is_empty() {
        description.push_str(&format!("\nVideolink: {}", m.video_url));
    }
    let location = if m.location.is_empty() {
        &m.video_url
    } else {
        &m.location
    };
    CalendarEvent {
        uid: format!("meeting-{}@gelijkgericht", m.id),
        summary: m.title.clone(),
        description: Some(description),
        location: Some(location.clone()),
        url: Some(url),
        starts_at: m.starts_at,
        ends_at: m.ends_at,
        status: EventStatus::from(status),
        sequence: m.version.max(0) as u32,
    }
}
