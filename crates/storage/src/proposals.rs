//! Proposals for new labs and the admins' decisions on them.

use serde::Serialize;

use crate::util::now;
use crate::{Connection, Db, DbError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Proposal {
    pub id: i64,
    pub account_id: Option<i64>,
    pub name: String,
    pub city: String,
    pub state_key: String,
    /// Names of the first leads besides the proposer, one per line.
    pub leads: String,
    pub meeting: String,
    pub note: String,
    pub status: String,
    pub reason: Option<String>,
    pub lab_slug: Option<String>,
    pub created_at: String,
}

const COLUMNS: &str = "id, account_id, name, city, state_key, leads, meeting, note, status, \
                       reason, lab_slug, created_at";

/// What a proposal says.
#[derive(Debug, Clone, Default)]
pub struct NewProposal<'a> {
    pub name: &'a str,
    pub city: &'a str,
    pub state_key: &'a str,
    pub leads: &'a str,
    pub meeting: &'a str,
    pub note: &'a str,
}

pub async fn create(
    conn: &mut Connection,
    account_id: i64,
    p: &NewProposal<'_>,
) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO lab_proposals (account_id, name, city, state_key, leads, meeting, note, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(account_id)
    .bind(p.name)
    .bind(p.city)
    .bind(p.state_key)
    .bind(p.leads)
    .bind(p.meeting)
    .bind(p.note)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?)
}

/// The open proposals, oldest first (the admins' queue).
pub async fn open(db: &Db) -> Result<Vec<Proposal>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM lab_proposals WHERE status = 'open' ORDER BY id"
    )))
    .fetch_all(db.pool())
    .await?)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Proposal>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM lab_proposals WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// Closes an open proposal; `false` when it was decided already.
pub async fn decide(
    conn: &mut Connection,
    id: i64,
    approved: bool,
    reason: Option<&str>,
    lab_slug: Option<&str>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE lab_proposals SET status = $1, reason = $2, lab_slug = $3, decided_at = $4 \
         WHERE id = $5 AND status = 'open'",
    )
    .bind(if approved { "approved" } else { "declined" })
    .bind(reason)
    .bind(lab_slug)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The proposals an account made (for its data export).
pub async fn of_account(db: &Db, account_id: i64) -> Result<Vec<Proposal>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM lab_proposals WHERE account_id = $1 ORDER BY id"
    )))
    .bind(account_id)
    .fetch_all(db.pool())
    .await?)
}
