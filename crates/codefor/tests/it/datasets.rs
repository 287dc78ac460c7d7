//! Datasets over real HTTP: leads add, edit and delete their lab's datasets with errors
//! at each field and a version per change; only the lab's leads and admins may; the
//! list filters; harvesting another DCAT catalog (served on loopback) counts new,
//! updated, unchanged and skipped datasets, never duplicates and writes nothing when the
//! catalog cannot be read; and the catalog (`/catalog.ttl`, `/catalog.jsonld`) of the
//! codefor.de fixture plus a test set parses with rdflib, is the same graph in both
//! syntaxes, and passes the DCAT-AP.de SHACL shapes (pySHACL), which a graph without a
//! distribution's licence fails.

use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};

use codefor_domain::datasets::{Distribution, Fields, licence_uri};
use codefor_storage::{Db, testing};
use tokio::sync::OnceCell;

use crate::accounts::{Browser, PASSWORD};
use crate::support::{Server, block_on, lab_id, signed_in};

static SITE: OnceCell<Server> = OnceCell::const_new();

/// A server over the demo network that may harvest catalogs from loopback.
async fn site() -> &'static Server {
    SITE.get_or_init(|| async {
        let db = testing::fresh().await.expect("fresh database");
        codefor_core::demo::seed(&db.db).await.expect("seed demo");
        let config = codefor_web::Config {
            calendar_fetch: codefor_core::calendars::fetch::FetchPolicy {
                allow_private: true,
                ..Default::default()
            },
            ..Default::default()
        };
        crate::support::serve_with(db, config).await
    })
    .await
}

/// A confirmed account: an admin, a lead of `lead_of`, or a member of `member_of`.
async fn person(db: &Db, email: &str, admin: bool, lead_of: Option<&str>, member_of: Option<&str>) {
    if admin {
        codefor_core::admin::create_admin(db, email, "Ada Admin", PASSWORD)
            .await
            .expect("admin");
        return;
    }
    crate::support::confirmed_person(db, email, "Dana Daten", lead_of, member_of).await;
}

async fn count(db: &Db, sql: &str, bind: i64) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(bind)
        .fetch_one(db.pool())
        .await
        .expect("count")
}

async fn lab_datasets(db: &Db, lab: i64) -> i64 {
    count(
        db,
        "SELECT COUNT(*) FROM datasets WHERE lab_id = $1 AND deleted_at IS NULL",
        lab,
    )
    .await
}

async fn dataset_id(db: &Db, slug: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM datasets WHERE slug = $1")
        .bind(slug)
        .fetch_one(db.pool())
        .await
        .expect("dataset")
}

