//! The roles a project needs ("help wanted") and the people who offered to help.

use serde::Serialize;

use crate::util::{flag, from_json, now};
use crate::{Connection, Db, DbError};

/// A role a project looks for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Role {
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub description: String,
    pub skills: Vec<String>,
    /// `codefor_domain::projects::Commitment` key.
    pub commitment: String,
    /// `codefor_domain::projects::Place` key.
    pub place: String,
    pub open: bool,
}

/// What is written for a role.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub skills: &'a [String],
    pub commitment: &'a str,
    pub place: &'a str,
    pub open: bool,
}

type Row = (i64, i64, String, String, String, String, String, i64);

fn of_row(
    (id, project_id, title, description, skills, commitment, place, open): Row,
) -> Result<Role, DbError> {
    Ok(Role {
        id,
        project_id,
        title,
        description,
        skills: from_json(&skills)?,
        commitment,
        place,
        open: open != 0,
    })
}

const COLUMNS: &str =
    "r.id, r.project_id, r.title, r.description, r.skills_json, r.commitment, r.place, r.open";

pub async fn create(conn: &mut Connection, project: i64, f: &Fields<'_>) -> Result<i64, DbError> {
    let now = now();
    Ok(sqlx::query_scalar(
        "INSERT INTO project_roles (project_id, title, description, skills_json, commitment, \
         place, open, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
         RETURNING id",
    )
    .bind(project)
    .bind(f.title)
    .bind(f.description)
    .bind(serde_json::to_string(f.skills)?)
    .bind(f.commitment)
    .bind(f.place)
    .bind(flag(f.open))
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?)
}

/// Updates a role of this project; whether there was one.
pub async fn update(
    conn: &mut Connection,
    project: i64,
    id: i64,
    f: &Fields<'_>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE project_roles SET title = $1, description = $2, skills_json = $3, \
         commitment = $4, place = $5, open = $6, updated_at = $7 \
         WHERE id = $8 AND project_id = $9",
    )
    .bind(f.title)
    .bind(f.description)
    .bind(serde_json::to_string(f.skills)?)
    .bind(f.commitment)
    .bind(f.place)
    .bind(flag(f.open))
    .bind(now())
    .bind(id)
    .bind(project)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes a role of this project (offers for it stay, for the project in general).
pub async fn delete(conn: &mut Connection, project: i64, id: i64) -> Result<bool, DbError> {
    // An offer for the role becomes a general one (`ON DELETE SET NULL`); one person has
    // at most one general offer per project, so where there is one already, the offer
    // for the role goes instead of colliding with it.
    sqlx::query(
        "DELETE FROM project_help_offers WHERE role_id = $1 AND project_id = $2 \
         AND account_id IN (SELECT g.account_id FROM project_help_offers g \
         WHERE g.project_id = $2 AND g.role_id IS NULL)",
    )
    .bind(id)
    .bind(project)
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query("DELETE FROM project_roles WHERE id = $1 AND project_id = $2")
        .bind(id)
        .bind(project)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// One role of this project.
pub async fn get(db: &Db, project: i64, id: i64) -> Result<Option<Role>, DbError> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM project_roles r WHERE r.id = $1 AND r.project_id = $2"
    )))
    .bind(id)
    .bind(project)
    .fetch_optional(db.pool())
    .await?;
    row.map(of_row).transpose()
}

/// The roles of a project, open ones first.
pub async fn of_project(db: &Db, project: i64) -> Result<Vec<Role>, DbError> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM project_roles r WHERE r.project_id = $1 \
         ORDER BY r.open DESC, r.id"
    )))
    .bind(project)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(of_row).collect()
}

/// An open role with its project, for "Wo kann ich helfen?".
#[derive(Debug, Clone, Serialize)]
pub struct Opening {
    pub role: Role,
    pub project_slug: String,
    pub project_title: String,
    /// Slugs of the project's labs.
    pub labs: Vec<String>,
}

/// Every open role of a published project, newest first.
pub async fn openings(db: &Db) -> Result<Vec<Opening>, DbError> {
    type OpeningRow = (
        i64,
        i64,
        String,
        String,
        String,
        String,
        String,
        i64,
        String,
        String,
    );
    let rows: Vec<OpeningRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, p.slug, p.title FROM project_roles r \
         JOIN projects p ON p.id = r.project_id WHERE r.open = 1 AND p.deleted_at IS NULL \
         AND p.draft = 0 ORDER BY r.id DESC"
    )))
    .fetch_all(db.pool())
    .await?;
    let labs: Vec<(i64, String)> = sqlx::query_as(
        "SELECT pl.project_id, l.slug FROM project_labs pl JOIN labs l ON l.id = pl.lab_id \
         WHERE pl.project_id IN (SELECT project_id FROM project_roles WHERE open = 1)",
    )
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, pid, t, d, s, c, pl, o, slug, title)| {
            Ok(Opening {
                role: of_row((id, pid, t, d, s, c, pl, o))?,
                labs: labs
                    .iter()
                    .filter(|(p, _)| *p == pid)
                    .map(|(_, l)| l.clone())
                    .collect(),
                project_slug: slug,
                project_title: title,
            })
        })
        .collect()
}

