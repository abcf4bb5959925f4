-- The daily mail jobs (issue #16): each runs once a day whatever the number of app instances;
-- the instance whose INSERT succeeds runs it.
CREATE TABLE mail_job (
    job     text NOT NULL,
    day     date NOT NULL,
    ran_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job, day)
);
