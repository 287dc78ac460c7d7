//! Organizations (administrations above all), their staff accounts, and the projects
//! they use.

use serde::Serialize;

use crate::util::{flag, now};
use crate::{Connection, Db, DbError};

/// An organization as pages show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Organization {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// A key of `codefor_domain::organizations::Kind`.
    pub kind: String,
    /// Federal state key (`"11"`).
    pub state_key: Option<String>,
    /// Amtlicher Gemeindeschlüssel / Regionalschlüssel, digits only.
    pub ags: Option<String>,
    pub website_url: Option<String>,
    /// Confirmed by an admin.
    pub verified: bool,
}

/// What is written for an organization.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub state_key: Option<&'a str>,
    pub ags: Option<&'a str>,
    pub website_url: Option<&'a str>,
}

type Row = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

const COLUMNS: &str = "o.id, o.slug, o.name, o.kind, o.state_key, o.ags, o.website_url, o.verified";

fn of_row((id, slug, name, kind, state_key, ags, website_url, verified): Row) -> Organization {
    Organization {
        id,
        slug,
        name,
        kind,
        state_key,
        ags,
        website_url,
        verified: verified != 0,
    }
}

/// A new organization; `created_by` becomes its first staff member.
pub async fn create(
    conn: &mut Connection,
    slug: &str,
    f: &Fields<'_>,
    created_by: Option<i64>,
) -> Result<i64, DbError> {
    let now = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO organizations (slug, name, kind, state_key, ags, website_url, created_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(slug)
    .bind(f.name)
    .bind(f.kind)
    .bind(f.state_key)
    .bind(f.ags)
    .bind(f.website_url)
    .bind(created_by)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    if let Some(account) = created_by {
        add_member(conn, id, account).await?;
    }
    Ok(id)
}

pub async fn update(conn: &mut Connection, id: i64, f: &Fields<'_>) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE organizations SET name = $1, kind = $2, state_key = $3, ags = $4, \
         website_url = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(f.name)
    .bind(f.kind)
    .bind(f.state_key)
    .bind(f.ags)
    .bind(f.website_url)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_verified(conn: &mut Connection, id: i64, verified: bool) -> Result<(), DbError> {
    sqlx::query("UPDATE organizations SET verified = $1, updated_at = $2 WHERE id = $3")
        .bind(flag(verified))
        .bind(now())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<Organization>, DbError> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM organizations o WHERE o.slug = $1"
    )))
    .bind(slug)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(of_row))
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Organization>, DbError> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM organizations o WHERE o.id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(of_row))
}

/// Every organization, by name.
pub async fn list(db: &Db) -> Result<Vec<Organization>, DbError> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM organizations o ORDER BY o.name, o.id"
    )))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(of_row).collect())
}

/// Every organization, by name, with the number of published projects it uses.
pub async fn list_with_uses(db: &Db) -> Result<Vec<(Organization, i64)>, DbError> {
    let counts: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT u.organization_id, COUNT(*) FROM project_users u \
         JOIN projects p ON p.id = u.project_id \
         WHERE p.deleted_at IS NULL AND p.draft = 0 GROUP BY u.organization_id",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(list(db)
        .await?
        .into_iter()
        .map(|o| {
            let n = counts
                .iter()
                .find(|(id, _)| *id == o.id)
                .map_or(0, |(_, n)| *n);
            (o, n)
        })
        .collect())
}

/// Whether a slug is taken, inside the transaction that will claim it.
pub async fn slug_taken(conn: &mut Connection, slug: &str) -> Result<bool, DbError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations WHERE slug = $1")
        .bind(slug)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

/// The organizations an account is staff of, with since when (for the data export).
pub async fn memberships_of(
    db: &Db,
    account: i64,
) -> Result<Vec<(String, String, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT o.slug, o.name, m.created_at FROM organization_members m \
         JOIN organizations o ON o.id = m.organization_id WHERE m.account_id = $1 \
         ORDER BY o.name",
    )
    .bind(account)
    .fetch_all(db.pool())
    .await?)
}

