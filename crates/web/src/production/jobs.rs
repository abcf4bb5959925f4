//! Production imports running in the background. The instance that takes the upload runs the
//! import and writes its progress and result to `import_job` ([`store::production::jobs`]);
//! the status page reads that row, so any instance behind the load balancer shows it.

use crate::shared::upload::Upload;
use domain::ids::ImportJobId;
use std::sync::Arc;
use std::time::Duration;
use store::audit::Who;
use store::production::jobs::{self, ImportJob, JobStatus, NewJob};
use store::production::{ImportOutcome, ImportRequest, Progress};
use store::{Store, StoreError};
use tokio::sync::{oneshot, watch};

/// Progress is written at most this often: a million-line file reports dozens of steps a second,
/// and one UPDATE each would slow the import it describes.
const REPORT_EVERY: Duration = Duration::from_millis(250);

/// Without news the heartbeat is still written this often, e.g. while PostgreSQL spends seconds
/// on the swap. Far below `IMPORT_JOB_STALE_AFTER_SECS`, so only a dead instance goes stale.
const HEARTBEAT: Duration = Duration::from_secs(5);

/// What the status page shows of a job.
pub struct JobView {
    pub year: i16,
    pub period: i16,
    pub file_name: String,
    pub running: bool,
    /// One sentence: how far, or how it ended.
    pub progress: String,
    /// The state's code: `bezig`, `geimporteerd`, `al-geimporteerd`, `afgewezen`, `mislukt` or
    /// `afgebroken`.
    pub outcome: &'static str,
    /// How many bad lines a rejected file had.
    pub errors: usize,
}

impl From<ImportJob> for JobView {
    fn from(job: ImportJob) -> Self {
        let count = domain::nl::count;
        let progress = match &job.status {
            JobStatus::Running(None) => "De import wacht op zijn beurt…".to_string(),
            JobStatus::Running(Some(Progress::Parsed { lines })) => format!(
                "Bestand lezen: {} van ongeveer {} regels gelezen.",
                count(*lines),
                count(job.lines_in_file)
            ),
            JobStatus::Running(Some(Progress::Loaded { lines, total })) => format!(
                "Laden: {} van {} regels naar de database gestuurd.",
                count(*lines),
                count(*total)
            ),
            JobStatus::Running(Some(Progress::Saving)) => {
                "Codes controleren en de periode vervangen…".to_string()
            }
            JobStatus::Imported {
                lines,
                vakgroepen,
                total_volume,
                replaced,
            } => format!(
                "Geïmporteerd: {} regels van {} vakgroepen, totaal volume {}.{}",
                count(*lines),
                count(*vakgroepen),
                domain::budget::volume_text(*total_volume),
                if *replaced {
                    " De vorige import van deze periode is vervangen."
                } else {
                    ""
                }
            ),
            JobStatus::AlreadyImported {
                imported_at,
                imported_by,
            } => format!(
                "Dit bestand is al geïmporteerd voor deze periode (op {} door {}). Er is niets gewijzigd.",
                domain::nl::datetime(*imported_at),
                imported_by
            ),
            JobStatus::Rejected { errors } => format!(
                "Het bestand is niet geïmporteerd: {} {}. Er is niets gewijzigd; verbeter het bestand en importeer het opnieuw.",
                count(*errors),
                if *errors == 1 { "fout" } else { "fouten" }
            ),
            JobStatus::Failed => "De import is mislukt door een technische storing. Er is niets gewijzigd; probeer het later opnieuw.".to_string(),
            JobStatus::Abandoned => "De import is afgebroken: de server die hem uitvoerde, reageert niet meer. Een import is alles of niets: kijk bij de imports of de periode is vervangen, en importeer het bestand anders opnieuw.".to_string(),
        };
        JobView {
            year: job.year,
            period: job.period,
            file_name: job.file_name,
            running: job.status.state().is_running(),
            progress,
            outcome: job.status.state().code(),
            errors: match job.status {
                JobStatus::Rejected { errors } => errors,
                _ => 0,
            },
        }
    }
}

/// Registers the import as a job, starts it in the background and returns the job's id.
pub(crate) async fn start(
    store: &Store,
    who: Who,
    year: i16,
    period: i16,
    upload: Upload,
) -> Result<ImportJobId, StoreError> {
    let lines_in_file = upload.data.iter().filter(|&&b| b == b'\n').count();
    let new = NewJob {
        year,
        period,
        file_name: &upload.file_name,
        lines_in_file,
    };
    let id = jobs::create(store, &who, new).await?;
    let file_name = upload.file_name;
    let data = Arc::new(upload.data);
    let task_store = store.clone();
    run(
        store.clone(),
        id,
        Arc::clone(&data),
        move |progress| async move {
            let request = ImportRequest {
                year,
                period,
                source_name: &file_name,
                data: &data,
            };
            let progress = move |p: Progress| {
                progress.send_replace(Some(p));
            };
            // Every bad line, not the first thousand: they are stored, not shown at once.
            store::production::import_keeping(&task_store, &who, request, usize::MAX, progress)
                .await
        },
    );
    Ok(id)
}

