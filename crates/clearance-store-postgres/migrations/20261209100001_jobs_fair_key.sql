-- Whose work a job is (an account): claims take turns between keys, so one account's backlog
-- of checks or deliveries does not hold back the others'.
ALTER TABLE jobs ADD COLUMN fair_key TEXT NOT NULL DEFAULT '';
