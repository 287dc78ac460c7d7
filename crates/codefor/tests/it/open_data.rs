//! Open data holds no private value, and the dump is complete and readable.
//!
//! The scan: a database of its own is filled through the real forms (and storage where a
//! state has no form of its own) with recognisable values in private places — addresses,
//! private profile parts, a draft, a hidden need, a held comment, a report, a join request,
//! a lab proposal, an unconfirmed organization, an address change, a calendar of a lab.
//! Then every private value the manifest names (private columns, every column of private
//! rows, per-person columns their person did not make public) is read back from the
//! database; the distinctive ones must appear nowhere in the open-data output: the
//! OpenAPI document, the API page, every `/api/v1/` URL reachable from there (every
//! `next` link too), every CSV, the DCAT catalog, the dump (every file in it), the old
//! JSON shapes, the feeds, the calendar and the sitemap.
//!
//! The dump: `codefor export opendata DIR` writes a zip whose CSV and JSON files parse,
//! with the README's licence; `/daten/opendata.zip` answers with the same kind of zip.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Read;

use codefor_storage::manifest::{self, Class};
use codefor_storage::{Db, testing};
use sqlx::Row;

use crate::accounts::{Browser, PASSWORD};
use crate::support::{Server, block_on};

/// A private value and where it was read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Secret {
    value: String,
    from: String,
}

/// Columns whose values are bytes, not text (the media files themselves, checksums).
const BINARY: &[(&str, &str)] = &[("media", "bytes"), ("_sqlx_migrations", "checksum")];

/// What the database holds, split by the manifest: values that may be public and values
/// that must not be.
#[derive(Debug, Default)]
struct Split {
    public: Vec<String>,
    private: Vec<Secret>,
}

fn quoted(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Reads every classified column of every table, row by row, and sorts each value by the
/// manifest: private columns, every column of a private row, and per-person columns whose
/// person did not make that part public are private; the rest is public.
async fn split(db: &Db) -> Split {
    let m = manifest::manifest().expect("manifest");
    let mut by_table: BTreeMap<&str, Vec<(&str, Class)>> = BTreeMap::new();
    for (table, column, class) in m.columns() {
        if !BINARY.contains(&(table, column)) {
            by_table.entry(table).or_default().push((column, class));
        }
    }
    let live: BTreeSet<String> = manifest::live_columns(db)
        .await
        .expect("schema")
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    let mut out = Split::default();
    for (table, columns) in by_table {
        if !live.contains(table) {
            continue;
        }
        let private_rows = m.private_rows(table).unwrap_or("1 = 0");
        let has_visibility = columns.iter().any(|(c, _)| *c == "visibility_json");
        let mut select: Vec<String> = columns
            .iter()
            .map(|(c, _)| format!("CAST({} AS TEXT)", quoted(c)))
            .collect();
        select.push(format!("CASE WHEN ({private_rows}) THEN 1 ELSE 0 END"));
        let sql = format!("SELECT {} FROM {}", select.join(", "), quoted(table));
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(db.pool())
            .await
            .unwrap_or_else(|e| panic!("reading {table}: {e}"));
        for row in rows {
            let row_private: i64 = row.try_get(columns.len()).expect("row flag");
            let visibility: BTreeMap<String, String> = if has_visibility {
                let i = columns
                    .iter()
                    .position(|(c, _)| *c == "visibility_json")
                    .expect("column");
                let text: Option<String> = row.try_get(i).expect("visibility");
                serde_json::from_str(text.as_deref().unwrap_or("{}")).unwrap_or_default()
            } else {
                BTreeMap::new()
            };
            for (i, (column, class)) in columns.iter().enumerate() {
                let Some(value) = row.try_get::<Option<String>, _>(i).expect("text") else {
                    continue;
                };
                let public = row_private == 0
                    && match class {
                        Class::Public => true,
                        Class::Private => false,
                        // Parts of a profile: public only where their person said so. Other
                        // per-person columns (a membership's lab, person and role) are ids
                        // and roles, never distinctive: counted as public here.
                        Class::PerPerson => match m.visibility_field(table, column) {
                            Some(field) if has_visibility => {
                                visibility.get(field).map(String::as_str) == Some("public")
                            }
                            _ => true,
                        },
                    };
                if public {
                    out.public.push(value);
                } else {
                    out.private.push(Secret {
                        value,
                        from: format!("{table}.{column}"),
                    });
                }
            }
        }
    }
    out
}

/// Private values worth looking for: long enough, with enough letters that they cannot
/// turn up by chance (not numbers, flags or timestamps), not also a public value or part
/// of one, and not text the software itself writes (`baseline`: the output of a database
/// without records).
fn distinctive(split: &Split, baseline: &str) -> Vec<Secret> {
    let public = split.public.join("\u{0}");
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for s in &split.private {
        let v = s.value.trim();
        if v.chars().count() < 8
            || v.chars().filter(|c| c.is_alphabetic()).count() < 4
            || public.contains(v)
            || baseline.contains(v)
            || !seen.insert(v.to_owned())
        {
            continue;
        }
        out.push(Secret {
            value: v.to_owned(),
            from: s.from.clone(),
        });
    }
    out
}

/// How a value may be written in HTML, JSON or CSV output.
fn spellings(value: &str) -> Vec<String> {
    let json = serde_json::to_string(value).unwrap_or_default();
    let json = json.trim_matches('"').to_owned();
    let html = value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;");
    let csv = value.replace('"', "\"\"");
    let mut all = vec![value.to_owned(), json, html, csv];
    all.sort();
    all.dedup();
    all
}

/// The secrets that appear in `body`, in any of their spellings.
fn leaks<'a>(body: &str, secrets: &'a [Secret]) -> Vec<&'a Secret> {
    secrets
        .iter()
        .filter(|s| {
            spellings(&s.value)
                .iter()
                .any(|v| body.contains(v.as_str()))
        })
        .collect()
}