/// The organizations this account is staff of.
pub async fn of_account(db: &Db, account: i64) -> Result<Vec<Organization>, DbError> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM organizations o JOIN organization_members m \
         ON m.organization_id = o.id WHERE m.account_id = $1 ORDER BY o.name"
    )))
    .bind(account)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(of_row).collect())
}

pub async fn is_member(db: &Db, organization: i64, account: i64) -> Result<bool, DbError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM organization_members WHERE organization_id = $1 AND account_id = $2",
    )
    .bind(organization)
    .bind(account)
    .fetch_one(db.pool())
    .await?;
    Ok(n > 0)
}

pub async fn add_member(
    conn: &mut Connection,
    organization: i64,
    account: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO organization_members (organization_id, account_id, created_at) \
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(organization)
    .bind(account)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Staff of an organization: (account id, display name, e-mail).
pub async fn members(db: &Db, organization: i64) -> Result<Vec<(i64, String, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.display_name, a.email FROM organization_members m \
         JOIN accounts a ON a.id = m.account_id WHERE m.organization_id = $1 \
         ORDER BY a.display_name",
    )
    .bind(organization)
    .fetch_all(db.pool())
    .await?)
}

/// An organization using a project, as the project page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Usage {
    pub organization: Organization,
    pub since: Option<String>,
    pub note: String,
    /// Whether one of the organization's own staff recorded it.
    pub by_staff: bool,
}

/// Records (or updates) that an organization uses a project.
pub async fn record_use(
    conn: &mut Connection,
    project: i64,
    organization: i64,
    since: Option<&str>,
    note: &str,
    recorded_by: Option<i64>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO project_users (project_id, organization_id, since, note, recorded_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (project_id, organization_id) \
         DO UPDATE SET since = excluded.since, note = excluded.note, \
         recorded_by = excluded.recorded_by",
    )
    .bind(project)
    .bind(organization)
    .bind(since)
    .bind(note)
    .bind(recorded_by)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes a use; whether there was one.
pub async fn remove_use(
    conn: &mut Connection,
    project: i64,
    organization: i64,
) -> Result<bool, DbError> {
    let done =
        sqlx::query("DELETE FROM project_users WHERE project_id = $1 AND organization_id = $2")
            .bind(project)
            .bind(organization)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// The organizations that use a project.
pub async fn users_of(db: &Db, project: i64) -> Result<Vec<Usage>, DbError> {
    type UsageRow = (
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        Option<String>,
        String,
        i64,
    );
    let rows: Vec<UsageRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, u.since, u.note, \
         (SELECT COUNT(*) FROM organization_members m WHERE m.organization_id = o.id \
          AND m.account_id = u.recorded_by) \
         FROM project_users u JOIN organizations o ON o.id = u.organization_id \
         WHERE u.project_id = $1 ORDER BY o.name"
    )))
    .bind(project)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, slug, name, kind, state_key, ags, website_url, verified, since, note, staff)| {
                Usage {
                    organization: of_row((
                        id,
                        slug,
                        name,
                        kind,
                        state_key,
                        ags,
                        website_url,
                        verified,
                    )),
                    since,
                    note,
                    by_staff: staff > 0,
                }
            },
        )
        .collect())
}

/// A project an organization uses: (slug, title, since, note).
pub async fn uses_of(
    db: &Db,
    organization: i64,
) -> Result<Vec<(String, String, Option<String>, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT p.slug, p.title, u.since, u.note FROM project_users u \
         JOIN projects p ON p.id = u.project_id WHERE u.organization_id = $1 \
         AND p.deleted_at IS NULL AND p.draft = 0 ORDER BY p.title",
    )
    .bind(organization)
    .fetch_all(db.pool())
    .await?)
}

/// The id of the organization with this slug, read inside a transaction.
pub async fn id_by_slug(conn: &mut Connection, slug: &str) -> Result<Option<i64>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM organizations WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *conn)
            .await?,
    )
}
