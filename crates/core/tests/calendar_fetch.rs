//! `calendars::fetch` against a real HTTP/1.1 server on 127.0.0.1, written by hand so each
//! test controls every byte and every pause of the answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use codefor_core::calendars::fetch::{
    AddressKind, FetchError, FetchPolicy, Fetched, Validators, classify, fetch,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CALENDAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n";

/// A server whose every connection is handled by `handler` after the request head (the
/// request line and headers) was read; the heads are kept in order.
struct Server {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    async fn start<F, Fut>(handler: F) -> Server
    where
        F: Fn(String, TcpStream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let handler = Arc::new(handler);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let handler = handler.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let head = read_head(&mut stream).await;
                    log.lock().unwrap().push(head.clone());
                    handler(head, stream).await;
                });
            }
        });
        Server { addr, requests }
    }

    /// A server answering every request with the same status line, headers and body.
    async fn fixed(status: &'static str, headers: &'static str, body: &'static [u8]) -> Server {
        Server::start(move |_, stream| reply(stream, status, headers, body)).await
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut buf = [0_u8; 1024];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

async fn reply(mut stream: TcpStream, status: &str, headers: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body).await;
    let _ = stream.shutdown().await;
}

fn path(head: &str) -> &str {
    head.split(' ').nth(1).unwrap_or_default()
}

/// A request header's value (names compared case-insensitively).
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// Loopback is allowed: the test server lives there.
fn local() -> FetchPolicy {
    FetchPolicy {
        allow_private: true,
        timeout: Duration::from_secs(5),
        ..FetchPolicy::default()
    }
}

fn none() -> Validators {
    Validators::default()
}

#[tokio::test]
async fn plain_200_returns_body_and_validators() {
    let server = Server::fixed(
        "200 OK",
        "Content-Type: Text/Calendar; charset=utf-8\r\nETag: \"v1\"\r\nLast-Modified: Wed, 21 Oct 2015 07:28:00 GMT\r\n",
        CALENDAR.as_bytes(),
    )
    .await;
    let fetched = fetch(&server.url("/cal.ics"), &none(), &local())
        .await
        .unwrap();
    assert_eq!(
        fetched,
        Fetched::Body {
            text: CALENDAR.to_owned(),
            validators: Validators {
                etag: Some("\"v1\"".into()),
                last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".into()),
            },
            content_type: Some("text/calendar".into()),
        }
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        header(&requests[0], "accept"),
        Some("text/calendar, text/plain;q=0.8, */*;q=0.5")
    );
    assert_eq!(path(&requests[0]), "/cal.ics");
    assert!(
        header(&requests[0], "user-agent")
            .unwrap()
            .starts_with("codefor-calendar-sync/")
    );
    assert_eq!(header(&requests[0], "if-none-match"), None);
    assert_eq!(header(&requests[0], "if-modified-since"), None);
}

#[tokio::test]
async fn byte_order_mark_is_stripped() {
    let server = Server::fixed("200 OK", "", b"\xEF\xBB\xBFBEGIN:VCALENDAR\r\n").await;
    let Fetched::Body {
        text, validators, ..
    } = fetch(&server.url("/"), &none(), &local()).await.unwrap()
    else {
        panic!("expected a body");
    };
    assert_eq!(text, "BEGIN:VCALENDAR\r\n");
    assert_eq!(validators, Validators::default());
}

#[tokio::test]
async fn conditional_request_answered_304_is_not_modified() {
    let server = Server::start(|head, stream| async move {
        if header(&head, "if-none-match") == Some("\"v1\"") {
            reply(stream, "304 Not Modified", "ETag: \"v1\"\r\n", b"").await;
        } else {
            reply(stream, "200 OK", "ETag: \"v1\"\r\n", CALENDAR.as_bytes()).await;
        }
    })
    .await;
    let previous = Validators {
        etag: Some("\"v1\"".into()),
        last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".into()),
    };
    let fetched = fetch(&server.url("/cal.ics"), &previous, &local())
        .await
        .unwrap();
    assert_eq!(fetched, Fetched::NotModified);
    let requests = server.requests();
    assert_eq!(header(&requests[0], "if-none-match"), Some("\"v1\""));
    assert_eq!(
        header(&requests[0], "if-modified-since"),
        Some("Wed, 21 Oct 2015 07:28:00 GMT")
    );

    // A changed ETag gets the whole body again.
    let stale = Validators {
        etag: Some("\"v0\"".into()),
        last_modified: None,
    };
    let fetched = fetch(&server.url("/cal.ics"), &stale, &local())
        .await
        .unwrap();
    assert!(matches!(fetched, Fetched::Body { .. }));
}

