//! Compliance rate (nakomingsgraad, B4): of the agreements that fell due in a period, the share
//! realised on time; per party, per 7S element, per JZOJP theme and as a quarterly trend.

use super::kinds::{AgreementStatus, JzojpTheme, SevenS};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;
use time::{Date, Month};

/// What compliance needs to know of one agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueAgreement {
    pub due: Date,
    /// When it was marked realised; `None` while it is not.
    pub realised_on: Option<Date>,
    pub status: AgreementStatus,
    /// The parties by name or code, as the caller wants them grouped ("RvB", "MSB+", "Cardiologie").
    pub parties: Vec<String>,
    pub seven_s: Vec<SevenS>,
    pub theme: Option<JzojpTheme>,
}

impl DueAgreement {
    /// Due in the period `[from, to]` (both inclusive). A withdrawn agreement was never owed, so
    /// it neither helps nor hurts.
    pub fn due_in(&self, from: Date, to: Date) -> bool {
        self.status != AgreementStatus::Vervallen && from <= self.due && self.due <= to
    }

    /// Realised no later than the due date. A realised agreement without a realisation date
    /// cannot show that it was on time, so it does not count as such.
    pub fn on_time(&self) -> bool {
        self.status == AgreementStatus::Gerealiseerd
            && self.realised_on.is_some_and(|d| d <= self.due)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Compliance {
    pub due: u32,
    pub on_time: u32,
    /// `on_time / due` as a percentage rounded to one decimal (as it is shown); `None` when
    /// nothing was due, which is not the same as 0 %.
    pub rate: Option<Decimal>,
}

impl Compliance {
    fn add(&mut self, agreement: &DueAgreement) {
        self.due += 1;
        if agreement.on_time() {
            self.on_time += 1;
        }
        self.rate = rate(self.on_time, self.due);
    }
}

fn rate(on_time: u32, due: u32) -> Option<Decimal> {
    if due == 0 {
        return None;
    }
    let pct = Decimal::from(on_time) * Decimal::ONE_HUNDRED / Decimal::from(due);
    Some(pct.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero))
}

/// The compliance over the agreements due in `[from, to]`. Open agreements due in the period
/// count as not (yet) realised on time, so for the running period pass `to` = today: otherwise
/// agreements that are not due yet lower the rate.
pub fn compliance(agreements: &[DueAgreement], from: Date, to: Date) -> Compliance {
    let mut total = Compliance::default();
    for a in agreements.iter().filter(|a| a.due_in(from, to)) {
        total.add(a);
    }
    total
}

/// Compliance per key, sorted by key. An agreement counts once for each of its distinct keys, so
/// an agreement between the RvB and the MSB+ counts for both. Keys without agreements due in the
/// period are left out; fill them in from `ALL` where a table needs every row.
fn grouped<K: Ord + Clone>(
    agreements: &[DueAgreement],
    from: Date,
    to: Date,
    keys: impl Fn(&DueAgreement) -> Vec<K>,
) -> Vec<(K, Compliance)> {
    let mut groups: BTreeMap<K, Compliance> = BTreeMap::new();
    for a in agreements.iter().filter(|a| a.due_in(from, to)) {
        let mut ks = keys(a);
        ks.sort();
        ks.dedup();
        for k in ks {
            groups.entry(k).or_default().add(a);
        }
    }
    groups.into_iter().collect()
}

/// Per party, sorted by name. Names are compared as given; normalise them before calling.
pub fn by_party(agreements: &[DueAgreement], from: Date, to: Date) -> Vec<(String, Compliance)> {
    grouped(agreements, from, to, |a| a.parties.clone())
}

/// Per 7S element, in the model's order.
pub fn by_seven_s(agreements: &[DueAgreement], from: Date, to: Date) -> Vec<(SevenS, Compliance)> {
    grouped(agreements, from, to, |a| a.seven_s.clone())
}

/// Per JZOJP theme, in the order of seed 000 §2.3. Agreements without a theme are left out: not
/// everything the boards agree on is about Juiste Zorg op de Juiste Plek.
pub fn by_theme(
    agreements: &[DueAgreement],
    from: Date,
    to: Date,
) -> Vec<(JzojpTheme, Compliance)> {
    grouped(agreements, from, to, |a| a.theme.into_iter().collect())
}

/// The first and last day of a quarter (`q` in 1–4), or `None` for a quarter that does not exist.
pub fn quarter_bounds(year: i32, q: u8) -> Option<(Date, Date)> {
    if !(1..=4).contains(&q) {
        return None;
    }
    let first = Month::try_from(3 * q - 2).ok()?;
    let last = Month::try_from(3 * q).ok()?;
    let start = Date::from_calendar_date(year, first, 1).ok()?;
    let end = Date::from_calendar_date(year, last, time::util::days_in_month(last, year)).ok()?;
    Some((start, end))
}

/// The quarter a date falls in.
pub fn quarter_of(date: Date) -> (i32, u8) {
    (date.year(), (u8::from(date.month()) - 1) / 3 + 1)
}

/// The `count` quarters up to and including the one `today` falls in, oldest first: the axis of
/// the trend chart.
pub fn quarters_until(today: Date, count: u8) -> Vec<(i32, u8)> {
    let (year, q) = quarter_of(today);
    let index = i64::from(year) * 4 + i64::from(q) - 1;
    (0..i64::from(count))
        .rev()
        .filter_map(|back| {
            let i = index - back;
            let year = i32::try_from(i.div_euclid(4)).ok()?;
            let q = u8::try_from(i.rem_euclid(4) + 1).ok()?;
            Some((year, q))
        })
        .collect()
}

/// Compliance per quarter, in the order given. Quarters that do not exist are skipped. The
/// running quarter counts until its end; pass the result of [`quarters_until`] and read the last
/// entry as provisional, or compute it with [`compliance`] up to today.
pub fn quarterly_trend(
    agreements: &[DueAgreement],
    quarters: &[(i32, u8)],
) -> Vec<((i32, u8), Compliance)> {
    quarters
        .iter()
        .filter_map(|&(year, q)| {
            let (from, to) = quarter_bounds(year, q)?;
            Some(((year, q), compliance(agreements, from, to)))
        })
        .collect()
}

#[cfg(test)]
mod tests;
