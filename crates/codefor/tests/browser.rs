//! The site in headless Chromium, as a person meets it: what each page type shows, that
//! the keyboard reaches the content first, zero axe-core violations for WCAG 2.1 A/AA,
//! and that no request leaves the site's own origin. Screenshots land in /tmp/shots.
//!
//! Needs chromium, chromedriver and axe-core (`npm ci` at the repository root); without
//! them the tests are ignored with that reason (see build.rs).

// In tests a panic is a failed assertion with a message: that is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/browser.rs"]
mod browser;
#[path = "it/smtp.rs"]
#[allow(dead_code)]
mod smtp;

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
    let t = demo_network().await;
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
            path: "/labs/",
            shot: "demo-labs-map",
            title: "Labs – Code for Germany",
            h1: "Labs",
            h1_visible: true,
            texts: &["aktives Lab", "inaktives Lab", "Natural Earth"],
            shows: &[(".labmap figcaption", "aktives Lab")],
        },
        Page {
            path: "/labs/schleswig-holstein/",
            shot: "demo-labs-state",
            title: "Labs in Schleswig-Holstein – Code for Germany",
            h1: "Labs in Schleswig-Holstein",
            h1_visible: true,
            texts: &["Ein Lab in Schleswig-Holstein."],
            shows: &[(".lab-list a[href='/kiel/']", "OK Lab Kiel")],
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
        Page {
            path: "/daten/?thema=ENVI",
            shot: "demo-datasets",
            title: "Daten – Code for Germany",
            h1: "Daten",
            h1_visible: true,
            texts: &["Klimamessnetz Freiburg (Demo)"],
            shows: &[(".filters label[for=f-thema]", "Thema")],
        },
        Page {
            path: "/daten/pegelstaende-kieler-foerde-demo/",
            shot: "demo-dataset",
            title: "Pegelstände der Kieler Förde (Demo) – Code for Germany",
            h1: "Pegelstände der Kieler Förde (Demo)",
            h1_visible: true,
            texts: &["Datenlizenz Deutschland – Namensnennung – Version 2.0"],
            shows: &[("aside a[href='/kiel/']", "OK Lab Kiel")],
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

/// A lab lead signs in with the real form, edits the meeting info, sees it on the public
/// lab page, and restores the previous revision; the account, editing and history pages
/// pass the same checks as the public ones (keyboard, axe-core, nothing from elsewhere).
#[tokio::test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs chromium, chromedriver and `npm ci` (axe-core)"
)]
async fn a_lead_edits_the_meeting_info_and_restores_it() {
    let t = demo_network().await;
    let email = "lea@example.org";
    let password = "ein langes Passwort";
    let id = codefor_core::admin::create_admin(&t.db, "admin@example.org", "Admin", password)
        .await
        .expect("admin");
    assert!(id > 0);
    let lead = confirmed_account(&t.db, email, "Lea Leitung", password).await;
    codefor_core::admin::make_lead(
        &t.db,
        codefor_core::admin::Actor::COMMAND_LINE,
        lead,
        "kiel",
    )
    .await
    .expect("lead of kiel");
    let broken = plant_broken_link(&t.db, "kiel").await;

    let base = serve(t.db.clone()).await;
    let driver = Chromedriver::start().await;
    let browser = Browser::open(&driver).await;
    let c = &browser.client;
    let mut problems = Vec::new();
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/anmelden/",
                    shot: "sign-in",
                    title: "Anmelden – Code for Germany",
                    h1: "Anmelden",
                    h1_visible: true,
                    texts: &["Passwort vergessen?"],
                    shows: &[("label[for=f-email]", "E-Mail-Adresse")],
                },
            )
            .await,
    );
    for page in [
        Page {
            path: "/registrieren/",
            shot: "register",
            title: "Registrieren – Code for Germany",
            h1: "Registrieren",
            h1_visible: true,
            texts: &["Du kannst alles jederzeit herunterladen oder löschen."],
            shows: &[("label[for=f-password_repeat]", "Passwort wiederholen")],
        },
        Page {
            path: "/passwort-vergessen/",
            shot: "forgot",
            title: "Passwort vergessen – Code for Germany",
            h1: "Passwort vergessen",
            h1_visible: true,
            texts: &["Link schicken"],
            shows: &[],
        },
    ] {
        problems.extend(browser.check(&base, &page).await);
    }
    let old_meeting = {
        c.goto(&format!("{base}/kiel/")).await.expect("lab page");
        text(c, ".prose").await
    };

    // Sign in as a person would: type, press the button.
    c.goto(&format!("{base}/anmelden/?next=/bearbeiten/kiel/"))
        .await
        .expect("sign-in page");
    type_into(c, "#f-email", email).await;
    type_into(c, "#f-password", password).await;
    click(c, "form.form button[type=submit]").await;
    // Back where the person wanted to go.
    wait_for_url(c, "/bearbeiten/kiel/").await;

    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/bearbeiten/kiel/",
                    shot: "lab-edit",
                    title: "OK Lab Kiel bearbeiten – Code for Germany",
                    h1: "OK Lab Kiel bearbeiten",
                    h1_visible: true,
                    texts: &["Vorschau", "Speichern"],
                    shows: &[("label[for=f-meeting]", "Treffen")],
                },
            )
            .await,
    );
    find(c, "#f-meeting")
        .await
        .clear()
        .await
        .expect("clear the meeting field");
    type_into(
        c,
        "#f-meeting",
        "Jeden zweiten Dienstag, 19 Uhr, Stadtbücherei",
    )
    .await;
    // The live preview (a little script) renders the description as it is typed.
    type_into(c, "#f-body_md", " **Live dabei**").await;
    let live = text(c, "#live-vorschau strong").await;
    assert_eq!(
        live, "Live dabei",
        "the live preview shows the typed Markdown"
    );
    click(c, "button[value=save]").await;
    wait_for_url(c, "/kiel/?gespeichert").await;
    let public = text(c, "main").await;
    assert!(
        public.contains("Jeden zweiten Dienstag, 19 Uhr, Stadtbücherei"),
        "the public lab page shows the new meeting info: {public}"
    );

    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/versionen/kiel/",
                    shot: "lab-history",
                    title: "Versionen: OK Lab Kiel – Code for Germany",
                    h1: "Versionen: OK Lab Kiel",
                    h1_visible: true,
                    texts: &["Version 2", "Lea Leitung"],
                    shows: &[],
                },
            )
            .await,
    );
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/versionen/kiel/?nr=2",
                    shot: "lab-revision",
                    title: "Version 2: OK Lab Kiel – Code for Germany",
                    h1: "Version 2: OK Lab Kiel",
                    h1_visible: true,
                    texts: &["Treffen"],
                    shows: &[("ins", "Stadtbücherei")],
                },
            )
            .await,
    );
    c.goto(&format!("{base}/versionen/kiel/?nr=1"))
        .await
        .expect("revision 1");
    click(c, "main form button[type=submit]").await;
    // The restore answers with the history; only then open the lab page.
    wait_for_url(c, "/versionen/kiel/").await;
    c.goto(&format!("{base}/kiel/")).await.expect("lab page");
    let restored = text(c, ".prose").await;
    assert_eq!(restored, old_meeting, "the previous meeting info is back");

    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/konto/",
                    shot: "account",
                    title: "Dein Konto – Code for Germany",
                    h1: "Dein Konto",
                    h1_visible: true,
                    texts: &["Meine Daten herunterladen", "Konto löschen"],
                    shows: &[("a[href='/bearbeiten/kiel/']", "OK Lab Kiel")],
                },
            )
            .await,
    );
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/konto/profil/",
                    shot: "profile",
                    title: "Dein Profil – Code for Germany",
                    h1: "Dein Profil",
                    h1_visible: true,
                    texts: &["Wer darf was sehen?"],
                    shows: &[
                        ("label[for=f-bio]", "Über mich"),
                        ("#f-visibility-labs-hint", "immer als Ansprechperson"),
                    ],
                },
            )
            .await,
    );
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/hochladen/",
                    shot: "upload",
                    title: "Bild hochladen – Code for Germany",
                    h1: "Bild hochladen",
                    h1_visible: true,
                    texts: &["PNG, JPEG, GIF und WebP"],
                    shows: &[("label[for=f-file]", "Bild")],
                },
            )
            .await,
    );
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/mitglieder/kiel/",
                    shot: "lab-members",
                    title: "Mitglieder: OK Lab Kiel – Code for Germany",
                    h1: "Mitglieder: OK Lab Kiel",
                    h1_visible: true,
                    texts: &[
                        "Keine offenen Anfragen.",
                        "Ein Link funktioniert nicht",
                        broken.as_str(),
                    ],
                    shows: &[],
                },
            )
            .await,
    );
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/labs/vorschlagen/",
                    shot: "propose-lab",
                    title: "Ein Lab vorschlagen – Code for Germany",
                    h1: "Ein Lab vorschlagen",
                    h1_visible: true,
                    texts: &["Vorschlag senden"],
                    shows: &[("label[for=f-city]", "Stadt")],
                },
            )
            .await,
    );
    // The admin's pages pass the same checks: sign out with the header's button, sign
    // in as the admin.
    click(c, ".account-nav button[type=submit]").await;
    wait_for_url(c, "/").await;
    c.goto(&format!("{base}/anmelden/?next=/admin/"))
        .await
        .expect("sign-in page");
    type_into(c, "#f-email", "admin@example.org").await;
    type_into(c, "#f-password", password).await;
    click(c, "form.form button[type=submit]").await;
    wait_for_url(c, "/admin/").await;
    for page in [
        Page {
            path: "/admin/",
            shot: "admin",
            title: "Verwaltung – Code for Germany",
            h1: "Verwaltung",
            h1_visible: true,
            texts: &["Lea Leitung", "Protokoll"],
            shows: &[],
        },
        Page {
            path: "/admin/labs/neu/",
            shot: "admin-new-lab",
            title: "Neues Lab – Code for Germany",
            h1: "Neues Lab",
            h1_visible: true,
            texts: &["Bundesland"],
            shows: &[],
        },
        Page {
            path: "/loeschen/kiel/",
            shot: "delete",
            title: "OK Lab Kiel löschen – Code for Germany",
            h1: "OK Lab Kiel löschen",
            h1_visible: true,
            texts: &["Papierkorb"],
            shows: &[],
        },
        Page {
            path: "/admin/vorschlaege/",
            shot: "proposals",
            title: "Vorschläge für neue Labs – Code for Germany",
            h1: "Vorschläge für neue Labs",
            h1_visible: true,
            texts: &["Keine offenen Vorschläge."],
            shows: &[],
        },
        Page {
            path: "/admin/papierkorb/",
            shot: "trash",
            title: "Papierkorb – Code for Germany",
            h1: "Papierkorb",
            h1_visible: true,
            texts: &["Der Papierkorb ist leer."],
            shows: &[],
        },
        Page {
            path: "/admin/links/",
            shot: "admin-links",
            title: "Defekte Links – Code for Germany",
            h1: "Defekte Links",
            h1_visible: true,
            texts: &["Ein Link funktioniert nicht", broken.as_str()],
            shows: &[],
        },
    ] {
        problems.extend(browser.check(&base, &page).await);
    }
    browser.close().await;
    drop(driver);
    assert_no_problems(&problems);
}

