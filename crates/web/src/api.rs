//! The open-data API: `/api/v1/` (JSON and CSV per collection), its OpenAPI 3.1
//! document at `/api/openapi.json` generated from the handlers below, and the API page
//! `/api/` rendered from that document.
//!
//! Every answer is public: handlers never read the session, set no cookies, and carry
//! a strong `ETag` (`If-None-Match` gives 304), `Cache-Control: public, max-age=60` and
//! `Access-Control-Allow-Origin: *`. Errors under `/api/` are JSON of one shape
//! ([`ErrorBody`]). The collections themselves live in `codefor_core::open_data`; a
//! collection here is one `collection!` line.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, get};
use codefor_core::open_data::{
    self as od, Collection, OpenDataError, Param, ParamKind, Query, Urls,
};
use serde::Serialize;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Required, Type};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::AppState;
use crate::views::{Chrome, render};

mod page;

const JSON: &str = "application/json";
const CSV: &str = "text/csv; charset=utf-8";
const ALLOW: &str = "GET, HEAD, OPTIONS";

/// The error body of every failed API request.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    /// The HTTP status code.
    pub status: u16,
    /// `invalid_parameter`, `not_found`, `method_not_allowed` or `internal_error`.
    pub code: String,
    /// What went wrong, in English.
    pub message: String,
    /// The query parameter at fault (with `invalid_parameter`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

/// Links of a list page.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Links {
    /// This page.
    #[serde(rename = "self")]
    #[schema(format = "uri")]
    pub this: String,
    /// The next page; `null` on the last one.
    #[schema(format = "uri")]
    pub next: Option<String>,
}

/// An API error as a response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    parameter: Option<String>,
}

impl ApiError {
    fn not_found() -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: "no such record or endpoint".to_owned(),
            parameter: None,
        }
    }
}

impl From<OpenDataError> for ApiError {
    fn from(e: OpenDataError) -> ApiError {
        match e {
            OpenDataError::Parameter { parameter, message } => ApiError {
                status: StatusCode::BAD_REQUEST,
                code: "invalid_parameter",
                message,
                parameter: Some(parameter),
            },
            other => {
                tracing::error!(error = %other, "open-data request failed");
                ApiError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    code: "internal_error",
                    message: "the request could not be answered; please try again".to_owned(),
                    parameter: None,
                }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                status: self.status.as_u16(),
                code: self.code.to_owned(),
                message: self.message,
                parameter: self.parameter,
            },
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = (self.status, bytes).into_response();
        let h = response.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        cors(h);
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            h.insert(header::ALLOW, HeaderValue::from_static(ALLOW));
        }
        response
    }
}

/// Paths answered without a session (and without CSRF checks: they only read).
pub(crate) fn sessionless(path: &str) -> bool {
    path.starts_with("/api/v1/") || path == "/api/openapi.json"
}

fn cors(h: &mut HeaderMap) {
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("ETag"),
    );
}

