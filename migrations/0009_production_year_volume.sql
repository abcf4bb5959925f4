-- The realised volume per care product per year: the sum over the year's current imports. Every
-- scenario page needs it as its baseline; summing up to twelve periods of 200,000 care products
-- on each page view cost most of the page. The import recomputes its year in the same
-- transaction as the swap, so the table is exact whenever an import is visible.
CREATE TABLE production_year_volume (
    year            smallint NOT NULL,
    care_product_id bigint NOT NULL,
    volume          numeric NOT NULL CHECK (volume >= 0),
    PRIMARY KEY (year, care_product_id)
);

-- Imports of different periods of one year run side by side until here; the lock makes their
-- refreshes take turns, so the second one sees the first's committed volumes and no two insert
-- the same rows.
CREATE FUNCTION refresh_production_year_volume(y smallint) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(7264004, y::integer);
    DELETE FROM production_year_volume WHERE year = y;
    INSERT INTO production_year_volume (year, care_product_id, volume)
    SELECT y, pv.care_product_id, sum(pv.volume)
    FROM production_volume pv JOIN production_import pi ON pi.id = pv.import_id
    WHERE pi.year = y AND pi.replaced_at IS NULL
    GROUP BY pv.care_product_id;
$$;

SELECT refresh_production_year_volume(year)
FROM (SELECT DISTINCT year FROM production_import WHERE replaced_at IS NULL) years;

-- Deleting a current import (only done by hand) takes its volumes out of its year too.
CREATE OR REPLACE FUNCTION production_import_delete_volumes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM production_volume WHERE import_id = OLD.id;
    IF OLD.replaced_at IS NULL THEN
        PERFORM refresh_production_year_volume(OLD.year);
    END IF;
    RETURN OLD;
END
$$;
