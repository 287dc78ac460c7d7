-- Deleting a lab, project, post or page is soft: the row stays with the moment it was
-- deleted, public pages and lists leave it out, and an admin can bring it back.
-- Forward-only. Keep crates/storage/migrations/sqlite/0004_soft_delete.sql in step.
ALTER TABLE labs ADD COLUMN deleted_at TEXT;
ALTER TABLE projects ADD COLUMN deleted_at TEXT;
ALTER TABLE posts ADD COLUMN deleted_at TEXT;
ALTER TABLE pages ADD COLUMN deleted_at TEXT;
