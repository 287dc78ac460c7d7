-- Profiles: what a person tells the network about themselves, each field with its own
-- visibility ('public', 'members' of the network, 'private' = only the person).
-- Forward-only. Keep crates/storage/migrations/postgres/0005_profiles.sql in step.
ALTER TABLE accounts ADD COLUMN bio TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN sector TEXT;
ALTER TABLE accounts ADD COLUMN skills_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE accounts ADD COLUMN interests_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE accounts ADD COLUMN visibility_json TEXT NOT NULL DEFAULT '{}';