/// Runs a job's import in the background and records how it ended. Whatever happens to it — an
/// error, a panic — the job ends: the guard marks it failed unless it finished. Only a process
/// that dies leaves it running, and then its silent heartbeat gives it away.
fn run<F, Fut>(store: Store, id: ImportJobId, data: Arc<Vec<u8>>, import: F)
where
    F: FnOnce(watch::Sender<Option<Progress>>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<ImportOutcome, StoreError>> + Send + 'static,
{
    let guard = EndsJob {
        store: store.clone(),
        id,
        done: false,
    };
    tokio::spawn(async move {
        let mut guard = guard;
        let (progress, news) = watch::channel(None);
        let (stop, stopped) = oneshot::channel();
        let reporter = tokio::spawn(report(store.clone(), id, news, stopped));
        // Old jobs go when a new one starts; their rows are no use to anyone after that.
        if let Err(e) = jobs::purge_expired(&store).await {
            tracing::warn!(error = %e, "deleting old production import jobs failed");
        }
        let result = import(progress).await;
        // The last progress write lands before the result, never after it.
        let _ = stop.send(());
        let _ = reporter.await;
        let recorded = match result {
            Ok(outcome) => jobs::finish(&store, id, &outcome, &data).await,
            Err(e) => {
                tracing::error!(error = %e, job = %id, "production import failed");
                jobs::fail(&store, id).await
            }
        };
        if let Err(e) = recorded {
            // The heartbeat stops with this task, so the job reads as abandoned in time.
            tracing::error!(error = %e, job = %id, "recording a production import's end failed");
        }
        guard.done = true;
    });
}

/// Writes the job's heartbeat with its latest progress: at most every [`REPORT_EVERY`], at least
/// every [`HEARTBEAT`], until told to stop.
async fn report(
    store: Store,
    id: ImportJobId,
    mut news: watch::Receiver<Option<Progress>>,
    mut stop: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut stop => return,
            () = tokio::time::sleep(REPORT_EVERY) => {}
        }
        tokio::select! {
            _ = &mut stop => return,
            Ok(()) = news.changed() => {}
            () = tokio::time::sleep(HEARTBEAT) => {}
        }
        let now = *news.borrow_and_update();
        if let Err(e) = jobs::report(&store, id, now).await {
            tracing::warn!(error = %e, job = %id, "writing a production import's progress failed");
        }
    }
}

/// Marks a job failed when its task ends without finishing (a panic unwinds through it).
struct EndsJob {
    store: Store,
    id: ImportJobId,
    done: bool,
}

impl Drop for EndsJob {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        tracing::error!(job = %self.id, "production import ended without a result");
        let (store, id) = (self.store.clone(), self.id);
        // No runtime left (shutting down): the stale heartbeat will tell instead.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = jobs::fail(&store, id).await {
                    tracing::error!(error = %e, job = %id, "marking a production import failed");
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::PgPool;

    async fn outcome(store: &Store, id: ImportJobId) -> &'static str {
        for _ in 0..200 {
            let view = JobView::from(jobs::get(store, id).await.unwrap());
            if !view.running {
                return view.outcome;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the job is still running");
    }

    async fn job(store: &Store) -> ImportJobId {
        let new = NewJob {
            year: 2025,
            period: 3,
            file_name: "p.csv",
            lines_in_file: 2,
        };
        jobs::create(store, &Who::system("test"), new)
            .await
            .unwrap()
    }

    #[sqlx::test(migrator = "store::MIGRATOR")]
    async fn a_panicking_or_failing_import_ends_its_job_as_failed(pool: PgPool) {
        let store = Store::from_pool(pool);
        let data = Arc::new(b"vakgroep;zorgproduct;volume\nCAR;1;-1\n".to_vec());
        let id = job(&store).await;
        run(store.clone(), id, data.clone(), |_| async {
            panic!("a bug in the import")
        });
        assert_eq!(outcome(&store, id).await, "mislukt");

        let id = job(&store).await;
        run(store.clone(), id, data.clone(), |_| async {
            Err(StoreError::Other("database weg".into()))
        });
        assert_eq!(outcome(&store, id).await, "mislukt");

        let id = job(&store).await;
        run(store.clone(), id, data, |_| async {
            Ok(ImportOutcome::Rejected {
                errors: vec![domain::production::LineError::new(
                    2,
                    Some("volume"),
                    "Negatief",
                )],
                total: 1,
            })
        });
        assert_eq!(outcome(&store, id).await, "afgewezen");
        let lines = jobs::errors(&store, id, 0, 10).await.unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].content.as_deref(), Some("CAR;1;-1"));
    }
}
