//! Queries of the open-data API (`/api/v1/`): public records only, in keyset pages.
//!
//! Every list reads `WHERE key > $after ORDER BY key LIMIT $n` on an indexed key (a
//! unique slug or the primary key), so a deep page costs what the first one does. What
//! is public is decided here, the same way the HTML pages decide it: no drafts, nothing
//! soft-deleted, needs only when listed (`needs::LISTED`), organizations
//! only named on a need once confirmed, profiles only by their visibility (in `core`).

use std::collections::HashMap;

use sqlx::AssertSqlSafe;

use crate::{Db, DbError};

/// Where a page starts and how long it is.
#[derive(Debug, Clone, Default)]
pub struct Page<K> {
    /// The key of the last record of the previous page.
    pub after: Option<K>,
    /// At most this many records.
    pub limit: i64,
}

/// `1,2,3` for an `IN (…)` list of integers.
fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

// ---------------------------------------------------------------------------------
// Labs

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LabRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub city: String,
    pub state_key: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub active: i64,
    pub hidden: i64,
    pub meeting: Option<String>,
    pub body_html: String,
    pub project_count: i64,
}

const LAB_COLUMNS: &str = "l.id, l.slug, l.name, l.city, l.state_key, l.latitude, l.longitude, \
     l.active, l.hidden, l.meeting, l.body_html, \
     (SELECT COUNT(*) FROM project_labs pl JOIN projects p ON p.id = pl.project_id \
      WHERE pl.lab_id = l.id AND p.draft = 0 AND p.deleted_at IS NULL) AS project_count";

/// Labs that are public records: not deleted. A hidden lab (Hugo's `hide`) is left out of
/// the lab list and the map but keeps its page, so open data serves it too (`hidden`).
const LAB_PUBLIC: &str = "l.deleted_at IS NULL";

/// Public labs by slug, optionally of one federal state (its key).
pub async fn labs(
    db: &Db,
    state_key: Option<&str>,
    page: &Page<String>,
) -> Result<Vec<LabRow>, DbError> {
    let mut sql = format!("SELECT {LAB_COLUMNS} FROM labs l WHERE {LAB_PUBLIC}");
    let mut binds: Vec<&str> = Vec::new();
    if let Some(key) = state_key {
        binds.push(key);
        sql.push_str(&format!(" AND l.state_key = ${}", binds.len()));
    }
    if let Some(after) = &page.after {
        binds.push(after);
        sql.push_str(&format!(" AND l.slug > ${}", binds.len()));
    }
    sql.push_str(&format!(" ORDER BY l.slug LIMIT {}", page.limit.max(0)));
    // Only constant fragments, an integer and numbered placeholders make up `sql`.
    let mut q = sqlx::query_as::<_, LabRow>(AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

pub async fn lab(db: &Db, slug: &str) -> Result<Option<LabRow>, DbError> {
    let sql = format!("SELECT {LAB_COLUMNS} FROM labs l WHERE {LAB_PUBLIC} AND l.slug = $1");
    Ok(sqlx::query_as::<_, LabRow>(AssertSqlSafe(sql))
        .bind(slug)
        .fetch_optional(db.pool())
        .await?)
}

/// A lab's link: `kind` is `link`, `contact` or `feed`.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LabLink {
    pub lab_id: i64,
    pub kind: String,
    pub name: String,
    pub url: String,
}

/// The links of these labs, in the order the lab page shows them.
pub async fn lab_links(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<LabLink>>, DbError> {
    let mut map: HashMap<i64, Vec<LabLink>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let sql = format!(
        "SELECT lab_id, kind, name, url FROM lab_links WHERE lab_id IN ({}) \
         ORDER BY lab_id, kind, position",
        id_list(ids)
    );
    // Only integers were formatted into `sql`.
    let rows: Vec<LabLink> = sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?;
    for row in rows {
        map.entry(row.lab_id).or_default().push(row);
    }
    Ok(map)
}

/// The names of these labs' leads, in the order the lab page lists them.
pub async fn lab_leads(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    grouped(
        db,
        format!(
            "SELECT m.lab_id, p.name FROM lab_memberships m JOIN people p ON p.id = m.person_id \
             WHERE m.lab_id IN ({}) AND m.role = 'lead' AND m.state = 'active' \
             ORDER BY m.lab_id, m.position, p.name",
            id_list(ids)
        ),
    )
    .await
}

/// Number of listed labs per federal state key (as the map counts them): (all, active).
pub async fn lab_counts_by_state(db: &Db) -> Result<HashMap<String, (i64, i64)>, DbError> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT l.state_key, COUNT(*), COUNT(CASE WHEN l.active = 1 THEN 1 END) FROM labs l \
         WHERE {LAB_PUBLIC} AND l.hidden = 0 \
         AND l.state_key IS NOT NULL GROUP BY l.state_key"
    )))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(k, n, a)| (k, (n, a))).collect())
}

