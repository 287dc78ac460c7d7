//! The public dialog on needs over HTTP: threads with replies and quotes, editing
//! within the window (and not after it), hostile Markdown, oversized and link-stuffed
//! texts, reply chains bounded in depth, spam defences (rate limit, honeypot, first
//! posts held for review), locked threads, and posts that must store nothing.

use std::sync::LazyLock;

use codefor_core::need_comments::{self as core, MAX_DEPTH};
use codefor_core::participation::Policy;
use codefor_storage::Db;
use codefor_storage::need_comments;
use tokio::sync::OnceCell;

use crate::accounts::{Browser, PASSWORD, Page, world};
use crate::support::{Server, block_on};

/// A confirmed account named `name` on the server's database, optionally admin or lead
/// of the lab `lead_of`, and a browser signed in with it.
pub(crate) async fn person(
    server: &Server,
    email: &str,
    name: &str,
    admin: bool,
    lead_of: Option<&str>,
) -> (i64, Browser) {
    let db = &server.db.db;
    let id = if admin {
        codefor_core::admin::create_admin(db, email, name, PASSWORD)
            .await
            .expect("admin")
    } else {
        let hash = codefor_core::secrets::hash_password(PASSWORD.into())
            .await
            .expect("hash");
        let mut tx = db.begin().await.expect("tx");
        let id = codefor_storage::accounts::create(&mut tx, email, &hash, name, false)
            .await
            .expect("create")
            .expect("new address");
        codefor_storage::accounts::confirm(&mut tx, id)
            .await
            .expect("confirm");
        codefor_storage::commit(tx).await.expect("commit");
        id
    };
    if let Some(lab) = lead_of {
        codefor_core::admin::make_lead(db, codefor_core::admin::Actor::COMMAND_LINE, id, lab)
            .await
            .expect("lead");
    }
    let mut b = Browser::new(server);
    assert_eq!(b.sign_in(email, PASSWORD).await.status, 303, "{email}");
    (id, b)
}

/// Someone not signed in, with the anonymous form token a browser would have.
pub(crate) async fn anonymous(server: &Server) -> Browser {
    let mut b = Browser::new(server);
    assert_eq!(b.get("/anmelden/").await.status, 200);
    b
}

/// A submitted, public need by `author`, who follows it (as the need form does).
pub(crate) async fn need(db: &Db, author: i64, title: &str, held: bool) -> i64 {
    let mut tx = db.begin().await.expect("tx");
    let id = codefor_storage::needs::create(
        &mut tx,
        &codefor_storage::needs::Fields {
            title,
            body: "Wir brauchen eine Übersicht.",
            body_html: "<p>Wir brauchen eine Übersicht.</p>",
            affected: "",
            state_key: None,
            municipality: "",
            lab_id: None,
            topic: "gesellschaft",
            missing: "",
            organization_id: None,
        },
        author,
        true,
        held,
    )
    .await
    .expect("need");
    codefor_storage::needs::follow(&mut tx, id, author)
        .await
        .expect("follow");
    codefor_storage::commit(tx).await.expect("commit");
    id
}

static CSRF: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r#"name="csrf" value="([0-9a-f]+)""#).expect("regex"));

/// The form token of this browser (the session's, or the anonymous cookie's).
pub(crate) async fn csrf(b: &mut Browser) -> String {
    for page in ["/konto/", "/anmelden/"] {
        let p = b.get(page).await;
        if let Some(c) = CSRF.captures(&p.body) {
            return c[1].to_owned();
        }
    }
    panic!("no form token");
}

/// Posts `fields` with the browser's form token.
pub(crate) async fn post(b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Page {
    let token = csrf(b).await;
    let mut all = vec![("csrf", token.as_str())];
    all.extend_from_slice(fields);
    b.post(path, &all).await
}

/// Comments (or replies to `parent`) through the form.
pub(crate) async fn comment(b: &mut Browser, need: i64, body: &str, parent: Option<i64>) -> Page {
    let parent = parent.map(|p| p.to_string()).unwrap_or_default();
    post(
        b,
        &format!("/beduerfnisse/{need}/kommentare"),
        &[("body", body), ("antwort", &parent), ("website", "")],
    )
    .await
}

/// The id of the comment a successful post went to.
pub(crate) fn posted(page: &Page, need: i64) -> i64 {
    assert_eq!(page.status, 303, "{}", page.body);
    let prefix = format!("/beduerfnisse/{need}/#kommentar-");
    page.location
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("redirect to {}", page.location))
        .parse()
        .expect("comment id")
}

