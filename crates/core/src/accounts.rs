//! Accounts: registration with e-mail confirmation, sign-in and sessions, password reset,
//! changing address and password, exporting and deleting one's own data.
//!
//! Every function here is one use-case; the web layer only turns forms into calls and
//! results into pages. Rate limits and one-time tokens live in the database, so any
//! number of instances enforce them together.

use codefor_domain::permissions::Viewer;
use codefor_storage::accounts::{self, Account, TokenPurpose};
use codefor_storage::{Db, DbError, attempts, audit, revisions, sessions};
use serde_json::json;

use crate::forms::{self, FieldErrors};
use crate::mail::{Mail, MailError, Mailer};
use crate::secrets::{self, SecretError};

/// How long sessions last: `idle` after the last request, never longer than `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle_secs: i64,
    pub max_secs: i64,
}

impl Default for SessionPolicy {
    fn default() -> SessionPolicy {
        SessionPolicy {
            idle_secs: 14 * DAY,
            max_secs: 30 * DAY,
        }
    }
}

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// A rate limit: at most `max` attempts of `scope` per key within `window` seconds.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub scope: &'static str,
    pub max: i64,
    pub window: i64,
}

/// Failed sign-ins per account (its address) and per client address.
pub const LOGIN_PER_ACCOUNT: Limit = Limit {
    scope: "login-account",
    max: 5,
    window: 15 * MINUTE,
};
pub const LOGIN_PER_ADDRESS: Limit = Limit {
    scope: "login-address",
    max: 20,
    window: 15 * MINUTE,
};
/// Registrations per client address.
pub const REGISTER_PER_ADDRESS: Limit = Limit {
    scope: "register-address",
    max: 5,
    window: HOUR,
};
/// Password-reset and confirmation mails per client address and per account.
pub const MAIL_PER_ADDRESS: Limit = Limit {
    scope: "mail-address",
    max: 5,
    window: HOUR,
};
/// Organizations registered per account (each is a public record).
pub const ORGANIZATIONS_PER_ACCOUNT: Limit = Limit {
    scope: "organization-account",
    max: 5,
    window: DAY,
};
pub const MAIL_PER_ACCOUNT: Limit = Limit {
    scope: "mail-account",
    max: 3,
    window: HOUR,
};

/// Validity of the links sent by mail.
const CONFIRM_TTL: i64 = 2 * DAY;
const RESET_TTL: i64 = HOUR;
const EMAIL_CHANGE_TTL: i64 = DAY;

/// Shown where a deleted account's contributions are listed.
pub const FORMER_MEMBER: &str = "ehemaliges Mitglied";

/// Shown for a deleted account's needs, comments and steps in a need's history.
pub const DELETED_ACCOUNT: &str = "Gelöschtes Konto";

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the form has errors")]
    Invalid(FieldErrors),
    #[error("too many attempts; try again in {minutes} minutes")]
    RateLimited { minutes: i64 },
    #[error("e-mail address not confirmed yet")]
    NotConfirmed,
    #[error("wrong e-mail address or password")]
    BadCredentials,
    #[error("the link is invalid, used or expired")]
    TokenInvalid,
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error("storing a file: {0}")]
    Io(String),
}

impl From<FieldErrors> for AccountError {
    fn from(errors: FieldErrors) -> AccountError {
        AccountError::Invalid(errors)
    }
}

pub fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Refuses when `key` used up `limit`; otherwise counts this attempt.
pub async fn check_and_count(db: &Db, limit: Limit, key: &str) -> Result<(), AccountError> {
    check(db, limit, key).await?;
    attempts::record(db, limit.scope, key, unix_now()).await?;
    Ok(())
}

/// Counts this attempt, then refuses when it is over `limit`; returns the moment
/// recorded (to forget it again after a success).
pub async fn count_then_check(db: &Db, limit: Limit, key: &str) -> Result<i64, AccountError> {
    let now = unix_now();
    attempts::record(db, limit.scope, key, now).await?;
    let used = attempts::count(db, limit.scope, key, now - limit.window).await?;
    if used > limit.max {
        return Err(AccountError::RateLimited {
            minutes: (limit.window + MINUTE - 1) / MINUTE,
        });
    }
    Ok(now)
}

