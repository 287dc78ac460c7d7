//! Link health: every external http(s) link of public records (labs, projects,
//! organizations, meetups, posts, pages, datasets and their distributions) is checked in
//! the background, so the people who own a broken link see it and fix it.
//!
//! - Each URL is checked once per round however many records use it; which records use
//!   it is found again from the records when results are shown ([`uses`], [`problems`]).
//! - A check is `HEAD` (falling back to a `GET` that reads a few KB on 405/501 or when
//!   `HEAD` fails), at most [`Policy::timeout`] per request, at most
//!   [`Policy::max_redirects`] redirects, each hop checked against the SSRF guard of
//!   [`crate::calendars::fetch`]: the host is resolved here, every address must be public
//!   (unless [`Policy::allow_private`]), and the connection is pinned to them.
//! - Politely: one request per host per [`Policy::per_host_interval`], a few URLs at a
//!   time, an honest `User-Agent`.
//! - Working links are checked again daily, failing ones with a growing pause
//!   ([`backoff`]). A link counts as broken only after two failed checks in a row
//!   ([`is_confirmed`]); one failure is reported as transient.
//! - Checks are claimed in the database first, so several instances never check one URL
//!   at the same time.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use codefor_storage::link_checks::{self, Checked, LinkCheck, LinkSource};
use codefor_storage::{Db, DbError};
use reqwest::StatusCode;
use reqwest::header;
use time::OffsetDateTime;
use url::{Host, Url};

use crate::calendars::fetch::{FetchPolicy, classify, install_crypto_provider};

/// The longest URL that is checked, in bytes.
pub const MAX_URL: usize = 2000;

/// Failed checks in a row after which a link counts as broken.
pub const CONFIRM_AFTER: i64 = 2;

/// The `User-Agent` of the checks: who asks, and where to find out more.
pub fn user_agent(site: Option<&str>) -> String {
    let site = site
        .map(|s| s.trim_end_matches('/'))
        .filter(|s| !s.is_empty())
        .unwrap_or("https://codefor.de");
    format!(
        "codefor-link-check/{} (+{site}; checks links of the Code for Germany platform)",
        env!("CARGO_PKG_VERSION")
    )
}

/// How checks are made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Also check loopback, private and other non-public addresses (tests, closed
    /// installations). Without it such links are recorded as `refused`, and no request
    /// is made.
    pub allow_private: bool,
    /// The deadline of one request (connecting, and the answer's head and the part of the
    /// body that is read).
    pub timeout: Duration,
    /// Redirects followed at most; one more is a broken link.
    pub max_redirects: usize,
    /// The least time between two requests to one host.
    pub per_host_interval: Duration,
    /// URLs checked at the same time.
    pub parallel: usize,
    /// Bytes of a `GET` answer read at most.
    pub max_body: usize,
    /// URLs checked at most in one round (the next round goes on).
    pub batch: i64,
    pub user_agent: String,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(10),
            max_redirects: 5,
            per_host_interval: Duration::from_secs(1),
            parallel: 4,
            max_body: 4 * 1024,
            batch: 2000,
            user_agent: user_agent(None),
        }
    }
}

/// The outcome of a check, as stored in `link_checks.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Answered with 2xx at the address itself.
    Ok,
    /// Answered with 2xx after redirects.
    Redirected,
    /// Answered with an error status (4xx, 5xx), redirected too often or to nowhere.
    Broken,
    /// No answer: the name does not resolve, the connection or TLS failed.
    Unreachable,
    /// Not checked: the address is not public (or the link carries credentials).
    Refused,
    /// No answer within the deadline.
    Timeout,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Redirected => "redirected",
            Status::Broken => "broken",
            Status::Unreachable => "unreachable",
            Status::Refused => "refused",
            Status::Timeout => "timeout",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Some(match text {
            "ok" => Status::Ok,
            "redirected" => Status::Redirected,
            "broken" => Status::Broken,
            "unreachable" => Status::Unreachable,
            "refused" => Status::Refused,
            "timeout" => Status::Timeout,
            _ => return None,
        })
    }

    /// Whether the link works.
    pub fn works(self) -> bool {
        matches!(self, Status::Ok | Status::Redirected)
    }
}

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub http_status: Option<u16>,
    /// Where the redirects ended (only when there were any).
    pub final_url: Option<String>,
    /// What is wrong, in plain German (only for failures).
    pub error: Option<String>,
}

