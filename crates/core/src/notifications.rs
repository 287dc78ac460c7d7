//! Notifications of what happens on followed needs: in the platform (a list per person,
//! unread ones counted in the header) and by mail, as each person chose
//! (`codefor_domain::needs::MailSetting`): one mail per event, one digest a day, or none.
//!
//! Others write notifications with `codefor_storage::notifications::fan_out` in the
//! transaction of their action; the background task [`run`] mails them. A summary says
//! what happened without naming anyone (`hat kommentiert: …`); pages and mails put the
//! actor's name before it. Never a flood: nobody hears of their own actions, a digest
//! goes out at most once in 24 hours, and when many events wait for someone who wants
//! one mail each, they get one mail with all of them. Every mail is claimed in the
//! database before it is sent, so several instances never send one twice; a mail that
//! fails is logged and tried again on the next run.
//!
//! What moderators hide is never mailed: hiding a comment withholds its notifications,
//! hiding a need what waits about it; and whatever is about a comment or need hidden at
//! the moment is left out of mails and shows on the page only as
//! „Ein Beitrag wurde von der Moderation ausgeblendet.“, under „Ausgeblendetes
//! Bedürfnis“. Shown again, it reads as before (a withheld comment from its text).

use codefor_domain::needs::MailSetting;
use codefor_storage::accounts::Account;
use codefor_storage::notifications::{self as store, Pending};
use codefor_storage::{Db, DbError};
use serde::Serialize;

use crate::accounts::AccountError;
use crate::forms::FieldErrors;
use crate::mail::{Mail, Mailer};

/// Notifications per page of the list.
pub const PER_PAGE: i64 = 50;

/// At most one digest per person in this many seconds.
pub const DIGEST_EVERY_SECS: i64 = 24 * 3600;

/// More than this many events waiting at once for someone who wants one mail per
/// event become one mail with all of them.
pub const SEPARATE_MAILS_MAX: usize = 3;

/// Where people change how they hear of what they follow.
pub const SETTINGS_PATH: &str = "/konto/benachrichtigungen/";

/// How many pending mails or digests one run looks at; the rest wait a minute.
const BATCH: i64 = 1000;

/// One page of a person's notifications.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub items: Vec<store::Notification>,
    pub total: i64,
    /// 1-based.
    pub page: i64,
    pub pages: i64,
}

/// The person's notifications, newest first, `PER_PAGE` on page `page` (1-based; out of
/// range means the nearest page that exists).
pub async fn listing(db: &Db, account: i64, page: i64) -> Result<Listing, AccountError> {
    let total = store::count(db, account).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let items = store::of_account(db, account, PER_PAGE, (page - 1) * PER_PAGE)
        .await?
        .into_iter()
        .map(readable)
        .collect();
    Ok(Listing {
        items,
        total,
        page,
        pages,
    })
}

/// A notification as it is shown: one withheld when its comment was hidden gets its
/// summary back from the comment once moderators show it again.
pub fn readable(mut n: store::Notification) -> store::Notification {
    if let Some(body) = n.comment_body.take() {
        n.summary = comment_news(n.kind == "reply", &body).1;
    }
    n
}

/// What a notification says: the actor's name and what they did (`Anna hat
/// kommentiert: …`); only the summary for what moderators withheld.
pub fn headline(n: &store::Notification) -> String {
    if n.withheld() {
        n.summary.clone()
    } else {
        said(&n.actor_name, &n.summary)
    }
}

/// `Anna` and `hat kommentiert: …` → `Anna hat kommentiert: …`.
fn said(actor: &str, summary: &str) -> String {
    let summary = summary.trim();
    match actor.trim() {
        "" => summary.to_owned(),
        actor => format!("{actor} {summary}"),
    }
}

/// The kind and summary of a notification about a comment (or a reply): what it says,
/// without naming its author (pages and mails put the name before it).
pub fn comment_news(reply: bool, body: &str) -> (&'static str, String) {
    let text = comment_excerpt(body);
    if reply {
        ("reply", format!("hat geantwortet: {text}"))
    } else {
        ("comment", format!("hat kommentiert: {text}"))
    }
}

