//! Small helpers shared by the area modules.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// What a write did to one record; import reports count these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

/// Counts of [`Change`]s for one kind of record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl Tally {
    pub fn add(&mut self, change: Change) {
        match change {
            Change::Created => self.created += 1,
            Change::Updated => self.updated += 1,
            Change::Unchanged => self.unchanged += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.created + self.updated + self.unchanged
    }

    pub fn changed(&self) -> usize {
        self.created + self.updated
    }
}

/// A stable fingerprint of a record: lets a re-import recognise what did not change.
pub(crate) fn fingerprint<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let json = serde_json::to_vec(value)?;
    Ok(hex(&Sha256::digest(&json)))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub(crate) fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
) -> Result<T, serde_json::Error> {
    serde_json::from_str(text)
}

/// Id and content fingerprint of a stored record, by its key (`sql` selects both).
pub(crate) async fn stored_hash(
    conn: &mut crate::Connection,
    sql: &'static str,
    key: &str,
) -> Result<Option<(i64, String)>, crate::DbError> {
    Ok(sqlx::query_as(sql)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Brings a record's kept front matter (`source_json`, which today's JSON shapes are
/// built from) in line with an edit: each key is set, or removed when `None`.
pub(crate) async fn patch_source(
    conn: &mut crate::Connection,
    table: &'static str,
    id: i64,
    patch: &[(&str, Option<serde_json::Value>)],
) -> Result<(), crate::DbError> {
    let current: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT source_json FROM {table} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let mut source: serde_json::Map<String, serde_json::Value> = current
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    for (key, value) in patch {
        match value {
            Some(v) => {
                source.insert((*key).to_owned(), v.clone());
            }
            None => {
                source.remove(*key);
            }
        }
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET source_json = $1 WHERE id = $2"
    )))
    .bind(serde_json::to_string(&source)?)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
