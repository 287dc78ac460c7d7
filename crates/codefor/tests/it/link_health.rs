//! Link health end to end: a hand-written HTTP server on loopback answers with every kind
//! of trouble a link can have (and records each request it gets), records of a lab point
//! there, real rounds of `codefor_core::link_health` check them into a real database,
//! and the lab's leads see what broke on their dashboard over HTTP.
//!
//! Every test has a fresh database without the demo network, so no round ever reaches
//! beyond loopback (the tests assert it, too).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use codefor_core::link_health::{self, Policy, Round};
use codefor_storage::link_checks::{self, LinkCheck};
use codefor_storage::meetups::{self, MeetupFields};
use codefor_storage::testing::{self, TestDb};
use codefor_storage::{Db, accounts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::accounts::{Browser, PASSWORD};
use crate::support::{block_on, read_request_head, signed_in};

// ---------------------------------------------------------------------------------------
// A troubled web server on loopback.

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    user_agent: String,
    at: Instant,
}

#[derive(Clone)]
struct Web {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<Mutex<usize>>,
}

impl Web {
    async fn start() -> Web {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind web");
        let addr = listener.local_addr().expect("web addr");
        let web = Web {
            addr,
            seen: Arc::default(),
            connections: Arc::default(),
        };
        let shared = web.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                *shared.connections.lock().expect("web") += 1;
                tokio::spawn(handle(stream, shared.seen.clone()));
            }
        });
        web
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("web").clone()
    }

    fn count(&self, path: &str) -> usize {
        self.seen().iter().filter(|s| s.path == path).count()
    }

    fn connections(&self) -> usize {
        *self.connections.lock().expect("web")
    }
}

