-- Indexes for the project catalog's faceted search (storage::catalog) at scale, measured
-- with crates/web/benches/catalog.rs on 100,000 projects (docs/performance.md, section 5).
-- Forward-only. Keep crates/storage/migrations/sqlite/0011_catalog_indexes.sql in step.

-- What the catalog filters, counts and sorts projects by, as a narrow copy of those
-- columns: its scans are index-only scans of this index (a few MB at 100,000 projects)
-- instead of reading the rows with their bodies (~150 MB), and the counts per status and
-- licence come out in index order. It starts with the development status, as the index it
-- replaces did. `id` comes last because PostgreSQL, unlike SQLite, does not keep the row's
-- id in an index by itself. (A title longer than the 2,704-byte limit of an index entry
-- could no longer be stored; the edit form allows 150 characters.)
DROP INDEX projects_development_status;
CREATE INDEX projects_catalog ON projects
    (development_status, license, looking_for_people, draft, deleted_at, date, last_activity,
     title, id);

-- A theme's projects and a lab's projects as index-only scans (they replace the
-- single-column indexes).
DROP INDEX project_themes_theme;
CREATE INDEX project_themes_theme_project ON project_themes (theme, project_id);
DROP INDEX project_labs_lab;
CREATE INDEX project_labs_lab_project ON project_labs (lab_id, project_id);

-- The labs of a federal state (the catalog's state filter, the labs map of a state).
CREATE INDEX labs_state ON labs (state_key);
