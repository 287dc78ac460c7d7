-- Accounts, sessions, roles, revisions and the audit log.
-- Forward-only. Keep crates/storage/migrations/postgres/0003_accounts.sql in step.
-- Moments that are compared (expiry, rate-limit windows) are Unix seconds; moments
-- that are shown are RFC 3339 text, as in 0001.

-- A person who can sign in. `email` is stored lower-cased; `person_id` links the
-- account to a person named in content (a lab lead, a collaborator) once claimed.
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    confirmed_at  TEXT,
    person_id     INTEGER UNIQUE REFERENCES people (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- Server-side sessions: the cookie holds a random token, the table its SHA-256, so a
-- leaked table does not hand out sessions.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- One-time tokens sent by e-mail: confirm an address, reset a password, change the
-- address (`new_email`). Stored hashed, like sessions.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('confirm', 'reset', 'email')),
    new_email  TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX account_tokens_account ON account_tokens (account_id);

-- Attempts counted by the rate limits (sign-in per account and per address,
-- registration and reset per address). In the database so every instance counts.
CREATE TABLE attempts (
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    at    BIGINT NOT NULL
);
CREATE INDEX attempts_key ON attempts (scope, key, at);

-- Every state of a lab, project, post or page after a change: a JSON snapshot of its
-- editable fields. `account_id` is null for imports and for deleted accounts
-- (`author` keeps how the change came about).
CREATE TABLE revisions (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('lab', 'project', 'post', 'page')),
    record_id   INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    account_id  INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    author      TEXT NOT NULL,
    summary     TEXT NOT NULL,
    snapshot    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (kind, record_id, number)
);

-- Role changes, deletions, restores and other administrative actions.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
