//! The public site on the demo network, over real HTTP.

use scraper::{Html, Selector};

use crate::support::{block_on, client, demo, get};

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let sel = Selector::parse(css).expect("selector");
    doc.select(&sel).collect()
}

fn text(doc: &Html, css: &str) -> String {
    select(doc, css)
        .first()
        .map(|e| e.text().collect::<String>())
        .unwrap_or_default()
}

#[test]
fn every_page_type_renders_with_title_language_and_description() {
    block_on(async {
        let s = demo().await;
        for (path, title) in [
            ("/", "Code for Germany"),
            ("/labs/", "Labs"),
            ("/kiel/", "OK Lab Kiel"),
            ("/projekte/", "Projekte"),
            ("/projekte/foerdepegel/", "Fördepegel"),
            ("/blog/", "Blog"),
            ("/blog/willkommen/", "Willkommen auf der neuen Plattform"),
            ("/ueber/", "Über Code for Germany"),
            ("/impressum/", "Impressum"),
        ] {
            let (status, body) = get(s, path).await;
            assert_eq!(status, 200, "{path}");
            let doc = Html::parse_document(&body);
            assert!(
                text(&doc, "title").contains(title),
                "{path}: title {:?}",
                text(&doc, "title")
            );
            let html = select(&doc, "html");
            assert_eq!(html[0].value().attr("lang"), Some("de"), "{path}");
            let desc = select(&doc, "meta[name=description]");
            assert!(
                desc[0]
                    .value()
                    .attr("content")
                    .is_some_and(|d| d.len() > 20),
                "{path}: description"
            );
            assert_eq!(select(&doc, "h1").len().min(1), 1, "{path}: has an h1");
            assert_eq!(
                select(&doc, "a.skip-link[href='#inhalt']").len(),
                1,
                "{path}: skip link"
            );
        }
    });
}

#[test]
fn lab_page_shows_people_projects_posts_and_state() {
    block_on(async {
        let (status, body) = get(demo().await, "/kiel/").await;
        assert_eq!(status, 200);
        let doc = Html::parse_document(&body);
        assert_eq!(text(&doc, "h1"), "OK Lab Kiel");
        assert!(body.contains("Schleswig-Holstein"), "federal state shown");
        assert!(
            body.contains("Aktiv"),
            "activity shown as text, not colour only"
        );
        assert!(body.contains("Jana Petersen"), "lead shown");
        assert!(
            body.contains("/projekte/foerdepegel/"),
            "project of the lab listed"
        );
        assert!(
            body.contains("/blog/open-data-day-kiel/"),
            "post of the lab listed"
        );
        let (_, rostock) = get(demo().await, "/rostock/").await;
        assert!(rostock.contains("Inaktiv"), "inactive lab says so");
    });
}

#[test]
fn labs_overview_groups_by_state_with_counts() {
    block_on(async {
        let (_, body) = get(demo().await, "/labs/").await;
        let doc = Html::parse_document(&body);
        let groups: Vec<String> = select(&doc, ".state-group h3")
            .iter()
            .map(|h| h.text().collect())
            .collect();
        assert!(
            groups
                .iter()
                .any(|g| g.starts_with("Sachsen") && g.contains("(1 Lab)")),
            "{groups:?}"
        );
        assert_eq!(groups.len(), 5, "five demo labs in five states: {groups:?}");
    });
}