/// The start of a comment, at most 100 characters: its first paragraph without the
/// quote a reply may begin with (lines starting with `>`); for a comment that is only
/// a quote, its first line.
pub fn comment_excerpt(body: &str) -> String {
    const MAX: usize = 100;
    let own: Vec<&str> = body
        .lines()
        .filter(|l| !l.trim_start().starts_with('>'))
        .collect();
    let text = codefor_content::markdown::summary(&own.join("\n"), MAX);
    if !text.is_empty() {
        return text;
    }
    let first = body
        .lines()
        .map(|l| {
            l.trim_start_matches(|c: char| c == '>' || c.is_whitespace())
                .trim()
        })
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    match codefor_content::markdown::summary(first, MAX) {
        text if text.is_empty() => crate::needs::first_line(first, MAX),
        text => text,
    }
}

/// How many unread notifications the person has (for the header). A failing database
/// is logged and counts as none: the header never breaks a page.
pub async fn unread_count(db: &Db, account: i64) -> i64 {
    match store::unread(db, account).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "counting unread notifications failed");
            0
        }
    }
}

/// The person's mail setting.
pub async fn setting(db: &Db, account: i64) -> Result<MailSetting, AccountError> {
    Ok(store::mail_prefs(db, account)
        .await?
        .and_then(|p| MailSetting::parse(&p.notify_mail))
        .unwrap_or_default())
}

/// Reads the setting form's `notify_mail` field.
pub fn parse_setting(value: &str) -> Result<MailSetting, FieldErrors> {
    MailSetting::parse(value.trim()).ok_or_else(|| {
        FieldErrors::one(
            "notify_mail",
            "Bitte wähle, wie du von Neuigkeiten hören möchtest.",
        )
    })
}

/// Saves the person's mail setting. Turning mail off marks what still waits as mailed,
/// so it is never sent later; the other settings leave it for the next run.
pub async fn change_setting(
    db: &Db,
    account: &Account,
    value: &str,
) -> Result<MailSetting, AccountError> {
    let setting = parse_setting(value)?;
    let mut tx = db.begin().await?;
    store::set_mail_setting(&mut tx, account.id, setting.as_str()).await?;
    codefor_storage::commit(tx).await?;
    Ok(setting)
}

/// Marks one of the person's notifications read and returns where it leads: its path
/// when that is a path on this site, else the list. `None` when it is not theirs.
pub async fn open(db: &Db, account: i64, id: i64) -> Result<Option<String>, AccountError> {
    let mut tx = db.begin().await?;
    let path = store::mark_read(&mut tx, account, id).await?;
    codefor_storage::commit(tx).await?;
    Ok(path.map(|p| {
        if is_local(&p) {
            p
        } else {
            SETTINGS_PATH.to_owned()
        }
    }))
}

/// Marks all of the person's notifications read; how many were unread.
pub async fn mark_all_read(db: &Db, account: i64) -> Result<u64, AccountError> {
    let mut tx = db.begin().await?;
    let n = store::mark_all_read(&mut tx, account).await?;
    codefor_storage::commit(tx).await?;
    Ok(n)
}

