//! What network admins do: create admins (also from the command line), reset a
//! password, grant or withdraw roles, link accounts to the people named in content.
//! Every role change goes to the audit log.

use codefor_storage::accounts::{self, Account};
use codefor_storage::{Db, audit, labs, people, sessions};

use crate::accounts::AccountError;
use crate::forms::{self, FieldErrors};
use crate::secrets;

/// Who performs an admin action, for the audit log (`None`: the command line).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub account_id: Option<i64>,
    pub name: &'a str,
}

impl<'a> Actor<'a> {
    pub const COMMAND_LINE: Actor<'static> = Actor {
        account_id: None,
        name: "Kommandozeile",
    };

    pub fn of(account: &'a Account) -> Actor<'a> {
        Actor {
            account_id: Some(account.id),
            name: &account.display_name,
        }
    }
}

/// Creates a confirmed admin account, or makes an existing account an admin. Either way
/// the account gets `password` and every session and mailed link of it ends: whoever
/// registered the address before (and never confirmed it) holds nothing afterwards.
/// Returns the account id.
pub async fn create_admin(
    db: &Db,
    email: &str,
    name: &str,
    password: &str,
) -> Result<i64, AccountError> {
    let mut errors = FieldErrors::default();
    let email = forms::email(&mut errors, "email", email);
    let name = forms::required(&mut errors, "display_name", "Name", name, 80);
    if let Some(problem) = secrets::password_problem(password, &email) {
        errors.add("password", problem);
    }
    errors.into_result(())?;
    let hash = secrets::hash_password(password.to_owned()).await?;
    let existing = accounts::by_email(db, &email).await?;
    let mut tx = db.begin().await?;
    let id = match existing {
        Some(account) => {
            accounts::set_password(&mut tx, account.id, &hash).await?;
            sessions::delete_of_account(&mut tx, account.id, None).await?;
            accounts::expire_tokens(&mut tx, account.id, crate::accounts::unix_now()).await?;
            account.id
        }
        None => accounts::create(&mut tx, &email, &hash, &name, true)
            .await?
            .ok_or_else(|| FieldErrors::one("email", "Diese Adresse ist schon vergeben."))?,
    };
    accounts::set_admin(&mut tx, id, true).await?;
    accounts::confirm(&mut tx, id).await?;
    let actor = Actor::COMMAND_LINE;
    audit::record(
        &mut tx,
        actor.account_id,
        actor.name,
        "role.admin.grant",
        &email,
        "",
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(id)
}

/// Sets a new password for an account and signs out all its sessions.
pub async fn reset_password(db: &Db, email: &str, password: &str) -> Result<(), AccountError> {
    let account = accounts::by_email(db, email)
        .await?
        .ok_or_else(|| FieldErrors::one("email", "Zu dieser Adresse gibt es kein Konto."))?;
    if let Some(problem) = secrets::password_problem(password, &account.email) {
        return Err(FieldErrors::one("password", problem).into());
    }
    let hash = secrets::hash_password(password.to_owned()).await?;
    let mut tx = db.begin().await?;
    accounts::set_password(&mut tx, account.id, &hash).await?;
    sessions::delete_of_account(&mut tx, account.id, None).await?;
    let actor = Actor::COMMAND_LINE;
    audit::record(
        &mut tx,
        actor.account_id,
        actor.name,
        "account.password.reset",
        &account.email,
        "",
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// Grants or withdraws admin rights. The last admin cannot withdraw their own.
pub async fn set_admin(
    db: &Db,
    actor: Actor<'_>,
    account_id: i64,
    admin: bool,
) -> Result<(), AccountError> {
    let target = accounts::get(db, account_id)
        .await?
        .ok_or_else(|| FieldErrors::one("account", "Dieses Konto gibt es nicht."))?;
    if !admin {
        let admins = accounts::list(db)
            .await?
            .iter()
            .filter(|a| a.admin())
            .count();
        if admins <= 1 && target.admin() {
            return Err(FieldErrors::one(
                "account",
                "Das ist das letzte Admin-Konto; ernenne zuerst ein weiteres.",
            )
            .into());
        }
    }
    let mut tx = db.begin().await?;
    accounts::set_admin(&mut tx, account_id, admin).await?;
    let action = if admin {
        "role.admin.grant"
    } else {
        "role.admin.withdraw"
    };
    audit::record(
        &mut tx,
        actor.account_id,
        actor.name,
        action,
        &target.email,
        "",
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// Makes an account a lead of a lab (through its person, created when needed).
pub async fn make_lead(
    db: &Db,
    actor: Actor<'_>,
    account_id: i64,
    lab_slug: &str,
) -> Result<(), AccountError> {
    let target = accounts::get(db, account_id)
        .await?
        .ok_or_else(|| FieldErrors::one("account", "Dieses Konto gibt es nicht."))?;
    let lab = labs::get(db, lab_slug)
        .await?
        .ok_or_else(|| FieldErrors::one("lab", format!("Ein Lab `{lab_slug}` gibt es nicht.")))?;
    let mut tx = db.begin().await?;
    accounts::make_lead(&mut tx, &target, lab.id).await?;
    audit::record(
        &mut tx,
        actor.account_id,
        actor.name,
        "role.lead.grant",
        &target.email,
        lab_slug,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// Links an account to a person named in content (the person is claimed), by the
/// person's key as it appears in URLs and data (`ada-lovelace`).
pub async fn link_person(
    db: &Db,
    actor: Actor<'_>,
    account_id: i64,
    person_key: &str,
) -> Result<(), AccountError> {
    let target = accounts::get(db, account_id)
        .await?
        .ok_or_else(|| FieldErrors::one("account", "Dieses Konto gibt es nicht."))?;
    let (person_id, name) = people::by_key(db, person_key.trim())
        .await?
        .ok_or_else(|| {
            FieldErrors::one(
                "person",
                format!("Eine Person `{person_key}` gibt es nicht."),
            )
        })?;
    let mut tx = db.begin().await?;
    if !accounts::link_person(&mut tx, account_id, Some(person_id)).await? {
        return Err(FieldErrors::one(
            "person",
            format!("{name} gehört schon zu einem anderen Konto."),
        )
        .into());
    }
    audit::record(
        &mut tx,
        actor.account_id,
        actor.name,
        "person.link",
        &target.email,
        person_key,
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// Deletes a record softly (admins); recorded in the audit log as `target`.
pub async fn delete(
    db: &Db,
    actor: Actor<'_>,
    kind: codefor_storage::revisions::Kind,
    id: i64,
    target: &str,
) -> Result<bool, AccountError> {
    let mut tx = db.begin().await?;
    let done = codefor_storage::trash::delete(&mut tx, kind, id).await?;
    if done {
        audit::record(
            &mut tx,
            actor.account_id,
            actor.name,
            &format!("{}.delete", kind.as_str()),
            target,
            "",
        )
        .await?;
        codefor_storage::bump_content_version(&mut tx).await?;
    }
    codefor_storage::commit(tx).await?;
    Ok(done)
}

/// Brings a deleted record back (admins); recorded in the audit log.
pub async fn undelete(
    db: &Db,
    actor: Actor<'_>,
    kind: codefor_storage::revisions::Kind,
    id: i64,
    target: &str,
) -> Result<bool, AccountError> {
    let mut tx = db.begin().await?;
    let done = codefor_storage::trash::restore(&mut tx, kind, id).await?;
    if done {
        audit::record(
            &mut tx,
            actor.account_id,
            actor.name,
            &format!("{}.undelete", kind.as_str()),
            target,
            "",
        )
        .await?;
        codefor_storage::bump_content_version(&mut tx).await?;
    }
    codefor_storage::commit(tx).await?;
    Ok(done)
}