#[test]
fn figures_are_computed_live_from_the_database() {
    block_on(async {
        let s = demo().await;
        let figures: serde_json::Value = client()
            .get(s.url("/api/network.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(figures["labs_total"], 5);
        assert_eq!(figures["labs_active"], 4);
        assert_eq!(figures["states_with_active_lab"], 4);
        assert_eq!(figures["projects"], 5);
        let (_, about) = get(s, "/ueber/").await;
        let doc = Html::parse_document(&about);
        let dd: Vec<String> = select(&doc, ".figures dd")
            .iter()
            .map(|e| e.text().collect())
            .collect();
        assert!(dd[0].starts_with("4"), "active labs on About: {dd:?}");
        assert!(
            !about.contains("data-component"),
            "component marker replaced"
        );
    });
}

#[test]
fn project_catalog_filters_by_lab_topic_and_status() {
    block_on(async {
        let s = demo().await;
        let count = |body: &str| {
            let doc = Html::parse_document(body);
            select(&doc, ".catalog .card").len()
        };
        let (_, all) = get(s, "/projekte/").await;
        assert_eq!(count(&all), 5);
        let (_, kiel) = get(s, "/projekte/?lab=kiel").await;
        assert_eq!(count(&kiel), 2);
        let (_, umwelt) = get(s, "/projekte/?thema=umwelt").await;
        assert_eq!(count(&umwelt), 2);
        let (_, idea) = get(s, "/projekte/?stand=concept").await;
        assert_eq!(count(&idea), 1);
        // The old key still filters.
        let (_, idea) = get(s, "/projekte/?status=concept").await;
        assert_eq!(count(&idea), 1);
        let (_, sh) = get(s, "/projekte/?land=schleswig-holstein&stand=stable").await;
        assert_eq!(count(&sh), 1, "Kiel's project in production");
        assert!(
            sh.contains("Im Einsatz (1)"),
            "the status facet counts within the state"
        );
        let (_, both) = get(s, "/projekte/?lab=kiel&stand=obsolete").await;
        assert_eq!(count(&both), 0);
        assert!(both.contains("0 Projekte gefunden"));
        let (status, _) = get(s, "/projekte/?stand=kaputt&lab=&seite=x").await;
        assert_eq!(
            status, 200,
            "an unknown filter value shows everything, not an error"
        );
    });
}

#[test]
fn blog_paginates_and_unknown_pages_are_404() {
    block_on(async {
        let s = demo().await;
        let (status, _) = get(s, "/blog/page/2/").await;
        assert_eq!(status, 404, "three demo posts fit on one page");
        let r = client().get(s.url("/blog/page/1/")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 301);
        assert_eq!(r.headers()["location"], "/blog/");
    });
}

#[test]
fn not_found_is_a_real_page_with_status_404() {
    block_on(async {
        let s = demo().await;
        for path in [
            "/gibt-es-nicht/",
            "/projekte/gibt-es-nicht/",
            "/blog/nein/",
            "/a/b/c/",
            "/x.png",
        ] {
            let (status, body) = get(s, path).await;
            assert_eq!(status, 404, "{path}");
            assert!(body.contains("Seite nicht gefunden"), "{path}");
            assert!(body.contains("<html lang=\"de\">"), "{path}");
        }
    });
}

#[test]
fn paths_without_trailing_slash_redirect_permanently() {
    block_on(async {
        let r = client()
            .get(demo().await.url("/kiel?x=1"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 301);
        assert_eq!(r.headers()["location"], "/kiel/?x=1");
    });
}

#[test]
fn json_keeps_todays_shapes() {
    block_on(async {
        let s = demo().await;
        let labs: serde_json::Value = client()
            .get(s.url("/labs/index.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let list = labs["labs"].as_array().expect("labs array");
        assert_eq!(list.len(), 5);
        assert!(list[0]["description"].is_string() && list[0]["metadata"].is_object());
        let projects: serde_json::Value = client()
            .get(s.url("/projekte/index.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(projects["projects"].as_array().map(Vec::len), Some(5));
    });
}

#[test]
fn rss_feed_is_valid_and_lists_posts_newest_first() {
    block_on(async {
        let r = client()
            .get(demo().await.url("/index.xml"))
            .send()
            .await
            .unwrap();
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/rss+xml")
        );
        let body = r.bytes().await.unwrap();
        let channel = rss::Channel::read_from(&body[..]).expect("valid RSS");
        let titles: Vec<_> = channel.items().iter().filter_map(|i| i.title()).collect();
        assert_eq!(titles.first(), Some(&"Willkommen auf der neuen Plattform"));
        assert_eq!(titles.len(), 3);
        assert!(
            channel.items()[0]
                .link()
                .unwrap()
                .starts_with("http://127.0.0.1:")
        );
    });
}

#[test]
fn security_headers_and_asset_caching() {
    block_on(async {
        let s = demo().await;
        let r = client().get(s.url("/")).send().await.unwrap();
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let body = r.text().await.unwrap();
        let doc = Html::parse_document(&body);
        let css = select(&doc, "link[rel=stylesheet]")[0]
            .value()
            .attr("href")
            .unwrap()
            .to_owned();
        let r = client().get(s.url(&css)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert!(
            r.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        let r = client()
            .post(s.url("/"))
            .body(vec![b'x'; 200_000])
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_client_error(),
            "oversized or unexpected POST refused: {}",
            r.status()
        );
    });
}

#[test]
fn health_answers_when_the_database_does() {
    block_on(async {
        let (status, body) = get(demo().await, "/healthz").await;
        assert_eq!((status, body.as_str()), (200, "ok\n"));
    });
}

#[test]
fn no_page_references_another_origin() {
    block_on(async {
        let s = demo().await;
        for path in [
            "/",
            "/labs/",
            "/kiel/",
            "/projekte/",
            "/projekte/foerdepegel/",
            "/blog/willkommen/",
        ] {
            let (_, body) = get(s, path).await;
            let doc = Html::parse_document(&body);
            for el in select(
                &doc,
                // The canonical link names the page's own absolute address; it loads nothing.
                "img[src], script[src], link[href]:not([rel=canonical]), iframe[src], source[src]",
            ) {
                let url = el
                    .value()
                    .attr("src")
                    .or(el.value().attr("href"))
                    .unwrap_or("");
                assert!(
                    url.starts_with('/') && !url.starts_with("//"),
                    "{path}: loads {url}"
                );
            }
        }
    });
}

#[test]
fn section_feeds_sitemap_and_robots_exist_at_todays_urls() {
    block_on(async {
        let s = demo().await;
        for (path, items) in [
            ("/blog/index.xml", 3),
            ("/projekte/index.xml", 5),
            ("/labs/index.xml", 5),
        ] {
            let body = client()
                .get(s.url(path))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            let channel =
                rss::Channel::read_from(&body[..]).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(channel.items().len(), items, "{path}");
        }
        let (status, sitemap) = get(s, "/sitemap.xml").await;
        assert_eq!(status, 200);
        for path in [
            "/kiel/",
            "/projekte/foerdepegel/",
            "/blog/willkommen/",
            "/impressum/",
        ] {
            assert!(
                sitemap.contains(&format!("{}{path}</loc>", s.base)),
                "{path} in sitemap"
            );
        }
        let (_, robots) = get(s, "/robots.txt").await;
        assert!(
            robots.contains(&format!("Sitemap: {}/sitemap.xml", s.base)),
            "{robots}"
        );
    });
}

#[test]
fn many_requests_for_a_cold_page_all_get_it() {
    block_on(async {
        // A fresh server: nothing is cached yet.
        let db = codefor_storage::testing::fresh().await.unwrap();
        codefor_core::demo::seed(&db.db).await.unwrap();
        let s = crate::support::serve(db).await;
        let http = client();
        let requests = (0..48).map(|_| {
            let http = http.clone();
            let url = s.url("/projekte/");
            tokio::spawn(async move {
                let r = http.get(url).send().await.unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            })
        });
        let mut bodies = Vec::new();
        for r in requests {
            bodies.push(r.await.unwrap());
        }
        assert!(bodies.iter().all(|(status, _)| *status == 200));
        assert!(
            bodies.windows(2).all(|w| w[0].1 == w[1].1),
            "everyone got the same page"
        );
    });
}

#[test]
fn redirects_never_lead_to_another_site() {
    block_on(async {
        let s = demo().await;
        for path in [
            "//evil.example/x",
            "/%2Fevil.example%2Ffoo",
            "/%5Cevil.example/x",
            "/\\evil.example/x",
        ] {
            let r = client().get(s.url(path)).send().await.unwrap();
            if r.status().as_u16() == 301 {
                let location = r.headers()["location"].to_str().unwrap().to_owned();
                assert!(
                    location.starts_with('/')
                        && !location.starts_with("//")
                        && !location.contains('\\'),
                    "{path} → {location}"
                );
            }
        }
        // Escapes stay escaped: nothing is decoded twice on the way.
        let r = client().get(s.url("/100%2541")).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/100%2541/");
    });
}

#[test]
fn feeds_are_cached_per_host() {
    block_on(async {
        let s = demo().await;
        let evil = client()
            .get(s.url("/index.xml"))
            .header("host", "evil.example")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(evil.contains("http://evil.example/blog/"));
        let (_, ours) = get(s, "/index.xml").await;
        assert!(
            !ours.contains("evil.example"),
            "another host's copy is not served"
        );
    });
}

#[test]
fn hostile_requests_get_clear_answers_not_errors() {
    block_on(async {
        let s = demo().await;
        for (path, want) in [
            ("/projekte/?lab=%00", 200),
            ("/projekte/?lab=a&lab=b", 200),
            ("/%00/", 404),
            ("/blog/page/18446744073709551615/", 404),
            ("/blog/page/9223372036854775807/", 404),
            ("/KIEL/", 301),
        ] {
            assert_eq!(get(s, path).await.0, want, "{path}");
        }
        let r = client().post(s.url("/kiel/")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 405);
        assert_eq!(r.headers()["allow"], "GET, HEAD");
        let r = client().get(s.url("/KIEL/")).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/kiel/");
    });
}