/// Refuses when `key` used up `limit`, without counting.
pub async fn check(db: &Db, limit: Limit, key: &str) -> Result<(), AccountError> {
    let now = unix_now();
    let used = attempts::count(db, limit.scope, key, now - limit.window).await?;
    if used >= limit.max {
        return Err(AccountError::RateLimited {
            minutes: (limit.window + MINUTE - 1) / MINUTE,
        });
    }
    Ok(())
}

/// What a registration form sends.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub password_repeat: String,
}

/// Registers an account and mails a confirmation link. When the address already has an
/// account, its owner gets a mail instead and the answer is the same, so the form does
/// not reveal who has an account.
pub async fn register(
    db: &Db,
    mailer: &Mailer,
    origin: &str,
    form: &Registration,
    client: &str,
) -> Result<(), AccountError> {
    let mut errors = FieldErrors::default();
    let email = forms::email(&mut errors, "email", &form.email);
    let name = forms::required(&mut errors, "display_name", "Name", &form.display_name, 80);
    if let Some(problem) = secrets::password_problem(&form.password, &email) {
        errors.add("password", problem);
    } else if form.password != form.password_repeat {
        errors.add(
            "password_repeat",
            "Die beiden Passwörter stimmen nicht überein.",
        );
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    check_and_count(db, REGISTER_PER_ADDRESS, client).await?;
    // Hashed either way, so the answer takes as long for a known address as for a new one.
    let hash = secrets::hash_password(form.password.clone()).await?;
    if let Some(existing) = accounts::by_email(db, &email).await? {
        if check_and_count(db, MAIL_PER_ACCOUNT, &existing.id.to_string())
            .await
            .is_err()
        {
            return Ok(());
        }
        let mail = Mail {
            to: existing.email.clone(),
            subject: "Du hast schon ein Konto bei Code for Germany".into(),
            body: format!(
                "Hallo {},\n\njemand (vielleicht du) wollte sich gerade mit dieser Adresse neu \
                 registrieren. Du hast aber schon ein Konto.\n\nAnmelden: {origin}/anmelden/\n\
                 Passwort vergessen? {origin}/passwort-vergessen/\n\nWenn du das nicht warst, \
                 kannst du diese Mail ignorieren.\n",
                existing.display_name
            ),
        };
        mailer.send(&mail).await?;
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let Some(id) = accounts::create(&mut tx, &email, &hash, &name, false).await? else {
        // Registered by a parallel request a moment ago.
        return Ok(());
    };
    let token = secrets::random_token()?;
    let now = unix_now();
    accounts::create_token(
        &mut tx,
        &secrets::token_hash(&token),
        id,
        TokenPurpose::Confirm,
        None,
        now,
        now + CONFIRM_TTL,
    )
    .await?;
    codefor_storage::commit(tx).await?;
    mailer
        .send(&confirmation_mail(&email, &name, origin, &token))
        .await?;
    Ok(())
}

fn confirmation_mail(email: &str, name: &str, origin: &str, token: &str) -> Mail {
    Mail {
        to: email.to_owned(),
        subject: "Bitte bestätige deine E-Mail-Adresse".into(),
        body: format!(
            "Hallo {name},\n\nschön, dass du bei Code for Germany mitmachst! Bitte bestätige \
             deine E-Mail-Adresse mit diesem Link (gültig für 48 Stunden):\n\n\
             {origin}/konto/bestaetigen/{token}\n\nWenn du dich nicht registriert hast, \
             kannst du diese Mail ignorieren.\n"
        ),
    }
}

/// Confirms the address of a new account.
pub async fn confirm(db: &Db, token: &str) -> Result<Account, AccountError> {
    let mut tx = db.begin().await?;
    let Some((id, _)) = accounts::take_token(
        &mut tx,
        &secrets::token_hash(token),
        TokenPurpose::Confirm,
        unix_now(),
    )
    .await?
    else {
        return Err(AccountError::TokenInvalid);
    };
    accounts::confirm(&mut tx, id).await?;
    codefor_storage::commit(tx).await?;
    accounts::get(db, id)
        .await?
        .ok_or(AccountError::TokenInvalid)
}

/// A session just opened: the cookie's token and the session's CSRF token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub max_age_secs: i64,
}

/// Signs in. Counts failures per account and per client address and refuses beyond the
/// limits; an unconfirmed account gets its confirmation link again.
pub async fn sign_in(
    db: &Db,
    mailer: &Mailer,
    origin: &str,
    email: &str,
    password: &str,
    client: &str,
    policy: SessionPolicy,
) -> Result<NewSession, AccountError> {
    let email = accounts::normalize_email(email);
    // Counted before the (slow) password check, so that requests sent in parallel cannot
    // all pass the limit before any of them is counted.
    count_then_check(db, LOGIN_PER_ACCOUNT, &email).await?;
    let at = count_then_check(db, LOGIN_PER_ADDRESS, client).await?;
    let credentials = accounts::credentials(db, &email).await?;
    let ok = password.len() <= secrets::PASSWORD_MAX
        && secrets::verify_password(
            password.to_owned(),
            credentials.as_ref().map(|c| c.password_hash.clone()),
        )
        .await;
    let Some(credentials) = credentials.filter(|_| ok) else {
        return Err(AccountError::BadCredentials);
    };
    // A success does not count against the account or the address.
    attempts::clear(db, LOGIN_PER_ACCOUNT.scope, &email).await?;
    attempts::forget(db, LOGIN_PER_ADDRESS.scope, client, at).await?;
    if credentials.confirmed_at.is_none() {
        resend_confirmation(db, mailer, origin, credentials.id, client).await?;
        return Err(AccountError::NotConfirmed);
    }
    open_session(db, credentials.id, policy).await
}

async fn resend_confirmation(
    db: &Db,
    mailer: &Mailer,
    origin: &str,
    account_id: i64,
    client: &str,
) -> Result<(), AccountError> {
    // Quietly skip when the limit is used up: the person still learns they must confirm.
    if check(db, MAIL_PER_ACCOUNT, &account_id.to_string())
        .await
        .is_err()
        || check(db, MAIL_PER_ADDRESS, client).await.is_err()
    {
        return Ok(());
    }
    let Some(account) = accounts::get(db, account_id).await? else {
        return Ok(());
    };
    let now = unix_now();
    attempts::record(db, MAIL_PER_ACCOUNT.scope, &account_id.to_string(), now).await?;
    attempts::record(db, MAIL_PER_ADDRESS.scope, client, now).await?;
    let token = secrets::random_token()?;
    let mut tx = db.begin().await?;
    accounts::create_token(
        &mut tx,
        &secrets::token_hash(&token),
        account_id,
        TokenPurpose::Confirm,
        None,
        now,
        now + CONFIRM_TTL,
    )
    .await?;
    codefor_storage::commit(tx).await?;
    mailer
        .send(&confirmation_mail(
            &account.email,
            &account.display_name,
            origin,
            &token,
        ))
        .await?;
    Ok(())
}

async fn open_session(
    db: &Db,
    account_id: i64,
    policy: SessionPolicy,
) -> Result<NewSession, AccountError> {
    let token = secrets::random_token()?;
    let csrf_token = secrets::random_token()?;
    let now = unix_now();
    let mut tx = db.begin().await?;
    sessions::create(
        &mut tx,
        &secrets::token_hash(&token),
        account_id,
        &csrf_token,
        now,
        now + policy.idle_secs.min(policy.max_secs),
    )
    .await?;
    codefor_storage::commit(tx).await?;
    Ok(NewSession {
        token,
        csrf_token,
        max_age_secs: policy.max_secs,
    })
}

/// The signed-in account behind a session cookie, with its session.
#[derive(Debug, Clone)]
pub struct Current {
    pub account: Account,
    pub session: sessions::Session,
    pub token_hash: String,
}

/// Looks up a session token; extends an idle session (at most once a minute, never past
/// the maximum).
pub async fn current(
    db: &Db,
    token: &str,
    policy: SessionPolicy,
) -> Result<Option<Current>, AccountError> {
    let token_hash = secrets::token_hash(token);
    let now = unix_now();
    let Some(session) = sessions::get(db, &token_hash, now).await? else {
        return Ok(None);
    };
    if session.created_at + policy.max_secs <= now {
        sessions::delete(db, &token_hash).await?;
        return Ok(None);
    }
    let Some(account) = accounts::get(db, session.account_id).await? else {
        return Ok(None);
    };
    if now - session.last_seen_at >= MINUTE {
        let end = (now + policy.idle_secs).min(session.created_at + policy.max_secs);
        sessions::touch(db, &token_hash, now, end).await?;
    }
    Ok(Some(Current {
        account,
        session,
        token_hash,
    }))
}

pub async fn sign_out(db: &Db, token: &str) -> Result<(), AccountError> {
    sessions::delete(db, &secrets::token_hash(token)).await?;
    Ok(())
}

/// Who an account is for the permission rules.
pub async fn viewer(db: &Db, account: &Account) -> Result<Viewer, AccountError> {
    let roles = accounts::lab_roles(db, account.id).await?;
    Ok(Viewer {
        account_id: Some(account.id),
        admin: account.admin(),
        leads: roles.leads,
        member_of: roles.member_of,
    })
}

/// Mails a link to set a new password, when the address has an account. Answers the
/// same either way.
pub async fn request_reset(
    db: &Db,
    mailer: &Mailer,
    origin: &str,
    email: &str,
    client: &str,
) -> Result<(), AccountError> {
    let mut errors = FieldErrors::default();
    let email = forms::email(&mut errors, "email", email);
    errors.into_result(())?;
    check_and_count(db, MAIL_PER_ADDRESS, client).await?;
    let Some(account) = accounts::by_email(db, &email).await? else {
        return Ok(());
    };
    if check_and_count(db, MAIL_PER_ACCOUNT, &account.id.to_string())
        .await
        .is_err()
    {
        // Three reset mails an hour are enough; say nothing more to whoever asks.
        return Ok(());
    }
    let token = secrets::random_token()?;
    let now = unix_now();
    let mut tx = db.begin().await?;
    accounts::create_token(
        &mut tx,
        &secrets::token_hash(&token),
        account.id,
        TokenPurpose::Reset,
        None,
        now,
        now + RESET_TTL,
    )
    .await?;
    codefor_storage::commit(tx).await?;
    mailer
        .send(&Mail {
            to: account.email.clone(),
            subject: "Neues Passwort für Code for Germany".into(),
            body: format!(
                "Hallo {},\n\nmit diesem Link kannst du ein neues Passwort festlegen (gültig \
                 für eine Stunde):\n\n{origin}/passwort-neu/{token}\n\nWenn du das nicht \
                 angefordert hast, kannst du diese Mail ignorieren; dein Passwort bleibt, \
                 wie es ist.\n",
                account.display_name
            ),
        })
        .await?;
    Ok(())
}

/// Whether a reset link is still valid (to show the form or a clear message).
pub async fn reset_token_valid(db: &Db, token: &str) -> Result<bool, AccountError> {
    Ok(accounts::peek_token(
        db,
        &secrets::token_hash(token),
        TokenPurpose::Reset,
        unix_now(),
    )
    .await?
    .is_some())
}

/// Sets a new password from a reset link; signs out every session (the old password
/// may have been known to someone else) and confirms the address (the link proved it).
pub async fn reset_password(
    db: &Db,
    token: &str,
    password: &str,
    repeat: &str,
) -> Result<Account, AccountError> {
    let token_hash = secrets::token_hash(token);
    let Some((id, _)) =
        accounts::peek_token(db, &token_hash, TokenPurpose::Reset, unix_now()).await?
    else {
        return Err(AccountError::TokenInvalid);
    };
    let account = accounts::get(db, id)
        .await?
        .ok_or(AccountError::TokenInvalid)?;
    new_password_errors(password, repeat, &account.email)?;
    let hash = secrets::hash_password(password.to_owned()).await?;
    let mut tx = db.begin().await?;
    if accounts::take_token(&mut tx, &token_hash, TokenPurpose::Reset, unix_now())
        .await?
        .is_none()
    {
        return Err(AccountError::TokenInvalid);
    }
    accounts::set_password(&mut tx, id, &hash).await?;
    accounts::confirm(&mut tx, id).await?;
    sessions::delete_of_account(&mut tx, id, None).await?;
    accounts::expire_tokens(&mut tx, id, unix_now()).await?;
    codefor_storage::commit(tx).await?;
    Ok(account)
}

fn new_password_errors(password: &str, repeat: &str, email: &str) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if let Some(problem) = secrets::password_problem(password, email) {
        errors.add("password", problem);
    } else if password != repeat {
        errors.add(
            "password_repeat",
            "Die beiden Passwörter stimmen nicht überein.",
        );
    }
    errors.into_result(())
}

