//! The imported site, crawled like a visitor would: every internal link and image
//! from `/` and from every lab, project, post and page, and every old URL.

use std::collections::{BTreeSet, HashSet, VecDeque};

use codefor_storage::{labs, pages, posts, projects, redirects};
use scraper::{Html, Selector};

use crate::support::{Server, block_on, client, fixture};

/// Internal URL references of a page: links, images, stylesheets, scripts.
fn references(body: &str) -> Vec<String> {
    let doc = Html::parse_document(body);
    let sel = Selector::parse("a[href], img[src], link[href], script[src], source[src]").unwrap();
    doc.select(&sel)
        .filter_map(|e| e.value().attr("href").or(e.value().attr("src")))
        .map(str::to_owned)
        .collect()
}

/// The path of an internal reference relative to `from`, without fragment; `None`
/// for other origins and non-HTTP schemes.
fn internal(base: &str, from: &str, href: &str) -> Option<String> {
    let href = href.split('#').next().unwrap_or("");
    if href.is_empty() {
        return None;
    }
    if let Some(rest) = href.strip_prefix(base) {
        return Some(if rest.is_empty() {
            "/".into()
        } else {
            rest.to_owned()
        });
    }
    if href.starts_with("//") || href.contains(':') && !href.starts_with('/') {
        return None;
    }
    if href.starts_with('/') {
        return Some(href.to_owned());
    }
    let dir = &from[..=from.rfind('/').unwrap_or(0)];
    Some(format!("{dir}{href}"))
}

async fn start_points(s: &Server) -> Vec<String> {
    let db = &s.db.db;
    let mut starts = vec![
        "/".to_owned(),
        "/labs/".into(),
        "/projekte/".into(),
        "/blog/".into(),
    ];
    starts.extend(
        labs::names(db)
            .await
            .unwrap()
            .into_iter()
            .map(|(slug, _)| format!("/{slug}/")),
    );
    starts.extend(
        projects::list(db, &projects::Filter::default())
            .await
            .unwrap()
            .into_iter()
            .map(|p| format!("/projekte/{}/", p.slug)),
    );
    let (list, _) = posts::page(db, 0, 10_000).await.unwrap();
    starts.extend(list.into_iter().map(|p| format!("/blog/{}/", p.slug)));
    starts.extend(
        pages::list(db)
            .await
            .unwrap()
            .into_iter()
            .map(|(p, _)| codefor_core::urls::page(&p)),
    );
    starts
}

#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs ../shared/fixtures/codefor.de beside the checkout"
)]
fn crawl_finds_no_broken_link_and_no_server_error() {
    block_on(async {
        let s = fixture().await;
        let http = client();
        let mut queue: VecDeque<(String, String)> = start_points(s)
            .await
            .into_iter()
            .map(|p| (p, "(start)".to_owned()))
            .collect();
        let mut seen: HashSet<String> = queue.iter().map(|(p, _)| p.clone()).collect();
        let mut broken = BTreeSet::new();
        let mut fetched = 0;
        while let Some((path, from)) = queue.pop_front() {
            fetched += 1;
            assert!(fetched < 20_000, "crawl is bounded");
            let r = http.get(s.url(&path)).send().await.unwrap();
            let status = r.status().as_u16();
            // 301: an old path; 303: a page for signed-in people sends to the sign-in.
            if status == 301 || status == 303 {
                let location = r.headers()["location"].to_str().unwrap().to_owned();
                if let Some(next) = internal(&s.base, &path, &location)
                    && seen.insert(next.clone())
                {
                    queue.push_back((next, format!("redirect from {path}")));
                }
                continue;
            }
            if status != 200 {
                broken.insert(format!("{status} {path} (linked from {from})"));
                continue;
            }
            let is_html = r
                .headers()
                .get("content-type")
                .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
            if !is_html {
                continue;
            }
            let body = r.text().await.unwrap();
            for href in references(&body) {
                if let Some(next) = internal(&s.base, &path, &href)
                    && seen.insert(next.clone())
                {
                    queue.push_back((next, path.clone()));
                }
            }
        }
        println!("crawled {fetched} URLs");
        assert!(fetched > 1000, "the whole site was crawled: {fetched}");
        assert!(
            broken.is_empty(),
            "{} broken:\n{}",
            broken.len(),
            broken.into_iter().collect::<Vec<_>>().join("\n")
        );
    });
}

#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs ../shared/fixtures/codefor.de beside the checkout"
)]
fn every_alias_and_old_url_redirects_permanently() {
    block_on(async {
        let s = fixture().await;
        let http = client();
        let all = redirects::all(&s.db.db).await.unwrap();
        let aliases: Vec<_> = all.iter().filter(|r| r.origin.contains("alias")).collect();
        assert!(
            aliases.len() >= 38,
            "every lab has an alias: {}",
            aliases.len()
        );
        let mut failures = Vec::new();
        for r in &all {
            let resp = http.get(s.url(&r.from_path)).send().await.unwrap();
            let status = resp.status().as_u16();
            let location = resp
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if status != 301 {
                failures.push(format!(
                    "{} → {status} (want 301 to {}; {})",
                    r.from_path, r.to, r.origin
                ));
                continue;
            }
            if r.origin.contains("alias") {
                // An alias leads to a page that exists.
                let target = http.get(s.url(location)).send().await.unwrap();
                if target.status().as_u16() != 200 {
                    failures.push(format!(
                        "{} → {location} → {}",
                        r.from_path,
                        target.status()
                    ));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    });
}
