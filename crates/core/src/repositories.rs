//! Reading one file (a project's `publiccode.yml`) from a git repository: a shallow,
//! bounded fetch of the main branch by the `git` program.
//!
//! The URL comes from a project's leads, so the fetch must not become a way into the
//! platform's own network (SSRF) nor into the machine:
//!
//! - only `https://` (plain `http://` and `git://` only under [`GitPolicy::allow_private`],
//!   for tests), never with a user name or password; links to a known forge's web page
//!   (`https://github.com/owner/name/tree/main`) are reduced to the clone address first;
//! - the host is resolved here and every address classified with the calendar fetch's rules
//!   ([`classify`]); git's connection is then pinned to exactly these addresses
//!   (`http.curloptResolve`, git ≥ 2.37), so a DNS answer that changes in between (DNS
//!   rebinding) cannot reach anything else, and redirects are not followed at all;
//! - git runs with an empty environment, no system or user configuration, no hooks,
//!   credential helpers or prompts, and only the allowed protocols;
//! - the fetch is shallow (`--depth=1`) and leaves out every file larger than
//!   [`GitPolicy::max_file_bytes`] (`--filter=blob:limit=…`, where the server supports it); a
//!   watchdog kills git's whole process group at the deadline or when the temporary
//!   repository grows past [`GitPolicy::max_bytes`].
//!
//! Every [`RepoError`] reads as a German sentence a project's lead can act on.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;
use tokio::time::Instant;
use url::{Host, Url};

use crate::calendars::fetch::{FetchPolicy, classify};

const KIB: usize = 1024;
const MIB: u64 = 1024 * 1024;

/// How often the watchdog measures the temporary repository.
const POLL: Duration = Duration::from_millis(150);

/// The most of git's error output kept (its messages are a few lines).
const MAX_STDERR: usize = 64 * KIB;

/// The longest excerpt of git's message shown in an error.
const MAX_DETAIL: usize = 200;

/// The oldest git that knows `http.curloptResolve`, without which the connection could
/// not be pinned to the checked address.
const MIN_GIT: (u32, u32) = (2, 37);

/// How many repository reads run at once, across all projects and requests.
const PARALLEL_READS: usize = 4;
static READS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(PARALLEL_READS);

/// The limits of one read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitPolicy {
    /// Allow loopback, private and other non-public addresses, and `http://` and `git://`
    /// besides `https://`. Only for tests and development; never set it for URLs that users
    /// enter. Unspecified, broadcast and multicast addresses are refused even then.
    pub allow_private: bool,
    /// The deadline for the whole read: resolving, fetching and reading the file.
    pub timeout: Duration,
    /// The most the fetch may write to disk, in bytes (the fetched objects, uncompressed
    /// pack indexes included).
    pub max_bytes: u64,
    /// The largest file accepted, in bytes; larger files are not downloaded at all when
    /// the server supports filters.
    pub max_file_bytes: usize,
}

impl Default for GitPolicy {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(30),
            max_bytes: 20 * MIB,
            max_file_bytes: 256 * KIB,
        }
    }
}

/// A file as the newest commit of a repository's main branch (its `HEAD`) has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoFile {
    /// The file's text (UTF-8, without byte order mark).
    pub text: String,
    /// The commit's full hash.
    pub commit: String,
    /// The commit's committer date, in Unix seconds.
    pub committed_at: i64,
}

