//! What the results page shows, cut from the domain's `RoundResults`: every figure as Dutch text,
//! in tables whose columns are the bodies that reached the threshold and the two sides. A body
//! below the threshold has no column and no cell anywhere; it appears only in the respondent
//! counts, with the words "te weinig respondenten" (C3).

use domain::agreements::kinds::SevenS;
use domain::nl;
use domain::people::BodyKind;
use domain::selfassessment::{
    BodyResult, Gap, PerS, RoundAlignment, RoundId, RoundResults, SideResult, Stats, gap_text,
    mean_text, radar_svg, score_text, sparkline_svg, spread_text, trend,
};
use store::selfassessment::{ClosedRound, RecordedActions};

/// A mean with its spread and number of scores, as one cell shows it.
pub(crate) struct Fig {
    /// `3,8`, or `–` without scores.
    pub mean: String,
    /// `± 0,6 · n 24`, empty without scores.
    pub detail: String,
}

fn fig(stats: &Stats) -> Fig {
    match (stats.mean, stats.spread) {
        (Some(mean), Some(spread)) => Fig {
            mean: mean_text(mean),
            // No-break spaces keep "± 0,6" and "n 24" together in a narrow column.
            detail: format!("±\u{a0}{} · n\u{a0}{}", spread_text(spread), stats.n),
        },
        _ => no_fig(),
    }
}

fn no_fig() -> Fig {
    Fig {
        mean: "–".into(),
        detail: String::new(),
    }
}

/// The gap and the alignment score as text; dashes when a side is hidden or gave no scores.
pub(crate) struct GapText {
    pub rvb: String,
    pub msbplus: String,
    pub gap: String,
    pub score: String,
    pub known: bool,
}

fn gap(g: Option<&Gap>) -> GapText {
    match g {
        Some(g) => GapText {
            rvb: mean_text(g.rvb),
            msbplus: mean_text(g.msbplus),
            gap: gap_text(g.gap),
            score: score_text(g.alignment),
            known: true,
        },
        None => GapText {
            rvb: "–".into(),
            msbplus: "–".into(),
            gap: "–".into(),
            score: "–".into(),
            known: false,
        },
    }
}

/// What a reader who manages agendas or agreements may do with the result on one S (C5).
pub(crate) struct SActions {
    pub round: RoundId,
    pub code: &'static str,
    pub label: &'static str,
    pub schedule: bool,
    pub propose: bool,
    /// Where the discussion item made earlier is (`/vergaderingen/…#punt-…`).
    pub item_href: Option<String>,
    pub agreement_href: Option<String>,
}

/// The actions a reader may take, and what earlier clicks made.
pub(crate) struct Actions<'a> {
    pub may_schedule: bool,
    pub may_propose: bool,
    pub recorded: &'a RecordedActions,
}

impl Actions<'_> {
    fn any(&self) -> bool {
        self.may_schedule || self.may_propose
    }

    /// The actions on `s`: only where there is a gap to act on.
    fn on(&self, round: RoundId, s: SevenS, known: bool) -> Option<SActions> {
        (self.any() && known).then(|| SActions {
            round,
            code: s.code(),
            label: s.label(),
            schedule: self.may_schedule,
            propose: self.may_propose,
            item_href: self
                .recorded
                .item(s)
                .map(|(m, i)| format!("/vergaderingen/{m}#punt-{i}")),
            agreement_href: self
                .recorded
                .agreement(s)
                .map(|a| format!("/afspraken/{a}")),
        })
    }
}

pub(crate) struct SRow {
    pub code: &'static str,
    pub label: &'static str,
    pub hard: bool,
    pub figs: Vec<Fig>,
    pub gap: GapText,
    pub actions: Option<SActions>,
}

pub(crate) struct StatementRow {
    pub text: String,
    pub figs: Vec<Fig>,
    pub gap: GapText,
}

pub(crate) struct StatementGroup {
    pub code: &'static str,
    pub label: &'static str,
    pub hard: bool,
    pub rows: Vec<StatementRow>,
}

pub(crate) struct DivergentRow {
    pub rank: usize,
    pub text: String,
    pub s_label: &'static str,
    pub gap: GapText,
    pub actions: Option<SActions>,
}

