//! A year's monitoring (D10) as the budget's pages and the dashboard read it. The figures change
//! only with the budget's revision (an import, an adoption, a change of the year's settings all
//! move it), so a year is computed once per revision and kept ([`MonitoringCache`]).

use super::error::{AppError, AppResult};
use super::state::AppState;
use domain::budget::monitoring::{Monitoring, monitor};
use std::sync::{Arc, Mutex};
use store::budget::monitoring::MonitoringSource;

/// A year's monitoring with what it was computed from.
pub(crate) struct Monitored {
    pub source: MonitoringSource,
    pub monitoring: Monitoring,
}

/// Year, budget revision, figures (or none without an adopted budget).
type Cached = (i16, i64, Option<Arc<Monitored>>);

/// The years' monitoring as last computed, a few years at most.
#[derive(Clone, Default)]
pub(crate) struct MonitoringCache(Arc<Mutex<Vec<Cached>>>);

const CACHED_YEARS: usize = 4;

/// Year `year`'s monitoring at the budget's current revision; `None` without an adopted budget.
pub(crate) async fn monitored(state: &AppState, year: i16) -> AppResult<Option<Arc<Monitored>>> {
    let revision = store::budget::revision(&state.store).await?;
    let cache = state.part::<MonitoringCache>();
    if let Ok(cached) = cache.0.lock()
        && let Some((_, _, m)) = cached.iter().find(|(y, r, _)| *y == year && *r == revision)
    {
        return Ok(m.clone());
    }
    // Kept under the revision read before the figures: a change committed meanwhile moved the
    // revision past it, so the next view computes again.
    let computed = match store::budget::monitoring::monitoring_source(&state.store, year).await? {
        None => None,
        Some(source) => {
            let monitoring =
                monitor(&source.input).map_err(|e| AppError::internal("monitoring a year", e))?;
            Some(Arc::new(Monitored { source, monitoring }))
        }
    };
    if let Ok(mut cached) = cache.0.lock() {
        cached.retain(|(y, _, _)| *y != year);
        cached.insert(0, (year, revision, computed.clone()));
        cached.truncate(CACHED_YEARS);
    }
    Ok(computed)
}