/// Why a file could not be read. `Display` is a German sentence for the project's leads;
/// the `detail` fields keep git's own words (sanitized and short) for the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoError {
    /// The text is not a URL (as entered, sanitized).
    #[error(
        "„{0}“ ist keine gültige Adresse eines Repositorys. Bitte die vollständige Adresse \
         eintragen, beginnend mit https://."
    )]
    BadUrl(String),
    /// A scheme other than `https` (or, for tests, `http` and `git`).
    #[error(
        "Nur https-Adressen von Repositories werden gelesen, nicht {scheme}. Bitte die \
         Adresse eintragen, die auf der Seite des Repositorys unter „Clone“ mit https:// \
         beginnt."
    )]
    Scheme { scheme: String },
    /// The URL carries a user name or password.
    #[error(
        "Die Adresse enthält einen Benutzernamen oder ein Passwort; solche Adressen liest die \
         Plattform nicht. Bitte die öffentliche Adresse des Repositorys eintragen."
    )]
    Credentials,
    /// The path is not a plain relative path inside the repository.
    #[error(
        "„{0}“ ist kein zulässiger Dateipfad in einem Repository (erlaubt sind Pfade wie \
         publiccode.yml oder docs/publiccode.yml)."
    )]
    BadPath(String),
    /// The host is or resolves to an address that is not public.
    #[error("Adressen im eigenen Netz sind nicht erlaubt: {host} zeigt auf {addr}.")]
    PrivateAddress { host: String, addr: IpAddr },
    /// The host name could not be resolved.
    #[error(
        "Der Servername {host} wurde nicht gefunden. Bitte die Adresse des Repositorys auf \
         Tippfehler prüfen."
    )]
    Dns { host: String, detail: String },
    /// The server does not know the repository, or it is not public.
    #[error(
        "Das Repository {repo} wurde nicht gefunden oder ist nicht öffentlich. Bitte die \
         Adresse prüfen; private Repositories kann die Plattform nicht lesen."
    )]
    NotFound { repo: String, detail: String },
    /// The server answered with a redirect, which is never followed.
    #[error(
        "Das Repository {repo} leitet auf eine andere Adresse weiter, vermutlich wurde es \
         umbenannt oder verschoben. Bitte die neue Adresse des Repositorys eintragen."
    )]
    Redirected { repo: String, detail: String },
    /// Connecting or fetching failed otherwise (refused, TLS, server error, …).
    #[error(
        "Das Repository {repo} ist nicht erreichbar ({detail}). Bitte die Adresse prüfen oder \
         es später noch einmal versuchen."
    )]
    Unreachable { repo: String, detail: String },
    /// The deadline ([`GitPolicy::timeout`]) passed.
    #[error("Das Repository {repo} antwortete nicht innerhalb von {}.", seconds_text(*.seconds))]
    Timeout { repo: String, seconds: u64 },
    /// The fetch wrote more than [`GitPolicy::max_bytes`].
    #[error(
        "Das Repository {repo} ist größer als {}, schon ohne große Dateien und nur mit dem \
         neuesten Stand; so viel lädt die Plattform für eine Datei nicht herunter.",
        size_text(*.limit)
    )]
    TooLarge { repo: String, limit: u64 },
    /// The repository has no commit yet.
    #[error("Das Repository {repo} ist leer; es hat noch keinen Hauptzweig mit Commits.")]
    Empty { repo: String },
    /// The main branch has no file at the path.
    #[error("In {repo} gibt es keine Datei {path} im Hauptzweig.")]
    FileMissing { repo: String, path: String },
    /// The path names a folder, a submodule or a symbolic link.
    #[error(
        "In {repo} ist {path} keine gewöhnliche Datei, sondern ein Ordner, ein Submodul oder \
         ein symbolischer Link."
    )]
    NotAFile { repo: String, path: String },
    /// The file is larger than [`GitPolicy::max_file_bytes`].
    #[error("Die Datei {path} in {repo} ist größer als {}.", size_text(*.limit as u64))]
    FileTooLarge {
        repo: String,
        path: String,
        limit: usize,
    },
    /// The file is not valid UTF-8.
    #[error("Die Datei {path} in {repo} ist keine Textdatei in UTF-8.")]
    NotText { repo: String, path: String },
    /// git is missing, too old or failed on this machine: a matter for the operators.
    #[error(
        "Die Plattform kann gerade keine Repositories lesen ({detail}). Bitte gebt dem Team, \
         das die Plattform betreibt, Bescheid."
    )]
    Git { detail: String },
}

