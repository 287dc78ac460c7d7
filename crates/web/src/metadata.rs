//! Metadata embedded in pages for machines: schema.org JSON-LD, OpenGraph and the
//! canonical address.
//!
//! [`layer`] remembers the request's public origin and path for the whole request, so
//! templates can name absolute addresses (`canonical_url()`, `absolute_url(path)`) and
//! handlers can build JSON-LD without passing headers around. Every JSON-LD object is
//! built with `serde_json` from the public fields of a record, and written into the page
//! by the `ld_json` filter, which escapes `<`, `>` and `&` so that no text of a record
//! can end the `<script>` element it stands in.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use codefor_core::urls;
use serde_json::{Map, Value, json};

use crate::AppState;

/// The vocabulary every block names.
pub const SCHEMA_ORG: &str = "https://schema.org";
/// The network as publisher, parent organization and site owner.
pub const NETWORK_NAME: &str = "Code for Germany";
/// The network's logo, a site asset (also the default OpenGraph picture).
pub const LOGO_PATH: &str = "/assets/logo.svg";

/// Where the request being answered came from, for absolute addresses.
#[derive(Debug, Clone)]
struct Place {
    /// `https://codefor.de`: the configured base URL, else the request's host.
    origin: String,
    /// The request's path, as sent (percent-encoded).
    path: String,
    /// The page number of a paginated list (`?seite=N`), part of its canonical address.
    page: Option<String>,
}

tokio::task_local! {
    static PLACE: Place;
}

/// Remembers the origin and path of the request for [`origin`], [`absolute`] and the
/// template functions.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = state.origin(request.headers());
    let path = request.uri().path().to_owned();
    let page = request.uri().query().and_then(|q| {
        q.split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, v)| *k == "seite" && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .map(|(_, v)| v.to_owned())
    });
    PLACE
        .scope(Place { origin, path, page }, next.run(request))
        .await
}

/// The public origin of the request being answered (`http://localhost` outside one).
pub fn origin() -> String {
    PLACE
        .try_with(|p| p.origin.clone())
        .unwrap_or_else(|_| "http://localhost".to_owned())
}

/// An absolute address: a path of this site gets the origin; an absolute `http(s)` URL
/// stays as it is. Characters a URL may not hold (spaces, umlauts in media names) are
/// percent-encoded.
pub fn absolute(path_or_url: &str) -> String {
    let scheme = path_or_url.split_once(':').map(|(s, _)| s).filter(|s| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    });
    if scheme.is_some() {
        // Already absolute (`https://…`, `ftp://…`).
        return encode(path_or_url);
    }
    let path = if path_or_url.starts_with('/') {
        path_or_url.to_owned()
    } else {
        format!("/{path_or_url}")
    };
    format!("{}{}", origin(), encode(&path))
}

/// The canonical address of the page being answered: origin and path, plus the page
/// number of a paginated list.
pub fn canonical() -> String {
    PLACE
        .try_with(|p| match &p.page {
            Some(n) if n != "1" => format!("{}{}?seite={n}", p.origin, encode(&p.path)),
            _ => format!("{}{}", p.origin, encode(&p.path)),
        })
        .unwrap_or_else(|_| "http://localhost/".to_owned())
}