async fn handle(mut stream: TcpStream, seen: Arc<Mutex<Vec<Seen>>>) {
    let Some(request) = read_request_head(&mut stream).await else {
        return;
    };
    let user_agent = request.header("user-agent").unwrap_or_default().to_owned();
    let (method, path) = (request.method, request.path);
    seen.lock().expect("web").push(Seen {
        method: method.clone(),
        path: path.clone(),
        user_agent,
        at: Instant::now(),
    });
    let head_only = method == "HEAD";
    let reply = |status: u16, extra: &str| {
        let body = "<!DOCTYPE html><title>Test</title>".repeat(if status == 200 { 500 } else { 1 });
        let mut text = format!(
            "HTTP/1.1 {status} Test\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\
             Connection: close\r\n{extra}\r\n",
            body.len()
        );
        if !head_only {
            text.push_str(&body);
        }
        text
    };
    let answer = match path.as_str() {
        "/ok" | "/ok-too" | "/target" | "/fixed" => reply(200, ""),
        "/missing" => reply(404, ""),
        "/error" => reply(500, ""),
        "/moved" => reply(301, "Location: /target\r\n"),
        "/loop" => reply(301, "Location: /loop\r\n"),
        "/to-zero" => reply(301, "Location: http://0.0.0.0/ok\r\n"),
        "/head-405" if head_only => reply(405, "Allow: GET\r\n"),
        "/head-405" => reply(200, ""),
        "/silent" => {
            // Holds the connection until the client gives up.
            let mut sink = [0u8; 256];
            let _ = tokio::time::timeout(Duration::from_secs(30), async {
                while let Ok(n) = stream.read(&mut sink).await {
                    if n == 0 {
                        break;
                    }
                }
            })
            .await;
            return;
        }
        _ => reply(404, ""),
    };
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Records.

async fn lab(db: &Db, slug: &str, body_html: &str) -> i64 {
    let mut tx = db.begin().await.expect("tx");
    let id = codefor_storage::labs::create(
        &mut tx,
        &codefor_storage::labs::NewLab {
            slug,
            name: &format!("OK Lab {slug}"),
            city: slug,
            state_key: Some("01"),
            latitude: None,
            longitude: None,
            meeting: None,
            body_md: "",
            body_html,
        },
    )
    .await
    .expect("create lab")
    .expect("new lab");
    codefor_storage::commit(tx).await.expect("commit");
    id
}

async fn exec(db: &Db, sql: &str, binds: &[&str]) {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
    for b in binds {
        query = query.bind(*b);
    }
    query.execute(db.pool()).await.expect(sql);
}

/// A published project of `lab` with a website, a repository and a description.
async fn project(
    db: &Db,
    lab: i64,
    slug: &str,
    title: &str,
    website: &str,
    repo: &str,
    body: &str,
) {
    exec(
        db,
        "INSERT INTO projects (slug, title, body_md, body_html, content_hash, created_at, \
         updated_at, website_url, repository_url) \
         VALUES ($1, $2, '', $3, '', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', $4, $5)",
        &[slug, title, body, website, repo],
    )
    .await;
    exec(
        db,
        &format!(
            "INSERT INTO project_labs (project_id, lab_id) \
             SELECT id, {lab} FROM projects WHERE slug = $1"
        ),
        &[slug],
    )
    .await;
}

async fn lab_link(db: &Db, lab: i64, url: &str) {
    exec(
        db,
        &format!(
            "INSERT INTO lab_links (lab_id, kind, position, name, url) \
             VALUES ({lab}, 'link', 0, 'Wiki', $1)"
        ),
        &[url],
    )
    .await;
}

/// An online meetup of `lab` in a week.
async fn meetup(db: &Db, lab: i64, title: &str, online: &str) {
    let start = jiff::Timestamp::now().as_second() + 7 * 86_400;
    let fields = MeetupFields {
        title: title.to_owned(),
        starts_at: "2099-01-01T19:00:00".to_owned(),
        ends_at: "2099-01-01T21:00:00".to_owned(),
        time_zone: "Europe/Berlin".to_owned(),
        first_start: start,
        last_end: Some(start + 7200),
        online_url: Some(online.to_owned()),
        ..MeetupFields::default()
    };
    let mut tx = db.begin().await.expect("tx");
    meetups::create(
        &mut tx,
        &format!("{title}@test"),
        &fields,
        &[lab],
        None,
        None,
    )
    .await
    .expect("meetup");
    codefor_storage::commit(tx).await.expect("commit");
}

/// A dataset of `lab` (migration 0015) with a landing page and one distribution.
async fn dataset(db: &Db, lab: i64, slug: &str, landing: &str, access: &str, download: &str) {
    exec(
        db,
        &format!(
            "INSERT INTO datasets (slug, lab_id, relation, title, description, \
             description_html, licence, created_at, updated_at, landing_page) \
             VALUES ($1, {lab}, 'publishes', 'Baumkataster', '', '', \
             'http://dcat-ap.de/def/licenses/cc-by/4.0', '2026-01-01T00:00:00Z', \
             '2026-01-01T00:00:00Z', $2)"
        ),
        &[slug, landing],
    )
    .await;
    exec(
        db,
        "INSERT INTO dataset_distributions (dataset_id, position, title, access_url, download_url) \
         SELECT id, 0, 'Bäume als CSV', $1, $2 FROM datasets WHERE slug = $3",
        &[access, download, slug],
    )
    .await;
}

/// A confirmed account that leads `lab`.
async fn lead(db: &Db, email: &str, lab: &str) {
    let hash = codefor_core::secrets::hash_password(PASSWORD.into())
        .await
        .expect("hash");
    let mut tx = db.begin().await.expect("tx");
    let id = accounts::create(&mut tx, email, &hash, "Lea Link", false)
        .await
        .expect("create")
        .expect("new address");
    accounts::confirm(&mut tx, id).await.expect("confirm");
    codefor_storage::commit(tx).await.expect("commit");
    codefor_core::admin::make_lead(db, codefor_core::admin::Actor::COMMAND_LINE, id, lab)
        .await
        .expect("lead");
}

// ---------------------------------------------------------------------------------------
// Checks.

/// Loopback allowed, a short deadline and a short pause per host (the default pause is
/// measured in its own test).
fn local(pause: Duration) -> Policy {
    Policy {
        allow_private: true,
        timeout: Duration::from_secs(2),
        per_host_interval: pause,
        ..Policy::default()
    }
}

async fn checks(db: &Db) -> HashMap<String, LinkCheck> {
    link_checks::all(db)
        .await
        .expect("link checks")
        .into_iter()
        .map(|c| (c.url.clone(), c))
        .collect()
}

/// Makes every URL due now, as if the pause after the last check had passed.
async fn time_passes(db: &Db) {
    exec(
        db,
        "UPDATE link_checks SET next_check = '2000-01-01T00:00:00Z'",
        &[],
    )
    .await;
}

async fn round(db: &Db, policy: &Policy) -> Round {
    link_health::run_round(db, policy).await.expect("round")
}

/// The requests (all to one host) came at least `pause` apart. Measured where the server
/// reads them, so on a busy machine one request may reach the server later after its
/// slot than the next one: each gap is at least a quarter of the pause (without the gate
/// several requests would come at once), and the whole span, where such delays do not
/// add up, at least the sum of the pauses less one.
fn assert_spaced(seen: &[Seen], pause: Duration) {
    let mut times: Vec<Instant> = seen.iter().map(|s| s.at).collect();
    times.sort();
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= pause / 4, "requests to one host {gap:?} apart");
    }
    if let (Some(first), Some(last)) = (times.first(), times.last()) {
        let gaps = u32::try_from(times.len() - 1).expect("few requests");
        assert!(
            *last - *first + pause >= pause * gaps,
            "{} requests to one host within {:?}",
            times.len(),
            *last - *first
        );
    }
}