/// Reads `path` from the newest commit of the main branch (the remote `HEAD`) of the
/// repository at `url`, under `policy`.
pub async fn read_file(url: &str, path: &str, policy: &GitPolicy) -> Result<RepoFile, RepoError> {
    let target = Target::parse(url, policy)?;
    check_path(path)?;
    let deadline = Instant::now() + policy.timeout;
    let timeout = || RepoError::Timeout {
        repo: target.repo.clone(),
        seconds: whole_seconds(policy.timeout),
    };
    // A few reads at a time: each may take the whole deadline and its disk budget.
    let _slot = tokio::time::timeout_at(deadline, READS.acquire())
        .await
        .map_err(|_| timeout())?
        .map_err(|_| RepoError::Git {
            detail: "keine Lesevorgänge mehr möglich".to_owned(),
        })?;

    let pin = tokio::time::timeout_at(deadline, resolve(&target.url, policy))
        .await
        .map_err(|_| timeout())??;
    tokio::time::timeout_at(deadline, check_git())
        .await
        .map_err(|_| timeout())??;

    let dir = tempfile::Builder::new()
        .prefix("codefor-git-")
        .tempdir()
        .map_err(|err| RepoError::Git {
            detail: format!("temporäres Verzeichnis: {err}"),
        })?;
    let session = Session {
        home: dir.path().to_owned(),
        git_dir: dir.path().join("repo.git"),
        config: config(policy, pin.as_ref()),
        deadline,
        max_bytes: policy.max_bytes,
    };
    let stopped = |stop: Stop| match stop {
        Stop::Deadline => timeout(),
        Stop::TooLarge => RepoError::TooLarge {
            repo: target.repo.clone(),
            limit: policy.max_bytes,
        },
        Stop::Failed(detail) => RepoError::Git { detail },
    };
    let failed = |step: &str, ran: &Ran| RepoError::Git {
        detail: format!("git {step}: {}", excerpt(&ran.stderr)),
    };

    let ran = session
        .run(&["init", "--quiet", "--bare"], 0)
        .await
        .map_err(stopped)?;
    if !ran.ok {
        return Err(failed("init", &ran));
    }

    let filter = format!("--filter=blob:limit={}", policy.max_file_bytes);
    let fetch = [
        "fetch",
        "--quiet",
        "--depth=1",
        "--no-tags",
        "--no-recurse-submodules",
        "--no-auto-maintenance",
        &filter,
        "--",
        target.url.as_str(),
        "HEAD",
    ];
    let ran = session.run(&fetch, 0).await.map_err(stopped)?;
    if !ran.ok {
        return Err(fetch_error(&target.repo, &ran.stderr));
    }
    // The filtered fetch registered the server as a "promisor" that git would ask for a
    // left-out file on first access; forget it, so nothing is downloaded after the fetch
    // (`GIT_NO_LAZY_FETCH` says the same to git ≥ 2.44). The section is absent when the
    // server ignored the filter; that failure is fine.
    let section = format!("remote.{}", target.url);
    session
        .run(&["config", "--remove-section", &section], 0)
        .await
        .map_err(stopped)?;

    let ran = session
        .run(&["log", "-1", "--format=%H %ct", "FETCH_HEAD", "--"], 1024)
        .await
        .map_err(stopped)?;
    if !ran.ok {
        return Err(failed("log", &ran));
    }
    let (commit, committed_at) = parse_commit(&ran.stdout).ok_or_else(|| RepoError::Git {
        detail: format!(
            "unerwartete Ausgabe von git log: {}",
            excerpt(&String::from_utf8_lossy(&ran.stdout))
        ),
    })?;

    let ran = session
        .run(&["ls-tree", "-z", "FETCH_HEAD", "--", path], 64 * KIB)
        .await
        .map_err(stopped)?;
    if !ran.ok {
        return Err(failed("ls-tree", &ran));
    }
    let oid = match tree_entry(&ran.stdout, path) {
        None => {
            return Err(RepoError::FileMissing {
                repo: target.repo.clone(),
                path: path.to_owned(),
            });
        }
        Some(Entry::Other) => {
            return Err(RepoError::NotAFile {
                repo: target.repo.clone(),
                path: path.to_owned(),
            });
        }
        Some(Entry::File(oid)) => oid,
    };
    let too_large = || RepoError::FileTooLarge {
        repo: target.repo.clone(),
        path: path.to_owned(),
        limit: policy.max_file_bytes,
    };

    let ran = session
        .run(&["cat-file", "-s", &oid], 64)
        .await
        .map_err(stopped)?;
    if !ran.ok {
        // The tree names the file but its content was left out by the filter: larger
        // than the limit.
        return Err(too_large());
    }
    let size: u64 = String::from_utf8_lossy(&ran.stdout)
        .trim()
        .parse()
        .map_err(|_| RepoError::Git {
            detail: "unerwartete Ausgabe von git cat-file".to_owned(),
        })?;
    if size > policy.max_file_bytes as u64 {
        return Err(too_large());
    }

    let ran = session
        .run(&["cat-file", "blob", &oid], policy.max_file_bytes)
        .await
        .map_err(stopped)?;
    if ran.stdout_cut {
        return Err(too_large());
    }
    if !ran.ok {
        return Err(failed("cat-file", &ran));
    }
    let bytes = ran.stdout;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|_| RepoError::NotText {
            repo: target.repo.clone(),
            path: path.to_owned(),
        })?
        .to_owned();
    drop(dir);
    Ok(RepoFile {
        text,
        commit,
        committed_at,
    })
}

/// What is fetched and how errors name it.
struct Target {
    /// The URL handed to git: checked, without query and fragment.
    url: Url,
    /// The repository as the messages name it (its web page for a known forge).
    repo: String,
}

