//! Fetching a lab's external iCalendar feed (Meetup, GetTogether, Nextcloud `.ics` URLs):
//! one bounded, safe HTTP GET.
//!
//! The URL comes from a lab lead, so the request must not become a way into the
//! platform's own network (SSRF):
//!
//! - only `http` and `https`, never with a user name or password in the URL;
//! - the host is resolved here, every address is classified ([`classify`]) and the request
//!   is refused if any of them is not public (unless [`FetchPolicy::allow_private`]);
//!   reqwest then connects only to exactly these checked addresses, so a DNS answer that
//!   changes between check and connect (DNS rebinding) cannot reach anything else;
//! - redirects are followed by hand, each new URL checked the same way;
//! - no proxy from the environment, one deadline for the whole exchange (slowly trickled
//!   bodies included), a size limit counted while streaming, UTF-8 only.
//!
//! Every [`FetchError`] reads as a German sentence a lab lead can act on.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Once;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::{Host, Url};

/// What is sent as `User-Agent`, so feed operators can see who asks.
pub const USER_AGENT: &str = concat!(
    "codefor-calendar-sync/",
    env!("CARGO_PKG_VERSION"),
    " (+https://codefor.de)"
);

/// Connecting (TCP and TLS) never waits longer than this, even under a longer overall
/// deadline.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const MIB: usize = 1024 * 1024;

/// The limits of one fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Allow loopback, private, link-local and other non-public addresses. Only for tests
    /// and development; never set it for URLs that users enter. Unspecified (`0.0.0.0`,
    /// `::`), broadcast and multicast addresses are refused even then.
    pub allow_private: bool,
    /// The deadline for the whole exchange: resolving, connecting, every redirect, the
    /// headers and the complete body.
    pub timeout: Duration,
    /// The largest body accepted, in bytes.
    pub max_bytes: usize,
    /// How many redirects are followed at most.
    pub max_redirects: usize,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(20),
            max_bytes: 2 * MIB,
            max_redirects: 3,
        }
    }
}

/// The cache validators of a fetched feed, sent back on the next fetch so an unchanged
/// feed answers `304 Not Modified`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` header, verbatim (quotes and `W/` included).
    pub etag: Option<String>,
    /// The `Last-Modified` header, verbatim.
    pub last_modified: Option<String>,
}

impl Validators {
    /// Whether there is anything to send as a condition.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// The outcome of a successful fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The server confirmed that the feed did not change since `previous`.
    NotModified,
    /// The feed's text (UTF-8, without byte order mark), its new validators and the media
    /// type the server named (`Content-Type` without parameters, in lower case).
    Body {
        text: String,
        validators: Validators,
        content_type: Option<String>,
    },
}

/// Why a feed could not be fetched. `Display` is a German sentence for the lab lead;
/// `Debug` keeps the technical detail for the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The text is not a URL (the text as entered).
    #[error(
        "„{0}“ ist keine gültige Web-Adresse. Bitte die vollständige Adresse des Kalenders \
         eintragen, beginnend mit https://."
    )]
    BadUrl(String),
    /// A scheme other than `http` or `https`.
    #[error("{}", scheme_message(.scheme))]
    Scheme { scheme: String },
    /// The URL carries a user name or password.
    #[error(
        "Die Adresse enthält einen Benutzernamen oder ein Passwort; solche Adressen ruft die \
         Plattform nicht ab. Bitte den öffentlichen Link des Kalenders verwenden."
    )]
    Credentials,
    /// The host is or resolves to an address that is not public.
    #[error("{}", private_message(.host, .addr))]
    PrivateAddress { host: String, addr: IpAddr },
    /// The host name could not be resolved.
    #[error("Der Servername {host} wurde nicht gefunden. Bitte die Adresse auf Tippfehler prüfen.")]
    Dns { host: String, detail: String },
    /// The deadline passed (connecting, or the whole exchange).
    #[error("Der Server {host} antwortete nicht innerhalb von {}.", seconds_text(*.seconds))]
    Timeout { host: String, seconds: u64 },
    /// The body is larger than [`FetchPolicy::max_bytes`].
    #[error(
        "Die Datei ist größer als {}. Kalenderdateien sind viel kleiner; bitte prüfen, ob die \
         Adresse auf die Kalenderdatei (.ics) zeigt.",
        size_text(*.limit)
    )]
    TooLarge { limit: usize },
    /// More redirects than [`FetchPolicy::max_redirects`].
    #[error(
        "Die Adresse leitet öfter als {limit}-mal weiter. Bitte die endgültige Adresse des \
         Kalenders eintragen."
    )]
    TooManyRedirects { limit: usize },
    /// A redirect without a usable `Location`.
    #[error("Der Server {host} leitete auf eine ungültige Adresse weiter.")]
    BadRedirect { host: String },
    /// Any answer other than 200, 304 (to a conditional request) or a redirect.
    #[error("{}", status_message(.host, *.code))]
    Status { host: String, code: u16 },
    /// The TLS handshake failed (certificate invalid, expired, for another name, …).
    #[error(
        "Die verschlüsselte Verbindung (HTTPS) zu {host} ließ sich nicht aufbauen, meist wegen \
         eines ungültigen oder abgelaufenen Zertifikats. Bitte den Betreiber des Kalenders \
         darauf hinweisen."
    )]
    Tls { host: String, detail: String },
    /// Connecting or reading failed otherwise.
    #[error(
        "Die Verbindung zum Server {host} ist fehlgeschlagen. Bitte die Adresse prüfen oder es \
         später noch einmal versuchen."
    )]
    Network { host: String, detail: String },
    /// The body is not valid UTF-8.
    #[error(
        "Die Datei von {host} ist keine Textdatei in UTF-8 und damit keine Kalenderdatei (.ics). \
         Bitte prüfen, ob die Adresse auf die Kalenderdatei zeigt."
    )]
    NotText { host: String },
}

