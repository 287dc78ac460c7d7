//! What every form page needs: a CSRF token (the session's, or a fresh cookie for
//! visitors who are not signed in) and responses that are never cached.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::session::{CSRF_COOKIE, Visitor, set_cookie};
use crate::{AppState, WebError};

/// The token a form must send back, and the cookie to set for it when needed.
pub struct FormToken {
    pub token: String,
    cookie: Option<HeaderValue>,
}

impl FormToken {
    pub fn for_visitor(state: &AppState, visitor: &Visitor) -> Result<FormToken, WebError> {
        if let Some(current) = &visitor.current {
            return Ok(FormToken {
                token: current.session.csrf_token.clone(),
                cookie: None,
            });
        }
        if let Some(existing) = &visitor.csrf_cookie {
            return Ok(FormToken {
                token: existing.clone(),
                cookie: None,
            });
        }
        let token =
            codefor_core::secrets::random_token().map_err(|e| WebError::Internal(e.to_string()))?;
        let cookie = set_cookie(
            CSRF_COOKIE,
            &token,
            2 * 3600,
            state.secure_cookies(),
            "Strict",
        );
        Ok(FormToken {
            token,
            cookie: Some(cookie),
        })
    }

    /// A form page: private, never stored by caches, with the token cookie when new.
    pub fn page(self, status: StatusCode, html: Html<String>) -> Response {
        let mut response = (status, html).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(cookie) = self.cookie {
            headers.append(header::SET_COOKIE, cookie);
        }
        response
    }
}

/// A page for one person only (account, admin): never stored by caches.
pub fn private(status: StatusCode, html: Html<String>) -> Response {
    let mut response = (status, html).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// After a successful POST: to the next page with 303, so a reload does not resend.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// The end of a form's POST: on to `to` (303), or — when the form had mistakes — the
/// form again with them (`again`, 422); other errors become error pages.
pub async fn then_see_other(
    result: Result<String, codefor_core::accounts::AccountError>,
    again: impl AsyncFnOnce(
        codefor_core::forms::FieldErrors,
        StatusCode,
    ) -> Result<Response, crate::WebError>,
) -> Result<Response, crate::WebError> {
    match result {
        Ok(to) => Ok(see_other(&to)),
        Err(codefor_core::accounts::AccountError::Invalid(errors)) => {
            again(errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A local path to go back to after signing in; anything else becomes `/konto/`.
pub fn local_next(next: Option<&str>) -> String {
    // Only visible ASCII: browsers drop tabs and line breaks, so `/\t/x` would become the
    // other origin `//x`.
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n.to_owned()
        }
        _ => "/konto/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            local_next(Some("/berlin/bearbeiten/")),
            "/berlin/bearbeiten/"
        );
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil",
            "/\t/evil.example",
            "/ /x",
            "",
        ] {
            assert_eq!(local_next(Some(bad)), "/konto/", "{bad}");
        }
        assert_eq!(local_next(None), "/konto/");
    }
}