impl Target {
    fn parse(raw: &str, policy: &GitPolicy) -> Result<Self, RepoError> {
        let trimmed = raw.trim();
        let bad = || RepoError::BadUrl(clean(trimmed));
        let mut url = Url::parse(trimmed).map_err(|_| bad())?;
        let scheme = url.scheme().to_owned();
        let allowed = scheme == "https"
            || (policy.allow_private && matches!(scheme.as_str(), "http" | "git"));
        // A link to a known forge written with http:// is read over https.
        let upgradable = scheme == "http";
        if !allowed && !upgradable {
            return Err(RepoError::Scheme {
                scheme: scheme_text(&scheme),
            });
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(RepoError::Credentials);
        }
        if matches!(scheme.as_str(), "http" | "https")
            && let Some(repo) = codefor_domain::repositories::recognise(trimmed)
        {
            let url = Url::parse(&repo.clone_url).map_err(|_| bad())?;
            return Ok(Self {
                url,
                repo: repo.web_url,
            });
        }
        if !allowed {
            return Err(RepoError::Scheme {
                scheme: scheme_text(&scheme),
            });
        }
        if url.host().is_none() || url.cannot_be_a_base() {
            return Err(bad());
        }
        url.set_query(None);
        url.set_fragment(None);
        let repo = url.as_str().trim_end_matches('/').to_owned();
        Ok(Self { url, repo })
    }
}

fn scheme_text(scheme: &str) -> String {
    format!("{}://", clean(scheme))
}

/// A plain relative path: no leading `/`, no empty, `.` or `..` segment, no backslash or
/// control character.
fn check_path(path: &str) -> Result<(), RepoError> {
    let ok = !path.is_empty()
        && path.len() <= 1024
        && !path.starts_with('/')
        && !path.chars().any(|c| c.is_control() || c == '\\')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    if ok {
        Ok(())
    } else {
        Err(RepoError::BadPath(clean(path)))
    }
}

/// The checked addresses git may connect to for a host name: `host:port:addr,addr`.
struct Pin {
    host: String,
    port: u16,
    addrs: BTreeSet<IpAddr>,
}

impl Pin {
    fn curlopt_resolve(&self) -> String {
        let addrs: Vec<String> = self
            .addrs
            .iter()
            .map(|addr| match addr {
                IpAddr::V4(v4) => v4.to_string(),
                IpAddr::V6(v6) => format!("[{v6}]"),
            })
            .collect();
        format!("{}:{}:{}", self.host, self.port, addrs.join(","))
    }
}

/// Resolves `url`'s host and checks every address; the pin for a host name (an IP
/// address needs none).
async fn resolve(url: &Url, policy: &GitPolicy) -> Result<Option<Pin>, RepoError> {
    let fetch_policy = FetchPolicy {
        allow_private: policy.allow_private,
        ..FetchPolicy::default()
    };
    let host_text = url.host_str().unwrap_or_default().to_owned();
    let check = |addr: IpAddr| {
        if classify(addr).allowed(&fetch_policy) {
            Ok(())
        } else {
            Err(RepoError::PrivateAddress {
                host: host_text.clone(),
                addr,
            })
        }
    };
    let port = url
        .port_or_known_default()
        .unwrap_or(if url.scheme() == "git" { 9418 } else { 443 });
    match url.host() {
        Some(Host::Ipv4(ip)) => check(IpAddr::V4(ip)).map(|()| None),
        Some(Host::Ipv6(ip)) => check(IpAddr::V6(ip)).map(|()| None),
        Some(Host::Domain(domain)) => {
            let dns = |detail: String| RepoError::Dns {
                host: host_text.clone(),
                detail,
            };
            let addrs: BTreeSet<IpAddr> = tokio::net::lookup_host((domain, port))
                .await
                .map_err(|err| dns(err.to_string()))?
                .map(|addr: SocketAddr| addr.ip())
                .collect();
            if addrs.is_empty() {
                return Err(dns("keine Adressen".to_owned()));
            }
            for addr in &addrs {
                check(*addr)?;
            }
            Ok(Some(Pin {
                host: domain.to_owned(),
                port,
                addrs,
            }))
        }
        None => Err(RepoError::BadUrl(url.to_string())),
    }
}

/// The configuration every git command of a read runs with (`-c`), on top of none at all.
fn config(policy: &GitPolicy, pin: Option<&Pin>) -> Vec<String> {
    let mut config: Vec<String> = [
        "protocol.allow=never",
        "protocol.https.allow=always",
        "http.followRedirects=false",
        "http.proxy=",
        "http.lowSpeedLimit=1000",
        "http.lowSpeedTime=10",
        "credential.helper=",
        "core.hooksPath=/dev/null",
        "core.fsmonitor=false",
        "init.defaultBranch=main",
        "transfer.unpackLimit=1",
        "gc.auto=0",
        "maintenance.auto=false",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    if policy.allow_private {
        config.push("protocol.http.allow=always".to_owned());
        config.push("protocol.git.allow=always".to_owned());
    }
    if let Some(pin) = pin {
        config.push(format!("http.curloptResolve={}", pin.curlopt_resolve()));
    }
    config
}

/// A clean environment for git: nothing of the platform's own leaks in.
fn clean_env(cmd: &mut Command, home: &Path) {
    cmd.env_clear()
        .env(
            "PATH",
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into()),
        )
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "/bin/false")
        .env("GIT_PROTOCOL_FROM_USER", "0")
        .env("GIT_NO_LAZY_FETCH", "1")
        .env("GIT_NO_REPLACE_OBJECTS", "1")
        .env("GIT_LITERAL_PATHSPECS", "1")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .kill_on_drop(true);
}

