//! External calendars labs registered, and the secrets of people's own calendar feeds.

use serde::Serialize;

use crate::util::now;
use crate::{Connection, Db, DbError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Source {
    pub id: i64,
    pub lab_id: i64,
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Unix seconds of the last attempt and the last success.
    pub checked_at: Option<i64>,
    pub ok_at: Option<i64>,
    /// Why the last attempt failed, in words for the lab's leads (`None` after a
    /// success).
    pub error: Option<String>,
    /// What the last file that was read left out, and why.
    pub notes: Option<String>,
    pub events: i64,
    pub created_at: String,
}

const COLUMNS: &str =
    "id, lab_id, url, etag, last_modified, checked_at, ok_at, error, notes, events, created_at";

/// Registers an external calendar for a lab; `None` when it is registered already.
pub async fn add(conn: &mut Connection, lab_id: i64, url: &str) -> Result<Option<i64>, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO calendar_sources (lab_id, url, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (lab_id, url) DO NOTHING RETURNING id",
    )
    .bind(lab_id)
    .bind(url)
    .bind(now())
    .fetch_optional(&mut *conn)
    .await?)
}

/// Removes an external calendar; its meetups stay, without their source.
pub async fn remove(conn: &mut Connection, lab_id: i64, id: i64) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM calendar_sources WHERE id = $1 AND lab_id = $2")
        .bind(id)
        .bind(lab_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn of_lab(db: &Db, lab_id: i64) -> Result<Vec<Source>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM calendar_sources WHERE lab_id = $1 ORDER BY id"
    )))
    .bind(lab_id)
    .fetch_all(db.pool())
    .await?)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Source>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM calendar_sources WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// Takes the source for this transaction: syncs of one source (two instances, or a
/// lead's "fetch now" during the background round) run one after the other.
pub async fn lock(conn: &mut Connection, id: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE calendar_sources SET events = events WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Sources not checked since `before` (Unix seconds), of labs that exist, oldest first.
pub async fn due(db: &Db, before: i64) -> Result<Vec<Source>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM calendar_sources s WHERE (s.checked_at IS NULL OR s.checked_at < $1) \
         AND EXISTS (SELECT 1 FROM labs l WHERE l.id = s.lab_id AND l.deleted_at IS NULL) \
         ORDER BY s.checked_at, s.id"
    )))
    .bind(before)
    .fetch_all(db.pool())
    .await?)
}

/// What a successful fetch read: `None` for a file that had not changed (HTTP 304),
/// which keeps the counts and notes of the last one read.
#[derive(Debug, Clone, Copy)]
pub struct Read<'a> {
    pub events: i64,
    pub notes: Option<&'a str>,
}

/// Records a successful fetch (`validators` from the response) and clears the error.
pub async fn succeeded(
    conn: &mut Connection,
    id: i64,
    at: i64,
    etag: Option<&str>,
    last_modified: Option<&str>,
    read: Option<Read<'_>>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE calendar_sources SET checked_at = $1, ok_at = $1, error = NULL, \
         notes = CASE WHEN $2 = 1 THEN $3 ELSE notes END, \
         etag = COALESCE($4, etag), last_modified = COALESCE($5, last_modified), \
         events = CASE WHEN $2 = 1 THEN $6 ELSE events END WHERE id = $7",
    )
    .bind(at)
    .bind(i64::from(read.is_some()))
    .bind(read.and_then(|r| r.notes))
    .bind(etag)
    .bind(last_modified)
    .bind(read.map_or(0, |r| r.events))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records a failed fetch; the lab's leads read `error`.
pub async fn failed(conn: &mut Connection, id: i64, at: i64, error: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE calendar_sources SET checked_at = $1, error = $2 WHERE id = $3")
        .bind(at)
        .bind(error)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Replaces a person's feed secret (stored as its SHA-256).
pub async fn set_token(conn: &mut Connection, account_id: i64, hash: &str) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO calendar_tokens (account_id, token_hash, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id) DO UPDATE SET token_hash = $2, created_at = $3",
    )
    .bind(account_id)
    .bind(hash)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// When the person's feed secret was made, if there is one.
pub async fn token_created(db: &Db, account_id: i64) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT created_at FROM calendar_tokens WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// The account whose feed secret hashes to `hash`.
pub async fn account_for_token(db: &Db, hash: &str) -> Result<Option<i64>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT account_id FROM calendar_tokens WHERE token_hash = $1")
            .bind(hash)
            .fetch_optional(db.pool())
            .await?,
    )
}
