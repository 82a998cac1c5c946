-- Every API resource is a JSON document with typed columns for scope, owner, time and version.
CREATE TABLE resources (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    mode       TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    kind       TEXT NOT NULL,
    client_id  TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    body       TEXT NOT NULL
);

CREATE INDEX resources_by_scope ON resources (account_id, mode, kind, created_at DESC, id DESC);
CREATE INDEX resources_by_client ON resources (account_id, mode, client_id, kind);
