//! Projects of the catalog, with their labs, topics, links, pictures and collaborators.

use std::collections::HashMap;

use codefor_domain::{DevelopmentStatus, Link, Maintenance, Project};
use serde::Serialize;

use sqlx::AssertSqlSafe;

use crate::batch::{self, Val};

use crate::util::{fingerprint, flag, from_json, now, stored_hash};
use crate::{Change, Connection, Db, DbError};

/// A reference to a lab from another record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabRef {
    pub slug: String,
    pub name: String,
}

/// A project as the catalog lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectSummary {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: Option<String>,
    pub development_status: Option<DevelopmentStatus>,
    pub looking_for_people: bool,
    pub status_text: Option<String>,
    pub image: Option<String>,
    pub showcase: bool,
    pub date: Option<String>,
    pub license: Option<String>,
    pub last_activity: Option<String>,
    pub labs: Vec<LabRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectDetail {
    pub id: i64,
    pub project: Project,
    pub meta: Meta,
    pub sync: SyncState,
    pub labs: Vec<LabRef>,
    pub collaborators: Vec<crate::people::PersonSummary>,
    pub updated_at: String,
}

/// What the catalog knows of a project beyond its page: the publiccode.yml side.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Meta {
    /// SPDX licence expression.
    pub license: Option<String>,
    pub website_url: Option<String>,
    pub documentation_url: Option<String>,
    /// publiccode.yml `softwareType`.
    pub software_type: Option<String>,
    pub platforms: Vec<String>,
    /// Languages the software speaks (BCP 47).
    pub languages: Vec<String>,
    pub features: Vec<String>,
    /// What an administration needs to run it (Markdown).
    pub requirements_md: String,
    pub contact_email: Option<String>,
    /// `YYYY-MM-DD` of the last sign of life.
    pub last_activity: Option<String>,
    /// The last publiccode.yml read for this project, as JSON.
    pub publiccode: Option<serde_json::Value>,
}

/// Whether the repository is the source of truth, and how the last sync went.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncState {
    pub enabled: bool,
    /// Unix seconds of the last attempt and of the last success.
    pub checked_at: Option<i64>,
    pub ok_at: Option<i64>,
    pub commit: Option<String>,
    /// German, as shown to the leads; `None` after a success.
    pub error: Option<String>,
}

/// Which projects a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub lab: Option<String>,
    pub theme: Option<String>,
    pub development_status: Option<DevelopmentStatus>,
    pub showcase_only: bool,
    pub include_drafts: bool,
}

