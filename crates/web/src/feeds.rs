//! Feeds and indexes for machines, at today's URLs: RSS of the newest posts at
//! `/index.xml` and `/blog/index.xml`, of projects at `/projekte/index.xml`, of labs at
//! `/labs/index.xml`; `/sitemap.xml` and `/robots.txt`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use codefor_core::urls;
use codefor_storage::{labs, pages, posts, projects};
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

pub(crate) fn rss_response(channel: &Channel) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/rss+xml; charset=utf-8"),
        )],
        channel.to_string(),
    )
        .into_response()
}

pub(crate) fn channel(title: &str, link: String, description: &str, items: Vec<Item>) -> Channel {
    let mut channel = Channel::default();
    channel.set_title(title.to_owned());
    channel.set_link(link);
    channel.set_description(description.to_owned());
    channel.set_language(Some("de-DE".to_owned()));
    channel.set_items(items);
    channel
}

pub(crate) fn item(
    title: String,
    link: String,
    date: Option<&str>,
    description: Option<String>,
) -> Item {
    let mut item = Item::default();
    item.set_title(title);
    item.set_link(link.clone());
    item.set_guid(Guid {
        value: link,
        permalink: true,
    });
    item.set_pub_date(date.and_then(dates::rfc2822));
    item.set_description(description);
    item
}

/// `/projekte/index.xml`: the newest projects.
pub async fn projects_rss(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let origin = origin(&state, &headers);
    let list = projects::list(&state.db, &projects::Filter::default()).await?;
    let items = list
        .into_iter()
        .take(FEED_LIMIT as usize)
        .map(|p| {
            item(
                p.title,
                format!("{origin}{}", urls::project(&p.slug)),
                p.date.as_deref(),
                p.summary,
            )
        })
        .collect();
    Ok(rss_response(&channel(
        "Code for Germany: Projekte",
        format!("{origin}/projekte/"),
        "Neue Projekte aus dem Netzwerk Code for Germany.",
        items,
    )))
}

/// `/labs/index.xml`: all labs.
pub async fn labs_rss(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let origin = origin(&state, &headers);
    let items = labs::list(&state.db)
        .await?
        .into_iter()
        .map(|l| {
            item(
                l.name,
                format!("{origin}{}", urls::lab(&l.slug)),
                None,
                Some(l.city),
            )
        })
        .collect();
    Ok(rss_response(&channel(
        "Code for Germany: Labs",
        format!("{origin}/labs/"),
        "Die Labs des Netzwerks Code for Germany.",
        items,
    )))
}

/// `/sitemap.xml`: every public page, for search engines.
pub async fn sitemap(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let origin = origin(&state, &headers);
    let mut paths: Vec<String> = urls::APP_PATHS
        .iter()
        .filter(|p| p.ends_with('/'))
        .map(|p| (*p).to_owned())
        .collect();
    paths.extend(
        labs::list(&state.db)
            .await?
            .into_iter()
            .map(|l| urls::lab(&l.slug)),
    );
    paths.extend(
        projects::list(&state.db, &projects::Filter::default())
            .await?
            .into_iter()
            .map(|p| urls::project(&p.slug)),
    );
    let (list, _) = posts::page(&state.db, 0, i64::MAX).await?;
    paths.extend(list.into_iter().map(|p| urls::post(&p.slug)));
    paths.extend(
        pages::list(&state.db)
            .await?
            .into_iter()
            .map(|(p, _)| urls::page(&p)),
    );
    // Public needs, newest first; a sitemap holds at most 50,000 addresses.
    paths.extend(
        codefor_storage::needs::listed_ids(&state.db, 40_000)
            .await?
            .into_iter()
            .map(codefor_core::needs::path),
    );
    paths.sort();
    paths.dedup();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in paths {
        // Paths are slugs and page paths: escape anyway, they end up in XML.
        let loc = format!("{origin}{path}")
            .replace('&', "&amp;")
            .replace('<', "&lt;");
        xml.push_str(&format!("  <url><loc>{loc}</loc></url>\n"));
    }
    xml.push_str("</urlset>\n");
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml; charset=utf-8"),
        )],
        xml,
    )
        .into_response())
}

/// `/robots.txt`: everything may be indexed; here is the sitemap.
pub async fn robots(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let origin = origin(&state, &headers);
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        format!("User-agent: *\nAllow: /\nSitemap: {origin}/sitemap.xml\n"),
    )
        .into_response()
}

/// `/index.xml` and `/blog/index.xml`: the newest posts.
pub async fn rss(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let origin = origin(&state, &headers);
    let (list, _) = posts::page(&state.db, 0, FEED_LIMIT).await?;
    let items = list
        .into_iter()
        .map(|p| {
            let mut it = item(
                p.title,
                format!("{origin}{}", urls::post(&p.slug)),
                Some(&p.date),
                p.summary,
            );
            it.set_author(p.author);
            it
        })
        .collect();
    Ok(rss_response(&channel(
        "Code for Germany: Blog",
        format!("{origin}/blog/"),
        "Neuigkeiten aus den Labs und dem Netzwerk Code for Germany.",
        items,
    )))
}
