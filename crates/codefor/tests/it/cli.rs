//! The `codefor` binary as people and scripts use it: exit codes, messages, serving.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use codefor_storage::{Db, labs, testing};

use crate::support::block_on;

fn codefor() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_codefor"));
    c.env_remove("DATABASE_URL").env("CODEFOR_LOG", "warn");
    c
}

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn the_link_check_help_says_what_happens_to_private_addresses() {
    let out = codefor().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("--link-check-allow-private"), "{help}");
    // They are stored as refused and listed among the broken links, not "not checked".
    assert!(!help.contains("reported as not checked"), "{help}");
    assert!(help.contains("stored as refused"), "{help}");
}

#[test]
fn help_names_the_commands() {
    let out = codefor().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("serve") && help.contains("import"), "{help}");
    let out = codefor()
        .args(["import", "hugo", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("--dry-run") && help.contains("--database-url"),
        "{help}"
    );
}

#[test]
fn bad_usage_exits_2() {
    let out = codefor()
        .args(["serve", "--bind", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = codefor()
        .args(["import", "hugo", "/nonexistent/dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no content/ folder"));
}

#[test]
fn malformed_file_exits_2_names_file_and_line_and_writes_nothing() {
    block_on(async {
        let site = tempfile::tempdir().unwrap();
        write(
            site.path(),
            "content/labs/ulm.md",
            "---\ntitle: OK Lab Ulm\ncity: Ulm\nlat: 48.4\nlong: 9.99\n---\nHallo Ulm.\n",
        );
        let (url, _file) = testing::fresh_url().await.unwrap();
        let ok = codefor()
            .args(["import", "hugo"])
            .arg(site.path())
            .args(["--database-url", &url])
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
        assert!(String::from_utf8_lossy(&ok.stdout).contains("labs"));

        // A second file whose front matter is broken on its third line, and a change to
        // the first that must not land either.
        write(
            site.path(),
            "content/labs/bonn.md",
            "---\ntitle: OK Lab Bonn\ncity: [Bonn\nlat: 50.7\n---\nHallo Bonn.\n",
        );
        write(
            site.path(),
            "content/labs/ulm.md",
            "---\ntitle: OK Lab Ulm neu\ncity: Ulm\nlat: 48.4\nlong: 9.99\n---\nGeändert.\n",
        );
        let bad = codefor()
            .args(["import", "hugo"])
            .arg(site.path())
            .args(["--database-url", &url])
            .output()
            .unwrap();
        assert_eq!(bad.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&bad.stderr);
        assert!(
            stderr.contains("content/labs/bonn.md:"),
            "names the file: {stderr}"
        );
        assert!(stderr.contains("nothing was written"), "{stderr}");

        let db = Db::connect(&url).await.unwrap();
        let ulm = labs::get(&db, "ulm").await.unwrap().unwrap();
        assert_eq!(ulm.lab.name, "OK Lab Ulm", "earlier data intact");
        assert!(labs::get(&db, "bonn").await.unwrap().is_none());
    });
}

#[test]
fn serve_seeds_the_demo_on_first_start_and_no_demo_starts_empty() {
    block_on(async {
        for (flag, want_labs) in [(None, 5), (Some("--no-demo"), 0)] {
            let (url, _file) = testing::fresh_url().await.unwrap();
            let port = free_port();
            let mut cmd = codefor();
            cmd.args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--database-url",
                &url,
            ]);
            if let Some(f) = flag {
                cmd.arg(f);
            }
            let mut child = cmd
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let base = format!("http://127.0.0.1:{port}");
            let started = Instant::now();
            codefor_core::calendars::fetch::install_crypto_provider();
            let client = reqwest::Client::new();
            loop {
                if let Ok(r) = client.get(format!("{base}/healthz")).send().await
                    && r.status().is_success()
                {
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "server did not start"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let figures: serde_json::Value = client
                .get(format!("{base}/api/network.json"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let home = client.get(format!("{base}/")).send().await.unwrap();
            assert_eq!(home.status().as_u16(), 200);
            let _ = child.kill();
            let _ = child.wait();
            assert_eq!(figures["labs_total"], want_labs, "{flag:?}");
        }
    });
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn admin_commands_create_an_admin_and_reset_a_password() {
    block_on(async {
        let t = testing::fresh().await.unwrap();
        let help = codefor().args(["admin", "--help"]).output().unwrap();
        let help = String::from_utf8_lossy(&help.stdout);
        assert!(
            help.contains("create-admin") && help.contains("reset-password"),
            "{help}"
        );

        // A random password, printed once.
        let out = codefor()
            .args([
                "admin",
                "create-admin",
                "chefin@example.org",
                "--name",
                "Chefin",
            ])
            .args(["--database-url", &t.url])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let password = stdout
            .trim()
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(password.len(), 20, "{stdout}");
        let account = codefor_storage::accounts::by_email(&t.db, "chefin@example.org")
            .await
            .unwrap()
            .unwrap();
        assert!(account.admin() && account.confirmed());
        let hash = codefor_storage::accounts::password_hash(&t.db, account.id)
            .await
            .unwrap();
        assert!(codefor_core::secrets::verify_password(password.clone(), hash).await);

        // A chosen password from standard input; a short one is refused with exit code 2.
        let run = |args: &[&str], stdin: &str| {
            let mut child = codefor()
                .args(args)
                .args(["--database-url", &t.url])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write as _;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(stdin.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        };
        let short = run(
            &[
                "admin",
                "reset-password",
                "chefin@example.org",
                "--password-stdin",
            ],
            "kurz\n",
        );
        assert_eq!(short.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&short.stderr).contains("mindestens 10 Zeichen"));
        let reset = run(
            &[
                "admin",
                "reset-password",
                "chefin@example.org",
                "--password-stdin",
            ],
            "ein ganz neues Passwort\n",
        );
        assert!(
            reset.status.success(),
            "{}",
            String::from_utf8_lossy(&reset.stderr)
        );
        let hash = codefor_storage::accounts::password_hash(&t.db, account.id)
            .await
            .unwrap();
        assert!(
            codefor_core::secrets::verify_password("ein ganz neues Passwort".into(), hash).await
        );
        let unknown = run(
            &[
                "admin",
                "reset-password",
                "niemand@example.org",
                "--password-stdin",
            ],
            "ein ganz neues Passwort\n",
        );
        assert_eq!(unknown.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&unknown.stderr).contains("kein Konto"));
        let log = codefor_storage::audit::recent(&t.db, 10).await.unwrap();
        assert!(
            log.iter()
                .any(|e| e.action == "role.admin.grant" && e.actor == "Kommandozeile")
        );
        assert!(log.iter().any(|e| e.action == "account.password.reset"));
    });
}

/// `codefor export publiccode DIR`: one valid file per published project, and a report of
/// what each lacks.
#[test]
fn export_publiccode_writes_a_file_per_project_and_reports_what_is_missing() {
    block_on(async {
        let t = testing::fresh().await.unwrap();
        codefor_core::demo::seed(&t.db).await.unwrap();
        let out_dir = tempfile::tempdir().unwrap();
        let out = codefor()
            .args(["export", "publiccode"])
            .arg(out_dir.path())
            .args([
                "--database-url",
                &t.url,
                "--base-url",
                "https://codefor.example",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(report.contains("5 publiccode.yml geschrieben"), "{report}");
        // A demo project without a licence is named with what it lacks.
        assert!(
            report
                .lines()
                .any(|l| l.starts_with("projekte/klimadaten-freiburg: fehlt")
                    && l.contains("legal.license")),
            "{report}"
        );
        let file =
            std::fs::read_to_string(out_dir.path().join("foerdepegel/publiccode.yml")).unwrap();
        assert!(file.contains("license: EUPL-1.2"), "{file}");
        assert!(
            file.contains("https://codefor.example/projekte/foerdepegel/"),
            "{file}"
        );
        let parsed = codefor_core::publiccode::parse(&file).expect("our own reader accepts it");
        assert_eq!(parsed.document.name, "Fördepegel");
        // An unwritable target is a clear error, exit code 1.
        let out = codefor()
            .args(["export", "publiccode", "/proc/kein-ordner"])
            .args(["--database-url", &t.url])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("/proc/kein-ordner"));
    });
}
