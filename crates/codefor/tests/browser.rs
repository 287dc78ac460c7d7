//! The site in headless Chromium, as a person meets it: what each page type shows, that
//! the keyboard reaches the content first, zero axe-core violations for WCAG 2.1 A/AA,
//! and that no request leaves the site's own origin. Screenshots land in /tmp/shots.
//!
//! Needs chromium, chromedriver and axe-core (`npm ci` at the repository root); without
//! them the tests are ignored with that reason (see build.rs).

#[path = "support/browser.rs"]
mod browser;

use std::time::Instant;

use browser::{Browser, Chromedriver, Page, assert_no_problems, serve};

const SITE: &str = "Code for Germany";

#[tokio::test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs chromium, chromedriver and `npm ci` (axe-core)"
)]
async fn demo_network_pages_are_usable_accessible_and_self_contained() {
    let started = Instant::now();
    let t = codefor_storage::testing::fresh()
        .await
        .expect("fresh database");
    codefor_core::demo::seed(&t.db)
        .await
        .expect("seed the demo network");
    let base = serve(t.db.clone()).await;
    let driver = Chromedriver::start().await;
    let browser = Browser::open(&driver).await;

    let pages = [
        Page {
            path: "/",
            shot: "demo-home",
            title: SITE,
            h1: SITE,
            // The home page's text starts with the lead; its h1 is for screen readers.
            h1_visible: false,
            texts: &["Neu im Blog"],
            shows: &[("a.skip-link", "Zum Inhalt springen")],
        },
        Page {
            path: "/kiel/",
            shot: "demo-lab",
            title: "OK Lab Kiel – Code for Germany",
            h1: "OK Lab Kiel",
            h1_visible: true,
            texts: &["Treffen"],
            shows: &[
                ("section[aria-labelledby=projekte] h2", "Projekte ("),
                (
                    "section[aria-labelledby=projekte] .card-title",
                    "Fördepegel",
                ),
            ],
        },
        Page {
            path: "/projekte/foerdepegel/",
            shot: "demo-project",
            title: "Fördepegel – Code for Germany",
            h1: "Fördepegel",
            h1_visible: true,
            texts: &["Wasserstände der Kieler Förde"],
            shows: &[
                (".meta .badge", "Im Einsatz"),
                ("aside a[href='/kiel/']", "Kiel"),
            ],
        },
        Page {
            path: "/blog/willkommen/",
            shot: "demo-post",
            title: "Willkommen auf der neuen Plattform – Code for Germany",
            h1: "Willkommen auf der neuen Plattform",
            h1_visible: true,
            texts: &["Aylin Demir"],
            shows: &[("time[datetime='2026-11-01']", "1. November 2026")],
        },
    ];
    let mut problems = Vec::new();
    for page in &pages {
        problems.extend(browser.check(&base, page).await);
    }
    // The checks can fail: planted defects are found.
    let (axe_ids, origin_problems) = browser.checks_catch_planted_defects(&base).await;
    browser.close().await;
    drop(driver);
    assert!(
        axe_ids.iter().any(|id| id == "image-alt"),
        "axe-core did not report an image without alt (got {axe_ids:?})"
    );
    assert!(
        origin_problems.iter().any(|p| p.contains("example.org")),
        "the origin check missed an image from example.org (got {origin_problems:?})"
    );
    println!(
        "{} demo pages checked in {:.1} s",
        pages.len(),
        started.elapsed().as_secs_f64()
    );
    assert_no_problems(&problems);
}

