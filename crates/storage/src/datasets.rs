//! Datasets of labs (DCAT-AP.de): rows, distributions, versions, soft deletion.

use codefor_domain::datasets::{Distribution, Fields};
use serde::Serialize;

use crate::revisions::Author;
use crate::util::now;
use crate::{Connection, Db, DbError};

/// A dataset as pages and the catalog show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dataset {
    pub id: i64,
    pub slug: String,
    pub lab_id: i64,
    pub lab_slug: String,
    pub lab_name: String,
    pub fields: Fields,
    /// The description rendered and sanitized.
    pub description_html: String,
    /// The publishing organization's slug and name, when it is not the lab.
    pub organization: Option<(String, String)>,
    /// Where a harvested dataset came from.
    pub source_uri: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    slug: String,
    lab_id: i64,
    lab_slug: String,
    lab_name: String,
    relation: String,
    title: String,
    description: String,
    description_html: String,
    organization_id: Option<i64>,
    organization_slug: Option<String>,
    organization_name: Option<String>,
    licence: String,
    themes: String,
    keywords: String,
    state_key: Option<String>,
    ags: Option<String>,
    temporal_start: Option<String>,
    temporal_end: Option<String>,
    contact_name: String,
    contact_email: Option<String>,
    contact_url: Option<String>,
    landing_page: Option<String>,
    frequency: Option<String>,
    issued: Option<String>,
    modified: Option<String>,
    source_uri: Option<String>,
    created_at: String,
    updated_at: String,
}

const SELECT: &str = "SELECT d.id, d.slug, d.lab_id, l.slug AS lab_slug, l.name AS lab_name, \
     d.relation, d.title, d.description, d.description_html, \
     d.organization_id, \
     o.slug AS organization_slug, o.name AS organization_name, d.licence, d.themes, \
     d.keywords, d.state_key, d.ags, d.temporal_start, d.temporal_end, d.contact_name, \
     d.contact_email, d.contact_url, d.landing_page, d.frequency, d.issued, d.modified, \
     d.source_uri, d.created_at, d.updated_at \
     FROM datasets d JOIN labs l ON l.id = d.lab_id \
     LEFT JOIN organizations o ON o.id = d.organization_id";

fn list_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

fn to_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}

