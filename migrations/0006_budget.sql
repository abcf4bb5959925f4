-- Capacity budget (product.md D1–D3, D7): master data per budget year, realised production
-- volumes with their imports, trend inputs of the vakgroepen with a status history, and scenarios.
-- Vakgroepen are the ones of 0001 (`vakgroep`). Every amount, fte, hour and minute is `numeric`.

-- A care product (zorgproduct or zorgactiviteit) belongs to one vakgroep; the same code may exist
-- under several vakgroepen (a zorgactiviteit is shared), hence unique per vakgroep.
CREATE TABLE care_product (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vakgroep_id bigint NOT NULL REFERENCES vakgroep (id) ON DELETE RESTRICT,
    code        text NOT NULL CHECK (code = btrim(code) AND code <> '' AND length(code) <= 40),
    description text NOT NULL DEFAULT '',
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    CONSTRAINT care_product_vakgroep_code UNIQUE (vakgroep_id, code),
    -- Target of the composite keys below: a child row's product belongs to the child's vakgroep.
    CONSTRAINT care_product_id_vakgroep UNIQUE (id, vakgroep_id)
);

-- The budget year and its settings (D1, D6). Year-scoped master data refers to it; the store
-- creates the row on the first write for a year.
CREATE TABLE budget_year (
    year         smallint PRIMARY KEY CHECK (year BETWEEN 2000 AND 2200),
    -- The fee budget M (€) to distribute, when known.
    fee_budget   numeric(16, 2) CHECK (fee_budget IS NULL OR fee_budget >= 0),
    -- Share φ of M paid as an equal amount per formative fte (financial harmonisation).
    fixed_share  numeric(7, 6) NOT NULL DEFAULT 0 CHECK (fixed_share BETWEEN 0 AND 1),
    -- Optional band around last year's allocation, as fractions (0.90 – 1.15).
    band_min     numeric(7, 6) CHECK (band_min IS NULL OR band_min >= 0),
    band_max     numeric(7, 6) CHECK (band_max IS NULL OR band_max >= 0),
    note         text NOT NULL DEFAULT '',
    version      integer NOT NULL DEFAULT 1,
    CONSTRAINT budget_year_band CHECK (band_min IS NULL OR band_max IS NULL OR band_min <= band_max)
);

-- Minutes per care product in a budget year (the norm time list).
CREATE TABLE norm_time (
    year            smallint NOT NULL REFERENCES budget_year (year) ON DELETE RESTRICT,
    vakgroep_id     bigint NOT NULL,
    care_product_id bigint NOT NULL,
    minutes         numeric(12, 4) NOT NULL CHECK (minutes >= 0),
    version         integer NOT NULL DEFAULT 1,
    PRIMARY KEY (year, care_product_id),
    FOREIGN KEY (care_product_id, vakgroep_id) REFERENCES care_product (id, vakgroep_id) ON DELETE RESTRICT
);
CREATE INDEX norm_time_vakgroep ON norm_time (year, vakgroep_id);
CREATE INDEX norm_time_product ON norm_time (care_product_id);

-- Benchmark productivity: norm hours one fte produces in a year.
CREATE TABLE normuren_per_fte (
    year        smallint NOT NULL REFERENCES budget_year (year) ON DELETE RESTRICT,
    vakgroep_id bigint NOT NULL REFERENCES vakgroep (id) ON DELETE RESTRICT,
    hours       numeric(10, 2) NOT NULL CHECK (hours > 0),
    version     integer NOT NULL DEFAULT 1,
    PRIMARY KEY (year, vakgroep_id)
);

-- Formative fte for patient care: categories 1a and 1b (without management, education, research).
CREATE TABLE formatief_fte (
    year        smallint NOT NULL REFERENCES budget_year (year) ON DELETE RESTRICT,
    vakgroep_id bigint NOT NULL REFERENCES vakgroep (id) ON DELETE RESTRICT,
    fte_1a      numeric(10, 4) NOT NULL DEFAULT 0 CHECK (fte_1a >= 0),
    fte_1b      numeric(10, 4) NOT NULL DEFAULT 0 CHECK (fte_1b >= 0),
    fte         numeric(11, 4) GENERATED ALWAYS AS (fte_1a + fte_1b) STORED,
    version     integer NOT NULL DEFAULT 1,
    PRIMARY KEY (year, vakgroep_id)
);