/// A page once the page cache shows a change (it notices within half a second).
async fn page_until(b: &mut Browser, path: &str, want: impl Fn(&str) -> bool) -> String {
    let mut body = String::new();
    for _ in 0..40 {
        body = b.get(path).await.body;
        if want(&body) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    body
}

const LICENCE: &str = "http://dcat-ap.de/def/licenses/cc-by/4.0";

#[test]
fn a_lead_adds_edits_and_deletes_a_dataset_with_errors_at_each_field_and_versions() {
    block_on(async {
        let server = site().await;
        let db = &server.db.db;
        person(db, "daten-lead-kiel@example.org", false, Some("kiel"), None).await;
        let mut b = signed_in(server, "daten-lead-kiel@example.org").await;
        let form = b.get("/daten/neu/?lab=kiel").await;
        assert_eq!(form.status, 200, "{}", form.body);
        assert!(form.body.contains("name=\"csrf\""));
        assert!(
            form.body
                .contains("Datenlizenz Deutschland – Namensnennung – Version 2.0")
        );

        // Every mistake is named at its field, and what was typed stays.
        let bad = b
            .submit(
                "/daten/neu/?lab=kiel",
                "/daten/neu/",
                &[
                    ("relation", "publishes"),
                    ("title", "Radwege <Kiel> & „Umland“"),
                    ("description", "Alle Radwege."),
                    ("licence", "https://example.org/frei"),
                    ("state_key", "01"),
                    ("ags", "0100200"),
                    ("temporal_start", "2024-05-01"),
                    ("temporal_end", "2024-04-30"),
                    ("landing_page", "ftp://example.org/radwege"),
                    ("dist_title_0", "CSV"),
                    ("dist_access_0", "keine adresse"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        for field in [
            "licence",
            "ags",
            "temporal_end",
            "landing_page",
            "dist_access_0",
        ] {
            assert!(
                bad.body.contains(&format!("id=\"f-{field}-error\"")),
                "no error at {field}: {}",
                bad.body
            );
            assert!(
                regex::Regex::new(&format!(r#"aria-describedby="[^"]*\bf-{field}-error""#))
                    .unwrap()
                    .is_match(&bad.body),
                "{field} not described by its error"
            );
        }
        assert!(!bad.body.contains("id=\"f-title-error\""));
        assert!(
            bad.body
                .contains("value=\"Radwege &lt;Kiel&gt; &amp; „Umland“\"")
        );
        assert!(
            bad.body
                .contains("Das Ende des Zeitraums liegt vor seinem Anfang.")
        );
        let kiel = lab_id(db, "kiel").await;
        let before = lab_datasets(db, kiel).await;

        let ok = b
            .submit(
                "/daten/neu/?lab=kiel",
                "/daten/neu/",
                &[
                    ("relation", "publishes"),
                    ("title", "Radwege <Kiel> & „Umland“"),
                    ("description", "Alle **Radwege**.<script>alert(1)</script>"),
                    ("licence", LICENCE),
                    ("theme", "TRAN"),
                    ("theme", "REGI"),
                    ("keywords", "Rad, Verkehr"),
                    ("state_key", "01"),
                    ("ags", "01002000"),
                    ("temporal_start", "2024-01-01"),
                    ("temporal_end", "2024-12-31"),
                    ("contact_name", "OK Lab Kiel"),
                    ("contact_email", "rad@kiel.example.org"),
                    ("frequency", "MONTHLY"),
                    ("dist_title_0", "Radwege als GeoJSON"),
                    ("dist_access_0", "https://kiel.example.org/radwege.geojson"),
                    ("dist_format_0", "GEOJSON"),
                    ("dist_media_0", "application/geo+json"),
                ],
            )
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        assert_eq!(ok.location, "/daten/radwege-kiel-umland/");
        assert_eq!(lab_datasets(db, kiel).await, before + 1);
        let id = dataset_id(db, "radwege-kiel-umland").await;
        let shown = b.get("/daten/radwege-kiel-umland/").await;
        assert_eq!(shown.status, 200);
        assert!(shown.body.contains("Radwege &lt;Kiel&gt; &amp; „Umland“"));
        assert!(shown.body.contains("<strong>Radwege</strong>"));
        assert!(
            !shown.body.contains("<script>alert"),
            "the description is sanitized"
        );
        assert!(shown.body.contains("Creative Commons Namensnennung 4.0"));
        assert!(
            shown
                .body
                .contains("href=\"https://kiel.example.org/radwege.geojson\"")
        );
        assert!(
            shown.body.contains("Verkehr"),
            "themes by their German label"
        );
        assert!(shown.body.contains("href=\"/catalog.ttl\""));

        // An edit keeps the version before.
        let edited = b
            .submit(
                "/daten/radwege-kiel-umland/bearbeiten",
                "/daten/radwege-kiel-umland/bearbeiten",
                &[
                    ("relation", "uses"),
                    ("title", "Radwege Kiel"),
                    ("description", "Alle Radwege, neu vermessen."),
                    ("licence", LICENCE),
                    ("theme", "TRAN"),
                    ("dist_access_0", "https://kiel.example.org/radwege.geojson"),
                ],
            )
            .await;
        assert_eq!(edited.status, 303, "{}", edited.body);
        let versions = count(
            db,
            "SELECT COUNT(*) FROM dataset_versions WHERE dataset_id = $1",
            id,
        )
        .await;
        assert_eq!(versions, 2);
        let first: String = sqlx::query_scalar(
            "SELECT snapshot FROM dataset_versions WHERE dataset_id = $1 AND number = 1",
        )
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert!(
            first.contains("Umland"),
            "the first version keeps the old title"
        );
        let page = b.get("/daten/radwege-kiel-umland/").await.body;
        assert!(page.contains("Radwege Kiel") && page.contains("Version 2: Bearbeitet"));
        // A mistake in an edit changes nothing.
        let refused = b
            .submit(
                "/daten/radwege-kiel-umland/bearbeiten",
                "/daten/radwege-kiel-umland/bearbeiten",
                &[
                    ("relation", "uses"),
                    ("title", ""),
                    ("description", "x"),
                    ("licence", LICENCE),
                ],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("id=\"f-title-error\""));
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) FROM dataset_versions WHERE dataset_id = $1",
                id
            )
            .await,
            2
        );

        // The lab's page lists it.
        let lab_page = page_until(&mut b, "/kiel/", |p| p.contains("Radwege Kiel")).await;
        assert!(lab_page.contains("href=\"/daten/radwege-kiel-umland/\""));
        assert!(lab_page.contains("href=\"/daten/neu/?lab=kiel\""));

        // Deleting is soft.
        let gone = b
            .submit(
                "/daten/radwege-kiel-umland/bearbeiten",
                "/daten/radwege-kiel-umland/loeschen",
                &[],
            )
            .await;
        assert_eq!(gone.status, 303);
        assert_eq!(b.get("/daten/radwege-kiel-umland/").await.status, 404);
        let deleted: Option<String> =
            sqlx::query_scalar("SELECT deleted_at FROM datasets WHERE id = $1")
                .bind(id)
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert!(deleted.is_some());
        assert_eq!(lab_datasets(db, kiel).await, before);

        // Admins bring it back; leads may not.
        assert_eq!(b.get("/daten/papierkorb/").await.status, 403);
        person(db, "daten-admin@example.org", true, None, None).await;
        let mut admin = signed_in(server, "daten-admin@example.org").await;
        let trash = admin.get("/daten/papierkorb/").await;
        assert_eq!(trash.status, 200);
        assert!(trash.body.contains("Radwege Kiel"));
        let back = admin
            .submit(
                "/daten/papierkorb/",
                &format!("/daten/papierkorb/{id}"),
                &[],
            )
            .await;
        assert_eq!(back.status, 303);
        assert_eq!(b.get("/daten/radwege-kiel-umland/").await.status, 200);
        assert_eq!(lab_datasets(db, kiel).await, before + 1);
    });
}

#[test]
fn only_the_labs_leads_and_admins_manage_its_datasets() {
    block_on(async {
        let server = site().await;
        let db = &server.db.db;
        person(db, "perm-member@example.org", false, None, Some("kiel")).await;
        person(
            db,
            "perm-other-lead@example.org",
            false,
            Some("freiburg"),
            None,
        )
        .await;
        person(db, "perm-lead@example.org", false, Some("kiel"), None).await;
        person(db, "perm-admin@example.org", true, None, None).await;
        let roles = [
            None,
            Some("perm-member@example.org"),
            Some("perm-other-lead@example.org"),
            Some("perm-lead@example.org"),
            Some("perm-admin@example.org"),
        ];
        let gets: [(&str, [u16; 5]); 4] = [
            ("/daten/neu/?lab=kiel", [303, 403, 403, 200, 200]),
            ("/daten/ernten/?lab=kiel", [303, 403, 403, 200, 200]),
            (
                "/daten/pegelstaende-kieler-foerde-demo/bearbeiten",
                [303, 403, 403, 200, 200],
            ),
            (
                "/daten/pegelstaende-kieler-foerde-demo/",
                [200, 200, 200, 200, 200],
            ),
        ];
        let kiel = lab_id(db, "kiel").await;
        for (i, who) in roles.iter().enumerate() {
            let mut b = match who {
                Some(email) => signed_in(server, email).await,
                None => Browser::new(server),
            };
            for (path, want) in &gets {
                assert_eq!(b.get(path).await.status, want[i], "{who:?} GET {path}");
            }
            // Nobody but leads and admins writes; anonymous forms lack a session.
            if i < 3 {
                let before = lab_datasets(db, kiel).await;
                let page = b
                    .submit(
                        "/daten/",
                        "/daten/neu/",
                        &[
                            ("lab", "kiel"),
                            ("relation", "publishes"),
                            ("title", "Unerlaubt"),
                            ("description", "x"),
                            ("licence", LICENCE),
                        ],
                    )
                    .await;
                // Signed-in people are refused by the permission check (their token is
                // right); anonymous ones already by the missing token.
                assert_eq!(page.status, 403, "{who:?} create");
                let deleting = b
                    .submit(
                        "/daten/",
                        "/daten/pegelstaende-kieler-foerde-demo/loeschen",
                        &[],
                    )
                    .await;
                assert_eq!(deleting.status, 403, "{who:?} delete");
                assert_eq!(lab_datasets(db, kiel).await, before, "{who:?} wrote");
            }
        }
        // The show page offers editing to the lab's leads only.
        let mut lead = signed_in(server, "perm-lead@example.org").await;
        assert!(
            lead.get("/daten/pegelstaende-kieler-foerde-demo/")
                .await
                .body
                .contains("/bearbeiten\">Bearbeiten")
        );
        let mut other = signed_in(server, "perm-other-lead@example.org").await;
        assert!(
            !other
                .get("/daten/pegelstaende-kieler-foerde-demo/")
                .await
                .body
                .contains("Bearbeiten")
        );
    });
}

#[test]
fn the_list_filters_by_theme_state_lab_and_relation() {
    block_on(async {
        let server = site().await;
        let mut b = Browser::new(server);
        let all = b.get("/daten/").await;
        assert_eq!(all.status, 200);
        for t in [
            "Pegelstände der Kieler Förde (Demo)",
            "Haushaltsplan der Landeshauptstadt Kiel (Demo)",
            "Klimamessnetz Freiburg (Demo)",
        ] {
            assert!(all.body.contains(t), "{t}");
        }
        let cases: [(&str, &[&str], &[&str]); 5] = [
            (
                "/daten/?thema=ECON",
                &["Haushaltsplan"],
                &["Pegelstände", "Klimamessnetz"],
            ),
            (
                "/daten/?land=baden-wuerttemberg",
                &["Klimamessnetz"],
                &["Pegelstände", "Haushaltsplan"],
            ),
            (
                "/daten/?lab=kiel",
                &["Pegelstände", "Haushaltsplan"],
                &["Klimamessnetz"],
            ),
            (
                "/daten/?beziehung=uses",
                &["Haushaltsplan"],
                &["Pegelstände", "Klimamessnetz"],
            ),
            (
                "/daten/?thema=ENVI&lab=freiburg",
                &["Klimamessnetz"],
                &["Pegelstände", "Haushaltsplan"],
            ),
        ];
        for (path, shown, hidden) in cases {
            let page = b.get(path).await;
            assert_eq!(page.status, 200, "{path}");
            for s in shown {
                assert!(page.body.contains(s), "{path} lacks {s}");
            }
            for h in hidden {
                assert!(!page.body.contains(h), "{path} shows {h}");
            }
            assert!(page.body.contains("(Filter entfernen)"), "{path}");
        }
        // An unknown filter value is ignored, not an error.
        assert_eq!(b.get("/daten/?thema=NOPE&seite=0").await.status, 200);
        // The datasets are in the sitemap.
        let sitemap = b.get("/sitemap.xml").await.body;
        assert!(sitemap.contains("/daten/klimamessnetz-freiburg-demo/</loc>"));
    });
}

// ---------------------------------------------------------------------------------------
// Harvesting from catalogs served on loopback.

/// Paths with their media type and body, and the `Accept` header of every request.
#[derive(Clone, Default)]
struct Catalogs(
    Arc<Mutex<HashMap<String, (String, String)>>>,
    Arc<Mutex<Vec<String>>>,
);

impl Catalogs {
    async fn start() -> (Catalogs, String) {
        let catalogs = Catalogs::default();
        let shared = catalogs.clone();
        let app = axum::Router::new().fallback(
            move |uri: axum::http::Uri, headers: axum::http::HeaderMap| {
                let shared = shared.clone();
                async move {
                    let accept = headers
                        .get(axum::http::header::ACCEPT)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    shared.1.lock().unwrap().push(accept);
                    let found = shared.0.lock().unwrap().get(uri.path()).cloned();
                    match found {
                        Some((content_type, body)) => {
                            ([(axum::http::header::CONTENT_TYPE, content_type)], body)
                                .into_response()
                        }
                        None => axum::http::StatusCode::NOT_FOUND.into_response(),
                    }
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (catalogs, format!("http://{addr}"))
    }

    fn set(&self, path: &str, content_type: &str, body: &str) {
        self.0
            .lock()
            .unwrap()
            .insert(path.to_owned(), (content_type.to_owned(), body.to_owned()));
    }
}

use axum::response::IntoResponse;

fn catalog_v1(title_a: &str) -> String {
    format!(
        r#"@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix dcatde: <http://dcat-ap.de/def/dcatde/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://portal.example.org/catalog> a dcat:Catalog ;
  dct:title "Portal"@de ;
  dcat:dataset <https://portal.example.org/d/a>, <https://portal.example.org/d/b>,
               <https://portal.example.org/d/c>, <https://portal.example.org/d/d> .

<https://portal.example.org/d/a> a dcat:Dataset ;
  dct:identifier "urn:beispiel:a" ;
  dct:title "{title_a}"@de , "Tram stops"@en ;
  dct:description "Alle Haltestellen mit Lage und Linien."@de ;
  dcat:theme <http://publications.europa.eu/resource/authority/data-theme/TRAN> ;
  dcat:keyword "Tram"@de, "ÖPNV"@de ;
  dct:publisher [ a foaf:Agent ; foaf:name "Landeshauptstadt Kiel (Demo)" ] ;
  dcat:contactPoint [ a vcard:Organization ; vcard:fn "Verkehrsamt" ;
                      vcard:hasEmail <mailto:verkehr@portal.example.org> ] ;
  dcatde:politicalGeocodingURI <http://dcat-ap.de/def/politicalGeocoding/stateKey/13> ;
  dct:spatial <http://dcat-ap.de/def/politicalGeocoding/municipalityKey/13003000> ;
  dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2022-01-01"^^xsd:date ;
                 dcat:endDate "2022-12-31"^^xsd:date ] ;
  dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/ANNUAL> ;
  dct:issued "2022-03-01"^^xsd:date ;
  dct:modified "2023-01-05T10:00:00Z"^^xsd:dateTime ;
  dcat:landingPage <https://portal.example.org/haltestellen> ;
  dcat:distribution <https://portal.example.org/d/a/csv> .

<https://portal.example.org/d/a/csv> a dcat:Distribution ;
  dct:title "CSV"@de ;
  dcat:accessURL <https://portal.example.org/haltestellen.csv> ;
  dcat:downloadURL <https://portal.example.org/haltestellen.csv> ;
  dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
  dcat:mediaType <http://www.iana.org/assignments/media-types/text/csv> ;
  dct:license <http://dcat-ap.de/def/licenses/dl-by-de/2.0> .

<https://portal.example.org/d/b> a dcat:Dataset ;
  dct:title "Nur das Nötigste" ;
  dct:description "Pflichtangaben." ;
  dcat:distribution [ a dcat:Distribution ;
    dcat:accessURL <https://portal.example.org/b> ;
    dct:license <http://dcat-ap.de/def/licenses/cc-zero> ] .

<https://portal.example.org/d/c> a dcat:Dataset ;
  dct:description "Ohne Titel." ;
  dcat:distribution [ dcat:accessURL <https://portal.example.org/c> ;
                      dct:license <http://dcat-ap.de/def/licenses/cc-zero> ] .

<https://portal.example.org/d/d> a dcat:Dataset ;
  dct:title "Unklare Lizenz" ;
  dct:description "Frei, sagt man." ;
  dcat:distribution [ dcat:accessURL <https://portal.example.org/d> ;
                      dct:license <https://example.org/irgendwie-frei> ] .
"#
    )
}

const RDF_XML: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="https://xml.example.org/d/1">
    <dct:title xml:lang="de">Aus RDF/XML</dct:title>
    <dct:description>Gelesen aus RDF/XML.</dct:description>
    <dct:license rdf:resource="http://dcat-ap.de/def/licenses/odbl"/>
    <dcat:distribution>
      <dcat:Distribution>
        <dcat:accessURL rdf:resource="https://xml.example.org/d/1.xml"/>
      </dcat:Distribution>
    </dcat:distribution>
  </dcat:Dataset>
</rdf:RDF>
"#;

fn numbers(body: &str) -> String {
    let re =
        regex::Regex::new(r"(\d+) neu, (\d+) aktualisiert, (\d+) unverändert, (\d+) übersprungen")
            .unwrap();
    re.captures(body)
        .map(|c| format!("{} {} {} {}", &c[1], &c[2], &c[3], &c[4]))
        .unwrap_or_else(|| panic!("no report in {body}"))
}

#[test]
fn harvesting_counts_new_updated_unchanged_and_skipped_and_never_duplicates() {
    block_on(async {
        let server = site().await;
        let db = &server.db.db;
        let (catalogs, base) = Catalogs::start().await;
        person(db, "ernte-lead@example.org", false, Some("rostock"), None).await;
        let rostock = lab_id(db, "rostock").await;
        let mut b = signed_in(server, "ernte-lead@example.org").await;
        let form = b.get("/daten/ernten/?lab=rostock").await;
        assert_eq!(form.status, 200);
        let harvest = async |b: &mut Browser, url: &str| {
            b.submit(
                "/daten/ernten/?lab=rostock",
                "/daten/ernten/",
                &[("url", url)],
            )
            .await
        };

        catalogs.set("/katalog.ttl", "text/turtle", &catalog_v1("Haltestellen"));
        let first = harvest(&mut b, &format!("{base}/katalog.ttl")).await;
        assert_eq!(first.status, 200, "{}", first.body);
        assert_eq!(numbers(&first.body), "2 0 0 2");
        assert!(
            first.body.contains("https://portal.example.org/d/c"),
            "named by IRI"
        );
        assert!(
            first
                .body
                .contains("Der Datensatz hat keinen Titel (dct:title)."),
            "why: the title is missing"
        );
        assert!(first.body.contains("Unklare Lizenz"));
        assert!(first.body.contains("https://example.org/irgendwie-frei"));
        assert_eq!(lab_datasets(db, rostock).await, 2);
        let a: String = sqlx::query_scalar(
            "SELECT slug FROM datasets WHERE lab_id = $1 AND source_uri = 'urn:beispiel:a'",
        )
        .bind(rostock)
        .fetch_one(db.pool())
        .await
        .unwrap();
        let page = b.get(&format!("/daten/{a}/")).await.body;
        assert!(page.contains("Haltestellen") && page.contains("Landeshauptstadt Kiel (Demo)"));
        assert!(page.contains("Datenlizenz Deutschland – Namensnennung"));
        assert!(page.contains("Gemeindeschlüssel 13003000"));

        // The same catalog again: nothing new, nothing doubled.
        let again = harvest(&mut b, &format!("{base}/katalog.ttl")).await;
        assert_eq!(numbers(&again.body), "0 0 2 2");
        assert_eq!(lab_datasets(db, rostock).await, 2);

        // A changed title updates with a version.
        catalogs.set(
            "/katalog.ttl",
            "text/turtle",
            &catalog_v1("Haltestellen 2023"),
        );
        let changed = harvest(&mut b, &format!("{base}/katalog.ttl")).await;
        assert_eq!(numbers(&changed.body), "0 1 1 2");
        let id = dataset_id(db, &a).await;
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) FROM dataset_versions WHERE dataset_id = $1",
                id
            )
            .await,
            2
        );

        // RDF/XML, recognised by the document.
        catalogs.set("/export", "application/rdf+xml", RDF_XML);
        let xml = harvest(&mut b, &format!("{base}/export")).await;
        assert_eq!(numbers(&xml.body), "1 0 0 0");
        assert!(xml.body.contains("RDF/XML"));
        assert_eq!(lab_datasets(db, rostock).await, 3);

        // What cannot be read or fetched writes nothing and says why.
        let versions_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dataset_versions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        catalogs.set(
            "/kaputt.ttl",
            "text/turtle",
            "<https://x/a> a dcat:Dataset .\n{",
        );
        let broken = harvest(&mut b, &format!("{base}/kaputt.ttl")).await;
        assert_eq!(broken.status, 422);
        assert!(broken.body.contains("Die Ernte hat nichts geändert."));
        assert!(
            broken.body.contains("als Turtle nicht lesen"),
            "{}",
            broken.body
        );
        let missing = harvest(&mut b, &format!("{base}/gibt-es-nicht.ttl")).await;
        assert_eq!(missing.status, 422);
        assert!(missing.body.contains("404"), "{}", missing.body);
        catalogs.set(
            "/leer.ttl",
            "text/turtle",
            "<https://x/a> <https://x/b> \"c\" .",
        );
        let empty = harvest(&mut b, &format!("{base}/leer.ttl")).await;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("keinen Datensatz"));
        let blank = harvest(&mut b, "").await;
        assert_eq!(blank.status, 422);
        assert_eq!(lab_datasets(db, rostock).await, 3);
        let versions_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dataset_versions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert!(versions_after >= versions_before);
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) FROM datasets WHERE lab_id = $1",
                rostock
            )
            .await,
            3
        );
        // A lead of another lab may not harvest into this one.
        person(db, "ernte-other@example.org", false, Some("leipzig"), None).await;
        let mut other = signed_in(server, "ernte-other@example.org").await;
        let refused = other
            .submit(
                "/daten/ernten/?lab=leipzig",
                "/daten/ernten/",
                &[("lab", "rostock"), ("url", &format!("{base}/katalog.ttl"))],
            )
            .await;
        assert_eq!(refused.status, 403);
        // The same catalog as JSON-LD, into that lead's own lab.
        let triples = codefor_core::dcat::parse(
            &catalog_v1("Haltestellen"),
            "https://portal.example.org/",
            codefor_core::dcat::Syntax::Turtle,
        )
        .unwrap();
        let jsonld = String::from_utf8(codefor_core::dcat::to_jsonld(&triples).unwrap()).unwrap();
        catalogs.set("/katalog.jsonld", "application/ld+json", &jsonld);
        let from_json = other
            .submit(
                "/daten/ernten/?lab=leipzig",
                "/daten/ernten/",
                &[("url", &format!("{base}/katalog.jsonld"))],
            )
            .await;
        assert_eq!(numbers(&from_json.body), "2 0 0 2");
        assert!(from_json.body.contains("JSON-LD"));
        // Without an extension the server's media type decides: this Turtle starts like
        // RDF/XML would (`<`), and is read as Turtle all the same.
        catalogs.set(
            "/dcat",
            "text/turtle; charset=utf-8",
            "<urn:beispiel:vorab> <http://purl.org/dc/terms/title> \"Vorab\" .\n\
             @prefix dcat: <http://www.w3.org/ns/dcat#> .\n\
             @prefix dct: <http://purl.org/dc/terms/> .\n\
             <https://portal.example.org/d/typ> a dcat:Dataset ;\n\
               dct:identifier \"urn:beispiel:typ\" ;\n\
               dct:title \"Nach Medientyp erkannt\"@de ;\n\
               dct:description \"Turtle ohne Dateiendung.\"@de ;\n\
               dct:license <http://dcat-ap.de/def/licenses/cc-zero> .\n",
        );
        let by_type = other
            .submit(
                "/daten/ernten/?lab=leipzig",
                "/daten/ernten/",
                &[("url", &format!("{base}/dcat"))],
            )
            .await;
        assert_eq!(numbers(&by_type.body), "1 0 0 0", "{}", by_type.body);
        assert!(by_type.body.contains("Turtle"));
        // Every fetch asked for RDF, Turtle first.
        let accepts = catalogs.1.lock().unwrap().clone();
        assert!(!accepts.is_empty());
        for accept in accepts {
            assert!(
                accept.starts_with("text/turtle, application/ld+json"),
                "{accept}"
            );
        }
    });
}

#[test]
fn the_default_policy_does_not_harvest_from_private_addresses() {
    block_on(async {
        let w = crate::accounts::world().await;
        crate::accounts::account("ernte-privat@example.org", false, Some("leipzig")).await;
        let (catalogs, base) = Catalogs::start().await;
        catalogs.set("/katalog.ttl", "text/turtle", &catalog_v1("Privat"));
        let mut b = Browser::new(&w.server);
        b.sign_in("ernte-privat@example.org", PASSWORD).await;
        let page = b
            .submit(
                "/daten/ernten/?lab=leipzig",
                "/daten/ernten/",
                &[("url", &format!("{base}/katalog.ttl"))],
            )
            .await;
        assert_eq!(page.status, 422, "{}", page.body);
        assert!(page.body.contains("privates Netz"), "{}", page.body);
    });
}

// ---------------------------------------------------------------------------------------
// The catalog against rdflib and the DCAT-AP.de SHACL shapes.

/// Whether the checker's packages are installed; in CI their absence fails the test.
fn checker_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import rdflib, pyshacl"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").is_err(),
            "rdflib and pyshacl are missing: pip install -r scripts/requirements-test.txt"
        );
        eprintln!("ignored: rdflib/pyshacl missing (pip install -r scripts/requirements-test.txt)");
    }
    ok
}

