//! The public dialog on needs: threaded comments in Markdown, their earlier versions,
//! and the moderation state of each (hidden with a public reason, held for review).
//!
//! `needs.comment_count` counts the public comments (neither held nor hidden). Every
//! write here that changes whether a comment is public says so, and the caller moves
//! the count with [`adjust_count`] in the same transaction. The conditional updates
//! make a change happen once, however many moderators press the button at once.

use serde::Serialize;

use crate::util::{flag, now};
use crate::{Connection, Db, DbError};

/// A comment with its author's name (`None` once the account is deleted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Comment {
    pub id: i64,
    pub need_id: i64,
    pub parent_id: Option<i64>,
    pub depth: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub body: String,
    pub body_html: String,
    pub hidden_reason: Option<String>,
    pub held: i64,
    pub created_at: String,
    pub edited_at: Option<String>,
}

impl Comment {
    /// Neither held for review nor hidden by a moderator.
    pub fn public(&self) -> bool {
        self.held == 0 && self.hidden_reason.is_none()
    }
}

const COLUMNS: &str = "c.id, c.need_id, c.parent_id, c.depth, c.author_id, \
     a.display_name AS author_name, c.body, c.body_html, c.hidden_reason, c.held, \
     c.created_at, c.edited_at FROM need_comments c LEFT JOIN accounts a ON a.id = c.author_id";

/// What is written for a new comment.
#[derive(Debug, Clone)]
pub struct New<'a> {
    pub need: i64,
    pub parent: Option<i64>,
    pub depth: i64,
    pub author: i64,
    pub body: &'a str,
    pub body_html: &'a str,
    pub held: bool,
}

/// Writes a comment; returns its id. The caller moves the need's count when it is
/// public.
pub async fn create(conn: &mut Connection, c: &New<'_>) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO need_comments (need_id, parent_id, depth, author_id, body, body_html, \
         held, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(c.need)
    .bind(c.parent)
    .bind(c.depth)
    .bind(c.author)
    .bind(c.body)
    .bind(c.body_html)
    .bind(flag(c.held))
    .bind(now())
    .fetch_one(&mut *conn)
    .await?)
}

/// Moves a need's count of public comments by `delta`.
pub async fn adjust_count(conn: &mut Connection, need: i64, delta: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE needs SET comment_count = comment_count + $1 WHERE id = $2")
        .bind(delta)
        .bind(need)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A comment of this need.
pub async fn get(db: &Db, need: i64, id: i64) -> Result<Option<Comment>, DbError> {
    Ok(sqlx::query_as::<_, Comment>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE c.id = $1 AND c.need_id = $2"
    )))
    .bind(id)
    .bind(need)
    .fetch_optional(db.pool())
    .await?)
}

/// The same, read inside a transaction (for a write that depends on it).
pub async fn get_in(conn: &mut Connection, need: i64, id: i64) -> Result<Option<Comment>, DbError> {
    Ok(sqlx::query_as::<_, Comment>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE c.id = $1 AND c.need_id = $2"
    )))
    .bind(id)
    .bind(need)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Every comment of a need, oldest first (held and hidden ones included: the caller
/// decides who sees what).
pub async fn of_need(db: &Db, need: i64) -> Result<Vec<Comment>, DbError> {
    Ok(sqlx::query_as::<_, Comment>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE c.need_id = $1 ORDER BY c.id"
    )))
    .bind(need)
    .fetch_all(db.pool())
    .await?)
}

/// Who reads a page of a discussion. Held comments are seen by their authors and the
/// need's moderators only, so the top-level threads a page is made of — and with them
/// which page holds a comment — depend on the reader. Hidden comments count for
/// everyone: they stay in place with their public reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reader {
    /// Sees every comment (a moderator of the need).
    pub moderator: bool,
    /// Sees their own held comments.
    pub account: Option<i64>,
}

/// The top-level comments a reader sees (`r` is `need_comments`), with `$1` the need,
/// `$2` the moderator flag and `$3` the reader's account.
const ROOTS: &str = "r.need_id = $1 AND r.parent_id IS NULL \
     AND (r.held = 0 OR $2 = 1 OR r.author_id = $3)";

