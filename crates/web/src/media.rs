//! Files of the media store, with caching headers and conditional requests.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use codefor_storage::media;

use crate::{AppState, WebError};

/// A picture a page shows: its URL, and whether the file is missing from the store
/// (then the page shows a placeholder, never a broken image).
#[derive(Debug, Default)]
pub struct Picture {
    pub url: Option<String>,
    pub missing: bool,
}

impl Picture {
    pub async fn of(state: &AppState, path: Option<&str>) -> Result<Picture, WebError> {
        let Some(path) = path else {
            return Ok(Picture::default());
        };
        Ok(Picture {
            url: Some(codefor_core::urls::media(path)),
            missing: !media::exists(&state.db, path).await?,
        })
    }
}

/// The file at `path`, or `Ok(None)`.
pub async fn serve(
    state: &AppState,
    path: &str,
    request: &HeaderMap,
) -> Result<Option<Response>, WebError> {
    let Some(file) = media::get(&state.db, path).await? else {
        return Ok(None);
    };
    let etag = format!("\"{}\"", file.sha256);
    let cache = HeaderValue::from_static("public, max-age=86400");
    let etag_value = HeaderValue::from_str(&etag).map_err(|_| WebError::NotFound)?;
    if crate::cache::not_modified(request, &etag) {
        return Ok(Some(
            (
                StatusCode::NOT_MODIFIED,
                [(header::ETAG, etag_value), (header::CACHE_CONTROL, cache)],
            )
                .into_response(),
        ));
    }
    let content_type = HeaderValue::from_str(&file.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    Ok(Some(
        (
            [
                (header::CONTENT_TYPE, content_type),
                (header::ETAG, etag_value),
                (header::CACHE_CONTROL, cache),
            ],
            file.bytes,
        )
            .into_response(),
    ))
}
