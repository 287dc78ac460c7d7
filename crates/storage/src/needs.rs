//! Needs: what people bring to the network, their public status history, supports,
//! the projects that answer them and who follows them.
//!
//! Support and comment counts live on the need's row and change in the same
//! transaction as the rows they count, so lists sort by them without counting.

use serde::Serialize;
use sqlx::AssertSqlSafe;

use crate::util::{flag, now};
use crate::{Connection, Db, DbError};

/// A need as its page shows it, with the names of what it points to.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Need {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub body_html: String,
    pub affected: String,
    pub state_key: Option<String>,
    pub state_name: Option<String>,
    pub municipality: String,
    pub lab_id: Option<i64>,
    pub lab_slug: Option<String>,
    pub lab_name: Option<String>,
    /// A key of `codefor_domain::projects::THEMES`.
    pub topic: String,
    pub missing: String,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub organization_id: Option<i64>,
    pub organization_slug: Option<String>,
    pub organization_name: Option<String>,
    pub organization_verified: Option<i64>,
    /// A `codefor_domain::needs::Status` key.
    pub status: String,
    pub adopted_lab_id: Option<i64>,
    pub adopted_lab_slug: Option<String>,
    pub adopted_lab_name: Option<String>,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub merged_into: Option<i64>,
    pub support_count: i64,
    pub comment_count: i64,
    pub locked: i64,
    pub hidden_reason: Option<String>,
    pub held: i64,
    pub submitted_at: Option<String>,
    pub last_activity: String,
    pub created_at: String,
    pub updated_at: String,
}

const NEED_COLUMNS: &str = "n.id, n.title, n.body, n.body_html, n.affected, n.state_key, \
     fs.name AS state_name, n.municipality, n.lab_id, l.slug AS lab_slug, l.name AS lab_name, \
     n.topic, n.missing, n.author_id, a.display_name AS author_name, n.organization_id, \
     o.slug AS organization_slug, o.name AS organization_name, \
     o.verified AS organization_verified, n.status, n.adopted_lab_id, \
     al.slug AS adopted_lab_slug, al.name AS adopted_lab_name, n.contact_id, \
     c.display_name AS contact_name, n.merged_into, n.support_count, n.comment_count, \
     n.locked, n.hidden_reason, n.held, n.submitted_at, n.last_activity, n.created_at, \
     n.updated_at";

const NEED_FROM: &str = " FROM needs n \
     LEFT JOIN federal_states fs ON fs.key = n.state_key \
     LEFT JOIN labs l ON l.id = n.lab_id AND l.deleted_at IS NULL \
     LEFT JOIN accounts a ON a.id = n.author_id \
     LEFT JOIN organizations o ON o.id = n.organization_id \
     LEFT JOIN labs al ON al.id = n.adopted_lab_id AND al.deleted_at IS NULL \
     LEFT JOIN accounts c ON c.id = n.contact_id";

/// A need in a list: what a card shows.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct NeedCard {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub topic: String,
    pub status: String,
    pub state_key: Option<String>,
    pub state_name: Option<String>,
    pub municipality: String,
    pub adopted_lab_slug: Option<String>,
    pub adopted_lab_name: Option<String>,
    pub organization_name: Option<String>,
    pub organization_verified: Option<i64>,
    pub support_count: i64,
    pub comment_count: i64,
    pub submitted_at: Option<String>,
    pub last_activity: String,
}

const CARD_COLUMNS: &str = "n.id, n.title, n.body, n.topic, n.status, n.state_key, \
     fs.name AS state_name, n.municipality, al.slug AS adopted_lab_slug, \
     al.name AS adopted_lab_name, o.name AS organization_name, \
     o.verified AS organization_verified, n.support_count, n.comment_count, n.submitted_at, \
     n.last_activity";

const CARD_FROM: &str = " FROM needs n \
     LEFT JOIN federal_states fs ON fs.key = n.state_key \
     LEFT JOIN organizations o ON o.id = n.organization_id \
     LEFT JOIN labs al ON al.id = n.adopted_lab_id AND al.deleted_at IS NULL";

/// Public in lists: submitted (not a draft), not hidden by a moderator, not held for
/// review.
pub const LISTED: &str = "n.status <> 'draft' AND n.hidden_reason IS NULL AND n.held = 0";

