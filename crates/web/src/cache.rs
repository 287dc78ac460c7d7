//! A cache of rendered pages, shared by all requests of one instance.
//!
//! Correct across instances: every content write bumps a version in the database
//! (`meta.content_version`); an instance compares it at most every
//! `cache_check_interval` and drops everything when it changed. So a page is never
//! staler than that interval, and nothing in memory can disagree with the database
//! for longer. Entries also expire after a minute, since pages such as the upcoming
//! meetups change with the clock.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Pages larger than this are not kept.
const MAX_BODY: usize = 2 * 1024 * 1024;
/// At most this many pages; when full, the cache starts over.
const MAX_ENTRIES: usize = 4096;

struct Entry {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    stored: Instant,
}

/// Pages also change with time alone (the next meetup moves on): none is served from
/// the cache for longer than this.
const MAX_AGE: Duration = Duration::from_secs(60);

pub struct PageCache {
    interval: Duration,
    /// One gate per page being rendered: when many requests for a page nobody has opened
    /// yet arrive at once, one renders and the others wait for its result.
    inflight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    checked: Mutex<Option<(Instant, i64)>>,
    /// Counts `recheck`s, so a version read from the database before a write on this
    /// instance is not remembered after it (the writer's next page would be stale).
    rechecks: AtomicU64,
    entries: RwLock<(i64, HashMap<String, Entry>)>,
}

impl PageCache {
    pub fn new(interval: Duration) -> PageCache {
        PageCache {
            interval,
            inflight: Mutex::new(HashMap::new()),
            checked: Mutex::new(None),
            rechecks: AtomicU64::new(0),
            entries: RwLock::new((i64::MIN, HashMap::new())),
        }
    }

    /// The content version, from memory when it was checked recently.
    async fn version(&self, db: &codefor_storage::Db) -> Option<i64> {
        if let Ok(guard) = self.checked.lock()
            && let Some((at, v)) = *guard
            && at.elapsed() < self.interval
        {
            return Some(v);
        }
        let rechecks = self.rechecks.load(Ordering::Acquire);
        let v = db.content_version().await.ok()?;
        if let Ok(mut guard) = self.checked.lock()
            && self.rechecks.load(Ordering::Acquire) == rechecks
        {
            *guard = Some((Instant::now(), v));
        }
        Some(v)
    }

    /// After a write on this instance: check the content version on the next request
    /// instead of trusting the remembered one, so an editor sees their change at once.
    pub fn recheck(&self) {
        self.rechecks.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut guard) = self.checked.lock() {
            *guard = None;
        }
    }

    fn get(&self, key: &str, version: i64) -> Option<Response> {
        let entries = self.entries.read().ok()?;
        if entries.0 != version {
            return None;
        }
        let e = entries.1.get(key)?;
        if e.stored.elapsed() > MAX_AGE {
            return None;
        }
        let mut response = (e.status, e.body.clone()).into_response();
        *response.headers_mut() = e.headers.clone();
        Some(response)
    }

    fn gate(&self, key: &str) -> Option<Arc<tokio::sync::Mutex<()>>> {
        let mut inflight = self.inflight.lock().ok()?;
        Some(inflight.entry(key.to_owned()).or_default().clone())
    }

    fn release(&self, key: &str, gate: &Arc<tokio::sync::Mutex<()>>) {
        if let Ok(mut inflight) = self.inflight.lock()
            // The caller's and the map's: nobody else is waiting.
            && Arc::strong_count(gate) <= 2
        {
            inflight.remove(key);
        }
    }

    fn put(&self, key: String, version: i64, entry: Entry) {
        if let Ok(mut entries) = self.entries.write() {
            // A render that began before a newer version was seen must not wipe the newer
            // pages; it is simply not kept.
            if version < entries.0 {
                return;
            }
            if entries.0 != version || entries.1.len() >= MAX_ENTRIES {
                entries.0 = version;
                entries.1.clear();
            }
            entries.1.insert(key, entry);
        }
    }
}

/// A kept response with an `ETag` the request already has: 304 with its headers.
fn revalidated(request: &HeaderMap, hit: Response) -> Response {
    let same = hit
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|etag| not_modified(request, etag));
    if !same {
        return hit;
    }
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    // A 304 repeats what the full answer would have said about caching and CORS (the
    // API's reads are open to every origin, and a browser checks that on 304s too).
    for name in [
        header::ETAG,
        header::CACHE_CONTROL,
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        header::VARY,
    ] {
        if let Some(v) = hit.headers().get(&name) {
            response.headers_mut().insert(name, v.clone());
        }
    }
    response
}

/// Whether the request's `If-None-Match` names `etag` (weak comparison, RFC 9110
/// §13.1.2: `W/"x"` matches `"x"`; `*` matches anything).
pub fn not_modified(request: &HeaderMap, etag: &str) -> bool {
    request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(str::trim)
                .any(|t| t.trim_start_matches("W/") == etag || t == "*")
        })
}

