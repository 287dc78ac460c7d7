//! Following and notifications: who hears of what (never of their own actions), the
//! mails by each person's setting — one per event, one digest a day, none — sent once
//! even by instances running at the same time, the page `/konto/benachrichtigungen/`
//! with its read marks, and what an account's export and deletion do with it all.
//!
//! Every test has a database, a server and an SMTP listener of its own: the mail
//! use-cases look at every account, and a test counts exactly the mails it caused.

use std::sync::LazyLock;

use codefor_core::mail::Mailer;
use codefor_core::notifications::{send_digests, send_immediate};
use codefor_storage::notifications::WITHHELD;
use codefor_storage::{Db, testing};

use crate::accounts::{Browser, PASSWORD};
use crate::smtp::{self, Inbox, Received};
use crate::support::{Server, block_on, serve_with};

const ORIGIN: &str = "https://codefor.example";

struct Fresh {
    server: Server,
    inbox: Inbox,
    mailer: Mailer,
}

impl Fresh {
    fn db(&self) -> &Db {
        &self.server.db.db
    }
}

async fn fresh() -> Fresh {
    let (url, inbox) = smtp::start().await;
    let db = testing::fresh().await.expect("fresh database");
    let mailer = Mailer::smtp(&url, "Code for Germany <test@codefor.invalid>").expect("mailer");
    let config = codefor_web::Config {
        mailer: mailer.clone(),
        ..Default::default()
    };
    Fresh {
        server: serve_with(db, config).await,
        inbox,
        mailer,
    }
}

/// An account (confirmed unless `confirmed` is false); its id.
async fn person(db: &Db, email: &str, name: &str, confirmed: bool) -> i64 {
    let hash = codefor_core::secrets::hash_password(PASSWORD.into())
        .await
        .expect("hash");
    let mut tx = db.begin().await.expect("tx");
    let id = codefor_storage::accounts::create(&mut tx, email, &hash, name, false)
        .await
        .expect("create")
        .expect("new address");
    if confirmed {
        codefor_storage::accounts::confirm(&mut tx, id)
            .await
            .expect("confirm");
    }
    codefor_storage::commit(tx).await.expect("commit");
    id
}

async fn signed_in(f: &Fresh, email: &str) -> Browser {
    let mut b = Browser::new(&f.server);
    assert_eq!(b.sign_in(email, PASSWORD).await.status, 303, "{email}");
    b
}

/// A submitted, public need by `author`, who follows it.
async fn need(db: &Db, author: i64, title: &str) -> i64 {
    let mut tx = db.begin().await.expect("tx");
    let id = codefor_storage::needs::create(
        &mut tx,
        &codefor_storage::needs::Fields {
            title,
            body: "Worum es geht.",
            body_html: "<p>Worum es geht.</p>",
            affected: "",
            state_key: None,
            municipality: "Musterstadt",
            lab_id: None,
            topic: "gesellschaft",
            missing: "",
            organization_id: None,
        },
        author,
        true,
        false,
    )
    .await
    .expect("need");
    codefor_storage::needs::follow(&mut tx, id, author)
        .await
        .expect("follow");
    codefor_storage::commit(tx).await.expect("commit");
    id
}

async fn follow(db: &Db, need: i64, account: i64) {
    let mut tx = db.begin().await.expect("tx");
    codefor_storage::needs::follow(&mut tx, need, account)
        .await
        .expect("follow");
    codefor_storage::commit(tx).await.expect("commit");
}

/// Someone else's action on a need, as the use-cases record it: in a transaction of
/// its own, for every follower but the actor. How many were notified.
async fn event(db: &Db, need: i64, actor: i64, actor_name: &str, summary: &str) -> u64 {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let mut tx = db.begin().await.expect("tx");
    let done = codefor_storage::notifications::fan_out(
        &mut tx,
        need,
        None,
        Some(actor),
        "comment",
        actor_name,
        summary,
        &format!("/beduerfnisse/{need}/#kommentar-{n}"),
    )
    .await
    .expect("fan out");
    codefor_storage::commit(tx).await.expect("commit");
    done
}

async fn set_setting(db: &Db, account: i64, setting: &str) {
    let mut tx = db.begin().await.expect("tx");
    codefor_storage::notifications::set_mail_setting(&mut tx, account, setting)
        .await
        .expect("setting");
    codefor_storage::commit(tx).await.expect("commit");
}

async fn scalar(db: &Db, sql: &'static str, id: i64) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(id)
        .fetch_one(db.pool())
        .await
        .expect("count")
}

async fn notification_count(db: &Db, account: i64) -> i64 {
    scalar(
        db,
        "SELECT COUNT(*) FROM notifications WHERE account_id = $1",
        account,
    )
    .await
}

async fn unmailed(db: &Db, account: i64) -> i64 {
    scalar(
        db,
        "SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND mailed_at IS NULL",
        account,
    )
    .await
}

