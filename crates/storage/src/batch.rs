//! Many rows in one statement. Every statement is a round trip (for SQLite, to its
//! worker thread), so an import of thousands of rows spends most of its time there;
//! multi-row `INSERT … VALUES (…), (…)` cuts that by the row count.

use sqlx::AssertSqlSafe;

use crate::{Connection, DbError};

/// One value to bind.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Val<'a> {
    Int(i64),
    Text(&'a str),
    OptText(Option<&'a str>),
    Bytes(&'a [u8]),
}

/// Parameters per statement. Far below SQLite's (32766) and PostgreSQL's (65535) limits on
/// purpose: SQLite finds each `$n` by scanning the statement's parameter list, so binding
/// costs grow with the square of this number; around a hundred balances that against the
/// cost of one more statement (measured on the codefor.de import).
const MAX_PARAMS: usize = 128;
/// Bytes per statement, so media files go in chunks of a few megabytes.
const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Inserts `rows` into `head` (`"t (a, b)"`), then `tail` (e.g. `ON CONFLICT DO NOTHING`).
/// Every row must have as many values as `head` names columns.
pub(crate) async fn insert(
    conn: &mut Connection,
    head: &'static str,
    tail: &'static str,
    rows: &[Vec<Val<'_>>],
) -> Result<(), DbError> {
    let mut start = 0;
    while start < rows.len() {
        let (mut params, mut bytes, mut end) = (0, 0, start);
        while end < rows.len() {
            let row = &rows[end];
            let size: usize = row
                .iter()
                .map(|v| match v {
                    Val::Bytes(b) => b.len(),
                    Val::Text(t) | Val::OptText(Some(t)) => t.len(),
                    _ => 8,
                })
                .sum();
            if end > start && (params + row.len() > MAX_PARAMS || bytes + size > MAX_BYTES) {
                break;
            }
            params += row.len();
            bytes += size;
            end += 1;
        }
        let chunk = &rows[start..end];
        let mut sql = format!("INSERT INTO {head} VALUES ");
        let mut n = 0;
        for (i, row) in chunk.iter().enumerate() {
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for j in 0..row.len() {
                n += 1;
                sql.push_str(&if j == 0 {
                    format!("${n}")
                } else {
                    format!(", ${n}")
                });
            }
            sql.push(')');
        }
        sql.push(' ');
        sql.push_str(tail);
        // Only placeholders and the caller's constant fragments are in the text.
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            for v in row {
                query = match *v {
                    Val::Int(i) => query.bind(i),
                    Val::Text(t) => query.bind(t),
                    Val::OptText(t) => query.bind(t),
                    Val::Bytes(b) => query.bind(b),
                };
            }
        }
        query.execute(&mut *conn).await?;
        start = end;
    }
    Ok(())
}

/// Links `owner` to the labs named by `slugs` in one statement (`head` is e.g.
/// `"project_labs (project_id, lab_id)"`). Slugs of labs that do not exist are skipped:
/// the record's source keeps them.
pub(crate) async fn link_labs(
    conn: &mut Connection,
    head: &'static str,
    owner: i64,
    slugs: &[String],
) -> Result<(), DbError> {
    if slugs.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = (0..slugs.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "INSERT INTO {head} SELECT $1, id FROM labs WHERE slug IN ({}) ON CONFLICT DO NOTHING",
        list.join(", ")
    );
    // Only placeholders and the caller's constant fragment are in the text.
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(owner);
    for slug in slugs {
        query = query.bind(slug.as_str());
    }
    query.execute(&mut *conn).await?;
    Ok(())
}
