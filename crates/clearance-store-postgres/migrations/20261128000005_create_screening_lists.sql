-- Imported screening lists: one summary row per list (by display name) and its content as
-- ordered chunks under the content hash. Replacing a list swaps both in one transaction.
CREATE TABLE screening_lists (
    name         TEXT PRIMARY KEY,
    format       TEXT NOT NULL,
    source       TEXT NOT NULL,
    version      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    entity_count BIGINT NOT NULL,
    name_count   BIGINT NOT NULL,
    error_count  BIGINT NOT NULL,
    chunk_count  BIGINT NOT NULL,
    imported_at  BIGINT NOT NULL
);

CREATE TABLE screening_list_chunks (
    list_name    TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    data         BYTEA NOT NULL,
    PRIMARY KEY (list_name, content_hash, seq)
);
