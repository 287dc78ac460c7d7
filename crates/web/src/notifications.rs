//! Notifications in the browser (`/konto/benachrichtigungen/`): how one hears of what
//! one follows (one mail per event, a daily digest, or none), one's notifications newest
//! first with the unread ones marked, and the needs one follows with a button to stop.
//!
//! Opening a notification goes through `/konto/benachrichtigungen/<id>`, which marks it
//! read and sends the person on to where it happened.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use codefor_core::accounts::AccountError;
use codefor_core::forms::FieldErrors;
use codefor_core::notifications as core;
use codefor_domain::needs::{MailSetting, Status};
use codefor_storage::notifications as store;
use serde::Deserialize;

use crate::forms::{private, see_other};
use crate::session::{SignedIn, Visitor};
use crate::views::{Chrome, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/konto/benachrichtigungen/", get(page))
        .route(
            "/konto/benachrichtigungen/einstellung",
            post(change_setting),
        )
        .route("/konto/benachrichtigungen/gelesen", post(mark_all_read))
        .route("/konto/benachrichtigungen/{id}", get(open))
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    #[serde(default)]
    seite: String,
    /// Set after the setting was saved, for the notice.
    #[serde(default)]
    gespeichert: String,
    /// Set after everything was marked read.
    #[serde(default)]
    gelesen: String,
}

/// `/konto/benachrichtigungen/`.
async fn page(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let page = q.seite.trim().parse::<i64>().unwrap_or(1);
    let setting = core::setting(&state.db, current.account.id).await?;
    let notice = if q.gespeichert == "1" {
        Some(format!(
            "Gespeichert: {}.",
            setting.label_de().trim_end_matches('.')
        ))
    } else if q.gelesen == "1" {
        Some("Alle Benachrichtigungen sind als gelesen markiert.".to_owned())
    } else {
        None
    };
    view(
        &state,
        &visitor,
        page,
        setting.as_str(),
        &FieldErrors::default(),
        notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

/// The page with the setting `chosen` (the stored one, or what a refused form sent).
async fn view(
    state: &AppState,
    visitor: &Visitor,
    page: i64,
    chosen: &str,
    errors: &FieldErrors,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let Some(current) = &visitor.current else {
        return Ok(see_other("/anmelden/?next=/konto/benachrichtigungen/"));
    };
    let account = current.account.id;
    let listing = core::listing(&state.db, account, page).await?;
    let unread = store::unread(&state.db, account).await?;
    let items: Vec<_> = listing
        .items
        .iter()
        .map(|n| {
            serde_json::json!({
                "id": n.id,
                "need_title": n.need_title,
                // The actor's name and what they did; only a neutral line for what
                // moderators hid.
                "text": core::headline(n),
                "at": crate::dates::german_datetime(&n.created_at),
                "at_iso": n.created_at,
                "unread": n.read_at.is_none(),
            })
        })
        .collect();
    let followed: Vec<_> = store::followed(&state.db, account)
        .await?
        .into_iter()
        .map(|f| {
            serde_json::json!({
                "id": f.need_id,
                "title": f.need_title,
                "status": Status::parse(&f.status).map_or("", Status::label_de),
            })
        })
        .collect();
    let settings: Vec<_> = MailSetting::ALL
        .iter()
        .map(|s| {
            serde_json::json!({
                "key": s.as_str(),
                "label": s.label_de(),
                "checked": s.as_str() == chosen,
            })
        })
        .collect();
    let page_link = |n: i64| {
        if n > 1 {
            format!("/konto/benachrichtigungen/?seite={n}")
        } else {
            "/konto/benachrichtigungen/".to_owned()
        }
    };
    let chrome = Chrome::load(&state.db).await?;
    let html = render(
        "notifications/index.html",
        &chrome,
        crate::ctx! {
            nav => "benachrichtigungen",
            title => "Benachrichtigungen",
            settings => settings,
            items => items,
            total => listing.total,
            unread => unread,
            page => listing.page,
            pages => listing.pages,
            prev => (listing.page > 1).then(|| page_link(listing.page - 1)),
            next => (listing.page < listing.pages).then(|| page_link(listing.page + 1)),
            followed => followed,
            err => errors.by_field(),
            error_count => errors.0.len(),
            notice => notice,
            csrf => visitor.csrf(),
        },
    )?;
    Ok(private(status, html))
}

#[derive(Debug, Default, Deserialize)]
struct SettingForm {
    #[serde(default)]
    notify_mail: String,
}

async fn change_setting(
    State(state): State<AppState>,
    SignedIn { visitor, current }: SignedIn,
    Form(form): Form<SettingForm>,
) -> Result<Response, WebError> {
    match core::change_setting(&state.db, &current.account, &form.notify_mail).await {
        Ok(_) => Ok(see_other(
            "/konto/benachrichtigungen/?gespeichert=1#einstellung",
        )),
        Err(AccountError::Invalid(errors)) => {
            view(
                &state,
                &visitor,
                1,
                form.notify_mail.trim(),
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn mark_all_read(
    State(state): State<AppState>,
    SignedIn { current, .. }: SignedIn,
) -> Result<Response, WebError> {
    core::mark_all_read(&state.db, current.account.id).await?;
    Ok(see_other("/konto/benachrichtigungen/?gelesen=1"))
}

/// Marks the notification read and goes where it happened; someone else's is not found.
async fn open(
    State(state): State<AppState>,
    SignedIn { current, .. }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    match core::open(&state.db, current.account.id, id).await? {
        Some(path) => Ok(see_other(&path)),
        None => Err(WebError::NotFound),
    }
}
