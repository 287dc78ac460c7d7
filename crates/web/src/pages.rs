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
        return section_index(state, path).await;
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
            edit => crate::editing::edit_link(state, &url).await?,
            nav => url,
            title => page.title,
            description => description,
            body_has_h1 => has_h1(&body),
            body => body,
        },
    )
    .map(Some)
}

/// A folder without a page of its own but with pages below it (Hugo listed those, e.g.
/// `/archiv/`): a list of them, so the URL keeps working.
async fn section_index(state: &AppState, path: &str) -> Result<Option<Html<String>>, WebError> {
    if path.is_empty() {
        return Ok(None);
    }
    let children = pages::below(&state.db, path).await?;
    if children.is_empty() {
        return Ok(None);
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut title: String = name.chars().take(1).flat_map(char::to_uppercase).collect();
    title.push_str(name.get(1..).unwrap_or(""));
    let items: Vec<_> = children
        .into_iter()
        .map(|(p, t)| serde_json::json!({ "url": codefor_core::urls::page(&p), "title": t }))
        .collect();
    let chrome = Chrome::load(&state.db).await?;
    render(
        "section.html",
        &chrome,
        crate::ctx! {
            title => title,
            description => format!("Seiten unter /{path}/"),
            items => items,
        },
    )
    .map(Some)
}