/// Creates or updates a project by slug with its labs (known ones; the source keeps all),
/// topics, links and picture.
pub async fn upsert(conn: &mut Connection, project: &Project) -> Result<(i64, Change), DbError> {
    let hash = fingerprint(project)?;
    let existing = stored_hash(
        conn,
        "SELECT id, content_hash FROM projects WHERE slug = $1",
        &project.slug,
    )
    .await?;
    let now = now();
    let source = serde_json::to_string(&project.source)?;
    let development_status = project.development_status.map(DevelopmentStatus::as_str);
    let maintenance = project.maintenance.map(Maintenance::as_str);
    let (id, change) = match existing {
        Some((id, old)) if old == hash => return Ok((id, Change::Unchanged)),
        Some((id, _)) => {
            sqlx::query(
                "UPDATE projects SET title = $1, summary = $2, body_md = $3, body_html = $4, \
                 development_status = $5, status_text = $6, showcase = $7, draft = $8, date = $9, \
                 source_json = $10, content_hash = $11, updated_at = $12, \
                 maintenance = COALESCE($14, maintenance), \
                 looking_for_people = $15, repository_url = COALESCE($16, repository_url) \
                 WHERE id = $13",
            )
            .bind(&project.title)
            .bind(&project.summary)
            .bind(&project.body_md)
            .bind(&project.body_html)
            .bind(development_status)
            .bind(&project.status_text)
            .bind(flag(project.showcase))
            .bind(flag(project.draft))
            .bind(&project.date)
            .bind(&source)
            .bind(&hash)
            .bind(&now)
            .bind(id)
            .bind(maintenance)
            .bind(flag(project.looking_for_people))
            .bind(&project.repository_url)
            .execute(&mut *conn)
            .await?;
            for sql in [
                "DELETE FROM project_labs WHERE project_id = $1",
                "DELETE FROM project_topics WHERE project_id = $1",
                "DELETE FROM project_themes WHERE project_id = $1",
                "DELETE FROM project_links WHERE project_id = $1",
                "DELETE FROM project_images WHERE project_id = $1",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *conn).await?;
            }
            (id, Change::Updated)
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO projects (slug, title, summary, body_md, body_html, \
                 development_status, status_text, showcase, draft, date, source_json, \
                 content_hash, created_at, updated_at, maintenance, looking_for_people, \
                 repository_url, last_activity) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
                 $10, $11, $12, $13, $13, $14, $15, $16, $10) RETURNING id",
            )
            .bind(&project.slug)
            .bind(&project.title)
            .bind(&project.summary)
            .bind(&project.body_md)
            .bind(&project.body_html)
            .bind(development_status)
            .bind(&project.status_text)
            .bind(flag(project.showcase))
            .bind(flag(project.draft))
            .bind(&project.date)
            .bind(&source)
            .bind(&hash)
            .bind(&now)
            .bind(maintenance)
            .bind(flag(project.looking_for_people))
            .bind(&project.repository_url)
            .fetch_one(&mut *conn)
            .await?;
            (id, Change::Created)
        }
    };
    batch::link_labs(conn, "project_labs (project_id, lab_id)", id, &project.labs).await?;
    let topics: Vec<_> = project
        .topics
        .iter()
        .map(|t| vec![Val::Int(id), Val::Text(t)])
        .collect();
    batch::insert(
        conn,
        "project_topics (project_id, topic)",
        "ON CONFLICT DO NOTHING",
        &topics,
    )
    .await?;
    set_themes(conn, id, &project.themes).await?;
    let links: Vec<_> = project
        .links
        .iter()
        .enumerate()
        .map(|(position, link)| {
            vec![
                Val::Int(id),
                Val::Int(position as i64),
                Val::Text(&link.name),
                Val::Text(&link.url),
            ]
        })
        .collect();
    batch::insert(
        conn,
        "project_links (project_id, position, name, url)",
        "",
        &links,
    )
    .await?;
    let images: Vec<_> = project
        .image
        .iter()
        .map(|i| vec![Val::Int(id), Val::Int(0), Val::Text(i)])
        .collect();
    batch::insert(
        conn,
        "project_images (project_id, position, media_path)",
        "",
        &images,
    )
    .await?;
    Ok((id, change))
}

/// Makes the project's collaborators exactly `people` (ids in order); returns whether
/// anything changed.
pub async fn set_collaborators(
    conn: &mut Connection,
    project_id: i64,
    people: &[i64],
) -> Result<bool, DbError> {
    crate::people::set_ordered(
        conn,
        &crate::people::PROJECT_COLLABORATORS,
        project_id,
        people,
    )
    .await
}

pub(crate) type SummaryRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The columns [`summaries`] reads, in [`SummaryRow`]'s order, for table alias `p`.
pub(crate) const SUMMARY_COLUMNS: &str = "p.id, p.slug, p.title, p.summary, \
     p.development_status, p.looking_for_people, p.status_text, p.showcase, p.date, \
     p.license, p.last_activity, \
     (SELECT media_path FROM project_images i WHERE i.project_id = p.id ORDER BY position LIMIT 1)";