/// What kind of network an IP address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressKind {
    /// A globally reachable address: fetched.
    Public,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`, site-local `fec0::/10`,
    /// local-use NAT64 `64:ff9b:1::/48`.
    Private,
    /// `169.254.0.0/16`, `fe80::/10`.
    LinkLocal,
    /// `fc00::/7`.
    UniqueLocal,
    /// Carrier-grade NAT, `100.64.0.0/10`.
    SharedAddressSpace,
    /// `192.0.2.0/24`, `198.51.100.0/24`, `203.0.113.0/24`, `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// Other special-purpose ranges: `192.0.0.0/24`, `192.88.99.0/24`, benchmarking
    /// `198.18.0.0/15`, `240.0.0.0/4`, discard `100::/64`, `2001::/23` (Teredo, ORCHID, …),
    /// and IPv6 outside the global unicast `2000::/3`.
    Reserved,
    /// `0.0.0.0/8`, `::` (which the kernel may route to the machine itself).
    Unspecified,
    /// `255.255.255.255`.
    Broadcast,
    /// `224.0.0.0/4`, `ff00::/8`.
    Multicast,
}

impl AddressKind {
    /// Whether a fetch under `policy` may connect to an address of this kind.
    pub fn allowed(self, policy: &FetchPolicy) -> bool {
        match self {
            Self::Public => true,
            Self::Unspecified | Self::Broadcast | Self::Multicast => false,
            Self::Loopback
            | Self::Private
            | Self::LinkLocal
            | Self::UniqueLocal
            | Self::SharedAddressSpace
            | Self::Documentation
            | Self::Reserved => policy.allow_private,
        }
    }
}

