//! `repositories::read_file` against real git repositories, created here and served on
//! 127.0.0.1 by `git daemon` (started per test, killed on drop), and against servers that
//! misbehave on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use codefor_core::repositories::{GitPolicy, RepoError, read_file};
use codefor_domain::repositories::{Forge, recognise};
use tokio::net::TcpListener;

const PUBLICCODE: &str = "publiccodeYmlVersion: \"0.5\"\nname: Baumkataster\n";

/// 2024-05-01T12:00:00Z and 2024-06-01T08:30:00Z.
const FIRST: (&str, i64) = ("2024-05-01T12:00:00Z", 1_714_564_800);
const SECOND: (&str, i64) = ("2024-06-01T08:30:00Z", 1_717_230_600);

/// The `git daemon` program itself. It is started directly rather than through `git`,
/// which would leave it running when the wrapper is killed.
fn daemon_program() -> Result<PathBuf, String> {
    let out = Command::new("git")
        .arg("--exec-path")
        .output()
        .map_err(|err| format!("git does not start ({err})"))?;
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let program = dir.join("git-daemon");
    if program.is_file() {
        Ok(program)
    } else {
        Err(format!(
            "`git daemon` is not installed ({} has no git-daemon; on Debian and Ubuntu it comes \
             with the package git-daemon-run)",
            dir.display()
        ))
    }
}

/// Whether `git daemon` can serve the tests. Without it the tests cannot run: under CI they
/// fail loudly, elsewhere they say why and pass.
fn daemon_available() -> bool {
    let Err(reason) = daemon_program() else {
        return true;
    };
    let message = format!("the repository tests need `git daemon`: {reason}");
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("{message}");
    }
    eprintln!("SKIPPED: {message}");
    false
}

/// Runs git for the tests' own repositories, with fixed names and dates and no
/// configuration from the machine.
fn git(dir: &Path, args: &[&str], date: &str) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Erika Mustermann")
        .env("GIT_AUTHOR_EMAIL", "erika@example.org")
        .env("GIT_COMMITTER_NAME", "Erika Mustermann")
        .env("GIT_COMMITTER_EMAIL", "erika@example.org")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A folder of repositories served by `git daemon`.
struct Server {
    root: tempfile::TempDir,
    daemon: Child,
    port: u16,
}

impl Server {
    fn start() -> Server {
        let program = daemon_program().unwrap();
        let root = tempfile::tempdir().unwrap();
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut daemon = Command::new(&program)
                .args([
                    "--reuseaddr",
                    "--export-all",
                    &format!("--base-path={}", root.path().display()),
                    &format!("--port={port}"),
                    "--listen=127.0.0.1",
                    "--enable=upload-pack",
                ])
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", root.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                // `-c uploadpack.allowFilter=true`, for the upload-pack it starts per fetch.
                .env("GIT_CONFIG_COUNT", "1")
                .env("GIT_CONFIG_KEY_0", "uploadpack.allowFilter")
                .env("GIT_CONFIG_VALUE_0", "true")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if daemon.try_wait().unwrap().is_some() {
                    // The port was taken in between; try another.
                    break;
                }
                let addr = SocketAddr::from(([127, 0, 0, 1], port));
                if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    return Server { root, daemon, port };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = daemon.kill();
            let _ = daemon.wait();
        }
        panic!("git daemon did not start listening");
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn url(&self, name: &str) -> String {
        format!("git://127.0.0.1:{}/{name}", self.port)
    }

    /// A new repository with its main branch checked out.
    fn repo(&self, name: &str) -> PathBuf {
        let dir = self.path(name);
        std::fs::create_dir(&dir).unwrap();
        git(&dir, &["init", "--quiet", "--initial-branch=main"], FIRST.0);
        dir
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// Writes `files` into `repo` and commits them at `date`; the commit's hash.
fn commit(repo: &Path, files: &[(&str, &[u8])], date: &str) -> String {
    for (name, content) in files {
        let path = repo.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    git(repo, &["add", "--all"], date);
    git(repo, &["commit", "--quiet", "--message", "Stand"], date);
    git(repo, &["rev-parse", "HEAD"], date)
}

/// Incompressible bytes (xorshift), so sizes on the wire are what they say.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// Incompressible text: `noise` as hex digits.
fn noisy_text(len: usize, seed: u64) -> Vec<u8> {
    noise(len / 2, seed)
        .iter()
        .flat_map(|b| format!("{b:02x}").into_bytes())
        .collect()
}

fn local() -> GitPolicy {
    GitPolicy {
        allow_private: true,
        timeout: Duration::from_secs(20),
        ..GitPolicy::default()
    }
}

/// A TCP server that accepts every connection and never says a word; counts connections.
async fn silent_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            open.push(stream);
        }
    });
    (addr, count)
}