/// One piece of open-data output: where it came from and its text.
struct Output {
    what: String,
    text: String,
}

/// URLs to read next from a JSON document: every string that is an `/api/` URL of this
/// server (absolute or a path), without templates.
fn api_links(value: &serde_json::Value, base: &str, into: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => {
            let path = s.strip_prefix(base).unwrap_or(s);
            if path.starts_with("/api/v1/") && !path.contains(['{', ' ']) {
                into.push(path.split('#').next().unwrap_or(path).to_owned());
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| api_links(v, base, into)),
        serde_json::Value::Object(o) => o.values().for_each(|v| api_links(v, base, into)),
        _ => {}
    }
}

/// Every open-data output of a server. The starting points must answer 200, and no URL
/// found on the way may fail with a server error.
async fn crawl(server: &Server) -> Vec<Output> {
    let client = crate::support::client();
    let mut out = Vec::new();
    let collections: Vec<&str> = codefor_core::open_data::collections()
        .iter()
        .map(|c| c.name())
        .collect();
    let mut fixed: Vec<String> = [
        "/api/openapi.json",
        "/api/",
        "/catalog.ttl",
        "/catalog.jsonld",
        "/labs/index.json",
        "/projekte/index.json",
        "/api/network.json",
        // Feeds and the calendar are machine-readable too.
        "/index.xml",
        "/blog/atom.xml",
        "/projekte/index.xml",
        "/projekte/atom.xml",
        "/labs/index.xml",
        "/beduerfnisse/index.xml",
        "/beduerfnisse/atom.xml",
        "/termine.ics",
        "/sitemap.xml",
    ]
    .map(String::from)
    .to_vec();
    for c in &collections {
        fixed.push(format!("/api/v1/{c}"));
        fixed.push(format!("/api/v1/{c}.csv"));
        // Small pages, so every list is also read through its `next` links.
        fixed.push(format!("/api/v1/{c}?limit=2"));
    }
    let mut queue: VecDeque<String> = fixed.iter().cloned().collect();
    // The API's index, when it has one.
    queue.push_back("/api/v1/".to_owned());
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    let mut pages_followed = 0;
    while let Some(path) = queue.pop_front() {
        assert!(seen.len() < 20_000, "the crawl does not end");
        let r = client
            .get(server.url(&path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        if status != 200 {
            // The API's index is optional; the fixed starting points are not.
            let optional = path == "/api/v1/" && status == 404;
            assert!(
                optional || !fixed.contains(&path) && status < 500,
                "{path} answered {status}: {text}"
            );
            continue;
        }
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
            let mut links = Vec::new();
            api_links(&json, &server.base, &mut links);
            if json["links"]["next"].is_string() {
                pages_followed += 1;
            }
            for link in links {
                if seen.insert(link.clone()) {
                    queue.push_back(link);
                }
            }
        }
        out.push(Output { what: path, text });
    }
    assert!(pages_followed > 0, "no list had a next page to follow");
    // The dump, file by file.
    let r = client
        .get(server.url("/daten/opendata.zip"))
        .send()
        .await
        .expect("dump");
    assert_eq!(r.status().as_u16(), 200, "the dump");
    let bytes = r.bytes().await.expect("dump body");
    for (name, text) in unzip(&bytes) {
        out.push(Output {
            what: format!("/daten/opendata.zip:{name}"),
            text,
        });
    }
    out
}

/// Every file of a zip, as text.
fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).expect("entry");
        let name = file.name().expect("a file name").into_owned();
        let mut text = String::new();
        file.read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        out.push((name, text));
    }
    out
}

