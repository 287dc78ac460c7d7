//! Errors of request handlers, shown as pages that match the site. Internal details
//! are logged once and never shown.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use codefor_storage::DbError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("template: {0}")]
    Template(#[from] minijinja::Error),
    /// A state-changing request without the form's CSRF token.
    #[error("CSRF token missing or wrong")]
    CsrfRefused,
    /// Signed in, but not allowed to do this.
    #[error("forbidden")]
    Forbidden,
    /// A rate limit was reached.
    #[error("too many attempts")]
    TooMany { minutes: i64 },
    /// Mail could not be handed to the SMTP server.
    #[error("mail: {0}")]
    Mail(String),
    #[error("internal: {0}")]
    Internal(String),
    /// A request body over the limit.
    #[error("request body over {limit} bytes")]
    TooLarge { limit: usize },
}

impl From<codefor_core::accounts::AccountError> for WebError {
    fn from(e: codefor_core::accounts::AccountError) -> WebError {
        use codefor_core::accounts::AccountError as E;
        match e {
            E::Db(db) => WebError::Db(db),
            E::RateLimited { minutes } => WebError::TooMany { minutes },
            E::Mail(m) => WebError::Mail(m.to_string()),
            E::Io(e) => WebError::Internal(e),
            E::TokenInvalid => WebError::BadRequest(
                "Dieser Link ist ungültig, schon benutzt oder abgelaufen".into(),
            ),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "Seite nicht gefunden",
                "Diese Seite gibt es nicht (mehr). Vielleicht hilft einer dieser Einstiege weiter:"
                    .to_owned(),
            ),
            WebError::BadRequest(why) => (
                StatusCode::BAD_REQUEST,
                "Ungültige Anfrage",
                format!("{why}."),
            ),
            WebError::CsrfRefused => (
                StatusCode::FORBIDDEN,
                "Formular abgelaufen",
                "Das Formular war nicht mehr gültig (zum Beispiel, weil du dich inzwischen an- oder \
                 abgemeldet hast). Bitte lade die Seite neu und versuche es noch einmal."
                    .to_owned(),
            ),
            WebError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Keine Berechtigung",
                "Das darf dein Konto nicht. Wenn du meinst, dass du es dürfen solltest, \
                 wende dich an die Leitung deines Labs oder an das Netzwerk."
                    .to_owned(),
            ),
            WebError::TooMany { minutes } => (
                StatusCode::TOO_MANY_REQUESTS,
                "Zu viele Versuche",
                format!(
                    "Zu viele Versuche in kurzer Zeit. Bitte warte {minutes} Minuten und \
                     versuche es dann noch einmal."
                ),
            ),
            WebError::TooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Zu groß",
                format!(
                    "Was du geschickt hast, ist größer als die erlaubten {} KB.",
                    limit / 1024
                ),
            ),
            WebError::Mail(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "E-Mail nicht gesendet",
                "Die E-Mail konnte gerade nicht verschickt werden. Bitte versuche es in ein \
                 paar Minuten noch einmal."
                    .to_owned(),
            ),
            WebError::Db(_) | WebError::Template(_) | WebError::Internal(_) => {
                // Logged once, with the route, by `log_failures`.
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Ein Fehler ist aufgetreten",
                    "Das hat nicht geklappt. Bitte versuche es gleich noch einmal.".to_owned(),
                )
            }
        };
        let html = crate::views::error_page(title, &message);
        let mut response = (status, Html(html)).into_response();
        if status.is_server_error() {
            response.extensions_mut().insert(Failure(self.to_string()));
        }
        response
    }
}

/// The cause of a server error, carried to the logging middleware.
#[derive(Debug, Clone)]
pub struct Failure(pub String);

/// Logs every server error once, with method, route and cause (never request bodies,
/// query strings or other personal data).
pub async fn log_failures(
    matched: Option<axum::extract::MatchedPath>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let method = request.method().clone();
    let route = matched
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "(fallback)".to_owned());
    let response = next.run(request).await;
    if response.status().is_server_error() {
        let cause = response
            .extensions()
            .get::<Failure>()
            .map(|f| f.0.as_str())
            .unwrap_or("-");
        tracing::error!(%method, %route, status = response.status().as_u16(), cause, "request failed");
    }
    response
}
