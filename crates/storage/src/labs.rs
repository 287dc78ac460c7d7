//! Labs: the network's local groups, with their links and people.

use codefor_domain::people::Role;
use codefor_domain::{Lab, Link};
use serde::Serialize;

use sqlx::AssertSqlSafe;

use crate::batch::{self, Val};
use crate::util::{fingerprint, flag, from_json, now, stored_hash};
use crate::{Change, Connection, Db, DbError};

/// A lab as lists and maps show it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct LabSummary {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub city: String,
    pub state_key: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub active: i64,
    pub hidden: i64,
    pub project_count: i64,
}

#[derive(sqlx::FromRow)]
struct LabRow {
    id: i64,
    slug: String,
    name: String,
    city: String,
    state_key: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    body_md: String,
    body_html: String,
    active: i64,
    hidden: i64,
    meeting: Option<String>,
    source_json: String,
    updated_at: String,
}

/// A lab's page: the record, its people by role, and when it last changed.
#[derive(Debug, Clone, Serialize)]
pub struct LabDetail {
    pub id: i64,
    pub lab: Lab,
    pub leads: Vec<crate::people::PersonSummary>,
    pub members: Vec<crate::people::PersonSummary>,
    pub updated_at: String,
}

/// Creates or updates a lab by slug, with its links, contacts and feeds.
pub async fn upsert(conn: &mut Connection, lab: &Lab) -> Result<(i64, Change), DbError> {
    let hash = fingerprint(lab)?;
    let existing = stored_hash(
        conn,
        "SELECT id, content_hash FROM labs WHERE slug = $1",
        &lab.slug,
    )
    .await?;
    let now = now();
    let source = serde_json::to_string(&lab.source)?;
    let (id, change) = match existing {
        Some((id, old)) if old == hash => return Ok((id, Change::Unchanged)),
        Some((id, _)) => {
            sqlx::query(
                "UPDATE labs SET name = $1, city = $2, state_key = $3, \
                 body_md = $4, body_html = $5, active = $6, hidden = $7, \
                 meeting = $8, source_json = $9, content_hash = $10, updated_at = $11 \
                 WHERE id = $12",
            )
            .bind(&lab.name)
            .bind(&lab.city)
            .bind(&lab.state_key)
            .bind(&lab.body_md)
            .bind(&lab.body_html)
            .bind(flag(lab.active))
            .bind(flag(lab.hidden))
            .bind(&lab.meeting)
            .bind(&source)
            .bind(&hash)
            .bind(&now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM lab_links WHERE lab_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            (id, Change::Updated)
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO labs (slug, name, city, state_key, body_md, \
                 body_html, active, hidden, meeting, source_json, content_hash, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                 $12, $12) RETURNING id",
            )
            .bind(&lab.slug)
            .bind(&lab.name)
            .bind(&lab.city)
            .bind(&lab.state_key)
            .bind(&lab.body_md)
            .bind(&lab.body_html)
            .bind(flag(lab.active))
            .bind(flag(lab.hidden))
            .bind(&lab.meeting)
            .bind(&source)
            .bind(&hash)
            .bind(&now)
            .fetch_one(&mut *conn)
            .await?;
            (id, Change::Created)
        }
    };
    set_coordinates(conn, id, lab.latitude.zip(lab.longitude)).await?;
    let mut rows = Vec::new();
    for (kind, links) in [
        ("link", &lab.links),
        ("contact", &lab.contacts),
        ("feed", &lab.feeds),
    ] {
        for (position, link) in links.iter().enumerate() {
            rows.push(vec![
                Val::Int(id),
                Val::Text(kind),
                Val::Int(position as i64),
                Val::Text(&link.name),
                Val::Text(&link.url),
            ]);
        }
    }
    batch::insert(
        conn,
        "lab_links (lab_id, kind, position, name, url)",
        "",
        &rows,
    )
    .await?;
    Ok((id, change))
}

