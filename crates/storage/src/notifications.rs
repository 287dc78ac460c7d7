//! Notifications: what happened on followed needs, per recipient, and whether it was
//! mailed; how each person wants to hear of it (`accounts.notify_mail`) and when their
//! last daily digest went out.
//!
//! Mails are claimed before they are sent: a notification by setting its `mailed_at`
//! where it is still `NULL`, a digest by moving the account's `last_digest_at` where it
//! is still due. Whichever instance's update changed the row sends; the others skip it.
//!
//! Hidden content stays out: moderators' hiding withholds notifications
//! ([`withhold_comment`], [`withhold_need`]), and every read joins the comment and the
//! need to leave out (mails) or neutralise (pages) what is hidden at that moment.

use serde::Serialize;
use sqlx::AssertSqlSafe;

use crate::util::now;
use crate::{Connection, Db, DbError};

/// What a notification shows instead of its summary once a moderator hid the comment
/// or the need it is about.
pub const WITHHELD: &str = "Ein Beitrag wurde von der Moderation ausgeblendet.";

/// One event for every follower of `need` except `actor` (no one hears of their own
/// actions); `comment` is the comment it is about, if any, so hiding that comment
/// reaches its notifications. `summary` says what happened without naming anyone
/// (`hat kommentiert: …`): pages and mails put `actor_name` before it, and a deleted
/// account's name is then replaced in one column. Followers who want no mail get the
/// notification already marked as mailed. Returns how many were written.
#[allow(clippy::too_many_arguments)]
pub async fn fan_out(
    conn: &mut Connection,
    need: i64,
    comment: Option<i64>,
    actor: Option<i64>,
    kind: &str,
    actor_name: &str,
    summary: &str,
    path: &str,
) -> Result<u64, DbError> {
    let now = now();
    let done = sqlx::query(
        "INSERT INTO notifications (account_id, need_id, comment_id, kind, actor_name, summary, \
         path, created_at, mailed_at) \
         SELECT f.account_id, f.need_id, $1, $2, $3, $4, $5, $6, \
                CASE WHEN a.notify_mail = 'off' THEN $6 END \
         FROM need_follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.need_id = $7 AND f.account_id <> $8",
    )
    .bind(comment)
    .bind(kind)
    .bind(actor_name)
    .bind(summary)
    .bind(path)
    .bind(&now)
    .bind(need)
    .bind(actor.unwrap_or(0))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// A moderator hid a comment: its notifications are never mailed and no longer quote
/// it. Returns how many there were.
pub async fn withhold_comment(conn: &mut Connection, comment: i64) -> Result<u64, DbError> {
    Ok(sqlx::query(
        "UPDATE notifications SET summary = $1, mailed_at = COALESCE(mailed_at, $2) \
         WHERE comment_id = $3",
    )
    .bind(WITHHELD)
    .bind(now())
    .bind(comment)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// A moderator hid a need: what still waits to be mailed about it never is, and no
/// longer quotes it (what was mailed already is left out on the page while the need
/// stays hidden). Returns how many waited.
pub async fn withhold_need(conn: &mut Connection, need: i64) -> Result<u64, DbError> {
    Ok(sqlx::query(
        "UPDATE notifications SET summary = $1, mailed_at = $2 \
         WHERE need_id = $3 AND mailed_at IS NULL",
    )
    .bind(WITHHELD)
    .bind(now())
    .bind(need)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// The title of the need a notification is about; a need hidden by moderators since
/// does not show its title any more.
const NEED_TITLE: &str = "CASE WHEN d.hidden_reason IS NULL THEN d.title END AS need_title";

/// `text` as an SQL string literal (for constants of this module only).
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A notification as its recipient sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    pub need_id: Option<i64>,
    /// The comment it is about, if any.
    pub comment_id: Option<i64>,
    pub need_title: Option<String>,
    /// What happened: `comment`, `reply`, `status`, `project`, … (the writer decides).
    pub kind: String,
    pub actor_name: String,
    /// What the actor did (`hat kommentiert: …`); [`WITHHELD`] while the comment or the
    /// need it is about is hidden, or when it was withheld at hiding time.
    pub summary: String,
    /// The comment's current text when the summary was withheld at hiding time but
    /// comment and need are public again: the caller writes the summary anew from it.
    pub comment_body: Option<String>,
    /// A path on this site, such as `/beduerfnisse/3/#kommentar-9`.
    pub path: String,
    pub created_at: String,
    pub read_at: Option<String>,
    pub mailed_at: Option<String>,
}

impl Notification {
    /// Whether it stands for something moderators hid (and names nobody).
    pub fn withheld(&self) -> bool {
        self.summary == WITHHELD
    }
}

/// The columns of [`Notification`] over `notifications n`, `needs d` and
/// `need_comments c`. Whether the comment or the need is hidden is read now, not when
/// the notification was written: what moderators restore shows again.
fn columns() -> String {
    let withheld = literal(WITHHELD);
    let hidden = "(d.hidden_reason IS NOT NULL OR c.hidden_reason IS NOT NULL)";
    format!(
        "n.id, n.need_id, n.comment_id, {NEED_TITLE}, n.kind, n.actor_name, \
         CASE WHEN {hidden} THEN {withheld} ELSE n.summary END AS summary, \
         CASE WHEN n.summary = {withheld} AND NOT {hidden} THEN c.body END AS comment_body, \
         n.path, n.created_at, n.read_at, n.mailed_at"
    )
}

const FROM: &str = "FROM notifications n LEFT JOIN needs d ON d.id = n.need_id \
     LEFT JOIN need_comments c ON c.id = n.comment_id";

/// One page of a person's notifications, newest first.
pub async fn of_account(
    db: &Db,
    account: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<Notification>, DbError> {
    let sql = format!(
        "SELECT {} {FROM} WHERE n.account_id = $1 ORDER BY n.id DESC LIMIT {} OFFSET {}",
        columns(),
        limit.max(0),
        offset.max(0)
    );
    // Only constants and integers make up `sql`.
    Ok(sqlx::query_as::<_, Notification>(AssertSqlSafe(sql))
        .bind(account)
        .fetch_all(db.pool())
        .await?)
}

/// How many notifications a person has in all.
pub async fn count(db: &Db, account: i64) -> Result<i64, DbError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE account_id = $1")
            .bind(account)
            .fetch_one(db.pool())
            .await?,
    )
}

/// How many of them are unread.
pub async fn unread(db: &Db, account: i64) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND read_at IS NULL",
    )
    .bind(account)
    .fetch_one(db.pool())
    .await?)
}

