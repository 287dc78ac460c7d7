//! Accounts: people who can sign in, their one-time e-mail tokens, and the roles they
//! hold (admin, lead or member of labs through the person they are linked to).

use serde::Serialize;

use crate::util::{flag, now};
use crate::{Connection, Db, DbError};

/// An account as the platform shows it to its owner and to admins. Never carries the
/// password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub is_admin: i64,
    pub confirmed_at: Option<String>,
    pub person_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl Account {
    pub fn admin(&self) -> bool {
        self.is_admin != 0
    }

    pub fn confirmed(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

/// What sign-in needs: the account and its stored password hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub confirmed_at: Option<String>,
}

const COLUMNS: &str =
    "id, email, display_name, is_admin, confirmed_at, person_id, created_at, updated_at";

/// E-mail addresses are compared without regard to case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Creates an account; `Ok(None)` when the address is taken.
pub async fn create(
    conn: &mut Connection,
    email: &str,
    password_hash: &str,
    display_name: &str,
    admin: bool,
) -> Result<Option<i64>, DbError> {
    let now = now();
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO accounts (email, password_hash, display_name, is_admin, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(normalize_email(email))
    .bind(password_hash)
    .bind(display_name)
    .bind(flag(admin))
    .bind(&now)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Account>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

pub async fn by_email(db: &Db, email: &str) -> Result<Option<Account>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE email = $1"
    )))
    .bind(normalize_email(email))
    .fetch_optional(db.pool())
    .await?)
}

pub async fn credentials(db: &Db, email: &str) -> Result<Option<Credentials>, DbError> {
    Ok(
        sqlx::query_as("SELECT id, password_hash, confirmed_at FROM accounts WHERE email = $1")
            .bind(normalize_email(email))
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn password_hash(db: &Db, id: i64) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// All accounts, for the admins' overview.
pub async fn list(db: &Db) -> Result<Vec<Account>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts ORDER BY lower(display_name), id"
    )))
    .fetch_all(db.pool())
    .await?)
}