fn of_row(r: Row) -> Dataset {
    Dataset {
        id: r.id,
        slug: r.slug,
        lab_id: r.lab_id,
        lab_slug: r.lab_slug,
        lab_name: r.lab_name,
        fields: Fields {
            relation: r.relation,
            title: r.title,
            description: r.description,
            organization_id: r.organization_id,
            licence: r.licence,
            themes: list_of(&r.themes),
            keywords: list_of(&r.keywords),
            state_key: r.state_key,
            ags: r.ags,
            temporal_start: r.temporal_start,
            temporal_end: r.temporal_end,
            contact_name: r.contact_name,
            contact_email: r.contact_email,
            contact_url: r.contact_url,
            landing_page: r.landing_page,
            frequency: r.frequency,
            issued: r.issued,
            modified: r.modified,
            distributions: Vec::new(),
        },
        description_html: r.description_html,
        organization: r.organization_slug.zip(r.organization_name),
        source_uri: r.source_uri,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

#[derive(sqlx::FromRow)]
struct DistRow {
    dataset_id: i64,
    title: String,
    access_url: String,
    download_url: Option<String>,
    format: Option<String>,
    media_type: Option<String>,
    licence: Option<String>,
}

/// Fills in the distributions of `datasets` (one query).
async fn with_distributions(
    conn: &mut Connection,
    mut datasets: Vec<Dataset>,
    only: Option<i64>,
) -> Result<Vec<Dataset>, DbError> {
    let rows: Vec<DistRow> = match only {
        Some(id) => {
            sqlx::query_as(
                "SELECT dataset_id, title, access_url, download_url, format, media_type, \
                 licence FROM dataset_distributions WHERE dataset_id = $1 ORDER BY position",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as(
                "SELECT dataset_id, title, access_url, download_url, format, media_type, \
                 licence FROM dataset_distributions ORDER BY dataset_id, position",
            )
            .fetch_all(&mut *conn)
            .await?
        }
    };
    let mut index = std::collections::HashMap::new();
    for (i, d) in datasets.iter().enumerate() {
        index.insert(d.id, i);
    }
    for r in rows {
        if let Some(&i) = index.get(&r.dataset_id) {
            datasets[i].fields.distributions.push(Distribution {
                title: r.title,
                access_url: r.access_url,
                download_url: r.download_url,
                format: r.format,
                media_type: r.media_type,
                licence: r.licence,
            });
        }
    }
    Ok(datasets)
}

/// What the list of datasets is filtered by.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// An EU data theme code.
    pub theme: Option<String>,
    /// A federal state key.
    pub state_key: Option<String>,
    /// A lab's slug.
    pub lab: Option<String>,
    /// `publishes` or `uses`.
    pub relation: Option<String>,
}

fn where_clause(f: &Filter) -> (String, Vec<String>) {
    let mut sql = String::from(" WHERE d.deleted_at IS NULL AND l.deleted_at IS NULL");
    let mut binds = Vec::new();
    let mut add = |cond: &str, value: String| {
        binds.push(value);
        sql.push_str(&format!(" AND {cond}${}", binds.len()));
    };
    if let Some(t) = &f.theme {
        // Themes are a JSON array of codes; a code is letters and `_` only (checked by
        // the caller), so it matches only itself.
        add("d.themes LIKE ", format!("%\"{t}\"%"));
    }
    if let Some(s) = &f.state_key {
        add("d.state_key = ", s.clone());
    }
    if let Some(l) = &f.lab {
        add("l.slug = ", l.clone());
    }
    if let Some(r) = &f.relation {
        add("d.relation = ", r.clone());
    }
    (sql, binds)
}

/// One page of the datasets matching `filter`, by title, and how many match in all.
pub async fn list(
    db: &Db,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Dataset>, i64), DbError> {
    let (cond, binds) = where_clause(filter);
    let count_sql = format!("SELECT COUNT(*) FROM datasets d JOIN labs l ON l.id = d.lab_id{cond}");
    let mut count = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql));
    for b in &binds {
        count = count.bind(b);
    }
    let total: i64 = count.fetch_one(db.pool()).await?;
    let sql = format!(
        "{SELECT}{cond} ORDER BY LOWER(d.title), d.id LIMIT {limit} OFFSET {offset}",
        limit = limit.max(0),
        offset = offset.max(0)
    );
    let mut q = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql));
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(db.pool()).await?;
    Ok((rows.into_iter().map(of_row).collect(), total))
}

/// Every dataset that is not deleted, with its distributions (for the catalog).
pub async fn all(db: &Db) -> Result<Vec<Dataset>, DbError> {
    let mut conn = db.pool().acquire().await?;
    let sql = format!("{SELECT} WHERE d.deleted_at IS NULL AND l.deleted_at IS NULL ORDER BY d.id");
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    with_distributions(&mut conn, rows.into_iter().map(of_row).collect(), None).await
}

