//! The blog: paginated index and every post.

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use codefor_core::urls;
use codefor_storage::posts;
use serde::Serialize;

use crate::views::{Chrome, render};
use crate::{AppState, WebError, dates};

/// A post as lists show it.
#[derive(Debug, Serialize)]
pub struct Item {
    url: String,
    title: String,
    date: String,
    date_de: String,
    author: Option<String>,
    summary: Option<String>,
}

pub fn items(list: Vec<posts::PostSummary>) -> Vec<Item> {
    list.into_iter()
        .map(|p| Item {
            url: urls::post(&p.slug),
            date_de: dates::german(&p.date),
            date: p.date,
            title: p.title,
            author: p.author,
            summary: p.summary,
        })
        .collect()
}

pub async fn index(State(state): State<AppState>) -> Result<Response, WebError> {
    listing(&state, 1).await
}

pub async fn page(
    State(state): State<AppState>,
    Path(n): Path<String>,
) -> Result<Response, WebError> {
    let n: usize = n.parse().map_err(|_| WebError::NotFound)?;
    if n == 1 {
        return Ok(crate::moved("/blog/").into_response());
    }
    listing(&state, n).await
}

async fn listing(state: &AppState, n: usize) -> Result<Response, WebError> {
    let per = urls::POSTS_PER_PAGE;
    let offset = n
        .saturating_sub(1)
        .checked_mul(per)
        .and_then(|o| i64::try_from(o).ok())
        .ok_or(WebError::NotFound)?;
    let (list, total) = posts::page(&state.db, offset, per as i64).await?;
    let pages = (total as usize).div_ceil(per).max(1);
    if n == 0 || n > pages {
        return Err(WebError::NotFound);
    }
    let chrome = Chrome::load(&state.db).await?;
    let title = if n == 1 {
        "Blog".to_owned()
    } else {
        format!("Blog – Seite {n}")
    };
    Ok(render(
        "blog.html",
        &chrome,
        crate::ctx! {
            nav => "blog",
            title => title,
            description => "Neuigkeiten aus den Labs und dem Netzwerk.",
            posts => items(list),
            page => n,
            pages => pages,
            prev => (n > 1).then(|| urls::blog_page(n - 1)),
            next => (n < pages).then(|| urls::blog_page(n + 1)),
        },
    )?
    .into_response())
}

/// `/blog/<slug>/`; `Ok(None)` when there is no such post.
pub async fn show(state: &AppState, slug: &str) -> Result<Option<Html<String>>, WebError> {
    let Some(detail) = posts::get(&state.db, slug).await? else {
        return Ok(None);
    };
    let p = &detail.post;
    if p.draft {
        // Drafts are kept, not published (as Hugo did); editing comes with accounts.
        return Ok(None);
    }
    let chrome = Chrome::load(&state.db).await?;
    let image = crate::media::Picture::of(state, p.image.as_deref()).await?;
    let description = crate::views::description(p.summary.as_deref(), &p.body_md);
    render(
        "post.html",
        &chrome,
        crate::ctx! {
            nav => "blog",
            edit => crate::editing::edit_link(state, &codefor_core::urls::post(slug)).await?,
            lang => p.lang.clone(),
            og_type => "article",
            og_image => image.url.as_deref().filter(|_| !image.missing).map(crate::metadata::absolute),
            jsonld => crate::metadata::post(&detail, image.url.as_deref().filter(|_| !image.missing)),
            title => p.title.clone(),
            description => description,
            date_de => dates::german(&p.date),
            image_url => image.url,
            image_missing => image.missing,
            labs => detail.labs,
            post => detail.post,
        },
    )
    .map(Some)
}
