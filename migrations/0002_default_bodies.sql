-- The default bodies of a Dutch hospital (product.md §0); Beheer can rename, reorder and add.
INSERT INTO body (code, name, kind, sort_order) VALUES
    ('RvB', 'Raad van Bestuur', 'bestuur', 10),
    ('MSB', 'Medisch Specialistisch Bedrijf (vrijgevestigd)', 'msbplus', 20),
    ('VMSD', 'Vereniging Medisch Specialisten in Dienstverband', 'msbplus', 30),
    ('VMS', 'Vereniging Medische Staf', 'msbplus', 40);