/// Classifies an address. IPv4 embedded in IPv6 (IPv4-mapped `::ffff:0:0/96`,
/// IPv4-compatible `::/96`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) is classified by the
/// IPv4 address inside.
pub fn classify(ip: IpAddr) -> AddressKind {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressKind {
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        (0, _, _) => AddressKind::Unspecified,
        _ if ip.is_broadcast() => AddressKind::Broadcast,
        (224..=239, _, _) => AddressKind::Multicast,
        (240..=255, _, _) => AddressKind::Reserved,
        (127, _, _) => AddressKind::Loopback,
        (10, _, _) | (192, 168, _) => AddressKind::Private,
        (172, 16..=31, _) => AddressKind::Private,
        (169, 254, _) => AddressKind::LinkLocal,
        (100, 64..=127, _) => AddressKind::SharedAddressSpace,
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => AddressKind::Documentation,
        (198, 18..=19, _) | (192, 0, 0) | (192, 88, 99) => AddressKind::Reserved,
        _ => AddressKind::Public,
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressKind {
    if ip.is_unspecified() {
        return AddressKind::Unspecified;
    }
    if ip.is_loopback() {
        return AddressKind::Loopback;
    }
    let s = ip.segments();
    let [.., o12, o13, o14, o15] = ip.octets();
    let last_v4 = Ipv4Addr::new(o12, o13, o14, o15);
    match s {
        // IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d (deprecated) and
        // IPv4-translated ::ffff:0:a.b.c.d.
        [0, 0, 0, 0, 0, 0xffff, _, _]
        | [0, 0, 0, 0, 0, 0, _, _]
        | [0, 0, 0, 0, 0xffff, 0, _, _] => classify_v4(last_v4),
        // NAT64 well-known prefix.
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => classify_v4(last_v4),
        [0x64, 0xff9b, 1, ..] => AddressKind::Private,
        // 6to4 carries the IPv4 address in the second and third segment.
        [0x2002, hi, lo, ..] => {
            let [a, b] = hi.to_be_bytes();
            let [c, d] = lo.to_be_bytes();
            classify_v4(Ipv4Addr::new(a, b, c, d))
        }
        [0x2001, 0x0db8, ..] => AddressKind::Documentation,
        [0x3fff, second, ..] if second < 0x1000 => AddressKind::Documentation,
        [0x2001, second, ..] if second < 0x0200 => AddressKind::Reserved,
        [0x0100, 0, 0, 0, ..] => AddressKind::Reserved,
        [first, ..] if first & 0xfe00 == 0xfc00 => AddressKind::UniqueLocal,
        [first, ..] if first & 0xffc0 == 0xfe80 => AddressKind::LinkLocal,
        [first, ..] if first & 0xffc0 == 0xfec0 => AddressKind::Private,
        [first, ..] if first & 0xff00 == 0xff00 => AddressKind::Multicast,
        [first, ..] if first & 0xe000 == 0x2000 => AddressKind::Public,
        _ => AddressKind::Reserved,
    }
}

/// Fetches the calendar at `url` under `policy`, conditionally on `previous`
/// (`If-None-Match`, `If-Modified-Since`).
pub async fn fetch(
    url: &str,
    previous: &Validators,
    policy: &FetchPolicy,
) -> Result<Fetched, FetchError> {
    fetch_accepting(
        url,
        previous,
        policy,
        "text/calendar, text/plain;q=0.8, */*;q=0.5",
    )
    .await
}

/// [`fetch`] for other kinds of documents: `accept` is the `Accept` header to send.
pub async fn fetch_accepting(
    url: &str,
    previous: &Validators,
    policy: &FetchPolicy,
    accept: &str,
) -> Result<Fetched, FetchError> {
    let url = parse_url(url)?;
    let host = host_text(&url);
    let exchange = fetch_following(url, previous, policy, accept);
    match tokio::time::timeout(policy.timeout, exchange).await {
        Ok(result) => result,
        Err(_elapsed) => Err(FetchError::Timeout {
            host,
            seconds: whole_seconds(policy.timeout),
        }),
    }
}

/// Parses what a user entered and checks its scheme and credentials (no network).
pub fn parse_url(raw: &str) -> Result<Url, FetchError> {
    let trimmed = raw.trim();
    let url = Url::parse(trimmed).map_err(|_| FetchError::BadUrl(trimmed.to_owned()))?;
    check_url(&url)?;
    Ok(url)
}

fn check_url(url: &Url) -> Result<(), FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::Scheme {
            scheme: url.scheme().to_owned(),
        });
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FetchError::Credentials);
    }
    if url.host().is_none() {
        return Err(FetchError::BadUrl(url.to_string()));
    }
    Ok(())
}

