//! Background import jobs (migration 0026): the rejected lines keep the file's text of each line
//! whatever the file holds, a finished job takes no more progress, an unknown id is not found.

mod common;

use common::{admin, store};
use gg_store::domain::ids::ImportJobId;
use gg_store::domain::production::LineError;
use gg_store::production::jobs::{self, JobStatus, NewJob};
use gg_store::production::{ImportOutcome, Progress};
use gg_store::{PgPool, Store, StoreError};

async fn new_job(s: &Store) -> ImportJobId {
    let job = NewJob {
        year: 2025,
        period: 3,
        file_name: "extract.csv",
        lines_in_file: 6,
    };
    jobs::create(s, &admin(), job).await.unwrap()
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn rejected_lines_keep_the_text_of_their_line(pool: PgPool) {
    let s = store(pool);
    let id = new_job(&s).await;
    let long = format!("CAR;1001;{}", "9".repeat(2_000));
    let mut file = b"\xEF\xBB\xBFvakgroep;zorgproduct;volume\r\n".to_vec();
    file.extend_from_slice(b"CAR;10\x0001;1\r\n"); // 2: a NUL byte
    file.extend_from_slice(b"CAR;\xff\xfe;1\n"); // 3: no UTF-8
    file.extend_from_slice(long.as_bytes()); // 4: long
    file.extend_from_slice(b"\n\tCAR;1001;\\N\n"); // 5: COPY's special characters
    let errors = vec![
        LineError::new(2, Some("zorgproduct"), "Onbekend zorgproduct \"10\0"),
        LineError::new(3, Some("zorgproduct"), "geen UTF-8"),
        LineError::new(3, Some("volume"), "tweede fout op dezelfde regel"),
        LineError::new(4, Some("volume"), "te groot"),
        LineError::new(5, None, "kolommen"),
        LineError::new(9, None, "na het einde"),
    ];
    let outcome = ImportOutcome::Rejected { errors, total: 6 };
    jobs::finish(&s, id, &outcome, &file).await.unwrap();

    let job = jobs::get(&s, id).await.unwrap();
    assert_eq!(job.status, JobStatus::Rejected { errors: 6 });
    assert!(job.finished_at.is_some());
    let lines = jobs::errors(&s, id, 0, 100).await.unwrap();
    let got: Vec<(i32, i32, Option<&str>)> = lines
        .iter()
        .map(|e| (e.seq, e.line, e.content.as_deref()))
        .collect();
    let long_kept = &long[..jobs::CONTENT_MAX_BYTES];
    assert_eq!(
        got,
        vec![
            (1, 2, Some("CAR;10\u{FFFD}01;1")),
            (2, 3, Some("CAR;\u{FFFD}\u{FFFD};1")),
            (3, 3, Some("CAR;\u{FFFD}\u{FFFD};1")),
            (4, 4, Some(long_kept)),
            (5, 5, Some("\tCAR;1001;\\N")),
            (6, 9, None),
        ]
    );
    assert_eq!(lines[0].reason, "Onbekend zorgproduct \"10\u{FFFD}");
    assert_eq!(lines[4].column_name, None);
    // Read on from where a page ended.
    let rest = jobs::errors(&s, id, 4, 100).await.unwrap();
    assert_eq!(rest.iter().map(|e| e.seq).collect::<Vec<_>>(), [5, 6]);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_finished_job_takes_no_more_progress(pool: PgPool) {
    let s = store(pool);
    let id = new_job(&s).await;
    jobs::report(&s, id, Some(Progress::Loaded { lines: 3, total: 5 }))
        .await
        .unwrap();
    assert_eq!(
        jobs::get(&s, id).await.unwrap().status,
        JobStatus::Running(Some(Progress::Loaded { lines: 3, total: 5 }))
    );
    jobs::fail(&s, id).await.unwrap();
    jobs::report(&s, id, Some(Progress::Saving)).await.unwrap();
    assert_eq!(jobs::get(&s, id).await.unwrap().status, JobStatus::Failed);

    assert!(matches!(
        jobs::get(&s, ImportJobId::new(id.get() + 1)).await,
        Err(StoreError::NotFound)
    ));
}
