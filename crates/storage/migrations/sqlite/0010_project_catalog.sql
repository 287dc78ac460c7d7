-- The project catalog for Public Money, Public Code: publiccode.yml metadata, repository
-- sync, administrations that use a project, and the roles a project needs.
-- Forward-only. Keep crates/storage/migrations/postgres/0010_project_catalog.sql in step.

-- Where a project stands, split as publiccode.yml does: how far the software is
-- (developmentStatus) and who keeps it up (maintenance/type). The old mixed `status`
-- is carried over and dropped; its free text stays in `status_text`.
ALTER TABLE projects ADD COLUMN development_status TEXT
    CHECK (development_status IN ('concept', 'development', 'beta', 'stable', 'obsolete'));
ALTER TABLE projects ADD COLUMN maintenance TEXT
    CHECK (maintenance IN ('internal', 'contract', 'community', 'none'));
-- A general call for people, as the old "sucht Mitmachende" status said (roles are below).
ALTER TABLE projects ADD COLUMN looking_for_people INTEGER NOT NULL DEFAULT 0;
UPDATE projects SET development_status = CASE status
        WHEN 'idea' THEN 'concept'
        WHEN 'in_progress' THEN 'development'
        WHEN 'looking_for_people' THEN 'development'
        WHEN 'in_production' THEN 'stable'
        WHEN 'finished' THEN 'stable'
        WHEN 'discontinued' THEN 'obsolete' END,
    maintenance = CASE status
        WHEN 'finished' THEN 'none'
        WHEN 'discontinued' THEN 'none' END,
    looking_for_people = CASE WHEN status = 'looking_for_people' THEN 1 ELSE 0 END;
DROP INDEX projects_status;
ALTER TABLE projects DROP COLUMN status;
CREATE INDEX projects_development_status ON projects (development_status);

-- SPDX licence expression, repository, website, documentation.
ALTER TABLE projects ADD COLUMN license TEXT;
ALTER TABLE projects ADD COLUMN repository_url TEXT;
ALTER TABLE projects ADD COLUMN website_url TEXT;
ALTER TABLE projects ADD COLUMN documentation_url TEXT;
-- publiccode.yml softwareType, platforms, availableLanguages, features (JSON arrays).
ALTER TABLE projects ADD COLUMN software_type TEXT;
ALTER TABLE projects ADD COLUMN platforms_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE projects ADD COLUMN languages_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE projects ADD COLUMN features_json TEXT NOT NULL DEFAULT '[]';
-- What an administration needs to run it (Markdown), and whom to ask.
ALTER TABLE projects ADD COLUMN requirements_md TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN contact_email TEXT;
-- The last publiccode.yml read for this project (import or sync), as JSON, so keys the
-- catalog does not edit (dependsOn, country sections, …) survive an export.
ALTER TABLE projects ADD COLUMN publiccode_json TEXT;
-- `YYYY-MM-DD` of the last sign of life: an edit, a sync that changed something, the
-- newest commit of the repository.
ALTER TABLE projects ADD COLUMN last_activity TEXT;
-- Until now the project's date was its only sign of life.
UPDATE projects SET last_activity = substr(date, 1, 10) WHERE date IS NOT NULL;
CREATE INDEX projects_last_activity ON projects (last_activity);
-- Sync from the repository: whether it is the source of truth, and the last result.
ALTER TABLE projects ADD COLUMN sync_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN sync_checked_at INTEGER;
ALTER TABLE projects ADD COLUMN sync_ok_at INTEGER;
ALTER TABLE projects ADD COLUMN sync_commit TEXT;
ALTER TABLE projects ADD COLUMN sync_error TEXT;
-- When the leads were last reminded that nothing happened for a long time.
ALTER TABLE projects ADD COLUMN stale_notified_at INTEGER;

-- Controlled themes (codefor_domain::projects::THEMES), beside the free tags of
-- project_topics.
CREATE TABLE project_themes (
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    theme      TEXT NOT NULL,
    PRIMARY KEY (project_id, theme)
);
CREATE INDEX project_themes_theme ON project_themes (theme);

-- Administrations and other organizations: users of projects, later publishers.
CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('municipality', 'district', 'state', 'federal',
                                              'public_body', 'civil_society', 'business',
                                              'other')),
    state_key   TEXT REFERENCES federal_states (key),
    -- Amtlicher Gemeindeschlüssel / Regionalschlüssel where known (digits only).
    ags         TEXT,
    website_url TEXT,
    -- Confirmed by an admin: shown as such, not as self-declared.
    verified    INTEGER NOT NULL DEFAULT 0,
    created_by  INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX organizations_state ON organizations (state_key);

-- Staff accounts of an organization: they may record what it uses.
CREATE TABLE organization_members (
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (organization_id, account_id)
);
CREATE INDEX organization_members_account ON organization_members (account_id);

-- An organization uses a project.
CREATE TABLE project_users (
    project_id      INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- `YYYY-MM` or `YYYY-MM-DD` since when, where known.
    since           TEXT,
    note            TEXT NOT NULL DEFAULT '',
    recorded_by     INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (project_id, organization_id)
);
CREATE INDEX project_users_organization ON project_users (organization_id);

-- Roles a project needs ("help wanted").
CREATE TABLE project_roles (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- JSON array of skills, from the list people use in their profiles or free.
    skills_json TEXT NOT NULL DEFAULT '[]',
    commitment  TEXT NOT NULL CHECK (commitment IN ('occasional', 'weekly', 'regular')),
    place       TEXT NOT NULL CHECK (place IN ('on_site', 'remote', 'either')),
    open        INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX project_roles_project ON project_roles (project_id);

-- People who offered to help, for one role or for the project in general.
CREATE TABLE project_help_offers (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    role_id    INTEGER REFERENCES project_roles (id) ON DELETE SET NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    message    TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX project_help_offers_once
    ON project_help_offers (project_id, account_id, (COALESCE(role_id, 0)));
CREATE INDEX project_help_offers_account ON project_help_offers (account_id);