/// A path on this site: one leading slash (`//host` is another site), visible ASCII,
/// no backslash (browsers read `/\host` as `//host`).
pub fn is_local(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// Mails every unmailed notification of confirmed accounts that want one mail per
/// event: one mail each, or one mail with all of them when more than
/// [`SEPARATE_MAILS_MAX`] wait for the same person. Each notification is claimed before
/// it is sent. Returns how many mails went out.
pub async fn send_immediate(db: &Db, mailer: &Mailer, origin: &str) -> Result<usize, AccountError> {
    let origin = origin.trim_end_matches('/');
    let pending = store::pending_immediate(db, BATCH).await?;
    let mut sent = 0;
    for group in pending.chunk_by(|a, b| a.account_id == b.account_id) {
        // Claimed in one transaction per person, before anything is sent.
        let mut tx = db.begin().await?;
        let mut won = Vec::new();
        for item in group {
            if store::claim(&mut tx, item.id).await? {
                won.push(item);
            }
        }
        codefor_storage::commit(tx).await?;
        let mails: Vec<(Mail, Vec<i64>)> = if won.len() > SEPARATE_MAILS_MAX {
            vec![(
                collected(&won, origin, Collected::Burst),
                won.iter().map(|i| i.id).collect(),
            )]
        } else {
            won.iter()
                .map(|item| (single(item, origin), vec![item.id]))
                .collect()
        };
        for (mail, ids) in mails {
            if deliver(mailer, &mail).await {
                sent += 1;
            } else {
                retry_later(db, group[0].account_id, &ids, false).await?;
            }
        }
    }
    Ok(sent)
}

/// Sends the daily digest of every confirmed account with the daily setting whose last
/// digest is at least 24 hours old and who has unmailed notifications: one mail with
/// all of them, grouped by need. The digest is claimed (the account's `last_digest_at`
/// moved under the same condition) and its notifications marked mailed in one
/// transaction before the mail is sent. Returns how many digests went out.
pub async fn send_digests(db: &Db, mailer: &Mailer, origin: &str) -> Result<usize, AccountError> {
    let origin = origin.trim_end_matches('/');
    let mut sent = 0;
    for (account, _, _) in store::digests_due(db, DIGEST_EVERY_SECS, BATCH).await? {
        let mut tx = db.begin().await?;
        let Some(items) = store::claim_digest(&mut tx, account, DIGEST_EVERY_SECS).await? else {
            continue;
        };
        if items.is_empty() {
            // Nothing left to send: the claim is rolled back, the 24 hours do not start.
            continue;
        }
        codefor_storage::commit(tx).await?;
        let refs: Vec<&Pending> = items.iter().collect();
        if deliver(mailer, &collected(&refs, origin, Collected::Digest)).await {
            sent += 1;
        } else {
            let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
            retry_later(db, account, &ids, true).await?;
        }
    }
    Ok(sent)
}

/// After a failed mail: its notifications are sent on the next run (a digest too).
async fn retry_later(db: &Db, account: i64, ids: &[i64], digest: bool) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    store::release(&mut tx, account, ids, digest).await?;
    codefor_storage::commit(tx).await
}

/// Sends one mail; a failure is logged (the caller lets the next run try again).
async fn deliver(mailer: &Mailer, mail: &Mail) -> bool {
    match mailer.send(mail).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, subject = %mail.subject, "a notification mail failed");
            false
        }
    }
}

/// The background task: every minute mails what waits for people who want one mail per
/// event, and the digests that are due (at most one a day per person). Errors are
/// logged; the next minute tries again.
pub async fn run(db: Db, mailer: Mailer, origin: String) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match send_immediate(&db, &mailer, &origin).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(mails = n, "sent notification mails"),
            Err(e) => tracing::warn!(error = %e, "sending notification mails failed"),
        }
        match send_digests(&db, &mailer, &origin).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(digests = n, "sent daily digests"),
            Err(e) => tracing::warn!(error = %e, "sending daily digests failed"),
        }
    }
}

/// What happened, for a subject line.
fn what(kind: &str) -> &'static str {
    match kind {
        "comment" => "Neuer Kommentar",
        "reply" => "Neue Antwort",
        "status" => "Neuer Stand",
        "project" => "Neues Projekt",
        _ => "Neuigkeit",
    }
}

/// The need's title as mails quote it.
fn title(item: &Pending) -> String {
    match &item.need_title {
        Some(t) => format!("„{}“", one_line(t)),
        None => "ein Bedürfnis, das gerade ausgeblendet ist".to_owned(),
    }
}

/// Control characters (line breaks) become spaces: for subjects and titles.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// `10.03.2026 um 14:05 Uhr` in Berlin time; anything unreadable as it is.
fn when(moment: &str) -> String {
    let Ok(ts) = moment.parse::<jiff::Timestamp>() else {
        return moment.to_owned();
    };
    let Ok(zone) = jiff::tz::TimeZone::get("Europe/Berlin") else {
        return moment.to_owned();
    };
    ts.to_zoned_datetime(zone)
        .strftime("%d.%m.%Y um %H:%M Uhr")
        .to_string()
}

/// The absolute link of a notification (its list when the path is not on this site).
fn link(origin: &str, path: &str) -> String {
    if is_local(path) {
        format!("{origin}{path}")
    } else {
        format!("{origin}{SETTINGS_PATH}")
    }
}

fn footer(origin: &str, why: &str) -> String {
    format!(
        "\n-- \n{why}\nOb und wie oft wir dir schreiben, stellst du hier ein: \
         {origin}{SETTINGS_PATH}\n"
    )
}