/// Records one external link of `lab`'s records as broken (as two failed checks leave it),
/// so the lead's dashboard and the admins' list show their list of broken links; the URL.
async fn plant_broken_link(db: &codefor_storage::Db, lab: &str) -> String {
    use codefor_storage::link_checks;
    let id = codefor_storage::labs::ids(db)
        .await
        .expect("labs")
        .into_iter()
        .find(|(_, slug, _)| slug == lab)
        .expect("the lab")
        .0;
    // A field holding one URL, the lab's own first, in a fixed order.
    let mut sources: Vec<_> = link_checks::sources(db, Some(id), 0)
        .await
        .expect("link sources")
        .into_iter()
        .filter(|s| s.field != "body")
        .collect();
    sources.sort_by(|a, b| {
        (a.kind != "lab", &a.kind, &a.key, &a.value).cmp(&(
            b.kind != "lab",
            &b.kind,
            &b.key,
            &b.value,
        ))
    });
    let url = sources
        .iter()
        .find_map(|s| codefor_core::link_health::normalize(&s.value))
        .expect("a link of the lab's records");
    let now = "2026-01-05T10:00:00Z";
    let mut tx = db.begin().await.expect("tx");
    link_checks::sync_urls(&mut tx, &std::iter::once(url.clone()).collect(), now)
        .await
        .expect("sync");
    link_checks::record(
        &mut tx,
        &url,
        &link_checks::Checked {
            status: "broken",
            http_status: Some(404),
            final_url: None,
            error: None,
            failures: 2,
            failing_since: Some(now),
            checked_at: now,
            next_check: "2999-01-01T00:00:00Z",
        },
    )
    .await
    .expect("record");
    codefor_storage::commit(tx).await.expect("commit");
    url
}