#[tokio::test]
async fn reads_the_file_and_its_commit_and_follows_new_commits() {
    if !daemon_available() {
        return;
    }
    let server = Server::start();
    let repo = server.repo("baumkataster");
    let first = commit(
        &repo,
        &[
            ("publiccode.yml", PUBLICCODE.as_bytes()),
            ("README.md", b"# Baumkataster\n"),
            ("docs/publiccode.yml", b"name: Doku\n"),
        ],
        FIRST.0,
    );
    let url = server.url("baumkataster");

    let file = read_file(&url, "publiccode.yml", &local()).await.unwrap();
    assert_eq!(file.text, PUBLICCODE);
    assert_eq!(file.commit, first);
    assert_eq!(file.commit.len(), 40);
    assert_eq!(file.committed_at, FIRST.1);
    let docs = read_file(&url, "docs/publiccode.yml", &local())
        .await
        .unwrap();
    assert_eq!(docs.text, "name: Doku\n");

    let changed = format!("{PUBLICCODE}softwareVersion: \"2.0\"\n");
    let second = commit(&repo, &[("publiccode.yml", changed.as_bytes())], SECOND.0);
    assert_ne!(first, second);
    let file = read_file(&url, "publiccode.yml", &local()).await.unwrap();
    assert_eq!(file.text, changed);
    assert_eq!(file.commit, second);
    assert_eq!(file.committed_at, SECOND.1);

    // A byte order mark is dropped; text in other encodings is refused.
    commit(
        &repo,
        &[
            ("bom.yml", b"\xEF\xBB\xBFname: x\n"),
            ("latin1.yml", b"name: M\xFCnster\n"),
        ],
        SECOND.0,
    );
    let bom = read_file(&url, "bom.yml", &local()).await.unwrap();
    assert_eq!(bom.text, "name: x\n");
    let err = read_file(&url, "latin1.yml", &local()).await.unwrap_err();
    assert!(matches!(err, RepoError::NotText { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("Die Datei latin1.yml in {url} ist keine Textdatei in UTF-8.")
    );
}

#[tokio::test]
async fn missing_files_folders_and_empty_repositories() {
    if !daemon_available() {
        return;
    }
    let server = Server::start();
    let repo = server.repo("ohne-datei");
    commit(&repo, &[("docs/README.md", b"Hallo\n")], FIRST.0);
    let url = server.url("ohne-datei");

    let err = read_file(&url, "publiccode.yml", &local())
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::FileMissing { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("In {url} gibt es keine Datei publiccode.yml im Hauptzweig.")
    );
    // A pathspec-like name matches nothing but itself.
    let err = read_file(&url, "docs/*.md", &local()).await.unwrap_err();
    assert!(matches!(err, RepoError::FileMissing { .. }), "{err:?}");
    let err = read_file(&url, "docs", &local()).await.unwrap_err();
    assert!(matches!(err, RepoError::NotAFile { .. }), "{err:?}");

    server.repo("leer");
    let err = read_file(&server.url("leer"), "publiccode.yml", &local())
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::Empty { .. }), "{err:?}");
}