/// Someone's offer to help.
#[derive(Debug, Clone, Serialize)]
pub struct Offer {
    pub id: i64,
    pub project_id: i64,
    pub project_slug: String,
    pub project_title: String,
    pub role_id: Option<i64>,
    pub role_title: Option<String>,
    pub account_id: i64,
    pub name: String,
    pub email: String,
    pub message: String,
    pub created_at: String,
}

/// Records an offer; `false` when this person already offered help for this role (or
/// for the project in general).
pub async fn offer(
    conn: &mut Connection,
    project: i64,
    role: Option<i64>,
    account: i64,
    message: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "INSERT INTO project_help_offers (project_id, role_id, account_id, message, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(project)
    .bind(role)
    .bind(account)
    .bind(message)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Withdraws one's own offer.
pub async fn withdraw(conn: &mut Connection, id: i64, account: i64) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM project_help_offers WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(account)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

type OfferRow = (
    i64,
    i64,
    Option<i64>,
    Option<String>,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
);

const OFFER_SELECT: &str = "SELECT o.id, o.project_id, o.role_id, r.title, o.account_id, \
     a.display_name, a.email, o.message, o.created_at, p.slug, p.title \
     FROM project_help_offers o JOIN accounts a ON a.id = o.account_id \
     JOIN projects p ON p.id = o.project_id LEFT JOIN project_roles r ON r.id = o.role_id";

fn offer_of(
    (
        id,
        project_id,
        role_id,
        role_title,
        account_id,
        name,
        email,
        message,
        created_at,
        project_slug,
        project_title,
    ): OfferRow,
) -> Offer {
    Offer {
        id,
        project_id,
        project_slug,
        project_title,
        role_id,
        role_title,
        account_id,
        name,
        email,
        message,
        created_at,
    }
}

/// Offers for a project, newest first (for its leads).
pub async fn offers_for(db: &Db, project: i64) -> Result<Vec<Offer>, DbError> {
    let rows: Vec<OfferRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{OFFER_SELECT} WHERE o.project_id = $1 ORDER BY o.id DESC"
    )))
    .bind(project)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(offer_of).collect())
}

/// Offers a person made (for their account page and export).
pub async fn offers_by(db: &Db, account: i64) -> Result<Vec<Offer>, DbError> {
    let rows: Vec<OfferRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{OFFER_SELECT} WHERE o.account_id = $1 ORDER BY o.id DESC"
    )))
    .bind(account)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(offer_of).collect())
}

/// The e-mail addresses and names of a project's leads: the confirmed accounts leading
/// any of its labs, each once.
pub async fn lead_addresses(db: &Db, project: i64) -> Result<Vec<(String, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT a.email, a.display_name FROM project_labs pl \
         JOIN labs l ON l.id = pl.lab_id AND l.deleted_at IS NULL \
         JOIN lab_memberships m ON m.lab_id = pl.lab_id \
         JOIN accounts a ON a.person_id = m.person_id \
         WHERE pl.project_id = $1 AND m.role = 'lead' AND m.state = 'active' \
         AND a.confirmed_at IS NOT NULL ORDER BY a.email",
    )
    .bind(project)
    .fetch_all(db.pool())
    .await?)
}

/// The id of the project with this slug (for seeding, inside its transaction).
pub async fn project_id(conn: &mut Connection, slug: &str) -> Result<Option<i64>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM projects WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// A published project that shows no sign of life, for a reminder to its leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub id: i64,
    pub slug: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub last_activity: String,
}

/// Published projects that are not obsolete, whose last sign of life is before
/// `before` (`YYYY-MM-DD`) and whose leads were not reminded since `reminded_before`
/// (Unix seconds). Projects with no known sign of life are left alone.
pub async fn stale(db: &Db, before: &str, reminded_before: i64) -> Result<Vec<Stale>, DbError> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, slug, title, last_activity FROM projects \
         WHERE deleted_at IS NULL AND draft = 0 AND last_activity IS NOT NULL \
         AND last_activity < $1 \
         AND (development_status IS NULL OR development_status <> 'obsolete') \
         AND (stale_notified_at IS NULL OR stale_notified_at < $2) ORDER BY id",
    )
    .bind(before)
    .bind(reminded_before)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, slug, title, last_activity)| Stale {
            id,
            slug,
            title,
            last_activity,
        })
        .collect())
}

/// Claims the reminder of this period for a project: `true` for exactly one caller,
/// however many instances ask at once (the conditional update takes the row; a second
/// one finds the condition false once the first commits).
pub async fn claim_stale_notice(
    conn: &mut Connection,
    id: i64,
    now: i64,
    reminded_before: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE projects SET stale_notified_at = $1 WHERE id = $2 \
         AND (stale_notified_at IS NULL OR stale_notified_at < $3)",
    )
    .bind(now)
    .bind(id)
    .bind(reminded_before)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