/// The scan fails when it should: a value planted in output is found in any spelling,
/// values that are public or the software's own text are not looked for.
#[test]
fn the_scan_finds_a_planted_private_value() {
    let split = Split {
        public: vec!["Offenes Lab Kiel".into(), "Bio öffentlich Qmxz".into()],
        private: vec![
            Secret {
                value: "geheim-7f3a@example.org".into(),
                from: "accounts.email".into(),
            },
            Secret {
                value: "Er sagte \"Geheimnis\" & ging".into(),
                from: "reports.reason".into(),
            },
            Secret {
                value: "Offenes Lab Kiel".into(),
                from: "lab_proposals.name".into(),
            },
            Secret {
                value: "öffentlich".into(),
                from: "accounts.bio".into(),
            },
            Secret {
                value: "2026-03-10T19:00:00Z".into(),
                from: "sessions.created_at".into(),
            },
            Secret {
                value: "participation".into(),
                from: "_sqlx_migrations.description".into(),
            },
        ],
    };
    let secrets = distinctive(&split, "The API (participation) lists ...");
    assert_eq!(
        secrets.iter().map(|s| s.from.as_str()).collect::<Vec<_>>(),
        ["accounts.email", "reports.reason"],
        "public values, parts of them, timestamps and the software's own words are left out"
    );
    let clean = r#"{"data":[{"name":"Offenes Lab Kiel","bio":"Bio öffentlich Qmxz"}]}"#;
    assert!(leaks(clean, &secrets).is_empty());
    for planted in [
        r#"{"data":[{"contact":"geheim-7f3a@example.org"}]}"#.to_owned(),
        r#"{"note":"Er sagte \"Geheimnis\" & ging"}"#.to_owned(),
        "<p>Er sagte &quot;Geheimnis&quot; &amp; ging</p>".to_owned(),
        "id,reason\r\n1,\"Er sagte \"\"Geheimnis\"\" & ging\"\r\n".to_owned(),
    ] {
        assert_eq!(leaks(&planted, &secrets).len(), 1, "{planted}");
    }
}

/// A confirmed account made through storage; signs in over HTTP.
async fn person(server: &Server, email: &str, name: &str) -> (i64, Browser) {
    let db = &server.db.db;
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
    let mut b = Browser::new(server);
    assert_eq!(b.sign_in(email, PASSWORD).await.status, 303, "{email}");
    (id, b)
}