/// Percent-encodes what is not allowed in a URL as is (already encoded `%XX` stays).
fn encode(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Serializes a JSON-LD object for a `<script type="application/ld+json">` element:
/// `<`, `>` and `&` are written as JSON escapes (`\u003c` …), which every JSON reader
/// decodes back but which can never close the element or start a comment; so are the
/// line separators U+2028 and U+2029.
pub fn script_json(value: &Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned());
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Adds the template functions and the filter of this module.
pub fn register(env: &mut minijinja::Environment<'static>) {
    env.add_function("canonical_url", canonical);
    env.add_function("absolute_url", |path: String| absolute(&path));
    env.add_filter("ld_json", |value: minijinja::Value| {
        let json = serde_json::to_value(&value).unwrap_or(Value::Null);
        minijinja::Value::from_safe_string(script_json(&json))
    });
}

/// A moment as schema.org wants it: ISO 8601 with the offset of Berlin
/// (`2026-03-10T19:00:00+01:00`). RFC 3339 instants are converted, civil times (as
/// meetups store them) are read as Berlin time, plain dates stay dates.
pub fn iso_date(moment: &str) -> Option<String> {
    let zone = jiff::tz::TimeZone::get("Europe/Berlin").ok()?;
    let moment = moment.trim();
    if moment.len() == 10 {
        return moment
            .parse::<jiff::civil::Date>()
            .ok()
            .map(|d| d.to_string());
    }
    let zoned = if let Ok(ts) = moment.parse::<jiff::Timestamp>() {
        ts.to_zoned_datetime(zone)
    } else if let Ok(civil) = moment.parse::<jiff::civil::DateTime>() {
        civil.to_zoned_datetime(zone).ok()?
    } else if let Ok(date) = moment.get(..10)?.parse::<jiff::civil::Date>() {
        return Some(date.to_string());
    } else {
        return None;
    };
    Some(zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
}

/// The network as an organization, with its address on this site.
fn network() -> Value {
    json!({
        "@type": "Organization",
        "@id": format!("{}/#organization", origin()),
        "name": NETWORK_NAME,
        "url": absolute("/"),
        "logo": { "@type": "ImageObject", "url": absolute(LOGO_PATH) },
    })
}

/// Inserts `key` when the value says something (no nulls, empty strings or lists).
fn put(map: &mut Map<String, Value>, key: &str, value: Value) {
    let empty = match &value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    if !empty {
        map.insert(key.to_owned(), value);
    }
}

fn node(kind: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("@context".to_owned(), json!(SCHEMA_ORG));
    map.insert("@type".to_owned(), json!(kind));
    map
}

/// Only links a visitor can follow on the web (never `mailto:` addresses).
fn web_links<'a>(urls: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    urls.into_iter()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(encode)
        .collect()
}

/// A lab as its page tells: `Organization`.
pub fn lab(detail: &codefor_storage::labs::LabDetail) -> Value {
    let lab = &detail.lab;
    let url = absolute(&urls::lab(&lab.slug));
    let state = lab
        .state_key
        .as_deref()
        .and_then(codefor_domain::states::by_key);
    let mut address = Map::new();
    address.insert("@type".to_owned(), json!("PostalAddress"));
    put(&mut address, "addressLocality", json!(lab.city));
    put(&mut address, "addressRegion", json!(state.map(|s| s.name)));
    address.insert("addressCountry".to_owned(), json!("DE"));
    let mut place = Map::new();
    place.insert("@type".to_owned(), json!("Place"));
    put(&mut place, "name", json!(lab.city));
    place.insert("address".to_owned(), Value::Object(address.clone()));
    if let (Some(lat), Some(lon)) = (lab.latitude, lab.longitude) {
        place.insert(
            "geo".to_owned(),
            json!({ "@type": "GeoCoordinates", "latitude": lat, "longitude": lon }),
        );
    }
    let mut map = node("Organization");
    map.insert("@id".to_owned(), json!(format!("{url}#lab")));
    map.insert("name".to_owned(), json!(lab.name));
    map.insert("url".to_owned(), json!(url));
    let description = crate::views::description(None, &lab.body_md);
    map.insert(
        "description".to_owned(),
        json!(if description.trim().is_empty() {
            format!("{} in {}", lab.name, lab.city)
        } else {
            description
        }),
    );
    map.insert("address".to_owned(), Value::Object(address));
    map.insert("location".to_owned(), Value::Object(place));
    put(
        &mut map,
        "sameAs",
        json!(web_links(lab.links.iter().map(|l| l.url.as_str()))),
    );
    map.insert("parentOrganization".to_owned(), network());
    Value::Object(map)
}

/// A lab named as author or organizer.
fn lab_ref(slug: &str, name: &str) -> Value {
    let url = absolute(&urls::lab(slug));
    json!({ "@type": "Organization", "@id": format!("{url}#lab"), "name": name, "url": url })
}

/// SPDX licence URLs of a licence expression (`MIT OR Apache-2.0` names both).
pub fn spdx_urls(expression: &str) -> Vec<String> {
    expression
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|t| !t.is_empty() && !matches!(*t, "AND" | "OR" | "WITH"))
        .filter(|t| {
            t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.+".contains(&b))
        })
        .filter(|t| !t.ends_with("-exception") && !t.starts_with("LicenseRef-"))
        .map(|t| format!("https://spdx.org/licenses/{t}.html"))
        .collect()
}

