//! Data files of an imported site (`data/**`), kept as JSON.

use crate::{Change, Connection, Db, DbError};

pub async fn upsert(
    conn: &mut Connection,
    path: &str,
    value: &serde_json::Value,
) -> Result<Change, DbError> {
    let json = serde_json::to_string(value)?;
    let existing: Option<String> =
        sqlx::query_scalar("SELECT value_json FROM data_files WHERE path = $1")
            .bind(path)
            .fetch_optional(&mut *conn)
            .await?;
    match existing {
        Some(old) if old == json => Ok(Change::Unchanged),
        Some(_) => {
            sqlx::query("UPDATE data_files SET value_json = $1 WHERE path = $2")
                .bind(&json)
                .bind(path)
                .execute(&mut *conn)
                .await?;
            Ok(Change::Updated)
        }
        None => {
            sqlx::query("INSERT INTO data_files (path, value_json) VALUES ($1, $2)")
                .bind(path)
                .bind(&json)
                .execute(&mut *conn)
                .await?;
            Ok(Change::Created)
        }
    }
}

pub async fn get(db: &Db, path: &str) -> Result<Option<serde_json::Value>, DbError> {
    let json: Option<String> =
        sqlx::query_scalar("SELECT value_json FROM data_files WHERE path = $1")
            .bind(path)
            .fetch_optional(db.pool())
            .await?;
    Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
}

/// All data files under a folder prefix such as `data/projekte/`, by path.
pub async fn under(db: &Db, prefix: &str) -> Result<Vec<(String, serde_json::Value)>, DbError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT path, value_json FROM data_files WHERE substr(path, 1, length($1)) = $1 ORDER BY path",
    )
    .bind(prefix)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(p, j)| Ok((p, serde_json::from_str(&j)?)))
        .collect()
}
