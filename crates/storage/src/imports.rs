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
