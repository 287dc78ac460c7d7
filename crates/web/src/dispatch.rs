//! Resolves the paths several areas share, in this order:
//! `/projekte/<slug>/` and `/blog/<slug>/` records, `/<slug>/` labs, pages, media files,
//! old paths (redirects, exact then ignoring case), media ignoring case; else a real 404.
//! Paths of directories without their trailing slash get a 301 to it.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use codefor_domain::redirects::normalize_path;
use codefor_storage::{media, redirects};

use crate::projects::CatalogQuery;
use crate::{AppState, WebError};

pub async fn resolve(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let raw = uri.path();
    let path = percent_decode(raw).ok_or(WebError::NotFound)?;
    // A malformed query string only means "no filter".
    let query = Query::<CatalogQuery>::try_from_uri(&uri)
        .map(|Query(q)| q)
        .unwrap_or_default();
    let trimmed = path.trim_matches('/');
    let segments: Vec<&str> = trimmed.split('/').collect();
    let is_dir = path.ends_with('/');

    if is_dir {
        let found = match segments.as_slice() {
            ["projekte", slug] => crate::projects::show(&state, slug).await?,
            ["blog", slug] => crate::posts::show(&state, slug).await?,
            [slug] => crate::labs::show(&state, slug).await?,
            _ => None,
        };
        if let Some(page) = found {
            return Ok(page.into_response());
        }
        if let Some(page) = crate::pages::show(&state, trimmed, &query).await? {
            return Ok(page.into_response());
        }
    } else if let Some(file) = crate::media::serve(&state, trimmed, &headers).await? {
        return Ok(file);
    }

    let normalized = normalize_path(&path);
    if let Some(target) = redirects::lookup(&state.db, &normalized).await?
        && target != normalized
    {
        return Ok(crate::moved(&with_query(&target, &uri)).into_response());
    }
    if !is_dir {
        if !trimmed.rsplit('/').next().unwrap_or("").contains('.') {
            // `/berlin` → `/berlin/`: the directory form is the canonical one.
            return Ok(crate::moved(&with_query(&format!("{path}/"), &uri)).into_response());
        }
        if let Some(found) = media::find_case_insensitive(&state.db, trimmed).await? {
            return Ok(crate::moved(&codefor_core::urls::media(&found)).into_response());
        }
    }
    Err(WebError::NotFound)
}

fn with_query(target: &str, uri: &Uri) -> String {
    match uri.query() {
        Some(q) if !target.contains('?') && !target.starts_with("http") => format!("{target}?{q}"),
        _ => target.to_owned(),
    }
}

/// Decodes `%XX` escapes of a path; `None` for invalid UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = bytes.get(i + 1..i + 3)
            && let Ok(s) = std::str::from_utf8(h)
            && let Ok(b) = u8::from_str_radix(s, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(
            super::percent_decode("/a%20b/K%C3%B6ln").as_deref(),
            Some("/a b/Köln")
        );
        assert_eq!(super::percent_decode("/100%").as_deref(), Some("/100%"));
        assert_eq!(super::percent_decode("/%ff"), None);
    }
}
