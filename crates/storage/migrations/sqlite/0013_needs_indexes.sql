-- Indexes for the need list (storage::needs::list, open_near) at scale, measured with
-- crates/web/benches/needs.rs on 100,000 needs, 1,000,000 comments and 10,000,000
-- supports (docs/performance.md, section 6). Forward-only. Keep
-- crates/storage/migrations/postgres/0013_needs_indexes.sql in step.

-- The public needs (the list's `LISTED` condition word for word, so both planners match
-- it) with every column the list and the lab page filter by. Each list page counts its
-- matches: without these, that count read every row with its body (~240 MB at 100,000
-- needs: 110 ms on PostgreSQL, 35-95 ms on SQLite); with them, a 2 MB index (under 10
-- ms). `held` and `hidden_reason` are constant here, but SQLite only takes an index as
-- covering when it holds every column the query names. One starts with the status (the
-- status filter, "no lab yet" = submitted or in discussion), one with the federal state
-- and theme (the state filter, the lab page's needs nearby): SQLite, without statistics,
-- uses an index only for the leading columns it can compare for equality. Neither holds
-- a column that supports or comments change.
CREATE INDEX needs_listed_status ON needs
    (status, state_key, topic, adopted_lab_id, lab_id, held, hidden_reason)
    WHERE status <> 'draft' AND hidden_reason IS NULL AND held = 0;
CREATE INDEX needs_listed_place ON needs
    (state_key, topic, status, adopted_lab_id, lab_id, held, hidden_reason)
    WHERE status <> 'draft' AND hidden_reason IS NULL AND held = 0;