/// A project as its page tells: `SoftwareSourceCode`.
pub fn project(detail: &codefor_storage::projects::ProjectDetail) -> Value {
    let p = &detail.project;
    let m = &detail.meta;
    let mut map = node("SoftwareSourceCode");
    map.insert("name".to_owned(), json!(p.title));
    put(
        &mut map,
        "description",
        json!(crate::views::description(p.summary.as_deref(), &p.body_md)),
    );
    map.insert("url".to_owned(), json!(absolute(&urls::project(&p.slug))));
    put(
        &mut map,
        "codeRepository",
        json!(web_links(p.repository_url.as_deref()).first()),
    );
    let licenses = m.license.as_deref().map(spdx_urls).unwrap_or_default();
    match licenses.as_slice() {
        [] => {}
        [one] => {
            map.insert("license".to_owned(), json!(one));
        }
        many => {
            map.insert("license".to_owned(), json!(many));
        }
    }
    if let Some(language) = programming_language(p) {
        map.insert("programmingLanguage".to_owned(), json!(language));
    }
    put(
        &mut map,
        "datePublished",
        json!(p.date.as_deref().and_then(iso_date)),
    );
    let modified = m
        .last_activity
        .as_deref()
        .and_then(iso_date)
        .or_else(|| iso_date(&detail.updated_at));
    put(&mut map, "dateModified", json!(modified));
    let labs: Vec<Value> = detail
        .labs
        .iter()
        .map(|l| lab_ref(&l.slug, &l.name))
        .collect();
    if labs.is_empty() {
        // A project of no lab is the network's.
        map.insert("author".to_owned(), network());
    } else {
        map.insert("author".to_owned(), json!(labs));
        map.insert("maintainer".to_owned(), json!(labs));
    }
    let mut keywords: Vec<String> = p
        .themes
        .iter()
        .filter_map(|t| codefor_domain::projects::theme(t))
        .map(|t| t.label.to_owned())
        .collect();
    keywords.extend(p.topics.iter().cloned());
    keywords.dedup();
    put(&mut map, "keywords", json!(keywords));
    put(&mut map, "operatingSystem", json!(m.platforms.join(", ")));
    put(
        &mut map,
        "softwareHelp",
        json!(web_links(m.documentation_url.as_deref()).first()),
    );
    Value::Object(map)
}

/// The programming language when the front matter names one (`language` or
/// `programmingLanguage`), never guessed.
fn programming_language(p: &codefor_domain::projects::Project) -> Option<String> {
    ["programmingLanguage", "programming_language", "language"]
        .iter()
        .find_map(|k| p.source.get(*k))
        .and_then(|v| match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            _ => None,
        })
}

/// A blog post as its page tells: `BlogPosting`. `image` is the path of its picture,
/// when the file exists.
pub fn post(detail: &codefor_storage::posts::PostDetail, image: Option<&str>) -> Value {
    let p = &detail.post;
    let url = absolute(&urls::post(&p.slug));
    let mut map = node("BlogPosting");
    map.insert("headline".to_owned(), json!(p.title));
    map.insert("url".to_owned(), json!(url));
    map.insert("mainEntityOfPage".to_owned(), json!(url));
    put(
        &mut map,
        "description",
        json!(crate::views::description(p.summary.as_deref(), &p.body_md)),
    );
    put(&mut map, "datePublished", json!(iso_date(&p.date)));
    put(
        &mut map,
        "dateModified",
        json!(iso_date(&detail.updated_at).or_else(|| iso_date(&p.date))),
    );
    // The byline as the post prints it: names, never addresses.
    let authors: Vec<Value> = p
        .author
        .as_deref()
        .map(split_names)
        .unwrap_or_default()
        .into_iter()
        .map(|name| json!({ "@type": "Person", "name": name }))
        .collect();
    if authors.is_empty() {
        map.insert("author".to_owned(), network());
    } else {
        map.insert("author".to_owned(), json!(authors));
    }
    map.insert("publisher".to_owned(), network());
    put(&mut map, "image", json!(image.map(absolute)));
    map.insert(
        "inLanguage".to_owned(),
        json!(if p.lang.trim().is_empty() {
            "de"
        } else {
            p.lang.trim()
        }),
    );
    let about: Vec<Value> = detail
        .labs
        .iter()
        .map(|l| lab_ref(&l.slug, &l.name))
        .collect();
    put(&mut map, "about", json!(about));
    put(&mut map, "keywords", json!(p.topics));
    Value::Object(map)
}

/// Names of a byline (`Anna, Ben und Cem`); anything that looks like an address is left
/// out.
fn split_names(byline: &str) -> Vec<String> {
    byline
        .split([',', '&', ';'])
        .flat_map(|part| part.split(" und "))
        .map(str::trim)
        .filter(|n| !n.is_empty() && !n.contains('@') && !n.contains("://"))
        .map(str::to_owned)
        .collect()
}