#[tokio::test]
async fn slowly_trickled_body_hits_the_deadline() {
    let server = Server::start(|_, mut stream| async move {
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
            .await;
        for _ in 0..100 {
            if stream.write_all(b"x").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    let policy = FetchPolicy {
        timeout: Duration::from_secs(1),
        ..local()
    };
    let started = Instant::now();
    let err = fetch(&server.url("/"), &none(), &policy).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        err,
        FetchError::Timeout {
            host: "127.0.0.1".into(),
            seconds: 1
        }
    );
    assert_eq!(
        err.to_string(),
        "Der Server 127.0.0.1 antwortete nicht innerhalb von einer Sekunde."
    );
}

#[tokio::test]
async fn endless_body_is_cut_off_at_the_limit() {
    let sent = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(tokio::sync::Notify::new());
    let (count, done) = (sent.clone(), finished.clone());
    let server = Server::start(move |_, mut stream| {
        let (count, done) = (count.clone(), done.clone());
        async move {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
                .await;
            let chunk = vec![b'x'; 16 * 1024];
            // 1 GiB, unless the client hangs up first.
            for _ in 0..65_536 {
                if stream.write_all(&chunk).await.is_err() {
                    break;
                }
                count.fetch_add(chunk.len(), Ordering::SeqCst);
            }
            done.notify_one();
        }
    })
    .await;
    let policy = FetchPolicy {
        max_bytes: 64 * 1024,
        ..local()
    };
    let err = fetch(&server.url("/"), &none(), &policy).await.unwrap_err();
    assert_eq!(err, FetchError::TooLarge { limit: 64 * 1024 });
    assert!(
        err.to_string()
            .starts_with("Die Datei ist größer als 64 kB.")
    );
    // The client hung up: the server's writes fail long before the 1 GiB.
    tokio::time::timeout(Duration::from_secs(3), finished.notified())
        .await
        .expect("the server should notice the closed connection");
    let sent = sent.load(Ordering::SeqCst);
    assert!(sent < 64 * 1024 * 1024, "server sent {sent} bytes");
}

#[tokio::test]
async fn announced_length_over_the_limit_is_refused_before_the_body() {
    let server = Server::start(|_, mut stream| async move {
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\nBEGIN")
            .await;
        tokio::time::sleep(Duration::from_secs(10)).await;
    })
    .await;
    let started = Instant::now();
    let err = fetch(&server.url("/"), &none(), &local())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        FetchError::TooLarge {
            limit: 2 * 1024 * 1024
        }
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        err.to_string()
            .starts_with("Die Datei ist größer als 2 MB.")
    );
}

#[tokio::test]
async fn error_status_is_reported() {
    let server = Server::fixed("404 Not Found", "", b"nope").await;
    let err = fetch(&server.url("/gone.ics"), &none(), &local())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        FetchError::Status {
            host: "127.0.0.1".into(),
            code: 404
        }
    );
    assert!(
        err.to_string()
            .starts_with("Der Server 127.0.0.1 antwortete mit Status 404 (nicht gefunden).")
    );

    // 304 without a condition sent is no answer to this request.
    let server = Server::fixed("304 Not Modified", "", b"").await;
    let err = fetch(&server.url("/"), &none(), &local())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Status { code: 304, .. }));
}

#[tokio::test]
async fn redirects_are_followed() {
    let server = Server::start(|head, stream| async move {
        let port = header(&head, "host").unwrap_or_default().to_owned();
        match path(&head) {
            "/old" => reply(stream, "302 Found", "Location: /newer\r\n", b"").await,
            "/newer" => {
                let location = format!("Location: http://{port}/final.ics\r\n");
                reply(stream, "301 Moved Permanently", &location, b"").await;
            }
            "/final.ics" => reply(stream, "200 OK", "ETag: \"f\"\r\n", CALENDAR.as_bytes()).await,
            _ => reply(stream, "404 Not Found", "", b"").await,
        }
    })
    .await;
    let fetched = fetch(&server.url("/old"), &none(), &local()).await.unwrap();
    let Fetched::Body {
        text, validators, ..
    } = fetched
    else {
        panic!("expected a body");
    };
    assert_eq!(text, CALENDAR);
    assert_eq!(validators.etag.as_deref(), Some("\"f\""));
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|head| path(head).to_owned())
        .collect();
    assert_eq!(paths, ["/old", "/newer", "/final.ics"]);
}