/// Several lines of a summary, indented under its item.
fn indented(text: &str) -> String {
    text.trim().lines().collect::<Vec<_>>().join("\n  ")
}

/// One mail for one event.
fn single(item: &Pending, origin: &str) -> Mail {
    let title = title(item);
    Mail {
        to: item.email.clone(),
        subject: one_line(&format!("{} zu {title}", what(&item.kind))),
        body: format!(
            "Hallo {},\n\nes gibt Neues bei {title}:\n\n{}\n({})\n\nZum Nachlesen: {}\n{}",
            item.display_name,
            said(&item.actor_name, &item.summary),
            when(&item.created_at),
            link(origin, &item.path),
            footer(
                origin,
                "Du bekommst diese Mail, weil du diesem Bedürfnis folgst und sofort von \
                 Neuigkeiten hören möchtest."
            ),
        ),
    }
}

#[derive(Clone, Copy)]
enum Collected {
    /// The daily digest.
    Digest,
    /// Many events at once for someone who wants one mail per event.
    Burst,
}

/// One mail with several events of one person, grouped by need (in the order their
/// first event happened).
fn collected(items: &[&Pending], origin: &str, kind: Collected) -> Mail {
    let mut groups: Vec<(Option<i64>, Vec<&Pending>)> = Vec::new();
    for item in items {
        match groups.iter_mut().find(|(need, _)| *need == item.need_id) {
            Some((_, list)) => list.push(item),
            None => groups.push((item.need_id, vec![item])),
        }
    }
    let mut text = String::new();
    for (_, list) in &groups {
        let Some(first) = list.first() else { continue };
        let title = title(first);
        let mut heading = title.clone();
        if let Some(c) = heading.get_mut(0..1) {
            c.make_ascii_uppercase();
        }
        text.push_str(&format!("{heading}\n"));
        for item in list {
            text.push_str(&format!(
                "- {}: {}\n  {}\n",
                when(&item.created_at),
                indented(&said(&item.actor_name, &item.summary)),
                link(origin, &item.path)
            ));
        }
        text.push('\n');
    }
    let count = items.len();
    let news = if count == 1 {
        "1 Neuigkeit".to_owned()
    } else {
        format!("{count} Neuigkeiten")
    };
    let subject = match groups.as_slice() {
        [(_, list)] => format!(
            "{news} zu {}",
            list.first().map(|i| title(i)).unwrap_or_default()
        ),
        _ => format!("{news} zu {} Bedürfnissen, denen du folgst", groups.len()),
    };
    let (intro, why) = match kind {
        Collected::Digest => (
            "das ist seit deiner letzten Zusammenfassung bei den Bedürfnissen passiert, \
             denen du folgst:",
            "Du bekommst diese Zusammenfassung höchstens einmal am Tag, weil du diesen \
             Bedürfnissen folgst.",
        ),
        Collected::Burst => (
            "bei den Bedürfnissen, denen du folgst, ist gerade viel los. Damit dein \
             Postfach nicht überläuft, kommt alles in dieser einen Mail:",
            "Du bekommst diese Mail, weil du diesen Bedürfnissen folgst und sofort von \
             Neuigkeiten hören möchtest.",
        ),
    };
    let name = items.first().map(|i| i.display_name.as_str()).unwrap_or("");
    Mail {
        to: items.first().map(|i| i.email.clone()).unwrap_or_default(),
        subject: one_line(&subject),
        body: format!("Hallo {name},\n\n{intro}\n\n{text}{}", footer(origin, why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i64, need: i64, title: &str, summary: &str) -> Pending {
        Pending {
            id,
            account_id: 1,
            email: "a@example.org".into(),
            display_name: "Ada".into(),
            need_id: Some(need),
            need_title: Some(title.into()),
            kind: "comment".into(),
            actor_name: "Bea".into(),
            summary: summary.into(),
            path: format!("/beduerfnisse/{need}/#kommentar-{id}"),
            created_at: "2026-03-10T13:05:00Z".into(),
        }
    }

    #[test]
    fn a_digest_groups_by_need_and_links_everything() {
        let a = item(1, 7, "Radwege", "hat kommentiert: Erster");
        let b = item(2, 8, "Parkbänke", "hat kommentiert: Zweiter");
        let c = item(3, 7, "Radwege", "hat kommentiert: Dritter\nmit zwei Zeilen");
        let mail = collected(&[&a, &b, &c], "https://x.example", Collected::Digest);
        assert_eq!(mail.to, "a@example.org");
        assert_eq!(
            mail.subject,
            "3 Neuigkeiten zu 2 Bedürfnissen, denen du folgst"
        );
        let radwege = mail.body.find("„Radwege“").expect("first need");
        let park = mail.body.find("„Parkbänke“").expect("second need");
        let third = mail.body.find("Dritter").expect("third item");
        assert!(radwege < third && third < park, "{}", mail.body);
        assert!(
            mail.body
                .contains("- 10.03.2026 um 14:05 Uhr: Bea hat kommentiert: Erster\n"),
            "{}",
            mail.body
        );
        assert_eq!(mail.body.matches("Bea").count(), 3, "once per item");
        assert!(mail.body.contains("Dritter\n  mit zwei Zeilen"));
        assert!(
            mail.body
                .contains("https://x.example/beduerfnisse/8/#kommentar-2")
        );
        assert!(
            mail.body
                .contains("https://x.example/konto/benachrichtigungen/")
        );
    }

    #[test]
    fn a_single_mail_names_the_need_and_what_happened() {
        let mut a = item(1, 7, "Radwege\nneu", "hat kommentiert: Ein Kommentar");
        let mail = single(&a, "https://x.example");
        assert_eq!(mail.subject, "Neuer Kommentar zu „Radwege neu“");
        assert!(
            mail.body
                .contains("Bea hat kommentiert: Ein Kommentar\n(10.03.2026 um 14:05 Uhr)")
        );
        assert_eq!(mail.body.matches("Bea").count(), 1, "{}", mail.body);
        a.path = "//evil.example/".into();
        assert!(
            single(&a, "https://x.example")
                .body
                .contains("Zum Nachlesen: https://x.example/konto/benachrichtigungen/")
        );
    }

    #[test]
    fn a_comment_is_summed_up_without_its_quote_and_without_a_name() {
        let quoted = "> Ben schrieb:\n>\n> Ja, im Portal.\n> Aber veraltet.\n\nDanke, dann **fragen** wir nach.\nGleich morgen.";
        assert_eq!(
            comment_news(true, quoted),
            (
                "reply",
                "hat geantwortet: Danke, dann fragen wir nach. Gleich morgen.".to_owned()
            )
        );
        assert_eq!(
            comment_news(false, "Gibt es dazu schon *Daten*?"),
            (
                "comment",
                "hat kommentiert: Gibt es dazu schon Daten?".to_owned()
            )
        );
        // Nothing but a quote: its first line.
        assert_eq!(comment_excerpt("> Ben schrieb:\n>\n> Ja."), "Ben schrieb:");
        assert_eq!(comment_excerpt("  >> Tief\n> zitiert"), "Tief");
        assert_eq!(
            comment_excerpt("# Nur eine Überschrift"),
            "# Nur eine Überschrift"
        );
        assert!(comment_excerpt(&"Wort ".repeat(60)).chars().count() <= 101);
    }

    #[test]
    fn a_headline_names_the_actor_once_and_nobody_when_withheld() {
        let mut n = store::Notification {
            id: 1,
            need_id: Some(2),
            comment_id: Some(3),
            need_title: Some("Radwege".into()),
            kind: "reply".into(),
            actor_name: "Anna".into(),
            summary: "hat geantwortet: Ja.".into(),
            comment_body: None,
            path: "/beduerfnisse/2/#kommentar-3".into(),
            created_at: "2026-03-10T13:05:00Z".into(),
            read_at: None,
            mailed_at: None,
        };
        assert_eq!(headline(&n), "Anna hat geantwortet: Ja.");
        n.summary = store::WITHHELD.into();
        assert_eq!(headline(&n), store::WITHHELD);
        // Shown again by the moderators: the summary comes back from the comment.
        n.comment_body = Some("> Zitat\n\nDoch, wieder da.".into());
        let n = readable(n);
        assert_eq!(headline(&n), "Anna hat geantwortet: Doch, wieder da.");
        assert_eq!(n.comment_body, None);
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert!(is_local("/beduerfnisse/3/#kommentar-9"));
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil",
            "/ x",
            "",
        ] {
            assert!(!is_local(bad), "{bad}");
        }
    }
}
