//! Metadata for machines over real HTTP: schema.org JSON-LD in pages (expanded by the
//! independent JSON-LD processor `pyld` in `scripts/jsonld-check.py`), OpenGraph tags and
//! canonical links, and RSS feeds (parsed by `feedparser` in `scripts/feed-check.py`).
//! Hostile text can neither end the JSON-LD script element nor break a feed's XML, hidden
//! needs show nothing of themselves, and planted broken input makes both checkers fail.

use std::process::Command;
use std::sync::LazyLock;

use codefor_domain::{Post, Project};
use tokio::sync::OnceCell;

use crate::support::{Server, block_on, get, serve};

/// A title that would run script if it ever left the JSON-LD element unescaped.
const HOSTILE: &str = "</script><script>window.__pwned=1</script>";
/// A title with what XML 1.0 forbids or a writer must escape.
const XML_HOSTILE: &str = "Daten\u{1} & <Karten> ]]> für alle";

static OG: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"<meta property="og:([a-z_]+)" content="([^"]*)">"#).expect("regex")
});
static CANONICAL: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r#"<link rel="canonical" href="([^"]*)">"#).expect("regex"));

fn script(name: &str) -> String {
    format!("{}/../../scripts/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Whether Python has `feedparser` and `pyld`. Without them the test says so and stops
/// (passing), except in CI (`CI` set), where a missing package fails it.
fn checkers_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import feedparser, pyld"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let why = "python3 with feedparser and pyld is missing \
                   (pip install -r scripts/requirements-test.txt)";
        assert!(std::env::var("CI").is_err(), "{why}");
        eprintln!("SKIPPED: {why}");
    }
    ok
}

