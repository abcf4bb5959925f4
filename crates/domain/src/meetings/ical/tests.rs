use super::*;
use proptest::prelude::*;
use time::macros::datetime;
use time::{Month, Weekday};

fn unfold(text: &str) -> String {
    text.replace("\r\n ", "")
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => panic!("dangling backslash"),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn event() -> CalendarEvent {
    CalendarEvent {
        uid: "meeting-42@gelijkgericht.example".into(),
        summary: "Gezamenlijk overleg RvB–MSB+".into(),
        description: Some("Agenda:\n1. Opening; 2. Begroting, capaciteit".into()),
        location: Some("Vergaderzaal 2".into()),
        url: Some("https://gelijkgericht.example/vergaderingen/42".into()),
        starts_at: datetime!(2026-07-14 12:00 UTC),
        ends_at: datetime!(2026-07-14 14:00 UTC),
        status: EventStatus::Confirmed,
        sequence: 3,
    }
}

#[test]
fn a_feed_with_one_summer_meeting() {
    let feed = calendar(
        "Vergaderingen",
        datetime!(2026-11-23 13:05:09 UTC),
        &[event()],
    );
    assert!(feed.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
    assert!(feed.ends_with("END:VCALENDAR\r\n"));
    for expected in [
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Vergaderingen",
        "TZID:Europe/Amsterdam",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "UID:meeting-42@gelijkgericht.example",
        "DTSTAMP:20261123T130509Z",
        "DTSTART;TZID=Europe/Amsterdam:20260714T140000",
        "DTEND;TZID=Europe/Amsterdam:20260714T160000",
        "SUMMARY:Gezamenlijk overleg RvB–MSB+",
        "DESCRIPTION:Agenda:\\n1. Opening\\; 2. Begroting\\, capaciteit",
        "LOCATION:Vergaderzaal 2",
        "URL:https://gelijkgericht.example/vergaderingen/42",
        "STATUS:CONFIRMED",
        "SEQUENCE:3",
    ] {
        assert!(
            feed.split("\r\n").any(|l| l == expected),
            "missing {expected} in\n{feed}"
        );
    }
    assert!(!feed.replace("\r\n", "").contains('\n'));
}

#[test]
fn winter_meetings_are_one_hour_ahead_of_utc() {
    let mut e = event();
    e.starts_at = datetime!(2026-01-13 12:00 UTC);
    e.ends_at = datetime!(2026-01-13 13:30 UTC);
    e.status = EventStatus::from(MeetingStatus::Concept);
    e.location = Some("  ".into());
    e.description = None;
    let feed = calendar("x", datetime!(2026-01-01 00:00 UTC), &[e]);
    assert!(feed.contains("DTSTART;TZID=Europe/Amsterdam:20260113T130000\r\n"));
    assert!(feed.contains("DTEND;TZID=Europe/Amsterdam:20260113T143000\r\n"));
    assert!(feed.contains("STATUS:TENTATIVE\r\n"));
    assert!(!feed.contains("LOCATION"));
    assert!(!feed.contains("DESCRIPTION"));
}

#[test]
fn the_timezone_rules_match_nl() {
    // The VTIMEZONE's first switches fall on the last Sundays of March and October 1970.
    for (line, month, day) in [
        ("DTSTART:19700329T020000", Month::March, 29),
        ("DTSTART:19701025T030000", Month::October, 25),
    ] {
        assert!(VTIMEZONE.contains(&line));
        let d = time::Date::from_calendar_date(1970, month, day).unwrap();
        assert_eq!(d.weekday(), Weekday::Sunday);
        assert!(day + 7 > time::util::days_in_month(month, 1970));
    }
    // And the switch happens at the local times the rules name: 02:00 CET and 03:00 CEST.
    let spring = datetime!(2026-03-29 01:00 UTC);
    assert_eq!(
        amsterdam(spring - time::Duration::SECOND),
        "20260329T015959"
    );
    assert_eq!(amsterdam(spring), "20260329T030000");
    let autumn = datetime!(2026-10-25 01:00 UTC);
    assert_eq!(
        amsterdam(autumn - time::Duration::SECOND),
        "20261025T025959"
    );
    assert_eq!(amsterdam(autumn), "20261025T020000");
}

/// `+0100` → 3600.
fn offset_seconds(text: &str) -> i32 {
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let hours: i32 = text[1..3].parse().unwrap();
    let minutes: i32 = text[3..5].parse().unwrap();
    sign * (hours * 3600 + minutes * 60)
}

/// Expands the VTIMEZONE's yearly rules for `year` the way a calendar program does: the last
/// Sunday of BYMONTH at DTSTART's wall-clock time, read with TZOFFSETFROM. Returns (UTC unix
/// time, offset before, offset after), in order.
fn vtimezone_switches(year: i32) -> Vec<(i64, i32, i32)> {
    let mut switches = Vec::new();
    let field = |block: &[&str], name: &str| -> String {
        block
            .iter()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("{name} missing"))
            .to_string()
    };
    let mut rest = VTIMEZONE;
    while let Some(begin) = rest
        .iter()
        .position(|l| *l == "BEGIN:DAYLIGHT" || *l == "BEGIN:STANDARD")
    {
        let end = begin
            + rest[begin..]
                .iter()
                .position(|l| l.starts_with("END:"))
                .unwrap();
        let block = &rest[begin..end];
        let from = offset_seconds(&field(block, "TZOFFSETFROM:"));
        let to = offset_seconds(&field(block, "TZOFFSETTO:"));
        let dtstart = field(block, "DTSTART:");
        let rrule = field(block, "RRULE:");
        let month: u8 = rrule
            .strip_prefix("FREQ=YEARLY;BYMONTH=")
            .and_then(|r| r.strip_suffix(";BYDAY=-1SU"))
            .unwrap_or_else(|| panic!("unexpected rule {rrule}"))
            .parse()
            .unwrap();
        let month = Month::try_from(month).unwrap();
        let mut day =
            time::Date::from_calendar_date(year, month, time::util::days_in_month(month, year))
                .unwrap();
        while day.weekday() != Weekday::Sunday {
            day = day.previous_day().unwrap();
        }
        let clock = time::Time::from_hms(
            dtstart[9..11].parse().unwrap(),
            dtstart[11..13].parse().unwrap(),
            dtstart[13..15].parse().unwrap(),
        )
        .unwrap();
        let at = time::PrimitiveDateTime::new(day, clock)
            .assume_offset(UtcOffset::from_whole_seconds(from).unwrap());
        switches.push((at.unix_timestamp(), from, to));
        rest = &rest[end..];
    }
    switches.sort();
    switches
}

#[test]
fn the_vtimezone_agrees_with_the_tz_database_for_2026_to_2030() {
    let zone = crate::nl::amsterdam_zone();
    let from =
        jiff::Timestamp::from_second(datetime!(2026-01-01 00:00 UTC).unix_timestamp()).unwrap();
    let until =
        jiff::Timestamp::from_second(datetime!(2031-01-01 00:00 UTC).unix_timestamp()).unwrap();
    let from_data: Vec<(i64, i32, i32)> = zone
        .following(from)
        .take_while(|t| t.timestamp() < until)
        .map(|t| {
            let before = zone.to_offset(t.timestamp() - jiff::SignedDuration::from_secs(1));
            (
                t.timestamp().as_second(),
                before.seconds(),
                t.offset().seconds(),
            )
        })
        .collect();
    let from_feed: Vec<(i64, i32, i32)> = (2026..=2030).flat_map(vtimezone_switches).collect();
    assert_eq!(from_feed.len(), 10);
    assert_eq!(from_feed, from_data);
}

#[test]
fn escaping() {
    assert_eq!(
        escape_text("a\\b;c,d\ne\r\nf\rg\u{7}h\ti"),
        "a\\\\b\\;c\\,d\\ne\\nf\\ngh\ti"
    );
    assert_eq!(escape_text("Cliëntenraad – €"), "Cliëntenraad – €");
}

#[test]
fn folding_at_75_octets_without_splitting_characters() {
    let short = "SUMMARY:kort";
    assert_eq!(fold_line(short), short);
    let exact = "x".repeat(75);
    assert_eq!(fold_line(&exact), exact);
    let long = format!("DESCRIPTION:{}", "é".repeat(60));
    let folded = fold_line(&long);
    for line in folded.split("\r\n") {
        assert!(line.len() <= 75, "{line}");
    }
    assert!(folded.split("\r\n").skip(1).all(|l| l.starts_with(' ')));
    assert_eq!(unfold(&folded), long);
}

fn text() -> impl Strategy<Value = String> {
    // Mixed widths (1–4 byte characters) and everything that needs escaping.
    prop::collection::vec(
        prop::sample::select(vec![
            'a', ' ', 'é', '–', '€', '😀', ';', ',', '\\', '\n', '\r', '\t',
        ]),
        0..200,
    )
    .prop_map(|c| c.into_iter().collect())
}

proptest! {
    #[test]
    fn folded_lines_are_short_and_unfold_to_the_original(line in "[^\r\n]{0,400}") {
        let folded = fold_line(&line);
        for (i, part) in folded.split("\r\n").enumerate() {
            prop_assert!(part.len() <= 75);
            prop_assert!(i == 0 || part.starts_with(' '));
        }
        prop_assert_eq!(unfold(&folded), line);
    }

    #[test]
    fn escaping_round_trips(t in text()) {
        let escaped = escape_text(&t);
        prop_assert!(!escaped.contains(['\r', '\n']));
        let expected = t.replace("\r\n", "\n").replace('\r', "\n");
        prop_assert_eq!(unescape(&escaped), expected);
    }

    #[test]
    fn every_feed_line_is_well_formed(
        summary in text(),
        description in text(),
        minutes in 0i64..2_000_000,
    ) {
        let mut e = event();
        e.summary = summary.clone();
        e.description = Some(description);
        e.starts_at = datetime!(2024-01-01 00:00 UTC) + time::Duration::minutes(minutes);
        let feed = calendar(&summary, e.starts_at, &[e.clone()]);
        prop_assert!(feed.ends_with("\r\n"));
        let body = &feed[..feed.len() - 2];
        for line in body.split("\r\n") {
            prop_assert!(line.len() <= 75);
            prop_assert!(!line.contains(['\r', '\n']));
        }
        let local = crate::nl::to_amsterdam(e.starts_at);
        let dtstart = format!(
            "DTSTART;TZID=Europe/Amsterdam:{:04}{:02}{:02}T{:02}{:02}00",
            local.year(), u8::from(local.month()), local.day(), local.hour(), local.minute()
        );
        let unfolded = unfold(&feed);
        prop_assert!(unfolded.split("\r\n").any(|l| l == dtstart));
        let summary_line = unfolded.split("\r\n").find(|l| l.starts_with("SUMMARY:")).unwrap();
        prop_assert_eq!(
            unescape(&summary_line["SUMMARY:".len()..]),
            summary.replace("\r\n", "\n").replace('\r', "\n")
        );
    }
}