/// A received mail's text: quoted-printable undone (soft breaks, `=C3=BC`).
fn text(mail: &Received) -> String {
    let raw = mail.data.replace("=\r\n", "").replace("=\n", "");
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The texts of every mail to `address` so far.
fn mails(inbox: &Inbox, address: &str) -> Vec<String> {
    inbox.all_to(address).iter().map(text).collect()
}

static CSRF: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r#"name="csrf" value="([0-9a-f]+)""#).expect("regex"));

/// The session's form token, read from the notifications page.
async fn csrf(b: &mut Browser) -> String {
    let page = b.get("/konto/benachrichtigungen/").await;
    assert_eq!(page.status, 200, "{}", page.body);
    CSRF.captures(&page.body)
        .map(|c| c[1].to_owned())
        .expect("csrf token")
}

/// Comments on a need through its form; the comment's path.
async fn comment(b: &mut Browser, need: i64, body: &str) -> String {
    let token = csrf(b).await;
    let page = b
        .post(
            &format!("/beduerfnisse/{need}/kommentare"),
            &[
                ("csrf", &token),
                ("body", body),
                ("antwort", ""),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    page.location
}

/// The id in a comment's path (`/beduerfnisse/3/#kommentar-9`).
fn comment_id(path: &str) -> i64 {
    path.rsplit('-')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no comment in {path}"))
}

/// Replies to comment `parent` through the form; the reply's id.
async fn reply(b: &mut Browser, need: i64, body: &str, parent: i64) -> i64 {
    let token = csrf(b).await;
    let page = b
        .post(
            &format!("/beduerfnisse/{need}/kommentare"),
            &[
                ("csrf", &token),
                ("body", body),
                ("antwort", &parent.to_string()),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    comment_id(&page.location)
}

/// A moderator's action through its form (`aktion` `ausblenden` or `einblenden`).
async fn moderate(b: &mut Browser, path: &str, aktion: &str, grund: &str) {
    let token = csrf(b).await;
    let done = b
        .post(
            path,
            &[("csrf", &token), ("aktion", aktion), ("grund", grund)],
        )
        .await;
    assert_eq!(done.status, 303, "{aktion} {path}: {}", done.body);
}

/// An admin (who moderates every need) and a browser signed in with it.
async fn moderator(f: &Fresh, email: &str, name: &str) -> Browser {
    codefor_core::admin::create_admin(f.db(), email, name, PASSWORD)
        .await
        .expect("admin");
    signed_in(f, email).await
}

/// Lets a day pass for the account's digest.
async fn a_day_later(db: &Db, account: i64) {
    let earlier = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(25)).to_string();
    sqlx::query("UPDATE accounts SET last_digest_at = $1 WHERE id = $2")
        .bind(&earlier)
        .bind(account)
        .execute(db.pool())
        .await
        .expect("back in time");
}

/// The items of a digest (its lines starting with `- `).
fn items(mail: &str) -> usize {
    mail.lines().filter(|l| l.starts_with("- ")).count()
}

#[test]
fn followers_hear_of_what_others_do_and_nobody_of_their_own_actions() {
    block_on(async {
        let f = fresh().await;
        let db = f.db();
        let author = person(db, "autorin@example.org", "Anna Autorin", true).await;
        let follower = person(db, "folgt@example.org", "Fritz Folgt", true).await;
        let other = person(db, "andere@example.org", "Olga Andere", true).await;
        set_setting(db, author, "immediate").await;
        set_setting(db, follower, "immediate").await;
        let id = need(db, author, "Sichere Schulwege").await;
        follow(db, id, follower).await;

        // The author comments on her own need: the follower hears of it, she does not.
        let mut anna = signed_in(&f, "autorin@example.org").await;
        comment(&mut anna, id, "Ich habe die Strecken schon gesammelt.").await;
        assert_eq!(notification_count(db, author).await, 0);
        assert_eq!(notification_count(db, follower).await, 1);
        // The same through storage directly: the actor is left out.
        assert_eq!(
            event(db, id, author, "Anna Autorin", "Neuer Stand").await,
            1
        );
        assert_eq!(notification_count(db, author).await, 0);

        // Someone else comments: the author hears of it (and the follower too).
        let mut olga = signed_in(&f, "andere@example.org").await;
        comment(&mut olga, id, "Die Kreuzung am Markt fehlt noch.").await;
        assert_eq!(notification_count(db, author).await, 1);
        assert_eq!(notification_count(db, follower).await, 3);
        // Olga follows by commenting, and heard nothing of her own comment.
        assert_eq!(notification_count(db, other).await, 0);

        let sent = send_immediate(db, &f.mailer, ORIGIN).await.expect("send");
        assert_eq!(sent, 4, "one mail per notification");
        let to_author = mails(&f.inbox, "autorin@example.org");
        assert_eq!(to_author.len(), 1, "{to_author:?}");
        assert!(to_author[0].contains("Die Kreuzung am Markt fehlt noch."));
        assert!(!to_author[0].contains("Strecken schon gesammelt"));
        assert!(mails(&f.inbox, "andere@example.org").is_empty());
        assert_eq!(mails(&f.inbox, "folgt@example.org").len(), 3);
    });
}

#[test]
fn a_daily_digest_batches_what_happened_and_goes_out_once_a_day() {
    block_on(async {
        let f = fresh().await;
        let db = f.db();
        let reader = person(db, "leserin@example.org", "Lina Leserin", true).await;
        let author = person(db, "schreibt@example.org", "Sven Schreibt", true).await;
        let third = person(db, "dritte@example.org", "Dora Dritte", true).await;
        let one = need(db, author, "Barrierefreie Haltestellen").await;
        let two = need(db, author, "Offene Haushaltsdaten").await;
        let elsewhere = need(db, third, "Mehr Trinkbrunnen").await;
        follow(db, one, reader).await;
        follow(db, two, reader).await;

        event(
            db,
            one,
            author,
            "Sven Schreibt",
            "Erster Schritt bei den Haltestellen",
        )
        .await;
        event(
            db,
            two,
            author,
            "Sven Schreibt",
            "Die Stadt hat geantwortet",
        )
        .await;
        event(db, one, third, "Dora Dritte", "Noch eine Idee zu Rampen").await;
        event(
            db,
            elsewhere,
            author,
            "Sven Schreibt",
            "Nicht für Lina bestimmt",
        )
        .await;
        // One through the form, as people really do it.
        let mut dora = signed_in(&f, "dritte@example.org").await;
        comment(&mut dora, two, "Per Formular geschrieben").await;
        assert_eq!(unmailed(db, reader).await, 4);

        send_digests(db, &f.mailer, ORIGIN).await.expect("digests");
        let got = mails(&f.inbox, "leserin@example.org");
        assert_eq!(got.len(), 1, "one digest: {got:?}");
        let digest = &got[0];
        for expected in [
            "„Barrierefreie Haltestellen“",
            "„Offene Haushaltsdaten“",
            "Erster Schritt bei den Haltestellen",
            "Die Stadt hat geantwortet",
            "Noch eine Idee zu Rampen",
            "Per Formular geschrieben",
            "https://codefor.example/konto/benachrichtigungen/",
        ] {
            assert!(
                digest.contains(expected),
                "{expected} missing in:\n{digest}"
            );
        }
        for absent in ["Nicht für Lina bestimmt", "Mehr Trinkbrunnen"] {
            assert!(!digest.contains(absent), "{absent} in:\n{digest}");
        }
        let items = digest.lines().filter(|l| l.starts_with("- ")).count();
        assert_eq!(items, 4, "exactly those four items:\n{digest}");
        assert!(
            digest.contains(&format!("{ORIGIN}/beduerfnisse/{one}/#kommentar-")),
            "absolute links:\n{digest}"
        );
        // Grouped by need: both items of the first need come before the second need.
        let rampen = digest.find("Noch eine Idee zu Rampen").expect("item");
        let second = digest.find("„Offene Haushaltsdaten“").expect("title");
        assert!(rampen < second, "grouped by need:\n{digest}");
        assert_eq!(unmailed(db, reader).await, 0);

        // Something new right after: it waits, one digest a day.
        event(
            db,
            one,
            author,
            "Sven Schreibt",
            "Neu nach der Zusammenfassung",
        )
        .await;
        send_digests(db, &f.mailer, ORIGIN).await.expect("digests");
        send_immediate(db, &f.mailer, ORIGIN)
            .await
            .expect("immediate");
        assert_eq!(mails(&f.inbox, "leserin@example.org").len(), 1);
        assert_eq!(unmailed(db, reader).await, 1);

        // A day later the next digest carries only the new item.
        let earlier = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(25)).to_string();
        sqlx::query("UPDATE accounts SET last_digest_at = $1 WHERE id = $2")
            .bind(&earlier)
            .bind(reader)
            .execute(db.pool())
            .await
            .expect("back in time");
        send_digests(db, &f.mailer, ORIGIN).await.expect("digests");
        let got = mails(&f.inbox, "leserin@example.org");
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            got[1].contains("Neu nach der Zusammenfassung"),
            "{}",
            got[1]
        );
        assert_eq!(got[1].lines().filter(|l| l.starts_with("- ")).count(), 1);
        assert!(!got[1].contains("Erster Schritt"));
        assert!(!got[1].contains("Offene Haushaltsdaten"));
    });
}

#[test]
fn mails_go_out_once_even_when_two_instances_send_at_the_same_time() {
    block_on(async {
        let f = fresh().await;
        let db = f.db();
        let quick = person(db, "sofort@example.org", "Sina Sofort", true).await;
        let daily = person(db, "taeglich@example.org", "Tom Täglich", true).await;
        let pending = person(db, "unbestaetigt@example.org", "Uwe Offen", false).await;
        let actor = person(db, "macht@example.org", "Mia Macht", true).await;
        set_setting(db, quick, "immediate").await;
        let id = need(db, actor, "Digitale Bürgerdienste").await;
        for who in [quick, daily, pending] {
            follow(db, id, who).await;
        }
        for i in 0..3 {
            event(db, id, actor, "Mia Macht", &format!("Ereignis Nummer {i}")).await;
        }

        let (a, b) = tokio::join!(
            send_immediate(db, &f.mailer, ORIGIN),
            send_immediate(db, &f.mailer, ORIGIN)
        );
        assert_eq!(a.expect("first") + b.expect("second"), 3);
        let got = mails(&f.inbox, "sofort@example.org");
        assert_eq!(got.len(), 3, "one mail per notification, none twice");
        for i in 0..3 {
            let matching = got
                .iter()
                .filter(|m| m.contains(&format!("Ereignis Nummer {i}")))
                .count();
            assert_eq!(matching, 1, "Ereignis Nummer {i}");
        }
        assert!(got[0].contains("„Digitale Bürgerdienste“"), "{}", got[0]);
        assert!(got[0].contains(&format!("{ORIGIN}/beduerfnisse/{id}/#kommentar-")));
        assert!(got[0].contains(&format!("{ORIGIN}/konto/benachrichtigungen/")));
        assert_eq!(
            send_immediate(db, &f.mailer, ORIGIN).await.expect("again"),
            0
        );

        // Many at once for someone who wants one mail each: one mail with all of them.
        for i in 0..5 {
            event(db, id, actor, "Mia Macht", &format!("Ansturm {i}")).await;
        }
        send_immediate(db, &f.mailer, ORIGIN).await.expect("burst");
        let got = mails(&f.inbox, "sofort@example.org");
        assert_eq!(got.len(), 4, "never a flood");
        for i in 0..5 {
            assert!(got[3].contains(&format!("Ansturm {i}")), "{}", got[3]);
        }

        // Two instances sending digests at once: one digest.
        let (a, b) = tokio::join!(
            send_digests(db, &f.mailer, ORIGIN),
            send_digests(db, &f.mailer, ORIGIN)
        );
        assert_eq!(a.expect("first") + b.expect("second"), 1);
        let got = mails(&f.inbox, "taeglich@example.org");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].lines().filter(|l| l.starts_with("- ")).count(), 8);

        // An unconfirmed address gets nothing, whatever its setting.
        assert!(mails(&f.inbox, "unbestaetigt@example.org").is_empty());
        set_setting(db, pending, "immediate").await;
        send_immediate(db, &f.mailer, ORIGIN)
            .await
            .expect("immediate");
        assert!(mails(&f.inbox, "unbestaetigt@example.org").is_empty());
        assert_eq!(
            notification_count(db, pending).await,
            8,
            "still on the page"
        );
    });
}