async fn exec(db: &Db, sql: &str, binds: &[&str]) {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
    for b in binds {
        q = q.bind(*b);
    }
    q.execute(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn need_id(location: &str) -> i64 {
    location
        .trim_start_matches("/beduerfnisse/")
        .trim_end_matches('/')
        .parse()
        .unwrap_or_else(|_| panic!("not a need: {location}"))
}

/// The private markers of [`populate`] and what each stands for.
const MARKERS: &[(&str, &str)] = &[
    ("autorin-qx7m@geheim.example", "an e-mail address"),
    ("Privatbiografie Wkdz", "a private bio"),
    ("Mitgliederinteresse Hbvc", "an interest for members only"),
    ("Privatfaehigkeit Jmqo", "a skill set private"),
    ("Entwurfsbeduerfnis Pzlq", "a draft need"),
    ("Verborgenes Beduerfnis Tzui", "a hidden need"),
    ("Verbergungsgrund Wpoe", "why a need was hidden"),
    ("Zurueckgehaltener Kommentar Mnbq", "a held comment"),
    ("Meldegrund Yxcv", "a report's reason"),
    ("Beitrittsnachricht Rfvt", "a join request's message"),
    ("Vorschlagsnotiz Olpk", "a lab proposal"),
    (
        "neue-adresse-zt4k@geheim.example",
        "an address change asked for",
    ),
    (
        "https://kalender.geheim.example/lab-zxcv.ics",
        "a lab's calendar",
    ),
    ("Projektentwurf Ebnm", "a draft project"),
    ("Erste Fassung Kxcv", "the text of a need before its edit"),
    ("Hilfsangebot Ikmj", "an offer to help a project"),
    ("Postentwurf Vbnm", "a draft post"),
    ("Geloeschtes Lab Qayx", "a deleted lab"),
    ("Entwurfsverweis Qwer", "a link of a draft project"),
    ("Entwurfsthema Asdf", "a topic of a draft project"),
    (
        "https://verweis-geloescht-qayx.example/",
        "a link of a deleted lab",
    ),
];

/// Fills the server's database with private values in every place a person reaches.
/// Returns the public markers that open data must show (so the crawl is known to read
/// the records).
async fn populate(server: &Server) -> Vec<&'static str> {
    let db = &server.db.db;
    let (_, mut author) = person(server, MARKERS[0].0, "Autorin Sichtbar").await;
    let (_, mut quiet) = person(server, "stille-vb8n@geheim.example", "Stille Person").await;
    let (_, mut open) = person(server, "offen-r2d2@geheim.example", "Offene Person").await;

    // Profiles: parts kept private or for members; one person shows a part publicly.
    let saved = author
        .submit(
            "/konto/profil/",
            "/konto/profil/",
            &[
                ("bio", "Privatbiografie Wkdz"),
                ("interests_free", "Mitgliederinteresse Hbvc"),
                ("skills_free", "Privatfaehigkeit Jmqo"),
                ("visibility:bio", "private"),
                ("visibility:interests", "members"),
                ("visibility:skills", "private"),
                ("visibility:labs", "private"),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let saved = open
        .submit(
            "/konto/profil/",
            "/konto/profil/",
            &[
                ("bio", "Oeffentliche Biografie Plmq"),
                ("visibility:bio", "public"),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);

    // Needs: a public one (edited, so its first text is history), a draft, a hidden one.
    let need = |title: &'static str, body: &'static str, submit: bool| {
        let mut f = vec![
            ("title", title),
            ("body", body),
            ("affected", "Alle in der Stadt"),
            ("thema", "mobilitaet"),
            ("land", "schleswig-holstein"),
            ("ort", "Kiel"),
        ];
        if !submit {
            f.push(("aktion", "entwurf"));
        }
        f
    };
    let public_need = author
        .submit(
            "/beduerfnisse/neu/",
            "/beduerfnisse/neu/",
            &need(
                "Oeffentliches Beduerfnis Hnbv",
                "Erste Fassung Kxcv: Radwege fehlen auf der Karte.",
                true,
            ),
        )
        .await;
    assert_eq!(public_need.status, 303, "{}", public_need.body);
    let public_need = need_id(&public_need.location);
    let edit = format!("/beduerfnisse/{public_need}/bearbeiten");
    let edited = author
        .submit(
            &edit,
            &edit,
            &need(
                "Oeffentliches Beduerfnis Hnbv",
                "Zweite Fassung Lqwe: Radwege und Ampeln fehlen auf der Karte.",
                true,
            ),
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    let draft = author
        .submit(
            "/beduerfnisse/neu/",
            "/beduerfnisse/neu/",
            &need("Entwurfsbeduerfnis Pzlq", "Noch nicht fertig.", false),
        )
        .await;
    assert_eq!(draft.status, 303, "{}", draft.body);
    let hidden = author
        .submit(
            "/beduerfnisse/neu/",
            "/beduerfnisse/neu/",
            &need(
                "Verborgenes Beduerfnis Tzui",
                "Etwas, das ein Moderator verbirgt.",
                true,
            ),
        )
        .await;
    assert_eq!(hidden.status, 303, "{}", hidden.body);
    let hidden = need_id(&hidden.location).to_string();
    exec(
        db,
        "UPDATE needs SET hidden_reason = $1 WHERE id = CAST($2 AS INTEGER)",
        &["Verbergungsgrund Wpoe", &hidden],
    )
    .await;

    // The discussion: the quiet person follows, the author writes; one comment is held.
    let need_page = format!("/beduerfnisse/{public_need}/");
    let followed = quiet
        .submit(
            &need_page,
            &format!("/beduerfnisse/{public_need}/folgen"),
            &[],
        )
        .await;
    assert_eq!(followed.status, 303, "{}", followed.body);
    let comments = format!("/beduerfnisse/{public_need}/kommentare");
    for body in [
        "Oeffentlicher Kommentar Asdf",
        "Zurueckgehaltener Kommentar Mnbq",
    ] {
        let posted = author
            .submit(
                &comments,
                &comments,
                &[("body", body), ("antwort", ""), ("website", "")],
            )
            .await;
        assert_eq!(posted.status, 303, "{}", posted.body);
    }
    exec(
        db,
        "UPDATE need_comments SET held = 1 WHERE body = $1",
        &["Zurueckgehaltener Kommentar Mnbq"],
    )
    .await;

    // A report, a join request, a lab proposal, an organization (public, but who
    // registered it is not), an address change asked for.
    let reported = quiet
        .submit(
            &need_page,
            &format!("/beduerfnisse/{public_need}/melden"),
            &[("grund", "Meldegrund Yxcv")],
        )
        .await;
    assert!([200, 303].contains(&reported.status), "{}", reported.body);
    let joined = quiet
        .submit(
            "/kiel/",
            "/beitreten/kiel/",
            &[("message", "Beitrittsnachricht Rfvt")],
        )
        .await;
    assert_eq!(joined.status, 303, "{}", joined.body);
    let proposed = quiet
        .submit(
            "/labs/vorschlagen/",
            "/labs/vorschlagen/",
            &[
                ("city", "Neustadt in Holstein"),
                ("state_key", "01"),
                ("meeting", "Montags im Rathaus"),
                ("leads", "Stille Person"),
                ("note", "Vorschlagsnotiz Olpk"),
            ],
        )
        .await;
    assert!([200, 303].contains(&proposed.status), "{}", proposed.body);
    let registered = quiet
        .submit(
            "/organisationen/neu/",
            "/organisationen/neu/",
            &[
                ("name", "Unbestaetigte Organisation Wqzu"),
                ("kind", "municipality"),
                ("ags", "01002000"),
            ],
        )
        .await;
    assert_eq!(registered.status, 303, "{}", registered.body);
    let asked = quiet
        .submit(
            "/konto/",
            "/konto/email",
            &[
                ("new_email", "neue-adresse-zt4k@geheim.example"),
                ("email_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);

    // An offer to help with a role a demo project looks for.
    let (role, project): (i64, String) = sqlx::query_as(
        "SELECT r.id, p.slug FROM project_roles r JOIN projects p ON p.id = r.project_id \
         ORDER BY r.id LIMIT 1",
    )
    .fetch_one(db.pool())
    .await
    .expect("a demo role");
    let offered = quiet
        .submit(
            &format!("/projekte/{project}/mitmachen"),
            &format!("/projekte/{project}/mitmachen/angebot"),
            &[
                ("role", &role.to_string()),
                ("message", "Hilfsangebot Ikmj"),
            ],
        )
        .await;
    assert_eq!(offered.status, 303, "{}", offered.body);

    // States without a form of their own: a lab's calendar, a draft project and post, a
    // deleted lab.
    exec(
        db,
        "INSERT INTO calendar_sources (lab_id, url, created_at) \
         SELECT id, $1, '2026-01-01T00:00:00Z' FROM labs WHERE slug = 'kiel'",
        &["https://kalender.geheim.example/lab-zxcv.ics"],
    )
    .await;
    let mut tx = db.begin().await.expect("tx");
    codefor_storage::projects::upsert(
        &mut tx,
        &codefor_domain::Project {
            slug: "projektentwurf-ebnm".into(),
            title: "Projektentwurf Ebnm".into(),
            labs: vec!["kiel".into()],
            draft: true,
            topics: vec!["Entwurfsthema Asdf".into()],
            links: vec![codefor_domain::Link {
                name: "Entwurfsverweis Qwer".into(),
                url: "https://entwurf-qwer.example/".into(),
            }],
            body_md: "Noch geheim.".into(),
            body_html: "<p>Noch geheim.</p>".into(),
            source: serde_json::json!({}),
            ..codefor_domain::Project::default()
        },
    )
    .await
    .expect("project");
    codefor_storage::posts::upsert(
        &mut tx,
        &codefor_domain::Post {
            slug: "postentwurf-vbnm".into(),
            title: "Postentwurf Vbnm".into(),
            date: "2026-01-02".into(),
            body_md: "Noch nicht veröffentlicht.".into(),
            body_html: "<p>Noch nicht veröffentlicht.</p>".into(),
            labs: vec!["kiel".into()],
            draft: true,
            lang: "de".into(),
            source: serde_json::json!({}),
            ..codefor_domain::Post::default()
        },
    )
    .await
    .expect("post");
    codefor_storage::labs::upsert(
        &mut tx,
        &codefor_domain::Lab {
            slug: "geloeschtes-lab-qayx".into(),
            name: "Geloeschtes Lab Qayx".into(),
            city: "Nirgendwo".into(),
            state_key: Some("01".into()),
            body_md: "Geloeschte Beschreibung Qayx.".into(),
            body_html: "<p>Geloeschte Beschreibung Qayx.</p>".into(),
            links: vec![codefor_domain::Link {
                name: "Website".into(),
                url: "https://verweis-geloescht-qayx.example/".into(),
            }],
            source: serde_json::json!({}),
            ..codefor_domain::Lab::default()
        },
    )
    .await
    .expect("lab");
    codefor_storage::commit(tx).await.expect("commit");
    exec(
        db,
        "UPDATE labs SET deleted_at = '2026-01-03T00:00:00Z' WHERE slug = $1",
        &["geloeschtes-lab-qayx"],
    )
    .await;

    vec![
        "Oeffentliches Beduerfnis Hnbv",
        "Zweite Fassung Lqwe",
        "Oeffentliche Biografie Plmq",
    ]
}

#[test]
fn no_private_value_reaches_open_data() {
    block_on(async {
        // The software's own words: the output of a database without records.
        let empty = testing::fresh().await.expect("fresh database");
        let empty = crate::support::serve(empty).await;
        let baseline: String = crawl(&empty)
            .await
            .into_iter()
            .map(|o| o.text)
            .collect::<Vec<_>>()
            .join("\n");

        let db = testing::fresh().await.expect("fresh database");
        codefor_core::demo::seed(&db.db).await.expect("seed demo");
        let server = crate::support::serve(db).await;
        let shown = populate(&server).await;

        let split = split(&server.db.db).await;
        let secrets = distinctive(&split, &baseline);
        // The database read finds every marker, and finds it private.
        for (marker, what) in MARKERS {
            assert!(
                secrets.iter().any(|s| s.value.contains(marker)),
                "{what} ({marker}) is not among the private values read"
            );
        }
        for source in [
            "accounts.password_hash",
            "sessions.token_hash",
            "sessions.csrf_token",
            "notifications.summary",
            "accounts.email",
        ] {
            assert!(
                secrets.iter().any(|s| s.from == source),
                "no private value from {source}"
            );
        }

        // A value read from the database is found when an output carries it.
        let token = secrets
            .iter()
            .find(|s| s.from == "sessions.token_hash")
            .expect("a session");
        let planted = format!(r#"{{"data":[{{"note":"{}"}}]}}"#, token.value);
        assert_eq!(leaks(&planted, &secrets), [token]);

        let outputs = crawl(&server).await;
        let all: String = outputs
            .iter()
            .map(|o| o.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        for marker in &shown {
            assert!(all.contains(marker), "open data shows {marker}");
        }
        let mut found = Vec::new();
        for o in &outputs {
            for s in leaks(&o.text, &secrets) {
                found.push(format!("{} shows {} `{}`", o.what, s.from, s.value));
            }
            // The name of someone who shows nothing of themselves appears nowhere.
            if o.text.contains("Stille Person") {
                found.push(format!("{} names a person who shows nothing", o.what));
            }
        }
        assert!(
            found.is_empty(),
            "private values in open data ({} outputs, {} private values):\n{}",
            outputs.len(),
            secrets.len(),
            found.join("\n")
        );
        assert!(
            outputs.len() > 30,
            "the crawl read the API: {:?}",
            outputs.iter().map(|o| &o.what).collect::<Vec<_>>()
        );
    });
}

/// Checks one dump: every file the README names, CSV and JSON parse with as many records
/// as the other, the catalog is there, the README states the licences.
fn check_dump(bytes: &[u8]) -> BTreeMap<String, String> {
    let files: BTreeMap<String, String> = unzip(bytes).into_iter().collect();
    for c in codefor_core::open_data::collections() {
        let name = c.name();
        let json = files
            .get(&format!("{name}.json"))
            .unwrap_or_else(|| panic!("{name}.json in {:?}", files.keys()));
        let json: serde_json::Value =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}.json: {e}"));
        let records = json["data"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}.json has data"))
            .len();
        let csv = files
            .get(&format!("{name}.csv"))
            .unwrap_or_else(|| panic!("{name}.csv"));
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().expect("header").clone();
        assert!(!header.is_empty(), "{name}.csv has a header");
        let mut rows = 0;
        for row in reader.records() {
            let row = row.unwrap_or_else(|e| panic!("{name}.csv: {e}"));
            assert_eq!(row.len(), header.len(), "{name}.csv");
            rows += 1;
        }
        assert_eq!(rows, records, "{name}: CSV and JSON hold the same records");
    }
    for f in ["catalog.ttl", "catalog.jsonld", "README.md"] {
        assert!(files.contains_key(f), "{f} in {:?}", files.keys());
    }
    let _: serde_json::Value =
        serde_json::from_str(&files["catalog.jsonld"]).expect("the JSON-LD catalog parses");
    let readme = &files["README.md"];
    for want in [
        "CC BY 4.0",
        "Code for Germany",
        "AGPL-3.0-or-later",
        "/api/openapi.json",
    ] {
        assert!(readme.contains(want), "README names {want}:\n{readme}");
    }
    for name in files.keys() {
        assert!(
            name == "README.md" || readme.contains(&format!("`{name}`")),
            "README describes {name}"
        );
    }
    files
}

#[test]
fn export_opendata_writes_a_complete_zip_atomically() {
    block_on(async {
        let db = testing::fresh().await.expect("fresh database");
        codefor_core::demo::seed(&db.db).await.expect("seed demo");
        let labs = codefor_storage::labs::list(&db.db)
            .await
            .expect("labs")
            .len();
        let out = tempfile::tempdir().expect("dir");
        let dir = out.path().join("neu");
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_codefor"))
            .env_remove("DATABASE_URL")
            .env("CODEFOR_LOG", "warn")
            .args(["export", "opendata"])
            .arg(&dir)
            .args(["--base-url", "https://beispiel.example/", "--database-url"])
            .arg(&db.url)
            .output()
            .expect("run codefor");
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let zip_path = dir.join("codefor-opendata.zip");
        assert!(
            stdout.contains(&format!("labs.csv: {labs} Datensätze"))
                && stdout.contains(&zip_path.display().to_string()),
            "{stdout}"
        );
        let names: Vec<String> = std::fs::read_dir(&dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["codefor-opendata.zip"], "no temporary file stays");
        let files = check_dump(&std::fs::read(&zip_path).expect("zip"));
        let labs_json: serde_json::Value = serde_json::from_str(&files["labs.json"]).expect("json");
        assert_eq!(labs_json["data"].as_array().expect("data").len(), labs);
        assert!(
            files["labs.json"].contains("https://beispiel.example/api/v1/labs/"),
            "URLs start with --base-url"
        );

        // Help texts tell the truth about the command.
        let help = std::process::Command::new(env!("CARGO_BIN_EXE_codefor"))
            .args(["export", "opendata", "--help"])
            .output()
            .expect("help");
        let help = String::from_utf8_lossy(&help.stdout);
        assert!(
            help.contains("codefor-opendata.zip") && help.contains("--base-url"),
            "{help}"
        );
    });
}

/// A server on a fresh demo database that keeps its dump in `dir` (and links to
/// `base_url`, without which nothing is kept).
async fn dump_server(dir: &std::path::Path, base_url: Option<&str>) -> crate::support::Server {
    let db = testing::fresh().await.expect("fresh database");
    codefor_core::demo::seed(&db.db).await.expect("seed demo");
    crate::support::serve_with(
        db,
        codefor_web::Config {
            open_data_dir: Some(dir.to_path_buf()),
            base_url: base_url.map(Into::into),
            ..Default::default()
        },
    )
    .await
}

#[test]
fn the_dump_downloads_as_a_zip_and_is_kept_for_a_day() {
    block_on(async {
        let dir = tempfile::tempdir().expect("dir");
        // Only a dump with configured links is kept.
        let server = dump_server(dir.path(), Some("http://codefor.example")).await;
        let client = crate::support::client();
        let r = client
            .get(server.url("/daten/opendata.zip"))
            .send()
            .await
            .expect("download");
        assert_eq!(r.status().as_u16(), 200);
        let header = |name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("content-type"), "application/zip");
        assert!(header("content-disposition").contains("codefor-opendata.zip"));
        assert!(!header("last-modified").is_empty());
        let bytes = r.bytes().await.expect("body");
        check_dump(&bytes);
        // Made once, kept: the file on disk is what the next download gets.
        let on_disk = dir.path().join(codefor_core::dump::FILE_NAME);
        let made = std::fs::metadata(&on_disk)
            .expect("kept on disk")
            .modified()
            .expect("mtime");
        assert_eq!(std::fs::read(&on_disk).expect("read"), bytes.to_vec());
        let again = client
            .get(server.url("/daten/opendata.zip"))
            .send()
            .await
            .expect("download");
        assert_eq!(again.status().as_u16(), 200);
        assert_eq!(again.bytes().await.expect("body"), bytes);
        assert_eq!(
            std::fs::metadata(&on_disk)
                .expect("kept")
                .modified()
                .expect("mtime"),
            made
        );

        // A day later it is made again.
        let two_days = std::time::Duration::from_secs(2 * 24 * 60 * 60);
        let old = std::time::SystemTime::now() - two_days;
        std::fs::File::options()
            .write(true)
            .open(&on_disk)
            .expect("open")
            .set_modified(old)
            .expect("age the file");
        let third = client
            .get(server.url("/daten/opendata.zip"))
            .send()
            .await
            .expect("download");
        assert_eq!(third.status().as_u16(), 200);
        check_dump(&third.bytes().await.expect("body"));
        let remade = std::fs::metadata(&on_disk)
            .expect("kept")
            .modified()
            .expect("mtime");
        assert!(
            remade.elapsed().expect("clock") < std::time::Duration::from_secs(600),
            "made again"
        );

        // Without a folder each download is made afresh, and is a zip as well.
        let db = testing::fresh().await.expect("fresh database");
        codefor_core::demo::seed(&db.db).await.expect("seed demo");
        let plain = crate::support::serve(db).await;
        let r = client
            .get(plain.url("/daten/opendata.zip"))
            .send()
            .await
            .expect("download");
        assert_eq!(r.status().as_u16(), 200);
        check_dump(&r.bytes().await.expect("body"));
    });
}

/// The files of a downloaded dump, all in one string.
async fn download_dump(
    server: &Server,
    host: Option<&str>,
) -> (reqwest::header::HeaderMap, String) {
    let mut request = crate::support::client().get(server.url("/daten/opendata.zip"));
    if let Some(host) = host {
        request = request.header("host", host);
    }
    let r = request.send().await.expect("download");
    assert_eq!(r.status().as_u16(), 200);
    let headers = r.headers().clone();
    let bytes = r.bytes().await.expect("body");
    let all = unzip(&bytes)
        .into_iter()
        .map(|(name, body)| format!("== {name}\n{body}\n"))
        .collect();
    (headers, all)
}

#[test]
fn the_kept_dump_drops_what_was_withdrawn_and_clients_revalidate() {
    block_on(async {
        let dir = tempfile::tempdir().expect("dir");
        let server = dump_server(dir.path(), Some("http://codefor.example")).await;
        const BIO: &str = "Zeitweise oeffentliche Biografie Dqzw";
        let (_, mut person) = person(&server, "dump-k3j9@example.org", "Dump Person").await;
        let profile = |visibility: &'static str| [("bio", BIO), ("visibility:bio", visibility)];
        let saved = person
            .submit("/konto/profil/", "/konto/profil/", &profile("public"))
            .await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        let (headers, first) = download_dump(&server, None).await;
        assert!(first.contains(BIO), "the public bio is in the dump");
        assert_eq!(headers["cache-control"], "no-cache");
        assert!(headers.contains_key("last-modified"));
        let etag = headers["etag"].to_str().expect("etag").to_owned();
        // Unchanged: the kept dump, and a client that has it gets a 304.
        let again = crate::support::client()
            .get(server.url("/daten/opendata.zip"))
            .header("if-none-match", &etag)
            .send()
            .await
            .expect("download");
        assert_eq!(again.status().as_u16(), 304);
        assert_eq!(again.headers()["etag"].to_str().expect("etag"), etag);
        assert_eq!(again.headers()["cache-control"], "no-cache");

        // The person takes the bio back: the next download no longer holds it, though
        // the kept dump is not a day old.
        let saved = person
            .submit("/konto/profil/", "/konto/profil/", &profile("private"))
            .await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        let (headers, second) = download_dump(&server, None).await;
        assert!(
            !second.contains(BIO),
            "a withdrawn bio stays out of the dump"
        );
        assert_ne!(headers["etag"].to_str().expect("etag"), etag);
        let stale = crate::support::client()
            .get(server.url("/daten/opendata.zip"))
            .header("if-none-match", &etag)
            .send()
            .await
            .expect("download");
        assert_eq!(stale.status().as_u16(), 200);
    });
}

#[test]
fn without_a_base_url_no_host_header_decides_what_others_download() {
    block_on(async {
        let dir = tempfile::tempdir().expect("dir");
        let server = dump_server(dir.path(), None).await;
        let (_, planted) = download_dump(&server, Some("evil.example")).await;
        assert!(
            planted.contains("http://evil.example/"),
            "made for its request"
        );
        assert!(
            !dir.path().join(codefor_core::dump::FILE_NAME).exists(),
            "not kept without a base URL"
        );
        let (_, normal) = download_dump(&server, None).await;
        assert!(
            !normal.contains("evil.example"),
            "the next download is its own"
        );
    });
}