/// Verifies the current password of a signed-in person before a sensitive change.
async fn require_password(
    db: &Db,
    account: &Account,
    field: &'static str,
    password: &str,
) -> Result<(), AccountError> {
    let key = account.id.to_string();
    let at = count_then_check(db, LOGIN_PER_ACCOUNT, &key).await?;
    let stored = accounts::password_hash(db, account.id).await?;
    if password.len() > secrets::PASSWORD_MAX
        || !secrets::verify_password(password.to_owned(), stored).await
    {
        return Err(FieldErrors::one(field, "Das Passwort stimmt nicht.").into());
    }
    attempts::forget(db, LOGIN_PER_ACCOUNT.scope, &key, at).await?;
    Ok(())
}

/// Changes the password; every other session of the account ends.
pub async fn change_password(
    db: &Db,
    current: &Current,
    old: &str,
    new: &str,
    repeat: &str,
) -> Result<(), AccountError> {
    require_password(db, &current.account, "current_password", old).await?;
    new_password_errors(new, repeat, &current.account.email)?;
    let hash = secrets::hash_password(new.to_owned()).await?;
    let mut tx = db.begin().await?;
    accounts::set_password(&mut tx, current.account.id, &hash).await?;
    sessions::delete_of_account(&mut tx, current.account.id, Some(&current.token_hash)).await?;
    accounts::expire_tokens(&mut tx, current.account.id, unix_now()).await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// Changes the display name.
pub async fn change_name(db: &Db, account: &Account, name: &str) -> Result<(), AccountError> {
    let mut errors = FieldErrors::default();
    let name = forms::required(&mut errors, "display_name", "Name", name, 80);
    errors.into_result(())?;
    let mut tx = db.begin().await?;
    accounts::set_display_name(&mut tx, account.id, &name).await?;
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// Starts a change of address: the new address gets a confirmation link, the old one
/// a notice. Nothing changes until the link is used.
pub async fn request_email_change(
    db: &Db,
    mailer: &Mailer,
    origin: &str,
    account: &Account,
    new_email: &str,
    password: &str,
) -> Result<(), AccountError> {
    let mut errors = FieldErrors::default();
    let new_email = forms::email(&mut errors, "new_email", new_email);
    if errors.is_empty() && accounts::normalize_email(&new_email) == account.email {
        errors.add("new_email", "Das ist schon deine E-Mail-Adresse.");
    }
    errors.into_result(())?;
    require_password(db, account, "email_password", password).await?;
    check_and_count(db, MAIL_PER_ACCOUNT, &account.id.to_string()).await?;
    let token = secrets::random_token()?;
    let now = unix_now();
    let mut tx = db.begin().await?;
    accounts::create_token(
        &mut tx,
        &secrets::token_hash(&token),
        account.id,
        TokenPurpose::Email,
        Some(&new_email),
        now,
        now + EMAIL_CHANGE_TTL,
    )
    .await?;
    codefor_storage::commit(tx).await?;
    mailer
        .send(&Mail {
            to: new_email.clone(),
            subject: "Bitte bestätige deine neue E-Mail-Adresse".into(),
            body: format!(
                "Hallo {},\n\nbitte bestätige deine neue E-Mail-Adresse für Code for Germany \
                 mit diesem Link (gültig für 24 Stunden):\n\n{origin}/konto/email/{token}\n",
                account.display_name
            ),
        })
        .await?;
    mailer
        .send(&Mail {
            to: account.email.clone(),
            subject: "Deine E-Mail-Adresse soll geändert werden".into(),
            body: format!(
                "Hallo {},\n\nfür dein Konto bei Code for Germany wurde eine neue \
                 E-Mail-Adresse angegeben. Sie gilt erst, wenn sie bestätigt ist. Wenn du das \
                 nicht warst, ändere bitte dein Passwort: {origin}/konto/\n",
                account.display_name
            ),
        })
        .await?;
    Ok(())
}

/// Completes a change of address.
pub async fn confirm_email_change(db: &Db, token: &str) -> Result<Account, AccountError> {
    let mut tx = db.begin().await?;
    let Some((id, Some(new_email))) = accounts::take_token(
        &mut tx,
        &secrets::token_hash(token),
        TokenPurpose::Email,
        unix_now(),
    )
    .await?
    else {
        return Err(AccountError::TokenInvalid);
    };
    // Links sent to the old address (a reset) must not work any more.
    accounts::expire_tokens(&mut tx, id, unix_now()).await?;
    if !accounts::set_email(&mut tx, id, &new_email).await? {
        return Err(FieldErrors::one(
            "new_email",
            "Diese E-Mail-Adresse gehört inzwischen zu einem anderen Konto.",
        )
        .into());
    }
    codefor_storage::commit(tx).await?;
    accounts::get(db, id)
        .await?
        .ok_or(AccountError::TokenInvalid)
}

/// Everything the platform stores about a person's account, as JSON.
pub async fn export(db: &Db, account: &Account) -> Result<serde_json::Value, AccountError> {
    let roles = accounts::lab_roles(db, account.id).await?;
    let lab_names = codefor_storage::labs::ids(db).await?;
    let slug_of = |id: &i64| {
        lab_names
            .iter()
            .find(|(lab, _, _)| lab == id)
            .map(|(_, slug, _)| slug.clone())
    };
    let person = match account.person_id {
        Some(id) => person_of(db, id).await?,
        None => None,
    };
    let revisions: Vec<_> = revisions::by_account(db, account.id)
        .await?
        .into_iter()
        .map(|(kind, record, number, at)| {
            json!({ "kind": kind, "record_id": record, "revision": number, "at": at })
        })
        .collect();
    Ok(json!({
        "format": "codefor account export, version 1",
        "exported_at": rfc3339_now(),
        "account": {
            "email": account.email,
            "display_name": account.display_name,
            "admin": account.admin(),
            "confirmed_at": account.confirmed_at,
            "created_at": account.created_at,
            "updated_at": account.updated_at,
        },
        "profile": accounts::profile(db, account.id).await?,
        "person": person,
        "labs": {
            "lead": roles.leads.iter().filter_map(slug_of).collect::<Vec<_>>(),
            "member": roles.member_of.iter().filter_map(slug_of).collect::<Vec<_>>(),
        },
        "open_sessions": sessions::count_of_account(db, account.id, unix_now()).await?,
        "revisions": revisions,
        "lab_proposals": codefor_storage::proposals::of_account(db, account.id).await?,
        "meetup_answers": codefor_storage::meetups::rsvps_of(db, account.id)
            .await?
            .into_iter()
            .map(|r| json!({
                "meetup": format!("/termine/{}/", r.meetup_id),
                "date": r.occurrence,
                "answer": r.answer,
                "waitlisted": r.waitlisted != 0,
                "at": r.created_at,
            }))
            .collect::<Vec<_>>(),
        "calendar_feed_since": codefor_storage::calendars::token_created(db, account.id).await?,
        "help_offers": codefor_storage::project_roles::offers_by(db, account.id)
            .await?
            .into_iter()
            .map(|o| json!({
                "project": format!("/projekte/{}/", o.project_slug),
                "role": o.role_title,
                "message": o.message,
                "at": o.created_at,
            }))
            .collect::<Vec<_>>(),
        "organizations": codefor_storage::organizations::memberships_of(db, account.id)
            .await?
            .into_iter()
            .map(|(slug, name, since)| json!({
                "organization": format!("/organisationen/{slug}/"),
                "name": name,
                "staff_since": since,
            }))
            .collect::<Vec<_>>(),
        "uploads": codefor_storage::uploads::of_account(db, account.id)
            .await?
            .into_iter()
            .map(|(file, at)| json!({ "url": format!("/uploads/{file}"), "at": at }))
            .collect::<Vec<_>>(),
        "participation": participation_export(db, account.id).await?,
    }))
}

/// Needs (and the earlier versions of their texts the account wrote), supports,
/// follows, comments, filed reports, notifications and the mail setting of an account,
/// for its export.
async fn participation_export(db: &Db, account: i64) -> Result<serde_json::Value, AccountError> {
    use codefor_storage::{needs, notifications};
    let need_url = |id: i64| format!("/beduerfnisse/{id}/");
    let dated = |list: Vec<(i64, String)>| -> Vec<serde_json::Value> {
        list.into_iter()
            .map(|(id, at)| json!({ "need": need_url(id), "at": at }))
            .collect()
    };
    let prefs = notifications::mail_prefs(db, account).await?;
    Ok(json!({
        "needs": needs::by_author(db, account)
            .await?
            .into_iter()
            .map(|n| json!({
                "need": need_url(n.id),
                "title": n.title,
                "body": n.body,
                "topic": n.topic,
                "status": n.status,
                "state": n.state_key,
                "municipality": n.municipality,
                "submitted_at": n.submitted_at,
            }))
            .collect::<Vec<_>>(),
        "supports": dated(needs::supported_by(db, account).await?),
        "follows": dated(needs::followed_by(db, account).await?),
        "comments": notifications::comments_by(db, account)
            .await?
            .into_iter()
            .map(|c| json!({
                "need": need_url(c.need_id),
                "comment": c.id,
                "reply_to": c.parent_id,
                "body": c.body,
                "hidden_reason": c.hidden_reason,
                "held_for_review": c.held != 0,
                "at": c.created_at,
                "edited_at": c.edited_at,
            }))
            .collect::<Vec<_>>(),
        "need_versions": notifications::need_versions_by(db, account)
            .await?
            .into_iter()
            .map(|v| json!({
                "need": need_url(v.need_id),
                // The fields as they were before an edit.
                "before": serde_json::from_str::<serde_json::Value>(&v.snapshot)
                    .unwrap_or(serde_json::Value::String(v.snapshot)),
                "replaced_at": v.created_at,
            }))
            .collect::<Vec<_>>(),
        "reports": notifications::reports_by(db, account)
            .await?
            .into_iter()
            .map(|r| json!({
                "need": need_url(r.need_id),
                "comment": r.comment_id,
                "reason": r.reason,
                "at": r.created_at,
                "resolved_at": r.resolved_at,
                "outcome": r.outcome,
            }))
            .collect::<Vec<_>>(),
        "notifications": notifications::all_of(db, account)
            .await?
            .into_iter()
            .map(crate::notifications::readable)
            .map(|n| json!({
                "need": n.need_id.map(need_url),
                "kind": n.kind,
                "by": n.actor_name,
                "summary": n.summary,
                "path": n.path,
                "at": n.created_at,
                "read_at": n.read_at,
                "mailed_at": n.mailed_at,
            }))
            .collect::<Vec<_>>(),
        "mail_setting": prefs.as_ref().map(|p| p.notify_mail.clone()),
        "last_digest_at": prefs.and_then(|p| p.last_digest_at),
    }))
}

async fn person_of(db: &Db, id: i64) -> Result<Option<serde_json::Value>, AccountError> {
    Ok(codefor_storage::people::by_id(db, id)
        .await?
        .map(|(key, name)| json!({ "key": key, "name": name })))
}

fn rfc3339_now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Deletes the account and its personal data (address, password, sessions, tokens,
/// rate-limit counters, drafts and what was held for review and never released).
/// Public contributions stay, attributed to a former member.
pub async fn delete(db: &Db, account: &Account, password: &str) -> Result<(), AccountError> {
    require_password(db, account, "delete_password", password).await?;
    let mut tx = db.begin().await?;
    // Drafts and what is still held for review go (never public, the person's alone);
    // supports go with the support counts of the needs; names in need histories and
    // notifications go (before the audit log forgets who linked which project). Follows
    // and notifications cascade; public needs and comments stay without author.
    codefor_storage::notifications::forget_account(
        &mut tx,
        account.id,
        &account.display_name,
        DELETED_ACCOUNT,
    )
    .await?;
    revisions::anonymize_author(&mut tx, account.id, FORMER_MEMBER).await?;
    audit::anonymize_actor(&mut tx, account.id, FORMER_MEMBER).await?;
    audit::anonymize_target(&mut tx, &account.email, FORMER_MEMBER).await?;
    accounts::anonymize_own_person(&mut tx, account, FORMER_MEMBER).await?;
    // Places the person held go to the first on each waitlist.
    for rsvp in codefor_storage::meetups::rsvps_of(db, account.id).await? {
        if let Some(meetup) = codefor_storage::meetups::get(db, rsvp.meetup_id).await? {
            codefor_storage::meetups::withdraw(
                &mut tx,
                meetup.id,
                &rsvp.occurrence,
                account.id,
                meetup.capacity,
            )
            .await?;
        }
    }
    accounts::delete(&mut tx, account.id).await?;
    audit::record(&mut tx, None, FORMER_MEMBER, "account.delete", "Konto", "").await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    attempts::clear(db, LOGIN_PER_ACCOUNT.scope, &account.email).await?;
    attempts::clear(db, LOGIN_PER_ACCOUNT.scope, &account.id.to_string()).await?;
    attempts::clear(db, MAIL_PER_ACCOUNT.scope, &account.id.to_string()).await?;
    Ok(())
}