-- Efficiency and passende-zorg KPIs per vakgroep per year (D4). Direction codes as in the
-- agreements register (`hoger_beter`, `lager_beter`).
CREATE TABLE budget_kpi (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year            smallint NOT NULL REFERENCES budget_year (year) ON DELETE RESTRICT,
    vakgroep_id     bigint NOT NULL REFERENCES vakgroep (id) ON DELETE RESTRICT,
    kind            text NOT NULL CHECK (kind IN ('efficiency', 'passende_zorg')),
    name            text NOT NULL CHECK (btrim(name) <> ''),
    direction       text NOT NULL CHECK (direction IN ('hoger_beter', 'lager_beter')),
    reference_value numeric(16, 6) NOT NULL,
    local_value     numeric(16, 6) NOT NULL,
    source          text NOT NULL DEFAULT '',
    version         integer NOT NULL DEFAULT 1,
    CONSTRAINT budget_kpi_name UNIQUE (year, vakgroep_id, kind, name)
);

-- One import of a period's realised volumes (D2). A corrected file replaces the period: the old
-- record stays as history (replaced_at, replaced_by) and loses its volume rows.
CREATE TABLE production_import (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year              smallint NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    period            smallint NOT NULL CHECK (period BETWEEN 1 AND 12),
    source_name       text NOT NULL,
    file_sha256       text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    line_count        integer NOT NULL CHECK (line_count >= 0),
    total_volume      numeric NOT NULL,
    imported_by       bigint REFERENCES person (id) ON DELETE SET NULL,
    imported_by_label text NOT NULL,
    imported_at       timestamptz NOT NULL DEFAULT now(),
    replaced_at       timestamptz,
    replaced_by       bigint REFERENCES production_import (id)
);
CREATE UNIQUE INDEX production_import_current ON production_import (year, period) WHERE replaced_at IS NULL;

-- Realised volume per care product (and so per vakgroep: the product determines it) of one import.
--
-- No foreign keys here, on purpose: PostgreSQL checks a foreign key row by row, which made a
-- million-row import spend 9 of its 14 seconds in the two checks. Integrity is kept instead by
-- (1) the import itself, the only writer, which resolves every care_product_id by a join with
-- care_product while holding a SHARE lock on it, and inserts under the import record it has just
-- created; (2) the triggers below, which refuse to delete (or move to another vakgroep) a care
-- product that has volumes — with the foreign-key error code, so it reads as "in use" — and
-- delete an import's volumes with the import.
CREATE TABLE production_volume (
    import_id       bigint NOT NULL,
    care_product_id bigint NOT NULL,
    volume          numeric NOT NULL CHECK (volume >= 0),
    PRIMARY KEY (import_id, care_product_id)
);
CREATE INDEX production_volume_product ON production_volume (care_product_id);

CREATE FUNCTION care_product_guard_volumes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.id <> OLD.id OR NEW.vakgroep_id <> OLD.vakgroep_id)
       AND EXISTS (SELECT 1 FROM production_volume WHERE care_product_id = OLD.id) THEN
        RAISE EXCEPTION 'care product % has production volumes', OLD.id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'production_volume_care_product';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER care_product_guard_volumes BEFORE DELETE OR UPDATE OF id, vakgroep_id ON care_product
    FOR EACH ROW EXECUTE FUNCTION care_product_guard_volumes();

CREATE FUNCTION production_import_delete_volumes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM production_volume WHERE import_id = OLD.id;
    RETURN OLD;
END
$$;
CREATE TRIGGER production_import_delete_volumes BEFORE DELETE ON production_import
    FOR EACH ROW EXECUTE FUNCTION production_import_delete_volumes();