/// One page of a discussion: the top-level comments `per_page * (page - 1) + 1` to
/// `per_page * page` the reader sees, oldest first, each with all its replies (held and
/// hidden ones included: the caller decides who sees what), ordered by id. One query:
/// the page's roots, then their replies level by level along `parent_id` (a reply is
/// always younger than what it answers, so the walk ends whatever the data holds).
pub async fn page(
    db: &Db,
    need: i64,
    reader: Reader,
    per_page: i64,
    page: i64,
) -> Result<Vec<Comment>, DbError> {
    let per_page = per_page.max(1);
    let offset = page.max(1).saturating_sub(1).saturating_mul(per_page);
    // Each step carries whole rows and each author's name is looked up on its own: the
    // only reads are by index (the roots by need, the replies by parent, the authors by
    // id), whatever the planners think of the size of `tree` — given a join with it,
    // SQLite would rather scan the comments and PostgreSQL all accounts.
    let columns = |t: &str| {
        format!(
            "{t}.id, {t}.need_id, {t}.parent_id, {t}.depth, {t}.author_id, {t}.body, \
             {t}.body_html, {t}.hidden_reason, {t}.held, {t}.created_at, {t}.edited_at"
        )
    };
    let (r, k) = (columns("r"), columns("k"));
    Ok(sqlx::query_as::<_, Comment>(sqlx::AssertSqlSafe(format!(
        "WITH RECURSIVE tree (id, need_id, parent_id, depth, author_id, body, body_html, \
             hidden_reason, held, created_at, edited_at) AS ( \
             SELECT * FROM ( \
                 SELECT {r} FROM need_comments r WHERE {ROOTS} ORDER BY r.id LIMIT $4 OFFSET $5 \
             ) roots \
             UNION ALL \
             SELECT {k} FROM need_comments k JOIN tree p ON k.parent_id = p.id \
             WHERE k.id > p.id \
         ) \
         SELECT t.id, t.need_id, t.parent_id, t.depth, t.author_id, \
             (SELECT a.display_name FROM accounts a WHERE a.id = t.author_id) AS author_name, \
             t.body, t.body_html, t.hidden_reason, t.held, t.created_at, t.edited_at \
         FROM tree t ORDER BY t.id"
    )))
    .bind(need)
    .bind(flag(reader.moderator))
    .bind(reader.account)
    .bind(per_page)
    .bind(offset)
    .fetch_all(db.pool())
    .await?)
}

/// How many top-level threads of a discussion the reader sees (for the page count).
pub async fn threads(db: &Db, need: i64, reader: Reader) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM need_comments r WHERE {ROOTS}"
    )))
    .bind(need)
    .bind(flag(reader.moderator))
    .bind(reader.account)
    .fetch_one(db.pool())
    .await?)
}

/// The page (1-based, `per_page` threads each) that shows a comment of this need to
/// the reader: the comment's thread is found by walking up its parents, the page by
/// counting the top-level comments before it. `None` when there is no such comment.
pub async fn page_of(
    db: &Db,
    need: i64,
    comment: i64,
    reader: Reader,
    per_page: i64,
) -> Result<Option<i64>, DbError> {
    let before: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "WITH RECURSIVE up (id, parent_id) AS ( \
             SELECT id, parent_id FROM need_comments WHERE id = $4 AND need_id = $1 \
             UNION ALL \
             SELECT k.id, k.parent_id FROM need_comments k JOIN up u ON k.id = u.parent_id \
             WHERE k.id < u.id \
         ) \
         SELECT (SELECT COUNT(*) FROM need_comments r WHERE {ROOTS} AND r.id < up.id) \
         FROM up WHERE up.parent_id IS NULL"
    )))
    .bind(need)
    .bind(flag(reader.moderator))
    .bind(reader.account)
    .bind(comment)
    .fetch_optional(db.pool())
    .await?;
    Ok(before.map(|n| n / per_page.max(1) + 1))
}

/// Counts the public comments row by row (for checks; pages read `comment_count`).
pub async fn count_public(db: &Db, need: i64) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM need_comments WHERE need_id = $1 AND held = 0 \
         AND hidden_reason IS NULL",
    )
    .bind(need)
    .fetch_one(db.pool())
    .await?)
}

/// Rewrites a comment's text, keeping `previous` as a version (`None`: no new version,
/// the edit merges into the last one); whether there was such a comment.
pub async fn edit(
    conn: &mut Connection,
    id: i64,
    previous: Option<&str>,
    body: &str,
    body_html: &str,
) -> Result<bool, DbError> {
    let now = now();
    let done = sqlx::query(
        "UPDATE need_comments SET body = $1, body_html = $2, edited_at = $3 WHERE id = $4",
    )
    .bind(body)
    .bind(body_html)
    .bind(&now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    let Some(previous) = previous else {
        return Ok(true);
    };
    sqlx::query(
        "INSERT INTO need_comment_versions (comment_id, body, created_at) VALUES ($1, $2, $3)",
    )
    .bind(id)
    .bind(previous)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// An earlier text of a comment, and when it was replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Version {
    pub body: String,
    pub created_at: String,
}

/// The earlier texts of a comment, oldest first.
pub async fn versions(db: &Db, comment: i64) -> Result<Vec<Version>, DbError> {
    Ok(sqlx::query_as::<_, Version>(
        "SELECT body, created_at FROM need_comment_versions WHERE comment_id = $1 ORDER BY id",
    )
    .bind(comment)
    .fetch_all(db.pool())
    .await?)
}

/// What a moderation write did to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No such comment, or it was already in that state.
    Unchanged,
    /// Changed; the comment was public before and is not now.
    NoLongerPublic,
    /// Changed; the comment is public now and was not before.
    NowPublic,
    /// Changed, without a change of whether it is public.
    Changed,
}

