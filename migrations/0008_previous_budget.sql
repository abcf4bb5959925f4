-- "Begroting vorig jaar": the scenario of the previous budget year a scenario builds on. Its
-- norm-fte per vakgroep is the grondslag "norm-fte vorig jaar" of variant 3 (D5), until an
-- adopted budget (D9) takes that place. RESTRICT: a scenario another one builds on stays.
ALTER TABLE budget_scenario
    ADD COLUMN previous_scenario_id bigint REFERENCES budget_scenario (id) ON DELETE RESTRICT,
    ADD CONSTRAINT budget_scenario_previous_not_self CHECK (previous_scenario_id <> id);
CREATE INDEX budget_scenario_previous ON budget_scenario (previous_scenario_id)
    WHERE previous_scenario_id IS NOT NULL;

-- The previous scenario is of the year before; checked here so that no path can store another.
CREATE FUNCTION budget_scenario_previous_year() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.previous_scenario_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM budget_scenario p
        WHERE p.id = NEW.previous_scenario_id AND p.year = NEW.year - 1
    ) THEN
        RAISE EXCEPTION 'previous scenario % is not of year %', NEW.previous_scenario_id, NEW.year - 1
            USING ERRCODE = 'check_violation', CONSTRAINT = 'budget_scenario_previous_year';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER budget_scenario_previous_year
    BEFORE INSERT OR UPDATE OF previous_scenario_id, year ON budget_scenario
    FOR EACH ROW EXECUTE FUNCTION budget_scenario_previous_year();