/// Makes the lab's people exactly `wanted` (person id, role, position); returns how many
/// memberships were added or removed.
pub async fn set_people(
    conn: &mut Connection,
    lab_id: i64,
    wanted: &[(i64, Role, usize)],
) -> Result<usize, DbError> {
    let current: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT person_id, role, position FROM lab_memberships WHERE lab_id = $1")
            .bind(lab_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut changes = 0;
    for (person, role, position) in &current {
        let keep = wanted
            .iter()
            .any(|(p, r, pos)| p == person && r.as_str() == role && *pos as i64 == *position);
        if !keep {
            sqlx::query(
                "DELETE FROM lab_memberships WHERE lab_id = $1 AND person_id = $2 AND role = $3",
            )
            .bind(lab_id)
            .bind(person)
            .bind(role)
            .execute(&mut *conn)
            .await?;
            changes += 1;
        }
    }
    let now = now();
    let rows: Vec<_> = wanted
        .iter()
        .filter(|(person, role, position)| {
            !current
                .iter()
                .any(|(p, r, pos)| p == person && r == role.as_str() && *pos == *position as i64)
        })
        .map(|(person, role, position)| {
            vec![
                Val::Int(lab_id),
                Val::Int(*person),
                Val::Text(role.as_str()),
                Val::Text("active"),
                Val::Int(*position as i64),
                Val::Text(&now),
            ]
        })
        .collect();
    batch::insert(
        conn,
        "lab_memberships (lab_id, person_id, role, state, position, created_at)",
        "ON CONFLICT (lab_id, person_id, role) DO NOTHING",
        &rows,
    )
    .await?;
    Ok(changes + rows.len())
}

const SUMMARY: &str = "SELECT l.id, l.slug, l.name, l.city, l.state_key, l.latitude, l.longitude, \
     l.active, l.hidden, \
     (SELECT COUNT(*) FROM project_labs pl JOIN projects p ON p.id = pl.project_id \
      WHERE pl.lab_id = l.id AND p.draft = 0 AND p.deleted_at IS NULL) AS project_count \
     FROM labs l";

/// All labs that are not hidden, by name.
pub async fn list(db: &Db) -> Result<Vec<LabSummary>, DbError> {
    let sql = format!("{SUMMARY} WHERE l.hidden = 0 AND l.deleted_at IS NULL ORDER BY l.name");
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?)
}

/// Slug and name of every lab, hidden ones included (to resolve references).
pub async fn names(db: &Db) -> Result<Vec<(String, String)>, DbError> {
    Ok(
        sqlx::query_as("SELECT slug, name FROM labs WHERE deleted_at IS NULL ORDER BY name")
            .fetch_all(db.pool())
            .await?,
    )
}

/// One lab with its people; `None` when no lab has this slug.
pub async fn get(db: &Db, slug: &str) -> Result<Option<LabDetail>, DbError> {
    let row: Option<LabRow> = sqlx::query_as(
        "SELECT id, slug, name, city, state_key, latitude, longitude, body_md, body_html, \
         active, hidden, meeting, source_json, updated_at FROM labs WHERE slug = $1 \
         AND deleted_at IS NULL",
    )
    .bind(slug)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let links: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT kind, name, url FROM lab_links WHERE lab_id = $1 ORDER BY kind, position",
    )
    .bind(row.id)
    .fetch_all(db.pool())
    .await?;
    let pick = |kind: &str| -> Vec<Link> {
        links
            .iter()
            .filter(|(k, _, _)| k == kind)
            .map(|(_, name, url)| Link {
                name: name.clone(),
                url: url.clone(),
            })
            .collect()
    };
    let lab = Lab {
        slug: row.slug,
        name: row.name,
        city: row.city,
        state_key: row.state_key,
        latitude: row.latitude,
        longitude: row.longitude,
        body_md: row.body_md,
        body_html: row.body_html,
        active: row.active != 0,
        hidden: row.hidden != 0,
        meeting: row.meeting,
        links: pick("link"),
        contacts: pick("contact"),
        feeds: pick("feed"),
        source: from_json(&row.source_json)?,
    };
    let leads = crate::people::of_lab(db, row.id, Role::Lead).await?;
    let members = crate::people::of_lab(db, row.id, Role::Member).await?;
    Ok(Some(LabDetail {
        id: row.id,
        lab,
        leads,
        members,
        updated_at: row.updated_at,
    }))
}

/// Every lab's front matter and Markdown, for `/labs/index.json` (today's shape).
pub async fn export(db: &Db) -> Result<Vec<(serde_json::Value, String)>, DbError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT source_json, body_md FROM labs WHERE deleted_at IS NULL ORDER BY slug",
    )
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(s, md)| Ok((from_json(&s)?, md)))
        .collect()
}

/// What a lead edits on a lab's page, as stored.
#[derive(Debug, Clone)]
pub struct EditableFields<'a> {
    pub name: &'a str,
    pub city: &'a str,
    pub meeting: Option<&'a str>,
    pub body_md: &'a str,
    pub body_html: &'a str,
    pub links: &'a [Link],
}

