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
            WebError::Db(_) | WebError::Template(_) => {
                tracing::error!(error = %self, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Ein Fehler ist aufgetreten",
                    "Das hat nicht geklappt. Bitte versuche es gleich noch einmal.".to_owned(),
                )
            }
        };
        let html = crate::views::error_page(title, &message);
        (status, Html(html)).into_response()
    }
}
