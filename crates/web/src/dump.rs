//! The open-data dump for download (`/daten/opendata.zip`): the newest
//! `codefor-opendata.zip` of the configured folder, made when it is missing or older than
//! a day (`core::dump::fresh`), streamed from disk in pieces so a large dump never sits in
//! memory. Without a folder (embedded use, tests) each download is made afresh in a
//! temporary folder.

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
    let (file, last_modified) = match &state.config.open_data_dir {
        Some(dir) => {
            let path = dump::fresh(&state.db, &origin, dir, dump::MAX_AGE)
                .await
                .map_err(fail)?;
            let file = open(&path).await?;
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
            (file, modified)
        }
        None => {
            let tmp = tempfile_dir()?;
            let (path, _) = dump::write_dir(&state.db, &origin, tmp.path())
                .await
                .map_err(fail)?;
            // An open file stays readable after its folder is removed (when `tmp` drops).
            (open(&path).await?, Some(std::time::SystemTime::now()))
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
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    if let Some(at) = last_modified
        && let Ok(v) = HeaderValue::from_str(&http_date(at))
    {
        h.insert(header::LAST_MODIFIED, v);
    }
    Ok(response)
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
