//! publiccode.yml both ways over real HTTP: leads paste or upload a file and the project
//! takes it over with a revision; invalid and hostile files are refused with the key, the
//! line and an example, and nothing is written; the export follows.

use codefor_domain::Project;

use crate::accounts::{Browser, PASSWORD, account, world};
use crate::meetups::empty_lab;
use crate::support::block_on;

/// A file that follows the standard, written for these tests.
pub(crate) const VALID: &str = r#"publiccodeYmlVersion: "0.5"
name: Baumpaten
url: "https://codeberg.org/beispiel-lab/baumpaten"
landingURL: "https://baumpaten.example.org"
platforms:
  - web
categories:
  - data-visualization
developmentStatus: stable
softwareType: "standalone/web"
description:
  de:
    shortDescription: "Nachbarinnen und Nachbarn gießen Stadtbäume und tragen es auf einer Karte ein."
    longDescription: >
      Baumpaten zeigt alle Straßenbäume einer Stadt auf einer Karte, mit Art, Alter und
      dem letzten Gießen. Wer einen Baum gießt, trägt es ein; die Grünflächenämter sehen,
      wo es trocken bleibt, und können ihre Touren danach planen.
    features:
      - Karte aller Straßenbäume
      - Gießen eintragen ohne Konto
    documentation: "https://baumpaten.example.org/hilfe"
legal:
  license: EUPL-1.2
maintenance:
  type: community
  contacts:
    - name: Erika Beispiel
localisation:
  localisationReady: true
  availableLanguages:
    - de
    - en
dependsOn:
  open:
    - name: PostgreSQL
      versionMin: "14"
"#;

/// A lab of its own with a project and a lead of it, signed in.
async fn lead_with_project(lab: &str, slug: &str) -> (Browser, i64) {
    let w = world().await;
    let db = &w.server.db.db;
    empty_lab(db, lab, "12").await;
    let mut tx = db.begin().await.unwrap();
    let (id, _) = codefor_storage::projects::upsert(
        &mut tx,
        &Project {
            slug: slug.into(),
            title: "Vorher".into(),
            body_md: "Alt.".into(),
            body_html: "<p>Alt.</p>".into(),
            labs: vec![lab.into()],
            source: serde_json::json!({}),
            ..Project::default()
        },
    )
    .await
    .unwrap();
    codefor_storage::commit(tx).await.unwrap();
    let email = format!("lead-{slug}@example.org");
    account(&email, false, Some(lab)).await;
    let mut b = Browser::new(&w.server);
    b.sign_in(&email, PASSWORD).await;
    (b, id)
}

fn csrf(html: &str) -> String {
    let re = regex::Regex::new(r#"name="csrf" value="([0-9a-f]+)""#).unwrap();
    re.captures(html)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_owned())
        .expect("a CSRF field")
}

