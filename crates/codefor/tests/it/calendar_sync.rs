//! External calendars end to end: a hand-written HTTP server on loopback serves `.ics`
//! text the test changes between fetches (and records what it was asked), the real
//! fetch and merge write into a real database, and the leads' dashboard drives it all
//! over HTTP.
//!
//! Every test has a fresh database (or its own lab on the shared site of this file),
//! so the tests run in parallel without seeing each other.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use codefor_core::calendars::fetch::FetchPolicy;
use codefor_core::calendars::sync::{self, Report, SyncError};
use codefor_storage::calendars::{self, Source};
use codefor_storage::meetups::{self, Filter, Meetup, MeetupFields};
use codefor_storage::testing::{self, TestDb};
use codefor_storage::{Db, accounts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::OnceCell;

use crate::accounts::Browser;
use crate::support::{RequestHead, Server, block_on, lab_id, read_request_head, signed_in};

// ---------------------------------------------------------------------------------------
// A calendar server on loopback.

/// What the server answers on one path.
#[derive(Debug, Clone)]
enum Reply {
    /// 200 with the text and its validators; 304 when the request's `If-None-Match`
    /// (or, without it, `If-Modified-Since`) matches.
    Calendar {
        text: String,
        etag: Option<String>,
        last_modified: Option<String>,
    },
    /// Exactly this status, type and body.
    Raw {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// The headers at once, then one byte of the body a second.
    Trickle,
    /// Accepts the request and never answers.
    Silent,
    /// A body of `bytes` bytes, streamed; with `announce` its Content-Length is sent.
    Huge { bytes: usize, announce: bool },
}

/// One request as the server saw it.
type Seen = RequestHead;

#[derive(Default)]
struct FeedState {
    replies: HashMap<String, Reply>,
    /// Paths whose answer waits this long (so that two fetches overlap).
    delays: HashMap<String, Duration>,
    seen: Vec<Seen>,
    connections: usize,
}

#[derive(Clone)]
struct Feeds {
    addr: SocketAddr,
    state: Arc<Mutex<FeedState>>,
}

impl Feeds {
    async fn start() -> Feeds {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind feeds");
        let addr = listener.local_addr().expect("feeds addr");
        let state = Arc::new(Mutex::new(FeedState::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                shared.lock().expect("feeds").connections += 1;
                tokio::spawn(handle(stream, shared.clone()));
            }
        });
        Feeds { addr, state }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn port(&self) -> u16 {
        self.addr.port()
    }

    fn set(&self, path: &str, reply: Reply) {
        self.state
            .lock()
            .expect("feeds")
            .replies
            .insert(path.to_owned(), reply);
    }

    /// A plain calendar without validators (every fetch is a 200).
    fn calendar(&self, path: &str, text: &str) {
        self.set(
            path,
            Reply::Calendar {
                text: text.to_owned(),
                etag: None,
                last_modified: None,
            },
        );
    }

    fn delay(&self, path: &str, by: Duration) {
        self.state
            .lock()
            .expect("feeds")
            .delays
            .insert(path.to_owned(), by);
    }

    fn seen(&self, path: &str) -> Vec<Seen> {
        self.state
            .lock()
            .expect("feeds")
            .seen
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }

    fn connections(&self) -> usize {
        self.state.lock().expect("feeds").connections
    }
}

async fn handle(mut stream: TcpStream, state: Arc<Mutex<FeedState>>) {
    let Some(request) = read_request_head(&mut stream).await else {
        return;
    };
    let (reply, delay) = {
        let mut s = state.lock().expect("feeds");
        s.seen.push(request.clone());
        (
            s.replies.get(&request.path).cloned(),
            s.delays.get(&request.path).copied(),
        )
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    respond(&mut stream, &request, reply).await;
    let _ = stream.shutdown().await;
}

async fn respond(stream: &mut TcpStream, request: &Seen, reply: Option<Reply>) {
    match reply {
        None => {
            let _ = stream
                .write_all(&full(404, "text/plain", b"not here", &[]))
                .await;
        }
        Some(Reply::Calendar {
            text,
            etag,
            last_modified,
        }) => {
            let fresh = match (
                request.header("if-none-match"),
                request.header("if-modified-since"),
            ) {
                (Some(sent), _) => etag.as_deref() == Some(sent),
                (None, Some(sent)) => last_modified.as_deref() == Some(sent),
                (None, None) => false,
            };
            let mut extra = Vec::new();
            if let Some(e) = etag {
                extra.push(("ETag", e));
            }
            if let Some(l) = last_modified {
                extra.push(("Last-Modified", l));
            }
            let bytes = if fresh {
                let mut head = "HTTP/1.1 304 Not Modified\r\nConnection: close\r\n".to_owned();
                for (k, v) in &extra {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                head.into_bytes()
            } else {
                full(200, "text/calendar; charset=utf-8", text.as_bytes(), &extra)
            };
            let _ = stream.write_all(&bytes).await;
        }
        Some(Reply::Raw {
            status,
            content_type,
            body,
        }) => {
            let _ = stream
                .write_all(&full(status, content_type, &body, &[]))
                .await;
        }
        Some(Reply::Trickle) => {
            let body = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for byte in body {
                if stream.write_all(&[*byte]).await.is_err() || stream.flush().await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Some(Reply::Silent) => {
            // Holds the connection until the client gives up (or half a minute passed).
            let mut sink = [0u8; 256];
            let _ = tokio::time::timeout(Duration::from_secs(30), async {
                while let Ok(n) = stream.read(&mut sink).await {
                    if n == 0 {
                        break;
                    }
                }
            })
            .await;
        }
        Some(Reply::Huge { bytes, announce }) => {
            let mut head =
                "HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nConnection: close\r\n"
                    .to_owned();
            if announce {
                head.push_str(&format!("Content-Length: {bytes}\r\n"));
            }
            head.push_str("\r\n");
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let line = b"X-FILLER:0123456789012345678901234567890123456789012345678901234\r\n";
            let block: Vec<u8> = line.iter().copied().cycle().take(64 * 1024).collect();
            let mut sent = 0;
            while sent < bytes {
                let n = block.len().min(bytes - sent);
                if stream.write_all(&block[..n]).await.is_err() {
                    return;
                }
                sent += n;
            }
        }
    }
}

fn full(status: u16, content_type: &str, body: &[u8], extra: &[(&str, String)]) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} Test\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n",
        body.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

// ---------------------------------------------------------------------------------------
// Dates (days from today, so the events are always ahead) and iCalendar text.

/// A civil date, as days since 1970-01-01.
#[derive(Debug, Clone, Copy)]
struct Day(i64);

impl Day {
    /// `days` after today (UTC).
    fn ahead(days: i64) -> Day {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        Day(i64::try_from(now / 86_400).expect("days") + days)
    }

    fn plus(self, days: i64) -> Day {
        Day(self.0 + days)
    }

    /// Year, month, day (Howard Hinnant's `civil_from_days`).
    fn ymd(self) -> (i64, i64, i64) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }

    /// `20260303T190000`
    fn ical(self, hour: u32, minute: u32) -> String {
        let (y, m, d) = self.ymd();
        format!("{y:04}{m:02}{d:02}T{hour:02}{minute:02}00")
    }

    /// `2026-03-03T19:00:00`, as meetups store it.
    fn civil(self, hour: u32, minute: u32) -> String {
        let (y, m, d) = self.ymd();
        format!("{y:04}-{m:02}-{d:02}T{hour:02}:{minute:02}:00")
    }
}

/// One VEVENT in Berlin time, with optional extra lines.
fn vevent(
    uid: &str,
    summary: &str,
    day: Day,
    from: (u32, u32),
    to: (u32, u32),
    extra: &[&str],
) -> String {
    let mut text = format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20250101T000000Z\r\nSUMMARY:{summary}\r\n\
         DTSTART;TZID=Europe/Berlin:{}\r\nDTEND;TZID=Europe/Berlin:{}\r\n",
        day.ical(from.0, from.1),
        day.ical(to.0, to.1)
    );
    for line in extra {
        text.push_str(line);
        text.push_str("\r\n");
    }
    text.push_str("END:VEVENT\r\n");
    text
}

fn vcalendar(events: &[String]) -> String {
    let mut text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Kalender//DE\r\n".to_owned();
    for e in events {
        text.push_str(e);
    }
    text.push_str("END:VCALENDAR\r\n");
    text
}

// ---------------------------------------------------------------------------------------
// Database helpers.

/// A fresh database with the demo network, and the id of its lab `slug`.
async fn fresh_with_lab(slug: &str) -> (TestDb, i64) {
    let db = testing::fresh().await.expect("fresh database");
    codefor_core::demo::seed(&db.db).await.expect("seed demo");
    let lab = lab_id(&db.db, slug).await;
    (db, lab)
}

async fn add_source(db: &Db, lab: i64, url: &str) -> Source {
    let mut tx = db.begin().await.expect("tx");
    let id = calendars::add(&mut tx, lab, url)
        .await
        .expect("add source")
        .expect("new source");
    codefor_storage::commit(tx).await.expect("commit");
    reload(db, id).await
}

async fn reload(db: &Db, id: i64) -> Source {
    calendars::get(db, id)
        .await
        .expect("source")
        .expect("source exists")
}

/// Every meetup of the lab that came from `source`, by first start.
async fn sourced(db: &Db, lab: i64, source: i64) -> Vec<Meetup> {
    own_and_sourced(db, lab)
        .await
        .into_iter()
        .filter(|m| m.source_id == Some(source))
        .collect()
}

/// Every meetup of the lab, whatever its date.
async fn own_and_sourced(db: &Db, lab: i64) -> Vec<Meetup> {
    meetups::in_window(
        db,
        0,
        i64::MAX,
        Filter {
            lab_id: Some(lab),
            ..Filter::default()
        },
    )
    .await
    .expect("meetups")
}

fn titled<'a>(rows: &'a [Meetup], title: &str) -> &'a Meetup {
    rows.iter()
        .find(|m| m.title == title)
        .unwrap_or_else(|| panic!("no meetup „{title}“ in {:#?}", titles(rows)))
}

fn titles(rows: &[Meetup]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|m| (m.title.clone(), m.starts_at.clone(), m.status.clone()))
        .collect()
}

