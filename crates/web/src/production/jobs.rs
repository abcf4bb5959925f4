//! Production imports running in the background, with their progress, for the status page.

use crate::shared::upload::Upload;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use store::audit::Who;
use store::production::{ImportOutcome, ImportRequest, Progress};
use store::{Store, StoreError};

/// Finished imports kept for their result page; the oldest are forgotten first.
const KEEP: usize = 100;

#[derive(Clone)]
pub enum JobState {
    Running(Option<Progress>),
    Done(ImportOutcome),
    /// A technical failure (database gone, …); the transaction was rolled back.
    Failed,
}

struct Job {
    year: i16,
    period: i16,
    file_name: String,
    lines_in_file: usize,
    state: JobState,
}

/// What the status page shows of a job.
pub struct JobView {
    pub year: i16,
    pub period: i16,
    pub file_name: String,
    pub running: bool,
    /// One sentence: how far, or how it ended.
    pub progress: String,
    /// `bezig`, `geimporteerd`, `al-geimporteerd`, `afgewezen` or `mislukt`.
    pub outcome: &'static str,
}

#[derive(Default)]
struct Registry {
    next: u64,
    jobs: BTreeMap<u64, Job>,
}

/// The imports of this instance, by id.
#[derive(Clone, Default)]
pub struct Jobs(Arc<Mutex<Registry>>);

fn describe(job: &Job) -> JobView {
    let count = domain::nl::count;
    let (running, outcome, progress) = match &job.state {
        JobState::Running(None) => (true, "bezig", "De import wacht op zijn beurt…".to_string()),
        JobState::Running(Some(Progress::Parsed { lines })) => (
            true,
            "bezig",
            format!(
                "Bestand lezen: {} van ongeveer {} regels gelezen.",
                count(*lines),
                count(job.lines_in_file)
            ),
        ),
        JobState::Running(Some(Progress::Loaded { lines, total })) => (
            true,
            "bezig",
            format!(
                "Laden: {} van {} regels naar de database gestuurd.",
                count(*lines),
                count(*total)
            ),
        ),
        JobState::Running(Some(Progress::Saving)) => (
            true,
            "bezig",
            "Codes controleren en de periode vervangen…".to_string(),
        ),
        JobState::Done(ImportOutcome::Imported(s)) => (
            false,
            "geimporteerd",
            format!(
                "Geïmporteerd: {} regels van {} vakgroepen, totaal volume {}.{}",
                count(s.lines),
                count(s.vakgroepen),
                domain::budget::volume_text(s.total_volume),
                if s.replaced_import_id.is_some() {
                    " De vorige import van deze periode is vervangen."
                } else {
                    ""
                }
            ),
        ),
        JobState::Done(ImportOutcome::AlreadyImported {
            imported_at,
            imported_by,
            ..
        }) => (
            false,
            "al-geimporteerd",
            format!(
                "Dit bestand is al geïmporteerd voor deze periode (op {} door {}). Er is niets gewijzigd.",
                domain::nl::datetime(*imported_at),
                imported_by
            ),
        ),
        JobState::Done(ImportOutcome::Rejected { total, .. }) => (
            false,
            "afgewezen",
            format!(
                "Het bestand is niet geïmporteerd: {} {}. Er is niets gewijzigd; verbeter het bestand en importeer het opnieuw.",
                count(*total),
                if *total == 1 { "fout" } else { "fouten" }
            ),
        ),
        JobState::Failed => (
            false,
            "mislukt",
            "De import is mislukt door een technische storing. Er is niets gewijzigd; probeer het later opnieuw.".to_string(),
        ),
    };
    JobView {
        year: job.year,
        period: job.period,
        file_name: job.file_name.clone(),
        running,
        progress,
        outcome,
    }
}

impl Jobs {
    /// The registry, also after a thread panicked while holding it: it holds only plain data,
    /// and refusing every status page afterwards would be worse than reading it.
    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set(&self, id: u64, state: JobState) {
        if let Some(job) = self.lock().jobs.get_mut(&id) {
            job.state = state;
        }
    }

