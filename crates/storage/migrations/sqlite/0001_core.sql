-- Platform core: the network's labs, people, projects, posts, pages, redirects and media.
-- Forward-only. Keep crates/storage/migrations/postgres/0001_core.sql in step: same tables,
-- same columns, same meaning; only the dialect differs.
-- Booleans are stored as 0/1 integers so both backends decode them the same way.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE federal_states (
    key  TEXT PRIMARY KEY,           -- official two-digit key (AGS/ARS prefix)
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    iso  TEXT NOT NULL UNIQUE
);

CREATE TABLE labs (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    city         TEXT NOT NULL,
    state_key    TEXT REFERENCES federal_states (key),
    latitude     REAL,
    longitude    REAL,
    body_md      TEXT NOT NULL,
    body_html    TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1,
    hidden       INTEGER NOT NULL DEFAULT 0,
    meeting      TEXT,
    source_json  TEXT NOT NULL DEFAULT '{}',
    content_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- Links, contact addresses and feeds of a lab, in order.
CREATE TABLE lab_links (
    lab_id   INTEGER NOT NULL REFERENCES labs (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL CHECK (kind IN ('link', 'contact', 'feed')),
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    url      TEXT NOT NULL,
    PRIMARY KEY (lab_id, kind, position)
);

CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    github     TEXT,
    twitter    TEXT,
    links_json TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE lab_memberships (
    lab_id     INTEGER NOT NULL REFERENCES labs (id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('lead', 'member')),
    state      TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('requested', 'active')),
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (lab_id, person_id, role)
);

CREATE TABLE projects (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    summary      TEXT,
    body_md      TEXT NOT NULL,
    body_html    TEXT NOT NULL,
    status       TEXT CHECK (status IN ('idea', 'in_progress', 'looking_for_people',
                                        'in_production', 'finished', 'discontinued')),
    status_text  TEXT,
    showcase     INTEGER NOT NULL DEFAULT 0,
    draft        INTEGER NOT NULL DEFAULT 0,
    date         TEXT,
    source_json  TEXT NOT NULL DEFAULT '{}',
    content_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX projects_status ON projects (status);

CREATE TABLE project_labs (
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    lab_id     INTEGER NOT NULL REFERENCES labs (id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, lab_id)
);
CREATE INDEX project_labs_lab ON project_labs (lab_id);

CREATE TABLE project_topics (
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    topic      TEXT NOT NULL,
    PRIMARY KEY (project_id, topic)
);
CREATE INDEX project_topics_topic ON project_topics (topic);

CREATE TABLE project_links (
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    url        TEXT NOT NULL,
    PRIMARY KEY (project_id, position)
);

CREATE TABLE project_images (
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    media_path TEXT NOT NULL,        -- may name a file the media store lacks: shown as a placeholder
    PRIMARY KEY (project_id, position)
);

CREATE TABLE project_collaborators (
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, person_id)
);

CREATE TABLE posts (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    date         TEXT NOT NULL,
    author       TEXT,
    summary      TEXT,
    body_md      TEXT NOT NULL,
    body_html    TEXT NOT NULL,
    image        TEXT,
    draft        INTEGER NOT NULL DEFAULT 0,
    lang         TEXT NOT NULL DEFAULT 'de',
    source_json  TEXT NOT NULL DEFAULT '{}',
    content_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX posts_date ON posts (date);

CREATE TABLE post_labs (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    lab_id  INTEGER NOT NULL REFERENCES labs (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, lab_id)
);
CREATE INDEX post_labs_lab ON post_labs (lab_id);

CREATE TABLE post_topics (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    topic   TEXT NOT NULL,
    PRIMARY KEY (post_id, topic)
);

CREATE TABLE post_authors (
    post_id   INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, person_id)
);

CREATE TABLE pages (
    id           INTEGER PRIMARY KEY,
    path         TEXT NOT NULL UNIQUE,   -- '' is the home page, 'archiv/launch' a nested one
    title        TEXT NOT NULL,
    description  TEXT,
    body_md      TEXT NOT NULL,
    body_html    TEXT NOT NULL,
    draft        INTEGER NOT NULL DEFAULT 0,
    source_json  TEXT NOT NULL DEFAULT '{}',
    content_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- Permanent redirects from old paths (Hugo aliases, netlify.toml).
CREATE TABLE redirects (
    from_path TEXT PRIMARY KEY,
    target    TEXT NOT NULL,
    origin    TEXT NOT NULL
);

-- The media store: pictures, stickers, documents, served at '/' || path.
CREATE TABLE media (
    path         TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    bytes        BLOB NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX media_path_lower ON media (lower(path));

-- The data files of an imported site (data/**), kept as JSON.
CREATE TABLE data_files (
    path       TEXT PRIMARY KEY,
    value_json TEXT NOT NULL
);

-- One row per import run, with its report.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    counts_json TEXT NOT NULL,
    warnings    INTEGER NOT NULL,
    report_json TEXT NOT NULL
);
