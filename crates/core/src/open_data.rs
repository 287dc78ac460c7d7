//! Open data: every public record as JSON (`/api/v1/`) and CSV, in one shape per
//! collection.
//!
//! A [`Collection`] names a kind of record. For each there is a record type (serde
//! `Serialize` + `utoipa::ToSchema`, so the OpenAPI document describes exactly what is
//! written), the query parameters it takes ([`Collection::params`]), a keyset page
//! ([`list`]), one record ([`detail`]), and everything, a batch at a time ([`Batches`],
//! for the CSV download and the dump). Adding a collection: a variant in
//! [`Collection`], a record type and an `assemble` function in `open_data/records.rs`,
//! its arms in [`list`] and [`detail`], and its handlers in `web::api`.
//!
//! Conventions: snake_case English field names; times RFC 3339 with offset; dates
//! `YYYY-MM-DD`; every record has `id` (its slug where it has one), `url` (its API URL)
//! and `html_url`; related records are named by their API URLs.

use std::collections::HashMap;

use codefor_storage::{Db, DbError};
use serde::Serialize;
use sha2::{Digest, Sha256};

mod params;
mod records;

pub use params::{Param, ParamKind, csv_params};
pub use records::*;

/// Records per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: i64 = 50;
/// The largest page.
pub const MAX_LIMIT: i64 = 200;
/// Records read per query when a whole collection is written (CSV, dump).
const BATCH: i64 = 1000;

/// What can go wrong answering a request for open data.
#[derive(Debug, thiserror::Error)]
pub enum OpenDataError {
    /// A query parameter that is unknown, repeated or has a bad value.
    #[error("{message}")]
    Parameter { parameter: String, message: String },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Internal(String),
}

impl OpenDataError {
    fn parameter(parameter: &str, message: impl Into<String>) -> OpenDataError {
        OpenDataError::Parameter {
            parameter: parameter.to_owned(),
            message: message.into(),
        }
    }
}

/// The collections of the API, each at `/api/v1/<name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Collection {
    Labs,
    States,
    Projects,
    Organizations,
    Meetups,
    Needs,
    Posts,
    Pages,
    People,
    Datasets,
}

/// Every collection, in the order the API page lists them.
pub fn collections() -> &'static [Collection] {
    &Collection::ALL
}

impl Collection {
    pub const ALL: [Collection; 10] = [
        Collection::Labs,
        Collection::States,
        Collection::Projects,
        Collection::Organizations,
        Collection::Meetups,
        Collection::Needs,
        Collection::Posts,
        Collection::Pages,
        Collection::People,
        Collection::Datasets,
    ];

