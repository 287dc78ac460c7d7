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

/// The id of the comment a successful post went to (on the need page, or on the page
/// of the discussion that holds it).
pub(crate) fn posted(page: &Page, need: i64) -> i64 {
    assert_eq!(page.status, 303, "{}", page.body);
    let (on, id) = page
        .location
        .strip_prefix(&format!("/beduerfnisse/{need}/"))
        .and_then(|rest| rest.split_once("#kommentar-"))
        .unwrap_or_else(|| panic!("redirect to {}", page.location));
    assert!(
        on.is_empty()
            || on
                .strip_prefix("kommentare?seite=")
                .is_some_and(|n| n.parse::<i64>().is_ok_and(|n| n > 1)),
        "redirect to {}",
        page.location
    );
    id.parse().expect("comment id")
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

/// (kind, actor and summary as pages show them, path) of the notifications an account
/// got, oldest first.
async fn notifications_of(db: &Db, account: i64) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT kind, actor_name || ' ' || summary, path FROM notifications \
         WHERE account_id = $1 ORDER BY id",
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
            format!("/beduerfnisse/{n}/kommentare?beitrag={first}#kommentar-{first}")
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
        // Forty links within the length, written so that no address has a scheme: the
        // links a reader would see count, and the limit is named.
        let links = "[x](//spam.example/) ".repeat(40);
        let stuffed = comment(&mut e, n, &links, None).await;
        assert_eq!(stuffed.status, 422);
        assert!(
            stuffed.body.contains("Höchstens 10 Links"),
            "{}",
            stuffed.body
        );
        assert!(stuffed.body.contains("es sind 40"));
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

/// Every id on a page and how often it occurs.
fn ids_of(html: &scraper::Html) -> std::collections::HashMap<String, usize> {
    let mut ids = std::collections::HashMap::new();
    let any = scraper::Selector::parse("[id]").expect("selector");
    for el in html.select(&any) {
        if let Some(id) = el.value().attr("id") {
            *ids.entry(id.to_owned()).or_insert(0) += 1;
        }
    }
    ids
}

#[test]
fn contributions_set_no_ids_or_headings_of_the_page() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let (nora, _) = person(&w.server, "nc-ids-nora@example.org", "Nora", false, None).await;
        let (_, mut k) = person(&w.server, "nc-ids-kai@example.org", "Kai", false, None).await;
        let (_, mut admin) = person(&w.server, "nc-ids-mo@example.org", "Mo", true, None).await;
        // A need whose text and "missing" field try to take the page's ids, with
        // footnotes like every other text.
        let body = "# Ziel {#moderation}\n\nText[^1] <span id=\"unterstuetzen-h\">x</span> \
                    <div id=\"verlauf-h\">y</div>\n\n<h1 id=\"folgen\">Roh</h1>\n\n[^1]: Notiz.";
        let missing = "Daten[^1]\n\n## Was genau\n\n[^1]: Vom Amt.";
        let body_html = codefor_core::needs::render(body);
        let mut tx = db.begin().await.expect("tx");
        let n = codefor_storage::needs::create(
            &mut tx,
            &codefor_storage::needs::Fields {
                title: "Eigene Ids im Text",
                body,
                body_html: &body_html,
                affected: "",
                state_key: None,
                municipality: "",
                lab_id: None,
                topic: "gesellschaft",
                missing,
                organization_id: None,
            },
            nora,
            true,
            false,
        )
        .await
        .expect("need");
        codefor_storage::commit(tx).await.expect("commit");

        let first = posted(&comment(&mut k, n, "Erster Beitrag.", None).await, n);
        let hostile = format!(
            "# Übernahme {{#moderation}}\n\n## Unterstützen\n\nSiehe[^1] und noch mal[^1].\n\n\
             <h1 id=\"unterstuetzen-h\">Roh</h1>\n\n<span id=\"kommentar-{first}\">x</span> \
             <div id=\"moderation\">y</div> \
             <a id=\"neuer-beitrag\" href=\"#kommentar-{first}\">z</a>\n\n[^1]: Die Fußnote."
        );
        let bad = posted(&comment(&mut k, n, &hostile, None).await, n);
        let other = posted(
            &comment(&mut k, n, "Auch[^1].\n\n[^1]: Zweite.", None).await,
            n,
        );

        for path in [
            format!("/beduerfnisse/{n}/"),
            format!("/beduerfnisse/{n}/kommentare"),
        ] {
            let page = admin.get(&path).await;
            assert_eq!(page.status, 200, "{path}");
            let html = scraper::Html::parse_document(&page.body);
            // No id twice: the page's own ones are the page's.
            let ids = ids_of(&html);
            let twice: Vec<_> = ids.iter().filter(|(_, n)| **n > 1).collect();
            assert!(twice.is_empty(), "{path}: {twice:?}");
            for own in [format!("kommentar-{first}"), format!("kommentar-{bad}")] {
                assert_eq!(ids.get(&own), Some(&1), "{path}: {own}");
            }
            let h1 = scraper::Selector::parse("h1").expect("selector");
            assert_eq!(html.select(&h1).count(), 1, "{path}: one h1");
            // Inside each comment: no heading above h4, only its own prefixed ids, and
            // every fragment link to one of them resolves within it.
            let bodies = scraper::Selector::parse(".comment-body").expect("selector");
            let high = scraper::Selector::parse("h1, h2, h3").expect("selector");
            let with_id = scraper::Selector::parse("[id]").expect("selector");
            let notes = scraper::Selector::parse("sup.footnote-ref a").expect("selector");
            let mut prefixes = Vec::new();
            for c in html.select(&bodies) {
                assert_eq!(c.select(&high).count(), 0, "{path}: {}", c.html());
                let inner: Vec<&str> = c
                    .select(&with_id)
                    .filter_map(|e| e.value().attr("id"))
                    .collect();
                for id in &inner {
                    assert!(id.starts_with('k') && id.contains('-'), "{path}: {id}");
                    assert!(!id.starts_with("kommentar"), "{path}: {id}");
                }
                for a in c.select(&notes) {
                    let target = a.value().attr("href").and_then(|h| h.strip_prefix('#'));
                    assert!(
                        target.is_some_and(|t| inner.contains(&t)),
                        "{path}: footnote {:?} not in {inner:?}",
                        a.value().attr("href")
                    );
                }
                if let Some(id) = inner.first() {
                    prefixes.push(id.split('-').next().unwrap_or_default().to_owned());
                }
            }
            // The two comments with footnotes have ids of their own each.
            assert_eq!(prefixes.len(), 2, "{path}");
            assert_ne!(prefixes[0], prefixes[1], "{path}");
            if path.ends_with("kommentare") {
                continue;
            }
            // The need's text: its headings below the page's sections, its footnotes
            // and those of its "missing" field apart.
            assert!(
                page.body.contains("<h3>Ziel {#moderation}</h3>"),
                "{}",
                page.body
            );
            assert!(page.body.contains("<h3>Was genau</h3>"), "{}", page.body);
            assert!(!ids.contains_key("fn-1"), "{ids:?}");
            let fns: Vec<_> = ids.keys().filter(|id| id.ends_with("-fn-1")).collect();
            assert_eq!(
                fns.len(),
                4,
                "two comments, the text and the missing field: {fns:?}"
            );
        }
        let stored = need_comments::get(db, n, other)
            .await
            .expect("read")
            .expect("comment");
        assert!(stored.body_html.contains("-fn-1\""), "{}", stored.body_html);
    });
}