/// Every URL the records use is on the test server: no round leaves loopback.
async fn only_loopback(db: &Db, web: &Web) {
    let uses = link_health::uses(db, None).await.expect("uses");
    assert!(!uses.is_empty());
    for u in uses {
        assert!(
            u.url.starts_with(&web.url("/")),
            "{} would leave loopback",
            u.url
        );
    }
}

#[test]
fn a_round_checks_each_url_once_politely_and_the_lead_sees_what_broke() {
    block_on(async {
        let test_db: TestDb = testing::fresh().await.expect("fresh database");
        let db = test_db.db.clone();
        let web = Web::start().await;
        let u = |p: &str| web.url(p);

        let dorf = lab(
            &db,
            "linkdorf",
            &format!(
                r#"<p>Unser <a href="{}">Wiki-Spiegel</a>.</p>"#,
                u("/head-405")
            ),
        )
        .await;
        let anderswo = lab(
            &db,
            "anderswo",
            &format!(r#"<p><a href="{}">Woanders</a></p>"#, u("/ok-too")),
        )
        .await;
        project(
            &db,
            dorf,
            "stadtbaum",
            "Stadtbaum-Karte",
            &u("/ok"),
            "",
            &format!(
                r#"<p><a href="{}">Alt</a> und <a href="{}#abschnitt">umgezogen</a></p>"#,
                u("/missing"),
                u("/moved")
            ),
        )
        .await;
        // Uses /missing, too: it is checked once all the same.
        project(
            &db,
            dorf,
            "pegel",
            "Pegel-Monitor",
            &u("/missing"),
            &u("/error"),
            "",
        )
        .await;
        lab_link(&db, dorf, &u("/loop")).await;
        meetup(&db, dorf, "Datenabend online", &u("/silent")).await;
        dataset(&db, dorf, "baeume", &u("/ok"), &u("/ok"), &u("/gone.csv")).await;
        // An organization belongs to no lab: only admins see its links.
        exec(
            &db,
            "INSERT INTO organizations (slug, name, kind, website_url, created_at, updated_at) \
             VALUES ('stadt-linkdorf', 'Stadt Linkdorf', 'municipality', $1, \
             '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            &[&u("/missing")],
        )
        .await;
        only_loopback(&db, &web).await;

        let pause = Duration::from_millis(300);
        let policy = local(pause);
        let first = round(&db, &policy).await;
        assert_eq!(first.urls, 9, "{first:?}");
        assert_eq!(first.added, 9);
        assert_eq!(first.checked, 9);
        assert_eq!(
            first.failing, 5,
            "missing, error, loop, silent, gone.csv: {first:?}"
        );

        // Each URL once (however many records use it); a redirect's hops and HEAD's GET
        // fallback are requests of their own.
        let counts: Vec<(&str, usize)> = [
            "/ok",
            "/ok-too",
            "/missing",
            "/error",
            "/moved",
            "/target",
            "/head-405",
            "/silent",
            "/gone.csv",
        ]
        .iter()
        .map(|p| (*p, web.count(p)))
        .collect();
        assert_eq!(
            counts,
            vec![
                ("/ok", 1),
                ("/ok-too", 1),
                ("/missing", 1),
                ("/error", 1),
                ("/moved", 1),
                ("/target", 1),
                ("/head-405", 2),
                ("/silent", 1),
                ("/gone.csv", 1),
            ]
        );
        assert_eq!(
            web.count("/loop"),
            6,
            "the first request and five redirects"
        );
        let seen = web.seen();
        let head_405: Vec<&str> = seen
            .iter()
            .filter(|s| s.path == "/head-405")
            .map(|s| s.method.as_str())
            .collect();
        assert_eq!(head_405, vec!["HEAD", "GET"]);
        assert!(
            seen.iter()
                .filter(|s| s.path != "/head-405")
                .all(|s| s.method == "HEAD"),
            "HEAD first: {seen:?}"
        );
        assert!(
            seen.iter()
                .all(|s| s.user_agent.starts_with("codefor-link-check/")
                    && s.user_agent.contains("codefor.de")),
            "{:?}",
            seen.iter().map(|s| &s.user_agent).collect::<Vec<_>>()
        );
        // One host: every request waited for the one before by the pause.
        assert_spaced(&seen, pause);

        let stored = checks(&db).await;
        let status = |p: &str| {
            let c = &stored[&u(p)];
            (
                c.status.clone().unwrap_or_default(),
                c.http_status,
                c.failures,
            )
        };
        assert_eq!(status("/ok"), ("ok".into(), Some(200), 0));
        assert_eq!(status("/head-405"), ("ok".into(), Some(200), 0));
        assert_eq!(status("/moved"), ("redirected".into(), Some(200), 0));
        assert_eq!(
            stored[&u("/moved")].final_url.as_deref(),
            Some(u("/target").as_str())
        );
        assert_eq!(status("/missing"), ("broken".into(), Some(404), 1));
        assert_eq!(status("/error"), ("broken".into(), Some(500), 1));
        assert_eq!(status("/loop"), ("broken".into(), None, 1));
        assert_eq!(status("/silent"), ("timeout".into(), None, 1));
        assert!(
            stored[&u("/missing")]
                .error
                .as_deref()
                .unwrap_or_default()
                .contains("404")
        );
        assert!(
            stored[&u("/loop")]
                .error
                .as_deref()
                .unwrap_or_default()
                .contains("5-mal")
        );
        // One failure is transient: the API says so, and no dashboard lists it yet.
        assert_eq!(
            link_health::public_status(&stored[&u("/missing")]),
            "transient"
        );
        let health = link_health::health_of(&db, &[u("/missing"), u("/ok"), u("/nie")])
            .await
            .expect("health");
        assert_eq!(health[&u("/missing")].status, "transient");
        assert_eq!(health[&u("/ok")].status, "ok");
        assert!(health[&u("/ok")].last_checked.is_some());
        assert_eq!(health[&u("/nie")].status, "unchecked");
        let early = link_health::problems(&db, Some(dorf))
            .await
            .expect("problems");
        assert!(early.problems.is_empty(), "{early:?}");
        assert_eq!(early.transient, 5);
        let theirs = link_health::problems(&db, Some(anderswo))
            .await
            .expect("problems");
        assert_eq!((theirs.urls, theirs.transient), (1, 0), "{theirs:?}");

        // Nothing is due again yet: a second round asks nobody.
        let before = web.seen().len();
        let second = round(&db, &policy).await;
        assert_eq!(second.checked, 0, "{second:?}");
        assert_eq!(web.seen().len(), before);
        let again = checks(&db).await;
        assert!(
            again[&u("/ok")].next_check > again[&u("/ok")].last_checked.clone().unwrap_or_default()
        );
        // Working links come back in a day, a first failure in an hour.
        assert!(again[&u("/ok")].next_check > again[&u("/missing")].next_check);

        // The pause passes: the failures are confirmed.
        time_passes(&db).await;
        let third = round(&db, &policy).await;
        assert_eq!(third.checked, 9);
        let confirmed = checks(&db).await;
        assert_eq!(confirmed[&u("/missing")].failures, 2);
        assert_eq!(
            confirmed[&u("/missing")].failing_since,
            stored[&u("/missing")].failing_since,
            "broken since the first failure"
        );
        assert_eq!(
            link_health::public_status(&confirmed[&u("/missing")]),
            "broken"
        );

        // The lead of the lab sees them, with the record named and its edit form linked.
        lead(&db, "leitung@linkdorf.example", "linkdorf").await;
        lead(&db, "leitung@anderswo.example", "anderswo").await;
        let server = crate::support::serve(test_db).await;
        let db = server.db.db.clone();
        let mut browser = signed_in(&server, "leitung@linkdorf.example").await;
        let page = browser.get("/mitglieder/linkdorf/").await;
        assert_eq!(page.status, 200);
        let body = page.body;
        let section = body
            .split("id=\"links\"")
            .nth(1)
            .and_then(|s| s.split("id=\"kalender\"").next())
            .expect("a section on broken links")
            .to_owned();
        assert!(body.contains("Defekte Links"));
        for (url, record) in [
            ("/missing", "Stadtbaum-Karte"),
            ("/missing", "Pegel-Monitor"),
            ("/error", "Pegel-Monitor"),
            ("/loop", "OK Lab linkdorf"),
            ("/silent", "Datenabend online"),
            ("/gone.csv", "Bäume als CSV"),
        ] {
            assert!(section.contains(&u(url)), "{url} listed: {section}");
            assert!(section.contains(record), "{record} named: {section}");
        }
        for fine in ["/ok\"", "/moved", "/head-405", "/ok-too"] {
            assert!(!section.contains(&u(fine)), "{fine} is fine: {section}");
        }
        assert!(
            section.contains("href=\"/bearbeiten/projekte/pegel\""),
            "{section}"
        );
        assert!(
            section.contains("href=\"/bearbeiten/linkdorf\""),
            "{section}"
        );
        assert!(section.contains("/termine/"), "{section}");
        assert!(section.contains("href=\"/daten/baeume/\""), "{section}");
        assert!(section.contains("Download-Adresse"), "{section}");
        assert!(
            section.contains("Die Seite gibt es nicht (mehr) (HTTP 404)."),
            "{section}"
        );
        assert!(
            section.contains("antwortet nicht innerhalb von 2 Sekunden"),
            "{section}"
        );
        assert!(section.contains("Defekt seit"), "{section}");
        assert!(section.contains("zuletzt geprüft"), "{section}");

        // Another lab's lead sees their own (fine) links, not these, and not this dashboard.
        let mut other = signed_in(&server, "leitung@anderswo.example").await;
        let theirs = other.get("/mitglieder/anderswo/").await;
        assert_eq!(theirs.status, 200);
        assert!(
            theirs
                .body
                .contains("Alle Links erreichbar, zuletzt geprüft"),
            "{}",
            theirs.body
        );
        assert!(!theirs.body.contains(&u("/missing")));
        assert_eq!(other.get("/mitglieder/linkdorf/").await.status, 403);
        // Anonymous visitors are sent to sign in.
        let anonymous = Browser::new(&server).get("/mitglieder/linkdorf/").await;
        assert_eq!(anonymous.status, 303);
        assert!(
            anonymous.location.starts_with("/anmelden/"),
            "{}",
            anonymous.location
        );
        // Admins see every broken link, also of records of no lab; leads do not.
        assert_eq!(other.get("/admin/links/").await.status, 403);
        assert!(!section.contains("Stadt Linkdorf"), "{section}");
        codefor_core::admin::create_admin(&db, "admin@linkdorf.example", "Ada", PASSWORD)
            .await
            .expect("admin");
        let mut admin = signed_in(&server, "admin@linkdorf.example").await;
        let all = admin.get("/admin/links/").await;
        assert_eq!(all.status, 200);
        for needle in [
            "Organisation",
            "Stadt Linkdorf",
            "Pegel-Monitor",
            "Bäume als CSV",
        ] {
            assert!(all.body.contains(needle), "{needle}: {}", all.body);
        }
        assert!(
            admin
                .get("/admin/")
                .await
                .body
                .contains("href=\"/admin/links/\"")
        );

        // The API tells everyone how a record's links fare.
        let api = |path: &'static str| {
            let url = server.url(path);
            async move {
                let r = crate::support::client().get(url).send().await.expect("api");
                assert_eq!(r.status().as_u16(), 200, "{path}");
                r.json::<serde_json::Value>().await.expect("json")
            }
        };
        let pegel = api("/api/v1/projects/pegel").await;
        let statuses = pegel["link_status"].as_array().expect("link_status");
        let of = |url: &str| {
            statuses
                .iter()
                .find(|s| s["url"] == url)
                .unwrap_or_else(|| panic!("{url} in {statuses:?}"))
                .clone()
        };
        assert_eq!(of(&u("/error"))["status"], "broken");
        assert_eq!(of(&u("/missing"))["status"], "broken");
        assert!(of(&u("/missing"))["last_checked"].is_string());
        let stadtbaum = api("/api/v1/projects/stadtbaum").await;
        assert_eq!(stadtbaum["link_status"][0]["url"], u("/ok").as_str());
        assert_eq!(stadtbaum["link_status"][0]["status"], "ok");
        let lab_api = api("/api/v1/labs/linkdorf").await;
        assert_eq!(lab_api["link_status"][0]["url"], u("/loop").as_str());
        assert_eq!(lab_api["link_status"][0]["status"], "broken");

        let baeume = api("/api/v1/datasets/baeume").await;
        assert_eq!(baeume["link_status"][0]["status"], "ok", "{baeume}");
        let distribution = &baeume["distributions"][0]["link_status"];
        assert_eq!(distribution[0]["url"], u("/ok").as_str(), "{baeume}");
        assert_eq!(distribution[0]["status"], "ok");
        assert_eq!(distribution[1]["url"], u("/gone.csv").as_str());
        assert_eq!(distribution[1]["status"], "broken");

        // A lead fixes the repository link: it leaves the list, and after the next round
        // the checker forgets the old URL and knows the new one works.
        exec(
            &db,
            "UPDATE projects SET repository_url = $1 WHERE slug = 'pegel'",
            &[&u("/fixed")],
        )
        .await;
        time_passes(&db).await;
        let fourth = round(&db, &policy).await;
        assert_eq!(fourth.removed, 1, "{fourth:?}");
        assert_eq!(fourth.added, 1, "{fourth:?}");
        let after_fix = checks(&db).await;
        assert!(!after_fix.contains_key(&u("/error")));
        assert_eq!(after_fix[&u("/fixed")].status.as_deref(), Some("ok"));
        let page = browser.get("/mitglieder/linkdorf/").await;
        assert!(!page.body.contains(&u("/error")), "fixed link still listed");
        assert!(page.body.contains(&u("/missing")), "the others stay");
    });
}

