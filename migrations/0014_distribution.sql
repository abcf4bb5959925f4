-- Distribution of the fee budget (product.md D6) per scenario: where a variant-3 earmark comes
-- from, the vakgroepen' own bands, and whether the MSB board has shared the per-vakgroep
-- distribution with the RvB (§0). The year's M, φ and default band are in budget_year (0006).
--
-- Per scenario, not per year: a scenario is what is shared, proposed and adopted (D9), so a band
-- changed for one scenario must not silently move the figures of another that the RvB has
-- already seen; and comparing scenarios with different bands is the point of having several.
-- None of these tables moves budget_revision: the engine's input does not depend on them, and
-- the distribution is computed on every request from the (cached) engine result.

-- One row per scenario once anything is set; a scenario without a row has its earmark on top of
-- M and is not shared. `version` moves with every change to the scenario's distribution
-- settings, the band overrides included, so that sharing refuses a page read before a change.
CREATE TABLE scenario_distribution (
    scenario_id       bigint PRIMARY KEY REFERENCES budget_scenario (id) ON DELETE CASCADE,
    -- domain::budget::EarmarkPlacement
    earmark_placement text NOT NULL DEFAULT 'boven_op'
                      CHECK (earmark_placement IN ('boven_op', 'binnen_budget')),
    shared_at         timestamptz,
    shared_by         bigint REFERENCES person (id) ON DELETE SET NULL,
    -- Who shared it as they were named then (the person may be renamed or removed later).
    shared_by_label   text,
    version           integer NOT NULL DEFAULT 1,
    CONSTRAINT scenario_distribution_shared CHECK ((shared_at IS NULL) = (shared_by_label IS NULL))
);

-- A vakgroep's own band in a scenario, instead of the year's default band; fractions as in
-- budget_year (0.9 for 90 %).
CREATE TABLE scenario_distribution_band (
    scenario_id bigint NOT NULL REFERENCES budget_scenario (id) ON DELETE CASCADE,
    vakgroep_id bigint NOT NULL REFERENCES vakgroep (id) ON DELETE RESTRICT,
    band_floor  numeric(7, 6) NOT NULL CHECK (band_floor >= 0),
    band_cap    numeric(7, 6) NOT NULL CHECK (band_cap >= 0),
    version     integer NOT NULL DEFAULT 1,
    PRIMARY KEY (scenario_id, vakgroep_id),
    CONSTRAINT scenario_distribution_band_order CHECK (band_floor <= band_cap)
);
CREATE INDEX scenario_distribution_band_vakgroep ON scenario_distribution_band (vakgroep_id);
