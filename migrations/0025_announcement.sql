-- Announcing a changed agenda (issue #16): how often the agenda of a published meeting was
-- announced again and when last. The count is the announcement form's version, so two
-- secretaries announcing the same change send it once.
ALTER TABLE meeting
    ADD COLUMN agenda_announcements integer NOT NULL DEFAULT 0,
    ADD COLUMN agenda_announced_at  timestamptz;