async fn fetch_following(
    mut url: Url,
    previous: &Validators,
    policy: &FetchPolicy,
    accept: &str,
) -> Result<Fetched, FetchError> {
    let mut redirects = 0;
    loop {
        url.set_fragment(None);
        let host = host_text(&url);
        let client = client_for(&url, policy).await?;
        let mut request = client.get(url.clone()).header(header::ACCEPT, accept);
        let mut conditional = false;
        if let Some(value) = header_value(previous.etag.as_deref()) {
            request = request.header(header::IF_NONE_MATCH, value);
            conditional = true;
        }
        if let Some(value) = header_value(previous.last_modified.as_deref()) {
            request = request.header(header::IF_MODIFIED_SINCE, value);
            conditional = true;
        }
        let mut response = request
            .send()
            .await
            .map_err(|err| request_error(&host, &err, policy))?;
        let status = response.status();

        if is_redirect(status) {
            let next = response
                .headers()
                .get(header::LOCATION)
                .and_then(|value| value.to_str().ok())
                .and_then(|location| url.join(location.trim()).ok())
                .ok_or_else(|| FetchError::BadRedirect { host: host.clone() })?;
            check_url(&next)?;
            redirects += 1;
            if redirects > policy.max_redirects {
                return Err(FetchError::TooManyRedirects {
                    limit: policy.max_redirects,
                });
            }
            url = next;
            continue;
        }
        if status == StatusCode::NOT_MODIFIED && conditional {
            return Ok(Fetched::NotModified);
        }
        if !matches!(
            status,
            StatusCode::OK | StatusCode::NON_AUTHORITATIVE_INFORMATION
        ) {
            return Err(FetchError::Status {
                host,
                code: status.as_u16(),
            });
        }

        let too_large = FetchError::TooLarge {
            limit: policy.max_bytes,
        };
        let announced = content_length(response.headers()).or(response.content_length());
        if announced.is_some_and(|length| length > policy.max_bytes as u64) {
            return Err(too_large);
        }
        let validators = Validators {
            etag: header_text(response.headers(), &header::ETAG),
            last_modified: header_text(response.headers(), &header::LAST_MODIFIED),
        };
        let content_type = header_text(response.headers(), &header::CONTENT_TYPE).map(|t| {
            t.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });

        let capacity = announced.map_or(0, |length| length as usize);
        let mut body = Vec::with_capacity(capacity.min(policy.max_bytes));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| request_error(&host, &err, policy))?
        {
            if chunk.len() > policy.max_bytes.saturating_sub(body.len()) {
                return Err(too_large);
            }
            body.extend_from_slice(&chunk);
        }

        let body = body
            .strip_prefix(b"\xEF\xBB\xBF")
            .map_or(body.as_slice(), |rest| rest);
        let text = std::str::from_utf8(body)
            .map_err(|_| FetchError::NotText { host: host.clone() })?
            .to_owned();
        return Ok(Fetched::Body {
            text,
            validators,
            content_type,
        });
    }
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

/// Resolves and checks `url`'s host and builds a client that connects only to the
/// checked addresses.
async fn client_for(url: &Url, policy: &FetchPolicy) -> Result<reqwest::Client, FetchError> {
    let host = host_text(url);
    let port = url.port_or_known_default().unwrap_or(80);
    let check = |addr: IpAddr| {
        if classify(addr).allowed(policy) {
            Ok(())
        } else {
            Err(FetchError::PrivateAddress {
                host: host.clone(),
                addr,
            })
        }
    };

    let mut pinned: Option<(String, Vec<SocketAddr>)> = None;
    match url.host() {
        Some(Host::Ipv4(ip)) => check(IpAddr::V4(ip))?,
        Some(Host::Ipv6(ip)) => check(IpAddr::V6(ip))?,
        Some(Host::Domain(domain)) => {
            let resolved: BTreeSet<SocketAddr> = tokio::net::lookup_host((domain, port))
                .await
                .map_err(|err| FetchError::Dns {
                    host: host.clone(),
                    detail: err.to_string(),
                })?
                .collect();
            if resolved.is_empty() {
                return Err(FetchError::Dns {
                    host,
                    detail: "no addresses".to_owned(),
                });
            }
            for addr in &resolved {
                check(addr.ip())?;
            }
            pinned = Some((domain.to_owned(), resolved.into_iter().collect()));
        }
        None => return Err(FetchError::BadUrl(url.to_string())),
    }

    install_crypto_provider();
    let mut builder = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .referer(false)
        .http1_only()
        .user_agent(USER_AGENT)
        .connect_timeout(connect_timeout(policy))
        .pool_max_idle_per_host(0);
    if let Some((domain, addrs)) = &pinned {
        builder = builder.resolve_to_addrs(domain, addrs);
    }
    builder.build().map_err(|err| FetchError::Network {
        host,
        detail: error_chain(&err),
    })
}

/// reqwest is built without a crypto provider of its own (its default, aws-lc-rs, needs
/// cmake); rustls' ring provider, which lettre uses too, becomes the process default once.
/// Every reqwest client of the process needs it, also the tests' own.
pub fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Fails only if a provider is installed already, which then serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

fn connect_timeout(policy: &FetchPolicy) -> Duration {
    policy.timeout.min(MAX_CONNECT_TIMEOUT)
}

fn request_error(host: &str, err: &reqwest::Error, policy: &FetchPolicy) -> FetchError {
    let host = host.to_owned();
    let detail = error_chain(err);
    if err.is_timeout() {
        // Only the connect timeout surfaces here; the overall deadline is outside.
        return FetchError::Timeout {
            host,
            seconds: whole_seconds(connect_timeout(policy)),
        };
    }
    if is_tls_error(err) {
        return FetchError::Tls { host, detail };
    }
    FetchError::Network { host, detail }
}

