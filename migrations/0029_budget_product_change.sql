-- What changed in the care products a scenario reads (issue #17): the first view of a scenario
-- after a change read all care products of the hospital again — 200,000 rows with their norm
-- time and baseline, a third of a second — when one norm time or one vakgroep's volumes had
-- changed. The three tables behind those rows now log, with the budget revision that the change
-- moved to, which products or vakgroepen a statement touched; a reader that kept the products
-- of revision r reads the log after r and only the rows it names (store::budget::engine).
--
-- A row names care_product_id (a product: its row or its norm time of `year`, NULL = any year),
-- or vakgroep_id with year (that vakgroep's baseline of `year`), or neither: everything (a
-- statement that touched more rows than are worth naming, or a TRUNCATE).
CREATE TABLE budget_product_change (
    revision        bigint NOT NULL,
    year            smallint,
    care_product_id bigint,
    vakgroep_id     bigint
);
CREATE INDEX budget_product_change_revision ON budget_product_change (revision);

-- The log is complete for every revision after this one; older entries are pruned.
ALTER TABLE budget_revision ADD COLUMN product_log_from bigint NOT NULL DEFAULT 0;
UPDATE budget_revision SET product_log_from = n;

-- Moves the revision (as bump_budget_revision, which these tables used until now) and logs what
-- the statement touched, under the revision it moved to: a reader that read revision r before
-- this transaction committed sees these entries after r, one that read after it sees its rows.
CREATE FUNCTION log_budget_product_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r bigint;
    touched bigint;
BEGIN
    UPDATE budget_revision SET n = n + 1 RETURNING n INTO r;
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO budget_product_change (revision) VALUES (r);
        RETURN NULL;
    END IF;
    -- Both transition tables exist for an update; an insert has only the new rows, a delete
    -- only the old ones. A bulk change (a norm-time list, a master-data import) is cheaper to
    -- read again whole than to name row by row.
    IF TG_OP = 'DELETE' THEN
        SELECT count(*) INTO touched FROM old_rows;
    ELSE
        SELECT count(*) INTO touched FROM new_rows;
    END IF;
    IF touched > 5000 THEN
        INSERT INTO budget_product_change (revision) VALUES (r);
    ELSIF TG_TABLE_NAME = 'norm_time' THEN
        IF TG_OP = 'DELETE' THEN
            INSERT INTO budget_product_change (revision, year, care_product_id)
            SELECT DISTINCT r, year, care_product_id FROM old_rows;
        ELSE
            INSERT INTO budget_product_change (revision, year, care_product_id)
            SELECT DISTINCT r, year, care_product_id FROM new_rows;
        END IF;
    ELSIF TG_TABLE_NAME = 'care_product' THEN
        IF TG_OP = 'DELETE' THEN
            INSERT INTO budget_product_change (revision, care_product_id) SELECT r, id FROM old_rows;
        ELSE
            INSERT INTO budget_product_change (revision, care_product_id) SELECT r, id FROM new_rows;
        END IF;
    ELSE -- production_year_volume
        IF TG_OP = 'DELETE' THEN
            INSERT INTO budget_product_change (revision, year, vakgroep_id)
            SELECT r, year, vakgroep_id FROM old_rows;
        ELSE
            INSERT INTO budget_product_change (revision, year, vakgroep_id)
            SELECT r, year, vakgroep_id FROM new_rows;
        END IF;
    END IF;
    -- Now and then, what no reader can still need goes (a reader that kept an older revision
    -- reads everything again).
    IF r % 1000 = 0 THEN
        DELETE FROM budget_product_change WHERE revision <= r - 100000;
        UPDATE budget_revision SET product_log_from = greatest(product_log_from, r - 100000);
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER norm_time_budget_revision ON norm_time;
DROP TRIGGER care_product_budget_revision ON care_product;
DROP TRIGGER production_year_volume_budget_revision ON production_year_volume;

CREATE TRIGGER norm_time_insert_product_change AFTER INSERT ON norm_time
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_budget_product_change();
CREATE TRIGGER norm_time_update_product_change AFTER UPDATE ON norm_time
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_budget_product_change();
CREATE TRIGGER norm_time_delete_product_change AFTER DELETE ON norm_time
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION log_budget_product_change();
CREATE TRIGGER norm_time_truncate_product_change AFTER TRUNCATE ON norm_time
    FOR EACH STATEMENT EXECUTE FUNCTION log_budget_product_change();

CREATE TRIGGER care_product_insert_product_change AFTER INSERT ON care_product
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_budget_product_change();
CREATE TRIGGER care_product_update_product_change AFTER UPDATE ON care_product
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_budget_product_change();
CREATE TRIGGER care_product_delete_product_change AFTER DELETE ON care_product
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION log_budget_product_change();
CREATE TRIGGER care_product_truncate_product_change AFTER TRUNCATE ON care_product
    FOR EACH STATEMENT EXECUTE FUNCTION log_budget_product_change();

CREATE TRIGGER production_year_volume_insert_product_change AFTER INSERT ON production_year_volume
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_budget_product_change();
CREATE TRIGGER production_year_volume_update_product_change AFTER UPDATE ON production_year_volume
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_budget_product_change();
CREATE TRIGGER production_year_volume_delete_product_change AFTER DELETE ON production_year_volume
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION log_budget_product_change();
CREATE TRIGGER production_year_volume_truncate_product_change AFTER TRUNCATE ON production_year_volume
    FOR EACH STATEMENT EXECUTE FUNCTION log_budget_product_change();
