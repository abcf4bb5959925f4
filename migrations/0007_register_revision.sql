-- A counter that moves with every change to what decides whether an agreement needs attention
-- (B4): the agreements, their parties, KPIs and measurements. The app keeps the computed
-- attention list per (day, revision), so a meeting page does not judge the whole register on
-- every view. The counter is a row, not a sequence, so that it becomes visible together with
-- the change that moved it.
CREATE TABLE register_revision (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    n        bigint NOT NULL
);
INSERT INTO register_revision (only_row, n) VALUES (true, 0);

CREATE FUNCTION bump_register_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE register_revision SET n = n + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER agreement_revision AFTER INSERT OR UPDATE OR DELETE ON agreement
    FOR EACH STATEMENT EXECUTE FUNCTION bump_register_revision();
CREATE TRIGGER agreement_party_revision AFTER INSERT OR UPDATE OR DELETE ON agreement_party
    FOR EACH STATEMENT EXECUTE FUNCTION bump_register_revision();
CREATE TRIGGER agreement_kpi_revision AFTER INSERT OR UPDATE OR DELETE ON agreement_kpi
    FOR EACH STATEMENT EXECUTE FUNCTION bump_register_revision();
CREATE TRIGGER kpi_measurement_revision AFTER INSERT OR UPDATE OR DELETE ON kpi_measurement
    FOR EACH STATEMENT EXECUTE FUNCTION bump_register_revision();
-- Owners are shown by name.
CREATE TRIGGER person_revision AFTER UPDATE OF name ON person
    FOR EACH STATEMENT EXECUTE FUNCTION bump_register_revision();