/// Whether this machine's git is new enough; checked once per process when it is.
async fn check_git() -> Result<(), RepoError> {
    static CHECKED: OnceLock<()> = OnceLock::new();
    if CHECKED.get().is_some() {
        return Ok(());
    }
    let home = std::env::temp_dir();
    let mut cmd = Command::new("git");
    clean_env(&mut cmd, &home);
    cmd.arg("version");
    let output = cmd.output().await.map_err(|err| RepoError::Git {
        detail: format!("git lässt sich nicht starten: {err}"),
    })?;
    let text = String::from_utf8_lossy(&output.stdout);
    match git_version(&text) {
        Some(version) if version >= MIN_GIT => {
            let _ = CHECKED.set(());
            Ok(())
        }
        _ => Err(RepoError::Git {
            detail: format!(
                "git ist älter als {}.{} oder unbekannt: {}",
                MIN_GIT.0,
                MIN_GIT.1,
                excerpt(&text)
            ),
        }),
    }
}

/// `(major, minor)` from `git version 2.47.3` (or `2.39.2.windows.1`, …).
fn git_version(text: &str) -> Option<(u32, u32)> {
    let version = text.trim().strip_prefix("git version ")?;
    let mut parts = version.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// One read's temporary repository and limits.
struct Session {
    home: PathBuf,
    git_dir: PathBuf,
    config: Vec<String>,
    deadline: Instant,
    max_bytes: u64,
}

/// A finished git command.
struct Ran {
    ok: bool,
    /// At most the limit asked for.
    stdout: Vec<u8>,
    /// Whether the output went on beyond the limit.
    stdout_cut: bool,
    stderr: String,
}

/// Why a git command was stopped before it finished.
enum Stop {
    Deadline,
    TooLarge,
    Failed(String),
}

impl Session {
    /// Runs git with `args`, keeping at most `stdout_limit` bytes of its output; killed
    /// (with everything it started) at the deadline or when the repository grows too large.
    async fn run(&self, args: &[&str], stdout_limit: usize) -> Result<Ran, Stop> {
        let mut cmd = Command::new("git");
        clean_env(&mut cmd, &self.home);
        cmd.env("GIT_DIR", &self.git_dir)
            .current_dir(&self.home)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        cmd.process_group(0);
        for entry in &self.config {
            cmd.arg("-c").arg(entry);
        }
        cmd.args(args);

        let mut child = cmd
            .spawn()
            .map_err(|err| Stop::Failed(format!("git lässt sich nicht starten: {err}")))?;
        let mut group = GroupGuard(child.id());
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let work = async {
            tokio::join!(
                read_limited(stdout, stdout_limit),
                read_limited(stderr, MAX_STDERR),
                child.wait(),
            )
        };
        tokio::pin!(work);
        let mut poll = tokio::time::interval(POLL);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                ((stdout, stdout_cut), (stderr, _), status) = &mut work => {
                    group.disarm();
                    let status = status
                        .map_err(|err| Stop::Failed(format!("git lief nicht zu Ende: {err}")))?;
                    // A fast fetch may finish between two polls.
                    if dir_size(&self.home).await > self.max_bytes {
                        return Err(Stop::TooLarge);
                    }
                    return Ok(Ran {
                        ok: status.success(),
                        stdout,
                        stdout_cut,
                        stderr: String::from_utf8_lossy(&stderr).into_owned(),
                    });
                }
                () = tokio::time::sleep_until(self.deadline) => return Err(Stop::Deadline),
                _ = poll.tick() => {
                    if dir_size(&self.home).await > self.max_bytes {
                        return Err(Stop::TooLarge);
                    }
                }
            }
        }
    }
}

/// Kills a git process's whole group (the remote helper and index-pack it started
/// included) when dropped before [`GroupGuard::disarm`].
struct GroupGuard(Option<u32>);

impl GroupGuard {
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pgid) = self.0.take() {
            kill_group(pgid);
        }
    }
}