fn cacheable(response: &Response) -> bool {
    let headers = response.headers();
    if headers.contains_key(header::SET_COOKIE)
        || headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store") || v.contains("private"))
    {
        return false;
    }
    let status = response.status();
    if status != StatusCode::OK && status != StatusCode::NOT_FOUND {
        return false;
    }
    let ct = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    [
        "text/html",
        "text/plain",
        "application/json",
        "text/csv",
        "text/calendar",
        "application/rss+xml",
        "application/xml",
        "application/yaml",
    ]
    .iter()
    .any(|t| ct.starts_with(t))
}

pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Signed-in people see their own header and buttons: never from or into the cache.
    if request.method() != Method::GET
        || crate::session::cookie(request.headers(), crate::session::SESSION_COOKIE).is_some()
    {
        return next.run(request).await;
    }
    // Only pages and feeds (not media files), and only with no query or the catalog's
    // filters: any other query string would let anyone fill the cache with copies.
    let uri = request.uri();
    let path = uri.path();
    // Public calendar feeds too; a person's own feed (`/kalender/<secret>.ics`) never.
    let pagelike = path.ends_with('/')
        || [".json", ".csv", ".xml", ".txt", ".yml"]
            .iter()
            .any(|e| path.ends_with(e))
        || (path.ends_with(".ics") && !path.starts_with("/kalender/"));
    if !pagelike
        || !uri
            .query()
            .is_none_or(crate::projects::CatalogQuery::only_filters)
    {
        return next.run(request).await;
    }
    // Feeds and the sitemap name the origin from the Host header: one copy per host.
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let key = format!(
        "{host}{}",
        uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("")
    );
    let Some(version) = state.cache.version(&state.db).await else {
        return next.run(request).await;
    };
    if let Some(hit) = state.cache.get(&key, version) {
        return revalidated(request.headers(), hit);
    }
    // One render per page at a time; the guard gives the gate back even when the request
    // is dropped halfway (client gone, timeout).
    let Some(gate) = state.cache.gate(&key) else {
        return next.run(request).await;
    };
    let mut turn = Turn {
        cache: state.cache.clone(),
        key: key.clone(),
        gate: gate.clone(),
        held: None,
    };
    turn.held = Some(gate.lock_owned().await);
    // Whoever held the gate before us may have rendered this page meanwhile.
    let response = match state.cache.get(&key, version) {
        Some(hit) => hit,
        None => respond(&state, key, version, request, next).await,
    };
    drop(turn);
    response
}

/// A request's turn at a page's gate; dropping it lets the next one in and forgets the
/// gate when nobody else waits.
struct Turn {
    cache: Arc<PageCache>,
    key: String,
    gate: Arc<tokio::sync::Mutex<()>>,
    held: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        drop(self.held.take());
        self.cache.release(&self.key, &self.gate);
    }
}

async fn respond(
    state: &AppState,
    key: String,
    version: i64,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    if !cacheable(&response) {
        return response;
    }
    // A large page (or one of unknown size) goes out as it is, without being kept.
    let small = axum::body::HttpBody::size_hint(response.body())
        .upper()
        .is_some_and(|n| n <= MAX_BODY as u64);
    if !small {
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => {
            state.cache.put(
                key,
                version,
                Entry {
                    status: parts.status,
                    headers: parts.headers.clone(),
                    body: bytes.clone(),
                    stored: Instant::now(),
                },
            );
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => {
            tracing::error!(error = %e, "could not buffer a response for the cache");
            (StatusCode::INTERNAL_SERVER_ERROR, "response too large").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn gates_are_shared_while_waited_on_and_dropped_after() {
        let cache = PageCache::new(Duration::from_millis(500));
        let a = cache.gate("/x/").unwrap();
        let b = cache.gate("/x/").unwrap();
        assert!(Arc::ptr_eq(&a, &b), "same page, same gate");
        let turn = a.clone().lock_owned().await;
        assert!(b.try_lock().is_err(), "the second request waits");
        drop(turn);
        cache.release("/x/", &a);
        assert_eq!(
            cache.inflight.lock().unwrap().len(),
            1,
            "b still holds the gate"
        );
        drop(a);
        cache.release("/x/", &b);
        assert!(
            cache.inflight.lock().unwrap().is_empty(),
            "no gate left behind"
        );
    }

    #[tokio::test]
    async fn a_request_dropped_while_waiting_leaves_no_gate_behind() {
        let cache = Arc::new(PageCache::new(Duration::from_millis(500)));
        let holder = cache.gate("/y/").unwrap();
        let held = holder.clone().lock_owned().await;
        // A second request: its turn exists, its wait for the lock is cancelled.
        let gate = cache.gate("/y/").unwrap();
        let waiting = Turn {
            cache: cache.clone(),
            key: "/y/".into(),
            gate: gate.clone(),
            held: None,
        };
        let lock = gate.lock_owned();
        drop(lock);
        drop(waiting);
        assert_eq!(
            cache.inflight.lock().unwrap().len(),
            1,
            "the first request still holds it"
        );
        let first = Turn {
            cache: cache.clone(),
            key: "/y/".into(),
            gate: holder,
            held: Some(held),
        };
        drop(first);
        assert!(
            cache.inflight.lock().unwrap().is_empty(),
            "no gate left behind"
        );
    }
}
