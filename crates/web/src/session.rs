//! Who is asking: the session cookie becomes a [`Visitor`] for every request, and every
//! state-changing request must carry the right CSRF token before any handler runs.
//!
//! - Signed in: the token is the session's own (stored with it in the database).
//! - Not signed in (sign-in, registration, reset forms): a random token in a
//!   `SameSite=Strict` cookie that the form repeats (double submit).
//!
//! The visitor is also kept in a task-local, so templates can show "Konto" or
//! "Anmelden" without every handler passing it along.

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use codefor_core::accounts::{self, Current};
use codefor_domain::permissions::Viewer;
use serde::Serialize;

use crate::{AppState, WebError};

pub const SESSION_COOKIE: &str = "codefor_session";
pub const CSRF_COOKIE: &str = "codefor_csrf";

/// The person behind a request: anonymous, or signed in with their session.
#[derive(Debug, Clone, Default)]
pub struct Visitor {
    pub current: Option<Current>,
    pub viewer: Viewer,
    /// The client's address, for rate limits.
    pub client: String,
    /// The anonymous CSRF cookie, when the browser sent one.
    pub csrf_cookie: Option<String>,
}

impl Visitor {
    pub fn signed_in(&self) -> bool {
        self.current.is_some()
    }

    /// The token a form of a signed-in visitor carries ("" when not signed in).
    pub fn csrf(&self) -> String {
        self.current
            .as_ref()
            .map(|c| c.session.csrf_token.clone())
            .unwrap_or_default()
    }

    /// What templates may know about the visitor (never the session token).
    pub fn view(&self) -> VisitorView {
        VisitorView {
            signed_in: self.signed_in(),
            name: self
                .current
                .as_ref()
                .map(|c| c.account.display_name.clone())
                .unwrap_or_default(),
            admin: self.viewer.admin,
            viewer: self.viewer.clone(),
            person_id: self.current.as_ref().and_then(|c| c.account.person_id),
            csrf: self.csrf(),
            unread: 0,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct VisitorView {
    pub signed_in: bool,
    pub name: String,
    pub admin: bool,
    /// The session's CSRF token for the sign-out form in the header.
    pub csrf: String,
    /// For permission checks while rendering (never sent to templates as such).
    #[serde(skip)]
    pub viewer: Viewer,
    /// The person behind the signed-in account, when it has one.
    #[serde(skip)]
    pub person_id: Option<i64>,
    /// Unread notifications of the signed-in person, for the header.
    pub unread: i64,
}

tokio::task_local! {
    static VISITOR: VisitorView;
}

/// The visitor of the request being handled, for the page chrome.
pub fn current_view() -> VisitorView {
    VISITOR.try_with(Clone::clone).unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Visitor, WebError> {
        Ok(parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .unwrap_or_default())
    }
}

/// A signed-in visitor, for handlers of one's own account; anyone else is sent to the
/// sign-in page and back.
pub struct SignedIn {
    pub visitor: Visitor,
    pub current: Current,
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<SignedIn, Response> {
        let visitor = parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .unwrap_or_default();
        match visitor.current.clone() {
            Some(current) => Ok(SignedIn { visitor, current }),
            None => {
                // Back to a page, never to a form's POST target.
                let back = match parts.uri.path() {
                    p if p.starts_with("/konto/profil") => "/konto/profil/",
                    p if p.starts_with("/konto/benachrichtigungen") => "/konto/benachrichtigungen/",
                    _ => "/konto/",
                };
                Err(crate::forms::see_other(&format!("/anmelden/?next={back}")))
            }
        }
    }
}

/// A value of a cookie in the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `Set-Cookie` for a cookie that scripts cannot read.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age: i64,
    secure: bool,
    same_site: &str,
) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite={same_site}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn client_address(request: &Request, trust_forwarded: bool) -> String {
    // The last entry is the one our own proxy appended; earlier ones are whatever the
    // client sent and prove nothing.
    if trust_forwarded
        && let Some(first) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next_back())
    {
        return first.trim().to_owned();
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Resolves the session, refuses state changes without a valid CSRF token, and makes
/// the visitor available to handlers and templates.
pub async fn layer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    // The open-data API answers everyone alike: no session is read and no cookie set.
    if crate::api::sessionless(request.uri().path()) {
        return next.run(request).await;
    }
    let client = client_address(&request, state.config.trust_forwarded_for);
    let token = cookie(request.headers(), SESSION_COOKIE);
    let csrf_cookie = cookie(request.headers(), CSRF_COOKIE);
    let mut stale_cookie = false;
    let mut visitor = Visitor {
        client,
        csrf_cookie,
        ..Visitor::default()
    };
    if let Some(token) = &token {
        match accounts::current(&state.db, token, state.config.sessions).await {
            Ok(Some(current)) => {
                match accounts::viewer(&state.db, &current.account).await {
                    Ok(viewer) => visitor.viewer = viewer,
                    Err(e) => return WebError::from(e).into_response(),
                }
                visitor.current = Some(current);
            }
            Ok(None) => stale_cookie = true,
            Err(e) => return WebError::from(e).into_response(),
        }
    }
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let mut view = visitor.view();
    if let Some(current) = &visitor.current {
        view.unread =
            codefor_core::notifications::unread_count(&state.db, current.account.id).await;
    }
    let signed_in = view.signed_in;
    request.extensions_mut().insert(visitor);
    let mut response = VISITOR.scope(view, next.run(request)).await;
    if signed_in {
        // A page for a signed-in person carries their name and form tokens: no shared
        // cache in front of us (a CDN, a proxy) may keep it.
        let headers = response.headers_mut();
        if !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
        }
        headers.append(header::VARY, HeaderValue::from_static("Cookie"));
    }
    if !safe {
        state.cache.recheck();
    }
    if stale_cookie {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies(), "Lax"),
        );
    }
    response
}