/// Runs scripts/dcat-check.py; its success and output.
fn check(ttl: &[u8], jsonld: Option<&[u8]>) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("catalog.ttl");
    std::fs::write(&t, ttl).unwrap();
    let mut cmd = Command::new("python3");
    cmd.arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/dcat-check.py"
    ))
    .arg(&t);
    if let Some(j) = jsonld {
        let p = dir.path().join("catalog.jsonld");
        std::fs::write(&p, j).unwrap();
        cmd.arg(p);
    }
    let out = cmd.output().expect("python3 runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Fetches both catalogs over HTTP (checking their media types) and runs the checker.
async fn fetched_catalog_passes(server: &Server) -> (Vec<u8>, Vec<u8>) {
    let client = crate::support::client();
    let mut bodies = Vec::new();
    for (path, media) in [
        ("/catalog.ttl", "text/turtle"),
        ("/catalog.jsonld", "application/ld+json"),
    ] {
        let r = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with(media), "{path}: {ct}");
        bodies.push(r.bytes().await.unwrap().to_vec());
    }
    let jsonld = bodies.pop().unwrap();
    let ttl = bodies.pop().unwrap();
    let (ok, report) = check(&ttl, Some(&jsonld));
    assert!(ok, "the catalog fails the checker:\n{report}");
    assert!(report.contains(" 0 violations"), "{report}");
    (ttl, jsonld)
}