/// A 200 with `ETag`, caching and CORS headers, or 304 when the client has it.
fn ok(request: &HeaderMap, content_type: &'static str, body: Vec<u8>) -> Response {
    let tag = od::etag(&body);
    let mut response = if crate::cache::not_modified(request, &tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = (StatusCode::OK, body).into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        r
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    cors(h);
    response
}

fn ok_json<T: Serialize>(request: &HeaderMap, value: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(value)
        .map_err(|e| ApiError::from(OpenDataError::Internal(e.to_string())))?;
    Ok(ok(request, JSON, body))
}

/// `OPTIONS`: the CORS preflight of a read (no credentials).
async fn preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    cors(h);
    h.insert(header::ALLOW, HeaderValue::from_static(ALLOW));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("If-None-Match"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    response
}

async fn method_not_allowed() -> ApiError {
    ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        message: "the API only reads: use GET, HEAD or OPTIONS".to_owned(),
        parameter: None,
    }
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// A read-only route: GET (and HEAD), the preflight, 405 for anything else.
fn read(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.options(preflight).fallback(method_not_allowed)
}

fn urls(state: &AppState, headers: &HeaderMap) -> Urls {
    Urls::new(&state.origin(headers))
}

/// Decoded `name=value` pairs of a query string.
fn pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The query string of a list link: the filters, the limit and the cursor.
fn list_link(urls: &Urls, c: Collection, query: &Query, after: Option<&str>) -> String {
    let filters = query.filters();
    let mut q: Vec<(&str, &str)> = filters.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if let Some(a) = after {
        q.push(("after", a));
    }
    urls.api_list(c, &q)
}

/// The list of a collection: one keyset page.
async fn list(
    state: &AppState,
    headers: &HeaderMap,
    c: Collection,
    raw: Option<&str>,
) -> Result<Response, ApiError> {
    let query = Query::parse(c, &pairs(raw))?;
    let urls = urls(state, headers);
    let page = od::list(&state.db, c, &urls, &query).await?;
    let this_after = pairs(raw)
        .into_iter()
        .find(|(k, _)| k == "after")
        .map(|(_, v)| v);
    let body = serde_json::json!({
        "data": page.data,
        "links": {
            "self": list_link(&urls, c, &query, this_after.as_deref()),
            "next": page.next.as_deref().map(|n| list_link(&urls, c, &query, Some(n))),
        },
    });
    ok_json(headers, &body)
}

/// One record of a collection.
async fn detail(
    state: &AppState,
    headers: &HeaderMap,
    c: Collection,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
    raw: Option<&str>,
) -> Result<Response, ApiError> {
    // Details take no parameters.
    Query::parse_with(&[], &pairs(raw))?;
    let Ok(Path(id)) = id else {
        return Err(ApiError::not_found());
    };
    if id.contains('\0') {
        return Err(ApiError::not_found());
    }
    let record = od::detail(&state.db, c, &urls(state, headers), &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    ok_json(headers, &record)
}

/// A collection as CSV: every record matching the filters. What fits in one batch is
/// answered whole (with an `ETag` of its bytes); a larger collection is streamed batch by
/// batch, so memory stays bounded however many records there are, with a weak `ETag` of
/// what decides the body (read before the records): the content version, the software
/// version, the collection and its columns, the origin and the query.
async fn csv(
    state: &AppState,
    headers: &HeaderMap,
    c: Collection,
    raw: Option<&str>,
) -> Result<Response, ApiError> {
    use futures_util::StreamExt as _;
    let query = Query::parse_with(&od::csv_params(c), &pairs(raw))?;
    let urls = urls(state, headers);
    let version = state
        .db
        .content_version()
        .await
        .map_err(|e| ApiError::from(OpenDataError::from(e)))?;
    let columns = c.columns();
    let decides = format!(
        "csv {version} {} {} {} {} {}",
        env!("CARGO_PKG_VERSION"),
        c.name(),
        columns.join(","),
        urls.origin(),
        raw.unwrap_or("")
    );
    let tag = od::etag(decides.as_bytes());
    let streamed_headers = |h: &mut HeaderMap| {
        if let Ok(v) = HeaderValue::from_str(&format!("W/{tag}")) {
            h.insert(header::ETAG, v);
        }
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=60"),
        );
        cors(h);
    };
    // Only a streamed answer carries this tag: its holder gets 304 before any record is read.
    if crate::cache::not_modified(headers, &tag) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        streamed_headers(response.headers_mut());
        return Ok(response);
    }
    let mut batches = od::Batches::new(c, urls, &query);
    let first = batches.next(&state.db).await?.unwrap_or_default();
    if batches.done() {
        return Ok(ok(headers, CSV, od::csv(c, &first)?));
    }
    let mut head = od::csv_header(&columns)?;
    head.extend(od::csv_rows(&columns, &first)?);
    let rest = futures_util::stream::try_unfold(
        (batches, state.db.clone(), columns),
        |(mut batches, db, columns)| async move {
            let rows = match batches.next(&db).await {
                Ok(Some(batch)) => od::csv_rows(&columns, &batch).map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            };
            match rows {
                Ok(Some(bytes)) => Ok(Some((
                    axum::body::Bytes::from(bytes),
                    (batches, db, columns),
                ))),
                Ok(None) => Ok(None),
                Err(e) => {
                    // The status line is out: the download ends after the last whole row.
                    tracing::error!(error = %e, "streaming a CSV collection failed");
                    Err(e)
                }
            }
        },
    );
    let body =
        futures_util::stream::once(
            async move { Ok::<_, OpenDataError>(axum::body::Bytes::from(head)) },
        )
        .chain(rest);
    let mut response = (StatusCode::OK, axum::body::Body::from_stream(body)).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(CSV));
    streamed_headers(h);
    Ok(response)
}

