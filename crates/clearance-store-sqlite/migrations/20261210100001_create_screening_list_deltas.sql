-- What each import changed in a list (issue #25): one row per delta (per list, numbered by
-- seq), and its entities: the ids added, changed (content hash differs) and removed against the
-- version replaced, with their primary names and content hashes, not their records (those stay
-- in screening_list_chunks). Written with the list in one transaction; an import keeps the
-- newest 100 deltas of its list.
CREATE TABLE screening_list_deltas (
    list_name        TEXT NOT NULL,
    seq              INTEGER NOT NULL,
    version          TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    previous_version TEXT,
    previous_hash    TEXT,
    imported_at      INTEGER NOT NULL,
    added            INTEGER NOT NULL,
    changed          INTEGER NOT NULL,
    removed          INTEGER NOT NULL,
    PRIMARY KEY (list_name, seq)
);

CREATE TABLE screening_list_delta_entities (
    list_name     TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    entity_id     TEXT NOT NULL,
    change_kind   TEXT NOT NULL,
    name          TEXT NOT NULL,
    previous_name TEXT,
    hash_before   TEXT,
    hash_after    TEXT,
    fields        TEXT NOT NULL,
    PRIMARY KEY (list_name, seq, entity_id)
);

-- The self-check of the stored version: how many of its own primary names were screened back
-- against it, and how many missed their entity (above 0 only when stored with --force).
ALTER TABLE screening_lists ADD COLUMN self_check_sampled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE screening_lists ADD COLUMN self_check_missed INTEGER NOT NULL DEFAULT 0;