/// A fresh database holding the demo network.
async fn demo_network() -> codefor_storage::testing::TestDb {
    let t = codefor_storage::testing::fresh()
        .await
        .expect("fresh database");
    codefor_core::demo::seed(&t.db)
        .await
        .expect("seed the demo network");
    t
}

/// A confirmed account made through the use-cases (no mail round trip).
async fn confirmed_account(
    db: &codefor_storage::Db,
    email: &str,
    name: &str,
    password: &str,
) -> i64 {
    let hash = codefor_core::secrets::hash_password(password.into())
        .await
        .expect("hash");
    let mut tx = db.begin().await.expect("tx");
    let id = codefor_storage::accounts::create(&mut tx, email, &hash, name, false)
        .await
        .expect("create")
        .expect("new");
    codefor_storage::accounts::confirm(&mut tx, id)
        .await
        .expect("confirm");
    codefor_storage::commit(tx).await.expect("commit");
    id
}

async fn sign_in(c: &fantoccini::Client, base: &str, email: &str, password: &str, next: &str) {
    c.goto(&format!("{base}/anmelden/?next={next}"))
        .await
        .expect("sign-in page");
    type_into(c, "#f-email", email).await;
    type_into(c, "#f-password", password).await;
    click(c, "form.form button[type=submit]").await;
    wait_for_url(c, next).await;
}

async fn sign_out(c: &fantoccini::Client) {
    click(c, ".account-nav button[type=submit]").await;
    find(c, ".account-nav a[href='/anmelden/']").await;
}