// ---------------------------------------------------------------------------------
// Projects

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: Option<String>,
    pub development_status: Option<String>,
    pub maintenance: Option<String>,
    pub looking_for_people: i64,
    pub status_text: Option<String>,
    pub date: Option<String>,
    pub license: Option<String>,
    pub last_activity: Option<String>,
    pub repository_url: Option<String>,
    pub website_url: Option<String>,
    pub documentation_url: Option<String>,
    pub software_type: Option<String>,
    pub platforms_json: String,
}

const PROJECT_COLUMNS: &str = "p.id, p.slug, p.title, p.summary, p.development_status, \
     p.maintenance, p.looking_for_people, p.status_text, p.date, p.license, p.last_activity, \
     p.repository_url, p.website_url, p.documentation_url, p.software_type, p.platforms_json";

/// Published projects by slug, narrowed like the catalog `/projekte/`.
pub async fn projects(
    db: &Db,
    filters: &crate::catalog::Filters,
    page: &Page<String>,
) -> Result<Vec<ProjectRow>, DbError> {
    let (clause, mut binds) = filters.where_clause(db.backend());
    let mut sql = format!("SELECT {PROJECT_COLUMNS} FROM projects p{clause}");
    if let Some(after) = &page.after {
        binds.push(after.clone());
        sql.push_str(&format!(" AND p.slug > ${}", binds.len()));
    }
    sql.push_str(&format!(" ORDER BY p.slug LIMIT {}", page.limit.max(0)));
    // The catalog's clause is built from constant fragments and numbered placeholders.
    let mut q = sqlx::query_as::<_, ProjectRow>(AssertSqlSafe(sql));
    for b in &binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

pub async fn project(db: &Db, slug: &str) -> Result<Option<ProjectRow>, DbError> {
    let sql = format!(
        "SELECT {PROJECT_COLUMNS} FROM projects p WHERE p.deleted_at IS NULL AND p.draft = 0 \
         AND p.slug = $1"
    );
    Ok(sqlx::query_as::<_, ProjectRow>(AssertSqlSafe(sql))
        .bind(slug)
        .fetch_optional(db.pool())
        .await?)
}

/// Pairs `(record id, text)` of a one-to-many table, grouped by record.
async fn grouped(db: &Db, sql: String) -> Result<HashMap<i64, Vec<String>>, DbError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?;
    let mut map: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, v) in rows {
        map.entry(id).or_default().push(v);
    }
    Ok(map)
}

/// The controlled themes of these projects.
pub async fn project_themes(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    grouped(
        db,
        format!(
            "SELECT project_id, theme FROM project_themes WHERE project_id IN ({}) \
             ORDER BY project_id, theme",
            id_list(ids)
        ),
    )
    .await
}

/// The slugs of the public labs of these projects.
pub async fn project_labs(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    grouped(
        db,
        format!(
            "SELECT pl.project_id, l.slug FROM project_labs pl JOIN labs l ON l.id = pl.lab_id \
             WHERE pl.project_id IN ({}) AND {LAB_PUBLIC} ORDER BY pl.project_id, l.slug",
            id_list(ids)
        ),
    )
    .await
}