    /// The path segment: `/api/v1/<name>`, also the file name in dumps.
    pub fn name(self) -> &'static str {
        match self {
            Collection::Labs => "labs",
            Collection::States => "states",
            Collection::Projects => "projects",
            Collection::Organizations => "organizations",
            Collection::Meetups => "meetups",
            Collection::Needs => "needs",
            Collection::Posts => "posts",
            Collection::Pages => "pages",
            Collection::People => "people",
            Collection::Datasets => "datasets",
        }
    }

    pub fn parse(name: &str) -> Option<Collection> {
        Collection::ALL.into_iter().find(|c| c.name() == name)
    }

    /// German title for the API page.
    pub fn title_de(self) -> &'static str {
        match self {
            Collection::Labs => "Labs",
            Collection::States => "Bundesländer",
            Collection::Projects => "Projekte",
            Collection::Organizations => "Organisationen",
            Collection::Meetups => "Termine",
            Collection::Needs => "Bedürfnisse",
            Collection::Posts => "Blogbeiträge",
            Collection::Pages => "Seiten",
            Collection::People => "Personen (öffentliche Profile)",
            Collection::Datasets => "Datensätze",
        }
    }

    /// English description for the OpenAPI document.
    pub fn description(self) -> &'static str {
        match self {
            Collection::Labs => {
                "The network's labs (not deleted; `listed` is false for those left out of the lab list \
                 and the map), by slug."
            }
            Collection::States => "The 16 federal states with their number of labs.",
            Collection::Projects => {
                "Published projects of the catalog, by slug; filters as on /projekte/."
            }
            Collection::Organizations => {
                "Organizations (administrations above all) and the projects they use, by slug."
            }
            Collection::Meetups => {
                "Meetups of the network and of listed labs (as /termine/ shows them), by id; times RFC 3339 with offset, \
                 recurring ones with their RFC 5545 rule."
            }
            Collection::Needs => {
                "Public needs (never drafts, hidden or held ones) with their status history and \
                 support count, by id; filters as on /beduerfnisse/."
            }
            Collection::Posts => "Published blog posts, by slug.",
            Collection::Pages => "Published pages, by id.",
            Collection::People => {
                "Public profiles: only the parts a person made public, only people who made \
                 something public, by id."
            }
            Collection::Datasets => {
                "Datasets labs publish or use (DCAT-AP.de) with their distributions, by slug; \
                 filters as on /daten/. The whole catalog as RDF: /catalog.ttl, /catalog.jsonld."
            }
        }
    }

    /// Whether ids are numbers (else slugs).
    pub fn numeric_ids(self) -> bool {
        matches!(
            self,
            Collection::Meetups | Collection::Needs | Collection::Pages | Collection::People
        )
    }

    /// The query parameters of the list (and CSV), `limit` and `after` included.
    pub fn params(self) -> Vec<Param> {
        params::of(self)
    }

    /// The CSV columns: the record's fields in order; a field holding one object (a
    /// dataset's `publisher`, `contact`) becomes a column per field of it, named
    /// `field.subfield`.
    pub fn columns(self) -> Vec<String> {
        use utoipa::{PartialSchema, ToSchema};
        let mut nested = Vec::new();
        let schema = match self {
            Collection::Labs => (Lab::schema(), Lab::schemas(&mut nested)).0,
            Collection::States => (State::schema(), State::schemas(&mut nested)).0,
            Collection::Projects => (Project::schema(), Project::schemas(&mut nested)).0,
            Collection::Organizations => {
                (Organization::schema(), Organization::schemas(&mut nested)).0
            }
            Collection::Meetups => (Meetup::schema(), Meetup::schemas(&mut nested)).0,
            Collection::Needs => (Need::schema(), Need::schemas(&mut nested)).0,
            Collection::Posts => (Post::schema(), Post::schemas(&mut nested)).0,
            Collection::Pages => (Page::schema(), Page::schemas(&mut nested)).0,
            Collection::People => (Person::schema(), Person::schemas(&mut nested)).0,
            Collection::Datasets => {
                use crate::datasets::api::Dataset;
                (Dataset::schema(), Dataset::schemas(&mut nested)).0
            }
        };
        let mut columns = Vec::new();
        for (name, property) in properties(&schema) {
            match object_fields(property, &nested) {
                Some(fields) => columns.extend(fields.map(|f| format!("{name}.{f}"))),
                None => columns.push(name.clone()),
            }
        }
        columns
    }
}

type Schemas = [(
    String,
    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
)];

/// The properties of an object schema, in order.
fn properties(
    schema: &utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
) -> impl Iterator<
    Item = (
        &String,
        &utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    ),
> {
    use utoipa::openapi::{RefOr, Schema};
    match schema {
        RefOr::T(Schema::Object(o)) => Some(o.properties.iter()),
        _ => None,
    }
    .into_iter()
    .flatten()
}

/// The field names of the object a property holds (also when it may be `null`), or `None`
/// for anything else (scalars, lists).
fn object_fields<'a>(
    property: &'a utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    nested: &'a Schemas,
) -> Option<impl Iterator<Item = &'a String>> {
    use utoipa::openapi::{RefOr, Schema};
    let reference = match property {
        RefOr::Ref(r) => Some(r),
        RefOr::T(Schema::OneOf(one)) => one.items.iter().find_map(|i| match i {
            RefOr::Ref(r) => Some(r),
            RefOr::T(_) => None,
        }),
        RefOr::T(_) => None,
    }?;
    let name = reference.ref_location.rsplit('/').next()?;
    let (_, schema) = nested.iter().find(|(n, _)| n == name)?;
    match schema {
        RefOr::T(Schema::Object(o)) if !o.properties.is_empty() => Some(o.properties.keys()),
        _ => None,
    }
}