pub(crate) async fn comments_of(db: &Db, need: i64) -> Vec<need_comments::Comment> {
    need_comments::of_need(db, need).await.expect("comments")
}

pub(crate) async fn comment_count(db: &Db, need: i64) -> i64 {
    codefor_storage::needs::get(db, need)
        .await
        .expect("read")
        .expect("need")
        .comment_count
}

/// The comment section of a page.
pub(crate) fn section(body: &str) -> &str {
    let start = body
        .find(r#"id="kommentare""#)
        .unwrap_or_else(|| panic!("no comment section in:\n{body}"));
    let rest = &body[start..];
    let end = rest.find("</section>").unwrap_or(rest.len());
    &rest[..end]
}

/// (kind, summary, path) of the notifications an account got, oldest first.
async fn notifications_of(db: &Db, account: i64) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT kind, summary, path FROM notifications WHERE account_id = $1 ORDER BY id",
    )
    .bind(account)
    .fetch_all(db.pool())
    .await
    .expect("notifications")
}

/// The deepest nesting of `<ol>` in some HTML, and whether every list and item closes.
fn list_depth(html: &str) -> (usize, bool) {
    let (mut depth, mut max) = (0usize, 0usize);
    for (i, _) in html.match_indices('<') {
        let tag = &html[i..];
        if tag.starts_with("<ol") {
            depth += 1;
            max = max.max(depth);
        } else if tag.starts_with("</ol>") {
            if depth == 0 {
                return (max, false);
            }
            depth -= 1;
        }
    }
    let balanced = depth == 0 && html.matches("<li").count() == html.matches("</li>").count();
    (max, balanced)
}

