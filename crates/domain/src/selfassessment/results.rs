//! The results of a round (C3, C4): figures per statement and per S for every body that reached
//! the threshold, the RvB side and the MSB+ side, the gap between the sides, the alignment score
//! and the most divergent statements.
//!
//! Anonymity rules (see `docs/selfassessment.md`):
//! - A body's figures — counts, means, spreads, distributions and comments alike — are shown
//!   only when at least [`MIN_RESPONDENTS`] of its members answered; otherwise the body is
//!   [`BodyResult::TooFew`] and carries nothing computed from answers.
//! - A side pools the answers of the bodies of its kind and is shown only when every body that
//!   contributes is itself shown, so that no subtraction of shown figures reveals a hidden body
//!   (see [`super::side`]).

use super::answer::AnonymousAnswer;
use super::chart::Series;
use super::side::{Side, SideResult, pool, side_result};
use super::stats::{Stats, Tally, alignment};
use super::trend::RoundAlignment;
use super::{PerS, RoundId, StatementId};
use crate::agreements::kinds::SevenS;
use crate::ids::BodyId;
use crate::nl;
use crate::people::BodyKind;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use time::Date;

/// The smallest number of respondents of a body (or of a side) whose figures are shown.
pub const MIN_RESPONDENTS: u32 = 3;

/// How many statements the "most divergent" list holds.
pub const MOST_DIVERGENT: usize = 5;

/// A statement of the round (the frozen copy), in the round's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundStatement {
    pub id: StatementId,
    pub s: SevenS,
    pub text: String,
}

/// A body invited to the round, with the number of its members who submitted (from the
/// participation table, which is the only place that knows how many people answered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundBody {
    pub id: BodyId,
    pub name: String,
    pub kind: BodyKind,
    pub respondents: u32,
}

/// One statement's figures for one body. Comments are sorted so that their order says nothing
/// about who wrote them when; they are not tied to the score that came with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementFigures {
    pub statement: StatementId,
    pub stats: Stats,
    pub comments: Vec<String>,
}

/// The figures of a body that reached the threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyFigures {
    pub body_id: BodyId,
    pub name: String,
    pub kind: BodyKind,
    pub respondents: u32,
    /// In the round's statement order.
    pub statements: Vec<StatementFigures>,
    /// All answers to the statements of an S pooled: the mean of those answers and their
    /// spread, which is also the body's consensus on that S (low spread, high consensus).
    pub per_s: PerS<Stats>,
}

/// A body's result: its figures, or the fact that too few of its members answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyResult {
    /// Boxed: a body's figures are large next to the "too few" variant.
    Shown(Box<BodyFigures>),
    /// "Te weinig respondenten": nothing computed from the answers, not even a comment.
    TooFew {
        body_id: BodyId,
        name: String,
        kind: BodyKind,
        respondents: u32,
    },
}

impl BodyResult {
    pub fn body_id(&self) -> BodyId {
        match self {
            BodyResult::Shown(f) => f.body_id,
            BodyResult::TooFew { body_id, .. } => *body_id,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            BodyResult::Shown(f) => &f.name,
            BodyResult::TooFew { name, .. } => name,
        }
    }

    pub fn figures(&self) -> Option<&BodyFigures> {
        match self {
            BodyResult::Shown(f) => Some(f),
            BodyResult::TooFew { .. } => None,
        }
    }
}

/// The difference between the sides on one statement or one S.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub rvb: Decimal,
    pub msbplus: Decimal,
    /// `msbplus − rvb`: positive when MSB+ agrees more than the RvB.
    pub gap: Decimal,
    /// `100 × (1 − |gap| / 4)`, see [`alignment`].
    pub alignment: Decimal,
}

/// The gap on one statement; `gap` is `None` when a side is hidden or gave no scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementGap {
    pub statement: StatementId,
    pub s: SevenS,
    pub text: String,
    pub gap: Option<Gap>,
}