#[test]
fn links_and_nesting_count_as_they_are_shown() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let (nora, _) = person(&w.server, "nc-shape-nora@example.org", "Nora", false, None).await;
        let (_, mut s) = person(&w.server, "nc-shape-sven@example.org", "Sven", false, None).await;
        let n = need(db, nora, "Werbung draußen halten", false).await;
        // Eleven links, none with `http` in it: refused, the limit named at the field.
        let eleven = "[a](//a.example/) b@b.example <a href=\"//c.example\">c</a> \
                      [d](mailto:d@d.example) <a href='//e.example'>e</a> f@f.example \
                      [g](//g.example) h@h.example [i](//i.example) j@j.example \
                      <a href=\"//k.example/\">k</a>";
        let refused = comment(&mut s, n, eleven, None).await;
        assert_eq!(refused.status, 422);
        assert!(
            refused.body.contains("kommentar-body-error"),
            "{}",
            refused.body
        );
        assert!(
            refused
                .body
                .contains("Höchstens 10 Links pro Beitrag – es sind 11"),
            "{}",
            refused.body
        );
        // Footnotes link within the text: any number of them is fine, and so are ten
        // links.
        let ten = eleven.rsplit_once(' ').map_or(eleven, |(ten, _)| ten);
        let notes: String = (1..=12).map(|i| format!("Satz[^{i}] ")).collect();
        let defs: String = (1..=12)
            .map(|i| format!("\n[^{i}]: Quelle {i}\n"))
            .collect();
        posted(
            &comment(&mut s, n, &format!("{ten}\n\n{notes}\n{defs}"), None).await,
            n,
        );

        // 4900 quote marks: refused at the field, nothing stored.
        let before = comments_of(db, n).await.len();
        let deep = comment(&mut s, n, &">".repeat(4900), None).await;
        assert_eq!(deep.status, 422);
        assert!(deep.body.contains("kommentar-body-error"), "{}", deep.body);
        assert!(deep.body.contains("zu tief verschachtelt"), "{}", deep.body);
        let lists: String = (0..9)
            .map(|i| format!("{}- Ebene {i}\n", "  ".repeat(i)))
            .collect();
        let too_deep = comment(&mut s, n, &lists, None).await;
        assert_eq!(too_deep.status, 422);
        assert!(too_deep.body.contains("zu tief verschachtelt"));
        assert_eq!(comments_of(db, n).await.len(), before, "nothing stored");
        // Eight levels are fine.
        posted(
            &comment(&mut s, n, &format!("{}Zitat", "> ".repeat(8)), None).await,
            n,
        );
    });
}