/// OpenAPI parameters from the collection's parameter list (one source for checking
/// requests and describing them).
fn openapi_params(params: &[Param]) -> Vec<Parameter> {
    params
        .iter()
        .map(|p| {
            let schema = match &p.kind {
                ParamKind::Limit => ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(od::MAX_LIMIT))
                    .default(Some(serde_json::json!(od::DEFAULT_LIMIT))),
                ParamKind::Cursor { .. } => ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(p.pattern()),
                ParamKind::Text => ObjectBuilder::new().schema_type(Type::String),
                ParamKind::Enum(values) => ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(values.iter().copied())),
                ParamKind::Date => ObjectBuilder::new().schema_type(Type::String).format(Some(
                    utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Date),
                )),
                ParamKind::Flag => ObjectBuilder::new().schema_type(Type::Boolean),
            };
            ParameterBuilder::new()
                .name(p.name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(p.description))
                .schema(Some(schema))
                .build()
        })
        .collect()
}

/// Declares, for one collection: its list, detail and CSV handlers with their OpenAPI
/// description, the parameter types and the list body's schema.
macro_rules! collection {
    (
        $c:expr, $tag:literal, $record:ty,
        $list_ty:ident, $params:ident, $csv_params:ident,
        $list:ident, $detail:ident, $csv:ident,
        $list_path:literal, $detail_path:literal, $csv_path:literal, $id_ty:ty
    ) => {
        pub struct $params;
        impl IntoParams for $params {
            fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                openapi_params(&$c.params())
            }
        }
        pub struct $csv_params;
        impl IntoParams for $csv_params {
            fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                openapi_params(&od::csv_params($c))
            }
        }

        /// A page of the list.
        #[derive(Debug, Serialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $list_ty {
            pub data: Vec<$record>,
            pub links: Links,
        }

        #[utoipa::path(
            get, path = $list_path, tag = $tag, params($params),
            responses(
                (status = 200, description = "One page of records, in a stable order", body = $list_ty,
                 headers(("ETag" = String, description = "Strong validator of the body"))),
                (status = 304, description = "Not modified (If-None-Match)"),
                (status = 400, description = "Unknown or invalid query parameter", body = ErrorBody),
            )
        )]
        async fn $list(
            State(state): State<AppState>,
            headers: HeaderMap,
            RawQuery(raw): RawQuery,
        ) -> Result<Response, ApiError> {
            list(&state, &headers, $c, raw.as_deref()).await
        }

        #[utoipa::path(
            get, path = $detail_path, tag = $tag,
            params(("id" = $id_ty, Path, description = "The record's id (its slug where it has one)")),
            responses(
                (status = 200, description = "The record", body = $record,
                 headers(("ETag" = String, description = "Strong validator of the body"))),
                (status = 304, description = "Not modified (If-None-Match)"),
                (status = 400, description = "A query parameter was given (details take none)", body = ErrorBody),
                (status = 404, description = "No public record with this id", body = ErrorBody),
            )
        )]
        async fn $detail(
            State(state): State<AppState>,
            headers: HeaderMap,
            id: Result<Path<String>, axum::extract::rejection::PathRejection>,
            RawQuery(raw): RawQuery,
        ) -> Result<Response, ApiError> {
            detail(&state, &headers, $c, id, raw.as_deref()).await
        }

        #[utoipa::path(
            get, path = $csv_path, tag = $tag, params($csv_params),
            responses(
                (status = 200, description = "Every record matching the filters as CSV (UTF-8, header row, RFC 4180, CRLF); lists of values joined with \"; \", lists of objects as JSON, an object's fields in columns `field.subfield`, related records as their API URLs. More than 1,000 records are streamed.",
                 content_type = "text/csv; charset=utf-8", body = String,
                 headers(("ETag" = String, description = "Strong validator of the body; weak (`W/`) for a streamed answer of more than 1,000 records"))),
                (status = 304, description = "Not modified (If-None-Match)"),
                (status = 400, description = "Unknown or invalid query parameter", body = ErrorBody),
            )
        )]
        async fn $csv(
            State(state): State<AppState>,
            headers: HeaderMap,
            RawQuery(raw): RawQuery,
        ) -> Result<Response, ApiError> {
            csv(&state, &headers, $c, raw.as_deref()).await
        }
    };
}

