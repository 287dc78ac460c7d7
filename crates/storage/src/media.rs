//! The media store: files kept in the database so that every instance serves the same
//! bytes and an import is all-or-nothing, media included.

use codefor_domain::MediaFile;

use crate::batch::{self, Val};
use crate::util::now;
use crate::{Change, Connection, Db, DbError};

pub async fn upsert(conn: &mut Connection, file: &MediaFile) -> Result<Change, DbError> {
    let existing: Option<String> = sqlx::query_scalar("SELECT sha256 FROM media WHERE path = $1")
        .bind(&file.path)
        .fetch_optional(&mut *conn)
        .await?;
    match existing {
        Some(sha) if sha == file.sha256 => Ok(Change::Unchanged),
        Some(_) => {
            sqlx::query(
                "UPDATE media SET content_type = $1, sha256 = $2, size = $3, bytes = $4 WHERE path = $5",
            )
            .bind(&file.content_type)
            .bind(&file.sha256)
            .bind(file.bytes.len() as i64)
            .bind(&file.bytes)
            .bind(&file.path)
            .execute(&mut *conn)
            .await?;
            Ok(Change::Updated)
        }
        None => {
            sqlx::query(
                "INSERT INTO media (path, content_type, sha256, size, bytes, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&file.path)
            .bind(&file.content_type)
            .bind(&file.sha256)
            .bind(file.bytes.len() as i64)
            .bind(&file.bytes)
            .bind(now())
            .execute(&mut *conn)
            .await?;
            Ok(Change::Created)
        }
    }
}

/// The file served at `/` + `path`.
pub async fn get(db: &Db, path: &str) -> Result<Option<MediaFile>, DbError> {
    let row: Option<(String, String, String, Vec<u8>)> =
        sqlx::query_as("SELECT path, content_type, sha256, bytes FROM media WHERE path = $1")
            .bind(path)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(path, content_type, sha256, bytes)| MediaFile {
        path,
        content_type,
        sha256,
        bytes,
    }))
}

/// The stored path that equals `path` ignoring letter case, if exactly one does.
pub async fn find_case_insensitive(db: &Db, path: &str) -> Result<Option<String>, DbError> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT path FROM media WHERE lower(path) = lower($1) LIMIT 2")
            .bind(path)
            .fetch_all(db.pool())
            .await?;
    Ok(if rows.len() == 1 {
        rows.into_iter().next()
    } else {
        None
    })
}

/// Whether a file is stored at `path`.
pub async fn exists(db: &Db, path: &str) -> Result<bool, DbError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM media WHERE path = $1")
        .bind(path)
        .fetch_one(db.pool())
        .await?;
    Ok(n > 0)
}

/// Stores many files at once (an import): unchanged files (same SHA-256) are not sent
/// to the database again; new ones go in a few megabytes per statement.
pub async fn upsert_many(
    conn: &mut Connection,
    files: &[MediaFile],
) -> Result<crate::Tally, DbError> {
    let stored: Vec<(String, String)> = sqlx::query_as("SELECT path, sha256 FROM media")
        .fetch_all(&mut *conn)
        .await?;
    let stored: std::collections::HashMap<&str, &str> = stored
        .iter()
        .map(|(p, s)| (p.as_str(), s.as_str()))
        .collect();
    let mut tally = crate::Tally::default();
    let now = now();
    let mut fresh = Vec::new();
    for file in files {
        match stored.get(file.path.as_str()) {
            Some(sha) if *sha == file.sha256 => tally.add(Change::Unchanged),
            Some(_) => tally.add(upsert(conn, file).await?),
            None => {
                fresh.push(vec![
                    Val::Text(&file.path),
                    Val::Text(&file.content_type),
                    Val::Text(&file.sha256),
                    Val::Int(file.bytes.len() as i64),
                    Val::Bytes(&file.bytes),
                    Val::Text(&now),
                ]);
                tally.add(Change::Created);
            }
        }
    }
    batch::insert(
        conn,
        "media (path, content_type, sha256, size, bytes, created_at)",
        "",
        &fresh,
    )
    .await?;
    Ok(tally)
}

/// Which of `paths` are stored (for lists that show many pictures at once).
pub async fn existing(
    db: &Db,
    paths: &[&str],
) -> Result<std::collections::HashSet<String>, DbError> {
    let mut found = std::collections::HashSet::new();
    // A bounded number of placeholders per statement (see `batch`).
    for chunk in paths.chunks(100) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT path FROM media WHERE path IN ({})", list.join(", "));
        // Only numbered placeholders are in the text.
        let mut query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
        for p in chunk {
            query = query.bind(*p);
        }
        found.extend(query.fetch_all(db.pool()).await?);
    }
    Ok(found)
}