/// Sends SIGKILL to process group `pgid`. The crate forbids `unsafe`, so `kill(2)` is
/// reached through the shell's `kill` builtin.
#[cfg(unix)]
fn kill_group(pgid: u32) {
    let script = "kill -s KILL -- \"-$1\" 2>/dev/null";
    let args = ["-c", script, "sh", &pgid.to_string()];
    if tokio::runtime::Handle::try_current().is_ok() {
        let mut cmd = Command::new("/bin/sh");
        cmd.args(args)
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Not awaited: tokio reaps the finished shell in the background.
        let _ = cmd.spawn();
    } else {
        let _ = std::process::Command::new("/bin/sh")
            .args(args)
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

#[cfg(not(unix))]
fn kill_group(_pgid: u32) {}

/// Reads `reader` to its end, keeping the first `limit` bytes; whether there was more.
/// The rest is read and dropped, so git never blocks on a full pipe (the deadline bounds
/// how long that may go on).
async fn read_limited<R: AsyncRead + Unpin>(reader: Option<R>, limit: usize) -> (Vec<u8>, bool) {
    let Some(mut reader) = reader else {
        return (Vec::new(), false);
    };
    let mut kept = Vec::new();
    let mut cut = false;
    let mut buf = [0_u8; 8192];
    loop {
        match reader.read(&mut buf).await {
            Ok(0) | Err(_) => return (kept, cut),
            Ok(n) => {
                let room = limit.saturating_sub(kept.len());
                cut |= n > room;
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
}

/// The bytes of all files under `dir`.
async fn dir_size(dir: &Path) -> u64 {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut total = 0_u64;
        let mut stack = vec![dir];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                match entry.metadata() {
                    Ok(meta) if meta.is_dir() => stack.push(entry.path()),
                    Ok(meta) => total = total.saturating_add(meta.len()),
                    Err(_) => {}
                }
            }
        }
        total
    })
    .await
    .unwrap_or(0)
}

/// What `git ls-tree` says about the path.
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    /// A regular file (executable or not) with this object id.
    File(String),
    /// A folder, a submodule or a symbolic link.
    Other,
}

/// The entry for exactly `path` in `git ls-tree -z` output (`mode type oid\tpath\0`).
fn tree_entry(output: &[u8], path: &str) -> Option<Entry> {
    output.split(|b| *b == 0).find_map(|record| {
        let record = std::str::from_utf8(record).ok()?;
        let (meta, name) = record.split_once('\t')?;
        if name != path {
            return None;
        }
        let mut fields = meta.split(' ');
        let (mode, kind, oid) = (fields.next()?, fields.next()?, fields.next()?);
        let is_file = kind == "blob"
            && matches!(mode, "100644" | "100755")
            && oid.bytes().all(|b| b.is_ascii_hexdigit());
        Some(if is_file {
            Entry::File(oid.to_owned())
        } else {
            Entry::Other
        })
    })
}

/// The hash and committer date from `git log --format='%H %ct'`.
fn parse_commit(output: &[u8]) -> Option<(String, i64)> {
    let text = std::str::from_utf8(output).ok()?;
    let (hash, time) = text.trim().split_once(' ')?;
    let hash_ok = matches!(hash.len(), 40 | 64) && hash.bytes().all(|b| b.is_ascii_hexdigit());
    let time = time.trim().parse().ok()?;
    hash_ok.then(|| (hash.to_owned(), time))
}

/// The error a failed `git fetch` stands for, from its message.
fn fetch_error(repo: &str, stderr: &str) -> RepoError {
    let detail = excerpt(stderr);
    let lower = stderr.to_ascii_lowercase();
    let repo = repo.to_owned();
    let any = |needles: &[&str]| needles.iter().any(|needle| lower.contains(needle));
    if any(&[
        "couldn't find remote ref head",
        "could not find remote ref head",
    ]) {
        return RepoError::Empty { repo };
    }
    if any(&[
        "returned error: 301",
        "returned error: 302",
        "returned error: 303",
        "returned error: 307",
        "returned error: 308",
        "redirect",
    ]) {
        return RepoError::Redirected { repo, detail };
    }
    if any(&[
        "not found",
        "not exported",
        "does not appear to be a git repository",
        "no such repository",
        "could not read username",
        "could not read password",
        "authentication failed",
        "returned error: 401",
        "returned error: 403",
        "returned error: 404",
        "returned error: 410",
    ]) {
        return RepoError::NotFound { repo, detail };
    }
    let detail = if detail.is_empty() {
        "git nannte keinen Grund".to_owned()
    } else {
        detail
    };
    RepoError::Unreachable { repo, detail }
}

/// A short, printable excerpt of git's message: from its last `fatal:` or `error:` line
/// on (or its last line), prefixes dropped, control characters and runs of white space
/// made single spaces, at most [`MAX_DETAIL`] characters.
fn excerpt(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("hint:"))
        .collect();
    let start = lines
        .iter()
        .rposition(|line| line.starts_with("fatal:") || line.starts_with("error:"))
        .unwrap_or(lines.len().saturating_sub(1));
    let joined = lines.get(start..).unwrap_or_default().join(" ");
    clean(
        joined
            .trim_start_matches("fatal:")
            .trim_start_matches("error:"),
    )
}

