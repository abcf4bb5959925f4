-- A counter that moves with every change to what a scenario's engine input is read from (the
-- master data, the production baseline, trend inputs and scenarios). The app keeps the input it
-- read per (scenario, revision), so pages, what-if and the trend-input preview of a large
-- hospital do not read 200,000 care products on every view. A row, not a sequence, so that it
-- becomes visible together with the change that moved it (as register_revision, 0007).
CREATE TABLE budget_revision (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    n        bigint NOT NULL
);
INSERT INTO budget_revision (only_row, n) VALUES (true, 0);

CREATE FUNCTION bump_budget_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE budget_revision SET n = n + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER vakgroep_budget_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vakgroep
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
CREATE TRIGGER care_product_budget_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON care_product
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
CREATE TRIGGER budget_year_budget_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON budget_year
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
CREATE TRIGGER norm_time_budget_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON norm_time
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
CREATE TRIGGER normuren_per_fte_budget_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON normuren_per_fte
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
CREATE TRIGGER formatief_fte_budget_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON formatief_fte
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
CREATE TRIGGER budget_kpi_budget_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON budget_kpi
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
-- No trigger on production_import: every change to it (an import's swap, a deletion) refreshes
-- production_year_volume in the same transaction, whose trigger moves the revision. That keeps
-- the counter row locked only from the refresh at the end of an import to its commit, not for
-- the seconds the import works after its swap, and takes it after the import's lock on
-- care_product, in the same order as every writer of care_product.
CREATE TRIGGER production_year_volume_budget_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON production_year_volume
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
CREATE TRIGGER trend_input_budget_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON trend_input
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
CREATE TRIGGER trend_input_product_budget_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON trend_input_product
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
CREATE TRIGGER budget_scenario_budget_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON budget_scenario
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
CREATE TRIGGER budget_scenario_variant_budget_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON budget_scenario_variant
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
CREATE TRIGGER scenario_trend_input_budget_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON scenario_trend_input
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
-- A scenario shows who made it.
CREATE TRIGGER person_budget_revision AFTER UPDATE OF name ON person
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