/// Rows of [`SUMMARY_COLUMNS`] as summaries, with the labs of exactly these projects.
pub(crate) async fn summaries(
    db: &Db,
    rows: Vec<SummaryRow>,
) -> Result<Vec<ProjectSummary>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut labs = lab_refs(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                slug,
                title,
                summary,
                status,
                looking,
                status_text,
                showcase,
                date,
                license,
                last_activity,
                image,
            )| {
                ProjectSummary {
                    id,
                    slug,
                    title,
                    summary,
                    development_status: status.as_deref().and_then(DevelopmentStatus::parse),
                    looking_for_people: looking != 0,
                    status_text,
                    image,
                    showcase: showcase != 0,
                    date,
                    license,
                    last_activity,
                    labs: labs.remove(&id).unwrap_or_default(),
                }
            },
        )
        .collect())
}

/// Projects matching the filter, newest first (for lab pages, feeds and the home page;
/// the catalog pages through [`crate::catalog`]).
pub async fn list(db: &Db, filter: &Filter) -> Result<Vec<ProjectSummary>, DbError> {
    let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM projects p WHERE p.deleted_at IS NULL");
    let mut binds: Vec<String> = Vec::new();
    if !filter.include_drafts {
        sql.push_str(" AND p.draft = 0");
    }
    if filter.showcase_only {
        sql.push_str(" AND p.showcase = 1");
    }
    if let Some(lab) = &filter.lab {
        binds.push(lab.clone());
        sql.push_str(&format!(
            " AND p.id IN (SELECT pl.project_id FROM project_labs pl JOIN labs l ON l.id = pl.lab_id \
             WHERE l.slug = ${})",
            binds.len()
        ));
    }
    if let Some(theme) = &filter.theme {
        binds.push(theme.clone());
        sql.push_str(&format!(
            " AND p.id IN (SELECT project_id FROM project_themes WHERE theme = ${})",
            binds.len()
        ));
    }
    if let Some(status) = filter.development_status {
        binds.push(status.as_str().to_owned());
        sql.push_str(&format!(" AND p.development_status = ${}", binds.len()));
    }
    // Undated projects last on both backends (PostgreSQL would put NULLs first).
    sql.push_str(" ORDER BY p.date IS NULL, p.date DESC, p.title");
    let mut query = // Only constant fragments and numbered placeholders were appended above.
    sqlx::query_as::<_, SummaryRow>(AssertSqlSafe(sql));
    for b in &binds {
        query = query.bind(b);
    }
    let rows = query.fetch_all(db.pool()).await?;
    summaries(db, rows).await
}

/// The labs of these projects (all projects when `ids` is long: one scan is cheaper then).
async fn lab_refs(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<LabRef>>, DbError> {
    let mut map: HashMap<i64, Vec<LabRef>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let mut sql = String::from(
        "SELECT pl.project_id, l.slug, l.name FROM project_labs pl JOIN labs l ON l.id = pl.lab_id \
         WHERE l.deleted_at IS NULL",
    );
    if ids.len() <= 500 {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        sql.push_str(&format!(" AND pl.project_id IN ({})", list.join(",")));
    }
    sql.push_str(" ORDER BY l.name");
    // Only integers were appended above.
    let rows: Vec<(i64, String, String)> = sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?;
    for (id, slug, name) in rows {
        map.entry(id).or_default().push(LabRef { slug, name });
    }
    Ok(map)
}

/// Makes the project's themes exactly `themes` (keys of the vocabulary).
pub async fn set_themes(conn: &mut Connection, id: i64, themes: &[String]) -> Result<(), DbError> {
    sqlx::query("DELETE FROM project_themes WHERE project_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let rows: Vec<_> = themes
        .iter()
        .map(|t| vec![Val::Int(id), Val::Text(t)])
        .collect();
    batch::insert(
        conn,
        "project_themes (project_id, theme)",
        "ON CONFLICT DO NOTHING",
        &rows,
    )
    .await
}

/// Topics of published projects with how many projects carry each, most used first.
pub async fn topics(db: &Db) -> Result<Vec<(String, i64)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT t.topic, COUNT(*) AS n FROM project_topics t JOIN projects p ON p.id = t.project_id \
         WHERE p.draft = 0 AND p.deleted_at IS NULL GROUP BY t.topic ORDER BY n DESC, t.topic",
    )
    .fetch_all(db.pool())
    .await?)
}