async fn revisions(id: i64) -> i64 {
    let db = &world().await.server.db.db;
    sqlx::query_scalar("SELECT COUNT(*) FROM revisions WHERE kind = 'project' AND record_id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

#[test]
fn a_lead_takes_over_a_pasted_publiccode_yml_with_a_revision() {
    block_on(async {
        let (mut b, id) = lead_with_project("pc-eins", "pc-baumpaten").await;
        let form = b.get("/projekte/pc-baumpaten/publiccode/").await;
        assert_eq!(form.status, 200, "{}", form.body);
        let token = csrf(&form.body);
        let done = b
            .multipart(
                "/projekte/pc-baumpaten/publiccode/",
                &[("csrf", &token), ("source", "text"), ("text", VALID)],
                &[],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        let db = &world().await.server.db.db;
        let d = codefor_storage::projects::get(db, "pc-baumpaten")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(d.project.title, "Baumpaten");
        assert_eq!(d.meta.license.as_deref(), Some("EUPL-1.2"));
        assert_eq!(
            d.project.repository_url.as_deref(),
            Some("https://codeberg.org/beispiel-lab/baumpaten")
        );
        assert_eq!(d.meta.features.len(), 2);
        assert_eq!(d.meta.languages, ["de", "en"]);
        assert_eq!(d.meta.requirements_md, "PostgreSQL");
        assert!(d.meta.publiccode.is_some(), "the file is kept");
        // The first edit records the state before, then the takeover.
        assert_eq!(revisions(id).await, 2);
        // The export now has the file's values, and the page says how to adopt it.
        let yml = b.get("/projekte/pc-baumpaten/publiccode.yml").await;
        assert_eq!(yml.status, 200);
        assert!(yml.body.contains("license: EUPL-1.2"), "{}", yml.body);
        assert!(yml.body.contains("PostgreSQL"));
        assert!(
            !yml.body.contains("legal.license"),
            "no placeholder for the licence"
        );
        let page = b.get("/projekte/pc-baumpaten/").await;
        assert!(page.body.contains("EUPL-1.2"));
        assert!(
            page.body.contains("Europäischen Union"),
            "a plain-language hint"
        );
        // The same file again changes nothing and makes no revision.
        let form = b.get("/projekte/pc-baumpaten/publiccode/").await;
        let again = b
            .multipart(
                "/projekte/pc-baumpaten/publiccode/",
                &[("csrf", &csrf(&form.body)), ("source", "file")],
                &[("file", "publiccode.yml", VALID.as_bytes())],
            )
            .await;
        assert_eq!(again.status, 303, "{}", again.body);
        assert_eq!(revisions(id).await, 2);
    });
}

#[test]
fn invalid_and_hostile_files_are_refused_with_where_and_nothing_is_written() {
    block_on(async {
        let (mut b, id) = lead_with_project("pc-zwei", "pc-abgelehnt").await;
        let bomb = {
            let mut s =
                String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
            for (i, prev) in ('b'..='j').zip('a'..='i') {
                s.push_str(&format!(
                    "{i}: &{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
                ));
            }
            s
        };
        let huge = format!("name: \"{}\"\n", "x".repeat(300 * 1024));
        let cases: Vec<(&str, String, &str)> = vec![
            (
                "missing licence",
                VALID.replace("  license: EUPL-1.2\n", ""),
                "legal.license",
            ),
            (
                "wrong type",
                VALID.replace("platforms:\n  - web", "platforms: 5"),
                "platforms",
            ),
            (
                "unknown status",
                VALID.replace("developmentStatus: stable", "developmentStatus: fertig"),
                "developmentStatus",
            ),
            (
                "bad SPDX",
                VALID.replace("license: EUPL-1.2", "license: GPL 3"),
                "legal.license",
            ),
            ("syntax", "name: [unclosed\n".to_owned(), "Zeile"),
            ("alias bomb", bomb, "Datei"),
            ("too large", huge, "256"),
        ];
        let before = codefor_storage::projects::get(&world().await.server.db.db, "pc-abgelehnt")
            .await
            .unwrap()
            .unwrap();
        for (what, text, expect) in cases {
            let form = b.get("/projekte/pc-abgelehnt/publiccode/").await;
            let page = b
                .multipart(
                    "/projekte/pc-abgelehnt/publiccode/",
                    &[("csrf", &csrf(&form.body)), ("source", "file")],
                    &[("file", "publiccode.yml", text.as_bytes())],
                )
                .await;
            assert_eq!(page.status, 422, "{what}: {}", page.body);
            assert!(page.body.contains("nichts wurde übernommen"), "{what}");
            assert!(
                page.body.contains(expect),
                "{what}: names {expect}\n{}",
                page.body
            );
        }
        // The example for a missing key shows how it looks when right.
        let form = b.get("/projekte/pc-abgelehnt/publiccode/").await;
        let page = b
            .multipart(
                "/projekte/pc-abgelehnt/publiccode/",
                &[
                    ("csrf", &csrf(&form.body)),
                    ("source", "text"),
                    ("text", &VALID.replace("  license: EUPL-1.2\n", "")),
                ],
                &[],
            )
            .await;
        assert!(
            page.body.contains("So sieht es richtig aus"),
            "{}",
            page.body
        );
        // A body over the route's limit is refused before the handler.
        let form = b.get("/projekte/pc-abgelehnt/publiccode/").await;
        let giant = vec![b'a'; 700 * 1024];
        let page = b
            .multipart(
                "/projekte/pc-abgelehnt/publiccode/",
                &[("csrf", &csrf(&form.body)), ("source", "file")],
                &[("file", "publiccode.yml", &giant)],
            )
            .await;
        assert_eq!(page.status, 413);
        let after = codefor_storage::projects::get(&world().await.server.db.db, "pc-abgelehnt")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.project, before.project, "nothing written");
        assert_eq!(after.meta, before.meta, "nothing written");
        assert_eq!(revisions(id).await, 0);
    });
}

/// Our own export read back (an import, or a sync of a repository that holds it) takes no
/// stand-in for a fact: nothing changes.
#[test]
fn reading_back_our_export_changes_nothing() {
    block_on(async {
        let (mut b, id) = lead_with_project("pc-fuenf", "pc-rundreise").await;
        let exported = b.get("/projekte/pc-rundreise/publiccode.yml").await;
        assert!(exported.body.contains("# Platzhalter"), "{}", exported.body);
        let before = codefor_storage::projects::get(&world().await.server.db.db, "pc-rundreise")
            .await
            .unwrap()
            .unwrap();
        let form = b.get("/projekte/pc-rundreise/publiccode/").await;
        let page = b
            .multipart(
                "/projekte/pc-rundreise/publiccode/",
                &[
                    ("csrf", &csrf(&form.body)),
                    ("source", "text"),
                    ("text", &exported.body),
                ],
                &[],
            )
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("nichts Neues"), "{}", page.body);
        let after = codefor_storage::projects::get(&world().await.server.db.db, "pc-rundreise")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.project, before.project);
        assert_eq!(
            after.meta.license, None,
            "the stand-in licence was not taken"
        );
        assert!(after.meta.platforms.is_empty());
        assert_eq!(revisions(id).await, 0);
        // The export still marks what is missing.
        let again = b.get("/projekte/pc-rundreise/publiccode.yml").await;
        assert!(again.body.contains("legal.license"), "{}", again.body);
    });
}

