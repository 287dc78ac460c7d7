//! The public dialog on needs: comments and replies in Markdown, quoted, edited for a
//! short while by their authors, and held for review when the platform says so.
//!
//! Nesting is bounded: a reply to a comment at [`MAX_DEPTH`] becomes its sibling, so
//! no reply chain, however long, makes a thread deeper than that. Everything a comment
//! changes — the count on the need, its last activity, who follows it, the
//! notifications of its followers — is written in the comment's transaction.

use codefor_storage::accounts::Account;
use codefor_storage::need_comments::{self, Comment};
use codefor_storage::needs::{self, Need};
use codefor_storage::{Connection, Db, DbError};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::accounts::{AccountError, check_and_count, unix_now};
use crate::forms::FieldErrors;
use crate::participation::{self, COMMENT_EDITS_PER_ACCOUNT, COMMENTS_PER_ACCOUNT, Policy};

/// The deepest a reply sits: top-level comments are at depth 0.
pub const MAX_DEPTH: i64 = 6;

/// At most this many characters in one comment.
pub const MAX_CHARS: usize = 5000;

/// Authors may change a comment for this many seconds after posting it.
pub const EDIT_WINDOW: i64 = 15 * 60;

/// Edits within this many seconds of the comment's last kept version are one edit: the
/// text before the first of them is the version kept, the ones in between are not.
pub const MERGE_WINDOW: i64 = 60;

/// The form field of the text.
pub const BODY: &str = "body";

/// The form field naming the comment replied to.
pub const PARENT: &str = "antwort";

/// The name shown for a comment whose account was deleted.
pub const DELETED_ACCOUNT: &str = "Gelöschtes Konto";

/// Public in lists and open for the dialog: submitted, not hidden, not held.
pub fn listed(need: &Need) -> bool {
    need.status != "draft" && need.hidden_reason.is_none() && need.held == 0
}

/// Why a need takes no new comments (or edits), if it does not.
pub fn closed_reason(need: &Need) -> Option<&'static str> {
    if !listed(need) {
        Some("Zu diesem Bedürfnis kann gerade niemand etwas schreiben.")
    } else if need.locked != 0 {
        Some("Die Diskussion ist gesperrt: neue Beiträge und Änderungen sind nicht möglich.")
    } else {
        None
    }
}

/// Where a reply to `parent` goes: under it, or beside it when it sits at
/// [`MAX_DEPTH`] already. Returns the parent's id and the depth.
pub fn placement(parent: Option<&Comment>) -> (Option<i64>, i64) {
    match parent {
        None => (None, 0),
        Some(p) if p.depth >= MAX_DEPTH => (p.parent_id, MAX_DEPTH),
        Some(p) => (Some(p.id), p.depth.max(0) + 1),
    }
}

/// The name a comment is shown with.
pub fn author_name(c: &Comment) -> &str {
    c.author_name.as_deref().unwrap_or(DELETED_ACCOUNT)
}