pub async fn confirm(conn: &mut Connection, id: i64) -> Result<(), DbError> {
    let now = now();
    sqlx::query(
        "UPDATE accounts SET confirmed_at = COALESCE(confirmed_at, $1), updated_at = $1 \
         WHERE id = $2",
    )
    .bind(&now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_password(conn: &mut Connection, id: i64, hash: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Changes the address; `false` when another account has it.
pub async fn set_email(conn: &mut Connection, id: i64, email: &str) -> Result<bool, DbError> {
    let email = normalize_email(email);
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1 AND id <> $2")
            .bind(&email)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    if taken.is_some() {
        return Ok(false);
    }
    sqlx::query("UPDATE accounts SET email = $1, updated_at = $2 WHERE id = $3")
        .bind(&email)
        .bind(now())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

pub async fn set_display_name(conn: &mut Connection, id: i64, name: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE accounts SET display_name = $1, updated_at = $2 WHERE id = $3")
        .bind(name)
        .bind(now())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_admin(conn: &mut Connection, id: i64, admin: bool) -> Result<(), DbError> {
    sqlx::query("UPDATE accounts SET is_admin = $1, updated_at = $2 WHERE id = $3")
        .bind(flag(admin))
        .bind(now())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Links the account to a person named in content (claiming them), or unlinks it.
/// `false` when another account already claimed that person.
pub async fn link_person(
    conn: &mut Connection,
    id: i64,
    person_id: Option<i64>,
) -> Result<bool, DbError> {
    if let Some(person) = person_id {
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM accounts WHERE person_id = $1 AND id <> $2")
                .bind(person)
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        if taken.is_some() {
            return Ok(false);
        }
    }
    sqlx::query("UPDATE accounts SET person_id = $1, updated_at = $2 WHERE id = $3")
        .bind(person_id)
        .bind(now())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// Removes the account with its sessions and tokens (cascade); revisions and audit
/// entries keep their text but lose the link (`ON DELETE SET NULL`).
pub async fn delete(conn: &mut Connection, id: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM accounts WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The labs an account leads and is a member of, through its linked person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabRoles {
    pub leads: Vec<i64>,
    pub member_of: Vec<i64>,
}

pub async fn lab_roles(db: &Db, account_id: i64) -> Result<LabRoles, DbError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT m.lab_id, m.role FROM lab_memberships m \
         JOIN accounts a ON a.person_id = m.person_id \
         WHERE a.id = $1 AND m.state = 'active' ORDER BY m.lab_id",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    let mut roles = LabRoles::default();
    for (lab, role) in &rows {
        if role == "lead" && !roles.leads.contains(lab) {
            roles.leads.push(*lab);
        }
    }
    for (lab, role) in &rows {
        if role == "member" && !roles.leads.contains(lab) && !roles.member_of.contains(lab) {
            roles.member_of.push(*lab);
        }
    }
    Ok(roles)
}

/// Makes the account's person a lead of the lab (creating the person from the display
/// name when the account has none yet). Returns the person id.
pub async fn make_lead(
    conn: &mut Connection,
    account: &Account,
    lab_id: i64,
) -> Result<i64, DbError> {
    add_to_lab(conn, account, lab_id, codefor_domain::people::Role::Lead).await
}

/// Adds the account's person to a lab as lead or member (creating the person from the
/// display name when the account has none yet). Returns the person id.
pub async fn add_to_lab(
    conn: &mut Connection,
    account: &Account,
    lab_id: i64,
    role: codefor_domain::people::Role,
) -> Result<i64, DbError> {
    let person_id = ensure_person(conn, account).await?;
    let position: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position) + 1, 0) FROM lab_memberships WHERE lab_id = $1 AND role = $2",
    )
    .bind(lab_id)
    .bind(role.as_str())
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO lab_memberships (lab_id, person_id, role, state, position, created_at) \
         VALUES ($1, $2, $3, 'active', $4, $5) ON CONFLICT (lab_id, person_id, role) DO NOTHING",
    )
    .bind(lab_id)
    .bind(person_id)
    .bind(role.as_str())
    .bind(position)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(person_id)
}

/// What a one-time token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Confirm the address given at registration.
    Confirm,
    /// Set a new password.
    Reset,
    /// Confirm a new address before it replaces the old one.
    Email,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Confirm => "confirm",
            TokenPurpose::Reset => "reset",
            TokenPurpose::Email => "email",
        }
    }
}

/// Stores a one-time token (its hash) valid until `expires_at` (Unix seconds). Earlier
/// unused tokens of the same purpose stop working: only the newest mail counts.
pub async fn create_token(
    conn: &mut Connection,
    token_hash: &str,
    account_id: i64,
    purpose: TokenPurpose,
    new_email: Option<&str>,
    now: i64,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE account_tokens SET used_at = $1 WHERE account_id = $2 AND purpose = $3 \
         AND used_at IS NULL",
    )
    .bind(now)
    .bind(account_id)
    .bind(purpose.as_str())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, account_id, purpose, new_email, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(account_id)
    .bind(purpose.as_str())
    .bind(new_email.map(normalize_email))
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A token that is still valid (not used, not expired), without using it up.
pub async fn peek_token(
    db: &Db,
    token_hash: &str,
    purpose: TokenPurpose,
    now: i64,
) -> Result<Option<(i64, Option<String>)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT account_id, new_email FROM account_tokens WHERE token_hash = $1 AND purpose = $2 \
         AND used_at IS NULL AND expires_at > $3",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .bind(now)
    .fetch_optional(db.pool())
    .await?)
}