#[test]
fn the_demo_catalog_passes_rdflib_and_the_shacl_shapes() {
    block_on(async {
        if !checker_available() {
            return;
        }
        let server = site().await;
        let (ttl, _) = fetched_catalog_passes(server).await;
        let text = String::from_utf8(ttl).unwrap();
        assert!(text.contains("dcat:Catalog"));
        assert!(text.contains("/daten/pegelstaende-kieler-foerde-demo/"));
        assert!(text.contains("politicalGeocoding/municipalityKey/01002000"));
    });
}

/// A test set: every field, only the mandatory ones, and titles with characters that
/// need escaping in Turtle, JSON and HTML.
fn test_set() -> Vec<(&'static str, Fields)> {
    let full = Fields {
        relation: "publishes".into(),
        title: "Alles drin: „Zitate“, \"Anführungen\", <Spitzen> & \\Backslash\\ 🌳".into(),
        description: "Zeile eins\nZeile zwei mit \"\"\"drei Anführungen\"\"\" und ''' und @prefix."
            .into(),
        licence: licence_uri("dl-by-de/2.0"),
        themes: vec!["ENVI".into(), "TRAN".into()],
        keywords: vec!["Sonderzeichen \"x\"".into(), "Ümläute".into()],
        state_key: Some("11".into()),
        ags: Some("11000000".into()),
        temporal_start: Some("2001-01-01".into()),
        temporal_end: Some("2001-12-31".into()),
        contact_name: "Daten-Team".into(),
        contact_email: Some("daten@example.org".into()),
        contact_url: Some("https://example.org/kontakt?a=1&b=2".into()),
        landing_page: Some("https://example.org/daten#anker".into()),
        frequency: Some("WEEKLY".into()),
        issued: Some("2001-02-03".into()),
        modified: Some("2002-03-04T05:06:07Z".into()),
        distributions: vec![
            Distribution {
                title: "CSV „roh“".into(),
                access_url: "https://example.org/a.csv".into(),
                download_url: Some("https://example.org/a.csv".into()),
                format: Some("CSV".into()),
                media_type: Some("text/csv".into()),
                licence: None,
            },
            Distribution {
                title: String::new(),
                access_url: "https://example.org/api".into(),
                download_url: None,
                format: None,
                media_type: None,
                licence: Some(licence_uri("cc-zero")),
            },
        ],
        ..Fields::default()
    };
    let minimal = Fields {
        relation: "uses".into(),
        title: "Minimal".into(),
        description: "Nur Pflicht.".into(),
        licence: licence_uri("odbl"),
        ..Fields::default()
    };
    let minimal_with_distribution = Fields {
        title: "Minimal mit Zugang ' \" ".into(),
        distributions: vec![Distribution {
            access_url: "https://example.org/m".into(),
            ..Distribution::default()
        }],
        ..minimal.clone()
    };
    vec![
        ("dcat-test-voll", full),
        ("dcat-test-minimal", minimal),
        ("dcat-test-minimal-zugang", minimal_with_distribution),
    ]
}

