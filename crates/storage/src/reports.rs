//! Reports of a need or a comment, and what moderators made of them.
//!
//! A report stays open until a moderator hides or restores its target, releases it,
//! or dismisses the report; `outcome` says which (`hidden`, `kept`).

use serde::Serialize;

use crate::util::now;
use crate::{Connection, Db, DbError};

/// The outcome of a report whose target was hidden.
pub const HIDDEN: &str = "hidden";
/// The outcome of a report dismissed, or whose target was restored or released.
pub const KEPT: &str = "kept";

/// Files a report, unless this person has an open one on the same target; whether it
/// was new.
pub async fn file(
    conn: &mut Connection,
    need: i64,
    comment: Option<i64>,
    reporter: i64,
    reason: &str,
) -> Result<bool, DbError> {
    // One statement: the check and the insert see the same rows.
    let done = sqlx::query(
        "INSERT INTO reports (need_id, comment_id, reporter_id, reason, created_at) \
         SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM reports r \
         WHERE r.need_id = $1 AND r.reporter_id = $3 AND r.resolved_at IS NULL \
         AND ((CAST($2 AS BIGINT) IS NULL AND r.comment_id IS NULL) OR r.comment_id = $2))",
    )
    .bind(need)
    .bind(comment)
    .bind(reporter)
    .bind(reason)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Resolves the open reports of a need itself (`comment` `None`) or of one of its
/// comments; returns how many.
pub async fn resolve_target(
    conn: &mut Connection,
    need: i64,
    comment: Option<i64>,
    moderator: i64,
    outcome: &str,
) -> Result<u64, DbError> {
    let done = sqlx::query(
        "UPDATE reports SET resolved_at = $1, resolved_by = $2, outcome = $3 \
         WHERE need_id = $4 AND resolved_at IS NULL \
         AND ((CAST($5 AS BIGINT) IS NULL AND comment_id IS NULL) OR comment_id = $5)",
    )
    .bind(now())
    .bind(moderator)
    .bind(outcome)
    .bind(need)
    .bind(comment)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Resolves one open report; whether it was open.
pub async fn resolve(
    conn: &mut Connection,
    id: i64,
    moderator: i64,
    outcome: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE reports SET resolved_at = $1, resolved_by = $2, outcome = $3 \
         WHERE id = $4 AND resolved_at IS NULL",
    )
    .bind(now())
    .bind(moderator)
    .bind(outcome)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A report as moderators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Report {
    pub id: i64,
    pub need_id: i64,
    pub need_title: String,
    /// The lab that adopted the need: its leads moderate it.
    pub adopted_lab_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub reporter_id: Option<i64>,
    /// `None` once the account is deleted.
    pub reporter_name: Option<String>,
    pub reason: String,
    pub created_at: String,
    pub resolved_at: Option<String>,
    pub outcome: Option<String>,
}

const SELECT: &str = "SELECT r.id, r.need_id, n.title AS need_title, n.adopted_lab_id, \
     r.comment_id, r.reporter_id, a.display_name AS reporter_name, r.reason, r.created_at, \
     r.resolved_at, r.outcome FROM reports r JOIN needs n ON n.id = r.need_id \
     LEFT JOIN accounts a ON a.id = r.reporter_id";

/// One report.
pub async fn get(db: &Db, id: i64) -> Result<Option<Report>, DbError> {
    Ok(
        sqlx::query_as::<_, Report>(sqlx::AssertSqlSafe(format!("{SELECT} WHERE r.id = $1")))
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Open reports, oldest first, at most `limit`: all of them, or those about needs
/// adopted by one of `labs`.
pub async fn open(db: &Db, labs: Option<&[i64]>, limit: i64) -> Result<Vec<Report>, DbError> {
    let sql = format!(
        "{SELECT} WHERE r.resolved_at IS NULL{} ORDER BY r.id LIMIT {}",
        crate::need_comments::lab_clause(labs),
        limit.max(0)
    );
    // Only constant fragments and integers make up `sql`.
    Ok(sqlx::query_as::<_, Report>(sqlx::AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?)
}

/// The open reports of a need and its comments, oldest first.
pub async fn open_of_need(db: &Db, need: i64) -> Result<Vec<Report>, DbError> {
    Ok(sqlx::query_as::<_, Report>(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.need_id = $1 AND r.resolved_at IS NULL ORDER BY r.id"
    )))
    .bind(need)
    .fetch_all(db.pool())
    .await?)
}

/// What this person reported on a need and is still open: `None` for the need itself,
/// else the comment's id.
pub async fn open_by(db: &Db, need: i64, reporter: i64) -> Result<Vec<Option<i64>>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT comment_id FROM reports WHERE need_id = $1 AND reporter_id = $2 \
         AND resolved_at IS NULL ORDER BY id",
    )
    .bind(need)
    .bind(reporter)
    .fetch_all(db.pool())
    .await?)
}