collection!(
    Collection::Labs,
    "labs",
    od::Lab,
    LabList,
    LabParams,
    LabCsvParams,
    labs_list,
    labs_detail,
    labs_csv,
    "/api/v1/labs",
    "/api/v1/labs/{id}",
    "/api/v1/labs.csv",
    String
);
collection!(
    Collection::States,
    "states",
    od::State,
    StateList,
    StateParams,
    StateCsvParams,
    states_list,
    states_detail,
    states_csv,
    "/api/v1/states",
    "/api/v1/states/{id}",
    "/api/v1/states.csv",
    String
);
collection!(
    Collection::Projects,
    "projects",
    od::Project,
    ProjectList,
    ProjectParams,
    ProjectCsvParams,
    projects_list,
    projects_detail,
    projects_csv,
    "/api/v1/projects",
    "/api/v1/projects/{id}",
    "/api/v1/projects.csv",
    String
);
collection!(
    Collection::Organizations,
    "organizations",
    od::Organization,
    OrganizationList,
    OrganizationParams,
    OrganizationCsvParams,
    organizations_list,
    organizations_detail,
    organizations_csv,
    "/api/v1/organizations",
    "/api/v1/organizations/{id}",
    "/api/v1/organizations.csv",
    String
);
collection!(
    Collection::Meetups,
    "meetups",
    od::Meetup,
    MeetupList,
    MeetupParams,
    MeetupCsvParams,
    meetups_list,
    meetups_detail,
    meetups_csv,
    "/api/v1/meetups",
    "/api/v1/meetups/{id}",
    "/api/v1/meetups.csv",
    i64
);
collection!(
    Collection::Needs,
    "needs",
    od::Need,
    NeedList,
    NeedParams,
    NeedCsvParams,
    needs_list,
    needs_detail,
    needs_csv,
    "/api/v1/needs",
    "/api/v1/needs/{id}",
    "/api/v1/needs.csv",
    i64
);
collection!(
    Collection::Posts,
    "posts",
    od::Post,
    PostList,
    PostParams,
    PostCsvParams,
    posts_list,
    posts_detail,
    posts_csv,
    "/api/v1/posts",
    "/api/v1/posts/{id}",
    "/api/v1/posts.csv",
    String
);
collection!(
    Collection::Pages,
    "pages",
    od::Page,
    PageList,
    PageParams,
    PageCsvParams,
    pages_list,
    pages_detail,
    pages_csv,
    "/api/v1/pages",
    "/api/v1/pages/{id}",
    "/api/v1/pages.csv",
    i64
);
collection!(
    Collection::People,
    "people",
    od::Person,
    PersonList,
    PersonParams,
    PersonCsvParams,
    people_list,
    people_detail,
    people_csv,
    "/api/v1/people",
    "/api/v1/people/{id}",
    "/api/v1/people.csv",
    i64
);
collection!(
    Collection::Datasets,
    "datasets",
    codefor_core::datasets::api::Dataset,
    DatasetList,
    DatasetParams,
    DatasetCsvParams,
    datasets_list,
    datasets_detail,
    datasets_csv,
    "/api/v1/datasets",
    "/api/v1/datasets/{id}",
    "/api/v1/datasets.csv",
    String
);