/// A comment as Markdown quote for a reply: a line naming its author, then each line
/// of the text behind `> `.
pub fn quote(author: &str, body: &str) -> String {
    let mut out = format!("> {author} schrieb:\n>\n");
    for line in body.lines() {
        if line.trim().is_empty() {
            out.push_str(">\n");
        } else {
            out.push_str("> ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push('\n');
    out
}

/// The comments one viewer sees, in the order of the thread (each comment followed by
/// its replies, oldest first), each with its depth. Comments `visible` leaves out are
/// left out with their replies. Iterative: no recursion, whatever the data.
pub fn thread(comments: &[Comment], visible: impl Fn(&Comment) -> bool) -> Vec<(usize, i64)> {
    use std::collections::HashMap;
    let known: HashMap<i64, usize> = comments
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    let mut roots = Vec::new();
    let mut children: HashMap<i64, Vec<usize>> = HashMap::new();
    let mut order: Vec<usize> = (0..comments.len()).collect();
    order.sort_by_key(|&i| comments[i].id);
    for i in order {
        let c = &comments[i];
        match c.parent_id.filter(|p| known.contains_key(p) && *p != c.id) {
            Some(p) => children.entry(p).or_default().push(i),
            None => roots.push(i),
        }
    }
    let mut out = Vec::with_capacity(comments.len());
    let mut stack: Vec<(usize, i64)> = roots.iter().rev().map(|&i| (i, 0)).collect();
    // Each comment is taken once, even if the data held a cycle.
    let mut seen = vec![false; comments.len()];
    while let Some((i, depth)) = stack.pop() {
        if seen[i] || !visible(&comments[i]) {
            continue;
        }
        seen[i] = true;
        out.push((i, depth));
        if let Some(kids) = children.get(&comments[i].id) {
            stack.extend(kids.iter().rev().map(|&k| (k, depth + 1)));
        }
    }
    out
}

/// A comment that was written: its id, and whether it waits for a moderator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub id: i64,
    pub held: bool,
}

/// What someone sends to comment or reply.
#[derive(Debug, Clone, Default)]
pub struct Draft<'a> {
    pub body: &'a str,
    /// The comment replied to.
    pub parent: Option<i64>,
    /// The honeypot field ([`participation::HONEYPOT`]): empty from people.
    pub honeypot: &'a str,
}

/// Someone signed in comments on a need or replies to a comment. Checked: the honeypot,
/// the text ([`participation::markdown_text`]), that the need is open for comments,
/// that the comment replied to is public, the rate limit. The commenter follows the
/// need; a public comment counts, moves the need up in "recently active" and tells the
/// need's followers; a held one waits for a moderator and tells no one yet.
pub async fn post(
    db: &Db,
    policy: Policy,
    account: &Account,
    need: &Need,
    draft: &Draft<'_>,
) -> Result<Posted, AccountError> {
    let mut errors = FieldErrors::default();
    if let Err(e) = participation::check_honeypot(draft.honeypot) {
        errors.0.extend(e.0);
    }
    let body = participation::markdown_text(&mut errors, BODY, "Kommentar", draft.body, MAX_CHARS);
    if let Some(why) = closed_reason(need) {
        errors.add(BODY, why);
    }
    let parent = match draft.parent {
        None => None,
        Some(id) => match need_comments::get(db, need.id, id).await? {
            Some(c) if c.public() => Some(c),
            Some(c) if c.hidden_reason.is_some() => {
                errors.add(
                    PARENT,
                    "Auf einen ausgeblendeten Beitrag kann niemand antworten.",
                );
                None
            }
            Some(_) => {
                errors.add(
                    PARENT,
                    "Auf diesen Beitrag kann erst geantwortet werden, wenn die Moderation ihn \
                     freigegeben hat.",
                );
                None
            }
            None => {
                errors.add(
                    PARENT,
                    "Den Beitrag, auf den du antworten willst, gibt es nicht.",
                );
                None
            }
        },
    };
    errors.into_result(())?;
    check_and_count(db, COMMENTS_PER_ACCOUNT, &account.id.to_string()).await?;
    let held = participation::hold(db, policy, account.id).await?;
    let seed = format!("{}:{}:{}:{body}", need.id, account.id, unix_nanos());
    let body_html = participation::render_comment(&body, &seed);
    let (parent_id, depth) = placement(parent.as_ref());
    let mut tx = db.begin().await?;
    // Locked or hidden meanwhile: nothing is written.
    let current = needs::get_in(&mut tx, need.id).await?;
    if let Some(why) = current.as_ref().map_or(Some(""), closed_reason) {
        let why = if why.is_empty() {
            "Dieses Bedürfnis gibt es nicht mehr."
        } else {
            why
        };
        return Err(FieldErrors::one(BODY, why).into());
    }
    let id = need_comments::create(
        &mut tx,
        &need_comments::New {
            need: need.id,
            parent: parent_id,
            depth,
            author: account.id,
            body: &body,
            body_html: &body_html,
            held,
        },
    )
    .await?;
    needs::follow(&mut tx, need.id, account.id).await?;
    if !held {
        went_public(
            &mut tx,
            need.id,
            id,
            parent_id.is_some(),
            Some(account.id),
            &account.display_name,
            &body,
        )
        .await?;
    }
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await?;
    Ok(Posted { id, held })
}

/// A comment became public (written, or released by a moderator): it counts, the need
/// moves up in "recently active", and the need's followers hear of it (not its author).
pub async fn went_public(
    conn: &mut Connection,
    need: i64,
    comment: i64,
    reply: bool,
    author: Option<i64>,
    author_name: &str,
    body: &str,
) -> Result<(), DbError> {
    need_comments::adjust_count(conn, need, 1).await?;
    needs::touch(conn, need).await?;
    let (kind, summary) = crate::notifications::comment_news(reply, body);
    codefor_storage::notifications::fan_out(
        conn,
        need,
        Some(comment),
        author,
        kind,
        author_name,
        &summary,
        // The discussion comes in pages: this address opens the comment's page.
        &format!("/beduerfnisse/{need}/kommentare?beitrag={comment}#kommentar-{comment}"),
    )
    .await?;
    Ok(())
}

/// When a comment written at `created_at` (RFC 3339) can no longer be edited (Unix
/// seconds); `None` for a time that does not parse.
pub fn editable_until(created_at: &str) -> Option<i64> {
    OffsetDateTime::parse(created_at, &Rfc3339)
        .ok()
        .map(|at| at.unix_timestamp() + EDIT_WINDOW)
}

/// Whether a comment written at `created_at` (RFC 3339) may still be edited at `now`
/// (Unix seconds).
pub fn within_window(created_at: &str, now: i64) -> bool {
    editable_until(created_at).is_some_and(|until| now < until)
}

/// Why a comment cannot be edited by `account` at `now`, if it cannot.
pub fn edit_refused(
    account: &Account,
    need: &Need,
    comment: &Comment,
    now: i64,
) -> Option<&'static str> {
    if comment.author_id != Some(account.id) {
        Some("Nur wer einen Beitrag geschrieben hat, kann ihn bearbeiten.")
    } else if comment.hidden_reason.is_some() {
        Some("Die Moderation hat diesen Beitrag ausgeblendet: er lässt sich nicht mehr ändern.")
    } else if !within_window(&comment.created_at, now) {
        Some(
            "Bearbeiten geht nur in den ersten 15 Minuten nach dem Schreiben. Wenn du etwas \
             ergänzen oder richtigstellen möchtest, schreib eine Antwort.",
        )
    } else {
        closed_reason(need)
    }
}