impl Outcome {
    fn failed(status: Status, http_status: Option<u16>, error: String) -> Outcome {
        Outcome {
            status,
            http_status,
            final_url: None,
            error: Some(error),
        }
    }
}

/// How an answer's status reads after `redirects` redirects (pure; redirects themselves
/// are followed before this is asked).
pub fn classify_status(code: u16, redirects: usize) -> Status {
    match code {
        200..=299 if redirects == 0 => Status::Ok,
        200..=299 => Status::Redirected,
        _ => Status::Broken,
    }
}

/// What an error status means, in plain German.
pub fn status_text(code: u16) -> String {
    let what = match code {
        400 => "Der Server lehnt die Anfrage als ungültig ab",
        401 => "Die Seite verlangt eine Anmeldung",
        403 => "Der Server verweigert den Zugriff (vielleicht sperrt er automatische Prüfungen)",
        404 => "Die Seite gibt es nicht (mehr)",
        410 => "Die Seite wurde entfernt",
        429 => "Der Server meldet zu viele Anfragen",
        500..=599 => "Der Server meldet einen Fehler",
        300..=399 => "Der Server leitet weiter, nennt aber kein gültiges Ziel",
        _ => "Der Server antwortet mit einem Fehler",
    };
    format!("{what} (HTTP {code}).")
}

/// The pause before the next check after `failures` failed checks in a row (pure): an
/// hour after the first (to confirm or clear it soon), then 6 hours, doubling up to a
/// week. Working links (`failures == 0`) are checked daily.
pub fn backoff(failures: i64) -> Duration {
    const HOUR: u64 = 3600;
    match failures {
        i64::MIN..=0 => Duration::from_secs(24 * HOUR),
        1 => Duration::from_secs(HOUR),
        n => {
            let doublings = u32::try_from((n - 2).min(5)).unwrap_or(5);
            Duration::from_secs((6 * HOUR * 2u64.pow(doublings)).min(7 * 24 * HOUR))
        }
    }
}

/// Whether a stored result counts as broken: a failure seen twice in a row, or an address
/// the platform refuses to check (that does not change by trying again).
pub fn is_confirmed(status: Status, failures: i64) -> bool {
    !status.works() && (failures >= CONFIRM_AFTER || status == Status::Refused)
}

/// A stored result as the API and pages name it: `ok`, `redirected`, `broken`,
/// `unreachable`, `refused`, `timeout` once confirmed, `transient` for a first failure
/// (checked again soon), `unchecked` before the first check.
pub fn public_status(check: &LinkCheck) -> &'static str {
    match check.status.as_deref().and_then(Status::parse) {
        None => "unchecked",
        Some(status) if status.works() || is_confirmed(status, check.failures) => status.as_str(),
        Some(_) => "transient",
    }
}

/// The failure count and since when a URL fails, after a check with `status` (pure).
pub fn next_failures(
    status: Status,
    failures: i64,
    failing_since: Option<&str>,
    now: &str,
) -> (i64, Option<String>) {
    if status.works() {
        (0, None)
    } else {
        (
            failures.saturating_add(1),
            Some(failing_since.unwrap_or(now).to_owned()),
        )
    }
}

// ---------------------------------------------------------------------------------------
// Finding the links.

/// A link as written into a record, normalized the way `link_checks` stores it: an
/// absolute http(s) URL with a host, without fragment (it never reaches the server).
pub fn normalize(raw: &str) -> Option<String> {
    // Longer addresses are not links people follow (and would not fit an index entry).
    if raw.len() > MAX_URL {
        return None;
    }
    let mut url = Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return None;
    }
    url.set_fragment(None);
    Some(url.to_string())
}

/// The external links (`href` of `<a>`, as the sanitizer writes them: in double quotes,
/// `&` and `"` escaped) in rendered HTML, in order, each once.
pub fn links_in_html(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("href=\"") {
        rest = &rest[at + 6..];
        let Some(end) = rest.find('"') else { break };
        let value = unescape(&rest[..end]);
        rest = &rest[end..];
        if let Some(url) = normalize(&value)
            && !found.contains(&url)
        {
            found.push(url);
        }
    }
    found
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// One use of an external URL by a public record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Use {
    pub url: String,
    /// What kind of record, for people: `Lab`, `Projekt`, `Termin`, …
    pub noun: &'static str,
    pub title: String,
    /// Which field, for people: `Website`, `Text`, …
    pub field: &'static str,
    /// The record's page.
    pub view_path: String,
    /// Where its owners change it, when there is such a form.
    pub edit_path: Option<String>,
}

