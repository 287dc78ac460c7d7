-- Indexes for the project catalog's faceted search (storage::catalog) at scale, measured
-- with crates/web/benches/catalog.rs on 100,000 projects (docs/performance.md, section 5).
-- Forward-only. Keep crates/storage/migrations/postgres/0011_catalog_indexes.sql in step.

-- What the catalog filters, counts and sorts projects by, as a narrow copy of those
-- columns: its scans read this index (a few MB at 100,000 projects) instead of the rows
-- with their bodies (~200 MB), and the counts per status and licence come out in index
-- order. It starts with the development status, as the index it replaces did, so queries
-- filtering by status use it as before. Not with `draft`/`deleted_at` first: without
-- ANALYZE statistics SQLite takes `draft = 0 AND deleted_at IS NULL` for a selective
-- condition and turns joins around (the per-lab project counts of the labs list took
-- 8 s instead of 0.4 s that way).
DROP INDEX projects_development_status;
CREATE INDEX projects_catalog ON projects
    (development_status, license, looking_for_people, draft, deleted_at, date, last_activity,
     title);

-- A theme's projects and a lab's projects straight from the index, without a lookup of
-- the link row for each (they replace the single-column indexes).
DROP INDEX project_themes_theme;
CREATE INDEX project_themes_theme_project ON project_themes (theme, project_id);
DROP INDEX project_labs_lab;
CREATE INDEX project_labs_lab_project ON project_labs (lab_id, project_id);

-- The labs of a federal state (the catalog's state filter, the labs map of a state).
CREATE INDEX labs_state ON labs (state_key);
