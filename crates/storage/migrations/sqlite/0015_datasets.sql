-- Datasets labs publish or use, described per DCAT-AP.de, with their distributions and
-- the history of their edits. Vocabulary values are stored as their URIs (licences) or
-- codes (EU data themes, frequencies, file types) as `codefor_domain::datasets` lists them.

CREATE TABLE datasets (
    id               INTEGER PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    lab_id           INTEGER NOT NULL REFERENCES labs (id) ON DELETE CASCADE,
    -- How the lab relates to it: it publishes it, or it uses it.
    relation         TEXT NOT NULL CHECK (relation IN ('publishes', 'uses')),
    title            TEXT NOT NULL,
    -- Markdown as written, and the sanitized HTML rendered from it.
    description      TEXT NOT NULL,
    description_html TEXT NOT NULL,
    -- The publishing organization; NULL: the lab itself.
    organization_id  INTEGER REFERENCES organizations (id) ON DELETE SET NULL,
    -- A licence URI of the DCAT-AP.de licence vocabulary.
    licence          TEXT NOT NULL,
    -- JSON arrays: EU data theme codes, keywords.
    themes           TEXT NOT NULL DEFAULT '[]',
    keywords         TEXT NOT NULL DEFAULT '[]',
    state_key        TEXT REFERENCES federal_states (key),
    -- Amtlicher Gemeindeschlüssel (8 digits).
    ags              TEXT,
    -- Temporal coverage, ISO dates.
    temporal_start   TEXT,
    temporal_end     TEXT,
    -- The dataset's public contact point.
    contact_name     TEXT NOT NULL DEFAULT '',
    contact_email    TEXT,
    contact_url      TEXT,
    landing_page     TEXT,
    -- An EU frequency code.
    frequency        TEXT,
    -- ISO date or date-time as given.
    issued           TEXT,
    modified         TEXT,
    -- Where a harvested dataset came from (its dct:identifier or IRI); NULL when entered here.
    source_uri       TEXT,
    deleted_at       TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX datasets_lab ON datasets (lab_id);
CREATE INDEX datasets_organization ON datasets (organization_id);
CREATE INDEX datasets_state ON datasets (state_key);
CREATE UNIQUE INDEX datasets_source ON datasets (lab_id, source_uri);

CREATE TABLE dataset_distributions (
    id           INTEGER PRIMARY KEY,
    dataset_id   INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    access_url   TEXT NOT NULL,
    download_url TEXT,
    -- An EU file-type code.
    format       TEXT,
    -- An IANA media type such as text/csv.
    media_type   TEXT,
    -- A licence URI; NULL: the dataset's.
    licence      TEXT
);
CREATE INDEX dataset_distributions_dataset ON dataset_distributions (dataset_id, position);

-- Every state of a dataset after a change: a JSON snapshot of its fields, numbered.
CREATE TABLE dataset_versions (
    id         INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    author     TEXT NOT NULL,
    summary    TEXT NOT NULL,
    snapshot   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (dataset_id, number)
);
CREATE INDEX dataset_versions_account ON dataset_versions (account_id);
