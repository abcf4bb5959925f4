-- E-mail notifications (issue #16; docs/notifications.md).
--
-- Every mail is written here in the same transaction as the change that causes it, already
-- rendered for its recipient (so it says only what that person could see at that moment), and
-- sent after commit by a worker. A row is sent by one instance: the worker holds its row lock
-- (FOR UPDATE SKIP LOCKED) from claiming it until `sent_at` is committed. Without an SMTP server
-- (GG_SMTP_URL unset) rows stay unsent and the beheerder reads them in Beheer › Berichten.
CREATE TABLE mail_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The recipient as a person (NULL once the person is deleted) and the address at writing.
    person_id       bigint REFERENCES person (id) ON DELETE SET NULL,
    recipient       text NOT NULL,
    kind            text NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text NOT NULL,
    attachment_name text,
    attachment_type text,
    attachment      bytea,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- For the person's daily digest rather than on its own; `digested_at` once it went out in one.
    for_digest      boolean NOT NULL DEFAULT false,
    digested_at     timestamptz,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    sent_at         timestamptz,
    -- Given up after the last attempt; the beheerder sees it in Beheer › Berichten.
    failed_at       timestamptz,
    CHECK (attachment IS NULL OR (attachment_name IS NOT NULL AND attachment_type IS NOT NULL))
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, id)
    WHERE sent_at IS NULL AND failed_at IS NULL AND NOT for_digest;
CREATE INDEX mail_outbox_digest ON mail_outbox (person_id, id)
    WHERE for_digest AND digested_at IS NULL;
CREATE INDEX mail_outbox_newest ON mail_outbox (id DESC);

-- Wakes the workers of every instance when mail is written (after commit, like every NOTIFY).
CREATE FUNCTION mail_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mail_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER mail_outbox_notify AFTER INSERT ON mail_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION mail_outbox_notify();

-- A person's choice per kind of mail; no row is the kind's default (domain::notify).
CREATE TABLE mail_preference (
    person_id bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    kind      text NOT NULL,
    delivery  text NOT NULL CHECK (delivery IN ('direct', 'dagoverzicht', 'uit')),
    PRIMARY KEY (person_id, kind)
);