/// The way in for a newcomer: the map's federal state, the lab, asking to join; the lead
/// accepts on the dashboard; the newcomer says yes to the next meetup and takes it into
/// their calendar. Every page on the way passes axe-core.
#[tokio::test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs chromium, chromedriver and `npm ci` (axe-core)"
)]
async fn a_newcomer_finds_a_lab_joins_and_comes_to_the_next_meetup() {
    let t = demo_network().await;
    let password = "ein langes Passwort";
    let newcomer = "neu@example.org";
    confirmed_account(&t.db, newcomer, "Nele Neu", password).await;
    let lead = confirmed_account(&t.db, "lead@example.org", "Lars Leitung", password).await;
    codefor_core::admin::make_lead(
        &t.db,
        codefor_core::admin::Actor::COMMAND_LINE,
        lead,
        "kiel",
    )
    .await
    .expect("lead of kiel");
    let base = serve(t.db.clone()).await;
    let driver = Chromedriver::start().await;
    let browser = Browser::open(&driver).await;
    let c = &browser.client;
    let mut problems = Vec::new();

    // Finding the lab: the state on the map, then the lab.
    sign_in(c, &base, newcomer, password, "/labs/").await;
    click(c, ".labmap a[href='/labs/schleswig-holstein/']").await;
    wait_for_url(c, "/labs/schleswig-holstein/").await;
    click(c, ".lab-list a[href='/kiel/']").await;
    wait_for_url(c, "/kiel/").await;
    type_into(c, "#f-message", "Ich komme aus Gaarden und mag Karten.").await;
    click(c, "section.join button[type=submit]").await;
    wait_for_url(c, "/kiel/#mitmachen").await;
    assert!(
        text(c, "section.join")
            .await
            .contains("wartet auf eine Antwort")
    );
    sign_out(c).await;

    // The lead accepts on the dashboard.
    sign_in(c, &base, "lead@example.org", password, "/mitglieder/kiel/").await;
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/mitglieder/kiel/",
                    shot: "lab-dashboard",
                    title: "Mitglieder: OK Lab Kiel – Code for Germany",
                    h1: "Mitglieder: OK Lab Kiel",
                    h1_visible: true,
                    texts: &[
                        "Ich komme aus Gaarden",
                        "Externe Kalender",
                        "Lab-Abend in Kiel",
                    ],
                    shows: &[("#anfragen", "Anfragen (1)")],
                },
            )
            .await,
    );
    click(
        c,
        "form[action='/mitglieder/kiel/antwort'] button[value='1']",
    )
    .await;
    wait_for_url(c, "/mitglieder/kiel/").await;
    assert!(text(c, "main").await.contains("Keine offenen Anfragen"));
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/termine/neu/?lab=kiel",
                    shot: "meetup-form",
                    title: "Neuer Termin – Code for Germany",
                    h1: "Neuer Termin",
                    h1_visible: true,
                    texts: &["Wiederholung", "Plätze (optional)"],
                    shows: &[("legend", "Wer lädt ein?")],
                },
            )
            .await,
    );
    // The lead's view of a meetup: answers, cancelling a date, deleting.
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/termine/1/",
                    shot: "meetup-lead",
                    title: "Lab-Abend in Kiel – Code for Germany",
                    h1: "Lab-Abend in Kiel",
                    h1_visible: true,
                    texts: &["Termin bearbeiten", "Termin löschen"],
                    shows: &[("#d-1 summary", "Antworten (0)")],
                },
            )
            .await,
    );
    sign_out(c).await;

    // The newcomer, now a member, answers the next meetup and takes it along.
    sign_in(c, &base, newcomer, password, "/kiel/").await;
    assert!(text(c, "section.join").await.contains("Du bist Mitglied"));
    click(c, "section[aria-labelledby=termine] .meetup-title a").await;
    wait_for_url(c, "/termine/1/").await;
    assert_eq!(text(c, "h1").await, "Lab-Abend in Kiel");
    click(c, "#d-1 button[value=yes]").await;
    let notice = text(c, ".notice").await;
    assert!(notice.contains("Du hast zugesagt"), "{notice}");
    assert!(text(c, "#d-1 legend").await.contains("zugesagt"));
    assert!(text(c, "#d-1 .meta").await.starts_with("1 Zusage"));
    // The .ics link works from the page, as the browser fetches it.
    let href = find(c, "a[download]")
        .await
        .attr("href")
        .await
        .expect("attr")
        .expect("an href");
    let ics = c
        .execute(
            "return fetch(arguments[0]).then(r => r.text())",
            vec![serde_json::Value::String(href.clone())],
        )
        .await
        .expect("fetch the .ics");
    let ics = ics.as_str().unwrap_or_default();
    assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
    assert!(
        ics.contains("SUMMARY:Lab-Abend in Kiel") && ics.contains("RRULE:FREQ=MONTHLY;BYDAY=1TU")
    );
    for page in [
        Page {
            path: "/termine/1/",
            shot: "meetup",
            title: "Lab-Abend in Kiel – Code for Germany",
            h1: "Lab-Abend in Kiel",
            h1_visible: true,
            texts: &["Jeden 1. Dienstag im Monat", "In den Kalender übernehmen"],
            shows: &[("#d-1 legend", "zugesagt")],
        },
        Page {
            path: "/termine/",
            shot: "meetups",
            title: "Termine – Code for Germany",
            h1: "Termine",
            h1_visible: true,
            texts: &["Open Data Day", "abonnieren"],
            shows: &[("label[for=f-land]", "Bundesland")],
        },
        Page {
            path: "/termine/?land=sachsen",
            shot: "meetups-state",
            title: "Termine in Sachsen – Code for Germany",
            h1: "Termine in Sachsen",
            h1_visible: true,
            texts: &["Offenes Treffen im Basislager"],
            shows: &[],
        },
        Page {
            path: "/konto/kalender/",
            shot: "own-calendar",
            title: "Mein Kalender-Abo – Code for Germany",
            h1: "Mein Kalender-Abo",
            h1_visible: true,
            texts: &["Adresse erzeugen"],
            shows: &[],
        },
    ] {
        problems.extend(browser.check(&base, &page).await);
    }
    browser.close().await;
    drop(driver);
    assert_no_problems(&problems);
}