/// Fetching from loopback allowed, otherwise the defaults.
fn local() -> FetchPolicy {
    FetchPolicy {
        allow_private: true,
        ..FetchPolicy::default()
    }
}

/// Syncs the source as stored now (with its current validators).
async fn sync_now(db: &Db, id: i64, policy: &FetchPolicy) -> Result<Report, SyncError> {
    let source = reload(db, id).await;
    sync::sync(db, &source, policy).await
}

fn source_error(result: Result<Report, SyncError>) -> String {
    match result {
        Err(SyncError::Source(message)) => message,
        other => panic!("expected a source error, got {other:?}"),
    }
}

async fn exceptions_of(db: &Db, id: i64) -> (Vec<String>, Vec<String>) {
    let all = meetups::exceptions(db, &[id])
        .await
        .expect("exceptions")
        .remove(&id)
        .unwrap_or_default();
    let of = |kind: &str| {
        all.iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.occurrence.clone())
            .collect::<Vec<_>>()
    };
    (of("skipped"), of("cancelled"))
}

/// A lab's own meetup (no source), as a lead would plan it.
async fn own_meetup(db: &Db, lab: i64, uid: &str, title: &str, day: Day, hour: u32) -> i64 {
    let fields = MeetupFields {
        title: title.to_owned(),
        starts_at: day.civil(hour, 0),
        ends_at: day.civil(hour + 2, 0),
        time_zone: "Europe/Berlin".to_owned(),
        first_start: (day.0 * 86_400) + i64::from(hour) * 3600 - 3600,
        last_end: Some((day.0 * 86_400) + i64::from(hour + 2) * 3600),
        venue: Some("Lab".to_owned()),
        ..MeetupFields::default()
    };
    let mut tx = db.begin().await.expect("tx");
    let id = meetups::create(&mut tx, uid, &fields, &[lab], None, None)
        .await
        .expect("own meetup");
    codefor_storage::commit(tx).await.expect("commit");
    id
}

// ---------------------------------------------------------------------------------------
// Merging.

