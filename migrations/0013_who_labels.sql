-- Who made a change, also when no person did (the demo, a script, the command line): the
-- label of the store's `Who`, as production_import.imported_by_label already keeps it. Pages
-- show the person's current name when there is one, this label otherwise.
ALTER TABLE agreement_status_change ADD COLUMN changed_by_label text NOT NULL DEFAULT '';
ALTER TABLE trend_input_status_change ADD COLUMN changed_by_label text NOT NULL DEFAULT '';
ALTER TABLE trend_input ADD COLUMN author_label text NOT NULL DEFAULT '';
ALTER TABLE agreement_comment ADD COLUMN author_label text NOT NULL DEFAULT '';

-- Rows written before this migration without a person were written by a script.
UPDATE agreement_status_change SET changed_by_label = 'systeem' WHERE changed_by IS NULL;
UPDATE trend_input_status_change SET changed_by_label = 'systeem' WHERE changed_by IS NULL;
UPDATE trend_input SET author_label = 'systeem' WHERE author_id IS NULL;
UPDATE agreement_comment SET author_label = 'systeem' WHERE author_id IS NULL;