/// Someone from an administration registers their town, filters the catalog for projects
/// in production in their federal state, opens one, reads how to adopt it and records
/// that their town uses it. Every page on the way passes axe-core.
#[tokio::test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs chromium, chromedriver and `npm ci` (axe-core)"
)]
async fn an_administration_finds_a_project_to_adopt_and_records_its_use() {
    let t = demo_network().await;
    let password = "ein langes Passwort";
    let clerk = "digital@flensburg.example.org";
    confirmed_account(&t.db, clerk, "Frauke Verwaltung", password).await;
    let base = serve(t.db.clone()).await;
    let driver = Chromedriver::start().await;
    let browser = Browser::open(&driver).await;
    let c = &browser.client;
    let mut problems = Vec::new();

    // The town, registered once; the clerk becomes its contact.
    sign_in(c, &base, clerk, password, "/organisationen/neu/").await;
    type_into(c, "#f-name", "Stadt Flensburg").await;
    find(c, "#f-kind")
        .await
        .select_by_value("municipality")
        .await
        .expect("kind");
    find(c, "#f-state")
        .await
        .select_by_value("01")
        .await
        .expect("state");
    type_into(c, "#f-ags", "01001000").await;
    click(c, "form.form button[type=submit]").await;
    wait_for_url(c, "/organisationen/stadt-flensburg/").await;

    // The catalog: in production, in Schleswig-Holstein.
    c.goto(&format!("{base}/projekte/")).await.expect("catalog");
    find(c, "#f-land")
        .await
        .select_by_value("schleswig-holstein")
        .await
        .expect("state filter");
    find(c, "#f-stand")
        .await
        .select_by_value("stable")
        .await
        .expect("status filter");
    click(c, "form.filters button[type=submit]").await;
    wait_for_url(c, "#katalog").await;
    let url = c.current_url().await.expect("url").to_string();
    assert!(
        url.contains("land=schleswig-holstein") && url.contains("stand=stable"),
        "the filters are in the URL: {url}"
    );
    let status = text(c, ".catalog [role=status]").await;
    assert!(status.starts_with("1 Projekt gefunden"), "{status}");
    assert!(
        text(c, ".chosen-filters")
            .await
            .contains("Schleswig-Holstein")
    );
    let path = url
        .split_once(&base)
        .map(|(_, p)| p.split('#').next().unwrap_or(p).to_owned())
        .unwrap_or_default();
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: &path,
                    shot: "catalog-filtered",
                    title: "Projekte – Code for Germany",
                    h1: "Projekte",
                    h1_visible: true,
                    texts: &["Fördepegel", "Im Einsatz (1)"],
                    shows: &[("label[for=f-land]", "Bundesland")],
                },
            )
            .await,
    );

    // The project: how to adopt it, then recording the town as a user.
    c.goto(&format!("{base}{path}"))
        .await
        .expect("back to the catalog");
    click(c, ".catalog .card a[href='/projekte/foerdepegel/']").await;
    wait_for_url(c, "/projekte/foerdepegel/").await;
    let adopt = text(c, "section.adopt").await;
    assert!(adopt.contains("EUPL-1.2"), "{adopt}");
    assert!(
        adopt.contains("Europäischen Union"),
        "a plain-language hint: {adopt}"
    );
    assert!(
        adopt.contains("Zugang zu den Messreihen"),
        "requirements: {adopt}"
    );
    assert!(adopt.contains("publiccode.yml"));
    find(c, "#u-organization")
        .await
        .select_by_label("Stadt Flensburg")
        .await
        .expect("own town offered");
    type_into(c, "#u-since", "2026-01").await;
    type_into(c, "#u-note", "Für die Hochwasserwarnung am Hafen.").await;
    click(c, "#nutzung form.form button[type=submit]").await;
    wait_for_url(c, "/projekte/foerdepegel/#nutzung").await;
    let users = text(c, "#nutzung").await;
    assert!(users.contains("Stadt Flensburg"), "{users}");
    assert!(
        users.contains("Eingetragen von der Organisation selbst"),
        "{users}"
    );
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/projekte/foerdepegel/",
                    shot: "project-adopt",
                    title: "Fördepegel – Code for Germany",
                    h1: "Fördepegel",
                    h1_visible: true,
                    texts: &[
                        "So nutzt ihr das Projekt nach",
                        "Wer nutzt das?",
                        "Stadt Flensburg",
                    ],
                    shows: &[],
                },
            )
            .await,
    );
    // The town's page lists what it uses.
    c.goto(&format!("{base}/organisationen/stadt-flensburg/"))
        .await
        .expect("organization page");
    assert!(text(c, "main").await.contains("Fördepegel"));
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/organisationen/stadt-flensburg/",
                    shot: "organization",
                    title: "Stadt Flensburg – Code for Germany",
                    h1: "Stadt Flensburg",
                    h1_visible: true,
                    texts: &["Fördepegel"],
                    shows: &[],
                },
            )
            .await,
    );
    // The machine-readable side names the user.
    let yml = c
        .execute(
            "return fetch('/projekte/foerdepegel/publiccode.yml').then(r => r.text())",
            vec![],
        )
        .await
        .expect("fetch publiccode.yml");
    let yml = yml.as_str().unwrap_or_default();
    assert!(
        yml.contains("usedBy:") && yml.contains("Stadt Flensburg"),
        "{yml}"
    );
    assert!(yml.contains("license: EUPL-1.2"), "{yml}");
    browser.close().await;
    drop(driver);
    assert_no_problems(&problems);
}