#[test]
fn new_changed_and_removed_events_are_merged_and_answers_stay() {
    block_on(async {
        let (test_db, kiel) = fresh_with_lab("kiel").await;
        let db = &test_db.db;
        let feeds = Feeds::start().await;
        let (a, b, c) = (Day::ahead(10), Day::ahead(17), Day::ahead(24));
        let event_a = vevent(
            "a@example.org",
            "Offenes Treffen",
            a,
            (19, 0),
            (21, 0),
            &["LOCATION:Stadtbibliothek\\, Raum 2"],
        );
        let event_c = vevent(
            "c@example.org",
            "Workshop Offene Daten",
            c,
            (10, 0),
            (16, 0),
            &[],
        );
        feeds.calendar(
            "/lab.ics",
            &vcalendar(&[
                event_a.clone(),
                vevent("b@example.org", "Datenlabor", b, (18, 30), (20, 30), &[]),
                event_c.clone(),
            ]),
        );
        let source = add_source(db, kiel, &feeds.url("/lab.ics")).await;

        let first = sync_now(db, source.id, &local()).await.expect("first sync");
        assert_eq!(
            first,
            Report {
                created: 3,
                ..Report::default()
            }
        );
        let rows = sourced(db, kiel, source.id).await;
        assert_eq!(rows.len(), 3, "{:#?}", titles(&rows));
        let row_a = titled(&rows, "Offenes Treffen").clone();
        assert_eq!(row_a.starts_at, a.civil(19, 0));
        assert_eq!(row_a.ends_at, a.civil(21, 0));
        assert_eq!(row_a.time_zone, "Europe/Berlin");
        assert_eq!(row_a.address.as_deref(), Some("Stadtbibliothek, Raum 2"));
        assert_eq!(row_a.status, "scheduled");
        let row_b = titled(&rows, "Datenlabor").clone();
        assert_eq!(row_b.starts_at, b.civil(18, 30));
        assert_eq!(row_b.ends_at, b.civil(20, 30));
        let row_c = titled(&rows, "Workshop Offene Daten").clone();
        assert_eq!(row_c.starts_at, c.civil(10, 0));
        assert!(rows.iter().all(|m| m.status == "scheduled"));
        let stored = reload(db, source.id).await;
        assert_eq!(stored.events, 3);
        assert_eq!(stored.error, None);
        assert!(stored.ok_at.is_some() && stored.ok_at == stored.checked_at);

        // Someone answers for the second event between two fetches.
        let mut tx = db.begin().await.expect("tx");
        let person = accounts::create(&mut tx, "rita@example.org", "x", "Rita", false)
            .await
            .expect("account")
            .expect("new account");
        accounts::confirm(&mut tx, person).await.expect("confirm");
        meetups::answer(&mut tx, row_b.id, &row_b.starts_at, person, "yes", None)
            .await
            .expect("answer");
        codefor_storage::commit(tx).await.expect("commit");

        // The second event is renamed, the third is gone.
        feeds.calendar(
            "/lab.ics",
            &vcalendar(&[
                event_a.clone(),
                vevent(
                    "b@example.org",
                    "Datenlabor im neuen Raum",
                    b,
                    (18, 30),
                    (20, 30),
                    &[],
                ),
            ]),
        );
        let second = sync_now(db, source.id, &local())
            .await
            .expect("second sync");
        assert_eq!(
            second,
            Report {
                updated: 1,
                unchanged: 1,
                withdrawn: 1,
                ..Report::default()
            }
        );
        let rows = sourced(db, kiel, source.id).await;
        assert_eq!(rows.len(), 3, "{:#?}", titles(&rows));
        assert_eq!(titled(&rows, "Offenes Treffen"), &row_a, "untouched");
        let renamed = titled(&rows, "Datenlabor im neuen Raum");
        assert_eq!(renamed.id, row_b.id, "the same meetup, rewritten");
        assert_eq!(renamed.starts_at, row_b.starts_at);
        assert!(
            renamed.sequence > row_b.sequence,
            "calendars see a new SEQUENCE"
        );
        let answers = meetups::rsvps(db, row_b.id, &row_b.starts_at)
            .await
            .expect("rsvps");
        assert_eq!(answers.len(), 1, "the answer stays: {answers:?}");
        assert_eq!(answers[0].account_id, person);
        assert_eq!(answers[0].answer, "yes");
        let gone = titled(&rows, "Workshop Offene Daten");
        assert_eq!(gone.id, row_c.id);
        assert_eq!(gone.status, "cancelled", "withdrawn, not deleted");
        assert_eq!(reload(db, source.id).await.events, 2);

        // The same file twice more: nothing changes, nothing doubles.
        let after_second = rows.clone();
        for round in 0..2 {
            let again = sync_now(db, source.id, &local()).await.expect("same file");
            assert_eq!(
                again,
                Report {
                    unchanged: 2,
                    ..Report::default()
                },
                "round {round}"
            );
            let rows = sourced(db, kiel, source.id).await;
            assert_eq!(rows, after_second, "round {round}: no row written or added");
        }
        let all = own_and_sourced(db, kiel).await;
        let from_source: Vec<_> = all
            .iter()
            .filter(|m| m.source_id == Some(source.id))
            .collect();
        assert_eq!(from_source.len(), 3);
        let uids: HashSet<_> = from_source.iter().map(|m| m.uid.as_str()).collect();
        assert_eq!(uids.len(), 3, "no duplicates");

        // The workshop comes back: the same meetup takes place again.
        feeds.calendar(
            "/lab.ics",
            &vcalendar(&[
                event_a,
                vevent(
                    "b@example.org",
                    "Datenlabor im neuen Raum",
                    b,
                    (18, 30),
                    (20, 30),
                    &[],
                ),
                event_c,
            ]),
        );
        let back = sync_now(db, source.id, &local()).await.expect("back");
        assert_eq!(
            back,
            Report {
                updated: 1,
                unchanged: 2,
                ..Report::default()
            }
        );
        let rows = sourced(db, kiel, source.id).await;
        assert_eq!(rows.len(), 3);
        let revived = titled(&rows, "Workshop Offene Daten");
        assert_eq!(revived.id, row_c.id);
        assert_eq!(revived.status, "scheduled");
        // Five fetches, all of one path.
        assert_eq!(feeds.seen("/lab.ics").len(), 5);
    });
}

#[test]
fn conditional_requests_send_the_validators_and_304_writes_nothing() {
    block_on(async {
        let (test_db, kiel) = fresh_with_lab("kiel").await;
        let db = &test_db.db;
        let feeds = Feeds::start().await;
        let (a, b) = (Day::ahead(8), Day::ahead(15));
        let modified = "Wed, 01 Jan 2025 10:00:00 GMT";
        let text = |b_title: &str| {
            vcalendar(&[
                vevent("a@example.org", "Offenes Treffen", a, (19, 0), (21, 0), &[]),
                vevent("b@example.org", b_title, b, (19, 0), (21, 0), &[]),
            ])
        };
        feeds.set(
            "/etag.ics",
            Reply::Calendar {
                text: text("Datenlabor"),
                etag: Some("\"v1\"".to_owned()),
                last_modified: Some(modified.to_owned()),
            },
        );
        let source = add_source(db, kiel, &feeds.url("/etag.ics")).await;

        let first = sync_now(db, source.id, &local()).await.expect("first");
        assert_eq!(first.created, 2);
        let request = &feeds.seen("/etag.ics")[0];
        assert_eq!(request.header("if-none-match"), None, "nothing to send yet");
        assert_eq!(request.header("if-modified-since"), None);
        assert!(
            request
                .header("user-agent")
                .is_some_and(|ua| ua.starts_with("codefor-calendar-sync/")),
            "{request:?}"
        );
        assert!(
            request
                .header("accept")
                .is_some_and(|a| a.contains("text/calendar")),
            "{request:?}"
        );
        let stored = reload(db, source.id).await;
        assert_eq!(stored.etag.as_deref(), Some("\"v1\""));
        assert_eq!(stored.last_modified.as_deref(), Some(modified));
        let before = sourced(db, kiel, source.id).await;

        let second = sync_now(db, source.id, &local()).await.expect("second");
        assert_eq!(
            second,
            Report {
                not_modified: true,
                ..Report::default()
            }
        );
        let request = &feeds.seen("/etag.ics")[1];
        assert_eq!(request.header("if-none-match"), Some("\"v1\""));
        assert_eq!(request.header("if-modified-since"), Some(modified));
        assert_eq!(
            sourced(db, kiel, source.id).await,
            before,
            "nothing written"
        );
        let after_304 = reload(db, source.id).await;
        assert_eq!(after_304.events, 2, "the count stays");
        assert_eq!(after_304.error, None);
        assert_eq!(after_304.etag.as_deref(), Some("\"v1\""));
        assert!(after_304.ok_at.is_some() && after_304.ok_at == after_304.checked_at);

        // The calendar changes: the old validator is sent, the new file is merged.
        feeds.set(
            "/etag.ics",
            Reply::Calendar {
                text: text("Datenlabor (verschoben)"),
                etag: Some("\"v2\"".to_owned()),
                last_modified: Some("Thu, 02 Jan 2025 10:00:00 GMT".to_owned()),
            },
        );
        let third = sync_now(db, source.id, &local()).await.expect("third");
        assert_eq!(
            third,
            Report {
                updated: 1,
                unchanged: 1,
                ..Report::default()
            }
        );
        assert_eq!(
            feeds.seen("/etag.ics")[2].header("if-none-match"),
            Some("\"v1\"")
        );
        assert_eq!(reload(db, source.id).await.etag.as_deref(), Some("\"v2\""));
        let fourth = sync_now(db, source.id, &local()).await.expect("fourth");
        assert!(fourth.not_modified);
        assert_eq!(
            feeds.seen("/etag.ics")[3].header("if-none-match"),
            Some("\"v2\"")
        );

        // A server with Last-Modified only is asked with If-Modified-Since.
        feeds.set(
            "/datum.ics",
            Reply::Calendar {
                text: text("Datenlabor"),
                etag: None,
                last_modified: Some(modified.to_owned()),
            },
        );
        let dated = add_source(db, kiel, &feeds.url("/datum.ics")).await;
        assert_eq!(
            sync_now(db, dated.id, &local())
                .await
                .expect("dated")
                .created,
            2
        );
        let again = sync_now(db, dated.id, &local()).await.expect("dated again");
        assert!(again.not_modified, "{again:?}");
        let request = &feeds.seen("/datum.ics")[1];
        assert_eq!(request.header("if-modified-since"), Some(modified));
        assert_eq!(request.header("if-none-match"), None);
    });
}

