//! Pages: home, About, Imprint, section indexes, archive pages.

use codefor_domain::Page;

use crate::util::{fingerprint, flag, from_json, now, stored_hash};
use crate::{Change, Connection, Db, DbError};

pub async fn upsert(conn: &mut Connection, page: &Page) -> Result<(i64, Change), DbError> {
    let hash = fingerprint(page)?;
    let existing = stored_hash(
        conn,
        "SELECT id, content_hash FROM pages WHERE path = $1",
        &page.path,
    )
    .await?;
    let now = now();
    let source = serde_json::to_string(&page.source)?;
    match existing {
        Some((id, old)) if old == hash => Ok((id, Change::Unchanged)),
        Some((id, _)) => {
            sqlx::query(
                "UPDATE pages SET title = $1, description = $2, body_md = $3, body_html = $4, \
                 draft = $5, source_json = $6, content_hash = $7, updated_at = $8 WHERE id = $9",
            )
            .bind(&page.title)
            .bind(&page.description)
            .bind(&page.body_md)
            .bind(&page.body_html)
            .bind(flag(page.draft))
            .bind(&source)
            .bind(&hash)
            .bind(&now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            Ok((id, Change::Updated))
        }
        None => {
            let id = sqlx::query_scalar(
                "INSERT INTO pages (path, title, description, body_md, body_html, draft, \
                 source_json, content_hash, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            )
            .bind(&page.path)
            .bind(&page.title)
            .bind(&page.description)
            .bind(&page.body_md)
            .bind(&page.body_html)
            .bind(flag(page.draft))
            .bind(&source)
            .bind(&hash)
            .bind(&now)
            .fetch_one(&mut *conn)
            .await?;
            Ok((id, Change::Created))
        }
    }
}

type PageRow = (String, String, Option<String>, String, String, i64, String);

/// The page at `path` (`""` for home, `impressum`, `archiv/launch`).
pub async fn get(db: &Db, path: &str) -> Result<Option<Page>, DbError> {
    let row: Option<PageRow> = sqlx::query_as(
        "SELECT path, title, description, body_md, body_html, draft, source_json FROM pages \
         WHERE path = $1 AND deleted_at IS NULL",
    )
    .bind(path)
    .fetch_optional(db.pool())
    .await?;
    row.map(
        |(path, title, description, body_md, body_html, draft, source)| {
            Ok(Page {
                path,
                title,
                description,
                body_md,
                body_html,
                draft: draft != 0,
                source: from_json(&source)?,
            })
        },
    )
    .transpose()
}

/// Paths and titles of every published page.
pub async fn list(db: &Db) -> Result<Vec<(String, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT path, title FROM pages WHERE draft = 0 AND deleted_at IS NULL ORDER BY path",
    )
    .fetch_all(db.pool())
    .await?)
}

/// Published pages directly or indirectly below `path` (e.g. `archiv` → `archiv/launch`).
pub async fn below(db: &Db, path: &str) -> Result<Vec<(String, String)>, DbError> {
    let prefix = format!("{path}/");
    Ok(sqlx::query_as(
        "SELECT path, title FROM pages WHERE draft = 0 AND deleted_at IS NULL \
         AND substr(path, 1, length($1)) = $1 \
         ORDER BY path",
    )
    .bind(&prefix)
    .fetch_all(db.pool())
    .await?)
}

/// The id of the page at `path`.
pub async fn id_of(db: &Db, path: &str) -> Result<Option<i64>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM pages WHERE path = $1 AND deleted_at IS NULL")
            .bind(path)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Path of the page with this id.
pub async fn path_of(db: &Db, id: i64) -> Result<Option<String>, DbError> {
    Ok(sqlx::query_scalar("SELECT path FROM pages WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// Writes the editable fields of a page (the import fingerprint stays, as for labs).
pub async fn update_editable(
    conn: &mut Connection,
    id: i64,
    title: &str,
    description: Option<&str>,
    body_md: &str,
    body_html: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE pages SET title = $1, description = $2, body_md = $3, body_html = $4, \
         updated_at = $5 WHERE id = $6",
    )
    .bind(title)
    .bind(description)
    .bind(body_md)
    .bind(body_html)
    .bind(crate::util::now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
