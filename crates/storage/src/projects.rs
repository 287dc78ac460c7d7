//! Projects of the catalog, with their labs, topics, links, pictures and collaborators.

use std::collections::HashMap;

use codefor_domain::{Link, Project, ProjectStatus};
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
    pub status: Option<ProjectStatus>,
    pub status_text: Option<String>,
    pub image: Option<String>,
    pub showcase: bool,
    pub date: Option<String>,
    pub labs: Vec<LabRef>,
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectDetail {
    pub id: i64,
    pub project: Project,
    pub labs: Vec<LabRef>,
    pub collaborators: Vec<crate::people::PersonSummary>,
    pub updated_at: String,
}

/// Which projects a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub lab: Option<String>,
    pub topic: Option<String>,
    pub status: Option<ProjectStatus>,
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
    let status = project.status.map(ProjectStatus::as_str);
    let (id, change) = match existing {
        Some((id, old)) if old == hash => return Ok((id, Change::Unchanged)),
        Some((id, _)) => {
            sqlx::query(
                "UPDATE projects SET title = $1, summary = $2, body_md = $3, body_html = $4, \
                 status = $5, status_text = $6, showcase = $7, draft = $8, date = $9, \
                 source_json = $10, content_hash = $11, updated_at = $12 WHERE id = $13",
            )
            .bind(&project.title)
            .bind(&project.summary)
            .bind(&project.body_md)
            .bind(&project.body_html)
            .bind(status)
            .bind(&project.status_text)
            .bind(flag(project.showcase))
            .bind(flag(project.draft))
            .bind(&project.date)
            .bind(&source)
            .bind(&hash)
            .bind(&now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            for sql in [
                "DELETE FROM project_labs WHERE project_id = $1",
                "DELETE FROM project_topics WHERE project_id = $1",
                "DELETE FROM project_links WHERE project_id = $1",
                "DELETE FROM project_images WHERE project_id = $1",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *conn).await?;
            }
            (id, Change::Updated)
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO projects (slug, title, summary, body_md, body_html, status, \
                 status_text, showcase, draft, date, source_json, content_hash, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
                 RETURNING id",
            )
            .bind(&project.slug)
            .bind(&project.title)
            .bind(&project.summary)
            .bind(&project.body_md)
            .bind(&project.body_html)
            .bind(status)
            .bind(&project.status_text)
            .bind(flag(project.showcase))
            .bind(flag(project.draft))
            .bind(&project.date)
            .bind(&source)
            .bind(&hash)
            .bind(&now)
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

type SummaryRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
);

/// Projects matching the filter, newest first.
pub async fn list(db: &Db, filter: &Filter) -> Result<Vec<ProjectSummary>, DbError> {
    let mut sql = String::from(
        "SELECT p.id, p.slug, p.title, p.summary, p.status, p.status_text, p.showcase, p.date, \
         (SELECT media_path FROM project_images i WHERE i.project_id = p.id ORDER BY position LIMIT 1) \
         FROM projects p WHERE p.deleted_at IS NULL",
    );
    let mut binds: Vec<String> = Vec::new();
    if !filter.include_drafts {
        sql.push_str(" AND p.draft = 0");
    }
    if let Some(lab) = &filter.lab {
        binds.push(lab.clone());
        sql.push_str(&format!(
            " AND p.id IN (SELECT pl.project_id FROM project_labs pl JOIN labs l ON l.id = pl.lab_id \
             WHERE l.slug = ${})",
            binds.len()
        ));
    }
    if let Some(topic) = &filter.topic {
        binds.push(topic.clone());
        sql.push_str(&format!(
            " AND p.id IN (SELECT project_id FROM project_topics WHERE topic = ${})",
            binds.len()
        ));
    }
    if let Some(status) = filter.status {
        binds.push(status.as_str().to_owned());
        sql.push_str(&format!(" AND p.status = ${}", binds.len()));
    }
    // Undated projects last on both backends (PostgreSQL would put NULLs first).
    sql.push_str(" ORDER BY p.date IS NULL, p.date DESC, p.title");
    let mut query = // Only constant fragments and numbered placeholders were appended above.
    sqlx::query_as::<_, SummaryRow>(AssertSqlSafe(sql));
    for b in &binds {
        query = query.bind(b);
    }
    let rows = query.fetch_all(db.pool()).await?;
    let labs = lab_refs(db).await?;
    let topics = all_topics(db).await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, slug, title, summary, status, status_text, showcase, date, image)| {
                ProjectSummary {
                    id,
                    slug,
                    title,
                    summary,
                    status: status.as_deref().and_then(ProjectStatus::parse),
                    status_text,
                    image,
                    showcase: showcase != 0,
                    date,
                    labs: labs.get(&id).cloned().unwrap_or_default(),
                    topics: topics.get(&id).cloned().unwrap_or_default(),
                }
            },
        )
        .collect())
}

