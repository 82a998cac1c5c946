-- The publisher's date of each imported list (ISO 8601 date), when known: shown in screening
-- results, in `clearance lists list`, and as an age on /metrics.
ALTER TABLE screening_lists ADD COLUMN published TEXT;