/// Refuses a state-changing request to a routed handler unless its form carries the
/// CSRF token: the session's when signed in, else the anonymous cookie's. Unrouted
/// paths answer 404/405 before this.
pub async fn csrf_layer(request: Request, next: Next) -> Response {
    let mut request = request;
    // The open-data API only reads (other methods answer 405 there).
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || crate::api::sessionless(request.uri().path());
    if !safe {
        let visitor = request
            .extensions()
            .get::<Visitor>()
            .cloned()
            .unwrap_or_default();
        let (parts, body) = request.into_parts();
        let path = parts.uri.path();
        let limit = if path == crate::uploads::PATH {
            crate::UPLOAD_BODY_LIMIT
        } else if path.starts_with("/bearbeiten/")
            || path.starts_with("/vorschau/")
            || (path.starts_with("/projekte/") && path.ends_with("/publiccode/"))
            // A need's description may be long, and encoded umlauts take 6 bytes each.
            || path == "/beduerfnisse/neu/"
            || (path.starts_with("/beduerfnisse/") && path.ends_with("/bearbeiten"))
        {
            crate::EDIT_BODY_LIMIT
        } else {
            crate::BODY_LIMIT
        };
        let bytes = match to_bytes(body, limit).await {
            Ok(b) => b,
            Err(_) => return WebError::TooLarge { limit }.into_response(),
        };
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let sent = if content_type.starts_with("multipart/form-data") {
            // The token comes first in our forms; the picture after it is not needed here.
            let head = bytes.slice(..bytes.len().min(crate::BODY_LIMIT));
            multipart_field(&content_type, head, "csrf").await
        } else {
            form_field(&bytes, "csrf")
        };
        let expected = match &visitor.current {
            Some(current) => Some(current.session.csrf_token.clone()),
            None => visitor.csrf_cookie.clone(),
        };
        let valid = match (&sent, &expected) {
            (Some(sent), Some(expected)) => codefor_core::secrets::same(sent, expected),
            _ => false,
        };
        if !valid {
            return WebError::CsrfRefused.into_response();
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }
    next.run(request).await
}

/// The value of one text field of a multipart form body (uploads carry the CSRF token
/// this way).
async fn multipart_field(
    content_type: &str,
    body: axum::body::Bytes,
    name: &str,
) -> Option<String> {
    use axum::extract::FromRequest;
    let request = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .ok()?;
    let mut multipart = axum::extract::Multipart::from_request(request, &())
        .await
        .ok()?;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// The value of one field of a URL-encoded form body.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cookies_and_refuses_odd_values() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; codefor_session=abc123; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc123"));
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("codefor_session=<script>"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), None);
        assert_eq!(cookie(&HeaderMap::new(), SESSION_COOKIE), None);
    }

    #[test]
    fn finds_form_fields() {
        assert_eq!(
            form_field(b"a=1&csrf=ab%20c", "csrf").as_deref(),
            Some("ab c")
        );
        assert_eq!(form_field(b"a=1", "csrf"), None);
    }
}