#[test]
fn not_modified_keeps_the_notes_about_the_unchanged_file() {
    block_on(async {
        let (test_db, kiel) = fresh_with_lab("kiel").await;
        let db = &test_db.db;
        let feeds = Feeds::start().await;
        let text = vcalendar(&[
            vevent(
                "a@example.org",
                "Offenes Treffen",
                Day::ahead(9),
                (19, 0),
                (21, 0),
                &[],
            ),
            "BEGIN:VEVENT\r\nUID:nostart@example.org\r\nSUMMARY:Ohne Beginn\r\nEND:VEVENT\r\n"
                .to_owned(),
        ]);
        feeds.set(
            "/notes.ics",
            Reply::Calendar {
                text,
                etag: Some("\"n1\"".to_owned()),
                last_modified: None,
            },
        );
        let source = add_source(db, kiel, &feeds.url("/notes.ics")).await;
        let first = sync_now(db, source.id, &local()).await.expect("first");
        assert_eq!(first.created, 1);
        assert_eq!(first.notes.len(), 1, "{first:?}");
        assert!(first.notes[0].contains("Ohne Beginn"), "{first:?}");
        let note = reload(db, source.id).await.notes;
        assert_eq!(note.as_deref(), Some(first.notes[0].as_str()));

        // Same file (304): the event is still left out, so the note must stay for the
        // leads to read.
        let second = sync_now(db, source.id, &local()).await.expect("second");
        assert!(second.not_modified);
        let after = reload(db, source.id).await;
        assert_eq!(
            after.notes, note,
            "a 304 confirms the same file: its notes still apply"
        );
        assert_eq!(after.error, None);
        assert_eq!(after.events, 1);
    });
}

#[test]
fn a_broken_file_is_an_error_on_the_source_and_loses_nothing() {
    block_on(async {
        let (test_db, kiel) = fresh_with_lab("kiel").await;
        let db = &test_db.db;
        let feeds = Feeds::start().await;
        let good = vcalendar(&[
            vevent(
                "a@example.org",
                "Offenes Treffen",
                Day::ahead(6),
                (19, 0),
                (21, 0),
                &[],
            ),
            vevent(
                "b@example.org",
                "Datenlabor",
                Day::ahead(13),
                (19, 0),
                (21, 0),
                &[],
            ),
            vevent(
                "c@example.org",
                "Hackday",
                Day::ahead(20),
                (10, 0),
                (17, 0),
                &[],
            ),
        ]);
        feeds.set(
            "/kal.ics",
            Reply::Calendar {
                text: good.clone(),
                etag: Some("\"gut\"".to_owned()),
                last_modified: None,
            },
        );
        let source = add_source(db, kiel, &feeds.url("/kal.ics")).await;
        assert_eq!(
            sync_now(db, source.id, &local())
                .await
                .expect("good")
                .created,
            3
        );
        let rows = sourced(db, kiel, source.id).await;
        let ok = reload(db, source.id).await;

        // Cut in the middle of the second event, and cut right after the first one.
        let second_event = good.find("UID:b@example.org").expect("second event");
        let mid_event = good[..second_event + 30].to_owned();
        let first_end = good.find("END:VEVENT\r\n").expect("first end") + "END:VEVENT\r\n".len();
        let at_boundary = good[..first_end].to_owned();
        let html = "<!DOCTYPE html>\n<html><head><title>Anmelden</title></head>\
                    <body><form>Bitte melde dich an.</form></body></html>\n";
        let broken: Vec<(&str, Reply, &str)> = vec![
            (
                "an HTML page",
                Reply::Raw {
                    status: 200,
                    content_type: "text/html",
                    body: html.as_bytes().to_vec(),
                },
                "BEGIN:VCALENDAR",
            ),
            (
                "an empty file",
                Reply::Raw {
                    status: 200,
                    content_type: "text/calendar",
                    body: Vec::new(),
                },
                "BEGIN:VCALENDAR",
            ),
            (
                "a file cut in the middle of an event",
                Reply::Raw {
                    status: 200,
                    content_type: "text/calendar",
                    body: mid_event.into_bytes(),
                },
                "Kalender",
            ),
            (
                "a file cut after an event (no END:VCALENDAR)",
                Reply::Raw {
                    status: 200,
                    content_type: "text/calendar",
                    body: at_boundary.into_bytes(),
                },
                "Kalender",
            ),
            (
                "a 404",
                Reply::Raw {
                    status: 404,
                    content_type: "text/html",
                    body: html.as_bytes().to_vec(),
                },
                "Status 404",
            ),
            (
                "bytes that are not UTF-8",
                Reply::Raw {
                    status: 200,
                    content_type: "text/calendar",
                    body: b"BEGIN:VCALENDAR\r\nSUMMARY:\xff\xfe\xfd\r\nEND:VCALENDAR\r\n".to_vec(),
                },
                "UTF-8",
            ),
        ];
        let mut failures = Vec::new();
        for (what, reply, says) in broken {
            feeds.set("/kal.ics", reply);
            let result = sync_now(db, source.id, &local()).await;
            let message = match result {
                Err(SyncError::Source(message)) => message,
                other => {
                    failures.push(format!("{what}: expected a source error, got {other:?}"));
                    feeds.set(
                        "/kal.ics",
                        Reply::Calendar {
                            text: good.clone(),
                            etag: Some("\"gut\"".to_owned()),
                            last_modified: None,
                        },
                    );
                    continue;
                }
            };
            if !message.contains(says) {
                failures.push(format!(
                    "{what}: the message {message:?} does not say {says:?}"
                ));
            }
            let stored = reload(db, source.id).await;
            if stored.error.as_deref() != Some(message.as_str()) {
                failures.push(format!("{what}: recorded {:?}", stored.error));
            }
            if stored.ok_at != ok.ok_at || stored.events != 3 || stored.etag != ok.etag {
                failures.push(format!(
                    "{what}: the last success was rewritten: {stored:?}"
                ));
            }
            let now = sourced(db, kiel, source.id).await;
            if now != rows {
                failures.push(format!("{what}: meetups changed: {:#?}", titles(&now)));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));

        // Repaired: merged as before, the error is gone.
        feeds.set(
            "/kal.ics",
            Reply::Calendar {
                text: good,
                etag: Some("\"gut\"".to_owned()),
                last_modified: None,
            },
        );
        let repaired = sync_now(db, source.id, &local()).await.expect("repaired");
        assert!(
            repaired.not_modified || repaired.unchanged == 3,
            "{repaired:?}"
        );
        assert_eq!(reload(db, source.id).await.error, None);
        assert_eq!(sourced(db, kiel, source.id).await, rows);
    });
}

