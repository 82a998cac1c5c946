-- Named leases: at most one holder of each name across every server on the database (one
-- drainer per webhook queue). `asked` is set by someone who found the lease held and wants the
-- holder to look again before it lets go.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    asked      BOOLEAN NOT NULL DEFAULT FALSE
);
