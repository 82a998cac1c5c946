-- A client's resources of one kind, newest first, straight from the index: with the old
-- (account_id, mode, client_id, kind) index the planner took the scope index for the order and
-- walked every resource of the kind in the scope (a multi-bureau lookup over 1,000,000 records
-- took 0.4 s; a client's checks in a big account likewise). This index serves the filter and
-- the order, and covers the counts the old one served.
CREATE INDEX resources_by_client_time ON resources (account_id, mode, client_id, kind, created_at DESC, id DESC);
DROP INDEX resources_by_client;