#[tokio::test]
async fn a_repository_that_disappears_is_named_in_the_error() {
    if !daemon_available() {
        return;
    }
    let server = Server::start();
    let repo = server.repo("verschwindet");
    commit(&repo, &[("publiccode.yml", PUBLICCODE.as_bytes())], FIRST.0);
    let url = server.url("verschwindet");
    read_file(&url, "publiccode.yml", &local()).await.unwrap();

    std::fs::remove_dir_all(&repo).unwrap();
    let err = read_file(&url, "publiccode.yml", &local())
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::NotFound { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&url), "{message}");
    assert!(message.starts_with("Das Repository "), "{message}");

    // With the server gone too, the repository is not reachable at all.
    let port = server.port;
    drop(server);
    let url = format!("git://127.0.0.1:{port}/verschwindet");
    let err = read_file(&url, "publiccode.yml", &local())
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::Unreachable { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("Das Repository {url} ist nicht erreichbar (")),
        "{message}"
    );
    assert!(!message.chars().any(char::is_control), "{message:?}");
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_without_downloading_it() {
    if !daemon_available() {
        return;
    }
    let server = Server::start();
    let repo = server.repo("grosse-datei");
    let big = noisy_text(1024 * 1024, 1);
    commit(
        &repo,
        &[("publiccode.yml", &big), ("README.md", b"klein\n")],
        FIRST.0,
    );
    let url = server.url("grosse-datei");
    // The whole fetch may be smaller than the file: it is left out by the filter.
    let policy = GitPolicy {
        max_bytes: 300 * 1024,
        max_file_bytes: 256 * 1024,
        ..local()
    };
    let err = read_file(&url, "publiccode.yml", &policy)
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::FileTooLarge { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("Die Datei publiccode.yml in {url} ist größer als 256 kB.")
    );
    // The small file of the same commit is read.
    let file = read_file(&url, "README.md", &policy).await.unwrap();
    assert_eq!(file.text, "klein\n");
}

#[tokio::test]
async fn a_fetch_over_the_limit_is_stopped() {
    if !daemon_available() {
        return;
    }
    let server = Server::start();
    let repo = server.repo("viele-daten");
    let blobs: Vec<(String, Vec<u8>)> = (0..48)
        .map(|i| (format!("daten/{i:02}.bin"), noise(100 * 1024, i + 10)))
        .collect();
    let mut files: Vec<(&str, &[u8])> = blobs
        .iter()
        .map(|(name, data)| (name.as_str(), data.as_slice()))
        .collect();
    files.push(("publiccode.yml", PUBLICCODE.as_bytes()));
    commit(&repo, &files, FIRST.0);
    let url = server.url("viele-daten");

    let policy = GitPolicy {
        max_bytes: 1024 * 1024,
        ..local()
    };
    let err = read_file(&url, "publiccode.yml", &policy)
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::TooLarge { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("Das Repository {url} ist größer als 1 MB")),
        "{message}"
    );
    // Under the default limit the same repository is fine.
    let file = read_file(&url, "publiccode.yml", &local()).await.unwrap();
    assert_eq!(file.text, PUBLICCODE);
}

#[tokio::test]
async fn a_server_that_never_answers_runs_into_the_deadline() {
    let (addr, connections) = silent_server().await;
    let policy = GitPolicy {
        timeout: Duration::from_secs(2),
        ..local()
    };
    let port = addr.port();
    // git's own protocol, and smart HTTP to a host name (pinned to the checked address).
    for url in [
        format!("git://127.0.0.1:{port}/schweigt"),
        format!("http://localhost:{port}/schweigt.git"),
    ] {
        let started = Instant::now();
        let err = read_file(&url, "publiccode.yml", &policy)
            .await
            .unwrap_err();
        let took = started.elapsed();
        assert!(matches!(err, RepoError::Timeout { .. }), "{url}: {err:?}");
        assert_eq!(
            err.to_string(),
            format!("Das Repository {url} antwortete nicht innerhalb von 2 Sekunden.")
        );
        assert!(took >= Duration::from_secs(2), "{took:?}");
        assert!(took < Duration::from_secs(6), "{took:?}");
    }
    assert!(connections.load(Ordering::SeqCst) >= 2);
}

