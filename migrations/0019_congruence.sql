-- Insurer congruence (D8, docs/congruence.md): tariffs per care product and year, and the
-- insurers' contracts per year (ceiling, share of the production).

-- A year's tariff list replaces the previous one as a whole (an import), like the norm times. A
-- tariff belongs to its care product: deleting the product deletes its tariffs.
CREATE TABLE care_product_tariff (
    year            smallint NOT NULL REFERENCES budget_year (year) ON DELETE RESTRICT,
    care_product_id bigint NOT NULL REFERENCES care_product (id) ON DELETE CASCADE,
    tariff          numeric(12, 2) NOT NULL CHECK (tariff >= 0),
    PRIMARY KEY (year, care_product_id)
);

CREATE TABLE insurer (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year     smallint NOT NULL REFERENCES budget_year (year) ON DELETE RESTRICT,
    name     text NOT NULL CHECK (name = btrim(name) AND name <> '' AND length(name) <= 200),
    -- The contract ceiling in euros.
    ceiling  numeric(16, 2) NOT NULL CHECK (ceiling >= 0),
    -- The insurer's share of the hospital's production, in percent; a year's shares add up to
    -- 100 (checked where congruence is computed: they are entered one by one).
    share    numeric(5, 2) NOT NULL CHECK (share BETWEEN 0 AND 100),
    version  integer NOT NULL DEFAULT 1,
    CONSTRAINT insurer_year_name UNIQUE (year, name)
);
