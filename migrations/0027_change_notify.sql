-- Page cache invalidation (issue #17): every statement that changes what a page can show
-- notifies the channel gg_change. PostgreSQL delivers notifications at commit, to every app
-- instance, drops them on rollback and folds the identical ones of one transaction into one, so
-- a transaction costs one notification however many statements it runs.
CREATE FUNCTION gg_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gg_change', '');
    RETURN NULL;
END
$$;

-- Every table but those written while no page changes (store::live::UNANNOUNCED_TABLES; a store
-- test keeps this list and the triggers in step, also for tables added later).
DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN
        SELECT c.oid::regclass
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema()
          AND c.relkind IN ('r', 'p')
          AND c.relname NOT IN ('_sqlx_migrations', 'session', 'login_failure', 'mail_outbox',
                                'mail_job', 'import_job', 'import_job_error', 'sa_answer_draft')
    LOOP
        EXECUTE format(
            'CREATE TRIGGER gg_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s
             FOR EACH STATEMENT EXECUTE FUNCTION gg_changed()', t);
    END LOOP;
END
$$;
