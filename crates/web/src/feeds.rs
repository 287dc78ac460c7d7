//! RSS at `/index.xml`, as today's site has it: the newest posts.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use codefor_core::urls;
use codefor_storage::posts;
use rss::{Channel, Guid, Item};

use crate::{AppState, WebError, dates};

/// Posts in the feed (today's site: `rssLimit: 10`).
const FEED_LIMIT: i64 = 10;

/// The public origin: configured, or taken from the request.
pub fn origin(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(base) = &state.config.base_url {
        return base.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

pub async fn rss(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let origin = origin(&state, &headers);
    let (list, _) = posts::page(&state.db, 0, FEED_LIMIT).await?;
    let items: Vec<Item> = list
        .into_iter()
        .map(|p| {
            let link = format!("{origin}{}", urls::post(&p.slug));
            let mut item = Item::default();
            item.set_title(p.title);
            item.set_link(link.clone());
            item.set_guid(Guid {
                value: link,
                permalink: true,
            });
            item.set_pub_date(dates::rfc2822(&p.date));
            item.set_author(p.author);
            item.set_description(p.summary);
            item
        })
        .collect();
    let mut channel = Channel::default();
    channel.set_title("Code for Germany: Blog");
    channel.set_link(format!("{origin}/blog/"));
    channel.set_description("Neuigkeiten aus den Labs und dem Netzwerk Code for Germany.");
    channel.set_language(Some("de-DE".to_owned()));
    channel.set_items(items);
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/rss+xml; charset=utf-8"),
        )],
        channel.to_string(),
    )
        .into_response())
}