async fn add_test_set(db: &Db) {
    let labs = codefor_storage::labs::ids(db).await.unwrap();
    let lab = labs.first().expect("a lab").0;
    let mut tx = db.begin().await.unwrap();
    for (slug, fields) in test_set() {
        if codefor_storage::datasets::slug_taken(&mut tx, slug)
            .await
            .unwrap()
        {
            continue;
        }
        codefor_storage::datasets::create(&mut tx, lab, slug, &fields, "<p>x</p>", None)
            .await
            .unwrap();
    }
    codefor_storage::commit(tx).await.unwrap();
}

#[test]
#[cfg_attr(
    not(has_fixture),
    ignore = "needs ../shared/fixtures/codefor.de beside the checkout"
)]
fn the_catalog_of_the_fixture_and_a_test_set_passes_rdflib_and_the_shacl_shapes() {
    block_on(async {
        if !checker_available() {
            return;
        }
        let server = crate::support::fixture().await;
        add_test_set(&server.db.db).await;
        let (ttl, _) = fetched_catalog_passes(server).await;
        let text = String::from_utf8(ttl).unwrap();
        assert!(text.contains("/daten/dcat-test-voll/"));
        assert!(text.contains("/daten/dcat-test-minimal/"));
    });
}

#[test]
fn the_shapes_bite_a_distribution_without_licence_and_differing_graphs_fail() {
    block_on(async {
        if !checker_available() {
            return;
        }
        let server = site().await;
        add_test_set(&server.db.db).await;
        let triples = codefor_core::dcat::catalog(&server.db.db, "https://codefor.de")
            .await
            .unwrap();
        let good = codefor_core::dcat::to_turtle(&triples).unwrap();
        let (ok, report) = check(&good, None);
        assert!(ok, "{report}");
        // Without the licence of distributions: a violation, named.
        let distribution = "http://www.w3.org/ns/dcat#Distribution";
        let distributions: Vec<_> = triples
            .iter()
            .filter(|t| t.object.to_string() == format!("<{distribution}>"))
            .map(|t| t.subject.clone())
            .collect();
        assert!(!distributions.is_empty());
        let broken: Vec<_> = triples
            .iter()
            .filter(|t| {
                !(t.predicate.as_str() == "http://purl.org/dc/terms/license"
                    && distributions.contains(&t.subject))
            })
            .cloned()
            .collect();
        let (ok, report) = check(&codefor_core::dcat::to_turtle(&broken).unwrap(), None);
        assert!(!ok, "a distribution without licence passed:\n{report}");
        assert!(
            report.contains("Lizenz (Pflicht in DCAT-AP.de)"),
            "{report}"
        );
        // A dataset without title: a violation too.
        let untitled: Vec<_> = triples
            .iter()
            .filter(|t| {
                !(t.predicate.as_str() == "http://purl.org/dc/terms/title"
                    && t.subject.to_string().contains("/daten/dcat-test-minimal/"))
            })
            .cloned()
            .collect();
        let (ok, report) = check(&codefor_core::dcat::to_turtle(&untitled).unwrap(), None);
        assert!(!ok && report.contains("Datensatz: Titel"), "{report}");
        // Turtle and JSON-LD of different graphs are told apart.
        let (ok, report) = check(
            &good,
            Some(&codefor_core::dcat::to_jsonld(&broken).unwrap()),
        );
        assert!(!ok && report.contains("not the same graph"), "{report}");
    });
}