/// Writes the editable fields of a lab (its links of kind `link`; contacts and feeds
/// stay). The import fingerprint is left alone, so re-importing an unchanged source
/// does not undo an edit made in the browser.
pub async fn update_editable(
    conn: &mut Connection,
    lab_id: i64,
    fields: &EditableFields<'_>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE labs SET name = $1, city = $2, meeting = $3, body_md = $4, body_html = $5, \
         updated_at = $6 WHERE id = $7",
    )
    .bind(fields.name)
    .bind(fields.city)
    .bind(fields.meeting)
    .bind(fields.body_md)
    .bind(fields.body_html)
    .bind(now())
    .bind(lab_id)
    .execute(&mut *conn)
    .await?;
    crate::util::patch_source(
        conn,
        "labs",
        lab_id,
        &[
            ("title", Some(fields.name.into())),
            ("city", Some(fields.city.into())),
            ("schedule", fields.meeting.map(Into::into)),
        ],
    )
    .await?;
    sqlx::query("DELETE FROM lab_links WHERE lab_id = $1 AND kind = 'link'")
        .bind(lab_id)
        .execute(&mut *conn)
        .await?;
    let rows: Vec<_> = fields
        .links
        .iter()
        .enumerate()
        .map(|(position, link)| {
            vec![
                Val::Int(lab_id),
                Val::Text("link"),
                Val::Int(position as i64),
                Val::Text(&link.name),
                Val::Text(&link.url),
            ]
        })
        .collect();
    batch::insert(
        conn,
        "lab_links (lab_id, kind, position, name, url)",
        "",
        &rows,
    )
    .await?;
    Ok(())
}

/// Makes `people` (ids, in order) the lab's leads; members stay as they are.
pub async fn replace_leads(
    conn: &mut Connection,
    lab_id: i64,
    people: &[i64],
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM lab_memberships WHERE lab_id = $1 AND role = 'lead'")
        .bind(lab_id)
        .execute(&mut *conn)
        .await?;
    let now = now();
    let rows: Vec<_> = people
        .iter()
        .enumerate()
        .map(|(position, person)| {
            vec![
                Val::Int(lab_id),
                Val::Int(*person),
                Val::Text("lead"),
                Val::Text("active"),
                Val::Int(position as i64),
                Val::Text(&now),
            ]
        })
        .collect();
    batch::insert(
        conn,
        "lab_memberships (lab_id, person_id, role, state, position, created_at)",
        "",
        &rows,
    )
    .await?;
    Ok(())
}

/// Id and slug of every lab, by name (for admin forms).
pub async fn ids(db: &Db) -> Result<Vec<(i64, String, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, slug, name FROM labs WHERE deleted_at IS NULL ORDER BY lower(name)",
    )
    .fetch_all(db.pool())
    .await?)
}

/// The lab's current leads: person id and name, in order.
pub async fn lead_ids(conn: &mut Connection, lab_id: i64) -> Result<Vec<(i64, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.name FROM lab_memberships m JOIN people p ON p.id = m.person_id \
         WHERE m.lab_id = $1 AND m.role = 'lead' ORDER BY m.position",
    )
    .bind(lab_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// A new lab as an admin creates it.
#[derive(Debug, Clone)]
pub struct NewLab<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub city: &'a str,
    pub state_key: Option<&'a str>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub meeting: Option<&'a str>,
    pub body_md: &'a str,
    pub body_html: &'a str,
}

/// Creates a lab; `Ok(None)` when the slug is taken (also by a deleted lab).
pub async fn create(conn: &mut Connection, lab: &NewLab<'_>) -> Result<Option<i64>, DbError> {
    let now = now();
    // Coordinates: see `set_coordinates`.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO labs (slug, name, city, state_key, body_md, body_html, \
         meeting, source_json, content_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $9, '', $8, $8) \
         ON CONFLICT (slug) DO NOTHING RETURNING id",
    )
    .bind(lab.slug)
    .bind(lab.name)
    .bind(lab.city)
    .bind(lab.state_key)
    .bind(lab.body_md)
    .bind(lab.body_html)
    .bind(lab.meeting)
    .bind(&now)
    .bind(serde_json::to_string(&serde_json::json!({
        "title": lab.name,
        "city": lab.city,
        "lat": lab.latitude,
        "long": lab.longitude,
        "schedule": lab.meeting,
    }))?)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = id {
        set_coordinates(conn, id, lab.latitude.zip(lab.longitude)).await?;
    }
    Ok(id)
}

