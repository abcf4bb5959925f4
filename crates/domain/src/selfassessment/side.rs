//! The two sides whose gap the alignment score measures: the RvB (bodies of kind `bestuur`) and
//! MSB+ (bodies of kind `msbplus`), each the pooled answers of its bodies.
//!
//! A side is shown only when every body that contributes answers is itself at or above
//! [`MIN_RESPONDENTS`]. Were a side shown while one of its bodies was below the threshold,
//! subtracting the shown bodies from the side would give the small body's figures exactly; with
//! this rule a side never holds an answer that is not already visible in one of its bodies.

use super::PerS;
use super::StatementId;
use super::results::{MIN_RESPONDENTS, RoundBody, RoundStatement, Tallies};
use super::stats::{Stats, Tally};
use crate::ids::BodyId;
use crate::people::BodyKind;

code_enum! {
    /// The two sides whose gap the alignment score measures.
    Side {
        Rvb => "rvb", "RvB";
        MsbPlus => "msbplus", "MSB+";
    }
}

impl Side {
    /// The kind of the bodies pooled into this side.
    pub fn body_kind(self) -> BodyKind {
        match self {
            Side::Rvb => BodyKind::Bestuur,
            Side::MsbPlus => BodyKind::MsbPlus,
        }
    }
}

/// One statement's figures for a side; a side has no comments of its own (they are shown per
/// body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementStats {
    pub statement: StatementId,
    pub stats: Stats,
}

/// The pooled figures of a side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SideFigures {
    pub side: Side,
    /// The bodies whose answers are pooled, in the order they were given.
    pub body_ids: Vec<BodyId>,
    pub respondents: u32,
    pub statements: Vec<StatementStats>,
    pub per_s: PerS<Stats>,
}

/// Why a side is not shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SideHidden {
    /// No body of this kind was invited or none of its members answered.
    NoRespondents,
    /// Fewer than [`MIN_RESPONDENTS`] respondents in all.
    TooFew { respondents: u32 },
    /// These bodies contributed answers but are below the threshold themselves; pooling them
    /// would let their figures be recovered by subtraction.
    SmallBodies { body_ids: Vec<BodyId> },
}

impl SideHidden {
    /// The Dutch explanation shown in place of the side's figures.
    pub fn message(&self, side: Side) -> String {
        match self {
            SideHidden::NoRespondents => format!("Geen respondenten van {side}."),
            SideHidden::TooFew { .. } => format!("Te weinig respondenten van {side}."),
            SideHidden::SmallBodies { .. } => format!(
                "{side} wordt niet getoond omdat een onderdeel te weinig respondenten heeft; \
                 anders zouden de antwoorden van dat onderdeel terug te rekenen zijn."
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SideResult {
    Shown(Box<SideFigures>),
    Hidden { side: Side, reason: SideHidden },
}

impl SideResult {
    pub fn figures(&self) -> Option<&SideFigures> {
        match self {
            SideResult::Shown(f) => Some(f),
            SideResult::Hidden { .. } => None,
        }
    }
}

/// The answers of a side's bodies added up.
pub(super) struct Pooled {
    pub(super) body_ids: Vec<BodyId>,
    pub(super) respondents: u32,
    pub(super) tallies: Tallies,
}

/// Pools a side, or says why it is hidden (the rule is in the module's documentation).
pub(super) fn pool(
    side: Side,
    statements: &[RoundStatement],
    bodies: &[RoundBody],
    tallies: &[Tallies],
) -> Result<Pooled, SideHidden> {
    // A body contributes when someone answered for it; an invited body without respondents
    // adds nothing that could be recovered.
    let contributing: Vec<(&RoundBody, &Tallies)> = bodies
        .iter()
        .zip(tallies)
        .filter(|(b, t)| {
            b.kind == side.body_kind()
                && (b.respondents > 0 || t.statements.iter().any(|t| *t != Tally::default()))
        })
        .collect();
    if contributing.is_empty() {
        return Err(SideHidden::NoRespondents);
    }
    let small: Vec<BodyId> = contributing
        .iter()
        .filter(|(b, _)| b.respondents < MIN_RESPONDENTS)
        .map(|(b, _)| b.id)
        .collect();
    if !small.is_empty() {
        return Err(SideHidden::SmallBodies { body_ids: small });
    }
    let respondents: u32 = contributing.iter().map(|(b, _)| b.respondents).sum();
    if respondents < MIN_RESPONDENTS {
        return Err(SideHidden::TooFew { respondents });
    }
    let mut pooled = vec![Tally::default(); statements.len()];
    for (_, t) in &contributing {
        for (p, t) in pooled.iter_mut().zip(&t.statements) {
            p.merge(t);
        }
    }
    Ok(Pooled {
        body_ids: contributing.iter().map(|(b, _)| b.id).collect(),
        respondents,
        tallies: Tallies::new(statements, pooled),
    })
}

pub(super) fn side_result(
    side: Side,
    statements: &[RoundStatement],
    pooled: Result<Pooled, SideHidden>,
) -> SideResult {
    match pooled {
        Err(reason) => SideResult::Hidden { side, reason },
        Ok(p) => SideResult::Shown(Box::new(SideFigures {
            side,
            body_ids: p.body_ids,
            respondents: p.respondents,
            statements: statements
                .iter()
                .zip(&p.tallies.statements)
                .map(|(st, t)| StatementStats {
                    statement: st.id,
                    stats: t.stats(),
                })
                .collect(),
            per_s: p.tallies.per_s.map(|_, t| t.stats()),
        })),
    }
}
