//! The public site over HTTP: server-rendered pages that work without JavaScript,
//! feeds and JSON in codefor.de's shapes.
//!
//! Each area module (`home`, `labs`, `projects`, `posts`, `pages`, `feeds`, `media`)
//! serves its URLs; [`dispatch`] resolves the paths that several areas share
//! (`/<lab>/`, pages, media files, old paths that redirect).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use codefor_storage::Db;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

#[macro_use]
mod macros;

mod accounts;
mod admin;
mod api;
mod assets;
mod cache;
mod components;
mod datasets;
mod dates;
mod dispatch;
mod dump;
mod editing;
mod error;
mod feeds;
mod forms;
mod help_wanted;
mod home;
mod labs;
mod link_health;
mod map;
mod media;
mod meetups;
mod memberships;
pub mod metadata;
mod moderation;
mod need_comments;
mod needs;
mod notifications;
mod organizations;
mod pages;
mod posts;
mod projects;
mod proposals;
mod session;
mod uploads;
mod views;

pub use error::WebError;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct Config {
    /// Public origin such as `https://codefor.de`, for feeds and canonical links;
    /// when unset, taken from the request's Host header.
    pub base_url: Option<String>,
    /// How long a page may be served from the cache before the content version is
    /// checked again in the database (bounds staleness across instances).
    pub cache_check_interval: Duration,
    /// Outgoing mail (confirmation and reset links).
    pub mailer: codefor_core::mail::Mailer,
    /// How long sign-ins last.
    pub sessions: codefor_core::accounts::SessionPolicy,
    /// Take the client address for rate limits from the last entry of
    /// `X-Forwarded-For` (only behind one reverse proxy that appends it).
    pub trust_forwarded_for: bool,
    /// Where uploaded pictures are stored (created when needed).
    pub upload_dir: std::path::PathBuf,
    /// Active labs without a sign of life for this many days are flagged to their leads
    /// and to admins.
    pub inactive_after_days: i64,
    /// Projects without a sign of life for this many days are marked as quiet in the
    /// catalog, and their leads are reminded.
    pub project_stale_days: i64,
    /// How needs and comments are held for review.
    pub participation: codefor_core::participation::Policy,
    /// How project repositories are read for their publiccode.yml.
    pub repository_fetch: codefor_core::repositories::GitPolicy,
    /// How external calendars are fetched (addresses allowed, time and size limits).
    pub calendar_fetch: codefor_core::calendars::fetch::FetchPolicy,
    /// Where the open-data dump (`/daten/opendata.zip`) is kept and made again when a
    /// day old; `None`: each download is made afresh.
    pub open_data_dir: Option<std::path::PathBuf>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            base_url: None,
            cache_check_interval: Duration::from_millis(500),
            mailer: codefor_core::mail::Mailer::log_only("Code for Germany <noreply@localhost>")
                .unwrap_or_else(|_| unreachable_mailer()),
            sessions: codefor_core::accounts::SessionPolicy::default(),
            trust_forwarded_for: false,
            upload_dir: std::path::PathBuf::from("uploads"),
            inactive_after_days: 365,
            project_stale_days: 365,
            participation: codefor_core::participation::Policy::default(),
            repository_fetch: codefor_core::repositories::GitPolicy::default(),
            calendar_fetch: codefor_core::calendars::fetch::FetchPolicy::default(),
            open_data_dir: None,
        }
    }
}

/// The fixed default sender is a valid address; this only satisfies the type checker.
fn unreachable_mailer() -> codefor_core::mail::Mailer {
    #[allow(clippy::expect_used)]
    codefor_core::mail::Mailer::log_only("noreply@localhost").expect("a plain address parses")
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub(crate) cache: Arc<cache::PageCache>,
}

impl AppState {
    /// Cookies get `Secure` when the site is served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.config
            .base_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// The origin for links in mails: the configured base URL, else the request's host.
    pub fn origin(&self, headers: &axum::http::HeaderMap) -> String {
        if let Some(base) = &self.config.base_url {
            return base.trim_end_matches('/').to_owned();
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            })
            .unwrap_or("localhost");
        format!("http://{host}")
    }

    pub fn new(db: Db, config: Config) -> AppState {
        let cache = Arc::new(cache::PageCache::new(config.cache_check_interval));
        AppState {
            db,
            config: Arc::new(config),
            cache,
        }
    }
}