fn field_label(field: &str) -> &'static str {
    match field {
        "website" => "Website",
        "repository" => "Repository",
        "documentation" => "Dokumentation",
        "link" => "Link",
        "online" => "Online-Teilnahme",
        "landing" => "Landingpage",
        "access" => "Zugangs-Adresse",
        "download" => "Download-Adresse",
        _ => "Text",
    }
}

/// Where a record is shown and edited: (noun, page, edit form).
fn places(source: &LinkSource) -> (&'static str, String, Option<String>) {
    let key = &source.key;
    match source.kind.as_str() {
        "lab" => (
            "Lab",
            crate::urls::lab(key),
            Some(format!("/bearbeiten/{key}")),
        ),
        "project" => (
            "Projekt",
            crate::urls::project(key),
            Some(format!("/bearbeiten/projekte/{key}")),
        ),
        "post" => (
            "Beitrag",
            crate::urls::post(key),
            Some(format!("/bearbeiten/blog/{key}")),
        ),
        "page" => (
            "Seite",
            crate::urls::page(key),
            (!key.is_empty()).then(|| format!("/bearbeiten/{key}")),
        ),
        "meetup" => (
            "Termin",
            format!("/termine/{key}/"),
            Some(format!("/termine/{key}/bearbeiten")),
        ),
        "organization" => ("Organisation", format!("/organisationen/{key}/"), None),
        "dataset" => (
            "Datensatz",
            format!("/daten/{key}/"),
            Some(format!("/daten/{key}/bearbeiten")),
        ),
        "distribution" => (
            "Distribution",
            format!("/daten/{key}/"),
            Some(format!("/daten/{key}/bearbeiten")),
        ),
        _ => ("Eintrag", "/".to_owned(), None),
    }
}

/// Every use of an external URL by the public records of `lab` (or of all records), in
/// the order of the records.
pub async fn uses(db: &Db, lab: Option<i64>) -> Result<Vec<Use>, DbError> {
    let sources = link_checks::sources(db, lab, OffsetDateTime::now_utc().unix_timestamp()).await?;
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for source in &sources {
        let urls = if source.field == "body" {
            links_in_html(&source.value)
        } else {
            normalize(&source.value).into_iter().collect()
        };
        let (noun, view_path, edit_path) = places(source);
        for url in urls {
            if !seen.insert((source.kind.clone(), source.id.clone(), url.clone())) {
                continue;
            }
            out.push(Use {
                url,
                noun,
                title: source.title.clone(),
                field: field_label(&source.field),
                view_path: view_path.clone(),
                edit_path: edit_path.clone(),
            });
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Results for people.

/// A broken link and the record that uses it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    #[serde(flatten)]
    pub used: Use,
    /// `broken`, `unreachable`, `refused` or `timeout`.
    pub status: &'static str,
    /// What is wrong, in plain German.
    pub text: String,
    /// Since when (the first failed check), RFC 3339.
    pub since: Option<String>,
    pub last_checked: Option<String>,
}

/// The link health of a set of records.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Health {
    /// Confirmed broken links, one per use.
    pub problems: Vec<Problem>,
    /// Distinct external URLs the records use.
    pub urls: usize,
    /// Of those, failed once and checked again soon.
    pub transient: usize,
    /// Of those, not checked yet.
    pub unchecked: usize,
    /// The most recent check of any of them.
    pub last_checked: Option<String>,
}

/// The link health of `lab`'s public records (or of all).
pub async fn problems(db: &Db, lab: Option<i64>) -> Result<Health, DbError> {
    let used = uses(db, lab).await?;
    let mut urls: Vec<String> = used.iter().map(|u| u.url.clone()).collect();
    urls.sort_unstable();
    urls.dedup();
    let checks = link_checks::get_many(db, &urls).await?;
    let mut health = Health {
        urls: urls.len(),
        ..Health::default()
    };
    for url in &urls {
        match checks.get(url) {
            None => health.unchecked += 1,
            Some(check) => {
                match public_status(check) {
                    "unchecked" => health.unchecked += 1,
                    "transient" => health.transient += 1,
                    _ => {}
                }
                if check.last_checked > health.last_checked {
                    health.last_checked.clone_from(&check.last_checked);
                }
            }
        }
    }
    for u in used {
        let Some(check) = checks.get(&u.url) else {
            continue;
        };
        let Some(status) = check.status.as_deref().and_then(Status::parse) else {
            continue;
        };
        if !is_confirmed(status, check.failures) {
            continue;
        }
        health.problems.push(Problem {
            status: status.as_str(),
            text: check
                .error
                .clone()
                .unwrap_or_else(|| "Der Link funktioniert nicht.".to_owned()),
            since: check.failing_since.clone(),
            last_checked: check.last_checked.clone(),
            used: u,
        });
    }
    Ok(health)
}

/// The health of one external link of a record, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkStatus {
    /// The link as the record gives it.
    #[schema(format = "uri")]
    pub url: String,
    /// `ok`, `redirected` (works after redirects), `transient` (failed once, checked again
    /// soon), `broken` (an error status, too many redirects), `unreachable`, `timeout`,
    /// `refused` (not a public address; not checked) or `unchecked` (not checked yet).
    pub status: String,
    /// When the link was last checked.
    #[schema(format = DateTime)]
    pub last_checked: Option<String>,
}