#[test]
fn threads_with_replies_and_quotes() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let (nora, _) = person(&w.server, "nc-nora@example.org", "Nora", false, None).await;
        let (anna, mut a) = person(&w.server, "nc-anna@example.org", "Anna", false, None).await;
        let (_, mut b) = person(&w.server, "nc-ben@example.org", "Ben", false, None).await;
        let n = need(db, nora, "Barrierefreie Wege zum Rathaus", false).await;

        let first = posted(
            &comment(&mut a, n, "Gibt es dazu schon **Daten** der Stadt?", None).await,
            n,
        );
        let reply = posted(
            &comment(&mut b, n, "Ja, im Portal.\nAber veraltet.", Some(first)).await,
            n,
        );
        let answer = posted(
            &comment(&mut a, n, "Danke, dann fragen wir nach.", Some(reply)).await,
            n,
        );
        let second = posted(&comment(&mut b, n, "Ein zweiter Strang.", None).await, n);
        let all = comments_of(db, n).await;
        let depth = |id: i64| all.iter().find(|c| c.id == id).expect("comment").depth;
        assert_eq!(
            [depth(first), depth(reply), depth(answer), depth(second)],
            [0, 1, 2, 0]
        );
        assert_eq!(comment_count(db, n).await, 4);
        assert_eq!(need_comments::count_public(db, n).await.expect("count"), 4);
        // Commenting follows the need.
        for who in [anna] {
            assert!(
                codefor_storage::needs::follows(db, n, who)
                    .await
                    .expect("read")
            );
        }
        // Followers hear of each public comment, never of their own.
        let to_nora = notifications_of(db, nora).await;
        assert_eq!(to_nora.len(), 4, "{to_nora:?}");
        assert_eq!(to_nora[0].0, "comment");
        assert_eq!(
            to_nora[0].1,
            "Anna hat kommentiert: Gibt es dazu schon Daten der Stadt?"
        );
        assert_eq!(
            to_nora[0].2,
            format!("/beduerfnisse/{n}/#kommentar-{first}")
        );
        assert_eq!(to_nora[1].0, "reply");
        assert!(
            to_nora[1]
                .1
                .starts_with("Ben hat geantwortet: Ja, im Portal.")
        );
        let to_anna = notifications_of(db, anna).await;
        assert_eq!(
            to_anna.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(),
            ["reply", "comment"],
            "only Ben's posts after Anna followed"
        );

        // Anyone reads the thread as nested lists, in reply order.
        let mut anon = anonymous(&w.server).await;
        let page = anon.get(&format!("/beduerfnisse/{n}/kommentare")).await;
        assert_eq!(page.status, 200);
        let s = section(&page.body);
        assert!(s.contains("Diskussion (4)"), "{s}");
        let at = |id: i64| {
            s.find(&format!(r#"id="kommentar-{id}""#))
                .unwrap_or_else(|| panic!("{id} missing"))
        };
        assert!(at(first) < at(reply) && at(reply) < at(answer) && at(answer) < at(second));
        assert_eq!(list_depth(s), (3, true), "{s}");
        assert!(s.contains("<strong>Daten</strong>"), "Markdown rendered");
        assert!(s.contains("Melde dich an"), "sign-in link");
        assert!(!s.contains("<textarea"), "no form for anonymous visitors");
        assert!(
            !s.contains("Antworten"),
            "no reply links for anonymous visitors"
        );

        // Reply and quote links work without JavaScript.
        let own = a.get(&format!("/beduerfnisse/{n}/kommentare")).await;
        assert!(own.body.contains(&format!(
            "/beduerfnisse/{n}/kommentare?antwort={reply}&amp;zitat=1"
        )));
        assert!(own.body.contains("/verhaltenskodex/") && own.body.contains("Verhaltenskodex"));
        let quote = a
            .get(&format!(
                "/beduerfnisse/{n}/kommentare?antwort={reply}&zitat=1"
            ))
            .await;
        assert_eq!(quote.status, 200);
        assert!(
            quote.body.contains(
                "&gt; Ben schrieb:\n&gt;\n&gt; Ja, im Portal.\n&gt; Aber veraltet.\n\n</textarea>"
            ),
            "{}",
            section(&quote.body)
        );
        assert!(
            quote
                .body
                .contains(&format!(r#"name="antwort" value="{reply}""#))
        );
        let plain_reply = a
            .get(&format!("/beduerfnisse/{n}/kommentare?antwort={first}"))
            .await;
        assert!(
            plain_reply
                .body
                .contains(&format!(r#"name="antwort" value="{first}""#))
        );
        assert!(!plain_reply.body.contains("schrieb:"));
        // The quote posted as reply renders as a block quote.
        let quoted = posted(
            &comment(
                &mut a,
                n,
                &core::quote("Ben", "Ja, im Portal.\nAber veraltet."),
                Some(reply),
            )
            .await,
            n,
        );
        let stored = need_comments::get(db, n, quoted)
            .await
            .expect("read")
            .expect("comment");
        assert!(
            stored.body_html.contains("<blockquote>"),
            "{}",
            stored.body_html
        );

        // A deleted account's comments stay, without its name.
        let (theo, mut t) = person(
            &w.server,
            "nc-theo@example.org",
            "Theo Tschüss",
            false,
            None,
        )
        .await;
        let gone = posted(&comment(&mut t, n, "Ich bin dann mal weg", None).await, n);
        let account = codefor_storage::accounts::get(db, theo)
            .await
            .expect("read")
            .expect("account");
        codefor_core::accounts::delete(db, &account, PASSWORD)
            .await
            .expect("delete");
        let after = anon.get(&format!("/beduerfnisse/{n}/kommentare")).await;
        let s = section(&after.body);
        assert!(s.contains("Ich bin dann mal weg"));
        assert!(!s.contains("Theo Tschüss"));
        let item = &s[s.find(&format!(r#"id="kommentar-{gone}""#)).expect("kept")..];
        assert!(
            item[..400.min(item.len())].contains("Gelöschtes Konto"),
            "{item}"
        );

        // A reply to a comment that does not exist names the field.
        let wrong = comment(&mut a, n, "Hallo?", Some(999_999)).await;
        assert_eq!(wrong.status, 422);
        assert!(
            wrong.body.contains("kommentar-antwort-error"),
            "{}",
            wrong.body
        );
        assert!(wrong.body.contains("Hallo?"), "the text stays");
        // Not a need anyone can see: 404.
        assert_eq!(comment(&mut a, 999_999, "Hallo", None).await.status, 404);
        assert_eq!(
            anon.get("/beduerfnisse/999999/kommentare").await.status,
            404
        );
    });
}

#[test]
fn edits_keep_history_within_the_window_and_are_refused_after() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let (nora, _) = person(&w.server, "nc-edit-nora@example.org", "Nora", false, None).await;
        let (carla_id, mut c) =
            person(&w.server, "nc-edit-carla@example.org", "Carla", false, None).await;
        let (_, mut d) = person(&w.server, "nc-edit-dora@example.org", "Dora", false, None).await;
        let n = need(db, nora, "Radwege im Winter", false).await;
        let id = posted(&comment(&mut c, n, "Erste Fasung", None).await, n);
        let edit = format!("/beduerfnisse/{n}/kommentare/{id}/bearbeiten");
        let save = format!("/beduerfnisse/{n}/kommentare/{id}");

        let form = c.get(&edit).await;
        assert_eq!(form.status, 200);
        assert!(form.body.contains("Erste Fasung</textarea>"));
        let saved = post(&mut c, &save, &[("body", "Erste Fassung")]).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert_eq!(saved.location, format!("/beduerfnisse/{n}/#kommentar-{id}"));
        let now = need_comments::get(db, n, id)
            .await
            .expect("read")
            .expect("comment");
        assert_eq!(now.body, "Erste Fassung");
        assert!(now.edited_at.is_some());
        let versions = need_comments::versions(db, id).await.expect("versions");
        assert_eq!(versions.len(), 1);
        assert_eq!(versions[0].body, "Erste Fasung");
        let page = d.get(&format!("/beduerfnisse/{n}/kommentare")).await;
        assert!(
            section(&page.body).contains("bearbeitet am"),
            "{}",
            page.body
        );
        // An empty text is a mistake named at the field; nothing changes.
        let empty = post(&mut c, &save, &[("body", "  ")]).await;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("f-body-error"));

        // Someone else's comment: not theirs to edit.
        assert_eq!(d.get(&edit).await.status, 403);
        assert_eq!(
            post(&mut d, &save, &[("body", "Übernommen")]).await.status,
            403
        );

        // Sixteen minutes later the window is closed, with a clear word why.
        let later = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(16);
        sqlx::query("UPDATE need_comments SET created_at = $1 WHERE id = $2")
            .bind(later.to_string())
            .bind(id)
            .execute(db.pool())
            .await
            .expect("set back");
        let closed = c.get(&edit).await;
        assert_eq!(closed.status, 403);
        assert!(closed.body.contains("ersten 15 Minuten"), "{}", closed.body);
        assert!(!closed.body.contains("<textarea"));
        let refused = post(&mut c, &save, &[("body", "Zu spät")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("ersten 15 Minuten"));
        let kept = need_comments::get(db, n, id)
            .await
            .expect("read")
            .expect("comment");
        assert_eq!(kept.body, "Erste Fassung");
        assert_eq!(need_comments::versions(db, id).await.expect("v").len(), 1);
        // The same rule in the use-case, at a given moment.
        let account = codefor_storage::accounts::get(db, carla_id)
            .await
            .expect("read")
            .expect("account");
        let need = codefor_storage::needs::get(db, n)
            .await
            .expect("read")
            .expect("need");
        let created = kept
            .created_at
            .parse::<jiff::Timestamp>()
            .expect("time")
            .as_second();
        let just_in = created + core::EDIT_WINDOW - 1;
        core::edit_at(db, &account, &need, &kept, "Gerade noch", just_in)
            .await
            .expect("within the window");
        let kept = need_comments::get(db, n, id)
            .await
            .expect("read")
            .expect("comment");
        let too_late = created + core::EDIT_WINDOW;
        assert!(
            core::edit_at(db, &account, &need, &kept, "Zu spät", too_late)
                .await
                .is_err()
        );
        assert_eq!(need_comments::versions(db, id).await.expect("v").len(), 2);
    });
}

#[test]
fn hostile_markdown_and_oversized_texts() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let (nora, _) = person(&w.server, "nc-xss-nora@example.org", "Nora", false, None).await;
        let (eva, mut e) = person(&w.server, "nc-xss-eva@example.org", "Eva", false, None).await;
        let n = need(db, nora, "Sichere Formulare", false).await;
        let hostile: [(&str, &[&str]); 7] = [
            (
                "Vorher <script>alert(1)</script> nachher",
                &["Vorher", "nachher"],
            ),
            ("Bild <img src=x onerror=alert(1)> da", &["Bild", "da</p>"]),
            ("[klick mich](javascript:alert(1))", &["klick mich"]),
            (
                r#"<a href="javascript:alert(2)">Link-Text</a>"#,
                &["Link-Text"],
            ),
            (
                "Grafik <svg onload=alert(3)><circle r=1 /></svg> Ende",
                &["Grafik", "Ende"],
            ),
            (
                r#"Rahmen <iframe src="https://evil.example/"></iframe> Schluss"#,
                &["Rahmen", "Schluss"],
            ),
            (
                "[x](JaVaScRiPt:alert(4)) <b onclick=alert(5)>fett</b>",
                &["<b>fett</b>"],
            ),
        ];
        for (text, visible) in hostile {
            let id = posted(&comment(&mut e, n, text, None).await, n);
            let c = need_comments::get(db, n, id)
                .await
                .expect("read")
                .expect("comment");
            assert_eq!(c.body, text, "kept as written");
            assert_safe(&c.body_html, text);
            for v in visible {
                assert!(c.body_html.contains(v), "{text} → {}", c.body_html);
            }
        }
        let page = e.get(&format!("/beduerfnisse/{n}/kommentare")).await;
        assert_eq!(page.status, 200);
        let s = section(&page.body);
        assert_safe(s, "the served section");
        for (_, visible) in hostile {
            for v in visible {
                assert!(s.contains(v), "{v}");
            }
        }
        // Raw HTML that is text stays readable as text.
        let id = posted(
            &comment(&mut e, n, "Schreib `<script>` als Code", None).await,
            n,
        );
        let c = need_comments::get(db, n, id)
            .await
            .expect("read")
            .expect("comment");
        assert!(c.body_html.contains("&lt;script&gt;"), "{}", c.body_html);

        let before = comments_of(db, n).await.len();
        // One character too many: 422, the field named, the text kept.
        let long = "x".repeat(core::MAX_CHARS + 1);
        let too_long = comment(&mut e, n, &long, None).await;
        assert_eq!(too_long.status, 422);
        assert!(too_long.body.contains("kommentar-body-error"));
        assert!(
            too_long.body.contains("höchstens 5000 Zeichen"),
            "{}",
            too_long.body
        );
        // Over the request body limit: 413 before any handler.
        let huge = "y".repeat(70 * 1024);
        assert_eq!(comment(&mut e, n, &huge, None).await.status, 413);
        // Over a thousand links within the length: the limit is named.
        let links = "www.".repeat(1200);
        let stuffed = comment(&mut e, n, &links, None).await;
        assert_eq!(stuffed.status, 422);
        assert!(
            stuffed.body.contains("Höchstens 10 Links"),
            "{}",
            stuffed.body
        );
        assert!(stuffed.body.contains("es sind 1200"));
        let many = "https://a.example ".repeat(2000);
        let both = comment(&mut e, n, &many, None).await;
        assert_eq!(both.status, 422);
        assert!(both.body.contains("Höchstens 10 Links") && both.body.contains("5000 Zeichen"));
        assert_eq!(comments_of(db, n).await.len(), before, "nothing stored");
        assert!(
            need_comments::by_author(db, eva)
                .await
                .expect("read")
                .iter()
                .all(|(_, _, body, _)| body.len() <= core::MAX_CHARS)
        );
    });
}

