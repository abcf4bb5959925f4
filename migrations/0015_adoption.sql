-- Adoption of a budget by both boards (product.md D9, docs/adoption.md).
--
-- A scenario is proposed on a joint meeting through an agenda item on which the RvB and the MSB
-- decide (budget_adoption_proposal). When every deciding body has recorded *aangenomen*, the
-- store writes, in the transaction of the decision that completes it, an immutable snapshot of
-- every input and result with its SHA-256 content hash (budget_adoption and its rows). The
-- database refuses to change or remove those rows, as it does for audit_log (0001), and refuses
-- any change to an adopted scenario, its variants, trend inputs, bands and earmark placement.

-- One proposal per agenda item; a scenario has at most one open proposal at a time. The status
-- is the proposal's own bookkeeping (closed when the bodies decided otherwise), not a snapshot.
CREATE TABLE budget_adoption_proposal (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scenario_id       bigint NOT NULL REFERENCES budget_scenario (id) ON DELETE CASCADE,
    item_id           bigint NOT NULL UNIQUE REFERENCES agenda_item (id) ON DELETE CASCADE,
    -- domain::budget::adoption::ProposalStatus
    status            text NOT NULL DEFAULT 'voorgesteld'
                      CHECK (status IN ('voorgesteld', 'vastgesteld', 'verworpen', 'verdeeld', 'niet_vastgesteld')),
    proposed_at       timestamptz NOT NULL DEFAULT now(),
    proposed_by       bigint REFERENCES person (id) ON DELETE SET NULL,
    proposed_by_label text NOT NULL,
    closed_at         timestamptz
);
CREATE UNIQUE INDEX budget_adoption_proposal_open ON budget_adoption_proposal (scenario_id)
    WHERE status = 'voorgesteld';

-- An adopted budget: the canonical snapshot (domain::budget::adoption, canonical JSON, kept as
-- text because jsonb would reorder and reformat it) and the SHA-256 of its UTF-8 bytes.
CREATE TABLE budget_adoption (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scenario_id  bigint NOT NULL UNIQUE REFERENCES budget_scenario (id) ON DELETE RESTRICT,
    year         smallint NOT NULL,
    proposal_id  bigint NOT NULL UNIQUE REFERENCES budget_adoption_proposal (id) ON DELETE RESTRICT,
    item_id      bigint NOT NULL REFERENCES agenda_item (id) ON DELETE RESTRICT,
    meeting_id   bigint NOT NULL REFERENCES meeting (id) ON DELETE RESTRICT,
    -- The adopted budget this one changes (a begrotingswijziging), if any.
    amends_id    bigint REFERENCES budget_adoption (id) ON DELETE RESTRICT,
    adopted_at   timestamptz NOT NULL DEFAULT now(),
    snapshot     text NOT NULL,
    content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX budget_adoption_year ON budget_adoption (year, adopted_at);

-- The decisions that adopted it, as they were when the last one was recorded.
CREATE TABLE budget_adoption_decision (
    adoption_id bigint NOT NULL REFERENCES budget_adoption (id) ON DELETE RESTRICT,
    body_id     bigint NOT NULL,
    body_name   text NOT NULL,
    decision_id bigint NOT NULL,
    outcome     text NOT NULL,
    text        text NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (adoption_id, body_id)
);

-- The allocation per vakgroep (also in the snapshot): last year's allocation of the next year's
-- budgets, and the year's overview, without parsing the snapshot.
CREATE TABLE budget_adoption_allocation (
    adoption_id bigint NOT NULL REFERENCES budget_adoption (id) ON DELETE RESTRICT,
    vakgroep_id bigint NOT NULL,
    code        text NOT NULL,
    allocation  numeric(16, 2) NOT NULL,
    earmark     numeric(16, 2) NOT NULL,
    total       numeric(16, 2) NOT NULL,
    PRIMARY KEY (adoption_id, vakgroep_id)
);

-- A scenario that changes an adopted budget (begrotingswijziging), created from its page.
CREATE TABLE budget_adoption_amendment (
    scenario_id bigint PRIMARY KEY REFERENCES budget_scenario (id) ON DELETE CASCADE,
    amends_id   bigint NOT NULL REFERENCES budget_adoption (id) ON DELETE RESTRICT
);

CREATE FUNCTION budget_adoption_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER budget_adoption_immutable BEFORE UPDATE OR DELETE ON budget_adoption
    FOR EACH ROW EXECUTE FUNCTION budget_adoption_refuse_change();
CREATE TRIGGER budget_adoption_no_truncate BEFORE TRUNCATE ON budget_adoption
    FOR EACH STATEMENT EXECUTE FUNCTION budget_adoption_refuse_change();
CREATE TRIGGER budget_adoption_decision_immutable BEFORE UPDATE OR DELETE ON budget_adoption_decision
    FOR EACH ROW EXECUTE FUNCTION budget_adoption_refuse_change();
CREATE TRIGGER budget_adoption_decision_no_truncate BEFORE TRUNCATE ON budget_adoption_decision
    FOR EACH STATEMENT EXECUTE FUNCTION budget_adoption_refuse_change();
CREATE TRIGGER budget_adoption_allocation_immutable BEFORE UPDATE OR DELETE ON budget_adoption_allocation
    FOR EACH ROW EXECUTE FUNCTION budget_adoption_refuse_change();
CREATE TRIGGER budget_adoption_allocation_no_truncate BEFORE TRUNCATE ON budget_adoption_allocation
    FOR EACH STATEMENT EXECUTE FUNCTION budget_adoption_refuse_change();

-- An adopted scenario is locked: the write is refused with SQLSTATE GGA01, which the store reads
-- as Invalid::Adopted (the web answers 409 with a Dutch message). TG_ARGV[0] names the column
-- holding the scenario's id.
CREATE FUNCTION budget_adoption_lock() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    row_json jsonb := CASE WHEN TG_OP = 'INSERT' THEN to_jsonb(NEW) ELSE to_jsonb(OLD) END;
BEGIN
    IF EXISTS (SELECT 1 FROM budget_adoption
               WHERE scenario_id = (row_json ->> TG_ARGV[0])::bigint) THEN
        RAISE EXCEPTION 'scenario % is adopted and cannot change', row_json ->> TG_ARGV[0]
            USING ERRCODE = 'GGA01';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER budget_scenario_adoption_lock BEFORE UPDATE OR DELETE ON budget_scenario
    FOR EACH ROW EXECUTE FUNCTION budget_adoption_lock('id');
CREATE TRIGGER budget_scenario_variant_adoption_lock BEFORE INSERT OR UPDATE OR DELETE ON budget_scenario_variant
    FOR EACH ROW EXECUTE FUNCTION budget_adoption_lock('scenario_id');
CREATE TRIGGER scenario_trend_input_adoption_lock BEFORE INSERT OR UPDATE OR DELETE ON scenario_trend_input
    FOR EACH ROW EXECUTE FUNCTION budget_adoption_lock('scenario_id');
CREATE TRIGGER scenario_distribution_band_adoption_lock BEFORE INSERT OR UPDATE OR DELETE ON scenario_distribution_band
    FOR EACH ROW EXECUTE FUNCTION budget_adoption_lock('scenario_id');
-- Sharing an adopted distribution with the RvB stays possible: only the placement is locked.
CREATE TRIGGER scenario_distribution_adoption_lock BEFORE UPDATE ON scenario_distribution
    FOR EACH ROW WHEN (OLD.earmark_placement IS DISTINCT FROM NEW.earmark_placement)
    EXECUTE FUNCTION budget_adoption_lock('scenario_id');
