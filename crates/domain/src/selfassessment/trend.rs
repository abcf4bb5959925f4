//! Comparison with earlier rounds (C4) and the dashboard's "latest alignment per S with trend"
//! (E): the alignment score per S, round after round, in date order.

use super::{PerS, RoundId};
use crate::agreements::kinds::SevenS;
use rust_decimal::Decimal;
use time::Date;

/// What the trend needs of one round: its alignment scores (see
/// [`super::RoundResults::alignment_summary`]). Small enough to keep per closed round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundAlignment {
    pub round: RoundId,
    pub title: String,
    /// The date the round is known by: its closing date.
    pub date: Date,
    pub per_s: PerS<Option<Decimal>>,
    pub overall: Option<Decimal>,
}

/// One round's score in a trend; `None` when that round had no score for the S (a side hidden,
/// or no scores given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendPoint {
    pub round: RoundId,
    pub title: String,
    pub date: Date,
    pub score: Option<Decimal>,
}

/// The alignment of one S over the rounds, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct STrend {
    pub s: SevenS,
    pub points: Vec<TrendPoint>,
}

impl STrend {
    /// The last round's score minus the score of the round before it, when both exist: what the
    /// dashboard shows as ▲ / ▼.
    pub fn change(&self) -> Option<Decimal> {
        match self.points.as_slice() {
            [.., before, last] => Some(last.score? - before.score?),
            _ => None,
        }
    }

    pub fn latest(&self) -> Option<&TrendPoint> {
        self.points.last()
    }
}

/// The alignment over the rounds: per S and overall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trend {
    /// Seven trends in model order.
    pub per_s: Vec<STrend>,
    pub overall: Vec<TrendPoint>,
}

/// The trend per S (in model order) and of the overall score, over `rounds` in date order
/// (rounds on the same date by id). The order of `rounds` does not matter.
pub fn trend(rounds: &[RoundAlignment]) -> Trend {
    let mut ordered: Vec<&RoundAlignment> = rounds.iter().collect();
    ordered.sort_by_key(|r| (r.date, r.round));
    let point = |r: &RoundAlignment, score: Option<Decimal>| TrendPoint {
        round: r.round,
        title: r.title.clone(),
        date: r.date,
        score,
    };
    let per_s = SevenS::ALL
        .iter()
        .map(|&s| STrend {
            s,
            points: ordered.iter().map(|r| point(r, r.per_s[s])).collect(),
        })
        .collect();
    let overall = ordered.iter().map(|r| point(r, r.overall)).collect();
    Trend { per_s, overall }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use time::macros::date;

    fn round(id: i64, date: Date, strategie: Option<Decimal>) -> RoundAlignment {
        RoundAlignment {
            round: RoundId(id),
            title: format!("Ronde {id}"),
            date,
            per_s: PerS::from_fn(|s| (s == SevenS::Strategie).then_some(strategie).flatten()),
            overall: strategie,
        }
    }

    #[test]
    fn points_are_in_date_order_whatever_the_input_order() {
        let rounds = [
            round(3, date!(2026 - 12 - 01), Some(dec!(81))),
            round(1, date!(2024 - 12 - 01), Some(dec!(70))),
            round(2, date!(2025 - 12 - 01), Some(dec!(75.5))),
        ];
        let Trend { per_s, overall } = trend(&rounds);
        assert_eq!(per_s.len(), 7);
        let strategie = &per_s[SevenS::Strategie as usize];
        assert_eq!(strategie.s, SevenS::Strategie);
        let ids: Vec<_> = strategie.points.iter().map(|p| p.round.0).collect();
        assert_eq!(ids, [1, 2, 3]);
        assert_eq!(strategie.change(), Some(dec!(5.5)));
        assert_eq!(strategie.latest().unwrap().title, "Ronde 3");
        assert_eq!(overall.len(), 3);
        assert_eq!(per_s[0].change(), None, "no scores for gedeelde waarden");

        let mut reversed = rounds.clone();
        reversed.reverse();
        assert_eq!(trend(&reversed), trend(&rounds));
    }

    #[test]
    fn change_needs_two_scores() {
        let per_s = trend(&[round(1, date!(2026 - 01 - 01), Some(dec!(80)))]).per_s;
        assert_eq!(per_s[1].change(), None);
        let per_s = trend(&[
            round(1, date!(2025 - 01 - 01), None),
            round(2, date!(2026 - 01 - 01), Some(dec!(80))),
        ])
        .per_s;
        assert_eq!(per_s[1].change(), None);
        let Trend { per_s, overall } = trend(&[]);
        assert!(per_s.iter().all(|t| t.points.is_empty()));
        assert!(overall.is_empty());
    }
}