/// No script, frame, SVG, event handler or `javascript:` address in `html`.
fn assert_safe(html: &str, what: &str) {
    let doc = scraper::Html::parse_fragment(html);
    for el in doc
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        let name = el.value().name();
        assert!(
            ![
                "script", "iframe", "svg", "object", "embed", "frame", "math"
            ]
            .contains(&name),
            "{what}: <{name}> in {html}"
        );
        for (attr, value) in el.value().attrs() {
            assert!(
                !attr.to_ascii_lowercase().starts_with("on"),
                "{what}: {attr} in {html}"
            );
            let v: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            assert!(
                !v.starts_with("javascript:")
                    && !v.starts_with("data:")
                    && !v.starts_with("vbscript:"),
                "{what}: {attr}={value} in {html}"
            );
        }
    }
}

#[test]
fn reply_chains_cannot_nest_deeper_than_the_cap() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let (nora, _) = person(&w.server, "nc-deep-nora@example.org", "Nora", false, None).await;
        let (fa, mut f) =
            person(&w.server, "nc-deep-fritz@example.org", "Fritz", false, None).await;
        let (ga, _) = person(&w.server, "nc-deep-gabi@example.org", "Gabi", false, None).await;
        let n = need(db, nora, "Tiefe Diskussion", false).await;
        let need = codefor_storage::needs::get(db, n)
            .await
            .expect("read")
            .expect("need");
        let accounts = [
            codefor_storage::accounts::get(db, fa)
                .await
                .expect("a")
                .expect("a"),
            codefor_storage::accounts::get(db, ga)
                .await
                .expect("a")
                .expect("a"),
        ];
        // Fifty replies, each to the one before: a chain that would be 50 deep.
        let mut parent = None;
        for i in 0..50 {
            let posted = core::post(
                db,
                Policy::default(),
                &accounts[i % 2],
                &need,
                &core::Draft {
                    body: &format!("Antwort {i}"),
                    parent,
                    honeypot: "",
                },
            )
            .await
            .expect("post");
            parent = Some(posted.id);
        }
        let all = comments_of(db, n).await;
        assert_eq!(all.len(), 50);
        assert!(all.iter().all(|c| c.depth <= MAX_DEPTH));
        assert_eq!(all.iter().map(|c| c.depth).max(), Some(MAX_DEPTH));
        // Each stored depth is its parent's plus one, or the same at the cap.
        for c in &all {
            let parent_depth = c
                .parent_id
                .and_then(|p| all.iter().find(|x| x.id == p))
                .map_or(-1, |p| p.depth);
            assert_eq!(c.depth, (parent_depth + 1).min(MAX_DEPTH), "{c:?}");
        }
        assert_eq!(comment_count(db, n).await, 50);
        // Through the form: a reply to the deepest goes beside it.
        let deepest = all.last().expect("last");
        let id = posted(&comment(&mut f, n, "Noch eine", Some(deepest.id)).await, n);
        let new = need_comments::get(db, n, id)
            .await
            .expect("read")
            .expect("comment");
        assert_eq!((new.parent_id, new.depth), (deepest.parent_id, MAX_DEPTH));
        // The page renders, every comment once, lists no deeper than the cap allows.
        let page = f.get(&format!("/beduerfnisse/{n}/kommentare")).await;
        assert_eq!(page.status, 200);
        let s = section(&page.body);
        for c in &all {
            assert_eq!(s.matches(&format!(r#"id="kommentar-{}""#, c.id)).count(), 1);
        }
        let (depth, balanced) = list_depth(s);
        assert!(balanced, "{s}");
        assert_eq!(depth, usize::try_from(MAX_DEPTH).expect("small") + 1);
    });
}

