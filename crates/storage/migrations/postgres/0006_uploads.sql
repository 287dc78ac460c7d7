-- Pictures uploaded in the browser. The file lives on disk under the upload directory,
-- named by its SHA-256 (so the same picture is stored once); this table says who
-- uploaded what, for their data export.
-- Forward-only. Keep crates/storage/migrations/sqlite/0006_uploads.sql in step.
CREATE TABLE uploads (
    file         TEXT PRIMARY KEY,          -- '<sha256>.<ext>', served at /uploads/<file>
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    account_id   BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL
);