/// Content-Security-Policy: nothing may load from another origin, no inline script.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// Request bodies are small forms; anything larger is refused.
pub(crate) const BODY_LIMIT: usize = 64 * 1024;
/// An edit form: the longest posts of codefor.de are about 100 KB of Markdown.
pub(crate) const EDIT_BODY_LIMIT: usize = 512 * 1024;
/// And a picture upload: the largest picture plus room for the form around it.
pub(crate) const UPLOAD_BODY_LIMIT: usize = codefor_core::uploads::MAX_BYTES + 64 * 1024;

/// The whole application, so tests can call it without a socket.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(home::show))
        .route("/healthz", get(health))
        // Hugo's root of the default language.
        .route("/de/", get(|| async { moved("/") }))
        .route("/labs/", get(labs::index))
        .route("/labs/index.json", get(labs::json))
        .route("/labs/{state}/", get(labs::of_state))
        .route("/api/network.json", get(labs::figures_json))
        .route("/projekte/", get(projects::index))
        .route("/projekte/index.json", get(projects::json))
        .route(
            "/projekte/{slug}/publiccode.yml",
            get(projects::publiccode_yml),
        )
        .route(
            "/projekte/{slug}/publiccode/",
            get(projects::import_form)
                .post(projects::import)
                .layer(axum::extract::DefaultBodyLimit::max(EDIT_BODY_LIMIT)),
        )
        .route("/projekte/{slug}/abgleich", post(projects::sync_now))
        .route("/blog/", get(posts::index))
        .route("/blog/page/{n}/", get(posts::page))
        .route("/index.xml", get(feeds::rss))
        .route("/blog/index.xml", get(feeds::rss))
        .route("/projekte/index.xml", get(feeds::projects_rss))
        .route("/labs/index.xml", get(feeds::labs_rss))
        .merge(feeds::atom_routes())
        .route("/sitemap.xml", get(feeds::sitemap))
        .route("/robots.txt", get(feeds::robots))
        .route("/assets/{file}", get(assets::serve))
        .merge(accounts::routes())
        .merge(admin::routes())
        .merge(editing::routes())
        .merge(uploads::routes())
        .merge(memberships::routes())
        .merge(proposals::routes())
        .merge(meetups::routes())
        .merge(organizations::routes())
        .merge(help_wanted::routes())
        .merge(needs::routes())
        .merge(need_comments::routes())
        .merge(moderation::routes())
        .merge(notifications::routes())
        .merge(datasets::routes())
        .merge(api::routes())
        .merge(dump::routes())
        .merge(link_health::routes())
        // Every routed state change carries its form's CSRF token (see `session`).
        .route_layer(axum::middleware::from_fn(session::csrf_layer))
        .fallback(dispatch::resolve)
        .layer(axum::middleware::from_fn(error::log_failures))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metadata::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cache::layer,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // The hard cap for any body; `session::csrf_layer` holds routed forms to
        // `BODY_LIMIT` (uploads to `UPLOAD_BODY_LIMIT`) before a handler sees them.
        .layer(RequestBodyLimitLayer::new(UPLOAD_BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::new())
        .with_state(state)
}

/// Liveness: 200 when the database answers.
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (axum::http::StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::error!(error = %e, "health check: database does not answer");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable\n",
            )
        }
    }
}

/// A permanent redirect with status 301, as old links and crawlers expect
/// (axum's `Redirect::permanent` answers 308).
pub(crate) fn moved(target: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    // Never to another site by accident: `//host` and `/\host` are read by browsers as
    // another origin, so a path starts with exactly one slash.
    let target = if target.starts_with('/') {
        let rest = target.trim_start_matches(['/', '\\']);
        format!("/{rest}")
    } else {
        target.to_owned()
    };
    // Location must be ASCII: escape what a decoded path may contain.
    let mut encoded = String::with_capacity(target.len());
    for b in target.bytes() {
        if b.is_ascii_graphic() && b != b'\\' {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    match axum::http::HeaderValue::from_str(&encoded) {
        Ok(location) => (
            axum::http::StatusCode::MOVED_PERMANENTLY,
            [(axum::http::header::LOCATION, location)],
        )
            .into_response(),
        Err(_) => WebError::NotFound.into_response(),
    }
}
