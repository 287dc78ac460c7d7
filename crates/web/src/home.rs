//! The home page: the network's introduction (an editable page), live figures and
//! the newest posts.

use axum::extract::State;
use axum::response::Html;
use codefor_storage::{pages, posts};

use crate::projects::CatalogQuery;
use crate::views::{Chrome, has_h1, render};
use crate::{AppState, WebError, components};

pub async fn show(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let page = pages::get(&state.db, "").await?;
    let body = match &page {
        Some(p) => {
            Some(components::expand(&state, &p.body_html, "/", &CatalogQuery::default()).await?)
        }
        None => None,
    };
    // Figures are shown unless the introduction already has them.
    let figures = match &body {
        Some(b) if b.contains("class=\"figures\"") => String::new(),
        _ => components::figures(&state).await?,
    };
    let (latest, _) = posts::page(&state.db, 0, 3).await?;
    let meetups = crate::meetups::upcoming_list(&state, None, 5).await?;
    let shows_posts = body
        .as_deref()
        .is_some_and(|b| b.contains("class=\"teaser\""));
    let description = page.as_ref().and_then(|p| p.description.clone());
    render(
        "home.html",
        &chrome,
        crate::ctx! {
            nav => "home",
            jsonld => crate::metadata::home(description.as_deref().unwrap_or(chrome.description)),
            description => description,
            body_has_h1 => body.as_deref().is_some_and(has_h1),
            body => body,
            figures => figures,
            meetups => meetups,
            posts => if shows_posts { vec![] } else { crate::posts::items(latest) },
        },
    )
}