#[test]
fn slow_and_huge_answers_end_with_errors_about_time_and_size() {
    block_on(async {
        let (test_db, kiel) = fresh_with_lab("kiel").await;
        let db = &test_db.db;
        let feeds = Feeds::start().await;
        feeds.set("/trickle.ics", Reply::Trickle);
        feeds.set("/silent.ics", Reply::Silent);
        let five_mib = 5 * 1024 * 1024;
        feeds.set(
            "/huge.ics",
            Reply::Huge {
                bytes: five_mib,
                announce: false,
            },
        );
        feeds.set(
            "/huge-announced.ics",
            Reply::Huge {
                bytes: five_mib,
                announce: true,
            },
        );
        let trickle = add_source(db, kiel, &feeds.url("/trickle.ics")).await;
        let silent = add_source(db, kiel, &feeds.url("/silent.ics")).await;
        let huge = add_source(db, kiel, &feeds.url("/huge.ics")).await;
        let announced = add_source(db, kiel, &feeds.url("/huge-announced.ics")).await;
        let quick = FetchPolicy {
            allow_private: true,
            timeout: Duration::from_secs(2),
            ..FetchPolicy::default()
        };
        assert_eq!(quick.max_bytes, 2 * 1024 * 1024);

        let open = local();
        let started = Instant::now();
        let (r_trickle, r_silent, r_huge, r_announced) = tokio::join!(
            sync::sync(db, &trickle, &quick),
            sync::sync(db, &silent, &quick),
            sync::sync(db, &huge, &open),
            sync::sync(db, &announced, &open),
        );
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(1900) && took < Duration::from_secs(8),
            "one deadline of 2 s for the whole exchange, the trickled body included: {took:?}"
        );
        for (source, result) in [(&trickle, r_trickle), (&silent, r_silent)] {
            let message = source_error(result);
            assert_eq!(
                message, "Der Server 127.0.0.1 antwortete nicht innerhalb von 2 Sekunden.",
                "{}",
                source.url
            );
            assert_eq!(reload(db, source.id).await.error, Some(message));
        }
        for (source, result) in [(&huge, r_huge), (&announced, r_announced)] {
            let message = source_error(result);
            assert!(
                message.starts_with("Die Datei ist größer als 2 MB."),
                "{}: {message}",
                source.url
            );
            let stored = reload(db, source.id).await;
            assert_eq!(stored.error, Some(message));
            assert_eq!(stored.ok_at, None);
        }
        assert!(sourced(db, kiel, trickle.id).await.is_empty());
        assert!(sourced(db, kiel, huge.id).await.is_empty());
    });
}

