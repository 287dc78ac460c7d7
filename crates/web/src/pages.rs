//! Pages such as About, Imprint and section indexes.

use axum::response::Html;
use codefor_storage::pages;

use crate::projects::CatalogQuery;
use crate::views::{Chrome, has_h1, render};
use crate::{AppState, WebError, components};

/// The page stored at `path`; `Ok(None)` when there is none (drafts are not shown).
pub async fn show(
    state: &AppState,
    path: &str,
    query: &CatalogQuery,
) -> Result<Option<Html<String>>, WebError> {
    let Some(page) = pages::get(&state.db, path).await? else {
        return Ok(None);
    };
    if page.draft {
        return Ok(None);
    }
    let chrome = Chrome::load(&state.db).await?;
    let url = codefor_core::urls::page(path);
    let body = components::expand(state, &page.body_html, &url, query).await?;
    let description = crate::views::description(page.description.as_deref(), &page.body_md);
    render(
        "page.html",
        &chrome,
        crate::ctx! {
            nav => url,
            title => page.title,
            description => description,
            body_has_h1 => has_h1(&body),
            body => body,
        },
    )
    .map(Some)
}
