-- Asking to join a lab: a membership in state 'requested' carries the person's message
-- to the leads until they accept (state 'active') or decline (the row goes).
-- Forward-only. Keep crates/storage/migrations/postgres/0007_join_requests.sql in step.
ALTER TABLE lab_memberships ADD COLUMN message TEXT;
