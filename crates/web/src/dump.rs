//! The open-data dump for download (`/daten/opendata.zip`): the newest
//! `codefor-opendata.zip` of the configured folder, made when it is missing, older than
//! a day or made from older content (`core::dump::fresh`), streamed from disk in pieces so
//! a large dump never sits in memory. `Cache-Control: no-cache` with `ETag` and
//! `Last-Modified`: clients ask again each time, so withdrawn records do not linger.
//!
//! A dump is kept only when the base URL is configured: its links would otherwise come
//! from the request's Host header, and one request with a foreign host would plant its
//! URLs in everybody's download. Without a base URL (or without a folder: embedded use,
//! tests) each download is made afresh in a temporary folder.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use codefor_core::dump;
use tokio::io::AsyncReadExt;

use crate::{AppState, WebError};

/// The URL of the download.
pub const PATH: &str = "/daten/opendata.zip";

/// Bytes read from the file per piece of the response.
const CHUNK: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, get(download))
}

async fn download(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let origin = state.origin(&headers);
    let fail = |e: dump::DumpError| WebError::Internal(format!("open-data dump: {e}"));
    let kept_dir = state
        .config
        .open_data_dir
        .as_ref()
        .filter(|_| state.config.base_url.is_some());
    let (file, last_modified, etag) = match kept_dir {
        Some(dir) => {
            let path = dump::fresh(&state.db, &origin, dir, dump::MAX_AGE)
                .await
                .map_err(fail)?;
            let file = open(&path).await?;
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
            let etag = kept_etag(dir, modified);
            if let Some(tag) = &etag
                && crate::cache::not_modified(&headers, tag)
            {
                let mut response = axum::http::StatusCode::NOT_MODIFIED.into_response();
                caching_headers(response.headers_mut(), modified, Some(tag));
                return Ok(response);
            }
            (file, modified, etag)
        }
        None => {
            let tmp = tempfile_dir()?;
            let (path, _) = dump::write_dir(&state.db, &origin, tmp.path())
                .await
                .map_err(fail)?;
            // An open file stays readable after its folder is removed (when `tmp` drops).
            (open(&path).await?, Some(std::time::SystemTime::now()), None)
        }
    };
    let len = file
        .metadata()
        .await
        .map_err(|e| WebError::Internal(format!("open-data dump: {e}")))?
        .len();
    let stream = futures_util::stream::unfold(file, |mut file| async move {
        let mut buf = vec![0u8; CHUNK];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<Bytes, std::io::Error>(Bytes::from(buf)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    });
    let mut response = Body::from_stream(stream).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"codefor-opendata.zip\""),
    );
    caching_headers(h, last_modified, etag.as_deref());
    Ok(response)
}

/// `Cache-Control: no-cache` (keep it, but ask each time), `Last-Modified` and `ETag`.
fn caching_headers(h: &mut HeaderMap, modified: Option<std::time::SystemTime>, etag: Option<&str>) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Some(at) = modified
        && let Ok(v) = HeaderValue::from_str(&http_date(at))
    {
        h.insert(header::LAST_MODIFIED, v);
    }
    if let Some(tag) = etag
        && let Ok(v) = HeaderValue::from_str(tag)
    {
        h.insert(header::ETAG, v);
    }
}

/// The `ETag` of the kept dump: the content version and origin it was made from and when.
fn kept_etag(dir: &std::path::Path, modified: Option<std::time::SystemTime>) -> Option<String> {
    let version = dump::kept_version(dir)?;
    let at = modified?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    let tag = codefor_core::open_data::etag(format!("{version} {at}").as_bytes());
    Some(tag)
}

async fn open(path: &std::path::Path) -> Result<tokio::fs::File, WebError> {
    tokio::fs::File::open(path)
        .await
        .map_err(|e| WebError::Internal(format!("open-data dump {}: {e}", path.display())))
}

fn tempfile_dir() -> Result<tempfile::TempDir, WebError> {
    tempfile::Builder::new()
        .prefix("codefor-opendata-")
        .tempdir()
        .map_err(|e| WebError::Internal(format!("open-data dump: temporary folder: {e}")))
}

/// An HTTP date (RFC 9110 IMF-fixdate) such as `Tue, 10 Mar 2026 19:00:00 GMT`.
fn http_date(at: std::time::SystemTime) -> String {
    let t = time::OffsetDateTime::from(at);
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    t.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_imf_fixdates() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_773_169_200);
        assert_eq!(http_date(at), "Tue, 10 Mar 2026 19:00:00 GMT");
    }
}
