-- Production imports started from the web run in the background (issue #17): their progress,
-- result and rejected lines live here, so that every app instance shows the same status page.
-- The instance running an import writes its row in short transactions of their own, outside the
-- import's transaction (which stays all-or-nothing); `updated_at` is its heartbeat, and a running
-- job whose heartbeat is older than domain::production::IMPORT_JOB_STALE_AFTER_SECS is read as
-- 'afgebroken' by every instance. Jobs are deleted IMPORT_JOB_RETENTION_DAYS after they started.
CREATE TABLE import_job (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year               smallint NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    period             smallint NOT NULL CHECK (period BETWEEN 1 AND 12),
    file_name          text NOT NULL,
    lines_in_file      bigint NOT NULL CHECK (lines_in_file >= 0),
    started_by         bigint REFERENCES person (id) ON DELETE SET NULL,
    started_by_label   text NOT NULL,
    started_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    finished_at        timestamptz,
    state              text NOT NULL DEFAULT 'bezig' CHECK (state IN
                           ('bezig', 'geimporteerd', 'al-geimporteerd', 'afgewezen', 'mislukt', 'afgebroken')),
    -- While running: NULL (waiting for the period's lock), reading, loading or saving.
    phase              text CHECK (phase IN ('lezen', 'laden', 'opslaan')),
    progress_lines     bigint CHECK (progress_lines >= 0),
    progress_total     bigint CHECK (progress_total >= 0),
    -- geimporteerd: the new production_import; al-geimporteerd: the one that already had the file.
    import_id          bigint,
    replaced_import_id bigint,
    line_count         integer CHECK (line_count >= 0),
    vakgroep_count     integer CHECK (vakgroep_count >= 0),
    total_volume       numeric,
    previous_at        timestamptz,
    previous_by        text,
    error_count        integer CHECK (error_count >= 0),
    CHECK ((state = 'bezig') = (finished_at IS NULL)),
    CHECK (state <> 'geimporteerd'
           OR (import_id IS NOT NULL AND line_count IS NOT NULL AND vakgroep_count IS NOT NULL
               AND total_volume IS NOT NULL)),
    CHECK (state <> 'al-geimporteerd'
           OR (import_id IS NOT NULL AND previous_at IS NOT NULL AND previous_by IS NOT NULL)),
    CHECK (state <> 'afgewezen' OR error_count IS NOT NULL)
);
CREATE INDEX import_job_started_at ON import_job (started_at);
CREATE INDEX import_job_running ON import_job (updated_at) WHERE state = 'bezig';

-- Every rejected line of a job, in the order the import reported them (by line number). Written
-- in the transaction that marks the job 'afgewezen', so a reader sees all of them or none.
CREATE TABLE import_job_error (
    job_id      bigint NOT NULL REFERENCES import_job (id) ON DELETE CASCADE,
    seq         integer NOT NULL CHECK (seq >= 1),
    line        integer NOT NULL CHECK (line >= 1),
    column_name text,
    reason      text NOT NULL,
    -- The line as it stood in the file, cut off at 500 bytes; NULL where there is no such line.
    content     text,
    PRIMARY KEY (job_id, seq)
);