#[test]
fn only_the_projects_leads_take_over_a_file() {
    block_on(async {
        let (_, _) = lead_with_project("pc-drei", "pc-fremd").await;
        let w = world().await;
        // Anonymous: to the sign-in page.
        let mut anon = Browser::new(&w.server);
        let page = anon.get("/projekte/pc-fremd/publiccode/").await;
        assert_eq!(page.status, 303);
        assert!(page.location.starts_with("/anmelden/"), "{}", page.location);
        // A lead of another lab: refused, also when posting.
        let other = "pc-andere@example.org";
        empty_lab(&w.server.db.db, "pc-vier", "12").await;
        account(other, false, Some("pc-vier")).await;
        let mut b = Browser::new(&w.server);
        b.sign_in(other, PASSWORD).await;
        assert_eq!(b.get("/projekte/pc-fremd/publiccode/").await.status, 403);
        let home = b.get("/konto/").await;
        let page = b
            .multipart(
                "/projekte/pc-fremd/publiccode/",
                &[
                    ("csrf", &csrf(&home.body)),
                    ("source", "text"),
                    ("text", VALID),
                ],
                &[],
            )
            .await;
        assert_eq!(page.status, 403);
        let d = codefor_storage::projects::get(&w.server.db.db, "pc-fremd")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(d.project.title, "Vorher");
        // A drafted or unknown project is not found.
        assert_eq!(
            b.get("/projekte/gibt-es-nicht/publiccode.yml").await.status,
            404
        );
    });
}

/// Git repositories made by the test, served by `git daemon` on loopback.
struct GitServer {
    root: tempfile::TempDir,
    port: u16,
    daemon: std::process::Child,
}

