-- Monitoring the realisation (D10, docs/monitoring.md): the deviation from the adopted budget
-- above which a vakgroep gets a signal, a year setting (a fraction: 0.05 for 5 %).
ALTER TABLE budget_year
    ADD COLUMN signal_threshold numeric(7, 6) NOT NULL DEFAULT 0.05
        CHECK (signal_threshold BETWEEN 0 AND 1);