#[test]
fn the_api_lists_datasets_with_distributions_filters_and_pages() {
    block_on(async {
        let server = site().await;
        let client = crate::support::client();
        let get = async |path: &str| {
            let r = client.get(server.url(path)).send().await.unwrap();
            let status = r.status().as_u16();
            (
                status,
                r.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        };
        let (status, list) = get("/api/v1/datasets?lab=kiel").await;
        assert_eq!(status, 200, "{list}");
        let slugs: Vec<&str> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap())
            .collect();
        assert!(slugs.contains(&"haushalt-kiel-demo"), "{slugs:?}");
        assert!(slugs.contains(&"pegelstaende-kieler-foerde-demo"));
        assert!(!slugs.contains(&"klimamessnetz-freiburg-demo"));
        let (status, one) = get("/api/v1/datasets/pegelstaende-kieler-foerde-demo").await;
        assert_eq!(status, 200);
        assert_eq!(
            one["licence"],
            "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
        );
        assert_eq!(one["distributions"].as_array().unwrap().len(), 2);
        assert_eq!(
            one["distributions"][0]["licence"], "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
            "a distribution names the licence it is under"
        );
        assert!(one["lab"].as_str().unwrap().ends_with("/api/v1/labs/kiel"));
        assert!(
            one["state"]
                .as_str()
                .unwrap()
                .ends_with("/api/v1/states/schleswig-holstein")
        );
        let (_, owned) = get("/api/v1/datasets/haushalt-kiel-demo").await;
        assert!(
            owned["publisher"]["organization"]
                .as_str()
                .unwrap()
                .ends_with("/api/v1/organizations/landeshauptstadt-kiel-demo")
        );
        let (_, uses) = get("/api/v1/datasets?relation=uses&theme=ECON").await;
        assert_eq!(uses["data"].as_array().unwrap().len(), 1);
        let (_, first) = get("/api/v1/datasets?limit=1").await;
        assert_eq!(first["data"].as_array().unwrap().len(), 1);
        let next = first["links"]["next"].as_str().expect("a next page");
        let r = client.get(next).send().await.unwrap();
        let second: serde_json::Value = r.json().await.unwrap();
        assert_ne!(second["data"][0]["id"], first["data"][0]["id"]);
        assert_eq!(get("/api/v1/datasets?theme=NOPE").await.0, 400);
        assert_eq!(get("/api/v1/datasets/gibt-es-nicht").await.0, 404);
    });
}

