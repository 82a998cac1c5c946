-- Whose work a job is (an account), and its turn: one after the newest queued job of the same
-- key, or the queue's head when the key has none queued (start-time fair queuing). Claims go
-- by turn, so one account's backlog of checks or deliveries does not hold back the others'.
ALTER TABLE jobs ADD COLUMN fair_key TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN turn INTEGER NOT NULL DEFAULT 0;
DROP INDEX jobs_runnable;
CREATE INDEX jobs_by_turn ON jobs (status, queue, turn, run_at);
CREATE INDEX jobs_by_key_turn ON jobs (status, queue, fair_key, turn);