/// The health of single URLs (as written in records), by that URL, in one query per 200
/// URLs: `status` as [`public_status`] names it (`unchecked` for URLs the checker does
/// not know yet) and `last_checked` (RFC 3339).
pub async fn health_of(db: &Db, urls: &[String]) -> Result<HashMap<String, LinkStatus>, DbError> {
    let normalized: Vec<(String, Option<String>)> =
        urls.iter().map(|u| (u.clone(), normalize(u))).collect();
    let mut keys: Vec<String> = normalized.iter().filter_map(|(_, n)| n.clone()).collect();
    keys.sort_unstable();
    keys.dedup();
    let checks = link_checks::get_many(db, &keys).await?;
    Ok(normalized
        .into_iter()
        .map(|(raw, key)| {
            let check = key.as_ref().and_then(|k| checks.get(k));
            let health = LinkStatus {
                url: raw.clone(),
                status: check.map_or("unchecked", public_status).to_owned(),
                last_checked: check.and_then(|c| c.last_checked.clone()),
            };
            (raw, health)
        })
        .collect())
}

/// The health of each of `urls` (as written in a record), in their order, each once; for
/// records assembled in pages, look all statuses up once with [`health_of`] and pick the
/// record's with this.
pub fn statuses_of(urls: &[&str], health: &HashMap<String, LinkStatus>) -> Vec<LinkStatus> {
    let mut out: Vec<LinkStatus> = Vec::new();
    for url in urls {
        if out.iter().any(|s| s.url == *url) {
            continue;
        }
        out.push(health.get(*url).cloned().unwrap_or_else(|| LinkStatus {
            url: (*url).to_owned(),
            status: "unchecked".to_owned(),
            last_checked: None,
        }));
    }
    out
}

// ---------------------------------------------------------------------------------------
// Checking.

/// One request per host per interval: every request takes the next free slot of its
/// host before it is sent.
#[derive(Debug)]
pub struct HostGate {
    interval: Duration,
    next: Mutex<HashMap<String, Instant>>,
}