#[test]
fn rate_limit_and_honeypot() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let (nora, _) = person(&w.server, "nc-spam-nora@example.org", "Nora", false, None).await;
        let (_, mut s) = person(&w.server, "nc-spam-sven@example.org", "Sven", false, None).await;
        let n = need(db, nora, "Viel zu sagen", false).await;
        // A bot fills every field: refused, nothing stored, not even counted.
        let trapped = post(
            &mut s,
            &format!("/beduerfnisse/{n}/kommentare"),
            &[
                ("body", "Billige Uhren"),
                ("antwort", ""),
                ("website", "https://spam.example"),
            ],
        )
        .await;
        assert_eq!(trapped.status, 422);
        assert!(trapped.body.contains("nur Programme"), "{}", trapped.body);
        assert!(comments_of(db, n).await.is_empty());
        for i in 0..30 {
            posted(&comment(&mut s, n, &format!("Beitrag {i}"), None).await, n);
        }
        let over = comment(&mut s, n, "Beitrag 31", None).await;
        assert_eq!(over.status, 429, "{}", over.body);
        assert!(over.body.contains("Zu viele Versuche"));
        assert_eq!(comments_of(db, n).await.len(), 30);
        assert_eq!(comment_count(db, n).await, 30);
    });
}

static HOLDING: OnceCell<Server> = OnceCell::const_new();

