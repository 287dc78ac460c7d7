//! Link health: the external URLs public records use, one row per URL in `link_checks`
//! (migration 0016), with the result of the last check.
//!
//! Which records use a URL is not stored: [`sources`] reads the fields that carry links
//! from the records as they are now, and the caller extracts the URLs, so a link that was
//! fixed leaves every list with the record's next change.
//!
//! Checks are claimed before they are made ([`claim`]): `next_check` is moved ahead
//! where it is still due, and only the instance whose update changed the row checks the
//! URL (as `notifications::claim_digest` does with a digest).
//!
//! Times are RFC 3339 in UTC with whole seconds ([`timestamp`]), so they compare as
//! text in both dialects.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sqlx::AssertSqlSafe;

use crate::{Connection, Db, DbError};

/// Bound parameters per statement when many URLs are written or read at once (well
/// below SQLite's and PostgreSQL's limits).
const CHUNK: usize = 200;

/// The stored result for one URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LinkCheck {
    pub url: String,
    pub first_seen: String,
    /// `None` until the first check.
    pub last_checked: Option<String>,
    pub next_check: String,
    /// `ok`, `redirected`, `broken`, `unreachable`, `refused` or `timeout`; `None` until
    /// the first check.
    pub status: Option<String>,
    /// The HTTP status of the last answer, when there was one.
    pub http_status: Option<i64>,
    /// Where the redirects ended.
    pub final_url: Option<String>,
    /// What went wrong, in short (German, for the people who own the link).
    pub error: Option<String>,
    /// Failed checks in a row; 0 after a success.
    pub failures: i64,
    /// When the current run of failures began.
    pub failing_since: Option<String>,
}

const COLUMNS: &str = "url, first_seen, last_checked, next_check, status, http_status, \
                       final_url, error, failures, failing_since";

/// One field of one public record that may carry external links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LinkSource {
    /// `lab`, `project`, `organization`, `meetup`, `post`, `page`, `dataset` or
    /// `distribution`.
    pub kind: String,
    /// The record's id (for a distribution: its dataset's id).
    pub id: String,
    /// Its slug or path (for meetups the id; for a distribution its dataset's slug).
    pub key: String,
    /// What the record is called.
    pub title: String,
    /// Which field: `body` is rendered HTML whose links count, any other field holds one
    /// URL (`website`, `repository`, `documentation`, `link`, `online`, `landing`,
    /// `access`, `download`).
    pub field: String,
    pub value: String,
}

/// One `SELECT` of [`sources`]: the query over all records, and the condition that
/// keeps those of one lab (`$1`), or `None` for records that belong to no lab.
struct Part {
    select: &'static str,
    of_lab: Option<&'static str>,
}