/// What is written for a need's text.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub body_html: &'a str,
    pub affected: &'a str,
    pub state_key: Option<&'a str>,
    pub municipality: &'a str,
    pub lab_id: Option<i64>,
    pub topic: &'a str,
    pub missing: &'a str,
    pub organization_id: Option<i64>,
}

/// A new need by `author`, as a draft or submitted (then public unless `held`).
pub async fn create(
    conn: &mut Connection,
    f: &Fields<'_>,
    author: i64,
    submitted: bool,
    held: bool,
) -> Result<i64, DbError> {
    let now = now();
    let status = if submitted { "submitted" } else { "draft" };
    let submitted_at = submitted.then_some(now.as_str());
    Ok(sqlx::query_scalar(
        "INSERT INTO needs (title, body, body_html, affected, state_key, municipality, lab_id, \
         topic, missing, author_id, organization_id, status, held, submitted_at, \
         last_activity, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $15) \
         RETURNING id",
    )
    .bind(f.title)
    .bind(f.body)
    .bind(f.body_html)
    .bind(f.affected)
    .bind(f.state_key)
    .bind(f.municipality)
    .bind(f.lab_id)
    .bind(f.topic)
    .bind(f.missing)
    .bind(author)
    .bind(f.organization_id)
    .bind(status)
    .bind(flag(held))
    .bind(submitted_at)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?)
}

/// Rewrites a need's text; whether there was one.
pub async fn update(conn: &mut Connection, id: i64, f: &Fields<'_>) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE needs SET title = $1, body = $2, body_html = $3, affected = $4, state_key = $5, \
         municipality = $6, lab_id = $7, topic = $8, missing = $9, organization_id = $10, \
         updated_at = $11 WHERE id = $12",
    )
    .bind(f.title)
    .bind(f.body)
    .bind(f.body_html)
    .bind(f.affected)
    .bind(f.state_key)
    .bind(f.municipality)
    .bind(f.lab_id)
    .bind(f.topic)
    .bind(f.missing)
    .bind(f.organization_id)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Keeps the text before an edit (JSON of the editable fields).
pub async fn add_version(
    conn: &mut Connection,
    need: i64,
    account: Option<i64>,
    snapshot: &serde_json::Value,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO need_versions (need_id, account_id, snapshot, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(need)
    .bind(account)
    .bind(serde_json::to_string(snapshot)?)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How many earlier versions a need has.
pub async fn version_count(db: &Db, need: i64) -> Result<i64, DbError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM need_versions WHERE need_id = $1")
            .bind(need)
            .fetch_one(db.pool())
            .await?,
    )
}