/// One date of a meetup for its `Event`: civil start and end in Berlin, and whether it
/// is cancelled.
#[derive(Debug, Clone)]
pub struct EventDate {
    pub start: String,
    pub end: String,
    pub cancelled: bool,
}

/// A meetup as its page tells: `Event`, dated by its next date (else its first).
pub fn meetup(
    meetup: &codefor_storage::meetups::Meetup,
    labs: &[codefor_storage::meetups::MeetupLab],
    next: Option<EventDate>,
) -> Value {
    let date = next.unwrap_or_else(|| EventDate {
        start: meetup.starts_at.clone(),
        end: meetup.ends_at.clone(),
        cancelled: false,
    });
    let all_day = meetup.all_day != 0;
    let when = |civil: &str| {
        if all_day {
            civil.get(..10).map(str::to_owned)
        } else {
            iso_date(civil)
        }
    };
    let mut map = node("Event");
    map.insert("name".to_owned(), json!(meetup.title));
    let url = absolute(&format!("/termine/{}/", meetup.id));
    map.insert("url".to_owned(), json!(url));
    put(
        &mut map,
        "description",
        json!(codefor_content::markdown::summary(
            &meetup.description_md,
            300
        )),
    );
    put(&mut map, "startDate", json!(when(&date.start)));
    put(&mut map, "endDate", json!(when(&date.end)));
    let cancelled = date.cancelled || meetup.status == "cancelled";
    map.insert(
        "eventStatus".to_owned(),
        json!(if cancelled {
            "https://schema.org/EventCancelled"
        } else {
            "https://schema.org/EventScheduled"
        }),
    );
    let on_site = meetup.venue.is_some() || meetup.address.is_some();
    let online = web_links(meetup.online_url.as_deref()).into_iter().next();
    let mode = match (on_site, online.is_some()) {
        (true, true) => "https://schema.org/MixedEventAttendanceMode",
        (false, true) => "https://schema.org/OnlineEventAttendanceMode",
        _ => "https://schema.org/OfflineEventAttendanceMode",
    };
    map.insert("eventAttendanceMode".to_owned(), json!(mode));
    let mut locations = Vec::new();
    if on_site {
        let mut place = Map::new();
        place.insert("@type".to_owned(), json!("Place"));
        let name = meetup
            .venue
            .clone()
            .or_else(|| meetup.address.clone())
            .unwrap_or_default();
        place.insert("name".to_owned(), json!(name));
        let mut address = Map::new();
        address.insert("@type".to_owned(), json!("PostalAddress"));
        put(&mut address, "streetAddress", json!(meetup.address));
        if let [only] = labs {
            put(&mut address, "addressLocality", json!(only.city));
        }
        address.insert("addressCountry".to_owned(), json!("DE"));
        place.insert("address".to_owned(), Value::Object(address));
        locations.push(Value::Object(place));
    }
    if let Some(online) = online {
        locations.push(json!({ "@type": "VirtualLocation", "url": online }));
    }
    if locations.is_empty() {
        // Where is not said yet: the labs' cities are the best public answer.
        for l in labs {
            locations.push(json!({
                "@type": "Place",
                "name": l.city,
                "address": { "@type": "PostalAddress", "addressLocality": l.city, "addressCountry": "DE" },
            }));
        }
    }
    match locations.len() {
        0 => {}
        1 => {
            map.insert("location".to_owned(), locations.remove(0));
        }
        _ => {
            map.insert("location".to_owned(), json!(locations));
        }
    }
    let organizers: Vec<Value> = labs.iter().map(|l| lab_ref(&l.slug, &l.name)).collect();
    if organizers.is_empty() {
        map.insert("organizer".to_owned(), network());
    } else {
        map.insert("organizer".to_owned(), json!(organizers));
    }
    if let Some(capacity) = meetup.capacity {
        map.insert("maximumAttendeeCapacity".to_owned(), json!(capacity));
    }
    Value::Object(map)
}

