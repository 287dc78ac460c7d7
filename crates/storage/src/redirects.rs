//! Permanent redirects from old paths.

use codefor_domain::Redirect;

use crate::batch::{self, Val};
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

/// Creates or updates many redirects at once (an import).
pub async fn upsert_many(conn: &mut Connection, all: &[Redirect]) -> Result<crate::Tally, DbError> {
    let stored: Vec<(String, String, String)> =
        sqlx::query_as("SELECT from_path, target, origin FROM redirects")
            .fetch_all(&mut *conn)
            .await?;
    let stored: std::collections::HashMap<&str, (&str, &str)> = stored
        .iter()
        .map(|(f, t, o)| (f.as_str(), (t.as_str(), o.as_str())))
        .collect();
    let mut tally = crate::Tally::default();
    let mut fresh = Vec::new();
    for r in all {
        match stored.get(r.from_path.as_str()) {
            Some((t, o)) if *t == r.to && *o == r.origin => tally.add(Change::Unchanged),
            Some(_) => tally.add(upsert(conn, r).await?),
            None => {
                fresh.push(vec![
                    Val::Text(&r.from_path),
                    Val::Text(&r.to),
                    Val::Text(&r.origin),
                ]);
                tally.add(Change::Created);
            }
        }
    }
    batch::insert(conn, "redirects (from_path, target, origin)", "", &fresh).await?;
    Ok(tally)
}
