//! Counters for rate limits, kept in the database so that every instance sees the same
//! count (several `codefor serve` behind one load balancer).

use crate::{Db, DbError};

/// Attempts of `scope` by `key` (an account's address, a client address) since `since`.
pub async fn count(db: &Db, scope: &str, key: &str, since: i64) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM attempts WHERE scope = $1 AND key = $2 AND at > $3",
    )
    .bind(scope)
    .bind(key)
    .bind(since)
    .fetch_one(db.pool())
    .await?)
}

pub async fn record(db: &Db, scope: &str, key: &str, now: i64) -> Result<(), DbError> {
    sqlx::query("INSERT INTO attempts (scope, key, at) VALUES ($1, $2, $3)")
        .bind(scope)
        .bind(key)
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Forgets the attempts of `key` (after a successful sign-in).
pub async fn clear(db: &Db, scope: &str, key: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM attempts WHERE scope = $1 AND key = $2")
        .bind(scope)
        .bind(key)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Drops attempts older than any window.
pub async fn prune(db: &Db, before: i64) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM attempts WHERE at <= $1")
        .bind(before)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}

/// Forgets the attempts of `key` recorded at `at` (a success, counted before it was
/// known to be one).
pub async fn forget(db: &Db, scope: &str, key: &str, at: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM attempts WHERE scope = $1 AND key = $2 AND at = $3")
        .bind(scope)
        .bind(key)
        .bind(at)
        .execute(db.pool())
        .await?;
    Ok(())
}
