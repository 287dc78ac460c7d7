//! Blog posts ("stories"), with their labs, topics and authors.

use codefor_domain::Post;
use serde::Serialize;

use sqlx::AssertSqlSafe;

use crate::batch::{self, Val};

use crate::projects::LabRef;
use crate::util::{fingerprint, flag, from_json, now, stored_hash};
use crate::{Change, Connection, Db, DbError};

/// A post as the blog index and feeds list it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct PostSummary {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub date: String,
    pub author: Option<String>,
    pub summary: Option<String>,
    pub image: Option<String>,
    pub lang: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PostDetail {
    pub id: i64,
    pub post: Post,
    pub labs: Vec<LabRef>,
    pub updated_at: String,
}

pub async fn upsert(conn: &mut Connection, post: &Post) -> Result<(i64, Change), DbError> {
    let hash = fingerprint(post)?;
    let existing = stored_hash(
        conn,
        "SELECT id, content_hash FROM posts WHERE slug = $1",
        &post.slug,
    )
    .await?;
    let now = now();
    let source = serde_json::to_string(&post.source)?;
    let (id, change) = match existing {
        Some((id, old)) if old == hash => return Ok((id, Change::Unchanged)),
        Some((id, _)) => {
            sqlx::query(
                "UPDATE posts SET title = $1, date = $2, author = $3, summary = $4, body_md = $5, \
                 body_html = $6, image = $7, draft = $8, lang = $9, source_json = $10, \
                 content_hash = $11, updated_at = $12 WHERE id = $13",
            )
            .bind(&post.title)
            .bind(&post.date)
            .bind(&post.author)
            .bind(&post.summary)
            .bind(&post.body_md)
            .bind(&post.body_html)
            .bind(&post.image)
            .bind(flag(post.draft))
            .bind(&post.lang)
            .bind(&source)
            .bind(&hash)
            .bind(&now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            for sql in [
                "DELETE FROM post_labs WHERE post_id = $1",
                "DELETE FROM post_topics WHERE post_id = $1",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *conn).await?;
            }
            (id, Change::Updated)
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO posts (slug, title, date, author, summary, body_md, body_html, image, \
                 draft, lang, source_json, content_hash, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
            )
            .bind(&post.slug)
            .bind(&post.title)
            .bind(&post.date)
            .bind(&post.author)
            .bind(&post.summary)
            .bind(&post.body_md)
            .bind(&post.body_html)
            .bind(&post.image)
            .bind(flag(post.draft))
            .bind(&post.lang)
            .bind(&source)
            .bind(&hash)
            .bind(&now)
            .fetch_one(&mut *conn)
            .await?;
            (id, Change::Created)
        }
    };
    batch::link_labs(conn, "post_labs (post_id, lab_id)", id, &post.labs).await?;
    let topics: Vec<_> = post
        .topics
        .iter()
        .map(|t| vec![Val::Int(id), Val::Text(t)])
        .collect();
    batch::insert(
        conn,
        "post_topics (post_id, topic)",
        "ON CONFLICT DO NOTHING",
        &topics,
    )
    .await?;
    Ok((id, change))
}

/// Makes the post's authors exactly `people` (ids in order); returns whether anything
/// changed.
pub async fn set_authors(
    conn: &mut Connection,
    post_id: i64,
    people: &[i64],
) -> Result<bool, DbError> {
    crate::people::set_ordered(conn, &crate::people::POST_AUTHORS, post_id, people).await
}

const SUMMARY: &str =
    "SELECT p.id, p.slug, p.title, p.date, p.author, p.summary, p.image, p.lang FROM posts p";

/// Published posts, newest first: one page of them and the total count.
pub async fn page(db: &Db, offset: i64, limit: i64) -> Result<(Vec<PostSummary>, i64), DbError> {
    let sql = format!(
        "{SUMMARY} WHERE p.draft = 0 AND p.deleted_at IS NULL ORDER BY p.date DESC, p.slug LIMIT $1 OFFSET $2"
    );
    let posts = sqlx::query_as(AssertSqlSafe(sql))
        .bind(limit)
        .bind(offset)
        .fetch_all(db.pool())
        .await?;
    let total =
        sqlx::query_scalar("SELECT COUNT(*) FROM posts WHERE draft = 0 AND deleted_at IS NULL")
            .fetch_one(db.pool())
            .await?;
    Ok((posts, total))
}

/// Published posts about one lab, newest first.
pub async fn of_lab(db: &Db, lab_slug: &str, limit: i64) -> Result<Vec<PostSummary>, DbError> {
    let sql = format!(
        "{SUMMARY} JOIN post_labs pl ON pl.post_id = p.id JOIN labs l ON l.id = pl.lab_id \
         WHERE l.slug = $1 AND p.draft = 0 AND p.deleted_at IS NULL ORDER BY p.date DESC, p.slug LIMIT $2"
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(lab_slug)
        .bind(limit)
        .fetch_all(db.pool())
        .await?)
}

type DetailRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    i64,
    String,
    String,
    String,
);

pub async fn get(db: &Db, slug: &str) -> Result<Option<PostDetail>, DbError> {
    let row: Option<DetailRow> = sqlx::query_as(
        "SELECT id, slug, title, date, author, summary, body_md, body_html, image, draft, lang, \
         source_json, updated_at FROM posts WHERE slug = $1 AND deleted_at IS NULL",
    )
    .bind(slug)
    .fetch_optional(db.pool())
    .await?;
    let Some((
        id,
        slug,
        title,
        date,
        author,
        summary,
        body_md,
        body_html,
        image,
        draft,
        lang,
        source,
        updated_at,
    )) = row
    else {
        return Ok(None);
    };
    let labs: Vec<(String, String)> = sqlx::query_as(
        "SELECT l.slug, l.name FROM post_labs pl JOIN labs l ON l.id = pl.lab_id \
         WHERE pl.post_id = $1 AND l.deleted_at IS NULL ORDER BY l.name",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let topics: Vec<String> =
        sqlx::query_scalar("SELECT topic FROM post_topics WHERE post_id = $1 ORDER BY topic")
            .bind(id)
            .fetch_all(db.pool())
            .await?;
    let post = Post {
        slug,
        title,
        date,
        author,
        summary,
        body_md,
        body_html,
        labs: labs.iter().map(|(s, _)| s.clone()).collect(),
        topics,
        image,
        draft: draft != 0,
        lang,
        source: from_json(&source)?,
    };
    Ok(Some(PostDetail {
        id,
        post,
        labs: labs
            .into_iter()
            .map(|(slug, name)| LabRef { slug, name })
            .collect(),
        updated_at,
    }))
}

/// What a lead edits on a post, as stored.
#[derive(Debug, Clone)]
pub struct EditableFields<'a> {
    pub title: &'a str,
    pub summary: Option<&'a str>,
    pub body_md: &'a str,
    pub body_html: &'a str,
}

/// Writes the editable fields of a post (the import fingerprint stays, as for labs).
pub async fn update_editable(
    conn: &mut Connection,
    id: i64,
    f: &EditableFields<'_>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE posts SET title = $1, summary = $2, body_md = $3, body_html = $4, \
         updated_at = $5 WHERE id = $6",
    )
    .bind(f.title)
    .bind(f.summary)
    .bind(f.body_md)
    .bind(f.body_html)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The slug of the post with this id.
pub async fn slug_of(db: &Db, id: i64) -> Result<Option<String>, DbError> {
    Ok(sqlx::query_scalar("SELECT slug FROM posts WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}