/// The need with this id, whatever its status (callers decide who may see it).
pub async fn get(db: &Db, id: i64) -> Result<Option<Need>, DbError> {
    let sql = format!("SELECT {NEED_COLUMNS}{NEED_FROM} WHERE n.id = $1");
    Ok(sqlx::query_as::<_, Need>(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// The same, read inside a transaction (for a write that depends on it).
pub async fn get_in(conn: &mut Connection, id: i64) -> Result<Option<Need>, DbError> {
    let sql = format!("SELECT {NEED_COLUMNS}{NEED_FROM} WHERE n.id = $1");
    Ok(sqlx::query_as::<_, Need>(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Where a need stands after a step of its workflow.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    pub status: &'a str,
    pub adopted_lab_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub merged_into: Option<i64>,
}

/// Moves a need from status `from` to a status; the first submission dates it.
/// Whether it still stood at `from` (a step taken meanwhile by someone else wins).
pub async fn set_status(
    conn: &mut Connection,
    id: i64,
    s: &Step<'_>,
    from: &str,
) -> Result<bool, DbError> {
    let now = now();
    let done = sqlx::query(
        "UPDATE needs SET status = $1, adopted_lab_id = $2, contact_id = $3, merged_into = $4, \
         submitted_at = COALESCE(submitted_at, CASE WHEN $1 <> 'draft' THEN $5 END), \
         last_activity = $5, updated_at = $5 WHERE id = $6 AND status = $7",
    )
    .bind(s.status)
    .bind(s.adopted_lab_id)
    .bind(s.contact_id)
    .bind(s.merged_into)
    .bind(&now)
    .bind(id)
    .bind(from)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Something happened on the need (a comment, a support): it moves up in "recently
/// active".
pub async fn touch(conn: &mut Connection, id: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE needs SET last_activity = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// One step of the public status history.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub status: String,
    pub reason: String,
    pub lab_slug: Option<String>,
    pub lab_name: Option<String>,
    pub actor_name: String,
    pub created_at: String,
}

/// Records a step of the status history.
pub async fn add_event(
    conn: &mut Connection,
    need: i64,
    status: &str,
    reason: &str,
    lab: Option<i64>,
    actor: Option<i64>,
    actor_name: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO need_events (need_id, status, reason, lab_id, actor_id, actor_name, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(need)
    .bind(status)
    .bind(reason)
    .bind(lab)
    .bind(actor)
    .bind(actor_name)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The status history, oldest first.
pub async fn events(db: &Db, need: i64) -> Result<Vec<Event>, DbError> {
    Ok(sqlx::query_as::<_, Event>(
        "SELECT e.id, e.status, e.reason, l.slug AS lab_slug, l.name AS lab_name, e.actor_name, \
         e.created_at FROM need_events e LEFT JOIN labs l ON l.id = e.lab_id \
         WHERE e.need_id = $1 ORDER BY e.id",
    )
    .bind(need)
    .fetch_all(db.pool())
    .await?)
}

/// Supports a need once; whether this was new. The count on the need's row changes in
/// the same transaction, only when the row was inserted.
pub async fn support(conn: &mut Connection, need: i64, account: i64) -> Result<bool, DbError> {
    let now = now();
    let inserted = sqlx::query(
        "INSERT INTO need_supports (need_id, account_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(need)
    .bind(account)
    .bind(&now)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        // Supports count, but are no activity: a script toggling one must not keep a
        // need on top of "recently active".
        sqlx::query("UPDATE needs SET support_count = support_count + 1 WHERE id = $1")
            .bind(need)
            .execute(&mut *conn)
            .await?;
    }
    Ok(inserted)
}

/// Takes a support back; whether there was one.
pub async fn withdraw_support(
    conn: &mut Connection,
    need: i64,
    account: i64,
) -> Result<bool, DbError> {
    let deleted = sqlx::query("DELETE FROM need_supports WHERE need_id = $1 AND account_id = $2")
        .bind(need)
        .bind(account)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1;
    if deleted {
        sqlx::query("UPDATE needs SET support_count = support_count - 1 WHERE id = $1")
            .bind(need)
            .execute(&mut *conn)
            .await?;
    }
    Ok(deleted)
}

/// Whether this account supports the need.
pub async fn supports(db: &Db, need: i64, account: i64) -> Result<bool, DbError> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM need_supports WHERE need_id = $1 AND account_id = $2",
    )
    .bind(need)
    .bind(account)
    .fetch_one(db.pool())
    .await?
        > 0)
}

/// Counts the supports row by row (for checks; pages read `support_count`).
pub async fn count_supports(db: &Db, need: i64) -> Result<i64, DbError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM need_supports WHERE need_id = $1")
            .bind(need)
            .fetch_one(db.pool())
            .await?,
    )
}

/// Follows a need (again); whether this was new.
pub async fn follow(conn: &mut Connection, need: i64, account: i64) -> Result<bool, DbError> {
    Ok(sqlx::query(
        "INSERT INTO need_follows (need_id, account_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(need)
    .bind(account)
    .bind(now())
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}

/// Stops following; whether one did.
pub async fn unfollow(conn: &mut Connection, need: i64, account: i64) -> Result<bool, DbError> {
    Ok(
        sqlx::query("DELETE FROM need_follows WHERE need_id = $1 AND account_id = $2")
            .bind(need)
            .bind(account)
            .execute(&mut *conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Whether this account follows the need.
pub async fn follows(db: &Db, need: i64, account: i64) -> Result<bool, DbError> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM need_follows WHERE need_id = $1 AND account_id = $2",
    )
    .bind(need)
    .bind(account)
    .fetch_one(db.pool())
    .await?
        > 0)
}

/// A project answering a need, or a need a project answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Linked {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub status: String,
}

/// Links a project to a need; whether this was new.
pub async fn link_project(conn: &mut Connection, need: i64, project: i64) -> Result<bool, DbError> {
    Ok(sqlx::query(
        "INSERT INTO need_projects (need_id, project_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(need)
    .bind(project)
    .bind(now())
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}

/// Removes a project's link; whether there was one.
pub async fn unlink_project(
    conn: &mut Connection,
    need: i64,
    project: i64,
) -> Result<bool, DbError> {
    Ok(
        sqlx::query("DELETE FROM need_projects WHERE need_id = $1 AND project_id = $2")
            .bind(need)
            .bind(project)
            .execute(&mut *conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// The published projects answering a need (`status`: development status or empty).
pub async fn projects_of(db: &Db, need: i64) -> Result<Vec<Linked>, DbError> {
    Ok(sqlx::query_as::<_, Linked>(
        "SELECT p.id, p.slug, p.title, COALESCE(p.development_status, '') AS status \
         FROM need_projects np JOIN projects p ON p.id = np.project_id \
         WHERE np.need_id = $1 AND p.deleted_at IS NULL AND p.draft = 0 ORDER BY p.title",
    )
    .bind(need)
    .fetch_all(db.pool())
    .await?)
}

/// The public needs a project answers (`slug` is the need's id as text).
pub async fn needs_of_project(db: &Db, project: i64) -> Result<Vec<Linked>, DbError> {
    let sql = format!(
        "SELECT n.id, CAST(n.id AS TEXT) AS slug, n.title, n.status FROM need_projects np \
         JOIN needs n ON n.id = np.need_id WHERE np.project_id = $1 AND {LISTED} ORDER BY n.id"
    );
    Ok(sqlx::query_as::<_, Linked>(AssertSqlSafe(sql))
        .bind(project)
        .fetch_all(db.pool())
        .await?)
}

/// Moderation: hides a need with a public reason, or shows it again (`None`).
pub async fn set_hidden(
    conn: &mut Connection,
    id: i64,
    reason: Option<&str>,
) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE needs SET hidden_reason = $1, updated_at = $2 WHERE id = $3")
        .bind(reason)
        .bind(now())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Moderation: locks a need's thread (no new comments) or opens it again.
pub async fn set_locked(conn: &mut Connection, id: i64, locked: bool) -> Result<bool, DbError> {
    set_flag(conn, id, "locked", locked).await
}

/// Moderation: releases a need held for review (or holds it).
pub async fn set_held(conn: &mut Connection, id: i64, held: bool) -> Result<bool, DbError> {
    set_flag(conn, id, "held", held).await
}

/// Sets one of the need's 0/1 columns; whether there was one.
async fn set_flag(
    conn: &mut Connection,
    id: i64,
    column: &'static str,
    on: bool,
) -> Result<bool, DbError> {
    // `column` is one of the constants above.
    let sql = format!("UPDATE needs SET {column} = $1, updated_at = $2 WHERE id = $3");
    let done = sqlx::query(AssertSqlSafe(sql))
        .bind(flag(on))
        .bind(now())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Needs held for review, oldest first (the moderation queue).
pub async fn held(db: &Db) -> Result<Vec<NeedCard>, DbError> {
    let sql = format!(
        "SELECT {CARD_COLUMNS}{CARD_FROM} WHERE n.held = 1 AND n.status <> 'draft' \
         AND n.hidden_reason IS NULL ORDER BY n.id"
    );
    Ok(sqlx::query_as::<_, NeedCard>(AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?)
}

/// How a list of needs is narrowed; every field maps to a key of the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// A status key.
    pub status: Option<String>,
    /// A theme key.
    pub topic: Option<String>,
    /// A federal state key.
    pub state: Option<String>,
    /// A lab id: needs in its area (named lab) or adopted by it.
    pub lab: Option<i64>,
    /// Only open needs no lab has adopted yet (submitted or in discussion).
    pub without_lab: bool,
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    Newest,
    Support,
    Activity,
}

impl Order {
    fn sql(self) -> &'static str {
        match self {
            Order::Newest => " ORDER BY n.submitted_at DESC, n.id DESC",
            Order::Support => " ORDER BY n.support_count DESC, n.id DESC",
            Order::Activity => " ORDER BY n.last_activity DESC, n.id DESC",
        }
    }
}

/// Open needs no lab adopted yet.
const WITHOUT_LAB: &str =
    " AND n.adopted_lab_id IS NULL AND n.status IN ('submitted', 'discussion')";

impl Filters {
    /// The `WHERE` clause over listed needs (alias `n`), its text values (`$1`, …) and
    /// the lab id bound after them (also for the open-data API).
    pub fn clause(&self) -> (String, Vec<String>, Option<i64>) {
        let mut sql = format!(" WHERE {LISTED}");
        let mut binds: Vec<String> = Vec::new();
        let mut bind = |v: &str, sql: &mut String, col: &str| {
            binds.push(v.to_owned());
            sql.push_str(&format!(" AND {col} = ${}", binds.len()));
        };
        if let Some(s) = &self.status {
            bind(s, &mut sql, "n.status");
        }
        if let Some(t) = &self.topic {
            bind(t, &mut sql, "n.topic");
        }
        if let Some(s) = &self.state {
            bind(s, &mut sql, "n.state_key");
        }
        if self.without_lab {
            sql.push_str(WITHOUT_LAB);
        }
        // The lab id is an integer: bound after the texts.
        if self.lab.is_some() {
            let n = binds.len() + 1;
            sql.push_str(&format!(
                " AND (n.lab_id = ${n} OR n.adopted_lab_id = ${n})"
            ));
        }
        (sql, binds, self.lab)
    }
}

/// One page of public needs and how many there are in all.
pub async fn list(
    db: &Db,
    filters: &Filters,
    order: Order,
    limit: i64,
    offset: i64,
) -> Result<(Vec<NeedCard>, i64), DbError> {
    let (clause, binds, lab) = filters.clause();
    let sql = format!(
        "SELECT {CARD_COLUMNS}{CARD_FROM}{clause}{} LIMIT {} OFFSET {}",
        order.sql(),
        limit.max(0),
        offset.max(0)
    );
    // Only constant fragments, integers and numbered placeholders make up `sql`.
    let mut q = sqlx::query_as::<_, NeedCard>(AssertSqlSafe(sql));
    for b in &binds {
        q = q.bind(b);
    }
    if let Some(lab) = lab {
        q = q.bind(lab);
    }
    let cards = q.fetch_all(db.pool()).await?;
    let count_sql = format!("SELECT COUNT(*) FROM needs n{clause}");
    let mut c = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql));
    for b in &binds {
        c = c.bind(b);
    }
    if let Some(lab) = lab {
        c = c.bind(lab);
    }
    let total = c.fetch_one(db.pool()).await?;
    Ok((cards, total))
}

/// Open needs in a lab's area that no lab adopted yet: those naming the lab, or in its
/// federal state; the newest `limit` and how many there are.
pub async fn open_near(
    db: &Db,
    lab: i64,
    state_key: Option<&str>,
    limit: i64,
) -> Result<(Vec<NeedCard>, i64), DbError> {
    let area = " AND (n.lab_id = $1 OR n.state_key = $2)";
    let sql = format!(
        "SELECT {CARD_COLUMNS}{CARD_FROM} WHERE {LISTED}{WITHOUT_LAB}{area} \
         ORDER BY n.submitted_at DESC, n.id DESC LIMIT {}",
        limit.max(0)
    );
    let cards = sqlx::query_as::<_, NeedCard>(AssertSqlSafe(sql))
        .bind(lab)
        .bind(state_key)
        .fetch_all(db.pool())
        .await?;
    let count_sql = format!("SELECT COUNT(*) FROM needs n WHERE {LISTED}{WITHOUT_LAB}{area}");
    let total = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql))
        .bind(lab)
        .bind(state_key)
        .fetch_one(db.pool())
        .await?;
    Ok((cards, total))
}

/// The newest public needs, for feeds: all, or those of a lab's area (naming it, in
/// its federal state) and those it adopted.
pub async fn newest(
    db: &Db,
    lab: Option<(i64, Option<&str>)>,
    limit: i64,
) -> Result<Vec<NeedCard>, DbError> {
    let area = if lab.is_some() {
        " AND (n.lab_id = $1 OR n.adopted_lab_id = $1 OR n.state_key = $2)"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {CARD_COLUMNS}{CARD_FROM} WHERE {LISTED}{area} \
         ORDER BY n.submitted_at DESC, n.id DESC LIMIT {}",
        limit.max(0)
    );
    let mut q = sqlx::query_as::<_, NeedCard>(AssertSqlSafe(sql));
    if let Some((id, state)) = lab {
        q = q.bind(id).bind(state);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

/// A person's own needs, drafts and held ones included, newest first.
pub async fn by_author(db: &Db, account: i64) -> Result<Vec<NeedCard>, DbError> {
    let sql = format!("SELECT {CARD_COLUMNS}{CARD_FROM} WHERE n.author_id = $1 ORDER BY n.id DESC");
    Ok(sqlx::query_as::<_, NeedCard>(AssertSqlSafe(sql))
        .bind(account)
        .fetch_all(db.pool())
        .await?)
}

/// How many needs (of any status) this account brought in: a first post is held for
/// review when the platform is configured so.
pub async fn count_by_author(db: &Db, account: i64) -> Result<i64, DbError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM needs WHERE author_id = $1 AND status <> 'draft'")
            .bind(account)
            .fetch_one(db.pool())
            .await?,
    )
}

/// The ids of needs an account supports, for its data export.
pub async fn supported_by(db: &Db, account: i64) -> Result<Vec<(i64, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT need_id, created_at FROM need_supports WHERE account_id = $1 ORDER BY need_id",
    )
    .bind(account)
    .fetch_all(db.pool())
    .await?)
}

/// The ids of needs an account follows, for its data export and notifications page.
pub async fn followed_by(db: &Db, account: i64) -> Result<Vec<(i64, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT need_id, created_at FROM need_follows WHERE account_id = $1 ORDER BY need_id",
    )
    .bind(account)
    .fetch_all(db.pool())
    .await?)
}

/// How many needs and comments of this account are public (submitted, released by
/// moderators, not hidden).
pub async fn released_posts(db: &Db, account: i64) -> Result<i64, DbError> {
    let needs: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM needs WHERE author_id = $1 AND status <> 'draft' AND held = 0 \
         AND hidden_reason IS NULL",
    )
    .bind(account)
    .fetch_one(db.pool())
    .await?;
    let comments: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM need_comments WHERE author_id = $1 AND held = 0 \
         AND hidden_reason IS NULL",
    )
    .bind(account)
    .fetch_one(db.pool())
    .await?;
    Ok(needs + comments)
}