async fn lab_refs(db: &Db) -> Result<HashMap<i64, Vec<LabRef>>, DbError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT pl.project_id, l.slug, l.name FROM project_labs pl JOIN labs l ON l.id = pl.lab_id \
         WHERE l.deleted_at IS NULL ORDER BY l.name",
    )
    .fetch_all(db.pool())
    .await?;
    let mut map: HashMap<i64, Vec<LabRef>> = HashMap::new();
    for (id, slug, name) in rows {
        map.entry(id).or_default().push(LabRef { slug, name });
    }
    Ok(map)
}

async fn all_topics(db: &Db) -> Result<HashMap<i64, Vec<String>>, DbError> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT project_id, topic FROM project_topics ORDER BY topic")
            .fetch_all(db.pool())
            .await?;
    let mut map: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, topic) in rows {
        map.entry(id).or_default().push(topic);
    }
    Ok(map)
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

type DetailRow = (
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
    Option<String>,
    String,
    String,
);

/// One project with its labs and collaborators; drafts too (the caller decides).
pub async fn get(db: &Db, slug: &str) -> Result<Option<ProjectDetail>, DbError> {
    let row: Option<DetailRow> = sqlx::query_as(
        "SELECT id, slug, title, summary, body_md, body_html, status, status_text, showcase, \
         draft, date, source_json, updated_at FROM projects WHERE slug = $1 \
         AND deleted_at IS NULL",
    )
    .bind(slug)
    .fetch_optional(db.pool())
    .await?;
    let Some((
        id,
        slug,
        title,
        summary,
        body_md,
        body_html,
        status,
        status_text,
        showcase,
        draft,
        date,
        source,
        updated_at,
    )) = row
    else {
        return Ok(None);
    };
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
    let project = Project {
        slug,
        title,
        summary,
        body_md,
        body_html,
        labs: labs.iter().map(|(s, _)| s.clone()).collect(),
        status: status.as_deref().and_then(ProjectStatus::parse),
        status_text,
        topics,
        links: links
            .into_iter()
            .map(|(name, url)| Link { name, url })
            .collect(),
        image,
        showcase: showcase != 0,
        draft: draft != 0,
        date,
        source: from_json(&source)?,
    };
    let collaborators = crate::people::of_project(db, id).await?;
    Ok(Some(ProjectDetail {
        id,
        project,
        labs: labs
            .into_iter()
            .map(|(slug, name)| LabRef { slug, name })
            .collect(),
        collaborators,
        updated_at,
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
    pub status: Option<&'a str>,
    pub body_md: &'a str,
    pub body_html: &'a str,
    pub topics: &'a [String],
    pub links: &'a [Link],
}

/// Writes the editable fields of a project (the import fingerprint stays, as for labs).
pub async fn update_editable(
    conn: &mut Connection,
    id: i64,
    f: &EditableFields<'_>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE projects SET title = $1, summary = $2, status = $3, body_md = $4, \
         body_html = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(f.title)
    .bind(f.summary)
    .bind(f.status)
    .bind(f.body_md)
    .bind(f.body_html)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
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
            (
                "status",
                f.status
                    .and_then(ProjectStatus::parse)
                    .map(|s| s.label_de().into()),
            ),
            ("tags", Some(f.topics.into())),
            ("links", Some(links.into())),
        ],
    )
    .await?;
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