pub(crate) struct CommentGroup {
    pub s_label: &'static str,
    pub statement: String,
    /// Body name and its comments, in the domain's order (sorted, no order of arrival).
    pub bodies: Vec<(String, Vec<String>)>,
}

pub(crate) struct RespondentRow {
    pub name: String,
    pub side: &'static str,
    pub respondents: u32,
    pub shown: bool,
}

pub(crate) struct TrendRow {
    pub label: &'static str,
    pub cells: Vec<String>,
    pub sparkline: String,
}

pub(crate) struct TrendView {
    /// Title and closing date of each round, oldest first; `true` for this round.
    pub rounds: Vec<(String, String, bool)>,
    pub rows: Vec<TrendRow>,
    pub overall: TrendRow,
}

/// Everything the results page shows.
pub(crate) struct ResultsView {
    pub id: RoundId,
    pub title: String,
    pub period: String,
    pub respondents: Vec<RespondentRow>,
    /// Why a side is not shown, when it is not.
    pub side_notes: Vec<String>,
    pub overall: Option<String>,
    /// Column heads of the figure tables: the shown bodies, then the shown sides.
    pub columns: Vec<String>,
    pub s_rows: Vec<SRow>,
    pub radar: String,
    pub divergent: Vec<DivergentRow>,
    pub groups: Vec<StatementGroup>,
    pub comments: Vec<CommentGroup>,
    pub trend: TrendView,
    pub with_actions: bool,
}

/// One column of the figure tables: a shown body or a shown side.
enum Source<'a> {
    Body(&'a domain::selfassessment::BodyFigures),
    Side(&'a domain::selfassessment::SideFigures),
}

impl Source<'_> {
    fn per_s(&self) -> &PerS<Stats> {
        match self {
            Source::Body(b) => &b.per_s,
            Source::Side(s) => &s.per_s,
        }
    }

    fn statement(&self, i: usize) -> Option<&Stats> {
        match self {
            Source::Body(b) => b.statements.get(i).map(|st| &st.stats),
            Source::Side(s) => s.statements.get(i).map(|st| &st.stats),
        }
    }
}

fn side_of(kind: BodyKind) -> &'static str {
    match kind {
        BodyKind::Bestuur => "RvB",
        BodyKind::MsbPlus => "MSB+",
        BodyKind::Toezicht => "–",
    }
}

