//! Resolves the paths several areas share, in this order:
//! `/projekte/<slug>/` and `/blog/<slug>/` records, `/<slug>/` labs, pages, media files,
//! old paths (redirects, exact then ignoring case), media ignoring case; else a real 404.
//! Paths of directories without their trailing slash get a 301 to it.

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use codefor_domain::redirects::normalize_path;
use codefor_storage::{media, redirects};

use crate::projects::CatalogQuery;
use crate::{AppState, WebError};

pub async fn resolve(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    visitor: crate::session::Visitor,
) -> Result<Response, WebError> {
    if method != Method::GET && method != Method::HEAD {
        return Ok((
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response());
    }
    let raw = uri.path();
    // No stored path contains a NUL, and PostgreSQL refuses it in text: not found.
    let path = percent_decode(raw)
        .filter(|p| !p.contains('\0'))
        .ok_or(WebError::NotFound)?;
    let query = CatalogQuery::from_uri(&uri);
    let trimmed = path.trim_matches('/');
    let segments: Vec<&str> = trimmed.split('/').collect();
    let is_dir = path.ends_with('/');

    if is_dir {
        let found = match segments.as_slice() {
            ["projekte", slug] => crate::projects::show(&state, &visitor, slug).await?,
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
    if let Some(target) = final_target(&state, &normalized).await? {
        return Ok(crate::moved(&with_query(&target, &uri)).into_response());
    }
    if is_dir && trimmed != trimmed.to_lowercase() {
        // Old links often differ in letter case (`/Berlin/`); our slugs are lowercase.
        let lower = format!("/{}/", trimmed.to_lowercase());
        if exists(&state, &lower).await? {
            return Ok(crate::moved(&with_query(&lower, &uri)).into_response());
        }
    }
    if !is_dir {
        if !trimmed.rsplit('/').next().unwrap_or("").contains('.') {
            // `/berlin` → `/berlin/`: the directory form is the canonical one. The raw
            // (still encoded) path, so nothing is decoded twice on the way.
            return Ok(crate::moved(&with_query(&format!("{raw}/"), &uri)).into_response());
        }
        if let Some(found) = media::find_case_insensitive(&state.db, trimmed).await? {
            return Ok(crate::moved(&codefor_core::urls::media(&found)).into_response());
        }
    }
    Err(WebError::NotFound)
}

/// Where an old path leads, following chains of redirects (at most five hops);
/// `None` when it is not an old path.
async fn final_target(state: &AppState, path: &str) -> Result<Option<String>, WebError> {
    let Some(mut target) = redirects::lookup(&state.db, path).await? else {
        return Ok(None);
    };
    for _ in 0..5 {
        if !target.starts_with('/') {
            break;
        }
        let next_path = normalize_path(&target);
        match redirects::lookup(&state.db, &next_path).await? {
            Some(next) if next_path != path && next != target => target = next,
            _ => break,
        }
    }
    Ok((normalize_path(&target) != path || !target.starts_with('/')).then_some(target))
}

/// Whether a lab, project, post or page is served at this directory path.
async fn exists(state: &AppState, path: &str) -> Result<bool, WebError> {
    let trimmed = path.trim_matches('/');
    let db = &state.db;
    Ok(match trimmed.split('/').collect::<Vec<_>>().as_slice() {
        ["projekte", slug]
            if codefor_storage::projects::get(db, slug)
                .await?
                .is_some_and(|p| !p.project.draft) =>
        {
            true
        }
        ["blog", slug]
            if codefor_storage::posts::get(db, slug)
                .await?
                .is_some_and(|p| !p.post.draft) =>
        {
            true
        }
        [slug] if codefor_storage::labs::get(db, slug).await?.is_some() => true,
        _ => codefor_storage::pages::get(db, trimmed)
            .await?
            .is_some_and(|p| !p.draft),
    })
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
