//! Who belongs to a lab: asking to join, the leads' answer, leaving, co-leads.

use serde::Serialize;

use crate::util::now;
use crate::{Connection, Db, DbError};

/// A person's place in one lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    None,
    Requested,
    Member,
    Lead,
}

/// Where `person` stands in `lab`.
pub async fn standing(db: &Db, lab_id: i64, person_id: i64) -> Result<Standing, DbError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT role, state FROM lab_memberships WHERE lab_id = $1 AND person_id = $2",
    )
    .bind(lab_id)
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    let has = |role: &str, state: &str| rows.iter().any(|(r, s)| r == role && s == state);
    Ok(if has("lead", "active") {
        Standing::Lead
    } else if has("member", "active") {
        Standing::Member
    } else if has("member", "requested") {
        Standing::Requested
    } else {
        Standing::None
    })
}

/// Records a request to join (again: the newer message counts). `false` when the person
/// already belongs to the lab.
pub async fn request(
    conn: &mut Connection,
    lab_id: i64,
    person_id: i64,
    message: Option<&str>,
) -> Result<bool, DbError> {
    let active: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM lab_memberships WHERE lab_id = $1 AND person_id = $2 AND state = 'active'",
    )
    .bind(lab_id)
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?;
    if active > 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO lab_memberships (lab_id, person_id, role, state, position, created_at, message) \
         VALUES ($1, $2, 'member', 'requested', 0, $3, $4) \
         ON CONFLICT (lab_id, person_id, role) DO UPDATE SET message = $4, created_at = $3",
    )
    .bind(lab_id)
    .bind(person_id)
    .bind(now())
    .bind(message)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// A request waiting for the leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Pending {
    pub person_id: i64,
    pub name: String,
    pub message: Option<String>,
    pub created_at: String,
}

pub async fn pending(db: &Db, lab_id: i64) -> Result<Vec<Pending>, DbError> {
    Ok(sqlx::query_as(
        "SELECT p.id AS person_id, p.name, m.message, m.created_at FROM lab_memberships m \
         JOIN people p ON p.id = m.person_id \
         WHERE m.lab_id = $1 AND m.role = 'member' AND m.state = 'requested' ORDER BY m.created_at",
    )
    .bind(lab_id)
    .fetch_all(db.pool())
    .await?)
}

/// Accepts (the person becomes a member) or declines (the request goes) a request;
/// `false` when there was none.
pub async fn decide(
    conn: &mut Connection,
    lab_id: i64,
    person_id: i64,
    accept: bool,
) -> Result<bool, DbError> {
    let sql = if accept {
        "UPDATE lab_memberships SET state = 'active', message = NULL WHERE lab_id = $1 \
         AND person_id = $2 AND role = 'member' AND state = 'requested'"
    } else {
        "DELETE FROM lab_memberships WHERE lab_id = $1 AND person_id = $2 AND role = 'member' \
         AND state = 'requested'"
    };
    let done = sqlx::query(sql)
        .bind(lab_id)
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends a membership (and a pending request); `false` when there was none.
pub async fn leave(conn: &mut Connection, lab_id: i64, person_id: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "DELETE FROM lab_memberships WHERE lab_id = $1 AND person_id = $2 AND role = 'member'",
    )
    .bind(lab_id)
    .bind(person_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Makes a member a co-lead; `false` when the person is not a member.
pub async fn appoint_lead(
    conn: &mut Connection,
    lab_id: i64,
    person_id: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "DELETE FROM lab_memberships WHERE lab_id = $1 AND person_id = $2 AND role = 'member' \
         AND state = 'active'",
    )
    .bind(lab_id)
    .bind(person_id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    let position: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position) + 1, 0) FROM lab_memberships WHERE lab_id = $1 AND role = 'lead'",
    )
    .bind(lab_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO lab_memberships (lab_id, person_id, role, state, position, created_at) \
         VALUES ($1, $2, 'lead', 'active', $3, $4) ON CONFLICT (lab_id, person_id, role) DO NOTHING",
    )
    .bind(lab_id)
    .bind(person_id)
    .bind(position)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// A member as the lab's dashboard and public page list them, with the visibility the
/// linked account chose for its labs (`None`: a person from content, no account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Member {
    pub person_id: i64,
    pub key: String,
    pub name: String,
    pub github: Option<String>,
    pub visibility_json: Option<String>,
}

pub async fn members(db: &Db, lab_id: i64) -> Result<Vec<Member>, DbError> {
    Ok(sqlx::query_as(
        "SELECT p.id AS person_id, p.key, p.name, p.github, a.visibility_json FROM lab_memberships m \
         JOIN people p ON p.id = m.person_id LEFT JOIN accounts a ON a.person_id = p.id \
         WHERE m.lab_id = $1 AND m.role = 'member' AND m.state = 'active' ORDER BY m.position, p.name",
    )
    .bind(lab_id)
    .fetch_all(db.pool())
    .await?)
}

/// The e-mail addresses of the lab's leads who have an account.
pub async fn lead_addresses(db: &Db, lab_id: i64) -> Result<Vec<(String, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT a.email, a.display_name FROM lab_memberships m JOIN accounts a ON a.person_id = m.person_id \
         WHERE m.lab_id = $1 AND m.role = 'lead' AND m.state = 'active' AND a.confirmed_at IS NOT NULL",
    )
    .bind(lab_id)
    .fetch_all(db.pool())
    .await?)
}
