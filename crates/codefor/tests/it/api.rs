//! The open-data API over real HTTP: every collection pages through completely, details,
//! the error body, ETag/304, CORS, filters that agree with the HTML filters, what must
//! never appear (drafts, hidden or held needs, private profile parts, e-mail addresses),
//! CSV that agrees with JSON and quotes right, and the OpenAPI document that covers
//! every route.

use std::collections::{BTreeSet, HashSet};

use codefor_storage::Db;
use reqwest::header::HeaderMap;
use serde_json::Value;
use tokio::sync::OnceCell;

use crate::support::{Server, block_on, client};

/// A title that needs CSV quoting: comma, quote and a line break.
const TRICKY: &str = "Komma, \"Zitat\" und\nZeilenumbruch";
const PUBLIC_BIO: &str = "Ich mag offene Daten (öffentliche Angabe).";
const PRIVATE_SKILL: &str = "Geheimwissen-7f3a";
const MEMBERS_INTEREST: &str = "Nur-fuer-Mitglieder-91c2";
const SECRET_TITLE: &str = "Verborgenes Bedürfnis 5d1e";

struct Api {
    server: Server,
    /// The account with a partly public profile; one whose profile is all private.
    public_person: i64,
    private_person: i64,
    /// Needs that must never show: a draft, a held one, a hidden one.
    unlisted: Vec<i64>,
}

static API: OnceCell<Api> = OnceCell::const_new();

async fn api() -> &'static Api {
    API.get_or_init(|| async {
        let db = codefor_storage::testing::fresh()
            .await
            .expect("fresh database");
        codefor_core::demo::seed(&db.db).await.expect("seed demo");
        let extra = populate(&db.db).await;
        let server = crate::support::serve(db).await;
        Api {
            server,
            public_person: extra.0,
            private_person: extra.1,
            unlisted: extra.2,
        }
    })
    .await
}

async fn person(
    db: &Db,
    email: &str,
    name: &str,
    profile: &codefor_domain::profiles::Profile,
) -> i64 {
    let mut tx = db.begin().await.expect("tx");
    let id = codefor_storage::accounts::create(&mut tx, email, "not-a-hash", name, false)
        .await
        .expect("create")
        .expect("new account");
    codefor_storage::accounts::set_profile(&mut tx, id, profile)
        .await
        .expect("profile");
    codefor_storage::commit(tx).await.expect("commit");
    id
}

/// Adds what the demo lacks: a project with a tricky title, more projects (several
/// pages), two profiles and needs that must stay unlisted.
async fn populate(db: &Db) -> (i64, i64, Vec<i64>) {
    use codefor_domain::profiles::{Profile, Sector, Visibility};
    crate::adoption::project(db, "api-quoting", TRICKY, "kiel", "2025-02-01").await;
    for i in 0..7 {
        crate::adoption::project(
            db,
            &format!("api-extra-{i}"),
            &format!("Extra {i}"),
            "kiel",
            "2024-01-01",
        )
        .await;
    }
    let mut visibility = std::collections::BTreeMap::new();
    visibility.insert("bio".to_owned(), Visibility::Public);
    visibility.insert("skills".to_owned(), Visibility::Private);
    visibility.insert("interests".to_owned(), Visibility::Members);
    visibility.insert("sector".to_owned(), Visibility::Public);
    let public_person = person(
        db,
        "open@api.invalid",
        "Offene Person",
        &Profile {
            bio: PUBLIC_BIO.to_owned(),
            sector: Some(Sector::Science),
            skills: vec![PRIVATE_SKILL.to_owned()],
            interests: vec![MEMBERS_INTEREST.to_owned()],
            visibility,
        },
    )
    .await;
    let private_person = person(
        db,
        "closed@api.invalid",
        "Verschlossene Person",
        &Profile {
            bio: "Niemand soll das lesen.".to_owned(),
            skills: vec![PRIVATE_SKILL.to_owned()],
            ..Profile::default()
        },
    )
    .await;
    // A lead who keeps their labs private: named as the lab's contact all the same.
    codefor_core::admin::make_lead(
        db,
        codefor_core::admin::Actor::COMMAND_LINE,
        private_person,
        "kiel",
    )
    .await
    .expect("lead of kiel");
    let fields = codefor_storage::needs::Fields {
        title: SECRET_TITLE,
        body: "Text",
        body_html: "<p>Text</p>",
        affected: "alle",
        state_key: Some("01"),
        municipality: "Kiel",
        lab_id: None,
        topic: "umwelt",
        missing: "",
        organization_id: None,
    };
    let mut tx = db.begin().await.expect("tx");
    let draft = codefor_storage::needs::create(&mut tx, &fields, private_person, false, false)
        .await
        .expect("draft");
    let held = codefor_storage::needs::create(&mut tx, &fields, private_person, true, true)
        .await
        .expect("held");
    let hidden = codefor_storage::needs::create(&mut tx, &fields, private_person, true, false)
        .await
        .expect("hidden");
    codefor_storage::needs::set_hidden(&mut tx, hidden, Some("Spam"))
        .await
        .expect("hide");
    codefor_storage::commit(tx).await.expect("commit");
    (public_person, private_person, vec![draft, held, hidden])
}