    /// Registers a job as waiting and returns its id.
    fn register(&self, year: i16, period: i16, file_name: String, lines_in_file: usize) -> u64 {
        let mut r = self.lock();
        r.next += 1;
        let id = r.next;
        r.jobs.insert(
            id,
            Job {
                year,
                period,
                file_name,
                lines_in_file,
                state: JobState::Running(None),
            },
        );
        while r.jobs.len() > KEEP {
            let oldest = r
                .jobs
                .iter()
                .find(|(_, j)| !matches!(j.state, JobState::Running(_)))
                .map(|(k, _)| *k);
            match oldest {
                Some(k) => r.jobs.remove(&k),
                None => break,
            };
        }
        id
    }

    /// Starts an import in the background and returns its id.
    pub(crate) fn start(
        &self,
        store: &Store,
        who: Who,
        year: i16,
        period: i16,
        upload: Upload,
    ) -> u64 {
        let lines_in_file = upload.data.iter().filter(|&&b| b == b'\n').count();
        let id = self.register(year, period, upload.file_name.clone(), lines_in_file);
        let jobs = self.clone();
        let store = store.clone();
        self.run(id, async move {
            let request = ImportRequest {
                year,
                period,
                source_name: &upload.file_name,
                data: &upload.data,
            };
            let progress = |p: Progress| jobs.set(id, JobState::Running(Some(p)));
            store::production::import(&store, &who, request, progress).await
        });
        id
    }

    /// Runs a job's import in the background. Whatever happens to it — an error, a panic, a
    /// runtime shutting down — the job ends: the guard marks it failed unless it finished.
    fn run<F>(&self, id: u64, import: F)
    where
        F: Future<Output = Result<ImportOutcome, StoreError>> + Send + 'static,
    {
        let guard = EndsJob {
            jobs: self.clone(),
            id,
            done: false,
        };
        tokio::spawn(async move {
            let mut guard = guard;
            let state = match import.await {
                Ok(outcome) => JobState::Done(outcome),
                Err(e) => {
                    tracing::error!(error = %e, job = id, "production import failed");
                    JobState::Failed
                }
            };
            guard.jobs.set(id, state);
            guard.done = true;
        });
    }
    /// A job's view and state, if this instance knows it.
    pub fn get(&self, id: u64) -> Option<(JobView, JobState)> {
        let r = self.lock();
        let job = r.jobs.get(&id)?;
        Some((describe(job), job.state.clone()))
    }
}

/// Marks a job failed when its task ends without finishing (a panic unwinds through it).
struct EndsJob {
    jobs: Jobs,
    id: u64,
    done: bool,
}

impl Drop for EndsJob {
    fn drop(&mut self) {
        if !self.done {
            tracing::error!(job = self.id, "production import ended without a result");
            self.jobs.set(self.id, JobState::Failed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn outcome(jobs: &Jobs, id: u64) -> &'static str {
        for _ in 0..100 {
            let (view, _) = jobs.get(id).expect("the job is known");
            if !view.running {
                return view.outcome;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the job is still running");
    }

    #[tokio::test]
    async fn a_panicking_or_failing_import_ends_its_job_as_failed() {
        let jobs = Jobs::default();
        let id = jobs.register(2025, 3, "p.csv".into(), 2);
        jobs.run(id, async { panic!("a bug in the import") });
        assert_eq!(outcome(&jobs, id).await, "mislukt");

        let id = jobs.register(2025, 3, "p.csv".into(), 2);
        jobs.run(id, async { Err(StoreError::Other("database weg".into())) });
        assert_eq!(outcome(&jobs, id).await, "mislukt");

        let id = jobs.register(2025, 3, "p.csv".into(), 2);
        jobs.run(id, async {
            Ok(ImportOutcome::Rejected {
                errors: Vec::new(),
                total: 1,
            })
        });
        assert_eq!(outcome(&jobs, id).await, "afgewezen");
    }
}
