//! Moderation of needs and their dialog: anyone signed in reports a need or a comment;
//! moderators — admins, and the leads of the lab that adopted the need — hide it with a
//! public reason, show it again, lock or open a need's thread, release what was held
//! for review, and dismiss reports. Every moderator action goes to the audit log, and
//! hiding, restoring or releasing something resolves its open reports.
//!
//! Who may moderate which need is `Action::ModerateNeed`; the web layer asks before it
//! calls the functions here.

use codefor_storage::accounts::Account;
use codefor_storage::need_comments::{self, Outcome};
use codefor_storage::needs::{self, Need};
use codefor_storage::{Db, DbError, audit, reports};

use crate::accounts::{AccountError, check_and_count};
use crate::forms::FieldErrors;
use crate::need_comments::author_name;
use crate::participation::REPORTS_PER_ACCOUNT;

/// At most this many characters in a report's reason.
pub const MAX_REPORT: usize = 1000;

/// At most this many characters in the public reason for hiding something.
pub const MAX_HIDE_REASON: usize = 500;

/// The form field of a reason.
pub const REASON: &str = "grund";

/// The form field of the action.
pub const ACTION: &str = "aktion";

/// What a moderator does with a need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NeedAction {
    /// Hide it with a public reason.
    Hide(String),
    Restore,
    /// Lock its thread: no new comments.
    Lock,
    Unlock,
    /// Release it from review.
    Release,
}

/// What a moderator does with a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentAction {
    Hide(String),
    Restore,
    Release,
}

/// The audit log's name of a need or one of its comments.
pub fn target(need: i64, comment: Option<i64>) -> String {
    match comment {
        Some(c) => format!("beduerfnisse/{need}/kommentar/{c}"),
        None => format!("beduerfnisse/{need}"),
    }
}

/// A reason written in a form: required, at most `max` characters, no control
/// characters besides line breaks and tabs.
pub fn reason(errors: &mut FieldErrors, label: &str, value: &str, max: usize) -> String {
    let value = value.trim().replace("\r\n", "\n");
    let chars = value.chars().count();
    if value.is_empty() {
        errors.add(REASON, format!("Bitte fülle „{label}“ aus."));
    } else if chars > max {
        errors.add(
            REASON,
            format!("„{label}“ darf höchstens {max} Zeichen lang sein – es sind {chars}."),
        );
    } else if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        errors.add(
            REASON,
            format!("„{label}“ darf keine Steuerzeichen enthalten."),
        );
    }
    value
}

fn hide_reason(grund: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    let r = reason(
        &mut errors,
        "Begründung (öffentlich)",
        grund,
        MAX_HIDE_REASON,
    );
    errors.into_result(r)
}

fn unknown_action() -> FieldErrors {
    FieldErrors::one(ACTION, "Diese Moderationsaktion gibt es nicht.")
}

/// Reads a need's moderation form: `aktion` is `ausblenden` (with `grund`),
/// `einblenden`, `sperren`, `entsperren` or `freigeben`.
pub fn parse_need_action(aktion: &str, grund: &str) -> Result<NeedAction, FieldErrors> {
    Ok(match aktion.trim() {
        "ausblenden" => NeedAction::Hide(hide_reason(grund)?),
        "einblenden" => NeedAction::Restore,
        "sperren" => NeedAction::Lock,
        "entsperren" => NeedAction::Unlock,
        "freigeben" => NeedAction::Release,
        _ => return Err(unknown_action()),
    })
}

/// Reads a comment's moderation form: `ausblenden` (with `grund`), `einblenden` or
/// `freigeben`.
pub fn parse_comment_action(aktion: &str, grund: &str) -> Result<CommentAction, FieldErrors> {
    Ok(match aktion.trim() {
        "ausblenden" => CommentAction::Hide(hide_reason(grund)?),
        "einblenden" => CommentAction::Restore,
        "freigeben" => CommentAction::Release,
        _ => return Err(unknown_action()),
    })
}

/// Ends a moderator's action: the audit entry, renewed pages, the commit.
async fn done(
    mut tx: codefor_storage::Tx,
    actor: &Account,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), DbError> {
    audit::record(
        &mut tx,
        Some(actor.id),
        &actor.display_name,
        action,
        target,
        detail,
    )
    .await?;
    codefor_storage::bump_content_version(&mut tx).await?;
    codefor_storage::commit(tx).await
}

/// A moderator acts on a need; whether there was one.
pub async fn moderate_need(
    db: &Db,
    actor: &Account,
    need: &Need,
    action: &NeedAction,
) -> Result<bool, AccountError> {
    let mut tx = db.begin().await?;
    let (found, name, detail) = match action {
        NeedAction::Hide(why) => {
            let found = needs::set_hidden(&mut tx, need.id, Some(why)).await?;
            // What waits to be mailed about it is never sent.
            codefor_storage::notifications::withhold_need(&mut tx, need.id).await?;
            reports::resolve_target(&mut tx, need.id, None, actor.id, reports::HIDDEN).await?;
            (found, "need.hide", why.as_str())
        }
        NeedAction::Restore => {
            let found = needs::set_hidden(&mut tx, need.id, None).await?;
            reports::resolve_target(&mut tx, need.id, None, actor.id, reports::KEPT).await?;
            (found, "need.unhide", "")
        }
        NeedAction::Lock => (
            needs::set_locked(&mut tx, need.id, true).await?,
            "need.lock",
            "",
        ),
        NeedAction::Unlock => (
            needs::set_locked(&mut tx, need.id, false).await?,
            "need.unlock",
            "",
        ),
        NeedAction::Release => {
            let found = needs::set_held(&mut tx, need.id, false).await?;
            reports::resolve_target(&mut tx, need.id, None, actor.id, reports::KEPT).await?;
            (found, "need.release", "")
        }
    };
    if !found {
        return Ok(false);
    }
    done(tx, actor, name, &target(need.id, None), detail).await?;
    Ok(true)
}