#[tokio::test]
async fn redirect_loops_stop_at_the_limit() {
    let server = Server::fixed("307 Temporary Redirect", "Location: /loop\r\n", b"").await;
    let err = fetch(&server.url("/loop"), &none(), &local())
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::TooManyRedirects { limit: 3 });
    // The first request and three redirects.
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn redirects_to_refused_addresses_are_not_followed() {
    // Even with private addresses allowed, `0.0.0.0` (which reaches the machine itself)
    // is never fetched.
    let server = Server::start(|head, stream| async move {
        let location = match path(&head) {
            "/unspecified" => "Location: http://0.0.0.0:9/cal.ics\r\n",
            "/ftp" => "Location: ftp://127.0.0.1/cal.ics\r\n",
            "/credentials" => "Location: http://user:secret@127.0.0.1:9/cal.ics\r\n",
            _ => "",
        };
        reply(stream, "302 Found", location, b"").await;
    })
    .await;
    let err = fetch(&server.url("/unspecified"), &none(), &local())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        FetchError::PrivateAddress {
            host: "0.0.0.0".into(),
            addr: "0.0.0.0".parse().unwrap()
        }
    );
    let err = fetch(&server.url("/ftp"), &none(), &local())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        FetchError::Scheme {
            scheme: "ftp".into()
        }
    );
    let err = fetch(&server.url("/credentials"), &none(), &local())
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::Credentials);
    let err = fetch(&server.url("/nowhere"), &none(), &local())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::BadRedirect { .. }));
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn body_that_is_not_utf8_is_refused() {
    let server = Server::fixed("200 OK", "", b"BEGIN:VCALENDAR\r\nSUMMARY:Caf\xe9\r\n").await;
    let err = fetch(&server.url("/"), &none(), &local())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        FetchError::NotText {
            host: "127.0.0.1".into()
        }
    );
}

#[tokio::test]
async fn https_to_a_plain_http_server_fails_cleanly() {
    // Answers in plain HTTP at once, without waiting for a request (a TLS hello never
    // ends in an empty line).
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(reply(stream, "400 Bad Request", "", b""));
        }
    });
    let err = fetch(&format!("https://{addr}/"), &none(), &local())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("HTTPS"), "{err}");
}

#[tokio::test]
async fn default_policy_refuses_non_public_addresses_before_connecting() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let policy = FetchPolicy::default();
    let cases = [
        (format!("http://127.0.0.1:{port}/cal.ics"), "127.0.0.1"),
        (format!("http://localhost:{port}/cal.ics"), "localhost"),
        (format!("http://2130706433:{port}/"), "127.0.0.1"),
        (
            format!("http://[::ffff:127.0.0.1]:{port}/"),
            "[::ffff:7f00:1]",
        ),
        ("http://[::1]/".to_owned(), "[::1]"),
        ("http://10.1.2.3/".to_owned(), "10.1.2.3"),
        (
            "https://169.254.169.254/latest/meta-data/".to_owned(),
            "169.254.169.254",
        ),
        ("http://[fd00::1]/".to_owned(), "[fd00::1]"),
    ];
    for (url, expected_host) in cases {
        let result =
            tokio::time::timeout(Duration::from_millis(500), fetch(&url, &none(), &policy))
                .await
                .unwrap_or_else(|_| panic!("{url} was not refused at once"));
        match result {
            Err(FetchError::PrivateAddress { host, addr }) => {
                assert_eq!(host, expected_host, "{url}");
                assert_ne!(classify(addr), AddressKind::Public, "{url}");
            }
            other => panic!("{url}: {other:?}"),
        }
    }
    // Nothing ever connected.
    let accepted = tokio::time::timeout(Duration::from_millis(100), listener.accept()).await;
    assert!(accepted.is_err(), "a refused URL was connected to");

    let err = fetch("http://10.0.0.5/cal.ics", &none(), &policy)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Die Adresse zeigt in ein privates Netz (10.0.0.5); solche Adressen ruft die Plattform \
         nicht ab."
    );
    let err = fetch(&format!("http://localhost:{port}/"), &none(), &policy)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Die Adresse localhost zeigt in ein privates Netz ("),
        "{err}"
    );
}