/// The accounts leading a lab (through the person they are linked to): id and name.
pub async fn lead_accounts(db: &Db, lab: i64) -> Result<Vec<(i64, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.display_name FROM lab_memberships m JOIN accounts a \
         ON a.person_id = m.person_id WHERE m.lab_id = $1 AND m.role = 'lead' \
         ORDER BY m.position",
    )
    .bind(lab)
    .fetch_all(db.pool())
    .await?)
}

/// The ids of public needs, newest first (for the sitemap).
pub async fn listed_ids(db: &Db, limit: i64) -> Result<Vec<i64>, DbError> {
    let sql = format!(
        "SELECT n.id FROM needs n WHERE {LISTED} ORDER BY n.submitted_at DESC, n.id DESC \
         LIMIT {}",
        limit.max(0)
    );
    Ok(sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?)
}

/// When the need's text was last edited (after it was first written), if ever.
pub async fn last_edited(db: &Db, need: i64) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT MAX(created_at) FROM need_versions WHERE need_id = $1")
            .bind(need)
            .fetch_one(db.pool())
            .await?,
    )
}

/// Deletes a draft of this author (nothing public is ever deleted); whether there was one.
pub async fn delete_draft(conn: &mut Connection, id: i64, author: i64) -> Result<bool, DbError> {
    Ok(
        sqlx::query("DELETE FROM needs WHERE id = $1 AND author_id = $2 AND status = 'draft'")
            .bind(id)
            .bind(author)
            .execute(&mut *conn)
            .await?
            .rows_affected()
            == 1,
    )
}