/// Everything the results page shows about one round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundResults {
    pub statements: Vec<RoundStatement>,
    /// In the order the bodies were given.
    pub bodies: Vec<BodyResult>,
    pub rvb: SideResult,
    pub msbplus: SideResult,
    /// In the round's statement order.
    pub statement_gaps: Vec<StatementGap>,
    pub s_gaps: PerS<Option<Gap>>,
    /// The mean of the per-S alignment scores that could be computed.
    pub overall_alignment: Option<Decimal>,
    /// Up to five statements with the largest |gap|; equal gaps in statement order.
    pub most_divergent: Vec<StatementGap>,
}

/// Tallies per statement (in round order) and per S.
#[derive(Debug, Clone)]
pub(super) struct Tallies {
    pub(super) statements: Vec<Tally>,
    pub(super) per_s: PerS<Tally>,
}

impl Tallies {
    pub(super) fn new(statements: &[RoundStatement], by_statement: Vec<Tally>) -> Self {
        let mut per_s = PerS::<Tally>::default();
        for (st, tally) in statements.iter().zip(&by_statement) {
            per_s.get_mut(st.s).merge(tally);
        }
        Self {
            statements: by_statement,
            per_s,
        }
    }
}

/// The answers counted per body (in the order of `bodies`) and statement (in round order), and
/// the comments per body and statement when `with_comments`.
type Counted = (Vec<Tallies>, Vec<Vec<Vec<String>>>);

fn count(
    statements: &[RoundStatement],
    bodies: &[RoundBody],
    answers: &[AnonymousAnswer],
    with_comments: bool,
) -> Counted {
    // Sorted (id, position) pairs: a binary search is cheaper than hashing for a few dozen ids.
    // A stable sort and `dedup` keep the first of a repeated id, as a linear search would.
    let mut position: Vec<(StatementId, usize)> = statements
        .iter()
        .enumerate()
        .map(|(i, st)| (st.id, i))
        .collect();
    position.sort_by_key(|(id, _)| *id);
    position.dedup_by_key(|(id, _)| *id);

    let mut tallies = vec![vec![Tally::default(); statements.len()]; bodies.len()];
    let mut comments: Vec<Vec<Vec<String>>> = if with_comments {
        vec![vec![Vec::new(); statements.len()]; bodies.len()]
    } else {
        Vec::new()
    };
    for a in answers {
        let Some(b) = bodies.iter().position(|b| b.id == a.body_id) else {
            continue;
        };
        let Ok(found) = position.binary_search_by_key(&a.statement, |(id, _)| *id) else {
            continue;
        };
        let s = position[found].1;
        tallies[b][s].add(a.answer);
        if with_comments
            && let Some(text) = a
                .comment
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
        {
            comments[b][s].push(text.to_string());
        }
    }
    let tallies = tallies
        .into_iter()
        .map(|t| Tallies::new(statements, t))
        .collect();
    (tallies, comments)
}

/// Computes the results of a round from its anonymous answers. The order of `answers` does not
/// matter. Answers to a statement or body that is not part of the round are ignored (the
/// store's foreign keys make them impossible; they are not trusted either). Figures are exact
/// decimals; round them only for display ([`mean_text`], [`score_text`]).
pub fn compute(
    statements: &[RoundStatement],
    bodies: &[RoundBody],
    answers: &[AnonymousAnswer],
) -> RoundResults {
    let (tallies, comments) = count(statements, bodies, answers, true);

    let body_results = bodies
        .iter()
        .zip(&tallies)
        .zip(comments)
        .map(|((body, tally), comments)| body_result(body, statements, tally, comments))
        .collect();

    let rvb = pool(Side::Rvb, statements, bodies, &tallies);
    let msbplus = pool(Side::MsbPlus, statements, bodies, &tallies);

    let (statement_gaps, s_gaps, most_divergent) = match (&rvb, &msbplus) {
        (Ok(r), Ok(m)) => gaps(statements, &r.tallies, &m.tallies),
        _ => (
            statements
                .iter()
                .map(|st| StatementGap {
                    statement: st.id,
                    s: st.s,
                    text: st.text.clone(),
                    gap: None,
                })
                .collect(),
            PerS::default(),
            Vec::new(),
        ),
    };
    let overall_alignment = overall(&s_gaps);

    RoundResults {
        statements: statements.to_vec(),
        bodies: body_results,
        rvb: side_result(Side::Rvb, statements, rvb),
        msbplus: side_result(Side::MsbPlus, statements, msbplus),
        statement_gaps,
        s_gaps,
        overall_alignment,
        most_divergent,
    }
}