/// A lab's datasets (without distributions), by title.
pub async fn of_lab(db: &Db, lab_id: i64) -> Result<Vec<Dataset>, DbError> {
    let sql = format!(
        "{SELECT} WHERE d.deleted_at IS NULL AND l.deleted_at IS NULL AND d.lab_id = $1 \
         ORDER BY LOWER(d.title), d.id"
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(lab_id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(of_row).collect())
}

/// A dataset that is not deleted, with its distributions.
pub async fn get(db: &Db, slug: &str) -> Result<Option<Dataset>, DbError> {
    let mut conn = db.pool().acquire().await?;
    let sql =
        format!("{SELECT} WHERE d.slug = $1 AND d.deleted_at IS NULL AND l.deleted_at IS NULL");
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(slug)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let id = row.id;
    Ok(with_distributions(&mut conn, vec![of_row(row)], Some(id))
        .await?
        .pop())
}

/// A lab's dataset harvested from `source` (deleted ones too, so a harvest does not
/// bring a deleted dataset back), with its fields and whether it is deleted.
pub async fn by_source(
    conn: &mut Connection,
    lab_id: i64,
    source: &str,
) -> Result<Option<(Dataset, bool)>, DbError> {
    let sql = format!("{SELECT} WHERE d.lab_id = $1 AND d.source_uri = $2");
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(lab_id)
        .bind(source)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let deleted: Option<String> =
        sqlx::query_scalar("SELECT deleted_at FROM datasets WHERE id = $1")
            .bind(row.id)
            .fetch_one(&mut *conn)
            .await?;
    let id = row.id;
    let d = with_distributions(conn, vec![of_row(row)], Some(id)).await?;
    Ok(d.into_iter().next().map(|d| (d, deleted.is_some())))
}

pub async fn slug_taken(conn: &mut Connection, slug: &str) -> Result<bool, DbError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM datasets WHERE slug = $1")
        .bind(slug)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

async fn write_distributions(
    conn: &mut Connection,
    id: i64,
    list: &[Distribution],
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM dataset_distributions WHERE dataset_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (position, d) in list.iter().enumerate() {
        sqlx::query(
            "INSERT INTO dataset_distributions (dataset_id, position, title, access_url, \
             download_url, format, media_type, licence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(&d.title)
        .bind(&d.access_url)
        .bind(&d.download_url)
        .bind(&d.format)
        .bind(&d.media_type)
        .bind(&d.licence)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds what a dataset says as `$1` to `$19`, in the order both statements name them.
fn bind_fields<'q>(query: Query<'q>, f: &'q Fields, description_html: &'q str) -> Query<'q> {
    query
        .bind(&f.relation)
        .bind(&f.title)
        .bind(&f.description)
        .bind(description_html)
        .bind(f.organization_id)
        .bind(&f.licence)
        .bind(to_json(&f.themes))
        .bind(to_json(&f.keywords))
        .bind(&f.state_key)
        .bind(&f.ags)
        .bind(&f.temporal_start)
        .bind(&f.temporal_end)
        .bind(&f.contact_name)
        .bind(&f.contact_email)
        .bind(&f.contact_url)
        .bind(&f.landing_page)
        .bind(&f.frequency)
        .bind(&f.issued)
        .bind(&f.modified)
}

/// Creates a dataset of a lab; returns its id.
pub async fn create(
    conn: &mut Connection,
    lab_id: i64,
    slug: &str,
    f: &Fields,
    description_html: &str,
    source_uri: Option<&str>,
) -> Result<i64, DbError> {
    let at = now();
    let row = bind_fields(
        sqlx::query(
            "INSERT INTO datasets (relation, title, description, description_html, \
             organization_id, licence, themes, keywords, state_key, ags, temporal_start, \
             temporal_end, contact_name, contact_email, contact_url, landing_page, frequency, \
             issued, modified, slug, lab_id, source_uri, created_at, updated_at) VALUES ($1, \
             $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
             $20, $21, $22, $23, $23) RETURNING id",
        ),
        f,
        description_html,
    )
    .bind(slug)
    .bind(lab_id)
    .bind(source_uri)
    .bind(&at)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = sqlx::Row::try_get(&row, 0)?;
    write_distributions(conn, id, &f.distributions).await?;
    crate::bump_content_version(conn).await?;
    Ok(id)
}

/// Writes a dataset's fields and distributions.
pub async fn update(
    conn: &mut Connection,
    id: i64,
    f: &Fields,
    description_html: &str,
) -> Result<(), DbError> {
    bind_fields(
        sqlx::query(
            "UPDATE datasets SET relation = $1, title = $2, description = $3, \
             description_html = $4, organization_id = $5, licence = $6, themes = $7, \
             keywords = $8, state_key = $9, ags = $10, temporal_start = $11, \
             temporal_end = $12, contact_name = $13, contact_email = $14, contact_url = $15, \
             landing_page = $16, frequency = $17, issued = $18, modified = $19, \
             updated_at = $20 WHERE id = $21",
        ),
        f,
        description_html,
    )
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    write_distributions(conn, id, &f.distributions).await?;
    crate::bump_content_version(conn).await?;
    Ok(())
}

/// Marks a dataset deleted; `false` when it already was.
pub async fn delete(conn: &mut Connection, id: i64) -> Result<bool, DbError> {
    let done =
        sqlx::query("UPDATE datasets SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
            .bind(now())
            .bind(id)
            .execute(&mut *conn)
            .await?;
    crate::bump_content_version(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// Brings a deleted dataset back; `false` when it was not deleted.
pub async fn restore(conn: &mut Connection, id: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE datasets SET deleted_at = NULL WHERE id = $1 AND deleted_at IS NOT NULL",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    crate::bump_content_version(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// One state of a dataset after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Version {
    pub number: i64,
    pub account_id: Option<i64>,
    pub author: String,
    pub summary: String,
    /// JSON of the [`Fields`].
    pub snapshot: String,
    pub created_at: String,
}

/// Appends a version (the fields after the change); returns its number.
pub async fn record_version(
    conn: &mut Connection,
    id: i64,
    author: Author<'_>,
    summary: &str,
    fields: &Fields,
) -> Result<i64, DbError> {
    let number: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM dataset_versions WHERE dataset_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let snapshot = serde_json::to_string(fields).unwrap_or_else(|_| "{}".to_owned());
    sqlx::query(
        "INSERT INTO dataset_versions (dataset_id, number, account_id, author, summary, \
         snapshot, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(number)
    .bind(author.account_id)
    .bind(author.name)
    .bind(summary)
    .bind(snapshot)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(number)
}

/// A dataset's versions, newest first.
pub async fn versions(db: &Db, id: i64) -> Result<Vec<Version>, DbError> {
    Ok(sqlx::query_as(
        "SELECT number, account_id, author, summary, snapshot, created_at \
         FROM dataset_versions WHERE dataset_id = $1 ORDER BY number DESC",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?)
}

/// The newest `modified`/`updated_at` of all datasets (for the catalog's dct:modified).
pub async fn last_change(db: &Db) -> Result<Option<String>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT MAX(d.updated_at) FROM datasets d JOIN labs l ON l.id = d.lab_id \
         WHERE d.deleted_at IS NULL AND l.deleted_at IS NULL",
    )
    .fetch_one(db.pool())
    .await?)
}

/// The addresses of all datasets that are not deleted (for the sitemap).
pub async fn slugs(db: &Db) -> Result<Vec<String>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT d.slug FROM datasets d JOIN labs l ON l.id = d.lab_id \
         WHERE d.deleted_at IS NULL AND l.deleted_at IS NULL ORDER BY d.slug",
    )
    .fetch_all(db.pool())
    .await?)
}

