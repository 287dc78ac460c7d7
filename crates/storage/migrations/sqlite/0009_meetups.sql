-- Meetups and calendars: one-off and recurring meetups of one or more labs, RSVPs with a
-- waitlist, external iCalendar feeds merged into a lab's meetups, personal feed tokens.
-- Forward-only. Keep crates/storage/migrations/postgres/0009_meetups.sql in step.
--
-- Times of a meetup are civil times (`2026-03-10T19:00:00`) in `time_zone`, so "every
-- second Tuesday at 19:00" stays at 19:00 across daylight-saving changes; `first_start`
-- and `last_end` are Unix seconds for selecting what lies in a window (`last_end` is
-- NULL for a recurrence without end).

-- Whether a lab takes requests to join (`showsignup` of the old site).
ALTER TABLE labs ADD COLUMN accepts_requests INTEGER NOT NULL DEFAULT 1;

-- An external calendar a lab registered; its events become the lab's meetups.
CREATE TABLE calendar_sources (
    id            INTEGER PRIMARY KEY,
    lab_id        INTEGER NOT NULL REFERENCES labs (id) ON DELETE CASCADE,
    url           TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    checked_at    INTEGER,
    ok_at         INTEGER,
    error         TEXT,
    notes         TEXT,
    events        INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    UNIQUE (lab_id, url)
);

CREATE TABLE meetups (
    id               INTEGER PRIMARY KEY,
    uid              TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    description_md   TEXT NOT NULL DEFAULT '',
    description_html TEXT NOT NULL DEFAULT '',
    starts_at        TEXT NOT NULL,
    ends_at          TEXT NOT NULL,
    time_zone        TEXT NOT NULL DEFAULT 'Europe/Berlin',
    all_day          INTEGER NOT NULL DEFAULT 0,
    rrule            TEXT,
    first_start      INTEGER NOT NULL,
    last_end         INTEGER,
    venue            TEXT,
    address          TEXT,
    online_url       TEXT,
    capacity         INTEGER,
    status           TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    source_id        INTEGER REFERENCES calendar_sources (id) ON DELETE SET NULL,
    source_uid       TEXT,
    source_hash      TEXT,
    sequence         INTEGER NOT NULL DEFAULT 0,
    rsvp_version     INTEGER NOT NULL DEFAULT 0,
    created_by       INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (source_id, source_uid)
);
CREATE INDEX meetups_window ON meetups (first_start, last_end);

-- The labs a meetup belongs to; a network meetup (Open Data Day) has several.
CREATE TABLE meetup_labs (
    meetup_id INTEGER NOT NULL REFERENCES meetups (id) ON DELETE CASCADE,
    lab_id    INTEGER NOT NULL REFERENCES labs (id) ON DELETE CASCADE,
    PRIMARY KEY (meetup_id, lab_id)
);
CREATE INDEX meetup_labs_lab ON meetup_labs (lab_id);

-- Dates of a recurring meetup that do not take place: 'skipped' ones disappear (EXDATE),
-- 'cancelled' ones stay visible as cancelled.
CREATE TABLE meetup_exceptions (
    meetup_id  INTEGER NOT NULL REFERENCES meetups (id) ON DELETE CASCADE,
    occurrence TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('skipped', 'cancelled')),
    reason     TEXT,
    PRIMARY KEY (meetup_id, occurrence)
);

-- Who comes to which date of a meetup; `waitlisted` yes-answers move up when a place frees.
CREATE TABLE meetup_rsvps (
    meetup_id  INTEGER NOT NULL REFERENCES meetups (id) ON DELETE CASCADE,
    occurrence TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    answer     TEXT NOT NULL CHECK (answer IN ('yes', 'maybe', 'no')),
    waitlisted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (meetup_id, occurrence, account_id)
);
CREATE INDEX meetup_rsvps_account ON meetup_rsvps (account_id);

-- The secret of a person's own calendar feed, stored as SHA-256; resetting replaces it.
CREATE TABLE calendar_tokens (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