#[test]
fn the_default_policy_refuses_private_addresses_without_connecting() {
    block_on(async {
        let (test_db, kiel) = fresh_with_lab("kiel").await;
        let db = &test_db.db;
        let feeds = Feeds::start().await;
        feeds.calendar(
            "/x.ics",
            &vcalendar(&[vevent(
                "a@example.org",
                "Geheim",
                Day::ahead(5),
                (19, 0),
                (20, 0),
                &[],
            )]),
        );
        let port = feeds.port();
        let cases = [
            (format!("http://127.0.0.1:{port}/x.ics"), "127.0.0.1"),
            (format!("http://localhost:{port}/x.ics"), "localhost"),
            (format!("http://[::1]:{port}/x.ics"), "::1"),
            (
                format!("http://[::ffff:127.0.0.1]:{port}/x.ics"),
                "127.0.0.1",
            ),
            ("http://10.1.2.3/x.ics".to_owned(), "10.1.2.3"),
            ("http://192.168.178.1/x.ics".to_owned(), "192.168.178.1"),
        ];
        for (url, named) in &cases {
            let source = add_source(db, kiel, url).await;
            let message = source_error(sync::sync(db, &source, &FetchPolicy::default()).await);
            assert!(
                message.contains("privates Netz") && message.contains(named),
                "{url}: {message}"
            );
            let stored = reload(db, source.id).await;
            assert_eq!(stored.error.as_deref(), Some(message.as_str()), "{url}");
            assert!(stored.checked_at.is_some() && stored.ok_at.is_none());
        }
        // The unspecified address reaches this machine: refused even where private
        // addresses are allowed.
        let any = add_source(db, kiel, &format!("http://0.0.0.0:{port}/x.ics")).await;
        let message = source_error(sync::sync(db, &any, &local()).await);
        assert!(message.contains("0.0.0.0"), "{message}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(feeds.connections(), 0, "refused before connecting");
        assert!(sourced(db, kiel, any.id).await.is_empty());
    });
}

#[test]
fn an_event_the_lab_has_as_its_own_meetup_is_not_taken_twice() {
    block_on(async {
        let (test_db, kiel) = fresh_with_lab("kiel").await;
        let db = &test_db.db;
        let leipzig = lab_id(db, "leipzig").await;
        let feeds = Feeds::start().await;
        let (d1, d2, d3) = (Day::ahead(12), Day::ahead(19), Day::ahead(26));
        own_meetup(db, kiel, "own-1@test", "Offenes Treffen", d1, 19).await;
        own_meetup(db, kiel, "own-2@test", "Hack Night", d2, 19).await;
        // Another lab's meetup does not count.
        own_meetup(db, leipzig, "own-3@test", "Datenspaziergang", d3, 18).await;
        feeds.calendar(
            "/eigen.ics",
            &vcalendar(&[
                // The same meetup, the title in capitals.
                vevent("e1@meetup.example", "OFFENES TREFFEN", d1, (19, 0), (21, 0), &[]),
                // The same meetup, written in London time (one hour behind Berlin all year).
                format!(
                    "BEGIN:VEVENT\r\nUID:e2@meetup.example\r\nSUMMARY:hack night\r\n\
                     DTSTART;TZID=Europe/London:{}\r\nDTEND;TZID=Europe/London:{}\r\nEND:VEVENT\r\n",
                    d2.ical(18, 0),
                    d2.ical(20, 0)
                ),
                // Leipzig's meetup, but this calendar is Kiel's.
                vevent("e3@meetup.example", "Datenspaziergang", d3, (18, 0), (20, 0), &[]),
                // Same title, another time: a meetup of its own.
                vevent("e4@meetup.example", "Offenes Treffen", d1, (20, 0), (22, 0), &[]),
            ]),
        );
        let source = add_source(db, kiel, &feeds.url("/eigen.ics")).await;
        let report = sync_now(db, source.id, &local()).await.expect("sync");
        assert_eq!(report.created, 2, "{report:?}");
        assert_eq!(report.withdrawn, 0);
        let rows = sourced(db, kiel, source.id).await;
        let mut got: Vec<_> = rows
            .iter()
            .map(|m| (m.title.as_str(), m.starts_at.clone()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("Datenspaziergang", d3.civil(18, 0)),
                ("Offenes Treffen", d1.civil(20, 0)),
            ]
        );
        let all = own_and_sourced(db, kiel).await;
        let at_d1_19: Vec<_> = all
            .iter()
            .filter(|m| m.starts_at == d1.civil(19, 0))
            .collect();
        assert_eq!(at_d1_19.len(), 1, "{:#?}", titles(&all));
        assert_eq!(at_d1_19[0].source_id, None, "the lab's own meetup stays");
        // Fetched again: still not taken over.
        let again = sync_now(db, source.id, &local()).await.expect("again");
        assert_eq!(again.created, 0, "{again:?}");
        assert_eq!(own_and_sourced(db, kiel).await.len(), all.len());
    });
}

#[test]
fn own_meetup_titles_match_in_any_case_also_with_umlauts() {
    block_on(async {
        let (test_db, kiel) = fresh_with_lab("kiel").await;
        let db = &test_db.db;
        let feeds = Feeds::start().await;
        let day = Day::ahead(11);
        own_meetup(
            db,
            kiel,
            "own-oeko@test",
            "Offenes Treffen für alle",
            day,
            19,
        )
        .await;
        feeds.calendar(
            "/oeko.ics",
            &vcalendar(&[vevent(
                "oeko@meetup.example",
                "OFFENES TREFFEN FÜR ALLE",
                day,
                (19, 0),
                (21, 0),
                &[],
            )]),
        );
        let source = add_source(db, kiel, &feeds.url("/oeko.ics")).await;
        let report = sync_now(db, source.id, &local()).await.expect("sync");
        assert_eq!(
            report.created,
            0,
            "„OFFENES TREFFEN FÜR ALLE“ is the lab's own „Offenes Treffen für alle“: {:#?}",
            titles(&own_and_sourced(db, kiel).await)
        );
    });
}

#[test]
fn a_series_keeps_its_rule_left_out_and_cancelled_dates_and_moved_date() {
    block_on(async {
        let (test_db, kiel) = fresh_with_lab("kiel").await;
        let db = &test_db.db;
        let feeds = Feeds::start().await;
        let start = Day::ahead(7);
        let (skipped, cancelled, moved) = (start.plus(7), start.plus(14), start.plus(21));
        let master = |extra: &[&str]| {
            let mut lines = vec!["RRULE:FREQ=WEEKLY;COUNT=10"];
            lines.extend_from_slice(extra);
            vevent(
                "reihe@example.org",
                "Wöchentliches Treffen",
                start,
                (19, 0),
                (21, 0),
                &lines,
            )
        };
        let exdate = format!("EXDATE;TZID=Europe/Berlin:{}", skipped.ical(19, 0));
        let cancel = format!(
            "BEGIN:VEVENT\r\nUID:reihe@example.org\r\nRECURRENCE-ID;TZID=Europe/Berlin:{}\r\n\
             DTSTART;TZID=Europe/Berlin:{}\r\nDTEND;TZID=Europe/Berlin:{}\r\nSTATUS:CANCELLED\r\n\
             SUMMARY:Wöchentliches Treffen\r\nEND:VEVENT\r\n",
            cancelled.ical(19, 0),
            cancelled.ical(19, 0),
            cancelled.ical(21, 0)
        );
        let move_it = format!(
            "BEGIN:VEVENT\r\nUID:reihe@example.org\r\nRECURRENCE-ID;TZID=Europe/Berlin:{}\r\n\
             DTSTART;TZID=Europe/Berlin:{}\r\nDTEND;TZID=Europe/Berlin:{}\r\n\
             SUMMARY:Wöchentliches Treffen (einen Tag später)\r\nEND:VEVENT\r\n",
            moved.ical(19, 0),
            moved.plus(1).ical(18, 0),
            moved.plus(1).ical(20, 0)
        );
        feeds.calendar(
            "/reihe.ics",
            &vcalendar(&[master(&[&exdate]), cancel, move_it.clone()]),
        );
        let source = add_source(db, kiel, &feeds.url("/reihe.ics")).await;
        let report = sync_now(db, source.id, &local()).await.expect("sync");
        assert_eq!(
            report,
            Report {
                created: 2,
                ..Report::default()
            }
        );
        let rows = sourced(db, kiel, source.id).await;
        assert_eq!(rows.len(), 2, "{:#?}", titles(&rows));
        let series = titled(&rows, "Wöchentliches Treffen");
        assert_eq!(series.rrule.as_deref(), Some("FREQ=WEEKLY;COUNT=10"));
        assert_eq!(series.starts_at, start.civil(19, 0));
        assert_eq!(series.status, "scheduled");
        let (left_out, called_off) = exceptions_of(db, series.id).await;
        assert_eq!(
            left_out,
            [skipped.civil(19, 0), moved.civil(19, 0)],
            "the EXDATE and the moved date are left out of the series"
        );
        assert_eq!(called_off, [cancelled.civil(19, 0)]);
        let one_off = titled(&rows, "Wöchentliches Treffen (einen Tag später)");
        assert_eq!(one_off.rrule, None);
        assert_eq!(one_off.starts_at, moved.plus(1).civil(18, 0));
        assert_eq!(one_off.ends_at, moved.plus(1).civil(20, 0));
        let mut conn = db.begin().await.expect("tx");
        let by_uid = meetups::of_source(&mut conn, source.id)
            .await
            .expect("of source");
        drop(conn);
        let mut uids: Vec<_> = by_uid.keys().cloned().collect();
        uids.sort();
        assert_eq!(
            uids,
            [
                "reihe@example.org".to_owned(),
                format!("reihe@example.org#{}", moved.civil(19, 0)),
            ]
        );

        // The cancellation is lifted and one more date is left out.
        let later = start.plus(28);
        let exdates = format!(
            "EXDATE;TZID=Europe/Berlin:{},{}",
            skipped.ical(19, 0),
            later.ical(19, 0)
        );
        feeds.calendar("/reihe.ics", &vcalendar(&[master(&[&exdates]), move_it]));
        let report = sync_now(db, source.id, &local())
            .await
            .expect("second sync");
        assert_eq!(
            report,
            Report {
                updated: 1,
                unchanged: 1,
                ..Report::default()
            }
        );
        let (left_out, called_off) = exceptions_of(db, series.id).await;
        assert_eq!(
            left_out,
            [skipped.civil(19, 0), moved.civil(19, 0), later.civil(19, 0)]
        );
        assert!(called_off.is_empty(), "{called_off:?}");
    });
}

#[test]
fn a_cancelled_date_that_the_calendar_then_leaves_out_stays_off() {
    block_on(async {
        let (test_db, kiel) = fresh_with_lab("kiel").await;
        let db = &test_db.db;
        let feeds = Feeds::start().await;
        let start = Day::ahead(7);
        let date = start.plus(14);
        let weekly = |extra: &[&str]| {
            let mut lines = vec!["RRULE:FREQ=WEEKLY;COUNT=10"];
            lines.extend_from_slice(extra);
            vevent(
                "serie@example.org",
                "Dienstagstreffen",
                start,
                (19, 0),
                (21, 0),
                &lines,
            )
        };
        let cancel = format!(
            "BEGIN:VEVENT\r\nUID:serie@example.org\r\nRECURRENCE-ID;TZID=Europe/Berlin:{}\r\n\
             DTSTART;TZID=Europe/Berlin:{}\r\nDTEND;TZID=Europe/Berlin:{}\r\nSTATUS:CANCELLED\r\n\
             SUMMARY:Dienstagstreffen\r\nEND:VEVENT\r\n",
            date.ical(19, 0),
            date.ical(19, 0),
            date.ical(21, 0)
        );
        feeds.calendar("/serie.ics", &vcalendar(&[weekly(&[]), cancel]));
        let source = add_source(db, kiel, &feeds.url("/serie.ics")).await;
        sync_now(db, source.id, &local()).await.expect("first");
        let series = sourced(db, kiel, source.id).await[0].clone();
        assert_eq!(
            exceptions_of(db, series.id).await,
            (vec![], vec![date.civil(19, 0)])
        );

        // The organiser deletes the cancelled date from the series instead (EXDATE).
        let exdate = format!("EXDATE;TZID=Europe/Berlin:{}", date.ical(19, 0));
        feeds.calendar("/serie.ics", &vcalendar(&[weekly(&[&exdate])]));
        let report = sync_now(db, source.id, &local()).await.expect("second");
        assert_eq!(report.updated, 1, "{report:?}");
        assert_eq!(
            exceptions_of(db, series.id).await,
            (vec![date.civil(19, 0)], vec![]),
            "the date is left out now; it must not take place again"
        );
    });
}

#[test]
fn two_syncs_of_one_calendar_at_once_neither_fail_nor_duplicate() {
    block_on(async {
        let (test_db, kiel) = fresh_with_lab("kiel").await;
        let db = &test_db.db;
        let feeds = Feeds::start().await;
        // Many events, so one merge takes a while and the other's starts meanwhile.
        let events: Vec<String> = (0..60)
            .map(|i| {
                vevent(
                    &format!("e{i}@example.org"),
                    &format!("Treffen {i}"),
                    Day::ahead(2 + i),
                    (19, 0),
                    (21, 0),
                    &[],
                )
            })
            .collect();
        feeds.calendar("/zwei.ics", &vcalendar(&events));
        // Both requests are in flight before either is answered: the background round
        // and a lead's „Jetzt abrufen“ (or two instances on one database).
        feeds.delay("/zwei.ics", Duration::from_millis(300));
        let source = add_source(db, kiel, &feeds.url("/zwei.ics")).await;
        let open = local();
        let (one, two) = tokio::join!(
            sync::sync(db, &source, &open),
            sync::sync(db, &source, &open)
        );
        let rows = sourced(db, kiel, source.id).await;
        let stored = reload(db, source.id).await;
        assert!(
            one.is_ok() && two.is_ok(),
            "both syncs succeed: {one:?} / {two:?}; the source says {:?}",
            stored.error
        );
        assert_eq!(rows.len(), 60, "{:#?}", titles(&rows));
        assert_eq!(stored.error, None);
    });
}

// ---------------------------------------------------------------------------------------
// Over HTTP: the leads' dashboard.

struct Site {
    server: Server,
}

static OPEN_SITE: OnceCell<Site> = OnceCell::const_new();

/// A server over the demo network that may fetch calendars from loopback.
async fn open_site() -> &'static Site {
    OPEN_SITE.get_or_init(|| async { site(true).await }).await
}

