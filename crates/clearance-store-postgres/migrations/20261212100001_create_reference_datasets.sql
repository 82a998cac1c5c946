-- Reference data for lookups (company registers, address files): one summary row per dataset
-- and its content as ordered chunks under the content hash, replaced together in one
-- transaction. Every node builds its search index from these rows.
CREATE TABLE reference_datasets (
    name         TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    format       TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    record_count BIGINT NOT NULL,
    chunk_count  BIGINT NOT NULL,
    imported_at  BIGINT NOT NULL
);

CREATE TABLE reference_dataset_chunks (
    dataset_name TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    data         BYTEA NOT NULL,
    PRIMARY KEY (dataset_name, content_hash, seq)
);
