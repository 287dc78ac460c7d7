-- Participation: needs brought in by citizens and administrations, their public status
-- history, supports, threaded comments, following and notifications, and moderation.

-- A need: what people lack, where, and what became of it.
CREATE TABLE needs (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    -- Markdown as written, and the sanitized HTML rendered from it.
    body            TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    -- Who is affected (plain text).
    affected        TEXT NOT NULL DEFAULT '',
    state_key       TEXT REFERENCES federal_states (key),
    municipality    TEXT NOT NULL DEFAULT '',
    -- Optionally the lab whose area it is in (not the adopting lab).
    lab_id          INTEGER REFERENCES labs (id) ON DELETE SET NULL,
    -- A theme key of codefor_domain::projects::THEMES.
    topic           TEXT NOT NULL,
    -- The data or software the author thinks is missing (plain text, optional).
    missing         TEXT NOT NULL DEFAULT '',
    author_id       INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    -- Submitted in the name of this organization (the author is its staff).
    organization_id INTEGER REFERENCES organizations (id) ON DELETE SET NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'discussion',
                                                    'adopted', 'in_progress', 'solved',
                                                    'not_pursued', 'merged')),
    adopted_lab_id  INTEGER REFERENCES labs (id) ON DELETE SET NULL,
    -- The adopting lab's contact person for this need.
    contact_id      INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    merged_into     INTEGER REFERENCES needs (id) ON DELETE SET NULL,
    -- Kept in the same transaction as need_supports / need_comments.
    support_count   INTEGER NOT NULL DEFAULT 0,
    comment_count   INTEGER NOT NULL DEFAULT 0,
    -- Moderation: a locked thread takes no new comments; a hidden need shows only its
    -- public reason; a held one (first post of a new account) waits for a moderator.
    locked          INTEGER NOT NULL DEFAULT 0,
    hidden_reason   TEXT,
    held            INTEGER NOT NULL DEFAULT 0,
    submitted_at    TEXT,
    last_activity   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX needs_listed_new ON needs (status, submitted_at);
CREATE INDEX needs_support ON needs (support_count, id);
CREATE INDEX needs_activity ON needs (last_activity, id);
CREATE INDEX needs_submitted ON needs (submitted_at, id);
CREATE INDEX needs_state ON needs (state_key);
CREATE INDEX needs_lab ON needs (lab_id);
CREATE INDEX needs_adopted_lab ON needs (adopted_lab_id);
CREATE INDEX needs_author ON needs (author_id);

-- Earlier versions of a need's text (author's edits keep history).
CREATE TABLE need_versions (
    id         INTEGER PRIMARY KEY,
    need_id    INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    -- JSON of the editable fields before the edit.
    snapshot   TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX need_versions_need ON need_versions (need_id);

-- The public, dated status history: every step with its reason.
CREATE TABLE need_events (
    id         INTEGER PRIMARY KEY,
    need_id    INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    lab_id     INTEGER REFERENCES labs (id) ON DELETE SET NULL,
    actor_id   INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    actor_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX need_events_need ON need_events (need_id, id);

-- Projects that answer a need.
CREATE TABLE need_projects (
    need_id    INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (need_id, project_id)
);
CREATE INDEX need_projects_project ON need_projects (project_id);

-- One support per person per need.
CREATE TABLE need_supports (
    need_id    INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (need_id, account_id)
);
CREATE INDEX need_supports_account ON need_supports (account_id);

-- The public dialog: threaded comments in Markdown.
CREATE TABLE need_comments (
    id            INTEGER PRIMARY KEY,
    need_id       INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    parent_id     INTEGER REFERENCES need_comments (id) ON DELETE SET NULL,
    depth         INTEGER NOT NULL DEFAULT 0,
    author_id     INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    body          TEXT NOT NULL,
    body_html     TEXT NOT NULL,
    hidden_reason TEXT,
    held          INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    edited_at     TEXT
);
CREATE INDEX need_comments_need ON need_comments (need_id, id);
CREATE INDEX need_comments_author ON need_comments (author_id);

-- Earlier versions of a comment (edits keep history).
CREATE TABLE need_comment_versions (
    id         INTEGER PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES need_comments (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX need_comment_versions_comment ON need_comment_versions (comment_id);

-- Who follows a need (authors, supporters and commenters automatically).
CREATE TABLE need_follows (
    need_id    INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (need_id, account_id)
);
CREATE INDEX need_follows_account ON need_follows (account_id);

-- Something happened on a followed need: shown in the platform, mailed by the
-- recipient's setting (immediately, in the daily digest, or not at all).
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    need_id    INTEGER REFERENCES needs (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    summary    TEXT NOT NULL,
    -- Path on this site, such as /beduerfnisse/3/#kommentar-9.
    path       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at    TEXT,
    -- Set when mailed (or when the recipient's setting means it never will be).
    mailed_at  TEXT
);
CREATE INDEX notifications_account ON notifications (account_id, id);
CREATE INDEX notifications_unmailed ON notifications (mailed_at, account_id);

-- How a person hears of what they follow; when their last digest went out.
ALTER TABLE accounts ADD COLUMN notify_mail TEXT NOT NULL DEFAULT 'daily'
    CHECK (notify_mail IN ('immediate', 'daily', 'off'));
ALTER TABLE accounts ADD COLUMN last_digest_at TEXT;

-- Reports of a need or a comment, and what moderators did with them.
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    need_id     INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    comment_id  INTEGER REFERENCES need_comments (id) ON DELETE CASCADE,
    reporter_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    -- What the moderator did: hidden, kept (dismissed).
    outcome     TEXT
);
CREATE INDEX reports_open ON reports (resolved_at, need_id);