impl Drop for GitServer {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.org")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.org")
        .env("GIT_AUTHOR_DATE", "2026-11-20T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-20T12:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl GitServer {
    /// `None` (with the reason printed) when `git daemon` is missing and not in CI.
    fn start() -> Option<GitServer> {
        // The daemon program itself: killing a `git daemon` wrapper would leave it running.
        let exec_path = std::process::Command::new("git")
            .arg("--exec-path")
            .output()
            .map(|o| std::path::PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            .unwrap_or_default();
        let program = exec_path.join("git-daemon");
        if !program.is_file() {
            let why = format!(
                "the repository sync test needs `git daemon` ({} has no git-daemon)",
                exec_path.display()
            );
            assert!(std::env::var("CI").is_err(), "{why}");
            eprintln!("SKIPPED: {why}");
            return None;
        }
        let root = tempfile::tempdir().expect("temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let daemon = std::process::Command::new(&program)
            .args([
                "--reuseaddr",
                "--export-all",
                "--listen=127.0.0.1",
                "--enable=upload-pack",
            ])
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", root.path().display()))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("git daemon starts");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Some(GitServer { root, port, daemon })
    }

    /// A repository `name` whose main branch has `publiccode.yml` with `text`.
    fn commit(&self, name: &str, text: &str) {
        let dir = self.root.path().join(name);
        if !dir.exists() {
            std::fs::create_dir_all(&dir).expect("repo dir");
            git(&dir, &["init", "-q", "-b", "main"]);
        }
        std::fs::write(dir.join("publiccode.yml"), text).expect("write file");
        git(&dir, &["add", "publiccode.yml"]);
        git(
            &dir,
            &["commit", "-q", "-m", "publiccode.yml", "--allow-empty"],
        );
    }

    fn url(&self, name: &str) -> String {
        format!("git://127.0.0.1:{}/{name}", self.port)
    }
}

/// The sync policy of these tests: loopback and git:// allowed, short deadline.
fn loopback() -> codefor_core::repositories::GitPolicy {
    codefor_core::repositories::GitPolicy {
        allow_private: true,
        timeout: std::time::Duration::from_secs(20),
        ..Default::default()
    }
}

#[test]
fn sync_follows_the_repository_and_reports_a_broken_file_and_a_lost_repository() {
    block_on(async {
        let Some(server) = GitServer::start() else {
            return;
        };
        let (mut b, id) = lead_with_project("pc-sync", "pc-sync-projekt").await;
        let db = &world().await.server.db.db;
        server.commit("baumpaten", VALID);
        // The lead names the repository as the source of truth.
        let mut tx = db.begin().await.unwrap();
        sqlx::query("UPDATE projects SET repository_url = $1, sync_enabled = 1 WHERE id = $2")
            .bind(server.url("baumpaten"))
            .bind(id)
            .execute(&mut *tx)
            .await
            .unwrap();
        codefor_storage::commit(tx).await.unwrap();
        // As the background task lists it: with the last attempt it saw.
        let listed = |url: String| async move {
            let checked_at = codefor_storage::projects::get(db, "pc-sync-projekt")
                .await
                .unwrap()
                .unwrap()
                .sync
                .checked_at;
            codefor_storage::projects::SyncTarget {
                id,
                slug: "pc-sync-projekt".into(),
                repository_url: url,
                checked_at,
            }
        };
        use codefor_core::projects::sync::{Outcome, sync_one};
        let first = sync_one(db, &listed(server.url("baumpaten")).await, &loopback())
            .await
            .unwrap();
        let Outcome::Synced { commit, revision } = first else {
            panic!("synced: {first:?}");
        };
        assert_eq!(commit.len(), 40);
        assert!(revision.is_some());
        let d = codefor_storage::projects::get(db, "pc-sync-projekt")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(d.meta.license.as_deref(), Some("EUPL-1.2"));
        assert_eq!(d.sync.commit.as_deref(), Some(commit.as_str()));
        assert_eq!(d.sync.error, None);
        // The change is a sign of life (never earlier than the commit).
        assert!(d.meta.last_activity.as_deref() >= Some("2026-11-20"));
        let kept = revisions(id).await;
        // Two instances that listed the project at the same moment: one syncs, one skips.
        let seen = listed(server.url("baumpaten")).await;
        let one = sync_one(db, &seen, &loopback()).await.unwrap();
        let two = sync_one(db, &seen, &loopback()).await.unwrap();
        assert!(matches!(one, Outcome::Synced { .. }), "{one:?}");
        assert_eq!(two, Outcome::Skipped);
        // Nothing new in the repository: no new revision.
        let again = sync_one(db, &listed(server.url("baumpaten")).await, &loopback())
            .await
            .unwrap();
        assert!(
            matches!(again, Outcome::Synced { revision: None, .. }),
            "{again:?}"
        );
        assert_eq!(revisions(id).await, kept);
        // A change in the repository becomes one revision.
        server.commit("baumpaten", &VALID.replace("EUPL-1.2", "AGPL-3.0-or-later"));
        let changed = sync_one(db, &listed(server.url("baumpaten")).await, &loopback())
            .await
            .unwrap();
        assert!(
            matches!(
                changed,
                Outcome::Synced {
                    revision: Some(_),
                    ..
                }
            ),
            "{changed:?}"
        );
        assert_eq!(revisions(id).await, kept + 1);
        // A broken file: nothing taken over, the leads read why.
        server.commit("baumpaten", "name: [kaputt\n");
        let broken = sync_one(db, &listed(server.url("baumpaten")).await, &loopback())
            .await
            .unwrap();
        assert!(
            matches!(broken, Outcome::Failed(ref m) if m.contains("nichts wurde übernommen")),
            "{broken:?}"
        );
        let d = codefor_storage::projects::get(db, "pc-sync-projekt")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(d.meta.license.as_deref(), Some("AGPL-3.0-or-later"), "kept");
        assert!(d.sync.error.is_some());
        let page = b.get("/projekte/pc-sync-projekt/").await;
        assert!(
            page.body.contains("Der letzte Abgleich ist fehlgeschlagen"),
            "{}",
            page.body
        );
        // The repository disappears.
        std::fs::remove_dir_all(server.root.path().join("baumpaten")).unwrap();
        let lost = sync_one(db, &listed(server.url("baumpaten")).await, &loopback())
            .await
            .unwrap();
        assert!(
            matches!(lost, Outcome::Failed(ref m) if m.contains("baumpaten") && m.contains("nicht gefunden")),
            "{lost:?}"
        );
        assert_eq!(revisions(id).await, kept + 1, "nothing written");
        // Without the test policy, loopback is refused before any connection.
        let refused = sync_one(
            db,
            &listed(server.url("baumpaten")).await,
            &codefor_core::repositories::GitPolicy::default(),
        )
        .await
        .unwrap();
        assert!(matches!(refused, Outcome::Failed(_)), "{refused:?}");
    });
}
