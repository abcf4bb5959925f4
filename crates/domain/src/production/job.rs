//! A production import run in the background (D2): where it stands, and the rules every app
//! instance applies the same way to a job it did not start.

code_enum! {
    /// Where a background import stands (`import_job.state`).
    ImportJobState {
        Running => "bezig", "bezig";
        Imported => "geimporteerd", "geïmporteerd";
        AlreadyImported => "al-geimporteerd", "al geïmporteerd";
        Rejected => "afgewezen", "afgewezen";
        /// A technical failure the running instance saw and reported (database gone, a bug).
        Failed => "mislukt", "mislukt";
        /// The running instance stopped reporting (killed, crashed, cut off): it can no longer
        /// say how the import ended.
        Abandoned => "afgebroken", "afgebroken";
    }
}

impl ImportJobState {
    pub fn is_running(self) -> bool {
        self == ImportJobState::Running
    }
}

/// A running job whose instance has not reported for this long is taken as abandoned. The
/// instance reports every few seconds even while PostgreSQL works on one long statement, so only a
/// dead or cut-off instance stays silent this long.
pub const IMPORT_JOB_STALE_AFTER_SECS: i64 = 120;

/// Jobs (with their rejected lines) are kept this long after they started, then deleted.
pub const IMPORT_JOB_RETENTION_DAYS: i32 = 30;
