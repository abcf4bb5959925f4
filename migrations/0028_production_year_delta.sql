-- The year's baseline (migration 0009) kept as one row per vakgroep and year, its care products'
-- summed volumes as arrays, instead of one row per care product (issue #17).
--
-- A row per care product made every import of a million lines write, update or delete a million
-- rows of the baseline besides its own million volume rows: two thirds of the import's time.
-- Now the import adds what its period changed in the app (store::production::year) and rewrites
-- only the vakgroepen whose sums changed: tens of rows, however large the file. Each care
-- product also counts the periods that have a line for it, so the import knows when it leaves
-- the year; the table stays exactly what refresh_production_year_volume computes. The arrays
-- are ordered by care product id. Volumes are kept in ten-thousandths as bigint: a volume has at
-- most four decimals and twelve digits before the mark (domain::production), so twelve periods
-- of them stay far below 2^63, and a million integers cross the wire many times faster than
-- a million numerics.
DROP TABLE production_year_volume;

CREATE TABLE production_year_volume (
    year             smallint NOT NULL,
    vakgroep_id      bigint NOT NULL,
    care_product_ids bigint[] NOT NULL,
    ten_thousandths  bigint[] NOT NULL,
    periods          smallint[] NOT NULL,
    PRIMARY KEY (year, vakgroep_id),
    CHECK (cardinality(care_product_ids) > 0
           AND cardinality(ten_thousandths) = cardinality(care_product_ids)
           AND cardinality(periods) = cardinality(care_product_ids))
);
-- Uncompressed: compressing the arrays of a vakgroep on every import cost more than writing them.
ALTER TABLE production_year_volume
    ALTER COLUMN care_product_ids SET STORAGE EXTERNAL,
    ALTER COLUMN ten_thousandths SET STORAGE EXTERNAL,
    ALTER COLUMN periods SET STORAGE EXTERNAL;

CREATE OR REPLACE FUNCTION refresh_production_year_volume(y smallint) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(7264004, y::integer);
    DELETE FROM production_year_volume WHERE year = y;
    INSERT INTO production_year_volume (year, vakgroep_id, care_product_ids, ten_thousandths, periods)
    SELECT y, s.vakgroep_id, array_agg(s.care_product_id ORDER BY s.care_product_id),
           array_agg((s.volume * 10000)::bigint ORDER BY s.care_product_id),
           array_agg(s.periods ORDER BY s.care_product_id)
    FROM (SELECT p.vakgroep_id, pv.care_product_id, sum(pv.volume) AS volume, count(*)::smallint AS periods
          FROM production_volume pv
          JOIN production_import pi ON pi.id = pv.import_id
          JOIN care_product p ON p.id = pv.care_product_id
          WHERE pi.year = y AND pi.replaced_at IS NULL
          GROUP BY p.vakgroep_id, pv.care_product_id) s
    GROUP BY s.vakgroep_id;
$$;

SELECT refresh_production_year_volume(year)
FROM (SELECT DISTINCT year FROM production_import WHERE replaced_at IS NULL) years;

-- As before (0010, 0027): the baseline moves the budget revision and tells the page caches.
CREATE TRIGGER production_year_volume_budget_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON production_year_volume
    FOR EACH STATEMENT EXECUTE FUNCTION bump_budget_revision();
CREATE TRIGGER gg_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON production_year_volume
    FOR EACH STATEMENT EXECUTE FUNCTION gg_changed();

-- production_volume only holds the rows of current imports (a replaced import loses its rows),
-- so "has this care product volumes" is answered by the baseline of its vakgroep as well. The
-- index on production_volume (care_product_id) served only that question and cost a
-- million-line import a second of index maintenance.
DROP INDEX production_volume_product;

CREATE FUNCTION care_product_volume_years(product bigint, vakgroep bigint) RETURNS smallint[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(year ORDER BY year), '{}')
    FROM production_year_volume WHERE vakgroep_id = vakgroep AND product = ANY(care_product_ids);
$$;

CREATE OR REPLACE FUNCTION care_product_guard_volumes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.id <> OLD.id OR NEW.vakgroep_id <> OLD.vakgroep_id)
       AND cardinality(care_product_volume_years(OLD.id, OLD.vakgroep_id)) > 0 THEN
        RAISE EXCEPTION 'care product % has production volumes', OLD.id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'production_volume_care_product';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
