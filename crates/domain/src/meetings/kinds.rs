//! The vocabularies of meetings and agenda items (A1–A3), and recurring series.

use time::{Date, Duration, Month, PrimitiveDateTime};

code_enum! {
    /// Who meets: the joint RvB–MSB+ meeting, one body on its own, or a members' assembly.
    MeetingKind {
        Gezamenlijk => "gezamenlijk", "Gezamenlijk overleg RvB–MSB+";
        Gremium => "gremium", "Vergadering van één gremium";
        Alv => "alv", "Algemene ledenvergadering";
    }
}

code_enum! {
    /// Why an item is on the agenda.
    Purpose {
        Informatie => "informatie", "Informatie";
        Bespreking => "bespreking", "Bespreking";
        Besluitvorming => "besluitvorming", "Besluitvorming";
        Advies => "advies", "Advies";
    }
}

code_enum! {
    /// What an item is about; it decides who may vote on it (A4, see `voting::eligible`).
    Subject {
        Algemeen => "algemeen", "Algemeen";
        FinancieelVrijgevestigd => "financieel_vrijgevestigd",
            "Financiële zaken vrijgevestigde specialisten";
        ArbeidsvoorwaardenDienstverband => "arbeidsvoorwaarden_dienstverband",
            "Arbeidsvoorwaarden specialisten in dienstverband";
    }
}

code_enum! {
    /// What one body decided on an item (A3). Lower case because it reads inside sentences:
    /// "MSB: gewijzigd aangenomen".
    DecisionOutcome {
        Aangenomen => "aangenomen", "aangenomen";
        Verworpen => "verworpen", "verworpen";
        Aangehouden => "aangehouden", "aangehouden";
        GewijzigdAangenomen => "gewijzigd_aangenomen", "gewijzigd aangenomen";
    }
}

impl DecisionOutcome {
    /// Whether the body adopted a text, so that the texts of several bodies must match.
    pub fn adopts_text(self) -> bool {
        matches!(
            self,
            DecisionOutcome::Aangenomen | DecisionOutcome::GewijzigdAangenomen
        )
    }
}

code_enum! {
    /// Items every agenda gets without anyone adding them (A2).
    StandingItem {
        Opening => "opening", "Opening en mededelingen";
        Notulen => "notulen", "Vaststellen notulen vorige vergadering";
        Afspraken => "afspraken", "Afspraken die aandacht vragen";
        Rondvraag => "rondvraag", "Rondvraag en sluiting";
    }
}

impl StandingItem {
    /// Approving the previous minutes is a decision of the bodies; the other standing items only
    /// inform.
    pub fn purpose(self) -> Purpose {
        match self {
            StandingItem::Notulen => Purpose::Besluitvorming,
            _ => Purpose::Informatie,
        }
    }

    /// Standing items concern everyone at the table, so no vote on them is restricted to one
    /// employment form.
    pub fn subject(self) -> Subject {
        Subject::Algemeen
    }
}

/// Where a standing item goes: before or after the items the secretary adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placement {
    Start,
    End,
}

/// The standing items in agenda order with their default planned minutes.
pub fn standing_items() -> [(StandingItem, u32); 4] {
    [
        (StandingItem::Opening, 5),
        (StandingItem::Notulen, 5),
        (StandingItem::Afspraken, 10),
        (StandingItem::Rondvraag, 5),
    ]
}

pub fn standing_position(kind: StandingItem) -> Placement {
    match kind {
        StandingItem::Rondvraag => Placement::End,
        _ => Placement::Start,
    }
}

code_enum! {
    /// How often a series of meetings repeats.
    Recurrence {
        Eenmalig => "eenmalig", "Eenmalig";
        Wekelijks => "wekelijks", "Wekelijks";
        Maandelijks => "maandelijks", "Maandelijks";
    }
}

/// More would plan two years of monthly meetings ahead; a series can always be extended.
pub const MAX_OCCURRENCES: u8 = 24;

/// The dates of a series in local (Amsterdam) wall-clock time, so that a meeting at 17:00 stays
/// at 17:00 across daylight-saving changes (turn them into instants with `nl::from_amsterdam`).
/// Monthly series keep the weekday of the month ("second Tuesday"); a fifth weekday becomes the
/// last one in months that have only four.
pub fn occurrences(
    first: PrimitiveDateTime,
    recurrence: Recurrence,
    count: u8,
) -> Vec<PrimitiveDateTime> {
    let count = count.min(MAX_OCCURRENCES);
    let count = match recurrence {
        Recurrence::Eenmalig => count.min(1),
        _ => count,
    };
    let date = first.date();
    let ordinal = (date.day() - 1) / 7 + 1;
    let mut out = Vec::with_capacity(count as usize);
    for i in 0..i64::from(count) {
        let next = match recurrence {
            Recurrence::Eenmalig => Some(date),
            Recurrence::Wekelijks => date.checked_add(Duration::weeks(i)),
            Recurrence::Maandelijks => add_months(date.year(), date.month(), i)
                .and_then(|(y, m)| nth_weekday(y, m, date.weekday(), ordinal)),
        };
        // Beyond the year 9999 the calendar ends; the series simply stops there.
        match next {
            Some(d) => out.push(PrimitiveDateTime::new(d, first.time())),
            None => break,
        }
    }
    out
}

fn add_months(year: i32, month: Month, months: i64) -> Option<(i32, Month)> {
    let index = i64::from(year) * 12 + i64::from(u8::from(month)) - 1 + months;
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    Some((year, month))
}

/// The `ordinal`-th (1–5) `weekday` of a month, or the last one when the month has fewer.
fn nth_weekday(year: i32, month: Month, weekday: time::Weekday, ordinal: u8) -> Option<Date> {
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let shift =
        (weekday.number_days_from_monday() + 7 - first.weekday().number_days_from_monday()) % 7;
    let mut day = 1 + shift + 7 * (ordinal - 1);
    while day > time::util::days_in_month(month, year) {
        day -= 7;
    }
    Date::from_calendar_date(year, month, day).ok()
}

#[cfg(test)]
mod tests;