/// Uses a token up: the account (and new address) when it was valid, else `None`. Safe
/// against two requests racing for the same token: only one update succeeds.
pub async fn take_token(
    conn: &mut Connection,
    token_hash: &str,
    purpose: TokenPurpose,
    now: i64,
) -> Result<Option<(i64, Option<String>)>, DbError> {
    Ok(sqlx::query_as(
        "UPDATE account_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 \
         AND used_at IS NULL AND expires_at > $1 RETURNING account_id, new_email",
    )
    .bind(now)
    .bind(token_hash)
    .bind(purpose.as_str())
    .fetch_optional(&mut *conn)
    .await?)
}

/// The profile of an account.
pub async fn profile(
    db: &Db,
    id: i64,
) -> Result<Option<codefor_domain::profiles::Profile>, DbError> {
    let row: Option<(String, Option<String>, String, String, String)> = sqlx::query_as(
        "SELECT bio, sector, skills_json, interests_json, visibility_json FROM accounts \
         WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let Some((bio, sector, skills, interests, visibility)) = row else {
        return Ok(None);
    };
    Ok(Some(codefor_domain::profiles::Profile {
        bio,
        sector: sector
            .as_deref()
            .and_then(codefor_domain::profiles::Sector::parse),
        skills: crate::util::from_json(&skills)?,
        interests: crate::util::from_json(&interests)?,
        visibility: crate::util::from_json(&visibility)?,
    }))
}

pub async fn set_profile(
    conn: &mut Connection,
    id: i64,
    profile: &codefor_domain::profiles::Profile,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE accounts SET bio = $1, sector = $2, skills_json = $3, interests_json = $4, \
         visibility_json = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(&profile.bio)
    .bind(profile.sector.map(|s| s.as_str()))
    .bind(serde_json::to_string(&profile.skills)?)
    .bind(serde_json::to_string(&profile.interests)?)
    .bind(serde_json::to_string(&profile.visibility)?)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The links a person named in content carries (to claim it by a matching address).
pub async fn person_links(db: &Db, person_id: i64) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT links_json FROM people WHERE id = $1")
            .bind(person_id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Makes every unused one-time link of an account stop working (after a password or
/// address change).
pub async fn expire_tokens(
    conn: &mut Connection,
    account_id: i64,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE account_tokens SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Key prefix of the people the platform makes for accounts (content names its people
/// by their names' slugs, which never start like this).
pub const PLATFORM_PERSON: &str = "konto-";

/// After an account is deleted: the person the platform made for it (to list it as a
/// lead) leaves its labs and no longer shows its name; what it wrote stays attributed to
/// `label`. People named in content stay as the content names them.
pub async fn anonymize_own_person(
    conn: &mut Connection,
    account: &Account,
    label: &str,
) -> Result<(), DbError> {
    if let Some(person) = account.person_id {
        sqlx::query(
            "DELETE FROM lab_memberships WHERE person_id = $1 AND person_id IN \
             (SELECT id FROM people WHERE substr(key, 1, length($2)) = $2)",
        )
        .bind(person)
        .bind(PLATFORM_PERSON)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE people SET name = $1, updated_at = $2 WHERE id = $3 \
             AND substr(key, 1, length($4)) = $4",
        )
        .bind(label)
        .bind(now())
        .bind(person)
        .bind(PLATFORM_PERSON)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The person behind an account, made from its display name when it has none yet.
pub async fn ensure_person(conn: &mut Connection, account: &Account) -> Result<i64, DbError> {
    if let Some(p) = account.person_id {
        return Ok(p);
    }
    let now = now();
    // Account ids can come back after a deletion (SQLite reuses the highest one), and the
    // person of a deleted account stays: the moment makes the key unique.
    let key = format!(
        "{PLATFORM_PERSON}{}-{}",
        account.id,
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    );
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO people (key, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
    )
    .bind(&key)
    .bind(&account.display_name)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE accounts SET person_id = $1 WHERE id = $2")
        .bind(id)
        .bind(account.id)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// The account linked to a person, if any.
pub async fn by_person(db: &Db, person_id: i64) -> Result<Option<Account>, DbError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE person_id = $1"
    )))
    .bind(person_id)
    .fetch_optional(db.pool())
    .await?)
}
