//! The register's lines as every page shows them: each agreement with its traffic light, the
//! reason in words and why it needs attention (B3, B4). The agreements section lists and
//! exports them, the agenda's standing item *afspraken die aandacht vragen* and the dashboard
//! show the attention list; this instance keeps the judgement per day and register revision in
//! [`RegisterCache`].

use super::error::AppResult;
use super::state::AppState;
use domain::agreements::attention::{self, Reason};
use domain::agreements::kinds::{AgreementStatus, ReviewCadence};
use domain::agreements::kpi::{TrafficLight, agreement_light, kpi_light};
use domain::ids::AgreementId;
use domain::nl;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use store::agreements::{RegisterFilter, RegisterRow};
use time::Date;

/// One agreement as the register shows and exports it.
#[derive(Clone)]
pub struct Line {
    pub row: RegisterRow,
    pub light: TrafficLight,
    /// Why the light is what it is, in a short Dutch phrase.
    pub reason: String,
    /// Why it needs attention (B4), most pressing first; empty when it does not.
    pub attention: Vec<Reason>,
}

impl Line {
    pub fn kind_label(&self) -> &'static str {
        self.row.kind.label()
    }

    pub fn status_label(&self) -> &'static str {
        self.row.status.label()
    }

    pub fn theme_label(&self) -> &'static str {
        self.row.theme.map_or("", |t| t.label())
    }

    pub fn seven_s_labels(&self) -> String {
        self.row
            .seven_s
            .iter()
            .map(|e| e.label())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn parties(&self) -> String {
        self.row.party_labels.join(", ")
    }

    pub fn owners(&self) -> String {
        self.row.owner_names.join(", ")
    }

    /// The owners for the table: a dash when nobody is named.
    pub fn owners_shown(&self) -> String {
        if self.row.owner_names.is_empty() {
            "—".into()
        } else {
            self.owners()
        }
    }

    pub fn due(&self) -> String {
        self.row
            .due_date
            .map(nl::date)
            .unwrap_or_else(|| "—".into())
    }

    pub fn light_code(&self) -> &'static str {
        self.light.code()
    }

    pub fn light_label(&self) -> &'static str {
        self.light.label()
    }

    /// The attention reasons as one Dutch phrase ("verlopen sinds …; beoordeling gepland op …").
    pub fn attention_text(&self) -> String {
        self.attention
            .iter()
            .map(|r| r.text())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The tag of the most pressing reason ("Verlopen"), for the start of an agenda line.
    pub fn attention_tag(&self) -> &'static str {
        self.attention.first().map_or("", |r| r.tag())
    }
}

/// Which of the matching agreements to show: the ones with this light (all when `None`), only
/// those that need attention, and one page of them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Selection {
    pub light: Option<TrafficLight>,
    pub attention_only: bool,
    /// `(offset, limit)`; `None`: all of them.
    pub window: Option<(usize, usize)>,
}

/// A selection of the register's lines with their lights and attention reasons, and how many
/// agreements the selection holds before paging. Four queries whatever the number of
/// agreements: the matching rows, the KPIs and the measurements that decide the lights, and the
/// names of the rows shown. Lights are judged for every matching agreement only when the
/// selection depends on them; otherwise only for the page.
pub async fn lines(
    state: &AppState,
    filter: &RegisterFilter,
    today: Date,
    selection: Selection,
) -> AppResult<(Vec<Line>, usize)> {
    let window = |len: usize| {
        selection.window.map_or(0..len, |(offset, limit)| {
            offset.min(len)..(offset + limit).min(len)
        })
    };
    let (mut lines, total) = if selection.light.is_some() || selection.attention_only {
        let (rows, _) = store::agreements::matching(&state.store, filter, None).await?;
        let judged: Vec<Line> = judge(state, rows, today)
            .await?
            .into_iter()
            .filter(|l| selection.light.is_none_or(|w| l.light == w))
            .filter(|l| !selection.attention_only || !l.attention.is_empty())
            .collect();
        let total = judged.len();
        let range = window(total);
        (
            judged
                .into_iter()
                .skip(range.start)
                .take(range.len())
                .collect(),
            total,
        )
    } else {
        let sql_window = selection.window.map(|(o, l)| {
            (
                i64::try_from(o).unwrap_or(i64::MAX),
                i64::try_from(l).unwrap_or(i64::MAX),
            )
        });
        let (page, mut total) =
            store::agreements::matching(&state.store, filter, sql_window).await?;
        if page.is_empty() && sql_window.is_some_and(|(o, _)| o > 0) {
            // Beyond the last page: the caller still needs to know how many there are.
            total = store::agreements::matching(&state.store, filter, Some((0, 1)))
                .await?
                .1;
        }
        (judge(state, page, today).await?, total)
    };
    let mut rows: Vec<RegisterRow> = lines.iter().map(|l| l.row.clone()).collect();
    store::agreements::decorate(&state.store, &mut rows).await?;
    for (line, row) in lines.iter_mut().zip(rows) {
        line.row = row;
    }
    Ok((lines, total))
}