#[test]
fn a_save_from_an_outdated_form_does_not_undo_another_change() {
    block_on(async {
        let server = site().await;
        let db = &server.db.db;
        person(db, "konflikt-a@example.org", false, Some("koeln"), None).await;
        person(db, "konflikt-b@example.org", false, Some("koeln"), None).await;
        let mut a = signed_in(server, "konflikt-a@example.org").await;
        let mut b = signed_in(server, "konflikt-b@example.org").await;
        let fields = |title: &'static str| {
            vec![
                ("lab", "koeln"),
                ("relation", "publishes"),
                ("title", title),
                ("description", "Baustellen in Köln."),
                ("licence", LICENCE),
            ]
        };
        let made = a
            .submit(
                "/daten/neu/?lab=koeln",
                "/daten/neu/",
                &fields("Baustellen Köln"),
            )
            .await;
        assert_eq!(made.status, 303, "{}", made.body);
        let path = made.location.clone();
        let edit = format!("{path}bearbeiten");
        // Both open the form on version 1; B saves first.
        let form_a = a.get(&edit).await.body;
        assert!(form_a.contains("name=\"version\" value=\"1\""));
        let saved = b.submit(&edit, &edit, &fields("Baustellen in Köln")).await;
        assert_eq!(saved.status, 303);
        // A's save from version 1 is refused with A's input kept.
        let mut stale = fields("Baustellen (A)");
        stale.push(("version", "1"));
        let csrf = regex::Regex::new(r#"name="csrf" value="([0-9a-f]+)""#)
            .unwrap()
            .captures(&form_a)
            .unwrap()[1]
            .to_owned();
        stale.push(("csrf", &csrf));
        let refused = a.post(&edit, &stale).await;
        assert_eq!(refused.status, 409, "{}", refused.body);
        assert!(refused.body.contains("Jemand hat den Datensatz geändert"));
        assert!(refused.body.contains("value=\"Baustellen (A)\""));
        assert!(refused.body.contains("name=\"version\" value=\"2\""));
        let id = dataset_id(db, path.trim_start_matches("/daten/").trim_end_matches('/')).await;
        assert_eq!(
            count(
                db,
                "SELECT COUNT(*) FROM dataset_versions WHERE dataset_id = $1",
                id
            )
            .await,
            2
        );
        let title: String = sqlx::query_scalar("SELECT title FROM datasets WHERE id = $1")
            .bind(id)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(title, "Baustellen in Köln");
        // From the form as it is now, A's save goes through.
        let again = a.submit(&edit, &edit, &fields("Baustellen (A)")).await;
        assert_eq!(again.status, 303, "{}", again.body);
    });
}

// ---------------------------------------------------------------------------------------
// Labs that are deleted or hidden, harvests beyond the form's rows, lenient pages.

/// A lab of its own (so no other test sees it change), with one dataset whose landing
/// page and distribution carry links; the lab's id.
async fn lab_with_dataset(db: &Db, lab: &str, hidden: bool, dataset: &str) -> i64 {
    let mut tx = db.begin().await.expect("tx");
    let (id, _) = codefor_storage::labs::upsert(
        &mut tx,
        &codefor_domain::Lab {
            slug: lab.into(),
            name: format!("Lab {lab}"),
            city: "Irgendwo".into(),
            hidden,
            active: true,
            source: serde_json::json!({}),
            ..codefor_domain::Lab::default()
        },
    )
    .await
    .expect("lab");
    let fields = Fields {
        relation: "publishes".into(),
        title: format!("Daten {dataset}"),
        description: "Beschreibung.".into(),
        licence: LICENCE.into(),
        landing_page: Some(format!("https://example.org/{dataset}")),
        distributions: vec![Distribution {
            access_url: format!("https://example.org/{dataset}.csv"),
            ..Distribution::default()
        }],
        ..Fields::default()
    };
    codefor_storage::datasets::create(&mut tx, id, dataset, &fields, "<p>Beschreibung.</p>", None)
        .await
        .expect("dataset");
    codefor_storage::bump_content_version(&mut tx)
        .await
        .expect("content version");
    codefor_storage::commit(tx).await.expect("commit");
    id
}

#[test]
fn datasets_of_a_deleted_lab_are_not_public() {
    block_on(async {
        let server = site().await;
        let db = &server.db.db;
        let lab = lab_with_dataset(db, "geloescht-daten-zq", false, "daten-geloescht-zq").await;
        sqlx::query("UPDATE labs SET deleted_at = '2026-01-03T00:00:00Z' WHERE id = $1")
            .bind(lab)
            .execute(db.pool())
            .await
            .expect("delete lab");
        let slug = "daten-geloescht-zq";
        assert!(
            codefor_storage::datasets::get(db, slug)
                .await
                .expect("get")
                .is_none()
        );
        assert!(
            codefor_storage::datasets::of_lab(db, lab)
                .await
                .expect("of lab")
                .is_empty()
        );
        let mut b = Browser::new(server);
        assert_eq!(b.get(&format!("/daten/{slug}/")).await.status, 404);
        let client = crate::support::client();
        let r = client
            .get(server.url(&format!("/api/v1/datasets/{slug}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404);
        let sources = codefor_storage::link_checks::sources(db, None, 0)
            .await
            .expect("sources");
        assert!(
            !sources.iter().any(|s| s.key == slug),
            "no link check for a deleted lab's dataset"
        );
        // The open-data manifest counts its rows private.
        let manifest = codefor_storage::manifest::manifest().expect("manifest");
        for (table, column) in [("datasets", "id"), ("dataset_distributions", "dataset_id")] {
            let cond = manifest.private_rows(table).expect("a row filter");
            let private: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {table} WHERE {column} = $1 AND ({cond})"
            )))
            .bind(dataset_id(db, slug).await)
            .fetch_one(db.pool())
            .await
            .expect("private rows");
            assert_eq!(private, 1, "{table}");
        }
    });
}

