//! The meeting form's rules (product.md A1): title, kind, date and Dutch wall-clock times, the
//! participating bodies and an optional series. The web reads the form, the store writes the
//! checked draft; every rule and its Dutch message lives here.

use super::kinds::{MeetingKind, Recurrence};
use crate::authz::Actor;
use crate::nl;
use crate::people::FieldError;
use crate::text;
use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, Time};

/// The meeting form as typed (the ticked bodies come separately: the form repeats `body`).
#[derive(Debug, Deserialize, Default, Clone)]
pub struct MeetingForm {
    #[serde(default)]
    pub version: i32,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub video_url: String,
    #[serde(default)]
    pub recurrence: String,
    #[serde(default)]
    pub count: String,
}

/// A checked meeting, as the store writes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeetingDraft {
    pub title: String,
    pub kind: MeetingKind,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub location: String,
    pub video_url: String,
    pub bodies: Vec<i64>,
}

/// How often a new meeting repeats: `count` occurrences from `first` (Dutch wall-clock time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Series {
    pub recurrence: Recurrence,
    pub count: u8,
    pub first: PrimitiveDateTime,
}

fn add(errors: &mut Vec<FieldError>, field: &'static str, message: &str) {
    errors.push(FieldError::new(field, message));
}

fn limit(errors: &mut Vec<FieldError>, field: &'static str, value: &str, max: usize) {
    if let Some(message) = text::too_long(value, max) {
        errors.push(FieldError::new(field, message));
    }
}

fn parse_time(s: &str) -> Option<Time> {
    let t = s.trim().replace('.', ":");
    Time::parse(&t, format_description!("[hour]:[minute]")).ok()
}

impl MeetingDraft {
    /// Checks the form with the ticked `bodies` against the bodies that exist (`known`); every
    /// problem is reported at its field, all at once.
    pub fn parse(
        form: &MeetingForm,
        bodies: &[i64],
        known: &[i64],
    ) -> Result<(MeetingDraft, Series), Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = form.title.trim().to_string();
        if title.is_empty() || title.chars().count() > 200 {
            add(
                &mut errors,
                "title",
                "Vul een titel in (hoogstens 200 tekens).",
            );
        }
        let kind = MeetingKind::parse(&form.kind);
        if kind.is_none() {
            add(&mut errors, "kind", "Kies het soort vergadering.");
        }
        let date = nl::parse_date(&form.date);
        if date.is_none() {
            add(&mut errors, "date", "Vul een datum in als dd-mm-jjjj.");
        }
        let (start, end) = (parse_time(&form.start), parse_time(&form.end));
        if start.is_none() {
            add(
                &mut errors,
                "start",
                "Vul een begintijd in als uu:mm, bijvoorbeeld 16:00.",
            );
        }
        if end.is_none() {
            add(
                &mut errors,
                "end",
                "Vul een eindtijd in als uu:mm, bijvoorbeeld 18:00.",
            );
        }
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
        {
            add(
                &mut errors,
                "end",
                "De eindtijd moet na de begintijd liggen.",
            );
        }
        if bodies.is_empty() || bodies.iter().any(|b| !known.contains(b)) {
            add(&mut errors, "bodies", "Kies de gremia die deelnemen.");
        }
        if kind == Some(MeetingKind::Gezamenlijk) && bodies.len() < 2 {
            add(
                &mut errors,
                "bodies",
                "Aan een gezamenlijk overleg nemen minstens twee gremia deel.",
            );
        }
        let location = form.location.trim().to_string();
        limit(&mut errors, "location", &location, text::max::SHORT);
        let video_url = form.video_url.trim().to_string();
        if !video_url.is_empty() && !video_url.starts_with("https://") {
            add(
                &mut errors,
                "video_url",
                "Een videolink begint met https://.",
            );
        }
        limit(&mut errors, "video_url", &video_url, text::max::URL);
        let recurrence = if form.recurrence.is_empty() {
            Some(Recurrence::Eenmalig)
        } else {
            Recurrence::parse(&form.recurrence)
        };
        let count = if form.count.trim().is_empty() {
            Some(1)
        } else {
            form.count
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=24).contains(n))
        };
        if recurrence.is_none() {
            add(
                &mut errors,
                "recurrence",
                "Kies hoe vaak de vergadering terugkomt.",
            );
        }
        if count.is_none() {
            add(
                &mut errors,
                "count",
                "Vul een aantal van 1 tot en met 24 in.",
            );
        }
        match (kind, date, start, end, recurrence, count) {
            (Some(kind), Some(date), Some(start), Some(end), Some(recurrence), Some(count))
                if errors.is_empty() =>
            {
                let first = PrimitiveDateTime::new(date, start);
                let draft = MeetingDraft {
                    title,
                    kind,
                    starts_at: nl::from_amsterdam(first),
                    ends_at: nl::from_amsterdam(PrimitiveDateTime::new(date, end)),
                    location,
                    video_url,
                    bodies: bodies.to_vec(),
                };
                Ok((
                    draft,
                    Series {
                        recurrence,
                        count,
                        first,
                    },
                ))
            }
            _ => Err(errors),
        }
    }

    /// A person plans meetings only of bodies they are a member of.
    pub fn check_planner(&self, actor: &Actor) -> Result<(), FieldError> {
        if actor.can_see_meeting(&self.bodies) {
            Ok(())
        } else {
            Err(FieldError::new(
                "bodies",
                "U kunt alleen vergaderingen plannen van gremia waarvan u lid bent.",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> MeetingForm {
        MeetingForm {
            title: " Gezamenlijk overleg ".into(),
            kind: "gezamenlijk".into(),
            date: "2027-03-02".into(),
            start: "16.00".into(),
            end: "18:00".into(),
            ..Default::default()
        }
    }

    fn fields(form: &MeetingForm, bodies: &[i64]) -> Vec<&'static str> {
        MeetingDraft::parse(form, bodies, &[1, 2, 3])
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_complete_form_is_one_meeting_in_dutch_time() {
        let (draft, series) = MeetingDraft::parse(&form(), &[1, 2], &[1, 2, 3]).unwrap();
        assert_eq!(draft.title, "Gezamenlijk overleg");
        assert_eq!(draft.kind, MeetingKind::Gezamenlijk);
        // 2 March is winter time: 16:00 in Amsterdam is 15:00 UTC.
        assert_eq!(draft.starts_at.to_offset(time::UtcOffset::UTC).hour(), 15);
        assert_eq!((draft.ends_at - draft.starts_at).whole_hours(), 2);
        assert_eq!(series.recurrence, Recurrence::Eenmalig);
        assert_eq!(series.count, 1);
    }

    #[test]
    fn every_problem_is_reported_at_its_field() {
        let f = MeetingForm {
            title: String::new(),
            kind: "feest".into(),
            date: "31-02-2027".into(),
            start: "18:00".into(),
            end: "17:00".into(),
            video_url: "http://example.org".into(),
            recurrence: "elke dag".into(),
            count: "25".into(),
            location: "x".repeat(201),
            ..Default::default()
        };
        assert_eq!(
            fields(&f, &[9]),
            [
                "title",
                "kind",
                "date",
                "end",
                "bodies",
                "location",
                "video_url",
                "recurrence",
                "count"
            ]
        );
    }

    #[test]
    fn a_joint_meeting_needs_two_bodies() {
        assert_eq!(fields(&form(), &[1]), ["bodies"]);
        let mut single = form();
        single.kind = "gremium".into();
        assert!(MeetingDraft::parse(&single, &[1], &[1, 2]).is_ok());
    }
}