pub(crate) fn build(
    closed: &ClosedRound,
    alignments: &[RoundAlignment],
    actions: Actions<'_>,
) -> ResultsView {
    let round = &closed.round;
    let r: RoundResults = closed.results();
    let id = round.id;

    let mut sources: Vec<Source> = r
        .bodies
        .iter()
        .filter_map(BodyResult::figures)
        .map(Source::Body)
        .collect();
    sources.extend(
        [&r.rvb, &r.msbplus]
            .into_iter()
            .filter_map(SideResult::figures)
            .map(Source::Side),
    );
    let mut columns: Vec<String> = r
        .bodies
        .iter()
        .filter_map(BodyResult::figures)
        .map(|b| b.name.clone())
        .collect();
    columns.extend(r.side_series().into_iter().map(|s| s.label));

    let respondents = closed
        .bodies
        .iter()
        .zip(&r.bodies)
        .map(|(b, res)| RespondentRow {
            name: b.name.clone(),
            side: side_of(b.kind),
            respondents: b.respondents,
            shown: res.figures().is_some(),
        })
        .collect();
    let side_notes = [&r.rvb, &r.msbplus]
        .into_iter()
        .filter_map(|s| match s {
            SideResult::Hidden { side, reason } => Some(reason.message(*side)),
            SideResult::Shown(_) => None,
        })
        .collect();

    let s_rows = SevenS::ALL
        .iter()
        .map(|&s| {
            let g = gap(r.s_gaps[s].as_ref());
            SRow {
                code: s.code(),
                label: s.label(),
                hard: s.is_hard(),
                figs: sources.iter().map(|src| fig(&src.per_s()[s])).collect(),
                actions: actions.on(id, s, g.known),
                gap: g,
            }
        })
        .collect();

    let mut groups: Vec<StatementGroup> = SevenS::ALL
        .iter()
        .map(|&s| StatementGroup {
            code: s.code(),
            label: s.label(),
            hard: s.is_hard(),
            rows: Vec::new(),
        })
        .collect();
    for (i, (st, sg)) in r.statements.iter().zip(&r.statement_gaps).enumerate() {
        groups[st.s as usize].rows.push(StatementRow {
            text: st.text.clone(),
            figs: sources
                .iter()
                .map(|src| src.statement(i).map_or_else(no_fig, fig))
                .collect(),
            gap: gap(sg.gap.as_ref()),
        });
    }
    groups.retain(|g| !g.rows.is_empty());

    let divergent = r
        .most_divergent
        .iter()
        .enumerate()
        .map(|(i, sg)| {
            let g = gap(sg.gap.as_ref());
            DivergentRow {
                rank: i + 1,
                text: sg.text.clone(),
                s_label: sg.s.label(),
                actions: actions.on(id, sg.s, r.s_gaps[sg.s].is_some()),
                gap: g,
            }
        })
        .collect();

    let comments = comments(&r);

    // A side of one body draws the same polygon as that body: drawn once, the chart stays
    // readable (the tables keep both columns; the gap is the sides').
    let mut series = r.body_series();
    for side in r.side_series() {
        if !series.iter().any(|b| b.values == side.values) {
            series.push(side);
        }
    }
    let radar = radar_svg(
        "radar",
        &format!("Gemiddelde score per element, {}", round.title),
        &series,
    );

    // The trend up to this round: a later round is not "earlier" for the reader of this one.
    let upto: Vec<RoundAlignment> = alignments
        .iter()
        .filter(|a| (a.date, a.round) <= (round.closes_on, id))
        .cloned()
        .collect();

    ResultsView {
        id,
        title: round.title.clone(),
        period: format!(
            "{} t/m {}",
            nl::date(round.opens_on),
            nl::date(round.closes_on)
        ),
        respondents,
        side_notes,
        overall: r.overall_alignment.map(score_text),
        columns,
        s_rows,
        radar,
        divergent,
        groups,
        comments,
        trend: trend_view(&upto, id),
        with_actions: actions.any(),
    }
}

/// The comments of the shown bodies per statement, in the round's order; statements without a
/// comment left out. A body below the threshold has no figures, so no comments either.
fn comments(r: &RoundResults) -> Vec<CommentGroup> {
    r.statements
        .iter()
        .enumerate()
        .filter_map(|(i, st)| {
            let bodies: Vec<(String, Vec<String>)> = r
                .bodies
                .iter()
                .filter_map(BodyResult::figures)
                .filter_map(|b| {
                    let c = &b.statements.get(i)?.comments;
                    (!c.is_empty()).then(|| (b.name.clone(), c.clone()))
                })
                .collect();
            (!bodies.is_empty()).then(|| CommentGroup {
                s_label: st.s.label(),
                statement: st.text.clone(),
                bodies,
            })
        })
        .collect()
}

fn trend_view(rounds: &[RoundAlignment], current: RoundId) -> TrendView {
    let t = trend(rounds);
    let cells = |points: &[domain::selfassessment::TrendPoint]| {
        points
            .iter()
            .map(|p| p.score.map_or_else(|| "–".to_string(), score_text))
            .collect()
    };
    let rounds_head = t
        .overall
        .iter()
        .map(|p| (p.title.clone(), nl::date(p.date), p.round == current))
        .collect();
    let rows = t
        .per_s
        .iter()
        .map(|st| TrendRow {
            label: st.s.label(),
            cells: cells(&st.points),
            sparkline: sparkline_svg(
                &format!("trend-{}", st.s.code()),
                &format!("Gelijkgerichtheid op {} over de rondes", st.s.label()),
                &st.points,
            ),
        })
        .collect();
    TrendView {
        rounds: rounds_head,
        rows,
        overall: TrendRow {
            label: "Totaal",
            cells: cells(&t.overall),
            sparkline: sparkline_svg(
                "trend-totaal",
                "Gelijkgerichtheid totaal over de rondes",
                &t.overall,
            ),
        },
    }
}