fn parts() -> Vec<Part> {
    vec![
        Part {
            select: "SELECT 'lab' AS kind, CAST(l.id AS TEXT) AS id, l.slug AS key, \
                     l.name AS title, 'link' AS field, k.url AS value \
                     FROM lab_links k JOIN labs l ON l.id = k.lab_id \
                     WHERE l.deleted_at IS NULL AND k.url LIKE 'http%'",
            of_lab: Some("l.id = $1"),
        },
        Part {
            select: "SELECT 'lab', CAST(l.id AS TEXT), l.slug, l.name, 'body', l.body_html \
                     FROM labs l WHERE l.deleted_at IS NULL AND l.body_html LIKE '%href=\"http%'",
            of_lab: Some("l.id = $1"),
        },
        Part {
            select: "SELECT 'project', CAST(p.id AS TEXT), p.slug, p.title, f.field, f.value \
                     FROM projects p JOIN ( \
                       SELECT id AS pid, 'repository' AS field, repository_url AS value \
                         FROM projects WHERE repository_url LIKE 'http%' \
                       UNION ALL SELECT id, 'website', website_url FROM projects \
                         WHERE website_url LIKE 'http%' \
                       UNION ALL SELECT id, 'documentation', documentation_url FROM projects \
                         WHERE documentation_url LIKE 'http%' \
                       UNION ALL SELECT project_id, 'link', url FROM project_links \
                         WHERE url LIKE 'http%' \
                       UNION ALL SELECT id, 'body', body_html FROM projects \
                         WHERE body_html LIKE '%href=\"http%' \
                     ) f ON f.pid = p.id \
                     WHERE p.deleted_at IS NULL AND p.draft = 0",
            of_lab: Some(
                "EXISTS (SELECT 1 FROM project_labs x WHERE x.project_id = p.id AND x.lab_id = $1)",
            ),
        },
        Part {
            select: "SELECT 'organization', CAST(o.id AS TEXT), o.slug, o.name, 'website', \
                     o.website_url FROM organizations o WHERE o.website_url LIKE 'http%'",
            of_lab: None,
        },
        // Meetups that are not over yet (or repeat without end): a past meetup's online
        // room is of no use to anyone.
        Part {
            select: "SELECT 'meetup', CAST(m.id AS TEXT), CAST(m.id AS TEXT), m.title, 'online', \
                     m.online_url FROM meetups m WHERE m.online_url LIKE 'http%' \
                     AND (m.last_end IS NULL OR m.last_end >= $2)",
            of_lab: Some(
                "EXISTS (SELECT 1 FROM meetup_labs x WHERE x.meetup_id = m.id AND x.lab_id = $1)",
            ),
        },
        Part {
            select: "SELECT 'meetup', CAST(m.id AS TEXT), CAST(m.id AS TEXT), m.title, 'body', \
                     m.description_html FROM meetups m \
                     WHERE m.description_html LIKE '%href=\"http%' \
                     AND (m.last_end IS NULL OR m.last_end >= $2)",
            of_lab: Some(
                "EXISTS (SELECT 1 FROM meetup_labs x WHERE x.meetup_id = m.id AND x.lab_id = $1)",
            ),
        },
        Part {
            select: "SELECT 'post', CAST(p.id AS TEXT), p.slug, p.title, 'body', p.body_html \
                     FROM posts p WHERE p.deleted_at IS NULL AND p.draft = 0 \
                     AND p.body_html LIKE '%href=\"http%'",
            of_lab: Some(
                "EXISTS (SELECT 1 FROM post_labs x WHERE x.post_id = p.id AND x.lab_id = $1)",
            ),
        },
        Part {
            select: "SELECT 'page', CAST(p.id AS TEXT), p.path, p.title, 'body', p.body_html \
                     FROM pages p WHERE p.deleted_at IS NULL AND p.draft = 0 \
                     AND p.body_html LIKE '%href=\"http%'",
            of_lab: None,
        },
        Part {
            select: "SELECT 'dataset', CAST(d.id AS TEXT), d.slug, d.title, f.field, f.value \
                     FROM datasets d JOIN ( \
                       SELECT id AS did, 'landing' AS field, landing_page AS value \
                         FROM datasets WHERE landing_page LIKE 'http%' \
                       UNION ALL SELECT id, 'body', description_html FROM datasets \
                         WHERE description_html LIKE '%href=\"http%' \
                     ) f ON f.did = d.id WHERE d.deleted_at IS NULL \
                     AND d.lab_id IN (SELECT id FROM labs WHERE deleted_at IS NULL)",
            of_lab: Some("d.lab_id = $1"),
        },
        Part {
            select: "SELECT 'distribution', CAST(d.id AS TEXT), d.slug, \
                     CASE WHEN f.title = '' THEN d.title ELSE f.title END, f.field, f.value \
                     FROM datasets d JOIN ( \
                       SELECT dataset_id AS did, title, 'access' AS field, access_url AS value \
                         FROM dataset_distributions WHERE access_url LIKE 'http%' \
                       UNION ALL SELECT dataset_id, title, 'download', download_url \
                         FROM dataset_distributions WHERE download_url LIKE 'http%' \
                     ) f ON f.did = d.id WHERE d.deleted_at IS NULL \
                     AND d.lab_id IN (SELECT id FROM labs WHERE deleted_at IS NULL)",
            of_lab: Some("d.lab_id = $1"),
        },
    ]
}

/// The link-carrying fields of public records (not deleted, no drafts; meetups not over
/// at `now_unix`), of all records or only of those that belong to `lab`.
pub async fn sources(db: &Db, lab: Option<i64>, now_unix: i64) -> Result<Vec<LinkSource>, DbError> {
    let selects: Vec<String> = parts()
        .into_iter()
        .filter_map(|part| match (lab, part.of_lab) {
            (None, _) => Some(part.select.to_owned()),
            (Some(_), Some(cond)) => Some(format!("{} AND {cond}", part.select)),
            (Some(_), None) => None,
        })
        .collect();
    let sql = format!(
        "SELECT kind, id, key, title, field, value FROM ({}) s",
        selects.join(" UNION ALL ")
    );
    // `$1` (the lab) is bound always, so both dialects see every parameter they number.
    let sql = if lab.is_none() {
        format!("{sql} WHERE $1 = $1")
    } else {
        sql
    };
    Ok(sqlx::query_as::<_, LinkSource>(AssertSqlSafe(sql))
        .bind(lab.unwrap_or(0))
        .bind(now_unix)
        .fetch_all(db.pool())
        .await?)
}

