//! The audit log: role changes, deletions, restores and other administrative actions,
//! with who did them and when.

use serde::Serialize;

use crate::util::now;
use crate::{Connection, Db, DbError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub at: String,
    pub account_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

pub async fn record(
    conn: &mut Connection,
    account_id: Option<i64>,
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO audit_log (at, account_id, actor, action, target, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now())
    .bind(account_id)
    .bind(actor)
    .bind(action)
    .bind(target)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// When `action` was last recorded for `target`.
/// Inside a transaction, so that a check and the record that follows it are one step.
pub async fn last(
    conn: &mut Connection,
    action: &str,
    target: &str,
) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT MAX(at) FROM audit_log WHERE action = $1 AND target = $2")
            .bind(action)
            .bind(target)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// The newest entries first.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<Entry>, DbError> {
    Ok(sqlx::query_as(
        "SELECT at, account_id, actor, action, target, detail FROM audit_log \
         ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// After an account is deleted: its entries stay, attributed to a former member.
pub async fn anonymize_actor(
    conn: &mut Connection,
    account_id: i64,
    label: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE audit_log SET actor = $1, account_id = NULL WHERE account_id = $2")
        .bind(label)
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// After an account is deleted: entries about it no longer name its address.
pub async fn anonymize_target(
    conn: &mut Connection,
    email: &str,
    label: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE audit_log SET target = $1 WHERE target = $2")
        .bind(label)
        .bind(email)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