async fn site(allow_private: bool) -> Site {
    let db = testing::fresh().await.expect("fresh database");
    codefor_core::demo::seed(&db.db).await.expect("seed demo");
    let config = codefor_web::Config {
        calendar_fetch: FetchPolicy {
            allow_private,
            ..FetchPolicy::default()
        },
        ..Default::default()
    };
    Site {
        server: crate::support::serve_with(db, config).await,
    }
}

/// A confirmed account that leads `lead_of` or belongs to `member_of`.
async fn person(db: &Db, email: &str, lead_of: Option<&str>, member_of: Option<&str>) -> i64 {
    crate::support::confirmed_person(db, email, "Kim Kalender", lead_of, member_of).await
}

/// The text of `/termine/?lab=<slug>` once it shows (or not) `title` (the page cache
/// notices a change within half a second).
async fn dates_page(b: &mut Browser, slug: &str, title: &str, shown: bool) -> String {
    let mut body = String::new();
    for _ in 0..40 {
        let page = b.get(&format!("/termine/?lab={slug}")).await;
        assert_eq!(page.status, 200);
        body = page.body;
        if body.contains(title) == shown {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    body
}

#[test]
fn a_lead_connects_a_calendar_on_the_dashboard_and_sees_its_events_and_errors() {
    block_on(async {
        let site = open_site().await;
        let server = &site.server;
        let db = &server.db.db;
        let feeds = Feeds::start().await;
        let kiel = lab_id(db, "kiel").await;
        person(db, "leitung-kalender@example.org", Some("kiel"), None).await;
        person(db, "mitglied-kalender@example.org", None, Some("kiel")).await;
        let (d1, d2) = (Day::ahead(9), Day::ahead(16));
        let calendar = |second: &str| {
            vcalendar(&[
                vevent(
                    "k1@example.org",
                    "Kieler Datenabend",
                    d1,
                    (19, 0),
                    (21, 0),
                    &[],
                ),
                vevent("k2@example.org", second, d2, (10, 0), (16, 0), &[]),
            ])
        };
        feeds.calendar("/kiel.ics", &calendar("Kieler Hackday"));
        feeds.set(
            "/kaputt.ics",
            Reply::Raw {
                status: 200,
                content_type: "text/html",
                body: b"<!DOCTYPE html><html><body>Anmelden</body></html>".to_vec(),
            },
        );
        let good_url = feeds.url("/kiel.ics");
        let broken_url = feeds.url("/kaputt.ics");

        let mut lead = signed_in(server, "leitung-kalender@example.org").await;
        let dashboard = lead.get("/mitglieder/kiel/").await;
        assert_eq!(dashboard.status, 200);
        assert!(
            dashboard
                .body
                .contains("action=\"/mitglieder/kiel/kalender\"")
        );
        let added = lead
            .submit(
                "/mitglieder/kiel/",
                "/mitglieder/kiel/kalender",
                &[("url", &good_url)],
            )
            .await;
        assert_eq!(added.status, 303, "{}", added.body);
        assert_eq!(added.location, "/mitglieder/kiel/#kalender");
        let sources = calendars::of_lab(db, kiel).await.expect("sources");
        assert_eq!(sources.len(), 1);
        let good = sources[0].clone();
        assert_eq!(good.url, good_url);
        assert_eq!(good.events, 2, "fetched at once: {good:?}");
        assert_eq!(good.error, None);
        assert_eq!(feeds.seen("/kiel.ics").len(), 1);

        // The events are the lab's dates now, and only that lab's.
        let dates = dates_page(&mut lead, "kiel", "Kieler Hackday", true).await;
        assert!(dates.contains("Kieler Datenabend"), "{dates}");
        assert!(dates.contains("Kieler Hackday"), "{dates}");
        let elsewhere = lead.get("/termine/?lab=leipzig").await;
        assert!(!elsewhere.body.contains("Kieler Datenabend"));

        // The same address twice is refused with a reason.
        let twice = lead
            .submit(
                "/mitglieder/kiel/",
                "/mitglieder/kiel/kalender",
                &[("url", &good_url)],
            )
            .await;
        assert_eq!(twice.status, 422);
        assert!(twice.body.contains("schon verbunden"), "{}", twice.body);

        // A calendar that is not one: registered, its error on the dashboard.
        let broken_added = lead
            .submit(
                "/mitglieder/kiel/",
                "/mitglieder/kiel/kalender",
                &[("url", &broken_url)],
            )
            .await;
        assert_eq!(broken_added.status, 303, "{}", broken_added.body);
        let broken = calendars::of_lab(db, kiel)
            .await
            .expect("sources")
            .into_iter()
            .find(|s| s.url == broken_url)
            .expect("broken source");
        let error = broken.error.clone().expect("error recorded");
        assert!(error.contains("keinen iCalendar-Kalender"), "{error}");
        let dashboard = lead.get("/mitglieder/kiel/").await;
        assert!(
            dashboard
                .body
                .contains(&format!("ist fehlgeschlagen:</strong> {error}")),
            "{}",
            dashboard.body
        );
        assert!(dashboard.body.contains("2 Termine"), "{}", dashboard.body);

        // „Jetzt abrufen“ takes a change over.
        feeds.calendar("/kiel.ics", &calendar("Kieler Hackday (ausgebucht)"));
        let fetched = lead
            .submit(
                "/mitglieder/kiel/",
                &format!("/mitglieder/kiel/kalender/{}/abrufen", good.id),
                &[],
            )
            .await;
        assert_eq!(fetched.status, 303, "{}", fetched.body);
        let dates = dates_page(&mut lead, "kiel", "Kieler Hackday (ausgebucht)", true).await;
        assert!(dates.contains("Kieler Hackday (ausgebucht)"), "{dates}");

        // Removing the broken one: gone from the dashboard.
        let removed = lead
            .submit(
                "/mitglieder/kiel/",
                &format!("/mitglieder/kiel/kalender/{}/entfernen", broken.id),
                &[],
            )
            .await;
        assert_eq!(removed.status, 303, "{}", removed.body);
        let dashboard = lead.get("/mitglieder/kiel/").await;
        assert!(!dashboard.body.contains(&broken_url));
        assert!(dashboard.body.contains(&good_url));

        // A member who does not lead the lab may do none of it.
        let mut member = signed_in(server, "mitglied-kalender@example.org").await;
        assert_eq!(member.get("/mitglieder/kiel/").await.status, 403);
        let refused = member
            .submit(
                "/konto/",
                "/mitglieder/kiel/kalender",
                &[("url", &feeds.url("/anderer.ics"))],
            )
            .await;
        assert_eq!(refused.status, 403);
        assert!(
            refused.body.contains("Keine Berechtigung"),
            "refused for the role, not the form token: {}",
            refused.body
        );
        let refused = member
            .submit(
                "/konto/",
                &format!("/mitglieder/kiel/kalender/{}/abrufen", good.id),
                &[],
            )
            .await;
        assert_eq!(refused.status, 403);
        assert_eq!(calendars::of_lab(db, kiel).await.expect("sources").len(), 1);
        assert!(feeds.seen("/anderer.ics").is_empty());
        assert_eq!(feeds.seen("/kiel.ics").len(), 2);
    });
}

#[test]
fn the_dashboard_shows_a_failure_right_after_a_success() {
    block_on(async {
        let site = open_site().await;
        let server = &site.server;
        let db = &server.db.db;
        let feeds = Feeds::start().await;
        let koeln = lab_id(db, "koeln").await;
        person(
            db,
            "leitung-koeln-kalender@example.org",
            Some("koeln"),
            None,
        )
        .await;
        feeds.calendar(
            "/koeln.ics",
            &vcalendar(&[vevent(
                "k@example.org",
                "Kölner Datenabend",
                Day::ahead(9),
                (19, 0),
                (21, 0),
                &[],
            )]),
        );
        let mut lead = signed_in(server, "leitung-koeln-kalender@example.org").await;
        // Start early in a second, so success and failure fall into the same one.
        let sub = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .subsec_millis();
        tokio::time::sleep(Duration::from_millis(u64::from(1000 - sub) + 20)).await;
        let added = lead
            .submit(
                "/mitglieder/koeln/",
                "/mitglieder/koeln/kalender",
                &[("url", &feeds.url("/koeln.ics"))],
            )
            .await;
        assert_eq!(added.status, 303, "{}", added.body);
        let source = calendars::of_lab(db, koeln).await.expect("sources")[0].clone();
        assert_eq!(source.error, None);
        feeds.set(
            "/koeln.ics",
            Reply::Raw {
                status: 503,
                content_type: "text/plain",
                body: b"Wartung".to_vec(),
            },
        );
        let fetched = lead
            .submit(
                "/mitglieder/koeln/",
                &format!("/mitglieder/koeln/kalender/{}/abrufen", source.id),
                &[],
            )
            .await;
        assert_eq!(fetched.status, 303);
        let stored = reload(db, source.id).await;
        let error = stored.error.clone().expect("failure recorded");
        assert!(error.contains("Status 503"), "{error}");
        let dashboard = lead.get("/mitglieder/koeln/").await;
        assert!(
            dashboard
                .body
                .contains(&format!("ist fehlgeschlagen:</strong> {error}")),
            "the last fetch failed and must be shown as a failure, not as a hint \
             (checked_at {:?}, ok_at {:?}): {}",
            stored.checked_at,
            stored.ok_at,
            dashboard
                .body
                .lines()
                .filter(|l| l.contains("Status 503"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    });
}

#[test]
fn the_dashboard_shows_why_a_loopback_calendar_is_refused() {
    block_on(async {
        let site = site(false).await;
        let server = &site.server;
        let db = &server.db.db;
        let feeds = Feeds::start().await;
        feeds.calendar(
            "/x.ics",
            &vcalendar(&[vevent(
                "x@example.org",
                "Intern",
                Day::ahead(3),
                (19, 0),
                (20, 0),
                &[],
            )]),
        );
        let rostock = lab_id(db, "rostock").await;
        person(db, "leitung-rostock@example.org", Some("rostock"), None).await;
        let mut lead = signed_in(server, "leitung-rostock@example.org").await;
        let url = format!("http://127.0.0.1:{}/x.ics", feeds.port());
        let added = lead
            .submit(
                "/mitglieder/rostock/",
                "/mitglieder/rostock/kalender",
                &[("url", &url)],
            )
            .await;
        assert_eq!(added.status, 303, "{}", added.body);
        let source = calendars::of_lab(db, rostock).await.expect("sources")[0].clone();
        let error = source.error.clone().expect("refusal recorded");
        assert_eq!(
            error,
            "Die Adresse zeigt in ein privates Netz (127.0.0.1); solche Adressen ruft die \
             Plattform nicht ab."
        );
        let dashboard = lead.get("/mitglieder/rostock/").await;
        assert!(
            dashboard
                .body
                .contains(&format!("ist fehlgeschlagen:</strong> {error}")),
            "{}",
            dashboard.body
        );
        assert_eq!(feeds.connections(), 0, "the server never saw a connection");
        assert!(sourced(db, rostock, source.id).await.is_empty());
    });
}