/// Now, as the times of this table are written.
pub fn timestamp(at: time::OffsetDateTime) -> String {
    let at = at.replace_nanosecond(0).unwrap_or(at);
    at.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Makes the table hold exactly `urls`: new ones are added, due at once; rows of URLs no
/// record uses any more are removed. Returns (added, removed).
pub async fn sync_urls(
    conn: &mut Connection,
    urls: &HashSet<String>,
    now: &str,
) -> Result<(u64, u64), DbError> {
    let known: Vec<String> = sqlx::query_scalar("SELECT url FROM link_checks")
        .fetch_all(&mut *conn)
        .await?;
    let known_set: HashSet<&str> = known.iter().map(String::as_str).collect();
    let mut new: Vec<&str> = urls
        .iter()
        .map(String::as_str)
        .filter(|u| !known_set.contains(u))
        .collect();
    new.sort_unstable();
    let gone: Vec<&str> = known
        .iter()
        .map(String::as_str)
        .filter(|u| !urls.contains(*u))
        .collect();
    let mut added = 0;
    for chunk in new.chunks(CHUNK) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, $1, $1)", i + 2))
            .collect();
        let sql = format!(
            "INSERT INTO link_checks (url, first_seen, next_check) VALUES {} \
             ON CONFLICT (url) DO NOTHING",
            values.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(now);
        for url in chunk {
            query = query.bind(*url);
        }
        added += query.execute(&mut *conn).await?.rows_affected();
    }
    let mut removed = 0;
    for chunk in gone.chunks(CHUNK) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "DELETE FROM link_checks WHERE url IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for url in chunk {
            query = query.bind(*url);
        }
        removed += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok((added, removed))
}

/// URLs due for a check at `now`, the longest waiting first; at most `limit`.
pub async fn due(db: &Db, now: &str, limit: i64) -> Result<Vec<LinkCheck>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM link_checks WHERE next_check <= $1 \
         ORDER BY next_check, url LIMIT {}",
        limit.max(0)
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(now)
        .fetch_all(db.pool())
        .await?)
}

/// Claims the check of `url`: moves its `next_check` to `until` where it is still due at
/// `now`. Whether this caller won; only the winner checks (and records the result, which
/// sets the real next check; a checker that dies leaves the URL due again at `until`).
pub async fn claim(db: &Db, url: &str, now: &str, until: &str) -> Result<bool, DbError> {
    Ok(
        sqlx::query("UPDATE link_checks SET next_check = $1 WHERE url = $2 AND next_check <= $3")
            .bind(until)
            .bind(url)
            .bind(now)
            .execute(db.pool())
            .await?
            .rows_affected()
            == 1,
    )
}

/// The result of one check, as [`record`] writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked<'a> {
    pub status: &'a str,
    pub http_status: Option<i64>,
    pub final_url: Option<&'a str>,
    pub error: Option<&'a str>,
    pub failures: i64,
    pub failing_since: Option<&'a str>,
    pub checked_at: &'a str,
    pub next_check: &'a str,
}

/// Writes the result of a check of `url` (a URL no record uses any more is gone: then
/// nothing is written).
pub async fn record(conn: &mut Connection, url: &str, c: &Checked<'_>) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE link_checks SET status = $1, http_status = $2, final_url = $3, error = $4, \
         failures = $5, failing_since = $6, last_checked = $7, next_check = $8 WHERE url = $9",
    )
    .bind(c.status)
    .bind(c.http_status)
    .bind(c.final_url)
    .bind(c.error)
    .bind(c.failures)
    .bind(c.failing_since)
    .bind(c.checked_at)
    .bind(c.next_check)
    .bind(url)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The stored results of `urls` (those the table holds), by URL.
pub async fn get_many(db: &Db, urls: &[String]) -> Result<HashMap<String, LinkCheck>, DbError> {
    let mut out = HashMap::new();
    for chunk in urls.chunks(CHUNK) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM link_checks WHERE url IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query_as::<_, LinkCheck>(AssertSqlSafe(sql));
        for url in chunk {
            query = query.bind(url);
        }
        for row in query.fetch_all(db.pool()).await? {
            out.insert(row.url.clone(), row);
        }
    }
    Ok(out)
}

/// Every stored result, by URL.
pub async fn all(db: &Db) -> Result<Vec<LinkCheck>, DbError> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM link_checks ORDER BY url"
    )))
    .fetch_all(db.pool())
    .await?)
}

/// When the last check of any URL was made, if ever.
pub async fn last_round(db: &Db) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT MAX(last_checked) FROM link_checks")
            .fetch_one(db.pool())
            .await?,
    )
}