/// A server whose platform holds the first post of every account for review.
async fn holding() -> &'static Server {
    HOLDING
        .get_or_init(|| async {
            let db = codefor_storage::testing::fresh()
                .await
                .expect("fresh database");
            codefor_core::demo::seed(&db.db).await.expect("seed demo");
            crate::support::serve_with(
                db,
                codefor_web::Config {
                    participation: Policy {
                        hold_first_posts: true,
                    },
                    ..Default::default()
                },
            )
            .await
        })
        .await
}

#[test]
fn first_posts_are_held_until_a_moderator_releases_them() {
    block_on(async {
        let server = holding().await;
        let db = &server.db.db;
        let (nora, _) = person(server, "nc-hold-nora@example.org", "Nora", false, None).await;
        let (_, mut admin) =
            person(server, "nc-hold-admin@example.org", "Admina", true, None).await;
        let (_, mut h) = person(server, "nc-hold-hanna@example.org", "Hanna", false, None).await;
        let (_, mut o) = person(server, "nc-hold-otto@example.org", "Otto", false, None).await;
        let n = need(db, nora, "Gehaltene Beiträge", false).await;
        let text = "Mein allererster Beitrag hier";
        let id = posted(&comment(&mut h, n, text, None).await, n);
        let stored = need_comments::get(db, n, id)
            .await
            .expect("read")
            .expect("comment");
        assert_eq!(stored.held, 1);
        assert_eq!(comment_count(db, n).await, 0);
        assert!(notifications_of(db, nora).await.is_empty(), "no news yet");
        let path = format!("/beduerfnisse/{n}/kommentare");
        let mut anon = anonymous(server).await;
        assert!(!anon.get(&path).await.body.contains(text));
        assert!(!o.get(&path).await.body.contains(text));
        let own = h.get(&path).await;
        assert!(own.body.contains(text));
        assert!(section(&own.body).contains("wartet auf Freigabe"));
        let moderator = admin.get(&path).await;
        assert!(moderator.body.contains(text) && moderator.body.contains("Freigeben"));
        // The queue lists it.
        let queue = admin.get("/moderation/").await;
        assert_eq!(queue.status, 200);
        assert!(
            queue.body.contains("Mein allererster Beitrag"),
            "{}",
            queue.body
        );
        // Nobody replies to what is not public yet.
        let early = comment(&mut o, n, "Worauf antworte ich?", Some(id)).await;
        assert_eq!(early.status, 422);

        let released = post(
            &mut admin,
            &format!("/beduerfnisse/{n}/kommentare/{id}/moderation"),
            &[("aktion", "freigeben")],
        )
        .await;
        assert_eq!(released.status, 303, "{}", released.body);
        assert!(anon.get(&path).await.body.contains(text));
        assert_eq!(comment_count(db, n).await, 1);
        assert_eq!(need_comments::count_public(db, n).await.expect("count"), 1);
        let news = notifications_of(db, nora).await;
        assert_eq!(news.len(), 1);
        assert!(
            news[0]
                .1
                .starts_with("Hanna hat kommentiert: Mein allererster")
        );
        // Released once: a second press changes nothing.
        post(
            &mut admin,
            &format!("/beduerfnisse/{n}/kommentare/{id}/moderation"),
            &[("aktion", "freigeben")],
        )
        .await;
        assert_eq!(comment_count(db, n).await, 1);
        assert_eq!(notifications_of(db, nora).await.len(), 1);
        // Hanna has a public post now: her next one is public at once.
        let next = posted(&comment(&mut h, n, "Und noch einer", None).await, n);
        let next = need_comments::get(db, n, next)
            .await
            .expect("read")
            .expect("comment");
        assert_eq!(next.held, 0);
        assert_eq!(comment_count(db, n).await, 2);
    });
}