struct Got {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Got {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn fetch(url: &str, headers: &[(&str, &str)]) -> Got {
    let mut r = client().get(url);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let r = r.send().await.expect("request");
    Got {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        body: r.text().await.unwrap_or_default(),
    }
}

async fn get(path: &str) -> Got {
    fetch(&api().await.server.url(path), &[]).await
}

/// Every record of a list, following `links.next`; fails on duplicates.
async fn walk(path: &str) -> Vec<Value> {
    let mut url = api().await.server.url(path);
    let mut all = Vec::new();
    let mut seen = HashSet::new();
    for _ in 0..1000 {
        let got = fetch(&url, &[]).await;
        assert_eq!(got.status, 200, "{url}: {}", got.body);
        let page = got.json();
        for record in page["data"].as_array().expect("data") {
            let id = record["id"].to_string();
            assert!(seen.insert(id.clone()), "{path}: {id} twice");
            all.push(record.clone());
        }
        match page["links"]["next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => return all,
        }
    }
    panic!("{path}: no end after 1000 pages");
}

async fn count(db: &Db, sql: &str) -> usize {
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(db.pool())
        .await
        .expect("count");
    usize::try_from(n).expect("count")
}

fn ids(records: &[Value]) -> BTreeSet<String> {
    records
        .iter()
        .map(|r| match &r["id"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

#[test]
fn every_collection_pages_through_completely_and_each_record_has_its_detail() {
    block_on(async {
        let a = api().await;
        let db = &a.server.db.db;
        let listed = codefor_storage::needs::LISTED;
        let expected = [
            (
                "labs",
                count(db, "SELECT COUNT(*) FROM labs WHERE deleted_at IS NULL").await,
            ),
            ("states", 16),
            (
                "projects",
                count(
                    db,
                    "SELECT COUNT(*) FROM projects WHERE draft = 0 AND deleted_at IS NULL",
                )
                .await,
            ),
            (
                "organizations",
                count(db, "SELECT COUNT(*) FROM organizations").await,
            ),
            ("meetups", count(db, "SELECT COUNT(*) FROM meetups").await),
            (
                "needs",
                count(db, &format!("SELECT COUNT(*) FROM needs n WHERE {listed}")).await,
            ),
            (
                "posts",
                count(
                    db,
                    "SELECT COUNT(*) FROM posts WHERE draft = 0 AND deleted_at IS NULL",
                )
                .await,
            ),
            (
                "pages",
                count(
                    db,
                    "SELECT COUNT(*) FROM pages WHERE draft = 0 AND deleted_at IS NULL",
                )
                .await,
            ),
            // The demo's two people who show parts of their profile, and one of populate's.
            ("people", 3),
        ];
        for (name, n) in expected {
            assert!(n > 0, "{name}: the test needs records");
            // Small pages, so every collection spans several.
            let records = walk(&format!("/api/v1/{name}?limit=2")).await;
            assert_eq!(records.len(), n, "{name}: every record once");
            // The same in one page, in the same (stable) order.
            let whole = get(&format!("/api/v1/{name}?limit=200")).await.json();
            assert_eq!(whole["data"].as_array().expect("data"), &records, "{name}");
            assert!(whole["links"]["next"].is_null(), "{name}");
            for r in &records {
                let url = r["url"].as_str().expect("url");
                assert!(url.starts_with(&a.server.base), "{url}");
                assert!(
                    r["html_url"]
                        .as_str()
                        .expect("html_url")
                        .starts_with(&a.server.base)
                );
                let detail = fetch(url, &[]).await;
                assert_eq!(detail.status, 200, "{url}");
                assert_eq!(&detail.json(), r, "{url}: detail = list item");
            }
        }
        // A lab names its leads as its page does.
        let kiel = get("/api/v1/labs/kiel").await.json();
        let leads = kiel["leads"].as_array().expect("leads");
        assert!(!leads.is_empty(), "{kiel}");
        let (_, page) = crate::support::get(&a.server, "/kiel/").await;
        for lead in leads {
            let name = lead.as_str().expect("a name");
            assert!(page.contains(name), "{name} on /kiel/");
        }
        // Also the lead who keeps their labs private (the profile form says so) …
        assert!(leads.iter().any(|l| l == "Verschlossene Person"), "{kiel}");
        // … and exactly the memberships the manifest calls public by role.
        let m = codefor_storage::manifest::manifest().expect("manifest");
        let by_role = m.public_rows("lab_memberships").expect("[public_rows]");
        let db = &a.server.db.db;
        let sql = format!(
            "SELECT COUNT(*) FROM lab_memberships WHERE ({by_role}) \
             AND lab_id = (SELECT id FROM labs WHERE slug = 'kiel')"
        );
        assert_eq!(count(db, &sql).await, leads.len(), "{kiel}");
        // Every record's page exists.
        for name in [
            "labs",
            "projects",
            "needs",
            "posts",
            "organizations",
            "meetups",
        ] {
            let first = get(&format!("/api/v1/{name}?limit=1")).await.json();
            let html = first["data"][0]["html_url"]
                .as_str()
                .expect("html_url")
                .to_owned();
            assert_eq!(fetch(&html, &[]).await.status, 200, "{html}");
        }
    });
}

#[test]
fn errors_have_one_json_shape() {
    block_on(async {
        let cases = [
            ("/api/v1/projects?limit=0", 400, Some("limit")),
            ("/api/v1/projects?limit=201", 400, Some("limit")),
            ("/api/v1/projects?limit=zehn", 400, Some("limit")),
            ("/api/v1/projects?farbe=rot", 400, Some("farbe")),
            ("/api/v1/projects?status=fertig", 400, Some("status")),
            (
                "/api/v1/projects?theme=umwelt&theme=daten",
                400,
                Some("theme"),
            ),
            ("/api/v1/projects?after=kiel", 400, Some("after")),
            ("/api/v1/needs?after=c16b69656c", 400, Some("after")),
            // NUL (PostgreSQL refuses it in text) and other control characters.
            ("/api/v1/projects?after=c100", 400, Some("after")),
            ("/api/v1/labs?after=c16b00", 400, Some("after")),
            ("/api/v1/people?after=c10a", 400, Some("after")),
            ("/api/v1/projects?after=c16b0a", 400, Some("after")),
            ("/api/v1/pages?after=c109", 400, Some("after")),
            ("/api/v1/meetups?from=2026-13-01", 400, Some("from")),
            ("/api/v1/labs/kiel?limit=1", 400, Some("limit")),
            ("/api/v1/labs/gibt-es-nicht", 404, None),
            ("/api/v1/needs/999999", 404, None),
            ("/api/v1/needs/nicht-eine-zahl", 404, None),
            ("/api/v1/gibt-es-nicht", 404, None),
            ("/api/v2/labs", 404, None),
        ];
        for (path, status, parameter) in cases {
            let got = get(path).await;
            assert_eq!(got.status, status, "{path}: {}", got.body);
            assert!(
                got.headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("application/json"),
                "{path}"
            );
            let body = got.json();
            let error = body["error"].as_object().expect("error object");
            assert_eq!(error["status"], status, "{path}");
            assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
            let code = if status == 400 {
                "invalid_parameter"
            } else {
                "not_found"
            };
            assert_eq!(error["code"], code, "{path}");
            assert_eq!(
                error.get("parameter").and_then(Value::as_str),
                parameter,
                "{path}"
            );
            assert_eq!(got.headers["access-control-allow-origin"], "*");
        }
        // Writing is not allowed, and says so without asking for a form token.
        let url = api().await.server.url("/api/v1/labs");
        for method in [
            reqwest::Method::POST,
            reqwest::Method::DELETE,
            reqwest::Method::PUT,
        ] {
            let r = client()
                .request(method.clone(), &url)
                .send()
                .await
                .expect("request");
            assert_eq!(r.status().as_u16(), 405, "{method}");
            assert_eq!(r.headers()["allow"], "GET, HEAD, OPTIONS");
            let body: Value = r.json().await.expect("json");
            assert_eq!(body["error"]["code"], "method_not_allowed");
        }
    });
}

#[test]
fn etags_revalidate_and_reads_are_open_to_every_origin_without_cookies() {
    block_on(async {
        let a = api().await;
        for path in [
            "/api/v1/labs",
            "/api/v1/labs/kiel",
            "/api/v1/labs.csv",
            "/api/openapi.json",
            "/api/v1/network",
        ] {
            let got = get(path).await;
            assert_eq!(got.status, 200, "{path}");
            let etag = got.headers["etag"].to_str().unwrap().to_owned();
            assert!(
                etag.starts_with('"') && !etag.starts_with("W/"),
                "{path}: strong {etag}"
            );
            assert_eq!(got.headers["cache-control"], "public, max-age=60", "{path}");
            assert_eq!(got.headers["access-control-allow-origin"], "*", "{path}");
            assert!(got.headers.get("set-cookie").is_none(), "{path}");
            let again = fetch(&a.server.url(path), &[("if-none-match", &etag)]).await;
            assert_eq!(again.status, 304, "{path}");
            assert!(again.body.is_empty());
            assert_eq!(again.headers["etag"].to_str().unwrap(), etag);
            // Whether the page cache or the handler answers the 304, CORS holds.
            assert_eq!(again.headers["access-control-allow-origin"], "*", "{path}");
            let other = fetch(
                &a.server.url(path),
                &[("if-none-match", "\"something-else\"")],
            )
            .await;
            assert_eq!(other.status, 200, "{path}");
            // A session cookie (even an unknown one) changes nothing and sets nothing.
            let with_cookie = fetch(
                &a.server.url(path),
                &[("cookie", "codefor_session=abc; codefor_csrf=x")],
            )
            .await;
            assert_eq!(with_cookie.status, 200);
            assert!(with_cookie.headers.get("set-cookie").is_none(), "{path}");
            assert_eq!(
                with_cookie.headers["etag"].to_str().unwrap(),
                etag,
                "{path}"
            );
        }
        // The preflight of a cross-origin read.
        let r = client()
            .request(reqwest::Method::OPTIONS, a.server.url("/api/v1/projects"))
            .header("origin", "https://example.org")
            .header("access-control-request-method", "GET")
            .send()
            .await
            .expect("preflight");
        assert!(r.status().is_success(), "{}", r.status());
        assert_eq!(r.headers()["access-control-allow-origin"], "*");
        assert!(
            r.headers()["access-control-allow-methods"]
                .to_str()
                .unwrap()
                .contains("GET")
        );
        assert!(
            r.headers()
                .get("access-control-allow-credentials")
                .is_none()
        );
        // HEAD answers like GET, without a body.
        let head = client()
            .head(a.server.url("/api/v1/labs"))
            .send()
            .await
            .expect("head");
        assert_eq!(head.status().as_u16(), 200);
        assert!(head.headers().contains_key("etag"));
    });
}

/// Ids of the cards a list page of the site shows.
fn card_ids(html: &str, prefix: &str) -> BTreeSet<String> {
    let re = regex::Regex::new(&format!(
        r#"class="card-title"><a href="{prefix}([^/"]+)/""#
    ))
    .expect("regex");
    re.captures_iter(html).map(|c| c[1].to_owned()).collect()
}

#[test]
fn filters_show_what_the_html_filters_show() {
    block_on(async {
        let a = api().await;
        let all_projects = ids(&walk("/api/v1/projects").await);
        let cases = [
            ("theme=umwelt", "thema=umwelt"),
            ("lab=kiel", "lab=kiel"),
            ("state=schleswig-holstein", "land=schleswig-holstein"),
            ("status=stable", "stand=stable"),
            ("in_use=true", "genutzt=1"),
            ("theme=daten&lab=kiel", "thema=daten&lab=kiel"),
        ];
        let mut narrowed = false;
        for (api_q, html_q) in cases {
            let from_api = ids(&walk(&format!("/api/v1/projects?{api_q}")).await);
            let (status, html) =
                crate::support::get(&a.server, &format!("/projekte/?{html_q}")).await;
            assert_eq!(status, 200);
            assert_eq!(from_api, card_ids(&html, "/projekte/"), "{api_q}");
            assert!(!from_api.is_empty(), "{api_q}: the demo has some");
            narrowed |= from_api.len() < all_projects.len();
            // The CSV of the same filter has the same records.
            let csv = get(&format!("/api/v1/projects.csv?{api_q}")).await;
            assert_eq!(csv_ids(&csv.body), from_api, "{api_q} as CSV");
        }
        assert!(narrowed, "some filter must leave projects out");
        let all_needs = ids(&walk("/api/v1/needs").await);
        for (api_q, html_q) in [
            ("status=adopted", "stand=adopted"),
            ("topic=umwelt", "thema=umwelt"),
            ("lab=kiel", "lab=kiel"),
            ("state=schleswig-holstein", "land=schleswig-holstein"),
            ("without_lab=true", "ohne_lab=1"),
        ] {
            let from_api = ids(&walk(&format!("/api/v1/needs?{api_q}")).await);
            let (status, html) =
                crate::support::get(&a.server, &format!("/beduerfnisse/?{html_q}")).await;
            assert_eq!(status, 200);
            assert_eq!(from_api, card_ids(&html, "/beduerfnisse/"), "{api_q}");
            assert!(from_api.len() <= all_needs.len());
        }
        // Labs by state, posts and meetups by lab: every record answers the filter.
        for lab in walk("/api/v1/labs?state=schleswig-holstein").await {
            assert!(
                lab["state"]
                    .as_str()
                    .unwrap()
                    .ends_with("/api/v1/states/schleswig-holstein")
            );
        }
        let kiel = format!("{}/api/v1/labs/kiel", a.server.base);
        let kiel_meetups = walk("/api/v1/meetups?lab=kiel").await;
        assert!(!kiel_meetups.is_empty());
        for m in &kiel_meetups {
            assert!(
                m["labs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l == kiel.as_str()),
                "{m}"
            );
        }
        assert!(walk("/api/v1/meetups?lab=gibt-es-nicht").await.is_empty());
        // Text no record has, even a NUL character, matches nothing (on PostgreSQL too).
        for path in [
            "/api/v1/projects?lab=%00",
            "/api/v1/needs?lab=a%00b",
            "/api/v1/posts?lab=%00",
        ] {
            assert!(walk(path).await.is_empty(), "{path}");
        }
        assert_eq!(get("/api/v1/labs/ki%00el").await.status, 404);
        assert!(walk("/api/v1/meetups?to=2000-01-01").await.is_empty());
        assert_eq!(
            walk("/api/v1/meetups?from=2000-01-01").await.len(),
            walk("/api/v1/meetups").await.len()
        );
        for p in walk("/api/v1/posts?lab=kiel").await {
            assert!(
                p["labs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l == kiel.as_str()),
                "{p}"
            );
        }
    });
}

#[test]
fn needs_never_show_drafts_hidden_or_held_ones() {
    block_on(async {
        let a = api().await;
        let listed = ids(&walk("/api/v1/needs").await);
        for id in &a.unlisted {
            assert!(!listed.contains(&id.to_string()), "need {id} listed");
            assert_eq!(
                get(&format!("/api/v1/needs/{id}")).await.status,
                404,
                "need {id}"
            );
        }
        for path in [
            "/api/v1/needs",
            "/api/v1/needs.csv",
            "/api/v1/needs?limit=200",
        ] {
            assert!(!get(path).await.body.contains(SECRET_TITLE), "{path}");
        }
        // A listed need carries its public history and its support count.
        let needs = walk("/api/v1/needs").await;
        let adopted = needs
            .iter()
            .find(|n| n["adopted_by"].is_string())
            .expect("the demo has an adopted need");
        let history = adopted["history"].as_array().expect("history");
        assert!(history.len() >= 2, "{adopted}");
        for step in history {
            assert!(
                step["at"].as_str().is_some_and(|t| t.contains('T')),
                "{step}"
            );
            assert!(step["by"].as_str().is_some_and(|b| !b.is_empty()), "{step}");
        }
        assert!(adopted["support_count"].is_i64());
    });
}

#[test]
fn private_profile_parts_and_addresses_never_appear() {
    block_on(async {
        let a = api().await;
        let people = walk("/api/v1/people").await;
        let listed = ids(&people);
        assert!(listed.contains(&a.public_person.to_string()), "{people:?}");
        assert!(
            !listed.contains(&a.private_person.to_string()),
            "{people:?}"
        );
        // The demo's Jonas shows his skills to everyone, his interests to members only.
        let jonas = people
            .iter()
            .find(|p| p["name"] == "Jonas Albers")
            .expect("Jonas Albers");
        assert!(jonas["skills"].is_array() && jonas.get("interests").is_none());
        assert!(jonas.get("bio").is_none() && jonas.get("labs").is_none());
        let person = people
            .iter()
            .find(|p| p["id"] == a.public_person)
            .expect("the public person");
        assert_eq!(person["bio"], PUBLIC_BIO);
        assert_eq!(person["sector"], "science");
        assert!(person.get("skills").is_none(), "{person}");
        assert!(person.get("interests").is_none(), "{person}");
        assert_eq!(
            get(&format!("/api/v1/people/{}", a.private_person))
                .await
                .status,
            404
        );
        let mut everything = String::new();
        for c in codefor_core::open_data::collections() {
            everything.push_str(&get(&format!("/api/v1/{}?limit=200", c.name())).await.body);
            everything.push_str(&get(&format!("/api/v1/{}.csv", c.name())).await.body);
        }
        everything.push_str(
            &get(&format!("/api/v1/people/{}", a.public_person))
                .await
                .body,
        );
        for secret in [
            PRIVATE_SKILL,
            MEMBERS_INTEREST,
            "Niemand soll das lesen",
            "api.invalid",
            "not-a-hash",
            "mailto:",
        ] {
            assert!(!everything.contains(secret), "{secret} appeared");
        }
        assert!(everything.contains(PUBLIC_BIO));
    });
}

/// The `id` column of a CSV body, checking its shape on the way.
fn csv_ids(body: &str) -> BTreeSet<String> {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().expect("header").clone();
    let at = header.iter().position(|h| h == "id").expect("id column");
    reader
        .records()
        .map(|r| r.expect("record")[at].to_owned())
        .collect()
}

/// More records than one batch: the CSV is streamed batch by batch, and still holds every
/// record once, under one header, with a weak ETag that changes with the content.
#[test]
fn a_large_collection_streams_as_csv_with_every_record_once() {
    block_on(async {
        let db = codefor_storage::testing::fresh()
            .await
            .expect("fresh database");
        codefor_core::demo::seed(&db.db).await.expect("seed demo");
        let mut tx = db.db.begin().await.expect("tx");
        for i in 0..2100 {
            codefor_storage::projects::upsert(
                &mut tx,
                &codefor_domain::Project {
                    slug: format!("viele-{i:05}"),
                    title: format!("Projekt Nummer {i}, \"zitiert\""),
                    labs: vec!["kiel".to_owned()],
                    body_md: "Text".to_owned(),
                    body_html: "<p>Text</p>".to_owned(),
                    source: serde_json::json!({}),
                    ..codefor_domain::Project::default()
                },
            )
            .await
            .expect("project");
        }
        codefor_storage::commit(tx).await.expect("commit");
        let server = crate::support::serve(db).await;
        let fetch_from = async |path: &str, headers: &[(&str, &str)]| {
            let mut r = client().get(server.url(path));
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            let r = r.send().await.expect("request");
            (
                r.status().as_u16(),
                r.headers().clone(),
                r.text().await.expect("body"),
            )
        };

        let (status, headers, body) = fetch_from("/api/v1/projects.csv", &[]).await;
        assert_eq!(status, 200);
        assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
        assert!(
            headers.get("content-length").is_none(),
            "streamed, not buffered"
        );
        assert_eq!(headers["access-control-allow-origin"], "*");
        let tag = headers["etag"].to_str().expect("etag").to_owned();
        assert!(tag.starts_with("W/\""), "{tag}");
        let columns = codefor_core::open_data::Collection::Projects.columns();
        assert_eq!(body.matches(&columns.join(",")).count(), 1, "one header");
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(ids.len(), unique.len(), "every record once");
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "in order of id");
        let mut walked = BTreeSet::new();
        let mut next = Some(server.url("/api/v1/projects?limit=200"));
        while let Some(url) = next {
            let page: Value = client()
                .get(&url)
                .send()
                .await
                .expect("page")
                .json()
                .await
                .expect("json");
            walked.extend(ids_of(&page["data"]));
            next = page["links"]["next"].as_str().map(str::to_owned);
        }
        assert!(walked.len() > 2100, "{}", walked.len());
        assert_eq!(unique, walked.iter().map(String::as_str).collect());

        // Revalidation: the same content answers 304, a change a new tag.
        let (status, headers, body) =
            fetch_from("/api/v1/projects.csv", &[("if-none-match", &tag)]).await;
        assert_eq!((status, body.as_str()), (304, ""));
        assert_eq!(headers["etag"].to_str().expect("etag"), tag);
        assert_eq!(headers["access-control-allow-origin"], "*");
        let (_, filtered, _) = fetch_from("/api/v1/projects.csv?lab=kiel", &[]).await;
        assert_ne!(
            filtered["etag"],
            tag.as_str(),
            "the query is part of the tag"
        );
        let db = &server.db.db;
        let mut tx = db.begin().await.expect("tx");
        codefor_storage::projects::upsert(
            &mut tx,
            &codefor_domain::Project {
                slug: "viele-zuletzt".to_owned(),
                title: "Zuletzt".to_owned(),
                labs: vec!["kiel".to_owned()],
                source: serde_json::json!({}),
                ..codefor_domain::Project::default()
            },
        )
        .await
        .expect("project");
        codefor_storage::bump_content_version(&mut tx)
            .await
            .expect("version");
        codefor_storage::commit(tx).await.expect("commit");
        let (status, headers, body) =
            fetch_from("/api/v1/projects.csv", &[("if-none-match", &tag)]).await;
        assert_eq!(status, 200);
        assert_ne!(headers["etag"].to_str().expect("etag"), tag);
        assert!(body.contains("viele-zuletzt"));
    });
}

fn ids_of(data: &Value) -> Vec<String> {
    data.as_array()
        .expect("data")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn csv_has_the_records_of_the_json_and_quotes_right() {
    block_on(async {
        for c in codefor_core::open_data::collections() {
            let path = format!("/api/v1/{}.csv", c.name());
            let got = get(&path).await;
            assert_eq!(got.status, 200, "{path}");
            assert_eq!(got.headers["content-type"], "text/csv; charset=utf-8");
            assert!(got.body.contains("\r\n"), "{path}: CRLF");
            let mut reader = csv::Reader::from_reader(got.body.as_bytes());
            let header: Vec<String> = reader
                .headers()
                .expect("header")
                .iter()
                .map(str::to_owned)
                .collect();
            assert_eq!(header, c.columns(), "{path}");
            let json = walk(&format!("/api/v1/{}?limit=200", c.name())).await;
            assert_eq!(csv_ids(&got.body), ids(&json), "{path}");
            // Every cell of a scalar field equals the JSON value.
            let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
            // A column `a.b` is the field `b` of the object in `a`; a list of objects
            // is that list as JSON.
            for (row, record) in rows.iter().zip(&json) {
                for (i, name) in header.iter().enumerate() {
                    let value = match name.split_once('.') {
                        Some((outer, inner)) => &record[outer][inner],
                        None => &record[name.as_str()],
                    };
                    match value {
                        Value::String(s) => assert_eq!(&row[i], s, "{path} {name}"),
                        Value::Null => assert_eq!(&row[i], "", "{path} {name}"),
                        Value::Number(n) => assert_eq!(row[i], n.to_string(), "{path} {name}"),
                        Value::Array(items) if items.iter().any(Value::is_object) => {
                            let cell: Value = serde_json::from_str(&row[i])
                                .unwrap_or_else(|e| panic!("{path} {name}: {e}"));
                            assert_eq!(&cell, value, "{path} {name}");
                        }
                        _ => {}
                    }
                }
            }
        }
        let got = get("/api/v1/projects.csv").await;
        let mut reader = csv::Reader::from_reader(got.body.as_bytes());
        let header = reader.headers().expect("header").clone();
        let title = header
            .iter()
            .position(|h| h == "title")
            .expect("title column");
        let id = header.iter().position(|h| h == "id").expect("id column");
        let row = reader
            .records()
            .map(|r| r.expect("row"))
            .find(|r| &r[id] == "api-quoting")
            .expect("the tricky project");
        assert_eq!(&row[title], TRICKY);
        // Lists are joined, related records are API URLs.
        let labs = header
            .iter()
            .position(|h| h == "labs")
            .expect("labs column");
        assert!(row[labs].ends_with("/api/v1/labs/kiel"), "{:?}", &row[labs]);
    });
}

#[test]
fn the_openapi_document_describes_every_route() {
    block_on(async {
        let a = api().await;
        let got = get("/api/openapi.json").await;
        assert_eq!(got.status, 200);
        let doc = got.json();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["servers"][0]["url"], a.server.base.as_str());
        let paths = doc["paths"].as_object().expect("paths");
        let mut expected: BTreeSet<String> = BTreeSet::from(["/api/v1/network".to_owned()]);
        for c in codefor_core::open_data::collections() {
            let n = c.name();
            expected.extend([
                format!("/api/v1/{n}"),
                format!("/api/v1/{n}/{{id}}"),
                format!("/api/v1/{n}.csv"),
            ]);
        }
        let documented: BTreeSet<String> = paths.keys().cloned().collect();
        assert_eq!(documented, expected);
        // Each documented operation answers as documented, with a real id for details.
        for (path, item) in paths {
            let op = &item["get"];
            let responses = op["responses"].as_object().expect("responses");
            for status in ["200", "304", "400"] {
                assert!(responses.contains_key(status), "{path} documents {status}");
            }
            let concrete = if path.ends_with("{id}") {
                assert!(responses.contains_key("404"), "{path} documents 404");
                let list = get(&path.replace("/{id}", "?limit=1")).await.json();
                let first = list["data"][0]["url"]
                    .as_str()
                    .expect("a record")
                    .to_owned();
                first.trim_start_matches(&a.server.base).to_owned()
            } else {
                path.clone()
            };
            let answer = get(&concrete).await;
            assert_eq!(answer.status, 200, "{concrete}");
            // Every query parameter the list takes is documented, and vice versa.
            let documented: BTreeSet<&str> = op["parameters"]
                .as_array()
                .map(|p| p.iter().filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            if let Some(c) = path
                .strip_prefix("/api/v1/")
                .and_then(codefor_core::open_data::Collection::parse)
            {
                let taken: BTreeSet<&str> = c.params().iter().map(|p| p.name).collect();
                assert_eq!(documented, taken, "{path}");
            }
        }
        // The page for people lists every endpoint with an example.
        let (status, page) = crate::support::get(&a.server, "/api/").await;
        assert_eq!(status, 200);
        for path in &expected {
            assert!(page.contains(&format!("GET {path}")), "/api/ lists {path}");
        }
        // Every example on the page answers.
        let examples = regex::Regex::new(r#"Beispiel: <a href="([^"]+)""#).expect("regex");
        let mut tried = 0;
        for c in examples.captures_iter(&page) {
            let url = c[1].replace("&amp;", "&");
            assert_eq!(fetch(&url, &[]).await.status, 200, "{url}");
            tried += 1;
        }
        assert!(tried >= expected.len(), "{tried} examples");
        // What the page promises is what the API does: the contact point of a dataset is
        // an e-mail address, people pages can come short, reads are open across origins.
        assert!(
            !page.contains("keine E-Mail-Adressen;"),
            "datasets carry one"
        );
        assert!(page.contains("keine E-Mail-Adressen von Personen"));
        assert!(page.contains("Kontaktadresse, die ein Lab für einen Datensatz angibt"));
        assert!(page.contains("Andere Websites dürfen die API direkt abrufen (CORS)."));
        assert!(page.contains("weniger Datensätze als <code>limit</code>"));
        assert!(!page.contains("noch keiner"));
        // The old shapes stay.
        for old in [
            "/labs/index.json",
            "/projekte/index.json",
            "/api/network.json",
        ] {
            assert_eq!(get(old).await.status, 200, "{old}");
        }
    });
}

#[test]
fn csv_is_kept_by_the_page_cache_with_its_etag_and_cors() {
    block_on(async {
        let db = codefor_storage::testing::fresh()
            .await
            .expect("fresh database");
        codefor_core::demo::seed(&db.db).await.expect("seed demo");
        let server = crate::support::serve(db).await;
        let url = server.url("/api/v1/labs.csv");
        let first = fetch(&url, &[]).await;
        assert_eq!(first.status, 200);
        assert!(first.body.contains("Kiel"), "{}", first.body);
        // A change that bypasses the content version: only a kept copy still says Kiel.
        sqlx::query("UPDATE labs SET city = 'Umbenannt-9q' WHERE city = 'Kiel'")
            .execute(server.db.db.pool())
            .await
            .expect("rename");
        let cached = fetch(&url, &[]).await;
        assert_eq!(cached.status, 200);
        assert_eq!(cached.body, first.body, "answered from the page cache");
        assert!(
            cached.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let etag = cached.headers["etag"].to_str().unwrap().to_owned();
        assert_eq!(first.headers["etag"].to_str().unwrap(), etag);
        assert_eq!(cached.headers["access-control-allow-origin"], "*");
        assert_eq!(cached.headers["cache-control"], "public, max-age=60");
        let again = fetch(&url, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, 304);
        assert_eq!(again.headers["etag"].to_str().unwrap(), etag);
        assert_eq!(again.headers["access-control-allow-origin"], "*");
    });
}