/// What the register says about one agreement today.
#[derive(Clone)]
struct Judgement {
    light: TrafficLight,
    reason: String,
    attention: Vec<Reason>,
}

/// The lights and attention reasons of the rows: from this instance's judgement of the whole
/// register for today and the current revision (computed at most once per revision), and
/// directly for rows newer than that.
async fn judge(state: &AppState, rows: Vec<RegisterRow>, today: Date) -> AppResult<Vec<Line>> {
    let all = judgements(state, today).await?;
    let missing: Vec<&RegisterRow> = rows.iter().filter(|r| !all.contains_key(&r.id)).collect();
    let extra = if missing.is_empty() {
        HashMap::new()
    } else {
        compute_judgements(state, &missing, today).await?
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let j = all
                .get(&row.id)
                .or_else(|| extra.get(&row.id))
                .cloned()
                .unwrap_or(Judgement {
                    light: TrafficLight::NoData,
                    reason: String::new(),
                    attention: Vec::new(),
                });
            Line {
                row,
                light: j.light,
                reason: j.reason,
                attention: j.attention,
            }
        })
        .collect())
}

/// Every agreement's judgement for `today`, shared by all pages of this instance until the
/// register's revision moves (or the day changes: lights weigh the date).
async fn judgements(
    state: &AppState,
    today: Date,
) -> AppResult<Arc<HashMap<AgreementId, Judgement>>> {
    let revision = store::agreements::revision(&state.store).await?;
    let cached = state
        .part::<RegisterCache>()
        .judgements
        .lock()
        .ok()
        .and_then(|c| c.clone());
    if let Some((day, rev, all)) = cached
        && day == today
        && rev == revision
    {
        return Ok(all);
    }
    // Read after the revision: a change committed in between is in these rows and moves the
    // revision, so the next call judges again (never stale, at worst once too often).
    let filter = RegisterFilter {
        visible_bodies: all_bodies(state).await?,
        ..RegisterFilter::default()
    };
    let (rows, _) = store::agreements::matching(&state.store, &filter, None).await?;
    let refs: Vec<&RegisterRow> = rows.iter().collect();
    let all = Arc::new(compute_judgements(state, &refs, today).await?);
    if let Ok(mut c) = state.part::<RegisterCache>().judgements.lock() {
        *c = Some((today, revision, all.clone()));
    }
    Ok(all)
}

async fn all_bodies(state: &AppState) -> AppResult<Vec<i64>> {
    Ok(store::bodies::list(state.store.pool())
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect())
}

/// The light, its reason and the attention reasons of each row, from the KPIs of all rows read
/// at once (two queries).
async fn compute_judgements(
    state: &AppState,
    rows: &[&RegisterRow],
    today: Date,
) -> AppResult<HashMap<AgreementId, Judgement>> {
    let ids: Vec<AgreementId> = rows.iter().map(|r| r.id).collect();
    let mut kpis: HashMap<AgreementId, Vec<_>> = HashMap::new();
    for (agreement, kpi, measurements) in
        store::agreements::kpi_light_data_for(&state.store, &ids).await?
    {
        kpis.entry(agreement).or_default().push((kpi, measurements));
    }
    Ok(rows
        .iter()
        .map(|row| {
            let assessments: Vec<_> = kpis
                .get(&row.id)
                .into_iter()
                .flatten()
                .map(|(kpi, ms)| {
                    let ms: Vec<_> = ms.iter().map(|m| m.to_domain()).collect();
                    kpi_light(&kpi.to_domain(), &ms, row.due_date, today)
                })
                .collect();
            let (light, reason) = light_of(row, &assessments, today);
            let attention = attention_of(row, light, today);
            (
                row.id,
                Judgement {
                    light,
                    reason,
                    attention,
                },
            )
        })
        .collect())
}