#[test]
fn edits_are_limited_and_merged_within_a_minute() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let (nora, _) = person(&w.server, "nc-merge-nora@example.org", "Nora", false, None).await;
        let (_, mut t) = person(&w.server, "nc-merge-tim@example.org", "Tim", false, None).await;
        let n = need(db, nora, "Oft geändert", false).await;
        let id = posted(&comment(&mut t, n, "Fassung 0", None).await, n);
        let save = format!("/beduerfnisse/{n}/kommentare/{id}");
        let versions = || async {
            need_comments::versions(db, id)
                .await
                .expect("versions")
                .into_iter()
                .map(|v| v.body)
                .collect::<Vec<_>>()
        };
        // Three edits within a minute: one version, the text before the first.
        for i in 1..=3 {
            let page = post(&mut t, &save, &[("body", &format!("Fassung {i}"))]).await;
            assert_eq!(page.status, 303, "{}", page.body);
        }
        assert_eq!(versions().await, ["Fassung 0"]);
        // A minute after that version, the next edit keeps the text it replaces.
        sqlx::query("UPDATE need_comment_versions SET created_at = $1 WHERE comment_id = $2")
            .bind((jiff::Timestamp::now() - jiff::SignedDuration::from_secs(61)).to_string())
            .bind(id)
            .execute(db.pool())
            .await
            .expect("set back");
        let page = post(&mut t, &save, &[("body", "Fassung 4")]).await;
        assert_eq!(page.status, 303, "{}", page.body);
        assert_eq!(versions().await, ["Fassung 0", "Fassung 3"]);
        // Thirty edits an hour; the next is refused and changes nothing.
        for i in 5..=30 {
            let page = post(&mut t, &save, &[("body", &format!("Fassung {i}"))]).await;
            assert_eq!(page.status, 303, "edit {i}: {}", page.body);
        }
        let over = post(&mut t, &save, &[("body", "Fassung 31")]).await;
        assert_eq!(over.status, 429, "{}", over.body);
        assert!(over.body.contains("Zu viele Versuche"), "{}", over.body);
        let kept = need_comments::get(db, n, id)
            .await
            .expect("read")
            .expect("comment");
        assert_eq!(kept.body, "Fassung 30");
        assert_eq!(versions().await.len(), 2, "thirty edits, two versions");
    });
}