/// One keyset page of datasets for the API, by slug after `after`, with distributions.
pub async fn api_page(
    db: &Db,
    filter: &Filter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Dataset>, DbError> {
    let (mut cond, mut binds) = where_clause(filter);
    if let Some(a) = after {
        binds.push(a.to_owned());
        cond.push_str(&format!(" AND d.slug > ${}", binds.len()));
    }
    let sql = format!("{SELECT}{cond} ORDER BY d.slug LIMIT {}", limit.max(0));
    let mut q = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql));
    for b in &binds {
        q = q.bind(b);
    }
    let mut conn = db.pool().acquire().await?;
    let rows = q.fetch_all(&mut *conn).await?;
    let list: Vec<Dataset> = rows.into_iter().map(of_row).collect();
    if list.is_empty() {
        return Ok(list);
    }
    // The page's distributions in one query.
    let ids = list
        .iter()
        .map(|d| d.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let dist: Vec<DistRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT dataset_id, title, access_url, download_url, format, media_type, licence \
         FROM dataset_distributions WHERE dataset_id IN ({ids}) ORDER BY dataset_id, position"
    )))
    .fetch_all(&mut *conn)
    .await?;
    let mut list = list;
    for r in dist {
        if let Some(d) = list.iter_mut().find(|d| d.id == r.dataset_id) {
            d.fields.distributions.push(Distribution {
                title: r.title,
                access_url: r.access_url,
                download_url: r.download_url,
                format: r.format,
                media_type: r.media_type,
                licence: r.licence,
            });
        }
    }
    Ok(list)
}

/// A deleted dataset, as the admins' list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Deleted {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub lab_name: String,
    pub deleted_at: String,
}

/// Every deleted dataset, newest deletion first.
pub async fn deleted(db: &Db) -> Result<Vec<Deleted>, DbError> {
    Ok(sqlx::query_as(
        "SELECT d.id, d.slug, d.title, l.name AS lab_name, d.deleted_at FROM datasets d \
         JOIN labs l ON l.id = d.lab_id WHERE d.deleted_at IS NOT NULL \
         ORDER BY d.deleted_at DESC, d.id",
    )
    .fetch_all(db.pool())
    .await?)
}

/// The number of a dataset's newest version, 0 when it has none.
pub async fn latest_version(conn: &mut Connection, id: i64) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) FROM dataset_versions WHERE dataset_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?)
}

/// Touches a dataset's row first in a transaction, so concurrent edits of it wait for
/// each other (PostgreSQL; SQLite's `BEGIN IMMEDIATE` does so anyway).
pub async fn lock(conn: &mut Connection, id: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE datasets SET updated_at = updated_at WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