#[tokio::test]
async fn only_http_and_https_without_credentials() {
    let policy = FetchPolicy::default();
    let err = fetch("ftp://example.org/cal.ics", &none(), &policy)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        FetchError::Scheme {
            scheme: "ftp".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "Die Plattform ruft nur Adressen mit http:// oder https:// ab, nicht mit ftp://."
    );
    let err = fetch("webcal://example.org/cal.ics", &none(), &policy)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("https:// statt webcal://"),
        "{err}"
    );
    let err = fetch("file:///etc/passwd", &none(), &policy)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        FetchError::Scheme {
            scheme: "file".into()
        }
    );
    let err = fetch("https://user:pw@example.org/cal.ics", &none(), &policy)
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::Credentials);
    let err = fetch("example.org/cal.ics", &none(), &policy)
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::BadUrl("example.org/cal.ics".into()));
    assert!(err.to_string().contains("https://"));
}

#[test]
fn address_classifier() {
    use AddressKind::*;
    let table = [
        ("8.8.8.8", Public),
        ("1.1.1.1", Public),
        ("185.199.108.153", Public),
        ("172.15.255.255", Public),
        ("172.32.0.1", Public),
        ("100.63.255.255", Public),
        ("100.128.0.1", Public),
        ("127.0.0.1", Loopback),
        ("127.255.255.254", Loopback),
        ("10.0.0.1", Private),
        ("10.255.255.255", Private),
        ("172.16.0.1", Private),
        ("172.31.255.255", Private),
        ("192.168.1.1", Private),
        ("169.254.169.254", LinkLocal),
        ("100.64.0.1", SharedAddressSpace),
        ("100.127.255.255", SharedAddressSpace),
        ("192.0.2.1", Documentation),
        ("198.51.100.7", Documentation),
        ("203.0.113.9", Documentation),
        ("198.18.0.1", Reserved),
        ("198.19.255.255", Reserved),
        ("192.0.0.8", Reserved),
        ("240.0.0.1", Reserved),
        ("0.0.0.0", Unspecified),
        ("0.1.2.3", Unspecified),
        ("255.255.255.255", Broadcast),
        ("224.0.0.1", Multicast),
        ("239.255.255.250", Multicast),
        ("2606:4700:4700::1111", Public),
        ("2a00:1450:4001:80b::200e", Public),
        ("::1", Loopback),
        ("::", Unspecified),
        ("::ffff:127.0.0.1", Loopback),
        ("::ffff:10.0.0.1", Private),
        ("::ffff:169.254.169.254", LinkLocal),
        ("::ffff:0.0.0.0", Unspecified),
        ("::ffff:8.8.8.8", Public),
        ("::127.0.0.1", Loopback),
        ("::ffff:0:192.168.0.1", Private),
        ("64:ff9b::10.0.0.1", Private),
        ("64:ff9b::8.8.8.8", Public),
        ("64:ff9b:1::1", Private),
        ("2002:c0a8:101::1", Private),
        ("2002:7f00:1::1", Loopback),
        ("2002:808:808::1", Public),
        ("fe80::1", LinkLocal),
        ("febf::1", LinkLocal),
        ("fc00::1", UniqueLocal),
        ("fd12:3456::1", UniqueLocal),
        ("fec0::1", Private),
        ("ff02::1", Multicast),
        ("ff0e::1", Multicast),
        ("2001:db8::1", Documentation),
        ("3fff::1", Documentation),
        ("2001::1", Reserved),
        ("2001:10::1", Reserved),
        ("100::1", Reserved),
        ("4000::1", Reserved),
    ];
    for (text, expected) in table {
        let ip: IpAddr = text.parse().unwrap();
        assert_eq!(classify(ip), expected, "{text}");
    }

    let strict = FetchPolicy::default();
    let lenient = FetchPolicy {
        allow_private: true,
        ..FetchPolicy::default()
    };
    for kind in [
        Loopback,
        Private,
        LinkLocal,
        UniqueLocal,
        SharedAddressSpace,
        Documentation,
        Reserved,
    ] {
        assert!(!kind.allowed(&strict), "{kind:?}");
        assert!(kind.allowed(&lenient), "{kind:?}");
    }
    for kind in [Unspecified, Broadcast, Multicast] {
        assert!(!kind.allowed(&strict), "{kind:?}");
        assert!(!kind.allowed(&lenient), "{kind:?}");
    }
    assert!(Public.allowed(&strict));
}

#[test]
fn default_policy() {
    let policy = FetchPolicy::default();
    assert!(!policy.allow_private);
    assert_eq!(policy.timeout, Duration::from_secs(20));
    assert_eq!(policy.max_bytes, 2 * 1024 * 1024);
    assert_eq!(policy.max_redirects, 3);
}