/// Text for a message: control characters and runs of white space made single spaces,
/// at most [`MAX_DETAIL`] characters.
fn clean(raw: &str) -> String {
    let mut text = String::new();
    let mut space = false;
    for c in raw.chars() {
        if c.is_control() || c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !text.is_empty() {
            text.push(' ');
        }
        space = false;
        text.push(c);
    }
    if text.chars().count() > MAX_DETAIL {
        text = text.chars().take(MAX_DETAIL - 1).collect();
        text.push('…');
    }
    text
}

fn whole_seconds(duration: Duration) -> u64 {
    let seconds = duration.as_secs();
    if duration.subsec_nanos() > 0 {
        seconds + 1
    } else {
        seconds
    }
}

fn seconds_text(seconds: u64) -> String {
    if seconds == 1 {
        "einer Sekunde".to_owned()
    } else {
        format!("{seconds} Sekunden")
    }
}

fn size_text(bytes: u64) -> String {
    let kib = KIB as u64;
    if bytes >= MIB {
        if bytes.is_multiple_of(MIB) {
            format!("{} MB", bytes / MIB)
        } else {
            let tenths = (bytes * 10).div_ceil(MIB);
            format!("{},{} MB", tenths / 10, tenths % 10)
        }
    } else if bytes >= kib {
        format!("{} kB", bytes.div_ceil(kib))
    } else {
        format!("{bytes} Bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private() -> GitPolicy {
        GitPolicy {
            allow_private: true,
            ..GitPolicy::default()
        }
    }

    #[test]
    fn forge_links_become_clone_addresses() {
        let target = Target::parse(
            "http://github.com/oklab/baumkataster/tree/main",
            &GitPolicy::default(),
        )
        .unwrap();
        assert_eq!(
            target.url.as_str(),
            "https://github.com/oklab/baumkataster.git"
        );
        assert_eq!(target.repo, "https://github.com/oklab/baumkataster");

        let target = Target::parse("git://127.0.0.1:9418/r?x=1#y", &private()).unwrap();
        assert_eq!(target.url.as_str(), "git://127.0.0.1:9418/r");
    }

    #[test]
    fn refused_addresses_and_paths() {
        let policy = GitPolicy::default();
        for (url, scheme) in [
            ("http://127.0.0.1/r", "http://"),
            ("git://example.org/r", "git://"),
            ("file:///etc", "file://"),
            ("ssh://git@example.org/r", "ssh://"),
            ("ext::sh -c touch% /tmp/x", "ext://"),
        ] {
            assert_eq!(
                Target::parse(url, &policy).err(),
                Some(RepoError::Scheme {
                    scheme: scheme.to_owned()
                }),
                "{url}"
            );
        }
        assert_eq!(
            Target::parse("https://user:pw@example.org/r.git", &policy).err(),
            Some(RepoError::Credentials)
        );
        assert!(matches!(
            Target::parse("nonsense", &policy),
            Err(RepoError::BadUrl(_))
        ));
        for path in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "./a",
            "a\\b",
            "a\nb",
        ] {
            assert!(check_path(path).is_err(), "{path:?}");
        }
        for path in [
            "publiccode.yml",
            "docs/publiccode.yml",
            "a b/c:d.yml",
            ".github/x",
        ] {
            assert!(check_path(path).is_ok(), "{path:?}");
        }
    }

    #[test]
    fn pins_name_every_checked_address() {
        let pin = Pin {
            host: "git.example.org".to_owned(),
            port: 443,
            addrs: ["2001:db8::1", "192.0.2.7"]
                .iter()
                .map(|a| a.parse().unwrap())
                .collect(),
        };
        assert_eq!(
            pin.curlopt_resolve(),
            "git.example.org:443:192.0.2.7,[2001:db8::1]"
        );
        let config = config(&GitPolicy::default(), Some(&pin));
        assert!(config.contains(
            &"http.curloptResolve=git.example.org:443:192.0.2.7,[2001:db8::1]".to_owned()
        ));
        assert!(!config.iter().any(|c| c.starts_with("protocol.git")));
    }

    /// git connects to the pinned address although the name itself does not resolve: the
    /// installed git honours `http.curloptResolve`.
    #[tokio::test]
    async fn git_connects_only_to_the_pinned_address() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let pin = Pin {
            host: "pinned.invalid".to_owned(),
            port,
            addrs: BTreeSet::from(["127.0.0.1".parse().unwrap()]),
        };
        let dir = tempfile::tempdir().unwrap();
        let session = Session {
            home: dir.path().to_owned(),
            git_dir: dir.path().join("repo.git"),
            config: config(&private(), Some(&pin)),
            deadline: Instant::now() + Duration::from_secs(10),
            max_bytes: MIB,
        };
        assert!(
            session
                .run(&["init", "--quiet", "--bare"], 0)
                .await
                .ok()
                .unwrap()
                .ok
        );
        let url = format!("http://pinned.invalid:{port}/r.git");
        let args = ["fetch", "--quiet", "--depth=1", "--", &url, "HEAD"];
        let fetch = session.run(&args, 0);
        let accept = async {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut head = vec![0_u8; 512];
            let n = stream.read(&mut head).await.unwrap();
            let head = String::from_utf8_lossy(&head[..n]).into_owned();
            // Closing without an answer ends the fetch.
            drop(stream);
            head
        };
        let (ran, head) = tokio::join!(fetch, accept);
        assert!(head.contains("Host: pinned.invalid"), "{head}");
        let ran = ran.ok().unwrap();
        assert!(!ran.ok);
    }

    #[test]
    fn tree_entries_and_commits() {
        let oid = "595a3aeae4904608eee47f61ba721453a70460b0";
        let out = format!("100644 blob {oid}\tpubliccode.yml\0040000 tree {oid}\tdocs\0");
        assert_eq!(
            tree_entry(out.as_bytes(), "publiccode.yml"),
            Some(Entry::File(oid.to_owned()))
        );
        assert_eq!(tree_entry(out.as_bytes(), "docs"), Some(Entry::Other));
        assert_eq!(tree_entry(out.as_bytes(), "x"), None);
        let link = format!("120000 blob {oid}\tpubliccode.yml\0");
        assert_eq!(
            tree_entry(link.as_bytes(), "publiccode.yml"),
            Some(Entry::Other)
        );

        assert_eq!(
            parse_commit(format!("{oid} 1700000000\n").as_bytes()),
            Some((oid.to_owned(), 1_700_000_000))
        );
        assert_eq!(parse_commit(b"xyz 1"), None);
        assert_eq!(git_version("git version 2.47.3\n"), Some((2, 47)));
        assert_eq!(git_version("git version 2.39.2.windows.1"), Some((2, 39)));
        assert_eq!(git_version("nonsense"), None);
    }

    #[test]
    fn git_messages_become_sentences() {
        let repo = "https://example.org/r";
        assert!(matches!(
            fetch_error(repo, "fatal: couldn't find remote ref HEAD\n"),
            RepoError::Empty { .. }
        ));
        assert!(matches!(
            fetch_error(
                repo,
                "fatal: remote error: access denied or repository not exported: /r\n"
            ),
            RepoError::NotFound { .. }
        ));
        assert!(matches!(
            fetch_error(
                repo,
                "fatal: could not read Username for 'https://example.org': terminal prompts disabled\n"
            ),
            RepoError::NotFound { .. }
        ));
        assert!(matches!(
            fetch_error(
                repo,
                "fatal: unable to access 'https://example.org/r/': The requested URL returned error: 301\n"
            ),
            RepoError::Redirected { .. }
        ));
        let err = fetch_error(
            repo,
            "hint: x\nfatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: \
             errno=Connection refused\n",
        );
        assert_eq!(
            err.to_string(),
            "Das Repository https://example.org/r ist nicht erreichbar (unable to connect to \
             127.0.0.1: 127.0.0.1[0: 127.0.0.1]: errno=Connection refused). Bitte die Adresse \
             prüfen oder es später noch einmal versuchen."
        );
        let long = format!("fatal: \x1b[31m{}\u{7}", "x".repeat(500));
        let detail = excerpt(&long);
        assert_eq!(detail.chars().count(), MAX_DETAIL);
        assert!(!detail.chars().any(char::is_control));
    }

    #[test]
    fn messages_read_as_sentences() {
        let repo = "https://example.org/r".to_owned();
        assert_eq!(
            RepoError::Timeout {
                repo: repo.clone(),
                seconds: 30
            }
            .to_string(),
            "Das Repository https://example.org/r antwortete nicht innerhalb von 30 Sekunden."
        );
        assert_eq!(
            RepoError::FileMissing {
                repo: repo.clone(),
                path: "publiccode.yml".to_owned()
            }
            .to_string(),
            "In https://example.org/r gibt es keine Datei publiccode.yml im Hauptzweig."
        );
        assert_eq!(
            RepoError::FileTooLarge {
                repo: repo.clone(),
                path: "publiccode.yml".to_owned(),
                limit: 256 * 1024
            }
            .to_string(),
            "Die Datei publiccode.yml in https://example.org/r ist größer als 256 kB."
        );
        assert!(
            RepoError::TooLarge {
                repo,
                limit: 20 * MIB
            }
            .to_string()
            .contains("ist größer als 20 MB")
        );
        assert_eq!(
            RepoError::PrivateAddress {
                host: "intern.example.org".to_owned(),
                addr: "10.0.0.5".parse().unwrap()
            }
            .to_string(),
            "Adressen im eigenen Netz sind nicht erlaubt: intern.example.org zeigt auf 10.0.0.5."
        );
    }
}