/// The alignment per S and overall of a round, without any figures per body or statement: what
/// the trend and the dashboard need of earlier rounds. The same as
/// `compute(…).alignment_summary(…)` (same rules, same numbers) at a fraction of the cost.
pub fn compute_alignment(
    statements: &[RoundStatement],
    bodies: &[RoundBody],
    answers: &[AnonymousAnswer],
    round: RoundId,
    title: &str,
    date: Date,
) -> RoundAlignment {
    let (tallies, _) = count(statements, bodies, answers, false);
    let s_gaps = match (
        pool(Side::Rvb, statements, bodies, &tallies),
        pool(Side::MsbPlus, statements, bodies, &tallies),
    ) {
        (Ok(r), Ok(m)) => PerS::from_fn(|s| gap_of(&r.tallies.per_s[s], &m.tallies.per_s[s])),
        _ => PerS::default(),
    };
    RoundAlignment {
        round,
        title: title.to_string(),
        date,
        per_s: s_gaps.map(|_, g| g.map(|g| g.alignment)),
        overall: overall(&s_gaps),
    }
}

/// The mean of the per-S alignment scores that exist.
fn overall(s_gaps: &PerS<Option<Gap>>) -> Option<Decimal> {
    let scores: Vec<Decimal> = s_gaps
        .iter()
        .filter_map(|(_, g)| g.map(|g| g.alignment))
        .collect();
    (!scores.is_empty()).then(|| scores.iter().sum::<Decimal>() / Decimal::from(scores.len()))
}

fn body_result(
    body: &RoundBody,
    statements: &[RoundStatement],
    tallies: &Tallies,
    comments: Vec<Vec<String>>,
) -> BodyResult {
    if body.respondents < MIN_RESPONDENTS {
        return BodyResult::TooFew {
            body_id: body.id,
            name: body.name.clone(),
            kind: body.kind,
            respondents: body.respondents,
        };
    }
    let statements = statements
        .iter()
        .zip(&tallies.statements)
        .zip(comments)
        .map(|((st, tally), mut comments)| {
            comments.sort_unstable();
            StatementFigures {
                statement: st.id,
                stats: tally.stats(),
                comments,
            }
        })
        .collect();
    BodyResult::Shown(Box::new(BodyFigures {
        body_id: body.id,
        name: body.name.clone(),
        kind: body.kind,
        respondents: body.respondents,
        statements,
        per_s: tallies.per_s.map(|_, t| t.stats()),
    }))
}

/// A gap as an exact fraction `num / den` (den > 0), for ordering without rounding.
#[derive(Debug, Clone, Copy)]
struct ExactGap {
    num: i128,
    den: i128,
}

impl ExactGap {
    fn between(rvb: &Tally, msbplus: &Tally) -> Option<Self> {
        let (nr, nm) = (i128::from(rvb.n()), i128::from(msbplus.n()));
        if nr == 0 || nm == 0 {
            return None;
        }
        let (sr, sm) = (i128::from(rvb.sum()), i128::from(msbplus.sum()));
        Some(ExactGap {
            num: sm * nr - sr * nm,
            den: nm * nr,
        })
    }

