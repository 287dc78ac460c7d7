//! Notifications: what happened on followed needs, per recipient, and whether it was
//! mailed.

use crate::util::now;
use crate::{Connection, DbError};

/// One event for every follower of `need` except `actor` (no one hears of their own
/// actions). Followers who want no mail get the notification already marked as mailed.
/// Returns how many were written.
#[allow(clippy::too_many_arguments)]
pub async fn fan_out(
    conn: &mut Connection,
    need: i64,
    actor: Option<i64>,
    kind: &str,
    actor_name: &str,
    summary: &str,
    path: &str,
) -> Result<u64, DbError> {
    let now = now();
    let done = sqlx::query(
        "INSERT INTO notifications (account_id, need_id, kind, actor_name, summary, path, \
         created_at, mailed_at) \
         SELECT f.account_id, f.need_id, $1, $2, $3, $4, $5, \
                CASE WHEN a.notify_mail = 'off' THEN $5 END \
         FROM need_follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.need_id = $6 AND f.account_id <> $7",
    )
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
