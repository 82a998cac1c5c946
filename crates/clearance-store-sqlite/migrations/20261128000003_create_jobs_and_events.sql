-- The durable job queue: a job is runnable when queued, due and not under a live lease.
CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    queue        TEXT NOT NULL,
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       INTEGER NOT NULL,
    lease_owner  TEXT,
    lease_until  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    created_at   INTEGER NOT NULL
);

CREATE INDEX jobs_runnable ON jobs (status, queue, run_at);

-- The transactional outbox: events written with the change they describe, delivered in `seq`
-- order by the webhook dispatcher.
CREATE TABLE events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    account_id    TEXT NOT NULL,
    mode          TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    type          TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    payload       TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE INDEX events_by_resource ON events (account_id, mode, resource_id);