/// A listed need as its page tells: a plain `CreativeWork`. Callers give only needs
/// that everyone may see (never drafts, held or hidden ones).
pub fn need(id: i64, title: &str, body: &str, topic: &str, submitted_at: Option<&str>) -> Value {
    let mut map = node("CreativeWork");
    map.insert("name".to_owned(), json!(title));
    map.insert(
        "url".to_owned(),
        json!(absolute(&codefor_core::needs::path(id))),
    );
    put(
        &mut map,
        "description",
        json!(codefor_content::markdown::summary(body, 300)),
    );
    put(
        &mut map,
        "dateCreated",
        json!(submitted_at.and_then(iso_date)),
    );
    put(&mut map, "keywords", json!(topic));
    map.insert("inLanguage".to_owned(), json!("de"));
    map.insert("isPartOf".to_owned(), json!(absolute("/beduerfnisse/")));
    Value::Object(map)
}

/// The home page: the site (`WebSite`) and the network (`Organization`).
pub fn home(description: &str) -> Value {
    let mut org = network();
    if let Value::Object(map) = &mut org {
        map.insert("description".to_owned(), json!(description));
    }
    json!({
        "@context": SCHEMA_ORG,
        "@graph": [
            {
                "@type": "WebSite",
                "@id": format!("{}/#website", origin()),
                "name": NETWORK_NAME,
                "url": absolute("/"),
                "description": description,
                "inLanguage": "de",
                "publisher": { "@id": format!("{}/#organization", origin()) },
            },
            org,
        ],
    })
}

/// A download of a dataset (`DataDownload`).
#[derive(Debug, Clone, Default)]
pub struct Distribution {
    /// Where the file is; a path of this site is made absolute.
    pub content_url: String,
    /// Media type or format name (`text/csv`, `CSV`).
    pub encoding_format: Option<String>,
    pub name: Option<String>,
}

/// Who made or publishes a dataset.
#[derive(Debug, Clone, Default)]
pub struct Agent {
    pub name: String,
    pub url: Option<String>,
}

/// What a dataset page knows, as plain values, for [`dataset`].
#[derive(Debug, Clone, Default)]
pub struct DatasetFacts {
    pub name: String,
    pub description: String,
    /// The dataset's page (a path of this site or an absolute URL).
    pub url: String,
    /// Licence URL (for example from the DCAT-AP.de licence vocabulary).
    pub license: Option<String>,
    pub keywords: Vec<String>,
    /// Spatial coverage as text (a federal state, a municipality).
    pub spatial: Option<String>,
    /// Temporal coverage as ISO 8601 (`2020-01-01/2024-12-31`, `2020/..`).
    pub temporal: Option<String>,
    pub distributions: Vec<Distribution>,
    pub creator: Option<Agent>,
    pub publisher: Option<Agent>,
    /// ISO 8601 date of the last change, when known.
    pub date_modified: Option<String>,
}

fn agent(a: &Agent) -> Value {
    let mut map = Map::new();
    map.insert("@type".to_owned(), json!("Organization"));
    map.insert("name".to_owned(), json!(a.name));
    put(&mut map, "url", json!(a.url.as_deref().map(absolute)));
    Value::Object(map)
}

/// A dataset (`Dataset` with `DataDownload`s), for the pages at `/daten/<slug>/`.
pub fn dataset(facts: &DatasetFacts) -> Value {
    let mut map = node("Dataset");
    map.insert("name".to_owned(), json!(facts.name));
    map.insert("description".to_owned(), json!(facts.description));
    map.insert("url".to_owned(), json!(absolute(&facts.url)));
    put(&mut map, "license", json!(facts.license));
    put(&mut map, "keywords", json!(facts.keywords));
    put(
        &mut map,
        "spatialCoverage",
        json!(
            facts
                .spatial
                .as_ref()
                .map(|s| json!({ "@type": "Place", "name": s }))
        ),
    );
    put(&mut map, "temporalCoverage", json!(facts.temporal));
    put(
        &mut map,
        "dateModified",
        json!(facts.date_modified.as_deref().and_then(iso_date)),
    );
    let downloads: Vec<Value> = facts
        .distributions
        .iter()
        .filter(|d| !d.content_url.trim().is_empty())
        .map(|d| {
            let mut m = Map::new();
            m.insert("@type".to_owned(), json!("DataDownload"));
            m.insert("contentUrl".to_owned(), json!(absolute(&d.content_url)));
            put(&mut m, "encodingFormat", json!(d.encoding_format));
            put(&mut m, "name", json!(d.name));
            Value::Object(m)
        })
        .collect();
    put(&mut map, "distribution", json!(downloads));
    if let Some(c) = &facts.creator {
        map.insert("creator".to_owned(), agent(c));
    }
    match &facts.publisher {
        Some(p) => map.insert("publisher".to_owned(), agent(p)),
        None => map.insert("publisher".to_owned(), network()),
    };
    map.insert("isAccessibleForFree".to_owned(), json!(true));
    Value::Object(map)
}

