-- Imported screening lists: one summary row per list (by display name) and its content as
-- ordered chunks under the content hash. Replacing a list swaps both in one transaction.
CREATE TABLE screening_lists (
    name         TEXT PRIMARY KEY,
    format       TEXT NOT NULL,
    source       TEXT NOT NULL,
    version      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    entity_count INTEGER NOT NULL,
    name_count   INTEGER NOT NULL,
    error_count  INTEGER NOT NULL,
    chunk_count  INTEGER NOT NULL,
    imported_at  INTEGER NOT NULL
);

CREATE TABLE screening_list_chunks (
    list_name    TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    data         BLOB NOT NULL,
    PRIMARY KEY (list_name, content_hash, seq)
);