/// The network's live figures.
#[utoipa::path(
    get, path = "/api/v1/network", tag = "network",
    responses(
        (status = 200, description = "The network's figures", body = od::Network,
         headers(("ETag" = String, description = "Strong validator of the body"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A query parameter was given (this takes none)", body = ErrorBody),
    )
)]
async fn network(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    Query::parse_with(&[], &pairs(raw.as_deref()))?;
    let figures = od::network(&state.db, &urls(&state, &headers)).await?;
    ok_json(&headers, &figures)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Code for Germany: open data",
        version = "1",
        description = "Every public record of the Code for Germany network, read-only. \
            Conventions: snake_case field names in English; times RFC 3339 with offset; \
            dates YYYY-MM-DD; every record has `id` (its slug where it has one), `url` (its \
            API URL) and `html_url` (its page); related records are named by their absolute \
            API URLs. Lists answer `{\"data\": [...], \"links\": {\"self\", \"next\"}}` in a \
            stable order (by id or slug) with keyset pagination: `limit` (default 50, at \
            most 200) and `after` (the opaque cursor in `links.next`). Each collection is \
            also CSV at `/api/v1/<collection>.csv` (complete, same filters). Unknown or \
            invalid parameters answer 400, unknown records 404, other methods 405, all with \
            `{\"error\": {\"status\", \"code\", \"message\", \"parameter\"}}`. Every 200 has a \
            strong `ETag` (`If-None-Match` answers 304), `Cache-Control: public, \
            max-age=60` and `Access-Control-Allow-Origin: *`. No cookies, no sign-in. A \
            breaking change gets `/api/v2/`. Content: CC BY 4.0.",
        license(
            name = "CC BY 4.0 (content)",
            url = "https://creativecommons.org/licenses/by/4.0/"
        ),
    ),
    paths(
        labs_list,
        labs_detail,
        labs_csv,
        states_list,
        states_detail,
        states_csv,
        projects_list,
        projects_detail,
        projects_csv,
        organizations_list,
        organizations_detail,
        organizations_csv,
        meetups_list,
        meetups_detail,
        meetups_csv,
        needs_list,
        needs_detail,
        needs_csv,
        posts_list,
        posts_detail,
        posts_csv,
        pages_list,
        pages_detail,
        pages_csv,
        people_list,
        people_detail,
        people_csv,
        datasets_list,
        datasets_detail,
        datasets_csv,
        network,
    ),
    components(schemas(ErrorBody, ErrorDetail, Links))
)]
struct ApiDoc;

/// The OpenAPI document with `servers` set to this origin.
pub fn document(origin: &str) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.servers = Some(vec![utoipa::openapi::Server::new(
        origin.trim_end_matches('/'),
    )]);
    doc
}

