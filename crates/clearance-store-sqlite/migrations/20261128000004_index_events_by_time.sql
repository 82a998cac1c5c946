-- Redelivery looks events up by scope and time window (POST /v1/webhooks/:id/redeliver).
CREATE INDEX events_by_time ON events (account_id, mode, created_at);
