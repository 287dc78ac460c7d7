//! Soft deletion: a deleted lab, project, post or page keeps its row (and its history)
//! with the moment it was deleted; public reads leave it out; admins can restore it.

use serde::Serialize;

use crate::revisions::Kind;
use crate::util::now;
use crate::{Connection, Db, DbError};

fn table(kind: Kind) -> (&'static str, &'static str, &'static str) {
    // (table, key column, title column)
    match kind {
        Kind::Lab => ("labs", "slug", "name"),
        Kind::Project => ("projects", "slug", "title"),
        Kind::Post => ("posts", "slug", "title"),
        Kind::Page => ("pages", "path", "title"),
    }
}

/// Marks a record deleted; `false` when it was already deleted or does not exist.
pub async fn delete(conn: &mut Connection, kind: Kind, id: i64) -> Result<bool, DbError> {
    let (table, _, _) = table(kind);
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL"
    )))
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Brings a deleted record back; `false` when it was not deleted.
pub async fn restore(conn: &mut Connection, kind: Kind, id: i64) -> Result<bool, DbError> {
    let (table, _, _) = table(kind);
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET deleted_at = NULL WHERE id = $1 AND deleted_at IS NOT NULL"
    )))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A deleted record, as the admins' trash lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deleted {
    pub kind: &'static str,
    pub id: i64,
    /// Slug or page path.
    pub key: String,
    pub title: String,
    pub deleted_at: String,
}

/// Everything deleted, newest deletion first.
pub async fn list(db: &Db) -> Result<Vec<Deleted>, DbError> {
    let mut all = Vec::new();
    for kind in [Kind::Lab, Kind::Project, Kind::Post, Kind::Page] {
        let (table, key, title) = table(kind);
        let rows: Vec<(i64, String, String, String)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT id, {key}, {title}, deleted_at FROM {table} WHERE deleted_at IS NOT NULL"
            )))
            .fetch_all(db.pool())
            .await?;
        all.extend(
            rows.into_iter()
                .map(|(id, key, title, deleted_at)| Deleted {
                    kind: kind.as_str(),
                    id,
                    key,
                    title,
                    deleted_at,
                }),
        );
    }
    all.sort_by(|a, b| b.deleted_at.cmp(&a.deleted_at));
    Ok(all)
}
