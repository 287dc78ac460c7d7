-- Link health: one row per external http(s) URL that public records use (labs, projects,
-- organizations, meetups, posts, pages, datasets and their distributions), however many
-- records use it. Which records use a URL is not stored: it is found again from the
-- records when results are shown, so a fixed link leaves the list when its record changes.
-- Forward-only. Keep crates/storage/migrations/sqlite/0016_link_checks.sql in step.
--
-- Times are RFC 3339 in UTC with whole seconds (`2026-03-10T19:00:00Z`), so they compare
-- as text. `next_check` doubles as the claim: a checker moves it ahead before it checks,
-- only where it is still due, so two instances never check one URL at once.
CREATE TABLE link_checks (
    url           TEXT PRIMARY KEY,
    first_seen    TEXT NOT NULL,
    last_checked  TEXT,
    next_check    TEXT NOT NULL,
    -- NULL until the first check.
    status        TEXT CHECK (status IN ('ok', 'redirected', 'broken', 'unreachable',
                                         'refused', 'timeout')),
    http_status   BIGINT,
    final_url     TEXT,
    error         TEXT,
    -- Failed checks in a row (0 after a success), and since when the URL fails.
    failures      BIGINT NOT NULL DEFAULT 0,
    failing_since TEXT
);
CREATE INDEX link_checks_due ON link_checks (next_check);