/// One project with its labs and collaborators; drafts too (the caller decides).
pub async fn get(db: &Db, slug: &str) -> Result<Option<ProjectDetail>, DbError> {
    let row: Option<sqlx::any::AnyRow> = sqlx::query(
        "SELECT id, slug, title, summary, body_md, body_html, development_status, maintenance, \
         looking_for_people, status_text, showcase, draft, date, source_json, updated_at, \
         repository_url, license, website_url, documentation_url, software_type, platforms_json, \
         languages_json, features_json, requirements_md, contact_email, last_activity, \
         publiccode_json, sync_enabled, sync_checked_at, sync_ok_at, sync_commit, sync_error \
         FROM projects WHERE slug = $1 AND deleted_at IS NULL",
    )
    .bind(slug)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    use sqlx::Row;
    let id: i64 = row.try_get("id")?;
    let labs: Vec<(String, String)> = sqlx::query_as(
        "SELECT l.slug, l.name FROM project_labs pl JOIN labs l ON l.id = pl.lab_id \
         WHERE pl.project_id = $1 AND l.deleted_at IS NULL ORDER BY l.name",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let topics: Vec<String> =
        sqlx::query_scalar("SELECT topic FROM project_topics WHERE project_id = $1 ORDER BY topic")
            .bind(id)
            .fetch_all(db.pool())
            .await?;
    let mut themes: Vec<String> =
        sqlx::query_scalar("SELECT theme FROM project_themes WHERE project_id = $1")
            .bind(id)
            .fetch_all(db.pool())
            .await?;
    themes.sort_by_key(|t| {
        codefor_domain::projects::THEMES
            .iter()
            .position(|x| x.key == t)
    });
    let links: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, url FROM project_links WHERE project_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let image: Option<String> = sqlx::query_scalar(
        "SELECT media_path FROM project_images WHERE project_id = $1 ORDER BY position LIMIT 1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let text = |name: &str| -> Result<Option<String>, DbError> { Ok(row.try_get(name)?) };
    let list = |name: &str| -> Result<Vec<String>, DbError> {
        let json: String = row.try_get(name)?;
        Ok(from_json(&json)?)
    };
    let source: String = row.try_get("source_json")?;
    let project = Project {
        slug: row.try_get("slug")?,
        title: row.try_get("title")?,
        summary: text("summary")?,
        body_md: row.try_get("body_md")?,
        body_html: row.try_get("body_html")?,
        labs: labs.iter().map(|(s, _)| s.clone()).collect(),
        development_status: text("development_status")?
            .as_deref()
            .and_then(DevelopmentStatus::parse),
        maintenance: text("maintenance")?.as_deref().and_then(Maintenance::parse),
        looking_for_people: row.try_get::<i64, _>("looking_for_people")? != 0,
        status_text: text("status_text")?,
        themes,
        topics,
        links: links
            .into_iter()
            .map(|(name, url)| Link { name, url })
            .collect(),
        repository_url: text("repository_url")?,
        image,
        showcase: row.try_get::<i64, _>("showcase")? != 0,
        draft: row.try_get::<i64, _>("draft")? != 0,
        date: text("date")?,
        source: from_json(&source)?,
    };
    let meta = Meta {
        license: text("license")?,
        website_url: text("website_url")?,
        documentation_url: text("documentation_url")?,
        software_type: text("software_type")?,
        platforms: list("platforms_json")?,
        languages: list("languages_json")?,
        features: list("features_json")?,
        requirements_md: row.try_get("requirements_md")?,
        contact_email: text("contact_email")?,
        last_activity: text("last_activity")?,
        publiccode: text("publiccode_json")?
            .as_deref()
            .map(from_json)
            .transpose()?,
    };
    let sync = SyncState {
        enabled: row.try_get::<i64, _>("sync_enabled")? != 0,
        checked_at: row.try_get("sync_checked_at")?,
        ok_at: row.try_get("sync_ok_at")?,
        commit: text("sync_commit")?,
        error: text("sync_error")?,
    };
    let collaborators = crate::people::of_project(db, id).await?;
    Ok(Some(ProjectDetail {
        id,
        project,
        meta,
        sync,
        labs: labs
            .into_iter()
            .map(|(slug, name)| LabRef { slug, name })
            .collect(),
        collaborators,
        updated_at: row.try_get("updated_at")?,
    }))
}

/// Every published project's front matter and Markdown, for `/projekte/index.json`.
pub async fn export(db: &Db) -> Result<Vec<(serde_json::Value, String)>, DbError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT source_json, body_md FROM projects WHERE draft = 0 AND deleted_at IS NULL \
         ORDER BY date IS NULL, date DESC, slug",
    )
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(s, md)| Ok((from_json(&s)?, md)))
        .collect()
}