/// Runs a checker; its verdict and what it printed.
fn run(name: &str, args: &[String]) -> (bool, String) {
    let out = Command::new("python3")
        .arg(script(name))
        .args(args)
        .output()
        .expect("python3 runs; packages from scripts/requirements-test.txt");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `jsonld-check.py` accepts the page at `path` and finds `expect` (with extra
/// required properties after a colon).
fn assert_jsonld(server: &Server, path: &str, expect: &str) {
    let (ok, out) = run(
        "jsonld-check.py",
        &["--expect".into(), expect.into(), server.url(path)],
    );
    assert!(ok, "jsonld-check.py refused {path}:\n{out}");
}

fn assert_feeds(server: &Server, paths: &[&str], min_entries: usize) {
    let mut args = vec!["--min-entries".to_owned(), min_entries.to_string()];
    args.extend(paths.iter().map(|p| server.url(p)));
    let (ok, out) = run("feed-check.py", &args);
    assert!(ok, "feed-check.py refused a feed:\n{out}");
}

/// OpenGraph and the canonical link: present, and every address absolute on this server.
fn assert_open_graph(server: &Server, path: &str, html: &str, og_type: &str) {
    let og: std::collections::HashMap<String, String> = OG
        .captures_iter(html)
        .map(|c| (c[1].to_owned(), c[2].to_owned()))
        .collect();
    for key in [
        "title",
        "description",
        "type",
        "url",
        "image",
        "locale",
        "site_name",
    ] {
        assert!(
            og.get(key).is_some_and(|v| !v.is_empty()),
            "{path}: og:{key} missing"
        );
    }
    assert_eq!(og["type"], og_type, "{path}");
    assert_eq!(og["locale"], "de_DE");
    assert_eq!(og["url"], server.url(path), "{path}: og:url");
    assert!(og["image"].starts_with(&server.base), "{path}: og:image");
    let canonical = CANONICAL
        .captures(html)
        .map(|c| c[1].to_owned())
        .unwrap_or_default();
    assert_eq!(canonical, server.url(path), "{path}: canonical");
}

/// The JSON-LD blocks of a page, decoded.
fn blocks(html: &str) -> Vec<serde_json::Value> {
    let re = regex::Regex::new(r#"(?s)<script type="application/ld\+json">(.*?)</script>"#)
        .expect("regex");
    re.captures_iter(html)
        .map(|c| serde_json::from_str(&c[1]).expect("JSON-LD block is JSON"))
        .collect()
}

static OWN: OnceCell<Server> = OnceCell::const_new();

/// A server of its own: the demo network plus records with hostile titles, and one
/// need hidden by a moderator (planted before the first request, so no cache is stale).
async fn own() -> &'static Server {
    OWN.get_or_init(|| async {
        let db = codefor_storage::testing::fresh()
            .await
            .expect("fresh database");
        codefor_core::demo::seed(&db.db).await.expect("seed demo");
        let mut tx = db.db.begin().await.expect("transaction");
        codefor_storage::projects::upsert(
            &mut tx,
            &Project {
                slug: "feindlich".into(),
                title: HOSTILE.into(),
                summary: Some(format!("{HOSTILE} {XML_HOSTILE}")),
                body_md: "Text.".into(),
                body_html: "<p>Text.</p>".into(),
                labs: vec!["kiel".into()],
                date: Some("2099-01-01".into()),
                source: serde_json::json!({}),
                ..Project::default()
            },
        )
        .await
        .expect("project");
        codefor_storage::projects::upsert(
            &mut tx,
            &Project {
                slug: "steuerzeichen".into(),
                title: XML_HOSTILE.into(),
                summary: Some(XML_HOSTILE.into()),
                body_md: "Text.".into(),
                body_html: "<p>Text.</p>".into(),
                labs: vec!["kiel".into()],
                date: Some("2098-01-01".into()),
                source: serde_json::json!({}),
                ..Project::default()
            },
        )
        .await
        .expect("project");
        codefor_storage::posts::upsert(
            &mut tx,
            &Post {
                slug: "feindlich".into(),
                title: HOSTILE.into(),
                date: "2099-01-01".into(),
                author: Some(format!("{XML_HOSTILE}, Jana")),
                summary: Some(XML_HOSTILE.into()),
                body_md: "Text.".into(),
                body_html: "<p>Text.</p>".into(),
                lang: "de".into(),
                source: serde_json::json!({}),
                ..Post::default()
            },
        )
        .await
        .expect("post");
        codefor_storage::commit(tx).await.expect("commit");
        // The first demo need, hidden by a moderator.
        sqlx::query("UPDATE needs SET hidden_reason = $1 WHERE id = $2")
            .bind("Verstößt gegen den Verhaltenskodex.")
            .bind(hidden_need(&db.db).await)
            .execute(db.db.pool())
            .await
            .expect("hide a need");
        serve(db).await
    })
    .await
}

/// The need the own server hides: the demo's first listed one.
async fn hidden_need(db: &codefor_storage::Db) -> i64 {
    codefor_storage::needs::listed_ids(db, 1)
        .await
        .expect("needs")
        .first()
        .copied()
        .expect("the demo has a listed need")
}

/// A listed need (not the hidden one), a meetup and the demo's records.
async fn demo_paths(server: &Server) -> Vec<(String, &'static str, &'static str)> {
    let db = &server.db.db;
    let hidden = sqlx::query_scalar::<_, i64>(
        "SELECT id FROM needs WHERE hidden_reason IS NOT NULL ORDER BY id LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await
    .expect("query");
    let need = codefor_storage::needs::listed_ids(db, 10)
        .await
        .expect("needs")
        .into_iter()
        .find(|id| Some(*id) != hidden)
        .expect("a listed need");
    let meetup: i64 = sqlx::query_scalar("SELECT MIN(id) FROM meetups")
        .fetch_one(db.pool())
        .await
        .expect("a meetup");
    vec![
        ("/".into(), "WebSite", "website"),
        ("/".into(), "Organization:logo", "website"),
        (
            "/kiel/".into(),
            "Organization:address,location,parentOrganization",
            "website",
        ),
        (
            "/projekte/foerdepegel/".into(),
            "SoftwareSourceCode:license,keywords",
            "website",
        ),
        (
            "/blog/open-data-day-kiel/".into(),
            "BlogPosting:description",
            "article",
        ),
        (
            format!("/termine/{meetup}/"),
            "Event:description",
            "website",
        ),
        (format!("/beduerfnisse/{need}/"), "CreativeWork", "website"),
    ]
}

#[test]
fn demo_pages_carry_schema_org_that_pyld_expands_and_open_graph() {
    if !checkers_available() {
        return;
    }
    block_on(async {
        let server = crate::support::demo().await;
        for (path, expect, og_type) in demo_paths(server).await {
            let (status, html) = get(server, &path).await;
            assert_eq!(status, 200, "{path}");
            assert_open_graph(server, &path, &html, og_type);
            assert_jsonld(server, &path, expect);
        }
        // A dataset page (engineer C's `/daten/<slug>/`) carries a `Dataset`.
        let dataset: String = sqlx::query_scalar("SELECT slug FROM datasets ORDER BY id LIMIT 1")
            .fetch_one(server.db.db.pool())
            .await
            .expect("the demo has a dataset");
        let path = format!("/daten/{dataset}/");
        let (status, html) = get(server, &path).await;
        assert_eq!(status, 200, "{path}");
        assert_open_graph(server, &path, &html, "website");
        assert_jsonld(server, &path, "Dataset:distribution,license,creator");
        let block = &blocks(&html)[0];
        assert_eq!(block["distribution"][0]["@type"], "DataDownload");
        let email: Option<String> =
            sqlx::query_scalar("SELECT contact_email FROM datasets WHERE slug = $1")
                .bind(&dataset)
                .fetch_one(server.db.db.pool())
                .await
                .expect("contact");
        let email = email
            .filter(|e| !e.is_empty())
            .expect("the demo dataset names a contact address");
        assert!(html.contains(&email), "the page shows the contact address");
        assert!(
            !block.to_string().contains(&email),
            "JSON-LD never carries e-mail addresses"
        );
        // The lab's block: its city with coordinates, the network as parent, no
        // address of a person anywhere.
        let (_, html) = get(server, "/kiel/").await;
        let lab = &blocks(&html)[0];
        assert_eq!(lab["@type"], "Organization");
        assert_eq!(lab["address"]["addressLocality"], "Kiel");
        assert!(lab["location"]["geo"]["latitude"].is_f64());
        assert_eq!(lab["parentOrganization"]["name"], "Code for Germany");
        for block in blocks(&html) {
            assert!(
                !block.to_string().contains("mailto:"),
                "no e-mail address in JSON-LD"
            );
        }
        // A meetup's dates carry Berlin's offset.
        let meetup = &demo_paths(server).await[5].0;
        let (_, html) = get(server, meetup).await;
        let event = &blocks(&html)[0];
        let start = event["startDate"].as_str().expect("startDate");
        assert!(
            start.ends_with("+01:00") || start.ends_with("+02:00"),
            "{start}"
        );
        // An error page names no canonical address and asks not to be indexed.
        let (status, html) = get(server, "/gibt-es-nicht/").await;
        assert_eq!(status, 404);
        assert!(!html.contains("rel=\"canonical\"") && !html.contains("og:url"));
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
        // A list page has OpenGraph and a canonical link too (no JSON-LD needed).
        for path in [
            "/labs/",
            "/projekte/",
            "/blog/",
            "/beduerfnisse/",
            "/termine/",
        ] {
            let (status, html) = get(server, path).await;
            assert_eq!(status, 200, "{path}");
            assert_open_graph(server, path, &html, "website");
        }
    });
}

#[test]
fn every_feed_of_the_demo_is_valid_rss() {
    if !checkers_available() {
        return;
    }
    block_on(async {
        let server = crate::support::demo().await;
        assert_feeds(
            server,
            &[
                "/index.xml",
                "/blog/index.xml",
                "/projekte/index.xml",
                "/labs/index.xml",
                "/beduerfnisse/index.xml",
                "/beduerfnisse/lab/kiel.xml",
                "/blog/atom.xml",
                "/projekte/atom.xml",
                "/beduerfnisse/atom.xml",
            ],
            1,
        );
        let (_, xml) = get(server, "/projekte/index.xml").await;
        assert!(
            xml.contains(&format!(
                "<atom:link href=\"{}\" rel=\"self\"",
                server.url("/projekte/index.xml")
            )),
            "{xml}"
        );
        assert!(xml.contains("<language>de-DE</language>"));
    });
}

#[test]
fn hostile_titles_stay_inside_json_ld_and_feeds_stay_xml() {
    if !checkers_available() {
        return;
    }
    block_on(async {
        let server = own().await;
        for (path, expect) in [
            ("/projekte/feindlich/", "SoftwareSourceCode"),
            ("/blog/feindlich/", "BlogPosting"),
            ("/projekte/steuerzeichen/", "SoftwareSourceCode"),
        ] {
            let (status, html) = get(server, path).await;
            assert_eq!(status, 200, "{path}");
            assert!(
                !html.contains("<script>window.__pwned"),
                "{path}: the title closed the script element"
            );
            // Exactly one script element, and it ends where we ended it.
            assert_eq!(html.matches("<script").count(), 1, "{path}");
            assert_eq!(html.matches("</script>").count(), 1, "{path}");
            let block = &blocks(&html)[0];
            let name = block
                .get("name")
                .or_else(|| block.get("headline"))
                .and_then(|v| v.as_str())
                .expect("a name");
            assert!(
                name == HOSTILE || name == XML_HOSTILE,
                "{path}: the JSON decodes to the title as written: {name}"
            );
            assert_jsonld(server, path, expect);
        }
        assert_feeds(
            server,
            &[
                "/projekte/index.xml",
                "/index.xml",
                "/blog/index.xml",
                "/projekte/atom.xml",
                "/blog/atom.xml",
            ],
            1,
        );
        let (_, xml) = get(server, "/projekte/index.xml").await;
        assert!(!xml.contains('\u{1}'), "control characters are removed");
        assert!(
            xml.contains("Daten &amp; &lt;Karten&gt; ]]&gt; für alle"),
            "{xml}"
        );
        assert!(xml.contains(&HOSTILE.replace('<', "&lt;").replace('>', "&gt;")));
        let (_, atom) = get(server, "/projekte/atom.xml").await;
        assert!(!atom.contains('\u{1}'), "control characters are removed");
        assert!(
            atom.contains("Daten &amp; &lt;Karten&gt; ]]&gt; für alle"),
            "{atom}"
        );
    });
}

#[test]
fn a_hidden_need_shows_nothing_of_itself_in_metadata() {
    if !checkers_available() {
        return;
    }
    block_on(async {
        let server = own().await;
        let id = sqlx::query_scalar::<_, i64>(
            "SELECT id FROM needs WHERE hidden_reason IS NOT NULL ORDER BY id LIMIT 1",
        )
        .fetch_one(server.db.db.pool())
        .await
        .expect("the hidden need");
        let title: String = sqlx::query_scalar("SELECT title FROM needs WHERE id = $1")
            .bind(id)
            .fetch_one(server.db.db.pool())
            .await
            .expect("its title");
        let path = format!("/beduerfnisse/{id}/");
        let (status, html) = get(server, &path).await;
        assert_eq!(status, 200);
        assert!(!html.contains(&title), "the hidden title leaks");
        assert!(blocks(&html).is_empty(), "no JSON-LD for a hidden need");
        assert!(html.contains("<meta property=\"og:title\" content=\"Ausgeblendetes Bedürfnis\">"));
        assert_open_graph(server, &path, &html, "website");
        // Nor in the feeds.
        for feed in [
            "/beduerfnisse/index.xml",
            "/beduerfnisse/lab/kiel.xml",
            "/beduerfnisse/atom.xml",
        ] {
            let (_, xml) = get(server, feed).await;
            assert!(!xml.contains(&title), "{feed} names the hidden need");
        }
        assert_feeds(
            server,
            &["/beduerfnisse/index.xml", "/beduerfnisse/atom.xml"],
            1,
        );
    });
}

#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs ../shared/fixtures/codefor.de beside the checkout"
)]
fn imported_pages_and_feeds_pass_the_independent_checkers() {
    if !checkers_available() {
        return;
    }
    block_on(async {
        let server = crate::support::fixture().await;
        let db = &server.db.db;
        let labs = codefor_storage::labs::list(db).await.expect("labs");
        let projects =
            codefor_storage::projects::list(db, &codefor_storage::projects::Filter::default())
                .await
                .expect("projects");
        let (posts, _) = codefor_storage::posts::page(db, 0, 40)
            .await
            .expect("posts");
        assert!(labs.len() > 10 && projects.len() > 100 && posts.len() == 40);
        // Every lab, the newest 40 projects and posts, in one run of each checker.
        let mut runs: Vec<(&str, Vec<String>)> = vec![
            (
                "Organization:address,location,parentOrganization",
                labs.iter()
                    .map(|l| server.url(&format!("/{}/", l.slug)))
                    .collect(),
            ),
            (
                "SoftwareSourceCode",
                projects
                    .iter()
                    .take(40)
                    .map(|p| server.url(&format!("/projekte/{}/", p.slug)))
                    .collect(),
            ),
            (
                "BlogPosting",
                posts
                    .iter()
                    .map(|p| server.url(&format!("/blog/{}/", p.slug)))
                    .collect(),
            ),
        ];
        runs.push(("WebSite", vec![server.url("/")]));
        for (expect, urls) in runs {
            let mut args = vec!["--expect".to_owned(), expect.to_owned()];
            args.extend(urls);
            let (ok, out) = run("jsonld-check.py", &args);
            assert!(ok, "jsonld-check.py refused imported pages:\n{out}");
        }
        // Some imported lab links to its pages elsewhere.
        let with_links = labs
            .iter()
            .find(|l| l.slug == "berlin")
            .or(labs.first())
            .expect("a lab");
        let (_, html) = get(server, &format!("/{}/", with_links.slug)).await;
        assert!(
            blocks(&html)[0]["sameAs"]
                .as_array()
                .is_some_and(|a| !a.is_empty()),
            "the lab's links are its sameAs"
        );
        // A post with a picture names it, absolutely, in OpenGraph and JSON-LD.
        let mut pictured = 0;
        for p in posts.iter().filter(|p| p.image.is_some()).take(5) {
            let path = format!("/blog/{}/", p.slug);
            let (_, html) = get(server, &path).await;
            assert_open_graph(server, &path, &html, "article");
            if let Some(image) = blocks(&html)[0]["image"].as_str() {
                assert!(image.starts_with(&server.base), "{image}");
                assert!(html.contains(&format!("og:image\" content=\"{image}\"")));
                pictured += 1;
            }
        }
        assert!(pictured > 0, "some imported post has a picture");
        assert_feeds(
            server,
            &[
                "/index.xml",
                "/blog/index.xml",
                "/projekte/index.xml",
                "/labs/index.xml",
                "/beduerfnisse/index.xml",
                "/blog/atom.xml",
                "/projekte/atom.xml",
                "/beduerfnisse/atom.xml",
            ],
            0,
        );
        let (ok, out) = run(
            "feed-check.py",
            &[
                "--min-entries".into(),
                "10".into(),
                server.url("/labs/index.xml"),
            ],
        );
        assert!(ok, "{out}");
    });
}

/// The checkers are not rubber stamps: planted broken input fails them, with the reason.
#[test]
fn the_checkers_fail_on_planted_broken_input() {
    if !checkers_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        let file = dir.path().join(name);
        std::fs::write(&file, text).expect("write");
        file.to_string_lossy().into_owned()
    };
    let page = |block: &str| {
        format!(
            "<!doctype html><html><head><script type=\"application/ld+json\">{block}</script></head><body></body></html>"
        )
    };
    let event = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": "Lab-Abend",
        "url": "https://example.org/termine/1/",
        "startDate": "2026-12-01T19:00:00+01:00",
        "endDate": "2026-12-01T21:00:00+01:00",
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": { "@type": "Place", "name": "Stadtbücherei" },
        "organizer": { "@type": "Organization", "name": "OK Lab Kiel", "url": "https://example.org/kiel/" },
    });
    // The sound block passes, so each failure below is the planted fault's.
    let good = write("good.html", &page(&event.to_string()));
    let (ok, out) = run(
        "jsonld-check.py",
        &["--expect".into(), "Event".into(), good],
    );
    assert!(ok, "{out}");

    let mut no_start = event.clone();
    no_start
        .as_object_mut()
        .expect("object")
        .remove("startDate");
    let mut relative = event.clone();
    relative["url"] = serde_json::json!("/termine/1/");
    let mut remote = event.clone();
    remote["@context"] = serde_json::json!("https://example.org/kontext.jsonld");
    let mut nameless = event.clone();
    nameless["organizer"] =
        serde_json::json!({ "@type": "Organization", "url": "https://example.org/" });
    let mut no_offset = event.clone();
    no_offset["startDate"] = serde_json::json!("2026-12-01T19:00:00");
    for (name, block, reason) in [
        (
            "no-start.html",
            no_start.to_string(),
            "Event ohne startDate",
        ),
        ("relative.html", relative.to_string(), "url nicht absolut"),
        ("remote.html", remote.to_string(), "nicht expandieren"),
        (
            "nameless.html",
            nameless.to_string(),
            "Organization ohne name",
        ),
        (
            "offset.html",
            no_offset.to_string(),
            "kein ISO-8601-Datum mit Offset",
        ),
        ("broken.html", "{\"@context\": ".to_owned(), "kein JSON"),
    ] {
        let file = write(name, &page(&block));
        let (ok, out) = run(
            "jsonld-check.py",
            &["--expect".into(), "Event".into(), file],
        );
        assert!(!ok, "{name} passed:\n{out}");
        assert!(out.contains(reason), "{name}: {out}");
    }
    let other = write("other.html", &page(&event.to_string()));
    let (ok, out) = run(
        "jsonld-check.py",
        &["--expect".into(), "Dataset".into(), other],
    );
    assert!(!ok && out.contains("erwarteter Typ Dataset fehlt"), "{out}");

    let feed = |title: &str, extra: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel>\
             <title>Feed</title><link>https://example.org/</link><description>Test</description><language>de-DE</language>\
             {extra}<item><title>{title}</title><link>https://example.org/a/</link><guid>https://example.org/a/</guid>\
             <description>Text</description><pubDate>Wed, 09 Apr 2014 12:00:00 +0000</pubDate></item></channel></rss>"
        )
    };
    let self_link = "<atom:link href=\"https://example.org/index.xml\" rel=\"self\" type=\"application/rss+xml\"/>";
    let good = write("good.xml", &feed("Gut", self_link));
    let (ok, out) = run("feed-check.py", &[good]);
    assert!(ok, "{out}");
    for (name, text, reason) in [
        ("control.xml", feed("Steuer\u{1}zeichen", self_link), "bozo"),
        ("no-self.xml", feed("Gut", ""), "atom:link"),
        (
            "no-date.xml",
            feed("Gut", self_link)
                .replace("<pubDate>Wed, 09 Apr 2014 12:00:00 +0000</pubDate>", ""),
            "pubDate",
        ),
        (
            "relative.xml",
            feed("Gut", self_link)
                .replace("<link>https://example.org/a/</link>", "<link>/a/</link>"),
            "nicht absolut",
        ),
    ] {
        let file = write(name, &text);
        let (ok, out) = run("feed-check.py", &[file]);
        assert!(!ok, "{name} passed:\n{out}");
        assert!(out.contains(reason), "{name}: {out}");
    }
    let atom = |entry_updated: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
             <id>https://example.org/atom.xml</id><title>Feed</title><updated>2026-01-01T00:00:00Z</updated>\
             <link rel=\"self\" href=\"https://example.org/atom.xml\"/><link rel=\"alternate\" href=\"https://example.org/\"/>\
             <author><name>Code for Germany</name></author><entry><id>https://example.org/a/</id><title>Gut</title>\
             <link rel=\"alternate\" href=\"https://example.org/a/\"/>{entry_updated}<summary>Text</summary></entry></feed>"
        )
    };
    let good = write(
        "good-atom.xml",
        &atom("<updated>2026-01-01T00:00:00Z</updated>"),
    );
    let (ok, out) = run("feed-check.py", &[good]);
    assert!(ok, "{out}");
    let bad = write("no-updated.xml", &atom(""));
    let (ok, out) = run("feed-check.py", &[bad]);
    assert!(!ok && out.contains("updated fehlt"), "{out}");
}

