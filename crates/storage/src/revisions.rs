//! Revisions: every state of a lab, project, post or page after a change, as a JSON
//! snapshot of its editable fields, numbered per record.

use serde::Serialize;

use crate::util::now;
use crate::{Connection, Db, DbError};

/// What kind of record a revision belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    Lab,
    Project,
    Post,
    Page,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "lab" => Kind::Lab,
            "project" => Kind::Project,
            "post" => Kind::Post,
            "page" => Kind::Page,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Lab => "lab",
            Kind::Project => "project",
            Kind::Post => "post",
            Kind::Page => "page",
        }
    }
}

/// One revision. `account_id` is `None` for imports and for accounts deleted since;
/// `author` is the name shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Revision {
    pub number: i64,
    pub account_id: Option<i64>,
    pub author: String,
    pub summary: String,
    pub snapshot: String,
    pub created_at: String,
}

/// Who made a change.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub account_id: Option<i64>,
    pub name: &'a str,
}

/// Appends a revision and returns its number (1 for the first).
pub async fn record(
    conn: &mut Connection,
    kind: Kind,
    record_id: i64,
    author: Author<'_>,
    summary: &str,
    snapshot: &str,
) -> Result<i64, DbError> {
    let number: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM revisions WHERE kind = $1 AND record_id = $2",
    )
    .bind(kind.as_str())
    .bind(record_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO revisions (kind, record_id, number, account_id, author, summary, snapshot, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(kind.as_str())
    .bind(record_id)
    .bind(number)
    .bind(author.account_id)
    .bind(author.name)
    .bind(summary)
    .bind(snapshot)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(number)
}

/// Whether a record has any revision yet.
pub async fn exists(conn: &mut Connection, kind: Kind, record_id: i64) -> Result<bool, DbError> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM revisions WHERE kind = $1 AND record_id = $2")
            .bind(kind.as_str())
            .bind(record_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n > 0)
}

/// A record's revisions, newest first.
pub async fn list(db: &Db, kind: Kind, record_id: i64) -> Result<Vec<Revision>, DbError> {
    Ok(sqlx::query_as(
        "SELECT number, account_id, author, summary, snapshot, created_at FROM revisions \
         WHERE kind = $1 AND record_id = $2 ORDER BY number DESC",
    )
    .bind(kind.as_str())
    .bind(record_id)
    .fetch_all(db.pool())
    .await?)
}

pub async fn get(
    db: &Db,
    kind: Kind,
    record_id: i64,
    number: i64,
) -> Result<Option<Revision>, DbError> {
    Ok(sqlx::query_as(
        "SELECT number, account_id, author, summary, snapshot, created_at FROM revisions \
         WHERE kind = $1 AND record_id = $2 AND number = $3",
    )
    .bind(kind.as_str())
    .bind(record_id)
    .bind(number)
    .fetch_optional(db.pool())
    .await?)
}

/// The revisions an account made (for its data export).
pub async fn by_account(
    db: &Db,
    account_id: i64,
) -> Result<Vec<(String, i64, i64, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT kind, record_id, number, created_at FROM revisions WHERE account_id = $1 \
         ORDER BY id",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?)
}

/// After an account is deleted: its revisions stay, attributed to a former member.
pub async fn anonymize_author(
    conn: &mut Connection,
    account_id: i64,
    label: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE revisions SET author = $1, account_id = NULL WHERE account_id = $2")
        .bind(label)
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The number of a record's newest revision, 0 when it has none.
pub async fn latest(db: &Db, kind: Kind, record_id: i64) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) FROM revisions WHERE kind = $1 AND record_id = $2",
    )
    .bind(kind.as_str())
    .bind(record_id)
    .fetch_one(db.pool())
    .await?)
}