/// What a lead edits on a project, as stored.
#[derive(Debug, Clone)]
pub struct EditableFields<'a> {
    pub title: &'a str,
    pub summary: Option<&'a str>,
    pub development_status: Option<DevelopmentStatus>,
    pub maintenance: Option<Maintenance>,
    pub looking_for_people: bool,
    pub body_md: &'a str,
    pub body_html: &'a str,
    pub themes: &'a [String],
    pub topics: &'a [String],
    pub links: &'a [Link],
    pub repository_url: Option<&'a str>,
    pub sync_enabled: bool,
    pub meta: &'a Meta,
}

/// Writes the editable fields of a project (the import fingerprint stays, as for labs);
/// an edit is a sign of life.
pub async fn update_editable(
    conn: &mut Connection,
    id: i64,
    f: &EditableFields<'_>,
) -> Result<(), DbError> {
    let now = now();
    let today = now.get(..10).unwrap_or(&now).to_owned();
    sqlx::query(
        "UPDATE projects SET title = $1, summary = $2, development_status = $3, body_md = $4, \
         body_html = $5, updated_at = $6, maintenance = $8, looking_for_people = $9, \
         repository_url = $10, sync_enabled = $11, last_activity = $12 WHERE id = $7",
    )
    .bind(f.title)
    .bind(f.summary)
    .bind(f.development_status.map(DevelopmentStatus::as_str))
    .bind(f.body_md)
    .bind(f.body_html)
    .bind(&now)
    .bind(id)
    .bind(f.maintenance.map(Maintenance::as_str))
    .bind(flag(f.looking_for_people))
    .bind(f.repository_url)
    .bind(flag(f.sync_enabled))
    .bind(&today)
    .execute(&mut *conn)
    .await?;
    set_meta(conn, id, f.meta).await?;
    let links: Vec<serde_json::Value> = f
        .links
        .iter()
        .map(|l| serde_json::json!({ "url": l.url, "name": l.name }))
        .collect();
    crate::util::patch_source(
        conn,
        "projects",
        id,
        &[
            ("title", Some(f.title.into())),
            ("excerpt", f.summary.map(Into::into)),
            ("status", f.development_status.map(|s| s.label_de().into())),
            ("tags", Some(f.topics.into())),
            ("links", Some(links.into())),
        ],
    )
    .await?;
    set_themes(conn, id, f.themes).await?;
    sqlx::query("DELETE FROM project_topics WHERE project_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let topics: Vec<_> = f
        .topics
        .iter()
        .map(|t| vec![Val::Int(id), Val::Text(t)])
        .collect();
    batch::insert(conn, "project_topics (project_id, topic)", "", &topics).await?;
    sqlx::query("DELETE FROM project_links WHERE project_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let links: Vec<_> = f
        .links
        .iter()
        .enumerate()
        .map(|(i, l)| {
            vec![
                Val::Int(id),
                Val::Int(i as i64),
                Val::Text(&l.name),
                Val::Text(&l.url),
            ]
        })
        .collect();
    batch::insert(
        conn,
        "project_links (project_id, position, name, url)",
        "",
        &links,
    )
    .await?;
    Ok(())
}

/// The slug of the project with this id.
pub async fn slug_of(db: &Db, id: i64) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT slug FROM projects WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Keeps the publiccode.yml last read for a project (as JSON).
pub async fn set_publiccode(conn: &mut Connection, id: i64, json: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE projects SET publiccode_json = $1 WHERE id = $2")
        .bind(json)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves the last sign of life forward to `date` (`YYYY-MM-DD`), never back.
pub async fn touch_activity(conn: &mut Connection, id: i64, date: &str) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE projects SET last_activity = $1 WHERE id = $2 \
         AND (last_activity IS NULL OR last_activity < $1)",
    )
    .bind(date)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A project whose repository is its source of truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncTarget {
    pub id: i64,
    pub slug: String,
    pub repository_url: String,
    /// The last attempt as read when the target was listed: a sync claims the project
    /// only if no one attempted it since.
    pub checked_at: Option<i64>,
}

/// Projects to sync: the source is their repository and the last attempt is older than
/// `checked_before` (Unix seconds) or there was none; oldest attempt first.
pub async fn sync_due(db: &Db, checked_before: i64) -> Result<Vec<SyncTarget>, DbError> {
    let rows: Vec<(i64, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, slug, repository_url, sync_checked_at FROM projects WHERE sync_enabled = 1 \
         AND repository_url IS NOT NULL AND deleted_at IS NULL \
         AND (sync_checked_at IS NULL OR sync_checked_at < $1) \
         ORDER BY sync_checked_at IS NOT NULL, sync_checked_at, id",
    )
    .bind(checked_before)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, slug, repository_url, checked_at)| SyncTarget {
            id,
            slug,
            repository_url,
            checked_at,
        })
        .collect())
}