impl HostGate {
    pub fn new(interval: Duration) -> HostGate {
        HostGate {
            interval,
            next: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for the host's next slot.
    pub async fn wait(&self, host: &str) {
        let slot = {
            let Ok(mut next) = self.next.lock() else {
                return;
            };
            let now = Instant::now();
            let slot = next.get(host).map_or(now, |at| (*at).max(now));
            next.insert(host.to_owned(), slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}

/// What asking one URL once (one hop) gave.
enum Hop {
    /// A final answer (not a redirect).
    Answer(u16),
    /// A redirect to this URL.
    Redirect(Url),
    Failed(Outcome),
}

/// Checks one URL under `policy`, waiting for `gate` before every request.
pub async fn check(raw: &str, policy: &Policy, gate: &HostGate) -> Outcome {
    let Ok(mut url) = Url::parse(raw.trim()) else {
        return Outcome::failed(
            Status::Broken,
            None,
            "Das ist keine gültige Web-Adresse.".to_owned(),
        );
    };
    let mut redirects = 0;
    loop {
        url.set_fragment(None);
        match hop(&url, policy, gate).await {
            Hop::Failed(outcome) => return outcome,
            Hop::Answer(code) => {
                let status = classify_status(code, redirects);
                return Outcome {
                    status,
                    http_status: Some(code),
                    final_url: (redirects > 0).then(|| url.to_string()),
                    error: (!status.works()).then(|| status_text(code)),
                };
            }
            Hop::Redirect(next) => {
                redirects += 1;
                if redirects > policy.max_redirects {
                    return Outcome::failed(
                        Status::Broken,
                        None,
                        format!(
                            "Die Adresse leitet öfter als {}-mal weiter (vielleicht im Kreis).",
                            policy.max_redirects
                        ),
                    );
                }
                url = next;
            }
        }
    }
}

async fn hop(url: &Url, policy: &Policy, gate: &HostGate) -> Hop {
    if !matches!(url.scheme(), "http" | "https") {
        return Hop::Failed(Outcome::failed(
            Status::Broken,
            None,
            format!(
                "Die Adresse leitet auf eine Adresse mit {}:// weiter, die kein Browser als \
                 Webseite öffnet.",
                url.scheme()
            ),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Hop::Failed(Outcome::failed(
            Status::Refused,
            None,
            "Die Adresse enthält einen Benutzernamen oder ein Passwort; solche Adressen prüft \
             die Plattform nicht."
                .to_owned(),
        ));
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let client = match client_for(url, policy).await {
        Ok(client) => client,
        Err(outcome) => return Hop::Failed(*outcome),
    };

    gate.wait(&host).await;
    let head = tokio::time::timeout(policy.timeout, client.head(url.clone()).send()).await;
    let response = match head {
        Err(_elapsed) => return Hop::Failed(timed_out(&host, policy)),
        Ok(Ok(response))
            if !matches!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED
            ) =>
        {
            response
        }
        // HEAD refused (405, 501) or failed: ask with GET, reading only a little.
        Ok(_) => {
            gate.wait(&host).await;
            let sent = tokio::time::timeout(policy.timeout, client.get(url.clone()).send()).await;
            match sent {
                Err(_elapsed) => return Hop::Failed(timed_out(&host, policy)),
                Ok(Err(err)) => return Hop::Failed(request_failed(&host, &err, policy)),
                Ok(Ok(mut response)) => {
                    // The status is known: read the first few KB as a browser would
                    // start to, briefly, whatever comes of it.
                    if !is_redirect(response.status()) {
                        let limit = policy.max_body;
                        let _ = tokio::time::timeout(policy.timeout / 5, async {
                            let mut read = 0;
                            while read < limit {
                                match response.chunk().await {
                                    Ok(Some(chunk)) => read += chunk.len(),
                                    Ok(None) | Err(_) => break,
                                }
                            }
                        })
                        .await;
                    }
                    response
                }
            }
        }
    };
    let status = response.status();
    if is_redirect(status) {
        let next = response
            .headers()
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|location| url.join(location.trim()).ok());
        return match next {
            Some(next) => Hop::Redirect(next),
            None => Hop::Failed(Outcome::failed(
                Status::Broken,
                Some(status.as_u16()),
                status_text(status.as_u16()),
            )),
        };
    }
    Hop::Answer(status.as_u16())
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    )
}

fn timed_out(host: &str, policy: &Policy) -> Outcome {
    let seconds = policy.timeout.as_secs().max(1);
    Outcome::failed(
        Status::Timeout,
        None,
        format!("Der Server {host} antwortet nicht innerhalb von {seconds} Sekunden."),
    )
}

fn request_failed(host: &str, err: &reqwest::Error, policy: &Policy) -> Outcome {
    if err.is_timeout() {
        return timed_out(host, policy);
    }
    let text = if crate::calendars::fetch::is_tls_error(err) {
        format!(
            "Die verschlüsselte Verbindung (HTTPS) zu {host} gelingt nicht, meist wegen eines \
             ungültigen oder abgelaufenen Zertifikats."
        )
    } else {
        format!("Der Server {host} ist nicht erreichbar (die Verbindung schlägt fehl).")
    };
    tracing::debug!(host, error = %err, "link check failed");
    Outcome::failed(Status::Unreachable, None, text)
}

/// Resolves and checks the host of `url` (the guard of [`crate::calendars::fetch`]) and
/// builds a client that connects only to the checked addresses.
async fn client_for(url: &Url, policy: &Policy) -> Result<reqwest::Client, Box<Outcome>> {
    let host = url.host_str().unwrap_or_default().to_owned();
    let guard = FetchPolicy {
        allow_private: policy.allow_private,
        ..FetchPolicy::default()
    };
    let refused = |addr: IpAddr| {
        Box::new(Outcome::failed(
            Status::Refused,
            None,
            format!(
                "Die Adresse zeigt in ein privates Netz ({addr}); solche Adressen prüft die \
                 Plattform nicht."
            ),
        ))
    };
    let port = url.port_or_known_default().unwrap_or(80);
    let mut pinned: Option<(String, Vec<SocketAddr>)> = None;
    match url.host() {
        Some(Host::Ipv4(ip)) if !classify(IpAddr::V4(ip)).allowed(&guard) => {
            return Err(refused(IpAddr::V4(ip)));
        }
        Some(Host::Ipv6(ip)) if !classify(IpAddr::V6(ip)).allowed(&guard) => {
            return Err(refused(IpAddr::V6(ip)));
        }
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => {}
        Some(Host::Domain(domain)) => {
            let lookup =
                tokio::time::timeout(policy.timeout, tokio::net::lookup_host((domain, port))).await;
            let resolved: Vec<SocketAddr> = match lookup {
                Err(_elapsed) => return Err(Box::new(timed_out(&host, policy))),
                Ok(Ok(addrs)) => addrs.collect(),
                Ok(Err(_)) => Vec::new(),
            };
            if resolved.is_empty() {
                return Err(Box::new(Outcome::failed(
                    Status::Unreachable,
                    None,
                    format!("Den Servernamen {host} gibt es nicht (mehr)."),
                )));
            }
            if let Some(bad) = resolved
                .iter()
                .find(|addr| !classify(addr.ip()).allowed(&guard))
            {
                return Err(refused(bad.ip()));
            }
            pinned = Some((domain.to_owned(), resolved));
        }
        None => {
            return Err(Box::new(Outcome::failed(
                Status::Broken,
                None,
                "Das ist keine gültige Web-Adresse.".to_owned(),
            )));
        }
    }
    install_crypto_provider();
    let mut builder = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .referer(false)
        .http1_only()
        .user_agent(policy.user_agent.as_str())
        .connect_timeout(policy.timeout.min(Duration::from_secs(10)))
        .pool_max_idle_per_host(0);
    if let Some((domain, addrs)) = &pinned {
        builder = builder.resolve_to_addrs(domain, addrs);
    }
    builder.build().map_err(|err| {
        Box::new(Outcome::failed(
            Status::Unreachable,
            None,
            format!("Die Prüfung von {host} ließ sich nicht vorbereiten ({err})."),
        ))
    })
}

// ---------------------------------------------------------------------------------------
// Rounds.

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    /// Distinct external URLs public records use.
    pub urls: usize,
    /// New and forgotten URLs.
    pub added: u64,
    pub removed: u64,
    /// URLs checked in this round (by this instance).
    pub checked: usize,
    /// Of those, failing now.
    pub failing: usize,
}

fn stamp(at: OffsetDateTime) -> String {
    link_checks::timestamp(at)
}

fn after(at: OffsetDateTime, pause: Duration) -> String {
    stamp(at + time::Duration::seconds(i64::try_from(pause.as_secs()).unwrap_or(i64::MAX / 2)))
}

/// One round: brings the list of URLs up to date with the records, then checks every URL
/// that is due (at most [`Policy::batch`]), a few at a time, politely. Several instances
/// may run rounds at once: each URL is checked by the one that claims it.
pub async fn run_round(db: &Db, policy: &Policy) -> Result<Round, DbError> {
    let used: HashSet<String> = uses(db, None).await?.into_iter().map(|u| u.url).collect();
    let now = stamp(OffsetDateTime::now_utc());
    let mut tx = db.begin().await?;
    let (added, removed) = link_checks::sync_urls(&mut tx, &used, &now).await?;
    codefor_storage::commit(tx).await?;

    let due = link_checks::due(db, &now, policy.batch).await?;
    let queue = Arc::new(Mutex::new(VecDeque::from(due)));
    let gate = Arc::new(HostGate::new(policy.per_host_interval));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..policy.parallel.max(1) {
        let (db, policy, queue, gate) = (db.clone(), policy.clone(), queue.clone(), gate.clone());
        workers.spawn(async move {
            let mut tally = (0usize, 0usize, false);
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop_front());
                let Some(row) = next else { break };
                match check_one(&db, &policy, &gate, &row).await? {
                    None => {}
                    Some((works, changed)) => {
                        tally.0 += 1;
                        tally.1 += usize::from(!works);
                        tally.2 |= changed;
                    }
                }
            }
            Ok::<_, DbError>(tally)
        });
    }
    let mut round = Round {
        urls: used.len(),
        added,
        removed,
        ..Round::default()
    };
    let mut changed = false;
    let mut failed = None;
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(Ok((checked, failing, any_change))) => {
                round.checked += checked;
                round.failing += failing;
                changed |= any_change;
            }
            Ok(Err(e)) => failed = Some(e),
            Err(e) => tracing::warn!(error = %e, "link check worker ended abnormally"),
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    // What the API shows of links changed: cached pages must not keep the old state.
    if changed {
        let mut tx = db.begin().await?;
        codefor_storage::bump_content_version(&mut tx).await?;
        codefor_storage::commit(tx).await?;
    }
    Ok(round)
}

/// Claims, checks and records one URL. `None` when another instance claimed it first;
/// else whether it works and whether its public status changed.
async fn check_one(
    db: &Db,
    policy: &Policy,
    gate: &HostGate,
    row: &LinkCheck,
) -> Result<Option<(bool, bool)>, DbError> {
    let started = OffsetDateTime::now_utc();
    // Long enough for every redirect's request and its GET.
    let lease = policy
        .timeout
        .saturating_mul(2 * (u32::try_from(policy.max_redirects).unwrap_or(5) + 1))
        + Duration::from_secs(600);
    if !link_checks::claim(db, &row.url, &stamp(started), &after(started, lease)).await? {
        return Ok(None);
    }
    let outcome = check(&row.url, policy, gate).await;
    let at = OffsetDateTime::now_utc();
    let now = stamp(at);
    let (failures, failing_since) = next_failures(
        outcome.status,
        row.failures,
        row.failing_since.as_deref(),
        &now,
    );
    let next_check = after(at, backoff(failures));
    let mut tx = db.begin().await?;
    link_checks::record(
        &mut tx,
        &row.url,
        &Checked {
            status: outcome.status.as_str(),
            http_status: outcome.http_status.map(i64::from),
            final_url: outcome.final_url.as_deref(),
            error: outcome.error.as_deref(),
            failures,
            failing_since: failing_since.as_deref(),
            checked_at: &now,
            next_check: &next_check,
        },
    )
    .await?;
    codefor_storage::commit(tx).await?;
    let before = public_status(row);
    let after_check = LinkCheck {
        status: Some(outcome.status.as_str().to_owned()),
        failures,
        ..row.clone()
    };
    if !outcome.status.works() {
        tracing::info!(url = %row.url, status = outcome.status.as_str(), failures, "link check failed");
    }
    Ok(Some((
        outcome.status.works(),
        before != public_status(&after_check),
    )))
}

/// The background task: a round every `every` (the first one `every`, at most five
/// minutes, after the start, so a short-lived server never reaches out), for as long as
/// the server runs. Errors of one round are logged; the next round tries again.
pub async fn run(db: Db, policy: Policy, every: Duration) {
    let every = every.max(Duration::from_secs(1));
    let first = tokio::time::Instant::now() + every.min(Duration::from_secs(300));
    let mut tick = tokio::time::interval_at(first, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match run_round(&db, &policy).await {
            Ok(round) if round.checked > 0 => tracing::info!(
                urls = round.urls,
                checked = round.checked,
                failing = round.failing,
                "link check round done"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "link check round failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(status: Option<&str>, failures: i64) -> LinkCheck {
        LinkCheck {
            url: "https://example.org/".into(),
            first_seen: "2026-01-01T00:00:00Z".into(),
            last_checked: status.map(|_| "2026-01-02T00:00:00Z".into()),
            next_check: "2026-01-03T00:00:00Z".into(),
            status: status.map(str::to_owned),
            http_status: None,
            final_url: None,
            error: None,
            failures,
            failing_since: None,
        }
    }

    #[test]
    fn backoff_grows_from_an_hour_to_a_week() {
        let hours = |n| backoff(n).as_secs() / 3600;
        assert_eq!(hours(0), 24, "working links daily");
        assert_eq!(hours(1), 1, "a first failure is confirmed or cleared soon");
        assert_eq!(hours(2), 6);
        assert_eq!(hours(3), 12);
        assert_eq!(hours(4), 24);
        assert_eq!(hours(5), 48);
        assert_eq!(hours(6), 96);
        assert_eq!(hours(7), 168);
        assert_eq!(hours(100), 168, "never more than a week");
        assert_eq!(hours(i64::MAX), 168);
        for n in 1..10 {
            assert!(backoff(n) <= backoff(n + 1), "{n}");
        }
    }

    #[test]
    fn answers_are_classified() {
        assert_eq!(classify_status(200, 0), Status::Ok);
        assert_eq!(classify_status(204, 0), Status::Ok);
        assert_eq!(classify_status(200, 1), Status::Redirected);
        assert_eq!(classify_status(404, 0), Status::Broken);
        assert_eq!(classify_status(404, 2), Status::Broken);
        assert_eq!(classify_status(500, 0), Status::Broken);
        assert_eq!(classify_status(304, 0), Status::Broken);
        assert!(status_text(404).contains("gibt es nicht"));
        assert!(status_text(503).contains("HTTP 503"));
        for s in [
            "ok",
            "redirected",
            "broken",
            "unreachable",
            "refused",
            "timeout",
        ] {
            assert_eq!(Status::parse(s).map(Status::as_str), Some(s));
        }
        assert_eq!(Status::parse("kaputt"), None);
    }

    #[test]
    fn a_link_is_broken_only_after_two_failures() {
        assert!(!is_confirmed(Status::Broken, 1));
        assert!(is_confirmed(Status::Broken, 2));
        assert!(!is_confirmed(Status::Timeout, 1));
        assert!(is_confirmed(Status::Unreachable, 3));
        assert!(
            is_confirmed(Status::Refused, 1),
            "refusal does not change by retrying"
        );
        assert!(!is_confirmed(Status::Ok, 5));
        assert_eq!(public_status(&stored(None, 0)), "unchecked");
        assert_eq!(public_status(&stored(Some("ok"), 0)), "ok");
        assert_eq!(public_status(&stored(Some("broken"), 1)), "transient");
        assert_eq!(public_status(&stored(Some("broken"), 2)), "broken");
        assert_eq!(public_status(&stored(Some("refused"), 1)), "refused");

        let (n, since) = next_failures(Status::Timeout, 0, None, "T1");
        assert_eq!((n, since.as_deref()), (1, Some("T1")));
        let (n, since) = next_failures(Status::Broken, 1, Some("T1"), "T2");
        assert_eq!(
            (n, since.as_deref()),
            (2, Some("T1")),
            "since the first failure"
        );
        assert_eq!(
            next_failures(Status::Redirected, 4, Some("T1"), "T3"),
            (0, None)
        );
    }

    #[test]
    fn links_are_found_in_html_and_normalized() {
        let html = r#"<p><a href="https://example.org/a?x=1&amp;y=2#top">a</a>
            <a href="/intern/">intern</a> <a href="mailto:x@example.org">m</a>
            <a href="https://example.org/a?x=1&amp;y=2">again</a>
            <a href="http://Example.ORG:80/b">b</a><img src="https://img.example.org/x.png"></p>"#;
        assert_eq!(
            links_in_html(html),
            vec![
                "https://example.org/a?x=1&y=2".to_owned(),
                "http://example.org/b".to_owned()
            ]
        );
        assert_eq!(
            normalize(" https://example.org "),
            Some("https://example.org/".into())
        );
        assert_eq!(normalize("ftp://example.org/"), None);
        assert_eq!(normalize("example.org"), None);
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL));
        assert_eq!(normalize(&long), None);
    }

    #[test]
    fn the_user_agent_names_the_platform_and_the_site() {
        let ua = user_agent(Some("https://codefor.example/"));
        assert!(ua.starts_with("codefor-link-check/"), "{ua}");
        assert!(ua.contains("+https://codefor.example;"), "{ua}");
        assert!(user_agent(None).contains("https://codefor.de"));
    }

    #[tokio::test]
    async fn the_gate_spaces_requests_to_one_host() {
        let gate = HostGate::new(Duration::from_millis(200));
        let start = Instant::now();
        gate.wait("a.example").await;
        gate.wait("b.example").await;
        assert!(
            start.elapsed() < Duration::from_millis(150),
            "other hosts do not wait"
        );
        gate.wait("a.example").await;
        gate.wait("a.example").await;
        assert!(start.elapsed() >= Duration::from_millis(400));
    }
}
