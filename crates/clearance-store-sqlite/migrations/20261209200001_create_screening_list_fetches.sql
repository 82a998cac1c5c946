-- How the last downloads of each list source went (`clearance lists fetch` and the refresh
-- schedule): the publisher's validators (ETag, Last-Modified) of the files last stored, as a JSON
-- array, so the next request is conditional; and the last attempt, success and error, so a
-- failing source is visible in `clearance lists list` and on /metrics.
CREATE TABLE screening_list_fetches (
    source       TEXT PRIMARY KEY,
    validators   TEXT NOT NULL,
    attempted_at INTEGER NOT NULL,
    succeeded_at INTEGER,
    error        TEXT,
    failures     INTEGER NOT NULL
);
