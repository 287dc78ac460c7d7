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

/// The Atom namespace, for the feed's `atom:link rel="self"`.
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// The public origin: configured, or taken from the request (a Host header with
/// characters no host name has gives `localhost`).
pub fn origin(state: &AppState, headers: &HeaderMap) -> String {
    state.origin(headers)
}

/// Whether XML 1.0 allows a character: not the control characters other than tab, line
/// feed and carriage return, nor U+FFFE and U+FFFF.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// Text as XML 1.0 allows it: the characters it forbids are dropped. Escaping `&`, `<`
/// and `]]>` is the writer's part.
pub fn xml_text(text: &str) -> String {
    text.chars().filter(|&c| xml_char(c)).collect()
}

/// Like [`xml_text`], without copying text that is fine already.
fn xml_owned(text: String) -> String {
    if text.chars().all(xml_char) {
        text
    } else {
        xml_text(&text)
    }
}

/// An RFC 822 date for RSS: an RFC 3339 moment as it is, a plain day at noon UTC.
pub fn rfc822(date: &str) -> Option<String> {
    use time::format_description::well_known::{Rfc2822, Rfc3339};
    match time::OffsetDateTime::parse(date, &Rfc3339) {
        Ok(moment) => moment.format(&Rfc2822).ok(),
        Err(_) => dates::rfc2822(date),
    }
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

/// A channel in German whose `atom:link rel="self"` names the address it is served at.
pub(crate) fn channel(title: &str, link: String, description: &str, items: Vec<Item>) -> Channel {
    let mut channel = Channel::default();
    channel.set_title(xml_text(title));
    channel.set_link(xml_owned(link));
    channel.set_description(xml_text(description));
    channel.set_language(Some("de-DE".to_owned()));
    channel.set_generator(Some("codefor".to_owned()));
    channel.set_docs(Some(
        "https://www.rssboard.org/rss-specification".to_owned(),
    ));
    // The newest item's date is when the channel last changed.
    let newest = items
        .iter()
        .filter_map(|i| i.pub_date())
        .filter_map(|d| {
            time::OffsetDateTime::parse(d, &time::format_description::well_known::Rfc2822).ok()
        })
        .max();
    channel.set_last_build_date(newest.and_then(|d| {
        d.format(&time::format_description::well_known::Rfc2822)
            .ok()
    }));
    channel.set_namespaces(std::collections::BTreeMap::from([(
        "atom".to_owned(),
        ATOM_NS.to_owned(),
    )]));
    let self_link = rss::extension::Extension {
        name: "atom:link".to_owned(),
        value: None,
        attrs: std::collections::BTreeMap::from([
            ("href".to_owned(), crate::metadata::canonical()),
            ("rel".to_owned(), "self".to_owned()),
            ("type".to_owned(), "application/rss+xml".to_owned()),
        ]),
        children: std::collections::BTreeMap::new(),
    };
    channel.set_extensions(std::collections::BTreeMap::from([(
        "atom".to_owned(),
        std::collections::BTreeMap::from([("link".to_owned(), vec![self_link])]),
    )]));
    channel.set_items(items);
    channel
}

/// An item with its permanent link as guid; without a description of its own the title
/// stands in, so every item has one.
pub(crate) fn item(
    title: String,
    link: String,
    date: Option<&str>,
    description: Option<String>,
) -> Item {
    let mut item = Item::default();
    let title = xml_owned(title);
    let link = xml_owned(link);
    let description = description
        .map(xml_owned)
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| title.clone());
    item.set_title(title);
    item.set_link(link.clone());
    item.set_guid(Guid {
        value: link,
        permalink: true,
    });
    item.set_pub_date(date.and_then(rfc822));
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
                p.date.as_deref().or(p.last_activity.as_deref()),
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
    let mut items = Vec::new();
    for l in labs::list(&state.db).await? {
        // The date of the lab's last change; the list does not carry it.
        let updated = labs::get(&state.db, &l.slug).await?.map(|d| d.updated_at);
        items.push(item(
            l.name.clone(),
            format!("{origin}{}", urls::lab(&l.slug)),
            updated.as_deref(),
            Some(format!("{} in {}", l.name, l.city)),
        ));
    }
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
    paths.extend(
        codefor_storage::datasets::slugs(&state.db)
            .await?
            .into_iter()
            .map(|s| format!("/daten/{s}/")),
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
            // The byline as a name (RSS's own `author` wants an e-mail address).
            if let Some(author) = p.author.as_deref().map(xml_text) {
                it.set_dublin_core_ext(Some(rss::extension::dublincore::DublinCoreExtension {
                    creators: vec![author],
                    ..Default::default()
                }));
            }
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

/// One entry of an Atom feed.
struct Entry {
    title: String,
    /// Absolute address of the record's page; also its id.
    link: String,
    /// RFC 3339.
    updated: String,
    published: Option<String>,
    summary: String,
    author: Option<String>,
}

/// An RFC 3339 moment for Atom: a moment as it is, a plain day at noon UTC.
fn rfc3339(date: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(moment) = time::OffsetDateTime::parse(date, &Rfc3339) {
        return moment.to_offset(time::UtcOffset::UTC).format(&Rfc3339).ok();
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(date.get(..10)?, &format).ok()?;
    day.with_hms(12, 0, 0)
        .ok()?
        .assume_utc()
        .format(&Rfc3339)
        .ok()
}

/// An Atom 1.0 feed (RFC 4287) written with quick-xml, which escapes every text and
/// attribute; what XML 1.0 forbids is dropped before.
fn atom_response(title: &str, alternate: &str, subtitle: &str, entries: &[Entry]) -> Response {
    match atom_xml(title, alternate, subtitle, entries) {
        Ok(xml) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/atom+xml; charset=utf-8"),
            )],
            xml,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "writing an Atom feed");
            WebError::NotFound.into_response()
        }
    }
}