/// With `--base-url`, every absolute address names the configured origin, whatever
/// `Host` a request sends.
#[test]
fn the_configured_base_url_wins_over_the_host_header() {
    block_on(async {
        let db = codefor_storage::testing::fresh()
            .await
            .expect("fresh database");
        codefor_core::demo::seed(&db.db).await.expect("seed demo");
        let server = crate::support::serve_with(
            db,
            codefor_web::Config {
                base_url: Some("https://codefor.example/".into()),
                ..codefor_web::Config::default()
            },
        )
        .await;
        let fetch = |path: &'static str| {
            let url = server.url(path);
            async move {
                crate::support::client()
                    .get(url)
                    .header("host", "evil.example")
                    .send()
                    .await
                    .expect("request")
                    .text()
                    .await
                    .expect("body")
            }
        };
        let html = fetch("/kiel/").await;
        assert!(!html.contains("evil.example"), "the Host header leaks");
        assert!(html.contains("<link rel=\"canonical\" href=\"https://codefor.example/kiel/\">"));
        assert!(
            html.contains("<meta property=\"og:url\" content=\"https://codefor.example/kiel/\">")
        );
        assert_eq!(blocks(&html)[0]["url"], "https://codefor.example/kiel/");
        for feed in ["/projekte/index.xml", "/blog/atom.xml"] {
            let xml = fetch(feed).await;
            assert!(!xml.contains("evil.example"), "{feed}");
            assert!(
                xml.contains(&format!("href=\"https://codefor.example{feed}\"")),
                "{feed}: {xml}"
            );
        }
    });
}

/// Without `--base-url` the request's host names the origin, but only a host name: a
/// `Host` header with markup in it gives `localhost`, never text in an attribute.
#[test]
fn a_hostile_host_header_never_reaches_an_address() {
    block_on(async {
        let server = own().await;
        let r = crate::support::client()
            .get(server.url("/projekte/feindlich/"))
            .header("host", "x\"><script>alert(1)</script>")
            .send()
            .await
            .expect("request");
        let html = r.text().await.expect("body");
        assert!(!html.contains("<script>alert(1)"), "{html}");
        assert!(
            html.contains("<link rel=\"canonical\" href=\"http://localhost/projekte/feindlich/\">")
        );
    });
}