/// What this instance keeps of the register per day and register revision: every meeting page
/// and live update shows the attention list, and the register's light filter needs every
/// agreement's light; judging thousands of agreements on each of them would cost more than the
/// rest of the page.
#[derive(Clone, Default)]
pub struct RegisterCache {
    attention: Slot<Vec<Line>>,
    judgements: Slot<HashMap<AgreementId, Judgement>>,
}

/// A value as computed on a day at a register revision, if any.
type Slot<T> = Arc<Mutex<Option<(Date, i64, Arc<T>)>>>;

/// The settled agreements that need attention today (B4), for every body: the callers (the
/// agenda's standing item) show each person only what they may see. One query when the
/// register has not changed since the last call today.
pub async fn needing_attention(state: &AppState, today: Date) -> AppResult<Arc<Vec<Line>>> {
    let revision = store::agreements::revision(&state.store).await?;
    let cached = state
        .part::<RegisterCache>()
        .attention
        .lock()
        .ok()
        .and_then(|c| c.clone());
    if let Some((day, rev, lines)) = cached
        && day == today
        && rev == revision
    {
        return Ok(lines);
    }
    // Computed after reading the revision: a change committed in between is already in the
    // lines and moves the revision, so the next call computes again (never stale, at worst once
    // too often).
    let lines = Arc::new(judge_attention(state, today).await?);
    if let Ok(mut c) = state.part::<RegisterCache>().attention.lock() {
        *c = Some((today, revision, lines.clone()));
    }
    Ok(lines)
}

async fn judge_attention(state: &AppState, today: Date) -> AppResult<Vec<Line>> {
    let filter = RegisterFilter {
        attention_on: Some(today),
        visible_bodies: all_bodies(state).await?,
        ..RegisterFilter::default()
    };
    let selection = Selection {
        attention_only: true,
        ..Selection::default()
    };
    let (mut lines, _) = lines(state, &filter, today, selection).await?;
    lines.sort_by(|a, b| {
        a.attention[0]
            .cmp(&b.attention[0])
            .then(a.row.id.cmp(&b.row.id))
    });
    Ok(lines)
}

fn attention_of(row: &RegisterRow, light: TrafficLight, today: Date) -> Vec<Reason> {
    let cadence = ReviewCadence::from_months(row.review_months.and_then(|m| u32::try_from(m).ok()));
    let facts = attention::Facts {
        status: row.status,
        due: row.due_date,
        review_due: attention::review_due_on(
            cadence,
            row.start_date,
            row.created_on,
            row.reviewed_on,
        ),
        light,
    };
    attention::reasons(&facts, today)
}

fn light_of(
    row: &RegisterRow,
    assessments: &[domain::agreements::kpi::Assessment],
    today: Date,
) -> (TrafficLight, String) {
    let status = row.status;
    let lights: Vec<TrafficLight> = assessments.iter().map(|a| a.light).collect();
    let light = agreement_light(&lights, status, row.due_date, today);
    let reason = match status {
        AgreementStatus::Gerealiseerd => "afspraak gerealiseerd".to_string(),
        AgreementStatus::NietNagekomen => "afspraak niet nagekomen".to_string(),
        AgreementStatus::Vervallen => "afspraak vervallen".to_string(),
        _ => match assessments
            .iter()
            .filter(|a| a.light == light)
            .max_by_key(|a| a.light.severity())
        {
            Some(a) => a.reason.clone(),
            None => match row.due_date {
                Some(due) if today > due => {
                    format!("einddatum {} verstreken, geen meting", nl::date(due))
                }
                _ if assessments.is_empty() => "geen KPI's".to_string(),
                _ => String::new(),
            },
        },
    };
    (light, reason)
}