    fn cmp_abs(&self, other: &Self) -> Ordering {
        (self.num.abs() * other.den).cmp(&(other.num.abs() * self.den))
    }
}

fn gap_of(rvb: &Tally, msbplus: &Tally) -> Option<Gap> {
    let (r, m) = (rvb.mean()?, msbplus.mean()?);
    let gap = m - r;
    Some(Gap {
        rvb: r,
        msbplus: m,
        gap,
        alignment: alignment(gap),
    })
}

type Gaps = (Vec<StatementGap>, PerS<Option<Gap>>, Vec<StatementGap>);

fn gaps(statements: &[RoundStatement], rvb: &Tallies, msbplus: &Tallies) -> Gaps {
    let statement_gaps: Vec<StatementGap> = statements
        .iter()
        .enumerate()
        .map(|(i, st)| StatementGap {
            statement: st.id,
            s: st.s,
            text: st.text.clone(),
            gap: gap_of(&rvb.statements[i], &msbplus.statements[i]),
        })
        .collect();
    let s_gaps = PerS::from_fn(|s| gap_of(&rvb.per_s[s], &msbplus.per_s[s]));

    let mut ranked: Vec<(usize, ExactGap)> = (0..statements.len())
        .filter_map(|i| {
            Some((
                i,
                ExactGap::between(&rvb.statements[i], &msbplus.statements[i])?,
            ))
        })
        .collect();
    // Largest |gap| first; a stable sort keeps equal gaps in statement order.
    ranked.sort_by(|(_, a), (_, b)| b.cmp_abs(a));
    let most_divergent = ranked
        .into_iter()
        .take(MOST_DIVERGENT)
        .map(|(i, _)| statement_gaps[i].clone())
        .collect();
    (statement_gaps, s_gaps, most_divergent)
}

impl RoundResults {
    pub fn side(&self, side: Side) -> &SideResult {
        match side {
            Side::Rvb => &self.rvb,
            Side::MsbPlus => &self.msbplus,
        }
    }

    /// One radar series per shown body, in body order: the mean per S.
    pub fn body_series(&self) -> Vec<Series> {
        self.bodies
            .iter()
            .filter_map(BodyResult::figures)
            .map(|f| Series {
                label: f.name.clone(),
                values: f.per_s.map(|_, st| st.mean),
            })
            .collect()
    }

    /// One radar series per shown side (RvB, then MSB+), labelled "RvB (totaal)" so that it
    /// is not mistaken for the body of the same name when both are drawn.
    pub fn side_series(&self) -> Vec<Series> {
        [&self.rvb, &self.msbplus]
            .into_iter()
            .filter_map(SideResult::figures)
            .map(|f| Series {
                label: format!("{} (totaal)", f.side.label()),
                values: f.per_s.map(|_, st| st.mean),
            })
            .collect()
    }

    /// What the trend over rounds needs of this round.
    pub fn alignment_summary(&self, round: RoundId, title: &str, date: Date) -> RoundAlignment {
        RoundAlignment {
            round,
            title: title.to_string(),
            date,
            per_s: self.s_gaps.map(|_, g| g.map(|g| g.alignment)),
            overall: self.overall_alignment,
        }
    }
}

/// A mean or a gap's side, one decimal: `3,8`.
pub fn mean_text(mean: Decimal) -> String {
    nl::number(mean, 1)
}

/// A spread, one decimal: `0,9`.
pub fn spread_text(spread: Decimal) -> String {
    nl::number(spread, 1)
}

/// A gap with its sign, one decimal: `+0,4`, `-1,2`, `0,0`.
pub fn gap_text(gap: Decimal) -> String {
    let text = nl::number(gap, 1);
    if text.starts_with('-') || text == "0,0" {
        text
    } else {
        format!("+{text}")
    }
}

/// An alignment score in whole percent: `87 %`.
pub fn score_text(score: Decimal) -> String {
    format!("{} %", nl::number(score, 0))
}

#[cfg(test)]
mod tests;