/// Participation end to end: a citizen brings a need, another person supports it and
/// comments, a lab lead adopts it and links the project that answers it; the citizen
/// reads the dated history and gets one digest mail (from the real SMTP listener) with
/// what happened, and nothing of their own doing. Every page on the way passes axe-core.
#[tokio::test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs chromium, chromedriver and `npm ci` (axe-core)"
)]
async fn a_citizen_brings_a_need_a_lab_adopts_it_and_the_citizen_hears_of_it_once() {
    let t = demo_network().await;
    let password = "ein langes Passwort";
    let citizen = "clara@example.org";
    let supporter = "sam@example.org";
    let lead_mail = "lars@example.org";
    confirmed_account(&t.db, citizen, "Clara Bürgerin", password).await;
    confirmed_account(&t.db, supporter, "Sam Stütze", password).await;
    let lead = confirmed_account(&t.db, lead_mail, "Lars Leitung", password).await;
    codefor_core::admin::make_lead(
        &t.db,
        codefor_core::admin::Actor::COMMAND_LINE,
        lead,
        "kiel",
    )
    .await
    .expect("lead of kiel");
    let (smtp_url, inbox) = smtp::start().await;
    let mailer =
        codefor_core::mail::Mailer::smtp(&smtp_url, "Code for Germany <test@codefor.invalid>")
            .expect("mailer");
    let base = browser::serve_with(
        t.db.clone(),
        codefor_web::Config {
            mailer: mailer.clone(),
            ..Default::default()
        },
    )
    .await;
    let driver = Chromedriver::start().await;
    let browser = Browser::open(&driver).await;
    let c = &browser.client;
    let mut problems = Vec::new();

    // The citizen describes the need and submits it.
    sign_in(c, &base, citizen, password, "/beduerfnisse/neu/").await;
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/beduerfnisse/neu/",
                    shot: "need-form",
                    title: "Ein Bedürfnis einbringen – Code for Germany",
                    h1: "Ein Bedürfnis einbringen",
                    h1_visible: true,
                    texts: &["Verhaltenskodex", "Als Entwurf speichern"],
                    shows: &[("label[for=f-title]", "Titel")],
                },
            )
            .await,
    );
    c.goto(&format!("{base}/beduerfnisse/neu/"))
        .await
        .expect("form");
    type_into(c, "#f-title", "Sichere Schulwege in Kiel-Gaarden").await;
    type_into(
        c,
        "#f-body",
        "Eltern wissen nicht, welche Wege zur Grundschule sicher sind. Eine Karte mit offenen Daten würde helfen.",
    )
    .await;
    find(c, "#f-thema")
        .await
        .select_by_value("mobilitaet")
        .await
        .expect("topic");
    find(c, "#f-land")
        .await
        .select_by_value("schleswig-holstein")
        .await
        .expect("state");
    type_into(c, "#f-ort", "Kiel").await;
    click(c, "button[name=aktion][value=einreichen]").await;
    wait_for_url(c, "/").await;
    let url = c.current_url().await.expect("url").to_string();
    let path = url.trim_start_matches(&base).to_owned();
    assert!(
        path.starts_with("/beduerfnisse/") && path != "/beduerfnisse/neu/",
        "{path}"
    );
    assert!(text(c, "#verlauf").await.contains("Eingereicht"));
    sign_out(c).await;

    // Someone else supports it and joins the discussion.
    sign_in(c, &base, supporter, password, &path).await;
    click(c, "#unterstuetzen button[type=submit]").await;
    wait_for_url(c, "#unterstuetzen").await;
    assert!(
        text(c, "#unterstuetzen")
            .await
            .contains("1 Person unterstützt")
    );
    type_into(
        c,
        "#kommentare form.comment-form textarea[name=body]",
        "Der Weg über die Johannesstraße hat keine Ampel. Das sollte auf die Karte.",
    )
    .await;
    click(c, "#kommentare form.comment-form button[type=submit]").await;
    wait_for_text(c, "#kommentare", "Johannesstraße").await;
    sign_out(c).await;

    // The lead of the Kiel lab adopts it and links the project that answers it.
    sign_in(c, &base, lead_mail, password, &path).await;
    let adopt = find(c, "details.step").await;
    adopt
        .find(fantoccini::Locator::Css("summary"))
        .await
        .expect("summary")
        .click()
        .await
        .expect("open");
    type_into(
        c,
        "#s-adopted-grund",
        "Wir kartieren Schulwege beim nächsten Treffen.",
    )
    .await;
    click(c, "details.step[open] button[type=submit]").await;
    wait_for_url(c, "#verlauf").await;
    type_into(c, "#link-projekt", "/projekte/wege-ohne-stufen/").await;
    click(c, "#projekte form.form button[type=submit]").await;
    wait_for_url(c, "#projekte").await;
    assert!(text(c, "#projekte").await.contains("Wege ohne Stufen"));
    sign_out(c).await;

    // The citizen reads what became of it.
    sign_in(c, &base, citizen, password, &path).await;
    type_into(
        c,
        "#kommentare form.comment-form textarea[name=body]",
        "Danke, genau diesen Weg meine ich.",
    )
    .await;
    click(c, "#kommentare form.comment-form button[type=submit]").await;
    wait_for_text(c, "#kommentare", "genau diesen Weg").await;
    let history = text(c, "#verlauf").await;
    assert!(history.contains("Übernommen"), "{history}");
    assert!(
        history.contains("Wir kartieren Schulwege beim nächsten Treffen."),
        "{history}"
    );
    assert!(history.contains("OK Lab Kiel"), "{history}");
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: &path,
                    shot: "need-adopted",
                    title: "Sichere Schulwege in Kiel-Gaarden – Code for Germany",
                    h1: "Sichere Schulwege in Kiel-Gaarden",
                    h1_visible: true,
                    texts: &["Wege ohne Stufen", "Johannesstraße", "1 Person unterstützt"],
                    shows: &[(".badge", "Übernommen")],
                },
            )
            .await,
    );
    problems.extend(
        browser
            .check(
                &base,
                &Page {
                    path: "/beduerfnisse/",
                    shot: "needs",
                    title: "Bedürfnisse – Code for Germany",
                    h1: "Bedürfnisse",
                    h1_visible: true,
                    texts: &["Sichere Schulwege in Kiel-Gaarden"],
                    shows: &[("label[for=f-stand]", "Stand")],
                },
            )
            .await,
    );
    browser.close().await;
    drop(driver);

    // One digest for the citizen: the comment and the steps of others, nothing twice.
    codefor_core::notifications::send_digests(&t.db, &mailer, &base)
        .await
        .expect("digests");
    codefor_core::notifications::send_digests(&t.db, &mailer, &base)
        .await
        .expect("digests again");
    let mails = inbox.all_to(citizen);
    assert_eq!(mails.len(), 1, "one digest: {mails:?}");
    let digest = &quoted_printable(&mails[0].data);
    assert!(
        digest.contains("Sichere Schulwege in Kiel-Gaarden"),
        "{digest}"
    );
    assert!(
        digest.contains("Sam St"),
        "the supporter's comment: {digest}"
    );
    assert!(
        digest.contains("Lars Leitung"),
        "the lead's steps: {digest}"
    );
    assert!(
        !digest.contains("genau diesen Weg"),
        "nothing of the citizen's own doing: {digest}"
    );
    assert_no_problems(&problems);
}

