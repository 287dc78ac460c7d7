//! The rules every public contribution on needs follows — needs and comments alike:
//! spam defence without third-party services (rate limits per account, a honeypot
//! field, bounded links, first posts of new accounts held for review when configured)
//! and the checks of a Markdown text anyone may write — and how such a text is shown
//! among the page's own elements.

use codefor_content::markdown::{contribution_prefix, contribution_shape, render_contribution};
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

/// Comment edits per account and hour: fixing a typo or two, not rewriting a thread.
pub const COMMENT_EDITS_PER_ACCOUNT: Limit = Limit {
    scope: "comment-edit-account",
    max: 30,
    window: 3600,
};

/// Need edits per account and hour (checked by `needs::update`).
pub const NEED_EDITS_PER_ACCOUNT: Limit = Limit {
    scope: "need-edit-account",
    max: 20,
    window: 3600,
};

/// Reports per account and day.
pub const REPORTS_PER_ACCOUNT: Limit = Limit {
    scope: "report-account",
    max: 20,
    window: 24 * 3600,
};

/// At most this many links in one need or comment: every link a reader sees in the
/// rendered text, however it was written.
pub const MAX_LINKS: usize = 10;

/// At most this many levels of nesting in one text: quotes in quotes, lists in lists,
/// emphasis in emphasis (each kind counted on its own).
pub const MAX_NESTING: usize = 8;

/// Headings in the text of a need start at this level: the page has its title as
/// `<h1>` and its sections as `<h2>`.
pub const NEED_HEADING: u8 = 3;

/// Headings in a comment start at this level: the discussion is an `<h2>` section with
/// `<h3>` parts.
pub const COMMENT_HEADING: u8 = 4;

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
/// [`MAX_LINKS`] links and [`MAX_NESTING`] levels of nesting (both as it will be shown:
/// one parse, one render), no control characters besides line breaks and tabs. Returns
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
    if value.is_empty() {
        return value;
    }
    let shape = contribution_shape(&value, MAX_NESTING);
    if shape.depth > MAX_NESTING {
        errors.add(
            field,
            format!(
                "„{label}“ ist zu tief verschachtelt: höchstens {MAX_NESTING} Ebenen \
                 ineinander (Zitate in Zitaten, Listen in Listen, Hervorhebungen in \
                 Hervorhebungen). Kürze zum Beispiel ältere Zitate."
            ),
        );
    } else if shape.links > MAX_LINKS {
        errors.add(
            field,
            format!(
                "Höchstens {MAX_LINKS} Links pro Beitrag – es sind {}. So halten wir \
                 Werbung fern.",
                shape.links
            ),
        );
    }
    value
}

/// The HTML of a need's text or of its "missing" field: sanitized, links to other sites
/// `nofollow ugc`, headings from [`NEED_HEADING`] on, and every id prefixed with `b` and
/// a hash of the text, so nothing in it can take the place of the page's own ids.
pub fn render_need(text: &str) -> String {
    render_contribution(text, &contribution_prefix('b', text), NEED_HEADING)
}

/// The HTML of a comment, like [`render_need`] with headings from [`COMMENT_HEADING`]
/// on. Its ids get `k` and a hash of `seed`: something that differs for every comment
/// and every edit of it (ids, time, text), so two comments on one page never share one.
pub fn render_comment(text: &str, seed: &str) -> String {
    render_contribution(text, &contribution_prefix('k', seed), COMMENT_HEADING)
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

    fn error(text: &str) -> Option<String> {
        let mut e = FieldErrors::default();
        markdown_text(&mut e, "body", "Kommentar", text, 20_000);
        e.get("body").map(str::to_owned)
    }

    #[test]
    fn links_count_as_shown_however_they_are_written() {
        // Ten links of every spelling pass, one more does not, and the message names
        // the limit.
        let ten = "[a](//a.example/) b@b.example <a href=\"https://c.example\">c</a> \
                   <https://d.example> www.e.example https://f.example [g](mailto:g@g.example) \
                   ![h](https://h.example/h.png) <iframe src=\"https://i.example\"></iframe> \
                   <a href='//j.example'>j</a>";
        assert_eq!(error(ten), None);
        for more in [
            " k@k.example",
            " [k](//k.example)",
            " <a href=\"//k.example\">k</a>",
        ] {
            let message = error(&format!("{ten}{more}")).expect("eleven links are refused");
            assert!(message.contains("Höchstens 10 Links"), "{message}");
        }
        // 40 protocol-relative links, the finding of the review.
        assert!(error(&"[x](//spam.example/) ".repeat(40)).is_some());
        // Footnotes point into the text itself: not links away.
        let notes: String = (1..=12).map(|i| format!("a[^{i}] ")).collect();
        let defs: String = (1..=12).map(|i| format!("\n[^{i}]: n\n")).collect();
        assert_eq!(error(&format!("{notes}\n{defs}")), None);
    }

    #[test]
    fn texts_nested_too_deeply_are_refused() {
        assert_eq!(error(&format!("{}Zitat", "> ".repeat(MAX_NESTING))), None);
        for text in [
            format!("{}Zitat", "> ".repeat(MAX_NESTING + 1)),
            ">".repeat(4900),
            (0..=MAX_NESTING)
                .map(|i| format!("{}- x\n", "  ".repeat(i)))
                .collect(),
            "<div>".repeat(MAX_NESTING + 1),
            "<blockquote>".repeat(1600),
        ] {
            let message = error(&text).expect("refused");
            assert!(message.contains("zu tief verschachtelt"), "{message}");
        }
    }

    #[test]
    fn needs_and_comments_keep_their_ids_and_headings_to_themselves() {
        let text = "# Moderation\n\nText[^1] <span id=\"moderation\">x</span>\n\n[^1]: Note";
        let need = render_need(text);
        let comment = render_comment(text, "7:1");
        for html in [&need, &comment] {
            assert!(!html.contains("id=\"moderation\"") && !html.contains("id=\"fn-1\""));
            assert!(!html.contains("<h1") && !html.contains("<h2"), "{html}");
        }
        assert!(need.contains("<h3>Moderation</h3>"), "{need}");
        assert!(comment.contains("<h4>Moderation</h4>"), "{comment}");
        // The same text in another comment gets other ids.
        let other = render_comment(text, "8:1");
        assert_ne!(comment, other);
        assert_eq!(render_need(text), need);
    }
}
