-- Proposals for new labs: anyone signed in proposes, network admins approve (the lab is
-- founded, the proposer leads it) or decline with a reason.
-- Forward-only. Keep crates/storage/migrations/postgres/0008_lab_proposals.sql in step.
CREATE TABLE lab_proposals (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    name        TEXT NOT NULL,
    city        TEXT NOT NULL,
    state_key   TEXT NOT NULL REFERENCES federal_states (key),
    leads       TEXT NOT NULL DEFAULT '',
    meeting     TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'declined')),
    reason      TEXT,
    lab_slug    TEXT,
    created_at  TEXT NOT NULL,
    decided_at  TEXT
);
CREATE INDEX lab_proposals_status ON lab_proposals (status);