-- Trend inputs of the vakgroepen (D3). `value` is percent points for kind `percentage`
-- (2.5 = +2,5 %) and a volume for kind `absoluut`; either may be negative.
CREATE TABLE trend_input (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year          smallint NOT NULL REFERENCES budget_year (year) ON DELETE RESTRICT,
    vakgroep_id   bigint NOT NULL REFERENCES vakgroep (id) ON DELETE RESTRICT,
    scope         text NOT NULL CHECK (scope IN ('vakgroep', 'zorgproducten')),
    kind          text NOT NULL CHECK (kind IN ('percentage', 'absoluut')),
    value         numeric(16, 4) NOT NULL,
    category      text NOT NULL CHECK (category IN ('demografie', 'substitutie', 'passende_zorg', 'concentratie', 'portfoliokeuze', 'overig')),
    rationale     text NOT NULL DEFAULT '',
    source        text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'concept'
                  CHECK (status IN ('concept', 'ingediend', 'geaccepteerd', 'teruggestuurd', 'verwerkt')),
    return_reason text NOT NULL DEFAULT '',
    author_id     bigint REFERENCES person (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1,
    CONSTRAINT trend_input_id_vakgroep UNIQUE (id, vakgroep_id),
    CONSTRAINT trend_input_percentage CHECK (kind <> 'percentage' OR value >= -100)
);
CREATE INDEX trend_input_vakgroep ON trend_input (vakgroep_id, year);
CREATE INDEX trend_input_status ON trend_input (status, year);

-- The chosen care products of a trend input with scope `zorgproducten`; the composite keys make
-- the database refuse a product of another vakgroep.
CREATE TABLE trend_input_product (
    trend_input_id  bigint NOT NULL,
    vakgroep_id     bigint NOT NULL,
    care_product_id bigint NOT NULL,
    PRIMARY KEY (trend_input_id, care_product_id),
    FOREIGN KEY (trend_input_id, vakgroep_id) REFERENCES trend_input (id, vakgroep_id) ON DELETE CASCADE,
    FOREIGN KEY (care_product_id, vakgroep_id) REFERENCES care_product (id, vakgroep_id) ON DELETE RESTRICT
);
CREATE INDEX trend_input_product_product ON trend_input_product (care_product_id);

-- Every status change of a trend input with who, when and why.
CREATE TABLE trend_input_status_change (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trend_input_id bigint NOT NULL REFERENCES trend_input (id) ON DELETE CASCADE,
    from_status    text NOT NULL,
    to_status      text NOT NULL,
    reason         text NOT NULL DEFAULT '',
    -- NULL for scripted changes (the audit trail names the script).
    changed_by     bigint REFERENCES person (id),
    changed_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trend_input_status_change_input ON trend_input_status_change (trend_input_id, changed_at);

-- A budget scenario (D5, D7). Weights are exact fractions that add up to exactly 1.
CREATE TABLE budget_scenario (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year             smallint NOT NULL REFERENCES budget_year (year) ON DELETE RESTRICT,
    name             text NOT NULL CHECK (btrim(name) <> ''),
    description      text NOT NULL DEFAULT '',
    reference_year   smallint NOT NULL CHECK (reference_year BETWEEN 2000 AND 2200),
    pz_variant       smallint NOT NULL DEFAULT 1 CHECK (pz_variant BETWEEN 1 AND 3),
    w_out            numeric(7, 6) NOT NULL CHECK (w_out BETWEEN 0 AND 1),
    w_eff            numeric(7, 6) NOT NULL CHECK (w_eff BETWEEN 0 AND 1),
    w_pz             numeric(7, 6) NOT NULL CHECK (w_pz BETWEEN 0 AND 1),
    -- Variant 3: the earmarked passende-zorg amount and the basis it is distributed over.
    earmarked_amount numeric(16, 2) NOT NULL DEFAULT 0 CHECK (earmarked_amount >= 0),
    grondslag        text NOT NULL DEFAULT 'formatief'
                     CHECK (grondslag IN ('formatief', 'norm_fte', 'norm_fte_vorig_jaar')),
    created_by       bigint REFERENCES person (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1,
    CONSTRAINT budget_scenario_name UNIQUE (year, name),
    CONSTRAINT budget_scenario_weights CHECK (w_out + w_eff + w_pz = 1)
);

-- A vakgroep with another passende-zorg variant than its scenario's (D5 "optionally per vakgroep").
CREATE TABLE budget_scenario_variant (
    scenario_id bigint NOT NULL REFERENCES budget_scenario (id) ON DELETE CASCADE,
    vakgroep_id bigint NOT NULL REFERENCES vakgroep (id) ON DELETE RESTRICT,
    pz_variant  smallint NOT NULL CHECK (pz_variant BETWEEN 1 AND 3),
    PRIMARY KEY (scenario_id, vakgroep_id)
);

-- The trend inputs a scenario takes into account (only accepted ones count in the engine).
CREATE TABLE scenario_trend_input (
    scenario_id    bigint NOT NULL REFERENCES budget_scenario (id) ON DELETE CASCADE,
    trend_input_id bigint NOT NULL REFERENCES trend_input (id) ON DELETE RESTRICT,
    PRIMARY KEY (scenario_id, trend_input_id)
);
CREATE INDEX scenario_trend_input_input ON scenario_trend_input (trend_input_id);

-- B5/D8: an agreement recording an insurer deviation points at the scenario it deviates from.
-- RESTRICT: a scenario that an agreement cites cannot disappear from under it; the scenario must
-- be kept (or the agreement re-pointed) first.
ALTER TABLE agreement
    ADD CONSTRAINT agreement_budget_scenario
    FOREIGN KEY (budget_scenario_id) REFERENCES budget_scenario (id) ON DELETE RESTRICT;
CREATE INDEX agreement_budget_scenario ON agreement (budget_scenario_id) WHERE budget_scenario_id IS NOT NULL;