/// Sets a lab's coordinates, or clears them. Never binds a missing float: sqlx 0.9's
/// `Any` driver sends `None::<f64>` to PostgreSQL as a 4-byte float, after which the
/// cached statement refuses real 8-byte values ("incorrect binary data format").
async fn set_coordinates(
    conn: &mut Connection,
    id: i64,
    coordinates: Option<(f64, f64)>,
) -> Result<(), DbError> {
    match coordinates {
        Some((lat, lon)) => {
            sqlx::query("UPDATE labs SET latitude = $1, longitude = $2 WHERE id = $3")
                .bind(lat)
                .bind(lon)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        None => {
            sqlx::query("UPDATE labs SET latitude = NULL, longitude = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// The slug of the lab with this id (deleted ones included).
pub async fn slug_of(conn: &mut Connection, id: i64) -> Result<Option<String>, DbError> {
    Ok(sqlx::query_scalar("SELECT slug FROM labs WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// A lab's most recent sign of life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Activity {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub active: i64,
    /// The latest of: a post's date, a project's date, a change made in the browser to
    /// the lab or its projects and posts, an answered join request or a member leaving.
    /// Dates the import writes (it touches everything) do not count.
    pub last: Option<String>,
}

/// Every lab (or only the lab `only`) with its most recent sign of life, by name.
pub async fn activity(db: &Db, only: Option<i64>) -> Result<Vec<Activity>, DbError> {
    Ok(sqlx::query_as(
        "SELECT l.id, l.slug, l.name, l.active, (SELECT MAX(x) FROM ( \
             SELECT MAX(p.date) AS x FROM post_labs pl JOIN posts p ON p.id = pl.post_id \
                 WHERE pl.lab_id = l.id AND p.deleted_at IS NULL AND p.draft = 0 \
             UNION ALL SELECT MAX(pr.date) FROM project_labs pj JOIN projects pr ON pr.id = pj.project_id \
                 WHERE pj.lab_id = l.id AND pr.deleted_at IS NULL \
             UNION ALL SELECT MAX(r.created_at) FROM revisions r WHERE r.account_id IS NOT NULL AND ( \
                 (r.kind = 'lab' AND r.record_id = l.id) \
                 OR (r.kind = 'project' AND r.record_id IN (SELECT project_id FROM project_labs WHERE lab_id = l.id)) \
                 OR (r.kind = 'post' AND r.record_id IN (SELECT post_id FROM post_labs WHERE lab_id = l.id))) \
             UNION ALL SELECT MAX(a.at) FROM audit_log a WHERE a.target = l.slug \
                 AND a.action IN ('membership.accept', 'membership.leave', 'role.lead.grant', 'lab.create') \
         ) t) AS last FROM labs l WHERE l.deleted_at IS NULL AND ($1 = 0 OR l.id = $1) \
         ORDER BY lower(l.name)",
    )
    .bind(only.unwrap_or(0))
    .fetch_all(db.pool())
    .await?)
}

/// Marks a lab active or inactive; `false` when it already was.
pub async fn set_active(conn: &mut Connection, id: i64, active: bool) -> Result<bool, DbError> {
    let done =
        sqlx::query("UPDATE labs SET active = $1, updated_at = $2 WHERE id = $3 AND active <> $1")
            .bind(flag(active))
            .bind(now())
            .bind(id)
            .execute(&mut *conn)
            .await?;
    if done.rows_affected() == 1 {
        crate::util::patch_source(
            conn,
            "labs",
            id,
            &[(
                "inactive",
                (!active).then_some(serde_json::Value::Bool(true)),
            )],
        )
        .await?;
    }
    Ok(done.rows_affected() == 1)
}

/// Takes a lab's row for the transaction: what is decided about the lab in it (say, a
/// notice to its leads) is decided once, also by several instances at a time.
pub async fn lock(conn: &mut Connection, id: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE labs SET active = active WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether a lab takes requests to join through the platform (`showsignup` of the old
/// site; leads switch it on the dashboard).
pub async fn accepts_requests(db: &Db, id: i64) -> Result<bool, DbError> {
    let v: Option<i64> = sqlx::query_scalar("SELECT accepts_requests FROM labs WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(v.is_some_and(|v| v != 0))
}

pub async fn set_accepts_requests(
    conn: &mut Connection,
    id: i64,
    accepts: bool,
) -> Result<(), DbError> {
    sqlx::query("UPDATE labs SET accepts_requests = $1 WHERE id = $2")
        .bind(flag(accepts))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The id of the lab with this slug, read inside a transaction.
pub async fn id_by_slug(conn: &mut Connection, slug: &str) -> Result<Option<i64>, DbError> {
    Ok(sqlx::query_scalar("SELECT id FROM labs WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await?)
}