/// Whether a request failed in TLS (a certificate or handshake problem) rather than on
/// the network.
pub(crate) fn is_tls_error(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(err) = current {
        if err.is::<rustls::Error>() {
            return true;
        }
        // `io::Error::source` skips the error it wraps, so step into it by hand.
        current = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    false
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut current = err.source();
    while let Some(err) = current {
        let _ = write!(text, ": {err}");
        current = err.source();
    }
    text
}

fn header_value(value: Option<&str>) -> Option<HeaderValue> {
    value.and_then(|value| HeaderValue::from_str(value).ok())
}

fn header_text(headers: &HeaderMap, name: &header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The host as people write it (`example.org`, `10.0.0.5`, `[::1]`).
fn host_text(url: &Url) -> String {
    url.host_str().unwrap_or_default().to_owned()
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

fn size_text(bytes: usize) -> String {
    if bytes >= MIB {
        if bytes.is_multiple_of(MIB) {
            format!("{} MB", bytes / MIB)
        } else {
            let tenths = (bytes * 10).div_ceil(MIB);
            format!("{},{} MB", tenths / 10, tenths % 10)
        }
    } else if bytes >= 1024 {
        format!("{} kB", bytes.div_ceil(1024))
    } else {
        format!("{bytes} Bytes")
    }
}

fn scheme_message(scheme: &str) -> String {
    if scheme.eq_ignore_ascii_case("webcal") || scheme.eq_ignore_ascii_case("webcals") {
        format!(
            "Adressen mit {scheme}:// ruft die Plattform nicht ab. Bitte dieselbe Adresse mit \
             https:// statt {scheme}:// eintragen."
        )
    } else {
        format!(
            "Die Plattform ruft nur Adressen mit http:// oder https:// ab, nicht mit {scheme}://."
        )
    }
}

fn private_message(host: &str, addr: &IpAddr) -> String {
    let literal = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip == *addr);
    let subject = if literal {
        "Die Adresse".to_owned()
    } else {
        format!("Die Adresse {host}")
    };
    format!(
        "{subject} zeigt in ein privates Netz ({addr}); solche Adressen ruft die Plattform \
         nicht ab."
    )
}

fn status_message(host: &str, code: u16) -> String {
    let reason = match code {
        204 => " (keine Inhalte)",
        304 => " (nicht verändert)",
        400 => " (ungültige Anfrage)",
        401 => " (Anmeldung erforderlich)",
        403 => " (Zugriff verweigert)",
        404 => " (nicht gefunden)",
        410 => " (nicht mehr vorhanden)",
        429 => " (zu viele Anfragen)",
        500 => " (interner Serverfehler)",
        502 => " (fehlerhaftes Gateway)",
        503 => " (Dienst nicht verfügbar)",
        504 => " (Gateway-Zeitüberschreitung)",
        _ => "",
    };
    let hint = match code {
        401 | 403 => " Der Kalender ist vermutlich nicht öffentlich freigegeben.",
        404 | 410 => " Bitte prüfen, ob die Adresse des Kalenders noch stimmt.",
        429 | 500..=599 => " Das ist meist ein vorübergehendes Problem beim Anbieter.",
        _ => "",
    };
    format!("Der Server {host} antwortete mit Status {code}{reason}.{hint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_sentences() {
        let timeout = FetchError::Timeout {
            host: "example.org".into(),
            seconds: 20,
        };
        assert_eq!(
            timeout.to_string(),
            "Der Server example.org antwortete nicht innerhalb von 20 Sekunden."
        );
        assert!(
            FetchError::TooLarge { limit: 2 * MIB }
                .to_string()
                .starts_with("Die Datei ist größer als 2 MB.")
        );
        assert_eq!(size_text(64 * 1024), "64 kB");
        assert_eq!(size_text(MIB + MIB / 2), "1,5 MB");
        let private = FetchError::PrivateAddress {
            host: "10.0.0.5".into(),
            addr: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5)),
        };
        assert_eq!(
            private.to_string(),
            "Die Adresse zeigt in ein privates Netz (10.0.0.5); solche Adressen ruft die \
             Plattform nicht ab."
        );
        let status = FetchError::Status {
            host: "example.org".into(),
            code: 404,
        };
        assert!(
            status
                .to_string()
                .starts_with("Der Server example.org antwortete mit Status 404 (nicht gefunden).")
        );
    }
}