#[test]
fn private_addresses_are_refused_without_a_request() {
    block_on(async {
        let test_db = testing::fresh().await.expect("fresh database");
        let db = &test_db.db;
        let web = Web::start().await;
        let port = web.addr.port();
        let dorf = lab(db, "privatdorf", "").await;
        project(
            db,
            dorf,
            "intern",
            "Internes Projekt",
            &web.url("/ok"),
            &format!("http://localhost:{port}/ok"),
            r#"<p><a href="http://10.1.2.3/">Router</a> <a href="http://[::1]/">v6</a></p>"#,
        )
        .await;

        let policy = Policy {
            timeout: Duration::from_secs(2),
            ..Policy::default()
        };
        assert!(!policy.allow_private);
        let done = round(db, &policy).await;
        assert_eq!(done.checked, 4, "{done:?}");
        let stored = checks(db).await;
        for c in stored.values() {
            assert_eq!(c.status.as_deref(), Some("refused"), "{c:?}");
            assert!(
                c.error
                    .as_deref()
                    .unwrap_or_default()
                    .contains("privates Netz"),
                "{c:?}"
            );
            // Refusal does not change by trying again: reported at once.
            assert_eq!(link_health::public_status(c), "refused");
        }
        assert_eq!(web.connections(), 0, "the server saw nothing");
        let health = link_health::problems(db, Some(dorf))
            .await
            .expect("problems");
        assert_eq!(health.problems.len(), 4);

        // Every hop is checked: even where loopback is allowed, a redirect to an address
        // that is never fetched (0.0.0.0) is refused without following it.
        let hop = web.url("/to-zero");
        exec(db, "UPDATE projects SET website_url = $1", &[&hop]).await;
        let allowed = local(Duration::from_millis(10));
        let done = round(db, &allowed).await;
        assert_eq!(done.added, 1, "{done:?}");
        let stored = checks(db).await;
        assert_eq!(
            stored[&hop].status.as_deref(),
            Some("refused"),
            "{:?}",
            stored[&hop]
        );
        assert!(
            stored[&hop]
                .error
                .as_deref()
                .unwrap_or_default()
                .contains("0.0.0.0"),
            "{:?}",
            stored[&hop]
        );
        assert_eq!(web.count("/to-zero"), 1);
        assert_eq!(web.count("/ok"), 0);
    });
}

