-- What a person may see changes: a session of theirs ends (logout, password change, blocking),
-- their account is blocked or unblocked, or their roles, memberships or vakgroepen change.
-- Open live streams (crates/web/src/meetings/live.rs) must end or be rendered anew for the new
-- rights at once, on every app instance, so the change is announced at commit on the channel
-- `gg_person` (store::live::PERSON_CHANNEL) with the person's id, like `gg_meeting` for
-- meetings. Triggers rather than calls in the store, so that no path (the admin pages, the
-- command line, a cascade) can forget it; PostgreSQL sends one notification per person and
-- transaction however many rows changed.

CREATE FUNCTION notify_person_link_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('gg_person', OLD.person_id::text);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('gg_person', NEW.person_id::text);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER session_ended AFTER DELETE ON session
    FOR EACH ROW EXECUTE FUNCTION notify_person_link_changed();
CREATE TRIGGER person_role_changed AFTER INSERT OR UPDATE OR DELETE ON person_role
    FOR EACH ROW EXECUTE FUNCTION notify_person_link_changed();
CREATE TRIGGER membership_changed AFTER INSERT OR UPDATE OR DELETE ON membership
    FOR EACH ROW EXECUTE FUNCTION notify_person_link_changed();
CREATE TRIGGER vakgroep_representative_changed AFTER INSERT OR UPDATE OR DELETE ON vakgroep_representative
    FOR EACH ROW EXECUTE FUNCTION notify_person_link_changed();

CREATE FUNCTION notify_person_blocked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gg_person', NEW.id::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER person_blocked AFTER UPDATE OF disabled_at ON person
    FOR EACH ROW WHEN (OLD.disabled_at IS DISTINCT FROM NEW.disabled_at)
    EXECUTE FUNCTION notify_person_blocked();