#[test]
fn a_hidden_lab_is_open_data_marked_unlisted_and_its_datasets_link_to_it() {
    block_on(async {
        let server = site().await;
        let db = &server.db.db;
        lab_with_dataset(db, "versteckt-daten-zq", true, "daten-versteckt-zq").await;
        let client = crate::support::client();
        let get = async |path: &str| {
            let r = client.get(server.url(path)).send().await.unwrap();
            let status = r.status().as_u16();
            (
                status,
                r.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        };
        // Left out of the lab list, its page stays public: so does its record.
        let mut b = Browser::new(server);
        assert_eq!(b.get("/versteckt-daten-zq/").await.status, 200);
        assert!(!b.get("/labs/").await.body.contains("/versteckt-daten-zq/"));
        let (status, lab) = get("/api/v1/labs/versteckt-daten-zq").await;
        assert_eq!(status, 200, "{lab}");
        assert_eq!(lab["listed"], false, "{lab}");
        let (_, kiel) = get("/api/v1/labs/kiel").await;
        assert_eq!(kiel["listed"], true, "{kiel}");
        let (status, one) = get("/api/v1/datasets/daten-versteckt-zq").await;
        assert_eq!(status, 200, "{one}");
        assert!(
            one["lab"]
                .as_str()
                .unwrap()
                .ends_with("/api/v1/labs/versteckt-daten-zq"),
            "{one}"
        );
        let (status, list) = get("/api/v1/datasets?lab=versteckt-daten-zq").await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list["data"].as_array().unwrap().len(), 1, "{list}");
    });
}

#[test]
fn a_harvest_keeps_as_many_distributions_as_the_form_has_and_says_so() {
    block_on(async {
        let server = site().await;
        let db = &server.db.db;
        let (catalogs, base) = Catalogs::start().await;
        lab_with_dataset(db, "zehn-daten-zq", false, "daten-zehn-vorab-zq").await;
        person(
            db,
            "zehn-lead@example.org",
            false,
            Some("zehn-daten-zq"),
            None,
        )
        .await;
        let mut b = signed_in(server, "zehn-lead@example.org").await;
        let distributions: Vec<String> = (1..=10)
            .map(|i| {
                format!(
                    "dcat:distribution [ a dcat:Distribution ; dct:title \"Teil {i}\" ; \
                     dcat:accessURL <https://zehn.example.org/{i}.csv> ; \
                     dct:license <http://dcat-ap.de/def/licenses/cc-zero> ]"
                )
            })
            .collect();
        let catalog = format!(
            "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n\
             @prefix dct: <http://purl.org/dc/terms/> .\n\
             <https://zehn.example.org/d> a dcat:Dataset ;\n\
               dct:identifier \"urn:zehn\" ;\n\
               dct:title \"Zehn Teile\" ;\n\
               dct:description \"Zehn Distributionen.\" ;\n\
               dct:license <http://dcat-ap.de/def/licenses/cc-zero> ;\n\
               {} .\n",
            distributions.join(" ;\n  ")
        );
        catalogs.set("/zehn.ttl", "text/turtle", &catalog);
        let report = b
            .submit(
                "/daten/ernten/?lab=zehn-daten-zq",
                "/daten/ernten/",
                &[("url", &format!("{base}/zehn.ttl"))],
            )
            .await;
        assert_eq!(report.status, 200, "{}", report.body);
        assert_eq!(numbers(&report.body), "1 0 0 0");
        assert!(
            report
                .body
                .contains("Der Datensatz hat 10 Distributionen; übernommen sind die ersten 8 nach Zugangs-URL."),
            "{}",
            report.body
        );
        let slug: String =
            sqlx::query_scalar("SELECT slug FROM datasets WHERE source_uri = 'urn:zehn'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        let id = dataset_id(db, &slug).await;
        let stored = "SELECT COUNT(*) FROM dataset_distributions WHERE dataset_id = $1";
        assert_eq!(count(db, stored, id).await, 8);
        let edit = format!("/daten/{slug}/bearbeiten");
        let form = b.get(&edit).await;
        assert_eq!(form.status, 200, "{}", form.body);
        // The first eight by access URL, the same on every harvest (blank nodes have
        // new names each time): 1, 10, 2 … 7.
        for kept in [1, 10, 2, 7] {
            let url = format!("https://zehn.example.org/{kept}.csv");
            assert!(form.body.contains(&url), "{url}");
        }
        for cut in [8, 9] {
            let url = format!("https://zehn.example.org/{cut}.csv");
            assert!(!form.body.contains(&url), "{url}");
        }
        let names = codefor_core::datasets::DIST_FIELDS;
        let urls: Vec<String> = (1..=8)
            .map(|i| format!("https://zehn.example.org/{i}.csv"))
            .collect();
        let mut fields: Vec<(&str, &str)> = vec![
            ("relation", "publishes"),
            ("title", "Zehn Teile"),
            ("description", "Zehn Distributionen."),
            ("licence", "http://dcat-ap.de/def/licenses/cc-zero"),
        ];
        for (row, url) in names.iter().zip(&urls) {
            fields.push((row[1], url));
        }
        let saved = b.submit(&edit, &edit, &fields).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert_eq!(count(db, stored, id).await, 8);
    });
}

#[test]
fn the_list_takes_any_page_number() {
    block_on(async {
        let server = site().await;
        let mut b = Browser::new(server);
        for path in [
            "/daten/?seite=9223372036854775807",
            "/daten/?seite=-9223372036854775808",
            "/daten/?seite=abc",
            "/daten/?seite=",
        ] {
            let page = b.get(path).await;
            assert_eq!(page.status, 200, "{path}: {}", page.body);
        }
        let far = b.get("/daten/?seite=9223372036854775807").await.body;
        assert!(far.contains("seite="), "links back to a page: {far}");
    });
}

#[test]
fn the_form_marks_its_mandatory_fields() {
    block_on(async {
        let server = site().await;
        let db = &server.db.db;
        person(db, "pflicht-lead@example.org", false, Some("kiel"), None).await;
        let mut b = signed_in(server, "pflicht-lead@example.org").await;
        let form = b.get("/daten/neu/?lab=kiel").await;
        assert_eq!(form.status, 200);
        for id in ["f-title", "f-description", "f-licence"] {
            let tag = regex::Regex::new(&format!(r#"<(input|textarea|select) id="{id}"[^>]*>"#))
                .unwrap()
                .find(&form.body)
                .unwrap_or_else(|| panic!("no {id}"))
                .as_str()
                .to_owned();
            assert!(tag.contains(" required"), "{tag}");
            if id != "f-title" {
                assert!(tag.contains(" aria-required=\"true\""), "{tag}");
            }
        }
    });
}
