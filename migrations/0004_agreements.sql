-- Agreements register (product.md B1–B6): parties with an accountable owner each, 7S elements,
-- JZOJP theme, realisation date, insurer deviation and budget link, status history, comments,
-- KPIs with dated measurements, and full-text search. Extends the `agreement` table of 0003;
-- codes match gg_domain::agreements::kinds and ::kpi.

ALTER TABLE agreement
    -- JZOJP theme (seed 000 §2.3); NULL: not about Juiste Zorg op de Juiste Plek.
    ADD COLUMN theme text
        CONSTRAINT agreement_theme_code
        CHECK (theme IN ('laag_complex', 'hoog_complex', 'gepaste_zorg', 'zorg_thuis', 'eerste_lijn')),
    -- The day the agreement was marked `gerealiseerd`; the compliance rate compares it with due_date.
    ADD COLUMN realised_on date,
    -- B5: what of the capacity budget could not be brought in line with the insurer contract.
    ADD COLUMN insurer_deviation text NOT NULL DEFAULT '',
    -- B5/D8: the budget scenario this agreement records a deviation of. No foreign key yet: the
    -- budget tables arrive with the capacity budget (product.md D), which adds the constraint.
    ADD COLUMN budget_scenario_id bigint,
    ADD COLUMN search tsvector GENERATED ALWAYS AS
        (to_tsvector('dutch', coalesce(title, '') || ' ' || coalesce(description, ''))) STORED,
    ADD CONSTRAINT agreement_review_months CHECK (review_months IS NULL OR review_months BETWEEN 1 AND 120);

CREATE INDEX agreement_search ON agreement USING gin (search);
CREATE INDEX agreement_status ON agreement (status);
-- 0003's agreement_due covers open agreements only; the register filters on every status.
CREATE INDEX agreement_due_all ON agreement (due_date, id);
CREATE INDEX agreement_theme ON agreement (theme) WHERE theme IS NOT NULL;
CREATE INDEX agreement_visibility ON agreement (visibility_body_id) WHERE visibility_body_id IS NOT NULL;

-- The parties to an agreement (B1), each with its accountable owner.
CREATE TABLE agreement_party (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id bigint NOT NULL REFERENCES agreement (id) ON DELETE CASCADE,
    -- Order as entered; the first party's owner is the agreement's default owner.
    position     smallint NOT NULL DEFAULT 0,
    kind         text NOT NULL
                 CONSTRAINT agreement_party_kind_code
                 CHECK (kind IN ('rvb', 'msb_plus', 'vakgroep', 'verzekeraar', 'regionale_partner')),
    -- The party's name where the kind does not say it: the vakgroep, the insurer, the partner.
    label        text NOT NULL DEFAULT '',
    vakgroep_id  bigint REFERENCES vakgroep (id),
    owner_id     bigint REFERENCES person (id),
    CONSTRAINT agreement_party_vakgroep CHECK (vakgroep_id IS NULL OR kind = 'vakgroep'),
    CONSTRAINT agreement_party_named CHECK (kind IN ('rvb', 'msb_plus', 'vakgroep') OR btrim(label) <> ''),
    CONSTRAINT agreement_party_once UNIQUE NULLS NOT DISTINCT (agreement_id, kind, label, vakgroep_id)
);
CREATE INDEX agreement_party_agreement ON agreement_party (agreement_id, position);
CREATE INDEX agreement_party_owner ON agreement_party (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX agreement_party_kind ON agreement_party (kind, agreement_id);
CREATE INDEX agreement_party_vakgroep ON agreement_party (vakgroep_id) WHERE vakgroep_id IS NOT NULL;

-- The 7S elements an agreement touches (B1).
CREATE TABLE agreement_seven_s (
    agreement_id bigint NOT NULL REFERENCES agreement (id) ON DELETE CASCADE,
    element      text NOT NULL
                 CONSTRAINT agreement_seven_s_code
                 CHECK (element IN ('gedeelde_waarden', 'strategie', 'structuur', 'systemen', 'personeel', 'vaardigheden', 'stijl')),
    PRIMARY KEY (agreement_id, element)
);
CREATE INDEX agreement_seven_s_element ON agreement_seven_s (element, agreement_id);

-- Every status change with who, when and why (B2). Creation is in the audit trail, not here.
CREATE TABLE agreement_status_change (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id bigint NOT NULL REFERENCES agreement (id) ON DELETE CASCADE,
    from_status  text NOT NULL
                 CHECK (from_status IN ('voorgesteld', 'vastgesteld', 'in_uitvoering', 'gerealiseerd', 'niet_nagekomen', 'vervallen')),
    to_status    text NOT NULL
                 CHECK (to_status IN ('voorgesteld', 'vastgesteld', 'in_uitvoering', 'gerealiseerd', 'niet_nagekomen', 'vervallen')),
    reason       text NOT NULL DEFAULT '',
    -- NULL for scripted changes (the audit trail names the script).
    changed_by   bigint REFERENCES person (id),
    changed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agreement_status_change_agreement ON agreement_status_change (agreement_id, changed_at);

CREATE TABLE agreement_comment (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id bigint NOT NULL REFERENCES agreement (id) ON DELETE CASCADE,
    author_id    bigint REFERENCES person (id),
    text         text NOT NULL CHECK (btrim(text) <> ''),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agreement_comment_agreement ON agreement_comment (agreement_id, created_at);

-- Monitoring (B3).
CREATE TABLE agreement_kpi (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id bigint NOT NULL REFERENCES agreement (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (btrim(name) <> ''),
    unit         text NOT NULL DEFAULT '',
    direction    text NOT NULL
                 CONSTRAINT agreement_kpi_direction_code CHECK (direction IN ('hoger_beter', 'lager_beter')),
    baseline     numeric NOT NULL,
    target       numeric NOT NULL,
    version      integer NOT NULL DEFAULT 1
);
CREATE INDEX agreement_kpi_agreement ON agreement_kpi (agreement_id, id);

CREATE TABLE kpi_measurement (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kpi_id      bigint NOT NULL REFERENCES agreement_kpi (id) ON DELETE CASCADE,
    measured_on date NOT NULL,
    value       numeric NOT NULL,
    note        text NOT NULL DEFAULT '',
    recorded_by bigint REFERENCES person (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kpi_measurement_kpi ON kpi_measurement (kpi_id, measured_on);