/// Marks one of the person's notifications read; its path, or `None` when it is not
/// theirs (or does not exist).
pub async fn mark_read(
    conn: &mut Connection,
    account: i64,
    id: i64,
) -> Result<Option<String>, DbError> {
    Ok(sqlx::query_scalar(
        "UPDATE notifications SET read_at = COALESCE(read_at, $1) \
         WHERE id = $2 AND account_id = $3 RETURNING path",
    )
    .bind(now())
    .bind(id)
    .bind(account)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Marks all of a person's notifications read; how many were unread.
pub async fn mark_all_read(conn: &mut Connection, account: i64) -> Result<u64, DbError> {
    Ok(sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL",
    )
    .bind(now())
    .bind(account)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// How a person hears of what they follow, and when their last digest went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MailPrefs {
    /// A `codefor_domain::needs::MailSetting` key.
    pub notify_mail: String,
    pub last_digest_at: Option<String>,
}

pub async fn mail_prefs(db: &Db, account: i64) -> Result<Option<MailPrefs>, DbError> {
    Ok(
        sqlx::query_as("SELECT notify_mail, last_digest_at FROM accounts WHERE id = $1")
            .bind(account)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Stores a person's mail setting (a `MailSetting` key); with `off`, what waits to be
/// mailed is marked as mailed, so it is never sent later. Whether there was an account.
pub async fn set_mail_setting(
    conn: &mut Connection,
    account: i64,
    setting: &str,
) -> Result<bool, DbError> {
    let now = now();
    let done = sqlx::query("UPDATE accounts SET notify_mail = $1 WHERE id = $2")
        .bind(setting)
        .bind(account)
        .execute(&mut *conn)
        .await?;
    if setting == "off" {
        sqlx::query(
            "UPDATE notifications SET mailed_at = $1 WHERE account_id = $2 AND mailed_at IS NULL",
        )
        .bind(&now)
        .bind(account)
        .execute(&mut *conn)
        .await?;
    }
    Ok(done.rows_affected() == 1)
}

/// A notification waiting to be mailed, with its recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Pending {
    pub id: i64,
    pub account_id: i64,
    pub email: String,
    pub display_name: String,
    pub need_id: Option<i64>,
    pub need_title: Option<String>,
    pub kind: String,
    pub actor_name: String,
    pub summary: String,
    pub path: String,
    pub created_at: String,
}

const PENDING: &str = "SELECT n.id, n.account_id, a.email, a.display_name, n.need_id, \
     CASE WHEN d.hidden_reason IS NULL THEN d.title END AS need_title, n.kind, n.actor_name, \
     n.summary, n.path, n.created_at \
     FROM notifications n JOIN accounts a ON a.id = n.account_id \
     LEFT JOIN needs d ON d.id = n.need_id";

/// What of `notifications n` may be mailed now: not mailed yet, not withheld, and
/// neither its need nor its comment hidden at this moment (what waits on hidden content
/// stays unmailed, and goes out if moderators show it again before the hide marks it).
fn mailable() -> String {
    format!(
        "n.mailed_at IS NULL AND n.summary <> {} \
         AND NOT EXISTS (SELECT 1 FROM needs h WHERE h.id = n.need_id \
                         AND h.hidden_reason IS NOT NULL) \
         AND NOT EXISTS (SELECT 1 FROM need_comments h WHERE h.id = n.comment_id \
                         AND h.hidden_reason IS NOT NULL)",
        literal(WITHHELD)
    )
}

/// Unmailed notifications of confirmed accounts that want one mail per event, by
/// account, oldest first; at most `limit`.
pub async fn pending_immediate(db: &Db, limit: i64) -> Result<Vec<Pending>, DbError> {
    let sql = format!(
        "{PENDING} WHERE {} AND a.notify_mail = 'immediate' \
         AND a.confirmed_at IS NOT NULL ORDER BY n.account_id, n.id LIMIT {}",
        mailable(),
        limit.max(0)
    );
    Ok(sqlx::query_as::<_, Pending>(AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?)
}

/// Claims one notification for mailing: whether this caller won it (it was not
/// mailed yet). Only the winner sends.
pub async fn claim(conn: &mut Connection, id: i64) -> Result<bool, DbError> {
    Ok(
        sqlx::query("UPDATE notifications SET mailed_at = $1 WHERE id = $2 AND mailed_at IS NULL")
            .bind(now())
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// RFC 3339 for the moment `secs` seconds ago, in the format `now()` writes.
fn ago(secs: i64) -> String {
    let then = time::OffsetDateTime::now_utc() - time::Duration::seconds(secs);
    then.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Whose daily digest is due: confirmed accounts with the daily setting, no digest in
/// the last `every_secs` seconds, and something unmailed. Id, address, name; at most
/// `limit`.
pub async fn digests_due(
    db: &Db,
    every_secs: i64,
    limit: i64,
) -> Result<Vec<(i64, String, String)>, DbError> {
    let sql = format!(
        "SELECT a.id, a.email, a.display_name FROM accounts a \
         WHERE a.notify_mail = 'daily' AND a.confirmed_at IS NOT NULL \
         AND (a.last_digest_at IS NULL OR a.last_digest_at <= $1) \
         AND EXISTS (SELECT 1 FROM notifications n WHERE n.account_id = a.id AND {}) \
         ORDER BY a.id LIMIT {}",
        mailable(),
        limit.max(0)
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(ago(every_secs))
        .fetch_all(db.pool())
        .await?)
}

/// Claims an account's digest: moves its `last_digest_at` to now under the same
/// condition that made it due, then reads and marks mailed what may be mailed at this
/// moment (by id; later notifications wait for the next digest). Returns them, oldest
/// first by need; `None` when another caller claimed the digest first or it is no
/// longer due.
pub async fn claim_digest(
    conn: &mut Connection,
    account: i64,
    every_secs: i64,
) -> Result<Option<Vec<Pending>>, DbError> {
    let now = now();
    let claimed = sqlx::query(
        "UPDATE accounts SET last_digest_at = $1 WHERE id = $2 AND notify_mail = 'daily' \
         AND confirmed_at IS NOT NULL AND (last_digest_at IS NULL OR last_digest_at <= $3)",
    )
    .bind(&now)
    .bind(account)
    .bind(ago(every_secs))
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !claimed {
        return Ok(None);
    }
    let sql = format!(
        "{PENDING} WHERE n.account_id = $1 AND {} ORDER BY n.id",
        mailable()
    );
    let items = sqlx::query_as::<_, Pending>(AssertSqlSafe(sql))
        .bind(account)
        .fetch_all(&mut *conn)
        .await?;
    for item in &items {
        sqlx::query(
            "UPDATE notifications SET mailed_at = $1 \
             WHERE id = $2 AND account_id = $3 AND mailed_at IS NULL",
        )
        .bind(&now)
        .bind(item.id)
        .bind(account)
        .execute(&mut *conn)
        .await?;
    }
    Ok(Some(items))
}

/// A need someone follows, for their notifications page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Followed {
    pub need_id: i64,
    pub need_title: Option<String>,
    pub status: String,
    pub since: String,
}

/// The needs an account follows, the most recently followed first.
pub async fn followed(db: &Db, account: i64) -> Result<Vec<Followed>, DbError> {
    let sql = format!(
        "SELECT f.need_id, {NEED_TITLE}, d.status, f.created_at AS since \
         FROM need_follows f JOIN needs d ON d.id = f.need_id \
         WHERE f.account_id = $1 ORDER BY f.created_at DESC, f.need_id DESC"
    );
    Ok(sqlx::query_as::<_, Followed>(AssertSqlSafe(sql))
        .bind(account)
        .fetch_all(db.pool())
        .await?)
}

/// Every notification of an account, oldest first (for its data export).
pub async fn all_of(db: &Db, account: i64) -> Result<Vec<Notification>, DbError> {
    let sql = format!(
        "SELECT {} {FROM} WHERE n.account_id = $1 ORDER BY n.id",
        columns()
    );
    Ok(sqlx::query_as::<_, Notification>(AssertSqlSafe(sql))
        .bind(account)
        .fetch_all(db.pool())
        .await?)
}

/// A comment as its author's data export shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OwnComment {
    pub id: i64,
    pub need_id: i64,
    pub parent_id: Option<i64>,
    pub body: String,
    pub hidden_reason: Option<String>,
    pub held: i64,
    pub created_at: String,
    pub edited_at: Option<String>,
}

/// The comments an account wrote, oldest first (for its data export).
pub async fn comments_by(db: &Db, account: i64) -> Result<Vec<OwnComment>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, need_id, parent_id, body, hidden_reason, held, created_at, edited_at \
         FROM need_comments WHERE author_id = $1 ORDER BY id",
    )
    .bind(account)
    .fetch_all(db.pool())
    .await?)
}

/// A report as its reporter's data export shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OwnReport {
    pub id: i64,
    pub need_id: i64,
    pub comment_id: Option<i64>,
    pub reason: String,
    pub created_at: String,
    pub resolved_at: Option<String>,
    pub outcome: Option<String>,
}

/// The reports an account filed, oldest first (for its data export).
pub async fn reports_by(db: &Db, account: i64) -> Result<Vec<OwnReport>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, need_id, comment_id, reason, created_at, resolved_at, outcome \
         FROM reports WHERE reporter_id = $1 ORDER BY id",
    )
    .bind(account)
    .fetch_all(db.pool())
    .await?)
}

