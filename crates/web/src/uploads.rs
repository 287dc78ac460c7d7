//! Uploading pictures (`/hochladen/`, for everyone who edits something) and serving them
//! (`/uploads/<sha256>.<ext>`, cached for a year: a stored file never changes).

use axum::Router;
use axum::extract::{FromRequestParts, Multipart, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use codefor_core::accounts::AccountError;
use codefor_core::uploads;
use codefor_domain::permissions::{Action, allows};

use crate::editing::Refused;
use crate::forms::private;
use crate::session::Visitor;
use crate::views::{Chrome, render};
use crate::{AppState, WebError};

pub const PATH: &str = "/hochladen/";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            PATH,
            get(form)
                .post(upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::UPLOAD_BODY_LIMIT,
                )),
        )
        .route("/uploads/{file}", get(serve))
}

/// A signed-in visitor who may upload (`allows(Upload)`).
pub struct Uploader(Visitor);

impl FromRequestParts<AppState> for Uploader {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Uploader, Refused> {
        let visitor = parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .unwrap_or_default();
        if !visitor.signed_in() {
            return Err(Refused::SignIn(PATH.to_owned()));
        }
        if !allows(&visitor.viewer, &Action::Upload) {
            return Err(Refused::Web(WebError::Forbidden));
        }
        Ok(Uploader(visitor))
    }
}

async fn page(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    error: Option<String>,
    stored: Option<(String, String)>,
) -> Result<Response, WebError> {
    let chrome = Chrome::load(&state.db).await?;
    let csrf = visitor.csrf();
    let html = render(
        "uploads/form.html",
        &chrome,
        crate::ctx! {
            title => "Bild hochladen",
            error => error,
            url => stored.as_ref().map(|s| s.0.clone()),
            snippet => stored.as_ref().map(|s| s.1.clone()),
            csrf => csrf,
            max_mb => uploads::MAX_BYTES / 1_048_576,
        },
    )?;
    Ok(private(status, html))
}

async fn form(
    State(state): State<AppState>,
    Uploader(visitor): Uploader,
) -> Result<Response, WebError> {
    page(&state, &visitor, StatusCode::OK, None, None).await
}

async fn upload(
    State(state): State<AppState>,
    Uploader(visitor): Uploader,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let mut bytes = Vec::new();
    let mut alt = String::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(WebError::BadRequest(format!(
                    "Das Formular kam unvollständig an ({e})"
                )));
            }
        };
        match field.name() {
            Some("file") => {
                bytes = field
                    .bytes()
                    .await
                    .map_err(|e| {
                        WebError::BadRequest(format!("Das Bild kam unvollständig an ({e})"))
                    })?
                    .to_vec();
            }
            Some("alt") => {
                alt = field
                    .text()
                    .await
                    .unwrap_or_default()
                    .trim()
                    .chars()
                    .take(200)
                    .collect();
            }
            _ => {}
        }
    }
    let account = visitor.current.as_ref().map(|c| c.account.id);
    match uploads::store(&state.db, &state.config.upload_dir, &bytes, account).await {
        Ok(file) => {
            let url = format!("/uploads/{file}");
            let alt = alt.replace(['[', ']'], "");
            let snippet = format!("![{alt}]({url})");
            page(&state, &visitor, StatusCode::OK, None, Some((url, snippet))).await
        }
        Err(AccountError::Invalid(errors)) => {
            let message = errors.0.first().map(|e| e.message.clone());
            page(
                &state,
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                message,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn serve(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let path = uploads::path_of(&state.config.upload_dir, &file).ok_or(WebError::NotFound)?;
    if codefor_storage::uploads::exists(&state.db, &file)
        .await?
        .is_none()
    {
        return Err(WebError::NotFound);
    }
    let etag = format!("\"{}\"", file.split('.').next().unwrap_or(""));
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    if crate::cache::not_modified(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::CACHE_CONTROL, cache)]).into_response());
    }
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        WebError::Internal(format!("upload {file} is recorded but not readable: {e}"))
    })?;
    let etag = HeaderValue::from_str(&etag).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(uploads::content_type(&file)),
            ),
            (header::CACHE_CONTROL, cache),
            (header::ETAG, etag),
        ],
        bytes,
    )
        .into_response())
}