#[test]
fn with_mail_off_nothing_is_mailed_but_everything_is_listed() {
    block_on(async {
        let f = fresh().await;
        let db = f.db();
        let me = person(db, "still@example.org", "Stella Still", true).await;
        let actor = person(db, "laut@example.org", "Lars Laut", true).await;
        let id = need(db, actor, "Leise Innenstadt").await;
        follow(db, id, me).await;
        event(db, id, actor, "Lars Laut", "Vor dem Abschalten passiert").await;
        assert_eq!(unmailed(db, me).await, 1);

        let mut b = signed_in(&f, "still@example.org").await;
        let token = csrf(&mut b).await;
        let saved = b
            .post(
                "/konto/benachrichtigungen/einstellung",
                &[("csrf", &token), ("notify_mail", "off")],
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert_eq!(unmailed(db, me).await, 0, "what waited is never sent");
        event(db, id, actor, "Lars Laut", "Nach dem Abschalten passiert").await;
        assert_eq!(unmailed(db, me).await, 0, "new ones come marked as mailed");
        send_digests(db, &f.mailer, ORIGIN).await.expect("digests");
        send_immediate(db, &f.mailer, ORIGIN)
            .await
            .expect("immediate");
        assert!(mails(&f.inbox, "still@example.org").is_empty());

        let page = b.get(&saved.location).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Gespeichert"), "{}", page.body);
        assert!(
            page.body.contains(r#"value="off" checked"#),
            "{}",
            page.body
        );
        assert!(page.body.contains("Vor dem Abschalten passiert"));
        assert!(page.body.contains("Nach dem Abschalten passiert"));

        // Back to one mail per event: what comes now is mailed, nothing from before.
        let token = csrf(&mut b).await;
        b.post(
            "/konto/benachrichtigungen/einstellung",
            &[("csrf", &token), ("notify_mail", "daily")],
        )
        .await;
        event(db, id, actor, "Lars Laut", "Wartet auf die Einstellung").await;
        let token = csrf(&mut b).await;
        let saved = b
            .post(
                "/konto/benachrichtigungen/einstellung",
                &[("csrf", &token), ("notify_mail", "immediate")],
            )
            .await;
        assert_eq!(saved.status, 303);
        assert_eq!(unmailed(db, me).await, 1, "left for the next run");
        send_immediate(db, &f.mailer, ORIGIN)
            .await
            .expect("immediate");
        let got = mails(&f.inbox, "still@example.org");
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("Wartet auf die Einstellung"));
        assert!(!got[0].contains("Abschalten"));
    });
}

#[test]
fn the_page_marks_read_and_shows_only_ones_own_notifications() {
    block_on(async {
        let f = fresh().await;
        let db = f.db();
        let me = person(db, "ich@example.org", "Ida Ich", true).await;
        let someone = person(db, "jemand@example.org", "Jo Jemand", true).await;
        let id = need(db, someone, "Bessere Radwege").await;
        follow(db, id, me).await;

        // Not signed in: to the sign-in page and back here.
        let mut anonymous = Browser::new(&f.server);
        let away = anonymous.get("/konto/benachrichtigungen/").await;
        assert_eq!(away.status, 303);
        assert_eq!(away.location, "/anmelden/?next=/konto/benachrichtigungen/");

        let mut b = signed_in(&f, "ich@example.org").await;
        let empty = b.get("/konto/benachrichtigungen/").await;
        assert!(empty.body.contains("Noch keine Benachrichtigungen"));
        assert!(
            empty.body.contains(r#"value="daily" checked"#),
            "the default"
        );
        assert!(
            empty
                .body
                .contains("<legend>Wie möchtest du von Neuigkeiten hören?</legend>")
        );
        assert!(
            !empty.body.contains("ungelesen</span>"),
            "no count in the header"
        );
        assert!(
            b.get("/konto/")
                .await
                .body
                .contains(r#"href="/konto/benachrichtigungen/""#)
        );

        event(db, id, someone, "Jo Jemand", "Erste Neuigkeit").await;
        event(db, id, someone, "Jo Jemand", "Zweite Neuigkeit").await;
        let page = b.get("/konto/benachrichtigungen/").await;
        assert!(
            page.body.contains(
                r#"<span class="badge">2<span class="visually-hidden"> ungelesen</span>"#
            ),
            "the header counts unread ones: {}",
            page.body
        );
        assert_eq!(
            page.body.matches(">Neu</span>").count(),
            2,
            "marked in words"
        );
        let newest = page.body.find("Zweite Neuigkeit").expect("second");
        let oldest = page.body.find("Erste Neuigkeit").expect("first");
        assert!(newest < oldest, "newest first");

        // Opening one marks it read and leads where it happened.
        let mine: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, path FROM notifications WHERE account_id = $1 ORDER BY id")
                .bind(me)
                .fetch_all(db.pool())
                .await
                .expect("read");
        let opened = b
            .get(&format!("/konto/benachrichtigungen/{}", mine[0].0))
            .await;
        assert_eq!(opened.status, 303);
        assert_eq!(opened.location, mine[0].1);
        let page = b.get("/konto/benachrichtigungen/").await;
        assert_eq!(page.body.matches(">Neu</span>").count(), 1);
        assert!(page.body.contains(r#"<span class="badge">1<span"#));
        assert_eq!(codefor_core::notifications::unread_count(db, me).await, 1);

        // Someone else's notification is not found, and stays unread.
        let other_need = need(db, me, "Ein eigenes Anliegen").await;
        follow(db, other_need, someone).await;
        event(db, other_need, me, "Ida Ich", "Nur für Jo").await;
        let theirs: i64 = scalar(
            db,
            "SELECT MAX(id) FROM notifications WHERE account_id = $1",
            someone,
        )
        .await;
        assert_eq!(
            b.get(&format!("/konto/benachrichtigungen/{theirs}"))
                .await
                .status,
            404
        );
        assert_eq!(b.get("/konto/benachrichtigungen/abc").await.status, 404);
        assert_eq!(
            codefor_core::notifications::unread_count(db, someone).await,
            1
        );

        // A path that is not on this site is not followed.
        let mut tx = db.begin().await.expect("tx");
        codefor_storage::notifications::fan_out(
            &mut tx,
            id,
            None,
            Some(someone),
            "comment",
            "Jo Jemand",
            "Mit fremdem Ziel",
            "//evil.example/",
        )
        .await
        .expect("fan out");
        codefor_storage::commit(tx).await.expect("commit");
        let odd: i64 = scalar(
            db,
            "SELECT MAX(id) FROM notifications WHERE account_id = $1",
            me,
        )
        .await;
        let opened = b.get(&format!("/konto/benachrichtigungen/{odd}")).await;
        assert_eq!(opened.status, 303);
        assert_eq!(opened.location, "/konto/benachrichtigungen/");

        // The forms need the session's token.
        let refused = b
            .post("/konto/benachrichtigungen/gelesen", &[("csrf", "00")])
            .await;
        assert_eq!(refused.status, 403);
        let refused = b
            .post(
                "/konto/benachrichtigungen/einstellung",
                &[("notify_mail", "off")],
            )
            .await;
        assert_eq!(refused.status, 403);
        assert_eq!(codefor_core::notifications::unread_count(db, me).await, 1);

        // A setting that does not exist: the form again, with the error at the field.
        let token = csrf(&mut b).await;
        let wrong = b
            .post(
                "/konto/benachrichtigungen/einstellung",
                &[("csrf", &token), ("notify_mail", "hourly")],
            )
            .await;
        assert_eq!(wrong.status, 422);
        assert!(
            wrong
                .body
                .contains(r#"aria-describedby="f-notify_mail-hint f-notify_mail-error""#)
        );
        assert!(
            wrong
                .body
                .contains("Bitte wähle, wie du von Neuigkeiten hören möchtest.")
        );
        assert_eq!(
            codefor_core::notifications::setting(db, me)
                .await
                .expect("setting")
                .as_str(),
            "daily"
        );

        // All read at once.
        let token = csrf(&mut b).await;
        let done = b
            .post("/konto/benachrichtigungen/gelesen", &[("csrf", &token)])
            .await;
        assert_eq!(done.status, 303);
        assert_eq!(codefor_core::notifications::unread_count(db, me).await, 0);
        let page = b.get(&done.location).await;
        assert!(!page.body.contains(">Neu</span>"));
        assert!(page.body.contains("als gelesen markiert"));

        // Fifty a page, newest first.
        let mut tx = db.begin().await.expect("tx");
        for i in 0..52 {
            codefor_storage::notifications::fan_out(
                &mut tx,
                id,
                None,
                Some(someone),
                "comment",
                "Jo Jemand",
                &format!("Massenmeldung {i:02}."),
                &format!("/beduerfnisse/{id}/"),
            )
            .await
            .expect("fan out");
        }
        codefor_storage::commit(tx).await.expect("commit");
        let first = b.get("/konto/benachrichtigungen/").await;
        assert_eq!(first.body.matches("Massenmeldung").count(), 50);
        assert!(first.body.contains("Massenmeldung 51."));
        assert!(
            first
                .body
                .contains(r#"href="/konto/benachrichtigungen/?seite=2""#)
        );
        let second = b.get("/konto/benachrichtigungen/?seite=2").await;
        assert!(second.body.contains("Massenmeldung 01."));
        assert!(second.body.contains("Massenmeldung 00."));
        assert!(second.body.contains("Erste Neuigkeit"));
        assert!(!second.body.contains("Massenmeldung 51."));

        // The needs one follows, with a button to stop (the need page's own route).
        assert!(
            first
                .body
                .contains(&format!(r#"action="/beduerfnisse/{id}/folgen""#))
        );
        let token = csrf(&mut b).await;
        let stopped = b
            .post(
                &format!("/beduerfnisse/{id}/folgen"),
                &[
                    ("csrf", &token),
                    ("folgen", "0"),
                    ("zurueck", "/konto/benachrichtigungen/#folge"),
                ],
            )
            .await;
        assert_eq!(stopped.status, 303, "{}", stopped.body);
        assert_eq!(stopped.location, "/konto/benachrichtigungen/#folge");
        assert!(
            !codefor_storage::needs::follows(db, id, me)
                .await
                .expect("follows")
        );
        let page = b.get("/konto/benachrichtigungen/").await;
        assert!(
            !page
                .body
                .contains(&format!(r#"action="/beduerfnisse/{id}/folgen""#))
        );
        assert!(
            page.body
                .contains(&format!(r#"action="/beduerfnisse/{other_need}/folgen""#))
        );
    });
}

#[test]
fn export_holds_participation_and_deletion_leaves_counts_right() {
    block_on(async {
        let f = fresh().await;
        let db = f.db();
        let leaving = person(db, "geht@example.org", "Greta Geht", true).await;
        let staying = person(db, "bleibt@example.org", "Bruno Bleibt", true).await;
        let theirs = need(db, staying, "Mehr Bänke im Park").await;
        let own = need(db, leaving, "Greta braucht offene Daten").await;
        let mut tx = db.begin().await.expect("tx");
        for who in [leaving, staying] {
            codefor_storage::needs::support(&mut tx, theirs, who)
                .await
                .expect("support");
        }
        codefor_storage::needs::follow(&mut tx, theirs, leaving)
            .await
            .expect("follow");
        codefor_storage::commit(tx).await.expect("commit");
        event(db, theirs, staying, "Bruno Bleibt", "hat etwas ergänzt").await;

        let linked = need(db, staying, "Neue Wege am Fluss").await;
        // Never public, hers alone: a draft, a need and a comment held for review.
        let mut tx = db.begin().await.expect("tx");
        let mut unlisted = Vec::new();
        for (title, submitted) in [("Gretas Entwurf", false), ("Gretas erster Versuch", true)] {
            unlisted.push(
                codefor_storage::needs::create(
                    &mut tx,
                    &codefor_storage::needs::Fields {
                        title,
                        body: "Nur für mich.",
                        body_html: "<p>Nur für mich.</p>",
                        affected: "",
                        state_key: None,
                        municipality: "",
                        lab_id: None,
                        topic: "gesellschaft",
                        missing: "",
                        organization_id: None,
                    },
                    leaving,
                    submitted,
                    submitted,
                )
                .await
                .expect("need"),
            );
        }
        let held_comment = codefor_storage::need_comments::create(
            &mut tx,
            &codefor_storage::need_comments::New {
                need: theirs,
                parent: None,
                depth: 0,
                author: leaving,
                body: "Gretas zurückgehaltener Kommentar",
                body_html: "<p>Gretas zurückgehaltener Kommentar</p>",
                held: true,
            },
        )
        .await
        .expect("held comment");
        // An earlier version of her need's text.
        codefor_storage::needs::add_version(
            &mut tx,
            own,
            Some(leaving),
            &serde_json::json!({ "title": "Greta brauchte Daten" }),
        )
        .await
        .expect("version");
        // A project she linked to a need she did not write, comment on or move.
        codefor_storage::notifications::fan_out(
            &mut tx,
            linked,
            None,
            Some(leaving),
            "project",
            "Greta Geht",
            "hat das Projekt „Wegeplan“ verknüpft",
            &format!("/beduerfnisse/{linked}/#projekte"),
        )
        .await
        .expect("fan out");
        codefor_storage::audit::record(
            &mut tx,
            Some(leaving),
            "Greta Geht",
            "need.project.link",
            &format!("beduerfnisse/{linked}"),
            "wegeplan",
        )
        .await
        .expect("audit");
        codefor_storage::commit(tx).await.expect("commit");

        let mut b = signed_in(&f, "geht@example.org").await;
        comment(&mut b, theirs, "Gretas Kommentar zu den Bänken").await;
        let token = csrf(&mut b).await;
        let reported = b
            .post(
                &format!("/beduerfnisse/{theirs}/melden"),
                &[("csrf", &token), ("grund", "Sieht nach Werbung aus")],
            )
            .await;
        assert_eq!(reported.status, 303, "{}", reported.body);
        let named: i64 = scalar(
            db,
            "SELECT COUNT(*) FROM notifications WHERE account_id = $1 \
             AND actor_name = 'Greta Geht'",
            staying,
        )
        .await;
        assert_eq!(named, 2, "Bruno heard of Greta's comment and link");

        let export = b.get("/konto/export.json").await;
        assert_eq!(export.status, 200);
        let data: serde_json::Value = serde_json::from_str(&export.body).expect("json");
        let p = &data["participation"];
        let needs = p["needs"].as_array().expect("needs");
        assert_eq!(needs.len(), 3, "her drafts and held needs too: {needs:?}");
        let mine = needs
            .iter()
            .find(|n| n["title"] == "Greta braucht offene Daten")
            .expect("her need");
        assert_eq!(mine["need"], format!("/beduerfnisse/{own}/"));
        assert_eq!(p["supports"][0]["need"], format!("/beduerfnisse/{theirs}/"));
        let follows: Vec<_> = p["follows"]
            .as_array()
            .expect("follows")
            .iter()
            .map(|v| v["need"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert!(
            follows.contains(&format!("/beduerfnisse/{theirs}/")),
            "{follows:?}"
        );
        assert!(
            follows.contains(&format!("/beduerfnisse/{own}/")),
            "{follows:?}"
        );
        assert_eq!(
            p["comments"][0]["body"],
            "Gretas zurückgehaltener Kommentar"
        );
        assert_eq!(p["comments"][0]["held_for_review"], true);
        assert_eq!(p["comments"][1]["body"], "Gretas Kommentar zu den Bänken");
        assert_eq!(p["notifications"][0]["summary"], "hat etwas ergänzt");
        assert_eq!(p["notifications"][0]["by"], "Bruno Bleibt");
        assert_eq!(p["mail_setting"], "daily");
        assert_eq!(p["reports"][0]["reason"], "Sieht nach Werbung aus");
        assert_eq!(p["reports"][0]["need"], format!("/beduerfnisse/{theirs}/"));
        assert_eq!(p["reports"][0]["comment"], serde_json::Value::Null);
        assert_eq!(
            p["need_versions"][0]["need"],
            format!("/beduerfnisse/{own}/")
        );
        assert_eq!(
            p["need_versions"][0]["before"]["title"],
            "Greta brauchte Daten"
        );

        let support_count = |db: &Db| {
            let db = db.clone();
            async move {
                codefor_storage::needs::get(&db, theirs)
                    .await
                    .expect("read")
                    .expect("need")
                    .support_count
            }
        };
        assert_eq!(support_count(db).await, 2);
        let gone = b
            .submit(
                "/konto/",
                "/konto/loeschen",
                &[("delete_password", PASSWORD)],
            )
            .await;
        assert_eq!(gone.status, 200, "{}", gone.body);
        assert_eq!(
            support_count(db).await,
            codefor_storage::needs::count_supports(db, theirs)
                .await
                .expect("count")
        );
        assert_eq!(support_count(db).await, 1);
        for sql in [
            "SELECT COUNT(*) FROM notifications WHERE account_id = $1",
            "SELECT COUNT(*) FROM need_follows WHERE account_id = $1",
            "SELECT COUNT(*) FROM need_supports WHERE account_id = $1",
            "SELECT COUNT(*) FROM needs WHERE author_id = $1",
            "SELECT COUNT(*) FROM need_comments WHERE author_id = $1",
        ] {
            assert_eq!(scalar(db, sql, leaving).await, 0, "{sql}");
        }
        // Her need and comment stay, without her; nobody's notification names her.
        let kept = codefor_storage::needs::get(db, own)
            .await
            .expect("read")
            .expect("need stays");
        assert_eq!(kept.author_id, None);
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM need_comments WHERE need_id = $1 AND author_id IS NULL",
                theirs,
            )
            .await,
            1
        );
        let names: Vec<String> =
            sqlx::query_scalar("SELECT actor_name FROM notifications WHERE account_id = $1")
                .bind(staying)
                .fetch_all(db.pool())
                .await
                .expect("read");
        assert!(!names.iter().any(|n| n == "Greta Geht"), "{names:?}");
        assert_eq!(
            names.iter().filter(|n| *n == "Gelöschtes Konto").count(),
            2,
            "{names:?}"
        );
        let summaries: Vec<String> =
            sqlx::query_scalar("SELECT summary FROM notifications WHERE account_id = $1")
                .bind(staying)
                .fetch_all(db.pool())
                .await
                .expect("read");
        assert!(
            summaries.contains(&"hat kommentiert: Gretas Kommentar zu den Bänken".to_owned()),
            "{summaries:?}"
        );
        assert!(
            !summaries.iter().any(|s| s.contains("Greta Geht")),
            "{summaries:?}"
        );
        // What was never public is gone with her; her report stays, without her.
        for id in unlisted {
            assert_eq!(
                scalar(db, "SELECT COUNT(*) FROM needs WHERE id = $1", id).await,
                0
            );
        }
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM need_comments WHERE id = $1",
                held_comment
            )
            .await,
            0
        );
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM reports WHERE need_id = $1 AND reporter_id IS NULL",
                theirs
            )
            .await,
            1
        );
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM need_versions WHERE need_id = $1 AND account_id IS NULL",
                own
            )
            .await,
            1
        );
    });
}

#[test]
fn a_mail_that_fails_is_sent_on_the_next_run() {
    block_on(async {
        let f = fresh().await;
        let db = f.db();
        let author = person(db, "retry-autorin@example.org", "Rita", true).await;
        let daily = person(db, "retry-taeglich@example.org", "Dana", true).await;
        let quick = person(db, "retry-sofort@example.org", "Sofia", true).await;
        set_setting(db, quick, "immediate").await;
        let n = need(db, author, "Wenn die Post streikt").await;
        follow(db, n, daily).await;
        follow(db, n, quick).await;
        event(db, n, author, "Rita", "hat kommentiert: der Server schläft").await;
        // No SMTP server listens here: every mail fails.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let down = Mailer::smtp(
            &format!("smtp://127.0.0.1:{port}"),
            "Code for Germany <test@codefor.invalid>",
        )
        .expect("mailer");
        assert_eq!(
            send_immediate(db, &down, ORIGIN).await.expect("immediate"),
            0
        );
        assert_eq!(send_digests(db, &down, ORIGIN).await.expect("digests"), 0);
        assert_eq!(unmailed(db, daily).await, 1, "the digest's item waits");
        assert_eq!(unmailed(db, quick).await, 1, "the immediate mail waits");
        // The server is back: both go out, once.
        assert_eq!(
            send_immediate(db, &f.mailer, ORIGIN)
                .await
                .expect("immediate"),
            1
        );
        assert_eq!(
            send_digests(db, &f.mailer, ORIGIN).await.expect("digests"),
            1
        );
        assert_eq!(mails(&f.inbox, "retry-taeglich@example.org").len(), 1);
        assert_eq!(mails(&f.inbox, "retry-sofort@example.org").len(), 1);
        assert_eq!(unmailed(db, daily).await + unmailed(db, quick).await, 0);

        // A mail fails after its person turned mail off: nothing of it waits again.
        event(db, n, author, "Rita", "hat noch etwas ergänzt").await;
        let waiting: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, account_id FROM notifications WHERE mailed_at IS NULL ORDER BY id",
        )
        .fetch_all(db.pool())
        .await
        .expect("read");
        assert_eq!(waiting.len(), 2, "{waiting:?}");
        let mut tx = db.begin().await.expect("tx");
        for (id, _) in &waiting {
            assert!(
                codefor_storage::notifications::claim(&mut tx, *id)
                    .await
                    .expect("claim")
            );
        }
        codefor_storage::notifications::set_mail_setting(&mut tx, quick, "off")
            .await
            .expect("off");
        for (id, account) in &waiting {
            codefor_storage::notifications::release(&mut tx, *account, &[*id], false)
                .await
                .expect("release");
        }
        codefor_storage::commit(tx).await.expect("commit");
        assert_eq!(unmailed(db, quick).await, 0, "mail is off");
        assert_eq!(unmailed(db, daily).await, 1, "still daily: it waits again");
    });
}

/// A comment hidden by a moderator right after it was posted: its followers' pages show
/// a neutral line instead (naming nobody), no mail carries it, and it shows again once
/// restored. Every item names its actor once, and a reply is summed up without the
/// quote it starts with.
#[test]
fn a_hidden_comment_is_neither_shown_nor_mailed_until_it_is_restored() {
    block_on(async {
        let f = fresh().await;
        let db = f.db();
        let author = person(db, "nina@example.org", "Nina Need", true).await;
        let quick = person(db, "ines@example.org", "Ines Immer", true).await;
        let daily = person(db, "dana@example.org", "Dana Daily", true).await;
        person(db, "wim@example.org", "Wim Wüterich", true).await;
        set_setting(db, quick, "immediate").await;
        let id = need(db, author, "Ruhige Nachbarschaft").await;
        follow(db, id, quick).await;
        follow(db, id, daily).await;

        let mut wim = signed_in(&f, "wim@example.org").await;
        let rude = comment_id(&comment(&mut wim, id, "Ein böser Satz über die Nachbarn").await);
        let fair = comment_id(&comment(&mut wim, id, "Ein sachlicher Satz").await);
        reply(
            &mut wim,
            id,
            "> Wim Wüterich schrieb:\n>\n> Ein sachlicher Satz\n\nNoch ein Gedanke dazu",
            fair,
        )
        .await;
        let mut moritz = moderator(&f, "moritz@example.org", "Moritz Moderation").await;
        let comment_path = format!("/beduerfnisse/{id}/kommentare/{rude}/moderation");
        moderate(&mut moritz, &comment_path, "ausblenden", "Beleidigend").await;

        // Nina's, Ines' and Dana's notification of it: withheld, marked as mailed.
        let withheld: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT summary, mailed_at FROM notifications WHERE comment_id = $1")
                .bind(rude)
                .fetch_all(db.pool())
                .await
                .expect("read");
        assert_eq!(withheld.len(), 3, "{withheld:?}");
        for (summary, mailed) in &withheld {
            assert_eq!(summary, WITHHELD);
            assert!(mailed.is_some(), "never sent");
        }

        let mut dana = signed_in(&f, "dana@example.org").await;
        let page = dana.get("/konto/benachrichtigungen/").await;
        let body = &page.body;
        assert!(!body.contains("böser Satz"), "{body}");
        assert_eq!(body.matches(WITHHELD).count(), 1, "{body}");
        assert!(!body.contains("Wim Wüterich Ein Beitrag"), "{body}");
        assert!(body.contains("Wim Wüterich hat kommentiert: Ein sachlicher Satz"));
        assert!(
            body.contains("Wim Wüterich hat geantwortet: Noch ein Gedanke dazu"),
            "the reply without its quote: {body}"
        );
        assert!(!body.contains("schrieb:"), "{body}");
        assert_eq!(
            body.matches("Wim Wüterich").count(),
            2,
            "once per item: {body}"
        );
        assert!(body.contains("„Ruhige Nachbarschaft“"));

        // One mail per visible comment, none with the hidden one.
        assert_eq!(
            send_immediate(db, &f.mailer, ORIGIN).await.expect("send"),
            2
        );
        let got = mails(&f.inbox, "ines@example.org");
        assert_eq!(got.len(), 2, "{got:?}");
        for mail in &got {
            assert!(!mail.contains("böser Satz"), "{mail}");
            assert!(!mail.contains(WITHHELD), "{mail}");
            assert_eq!(mail.matches("Wim Wüterich").count(), 1, "{mail}");
        }
        assert!(
            got.iter()
                .any(|m| m.contains("Wim Wüterich hat kommentiert: Ein sachlicher Satz\n(")),
            "{got:?}"
        );
        assert!(
            got.iter()
                .any(|m| m.contains("Wim Wüterich hat geantwortet: Noch ein Gedanke dazu")),
            "{got:?}"
        );
        // The digests carry the two others.
        assert_eq!(
            send_digests(db, &f.mailer, ORIGIN).await.expect("digests"),
            2
        );
        for address in ["dana@example.org", "nina@example.org"] {
            let got = mails(&f.inbox, address);
            assert_eq!(got.len(), 1, "{address}: {got:?}");
            assert_eq!(items(&got[0]), 2, "{}", got[0]);
            assert!(!got[0].contains("böser Satz"), "{}", got[0]);
            assert!(
                got[0].contains(": Wim Wüterich hat kommentiert: Ein sachlicher Satz\n"),
                "{}",
                got[0]
            );
        }

        // Shown again: the page has it back, from the comment's text; no mail comes late.
        moderate(&mut moritz, &comment_path, "einblenden", "").await;
        let page = dana.get("/konto/benachrichtigungen/").await;
        assert!(
            page.body
                .contains("Wim Wüterich hat kommentiert: Ein böser Satz über die Nachbarn"),
            "{}",
            page.body
        );
        assert!(!page.body.contains(WITHHELD));
        assert_eq!(
            send_immediate(db, &f.mailer, ORIGIN).await.expect("send"),
            0
        );
        a_day_later(db, daily).await;
        assert_eq!(
            send_digests(db, &f.mailer, ORIGIN).await.expect("digests"),
            0
        );
        // Hidden once more: withheld again, on the page too.
        moderate(&mut moritz, &comment_path, "ausblenden", "Doch beleidigend").await;
        let page = dana.get("/konto/benachrichtigungen/").await;
        assert!(!page.body.contains("böser Satz"), "{}", page.body);
        assert!(page.body.contains(WITHHELD));
    });
}

/// A need hidden by a moderator: its followers' pages no longer show its title nor what
/// happened on it, what waited is never mailed, nothing written while it is hidden is
/// mailed either — and once restored, it all shows again and what waited goes out.
#[test]
fn a_hidden_need_keeps_its_title_and_its_news_to_itself_until_restored() {
    block_on(async {
        let f = fresh().await;
        let db = f.db();
        let author = person(db, "nora@example.org", "Nora Need", true).await;
        let quick = person(db, "ivo@example.org", "Ivo Immer", true).await;
        let daily = person(db, "doro@example.org", "Doro Daily", true).await;
        person(db, "willi@example.org", "Willi Wort", true).await;
        set_setting(db, quick, "immediate").await;
        let id = need(db, author, "Geheimer Treffpunkt am See").await;
        let open = need(db, author, "Offener Platz").await;
        for n in [id, open] {
            follow(db, n, quick).await;
            follow(db, n, daily).await;
        }
        // Mailed before the need is hidden.
        event(
            db,
            id,
            author,
            "Nora Need",
            "hat den Stand geändert: In Arbeit – Wir legen los",
        )
        .await;
        assert_eq!(
            send_immediate(db, &f.mailer, ORIGIN).await.expect("send"),
            1
        );
        assert_eq!(
            send_digests(db, &f.mailer, ORIGIN).await.expect("digests"),
            1
        );
        // Waiting when it is hidden.
        let mut willi = signed_in(&f, "willi@example.org").await;
        comment(&mut willi, id, "Treffen wir uns am Bootshaus").await;
        let mut mod_ = moderator(&f, "mona@example.org", "Mona Moderation").await;
        let need_path = format!("/beduerfnisse/{id}/moderation");
        moderate(&mut mod_, &need_path, "ausblenden", "Doppelt eingestellt").await;
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM notifications WHERE need_id = $1 AND mailed_at IS NULL",
                id,
            )
            .await,
            0,
            "what waited is withheld"
        );
        // Written while it is hidden (a step that raced the moderator), and news elsewhere.
        event(db, id, author, "Nora Need", "hat etwas zum Steg ergänzt").await;
        event(db, open, author, "Nora Need", "hat den Platz vermessen").await;

        let secret = [
            "Geheimer Treffpunkt",
            "Wir legen los",
            "Bootshaus",
            "zum Steg",
        ];
        let mut doro = signed_in(&f, "doro@example.org").await;
        let page = doro.get("/konto/benachrichtigungen/").await;
        for text in secret {
            assert!(!page.body.contains(text), "{text} in {}", page.body);
        }
        assert!(
            page.body.contains("Ausgeblendetes Bedürfnis"),
            "{}",
            page.body
        );
        assert_eq!(page.body.matches(WITHHELD).count(), 3, "{}", page.body);
        assert!(page.body.contains("Nora Need hat den Platz vermessen"));
        assert!(page.body.contains("„Offener Platz“"));

        // Only the news elsewhere is mailed; what was written while hidden waits.
        assert_eq!(
            send_immediate(db, &f.mailer, ORIGIN).await.expect("send"),
            1
        );
        a_day_later(db, daily).await;
        assert_eq!(
            send_digests(db, &f.mailer, ORIGIN).await.expect("digests"),
            1
        );
        for address in ["ivo@example.org", "doro@example.org"] {
            let got = mails(&f.inbox, address);
            assert_eq!(got.len(), 2, "{address}: {got:?}");
            assert!(got[0].contains("Wir legen los"), "{}", got[0]);
            assert!(
                got[1].contains("Nora Need hat den Platz vermessen"),
                "{}",
                got[1]
            );
            for text in secret {
                assert!(!got[1].contains(text), "{text} in {}", got[1]);
            }
        }
        assert_eq!(items(&mails(&f.inbox, "doro@example.org")[1]), 1);
        assert_eq!(
            unmailed(db, daily).await,
            1,
            "the news written while hidden waits"
        );

        // Shown again: its title, what was mailed before, the comment from its text, and
        // the news that waited (now mailed too).
        moderate(&mut mod_, &need_path, "einblenden", "").await;
        let page = doro.get("/konto/benachrichtigungen/").await;
        for text in [
            "„Geheimer Treffpunkt am See“",
            "Nora Need hat den Stand geändert: In Arbeit – Wir legen los",
            "Willi Wort hat kommentiert: Treffen wir uns am Bootshaus",
            "Nora Need hat etwas zum Steg ergänzt",
        ] {
            assert!(page.body.contains(text), "{text} missing in {}", page.body);
        }
        assert!(!page.body.contains(WITHHELD), "{}", page.body);
        assert_eq!(
            send_immediate(db, &f.mailer, ORIGIN).await.expect("send"),
            1
        );
        let got = mails(&f.inbox, "ivo@example.org");
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(
            got[2].contains("Nora Need hat etwas zum Steg ergänzt"),
            "{}",
            got[2]
        );
        assert!(
            got[2].contains("„Geheimer Treffpunkt am See“"),
            "{}",
            got[2]
        );
        assert!(
            !got[2].contains("Bootshaus"),
            "withheld stays unsent: {}",
            got[2]
        );
    });
}
