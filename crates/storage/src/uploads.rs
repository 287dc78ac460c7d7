//! Pictures uploaded in the browser: which files exist and who uploaded them. The bytes
//! live on disk (see `core::uploads`).

use crate::util::now;
use crate::{Connection, Db, DbError};

/// Records an upload; a file uploaded before (same content) keeps its first record.
pub async fn record(
    conn: &mut Connection,
    file: &str,
    content_type: &str,
    size: i64,
    account_id: Option<i64>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO uploads (file, content_type, size, account_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (file) DO NOTHING",
    )
    .bind(file)
    .bind(content_type)
    .bind(size)
    .bind(account_id)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether a file was uploaded (only recorded files are served).
pub async fn exists(db: &Db, file: &str) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT content_type FROM uploads WHERE file = $1")
            .bind(file)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Every uploaded file name (for link checks).
pub async fn files(db: &Db) -> Result<Vec<String>, DbError> {
    Ok(sqlx::query_scalar("SELECT file FROM uploads")
        .fetch_all(db.pool())
        .await?)
}

/// The files an account uploaded (for its data export).
pub async fn of_account(db: &Db, account_id: i64) -> Result<Vec<(String, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT file, created_at FROM uploads WHERE account_id = $1 ORDER BY created_at",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?)
}