/// An earlier version of a need's text, as the export of whoever wrote it shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OwnVersion {
    pub id: i64,
    pub need_id: i64,
    /// JSON of the fields as they were.
    pub snapshot: String,
    pub created_at: String,
}

/// The earlier versions of need texts an account wrote, oldest first (for its data
/// export).
pub async fn need_versions_by(db: &Db, account: i64) -> Result<Vec<OwnVersion>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, need_id, snapshot, created_at FROM need_versions \
         WHERE account_id = $1 ORDER BY id",
    )
    .bind(account)
    .fetch_all(db.pool())
    .await?)
}

/// Before an account is deleted: what it never made public goes (its drafts, and the
/// needs and comments still held for review, with everything that hangs on them); its
/// supports go, and the needs' counts with them (in the caller's transaction, so
/// counts and rows never disagree); the status history and the notifications it
/// caused no longer name it. Call it before the audit log forgets the account: its
/// entries tell which projects it linked. Follows and its own notifications go with
/// the account (`ON DELETE CASCADE`); its public needs and comments stay without
/// author (`ON DELETE SET NULL`).
pub async fn forget_account(
    conn: &mut Connection,
    account: i64,
    display_name: &str,
    replacement: &str,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM need_comments WHERE author_id = $1 AND held = 1")
        .bind(account)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM needs WHERE author_id = $1 AND (status = 'draft' OR held = 1)")
        .bind(account)
        .execute(&mut *conn)
        .await?;
    // Deleted first: a support taken back at the same moment is counted down once.
    let supported: Vec<i64> =
        sqlx::query_scalar("DELETE FROM need_supports WHERE account_id = $1 RETURNING need_id")
            .bind(account)
            .fetch_all(&mut *conn)
            .await?;
    for need in supported {
        sqlx::query("UPDATE needs SET support_count = support_count - 1 WHERE id = $1")
            .bind(need)
            .execute(&mut *conn)
            .await?;
    }
    // Notifications carry the actor's name, not their id: those on needs the account
    // wrote, commented on, moved or linked a project to are renamed. (Their summaries
    // name nobody.)
    sqlx::query(
        "UPDATE notifications SET actor_name = $1 WHERE actor_name = $2 AND (need_id IN ( \
         SELECT id FROM needs WHERE author_id = $3 \
         UNION SELECT need_id FROM need_comments WHERE author_id = $3 \
         UNION SELECT need_id FROM need_events WHERE actor_id = $3) \
         OR 'beduerfnisse/' || CAST(need_id AS TEXT) IN ( \
         SELECT target FROM audit_log WHERE account_id = $3 \
         AND action = 'need.project.link'))",
    )
    .bind(replacement)
    .bind(display_name)
    .bind(account)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE need_events SET actor_name = $1 WHERE actor_id = $2")
        .bind(replacement)
        .bind(account)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A mail failed: its notifications wait again (the next run retries them), and for a
/// digest the account's day starts over. Nothing waits again for someone who turned
/// mail off in the meantime, nor what moderators withheld since.
pub async fn release(
    conn: &mut Connection,
    account: i64,
    ids: &[i64],
    digest: bool,
) -> Result<(), DbError> {
    for id in ids {
        sqlx::query(
            "UPDATE notifications SET mailed_at = NULL WHERE id = $1 AND account_id = $2 \
             AND summary <> $3 AND EXISTS (SELECT 1 FROM accounts a \
             WHERE a.id = $2 AND a.notify_mail <> 'off')",
        )
        .bind(id)
        .bind(account)
        .bind(WITHHELD)
        .execute(&mut *conn)
        .await?;
    }
    if digest {
        sqlx::query("UPDATE accounts SET last_digest_at = NULL WHERE id = $1")
            .bind(account)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
