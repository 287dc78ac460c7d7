//! Permanent redirects from old paths.

use codefor_domain::Redirect;

use crate::{Change, Connection, Db, DbError};

pub async fn upsert(conn: &mut Connection, r: &Redirect) -> Result<Change, DbError> {
    let existing: Option<(String, String)> =
        sqlx::query_as("SELECT target, origin FROM redirects WHERE from_path = $1")
            .bind(&r.from_path)
            .fetch_optional(&mut *conn)
            .await?;
    match existing {
        Some((target, origin)) if target == r.to && origin == r.origin => Ok(Change::Unchanged),
        Some(_) => {
            sqlx::query("UPDATE redirects SET target = $1, origin = $2 WHERE from_path = $3")
                .bind(&r.to)
                .bind(&r.origin)
                .bind(&r.from_path)
                .execute(&mut *conn)
                .await?;
            Ok(Change::Updated)
        }
        None => {
            sqlx::query("INSERT INTO redirects (from_path, target, origin) VALUES ($1, $2, $3)")
                .bind(&r.from_path)
                .bind(&r.to)
                .bind(&r.origin)
                .execute(&mut *conn)
                .await?;
            Ok(Change::Created)
        }
    }
}

/// Where an old path now lives. Tries the exact path, then ignoring letter case
/// (old links often differ only in case).
pub async fn lookup(db: &Db, path: &str) -> Result<Option<String>, DbError> {
    let exact: Option<String> =
        sqlx::query_scalar("SELECT target FROM redirects WHERE from_path = $1")
            .bind(path)
            .fetch_optional(db.pool())
            .await?;
    if exact.is_some() {
        return Ok(exact);
    }
    Ok(sqlx::query_scalar(
        "SELECT target FROM redirects WHERE lower(from_path) = lower($1) ORDER BY from_path LIMIT 1",
    )
    .bind(path)
    .fetch_optional(db.pool())
    .await?)
}

pub async fn all(db: &Db) -> Result<Vec<Redirect>, DbError> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT from_path, target, origin FROM redirects ORDER BY from_path")
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(from_path, to, origin)| Redirect {
            from_path,
            to,
            origin,
        })
        .collect())
}