fn atom_xml(
    title: &str,
    alternate: &str,
    subtitle: &str,
    entries: &[Entry],
) -> std::io::Result<Vec<u8>> {
    use quick_xml::Writer;
    use quick_xml::events::{BytesDecl, BytesText, Event};

    let self_url = crate::metadata::canonical();
    // The newest entry's date; an empty feed takes the epoch, so it stays the same.
    let updated = entries
        .iter()
        .map(|e| e.updated.as_str())
        .max()
        .unwrap_or("1970-01-01T00:00:00Z")
        .to_owned();
    let text = |s: &str| BytesText::new(s).into_owned();
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    w.create_element("feed")
        .with_attributes([("xmlns", "http://www.w3.org/2005/Atom"), ("xml:lang", "de")])
        .write_inner_content(|w| {
            w.create_element("id")
                .write_text_content(text(&xml_text(&self_url)))?;
            w.create_element("title")
                .write_text_content(text(&xml_text(title)))?;
            w.create_element("subtitle")
                .write_text_content(text(&xml_text(subtitle)))?;
            w.create_element("updated")
                .write_text_content(text(&updated))?;
            w.create_element("link")
                .with_attributes([
                    ("rel", "self"),
                    ("type", "application/atom+xml"),
                    ("href", xml_text(&self_url).as_str()),
                ])
                .write_empty()?;
            w.create_element("link")
                .with_attributes([
                    ("rel", "alternate"),
                    ("type", "text/html"),
                    ("href", xml_text(alternate).as_str()),
                ])
                .write_empty()?;
            w.create_element("author").write_inner_content(|w| {
                w.create_element("name")
                    .write_text_content(text(crate::metadata::NETWORK_NAME))?;
                Ok(())
            })?;
            w.create_element("generator")
                .write_text_content(text("codefor"))?;
            for e in entries {
                w.create_element("entry").write_inner_content(|w| {
                    let link = xml_text(&e.link);
                    w.create_element("id").write_text_content(text(&link))?;
                    w.create_element("title")
                        .with_attribute(("type", "text"))
                        .write_text_content(text(&xml_text(&e.title)))?;
                    w.create_element("link")
                        .with_attributes([
                            ("rel", "alternate"),
                            ("type", "text/html"),
                            ("href", link.as_str()),
                        ])
                        .write_empty()?;
                    w.create_element("updated")
                        .write_text_content(text(&e.updated))?;
                    if let Some(published) = &e.published {
                        w.create_element("published")
                            .write_text_content(text(published))?;
                    }
                    if let Some(author) = &e.author {
                        w.create_element("author").write_inner_content(|w| {
                            w.create_element("name")
                                .write_text_content(text(&xml_text(author)))?;
                            Ok(())
                        })?;
                    }
                    w.create_element("summary")
                        .with_attribute(("type", "text"))
                        .write_text_content(text(&xml_text(&e.summary)))?;
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(w.into_inner())
}

/// `/blog/atom.xml`: the newest posts as Atom.
pub async fn posts_atom(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let origin = origin(&state, &headers);
    let (list, _) = posts::page(&state.db, 0, FEED_LIMIT).await?;
    let entries: Vec<Entry> = list
        .into_iter()
        .filter_map(|p| {
            let updated = rfc3339(&p.date)?;
            Some(Entry {
                summary: p.summary.clone().unwrap_or_else(|| p.title.clone()),
                title: p.title,
                link: format!("{origin}{}", urls::post(&p.slug)),
                published: Some(updated.clone()),
                updated,
                author: p.author,
            })
        })
        .collect();
    Ok(atom_response(
        "Code for Germany: Blog",
        &format!("{origin}/blog/"),
        "Neuigkeiten aus den Labs und dem Netzwerk Code for Germany.",
        &entries,
    ))
}

/// `/projekte/atom.xml`: the newest projects as Atom.
pub async fn projects_atom(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let origin = origin(&state, &headers);
    let list = projects::list(&state.db, &projects::Filter::default()).await?;
    let entries: Vec<Entry> = list
        .into_iter()
        .filter_map(|p| {
            let published = p.date.as_deref().and_then(rfc3339);
            let updated = p
                .last_activity
                .as_deref()
                .and_then(rfc3339)
                .into_iter()
                .chain(published.clone())
                .max()?;
            Some(Entry {
                summary: p.summary.clone().unwrap_or_else(|| p.title.clone()),
                title: p.title,
                link: format!("{origin}{}", urls::project(&p.slug)),
                updated,
                published,
                author: None,
            })
        })
        .take(FEED_LIMIT as usize)
        .collect();
    Ok(atom_response(
        "Code for Germany: Projekte",
        &format!("{origin}/projekte/"),
        "Neue Projekte aus dem Netzwerk Code for Germany.",
        &entries,
    ))
}

/// `/beduerfnisse/atom.xml`: the newest listed needs as Atom (never drafts, held or
/// hidden ones: `newest` lists only what everyone may see).
pub async fn needs_atom(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let origin = origin(&state, &headers);
    let list = codefor_storage::needs::newest(&state.db, None, 20).await?;
    let entries: Vec<Entry> = list
        .into_iter()
        .filter_map(|n| {
            let published = n.submitted_at.as_deref().and_then(rfc3339)?;
            let updated = rfc3339(&n.last_activity)
                .filter(|u| *u >= published)
                .unwrap_or_else(|| published.clone());
            Some(Entry {
                summary: codefor_content::markdown::summary(&n.body, 300),
                title: n.title,
                link: format!("{origin}{}", codefor_core::needs::path(n.id)),
                updated,
                published: Some(published),
                author: None,
            })
        })
        .collect();
    Ok(atom_response(
        "Code for Germany: Bedürfnisse",
        &format!("{origin}/beduerfnisse/"),
        "Neue Bedürfnisse, die Menschen und Verwaltungen ins Netzwerk Code for Germany einbringen.",
        &entries,
    ))
}

/// The Atom feeds (the RSS ones are routed with their areas).
pub fn atom_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/blog/atom.xml", axum::routing::get(posts_atom))
        .route("/projekte/atom.xml", axum::routing::get(projects_atom))
        .route("/beduerfnisse/atom.xml", axum::routing::get(needs_atom))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_loses_what_xml_forbids_and_keeps_the_rest() {
        assert_eq!(
            xml_text("a\u{1}b\u{b}c\td\ne & <f> ]]> \u{FFFF}ü"),
            "abc\td\ne & <f> ]]> ü"
        );
        assert_eq!(xml_owned("schon gut".to_owned()), "schon gut");
    }

    #[test]
    fn dates_for_rss_and_atom() {
        assert_eq!(
            rfc822("2026-03-10T18:00:00Z").as_deref(),
            Some("Tue, 10 Mar 2026 18:00:00 +0000")
        );
        assert_eq!(
            rfc822("2014-04-09").as_deref(),
            Some("Wed, 09 Apr 2014 12:00:00 +0000")
        );
        assert_eq!(
            rfc3339("2026-03-10T19:00:00+01:00").as_deref(),
            Some("2026-03-10T18:00:00Z")
        );
        assert_eq!(rfc3339("kaputt"), None);
    }

    #[test]
    fn a_channel_names_itself_and_writes_hostile_text_as_text() {
        let items = vec![item(
            "Daten\u{1} & <Karten> ]]>".to_owned(),
            "http://localhost/a/".to_owned(),
            Some("2026-01-01"),
            None,
        )];
        let xml = channel("T", "http://localhost/".to_owned(), "D", items).to_string();
        assert!(xml.contains("rel=\"self\""), "{xml}");
        assert!(!xml.contains('\u{1}'));
        assert!(
            xml.contains("<title>Daten &amp; &lt;Karten&gt; ]]&gt;</title>"),
            "{xml}"
        );
        // Without a description of its own, the title stands in (split CDATA for `]]>`).
        assert!(
            xml.contains("<description><![CDATA[Daten & <Karten> ]]]]><![CDATA[>]]></description>"),
            "{xml}"
        );
    }
}