/// The collections' routes and their handlers, for [`routes`] and the coverage test.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/", get(page::show))
        .route("/api/openapi.json", read(get(openapi_json)))
        .route("/api/v1/network", read(get(network)))
        .route("/api/v1/labs", read(get(labs_list)))
        .route("/api/v1/labs/{id}", read(get(labs_detail)))
        .route("/api/v1/labs.csv", read(get(labs_csv)))
        .route("/api/v1/states", read(get(states_list)))
        .route("/api/v1/states/{id}", read(get(states_detail)))
        .route("/api/v1/states.csv", read(get(states_csv)))
        .route("/api/v1/projects", read(get(projects_list)))
        .route("/api/v1/projects/{id}", read(get(projects_detail)))
        .route("/api/v1/projects.csv", read(get(projects_csv)))
        .route("/api/v1/organizations", read(get(organizations_list)))
        .route(
            "/api/v1/organizations/{id}",
            read(get(organizations_detail)),
        )
        .route("/api/v1/organizations.csv", read(get(organizations_csv)))
        .route("/api/v1/meetups", read(get(meetups_list)))
        .route("/api/v1/meetups/{id}", read(get(meetups_detail)))
        .route("/api/v1/meetups.csv", read(get(meetups_csv)))
        .route("/api/v1/needs", read(get(needs_list)))
        .route("/api/v1/needs/{id}", read(get(needs_detail)))
        .route("/api/v1/needs.csv", read(get(needs_csv)))
        .route("/api/v1/posts", read(get(posts_list)))
        .route("/api/v1/posts/{id}", read(get(posts_detail)))
        .route("/api/v1/posts.csv", read(get(posts_csv)))
        .route("/api/v1/pages", read(get(pages_list)))
        .route("/api/v1/pages/{id}", read(get(pages_detail)))
        .route("/api/v1/pages.csv", read(get(pages_csv)))
        .route("/api/v1/people", read(get(people_list)))
        .route("/api/v1/people/{id}", read(get(people_detail)))
        .route("/api/v1/people.csv", read(get(people_csv)))
        .route("/api/v1/datasets", read(get(datasets_list)))
        .route("/api/v1/datasets/{id}", read(get(datasets_detail)))
        .route("/api/v1/datasets.csv", read(get(datasets_csv)))
        // Anything else under /api/ is a JSON 404 (the old /api/network.json stays).
        .route("/api/{*rest}", any(not_found))
}

/// `/api/openapi.json`.
async fn openapi_json(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    Query::parse_with(&[], &pairs(raw.as_deref()))?;
    let doc = document(&state.origin(&headers));
    let body = doc
        .to_json()
        .map_err(|e| ApiError::from(OpenDataError::Internal(e.to_string())))?;
    Ok(ok(&headers, JSON, body.into_bytes()))
}

/// The template of the API page.
pub(crate) async fn render_page(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<axum::response::Html<String>, crate::WebError> {
    let origin = state.origin(headers);
    let chrome = Chrome::load(&state.db).await?;
    let first = page::first_ids(&state.db, &Urls::new(&origin)).await?;
    let endpoints = page::endpoints(&document(&origin), &origin, &first);
    render(
        "api/index.html",
        &chrome,
        crate::ctx! {
            title => "Offene Daten: die API",
            description => "Alle öffentlichen Daten des Netzwerks maschinenlesbar: JSON, CSV und OpenAPI.",
            origin => origin,
            endpoints => endpoints,
            collections => od::collections().iter().map(|c| serde_json::json!({"name": c.name(), "title": c.title_de()})).collect::<Vec<_>>(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `/api/v1/` route the router serves is in the document, and nothing else.
    #[test]
    fn the_document_lists_every_route() {
        let doc = document("http://localhost");
        let documented: std::collections::BTreeSet<String> =
            doc.paths.paths.keys().cloned().collect();
        // The `/api/v1/` paths routed in `routes()`, however the calls are formatted.
        let source = include_str!("api.rs");
        let start = source.find("pub fn routes()").expect("routes()");
        let body = &source[start..];
        let body = &body[..body.find("\n}\n").expect("end of routes()")];
        let routed: std::collections::BTreeSet<String> = body
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|literal| literal.starts_with("/api/v1/"))
            .map(str::to_owned)
            .collect();
        assert!(routed.len() >= 28, "{routed:?}");
        assert_eq!(routed, documented);
    }
}