#[tokio::test]
async fn own_network_addresses_are_refused_before_connecting() {
    let (addr, connections) = silent_server().await;
    let port = addr.port();
    let policy = GitPolicy {
        timeout: Duration::from_secs(5),
        ..GitPolicy::default()
    };
    for (url, host) in [
        (format!("https://127.0.0.1:{port}/r.git"), "127.0.0.1"),
        (format!("https://localhost:{port}/r.git"), "localhost"),
        (format!("https://[::1]:{port}/r.git"), "[::1]"),
        (
            format!("https://[::ffff:127.0.0.1]:{port}/r.git"),
            "[::ffff:7f00:1]",
        ),
        (format!("https://10.1.2.3:{port}/r.git"), "10.1.2.3"),
        (
            format!("https://169.254.169.254:{port}/r.git"),
            "169.254.169.254",
        ),
        (format!("https://0.0.0.0:{port}/r.git"), "0.0.0.0"),
    ] {
        let err = read_file(&url, "publiccode.yml", &policy)
            .await
            .unwrap_err();
        match &err {
            RepoError::PrivateAddress { host: named, .. } => assert_eq!(named, host, "{url}"),
            other => panic!("{url}: {other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with("Adressen im eigenen Netz sind nicht erlaubt: "),
            "{err}"
        );
    }
    // Even where private addresses are allowed, "this machine" in disguise is not.
    let err = read_file(
        &format!("git://0.0.0.0:{port}/r"),
        "publiccode.yml",
        &local(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, RepoError::PrivateAddress { .. }), "{err:?}");

    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "a connection got through"
    );
}

#[tokio::test]
async fn other_schemes_credentials_and_paths_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file_url = format!("file://{}", dir.path().display());
    for policy in [GitPolicy::default(), local()] {
        for (url, scheme) in [
            (file_url.as_str(), "file://"),
            ("ssh://git@example.org/oklab/r.git", "ssh://"),
            ("ssh://example.org:2222/r.git", "ssh://"),
            ("ext::sh -c touch% /tmp/codefor-pwned", "ext://"),
            ("ftp://example.org/r.git", "ftp://"),
        ] {
            let err = read_file(url, "publiccode.yml", &policy).await.unwrap_err();
            assert_eq!(
                err,
                RepoError::Scheme {
                    scheme: scheme.to_owned()
                },
                "{url}"
            );
            assert!(err.to_string().starts_with("Nur https-Adressen"), "{err}");
        }
        for url in [
            "https://user:secret@example.org/r.git",
            "https://token@example.org/r.git",
            "https://user:secret@github.com/oklab/r",
        ] {
            let err = read_file(url, "publiccode.yml", &policy).await.unwrap_err();
            assert_eq!(err, RepoError::Credentials, "{url}");
        }
        for url in ["git@github.com:oklab/r.git", "", "kein link", "https://"] {
            let err = read_file(url, "publiccode.yml", &policy).await.unwrap_err();
            assert!(matches!(err, RepoError::BadUrl(_)), "{url}: {err:?}");
        }
    }
    // Plain http and git:// only where private addresses are allowed (tests).
    for url in ["http://127.0.0.1:1/r.git", "git://127.0.0.1:1/r"] {
        let err = read_file(url, "publiccode.yml", &GitPolicy::default())
            .await
            .unwrap_err();
        assert!(matches!(err, RepoError::Scheme { .. }), "{url}: {err:?}");
    }
    for path in [
        "../publiccode.yml",
        "docs/../../publiccode.yml",
        "/etc/passwd",
        "./publiccode.yml",
        "docs//publiccode.yml",
        "",
        "docs\\publiccode.yml",
        "publiccode.yml\n",
    ] {
        let err = read_file("https://example.org/r.git", path, &GitPolicy::default())
            .await
            .unwrap_err();
        assert!(matches!(err, RepoError::BadPath(_)), "{path:?}: {err:?}");
        assert!(!err.to_string().contains('\n'), "{err}");
    }
    assert!(!Path::new("/tmp/codefor-pwned").exists());
}

/// The links leads enter point at the repository's page; `read_file` fetches the clone
/// address behind it.
#[test]
fn forge_links_name_their_repository() {
    let repo = recognise("http://www.github.com/oklab/baumkataster/tree/main/docs#start").unwrap();
    assert_eq!(repo.forge, Forge::GitHub);
    assert_eq!(repo.web_url, "https://github.com/oklab/baumkataster");
    assert_eq!(repo.clone_url, "https://github.com/oklab/baumkataster.git");
    let repo = recognise(
        "https://gitlab.opencode.de/behoerde/gruppe/fachverfahren/-/blob/main/publiccode.yml",
    )
    .unwrap();
    assert_eq!(repo.forge, Forge::OpenCoDE);
    assert_eq!(
        repo.clone_url,
        "https://gitlab.opencode.de/behoerde/gruppe/fachverfahren.git"
    );
    assert_eq!(recognise("https://github.com/oklab"), None);
    assert_eq!(recognise("https://oklab.github.io/baumkataster/"), None);
}
