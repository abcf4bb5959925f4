-- A large hospital's snapshot is tens of megabytes of JSON: lz4 compresses it several times
-- faster than the default pglz, in the deciding decision's transaction and on every read.
ALTER TABLE budget_adoption ALTER COLUMN snapshot SET COMPRESSION lz4;