/// Script and event-handler injection in every text field of a need and in a comment's
/// Markdown: in Chromium nothing of it runs (each payload would set `window.__pwned`),
/// and what was typed stays readable as text.
#[tokio::test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs chromium, chromedriver and `npm ci` (axe-core)"
)]
async fn hostile_input_in_needs_and_comments_never_runs_and_stays_text() {
    let t = demo_network().await;
    let author = confirmed_account(
        &t.db,
        "mallory@example.org",
        "<img src=x onerror=window.__pwned=1>",
        "ein langes Passwort",
    )
    .await;
    let account = codefor_storage::accounts::get(&t.db, author)
        .await
        .expect("read")
        .expect("account");
    let run = "window.__pwned=1";
    let script = format!("<script>{run}</script>");
    let handler = format!("<img src=x onerror=\"{run}\">");
    let form: std::collections::HashMap<String, String> = [
        ("title", format!("Titel {script}")),
        (
            "body",
            format!(
                "Text {script} {handler} <svg onload=\"{run}\"></svg> \
                 [klick](javascript:{run}) <a href=\"javascript:{run}\">a</a> \
                 <iframe src=\"javascript:{run}\"></iframe> <b onmouseover=\"{run}\">fett</b> Ende"
            ),
        ),
        ("affected", format!("Betroffen {handler}")),
        ("ort", format!("Ort {script}")),
        ("missing", format!("Fehlt [x](javascript:{run}) {script}")),
        ("thema", "daten".to_owned()),
        ("land", "berlin".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let checked = codefor_core::needs::parse(&t.db, &account, &form, None)
        .await
        .expect("hostile text is still a valid need");
    let id = codefor_core::needs::create(&t.db, Default::default(), &account, &checked, true)
        .await
        .expect("need");
    let need = codefor_storage::needs::get(&t.db, id)
        .await
        .expect("read")
        .expect("need");
    let comment = format!(
        "Kommentar {script} {handler} [klick](javascript:{run}) <details open ontoggle=\"{run}\">x</details>"
    );
    codefor_core::need_comments::post(
        &t.db,
        Default::default(),
        &account,
        &need,
        &codefor_core::need_comments::Draft {
            body: &comment,
            ..Default::default()
        },
    )
    .await
    .expect("comment");
    let base = serve(t.db.clone()).await;
    let driver = Chromedriver::start().await;
    let browser = Browser::open(&driver).await;
    let c = &browser.client;
    for path in [
        format!("/beduerfnisse/{id}/"),
        "/beduerfnisse/".to_owned(),
        format!("/beduerfnisse/{id}/kommentare"),
    ] {
        c.goto(&format!("{base}{path}")).await.expect("page");
        find(c, "main").await;
        // No link anywhere runs script when followed.
        let hrefs = c
            .execute(
                "return Array.from(document.querySelectorAll('[href],[src],[action],[formaction]'))\
                 .map(e => e.getAttribute('href') || e.getAttribute('src') \
                 || e.getAttribute('action') || e.getAttribute('formaction'))",
                vec![],
            )
            .await
            .expect("js");
        for href in hrefs
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|h| h.as_str())
        {
            let h = href.trim().to_ascii_lowercase();
            assert!(
                !h.starts_with("javascript:") && !h.starts_with("data:text"),
                "{path}: {href}"
            );
        }
        // No element carries an event handler (CSP would block one, but it must not
        // get there); the count finds a planted one, so it can fail.
        let handlers = "return Array.from(document.querySelectorAll('*')).filter(e => \
             Array.from(e.attributes).some(a => a.name.toLowerCase().startsWith('on'))).length";
        let found = c.execute(handlers, vec![]).await.expect("js");
        assert_eq!(
            found.as_i64(),
            Some(0),
            "{path}: an event handler attribute"
        );
        c.execute(
            "document.querySelector('main').setAttribute('onclick', 'x'); return 1",
            vec![],
        )
        .await
        .expect("plant");
        let planted = c.execute(handlers, vec![]).await.expect("js");
        assert_eq!(
            planted.as_i64(),
            Some(1),
            "the handler count finds a planted one"
        );
        // Click and hover whatever an event handler could hang on (no navigation).
        for css in [
            "main b",
            "main img",
            "main details",
            "main summary",
            "main svg",
        ] {
            if let Ok(els) = c.find_all(fantoccini::Locator::Css(css)).await {
                for el in els.into_iter().take(40) {
                    let _ = el.click().await;
                }
            }
        }
        c.goto(&format!("{base}{path}")).await.expect("page again");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let pwned = c
            .execute(
                "return window.__pwned === undefined ? 'clean' : 'ran'",
                vec![],
            )
            .await
            .expect("js");
        assert_eq!(pwned.as_str(), Some("clean"), "{path}: injected code ran");
        let main = text(c, "main").await;
        assert!(
            main.contains("<script>window.__pwned=1</script>"),
            "{path}: the text stays visible: {main}"
        );
    }
    let page = text(c, "main").await;
    // In Markdown, raw HTML is sanitized away; the words around it stay.
    assert!(
        page.contains("Kommentar") && page.contains("klick"),
        "{page}"
    );
    browser.close().await;
    drop(driver);
}

/// Waits until the element shows `needle` (after a form sent the browser on).
async fn wait_for_text(c: &fantoccini::Client, css: &str, needle: &str) {
    for _ in 0..100 {
        if let Ok(el) = c.find(fantoccini::Locator::Css(css)).await
            && el.text().await.is_ok_and(|t| t.contains(needle))
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {needle:?}");
}

/// A mail's text as written: quoted-printable soft breaks joined, `=XX` decoded.
fn quoted_printable(data: &str) -> String {
    let joined = data.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && let Some(hex) = joined.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn find(c: &fantoccini::Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
}

async fn text(c: &fantoccini::Client, css: &str) -> String {
    find(c, css).await.text().await.unwrap_or_default()
}

async fn click(c: &fantoccini::Client, css: &str) {
    find(c, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn type_into(c: &fantoccini::Client, css: &str, keys: &str) {
    find(c, css)
        .await
        .send_keys(keys)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// Waits until the browser has navigated to a URL ending in `suffix`.
async fn wait_for_url(c: &fantoccini::Client, suffix: &str) {
    for _ in 0..100 {
        if c.current_url()
            .await
            .is_ok_and(|u| u.as_str().ends_with(suffix))
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let here = c
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    panic!("expected to land on …{suffix}, still on {here}");
}