/// A moderator acts on a comment of a need; whether there was one. The need's count of
/// public comments follows; a released comment tells the need's followers now.
pub async fn moderate_comment(
    db: &Db,
    actor: &Account,
    need: &Need,
    comment: i64,
    action: &CommentAction,
) -> Result<bool, AccountError> {
    let mut tx = db.begin().await?;
    let Some(c) = need_comments::get_in(&mut tx, need.id, comment).await? else {
        return Ok(false);
    };
    let (outcome, name, detail, report_outcome) = match action {
        CommentAction::Hide(why) => {
            let outcome = need_comments::hide(&mut tx, c.id, why).await?;
            // Its notifications are never mailed and no longer quote it.
            codefor_storage::notifications::withhold_comment(&mut tx, c.id).await?;
            (outcome, "comment.hide", why.as_str(), reports::HIDDEN)
        }
        CommentAction::Restore => (
            need_comments::restore(&mut tx, c.id).await?,
            "comment.unhide",
            "",
            reports::KEPT,
        ),
        CommentAction::Release => (
            need_comments::release(&mut tx, c.id).await?,
            "comment.release",
            "",
            reports::KEPT,
        ),
    };
    match outcome {
        Outcome::NowPublic => {
            // Released (or shown again) for the first time: it counts and is news.
            if matches!(action, CommentAction::Release) {
                crate::need_comments::went_public(
                    &mut tx,
                    need.id,
                    c.id,
                    c.parent_id.is_some(),
                    c.author_id,
                    author_name(&c),
                    &c.body,
                )
                .await?;
            } else {
                need_comments::adjust_count(&mut tx, need.id, 1).await?;
            }
        }
        other => need_comments::adjust_count(&mut tx, need.id, other.delta()).await?,
    }
    reports::resolve_target(&mut tx, need.id, Some(c.id), actor.id, report_outcome).await?;
    done(tx, actor, name, &target(need.id, Some(c.id)), detail).await?;
    Ok(true)
}

/// Someone signed in reports a need (`comment` `None`) or one of its comments to the
/// moderators. One open report per person and target is enough.
pub async fn report(
    db: &Db,
    account: &Account,
    need: &Need,
    comment: Option<i64>,
    grund: &str,
) -> Result<(), AccountError> {
    let mut errors = FieldErrors::default();
    let why = reason(&mut errors, "Grund der Meldung", grund, MAX_REPORT);
    match comment {
        None if need.hidden_reason.is_some() => {
            errors.add(
                REASON,
                "Die Moderation hat dieses Bedürfnis schon ausgeblendet.",
            );
        }
        None => {}
        Some(id) => match need_comments::get(db, need.id, id).await? {
            Some(c) if c.hidden_reason.is_some() => {
                errors.add(
                    REASON,
                    "Die Moderation hat diesen Beitrag schon ausgeblendet.",
                );
            }
            Some(_) => {}
            None => errors.add(REASON, "Diesen Beitrag gibt es nicht."),
        },
    }
    errors.into_result(())?;
    check_and_count(db, REPORTS_PER_ACCOUNT, &account.id.to_string()).await?;
    let mut tx = db.begin().await?;
    if !reports::file(&mut tx, need.id, comment, account.id, &why).await? {
        return Err(FieldErrors::one(
            REASON,
            "Du hast das schon gemeldet. Die Moderation sieht es sich an.",
        )
        .into());
    }
    codefor_storage::commit(tx).await?;
    Ok(())
}

/// A moderator dismisses a report: no violation. Whether it was open.
pub async fn dismiss(
    db: &Db,
    actor: &Account,
    report: &reports::Report,
) -> Result<bool, AccountError> {
    let mut tx = db.begin().await?;
    if !reports::resolve(&mut tx, report.id, actor.id, reports::KEPT).await? {
        return Ok(false);
    }
    done(
        tx,
        actor,
        "report.dismiss",
        &target(report.need_id, report.comment_id),
        "kein Verstoß",
    )
    .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_read_from_the_form() {
        assert_eq!(
            parse_need_action("ausblenden", " Werbung "),
            Ok(NeedAction::Hide("Werbung".into()))
        );
        assert!(
            parse_need_action("ausblenden", "  ")
                .expect_err("reason required")
                .get(REASON)
                .is_some()
        );
        assert_eq!(parse_need_action("sperren", ""), Ok(NeedAction::Lock));
        assert_eq!(
            parse_comment_action("freigeben", ""),
            Ok(CommentAction::Release)
        );
        assert!(parse_comment_action("sperren", "").is_err());
        assert!(parse_need_action("löschen", "").is_err());
        let long = "x".repeat(MAX_HIDE_REASON + 1);
        assert!(parse_comment_action("ausblenden", &long).is_err());
        assert_eq!(target(3, Some(9)), "beduerfnisse/3/kommentar/9");
        assert_eq!(target(3, None), "beduerfnisse/3");
    }
}