/// The ids of the comments a section shows, in page order.
fn shown_ids(section: &str) -> Vec<i64> {
    static ID: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r#"<li id="kommentar-(\d+)""#).expect("regex"));
    ID.captures_iter(section)
        .map(|c| c[1].parse().expect("id"))
        .collect()
}

/// A long discussion written straight into the database: `roots` top-level comments by
/// `author`, each but the last with a reply written after the next thread began, every
/// third of those replies with an answer of its own. Returns the top-level ids and,
/// per thread, its comments in thread order (the thread's first comment first).
async fn long_discussion(db: &Db, need: i64, author: i64, roots: usize) -> Vec<Vec<i64>> {
    let mut tx = db.begin().await.expect("tx");
    let mut threads: Vec<Vec<i64>> = Vec::new();
    for i in 0..roots {
        let body = format!("Faden {i}");
        let id = plain_comment(&mut tx, need, None, 0, author, &body).await;
        threads.push(vec![id]);
        // Replies to the thread before, so replies and threads interleave by id.
        if i > 0 {
            let parent = threads[i - 1][0];
            let body = format!("Antwort auf Faden {}", i - 1);
            let reply = plain_comment(&mut tx, need, Some(parent), 1, author, &body).await;
            threads[i - 1].push(reply);
            if i % 3 == 0 {
                let body = format!("Rückfrage in Faden {}", i - 1);
                let answer = plain_comment(&mut tx, need, Some(reply), 2, author, &body).await;
                threads[i - 1].push(answer);
            }
        }
    }
    let total: usize = threads.iter().map(Vec::len).sum();
    need_comments::adjust_count(&mut tx, need, i64::try_from(total).expect("small"))
        .await
        .expect("count");
    codefor_storage::commit(tx).await.expect("commit");
    threads
}