#[test]
fn locked_threads_and_posts_that_store_nothing() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let (nora, _) = person(&w.server, "nc-lock-nora@example.org", "Nora", false, None).await;
        let (_, mut admin) =
            person(&w.server, "nc-lock-admin@example.org", "Admina", true, None).await;
        let (_, mut p) = person(&w.server, "nc-lock-paul@example.org", "Paul", false, None).await;
        let n = need(db, nora, "Hitzige Debatte", false).await;
        let path = format!("/beduerfnisse/{n}/kommentare");
        let first = posted(&comment(&mut p, n, "Vor der Sperre", None).await, n);

        let locked = post(
            &mut admin,
            &format!("/beduerfnisse/{n}/moderation"),
            &[("aktion", "sperren")],
        )
        .await;
        assert_eq!(locked.status, 303, "{}", locked.body);
        let refused = comment(&mut p, n, "Nach der Sperre", None).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("Die Diskussion ist gesperrt"));
        let reply = comment(&mut p, n, "Auch keine Antwort", Some(first)).await;
        assert_eq!(reply.status, 422);
        let page = p.get(&path).await;
        assert!(section(&page.body).contains("Die Diskussion ist gesperrt"));
        assert!(!section(&page.body).contains("<textarea id=\"kommentar-body\""));
        assert!(!section(&page.body).contains("Antworten"));
        assert_eq!(comments_of(db, n).await.len(), 1);

        post(
            &mut admin,
            &format!("/beduerfnisse/{n}/moderation"),
            &[("aktion", "entsperren")],
        )
        .await;
        posted(&comment(&mut p, n, "Wieder offen", None).await, n);

        // Not signed in: off to the sign-in page, nothing stored.
        let mut anon = anonymous(&w.server).await;
        let out = comment(&mut anon, n, "Anonym", None).await;
        assert_eq!(out.status, 303);
        assert!(out.location.starts_with("/anmelden/"), "{}", out.location);
        // Without a form token at all: refused before anything runs.
        let forged = anon
            .post(&path, &[("body", "Ohne Token"), ("antwort", "")])
            .await;
        assert_eq!(forged.status, 403);
        let forged = p
            .post(&path, &[("body", "Ohne Token"), ("antwort", "")])
            .await;
        assert_eq!(forged.status, 403);
        let wrong = p
            .post(
                &path,
                &[
                    ("csrf", "00ff"),
                    ("body", "Falsches Token"),
                    ("antwort", ""),
                ],
            )
            .await;
        assert_eq!(wrong.status, 403);
        assert_eq!(comments_of(db, n).await.len(), 2);
        // A draft takes no comments and is nobody else's business.
        let mut tx = db.begin().await.expect("tx");
        let draft = codefor_storage::needs::create(
            &mut tx,
            &codefor_storage::needs::Fields {
                title: "Entwurf",
                body: "Noch nicht fertig.",
                body_html: "<p>Noch nicht fertig.</p>",
                affected: "",
                state_key: None,
                municipality: "",
                lab_id: None,
                topic: "gesellschaft",
                missing: "",
                organization_id: None,
            },
            nora,
            false,
            false,
        )
        .await
        .expect("draft");
        codefor_storage::commit(tx).await.expect("commit");
        assert_eq!(comment(&mut p, draft, "Hallo", None).await.status, 404);
        assert_eq!(
            p.get(&format!("/beduerfnisse/{draft}/kommentare"))
                .await
                .status,
            404
        );
    });
}