impl Outcome {
    /// How the need's count of public comments moves.
    pub fn delta(self) -> i64 {
        match self {
            Outcome::NoLongerPublic => -1,
            Outcome::NowPublic => 1,
            Outcome::Unchanged | Outcome::Changed => 0,
        }
    }
}

/// Hides a comment with a public reason. A hidden one only gets the new reason.
pub async fn hide(conn: &mut Connection, id: i64, reason: &str) -> Result<Outcome, DbError> {
    let held: Option<i64> = sqlx::query_scalar(
        "UPDATE need_comments SET hidden_reason = $1 WHERE id = $2 AND hidden_reason IS NULL \
         RETURNING held",
    )
    .bind(reason)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    match held {
        Some(0) => Ok(Outcome::NoLongerPublic),
        Some(_) => Ok(Outcome::Changed),
        None => {
            sqlx::query("UPDATE need_comments SET hidden_reason = $1 WHERE id = $2")
                .bind(reason)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            Ok(Outcome::Unchanged)
        }
    }
}

/// Shows a hidden comment again.
pub async fn restore(conn: &mut Connection, id: i64) -> Result<Outcome, DbError> {
    let held: Option<i64> = sqlx::query_scalar(
        "UPDATE need_comments SET hidden_reason = NULL WHERE id = $1 \
         AND hidden_reason IS NOT NULL RETURNING held",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match held {
        Some(0) => Outcome::NowPublic,
        Some(_) => Outcome::Changed,
        None => Outcome::Unchanged,
    })
}

/// Releases a comment held for review.
pub async fn release(conn: &mut Connection, id: i64) -> Result<Outcome, DbError> {
    let hidden: Option<Option<String>> = sqlx::query_scalar(
        "UPDATE need_comments SET held = 0 WHERE id = $1 AND held = 1 RETURNING hidden_reason",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match hidden {
        Some(None) => Outcome::NowPublic,
        Some(Some(_)) => Outcome::Changed,
        None => Outcome::Unchanged,
    })
}

/// A comment waiting for a moderator, with its need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Held {
    pub id: i64,
    pub need_id: i64,
    pub need_title: String,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: String,
}

/// Comments held for review, oldest first, at most `limit`: all of them, or those on
/// needs adopted by one of `labs`.
pub async fn held(db: &Db, labs: Option<&[i64]>, limit: i64) -> Result<Vec<Held>, DbError> {
    let sql = format!(
        "SELECT c.id, c.need_id, n.title AS need_title, a.display_name AS author_name, c.body, \
         c.created_at FROM need_comments c JOIN needs n ON n.id = c.need_id \
         LEFT JOIN accounts a ON a.id = c.author_id \
         WHERE c.held = 1 AND c.hidden_reason IS NULL{} ORDER BY c.id LIMIT {}",
        lab_clause(labs),
        limit.max(0)
    );
    // Only constant fragments and integers make up `sql`.
    Ok(sqlx::query_as::<_, Held>(sqlx::AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?)
}

/// `AND n.adopted_lab_id IN (…)` for a list of lab ids (integers, written inline);
/// nothing for `None` (everything). An empty list matches nothing.
pub(crate) fn lab_clause(labs: Option<&[i64]>) -> String {
    match labs {
        None => String::new(),
        Some([]) => " AND 1 = 0".to_owned(),
        Some(ids) => format!(
            " AND n.adopted_lab_id IN ({})",
            ids.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A person's comments for their data export: need, text, when.
pub async fn by_author(db: &Db, account: i64) -> Result<Vec<(i64, i64, String, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, need_id, body, created_at FROM need_comments WHERE author_id = $1 \
         ORDER BY id",
    )
    .bind(account)
    .fetch_all(db.pool())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_filters_are_integers_only() {
        assert_eq!(lab_clause(None), "");
        assert_eq!(lab_clause(Some(&[])), " AND 1 = 0");
        assert_eq!(
            lab_clause(Some(&[3, 12])),
            " AND n.adopted_lab_id IN (3, 12)"
        );
    }
}
