-- Retention deletes old records of one kind across every account (webhook delivery attempts)
-- and finds the oldest pending webhook delivery; old outbox events go by age. Without these,
-- each housekeeping pass would scan the whole table.
CREATE INDEX resources_by_kind_age ON resources (kind, created_at);
CREATE INDEX events_by_age ON events (created_at);