#[test]
fn long_discussions_come_in_pages_of_fifty_threads() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let (nora, _) = person(&w.server, "nc-long-nora@example.org", "Nora", false, None).await;
        let (lena, mut l) =
            person(&w.server, "nc-long-lena@example.org", "Lena", false, None).await;
        let (_, mut r) = person(&w.server, "nc-long-rolf@example.org", "Rolf", false, None).await;
        let (_, mut admin) =
            person(&w.server, "nc-long-admin@example.org", "Admina", true, None).await;
        let mut anon = anonymous(&w.server).await;
        let n = need(db, nora, "Sehr lange Diskussion", false).await;
        let threads = long_discussion(db, n, lena, 120).await;
        let expect = |range: std::ops::Range<usize>| -> Vec<i64> {
            threads[range].iter().flatten().copied().collect()
        };
        let total: usize = threads.iter().map(Vec::len).sum();
        let comments = format!("/beduerfnisse/{n}/kommentare");

        // Page 1 — on the need page and on the comments page — shows the first fifty
        // threads with every reply, in thread order, and nothing else.
        for path in [format!("/beduerfnisse/{n}/"), comments.clone()] {
            let page = anon.get(&path).await;
            assert_eq!(page.status, 200, "{path}");
            let s = section(&page.body);
            assert!(s.contains(&format!("Diskussion ({total})")), "{path}: {s}");
            assert_eq!(shown_ids(s), expect(0..50), "{path}");
            assert_eq!(list_depth(s), (3, true), "{path}");
            assert!(s.contains(r#"aria-label="Weitere Beiträge""#), "{path}");
            assert!(s.contains("Seite 1 von 3"), "{path}");
            assert!(
                s.contains(&format!(
                    r#"<a href="/beduerfnisse/{n}/kommentare?seite=2" rel="next">Weitere Beiträge</a>"#
                )),
                "{path}: {s}"
            );
            assert!(s.contains(&format!(r#"href="/beduerfnisse/{n}/kommentare?seite=3""#)));
            assert!(!s.contains(r#"rel="prev""#), "{path}");
        }
        // Page 2 and 3: the next fifty, then the last twenty; the pager links both ways.
        let two = anon.get(&format!("{comments}?seite=2")).await;
        assert_eq!(two.status, 200);
        let s = section(&two.body);
        assert_eq!(shown_ids(s), expect(50..100));
        assert!(s.contains(&format!(
            r#"<a href="/beduerfnisse/{n}/kommentare?seite=1" rel="prev">"#
        )));
        assert!(s.contains(&format!(
            r#"<a href="/beduerfnisse/{n}/kommentare?seite=3" rel="next">"#
        )));
        assert!(s.contains(&format!(
            r#"href="/beduerfnisse/{n}/kommentare?seite=2" aria-current="page""#
        )));
        assert!(
            two.body
                .contains("<title>Diskussion: Sehr lange Diskussion – Seite 2")
        );
        // Links to a comment lead to the page it is on.
        let second_page_root = threads[60][0];
        assert!(s.contains(&format!(
            r#"href="/beduerfnisse/{n}/kommentare?seite=2#kommentar-{second_page_root}""#
        )));
        let three = anon.get(&format!("{comments}?seite=3")).await;
        let s = section(&three.body);
        assert_eq!(shown_ids(s), expect(100..120));
        assert_eq!(threads[119].len(), 1, "the last thread has no reply");
        assert!(s.contains(&format!(
            r#"<a href="/beduerfnisse/{n}/kommentare?seite=2" rel="prev">"#
        )));
        assert!(!s.contains(r#"rel="next""#));
        // Anything that is not a page number is page 1; beyond the ends, the end.
        for (q, first) in [
            ("seite=abc", 0),
            ("seite=", 0),
            ("seite=0", 0),
            ("seite=-4", 0),
            ("seite=99", 100),
            ("seite=99999999999999999999", 0),
        ] {
            let page = anon.get(&format!("{comments}?{q}")).await;
            assert_eq!(page.status, 200, "{q}");
            assert_eq!(
                shown_ids(section(&page.body)).first(),
                Some(&threads[first][0]),
                "{q}"
            );
        }

        // A link to a comment (a reply deep in a thread of page 2) opens its page.
        let deep = *threads[74].last().expect("reply");
        assert_ne!(deep, threads[74][0]);
        let linked = anon.get(&format!("{comments}?beitrag={deep}")).await;
        assert_eq!(shown_ids(section(&linked.body)), expect(50..100));
        // „Antworten“ on a reply of page 2 opens page 2 with the form under it.
        let reply_on_two = threads[55][1];
        let form = r.get(&format!("{comments}?antwort={reply_on_two}")).await;
        assert_eq!(form.status, 200);
        let s = section(&form.body);
        assert_eq!(shown_ids(s), expect(50..100));
        assert!(s.contains(&format!(r#"name="antwort" value="{reply_on_two}""#)));
        let under = s.find(r#"id="antworten""#).expect("reply form");
        assert!(
            s.find(&format!(r#"id="kommentar-{reply_on_two}""#))
                .expect("comment")
                < under
        );
        // The reply links of a page point to the comment's reply form.
        assert!(s.contains(&format!(
            "/beduerfnisse/{n}/kommentare?antwort={}#antworten",
            threads[99][0]
        )));

        // A reply in a thread of page 3 is shown there: the redirect says so.
        let on_three = threads[110][0];
        let sent = comment(&mut r, n, "Antwort auf Seite drei", Some(on_three)).await;
        assert_eq!(sent.status, 303, "{}", sent.body);
        let new = posted(&sent, n);
        assert_eq!(
            sent.location,
            format!("/beduerfnisse/{n}/kommentare?seite=3#kommentar-{new}")
        );
        let s = section(&r.get(&format!("{comments}?seite=3")).await.body).to_owned();
        let ids = shown_ids(&s);
        assert_eq!(ids.len(), expect(100..120).len() + 1);
        let at = |id: i64| ids.iter().position(|x| *x == id).expect("shown");
        assert_eq!(
            at(new),
            at(on_three) + threads[110].len(),
            "after the earlier replies to the comment replied to"
        );
        // A reply on page 1 goes back to the need page.
        let sent = comment(&mut r, n, "Antwort auf Seite eins", Some(threads[3][0])).await;
        let first_page = posted(&sent, n);
        assert_eq!(
            sent.location,
            format!("/beduerfnisse/{n}/#kommentar-{first_page}")
        );
        // A new thread comes last: on page 3, after the twenty there were.
        let sent = comment(&mut r, n, "Ein neuer Faden", None).await;
        let newest = posted(&sent, n);
        assert_eq!(
            sent.location,
            format!("/beduerfnisse/{n}/kommentare?seite=3#kommentar-{newest}")
        );
        // An edit goes back to where the comment is, and so does a moderator's action.
        let edited = post(
            &mut r,
            &format!("/beduerfnisse/{n}/kommentare/{new}"),
            &[("body", "Antwort auf Seite drei, berichtigt")],
        )
        .await;
        assert_eq!(edited.status, 303, "{}", edited.body);
        assert_eq!(
            edited.location,
            format!("/beduerfnisse/{n}/kommentare?seite=3#kommentar-{new}")
        );
        let hidden = post(
            &mut admin,
            &format!("/beduerfnisse/{n}/kommentare/{reply_on_two}/moderation"),
            &[("aktion", "ausblenden"), ("grund", "Off topic")],
        )
        .await;
        assert_eq!(hidden.status, 303, "{}", hidden.body);
        assert_eq!(
            hidden.location,
            format!("/beduerfnisse/{n}/kommentare?seite=2#kommentar-{reply_on_two}")
        );
        // A hidden comment keeps its place (with its reason), and so does the page.
        let page = anon.get(&format!("{comments}?seite=2")).await;
        let s = section(&page.body);
        assert!(s.contains("Von der Moderation ausgeblendet: Off topic"));
        assert_eq!(shown_ids(s), expect(50..100));

        // Held comments: in their thread for their author and moderators, nobody else.
        let mut tx = db.begin().await.expect("tx");
        let held_reply = need_comments::create(
            &mut tx,
            &need_comments::New {
                need: n,
                parent: Some(threads[80][0]),
                depth: 1,
                author: lena,
                body: "Gehaltene Antwort",
                body_html: "<p>Gehaltene Antwort</p>",
                held: true,
            },
        )
        .await
        .expect("held");
        codefor_storage::commit(tx).await.expect("commit");
        for (who, b, sees) in [
            ("the author", &mut l, true),
            ("a moderator", &mut admin, true),
            ("someone else", &mut r, false),
            ("anonymous", &mut anon, false),
        ] {
            let page = b.get(&format!("{comments}?seite=2")).await;
            let s = section(&page.body);
            assert_eq!(shown_ids(s).contains(&held_reply), sees, "{who} on page 2");
            assert_eq!(s.contains("Gehaltene Antwort"), sees, "{who}");
            // Its own link leads to its page, for those who may see it.
            let linked = b.get(&format!("{comments}?beitrag={held_reply}")).await;
            assert!(section(&linked.body).contains("Seite 2 von 3"), "{who}");
        }
        let released = post(
            &mut admin,
            &format!("/beduerfnisse/{n}/kommentare/{held_reply}/moderation"),
            &[("aktion", "freigeben")],
        )
        .await;
        assert_eq!(
            released.location,
            format!("/beduerfnisse/{n}/kommentare?seite=2#kommentar-{held_reply}")
        );

        // Signed in, a comment carries a link to report it, not a form of its own.
        let page = r.get(&comments).await;
        let s = section(&page.body);
        assert_eq!(
            s.matches("<textarea").count(),
            1,
            "only the new comment's form"
        );
        assert!(!s.contains("comment-report\">\n"), "no inline report form");
        assert!(s.contains(&format!(
            r#"href="/beduerfnisse/{n}/kommentare/{}/melden""#,
            threads[0][0]
        )));
        let anon_size = section(&anon.get(&comments).await.body).len();
        assert!(
            s.len() < anon_size * 2,
            "signed in {} bytes, anonymous {anon_size}",
            s.len()
        );

        // The storage functions on their own.
        let reader = need_comments::Reader::default();
        assert_eq!(
            need_comments::threads(db, n, reader).await.expect("count"),
            121
        );
        let last = need_comments::page(db, n, reader, 50, 3)
            .await
            .expect("page");
        assert_eq!(last.iter().filter(|c| c.parent_id.is_none()).count(), 21);
        assert!(
            need_comments::page(db, n, reader, 50, 4)
                .await
                .expect("page")
                .is_empty()
        );
        assert_eq!(
            need_comments::page_of(db, n, deep, reader, 50)
                .await
                .expect("page"),
            Some(2)
        );
        assert_eq!(
            need_comments::page_of(db, n, 999_999_999, reader, 50)
                .await
                .expect("page"),
            None
        );
        assert_eq!(
            need_comments::page_of(db, nora, deep, reader, 50)
                .await
                .expect("page"),
            None,
            "a comment of another need"
        );
    });
}

#[test]
fn comments_are_reported_on_a_page_of_their_own() {
    block_on(async {
        let w = world().await;
        let db = &w.server.db.db;
        let (nora, _) = person(&w.server, "nc-rep-nora@example.org", "Nora", false, None).await;
        let (_, mut v) = person(&w.server, "nc-rep-vera@example.org", "Vera", false, None).await;
        let (_, mut s) = person(&w.server, "nc-rep-sina@example.org", "Sina", false, None).await;
        let (_, mut admin) =
            person(&w.server, "nc-rep-admin@example.org", "Admina", true, None).await;
        let mut anon = anonymous(&w.server).await;
        let n = need(db, nora, "Gemeldete Beiträge", false).await;
        let rude = posted(
            &comment(&mut v, n, "Ihr habt doch keine Ahnung", None).await,
            n,
        );
        let path = format!("/beduerfnisse/{n}/kommentare/{rude}/melden");

        // The discussion links to the page; the page shows the comment and the form.
        let thread = s.get(&format!("/beduerfnisse/{n}/")).await;
        assert!(section(&thread.body).contains(&format!(r#"href="{path}""#)));
        let form = s.get(&path).await;
        assert_eq!(form.status, 200, "{}", form.body);
        assert!(form.body.contains("<h1>Beitrag melden</h1>"));
        assert!(form.body.contains("Ihr habt doch keine Ahnung"));
        assert!(form.body.contains(&format!(r#"action="{path}""#)));
        assert!(form.body.contains(r#"<label for="f-grund">"#));
        assert!(
            CSRF.captures(&form.body).is_some_and(|c| !c[1].is_empty()),
            "the form carries the session's token"
        );
        // A mistake comes back to the same page, named at the field.
        let empty = post(&mut s, &path, &[("grund", "  ")]).await;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("<h1>Beitrag melden</h1>"));
        assert!(empty.body.contains("Ihr habt doch keine Ahnung"));
        assert!(empty.body.contains(r#"id="f-grund-error""#));
        assert!(
            empty
                .body
                .contains(r#"aria-describedby="f-grund-hint f-grund-error""#)
        );
        assert!(empty.body.contains(&format!(r#"action="{path}""#)));
        let long = "z".repeat(1001);
        let too_long = post(&mut s, &path, &[("grund", &long)]).await;
        assert_eq!(too_long.status, 422);
        assert!(too_long.body.contains("höchstens 1000 Zeichen"));
        assert!(
            too_long.body.contains(&format!("{long}</textarea>")),
            "the text stays"
        );
        assert!(
            codefor_storage::reports::open_of_need(db, n)
                .await
                .expect("r")
                .is_empty()
        );
        // Sent: back to the comment, and the page says it is done.
        let sent = post(&mut s, &path, &[("grund", "Herablassend")]).await;
        assert_eq!(sent.status, 303, "{}", sent.body);
        assert_eq!(
            sent.location,
            format!("/beduerfnisse/{n}/#kommentar-{rude}")
        );
        let reports = codefor_storage::reports::open_of_need(db, n)
            .await
            .expect("r");
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].comment_id, Some(rude));
        let done = s.get(&path).await;
        assert_eq!(done.status, 200);
        assert!(done.body.contains("Du hast diesen Beitrag schon gemeldet"));
        assert!(!done.body.contains("<textarea"));
        assert!(
            section(&s.get(&format!("/beduerfnisse/{n}/")).await.body)
                .contains("Du hast diesen Beitrag gemeldet")
        );
        let again = post(&mut s, &path, &[("grund", "Immer noch")]).await;
        assert_eq!(again.status, 422);
        assert!(again.body.contains("Du hast das schon gemeldet"));

        // Not signed in: off to sign in, and back here afterwards.
        let away = anon.get(&path).await;
        assert_eq!(away.status, 303);
        assert_eq!(away.location, format!("/anmelden/?next={path}"));
        let refused = post(&mut anon, &path, &[("grund", "Anonym")]).await;
        assert_eq!(refused.status, 303);
        assert!(refused.location.starts_with("/anmelden/"));
        assert!(!section(&anon.get(&format!("/beduerfnisse/{n}/")).await.body).contains("/melden"));
        // No such comment, another need's, or not a number: 404.
        for wrong in [
            format!("/beduerfnisse/{n}/kommentare/999999999/melden"),
            format!("/beduerfnisse/{n}/kommentare/abc/melden"),
            format!("/beduerfnisse/999999999/kommentare/{rude}/melden"),
        ] {
            assert_eq!(s.get(&wrong).await.status, 404, "{wrong}");
        }

        // Held: nobody else's business (404), as for the form's target.
        let mut tx = db.begin().await.expect("tx");
        let vera = need_comments::get(db, n, rude)
            .await
            .expect("read")
            .expect("comment")
            .author_id
            .expect("author");
        let held = need_comments::create(
            &mut tx,
            &need_comments::New {
                need: n,
                parent: None,
                depth: 0,
                author: vera,
                body: "Noch nicht freigegeben",
                body_html: "<p>Noch nicht freigegeben</p>",
                held: true,
            },
        )
        .await
        .expect("held");
        codefor_storage::commit(tx).await.expect("commit");
        let held_path = format!("/beduerfnisse/{n}/kommentare/{held}/melden");
        let page = s.get(&held_path).await;
        assert_eq!(page.status, 404);
        assert!(!page.body.contains("Noch nicht freigegeben"));
        assert_eq!(
            post(&mut s, &held_path, &[("grund", "x")]).await.status,
            404
        );

        // Hidden: nothing left to report, and the hidden text is not shown.
        let hide = post(
            &mut admin,
            &format!("/beduerfnisse/{n}/kommentare/{rude}/moderation"),
            &[("aktion", "ausblenden"), ("grund", "Herablassend")],
        )
        .await;
        assert_eq!(hide.status, 303, "{}", hide.body);
        let (_, mut t) = person(&w.server, "nc-rep-tom@example.org", "Tom", false, None).await;
        let page = t.get(&path).await;
        assert_eq!(page.status, 403);
        assert!(page.body.contains("schon ausgeblendet"), "{}", page.body);
        assert!(!page.body.contains("Ihr habt doch keine Ahnung"));
        assert!(!page.body.contains("<textarea"));
        let late = post(&mut t, &path, &[("grund", "Auch")]).await;
        assert_eq!(late.status, 422);
        assert!(late.body.contains("schon ausgeblendet"));
        assert!(!late.body.contains("Ihr habt doch keine Ahnung"));
        assert!(
            !section(&t.get(&format!("/beduerfnisse/{n}/")).await.body)
                .contains(&format!(r#"href="{path}""#))
        );
    });
}

/// A public comment written straight to storage (for building long discussions fast).
async fn plain_comment(
    tx: &mut codefor_storage::Connection,
    need: i64,
    parent: Option<i64>,
    depth: i64,
    author: i64,
    body: &str,
) -> i64 {
    need_comments::create(
        tx,
        &need_comments::New {
            need,
            parent,
            depth,
            author,
            body,
            body_html: &format!("<p>{body}</p>"),
            held: false,
        },
    )
    .await
    .expect("comment")
}