#[tokio::test]
#[cfg_attr(
    not(all(has_browser, has_fixture)),
    ignore = "needs chromium, chromedriver, `npm ci` (axe-core) and the codefor.de fixture"
)]
async fn imported_codefor_de_pages_are_usable_accessible_and_self_contained() {
    let started = Instant::now();
    let t = codefor_storage::testing::fresh()
        .await
        .expect("fresh database");
    let report = codefor_core::import::import_hugo(
        &t.db,
        &browser::fixture_dir(),
        false,
        &codefor_core::import::Quiet,
    )
    .await
    .unwrap_or_else(|e| panic!("import of the codefor.de fixture failed: {e}"));
    println!(
        "imported in {:.1} s ({} warnings)",
        started.elapsed().as_secs_f64(),
        report.warnings.len()
    );
    let base = serve(t.db.clone()).await;
    let driver = Chromedriver::start().await;
    let browser = Browser::open(&driver).await;

    // A project with a picture, as a person finds one: the first card with an image in
    // the catalogue.
    browser
        .client
        .goto(&format!("{base}/projekte/"))
        .await
        .expect("open /projekte/");
    let pick = browser
        .client
        .execute(
            "const card = [...document.querySelectorAll('.card')]
                 .find(c => c.querySelector('img'));
             if (!card) return null;
             const a = card.querySelector('.card-title a');
             const badge = card.querySelector('.badge');
             return { path: a.getAttribute('href'), title: a.textContent.trim(),
                      status: badge ? badge.textContent.trim() : '' };",
            vec![],
        )
        .await
        .expect("find a project with an image");
    let project_path = pick["path"]
        .as_str()
        .unwrap_or_else(|| panic!("no project card with an image on /projekte/: {pick}"))
        .to_owned();
    let project_title = pick["title"].as_str().unwrap_or_default().to_owned();
    let project_status = pick["status"].as_str().unwrap_or_default().to_owned();
    println!("project with an image: {project_path} ({project_title}, {project_status:?})");
    let project_page_title = format!("{project_title} – {SITE}");
    let project_shows = [
        (".lead-image img", ""),
        (".meta .badge", project_status.as_str()),
    ];

    let mut pages = vec![
        Page {
            path: "/",
            shot: "real-home",
            title: SITE,
            h1: SITE,
            h1_visible: false,
            texts: &["Das Netzwerk in Zahlen", "Wer wir sind", "Alle Beiträge"],
            shows: &[],
        },
        Page {
            path: "/berlin/",
            shot: "real-lab",
            title: "OK Lab Berlin – Code for Germany",
            h1: "OK Lab Berlin",
            h1_visible: true,
            texts: &[],
            shows: &[
                ("section[aria-labelledby=projekte] h2", "Projekte ("),
                ("section[aria-labelledby=projekte] .card-title", ""),
            ],
        },
        // The same project on every backend (the catalogue's first card differs).
        Page {
            path: "/projekte/fl-open-data-day/",
            shot: "real-project",
            title: "2. Open Data Day in Flensburg – Code for Germany",
            h1: "2. Open Data Day in Flensburg",
            h1_visible: true,
            texts: &["OK Lab Flensburg"],
            shows: &[
                (".lead-image img", ""),
                (".meta .badge", "Sucht Mitmachende"),
            ],
        },
        Page {
            path: &project_path,
            shot: "real-project-first-card",
            title: &project_page_title,
            h1: &project_title,
            h1_visible: true,
            texts: &[],
            shows: if project_status.is_empty() {
                &project_shows[..1]
            } else {
                &project_shows[..]
            },
        },
        Page {
            path: "/blog/rueckblick-open-data-day-2020/",
            shot: "real-post",
            title: "Open Data Day im Zeichen von Code for Climate – Code for Germany",
            h1: "Open Data Day im Zeichen von Code for Climate",
            h1_visible: true,
            texts: &["Claudia Jach"],
            shows: &[
                ("time[datetime^='2020-03-12']", "12. März 2020"),
                (".prose img", ""),
            ],
        },
        Page {
            path: "/projekte/",
            shot: "real-projects",
            title: "Projekte – Code for Germany",
            h1: "Projekte",
            h1_visible: true,
            texts: &[],
            shows: &[(".card-title", "")],
        },
        Page {
            path: "/labs/",
            shot: "real-labs",
            title: "Labs – Code for Germany",
            h1: "Labs",
            h1_visible: true,
            texts: &["OK Lab Berlin"],
            shows: &[],
        },
    ];
    pages.dedup_by_key(|p| p.path);
    let mut problems = Vec::new();
    for page in &pages {
        problems.extend(browser.check(&base, page).await);
    }
    browser.close().await;
    drop(driver);
    println!(
        "import and {} pages in {:.1} s",
        pages.len(),
        started.elapsed().as_secs_f64()
    );
    assert_no_problems(&problems);
}
