//! A cache of rendered pages, shared by all requests of one instance.
//!
//! Correct across instances: every content write bumps a version in the database
//! (`meta.content_version`); an instance compares it at most every
//! `cache_check_interval` and drops everything when it changed. So a page is never
//! staler than that interval, and nothing in memory can disagree with the database
//! for longer.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
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
}

pub struct PageCache {
    interval: Duration,
    checked: Mutex<Option<(Instant, i64)>>,
    entries: RwLock<(i64, HashMap<String, Entry>)>,
}

impl PageCache {
    pub fn new(interval: Duration) -> PageCache {
        PageCache {
            interval,
            checked: Mutex::new(None),
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
        let v = db.content_version().await.ok()?;
        if let Ok(mut guard) = self.checked.lock() {
            *guard = Some((Instant::now(), v));
        }
        Some(v)
    }

    fn get(&self, key: &str, version: i64) -> Option<Response> {
        let entries = self.entries.read().ok()?;
        if entries.0 != version {
            return None;
        }
        let e = entries.1.get(key)?;
        let mut response = (e.status, e.body.clone()).into_response();
        *response.headers_mut() = e.headers.clone();
        Some(response)
    }

    fn put(&self, key: String, version: i64, entry: Entry) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.0 != version || entries.1.len() >= MAX_ENTRIES {
                entries.0 = version;
                entries.1.clear();
            }
            entries.1.insert(key, entry);
        }
    }
}

fn cacheable(response: &Response) -> bool {
    let status = response.status();
    if status != StatusCode::OK && status != StatusCode::NOT_FOUND {
        return false;
    }
    let ct = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    ct.starts_with("text/html")
        || ct.starts_with("application/json")
        || ct.starts_with("application/rss+xml")
}

pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let key = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_default();
    let Some(version) = state.cache.version(&state.db).await else {
        return next.run(request).await;
    };
    if let Some(hit) = state.cache.get(&key, version) {
        return hit;
    }
    let response = next.run(request).await;
    if !cacheable(&response) {
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
