//! The rules every public contribution on needs follows — needs and comments alike:
//! spam defence without third-party services (rate limits per account, a honeypot
//! field, bounded links, first posts of new accounts held for review when configured)
//! and the checks of a Markdown text anyone may write.

use codefor_domain::needs::count_links;
use codefor_storage::{Db, DbError};

use crate::accounts::Limit;
use crate::forms::FieldErrors;

/// How the platform treats contributions; set by the operator (`codefor serve`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// Hold the first need or comment of an account for a moderator before it is
    /// public.
    pub hold_first_posts: bool,
}

/// New needs per account and day.
pub const NEEDS_PER_ACCOUNT: Limit = Limit {
    scope: "need-account",
    max: 5,
    window: 24 * 3600,
};

/// Comments per account and hour: a lively discussion fits, a script does not.
pub const COMMENTS_PER_ACCOUNT: Limit = Limit {
    scope: "comment-account",
    max: 30,
    window: 3600,
};

/// Reports per account and day.
pub const REPORTS_PER_ACCOUNT: Limit = Limit {
    scope: "report-account",
    max: 20,
    window: 24 * 3600,
};

/// At most this many links in one need or comment.
pub const MAX_LINKS: usize = 10;

/// The name of the honeypot field: hidden from people (CSS, `aria-hidden`, out of the
/// tab order), filled in by bots that fill every field.
pub const HONEYPOT: &str = "website";

/// Refuses a form whose honeypot field is filled.
pub fn check_honeypot(value: &str) -> Result<(), FieldErrors> {
    if value.trim().is_empty() {
        Ok(())
    } else {
        Err(FieldErrors::one(
            HONEYPOT,
            "Das Formular enthielt ein Feld, das nur Programme ausfüllen. Bitte lade die Seite \
             neu und versuche es noch einmal.",
        ))
    }
}

/// A Markdown text anyone may write: required, at most `max` characters, at most
/// [`MAX_LINKS`] links, no control characters besides line breaks and tabs. Returns
/// the text with Windows line ends made plain.
pub fn markdown_text(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> String {
    let value = value.trim().replace("\r\n", "\n");
    let chars = value.chars().count();
    if value.is_empty() {
        errors.add(field, format!("Bitte fülle „{label}“ aus."));
    } else if chars > max {
        errors.add(
            field,
            format!("„{label}“ darf höchstens {max} Zeichen lang sein – es sind {chars}."),
        );
    } else if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        errors.add(
            field,
            format!("„{label}“ darf keine Steuerzeichen enthalten."),
        );
    }
    let links = count_links(&value);
    if links > MAX_LINKS {
        errors.add(
            field,
            format!(
                "Höchstens {MAX_LINKS} Links pro Beitrag – es sind {links}. So halten wir \
                 Werbung fern."
            ),
        );
    }
    value
}

/// Whether a contribution of this account is held for review: when the policy says
/// so and the account has nothing public yet (no released need or comment).
pub async fn hold(db: &Db, policy: Policy, account: i64) -> Result<bool, DbError> {
    if !policy.hold_first_posts {
        return Ok(false);
    }
    Ok(codefor_storage::needs::released_posts(db, account).await? == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_bounded_in_length_links_and_control_characters() {
        let mut e = FieldErrors::default();
        assert_eq!(
            markdown_text(&mut e, "body", "Text", " a\r\nb ", 100),
            "a\nb"
        );
        assert!(e.is_empty());
        for (text, max) in [
            ("", 100),
            ("x".repeat(101).as_str(), 100),
            ("bell \u{7}", 100),
            (&"https://a.example ".repeat(11), 1000),
        ] {
            let mut e = FieldErrors::default();
            markdown_text(&mut e, "body", "Text", text, max);
            assert!(e.get("body").is_some(), "{text:?}");
        }
        assert!(check_honeypot("").is_ok());
        assert!(check_honeypot("http://spam.example").is_err());
    }
}