/// A dataset of the catalog as its page at `/daten/<slug>/` tells: built by [`dataset`]
/// from its public fields (never its contact's e-mail address).
pub fn dataset_of(d: &codefor_storage::datasets::Dataset) -> Value {
    let f = &d.fields;
    let lab = Agent {
        name: d.lab_name.clone(),
        url: Some(urls::lab(&d.lab_slug)),
    };
    let publisher = match &d.organization {
        Some((slug, name)) => Agent {
            name: name.clone(),
            url: Some(format!("/organisationen/{slug}/")),
        },
        None => lab.clone(),
    };
    let state = f
        .state_key
        .as_deref()
        .and_then(codefor_domain::states::by_key)
        .map(|s| s.name.to_owned());
    let temporal = match (&f.temporal_start, &f.temporal_end) {
        (Some(start), Some(end)) => Some(format!("{start}/{end}")),
        (Some(start), None) => Some(format!("{start}/..")),
        (None, Some(end)) => Some(format!("../{end}")),
        (None, None) => None,
    };
    let mut keywords = f.keywords.clone();
    // Themes by their German label (`Wirtschaft und Finanzen`), not their EU code.
    keywords.extend(f.themes.iter().filter_map(|t| {
        codefor_domain::datasets::THEMES
            .iter()
            .find(|c| c.code == t)
            .map(|c| c.label.to_owned())
    }));
    dataset(&DatasetFacts {
        name: f.title.clone(),
        description: codefor_content::markdown::summary(&f.description, 300),
        url: format!("/daten/{}/", d.slug),
        license: Some(f.licence.clone()).filter(|l| !l.trim().is_empty()),
        keywords,
        spatial: state,
        temporal,
        distributions: f
            .distributions
            .iter()
            .map(|x| Distribution {
                content_url: x
                    .download_url
                    .clone()
                    .unwrap_or_else(|| x.access_url.clone()),
                encoding_format: x.media_type.clone().or_else(|| x.format.clone()),
                name: Some(x.title.clone()).filter(|t| !t.trim().is_empty()),
            })
            .collect(),
        creator: Some(lab),
        publisher: Some(publisher),
        date_modified: f.modified.clone().or_else(|| Some(d.updated_at.clone())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let hostile = "</script><script>window.__pwned=1</script><!-- & -->";
        let text = script_json(&json!({ "name": hostile }));
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back["name"], hostile);
    }

    #[test]
    fn dates_carry_berlin_offsets() {
        assert_eq!(
            iso_date("2026-03-10T19:00:00").as_deref(),
            Some("2026-03-10T19:00:00+01:00")
        );
        assert_eq!(
            iso_date("2026-07-01T17:00:00Z").as_deref(),
            Some("2026-07-01T19:00:00+02:00")
        );
        assert_eq!(iso_date("2014-04-09").as_deref(), Some("2014-04-09"));
        assert_eq!(iso_date("irgendwann"), None);
    }

    #[test]
    fn licences_become_spdx_urls() {
        assert_eq!(
            spdx_urls("MIT OR (Apache-2.0 WITH LLVM-exception)"),
            vec![
                "https://spdx.org/licenses/MIT.html",
                "https://spdx.org/licenses/Apache-2.0.html"
            ]
        );
        assert!(spdx_urls("<script>").is_empty());
    }

    #[test]
    fn bylines_keep_names_only() {
        assert_eq!(
            split_names("Anna, Ben und cem@example.org"),
            vec!["Anna", "Ben"]
        );
    }

    #[test]
    fn dataset_has_downloads_and_absolute_urls() {
        let d = dataset(&DatasetFacts {
            name: "Bäume".into(),
            description: "Straßenbäume".into(),
            url: "/daten/baeume/".into(),
            distributions: vec![Distribution {
                content_url: "https://example.org/b.csv".into(),
                encoding_format: Some("text/csv".into()),
                name: None,
            }],
            ..DatasetFacts::default()
        });
        assert_eq!(d["@type"], "Dataset");
        assert_eq!(d["url"], "http://localhost/daten/baeume/");
        assert_eq!(d["distribution"][0]["@type"], "DataDownload");
        assert_eq!(d["publisher"]["name"], NETWORK_NAME);
    }
}