/// The author changes a comment within [`EDIT_WINDOW`] of posting it; the previous text
/// is kept as a version, unless the last version was kept less than [`MERGE_WINDOW`]
/// ago (then that version, the oldest text of the minute, stands for both). Changes
/// count against [`COMMENT_EDITS_PER_ACCOUNT`].
pub async fn edit(
    db: &Db,
    account: &Account,
    need: &Need,
    comment: &Comment,
    body: &str,
) -> Result<(), AccountError> {
    edit_at(db, account, need, comment, body, unix_now()).await
}

/// [`edit`] at a given moment in Unix seconds (for tests of the window).
pub async fn edit_at(
    db: &Db,
    account: &Account,
    need: &Need,
    comment: &Comment,
    body: &str,
    now: i64,
) -> Result<(), AccountError> {
    let mut errors = FieldErrors::default();
    let body = participation::markdown_text(&mut errors, BODY, "Kommentar", body, MAX_CHARS);
    if let Some(why) = edit_refused(account, need, comment, now) {
        errors.add(BODY, why);
    }
    errors.into_result(())?;
    if comment.body == body {
        return Ok(());
    }
    check_and_count(db, COMMENT_EDITS_PER_ACCOUNT, &account.id.to_string()).await?;
    let seed = format!("{}:{}:{body}", comment.id, unix_nanos());
    let body_html = participation::render_comment(&body, &seed);
    // Two edits at the same moment may both keep a version; nothing is lost then.
    let merge = need_comments::versions(db, comment.id)
        .await?
        .last()
        .and_then(|v| OffsetDateTime::parse(&v.created_at, &Rfc3339).ok())
        .is_some_and(|at| (0..MERGE_WINDOW).contains(&(now - at.unix_timestamp())));
    let mut tx = db.begin().await?;
    // Read again inside the transaction: the text kept is the one replaced.
    let Some(current) = need_comments::get_in(&mut tx, need.id, comment.id).await? else {
        return Err(FieldErrors::one(BODY, "Diesen Beitrag gibt es nicht mehr.").into());
    };
    if let Some(why) = edit_refused(account, need, &current, now) {
        return Err(FieldErrors::one(BODY, why).into());
    }
    if current.body != body {
        let previous = (!merge).then_some(current.body.as_str());
        need_comments::edit(&mut tx, comment.id, previous, &body, &body_html).await?;
        codefor_storage::bump_content_version(&mut tx).await?;
    }
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// Now in nanoseconds since 1970: part of the seed of a comment's id prefix.
fn unix_nanos() -> i128 {
    OffsetDateTime::now_utc().unix_timestamp_nanos()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: i64, parent: Option<i64>, depth: i64) -> Comment {
        Comment {
            id,
            need_id: 1,
            parent_id: parent,
            depth,
            author_id: Some(1),
            author_name: Some("Anna".into()),
            body: format!("Text {id}"),
            body_html: String::new(),
            hidden_reason: None,
            held: 0,
            created_at: "2026-01-01T10:00:00Z".into(),
            edited_at: None,
        }
    }

    #[test]
    fn replies_nest_up_to_the_cap_and_then_go_beside() {
        assert_eq!(placement(None), (None, 0));
        assert_eq!(placement(Some(&comment(5, None, 0))), (Some(5), 1));
        assert_eq!(
            placement(Some(&comment(9, Some(8), MAX_DEPTH))),
            (Some(8), MAX_DEPTH)
        );
        // A long chain never goes deeper than the cap.
        let mut chain = vec![comment(1, None, 0)];
        for id in 2..200 {
            let (parent, depth) = placement(chain.last());
            chain.push(comment(id, parent, depth));
        }
        assert!(chain.iter().all(|c| c.depth <= MAX_DEPTH));
        let placed = thread(&chain, |_| true);
        assert_eq!(placed.len(), chain.len());
        assert!(placed.iter().all(|(_, d)| *d <= MAX_DEPTH));
    }

    #[test]
    fn threads_are_in_reply_order_and_leave_out_what_is_not_visible() {
        let mut hidden = comment(3, Some(1), 1);
        hidden.held = 1;
        let all = vec![
            comment(1, None, 0),
            comment(2, None, 0),
            hidden,
            comment(4, Some(1), 1),
            comment(5, Some(3), 2),
            comment(6, Some(4), 2),
        ];
        let ids: Vec<(i64, i64)> = thread(&all, |c| c.held == 0)
            .into_iter()
            .map(|(i, d)| (all[i].id, d))
            .collect();
        assert_eq!(ids, [(1, 0), (4, 1), (6, 2), (2, 0)]);
    }

    #[test]
    fn quotes_name_the_author_and_mark_every_line() {
        assert_eq!(
            quote("Anna", "Erste Zeile\n\nZweite"),
            "> Anna schrieb:\n>\n> Erste Zeile\n>\n> Zweite\n\n"
        );
    }

    #[test]
    fn the_edit_window_is_fifteen_minutes() {
        let c = "2026-01-01T10:00:00Z";
        let at = editable_until(c).expect("parses") - EDIT_WINDOW;
        assert!(within_window(c, at + 14 * 60));
        assert!(!within_window(c, at + 15 * 60));
        assert!(!within_window("kaputt", at));
    }
}
