//! The record of import runs and their reports.

use crate::util::now;
use crate::{Connection, DbError};

pub async fn record(
    conn: &mut Connection,
    source: &str,
    counts: &serde_json::Value,
    warnings: usize,
    report: &serde_json::Value,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO imports (source, started_at, counts_json, warnings, report_json) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(source)
    .bind(now())
    .bind(serde_json::to_string(counts)?)
    .bind(warnings as i64)
    .bind(serde_json::to_string(report)?)
    .execute(conn)
    .await?;
    Ok(())
}

/// The keys of everything stored, by kind: lab, project and post slugs and page paths.
/// An import compares them with its source to report what the source no longer has.
pub async fn stored_keys(
    conn: &mut Connection,
) -> Result<[(&'static str, Vec<String>); 4], DbError> {
    let mut one = async |kind: &'static str, sql: &'static str| -> Result<_, DbError> {
        let keys: Vec<String> = sqlx::query_scalar(sql).fetch_all(&mut *conn).await?;
        Ok((kind, keys))
    };
    Ok([
        one("lab", "SELECT slug FROM labs ORDER BY slug").await?,
        one("project", "SELECT slug FROM projects ORDER BY slug").await?,
        one("post", "SELECT slug FROM posts ORDER BY slug").await?,
        one("page", "SELECT path FROM pages ORDER BY path").await?,
    ])
}