/// Absolute URLs of the API and the site.
#[derive(Debug, Clone)]
pub struct Urls {
    origin: String,
}

impl Urls {
    /// `origin` such as `https://codefor.de` (no trailing slash).
    pub fn new(origin: &str) -> Urls {
        Urls {
            origin: origin.trim_end_matches('/').to_owned(),
        }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// `https://…/api/v1/<collection>/<id>`.
    pub fn api(&self, c: Collection, id: &str) -> String {
        format!("{}/api/v1/{}/{}", self.origin, c.name(), encode_segment(id))
    }

    /// `https://…/api/v1/<collection>` with an optional query.
    pub fn api_list(&self, c: Collection, query: &[(&str, &str)]) -> String {
        let mut url = format!("{}/api/v1/{}", self.origin, c.name());
        if !query.is_empty() {
            let q: Vec<String> = query
                .iter()
                .map(|(k, v)| format!("{k}={}", encode_segment(v)))
                .collect();
            url.push('?');
            url.push_str(&q.join("&"));
        }
        url
    }

    /// An absolute URL of a path of the site.
    pub fn html(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The opaque `after` cursor of a page: the last record's key, hex-encoded behind a
/// version tag, so clients cannot mistake it for an id.
pub fn encode_cursor(key: &str) -> String {
    let mut out = String::from("c1");
    for b in key.bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The key inside a cursor; `None` for anything [`encode_cursor`] did not write.
pub fn decode_cursor(cursor: &str) -> Option<String> {
    decode_cursor_up_to(cursor, 1024)
}

/// [`decode_cursor`] with room for keys of up to `max_hex / 2` bytes.
fn decode_cursor_up_to(cursor: &str, max_hex: usize) -> Option<String> {
    let hex = cursor.strip_prefix("c1")?;
    if hex.is_empty() || hex.len() % 2 != 0 || hex.len() > max_hex {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    // No key holds control characters, and PostgreSQL refuses NUL in text outright.
    String::from_utf8(bytes?)
        .ok()
        .filter(|key| !key.chars().any(char::is_control))
}

/// A strong `ETag` for a response body: a quoted hash of its bytes.
pub fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// The query parameters of a request, checked: known names only, each at most once,
/// values valid.
#[derive(Debug, Clone, Default)]
pub struct Query {
    values: HashMap<&'static str, String>,
    /// The decoded `after` cursor.
    after: Option<String>,
    limit: i64,
}

impl Query {
    /// Checks `pairs` (decoded `name=value` pairs of the query string) against the
    /// collection's parameters.
    pub fn parse(c: Collection, pairs: &[(String, String)]) -> Result<Query, OpenDataError> {
        Query::parse_with(&c.params(), pairs)
    }

    /// As [`Query::parse`] for a given list of parameters (the CSV takes no paging).
    pub fn parse_with(
        params: &[Param],
        pairs: &[(String, String)],
    ) -> Result<Query, OpenDataError> {
        let mut q = Query {
            limit: DEFAULT_LIMIT,
            ..Query::default()
        };
        for (name, value) in pairs {
            let Some(param) = params.iter().find(|p| p.name == name.as_str()) else {
                return Err(OpenDataError::parameter(
                    name,
                    format!("unknown query parameter `{name}`"),
                ));
            };
            if q.values.contains_key(param.name) {
                return Err(OpenDataError::parameter(
                    name,
                    format!("query parameter `{name}` given more than once"),
                ));
            }
            param.check(value)?;
            q.values.insert(param.name, value.clone());
        }
        if let Some(limit) = q.values.get("limit") {
            q.limit = limit.parse().unwrap_or(DEFAULT_LIMIT);
        }
        if let Some(after) = q.values.get("after") {
            q.after = Some(decode_cursor(after).ok_or_else(|| {
                OpenDataError::parameter("after", "`after` is not a cursor of this API")
            })?);
        }
        Ok(q)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    fn flag(&self, name: &str) -> bool {
        self.get(name) == Some("true")
    }

    /// The filters as `name=value` pairs (for the `self` and `next` links).
    pub fn filters(&self) -> Vec<(&'static str, String)> {
        let mut v: Vec<_> = self
            .values
            .iter()
            .filter(|(k, _)| **k != "after")
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        v.sort();
        v
    }

    pub fn limit(&self) -> i64 {
        self.limit
    }

    fn page_text(&self, limit: i64) -> codefor_storage::open_data::Page<String> {
        codefor_storage::open_data::Page {
            after: self.after.clone(),
            limit,
        }
    }

    fn page_number(
        &self,
        limit: i64,
    ) -> Result<codefor_storage::open_data::Page<i64>, OpenDataError> {
        let after = match &self.after {
            Some(a) => Some(a.parse::<i64>().map_err(|_| {
                OpenDataError::parameter("after", "`after` is not a cursor of this collection")
            })?),
            None => None,
        };
        Ok(codefor_storage::open_data::Page { after, limit })
    }
}

/// One page of a list: the records as JSON and the key to continue after, if more may
/// follow.
#[derive(Debug, Clone, Serialize)]
pub struct ListPage {
    pub data: Vec<serde_json::Value>,
    /// The encoded cursor of the next page; `None` on the last page.
    pub next: Option<String>,
}

fn values<T: Serialize>(records: Vec<T>) -> Result<Vec<serde_json::Value>, OpenDataError> {
    records
        .into_iter()
        .map(|r| serde_json::to_value(r).map_err(|e| OpenDataError::Internal(e.to_string())))
        .collect()
}

/// One keyset page of a collection with the query's filters.
pub async fn list(
    db: &Db,
    c: Collection,
    urls: &Urls,
    query: &Query,
) -> Result<ListPage, OpenDataError> {
    list_limit(db, c, urls, query, query.limit).await
}

async fn list_limit(
    db: &Db,
    c: Collection,
    urls: &Urls,
    query: &Query,
    limit: i64,
) -> Result<ListPage, OpenDataError> {
    // A text filter with a NUL character matches nothing (PostgreSQL cannot even be
    // asked about it).
    if query.values.values().any(|v| v.contains('\0')) {
        return Ok(ListPage {
            data: Vec::new(),
            next: None,
        });
    }
    // One more than asked tells whether another page follows.
    let ask = limit + 1;
    let (mut data, last_keys): (Vec<serde_json::Value>, Vec<String>) = match c {
        Collection::Labs => {
            let state = query.get("state").and_then(codefor_domain::states::by_slug);
            let rows =
                codefor_storage::open_data::labs(db, state.map(|s| s.key), &query.page_text(ask))
                    .await?;
            let recs = records::labs(db, urls, rows).await?;
            let keys = recs.iter().map(|r| r.id.clone()).collect();
            (values(recs)?, keys)
        }
        Collection::States => {
            let recs = records::states(db, urls, query.after.as_deref(), ask).await?;
            let keys = recs.iter().map(|r| r.id.clone()).collect();
            (values(recs)?, keys)
        }
        Collection::Projects => {
            let filters = codefor_storage::catalog::Filters {
                theme: query.get("theme").map(str::to_owned),
                lab: query.get("lab").map(str::to_owned),
                state: query
                    .get("state")
                    .and_then(codefor_domain::states::by_slug)
                    .map(|s| s.key.to_owned()),
                status: query
                    .get("status")
                    .and_then(codefor_domain::DevelopmentStatus::parse),
                license: query.get("license").map(str::to_owned),
                in_use: query.flag("in_use"),
                looking: query.flag("looking_for_people"),
            };
            let rows =
                codefor_storage::open_data::projects(db, &filters, &query.page_text(ask)).await?;
            let recs = records::projects(db, urls, rows).await?;
            let keys = recs.iter().map(|r| r.id.clone()).collect();
            (values(recs)?, keys)
        }
        Collection::Organizations => {
            let rows = codefor_storage::open_data::organizations(db, &query.page_text(ask)).await?;
            let recs = records::organizations(db, urls, rows).await?;
            let keys = recs.iter().map(|r| r.id.clone()).collect();
            (values(recs)?, keys)
        }
        Collection::Meetups => {
            let filter = codefor_storage::open_data::MeetupFilter {
                lab: query.get("lab").map(str::to_owned),
                from: query.get("from").and_then(params::berlin_midnight),
                to: query
                    .get("to")
                    .and_then(params::berlin_midnight)
                    .map(|t| t + 86_400),
            };
            let rows =
                codefor_storage::open_data::meetups(db, &filter, &query.page_number(ask)?).await?;
            let recs = records::meetups(db, urls, rows).await?;
            let keys = recs.iter().map(|r| r.id.to_string()).collect();
            (values(recs)?, keys)
        }
        Collection::Needs => {
            let lab = match query.get("lab") {
                Some(slug) => match codefor_storage::open_data::lab_id(db, slug).await? {
                    Some(id) => Some(id),
                    // An unknown lab matches no need.
                    None => {
                        return Ok(ListPage {
                            data: Vec::new(),
                            next: None,
                        });
                    }
                },
                None => None,
            };
            let filters = codefor_storage::needs::Filters {
                status: query.get("status").map(str::to_owned),
                topic: query.get("topic").map(str::to_owned),
                state: query
                    .get("state")
                    .and_then(codefor_domain::states::by_slug)
                    .map(|s| s.key.to_owned()),
                lab,
                without_lab: query.flag("without_lab"),
            };
            let rows =
                codefor_storage::open_data::needs(db, &filters, &query.page_number(ask)?).await?;
            let recs = records::needs(db, urls, rows).await?;
            let keys = recs.iter().map(|r| r.id.to_string()).collect();
            (values(recs)?, keys)
        }
        Collection::Posts => {
            let rows =
                codefor_storage::open_data::posts(db, query.get("lab"), &query.page_text(ask))
                    .await?;
            let recs = records::posts(db, urls, rows).await?;
            let keys = recs.iter().map(|r| r.id.clone()).collect();
            (values(recs)?, keys)
        }
        Collection::Pages => {
            let rows = codefor_storage::open_data::pages(db, &query.page_number(ask)?).await?;
            let recs = records::pages(urls, rows);
            let keys = recs.iter().map(|r| r.id.to_string()).collect();
            (values(recs)?, keys)
        }
        Collection::Datasets => {
            let filter = codefor_storage::datasets::Filter {
                theme: query.get("theme").map(str::to_owned),
                state_key: query
                    .get("state")
                    .and_then(codefor_domain::states::by_slug)
                    .map(|s| s.key.to_owned()),
                lab: query.get("lab").map(str::to_owned),
                relation: query.get("relation").map(str::to_owned),
            };
            let page = query.page_text(ask);
            let rows =
                codefor_storage::datasets::api_page(db, &filter, page.after.as_deref(), page.limit)
                    .await?;
            let recs = crate::datasets::api::records_checked(db, urls, rows).await?;
            let keys = recs.iter().map(|r| r.id.clone()).collect();
            (values(recs)?, keys)
        }
        Collection::People => {
            // Profiles are read in pages of accounts and only those that show something
            // are kept, so the cursor follows the accounts read, not the records written.
            let page = query.page_number(ask)?;
            let rows = codefor_storage::open_data::profiles(db, &page).await?;
            let more = rows.len() as i64 > limit;
            let read: Vec<_> = rows.into_iter().take(limit.max(0) as usize).collect();
            let last_read = read.last().map(|r| r.id.to_string());
            let recs = records::people(db, urls, read).await?;
            return Ok(ListPage {
                data: values(recs)?,
                next: if more {
                    last_read.map(|k| encode_cursor(&k))
                } else {
                    None
                },
            });
        }
    };
    let more = data.len() as i64 > limit;
    data.truncate(limit.max(0) as usize);
    let next = if more {
        last_keys
            .get(data.len().saturating_sub(1))
            .map(|k| encode_cursor(k))
    } else {
        None
    };
    Ok(ListPage { data, next })
}

/// One record by its id (slug or number); `None` when there is no public one.
pub async fn detail(
    db: &Db,
    c: Collection,
    urls: &Urls,
    id: &str,
) -> Result<Option<serde_json::Value>, OpenDataError> {
    use codefor_storage::open_data as q;
    let number = || id.parse::<i64>().ok().filter(|n| *n > 0);
    let record = match c {
        Collection::Labs => match q::lab(db, id).await? {
            Some(row) => values(records::labs(db, urls, vec![row]).await?)?.pop(),
            None => None,
        },
        Collection::States => values(records::states(db, urls, None, 16).await?)?
            .into_iter()
            .find(|s| s["id"] == id),
        Collection::Projects => match q::project(db, id).await? {
            Some(row) => values(records::projects(db, urls, vec![row]).await?)?.pop(),
            None => None,
        },
        Collection::Organizations => match q::organization(db, id).await? {
            Some(row) => values(records::organizations(db, urls, vec![row]).await?)?.pop(),
            None => None,
        },
        Collection::Meetups => match number() {
            Some(n) => match q::meetup(db, n).await? {
                Some(row) => values(records::meetups(db, urls, vec![row]).await?)?.pop(),
                None => None,
            },
            None => None,
        },
        Collection::Needs => match number() {
            Some(n) => match q::need(db, n).await? {
                Some(row) => values(records::needs(db, urls, vec![row]).await?)?.pop(),
                None => None,
            },
            None => None,
        },
        Collection::Posts => match q::post(db, id).await? {
            Some(row) => values(records::posts(db, urls, vec![row]).await?)?.pop(),
            None => None,
        },
        Collection::Pages => match number() {
            Some(n) => match q::page(db, n).await? {
                Some(row) => values(records::pages(urls, vec![row]))?.pop(),
                None => None,
            },
            None => None,
        },
        Collection::People => match number() {
            Some(n) => match q::profile(db, n).await? {
                Some(row) => values(records::people(db, urls, vec![row]).await?)?.pop(),
                None => None,
            },
            None => None,
        },
        Collection::Datasets => match codefor_storage::datasets::get(db, id).await? {
            Some(d) => {
                values(crate::datasets::api::records_checked(db, urls, vec![d]).await?)?.pop()
            }
            None => None,
        },
    };
    Ok(record)
}

/// Every public record of a collection matching a query, read a batch of a thousand at
/// a time (so a whole collection can be written without holding it: the CSV download).
#[derive(Debug, Clone)]
pub struct Batches {
    c: Collection,
    urls: Urls,
    query: Query,
    done: bool,
}

impl Batches {
    /// From the first record on, whatever `after` the query has.
    pub fn new(c: Collection, urls: Urls, query: &Query) -> Batches {
        let mut query = query.clone();
        query.after = None;
        Batches {
            c,
            urls,
            query,
            done: false,
        }
    }

    /// The next batch, or `None` after the last.
    pub async fn next(&mut self, db: &Db) -> Result<Option<Vec<serde_json::Value>>, OpenDataError> {
        if self.done {
            return Ok(None);
        }
        let page = list_limit(db, self.c, &self.urls, &self.query, BATCH).await?;
        match page.next {
            Some(cursor) => {
                self.query.after = Some(next_after(&cursor, self.query.after.as_deref())?);
            }
            None => self.done = true,
        }
        Ok(Some(page.data))
    }

    /// Whether every batch has been read.
    pub fn done(&self) -> bool {
        self.done
    }
}

/// The key to go on after in [`Batches`]: the one in `cursor` (this process wrote it, so
/// without the length cap that guards requests: a key longer than a client's cursor may
/// be must not make the loop start over). A cursor that does not decode or does not move
/// past the previous key (`before`) would repeat forever: an error instead.
fn next_after(cursor: &str, before: Option<&str>) -> Result<String, OpenDataError> {
    match decode_cursor_up_to(cursor, usize::MAX) {
        Some(key) if before != Some(key.as_str()) => Ok(key),
        _ => Err(OpenDataError::Internal(format!(
            "paging through every record stalled at cursor {cursor}"
        ))),
    }
}

/// Records as CSV: UTF-8, a header row of [`Collection::columns`], RFC 4180 quoting,
/// CRLF. Lists of values are joined with "; ", lists of objects (links, distributions, a
/// need's history) written as compact JSON; a column `field.subfield` holds that field
/// of the object in `field`.
pub fn csv(c: Collection, records: &[serde_json::Value]) -> Result<Vec<u8>, OpenDataError> {
    let columns = c.columns();
    let mut out = csv_header(&columns)?;
    out.extend(csv_rows(&columns, records)?);
    Ok(out)
}

/// The CSV header line of `columns` (for writing a collection in pieces: the header
/// once, then [`csv_rows`] of each [`Batches`] batch).
pub fn csv_header(columns: &[String]) -> Result<Vec<u8>, OpenDataError> {
    csv_lines(std::iter::once(columns.to_vec()))
}

/// The CSV lines of `records` in `columns`.
pub fn csv_rows(
    columns: &[String],
    records: &[serde_json::Value],
) -> Result<Vec<u8>, OpenDataError> {
    csv_lines(
        records
            .iter()
            .map(|r| columns.iter().map(|k| cell(field(r, k))).collect()),
    )
}

fn csv_lines(lines: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>, OpenDataError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .has_headers(false)
        .from_writer(Vec::new());
    for line in lines {
        w.write_record(&line)
            .map_err(|e| OpenDataError::Internal(e.to_string()))?;
    }
    w.into_inner()
        .map_err(|e| OpenDataError::Internal(e.to_string()))
}

/// The value a CSV column names: `field`, or `field.subfield` of an object.
fn field<'a>(record: &'a serde_json::Value, column: &str) -> &'a serde_json::Value {
    match record.get(column) {
        Some(v) => v,
        None => match column.split_once('.') {
            Some((outer, inner)) => &record[outer][inner],
            None => &serde_json::Value::Null,
        },
    }
}

fn cell(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => v.to_string(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join("; "),
        Value::Object(_) => v.to_string(),
    }
}

/// The network's live figures (`/api/v1/network`).
pub async fn network(db: &Db, urls: &Urls) -> Result<Network, OpenDataError> {
    let f = codefor_storage::stats::network(db).await?;
    let upcoming = crate::meetups::upcoming_count(db).await?;
    Ok(Network {
        url: format!("{}/api/v1/network", urls.origin()),
        html_url: urls.html("/labs/"),
        labs_active: f.labs_active,
        labs_total: f.labs_total,
        states_with_active_lab: f.states_with_active_lab,
        people: f.people,
        projects: f.projects,
        upcoming_meetups: i64::try_from(upcoming).unwrap_or(i64::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document's pattern for text cursors allows the bytes 0x20 to 0x7e
    /// (`params::Param::pattern`): each of them decodes, so no request that matches the
    /// document is refused; DEL just above them does not.
    #[test]
    fn every_byte_the_cursor_pattern_allows_decodes() {
        for b in 0x20u8..=0x7e {
            assert!(decode_cursor(&format!("c1{b:02x}")).is_some(), "{b:#x}");
        }
        assert!(decode_cursor("c17f").is_none());
        assert!(decode_cursor("c11f").is_none());
    }

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        for key in ["kiel", "42", "ä/ö?&=", ""] {
            assert_eq!(
                decode_cursor(&encode_cursor(key)).as_deref(),
                Some(key).filter(|k| !k.is_empty())
            );
        }
        for bad in [
            "", "c1", "c", "kiel", "c1zz", "c1abc", "c2616263", "c1ff", "c1 6b",
        ] {
            assert_eq!(decode_cursor(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn cursors_with_control_characters_are_refused() {
        // `c100` is NUL, which PostgreSQL refuses in text (a 500 instead of a 400).
        for bad in ["c100", "c16100", "c10a", "c17f", "c1c280"] {
            assert_eq!(decode_cursor(bad), None, "{bad:?}");
        }
        assert_eq!(decode_cursor("c1612d62").as_deref(), Some("a-b"));
    }

    #[test]
    fn paging_through_everything_goes_on_after_keys_too_long_for_a_client_cursor() {
        let long = "x".repeat(600);
        let cursor = encode_cursor(&long);
        // A client may not send it back ...
        assert_eq!(decode_cursor(&cursor), None);
        // ... but `all` carries it on instead of starting over.
        assert_eq!(next_after(&cursor, Some("a")).ok(), Some(long.clone()));
        assert_eq!(next_after(&cursor, None).ok(), Some(long.clone()));
        // A cursor that does not move on is an error, not an endless loop.
        assert!(next_after(&cursor, Some(&long)).is_err());
        assert!(next_after("garbage", None).is_err());
    }

    #[test]
    fn etags_are_strong_and_follow_the_body() {
        let a = etag(b"one");
        assert!(a.starts_with('"') && a.ends_with('"') && !a.starts_with("W/"));
        assert_eq!(a, etag(b"one"));
        assert_ne!(a, etag(b"two"));
    }

    #[test]
    fn parameters_are_checked() {
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect()
        };
        let bad = |v: &[(&str, &str)]| match Query::parse(Collection::Projects, &pairs(v)) {
            Err(OpenDataError::Parameter { parameter, .. }) => parameter,
            other => panic!("{v:?} accepted: {other:?}"),
        };
        assert_eq!(bad(&[("limit", "0")]), "limit");
        assert_eq!(bad(&[("limit", "201")]), "limit");
        assert_eq!(bad(&[("limit", "x")]), "limit");
        assert_eq!(bad(&[("after", "kiel")]), "after");
        assert_eq!(bad(&[("colour", "red")]), "colour");
        assert_eq!(bad(&[("status", "nonsense")]), "status");
        assert_eq!(bad(&[("state", "berlin"), ("state", "bayern")]), "state");
        let q = Query::parse(
            Collection::Projects,
            &pairs(&[("limit", "200"), ("state", "berlin"), ("in_use", "true")]),
        )
        .expect("valid");
        assert_eq!(q.limit(), 200);
        assert!(q.flag("in_use"));
    }

    #[test]
    fn csv_quotes_by_rfc_4180_with_crlf() {
        let columns = Collection::Pages.columns();
        assert_eq!(columns[..3], ["id", "url", "html_url"]);
        let record = serde_json::json!({
            "id": 7, "url": "u", "html_url": "h", "path": "p",
            "title": "Komma, \"Zitat\" und\nZeile", "description": null, "body_html": "",
        });
        let out =
            String::from_utf8(csv(Collection::Pages, &[record]).expect("csv")).expect("utf-8");
        let header = columns.join(",");
        assert_eq!(
            out,
            format!("{header}\r\n7,u,h,p,\"Komma, \"\"Zitat\"\" und\nZeile\",,\r\n")
        );
    }

    #[test]
    fn cells_join_values_and_keep_objects_whole() {
        let v = serde_json::json!({
            "a": ["x", "y"],
            "b": [{"name": "Website", "url": "http://h/1"}],
            "c": null,
            "d": {"name": "Team", "email": null},
        });
        assert_eq!(cell(&v["a"]), "x; y");
        assert_eq!(cell(&v["b"]), r#"[{"name":"Website","url":"http://h/1"}]"#);
        assert_eq!(cell(&v["c"]), "");
        assert_eq!(cell(field(&v, "d.name")), "Team");
        assert_eq!(cell(field(&v, "d.email")), "");
        assert_eq!(cell(field(&v, "e.name")), "");
    }

    #[test]
    fn a_field_holding_one_object_gets_a_column_per_field_of_it() {
        let columns = Collection::Datasets.columns();
        for c in [
            "publisher.name",
            "publisher.organization",
            "contact.name",
            "contact.email",
        ] {
            assert!(columns.iter().any(|x| x == c), "{c} in {columns:?}");
        }
        assert!(!columns.iter().any(|x| x == "contact" || x == "publisher"));
        // Lists of objects stay one column.
        assert!(columns.iter().any(|x| x == "distributions"));
        assert_eq!(Collection::Pages.columns()[..3], ["id", "url", "html_url"]);
    }
}