/// Claims a project for one sync attempt at `now`: `false` when another instance took
/// it since `seen` (the `sync_checked_at` read before), so only one syncs it.
pub async fn claim_sync(
    conn: &mut Connection,
    id: i64,
    seen: Option<i64>,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE projects SET sync_checked_at = $1 WHERE id = $2 \
         AND (sync_checked_at = $3 OR (sync_checked_at IS NULL AND $3 IS NULL))",
    )
    .bind(now)
    .bind(id)
    .bind(seen)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Records how a sync ended: the commit read, or the error to show the leads.
pub async fn set_sync_result(
    conn: &mut Connection,
    id: i64,
    at: i64,
    result: Result<&str, &str>,
) -> Result<(), DbError> {
    match result {
        Ok(commit) => {
            sqlx::query(
                "UPDATE projects SET sync_checked_at = $1, sync_ok_at = $1, sync_commit = $2, \
                 sync_error = NULL WHERE id = $3",
            )
            .bind(at)
            .bind(commit)
            .bind(id)
            .execute(&mut *conn)
            .await?
        }
        Err(error) => {
            sqlx::query("UPDATE projects SET sync_checked_at = $1, sync_error = $2 WHERE id = $3")
                .bind(at)
                .bind(error)
                .bind(id)
                .execute(&mut *conn)
                .await?
        }
    };
    Ok(())
}

/// Writes a project's catalog metadata (not the last activity or the publiccode.yml kept).
pub async fn set_meta(conn: &mut Connection, id: i64, m: &Meta) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE projects SET license = $1, website_url = $2, documentation_url = $3, \
         software_type = $4, platforms_json = $5, languages_json = $6, features_json = $7, \
         requirements_md = $8, contact_email = $9 WHERE id = $10",
    )
    .bind(&m.license)
    .bind(&m.website_url)
    .bind(&m.documentation_url)
    .bind(&m.software_type)
    .bind(serde_json::to_string(&m.platforms)?)
    .bind(serde_json::to_string(&m.languages)?)
    .bind(serde_json::to_string(&m.features)?)
    .bind(&m.requirements_md)
    .bind(&m.contact_email)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