#[test]
fn two_instances_check_each_url_once() {
    block_on(async {
        let test_db = testing::fresh().await.expect("fresh database");
        let db = &test_db.db;
        let web = Web::start().await;
        let dorf = lab(db, "doppelt", "").await;
        for (slug, website, repo) in [
            ("a", "/ok", "/ok-too"),
            ("b", "/target", "/missing"),
            ("c", "/error", "/fixed"),
        ] {
            project(db, dorf, slug, slug, &web.url(website), &web.url(repo), "").await;
        }
        only_loopback(db, &web).await;
        let policy = local(Duration::from_millis(50));
        let (one, two) = tokio::join!(round(db, &policy), round(db, &policy));
        assert_eq!(one.checked + two.checked, 6, "{one:?} {two:?}");
        for path in ["/ok", "/ok-too", "/target", "/missing", "/error", "/fixed"] {
            assert_eq!(web.count(path), 1, "{path}");
        }
        assert_eq!(
            checks(db)
                .await
                .values()
                .filter(|c| c.last_checked.is_some())
                .count(),
            6
        );
    });
}

#[test]
fn one_request_per_host_per_second_by_default() {
    block_on(async {
        let test_db = testing::fresh().await.expect("fresh database");
        let db = &test_db.db;
        let web = Web::start().await;
        let dorf = lab(db, "hoeflich", "").await;
        project(
            db,
            dorf,
            "eins",
            "Eins",
            &web.url("/ok"),
            &web.url("/ok-too"),
            "",
        )
        .await;
        project(db, dorf, "zwei", "Zwei", &web.url("/target"), "", "").await;
        only_loopback(db, &web).await;
        let policy = Policy {
            allow_private: true,
            ..Policy::default()
        };
        assert_eq!(policy.per_host_interval, Duration::from_secs(1));
        assert!(
            policy.parallel > 1,
            "several at once, all waiting for their host"
        );
        let started = Instant::now();
        let done = round(db, &policy).await;
        assert_eq!(done.checked, 3);
        assert!(started.elapsed() >= Duration::from_secs(2));
        let seen = web.seen();
        assert_eq!(seen.len(), 3);
        assert_spaced(&seen, Duration::from_secs(1));
    });
}
