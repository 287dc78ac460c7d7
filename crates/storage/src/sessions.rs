//! Server-side sessions: the cookie carries a random token, the table keeps its hash,
//! the account, a CSRF token and when the session ends. Any instance can serve any
//! session.

use crate::{Connection, Db, DbError};

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    pub account_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_seen_at: i64,
}

pub async fn create(
    conn: &mut Connection,
    token_hash: &str,
    account_id: i64,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at, \
         last_seen_at) VALUES ($1, $2, $3, $4, $5, $4)",
    )
    .bind(token_hash)
    .bind(account_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The session of this token if it has not expired.
pub async fn get(db: &Db, token_hash: &str, now: i64) -> Result<Option<Session>, DbError> {
    Ok(sqlx::query_as(
        "SELECT account_id, csrf_token, created_at, expires_at, last_seen_at FROM sessions \
         WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db.pool())
    .await?)
}

/// Records activity and moves the end of an idle session, never past `hard_end`.
pub async fn touch(db: &Db, token_hash: &str, now: i64, expires_at: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
        .bind(now)
        .bind(expires_at)
        .bind(token_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends every session of an account except `keep` (after a password change the
/// current device stays signed in, every other one is signed out).
pub async fn delete_of_account(
    conn: &mut Connection,
    account_id: i64,
    keep: Option<&str>,
) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
        .bind(account_id)
        .bind(keep.unwrap_or(""))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// How many sessions an account has open (for its data export and account page).
pub async fn count_of_account(db: &Db, account_id: i64, now: i64) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions WHERE account_id = $1 AND expires_at > $2",
    )
    .bind(account_id)
    .bind(now)
    .fetch_one(db.pool())
    .await?)
}

/// Removes expired sessions.
pub async fn prune(db: &Db, now: i64) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