/// The slugs of the organizations that use these projects.
pub async fn project_users(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    grouped(
        db,
        format!(
            "SELECT u.project_id, o.slug FROM project_users u \
             JOIN organizations o ON o.id = u.organization_id \
             WHERE u.project_id IN ({}) ORDER BY u.project_id, o.slug",
            id_list(ids)
        ),
    )
    .await
}

// ---------------------------------------------------------------------------------
// Organizations

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OrganizationRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub state_key: Option<String>,
    pub ags: Option<String>,
    pub website_url: Option<String>,
    pub verified: i64,
}

const ORG_COLUMNS: &str =
    "o.id, o.slug, o.name, o.kind, o.state_key, o.ags, o.website_url, o.verified";

/// Organizations by slug (all of them, as `/organisationen/` lists them).
pub async fn organizations(db: &Db, page: &Page<String>) -> Result<Vec<OrganizationRow>, DbError> {
    let mut sql = format!("SELECT {ORG_COLUMNS} FROM organizations o");
    if page.after.is_some() {
        sql.push_str(" WHERE o.slug > $1");
    }
    sql.push_str(&format!(" ORDER BY o.slug LIMIT {}", page.limit.max(0)));
    let mut q = sqlx::query_as::<_, OrganizationRow>(AssertSqlSafe(sql));
    if let Some(after) = &page.after {
        q = q.bind(after);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

pub async fn organization(db: &Db, slug: &str) -> Result<Option<OrganizationRow>, DbError> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM organizations o WHERE o.slug = $1");
    Ok(sqlx::query_as::<_, OrganizationRow>(AssertSqlSafe(sql))
        .bind(slug)
        .fetch_optional(db.pool())
        .await?)
}

/// The slugs of the published projects these organizations use.
pub async fn organization_uses(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    grouped(
        db,
        format!(
            "SELECT u.organization_id, p.slug FROM project_users u \
             JOIN projects p ON p.id = u.project_id \
             WHERE u.organization_id IN ({}) AND p.deleted_at IS NULL AND p.draft = 0 \
             ORDER BY u.organization_id, p.slug",
            id_list(ids)
        ),
    )
    .await
}

// ---------------------------------------------------------------------------------
// Meetups

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MeetupRow {
    pub id: i64,
    pub title: String,
    pub description_html: String,
    pub starts_at: String,
    pub ends_at: String,
    pub time_zone: String,
    pub all_day: i64,
    pub rrule: Option<String>,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub online_url: Option<String>,
    pub capacity: Option<i64>,
    pub status: String,
}

const MEETUP_COLUMNS: &str = "m.id, m.title, m.description_html, m.starts_at, m.ends_at, \
     m.time_zone, m.all_day, m.rrule, m.venue, m.address, m.online_url, m.capacity, m.status";

/// Meetups of the network or of at least one listed lab (as `/termine/` shows them).
const MEETUP_PUBLIC: &str = "(NOT EXISTS (SELECT 1 FROM meetup_labs x WHERE x.meetup_id = m.id) \
     OR EXISTS (SELECT 1 FROM meetup_labs x JOIN labs l ON l.id = x.lab_id \
     WHERE x.meetup_id = m.id AND l.hidden = 0 AND l.deleted_at IS NULL))";

/// Which meetups a list shows.
#[derive(Debug, Clone, Default)]
pub struct MeetupFilter {
    /// A lab's slug.
    pub lab: Option<String>,
    /// Only meetups with a date at or after this (Unix seconds) …
    pub from: Option<i64>,
    /// … and before this.
    pub to: Option<i64>,
}

/// Public meetups by id.
pub async fn meetups(
    db: &Db,
    filter: &MeetupFilter,
    page: &Page<i64>,
) -> Result<Vec<MeetupRow>, DbError> {
    let mut sql = format!("SELECT {MEETUP_COLUMNS} FROM meetups m WHERE {MEETUP_PUBLIC}");
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if filter.lab.is_some() {
        sql.push_str(&format!(
            " AND m.id IN (SELECT f.meetup_id FROM meetup_labs f JOIN labs k ON k.id = f.lab_id \
             WHERE k.slug = {})",
            next()
        ));
    }
    if filter.from.is_some() {
        sql.push_str(&format!(
            " AND (m.last_end IS NULL OR m.last_end > {})",
            next()
        ));
    }
    if filter.to.is_some() {
        sql.push_str(&format!(" AND m.first_start < {}", next()));
    }
    if page.after.is_some() {
        sql.push_str(&format!(" AND m.id > {}", next()));
    }
    sql.push_str(&format!(" ORDER BY m.id LIMIT {}", page.limit.max(0)));
    // Only constant fragments, an integer and numbered placeholders make up `sql`.
    let mut q = sqlx::query_as::<_, MeetupRow>(AssertSqlSafe(sql));
    if let Some(lab) = &filter.lab {
        q = q.bind(lab);
    }
    for v in [filter.from, filter.to, page.after].into_iter().flatten() {
        q = q.bind(v);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

pub async fn meetup(db: &Db, id: i64) -> Result<Option<MeetupRow>, DbError> {
    let sql = format!("SELECT {MEETUP_COLUMNS} FROM meetups m WHERE {MEETUP_PUBLIC} AND m.id = $1");
    Ok(sqlx::query_as::<_, MeetupRow>(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// The slugs of the public labs of these meetups.
pub async fn meetup_labs(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    grouped(
        db,
        format!(
            "SELECT x.meetup_id, l.slug FROM meetup_labs x JOIN labs l ON l.id = x.lab_id \
             WHERE x.meetup_id IN ({}) AND {LAB_PUBLIC} ORDER BY x.meetup_id, l.slug",
            id_list(ids)
        ),
    )
    .await
}

// ---------------------------------------------------------------------------------
// Needs

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct NeedRow {
    pub id: i64,
    pub title: String,
    pub body_html: String,
    pub affected: String,
    pub state_key: Option<String>,
    pub municipality: String,
    pub lab_slug: Option<String>,
    pub topic: String,
    pub missing: String,
    pub author_name: Option<String>,
    /// Only when the organization is confirmed (the page names it only then).
    pub organization_slug: Option<String>,
    pub status: String,
    pub adopted_lab_slug: Option<String>,
    pub contact_name: Option<String>,
    pub merged_into: Option<i64>,
    pub support_count: i64,
    pub comment_count: i64,
    pub submitted_at: Option<String>,
    pub last_activity: String,
}

const NEED_COLUMNS: &str = "n.id, n.title, n.body_html, n.affected, n.state_key, n.municipality, \
     l.slug AS lab_slug, n.topic, n.missing, a.display_name AS author_name, \
     CASE WHEN o.verified = 1 THEN o.slug END AS organization_slug, n.status, \
     al.slug AS adopted_lab_slug, c.display_name AS contact_name, n.merged_into, \
     n.support_count, n.comment_count, n.submitted_at, n.last_activity";

const NEED_FROM: &str = " FROM needs n \
     LEFT JOIN labs l ON l.id = n.lab_id AND l.deleted_at IS NULL \
     LEFT JOIN accounts a ON a.id = n.author_id \
     LEFT JOIN organizations o ON o.id = n.organization_id \
     LEFT JOIN labs al ON al.id = n.adopted_lab_id AND al.deleted_at IS NULL \
     LEFT JOIN accounts c ON c.id = n.contact_id";

/// Listed needs (never drafts, hidden or held ones) by id, narrowed like `/beduerfnisse/`.
pub async fn needs(
    db: &Db,
    filters: &crate::needs::Filters,
    page: &Page<i64>,
) -> Result<Vec<NeedRow>, DbError> {
    let (clause, binds, lab) = filters.clause();
    let mut sql = format!("SELECT {NEED_COLUMNS}{NEED_FROM}{clause}");
    let mut n = binds.len() + usize::from(lab.is_some());
    if page.after.is_some() {
        n += 1;
        sql.push_str(&format!(" AND n.id > ${n}"));
    }
    sql.push_str(&format!(" ORDER BY n.id LIMIT {}", page.limit.max(0)));
    // The needs' clause is built from constant fragments and numbered placeholders.
    let mut q = sqlx::query_as::<_, NeedRow>(AssertSqlSafe(sql));
    for b in &binds {
        q = q.bind(b);
    }
    for v in [lab, page.after].into_iter().flatten() {
        q = q.bind(v);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

pub async fn need(db: &Db, id: i64) -> Result<Option<NeedRow>, DbError> {
    let sql = format!(
        "SELECT {NEED_COLUMNS}{NEED_FROM} WHERE {} AND n.id = $1",
        crate::needs::LISTED
    );
    Ok(sqlx::query_as::<_, NeedRow>(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// A step of a need's public history.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct NeedEventRow {
    pub need_id: i64,
    pub status: String,
    pub reason: String,
    pub lab_slug: Option<String>,
    pub actor_name: String,
    pub created_at: String,
}

/// The status history of these needs, oldest first.
pub async fn need_events(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<NeedEventRow>>, DbError> {
    let mut map: HashMap<i64, Vec<NeedEventRow>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let sql = format!(
        "SELECT e.need_id, e.status, e.reason, l.slug AS lab_slug, e.actor_name, e.created_at \
         FROM need_events e LEFT JOIN labs l ON l.id = e.lab_id AND l.deleted_at IS NULL \
         WHERE e.need_id IN ({}) ORDER BY e.need_id, e.id",
        id_list(ids)
    );
    // Only integers were formatted into `sql`.
    let rows: Vec<NeedEventRow> = sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?;
    for row in rows {
        map.entry(row.need_id).or_default().push(row);
    }
    Ok(map)
}

/// The slugs of the published projects answering these needs.
pub async fn need_projects(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    grouped(
        db,
        format!(
            "SELECT np.need_id, p.slug FROM need_projects np JOIN projects p \
             ON p.id = np.project_id WHERE np.need_id IN ({}) AND p.deleted_at IS NULL \
             AND p.draft = 0 ORDER BY np.need_id, p.slug",
            id_list(ids)
        ),
    )
    .await
}

/// A lab's id by slug (public labs only), for the needs' lab filter.
pub async fn lab_id(db: &Db, slug: &str) -> Result<Option<i64>, DbError> {
    Ok(sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT l.id FROM labs l WHERE {LAB_PUBLIC} AND l.slug = $1"
    )))
    .bind(slug)
    .fetch_optional(db.pool())
    .await?)
}

// ---------------------------------------------------------------------------------
// Posts and pages

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PostRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub date: String,
    pub author: Option<String>,
    pub summary: Option<String>,
    pub image: Option<String>,
    pub lang: String,
    pub body_html: String,
}

const POST_COLUMNS: &str =
    "p.id, p.slug, p.title, p.date, p.author, p.summary, p.image, p.lang, p.body_html";

/// Published posts by slug, optionally those about one lab (its slug).
pub async fn posts(
    db: &Db,
    lab: Option<&str>,
    page: &Page<String>,
) -> Result<Vec<PostRow>, DbError> {
    let mut sql =
        format!("SELECT {POST_COLUMNS} FROM posts p WHERE p.draft = 0 AND p.deleted_at IS NULL");
    let mut binds: Vec<&str> = Vec::new();
    if let Some(lab) = lab {
        binds.push(lab);
        sql.push_str(&format!(
            " AND p.id IN (SELECT pl.post_id FROM post_labs pl JOIN labs l ON l.id = pl.lab_id \
             WHERE l.slug = ${})",
            binds.len()
        ));
    }
    if let Some(after) = &page.after {
        binds.push(after);
        sql.push_str(&format!(" AND p.slug > ${}", binds.len()));
    }
    sql.push_str(&format!(" ORDER BY p.slug LIMIT {}", page.limit.max(0)));
    // Only constant fragments, an integer and numbered placeholders make up `sql`.
    let mut q = sqlx::query_as::<_, PostRow>(AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

pub async fn post(db: &Db, slug: &str) -> Result<Option<PostRow>, DbError> {
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p WHERE p.draft = 0 AND p.deleted_at IS NULL \
         AND p.slug = $1"
    );
    Ok(sqlx::query_as::<_, PostRow>(AssertSqlSafe(sql))
        .bind(slug)
        .fetch_optional(db.pool())
        .await?)
}

/// The slugs of the public labs of these posts.
pub async fn post_labs(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    grouped(
        db,
        format!(
            "SELECT pl.post_id, l.slug FROM post_labs pl JOIN labs l ON l.id = pl.lab_id \
             WHERE pl.post_id IN ({}) AND {LAB_PUBLIC} ORDER BY pl.post_id, l.slug",
            id_list(ids)
        ),
    )
    .await
}

/// The topics (free tags) of these posts.
pub async fn post_topics(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    grouped(
        db,
        format!(
            "SELECT post_id, topic FROM post_topics WHERE post_id IN ({}) \
             ORDER BY post_id, topic",
            id_list(ids)
        ),
    )
    .await
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PageRow {
    pub id: i64,
    pub path: String,
    pub title: String,
    pub description: Option<String>,
    pub body_html: String,
}

const PAGE_COLUMNS: &str = "p.id, p.path, p.title, p.description, p.body_html";

/// Published pages by id.
pub async fn pages(db: &Db, page: &Page<i64>) -> Result<Vec<PageRow>, DbError> {
    let mut sql =
        format!("SELECT {PAGE_COLUMNS} FROM pages p WHERE p.draft = 0 AND p.deleted_at IS NULL");
    if page.after.is_some() {
        sql.push_str(" AND p.id > $1");
    }
    sql.push_str(&format!(" ORDER BY p.id LIMIT {}", page.limit.max(0)));
    let mut q = sqlx::query_as::<_, PageRow>(AssertSqlSafe(sql));
    if let Some(after) = page.after {
        q = q.bind(after);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

pub async fn page(db: &Db, id: i64) -> Result<Option<PageRow>, DbError> {
    let sql = format!(
        "SELECT {PAGE_COLUMNS} FROM pages p WHERE p.draft = 0 AND p.deleted_at IS NULL \
         AND p.id = $1"
    );
    Ok(sqlx::query_as::<_, PageRow>(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

// ---------------------------------------------------------------------------------
// People: profiles of accounts. Which parts are public is decided in `core` by each
// field's visibility; only accounts with at least one public part are read.

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ProfileRow {
    pub id: i64,
    pub display_name: String,
    pub bio: String,
    pub sector: Option<String>,
    pub skills_json: String,
    pub interests_json: String,
    pub visibility_json: String,
}

const PROFILE_COLUMNS: &str = "a.id, a.display_name, a.bio, a.sector, a.skills_json, \
     a.interests_json, a.visibility_json";

/// Accounts by id whose profile makes at least one part public (a cheap pre-selection:
/// `core` decides what is shown).
pub async fn profiles(db: &Db, page: &Page<i64>) -> Result<Vec<ProfileRow>, DbError> {
    let mut sql = format!(
        "SELECT {PROFILE_COLUMNS} FROM accounts a WHERE a.visibility_json LIKE '%\"public\"%'"
    );
    if page.after.is_some() {
        sql.push_str(" AND a.id > $1");
    }
    sql.push_str(&format!(" ORDER BY a.id LIMIT {}", page.limit.max(0)));
    let mut q = sqlx::query_as::<_, ProfileRow>(AssertSqlSafe(sql));
    if let Some(after) = page.after {
        q = q.bind(after);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

pub async fn profile(db: &Db, id: i64) -> Result<Option<ProfileRow>, DbError> {
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM accounts a WHERE a.id = $1");
    Ok(sqlx::query_as::<_, ProfileRow>(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// The slugs of the public labs these accounts lead or belong to (through their person).
pub async fn profile_labs(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    grouped(
        db,
        format!(
            "SELECT DISTINCT a.id, l.slug FROM accounts a \
             JOIN lab_memberships m ON m.person_id = a.person_id \
             JOIN labs l ON l.id = m.lab_id \
             WHERE a.id IN ({}) AND m.state = 'active' AND {LAB_PUBLIC} \
             ORDER BY a.id, l.slug",
            id_list(ids)
        ),
    )
    .await
}
